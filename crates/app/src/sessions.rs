//! Signing in and out: browser sessions and API tokens (only hashes of their secrets are
//! stored), each sign-in audited, and the purge of expired ones.

use crate::App as AppState;
use crate::accounts::User;
use crate::error::Result;
use store::audit::{Actor, Event};

pub use store::auth::Session;

fn auth_event<'a>(action: &'a str, user_id: &'a str) -> Event<'a> {
    Event { action, entity: "user", entity_id: user_id, region_code: "", details: "" }
}

/// The actor of a sign-in: the account itself, from the request's address.
pub fn actor_of(user: &User, ip: &str, request_id: &str) -> Actor {
    Actor {
        user_id: Some(user.id),
        username: user.username.clone(),
        ip: ip.to_string(),
        request_id: request_id.to_string(),
    }
}

/// A browser session for an account that has just proved its password; audited as a login.
/// Returns the session id for the cookie.
pub async fn sign_in(state: &AppState, user: &User, actor: &Actor) -> Result<String> {
    let (sid, _csrf) = store::auth::create_session(&state.db, user.id, state.config.session_ttl_secs).await?;
    store::audit::append_now(&state.db, actor, &auth_event("auth.login", &user.id.to_string())).await?;
    Ok(sid)
}

/// A fresh session after the account changed its password (which ended all the others).
pub async fn renew(state: &AppState, user: &User) -> Result<String> {
    let (sid, _csrf) = store::auth::create_session(&state.db, user.id, state.config.session_ttl_secs).await?;
    Ok(sid)
}

/// Ends the browser session `sid` (if any) and audits the logout.
pub async fn sign_out(state: &AppState, user: &User, actor: &Actor, sid: Option<&str>) -> Result<()> {
    if let Some(sid) = sid {
        store::auth::end_session(&state.db, sid).await?;
    }
    store::audit::append_now(&state.db, actor, &auth_event("auth.logout", &user.id.to_string())).await?;
    Ok(())
}

/// The session behind a cookie, with its account; `None` when unknown or expired.
pub async fn session(state: &AppState, sid: &str) -> Result<Option<Session>> {
    Ok(store::auth::session(&state.db, sid).await?)
}

/// A bearer token for an account that has just proved its password; audited. Returns the token
/// and when it expires (Unix seconds).
pub async fn issue_token(state: &AppState, user: &User, actor: &Actor) -> Result<(String, i64)> {
    let issued = renew_token(state, user).await?;
    store::audit::append_now(&state.db, actor, &auth_event("auth.token", &user.id.to_string())).await?;
    Ok(issued)
}

/// A fresh token after the account changed its password (which revoked the others).
pub async fn renew_token(state: &AppState, user: &User) -> Result<(String, i64)> {
    let expires = store::now() + state.config.token_ttl_secs;
    let token = store::auth::create_token(&state.db, user.id, expires).await?;
    Ok((token, expires))
}

/// The account a bearer token belongs to; `None` when unknown, expired or revoked.
pub async fn token_user(state: &AppState, token: &str) -> Result<Option<User>> {
    Ok(store::auth::token_user(&state.db, token).await?)
}

/// Deletes expired sessions and tokens, login failures older than the throttle's window, and
/// idempotency keys past their keeping time.
pub async fn purge_expired(state: &AppState) -> Result<()> {
    store::auth::purge_expired(&state.db, state.config.login_window_secs).await?;
    store::idempotency::purge(&state.db, store::now() - state.config.idempotency_secs).await?;
    Ok(())
}
