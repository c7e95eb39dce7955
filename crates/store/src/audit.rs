//! The append-only, hash-chained audit log, keyed from the switch-over on (domain::audit).

use crate::query::Select;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use domain::audit::{
    AuditFields, AuditKey, ChainCheck, ChainVerifier, Checkpoint, Finding, Head, Keying, entry_hash, keyed_entry_hash,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The audit keys this process holds, by id. A database names the key its chain is keyed
/// with (`audit_head.key_id`), so `append` finds it here without every caller passing it;
/// a process normally holds one key (tests hold one per test database).
static KEYRING: RwLock<Option<HashMap<String, Arc<AuditKey>>>> = RwLock::new(None);

/// Makes `key` available to [`append`] for databases keyed with it.
pub fn install_key(key: &AuditKey) {
    let mut ring = KEYRING.write().unwrap_or_else(|e| e.into_inner());
    ring.get_or_insert_with(HashMap::new).entry(key.id().to_string()).or_insert_with(|| Arc::new(key.clone()));
}

/// The installed key with this id.
pub fn installed_key(id: &str) -> Option<Arc<AuditKey>> {
    KEYRING.read().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|r| r.get(id).cloned())
}

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
    // The hash is not changed by this statement, so RETURNING gives the predecessor's.
    let (seq, prev_hash, keyed_from, key_id): (i64, String, Option<i64>, Option<String>) = on_tx!(&mut *tx, c => {
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash, keyed_from, key_id")
            .fetch_one(c).await
    })?;
    let key = match (keyed_from, key_id) {
        (Some(from), Some(id)) if seq >= from => Some(installed_key(&id).ok_or_else(|| {
            // Writing an unkeyed entry into a keyed chain would break it for good: refuse.
            StoreError::AuditKey(format!(
                "the audit chain is keyed with key {id}, which this process has not loaded (DESMIGRATIF_AUDIT_KEY / DESMIGRATIF_AUDIT_KEY_FILE)"
            ))
        })?),
        _ => None,
    };
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
    let hash = match &key {
        Some(k) => keyed_entry_hash(k, &prev_hash, &fields),
        None => entry_hash(&prev_hash, &fields),
    };
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

/// Records a read of personal data (or another event without a change) in a transaction of
/// its own, answered once the entry is on disk.
///
/// On SQLite the entries of concurrent callers are committed together (group commit): every
/// caller queues its entry, then waits for the writer's turn; whoever gets the turn commits
/// every entry queued so far in one transaction — one fsync for many page views instead of
/// one each — and hands each caller its sequence number. A caller whose entry a predecessor
/// committed finds its answer when its turn comes and leaves at once. The batch runs in a task
/// of its own, so a request abandoned mid-commit (the client went away) fails no one else's.
pub async fn append_now(db: &Db, actor: &Actor, ev: &Event<'_>) -> Result<i64> {
    let Db::Sqlite(pool, gate) = db else {
        let mut tx = db.begin().await?;
        let seq = append(&mut tx, actor, ev).await?;
        tx.commit().await?;
        return Ok(seq);
    };
    let (reply, mut answer) = tokio::sync::oneshot::channel();
    gate.audit_queue.lock().unwrap_or_else(|e| e.into_inner()).push(Queued {
        actor: actor.clone(),
        action: ev.action.to_string(),
        entity: ev.entity.to_string(),
        entity_id: ev.entity_id.to_string(),
        region_code: ev.region_code.to_string(),
        details: ev.details.to_string(),
        reply,
    });
    let turn = gate.turn().await?;
    if let Ok(done) = answer.try_recv() {
        return done;
    }
    let batch = std::mem::take(&mut *gate.audit_queue.lock().unwrap_or_else(|e| e.into_inner()));
    if !batch.is_empty() {
        let pool = pool.clone();
        let committed = tokio::spawn(commit_batch(pool, turn, batch)).await;
        if let Err(e) = committed {
            tracing::error!(error = %e, "audit group commit: the batch's task failed");
        }
    } else {
        drop(turn);
    }
    // Ours was in this batch, or in the one a predecessor took just before our turn came.
    answer.await.unwrap_or_else(|_| Err(batch_failed("the batch was abandoned")))
}

/// An audit entry waiting for a group commit, with the caller to answer.
#[derive(Debug)]
pub(crate) struct Queued {
    actor: Actor,
    action: String,
    entity: String,
    entity_id: String,
    region_code: String,
    details: String,
    reply: tokio::sync::oneshot::Sender<Result<i64>>,
}

fn batch_failed(why: &str) -> StoreError {
    StoreError::Sql(sqlx::Error::Protocol(format!("audit group commit: {why}")))
}

