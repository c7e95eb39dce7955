//! The registry of licensed placement companies (P3MI).

use crate::audit::{self, Actor, Event};
use crate::query::Select;
use crate::{Db, Result, on_db, on_tx};
use domain::agency::NewAgency;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Agency {
    pub id: i64,
    pub name: String,
    pub licence_number: String,
    pub status: String,
    pub valid_from: String,
    pub valid_until: String,
    pub address: String,
    pub phone: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, name, licence_number, status, valid_from, valid_until, address, phone, created_at, updated_at";

pub async fn create(db: &Db, actor: &Actor, a: &NewAgency) -> Result<Agency> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let agency: Agency = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO agencies (name, name_key, licence_number, status, valid_from, valid_until, address, phone, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING {COLUMNS}")))
            .bind(&a.name).bind(&a.name_key).bind(&a.licence_number).bind(a.status.as_str())
            .bind(a.valid_from.to_string()).bind(a.valid_until.to_string()).bind(&a.address).bind(&a.phone).bind(now)
            .fetch_one(c).await
    })?;
    let details = format!("{} {}", agency.licence_number, agency.status);
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "agency.create",
            entity: "agency",
            entity_id: &agency.id.to_string(),
            region_code: "",
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(agency)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Agency>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM agencies WHERE id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// By name words (search keys) or exact licence number, A–Z.
pub async fn search(db: &Db, name_keys: &[String], licence: Option<&str>, limit: i64) -> Result<Vec<Agency>> {
    let mut q = Select::new(format!("SELECT {COLUMNS} FROM agencies WHERE 1=1"));
    for k in name_keys {
        q.and("name_key LIKE ?", &[&format!("%{k}%")]);
    }
    if let Some(l) = licence {
        q.and("UPPER(licence_number) = ?", &[&l.trim().to_uppercase()]);
    }
    q.tail(&format!("ORDER BY name LIMIT {}", limit.clamp(1, 500)));
    q.fetch_all(db).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Branch {
    pub id: i64,
    pub agency_id: i64,
    pub region_code: String,
    pub region_name: String,
    pub address: String,
    pub phone: String,
}

pub async fn add_branch(db: &Db, actor: &Actor, agency: &Agency, b: &domain::agency::NewBranch) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO agency_branches (agency_id, region_code, address, phone, created_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(agency.id).bind(b.region_code.as_str()).bind(&b.address).bind(&b.phone).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "agency.branch",
            entity: "agency",
            entity_id: &agency.id.to_string(),
            region_code: b.region_code.as_str(),
            details: &b.address,
        },
    )
    .await?;
    tx.commit().await
}

pub async fn branches(db: &Db, agency_id: i64) -> Result<Vec<Branch>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT b.id, b.agency_id, b.region_code, r.name AS region_name, b.address, b.phone FROM agency_branches b \
             JOIN regions r ON r.code = b.region_code WHERE b.agency_id = $1 ORDER BY b.region_code, b.id")
            .bind(agency_id).fetch_all(p).await
    })?)
}
