//! Sessions, API tokens and login throttling. Only hashes of secrets are stored:
//! a stolen database copy does not hold usable session ids or tokens.

use crate::users::User;
use crate::{Db, Result, Tx, on_db, on_tx};
use sha2::{Digest, Sha256};

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 256 random bits from the OS random source, hex.
pub fn new_secret() -> String {
    domain::security::random_hex()
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
     u.partner_id, u.must_change_password";

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
    // Track offline: a phone whose grant is gone wipes its outbox at the next contact.
    crate::offline::revoke_all(tx, user_id).await?;
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

/// Takes a per-key lock for the rest of the transaction on PostgreSQL; SQLite's
/// `BEGIN IMMEDIATE` already lets one writer in at a time.
pub async fn lock_key(tx: &mut Tx, key: &str) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(key).execute(&mut **t).await?;
    }
    Ok(())
}

async fn recent(tx: &mut Tx, filter: &str, binds: &[&str], since: i64) -> Result<domain::security::Recent> {
    let sql = format!("SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_failures WHERE {filter} AND at > $3");
    let (failures, last_at): (i64, i64) = on_tx!(&mut *tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(binds[0]).bind(binds[1]).bind(since).fetch_one(c).await
    })?;
    Ok(domain::security::Recent { failures, last_at })
}

/// Login throttling, step one: in its own short transaction, reads the recent failures of
/// this account and address and asks `decide`; when it lets the attempt go ahead, records a
/// failure for it before the password is checked, so parallel attempts see each other.
/// Returns the reservation's id (cleared by [`login_succeeded`]) or `decide`'s wait.
pub async fn reserve_attempt(
    db: &Db,
    username: &str,
    ip: &str,
    window_secs: i64,
    decide: impl FnOnce(&domain::security::LoginHistory, i64) -> Option<i64>,
) -> Result<std::result::Result<i64, i64>> {
    let now = crate::now();
    let since = now - window_secs;
    let mut tx = db.begin().await?;
    lock_key(&mut tx, &format!("login:{username}")).await?;
    let history = domain::security::LoginHistory {
        pair: recent(&mut tx, "username = $1 AND ip = $2", &[username, ip], since).await?,
        account: recent(&mut tx, "username = $1 AND $2 = $2", &[username, ip], since).await?,
        address: recent(&mut tx, "$1 = $1 AND ip = $2", &[username, ip], since).await?,
    };
    if let Some(wait) = decide(&history, now) {
        return Ok(Err(wait));
    }
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3) RETURNING id")
            .bind(username).bind(ip).bind(now).fetch_one(c).await
    })?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// A login succeeded: its reservation and the account's earlier failures from this address
/// are forgotten (failures from other addresses still count against the account).
pub async fn login_succeeded(db: &Db, username: &str, ip: &str) -> Result<()> {
    on_db!(db, p => sqlx::query("DELETE FROM login_failures WHERE username = $1 AND ip = $2")
        .bind(username).bind(ip).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Drops expired sessions, tokens and old failures; run periodically.
pub async fn purge_expired(db: &Db, failure_window_secs: i64) -> Result<()> {
    let now = crate::now();
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    on_db!(db, p => sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1").bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    on_db!(db, p => sqlx::query("DELETE FROM login_failures WHERE at <= $1").bind(now - failure_window_secs).execute(p).await.map(|r| r.rows_affected()))?;
    crate::rate_limit::purge(db).await?;
    Ok(())
}
