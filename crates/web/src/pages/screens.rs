//! Survivor-safe screens (issue 17; docs/SURVIVOR_SAFETY.md): the neutral page the quick-exit
//! control leaves for, showing a masked field ("tampilkan"), and the printed case summary.
//! The quick-exit control itself is in the base templates (`base.html`, `portal_base.html`,
//! `error.html`) and `static/quick_exit.js`.

use super::{Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use reports::{Block, Report};
use serde::Deserialize;

/// Where quick exit goes: a page with nothing of the application (no name, no icon, no menu),
/// which looks like any recipe page on a shared phone.
#[derive(Template)]
#[template(path = "neutral.html")]
struct NeutralPage {
    asset_version: &'static str,
}

pub async fn neutral() -> Response {
    let page = NeutralPage { asset_version: crate::static_files::VERSION };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => Html("<!doctype html><title>Resep</title>").into_response(),
    }
}

#[derive(Deserialize)]
pub struct RevealForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    field: String,
}

/// The answer without JavaScript: the value on its own small page, with the way back.
#[derive(Template)]
#[template(path = "revealed.html")]
struct RevealedPage {
    layout: Layout,
    t: crate::i18n::T,
    person_id: i64,
    label: String,
    value: String,
}

/// The answer to htmx: the value that replaces the mask.
#[derive(Template)]
#[template(source = "<span class=\"revealed\" data-revealed=\"{{ field }}\">{{ value }}</span>", ext = "html")]
struct RevealedValue {
    field: &'static str,
    value: String,
}

/// `POST /persons/{id}/reveal` (`field` = nik, kk or phone): the unmasked value, audited. With
/// htmx (the "tampilkan" button) only the value replaces the mask; without JavaScript the
/// form's answer is a page showing it.
pub async fn reveal(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    headers: HeaderMap,
    PageForm(f): PageForm<RevealForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let (field, value) = app::screens::reveal(&state, &v.principal, &v.actor(), id, &f.field)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    if headers.contains_key("hx-request") {
        return render(&RevealedValue { field: field.as_str(), value }, v.lang());
    }
    let t = v.t();
    let label = match field {
        domain::screens::RevealField::Nik => "NIK".to_string(),
        domain::screens::RevealField::Kk => t.get("persons.kk_number").to_string(),
        domain::screens::RevealField::Phone => t.get("persons.phone").to_string(),
    };
    render(
        &RevealedPage {
            layout: Layout::for_viewer(&v, t.get("screens.person_title"), &format!("/persons/{id}")),
            t,
            person_id: id,
            label,
            value: if value.is_empty() { "—".into() } else { value },
        },
        v.lang(),
    )
}

#[derive(Deserialize)]
pub struct SummaryQuery {
    #[serde(default)]
    format: String,
}

/// The printable view: the same report model as the PDF, as a page.
#[derive(Template)]
#[template(path = "case_summary.html")]
struct SummaryPage {
    layout: Layout,
    t: crate::i18n::T,
    case_id: i64,
    report: Report,
}

