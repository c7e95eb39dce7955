//! Track forms (issue 16; docs/OFFLINE.md "Field forms"): blank capture pages for the field
//! forms that must work without signal — outreach attendance, training attendance, a
//! business's monthly report, a cash savings deposit and a counselling session. Each renders
//! only the record's non-personal label and an empty form whose field names are the API's JSON
//! keys (`data-offline="POST /api/v1/…"`): the service worker keeps these pages (Cache Storage
//! is not encrypted, so no attendee, member or person name may appear), and
//! `static/offline-page.js` sends the form through the same API operation as online, or queues
//! it in the encrypted outbox without signal.

use super::{Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use crate::i18n::T;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

/// Which of the five forms a capture page shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CaptureKind {
    Outreach,
    Training,
    Report,
    Deposit,
    Counselling,
}

#[derive(Template)]
#[template(path = "capture.html")]
struct CapturePage {
    layout: Layout,
    t: T,
    kind: CaptureKind,
    /// The event's, training's, business's or cooperative's name; never a person's.
    label: String,
    /// The page the record lives on (back link).
    back: String,
    /// The API operation the form is sent to: `POST /api/v1/…`.
    api: String,
    /// Where the form posts without JavaScript: the page route taking the same field names
    /// (business report, counselling), else the record's page.
    action: String,
}

fn page(
    v: &Viewer,
    kind: CaptureKind,
    title_key: &str,
    label: String,
    back: String,
    api: String,
) -> Result<Response, PageError> {
    let t = v.t();
    let action = match kind {
        CaptureKind::Report | CaptureKind::Counselling => api.trim_start_matches("POST /api/v1").to_string(),
        _ => back.clone(),
    };
    let path = api.trim_start_matches("POST /api/v1").to_string();
    let layout = Layout::for_viewer(v, t.get(title_key), &path);
    render(&CapturePage { layout, t, kind, label, back, api, action }, v.lang())
}

/// `GET /outreach/{id}/attend`: one attendee of an outreach event.
pub async fn outreach(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let e = crate::outreach::visible_event(&state, &v.principal, id)
        .await
        .map_err(PageError::internal(v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))?;
    crate::outreach::require_edit(&v.principal, &e).map_err(|e| PageError::from_app(e, v.lang()))?;
    let label = format!("{} · {} · {}", e.topic, e.held_on, e.village_name);
    page(
        &v,
        CaptureKind::Outreach,
        "capture.outreach_title",
        label,
        format!("/outreach/{id}"),
        format!("POST /api/v1/outreach/{id}/attendees"),
    )
}

/// `GET /trainings/{id}/attendance/new`: one participant present on one day.
pub async fn training(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let tr = crate::enterprise::training(&state, &v.principal, id).await.map_err(super::enterprise::page_err(&v))?;
    crate::enterprise::require_edit(&v.principal, tr.village()).map_err(super::enterprise::page_err(&v))?;
    let label = format!("{} · {}", tr.title, tr.village_name);
    page(
        &v,
        CaptureKind::Training,
        "capture.training_title",
        label,
        format!("/trainings/{id}"),
        format!("POST /api/v1/trainings/{id}/attendance"),
    )
}

/// `GET /businesses/{id}/reports/new`: a monthly report.
pub async fn report(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let b = crate::enterprise::business(&state, &v.principal, id).await.map_err(super::enterprise::page_err(&v))?;
    crate::enterprise::require_edit(&v.principal, b.village()).map_err(super::enterprise::page_err(&v))?;
    let label = format!("{} · {}", b.name, b.village_name);
    page(
        &v,
        CaptureKind::Report,
        "capture.report_title",
        label,
        format!("/businesses/{id}"),
        format!("POST /api/v1/businesses/{id}/reports"),
    )
}

/// `GET /cooperatives/{id}/savings/new`: a savings deposit collected in cash, with its value date.
pub async fn deposit(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let c = super::cooperative::load(&state, &v, id).await?;
    super::cooperative::require_manage(&v, &c)?;
    page(
        &v,
        CaptureKind::Deposit,
        "capture.deposit_title",
        c.name.clone(),
        format!("/cooperatives/{id}/members"),
        format!("POST /api/v1/cooperatives/{id}/savings-transactions"),
    )
}

/// `GET /persons/{id}/counselling/new`: a counselling session. The person is named by number
/// only: the page is kept on the phone in clear.
pub async fn counselling(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    crate::people::editable(&state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let label = v.t().fmt("capture.person_label", "id", &id.to_string());
    page(
        &v,
        CaptureKind::Counselling,
        "capture.counselling_title",
        label,
        format!("/persons/{id}"),
        format!("POST /api/v1/persons/{id}/counselling"),
    )
}
