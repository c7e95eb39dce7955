//! Accounts (national admins only) and the audit log.

use super::ApiJson;
use super::auth::{UserView, rfc3339};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::access::Action;
use domain::user::NewUserInput;
use domain::{Role, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"username": "siti.petugas", "password": "a-long-password", "full_name": "Siti Aminah",
    "role": "village_officer", "region_code": "53.10.01.2001"}))]
pub struct CreateUser {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub full_name: String,
    /// national_admin, national_analyst, province_officer, regency_officer, village_head,
    /// village_officer, cooperative_manager, facilitator, partner
    #[serde(default)]
    pub role: String,
    /// Kemendagri code of the account's region; null or empty for national roles.
    #[serde(default)]
    pub region_code: Option<String>,
    /// For role partner: the partner organisation the account belongs to (its tokens act for it).
    #[serde(default)]
    pub partner_id: Option<i64>,
    /// Default true: the admin chose the password, so the account must change it at its first
    /// login. false only for an account whose password the admin hands to a machine
    /// (an integration) and rotates itself; audited either way.
    #[serde(default = "yes")]
    pub must_change_password: bool,
}

fn yes() -> bool {
    true
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "A field broke a rule (e.g. role/region level mismatch, username taken)", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    u.require(Action::ManageUsers, None)?;
    let input = NewUserInput {
        username: &req.username,
        password: &req.password,
        full_name: &req.full_name,
        role: &req.role,
        region_code: req.region_code.as_deref().unwrap_or(""),
    };
    let user =
        crate::accounts::create(&state, &u.principal, &u.actor, &input, req.must_change_password, req.partner_id)
            .await
            .map_err(ApiError::or_not_found("user"))?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Part of the username or full name.
    pub q: Option<String>,
    pub role: Option<String>,
    /// Accounts at or inside this region.
    pub region_code: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    /// Offset of the next page, absent on the last page.
    pub next_offset: Option<i64>,
}

/// Lists accounts.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<UserList>, ApiError> {
    u.require(Action::ManageUsers, None)?;
    let mut errs = ValidationErrors::new();
    let role = match q.role.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Role::parse(r).or_else(|| {
            errs.add("role", Rule::OneOf, "a role name");
            None
        }),
        None => None,
    };
    let region = crate::region_filter::collect(&mut errs, "region_code", q.region_code.as_deref());
    errs.into_result()?;
    let limit = domain::paging::check(q.limit, 100, &[("offset", q.offset)])?;
    let offset = q.offset.unwrap_or(0);
    let f = crate::accounts::UserFilter { text: q.q, role, region_prefix: region };
    let (users, next_offset) = crate::accounts::list(&state, &u.principal, &f, limit, offset).await?;
    Ok(Json(UserList { items: users.into_iter().map(Into::into).collect(), next_offset }))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> Result<Json<UserView>, ApiError> {
    u.require(Action::ManageUsers, None)?;
    let user =
        crate::accounts::view(&state, &u.principal, &u.actor, id).await.map_err(ApiError::or_not_found("user"))?;
    Ok(Json(user.into()))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"role": "regency_officer", "region_code": "53.10"}))]
pub struct UpdateUser {
    /// With `region_code`: changes role and scope together (ends the account's sessions).
    pub role: Option<String>,
    pub region_code: Option<String>,
    pub disabled: Option<bool>,
    /// A new password (ends the account's sessions and tokens).
    pub password: Option<String>,
    /// For role partner: the partner organisation (ends the account's sessions and tokens).
    /// 0 unbinds.
    pub partner_id: Option<i64>,
}

/// Changes role and scope, disables or enables, or resets the password (the account must
/// then change it at its next login). A change that would leave no active national admin,
/// or an admin demoting or disabling their own account, is refused with 422 naming `role`
/// or `disabled`.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UpdateUser,
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<UpdateUser>,
) -> Result<Json<UserView>, ApiError> {
    u.require(Action::ManageUsers, None)?;
    let req = crate::accounts::ChangeRequest {
        role: req.role.as_deref(),
        region_code: req.region_code.as_deref(),
        disabled: req.disabled,
        password: req.password,
        partner_id: req.partner_id,
    };
    // Everything validated before anything changes; the last-admin rule and every change in one
    // transaction (app::accounts).
    let user = crate::accounts::change(&state, &u.principal, &u.actor, id, req)
        .await
        .map_err(ApiError::or_not_found("user"))?;
    Ok(Json(user.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// Prefix of the action, e.g. `user.` or `village.designate`.
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub region_code: Option<String>,
    /// Entries older than this sequence number (the previous page's `next_before`).
    #[param(minimum = 0)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub region_code: String,
    pub ip: String,
    pub request_id: String,
    pub details: String,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntryView>,
    pub next_before: Option<i64>,
}

/// Audit log entries, newest first (national admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditList>, ApiError> {
    u.require(Action::ViewAudit, None)?;
    let limit = domain::paging::check(q.limit, 100, &[("before", q.before)])?;
    let f = crate::accounts::AuditFilter {
        actor: q.actor,
        action: q.action,
        entity: q.entity,
        entity_id: q.entity_id,
        region_prefix: crate::region_filter::for_api("region_code", q.region_code.as_deref())?.map(|r| r.to_string()),
        before_seq: q.before,
    };
    let (entries, next_before) = crate::accounts::audit_log(&state, &u.principal, &f, limit).await?;
    let items = entries
        .into_iter()
        .map(|e| AuditEntryView {
            seq: e.seq,
            at: rfc3339(e.at),
            actor_user_id: e.actor_user_id,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            region_code: e.region_code,
            ip: e.ip,
            request_id: e.request_id,
            details: e.details,
            hash: e.hash,
        })
        .collect();
    Ok(Json(AuditList { items, next_before }))
}
