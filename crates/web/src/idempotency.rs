//! `Idempotency-Key` on every write of the API (POST, PUT, PATCH, DELETE under `/api/`):
//! the first answer to a key is kept (`app::idempotency`) and a replay of the same request
//! gets it again, with `Idempotent-Replayed: true`, instead of running the operation twice.
//! The same key with a different request is refused (422); a replay that arrives while the
//! first is still running waits for its answer. Requests without the header are untouched.
//! docs/OFFLINE.md.

use crate::AppState;
use crate::error::{ApiError, api_lang};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::validation::{FieldError, Rule, ValidationErrors};
use std::time::Duration;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

/// The largest request body read here: the largest any route accepts (the OpenSID workbook).
const MAX_REQUEST: usize =
    if app::opensid::MAX_WORKBOOK > crate::BODY_LIMIT { app::opensid::MAX_WORKBOOK } else { crate::BODY_LIMIT };
/// Answers to writes are small records; a larger one is not kept.
const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// How long a replay waits for the first request's answer (below the 30 s request timeout).
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

fn field_error(rule: Rule, detail: &str, key: &str) -> ApiError {
    ApiError::Validation(ValidationErrors(vec![FieldError::new("Idempotency-Key", rule, detail).message(key)]))
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let write = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !write || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match raw.to_str() {
        Ok(k) if app::idempotency::valid_key(k) => k.to_string(),
        _ => {
            return field_error(Rule::Format, "1 to 255 visible ASCII characters", "idempotency.format")
                .into_response();
        }
    };
    // Keys live per account. A token that names no account passes through: the handler
    // answers 401 as it would without the header.
    // The browser's session with its CSRF header counts as the account too (track offline).
    // A cookie without a valid CSRF header stays anonymous, as before.
    let user_id = match crate::auth::api_account(req.headers(), &state).await {
        Ok(account) => account.map(|u| u.id),
        Err(ApiError::Unauthorized | ApiError::Forbidden) if crate::auth::bearer_token(req.headers()).is_some() => {
            return next.run(req).await;
        }
        Err(ApiError::Unauthorized | ApiError::Forbidden) => None,
        Err(e) => return e.into_response(),
    };
    let scope = app::idempotency::scope(user_id);
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_REQUEST).await {
        Ok(b) => b,
        Err(_) => return ApiError::PayloadTooLarge.into_response(),
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let path = parts.uri.path_and_query().map_or(parts.uri.path(), |p| p.as_str());
    let hash = app::idempotency::fingerprint(parts.method.as_str(), path, content_type, &bytes);

    let started = tokio::time::Instant::now();
    loop {
        match app::idempotency::claim(&state, &scope, &key, &hash).await {
            Err(e) => return ApiError::from(e).into_response(),
            Ok(app::idempotency::Claim::Fresh) => break,
            Ok(app::idempotency::Claim::Replay(answer)) => return replay(answer),
            Ok(app::idempotency::Claim::Mismatch) => {
                return field_error(Rule::Mismatch, "this key was used for a different request", "idempotency.reused")
                    .into_response();
            }
            Ok(app::idempotency::Claim::InFlight { since }) => {
                if store_now() - since > app::idempotency::STALE_AFTER_SECS {
                    return conflict("idempotency.unknown");
                }
                if started.elapsed() > WAIT {
                    return conflict("idempotency.in_flight");
                }
                tokio::time::sleep(POLL).await;
            }
        }
    }

    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = resp.status().as_u16();
    if !app::idempotency::keeps(status) {
        if let Err(e) = app::idempotency::release(&state, &scope, &key).await {
            tracing::warn!(error = %e, "releasing an idempotency key failed");
        }
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_ANSWER).await else {
        // The operation has run; its answer cannot be kept or sent. Replays are told so.
        tracing::error!("an answer too large to keep for an idempotency key");
        return ApiError::Internal.into_response();
    };
    let text = |h: header::HeaderName| parts.headers.get(h).and_then(|v| v.to_str().ok()).map(str::to_string);
    let answer = app::idempotency::Stored {
        status,
        content_type: text(header::CONTENT_TYPE),
        location: text(header::LOCATION),
        body: body.to_vec(),
    };
    if let Err(e) = app::idempotency::finish(&state, &scope, &key, &answer).await {
        // The operation ran and answered; a replay will be told its outcome is unknown.
        tracing::warn!(error = %e, "keeping an idempotency answer failed");
    }
    Response::from_parts(parts, Body::from(body))
}

fn store_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn conflict(message_key: &str) -> Response {
    ApiError::Conflict(crate::i18n::t(api_lang(), message_key).to_string()).into_response()
}

fn replay(answer: app::idempotency::Stored) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, Bytes::from(answer.body)).into_response();
    let headers = resp.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (name, value) in [(header::CONTENT_TYPE, answer.content_type), (header::LOCATION, answer.location)] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, v);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}
