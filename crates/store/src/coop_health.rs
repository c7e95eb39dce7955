//! The health assessment's stored part (issue 20, track health): the board's questionnaire
//! answers per cooperative and year. Everything else is read from the books.

use crate::audit::{self, Actor, Event};
use crate::cooperative::Cooperative;
use crate::{Db, Result, on_db, on_tx};

/// The answers of `year`, encoded as `domain::cooperative::health::ManagementAnswers::encode`.
pub async fn answers(db: &Db, coop_id: i64, year: i32) -> Result<Option<String>> {
    let row: Option<(String,)> = on_db!(db, c => {
        sqlx::query_as("SELECT answers FROM coop_health_answers WHERE cooperative_id = $1 AND year = $2")
            .bind(coop_id).bind(year).fetch_optional(c).await
    })?;
    Ok(row.map(|r| r.0))
}

/// Replaces one year's answers, audited in the same transaction.
pub async fn save_answers(db: &Db, actor: &Actor, coop: &Cooperative, year: i32, encoded: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO coop_health_answers (cooperative_id, year, answers, updated_by, updated_at) \
             VALUES ($1,$2,$3,$4,$5) ON CONFLICT (cooperative_id, year) DO UPDATE SET answers = excluded.answers, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(coop.id).bind(year).bind(encoded).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let id = coop.id.to_string();
    let details = format!("year {year}: {encoded}");
    let ev = Event {
        action: "cooperative.health_answers",
        entity: "cooperative",
        entity_id: &id,
        region_code: &coop.village_code,
        details: &details,
    };
    audit::append(&mut tx, actor, &ev).await?;
    tx.commit().await
}

/// Records (or replaces) a year's result, audited in the same transaction.
pub async fn record_result(
    db: &Db,
    actor: &Actor,
    coop: &Cooperative,
    year: i32,
    total_cp: i64,
    predicate: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO coop_health_results (cooperative_id, year, total_cp, predicate, recorded_by, recorded_at) \
             VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (cooperative_id, year) DO UPDATE SET total_cp = excluded.total_cp, \
             predicate = excluded.predicate, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at")
            .bind(coop.id).bind(year).bind(total_cp).bind(predicate).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let id = coop.id.to_string();
    let details = format!("year {year}: {predicate} ({total_cp})");
    let ev = Event {
        action: "cooperative.health_recorded",
        entity: "cooperative",
        entity_id: &id,
        region_code: &coop.village_code,
        details: &details,
    };
    audit::append(&mut tx, actor, &ev).await?;
    tx.commit().await
}

/// The recorded result of a year: (total in hundredths, predicate code).
pub async fn result(db: &Db, coop_id: i64, year: i32) -> Result<Option<(i64, String)>> {
    let row: Option<(i64, String)> = on_db!(db, c => {
        sqlx::query_as("SELECT CAST(total_cp AS BIGINT), predicate FROM coop_health_results WHERE cooperative_id = $1 AND year = $2")
            .bind(coop_id).bind(year).fetch_optional(c).await
    })?;
    Ok(row)
}
