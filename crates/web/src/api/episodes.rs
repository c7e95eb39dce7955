//! Migration episodes over the API: open, read with checklist and risk flags, record steps,
//! documents and costs. The same services and rules as the pages.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::episodes::{self as ep, DocumentInput, StepInput};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::service_center as sc;

use crate::episodes::EpisodeFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct FlagView {
    /// Stable code, e.g. zero_cost_violation.
    pub code: String,
    /// English sentence with the facts.
    pub explanation: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistView {
    pub kind: String,
    /// missing, submitted or verified (as recorded).
    pub status: String,
    /// Verified and current today.
    pub present: bool,
    pub expired: bool,
    pub expiring_soon: bool,
    pub number: Option<String>,
    pub expires_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub from_state: Option<String>,
    pub to_state: String,
    pub on_date: String,
    pub reason: String,
    pub return_reason: String,
    pub handover_witness: String,
    pub override_reason: String,
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
// Another module has a `CostView`; one schema name each keeps both in the document.
#[schema(as = EpisodeCostView)]
pub struct CostView {
    pub item: String,
    pub amount_rupiah: i64,
}

#[derive(Serialize, ToSchema)]
pub struct EpisodeDetail {
    pub id: i64,
    pub person_id: i64,
    pub village_code: String,
    pub category: String,
    pub scheme: String,
    pub destination: String,
    pub job_type: String,
    pub agency_id: Option<i64>,
    pub recruiter_name: String,
    pub employer: String,
    pub planned_departure: Option<String>,
    pub contract_start: Option<String>,
    pub contract_end: Option<String>,
    /// The placement's Sisko P2MI id ("" when not recorded).
    pub sisko_id: String,
    /// The E-KPMI (E-PMI) number ("" when not recorded).
    pub ekpmi_id: String,
    pub state: String,
    pub state_date: String,
    pub departed_on: Option<String>,
    pub returned_on: Option<String>,
    pub last_contact_on: Option<String>,
    /// The states this episode may go to next.
    pub next_states: Vec<String>,
    pub flags: Vec<FlagView>,
    pub documents: Vec<ChecklistView>,
    pub costs: Vec<CostView>,
    pub events: Vec<EventView>,
}

fn detail(file: EpisodeFile) -> EpisodeDetail {
    let EpisodeFile { view: v, events, .. } = file;
    let e = v.episode;
    EpisodeDetail {
        next_states: v.state.next_states().iter().map(|s| s.as_str().to_string()).collect(),
        flags: v
            .flags
            .iter()
            .map(|f| FlagView { code: f.code().as_str().into(), explanation: f.explanation() })
            .collect(),
        documents: v
            .checklist
            .into_iter()
            .map(|c| ChecklistView {
                kind: c.kind.as_str().into(),
                status: c.row.as_ref().map(|r| r.status.clone()).unwrap_or_else(|| "missing".into()),
                present: c.present,
                expired: c.expired,
                expiring_soon: c.expiring_soon,
                number: c.row.as_ref().map(|r| r.number.clone()).filter(|n| !n.is_empty()),
                expires_on: c.row.and_then(|r| r.expires_on),
            })
            .collect(),
        costs: v.costs.into_iter().map(|c| CostView { item: c.item, amount_rupiah: c.amount_rupiah }).collect(),
        events: events
            .into_iter()
            .map(|x| EventView {
                from_state: x.from_state,
                to_state: x.to_state,
                on_date: x.on_date,
                reason: x.reason,
                return_reason: x.return_reason,
                handover_witness: x.handover_witness,
                override_reason: x.override_reason,
                by: x.actor,
            })
            .collect(),
        id: e.id,
        person_id: e.person_id,
        village_code: e.village_code,
        category: e.category,
        scheme: e.scheme,
        destination: e.destination,
        job_type: e.job_type,
        agency_id: e.agency_id,
        recruiter_name: e.recruiter_name,
        employer: e.employer,
        planned_departure: e.planned_departure,
        contract_start: e.contract_start,
        contract_end: e.contract_end,
        sisko_id: e.sisko_id,
        ekpmi_id: e.ekpmi_id,
        state: e.state,
        state_date: e.state_date,
        departed_on: e.departed_on,
        returned_on: e.returned_on,
        last_contact_on: e.last_contact_on,
    }
}

/// The episode for a change: 404 when absent or outside the scope, 403 without the edit right.
async fn editable(state: &AppState, u: &ApiUser, id: i64) -> Result<ep::Episode, ApiError> {
    Ok(ep::editable_episode(state, &u.principal, id).await.map_err(ApiError::or_not_found("episode"))?.0)
}

/// The episode as the caller sees it; every answer is a view of the person, audited.
pub(super) async fn respond(state: &AppState, u: &ApiUser, id: i64) -> Result<Json<EpisodeDetail>, ApiError> {
    let file = ep::file(state, &u.principal, &u.actor, id).await.map_err(ApiError::or_not_found("episode"))?;
    Ok(Json(detail(file)))
}

/// One episode with its documents checklist, risk flags, costs and history.
#[utoipa::path(get, path = "/api/v1/episodes/{id}", tag = "episodes", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = EpisodeDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<EpisodeDetail>, ApiError> {
    respond(&state, &u, id).await
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"category": "household_employer", "scheme": "p3mi", "destination": "TW", "job_type": "caregiver",
    "agency_id": 1, "contract_start": "2027-01-01", "contract_end": "2029-01-01"}))]
