//! The partner registry over the API: every account reads it (to choose where to refer a
//! case); national admins keep it.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::partners::Partner;
use crate::partners::{self as ps, PartnerForm};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PartnerView {
    pub id: i64,
    pub name: String,
    pub partner_type: String,
    /// Null: national.
    pub region_code: Option<String>,
    pub services: Vec<String>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub website: String,
    pub active: bool,
}

impl From<Partner> for PartnerView {
    fn from(p: Partner) -> Self {
        PartnerView {
            services: p.service_codes(),
            id: p.id,
            name: p.name,
            partner_type: p.partner_type,
            region_code: p.region_code,
            contact_name: p.contact_name,
            phone: p.phone,
            email: p.email,
            address: p.address,
            website: p.website,
            active: p.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PartnerList {
    pub items: Vec<PartnerView>,
}

/// Partner organisations, by name (every account).
#[utoipa::path(get, path = "/api/v1/partners", tag = "partners", security(("bearer" = [])),
    responses((status = 200, body = PartnerList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _u: ApiUser) -> Result<Json<PartnerList>, ApiError> {
    let items = ps::list(&state).await?.into_iter().map(Into::into).collect();
    Ok(Json(PartnerList { items }))
}

/// One partner organisation.
#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "partners", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = PartnerView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PartnerView>, ApiError> {
    let p = ps::get(&state, id).await.map_err(ApiError::or_not_found("partner"))?;
    Ok(Json(p.into()))
}

/// Registers a partner organisation (national admins).
#[utoipa::path(post, path = "/api/v1/partners", tag = "partners", request_body = PartnerForm, security(("bearer" = [])),
    responses((status = 201, body = PartnerView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<PartnerForm>,
) -> Result<(StatusCode, Json<PartnerView>), ApiError> {
    let p = ps::create(&state, &u.principal, &u.actor, &req).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Replaces a partner organisation's record (national admins).
#[utoipa::path(put, path = "/api/v1/partners/{id}", tag = "partners", params(("id" = i64, Path)), request_body = PartnerForm,
    security(("bearer" = [])),
    responses((status = 200, body = PartnerView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<PartnerForm>,
) -> Result<Json<PartnerView>, ApiError> {
    let p = ps::update(&state, &u.principal, &u.actor, id, &req).await.map_err(ApiError::or_not_found("partner"))?;
    Ok(Json(p.into()))
}
