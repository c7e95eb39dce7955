//! Person edits merged per field (issue 16, docs/OFFLINE.md "Conflicts"): the change log an edit
//! reads to learn what others changed since its version, and the supervisor's review list.

use crate::audit::{self, Actor, Event};
use crate::query::{within, within_values};
use crate::{Db, Result, Tx, on_db, on_tx};
use serde::Serialize;
use std::collections::BTreeMap;

/// The value each field had at `since`, for the fields changed after it: the old value of the
/// first change after `since`. A field absent was not changed since.
pub async fn base_values(db: &Db, person_id: i64, since: i64) -> Result<BTreeMap<String, String>> {
    let rows: Vec<(String, String)> = on_db!(db, p => {
        sqlx::query_as("SELECT field, old_value FROM person_changes WHERE person_id = $1 AND version > $2 ORDER BY version")
            .bind(person_id).bind(since).fetch_all(p).await
    })?;
    let mut out = BTreeMap::new();
    for (field, old) in rows {
        out.entry(field).or_insert(old);
    }
    Ok(out)
}

/// A proposal on the review list, with the person's village (for the scope check).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Conflict {
    pub id: i64,
    pub person_id: i64,
    /// Shown to the supervisor, whose view of the list is audited with the people's ids.
    pub person_name: String,
    pub village_code: String,
    pub field: String,
    pub base_version: i64,
    pub base_value: String,
    pub current_value: String,
    pub proposed_value: String,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: String,
    pub proposed_at: i64,
    pub status: String,
}

const SELECT: &str = "SELECT c.id, c.person_id, p.full_name AS person_name, p.village_code, c.field, c.base_version, c.base_value, c.current_value, \
    c.proposed_value, c.proposed_by, COALESCE(u.full_name, '') AS proposed_by_name, c.proposed_at, c.status \
    FROM person_conflicts c JOIN persons p ON p.id = c.person_id LEFT JOIN users u ON u.id = c.proposed_by";

pub async fn get(db: &Db, id: i64) -> Result<Option<Conflict>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Open conflicts of people living in `region` (the whole country when `None`), oldest first.
pub async fn open(db: &Db, region: Option<&str>, limit: i64) -> Result<Vec<Conflict>> {
    let limit = limit.clamp(1, 500);
    Ok(match region {
        None => on_db!(db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.status = 'open' ORDER BY c.id LIMIT {limit}")))
                .fetch_all(p).await
        })?,
        Some(code) => {
            let [a, b, c] = within_values(code);
            let cond = within(db, "p.village_code", 1);
            on_db!(db, p => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{SELECT} WHERE c.status = 'open' AND {cond} ORDER BY c.id LIMIT {limit}")))
                    .bind(&a).bind(&b).bind(&c).fetch_all(p).await
            })?
        }
    })
}

/// Closes an open conflict as `kept` or `taken`; false when it was no longer open.
pub(crate) async fn close(tx: &mut Tx, actor: &Actor, id: i64, status: &str, now: i64) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query("UPDATE person_conflicts SET status = $1, resolved_by = $2, resolved_at = $3 WHERE id = $4 AND status = 'open'")
            .bind(status).bind(actor.user_id).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// The supervisor keeps the current value: the proposal is closed, the record unchanged.
pub async fn keep_current(db: &Db, actor: &Actor, conflict: &Conflict) -> Result<bool> {
    let mut tx = db.begin().await?;
    if !close(&mut tx, actor, conflict.id, "kept", crate::now()).await? {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.conflict_keep",
            entity: "person",
            entity_id: &conflict.person_id.to_string(),
            region_code: &conflict.village_code,
            details: &format!("conflict #{} on {} kept the current value", conflict.id, conflict.field),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
