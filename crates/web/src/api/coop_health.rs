//! The cooperative health assessment (issue 20, track health): the worksheet of a year-end as
//! JSON, and the board's management questionnaire.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use app::coop_health::{self as svc, HealthReport};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

async fn coop(state: &AppState, u: &ApiUser, id: i64) -> Result<app::cooperative::Cooperative, ApiError> {
    app::cooperative::visible(state, &u.principal, id).await?.ok_or(ApiError::NotFound("cooperative"))
}

/// The health worksheet (penilaian kesehatan KSP/USP, Perdep 06/2016) of a year-end, computed
/// from the books: every ratio with its value, nilai, bobot, skor and category, each aspect, the
/// total and the predicate.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/health/{year}", tag = "cooperative",
    params(("id" = i64, Path), ("year" = i32, Path, description = "From the founding year to this year (assessed to date)")),
    security(("bearer" = [])),
    responses((status = 200, body = HealthReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_health(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, year)): Path<(i64, String)>,
) -> Result<Json<HealthReport>, ApiError> {
    let c = coop(&state, &u, id).await?;
    Ok(Json(svc::assessment(&state, &u.principal, &c, &year).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"yes": ["general_1", "general_2", "institution_4"]}))]
pub struct HealthAnswersBody {
    /// The questions answered "yes", as `<component>_<n>` (components general, institution,
    /// capital, assets, liquidity; n from 1). Every other question counts as "no".
    #[serde(default)]
    pub yes: Vec<String>,
}

/// Records the board's management questionnaire for a year (replacing earlier answers).
#[utoipa::path(put, path = "/api/v1/cooperatives/{id}/health/{year}/answers", tag = "cooperative",
    params(("id" = i64, Path), ("year" = i32, Path)), request_body = HealthAnswersBody, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_answers(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, year)): Path<(i64, String)>,
    ApiJson(req): ApiJson<HealthAnswersBody>,
) -> Result<StatusCode, ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::save_answers(&state, &u.principal, &u.actor, &c, &year, &req.yes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the year's assessment as computed now (total and predicate) for monitoring, which
/// counts each cooperative's latest recorded year per predicate. Recording again replaces it.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/health/{year}/record", tag = "cooperative",
    params(("id" = i64, Path), ("year" = i32, Path)), security(("bearer" = [])),
    responses((status = 200, body = HealthReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, year)): Path<(i64, String)>,
) -> Result<Json<HealthReport>, ApiError> {
    let c = coop(&state, &u, id).await?;
    Ok(Json(svc::record(&state, &u.principal, &u.actor, &c, &year).await?))
}
