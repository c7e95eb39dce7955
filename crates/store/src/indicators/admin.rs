//! What national admins keep: program targets and the pillar / program criteria.

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, on_db, on_tx};
use domain::monitoring::{Condition, Subject, ValidTarget};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Target {
    pub id: i64,
    pub year: i64,
    pub region_code: String,
    pub indicator: String,
    pub target: Option<i64>,
    pub historical_actual: Option<i64>,
    pub note: String,
}

const TARGET_COLUMNS: &str =
    "id, CAST(year AS BIGINT) AS year, region_code, indicator, target, historical_actual, note";

/// Targets of a level ('' national), oldest year first.
pub async fn targets(db: &Db, region_code: &str) -> Result<Vec<Target>> {
    Ok(on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TARGET_COLUMNS} FROM monitoring_targets WHERE region_code = $1 ORDER BY year, indicator")))
        .bind(region_code).fetch_all(p).await)?)
}

/// Creates or replaces the target of (year, level, indicator), audited.
pub async fn save_target(db: &Db, actor: &Actor, t: &ValidTarget) -> Result<Target> {
    let region = t.region.as_ref().map(|r| r.as_str().to_string()).unwrap_or_default();
    let mut tx = db.begin().await?;
    let saved: Target = on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO monitoring_targets (year, region_code, indicator, target, historical_actual, note, updated_by, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (year, region_code, indicator) DO UPDATE SET target = excluded.target, \
         historical_actual = excluded.historical_actual, note = excluded.note, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at RETURNING {TARGET_COLUMNS}")))
        .bind(t.year).bind(&region).bind(&t.indicator).bind(t.target).bind(t.historical_actual).bind(&t.note)
        .bind(actor.user_id).bind(crate::now()).fetch_one(c).await)?;
    let details = format!(
        "{} {} target={} historical={}",
        t.year,
        t.indicator,
        t.target.map(|v| v.to_string()).unwrap_or_default(),
        t.historical_actual.map(|v| v.to_string()).unwrap_or_default()
    );
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "monitoring.target",
            entity: "target",
            entity_id: &saved.id.to_string(),
            region_code: &region,
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CriterionRow {
    pub id: i64,
    pub subject: String,
    pub indicator: String,
    pub min_value: i64,
    pub window_months: i64,
    pub note: String,
}

pub async fn criteria(db: &Db) -> Result<Vec<CriterionRow>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, subject, indicator, min_value, CAST(window_months AS BIGINT) AS window_months, note \
         FROM monitoring_criteria ORDER BY subject, id").fetch_all(p).await)?)
}

/// Adds a condition; every program village is recomputed by the next refresh.
pub async fn add_criterion(db: &Db, actor: &Actor, subject: &Subject, c: &Condition, note: &str) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id: (i64,) = on_tx!(&mut tx, x => sqlx::query_as(
        "INSERT INTO monitoring_criteria (subject, indicator, min_value, window_months, note, updated_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
        .bind(subject.as_string()).bind(&c.indicator).bind(c.min_value).bind(c.window_months as i32).bind(note).bind(crate::now())
        .fetch_one(x).await)?;
    super::refresh::mark_program_villages(&mut tx).await?;
    let details = format!("{} {} >= {} over {} months", subject.as_string(), c.indicator, c.min_value, c.window_months);
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "monitoring.criterion_add",
            entity: "criterion",
            entity_id: &id.0.to_string(),
            region_code: "",
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id.0)
}

/// Removes a condition; `false` when there was none with this id.
pub async fn remove_criterion(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("DELETE FROM monitoring_criteria WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    super::refresh::mark_program_villages(&mut tx).await?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "monitoring.criterion_remove",
            entity: "criterion",
            entity_id: &id.to_string(),
            region_code: "",
            details: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
