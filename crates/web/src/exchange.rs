//! The partner data exchange over HTTP: who calls, read from the request (a partner's API
//! client token or an account's token), and the exchange's refusals as API errors. The
//! decisions (audience, consent × purpose, rate limits, cursors, the audit of every call) are
//! `app::exchange`'s.

use crate::AppState;
use crate::auth::{ApiUser, Ctx};
use crate::error::ApiError;
use app::exchange::ExchangeError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

pub use app::clock::rfc3339;
pub use app::exchange::{Runtime, SETTLE_SECS};

/// Whoever calls an exchange endpoint (`app::exchange::Caller`), extracted from the bearer token.
#[derive(Debug, Clone)]
pub struct Caller(pub app::exchange::Caller);

fn bearer(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .map(str::to_string)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        if !app::exchange::is_client_token(&token) {
            let u = ApiUser::from_request_parts(parts, state).await?;
            return Ok(Caller(app::exchange::Caller::Account { principal: u.principal, actor: u.actor }));
        }
        let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
        Ok(Caller(app::exchange::client_caller(state, &token, ctx.ip, ctx.request_id).await?))
    }
}

impl From<ExchangeError> for ApiError {
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::Unauthorized => ApiError::Unauthorized,
            ExchangeError::RateLimited { retry_after_secs } => ApiError::RateLimited { retry_after_secs },
            ExchangeError::BadRequest(m) => ApiError::BadRequest(m),
            ExchangeError::Refused(e) => e.into(),
        }
    }
}

/// The application's refusal as the API answers it, a 404 naming `what` was not found.
pub fn refused(what: &'static str) -> impl Fn(app::Error) -> ApiError {
    move |e| match e {
        app::Error::NotFound => ApiError::NotFound(what),
        e => e.into(),
    }
}

/// An exchange refusal as the API answers it, a 404 naming `what` was not found.
pub fn exchange_refused(what: &'static str) -> impl Fn(ExchangeError) -> ApiError {
    move |e| match e {
        ExchangeError::Refused(e) => refused(what)(e),
        e => e.into(),
    }
}
