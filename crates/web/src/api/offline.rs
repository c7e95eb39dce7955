//! The offline outbox's server half (issue 16, track offline; docs/OFFLINE.md): a device grant
//! at sign-in, and the contact a phone makes before it replays its outbox.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, SESSION_COOKIE};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GrantView {
    /// 64 hex digits; the phone keeps it and presents it at each contact. Shown once.
    pub grant: String,
    /// Days without contact after which the phone wipes its outbox (`DESMIGRATIF_OFFLINE_MAX_DAYS`).
    pub max_days: i64,
}

/// A device grant for this phone (the app's pages call it after sign-in, with the session and
/// `X-CSRF-Token`). Audited.
#[utoipa::path(post, path = "/api/v1/offline/grant", tag = "offline", security(("bearer" = [])),
    responses((status = 201, body = GrantView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn grant(State(state): State<AppState>, u: ApiUser) -> Result<(StatusCode, Json<GrantView>), ApiError> {
    let grant = app::offline::issue_grant(&state, &u.user, &u.actor).await?;
    Ok((StatusCode::CREATED, Json(GrantView { grant, max_days: state.config.offline_max_days })))
}

#[derive(Deserialize, ToSchema)]
pub struct ContactRequest {
    /// The grant this phone was given at sign-in.
    pub grant: String,
}

#[derive(Serialize, ToSchema)]
pub struct ContactView {
    /// `keep`, or `wipe`: erase the outbox, the cached forms and the key. Any grant the server
    /// does not know (revoked, signed out, disabled account, password reset) answers `wipe`.
    pub verdict: &'static str,
    pub max_days: i64,
    /// The session's CSRF token, when this request also carries the live session of the
    /// grant's account (a page opened from the cache has a stale one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf: Option<String>,
}

/// A phone's contact: keep or wipe its outbox. Open without an account (a disabled account has
/// no session); the answer says nothing about an account to whoever holds no live grant.
#[utoipa::path(post, path = "/api/v1/offline/contact", tag = "offline", request_body = ContactRequest,
    responses((status = 200, body = ContactView), (status = 422, body = ErrorBody)))]
pub async fn contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ContactRequest>,
) -> Result<Json<ContactView>, ApiError> {
    let (verdict, user_id) = app::offline::contact(&state, &req.grant).await?;
    let mut csrf = None;
    if let (Some(user_id), Some(sid)) = (user_id, CookieJar::from_headers(&headers).get(SESSION_COOKIE)) {
        if let Some(session) = app::sessions::session(&state, sid.value()).await? {
            if session.user.id == user_id {
                csrf = Some(session.csrf_token);
            }
        }
    }
    Ok(Json(ContactView { verdict: verdict.as_str(), max_days: state.config.offline_max_days, csrf }))
}

/// The phone signed out: its grant is forgotten. Always 204.
#[utoipa::path(post, path = "/api/v1/offline/revoke", tag = "offline", request_body = ContactRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ContactRequest>,
) -> Result<StatusCode, ApiError> {
    app::offline::revoke(&state, &req.grant).await?;
    Ok(StatusCode::NO_CONTENT)
}
