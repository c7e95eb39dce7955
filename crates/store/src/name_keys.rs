//! Re-keying: the stored spelling keys (`domain::name::name_key`) recomputed after the rules
//! changed (`domain::name::KEY_VERSION`). Three columns hold keys: `persons.name_key`,
//! `agencies.name_key` and `broker_aliases.alias_key`.
//!
//! The database records the version its keys were computed with in `meta.name_key_version`
//! (absent: version 1, the keys of before the version existed). A re-keying walks each table
//! in id order, one batch per transaction; the batch's last id is recorded in the same
//! transaction (`meta.name_key_rekey_v<VERSION>_<table>`), so a stopped re-keying resumes where
//! it stopped. Only keys that differ are written, without touching the record's version,
//! `updated_at` or `person_changes`: a key is derived from the name, not a change of it. Each
//! batch that wrote keys appends one audit entry (`name_key.rekey`) naming its id range and
//! how many it rewrote, never one per row. On SQLite the FTS5 name index follows through its
//! trigger (migration 0034); on PostgreSQL the pg_trgm index follows by itself.

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, on_db, on_tx};

/// The meta key holding the version the stored keys were computed with.
pub const VERSION_KEY: &str = "name_key_version";

/// The tables holding stored keys, in the order a re-keying walks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Persons,
    Agencies,
    BrokerAliases,
}

impl Table {
    pub const ALL: [Table; 3] = [Table::Persons, Table::Agencies, Table::BrokerAliases];

    pub fn as_str(self) -> &'static str {
        match self {
            Table::Persons => "persons",
            Table::Agencies => "agencies",
            Table::BrokerAliases => "broker_aliases",
        }
    }

    /// Where a re-keying to this build's version records its progress in this table.
    fn cursor_key(self) -> String {
        format!("name_key_rekey_v{}_{}", domain::name::KEY_VERSION, self.as_str())
    }

    /// The ids a batch walks: persons and agencies by their own id, aliases by their broker's.
    fn count_sql(self) -> &'static str {
        match self {
            Table::Persons => "SELECT COUNT(*) FROM persons WHERE id > $1",
            Table::Agencies => "SELECT COUNT(*) FROM agencies WHERE id > $1",
            Table::BrokerAliases => "SELECT COUNT(*) FROM brokers WHERE id > $1",
        }
    }
}

/// The version the stored keys were computed with (1 when never recorded).
pub async fn stored_version(db: &Db) -> Result<i64> {
    Ok(db.meta_get(VERSION_KEY).await?.and_then(|v| v.parse().ok()).unwrap_or(1))
}

/// Whether the stored keys are older than this build's rules.
pub async fn outdated(db: &Db) -> Result<bool> {
    Ok(stored_version(db).await? < domain::name::KEY_VERSION)
}