pub struct OpenEpisode {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub scheme: String,
    /// ISO 3166 alpha-2 (TW, HK, MY…).
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub job_type: String,
    pub agency_id: Option<i64>,
    /// A verified, valid job order of that agency.
    pub job_order_id: Option<i64>,
    #[serde(default)]
    pub recruiter_name: String,
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub planned_departure: String,
    #[serde(default)]
    pub contract_start: String,
    #[serde(default)]
    pub contract_end: String,
    #[serde(default)]
    pub sisko_id: String,
    #[serde(default)]
    pub ekpmi_id: String,
}

/// Opens a migration episode for a person (state registered, today).
#[utoipa::path(post, path = "/api/v1/persons/{id}/episodes", tag = "episodes", params(("id" = i64, Path)),
    request_body = OpenEpisode, security(("bearer" = [])),
    responses((status = 201, body = EpisodeDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    u: ApiUser,
    Path(person_id): Path<i64>,
    ApiJson(req): ApiJson<OpenEpisode>,
) -> Result<(StatusCode, Json<EpisodeDetail>), ApiError> {
    let agency_id = req.agency_id.map(|a| a.to_string()).unwrap_or_default();
    let job_order_id = req.job_order_id.map(|a| a.to_string()).unwrap_or_default();
    let input = sc::NewEpisodeInput {
        category: &req.category,
        scheme: &req.scheme,
        destination: &req.destination,
        job_type: &req.job_type,
        agency_id: &agency_id,
        job_order_id: &job_order_id,
        recruiter_name: &req.recruiter_name,
        employer: &req.employer,
        planned_departure: &req.planned_departure,
        contract_start: &req.contract_start,
        contract_end: &req.contract_end,
        sisko_id: &req.sisko_id,
        ekpmi_id: &req.ekpmi_id,
    };
    let e = ep::open_for(&state, &u.principal, &u.actor, person_id, &input)
        .await
        .map_err(ApiError::or_not_found("person"))?;
    let file = ep::reload(&state, &u.principal, e.id).await.map_err(ApiError::or_not_found("episode"))?;
    Ok((StatusCode::CREATED, Json(detail(file))))
}

/// Records the next step (the state machine, documents and override rules apply).
#[utoipa::path(post, path = "/api/v1/episodes/{id}/transitions", tag = "episodes", params(("id" = i64, Path)),
    request_body = StepInput, security(("bearer" = [])),
    responses((status = 200, body = EpisodeDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<StepInput>,
) -> Result<Json<EpisodeDetail>, ApiError> {
    let e = editable(&state, &u, id).await?;
    ep::advance(&state, &u.principal, &u.actor, &e, &req).await??;
    respond(&state, &u, id).await
}

/// Records a document of the checklist.
#[utoipa::path(put, path = "/api/v1/episodes/{id}/documents/{kind}", tag = "episodes",
    params(("id" = i64, Path), ("kind" = String, Path, example = "passport")), request_body = DocumentInput,
    security(("bearer" = [])),
    responses((status = 200, body = EpisodeDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn document(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, kind)): Path<(i64, String)>,
    ApiJson(req): ApiJson<DocumentInput>,
) -> Result<Json<EpisodeDetail>, ApiError> {
    let e = editable(&state, &u, id).await?;
    ep::save_document(&state, &u.actor, &e, &kind, &req).await??;
    respond(&state, &u, id).await
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"item": "agency_fee", "amount_rupiah": 15000000}))]
pub struct CostInput {
    #[serde(default)]
    pub item: String,
    pub amount_rupiah: i64,
}

/// Records a cost charged to the worker (zero-cost placement rules are checked as flags).
#[utoipa::path(post, path = "/api/v1/episodes/{id}/costs", tag = "episodes", params(("id" = i64, Path)),
    request_body = CostInput, security(("bearer" = [])),
    responses((status = 200, body = EpisodeDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cost(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<CostInput>>,
) -> Result<Json<EpisodeDetail>, ApiError> {
    // Access first (404/403 before the body is read), then the one operation.
    ep::editable_episode(&state, &u.principal, id).await?;
    let ApiJson(req) = body.read().await?;
    let amount = req.amount_rupiah.to_string();
    let input = ep::CostInput { item: &req.item, amount: &amount };
    ep::add_cost(&state, &u.principal, &u.actor, id, input).await.map_err(|e| match e {
        // The API names the amount by its JSON field.
        app::Error::Invalid(v) => ApiError::Validation(v.renamed("amount", "amount_rupiah")),
        other => other.into(),
    })?;
    respond(&state, &u, id).await
}
