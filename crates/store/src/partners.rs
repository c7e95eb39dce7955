//! The registry of partner organisations cases are referred to (IOM, BP3MI, LPSK, safe
//! houses…), edited by national admins.

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, on_db, on_tx};
use domain::RegionCode;
use domain::cases::{PartnerId, PartnerProfile, PartnerType, Service};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub partner_type: String,
    /// None: national.
    pub region_code: Option<String>,
    /// Service codes, comma-separated.
    pub services: String,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub website: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Partner {
    pub fn service_list(&self) -> Vec<Service> {
        parse_services(&self.services)
    }

    pub fn service_codes(&self) -> Vec<String> {
        self.service_list().iter().map(|s| s.as_str().to_string()).collect()
    }

    /// What referral checks need. An unknown stored type counts as `other` (no default services).
    pub fn profile(&self) -> PartnerProfile {
        PartnerProfile {
            id: PartnerId(self.id),
            partner_type: PartnerType::parse(&self.partner_type).unwrap_or(PartnerType::Other),
            services: self.service_list().into_iter().collect(),
            active: self.active,
            region: self.region_code.as_deref().and_then(|c| c.parse::<RegionCode>().ok()),
        }
    }
}

/// Codes as stored: comma-separated; unknown ones are skipped.
pub fn parse_services(s: &str) -> Vec<Service> {
    let set: BTreeSet<Service> = s.split(',').filter_map(Service::parse).collect();
    set.into_iter().collect()
}

pub fn join_services(services: &BTreeSet<Service>) -> String {
    services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

const COLUMNS: &str = "id, name, partner_type, region_code, services, contact_name, phone, email, address, website, \
    active, created_at, updated_at";

/// A validated partner record.
#[derive(Debug, Clone)]
pub struct PartnerInput {
    pub name: String,
    pub partner_type: PartnerType,
    pub region_code: Option<RegionCode>,
    pub services: BTreeSet<Service>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub website: String,
    pub active: bool,
}

fn details(p: &PartnerInput) -> String {
    format!(
        "{} type={} region={} services={} active={}",
        p.name,
        p.partner_type,
        p.region_code.as_ref().map_or("national", |r| r.as_str()),
        join_services(&p.services),
        p.active
    )
}

pub async fn create(db: &Db, actor: &Actor, p: &PartnerInput) -> Result<Partner> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let row: Partner = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO partners (name, partner_type, region_code, services, contact_name, phone, email, address, website, \
             active, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING {COLUMNS}")))
            .bind(&p.name).bind(p.partner_type.as_str()).bind(p.region_code.as_ref().map(|r| r.as_str()))
            .bind(join_services(&p.services)).bind(&p.contact_name).bind(&p.phone).bind(&p.email).bind(&p.address)
            .bind(&p.website).bind(p.active).bind(now)
            .fetch_one(c).await
    })?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "partner.create",
            entity: "partner",
            entity_id: &row.id.to_string(),
            region_code: row.region_code.as_deref().unwrap_or(""),
            details: &details(p),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Replaces a partner's record. Ok(None) when there is no such partner.
pub async fn update(db: &Db, actor: &Actor, id: i64, p: &PartnerInput) -> Result<Option<Partner>> {
    let mut tx = db.begin().await?;
    let row: Option<Partner> = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE partners SET name = $1, partner_type = $2, region_code = $3, services = $4, contact_name = $5, \
             phone = $6, email = $7, address = $8, website = $9, active = $10, updated_at = $11 WHERE id = $12 \
             RETURNING {COLUMNS}")))
            .bind(&p.name).bind(p.partner_type.as_str()).bind(p.region_code.as_ref().map(|r| r.as_str()))
            .bind(join_services(&p.services)).bind(&p.contact_name).bind(&p.phone).bind(&p.email).bind(&p.address)
            .bind(&p.website).bind(p.active).bind(crate::now()).bind(id)
            .fetch_optional(c).await
    })?;
    let Some(row) = row else { return Ok(None) };
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "partner.update",
            entity: "partner",
            entity_id: &id.to_string(),
            region_code: row.region_code.as_deref().unwrap_or(""),
            details: &details(p),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(row))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Partner>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM partners WHERE id = $1")))
            .bind(id).fetch_optional(p).await
    })?)
}

/// Every partner, by name; inactive ones too unless `active_only`.
pub async fn list(db: &Db, active_only: bool) -> Result<Vec<Partner>> {
    let filter = if active_only { "WHERE active = TRUE" } else { "" };
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM partners {filter} ORDER BY name")))
            .fetch_all(p).await
    })?)
}

/// Active accounts of a partner organisation.
pub async fn users_of(db: &Db, partner_id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, username, full_name FROM users WHERE partner_id = $1 AND disabled = FALSE ORDER BY full_name")
            .bind(partner_id).fetch_all(p).await
    })?)
}
