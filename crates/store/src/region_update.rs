//! Region updates in the database: apply a plan (`domain::region_update`), find the records on
//! retired codes, move them to a successor. Every write is one transaction with its audit entry.

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, on_db, on_tx};
use domain::region_update::{CurrentRegion, Plan};
use domain::{RegionCode, RegionLevel};
use serde::Serialize;

/// A column that holds a region code. `key` names the columns that, with this one, must be
/// unique (a record already on the successor stays on the old code instead of colliding).
pub struct RegionColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// What the records are, for the report ("persons", "users' scopes").
    pub label: &'static str,
    pub unique_with: Option<&'static [&'static str]>,
}

const fn col(table: &'static str, column: &'static str, label: &'static str) -> RegionColumn {
    RegionColumn { table, column, label, unique_with: None }
}

/// Every column that holds a region code of a record, so nothing on a retired code is missed.
/// Not here: `audit_log` (history, immutable), `indicator_values`/`indicator_dirty` (recomputed)
/// and `exchange_tombstones` (what partners were told).
pub const REGION_COLUMNS: &[RegionColumn] = &[
    col("persons", "village_code", "persons"),
    col("episodes", "village_code", "episodes"),
    col("cases", "village_code", "cases"),
    col("case_transfers", "from_village", "case_transfers"),
    col("case_transfers", "to_village", "case_transfers"),
    col("counselling_sessions", "village_code", "counselling_sessions"),
    col("outreach_events", "village_code", "outreach_events"),
    col("coop_cooperatives", "village_code", "cooperatives"),
    col("trainings", "village_code", "trainings"),
    col("businesses", "village_code", "businesses"),
    col("mentoring_visits", "village_code", "mentoring_visits"),
    col("equipment", "village_code", "equipment"),
    col("remittances", "village_code", "remittances"),
    col("children", "village_code", "children"),
    col("parenting_activities", "village_code", "parenting_activities"),
    col("broker_reports", "village_code", "broker_reports"),
    RegionColumn {
        table: "program_villages",
        column: "village_code",
        label: "designations",
        unique_with: Some(&["program_id"]),
    },
    RegionColumn {
        table: "village_profiles",
        column: "village_code",
        label: "village_profiles",
        unique_with: Some(&[]),
    },
    col("users", "region_code", "user_scopes"),
    col("agency_branches", "region_code", "agency_branches"),
    col("partners", "region_code", "partners"),
    col("api_clients", "region_code", "api_clients"),
    RegionColumn {
        table: "monitoring_targets",
        column: "region_code",
        label: "monitoring_targets",
        unique_with: Some(&["year", "indicator"]),
    },
];

/// Every region with its name and whether it is retired.
pub async fn current(db: &Db) -> Result<Vec<CurrentRegion>> {
    let rows: Vec<(String, String, bool)> = on_db!(db, p => sqlx::query_as(
        "SELECT code, name, (retired_at IS NOT NULL) FROM regions").fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(code, name, retired)| CurrentRegion { code, name, retired }).collect())
}

