//! Break-the-glass grants and case transfers (issue 17): the rows the access decision reads
//! (`domain::cases::access`). Nothing here decides who may do what; times come from the caller
//! (the application's clock), so a grant expires when the clock says so.

use crate::audit::{self, Actor, Event};
use crate::cases::Case;
use crate::{Db, Result, on_db, on_tx};
use domain::RegionCode;
use serde::Serialize;

/// A break-the-glass grant, with who asked and which case (for the supervisors' list).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Grant {
    pub id: i64,
    pub case_id: i64,
    pub user_id: i64,
    /// The account's full name.
    pub user_name: String,
    pub reason: String,
    pub granted_at: i64,
    pub expires_at: i64,
    /// The case's village.
    pub village_code: String,
}

/// Records a grant from `now` to `expires_at`, audited as `case.break_glass` in the same
/// transaction. The audit entry names the grant and its end, not the reason (the log is read by
/// admins who may not open the case; the reason is shown to the supervisors).
pub async fn grant(
    db: &Db,
    actor: &Actor,
    case: &Case,
    user_id: i64,
    reason: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO case_access_grants (case_id, user_id, reason, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(case.id).bind(user_id).bind(reason).bind(now).bind(expires_at).fetch_one(c).await
    })?;
    let details = format!("grant {id} until {expires_at}");
    let ev = Event {
        action: "case.break_glass",
        entity: "case",
        entity_id: &case.id.to_string(),
        region_code: &case.village_code,
        details: &details,
    };
    audit::append(&mut tx, actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// The cases `user_id` holds a grant on at `now`.
pub async fn granted_cases(db: &Db, user_id: i64, now: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = on_db!(db, p => {
        sqlx::query_as("SELECT DISTINCT case_id FROM case_access_grants WHERE user_id = $1 AND expires_at > $2 AND granted_at <= $2")
            .bind(user_id).bind(now).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// When `user_id`'s grant on `case_id` ends, if one runs at `now`.
pub async fn grant_until(db: &Db, user_id: i64, case_id: i64, now: i64) -> Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = on_db!(db, p => {
        sqlx::query_as("SELECT MAX(expires_at) FROM case_access_grants WHERE user_id = $1 AND case_id = $2 AND expires_at > $3 AND granted_at <= $3")
            .bind(user_id).bind(case_id).bind(now).fetch_optional(p).await
    })?;
    Ok(row.and_then(|(m,)| m))
}

/// Grants given since `since` on cases now in or under `within` (everything when `None`),
/// newest first: what the supervisors are told.
pub async fn grants_within(db: &Db, within: Option<&RegionCode>, since: i64, limit: i64) -> Result<Vec<Grant>> {
    let mut q = crate::query::Select::new(
        "SELECT g.id, g.case_id, g.user_id, u.full_name AS user_name, g.reason, g.granted_at, g.expires_at, \
         c.village_code FROM case_access_grants g JOIN cases c ON c.id = g.case_id JOIN users u ON u.id = g.user_id \
         WHERE 1=1",
    );
    if let Some(w) = within {
        q.and_within("c.village_code", w.as_str());
    }
    // Integers, never user text.
    q.tail(&format!("AND g.granted_at >= {since} ORDER BY g.granted_at DESC, g.id DESC LIMIT {}", limit.clamp(1, 500)));
    q.fetch_all(db).await
}

/// The villages each of `case_ids` was transferred from, as `(case_id, village)` pairs.
pub async fn former_villages(db: &Db, case_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if case_ids.is_empty() {
        return Ok(vec![]);
    }
    // Ids are integers, never user text.
    let list = case_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    crate::query::Select::new(format!(
        "SELECT case_id, from_village FROM case_transfers WHERE case_id IN ({list}) ORDER BY id"
    ))
    .fetch_all(db)
    .await
}

/// Moves a case to another village: the transfer row, the case's new village and handler (kept
/// only when the caller says so), audited as `case.transfer` under the new village with the old
/// one in its details.
pub async fn transfer(
    db: &Db,
    actor: &Actor,
    case: &Case,
    to: &RegionCode,
    reason: &str,
    keep_handler: bool,
    now: i64,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let handler = if keep_handler { case.handler_user_id } else { None };
    // Only from the village the caller saw, so two transfers cannot cross.
    let moved = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE cases SET village_code = $1, handler_user_id = $2, updated_at = $3 WHERE id = $4 AND village_code = $5")
            .bind(to.as_str()).bind(handler).bind(now).bind(case.id).bind(&case.village_code)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if moved == 0 {
        return Ok(false);
    }
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO case_transfers (case_id, from_village, to_village, reason, by_user, transferred_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(case.id).bind(&case.village_code).bind(to.as_str()).bind(reason).bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("from {} to {}", case.village_code, to.as_str());
    let ev = Event {
        action: "case.transfer",
        entity: "case",
        entity_id: &case.id.to_string(),
        region_code: to.as_str(),
        details: &details,
    };
    audit::append(&mut tx, actor, &ev).await?;
    tx.commit().await?;
    Ok(true)
}
