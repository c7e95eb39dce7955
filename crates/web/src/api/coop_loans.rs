//! Loan products of a cooperative (issue 20, track "loans"): loan settings per year, a loan's
//! records (fees, collateral, guarantors, penalty charges, rescheduling), rescheduling with
//! four eyes, the provision position and the loans' month-end steps. Each handler translates;
//! `app::coop_loans` decides access and rules.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use app::coop_loans::{
    self as svc, CollateralInput, GuarantorInput, LoanRecords, LoanSettingsBody, ProvisionPosition, RescheduleDecision,
    RescheduleInput,
};
use app::cooperative::{self as coop, Cooperative, Loan, LoanStepInput};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

async fn coop_for_view(state: &AppState, u: &ApiUser, id: i64) -> Result<Cooperative, ApiError> {
    coop::visible(state, &u.principal, id).await?.ok_or(ApiError::NotFound("cooperative"))
}

async fn loan(state: &AppState, c: &Cooperative, id: i64) -> Result<Loan, ApiError> {
    coop::loan_of(state, c, id).await?.ok_or(ApiError::NotFound("loan"))
}

#[derive(Serialize, ToSchema)]
pub struct LoanSettingsYear {
    pub year: i32,
    #[serde(flatten)]
    pub settings: LoanSettingsBody,
}

/// Loan settings per year, newest first (a posting uses its year's, or the latest earlier year's, or the defaults).
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/loan-settings", tag = "cooperative",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<LoanSettingsYear>), (status = 404, body = ErrorBody)))]
pub async fn list_settings(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LoanSettingsYear>>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let years = svc::settings_years(&state, &u.principal, &c).await?;
    Ok(Json(
        years
            .iter()
            .map(|(y, s)| LoanSettingsYear { year: *y, settings: LoanSettingsBody::from_settings(s) })
            .collect(),
    ))
}

/// Sets one year's loan settings: fees, the late penalty rule, the loan limit and PPAP rates.
/// A fee or penalty above 10 %, a grace above 90 days or PPAP rates falling with a worse class are refused (422).
#[utoipa::path(put, path = "/api/v1/cooperatives/{id}/loan-settings/{year}", tag = "cooperative",
    params(("id" = i64, Path), ("year" = i32, Path)), request_body = LoanSettingsBody, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, year)): Path<(i64, String)>,
    ApiJson(body): ApiJson<LoanSettingsBody>,
) -> Result<StatusCode, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    svc::save_settings(&state, &u.principal, &u.actor, &c, &year, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A loan's fees, collateral, guarantors, penalty charges, rescheduling proposals and replaced schedules.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/records", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = LoanRecords), (status = 404, body = ErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
) -> Result<Json<LoanRecords>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    Ok(Json(svc::loan_records(&state, &u.principal, &c, &l).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Records collateral (agunan) for a loan that is not final.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/collateral", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = CollateralInput, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_collateral(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<CollateralInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    let id = svc::add_collateral(&state, &u.principal, &u.actor, &c, &l, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Records a guarantor (penjamin): another member, or a named person with their relation.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/guarantors", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = GuarantorInput, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_guarantor(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<GuarantorInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    let id = svc::add_guarantor(&state, &u.principal, &u.actor, &c, &l, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Proposes rescheduling (restrukturisasi) of the outstanding principal: new term, rate and method.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = RescheduleInput, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<RescheduleInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    let id = svc::propose_reschedule(&state, &u.principal, &u.actor, &c, &l, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn decide(
    state: AppState,
    u: ApiUser,
    (id, lid, pid): (i64, i64, i64),
    d: RescheduleDecision,
    body: LoanStepInput,
) -> Result<Json<LoanRecords>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    svc::decide_reschedule(&state, &u.principal, &u.actor, &c, &l, pid, d, &body).await?;
    Ok(Json(svc::loan_records(&state, &u.principal, &c, &l).await?))
}

/// Approves a proposal (four-eyes: not by whoever proposed it). The old schedule is kept in history.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/approve", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path), ("proposal_id" = i64, Path)), request_body = LoanStepInput,
    security(("bearer" = [])),
    responses((status = 200, body = LoanRecords), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    u: ApiUser,
    Path(p): Path<(i64, i64, i64)>,
    ApiJson(body): ApiJson<LoanStepInput>,
) -> Result<Json<LoanRecords>, ApiError> {
    decide(state, u, p, RescheduleDecision::Approve, body).await
}

/// Rejects a proposal (kept with its decision).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/reject", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path), ("proposal_id" = i64, Path)), request_body = LoanStepInput,
    security(("bearer" = [])),
    responses((status = 200, body = LoanRecords), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    u: ApiUser,
    Path(p): Path<(i64, i64, i64)>,
    ApiJson(body): ApiJson<LoanStepInput>,
) -> Result<Json<LoanRecords>, ApiError> {
    decide(state, u, p, RescheduleDecision::Reject, body).await
}

/// Cancels a proposal before a decision (kept as cancelled).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/cancel", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path), ("proposal_id" = i64, Path)), request_body = LoanStepInput,
    security(("bearer" = [])),
    responses((status = 200, body = LoanRecords), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    u: ApiUser,
    Path(p): Path<(i64, i64, i64)>,
    ApiJson(body): ApiJson<LoanStepInput>,
) -> Result<Json<LoanRecords>, ApiError> {
    decide(state, u, p, RescheduleDecision::Cancel, body).await
}

#[derive(Deserialize, IntoParams)]
pub struct AsOfQuery {
    /// YYYY-MM-DD (today when left out).
    pub as_of: Option<String>,
}

/// The loan loss allowance, the provision required (PPAP wajib dibentuk) and their ratio on a day.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/provision", tag = "cooperative",
    params(("id" = i64, Path), AsOfQuery), security(("bearer" = [])),
    responses((status = 200, body = ProvisionPosition), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn provision(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<ProvisionPosition>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => state.today(),
        Some(s) => domain::person::parse_date(s).ok_or_else(|| {
            ApiError::from(domain::ValidationErrors::single("as_of", domain::Rule::Format, "YYYY-MM-DD"))
        })?,
    };
    Ok(Json(svc::provision_position(&state, &c, as_of).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"month_end": "2026-03-31"}))]
pub struct MonthEndBody {
    /// The last day of the month, YYYY-MM-DD.
    #[serde(default)]
    pub month_end: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoanMonthEnd {
    /// Penalty charges recorded (0 on a repeated run).
    pub penalty_charges: u32,
    /// Provision entries posted (0 or 1; 0 on a repeated run).
    pub provision_entries: u32,
}

/// The loans' month-end steps for one month: late penalties, then the provision. Each runs once per
/// cooperative and month; a repeat posts nothing. (Also part of the cooperative's month-end run.)
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loan-month-end", tag = "cooperative",
    params(("id" = i64, Path)), request_body = MonthEndBody, security(("bearer" = [])),
    responses((status = 200, body = LoanMonthEnd), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn month_end(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MonthEndBody>,
) -> Result<Json<LoanMonthEnd>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    if !coop::can_manage(&u.principal, &c) {
        return Err(ApiError::Forbidden);
    }
    let Some(me) = domain::person::parse_date(body.month_end.trim()) else {
        return Err(domain::ValidationErrors::single(
            "month_end",
            domain::Rule::Format,
            "the last day of a month, such as 2026-03-31",
        )
        .into());
    };
    let penalty_charges = svc::post_late_penalties(&state, &u.actor, c.id, me).await?;
    let provision_entries = svc::post_provision(&state, &u.actor, c.id, me).await?;
    Ok(Json(LoanMonthEnd { penalty_charges, provision_entries }))
}
