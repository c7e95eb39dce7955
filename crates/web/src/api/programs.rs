//! Programs.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::access::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProgramView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub institution: String,
    pub criteria: String,
}

impl From<app::programs::Program> for ProgramView {
    fn from(p: app::programs::Program) -> Self {
        ProgramView { id: p.id, code: p.code, name: p.name, institution: p.institution, criteria: p.criteria }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgramList {
    pub items: Vec<ProgramView>,
}

/// All programs (Desmigratif, Desa Migran EMAS, Koperasi Desa Merah Putih, …).
#[utoipa::path(get, path = "/api/v1/programs", tag = "programs", security(("bearer" = [])),
    responses((status = 200, body = ProgramList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _u: ApiUser) -> Result<Json<ProgramList>, ApiError> {
    let items = app::programs::list(&state).await?.into_iter().map(Into::into).collect();
    Ok(Json(ProgramList { items }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"code": "desa-wisata", "name": "Desa Wisata", "institution": "Kemenparekraf", "criteria": ""}))]
pub struct CreateProgram {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub institution: String,
    #[serde(default)]
    pub criteria: String,
}

/// Registers a program (national admins).
#[utoipa::path(post, path = "/api/v1/programs", tag = "programs", request_body = CreateProgram, security(("bearer" = [])),
    responses((status = 201, body = ProgramView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreateProgram>,
) -> Result<(StatusCode, Json<ProgramView>), ApiError> {
    u.require(Action::ManagePrograms, None)?;
    let p =
        app::programs::create(&state, &u.principal, &u.actor, &req.code, &req.name, &req.institution, &req.criteria)
            .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}
