//! Storage for both backends: embedded SQLite (default) and PostgreSQL.
//!
//! One SQL text serves both wherever the dialects agree (`$1` placeholders work on
//! SQLite too); the [`on_db!`] and [`on_tx!`] macros run it on whichever pool is
//! configured. Where dialects differ, the module says so next to the query.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

pub mod agencies;
pub mod audit;
pub mod auth;
pub mod brokers;
pub mod case_access;
pub mod cases;
pub mod coop_bank;
pub mod coop_deposits;
pub mod coop_health;
pub mod coop_loans;
pub mod cooperative;
pub mod dhis2;
pub mod enterprise;
pub mod episodes;
pub mod exchange;
pub mod htcds;
pub mod idempotency;
pub mod indicators;
pub mod job_orders;
pub mod leader;
pub mod migrate;
// issue 18, names: stored spelling keys recomputed when the rules change
pub mod name_keys;
pub mod national_ids;
pub mod opensid;
pub mod outreach;
pub mod parenting;
pub mod partners;
pub mod persons;
// track conflicts
pub mod person_conflicts;
pub mod policy;
pub mod portal;
// -- track offline (issue 16)
pub mod offline;
pub mod programs;
pub mod query;
pub mod rate_limit;
pub mod region_update;
pub mod regions;
pub mod sqlite_alloc;
pub mod users;

/// Runs `$body` with `$p` bound to the concrete pool.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p, _) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t, _) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, WriteGate),
    Postgres(PgPool),
}

/// SQLite lets one writer in at a time. Without a queue in the process, writers that find
/// the lock taken sleep in SQLite's busy handler (1 ms … 100 ms steps) and retry, so under
/// load an unlucky one waits seconds while later ones get in (the soak saw 2 s timeouts).
/// The gate queues the server's writers first come, first served before `BEGIN IMMEDIATE`;
/// the busy timeout still covers other processes (a CLI command next to the server).
#[derive(Clone, Debug, Default)]
pub struct WriteGate {
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Audit entries waiting to be committed together (`audit::append_now`, group commit).
    audit_queue: std::sync::Arc<std::sync::Mutex<Vec<audit::Queued>>>,
}

impl WriteGate {
    /// Waits for the writer's turn (first come, first served), at most `WRITE_WAIT`.
    async fn turn(&self) -> Result<tokio::sync::OwnedMutexGuard<()>> {
        tokio::time::timeout(WRITE_WAIT, self.turn.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Sql(sqlx::Error::PoolTimedOut))
    }
}

/// How long a writer waits for its turn before giving up (as SQLite's busy timeout did).
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// A write transaction. Dropped without `commit` it rolls back (and lets the next writer in).
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>, tokio::sync::OwnedMutexGuard<()>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("unsupported DATABASE_URL (use sqlite://PATH or postgres://…): {0}")]
    BadUrl(String),
    #[error("region data: {0}")]
    RegionData(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The audit key is missing or is not the chain's.
    #[error("audit key: {0}")]
    AuditKey(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Seconds since the Unix epoch: how every timestamp is stored.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Db {
    /// Opens `url`: `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            sqlite_alloc::install();
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)?;
                }
            }
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: an acknowledged write survives a power cut, not only a crash.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // A connection to a local file does not go stale, and the pool's default ping
                // before every acquire is one more hand-off to the connection's thread per query:
                // a third of a logged-in page's cost under load (docs/BENCHMARKS.md).
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool, WriteGate::default()))
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }

    /// A PostgreSQL read replica's pool (`DATABASE_READ_URL`), connected on first use so a
    /// replica that is down does not stop the server from starting; a short acquire timeout so
    /// a page falls back to the primary quickly.
    pub fn connect_replica(url: &str) -> Result<Db> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::BadUrl(format!("DATABASE_READ_URL must be a postgres:// URL: {url}")));
        }
        let opts = PgConnectOptions::from_str(url)?;
        let pool =
            PgPoolOptions::new().max_connections(32).acquire_timeout(Duration::from_secs(2)).connect_lazy_with(opts);
        Ok(Db::Postgres(pool))
    }

    /// How far a streaming replica is behind: `None` when it has replayed everything it
    /// received (or is not a replica at all), else the seconds since the last transaction it
    /// replayed was committed on the primary.
    pub async fn replica_lag(&self) -> Result<Option<f64>> {
        match self {
            Db::Sqlite(..) => Ok(None),
            Db::Postgres(p) => {
                let (lag,): (Option<f64>,) = sqlx::query_as(
                    "SELECT CASE WHEN NOT pg_is_in_recovery() \
                       OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN NULL \
                       ELSE CAST(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) AS DOUBLE PRECISION) END",
                )
                .fetch_one(p)
                .await?;
                Ok(lag)
            }
        }
    }

    /// Opens an existing database for tools (verify, backup): a mistyped SQLite path
    /// must not silently create an empty file.
    pub async fn connect_existing(url: &str) -> Result<Db> {
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if !std::path::Path::new(path).exists() {
                return Err(StoreError::BadUrl(format!("no database file at {path} (set DATABASE_URL)")));
            }
        }
        Db::connect(url).await
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Begins a write transaction. SQLite takes the write lock up front (IMMEDIATE)
    /// so two writers never deadlock upgrading a read lock.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, gate) => {
                let turn = gate.turn().await?;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn ping(&self) -> Result<()> {
        on_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Pool figures for `/metrics`: (open connections, idle connections).
    pub fn pool_stats(&self) -> (u32, usize) {
        on_db!(self, p => (p.size(), p.num_idle()))
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }

    /// A consistent copy of the live database. SQLite: `VACUUM INTO` a new file, safe
    /// while the server writes. PostgreSQL deployments use `pg_dump` (see docs/OPERATIONS.md).
    pub async fn backup_to(&self, path: &str) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await.map(|r| r.rows_affected())?;
                Ok(())
            }
            Db::Postgres(_) => {
                Err(StoreError::BadUrl("backup of PostgreSQL is done with pg_dump; see docs/OPERATIONS.md".into()))
            }
        }
    }

    pub async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        let v: Option<(String,)> = on_db!(self, p => {
            sqlx::query_as("SELECT value FROM meta WHERE key = $1").bind(key).fetch_optional(p).await
        })?;
        Ok(v.map(|t| t.0))
    }
}

/// `n` bind markers from number `first`, comma-separated, for statements with many values:
/// `$N` on PostgreSQL, plain `?` on SQLite. sqlx asks SQLite for each numbered marker's name,
/// a linear search per marker, so a statement of 13,000 `$N` markers spent seconds there
/// (docs/BENCHMARKS.md, CSV import); unnamed markers skip it. Only for statements whose
/// values are bound in marker order.
pub fn bind_marks(postgres: bool, first: usize, n: usize) -> String {
    if postgres {
        (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
    } else {
        vec!["?"; n].join(",")
    }
}

impl Tx {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn meta_set(&mut self, key: &str, value: &str) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key).bind(value).execute(c).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}

/// True when the error is a unique-constraint violation (e.g. a username taken twice).
pub fn is_unique_violation(e: &StoreError) -> bool {
    match e {
        StoreError::Sql(sqlx::Error::Database(d)) => d.is_unique_violation(),
        _ => false,
    }
}
