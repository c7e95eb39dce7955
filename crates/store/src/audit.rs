//! The append-only, hash-chained audit log.

use crate::query::Select;
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::audit::{AuditFields, ChainCheck, ChainVerifier, entry_hash};
use serde::Serialize;

/// Who acts, from where: carried from the request into every audited write.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub ip: String,
    pub request_id: String,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor { user_id: None, username: format!("system:{what}"), ip: String::new(), request_id: String::new() }
    }
}

/// What happened to which record. `details` must not carry secrets (never a password).
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub region_code: &'a str,
    pub details: &'a str,
}

/// Appends one entry inside the caller's transaction, so the change and its audit
/// entry commit or roll back together.
pub async fn append(tx: &mut Tx, actor: &Actor, ev: &Event<'_>) -> Result<i64> {
    // Bumping the head row first takes its write lock on both backends: concurrent
    // appends queue here and each sees the hash its predecessor left.
    let (seq,): (i64,) = on_tx!(&mut *tx, c => {
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq").fetch_one(c).await
    })?;
    let (prev_hash,): (String,) =
        on_tx!(&mut *tx, c => sqlx::query_as("SELECT hash FROM audit_head WHERE id = 1").fetch_one(c).await)?;
    let at = crate::now();
    let fields = AuditFields {
        seq,
        at,
        actor_user_id: actor.user_id,
        actor: &actor.username,
        action: ev.action,
        entity: ev.entity,
        entity_id: ev.entity_id,
        region_code: ev.region_code,
        ip: &actor.ip,
        request_id: &actor.request_id,
        details: ev.details,
    };
    let hash = entry_hash(&prev_hash, &fields);
    on_tx!(&mut *tx, c => {
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor, action, entity, entity_id, region_code, ip, request_id, details, prev_hash, hash) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
        )
        .bind(seq).bind(at).bind(actor.user_id).bind(&actor.username).bind(ev.action).bind(ev.entity)
        .bind(ev.entity_id).bind(ev.region_code).bind(&actor.ip).bind(&actor.request_id).bind(ev.details)
        .bind(&prev_hash).bind(&hash)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(&mut *tx, c => sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(seq)
}

/// Records a read of personal data in a transaction of its own.
pub async fn append_now(db: &Db, actor: &Actor, ev: &Event<'_>) -> Result<i64> {
    let mut tx = db.begin().await?;
    let seq = append(&mut tx, actor, ev).await?;
    tx.commit().await?;
    Ok(seq)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub region_code: String,
    pub ip: String,
    pub request_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            seq: self.seq,
            at: self.at,
            actor_user_id: self.actor_user_id,
            actor: &self.actor,
            action: &self.action,
            entity: &self.entity,
            entity_id: &self.entity_id,
            region_code: &self.region_code,
            ip: &self.ip,
            request_id: &self.request_id,
            details: &self.details,
        }
    }
}

const COLUMNS: &str =
    "seq, at, actor_user_id, actor, action, entity, entity_id, region_code, ip, request_id, details, prev_hash, hash";

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Entries at or inside this region code.
    pub region_prefix: Option<String>,
    /// Only entries with `seq` below this (keyset pagination, newest first).
    pub before_seq: Option<i64>,
}

/// Newest first, `limit` at a time.
pub async fn list(db: &Db, f: &Filter, limit: i64) -> Result<Vec<Entry>> {
    let mut q = Select::new(format!("SELECT {COLUMNS} FROM audit_log WHERE 1=1"));
    if let Some(a) = &f.actor {
        q.and("actor = ?", &[a]);
    }
    if let Some(a) = &f.action {
        q.and("action LIKE ?", &[&format!("{a}%")]);
    }
    if let Some(e) = &f.entity {
        q.and("entity = ?", &[e]);
    }
    if let Some(e) = &f.entity_id {
        q.and("entity_id = ?", &[e]);
    }
    if let Some(r) = &f.region_prefix {
        q.and_within("region_code", r);
    }
    let before = f.before_seq.unwrap_or(i64::MAX);
    q.tail(&format!("AND seq < {before} ORDER BY seq DESC LIMIT {}", limit.clamp(1, 500)));
    q.fetch_all(db).await
}

/// Walks the whole chain in pages and checks every link and hash.
pub async fn verify(db: &Db) -> Result<ChainCheck> {
    let mut v = ChainVerifier::default();
    let mut after = 0i64;
    loop {
        let page: Vec<Entry> = on_db!(db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000")))
                .bind(after).fetch_all(p).await
        })?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            if let Err(broken) = v.feed(&e.fields(), &e.prev_hash, &e.hash) {
                return Ok(broken);
            }
        }
    }
    // The head must point at the last entry: truncating the tail is tampering too.
    let (head_seq, head_hash): (i64, String) =
        on_db!(db, p => sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await)?;
    if head_seq != after {
        return Ok(ChainCheck::Broken {
            seq: head_seq,
            reason: format!("head says {head_seq} entries, log ends at {after}"),
        });
    }
    let result = v.finish();
    if let ChainCheck::Intact { .. } = result {
        let last_hash: Option<(String,)> = on_db!(db, p => {
            sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1").bind(after).fetch_optional(p).await
        })?;
        if last_hash.is_some_and(|(h,)| h != head_hash) {
            return Ok(ChainCheck::Broken { seq: after, reason: "head hash differs from the last entry".into() });
        }
    }
    Ok(result)
}