/// At start: a database that records no version and holds no key yet (a new one) gets this
/// build's version, so it is never walked for nothing. Returns whether it stamped.
pub async fn stamp_if_new(db: &Db) -> Result<bool> {
    if db.meta_get(VERSION_KEY).await?.is_some() {
        return Ok(false);
    }
    let (any,): (bool,) = on_db!(db, p => sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM persons) OR EXISTS (SELECT 1 FROM agencies) \
         OR EXISTS (SELECT 1 FROM broker_aliases)"
    ).fetch_one(p).await)?;
    if any {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    tx.meta_set(VERSION_KEY, &domain::name::KEY_VERSION.to_string()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Where the re-keying of `table` stands: `None` when that table is done, else the last id done
/// (0 before the first batch).
pub async fn cursor(db: &Db, table: Table) -> Result<Option<i64>> {
    Ok(parse_cursor(db.meta_get(&table.cursor_key()).await?.as_deref()))
}

fn parse_cursor(v: Option<&str>) -> Option<i64> {
    match v {
        Some("done") => None,
        Some(n) => Some(n.parse().unwrap_or(0)),
        None => Some(0),
    }
}

/// Rows (persons, agencies; brokers for the aliases) the re-keying of `table` has still to read.
pub async fn remaining(db: &Db, table: Table) -> Result<i64> {
    let Some(after) = cursor(db, table).await? else { return Ok(0) };
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as(table.count_sql()).bind(after).fetch_one(p).await)?;
    Ok(n)
}

/// Starts a re-keying over from the first id of every table (`persons rekey --all`), whatever
/// the recorded version: for a database that old binaries wrote to after it was re-keyed.
pub async fn restart(db: &Db) -> Result<()> {
    let mut tx = db.begin().await?;
    for t in Table::ALL {
        tx.meta_set(&t.cursor_key(), "0").await?;
    }
    tx.meta_set(VERSION_KEY, &(domain::name::KEY_VERSION - 1).to_string()).await?;
    tx.commit().await
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Batch {
    /// Rows read (for the aliases: brokers).
    pub read: u64,
    /// Keys that differed and were rewritten.
    pub rewritten: u64,
    /// The table was already done, or this batch found its end.
    pub done: bool,
}

/// Re-keys the next `limit` rows of `table` after its cursor in one transaction, moving the
/// cursor in it; when the batch reads fewer rows than `limit` the table is marked done. Every
/// table done, the version is recorded and the cursors removed.
pub async fn rekey_batch(db: &Db, actor: &Actor, table: Table, limit: i64) -> Result<Batch> {
    let mut tx = db.begin().await?;
    // Read inside the transaction: two re-keyings (a CLI command beside a server) take turns
    // batch by batch and never go back over each other's work. On PostgreSQL the cursor row is
    // locked; SQLite's write transaction is the one writer already.
    let key = table.cursor_key();
    let lock = match db {
        Db::Sqlite(..) => "",
        Db::Postgres(_) => " FOR UPDATE",
    };
    let sql = format!("SELECT value FROM meta WHERE key = $1{lock}");
    let cur: Option<(String,)> =
        on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&key).fetch_optional(c).await)?;
    let Some(after) = parse_cursor(cur.as_ref().map(|(v,)| v.as_str())) else {
        return Ok(Batch { done: true, ..Batch::default() });
    };
    let (read, rewritten, last) = match table {
        Table::Persons => rekey_rows(&mut tx, "persons", "full_name", "name_key", after, limit).await?,
        Table::Agencies => rekey_rows(&mut tx, "agencies", "name", "name_key", after, limit).await?,
        Table::BrokerAliases => rekey_aliases(&mut tx, after, limit).await?,
    };
    let done = (read as i64) < limit;
    tx.meta_set(&key, &if done { "done".to_string() } else { last.to_string() }).await?;
    if rewritten > 0 {
        let details = format!(
            "key version {}: {rewritten} of {read} {} keys recomputed, ids {}..{last}",
            domain::name::KEY_VERSION,
            table.as_str(),
            after + 1
        );
        audit::append(
            &mut tx,
            actor,
            &Event {
                action: "name_key.rekey",
                entity: table.as_str(),
                entity_id: &format!("{}-{last}", after + 1),
                region_code: "",
                details: &details,
            },
        )
        .await?;
    }
    if done {
        finish_if_all_done(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(Batch { read, rewritten, done })
}

/// Records the version once every table is done, and drops the cursors.
async fn finish_if_all_done(tx: &mut crate::Tx) -> Result<()> {
    let keys: Vec<String> = Table::ALL.iter().map(|t| t.cursor_key()).collect();
    let mut all_done = true;
    for k in &keys {
        let v: Option<(String,)> = on_tx!(tx, c => sqlx::query_as("SELECT value FROM meta WHERE key = $1")
            .bind(k).fetch_optional(c).await)?;
        all_done &= v.as_ref().map(|(v,)| v.as_str()) == Some("done");
    }
    if all_done {
        tx.meta_set(VERSION_KEY, &domain::name::KEY_VERSION.to_string()).await?;
        for k in &keys {
            on_tx!(tx, c => sqlx::query("DELETE FROM meta WHERE key = $1").bind(k).execute(c).await.map(|_| ()))?;
        }
    }
    Ok(())
}

/// One batch of a table whose rows carry their name and key: (rows read, keys rewritten, last id).
async fn rekey_rows(
    tx: &mut crate::Tx,
    table: &str,
    name: &str,
    key: &str,
    after: i64,
    limit: i64,
) -> Result<(u64, u64, i64)> {
    let select = format!("SELECT id, {name}, {key} FROM {table} WHERE id > $1 ORDER BY id LIMIT $2");
    let rows: Vec<(i64, String, String)> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(select))
        .bind(after).bind(limit).fetch_all(c).await)?;
    let last = rows.last().map_or(after, |r| r.0);
    // The name is part of the condition: a name corrected since it was read keeps the key its
    // correction wrote (PostgreSQL; on SQLite nothing writes between the read and the update).
    let update = format!("UPDATE {table} SET {key} = $1 WHERE id = $2 AND {name} = $3");
    let mut rewritten = 0;
    for (id, full_name, stored) in &rows {
        let fresh = domain::name::name_key(full_name);
        if &fresh != stored {
            let n = on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(update.clone()))
                .bind(&fresh).bind(id).bind(full_name).execute(c).await.map(|r| r.rows_affected()))?;
            rewritten += n;
        }
    }
    Ok((rows.len() as u64, rewritten, last))
}

/// One batch of brokers' aliases: (brokers read, aliases rewritten or merged, last broker id).
/// Two aliases of one broker may now share a key (Hendri, Hendry): the broker keeps one row per
/// key (the alias whose old key sorts first), as its reports would have made had the rule been
/// in force.
async fn rekey_aliases(tx: &mut crate::Tx, after: i64, limit: i64) -> Result<(u64, u64, i64)> {
    let ids: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as("SELECT id FROM brokers WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after).bind(limit).fetch_all(c).await)?;
    let Some(&(last,)) = ids.last() else { return Ok((0, 0, after)) };
    let rows: Vec<(i64, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT broker_id, alias, alias_key FROM broker_aliases WHERE broker_id > $1 AND broker_id <= $2 \
         ORDER BY broker_id, alias_key")
        .bind(after).bind(last).fetch_all(c).await)?;
    let mut rewritten = 0;
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        let broker_id = group[0].0;
        if group.iter().all(|(_, alias, stored)| &domain::name::name_key(alias) == stored) {
            continue;
        }
        let mut kept: Vec<(&str, String)> = Vec::new();
        for (_, alias, stored) in group {
            let fresh = domain::name::name_key(alias);
            if &fresh != stored {
                rewritten += 1;
            }
            if !fresh.is_empty() && !kept.iter().any(|(_, k)| *k == fresh) {
                kept.push((alias.as_str(), fresh));
            }
        }
        on_tx!(tx, c => sqlx::query("DELETE FROM broker_aliases WHERE broker_id = $1")
            .bind(broker_id).execute(c).await.map(|_| ()))?;
        for (alias, k) in &kept {
            on_tx!(tx, c => sqlx::query("INSERT INTO broker_aliases (broker_id, alias, alias_key) VALUES ($1, $2, $3)")
                .bind(broker_id).bind(*alias).bind(k).execute(c).await.map(|_| ()))?;
        }
    }
    Ok((ids.len() as u64, rewritten, last))
}