/// `GET /cases/{id}/summary` (`?format=pdf` for the PDF): the case summary to print, carrying
/// of the person only what the survivor agreed to share and saying what was left out.
pub async fn case_summary(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SummaryQuery>,
) -> Result<Response, PageError> {
    let s = app::screens::case_summary(&state, app::cases::Caller::new(&v.principal, &v.user), &v.actor(), id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let t = v.t();
    let names = super::RegionNames::load(&state, [s.case.village_code.as_str()])
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let dash = |x: &str| if x.is_empty() { "—".to_string() } else { x.to_string() };
    let c = &s.case;
    let mut blocks = vec![Block::Facts(vec![
        (t.get("cases.type").to_string(), t.label("case_type", &c.case_type)),
        (t.get("cases.severity").to_string(), t.label("severity", &c.severity)),
        (t.get("cases.status").to_string(), format!("{} ({})", t.label("case_status", &c.status), c.status_date)),
        (t.get("persons.village").to_string(), format!("{} ({})", names.name(&c.village_code), c.village_code)),
        (t.get("cases.handler").to_string(), dash(&s.handler_name)),
        (t.get("cases.due").to_string(), dash(c.due_on.as_deref().unwrap_or(""))),
        (
            t.get("cases.outcome").to_string(),
            c.outcome.as_deref().map(|o| t.label("outcome", o)).unwrap_or_else(|| "—".into()),
        ),
    ])];
    if s.left_out {
        blocks.push(Block::Heading(t.get("screens.left_out_title").to_string()));
        let mut text = vec![t.get("screens.left_out").to_string()];
        if s.identity.is_none() {
            text.push(format!("• {}", t.get("screens.left_identity")));
        }
        if s.contact.is_none() {
            text.push(format!("• {}", t.get("screens.left_contact")));
        }
        blocks.push(Block::Text(text.join("\n")));
    }
    if let Some(p) = &s.identity {
        blocks.push(Block::Heading(t.get("cases.person").to_string()));
        let mut facts = vec![(t.get("screens.name").to_string(), p.full_name.clone())];
        if !p.nik.is_empty() {
            facts.push(("NIK".to_string(), p.nik.clone()));
        }
        facts.push((t.get("persons.sex").to_string(), t.label("sex", &p.sex)));
        facts.push((t.get("persons.birth").to_string(), format!("{} {}", p.birth_place, p.birth_date)));
        blocks.push(Block::Facts(facts));
    }
    if let Some(k) = &s.contact {
        blocks.push(Block::Heading(t.get("screens.contact").to_string()));
        blocks.push(Block::Facts(vec![
            (t.get("persons.phone").to_string(), dash(&k.phone)),
            (t.get("persons.address").to_string(), dash(&k.address)),
            (t.get("persons.contact_abroad").to_string(), dash(&k.contact_abroad)),
        ]));
    }
    if let Some((description, notes)) = &s.narrative {
        blocks.push(Block::Heading(t.get("screens.narrative").to_string()));
        blocks.push(Block::Text(description.clone()));
        for n in notes {
            blocks.push(Block::Text(format!("— {}", n.body)));
        }
    }
    blocks.push(Block::Heading(t.get("cases.referrals").to_string()));
    if s.referrals.is_empty() {
        blocks.push(Block::Text(t.get("cases.no_referrals").to_string()));
    } else {
        blocks.push(Block::Facts(
            s.referrals
                .iter()
                .map(|r| {
                    let services: Vec<String> =
                        r.services.split(',').filter(|x| !x.is_empty()).map(|x| t.label("service", x)).collect();
                    (
                        r.partner_name.clone(),
                        format!(
                            "{} ({}) — {}",
                            t.label("referral_status", &r.status),
                            r.status_date,
                            services.join(", ")
                        ),
                    )
                })
                .collect(),
        ));
    }
    blocks.push(Block::Heading(t.get("screens.history").to_string()));
    blocks.push(Block::Facts(
        s.events
            .iter()
            .map(|e| {
                let reason = if e.reason.is_empty() { String::new() } else { format!(": {}", e.reason) };
                (e.on_date.clone(), format!("{}{}", t.label("case_status", &e.to_status), reason))
            })
            .collect(),
    ));
    if !s.consents.is_empty() {
        blocks.push(Block::Heading(t.get("screens.consents").to_string()));
        blocks.push(Block::Facts(
            s.consents
                .iter()
                .map(|(scope, recipient, on)| (t.label("data_scope", scope), format!("{recipient} ({on})")))
                .collect(),
        ));
    }
    let report = Report {
        title: format!("{} #{}", t.get("screens.summary_title"), c.id),
        meta: vec![(t.get("screens.printed_on").to_string(), state.today().to_string())],
        blocks,
    };
    if q.format == "pdf" {
        return Ok(crate::download::report(
            &report,
            crate::download::Format::Pdf,
            &format!("ringkasan-kasus-{}", c.id),
        ));
    }
    render(
        &SummaryPage {
            layout: Layout::for_viewer(&v, report.title.clone(), &format!("/cases/{}/summary", c.id)),
            t,
            case_id: c.id,
            report,
        },
        v.lang(),
    )
}
