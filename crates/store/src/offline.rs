//! Device grants of the offline outbox (issue 16, docs/OFFLINE.md): only hashes are stored.

use crate::audit::{self, Actor, Event};
use crate::auth::{new_secret, secret_hash};
use crate::{Db, Result, Tx, on_db, on_tx};

/// Issues a grant for `user_id` at `now`, audited; returns the raw grant (shown once).
pub async fn issue(db: &Db, actor: &Actor, user_id: i64, now: i64) -> Result<String> {
    let grant = new_secret();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO offline_grants (grant_hash, user_id, issued_at, last_contact_at) VALUES ($1,$2,$3,$3)")
            .bind(secret_hash(&grant)).bind(user_id).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    let id = user_id.to_string();
    audit::append(
        &mut tx,
        actor,
        &Event { action: "offline.grant", entity: "user", entity_id: &id, region_code: "", details: "" },
    )
    .await?;
    tx.commit().await?;
    Ok(grant)
}

/// The account holding a live grant (not disabled), noting the contact; `None` for a grant
/// that is unknown, revoked, or whose account is disabled.
pub async fn contact(db: &Db, grant: &str, now: i64) -> Result<Option<i64>> {
    let hash = secret_hash(grant);
    let user: Option<i64> = on_db!(db, p => {
        sqlx::query_scalar("SELECT g.user_id FROM offline_grants g JOIN users u ON u.id = g.user_id \
                            WHERE g.grant_hash = $1 AND u.disabled = FALSE")
            .bind(&hash).fetch_optional(p).await
    })?;
    if user.is_some() {
        on_db!(db, p => {
            sqlx::query("UPDATE offline_grants SET last_contact_at = $1 WHERE grant_hash = $2")
                .bind(now).bind(&hash).execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(user)
}

/// Forgets one grant (the phone signed out).
pub async fn revoke(db: &Db, grant: &str) -> Result<()> {
    on_db!(db, p => {
        sqlx::query("DELETE FROM offline_grants WHERE grant_hash = $1").bind(secret_hash(grant)).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Forgets every grant of an account, with its sessions (disabled, password set or reset).
pub async fn revoke_all(tx: &mut Tx, user_id: i64) -> Result<()> {
    on_tx!(&mut *tx, c => {
        sqlx::query("DELETE FROM offline_grants WHERE user_id = $1").bind(user_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}
