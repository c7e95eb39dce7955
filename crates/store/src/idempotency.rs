//! Idempotency keys of the API (docs/OFFLINE.md): the first answer to a key, kept so that a
//! replay gets it again instead of writing twice.

use crate::{Db, Result, on_db};

/// An answer kept for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// What a key's claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: it is now held for this request, which runs.
    Fresh,
    /// The key was answered before, for the same request.
    Replay(Stored),
    /// The key was used for a different request.
    Mismatch,
    /// The same request is still running (or its process ended before it answered); `since`
    /// is when it started (seconds).
    InFlight { since: i64 },
}

type Row = (String, i64, Option<i32>, Option<String>, Option<String>, Option<Vec<u8>>);

/// Holds `key` for this request unless it is known; the insert and the primary key make two
/// concurrent claims of one key end with exactly one `Fresh`.
pub async fn claim(db: &Db, scope: &str, key: &str, request_hash: &str, now: i64) -> Result<Claim> {
    let inserted = on_db!(db, p => sqlx::query(
        "INSERT INTO idempotency_keys (scope, idem_key, request_hash, created_at) VALUES ($1,$2,$3,$4) \
         ON CONFLICT DO NOTHING")
        .bind(scope).bind(key).bind(request_hash).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let row: Option<Row> = on_db!(db, p => sqlx::query_as(
        "SELECT request_hash, created_at, status, content_type, location, body FROM idempotency_keys \
         WHERE scope = $1 AND idem_key = $2")
        .bind(scope).bind(key).fetch_optional(p).await)?;
    Ok(match row {
        // Released between our insert and this read: the caller claims again.
        None => Claim::InFlight { since: now },
        Some((hash, _, _, _, _, _)) if hash != request_hash => Claim::Mismatch,
        Some((_, since, None, _, _, _)) => Claim::InFlight { since },
        Some((_, _, Some(status), content_type, location, body)) => Claim::Replay(Stored {
            status: u16::try_from(status).unwrap_or(500),
            content_type,
            location,
            body: body.unwrap_or_default(),
        }),
    })
}

/// Keeps the answer of a request that held `key`.
pub async fn finish(db: &Db, scope: &str, key: &str, answer: &Stored) -> Result<()> {
    on_db!(db, p => sqlx::query(
        "UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, body = $6 \
         WHERE scope = $1 AND idem_key = $2 AND status IS NULL")
        .bind(scope).bind(key).bind(i32::from(answer.status)).bind(answer.content_type.as_deref())
        .bind(answer.location.as_deref()).bind(&answer.body).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Lets `key` go without an answer (the request was refused before it could write, or
/// failed): the next request with it runs again.
pub async fn release(db: &Db, scope: &str, key: &str) -> Result<()> {
    on_db!(db, p => sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND idem_key = $2 AND status IS NULL")
        .bind(scope).bind(key).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets keys older than `before` (seconds); run periodically.
pub async fn purge(db: &Db, before: i64) -> Result<u64> {
    Ok(on_db!(db, p => sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before).execute(p).await.map(|r| r.rows_affected()))?)
}
