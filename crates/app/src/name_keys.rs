//! Re-keying the stored spelling keys when `domain::name`'s rules change (issue 18, names):
//! in the background after the server starts, or in the foreground with `desmigratif persons
//! rekey`. Both walk the tables batch by batch (`store::name_keys`), resumable, with one audit
//! entry per batch that rewrote keys. docs/OPERATIONS.md "Name search", "Re-keying".

use crate::error::Result;
use store::Db;
use store::audit::Actor;
use store::name_keys::{self as keys, Table};

/// Rows per transaction: short enough that a write waiting behind a batch waits tens of
/// milliseconds, long enough that 10 M people take a few thousand transactions.
pub const BATCH: i64 = 5_000;

/// The server's pause between two batches, so that re-keying takes a small share of the writes.
const PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

/// How often a server that is not the re-keying's leader asks again (another server re-keys).
const WAIT_FOR_LEADER: std::time::Duration = std::time::Duration::from_secs(30);

/// Where a re-keying stands after a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows read so far (brokers for the aliases), of `total` left when it started.
    pub read: u64,
    pub total: u64,
    /// Keys that differed and were rewritten so far.
    pub rewritten: u64,
    pub batches: u64,
}

/// What `rekey` found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The stored keys were already this build's version; nothing read.
    Current,
    /// Re-keyed to this build's version.
    Rekeyed(Progress),
}

/// Whether the stored keys are older than this build's rules (so a search meets old keys on
/// the rows not re-keyed yet).
pub async fn outdated(db: &Db) -> Result<bool> {
    Ok(keys::outdated(db).await?)
}

/// Runs the pending re-keying to its end in the foreground (the command line), calling
/// `progress` after every batch. With `all`, starts over from the first row even when the
/// recorded version is current (a database an older binary wrote to after its re-keying).
/// A stopped run resumes at the batch after the last one committed.
pub async fn rekey(db: &Db, actor: &Actor, all: bool, mut progress: impl FnMut(&Progress)) -> Result<Outcome> {
    if all {
        keys::restart(db).await?;
    }
    if !keys::outdated(db).await? {
        return Ok(Outcome::Current);
    }
    let mut p = Progress::default();
    for t in Table::ALL {
        p.total += keys::remaining(db, t).await?.max(0) as u64;
    }
    progress(&p);
    for t in Table::ALL {
        loop {
            let b = keys::rekey_batch(db, actor, t, BATCH).await?;
            p.read += b.read;
            p.rewritten += b.rewritten;
            p.batches += 1;
            progress(&p);
            if b.done {
                break;
            }
        }
    }
    Ok(Outcome::Rekeyed(p))
}

/// The server's task: when the stored keys are older than this build's, re-keys them batch
/// by batch with a short pause between batches, then ends. Started with the server and never
/// delays its start; with several servers on one PostgreSQL only the leader re-keys (the
/// others look again now and then, and end once the version is current). A failed batch is
/// logged and tried again after a pause.
pub async fn background_rekeyer(db: Db) {
    let actor = Actor::system("name-rekey");
    let mut leader: Option<store::leader::Leader> = None;
    let mut p = Progress::default();
    let started = std::time::Instant::now();
    loop {
        match keys::outdated(&db).await {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                tracing::warn!(error = %e, "name re-keying: cannot read the key version");
                tokio::time::sleep(WAIT_FOR_LEADER).await;
                continue;
            }
        }
        if leader.is_none() {
            match store::leader::try_lead(&db, store::leader::Work::NameRekey).await {
                Ok(Some(l)) => {
                    tracing::info!(
                        version = domain::name::KEY_VERSION,
                        "name re-keying: the stored name keys are older than this build's rules; re-keying in the background"
                    );
                    leader = Some(l);
                }
                Ok(None) => {
                    tokio::time::sleep(WAIT_FOR_LEADER).await;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "name re-keying: election failed");
                    tokio::time::sleep(WAIT_FOR_LEADER).await;
                    continue;
                }
            }
        }
        match next_batch(&db, &actor).await {
            Ok(Some(b)) => {
                p.read += b.read;
                p.rewritten += b.rewritten;
                p.batches += 1;
                if p.batches % 200 == 0 {
                    tracing::info!(read = p.read, rewritten = p.rewritten, "name re-keying: under way");
                }
            }
            // Every table done (the version was recorded with the last batch).
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "name re-keying: a batch failed; trying again");
                tokio::time::sleep(WAIT_FOR_LEADER).await;
                continue;
            }
        }
        tokio::time::sleep(PAUSE).await;
    }
    if p.batches > 0 {
        tracing::info!(
            read = p.read,
            rewritten = p.rewritten,
            seconds = started.elapsed().as_secs(),
            "name re-keying: done; the stored keys are this build's"
        );
    }
    if let Some(l) = leader {
        l.resign().await;
    }
}

/// One batch of the first table not done yet; `None` when every table is done.
async fn next_batch(db: &Db, actor: &Actor) -> Result<Option<keys::Batch>> {
    for t in Table::ALL {
        if keys::cursor(db, t).await?.is_some() {
            return Ok(Some(keys::rekey_batch(db, actor, t, BATCH).await?));
        }
    }
    Ok(None)
}
