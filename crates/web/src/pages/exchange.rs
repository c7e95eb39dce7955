//! Pages of the data exchange: partner API clients and missions abroad (national admins), and a
//! person's privacy page (purpose consents, restriction, correction requests, the access report).

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use crate::exchange::rfc3339;
use crate::i18n::T;
use app::exchange::{Correction, Mission, Person, PrivacyDossier};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::exchange::{Purpose, Resource};
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// API clients

pub struct ClientRow {
    pub id: i64,
    pub organisation: String,
    pub purpose: String,
    pub scopes: String,
    pub region: String,
    pub expires: String,
    pub hint: String,
    pub live: bool,
}

#[derive(Template)]
#[template(path = "admin_api_clients.html")]
struct ClientsPage {
    layout: Layout,
    t: T,
    clients: Vec<ClientRow>,
    purposes: Vec<(&'static str, String)>,
    scopes: Vec<String>,
    errors: FormErrors,
    form: ClientForm,
    /// A token just issued: shown once.
    new_token: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct ClientForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub purpose: String,
    /// Checked scopes arrive as repeated fields; serde_urlencoded takes them as one string list.
    #[serde(default)]
    pub scope: Vec<String>,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub rate_per_minute: String,
}

async fn clients_page(
    state: &AppState,
    v: &Viewer,
    errors: FormErrors,
    form: ClientForm,
    new_token: Option<(String, String)>,
) -> Result<Response, PageError> {
    let t = v.t();
    let clients = app::exchange::clients(state, &v.principal)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?
        .into_iter()
        .map(|c| ClientRow {
            id: c.id,
            live: app::exchange::is_live(&c),
            purpose: t.get(&format!("exchange.purpose.{}", c.purpose)).to_string(),
            scopes: c.scopes.replace(',', ", "),
            region: c.region_code.clone().unwrap_or_else(|| t.get("exchange.national").into()),
            expires: rfc3339(c.expires_at),
            hint: c.token_hint.clone(),
            organisation: c.organisation,
        })
        .collect();
    let failed = errors.any();
    let scopes =
        Resource::ALL.iter().flat_map(|r| [format!("{}:read", r.as_str()), format!("{}:write", r.as_str())]).collect();
    let page = ClientsPage {
        layout: Layout::for_viewer(v, t.get("exchange.clients"), "/admin/api-clients"),
        t,
        clients,
        purposes: Purpose::ALL
            .iter()
            .map(|p| (p.as_str(), t.get(&format!("exchange.purpose.{}", p.as_str())).to_string()))
            .collect(),
        scopes,
        errors,
        form,
        new_token,
    };
    let resp = render(&page, v.lang())?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn clients(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    clients_page(&state, &v, FormErrors::default(), ClientForm::default(), None).await
}

pub async fn create_client(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Result<Response, PageError> {
    // Repeated `scope` fields: read the pairs by hand (serde_urlencoded does not collect them).
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let f = ClientForm {
        csrf: get("_csrf"),
        organisation: get("organisation"),
        purpose: get("purpose"),
        scope: pairs.iter().filter(|(n, _)| n == "scope").map(|(_, v)| v.clone()).collect(),
        region_code: get("region_code"),
        expires_on: get("expires_on"),
        rate_per_minute: get("rate_per_minute"),
    };
    v.check_csrf(&f.csrf)?;
    let rate = f.rate_per_minute.trim().parse::<i64>().ok();
    let input = domain::exchange::ClientInput {
        organisation: &f.organisation,
        purpose: &f.purpose,
        scopes: &f.scope,
        region_code: &f.region_code,
        expires_on: &f.expires_on,
        rate_per_minute: if f.rate_per_minute.trim().is_empty() { None } else { Some(rate.unwrap_or(0)) },
    };
    match app::exchange::create_client(&state, &v.principal, &v.actor(), &input).await {
        Ok((client, token)) => {
            clients_page(&state, &v, FormErrors::default(), ClientForm::default(), Some((client.organisation, token)))
                .await
        }
        Err(app::Error::Invalid(errs)) => clients_page(&state, &v, FormErrors::new(v.t(), errs), f, None).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn rotate_client(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let (c, token) = app::exchange::rotate_client(&state, &v.principal, &v.actor(), id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    clients_page(&state, &v, FormErrors::default(), ClientForm::default(), Some((c.organisation, token))).await
}

pub async fn revoke_client(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    app::exchange::revoke_client(&state, &v.principal, &v.actor(), id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(Redirect::to("/admin/api-clients").into_response())
}

// ---------------------------------------------------------------------------------------------
// Missions abroad

#[derive(Template)]
#[template(path = "admin_missions.html")]
struct MissionsPage {
    layout: Layout,
    t: T,
    missions: Vec<Mission>,
    errors: FormErrors,
    form: MissionForm,
    kinds: [&'static str; 4],
}

#[derive(Deserialize, Default, Clone)]
pub struct MissionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub hotline: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub verified: String,
}

async fn missions_page(
    state: &AppState,
    v: &Viewer,
    errors: FormErrors,
    form: MissionForm,
) -> Result<Response, PageError> {
    let t = v.t();
    let missions = app::exchange::missions(state, &v.principal).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let page = MissionsPage {
        layout: Layout::for_viewer(v, t.get("exchange.missions_admin"), "/admin/missions"),
        t,
        missions,
        errors,
        form,
        kinds: ["kbri", "kjri", "kdei", "other"],
    };
    let resp = render(&page, v.lang())?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn missions(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    missions_page(&state, &v, FormErrors::default(), MissionForm { kind: "kbri".into(), ..Default::default() }).await
}

pub async fn save_mission(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<MissionForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let id = f.id.trim().parse::<i64>().ok();
    let input = domain::portal::MissionInput {
        country: &f.country,
        kind: &f.kind,
        name: &f.name,
        city: &f.city,
        address: &f.address,
        phone: &f.phone,
        hotline: &f.hotline,
        email: &f.email,
        website: &f.website,
        verified: f.verified == "1",
    };
    match app::exchange::save_mission(&state, &v.principal, &v.actor(), id, &input).await {
        Ok(_) => Ok(Redirect::to("/admin/missions").into_response()),
        Err(app::Error::Invalid(errs)) => missions_page(&state, &v, FormErrors::new(v.t(), errs), f).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

pub async fn delete_mission(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    app::exchange::delete_mission(&state, &v.principal, &v.actor(), id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(Redirect::to("/admin/missions").into_response())
}

// ---------------------------------------------------------------------------------------------
// A person's privacy page

pub struct ConsentRow {
    pub purpose: String,
    pub granted: bool,
    pub given_on: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "person_privacy.html")]
struct PrivacyPage {
    layout: Layout,
    t: T,
    person: Person,
    restricted: bool,
    restriction_note: String,
    consents: Vec<ConsentRow>,
    corrections: Vec<Correction>,
    purposes: Vec<(&'static str, String)>,
    errors: FormErrors,
    saved: bool,
}

async fn privacy_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let d: PrivacyDossier = app::exchange::privacy_dossier(state, &v.principal, &v.actor(), id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let consents = d
        .consents
        .into_iter()
        .map(|c| ConsentRow {
            purpose: t.get(&format!("exchange.purpose.{}", c.purpose)).to_string(),
            granted: c.granted,
            given_on: c.given_on,
            by: c.recorded_by_name.unwrap_or_default(),
        })
        .collect();
    let failed = errors.any();
    let page = PrivacyPage {
        layout: Layout::for_viewer(v, t.get("privacy.title"), &format!("/persons/{}/privacy", d.person.id)),
        t,
        person: d.person,
        restricted: d.restricted,
        restriction_note: d.restriction_note,
        consents,
        corrections: d.corrections,
        purposes: Purpose::ALL
            .iter()
            .map(|p| (p.as_str(), t.get(&format!("exchange.purpose.{}", p.as_str())).to_string()))
            .collect(),
        errors,
        saved,
    };
    let resp = render(&page, v.lang())?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

/// After a write: back to the privacy page, or the page again with the form's errors (422), or
/// the refusal.
async fn after_write<T>(
    state: &AppState,
    v: &Viewer,
    id: i64,
    result: app::error::Result<T>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}/privacy?saved=1")).into_response()),
        Err(app::Error::Invalid(errs)) => privacy_page(state, v, id, FormErrors::new(v.t(), errs), false).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn privacy(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    privacy_page(&state, &v, id, FormErrors::default(), q.saved.is_some()).await
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    granted: String,
    #[serde(default)]
    given_on: String,
}

pub async fn add_consent(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ConsentForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let r = app::exchange::add_purpose_consent(
        &state,
        &v.principal,
        &v.actor(),
        id,
        &f.purpose,
        f.granted == "1",
        &f.given_on,
    )
    .await;
    after_write(&state, &v, id, r).await
}

#[derive(Deserialize)]
pub struct RestrictionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    restricted: String,
    #[serde(default)]
    note: String,
}

pub async fn set_restriction(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<RestrictionForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let r = app::exchange::set_restriction(&state, &v.principal, &v.actor(), id, f.restricted == "1", &f.note).await;
    after_write(&state, &v, id, r).await
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    fields: String,
    #[serde(default)]
    description: String,
}

pub async fn add_correction(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CorrectionForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let r = app::exchange::add_correction(&state, &v.principal, &v.actor(), id, &f.fields, &f.description).await;
    after_write(&state, &v, id, r).await
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    resolution: String,
}

pub async fn resolve_correction(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, cid)): Path<(i64, i64)>,
    PageForm(f): PageForm<ResolveForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let r =
        app::exchange::resolve_correction(&state, &v.principal, &v.actor(), id, cid, &f.status, &f.resolution).await;
    after_write(&state, &v, id, r).await
}

/// The subject-access report as a PDF (`/persons/{id}/subject-access.pdf`) or JSON.
pub async fn subject_access(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, ext)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    if !matches!(ext.as_str(), "pdf" | "json") {
        // Access first, as for a known format: 403 to whoever sees the person but may not act.
        app::exchange::subject(&state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
        return Err(PageError::not_found(v.lang()));
    }
    let report = app::exchange::subject_access(&state, &v.principal, &v.actor(), id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    match ext.as_str() {
        "pdf" => {
            let r = crate::privacy::to_report(&report, v.t());
            Ok(crate::download::report(&r, crate::download::Format::Pdf, &format!("data-pribadi-{id}")))
        }
        "json" => {
            let body = serde_json::to_vec_pretty(&report).unwrap_or_default();
            Ok((
                [
                    (axum::http::header::CONTENT_TYPE, "application/json".to_string()),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"data-pribadi-{id}.json\""),
                    ),
                ],
                body,
            )
                .into_response())
        }
        _ => Err(PageError::not_found(v.lang())),
    }
}