/// Applies a plan in one transaction with one audit entry (`details`: counts and the input's
/// hash, written by the caller). `version` is recorded as the data version when given.
pub async fn apply(db: &Db, actor: &Actor, plan: &Plan, details: &str, version: Option<&str>) -> Result<()> {
    let now = crate::now();
    let mut tx = db.begin().await?;
    let inserts: Vec<(String, String)> = plan.inserts().into_iter().map(|r| (r.code, r.name)).collect();
    crate::regions::insert_batch(&mut tx, db, &inserts).await?;
    for r in &plan.renamed {
        on_tx!(&mut tx, c => sqlx::query("UPDATE regions SET name = $1, search_name = $2 WHERE code = $3")
            .bind(&r.new_name).bind(domain::region::search_key(&r.new_name)).bind(&r.code)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    for r in &plan.restored {
        on_tx!(&mut tx, c => sqlx::query("UPDATE regions SET retired_at = NULL, successor_code = NULL WHERE code = $1")
            .bind(&r.code).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for (code, successor) in plan.retirements() {
        on_tx!(&mut tx, c => sqlx::query("UPDATE regions SET retired_at = $1, successor_code = $2 WHERE code = $3")
            .bind(now).bind(successor).bind(&code).execute(c).await.map(|r| r.rows_affected()))?;
    }
    if let Some(v) = version {
        tx.meta_set("regions_version", v).await?;
    }
    let stamp = {
        use sha2::{Digest, Sha256};
        format!("{now}:{}", hex::encode(&Sha256::digest(details.as_bytes())[..8]))
    };
    tx.meta_set(crate::regions::CHANGED_KEY, &stamp).await?;
    let entity_id = version.unwrap_or("");
    audit::append(
        &mut tx,
        actor,
        &Event { action: "regions.update", entity: "regions", entity_id, region_code: "", details },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many records of one kind sit on one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordCount {
    pub code: String,
    pub records: &'static str,
    pub count: i64,
}

/// The records on these codes, by code and kind (kinds with none left out).
pub async fn records_on(db: &Db, codes: &[String]) -> Result<Vec<RecordCount>> {
    let mut out = vec![];
    for chunk in codes.chunks(400) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        for rc in REGION_COLUMNS {
            let sql = format!(
                "SELECT {c}, COUNT(*) FROM {t} WHERE {c} IN ({l}) GROUP BY {c}",
                c = rc.column,
                t = rc.table,
                l = list.join(",")
            );
            let rows: Vec<(String, i64)> = on_db!(db, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for c in chunk {
                    q = q.bind(c.as_str());
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows.into_iter().map(|(code, count)| RecordCount { code, records: rc.label, count }));
        }
    }
    out.sort_by(|a, b| a.code.cmp(&b.code).then(a.records.cmp(b.records)));
    Ok(out)
}

/// A retired code with its proposed successor.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RetiredRegion {
    pub code: String,
    pub name: String,
    pub level: String,
    pub retired_at: i64,
    pub successor_code: Option<String>,
    pub successor_name: Option<String>,
}

pub async fn retired(db: &Db) -> Result<Vec<RetiredRegion>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT r.code, r.name, r.level, r.retired_at, r.successor_code, s.name AS successor_name \
         FROM regions r LEFT JOIN regions s ON s.code = r.successor_code \
         WHERE r.retired_at IS NOT NULL ORDER BY r.code").fetch_all(p).await)?)
}

/// What a reassignment did to one kind of record: moved, and left on the old code because
/// the successor already had one (a designation in the same program, a profile, a target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reassigned {
    pub records: &'static str,
    pub moved: u64,
    pub left: i64,
}

/// Moves every record on `old` to `new` and records `new` as the successor, in one
/// transaction; `details` is filled in by `make_details` from the counts, then audited.
pub async fn reassign(
    db: &Db,
    actor: &Actor,
    old: &RegionCode,
    new: &RegionCode,
    make_details: impl FnOnce(&[Reassigned]) -> String,
) -> Result<Vec<Reassigned>> {
    let mut tx = db.begin().await?;
    let mut out = vec![];
    for rc in REGION_COLUMNS {
        let guard = match rc.unique_with {
            None => String::new(),
            Some(keys) => {
                let same: String = keys.iter().map(|k| format!(" AND o.{k} = {t}.{k}", t = rc.table)).collect();
                format!(" AND NOT EXISTS (SELECT 1 FROM {t} o WHERE o.{c} = $2{same})", t = rc.table, c = rc.column)
            }
        };
        let sql = format!("UPDATE {t} SET {c} = $2 WHERE {c} = $1{guard}", t = rc.table, c = rc.column);
        let moved = on_tx!(&mut tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(old.as_str()).bind(new.as_str()).execute(c).await.map(|r| r.rows_affected()))?;
        let left = if rc.unique_with.is_some() {
            let sql = format!("SELECT COUNT(*) FROM {t} WHERE {c} = $1", t = rc.table, c = rc.column);
            let (n,): (i64,) = on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(old.as_str()).fetch_one(c).await)?;
            n
        } else {
            0
        };
        if moved > 0 || left > 0 {
            out.push(Reassigned { records: rc.label, moved, left });
        }
    }
    on_tx!(&mut tx, c => sqlx::query("UPDATE regions SET successor_code = $1 WHERE code = $2")
        .bind(new.as_str()).bind(old.as_str()).execute(c).await.map(|r| r.rows_affected()))?;
    // Monitoring follows: both villages are recomputed by the refresher (the tables' own
    // triggers mark most of them; designations and profiles have none).
    if old.level() == RegionLevel::Village {
        for v in [old, new] {
            on_tx!(&mut tx, c => sqlx::query("INSERT INTO indicator_dirty (village_code) VALUES ($1)")
                .bind(v.as_str()).execute(c).await.map(|r| r.rows_affected()))?;
        }
    }
    let details = make_details(&out);
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "regions.reassign",
            entity: "region",
            entity_id: old.as_str(),
            region_code: new.as_str(),
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
