//! Savings products of the cooperative (issue 20, deposits track): deposits settings per year,
//! time deposits, and the month-end run. Each handler translates to one `app::coop_deposits`
//! or `app::coop_month_end` operation, which decides access.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use app::coop_deposits::{self as svc, DepositActionBody, DepositBody, DepositView, SettingsBody, SettingsYear};
use app::coop_month_end::{self as month_end, CoopRun};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Every year's deposits settings, newest first (none: the documented defaults apply).
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/deposit-settings", tag = "cooperative",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = [SettingsYear]), (status = 404, body = ErrorBody)))]
pub async fn settings(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<SettingsYear>>, ApiError> {
    Ok(Json(svc::settings(&state, &u.principal, id).await?))
}

/// Sets one year's deposits settings: time deposit maximum rate, early withdrawal penalty,
/// sukarela interest (rate, minimum or average balance, minimum balance), withholding tax.
#[utoipa::path(put, path = "/api/v1/cooperatives/{id}/deposit-settings/{year}", tag = "cooperative",
    params(("id" = i64, Path), ("year" = i32, Path)), request_body = SettingsBody, security(("bearer" = [])),
    responses((status = 200, body = [SettingsYear]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, year)): Path<(i64, String)>,
    ApiJson(body): ApiJson<SettingsBody>,
) -> Result<Json<Vec<SettingsYear>>, ApiError> {
    svc::save_settings(&state, &u.principal, &u.actor, id, &year, &body).await?;
    Ok(Json(svc::settings(&state, &u.principal, id).await?))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct DepositListQuery {
    /// Only this member's deposits.
    #[serde(default)]
    pub member_id: Option<i64>,
}

/// Time deposits of the cooperative (or of one member), newest first.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/time-deposits", tag = "cooperative",
    params(("id" = i64, Path), DepositListQuery), security(("bearer" = [])),
    responses((status = 200, body = [DepositView]), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<DepositListQuery>,
) -> Result<Json<Vec<DepositView>>, ApiError> {
    Ok(Json(svc::list(&state, &u.principal, id, q.member_id).await?))
}

/// Opens a time deposit for a member, from cash or from their sukarela.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/time-deposits", tag = "cooperative",
    params(("id" = i64, Path)), request_body = DepositBody, security(("bearer" = [])),
    responses((status = 201, body = DepositView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DepositBody>,
) -> Result<(StatusCode, Json<DepositView>), ApiError> {
    Ok((StatusCode::CREATED, Json(svc::open(&state, &u.principal, &u.actor, id, &body).await?)))
}

/// One time deposit with its interest, tax and (while open) today's early withdrawal penalty.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/time-deposits/{deposit_id}", tag = "cooperative",
    params(("id" = i64, Path), ("deposit_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = DepositView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, deposit_id)): Path<(i64, i64)>,
) -> Result<Json<DepositView>, ApiError> {
    Ok(Json(svc::get(&state, &u.principal, id, deposit_id).await?))
}

/// Processes a deposit on or after its maturity date, by its instruction (roll over or pay out).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/time-deposits/{deposit_id}/maturity", tag = "cooperative",
    params(("id" = i64, Path), ("deposit_id" = i64, Path)), request_body = DepositActionBody, security(("bearer" = [])),
    responses((status = 200, body = DepositView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn mature(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, deposit_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<DepositActionBody>,
) -> Result<Json<DepositView>, ApiError> {
    Ok(Json(svc::mature(&state, &u.principal, &u.actor, id, deposit_id, &body).await?))
}

/// Withdraws a deposit before maturity: refused (naming the penalty) unless `accept_penalty`.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/time-deposits/{deposit_id}/early-withdrawal", tag = "cooperative",
    params(("id" = i64, Path), ("deposit_id" = i64, Path)), request_body = DepositActionBody, security(("bearer" = [])),
    responses((status = 200, body = DepositView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn withdraw_early(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, deposit_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<DepositActionBody>,
) -> Result<Json<DepositView>, ApiError> {
    Ok(Json(svc::withdraw_early(&state, &u.principal, &u.actor, id, deposit_id, &body).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"month": "2026-03"}))]
pub struct MonthEndBody {
    /// YYYY-MM, a month that is over and not in a closed period.
    #[serde(default)]
    pub month: String,
}

/// Runs the month-end of one cooperative (deposit maturities, then interest on sukarela).
/// Repeating it posts nothing twice: each finished step is skipped (0 entries).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/month-end", tag = "cooperative",
    params(("id" = i64, Path)), request_body = MonthEndBody, security(("bearer" = [])),
    responses((status = 200, body = CoopRun), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn run_month_end(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MonthEndBody>,
) -> Result<Json<CoopRun>, ApiError> {
    Ok(Json(month_end::run_for(&state, &u.principal, &u.actor, id, &body.month).await?))
}
