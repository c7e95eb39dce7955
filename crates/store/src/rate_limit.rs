//! Rate-limit token buckets shared by every server on the database (migration 0035): the
//! partner exchange's clients and the public broker reports. One short transaction per call,
//! serialised per bucket (an advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so two
//! servers taking from one bucket at once both see the other's take.

use crate::{Db, Result, on_tx};
use domain::exchange::Bucket;

/// Wall-clock seconds with a fraction: what `rate_buckets.at` holds, the same on every server.
pub fn now_secs() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// How long an untouched bucket is kept: after an hour every bucket in use is full again, the
/// same as a missing one.
pub const IDLE_SECS: f64 = 3600.0;

/// Takes from the bucket `key`: `decide` gets the stored bucket (`None`: never used or purged)
/// and returns the bucket to store and its answer.
pub async fn take<R>(db: &Db, key: &str, decide: impl FnOnce(Option<Bucket>) -> (Bucket, R)) -> Result<R> {
    let mut tx = db.begin().await?;
    crate::auth::lock_key(&mut tx, &format!("rate:{key}")).await?;
    let row: Option<(f64, f64)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT tokens, at FROM rate_buckets WHERE bucket_key = $1").bind(key).fetch_optional(c).await
    })?;
    let (bucket, answer) = decide(row.map(|(tokens, at)| Bucket { tokens, at }));
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO rate_buckets (bucket_key, tokens, at) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket_key) DO UPDATE SET tokens = excluded.tokens, at = excluded.at",
        )
        .bind(key).bind(bucket.tokens).bind(bucket.at).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(answer)
}

/// Drops the buckets untouched for [`IDLE_SECS`].
pub async fn purge(db: &Db) -> Result<u64> {
    Ok(crate::on_db!(db, p => sqlx::query("DELETE FROM rate_buckets WHERE at < $1")
        .bind(now_secs() - IDLE_SECS).execute(p).await.map(|r| r.rows_affected()))?)
}
