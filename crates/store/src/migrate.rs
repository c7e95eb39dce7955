//! Schema migrations, embedded in the binary, one folder per backend.
//!
//! Each migration runs once, in its own transaction, and is recorded in
//! `schema_migrations`. The runner is small on purpose: sqlx's `migrate!` macro would
//! pull the whole query-macro machinery into the build for a loop over files.

use crate::{Db, Result, on_db};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "spine",
        sqlite: include_str!("../../../migrations/sqlite/0001_spine.sql"),
        postgres: include_str!("../../../migrations/postgres/0001_spine.sql"),
    },
    Migration {
        version: 2,
        name: "service_center",
        sqlite: include_str!("../../../migrations/sqlite/0002_service_center.sql"),
        postgres: include_str!("../../../migrations/postgres/0002_service_center.sql"),
    },
    Migration {
        version: 3,
        name: "job_orders",
        sqlite: include_str!("../../../migrations/sqlite/0003_job_orders.sql"),
        postgres: include_str!("../../../migrations/postgres/0003_job_orders.sql"),
    },
    Migration {
        version: 4,
        name: "episodes",
        sqlite: include_str!("../../../migrations/sqlite/0004_episodes.sql"),
        postgres: include_str!("../../../migrations/postgres/0004_episodes.sql"),
    },
    Migration {
        version: 5,
        name: "outreach",
        sqlite: include_str!("../../../migrations/sqlite/0005_outreach.sql"),
        postgres: include_str!("../../../migrations/postgres/0005_outreach.sql"),
    },
    Migration {
        version: 6,
        name: "counselling",
        sqlite: include_str!("../../../migrations/sqlite/0006_counselling.sql"),
        postgres: include_str!("../../../migrations/postgres/0006_counselling.sql"),
    },
    Migration {
        version: 7,
        name: "policy",
        sqlite: include_str!("../../../migrations/sqlite/0007_policy.sql"),
        postgres: include_str!("../../../migrations/postgres/0007_policy.sql"),
    },
    Migration {
        version: 8,
        name: "agency_branches",
        sqlite: include_str!("../../../migrations/sqlite/0008_agency_branches.sql"),
        postgres: include_str!("../../../migrations/postgres/0008_agency_branches.sql"),
    },
    Migration {
        version: 9,
        name: "cases",
        sqlite: include_str!("../../../migrations/sqlite/0009_cases.sql"),
        postgres: include_str!("../../../migrations/postgres/0009_cases.sql"),
    },
];

/// Identifies the schema and region data this build creates (for caching prepared test databases).
pub fn fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(crate::regions::DATA_VERSION.as_bytes());
    for m in MIGRATIONS {
        h.update(m.sqlite.as_bytes());
        h.update(m.postgres.as_bytes());
    }
    hex::encode(&h.finalize()[..8])
}

/// Applies pending migrations; returns how many ran.
pub async fn run(db: &Db) -> Result<usize> {
    on_db!(db, p => sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
    ).execute(p).await.map(|r| r.rows_affected()))?;
    let applied: Vec<(i64,)> =
        on_db!(db, p => sqlx::query_as("SELECT version FROM schema_migrations").fetch_all(p).await)?;
    let mut ran = 0;
    for m in MIGRATIONS {
        if applied.iter().any(|(v,)| *v == m.version) {
            continue;
        }
        let mut tx = db.begin().await?;
        let sql = match db {
            Db::Sqlite(_) => m.sqlite,
            Db::Postgres(_) => m.postgres,
        };
        crate::on_tx!(&mut tx, c => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        crate::on_tx!(&mut tx, c => sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version).bind(m.name).bind(crate::now()).execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        ran += 1;
    }
    Ok(ran)
}
