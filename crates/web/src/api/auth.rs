//! `POST /api/v1/auth/token` (contract) and `GET /api/v1/me`.

use super::ApiJson;
use crate::AppState;
use crate::auth::{Ctx, LoginOutcome, PendingApiUser, check_login};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"username": "admin", "password": "a-long-password"}))]
pub struct TokenRequest {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    /// RFC 3339 time after which the token is refused.
    pub expires_at: String,
}

/// Exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, description = "Token issued", body = TokenResponse),
        (status = 401, description = "Wrong username or password, or account disabled", body = ErrorBody),
        (status = 422, description = "Missing field", body = ErrorBody),
        (status = 429, description = "Too many failed attempts (wait the Retry-After seconds, which double with each \
            further failure), or the server is busy checking passwords", body = ErrorBody),
    ))]
pub async fn token(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let mut errs = domain::ValidationErrors::new();
    if req.username.trim().is_empty() {
        errs.add("username", domain::Rule::Required, "must not be empty");
    }
    if req.password.is_empty() {
        errs.add("password", domain::Rule::Required, "must not be empty");
    }
    errs.into_result()?;
    match check_login(&state, &ctx, &req.username, &req.password).await? {
        LoginOutcome::Ok(user) => {
            let actor = app::sessions::actor_of(&user, &ctx.ip, &ctx.request_id);
            let (token, expires) = app::sessions::issue_token(&state, &user, &actor).await?;
            Ok(Json(TokenResponse { token, expires_at: rfc3339(expires) }))
        }
        LoginOutcome::Invalid => Err(ApiError::WrongLogin),
        LoginOutcome::Throttled { retry_after_secs } => Err(ApiError::TooManyRequests { retry_after_secs }),
        LoginOutcome::Busy { retry_after_secs } => Err(ApiError::Busy { retry_after_secs }),
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"current_password": "a-long-password", "new_password": "my-own-long-password",
    "confirm_password": "my-own-long-password"}))]
pub struct PasswordChange {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    /// The new password again; must match.
    #[serde(default)]
    pub confirm_password: String,
}

/// Changes the calling account's own password. Open to an account whose password someone
/// else set (every other endpoint answers it 403 `password_change_required`). Ends every
/// session and token of the account and answers a fresh token.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Password changed; the old tokens are revoked, use this one", body = TokenResponse),
        (status = 401, body = ErrorBody),
        (status = 422, description = "current_password wrong, new_password too short or equal to the current, \
            confirm_password different", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    PendingApiUser(u): PendingApiUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<Json<TokenResponse>, ApiError> {
    crate::accounts::change_own_password(
        &state,
        &u.user,
        &u.actor,
        &req.current_password,
        &req.new_password,
        &req.confirm_password,
    )
    .await?;
    let (token, expires) = app::sessions::renew_token(&state, &u.user).await?;
    Ok(Json(TokenResponse { token, expires_at: rfc3339(expires) }))
}

pub fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    /// Null for a national account.
    pub region_code: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
    /// For role partner: the partner organisation the account acts for.
    pub partner_id: Option<i64>,
    /// The password was set by someone else; until the account changes it
    /// (`POST /api/v1/auth/password`) every other endpoint answers 403 `password_change_required`.
    pub must_change_password: bool,
}

impl From<crate::accounts::User> for UserView {
    fn from(u: crate::accounts::User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            role: u.role,
            region_code: u.region_code,
            disabled: u.disabled,
            created_at: rfc3339(u.created_at),
            updated_at: rfc3339(u.updated_at),
            partner_id: u.partner_id,
            must_change_password: u.must_change_password,
        }
    }
}

/// The calling account (open also while a password change is pending: see `must_change_password`).
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(PendingApiUser(u): PendingApiUser) -> Json<UserView> {
    Json(u.user.into())
}
