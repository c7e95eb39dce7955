//! Sessions, API tokens and login throttling. Only hashes of secrets are stored:
//! a stolen database copy does not hold usable session ids or tokens.

use crate::users::User;
use crate::{Db, Result, Tx, on_db, on_tx};
use sha2::{Digest, Sha256};

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 256 random bits, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// Creates a session; returns the raw session id (for the cookie) and the CSRF token.
pub async fn create_session(db: &Db, user_id: i64, ttl_secs: i64) -> Result<(String, String)> {
    let sid = new_secret();
    let csrf = new_secret();
    let now = crate::now();
    on_db!(db, p => {
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(secret_hash(&sid)).bind(user_id).bind(&csrf).bind(now).bind(now + ttl_secs).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok((sid, csrf))
}

const USER_COLUMNS: &str = "u.id, u.username, u.password_hash, u.full_name, u.role, u.region_code, u.disabled, u.created_at, u.updated_at, \
     u.partner_id";

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: User,
    csrf_token: String,
    expires_at: i64,
}

/// The live session for a raw id, with its (enabled) account.
pub async fn session(db: &Db, sid: &str) -> Result<Option<Session>> {
    let row: Option<SessionRow> = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE")))
            .bind(secret_hash(sid)).bind(crate::now()).fetch_optional(p).await
    })?;
    Ok(row.map(|r| Session { user: r.user, csrf_token: r.csrf_token, expires_at: r.expires_at }))
}

pub async fn end_session(db: &Db, sid: &str) -> Result<()> {
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(secret_hash(sid)).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn end_all_sessions(tx: &mut Tx, user_id: i64) -> Result<()> {
    on_tx!(&mut *tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut *tx, c => sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Issues an API token; returns the raw token.
pub async fn create_token(db: &Db, user_id: i64, expires_at: i64) -> Result<String> {
    let token = new_secret();
    on_db!(db, p => {
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1,$2,$3,$4)")
            .bind(secret_hash(&token)).bind(user_id).bind(crate::now()).bind(expires_at).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(token)
}

pub async fn token_user(db: &Db, token: &str) -> Result<Option<User>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.disabled = FALSE")))
            .bind(secret_hash(token)).bind(crate::now()).fetch_optional(p).await
    })?)
}

/// Failed logins in the last `window_secs` for this username, and from this address.
pub async fn recent_failures(db: &Db, username: &str, ip: &str, window_secs: i64) -> Result<(i64, i64)> {
    let since = crate::now() - window_secs;
    let (by_user,): (i64,) = on_db!(db, p => {
        sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at > $2")
            .bind(username).bind(since).fetch_one(p).await
    })?;
    let (by_ip,): (i64,) = on_db!(db, p => {
        sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at > $2")
            .bind(ip).bind(since).fetch_one(p).await
    })?;
    Ok((by_user, by_ip))
}

pub async fn record_failure(db: &Db, username: &str, ip: &str) -> Result<()> {
    on_db!(db, p => {
        sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
            .bind(username).bind(ip).bind(crate::now()).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn clear_failures(db: &Db, username: &str) -> Result<()> {
    on_db!(db, p => sqlx::query("DELETE FROM login_failures WHERE username = $1").bind(username).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Drops expired sessions, tokens and old failures; run periodically.
pub async fn purge_expired(db: &Db, failure_window_secs: i64) -> Result<()> {
    let now = crate::now();
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    on_db!(db, p => sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1").bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    on_db!(db, p => sqlx::query("DELETE FROM login_failures WHERE at <= $1").bind(now - failure_window_secs).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
