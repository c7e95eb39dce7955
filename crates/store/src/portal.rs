//! The public portal's reads (agency check, verified job orders, job codes, service centers) and
//! the Indonesian missions abroad that national admins keep. Nothing here returns personal data.

use crate::audit::{self, Actor, Event};
use crate::job_orders::JobOrder;
use crate::{Db, Result, on_db, on_tx};
use domain::portal::{JobCode, NewMission};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PublicAgency {
    pub id: i64,
    pub name: String,
    pub licence_number: String,
    pub status: String,
    pub valid_until: String,
    pub address: String,
    pub phone: String,
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Agencies whose licence number is `query` (any case) or whose name holds every word key.
pub async fn search_agencies(db: &Db, licence: &str, name_keys: &[String], limit: i64) -> Result<Vec<PublicAgency>> {
    let mut sql = String::from(
        "SELECT id, name, licence_number, status, valid_until, address, phone FROM agencies WHERE UPPER(licence_number) = $1",
    );
    if !name_keys.is_empty() {
        let conds: Vec<String> =
            (0..name_keys.len()).map(|i| format!("name_key LIKE ${} ESCAPE '\\'", i + 2)).collect();
        sql.push_str(&format!(" OR ({})", conds.join(" AND ")));
    }
    sql.push_str(&format!(" ORDER BY name, id LIMIT {}", limit.clamp(1, 50)));
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(licence.trim().to_uppercase());
        for k in name_keys {
            q = q.bind(format!("%{}%", like_escape(k)));
        }
        q.fetch_all(p).await
    })?)
}

/// The whole registry as the public check compares it (a few hundred companies nationally; capped
/// so a runaway table cannot flood the process).
pub async fn all_agencies(db: &Db) -> Result<Vec<PublicAgency>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, name, licence_number, status, valid_until, address, phone FROM agencies ORDER BY name, id LIMIT 20000",
        )
        .fetch_all(p)
        .await
    })?)
}

/// Verified job orders open to the public on `today` (verified, not expired, from an active
/// agency within its licence), newest first, after the id `before` (keyset pages).
pub async fn public_jobs(
    db: &Db,
    today: &str,
    destination: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT j.id FROM job_orders j JOIN agencies a ON a.id = j.agency_id \
             WHERE j.status = 'verified' AND j.public_code IS NOT NULL AND j.valid_until >= $1 \
               AND a.status = 'active' AND a.valid_until >= $1 AND ($2 = '' OR j.destination = $2) AND j.id < $3 \
             ORDER BY j.id DESC LIMIT {}", limit.clamp(1, 100))))
            .bind(today).bind(destination.unwrap_or("")).bind(before.unwrap_or(i64::MAX))
            .fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The job order holding a public code, whatever its status now.
pub async fn job_by_code(db: &Db, code: &JobCode) -> Result<Option<JobOrder>> {
    let id: Option<(i64,)> = on_db!(db, p => {
        sqlx::query_as("SELECT id FROM job_orders WHERE public_code = $1").bind(code.as_str()).fetch_optional(p).await
    })?;
    match id {
        Some((id,)) => crate::job_orders::get(db, id).await,
        None => Ok(None),
    }
}

/// Gives every verified job order without a code one (for rows verified before codes existed).
pub async fn backfill_codes(db: &Db) -> Result<usize> {
    let ids: Vec<(i64,)> = on_db!(db, p => {
        sqlx::query_as("SELECT id FROM job_orders WHERE status = 'verified' AND public_code IS NULL").fetch_all(p).await
    })?;
    for (id,) in &ids {
        on_db!(db, p => {
            sqlx::query("UPDATE job_orders SET public_code = $1 WHERE id = $2 AND public_code IS NULL")
                .bind(JobCode::generate().as_str()).bind(id).execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(ids.len())
}

/// Inside a transaction: assigns a code to the job order unless it has one.
pub async fn assign_code(tx: &mut crate::Tx, job_order_id: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("UPDATE job_orders SET public_code = $1 WHERE id = $2 AND public_code IS NULL")
            .bind(JobCode::generate().as_str()).bind(job_order_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Mission {
    pub id: i64,
    pub country: String,
    pub kind: String,
    pub name: String,
    pub city: String,
    pub address: String,
    pub phone: String,
    pub hotline: String,
    pub email: String,
    pub website: String,
    pub verified: bool,
    pub updated_at: i64,
}

const MISSION_COLUMNS: &str =
    "id, country, kind, name, city, address, phone, hotline, email, website, verified, updated_at";

/// Missions, by country then name; one country when given.
pub async fn missions(db: &Db, country: Option<&str>) -> Result<Vec<Mission>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MISSION_COLUMNS} FROM missions WHERE ($1 = '' OR country = $1) ORDER BY country, name, id LIMIT 500")))
            .bind(country.unwrap_or("")).fetch_all(p).await
    })?)
}

pub async fn mission(db: &Db, id: i64) -> Result<Option<Mission>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {MISSION_COLUMNS} FROM missions WHERE id = $1")))
            .bind(id).fetch_optional(p).await
    })?)
}

/// Adds (`id` None) or changes a mission, audited as `mission.create` / `mission.update`.
pub async fn save_mission(db: &Db, actor: &Actor, id: Option<i64>, m: &NewMission) -> Result<Option<i64>> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let saved: Option<(i64,)> = match id {
        None => on_tx!(&mut tx, c => {
            sqlx::query_as(
                "INSERT INTO missions (country, kind, name, city, address, phone, hotline, email, website, verified, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id")
                .bind(&m.country).bind(m.kind.as_str()).bind(&m.name).bind(&m.city).bind(&m.address).bind(&m.phone)
                .bind(&m.hotline).bind(&m.email).bind(&m.website).bind(m.verified).bind(now)
                .fetch_optional(c).await
        })?,
        Some(id) => on_tx!(&mut tx, c => {
            sqlx::query_as(
                "UPDATE missions SET country = $1, kind = $2, name = $3, city = $4, address = $5, phone = $6, hotline = $7, \
                 email = $8, website = $9, verified = $10, updated_at = $11 WHERE id = $12 RETURNING id")
                .bind(&m.country).bind(m.kind.as_str()).bind(&m.name).bind(&m.city).bind(&m.address).bind(&m.phone)
                .bind(&m.hotline).bind(&m.email).bind(&m.website).bind(m.verified).bind(now).bind(id)
                .fetch_optional(c).await
        })?,
    };
    let Some((saved,)) = saved else { return Ok(None) };
    let action = if id.is_some() { "mission.update" } else { "mission.create" };
    let details = format!("{} {} verified={}", m.country, m.name, m.verified);
    audit::append(
        &mut tx,
        actor,
        &Event { action, entity: "mission", entity_id: &saved.to_string(), region_code: "", details: &details },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(saved))
}

pub async fn delete_mission(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("DELETE FROM missions WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "mission.delete",
            entity: "mission",
            entity_id: &id.to_string(),
            region_code: "",
            details: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