/// Commits `batch` in one transaction (the writer's `turn` held) and answers every caller: its
/// sequence number, or the error for all when the transaction failed (nothing was written).
async fn commit_batch(pool: sqlx::SqlitePool, turn: tokio::sync::OwnedMutexGuard<()>, batch: Vec<Queued>) {
    let result: Result<Vec<i64>> = async {
        let mut tx = Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, turn);
        let mut seqs = Vec::with_capacity(batch.len());
        for q in &batch {
            let ev = Event {
                action: &q.action,
                entity: &q.entity,
                entity_id: &q.entity_id,
                region_code: &q.region_code,
                details: &q.details,
            };
            seqs.push(append(&mut tx, &q.actor, &ev).await?);
        }
        tx.commit().await?;
        Ok(seqs)
    }
    .await;
    match result {
        Ok(seqs) => {
            for (q, seq) in batch.into_iter().zip(seqs) {
                let _ = q.reply.send(Ok(seq));
            }
        }
        Err(e) => {
            let why = e.to_string();
            for q in batch {
                let _ = q.reply.send(Err(batch_failed(&why)));
            }
        }
    }
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

/// The head row: sequence number, hash and the switch-over record.
pub async fn head(db: &Db) -> Result<Head> {
    type Row = (i64, String, Option<i64>, Option<String>, Option<String>);
    let (seq, hash, keyed_from, key_id, mac): Row = on_db!(db, p => {
        sqlx::query_as("SELECT seq, hash, keyed_from, key_id, keying_mac FROM audit_head WHERE id = 1").fetch_one(p).await
    })?;
    let keying = match (keyed_from, key_id, mac) {
        (Some(keyed_from), Some(key_id), Some(mac)) => Some(Keying { keyed_from, key_id, mac }),
        _ => None,
    };
    Ok(Head { seq, hash, keying })
}

/// The hash stored for entry `seq`.
pub async fn hash_at(db: &Db, seq: i64) -> Result<Option<String>> {
    let row: Option<(String,)> =
        on_db!(db, p => sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1").bind(seq).fetch_optional(p).await)?;
    Ok(row.map(|(h,)| h))
}

/// What [`ensure_keyed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyed {
    /// The chain was already keyed with this key.
    Already { keyed_from: i64 },
    /// The chain is keyed from now on; `marker` is the entry that records the switch-over
    /// (none on an empty log).
    Now { keyed_from: i64, marker: Option<i64> },
}

/// Keys the chain with `key` from the next entry on, once. On a log that already has
/// (unkeyed) entries, the switch-over is itself an audit entry, the first keyed one: its
/// link pins every unkeyed entry before it. Refuses a key other than the chain's.
pub async fn ensure_keyed(db: &Db, key: &AuditKey) -> Result<Keyed> {
    install_key(key);
    let mut tx = db.begin().await?;
    type Row = (i64, Option<i64>, Option<String>, Option<String>);
    // Taking the head's write lock first (as append does) so no entry slips in between.
    let (seq, keyed_from, key_id, mac): Row = on_tx!(&mut tx, c => {
        sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, keyed_from, key_id, keying_mac")
            .fetch_one(c).await
    })?;
    match (keyed_from, key_id) {
        (Some(from), Some(id)) if id == key.id() => {
            if !mac.is_some_and(|m| key.keying_mac_ok(from, &id, &m)) {
                // Serving goes on (refusing would let whoever altered it stop the service);
                // `audit verify` reports it.
                tracing::error!(
                    "AUDIT: the switch-over record in audit_head was altered; run `desmigratif audit verify`"
                );
            }
            return Ok(Keyed::Already { keyed_from: from });
        }
        (Some(_), Some(id)) => {
            return Err(StoreError::AuditKey(format!(
                "the audit chain is keyed with key {id}, but the configured audit key is {}: restore the key that belongs to this database",
                key.id()
            )));
        }
        _ => {}
    }
    let from = seq + 1;
    on_tx!(&mut tx, c => sqlx::query("UPDATE audit_head SET keyed_from = $1, key_id = $2, keying_mac = $3 WHERE id = 1")
        .bind(from).bind(key.id()).bind(key.keying_mac(from)).execute(c).await.map(|r| r.rows_affected()))?;
    let marker = if seq > 0 {
        let details = format!("keyed_from={from} key_id={}", key.id());
        let ev = Event { action: "audit.keyed", entity: "audit", entity_id: "", region_code: "", details: &details };
        Some(append(&mut tx, &Actor::system("audit"), &ev).await?)
    } else {
        None
    };
    tx.commit().await?;
    Ok(Keyed::Now { keyed_from: from, marker })
}

