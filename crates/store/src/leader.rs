//! One leader among the servers on a database, for background work that must run once
//! (the indicator refresher, the name re-keying). PostgreSQL: a session advisory lock held on a connection of its
//! own, outside the pool; it is released when that connection ends, so a server that dies hands
//! the work to the next one that asks. SQLite: one database file, one server; always the leader.

use crate::{Db, Result};
use sqlx::{Connection, PgConnection};

/// The advisory lock keys in use (one number per kind of work).
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum Work {
    IndicatorRefresh = 0x6465_736d_0001,
    /// Re-keying the stored name keys (`name_keys`), once per database.
    NameRekey = 0x6465_736d_0002,
}

pub enum Leader {
    Local,
    Postgres(PgConnection),
}

/// Tries to become the leader for `work`; `None` when another server (or connection) is.
pub async fn try_lead(db: &Db, work: Work) -> Result<Option<Leader>> {
    match db {
        Db::Sqlite(..) => Ok(Some(Leader::Local)),
        Db::Postgres(pool) => {
            // A connection of its own: the lock lives as long as this session, and a pooled
            // connection would carry it back into the pool.
            let mut conn = pool.acquire().await?.detach();
            let (got,): (bool,) =
                sqlx::query_as("SELECT pg_try_advisory_lock($1)").bind(work as i64).fetch_one(&mut conn).await?;
            if got {
                Ok(Some(Leader::Postgres(conn)))
            } else {
                let _ = conn.close().await;
                Ok(None)
            }
        }
    }
}

impl Leader {
    /// Whether the lock is still held (its connection still alive).
    pub async fn holds(&mut self) -> bool {
        match self {
            Leader::Local => true,
            Leader::Postgres(c) => c.ping().await.is_ok(),
        }
    }

    /// Gives the lock up (closing the connection ends the session and its lock).
    pub async fn resign(self) {
        if let Leader::Postgres(c) = self {
            let _ = c.close().await;
        }
    }
}
