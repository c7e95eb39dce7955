//! Pages of the cooperative's savings products (issue 20, deposits track): the deposits page
//! (settings per year, open a time deposit, the list, the month-end run), a deposit's record
//! (certificate: terms, interest, tax; maturity and early withdrawal) and the member's
//! passbook PDF. Each handler calls one `app::coop_deposits` / `app::coop_month_end` operation.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::cooperative::{self as coop, Cooperative};
use crate::error::{PageError, PageForm};
use app::coop_deposits::{self as svc, DepositActionBody, DepositBody, DepositView, SettingsBody, SettingsYear};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

fn refusal(v: &Viewer, e: app::Error) -> Result<FormErrors, PageError> {
    match e {
        app::Error::Invalid(errs) => Ok(FormErrors::new(v.t(), errs)),
        e => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Template)]
#[template(path = "coop_deposits_list.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    deposits: Vec<DepositView>,
    years: Vec<SettingsYear>,
    members: Vec<(i64, String)>,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
    year: i32,
    form: DepositBody,
    settings_form: SettingsBody,
    month: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub member: Option<i64>,
    #[serde(default)]
    pub saved: Option<String>,
}

#[derive(Default)]
struct Typed {
    form: DepositBody,
    settings: Option<SettingsBody>,
    month: String,
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    member: Option<i64>,
    errors: FormErrors,
    saved: bool,
    typed: Typed,
) -> Result<Response, PageError> {
    let c = svc::cooperative(state, &v.principal, id, false).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let deposits = svc::list(state, &v.principal, id, member).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let years = svc::settings(state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let today = coop::coop_today(state, &c);
    let current = svc::settings_in_year(state, &c, today.year()).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let members = if coop::can_manage(&v.principal, &c) { store_members(state, v, &c).await? } else { vec![] };
    let failed = errors.any();
    let t = v.t();
    let resp = render(
        &ListPage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", t.get("coop_deposits.title"), c.name),
                &format!("/cooperatives/{id}/deposits"),
            ),
            t,
            can_manage: coop::can_manage(&v.principal, &c),
            c,
            deposits,
            years,
            members,
            errors,
            saved,
            today: today.to_string(),
            year: today.year(),
            form: typed.form,
            settings_form: typed.settings.unwrap_or_else(|| SettingsBody::from_settings(&current)),
            month: typed.month,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

/// Active members for the form's choice (number and name only).
async fn store_members(state: &AppState, v: &Viewer, c: &Cooperative) -> Result<Vec<(i64, String)>, PageError> {
    let all =
        coop::members_view(state, &v.principal, &v.actor(), c).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(all
        .into_iter()
        .filter(|(m, _)| m.left_on.is_none())
        .map(|(m, _)| (m.id, format!("{} {}", m.member_number, m.full_name)))
        .collect())
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &v, id, q.member, FormErrors::default(), q.saved.is_some(), Typed::default()).await
}

#[derive(Deserialize, Default)]
pub struct OpenForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: DepositBody,
}

pub async fn open(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<OpenForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    match svc::open(&state, &v.principal, &v.actor(), id, &f.input).await {
        Ok(d) => Ok(Redirect::to(&format!("/cooperatives/{id}/deposits/{}?saved=1", d.id)).into_response()),
        Err(e) => {
            let errors = refusal(&v, e)?;
            list_page(&state, &v, id, None, errors, false, Typed { form: f.input, ..Typed::default() }).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(flatten)]
    input: SettingsBody,
}

pub async fn save_settings(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(mut f): PageForm<SettingsForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    // An unticked checkbox is absent from the form: not withheld.
    if f.input.withholding_tax.as_str().is_empty() {
        f.input.withholding_tax = coop::NumTextSer("false".into());
    }
    match svc::save_settings(&state, &v.principal, &v.actor(), id, &f.year, &f.input).await {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{id}/deposits?saved=1")).into_response()),
        Err(e) => {
            let errors = refusal(&v, e)?;
            list_page(&state, &v, id, None, errors, false, Typed { settings: Some(f.input), ..Typed::default() }).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct MonthEndForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    month: String,
}

pub async fn month_end(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<MonthEndForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    match app::coop_month_end::run_for(&state, &v.principal, &v.actor(), id, &f.month).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/deposits?saved=1")).into_response()),
        Err(e) => {
            let errors = refusal(&v, e)?;
            list_page(&state, &v, id, None, errors, false, Typed { month: f.month, ..Typed::default() }).await
        }
    }
}

#[derive(Template)]
#[template(path = "coop_deposits_record.html")]
struct RecordPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    d: DepositView,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
    form: DepositActionBody,
}

async fn record_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    deposit_id: i64,
    errors: FormErrors,
    saved: bool,
    form: DepositActionBody,
) -> Result<Response, PageError> {
    let c = svc::cooperative(state, &v.principal, id, false).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let d = svc::get(state, &v.principal, id, deposit_id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let t = v.t();
    let resp = render(
        &RecordPage {
            layout: Layout::for_viewer(
                v,
                format!("{} {} · {}", t.get("coop_deposits.record"), d.id, c.name),
                &format!("/cooperatives/{id}/deposits/{deposit_id}"),
            ),
            t,
            can_manage: coop::can_manage(&v.principal, &c),
            today: coop::coop_today(state, &c).to_string(),
            c,
            d,
            errors,
            saved,
            form,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn record(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, deposit_id)): Path<(i64, i64)>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    record_page(&state, &v, id, deposit_id, FormErrors::default(), q.saved.is_some(), DepositActionBody::default())
        .await
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    accept_penalty: Option<String>,
    #[serde(default)]
    to: String,
}

/// `maturity` or `early-withdrawal`.
pub async fn action(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, deposit_id, step)): Path<(i64, i64, String)>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let body = DepositActionBody { date: f.date, accept_penalty: f.accept_penalty.is_some(), to: f.to };
    let r = match step.as_str() {
        "maturity" => svc::mature(&state, &v.principal, &v.actor(), id, deposit_id, &body).await,
        "early-withdrawal" => svc::withdraw_early(&state, &v.principal, &v.actor(), id, deposit_id, &body).await,
        _ => return Err(PageError::not_found(v.lang())),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/deposits/{deposit_id}?saved=1")).into_response()),
        Err(e) => {
            let errors = refusal(&v, e)?;
            record_page(&state, &v, id, deposit_id, errors, false, body).await
        }
    }
}

/// The member's passbook (buku simpanan) as PDF.
pub async fn passbook(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, member_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let report = svc::passbook(&state, &v.principal, &v.actor(), id, member_id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(crate::download::report(&report, crate::download::Format::Pdf, &format!("buku-simpanan-{member_id}")))
}

/// Indonesian names for the templates.
pub fn state_name(code: &str) -> &'static str {
    svc::state_name(code)
}
pub fn at_maturity_name(code: &str) -> &'static str {
    svc::at_maturity_name(code)
}