/// A full verification's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: u64,
    /// Entries before the switch-over, protected by the first keyed entry's link only.
    pub unkeyed: i64,
    pub checkpoints: usize,
    pub finding: Option<Finding>,
}

/// Walks the whole chain in pages (constant memory) and checks every link and hash, the
/// head, the switch-over record and the `checkpoints` (already checked against `key`).
/// `key` must be the chain's key when it is keyed; `Err` when it is not (a setup problem,
/// not tampering).
pub async fn verify_with(db: &Db, key: Option<&AuditKey>, checkpoints: Vec<Checkpoint>) -> Result<Verification> {
    let head = head(db).await?;
    let cp_count = checkpoints.len();
    let done = |entries: u64, unkeyed: i64, finding: Option<Finding>| Verification {
        entries,
        unkeyed,
        checkpoints: cp_count,
        finding,
    };
    let cp_keyed_from = checkpoints.iter().map(|c| c.keyed_from).min();
    let mut v = match (&head.keying, key) {
        (Some(k), Some(key)) => {
            if k.key_id != key.id() {
                return Err(StoreError::AuditKey(format!(
                    "the chain is keyed with key {}, the audit key given is {}: verify with the key that belongs to this database",
                    k.key_id,
                    key.id()
                )));
            }
            if !key.keying_mac_ok(k.keyed_from, &k.key_id, &k.mac) {
                return Ok(done(0, 0, Some(Finding::KeyingAltered)));
            }
            if let Some(cp) = cp_keyed_from.filter(|c| *c != k.keyed_from) {
                return Ok(done(
                    0,
                    0,
                    Some(Finding::KeyingChanged { checkpoint_keyed_from: cp, stored: Some(k.keyed_from) }),
                ));
            }
            ChainVerifier::keyed(key.clone(), k.keyed_from, checkpoints)
        }
        (Some(k), None) => {
            return Err(StoreError::AuditKey(format!(
                "the chain is keyed with key {}; verifying needs that key (DESMIGRATIF_AUDIT_KEY or DESMIGRATIF_AUDIT_KEY_FILE)",
                k.key_id
            )));
        }
        (None, _) => {
            if let Some(cp) = cp_keyed_from {
                return Ok(done(0, 0, Some(Finding::KeyingChanged { checkpoint_keyed_from: cp, stored: None })));
            }
            ChainVerifier::default()
        }
    };
    let unkeyed = head.keying.as_ref().map(|k| k.keyed_from - 1).unwrap_or(head.seq);
    let mut after = 0i64;
    loop {
        let page: Vec<Entry> = on_db!(db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000")))
                .bind(after).fetch_all(p).await
        })?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            if let Err(finding) = v.feed(&e.fields(), &e.prev_hash, &e.hash) {
                let finding = match finding {
                    // Where does the link point? At another entry: the log was reordered.
                    Finding::LinkBroken { seq } => match seq_of_hash(db, &e.prev_hash).await? {
                        Some(follows) if follows != seq - 1 => Finding::Reordered { seq, follows },
                        _ => Finding::LinkBroken { seq },
                    },
                    f => f,
                };
                return Ok(done(0, unkeyed, Some(finding)));
            }
        }
    }
    match v.finish_with_head(&head) {
        Ok(entries) if head.keying.is_none() && entries > 0 => {
            Ok(done(entries, unkeyed, Some(Finding::NotKeyed { entries: entries as i64 })))
        }
        Ok(entries) => Ok(done(entries, unkeyed, None)),
        Err(f) => Ok(done(0, unkeyed, Some(f))),
    }
}

/// The entry whose hash is `hash` (a full scan: only run once a link is found broken).
async fn seq_of_hash(db: &Db, hash: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(db, p => {
        sqlx::query_as("SELECT seq FROM audit_log WHERE hash = $1 ORDER BY seq LIMIT 1").bind(hash).fetch_optional(p).await
    })?;
    Ok(row.map(|(s,)| s))
}

/// Walks the whole chain with the key this process holds for it, without checkpoints.
/// An unkeyed chain counts as intact here (the command line reports it as not keyed).
pub async fn verify(db: &Db) -> Result<ChainCheck> {
    let key = head(db).await?.keying.and_then(|k| installed_key(&k.key_id));
    let v = verify_with(db, key.as_deref(), Vec::new()).await?;
    Ok(match v.finding {
        None | Some(Finding::NotKeyed { .. }) => ChainCheck::Intact { entries: v.entries },
        Some(f) => ChainCheck::Broken { seq: f.seq(), reason: f.to_string() },
    })
}
