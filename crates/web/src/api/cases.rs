//! Protection cases over the API: open, read (404 to anyone who may not open the case, whether
//! or not it exists), list the caller's region, record workflow steps. Every read is audited.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::cases::{self as cs, CaseInput, CaseStepInput, CreateError};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::cases::{Case, CaseEvent};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CaseEventView {
    pub from_status: Option<String>,
    pub to_status: String,
    pub on_date: String,
    pub reason: String,
    pub outcome: Option<String>,
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub id: i64,
    #[serde(rename = "type")]
    pub case_type: String,
    pub severity: String,
    pub description: String,
    pub village_code: String,
    pub person_id: Option<i64>,
    /// Abuse and trafficking cases: only the handler and their supervisors may open them.
    pub restricted: bool,
    pub status: String,
    pub status_date: String,
    pub handler_user_id: Option<i64>,
    pub due_on: Option<String>,
    pub overdue: bool,
    pub outcome: Option<String>,
    /// The statuses this case may go to next.
    pub next_states: Vec<String>,
    /// The timeline, oldest first.
    pub events: Vec<CaseEventView>,
}

fn detail(c: Case, events: Vec<CaseEvent>) -> CaseDetail {
    CaseDetail {
        next_states: cs::status_of(&c).next_states().iter().map(|s| s.as_str().to_string()).collect(),
        overdue: cs::is_overdue(&c),
        events: events
            .into_iter()
            .map(|e| CaseEventView {
                from_status: e.from_status,
                to_status: e.to_status,
                on_date: e.on_date,
                reason: e.reason,
                outcome: e.outcome,
                by: e.actor,
            })
            .collect(),
        id: c.id,
        case_type: c.case_type,
        severity: c.severity,
        description: c.description,
        village_code: c.village_code,
        person_id: c.person_id,
        restricted: c.restricted,
        status: c.status,
        status_date: c.status_date,
        handler_user_id: c.handler_user_id,
        due_on: c.due_on,
        outcome: c.outcome,
    }
}

async fn respond(state: &AppState, c: Case) -> Result<CaseDetail, ApiError> {
    let events = store::cases::events(&state.db, c.id).await?;
    Ok(detail(c, events))
}

/// Opens a case (status new, handled by the caller, due by the severity's default).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseInput, security(("bearer" = [])),
    responses((status = 201, body = CaseDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CaseInput>,
) -> Result<(StatusCode, Json<CaseDetail>), ApiError> {
    let c = match cs::create(&state, &u.principal, &u.actor, &req).await {
        Ok(c) => c,
        Err(CreateError::Invalid(e)) => return Err(ApiError::Validation(e)),
        Err(CreateError::Forbidden) => return Err(ApiError::Forbidden),
        Err(CreateError::Store(e)) => return Err(e.into()),
    };
    Ok((StatusCode::CREATED, Json(respond(&state, c).await?)))
}

/// One case with its timeline. 404 to anyone who may not open it (restricted cases open only
/// to the handler and supervisors), whether or not it exists. Every view is audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> Result<Json<CaseDetail>, ApiError> {
    let c = cs::openable(&state, &u.principal, id).await?.ok_or(ApiError::NotFound("case"))?;
    store::cases::audit_view(&state.db, &u.actor, &c).await?;
    Ok(Json(respond(&state, c).await?))
}

/// Records the next step of the workflow (new → assessed → referred → in_progress → resolved →
/// closed, or reopened). Needs the right to open the case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", params(("id" = i64, Path)),
    request_body = CaseStepInput, security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CaseStepInput>,
) -> Result<Json<CaseDetail>, ApiError> {
    let c = cs::openable(&state, &u.principal, id).await?.ok_or(ApiError::NotFound("case"))?;
    cs::advance(&state, &u.actor, &c, &req).await??;
    let c = store::cases::get(&state.db, id).await?.ok_or(ApiError::NotFound("case"))?;
    Ok(Json(respond(&state, c).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct CaseListQuery {
    /// Keyset: only cases with a smaller id (the `next_before` of the previous page).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    #[serde(rename = "type")]
    pub case_type: String,
    pub severity: String,
    pub village_code: String,
    pub status: String,
    pub due_on: Option<String>,
    pub overdue: bool,
    pub restricted: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// Cases in the caller's region they may open, newest first (no description or person).
    pub items: Vec<CaseSummary>,
    /// Restricted cases on this page the caller may only know exist.
    pub restricted_not_shown: usize,
    pub next_before: Option<i64>,
}

/// Cases in the caller's region that they may open, and a count of restricted ones they may not.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery), security(("bearer" = [])),
    responses((status = 200, body = CaseList)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<CaseListQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let rows = store::cases::list_in(&state.db, u.principal.scope.code(), q.before, limit).await?;
    let next_before = (rows.len() as i64 == limit).then(|| rows.last().map(|c| c.id)).flatten();
    let mut items = Vec::new();
    let mut restricted_not_shown = 0;
    if u.principal.role != domain::Role::Partner {
        for c in rows {
            match cs::visibility(&u.principal, &c) {
                domain::cases::CaseVisibility::Full => items.push(CaseSummary {
                    overdue: cs::is_overdue(&c),
                    id: c.id,
                    case_type: c.case_type,
                    severity: c.severity,
                    village_code: c.village_code,
                    status: c.status,
                    due_on: c.due_on,
                    restricted: c.restricted,
                }),
                domain::cases::CaseVisibility::ExistenceOnly => restricted_not_shown += 1,
                domain::cases::CaseVisibility::Hidden => {}
            }
        }
    }
    Ok(Json(CaseList { items, restricted_not_shown, next_before }))
}
