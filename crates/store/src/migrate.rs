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

/// One entry per file pair `migrations/{sqlite,postgres}/FILE.sql`, embedded at build time.
macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../../../migrations/postgres/", $file, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "spine", "0001_spine"),
    migration!(2, "service_center", "0002_service_center"),
    migration!(3, "job_orders", "0003_job_orders"),
    migration!(4, "episodes", "0004_episodes"),
    migration!(5, "outreach", "0005_outreach"),
    migration!(6, "counselling", "0006_counselling"),
    migration!(7, "policy", "0007_policy"),
    migration!(8, "agency_branches", "0008_agency_branches"),
    migration!(9, "cases", "0009_cases"),
    migration!(10, "partners_referrals", "0010_partners_referrals"),
    migration!(11, "cooperative", "0011_cooperative"),
    migration!(12, "enterprise", "0012_enterprise"),
    migration!(13, "parenting", "0013_parenting"),
    migration!(14, "monitoring", "0014_monitoring"),
    migration!(15, "exchange_portal", "0015_exchange_portal"),
    migration!(16, "indicators_pillars", "0016_indicators_pillars"),
    migration!(17, "indicators_cooperative", "0017_indicators_cooperative"),
    migration!(18, "region_indexes_c", "0018_region_indexes_c"),
    migration!(19, "audit_key", "0019_audit_key"),
    migration!(20, "account_hardening", "0020_account_hardening"),
    migration!(21, "region_retirement", "0021_region_retirement"),
    migration!(22, "national_ids", "0022_national_ids"),
    migration!(23, "dhis2", "0023_dhis2"),
    migration!(24, "brokers", "0024_brokers"),
    migration!(25, "break_glass", "0025_break_glass"),
    migration!(26, "htcds", "0026_htcds"),
    migration!(27, "coop_deposits", "0027_coop_deposits"),
    migration!(28, "coop_loans", "0028_coop_loans"),
    migration!(29, "coop_bank", "0029_coop_bank"),
    migration!(30, "coop_health", "0030_coop_health"),
    migration!(31, "idempotency", "0031_idempotency"),
    // issue 16, offline: device grants
    migration!(32, "offline", "0032_offline"),
    // issue 16, conflicts: person versions, changes per field, the review list
    migration!(33, "person_conflicts", "0033_person_conflicts"),
    // issue 18, search: the name index (FTS5 trigram / pg_trgm)
    migration!(34, "name_search", "0034_name_search"),
    // issue 18, multi: shared rate limits, cooperative running balances
    migration!(35, "multi", "0035_multi"),
    // issue 18, dashboards: the aggregates' generation, which servers' figure caches follow
    migration!(36, "indicator_generation", "0036_indicator_generation"),
    migration!(37, "worklist_stamps", "0037_worklist_stamps"),
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
            Db::Sqlite(..) => m.sqlite,
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

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn versions_increase_by_one_from_one() {
        // A database records the versions it has applied: a gap or a repeat would make a
        // later release skip or re-run a migration.
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            assert!(!m.sqlite.trim().is_empty() && !m.postgres.trim().is_empty(), "{}", m.name);
        }
    }
}
