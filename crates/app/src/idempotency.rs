//! `Idempotency-Key` on the API's writes (docs/OFFLINE.md). An offline outbox sends each record
//! with a key it made; when the answer is lost on a weak signal it sends again. The first
//! answer to a key is kept, so the replay gets that answer and the operation runs once.
//! This module only keeps keys and answers; the web layer decides which requests carry them
//! and runs the one door of the operation as for any request.

use crate::App as AppState;
use crate::error::Result;
pub use store::idempotency::{Claim, Stored};

/// How long an unanswered claim may be running before it is taken to have died with its
/// process (the server's request timeout is 30 s).
pub const STALE_AFTER_SECS: i64 = 120;

/// The longest key accepted (a UUID is 36 characters).
pub const MAX_KEY_LEN: usize = 255;

/// A key is 1–255 visible ASCII characters (RFC 9110 field value, no spaces).
pub fn valid_key(raw: &str) -> bool {
    !raw.is_empty() && raw.len() <= MAX_KEY_LEN && raw.bytes().all(|b| b.is_ascii_graphic())
}

/// What makes two requests "the same": method, path with query, content type and body bytes.
pub fn fingerprint(method: &str, path_and_query: &str, content_type: &str, body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [method.as_bytes(), path_and_query.as_bytes(), content_type.as_bytes()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.update(body);
    hex::encode(h.finalize())
}

/// The scope a key lives in: each account its own, anonymous callers (public reports) one.
pub fn scope(user_id: Option<i64>) -> String {
    user_id.map_or_else(|| "public".to_string(), |id| format!("user:{id}"))
}

pub async fn claim(state: &AppState, scope: &str, key: &str, request_hash: &str) -> Result<Claim> {
    Ok(store::idempotency::claim(&state.db, scope, key, request_hash, store::now()).await?)
}

pub async fn finish(state: &AppState, scope: &str, key: &str, answer: &Stored) -> Result<()> {
    Ok(store::idempotency::finish(&state.db, scope, key, answer).await?)
}

pub async fn release(state: &AppState, scope: &str, key: &str) -> Result<()> {
    Ok(store::idempotency::release(&state.db, scope, key).await?)
}

/// Which answers are kept for replay. Kept: what the operation decided (2xx, and refusals of
/// the request itself, like a rule it broke). Not kept, so that a later replay runs again:
/// server failures, and answers about the caller rather than the request — authentication
/// (401), access (403, and 404 for a record the caller may not see, both of which an
/// administrator or a transfer may change), timeouts (408) and rate limits (429). None of
/// those wrote anything, so running again is safe.
pub fn keeps(status: u16) -> bool {
    status < 500 && !matches!(status, 401 | 403 | 404 | 408 | 429)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(valid_key("0b8e5f3a-6a51-4f7e-9a43-2d1c7c4b9e10"));
        assert!(!valid_key(""));
        assert!(!valid_key("with space"));
        assert!(!valid_key("kunci-é"));
        assert!(!valid_key(&"k".repeat(256)));
    }

    #[test]
    fn a_different_body_path_or_method_is_a_different_request() {
        let a = fingerprint("POST", "/api/v1/persons", "application/json", b"{\"a\":1}");
        assert_eq!(a, fingerprint("POST", "/api/v1/persons", "application/json", b"{\"a\":1}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/persons", "application/json", b"{\"a\":2}"));
        assert_ne!(a, fingerprint("PUT", "/api/v1/persons", "application/json", b"{\"a\":1}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/persons?x", "application/json", b"{\"a\":1}"));
        // Lengths are part of the hash, so moving bytes between parts changes it.
        assert_ne!(fingerprint("POST", "/a", "b", b""), fingerprint("POST", "/", "ab", b""));
    }

    #[test]
    fn refusals_about_the_caller_are_not_kept() {
        for s in [200, 201, 204, 400, 409, 413, 415, 422] {
            assert!(keeps(s), "{s}");
        }
        for s in [401, 403, 404, 408, 429, 500, 503] {
            assert!(!keeps(s), "{s}");
        }
    }
}
