//! The registry of licensed placement companies (P3MI).

use super::ApiJson;
use crate::AppState;
use crate::agencies::{Agency, Branch};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::agency::NewAgencyInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"name": "PT Maju Bersama", "licence_number": "KEP.123/2024", "status": "active",
    "valid_from": "2024-01-01", "valid_until": "2029-01-01"}))]
pub struct CreateAgency {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub licence_number: String,
    /// active, suspended or revoked
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AgencyView {
    pub id: i64,
    pub name: String,
    pub licence_number: String,
    pub status: String,
    pub valid_from: String,
    pub valid_until: String,
    pub address: String,
    pub phone: String,
}

impl From<Agency> for AgencyView {
    fn from(a: Agency) -> Self {
        AgencyView {
            id: a.id,
            name: a.name,
            licence_number: a.licence_number,
            status: a.status,
            valid_from: a.valid_from,
            valid_until: a.valid_until,
            address: a.address,
            phone: a.phone,
        }
    }
}

/// Registers a placement company (national admins).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", request_body = CreateAgency, security(("bearer" = [])),
    responses((status = 201, body = AgencyView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreateAgency>,
) -> Result<(StatusCode, Json<AgencyView>), ApiError> {
    let input = NewAgencyInput {
        name: &req.name,
        licence_number: &req.licence_number,
        status: &req.status,
        valid_from: &req.valid_from,
        valid_until: &req.valid_until,
        address: req.address.as_deref().unwrap_or(""),
        phone: req.phone.as_deref().unwrap_or(""),
    };
    let agency = crate::agencies::create(&state, &u.principal, &u.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(agency.into())))
}

#[derive(Deserialize, IntoParams)]
pub struct AgencyQuery {
    /// Name words.
    pub q: Option<String>,
    /// Exact licence number.
    pub licence_number: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AgencyList {
    pub items: Vec<AgencyView>,
}

/// Searches the registry by name or licence number.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", params(AgencyQuery), security(("bearer" = [])),
    responses((status = 200, body = AgencyList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _u: ApiUser,
    Query(q): Query<AgencyQuery>,
) -> Result<Json<AgencyList>, ApiError> {
    let items = crate::agencies::search(&state, q.q.as_deref().unwrap_or(""), q.licence_number.as_deref(), 200).await?;
    Ok(Json(AgencyList { items: items.into_iter().map(Into::into).collect() }))
}

#[derive(Serialize, ToSchema)]
pub struct BranchView {
    pub region_code: String,
    pub region_name: String,
    pub address: String,
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgencyDetail {
    #[serde(flatten)]
    pub agency: AgencyView,
    pub branches: Vec<BranchView>,
}

async fn detail(state: &AppState, id: i64) -> Result<AgencyDetail, ApiError> {
    let (a, branches) = crate::agencies::detail(state, id).await.map_err(ApiError::or_not_found("agency"))?;
    let branches = branches
        .into_iter()
        .map(|b: Branch| BranchView {
            region_code: b.region_code,
            region_name: b.region_name,
            address: b.address,
            phone: b.phone,
        })
        .collect();
    Ok(AgencyDetail { agency: a.into(), branches })
}

/// One agency with its branch offices.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "agencies", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AgencyDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AgencyDetail>, ApiError> {
    Ok(Json(detail(&state, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"region_code": "53.07", "address": "Jl. Ahmad Yani 1, Maumere", "phone": "0382-21000"}))]
pub struct CreateBranch {
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

/// Records a branch office (national admins).
#[utoipa::path(post, path = "/api/v1/agencies/{id}/branches", tag = "agencies", params(("id" = i64, Path)),
    request_body = CreateBranch, security(("bearer" = [])),
    responses((status = 201, body = AgencyDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_branch(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CreateBranch>,
) -> Result<(StatusCode, Json<AgencyDetail>), ApiError> {
    crate::agencies::add_branch(&state, &u.principal, &u.actor, id, &req.region_code, &req.address, &req.phone)
        .await
        .map_err(ApiError::or_not_found("agency"))?;
    Ok((StatusCode::CREATED, Json(detail(&state, id).await?)))
}
