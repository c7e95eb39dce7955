//! The placement policy as data national admins keep: placement bans with their legal
//! source, the zero-cost placement rule (covered job types, cost items, exempt destinations),
//! the no-contact threshold, and the documents requirement matrix.
//!
//! A fresh database is seeded once from the compiled defaults (`flags::Policy::default()`,
//! `requirements::default_matrix()`), recorded by the meta key `policy_seeded`, so it behaves
//! as before the policy became data; from then on the tables are the truth, and an admin who
//! removes a seeded row removes it for good. Every edit is one transaction with its audit
//! entry (`policy.*` actions, entity `policy`).
//!
//! Loading never fails on a bad row: a row whose codes or dates no longer parse is skipped
//! with a warning rather than guessed at (dropping an unreadable category from a ban, say,
//! would widen the ban to every category).

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::person::parse_date;
use domain::service_center::flags::{BanEntry, CostItem, NO_CONTACT_DAYS, Policy, ZeroCostExemption, ZeroCostPolicy};
use domain::service_center::requirements::{Applicability, DocumentKind, DueAt, Requirement, default_matrix};
use domain::service_center::{Category, CountryCode, JobType};
use serde::Serialize;
use std::fmt::Display;
use time::Date;

/// Setting: days without contact before a worker abroad is flagged.
pub const NO_CONTACT_DAYS_KEY: &str = "no_contact_days";
/// Setting: the citation of the zero-cost rule.
pub const ZERO_COST_LEGAL_SOURCE_KEY: &str = "zero_cost_legal_source";
/// Setting: placements departing before this date are not judged by the zero-cost rule
/// (empty: all are).
pub const ZERO_COST_EFFECTIVE_FROM_KEY: &str = "zero_cost_effective_from";
/// Every settings key, in display order.
pub const SETTING_KEYS: [&str; 3] = [NO_CONTACT_DAYS_KEY, ZERO_COST_LEGAL_SOURCE_KEY, ZERO_COST_EFFECTIVE_FROM_KEY];

const SEEDED_KEY: &str = "policy_seeded";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BanRow {
    pub id: i64,
    pub destination: String,
    pub category: Option<String>,
    pub job_type: Option<String>,
    pub legal_source: String,
    pub since: String,
    pub until: Option<String>,
    pub allows_extension: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ExemptionRow {
    pub id: i64,
    pub destination: String,
    pub since: String,
    pub until: Option<String>,
    pub legal_source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RequirementRow {
    pub id: i64,
    pub document: String,
    /// Comma-separated codes; empty: any.
    pub categories: String,
    pub destinations: String,
    pub job_types: String,
    pub due: String,
}

/// The tables as stored, with ids: what the admin page lists (invalid rows included, so
/// they can be removed).
#[derive(Debug, Clone, Default)]
pub struct PolicyRows {
    pub bans: Vec<BanRow>,
    pub job_types: Vec<String>,
    pub cost_items: Vec<String>,
    pub exemptions: Vec<ExemptionRow>,
    /// (key, value), by key.
    pub settings: Vec<(String, String)>,
    pub requirements: Vec<RequirementRow>,
}

impl PolicyRows {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The policy in the domain's terms, as `flags::evaluate` and the checklist use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub policy: Policy,
    pub matrix: Vec<Requirement>,
}

impl Default for Loaded {
    /// The compiled defaults: what a fresh database is seeded with.
    fn default() -> Self {
        Loaded { policy: Policy::default(), matrix: default_matrix() }
    }
}

fn join<T: Display>(items: &[T]) -> String {
    items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

/// Splits a comma-separated list; `None` if any element does not parse.
fn split<T>(list: &str, parse: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(parse).collect()
}

fn date_opt(raw: Option<&str>) -> Option<Option<Date>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => parse_date(s).map(Some),
    }
}

impl BanRow {
    /// The ban, or `None` when a stored code or date does not parse.
    pub fn to_entry(&self) -> Option<BanEntry> {
        let category = match self.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => Some(Category::parse(c)?),
        };
        let job_type = match self.job_type.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(j) => Some(JobType::parse(j)?),
        };
        let entry = BanEntry {
            destination: CountryCode::parse(&self.destination)?,
            category,
            job_type,
            legal_source: self.legal_source.clone(),
            since: parse_date(&self.since)?,
            until: date_opt(self.until.as_deref())?,
            allows_extension: self.allows_extension,
        };
        entry.until.is_none_or(|u| u >= entry.since).then_some(entry)
    }
}

impl ExemptionRow {
    pub fn to_exemption(&self) -> Option<ZeroCostExemption> {
        let e = ZeroCostExemption {
            destination: CountryCode::parse(&self.destination)?,
            since: parse_date(&self.since)?,
            until: date_opt(self.until.as_deref())?,
            legal_source: self.legal_source.clone(),
        };
        e.until.is_none_or(|u| u >= e.since).then_some(e)
    }
}

impl RequirementRow {
    pub fn to_requirement(&self) -> Option<Requirement> {
        Some(Requirement {
            document: DocumentKind::parse(&self.document)?,
            applies: Applicability {
                categories: split(&self.categories, Category::parse)?,
                destinations: split(&self.destinations, CountryCode::parse)?,
                job_types: split(&self.job_types, JobType::parse)?,
            },
            due: DueAt::parse(&self.due)?,
        })
    }
}

/// Builds the domain policy from stored rows, skipping (and logging) rows that do not parse.
/// A missing or unreadable setting falls back to its compiled default.
pub fn to_domain(rows: &PolicyRows) -> Loaded {
    let defaults = ZeroCostPolicy::default();
    let bans = rows
        .bans
        .iter()
        .filter_map(|r| {
            let e = r.to_entry();
            if e.is_none() {
                tracing::warn!(id = r.id, destination = %r.destination, "policy: skipping an invalid placement ban row");
            }
            e
        })
        .collect();
    let job_types = rows
        .job_types
        .iter()
        .filter_map(|j| {
            let p = JobType::parse(j);
            if p.is_none() {
                tracing::warn!(job_type = %j, "policy: skipping an invalid zero-cost job type");
            }
            p
        })
        .collect();
    let cost_items = rows
        .cost_items
        .iter()
        .filter_map(|i| {
            let p = CostItem::parse(i);
            if p.is_none() {
                tracing::warn!(item = %i, "policy: skipping an invalid zero-cost cost item");
            }
            p
        })
        .collect();
    let exemptions = rows
        .exemptions
        .iter()
        .filter_map(|r| {
            let e = r.to_exemption();
            if e.is_none() {
                tracing::warn!(id = r.id, "policy: skipping an invalid zero-cost exemption row");
            }
            e
        })
        .collect();
    let no_contact_days = match rows.setting(NO_CONTACT_DAYS_KEY) {
        None => NO_CONTACT_DAYS,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(d) if d > 0 => d,
            _ => {
                tracing::warn!(value = %v, "policy: invalid no_contact_days setting; using the default");
                NO_CONTACT_DAYS
            }
        },
    };
    let legal_source = rows
        .setting(ZERO_COST_LEGAL_SOURCE_KEY)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or(defaults.legal_source, str::to_string);
    let effective_from = match rows.setting(ZERO_COST_EFFECTIVE_FROM_KEY) {
        None => defaults.effective_from,
        Some(v) => date_opt(Some(v)).unwrap_or_else(|| {
            tracing::warn!(value = %v, "policy: invalid zero_cost_effective_from setting; ignoring it");
            None
        }),
    };
    let matrix = rows
        .requirements
        .iter()
        .filter_map(|r| {
            let q = r.to_requirement();
            if q.is_none() {
                tracing::warn!(id = r.id, document = %r.document, "policy: skipping an invalid requirement row");
            }
            q
        })
        .collect();
    Loaded {
        policy: Policy {
            bans,
            zero_cost: ZeroCostPolicy { legal_source, effective_from, job_types, cost_items, exemptions },
            no_contact_days,
        },
        matrix,
    }
}

/// Seeds the tables from the compiled defaults unless done before. Safe when several
/// servers start at once: the meta row is claimed first, and a second claimant waits on it
/// and then finds it taken. Returns whether this call seeded.
pub async fn ensure_seeded(db: &Db) -> Result<bool> {
    if db.meta_get(SEEDED_KEY).await?.is_some() {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let claimed = on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(SEEDED_KEY).bind("1").execute(c).await.map(|r| r.rows_affected())
    })?;
    if claimed == 0 {
        return Ok(false);
    }
    let d = Loaded::default();
    for b in &d.policy.bans {
        insert_ban(&mut tx, b).await?;
    }
    for j in &d.policy.zero_cost.job_types {
        insert_job_type(&mut tx, j).await?;
    }
    for i in &d.policy.zero_cost.cost_items {
        insert_cost_item(&mut tx, *i).await?;
    }
    for e in &d.policy.zero_cost.exemptions {
        insert_exemption(&mut tx, e).await?;
    }
    let effective = d.policy.zero_cost.effective_from.map(|d| d.to_string()).unwrap_or_default();
    for (key, value) in [
        (NO_CONTACT_DAYS_KEY, d.policy.no_contact_days.to_string()),
        (ZERO_COST_LEGAL_SOURCE_KEY, d.policy.zero_cost.legal_source.clone()),
        (ZERO_COST_EFFECTIVE_FROM_KEY, effective),
    ] {
        upsert_setting(&mut tx, key, &value).await?;
    }
    for r in &d.matrix {
        insert_requirement(&mut tx, r).await?;
    }
    tx.commit().await?;
    tracing::info!("placement policy seeded from the compiled defaults");
    Ok(true)
}

/// Every stored row, seeding first if needed.
pub async fn rows(db: &Db) -> Result<PolicyRows> {
    ensure_seeded(db).await?;
    let bans: Vec<BanRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, destination, category, job_type, legal_source, since, until, allows_extension \
             FROM policy_bans ORDER BY destination, id",
        )
        .fetch_all(p).await
    })?;
    let job_types: Vec<(String,)> = on_db!(db, p => {
        sqlx::query_as("SELECT job_type FROM policy_zero_cost_job_types ORDER BY job_type").fetch_all(p).await
    })?;
    let cost_items: Vec<(String,)> = on_db!(db, p => {
        sqlx::query_as("SELECT item FROM policy_zero_cost_items ORDER BY item").fetch_all(p).await
    })?;
    let exemptions: Vec<ExemptionRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, destination, since, until, legal_source FROM policy_zero_cost_exemptions ORDER BY destination, id",
        )
        .fetch_all(p).await
    })?;
    let settings: Vec<(String, String)> = on_db!(db, p => {
        sqlx::query_as("SELECT key, value FROM policy_settings ORDER BY key").fetch_all(p).await
    })?;
    let requirements: Vec<RequirementRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, document, categories, destinations, job_types, due FROM policy_requirements ORDER BY id",
        )
        .fetch_all(p).await
    })?;
    Ok(PolicyRows {
        bans,
        job_types: job_types.into_iter().map(|(j,)| j).collect(),
        cost_items: cost_items.into_iter().map(|(i,)| i).collect(),
        exemptions,
        settings,
        requirements,
    })
}

/// The whole policy in the domain's terms.
pub async fn load(db: &Db) -> Result<Loaded> {
    Ok(to_domain(&rows(db).await?))
}

async fn audit_policy(tx: &mut Tx, actor: &Actor, action: &str, entity_id: &str, details: &str) -> Result<()> {
    audit::append(tx, actor, &Event { action, entity: "policy", entity_id, region_code: "", details }).await?;
    Ok(())
}

fn ban_details(b: &BanEntry) -> String {
    format!(
        "{} category={} job_type={} since={} until={} extension={}; {}",
        b.destination,
        b.category.map_or("*", |c| c.as_str()),
        b.job_type.as_ref().map_or("*", |j| j.as_str()),
        b.since,
        b.until.map_or_else(|| "-".to_string(), |u| u.to_string()),
        b.allows_extension,
        b.legal_source
    )
}

fn row_details(r: &BanRow) -> String {
    format!(
        "{} category={} job_type={} since={} until={} extension={}; {}",
        r.destination,
        r.category.as_deref().unwrap_or("*"),
        r.job_type.as_deref().unwrap_or("*"),
        r.since,
        r.until.as_deref().unwrap_or("-"),
        r.allows_extension,
        r.legal_source
    )
}

fn requirement_details(r: &Requirement) -> String {
    let any = |s: String| if s.is_empty() { "*".to_string() } else { s };
    format!(
        "{} categories={} destinations={} job_types={} due={}",
        r.document,
        any(join(&r.applies.categories)),
        any(join(&r.applies.destinations)),
        any(join(&r.applies.job_types)),
        r.due
    )
}

async fn insert_ban(tx: &mut Tx, b: &BanEntry) -> Result<i64> {
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut *tx, c => {
        sqlx::query_as(
            "INSERT INTO policy_bans (destination, category, job_type, legal_source, since, until, allows_extension, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id",
        )
        .bind(b.destination.as_str()).bind(b.category.map(|c| c.as_str())).bind(b.job_type.as_ref().map(|j| j.as_str()))
        .bind(&b.legal_source).bind(b.since.to_string()).bind(b.until.map(|u| u.to_string())).bind(b.allows_extension)
        .bind(now)
        .fetch_one(c).await
    })?;
    Ok(id)
}

async fn insert_job_type(tx: &mut Tx, j: &JobType) -> Result<bool> {
    let n = on_tx!(&mut *tx, c => {
        sqlx::query("INSERT INTO policy_zero_cost_job_types (job_type, created_at) VALUES ($1, $2) ON CONFLICT (job_type) DO NOTHING")
            .bind(j.as_str()).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

async fn insert_cost_item(tx: &mut Tx, i: CostItem) -> Result<bool> {
    let n = on_tx!(&mut *tx, c => {
        sqlx::query("INSERT INTO policy_zero_cost_items (item, created_at) VALUES ($1, $2) ON CONFLICT (item) DO NOTHING")
            .bind(i.as_str()).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

async fn insert_exemption(tx: &mut Tx, e: &ZeroCostExemption) -> Result<i64> {
    let (id,): (i64,) = on_tx!(&mut *tx, c => {
        sqlx::query_as(
            "INSERT INTO policy_zero_cost_exemptions (destination, since, until, legal_source, created_at) \
             VALUES ($1,$2,$3,$4,$5) RETURNING id",
        )
        .bind(e.destination.as_str()).bind(e.since.to_string()).bind(e.until.map(|u| u.to_string()))
        .bind(&e.legal_source).bind(crate::now())
        .fetch_one(c).await
    })?;
    Ok(id)
}

async fn upsert_setting(tx: &mut Tx, key: &str, value: &str) -> Result<()> {
    on_tx!(&mut *tx, c => {
        sqlx::query(
            "INSERT INTO policy_settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key).bind(value).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

async fn insert_requirement(tx: &mut Tx, r: &Requirement) -> Result<i64> {
    let (id,): (i64,) = on_tx!(&mut *tx, c => {
        sqlx::query_as(
            "INSERT INTO policy_requirements (document, categories, destinations, job_types, due, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(r.document.as_str()).bind(join(&r.applies.categories)).bind(join(&r.applies.destinations))
        .bind(join(&r.applies.job_types)).bind(r.due.as_str()).bind(crate::now())
        .fetch_one(c).await
    })?;
    Ok(id)
}

async fn ban_row(tx: &mut Tx, id: i64) -> Result<Option<BanRow>> {
    Ok(on_tx!(&mut *tx, c => {
        sqlx::query_as(
            "SELECT id, destination, category, job_type, legal_source, since, until, allows_extension \
             FROM policy_bans WHERE id = $1",
        )
        .bind(id).fetch_optional(c).await
    })?)
}

/// One stored ban by id.
pub async fn ban(db: &Db, id: i64) -> Result<Option<BanRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, destination, category, job_type, legal_source, since, until, allows_extension \
             FROM policy_bans WHERE id = $1",
        )
        .bind(id).fetch_optional(p).await
    })?)
}

/// Adds a placement ban; returns its id.
pub async fn add_ban(db: &Db, actor: &Actor, b: &BanEntry) -> Result<i64> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let id = insert_ban(&mut tx, b).await?;
    audit_policy(&mut tx, actor, "policy.ban.add", &format!("ban/{id}"), &ban_details(b)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a ban's fields (dates, legal source, extension rule…); false if there is none.
pub async fn update_ban(db: &Db, actor: &Actor, id: i64, b: &BanEntry) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let Some(before) = ban_row(&mut tx, id).await? else { return Ok(false) };
    on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE policy_bans SET destination = $1, category = $2, job_type = $3, legal_source = $4, since = $5, \
             until = $6, allows_extension = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(b.destination.as_str()).bind(b.category.map(|c| c.as_str())).bind(b.job_type.as_ref().map(|j| j.as_str()))
        .bind(&b.legal_source).bind(b.since.to_string()).bind(b.until.map(|u| u.to_string())).bind(b.allows_extension)
        .bind(crate::now()).bind(id)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} -> {}", row_details(&before), ban_details(b));
    audit_policy(&mut tx, actor, "policy.ban.update", &format!("ban/{id}"), &details).await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes a ban; false if there is none.
pub async fn remove_ban(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let Some(before) = ban_row(&mut tx, id).await? else { return Ok(false) };
    on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM policy_bans WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    audit_policy(&mut tx, actor, "policy.ban.remove", &format!("ban/{id}"), &row_details(&before)).await?;
    tx.commit().await?;
    Ok(true)
}

/// Adds a job type to the zero-cost rule; false if it is covered already.
pub async fn add_job_type(db: &Db, actor: &Actor, j: &JobType) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    if !insert_job_type(&mut tx, j).await? {
        return Ok(false);
    }
    audit_policy(&mut tx, actor, "policy.job_type.add", &format!("job_type/{j}"), j.as_str()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes a job type (by stored code, valid or not); false if it was not there.
pub async fn remove_job_type(db: &Db, actor: &Actor, code: &str) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM policy_zero_cost_job_types WHERE job_type = $1").bind(code).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    audit_policy(&mut tx, actor, "policy.job_type.remove", &format!("job_type/{code}"), code).await?;
    tx.commit().await?;
    Ok(true)
}

/// Adds a cost item to the zero-cost rule; false if it is covered already.
pub async fn add_cost_item(db: &Db, actor: &Actor, i: CostItem) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    if !insert_cost_item(&mut tx, i).await? {
        return Ok(false);
    }
    audit_policy(&mut tx, actor, "policy.cost_item.add", &format!("cost_item/{i}"), i.as_str()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes a cost item (by stored code); false if it was not there.
pub async fn remove_cost_item(db: &Db, actor: &Actor, code: &str) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM policy_zero_cost_items WHERE item = $1").bind(code).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    audit_policy(&mut tx, actor, "policy.cost_item.remove", &format!("cost_item/{code}"), code).await?;
    tx.commit().await?;
    Ok(true)
}

/// Exempts a destination from the zero-cost rule for a period; returns the row id.
pub async fn add_exemption(db: &Db, actor: &Actor, e: &ZeroCostExemption) -> Result<i64> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let id = insert_exemption(&mut tx, e).await?;
    let details = format!(
        "{} since={} until={}; {}",
        e.destination,
        e.since,
        e.until.map_or_else(|| "-".to_string(), |u| u.to_string()),
        e.legal_source
    );
    audit_policy(&mut tx, actor, "policy.exemption.add", &format!("exemption/{id}"), &details).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes an exemption; false if there is none.
pub async fn remove_exemption(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let before: Option<ExemptionRow> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT id, destination, since, until, legal_source FROM policy_zero_cost_exemptions WHERE id = $1")
            .bind(id).fetch_optional(c).await
    })?;
    let Some(before) = before else { return Ok(false) };
    on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM policy_zero_cost_exemptions WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!(
        "{} since={} until={}; {}",
        before.destination,
        before.since,
        before.until.as_deref().unwrap_or("-"),
        before.legal_source
    );
    audit_policy(&mut tx, actor, "policy.exemption.remove", &format!("exemption/{id}"), &details).await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets the checked settings that changed (`SETTING_KEYS`), one audit entry each; returns
/// how many changed.
pub async fn set_settings(db: &Db, actor: &Actor, values: &[(&str, String)]) -> Result<usize> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let mut changed = 0;
    for (key, value) in values {
        let old: Option<(String,)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT value FROM policy_settings WHERE key = $1").bind(*key).fetch_optional(c).await
        })?;
        let old = old.map(|(v,)| v);
        if old.as_deref() == Some(value.as_str()) {
            continue;
        }
        upsert_setting(&mut tx, key, value).await?;
        let details = format!("{} -> {}", old.as_deref().unwrap_or("-"), value);
        audit_policy(&mut tx, actor, "policy.setting.set", &format!("setting/{key}"), &details).await?;
        changed += 1;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Adds a row to the requirement matrix (after the others); returns its id.
pub async fn add_requirement(db: &Db, actor: &Actor, r: &Requirement) -> Result<i64> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let id = insert_requirement(&mut tx, r).await?;
    audit_policy(&mut tx, actor, "policy.requirement.add", &format!("requirement/{id}"), &requirement_details(r))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a row of the requirement matrix; false if there is none.
pub async fn remove_requirement(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    ensure_seeded(db).await?;
    let mut tx = db.begin().await?;
    let before: Option<RequirementRow> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT id, document, categories, destinations, job_types, due FROM policy_requirements WHERE id = $1")
            .bind(id).fetch_optional(c).await
    })?;
    let Some(before) = before else { return Ok(false) };
    on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM policy_requirements WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!(
        "{} categories={} destinations={} job_types={} due={}",
        before.document, before.categories, before.destinations, before.job_types, before.due
    );
    audit_policy(&mut tx, actor, "policy.requirement.remove", &format!("requirement/{id}"), &details).await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(loaded: &Loaded) -> PolicyRows {
        let p = &loaded.policy;
        PolicyRows {
            bans: p
                .bans
                .iter()
                .enumerate()
                .map(|(i, b)| BanRow {
                    id: i as i64,
                    destination: b.destination.to_string(),
                    category: b.category.map(|c| c.as_str().to_string()),
                    job_type: b.job_type.as_ref().map(|j| j.to_string()),
                    legal_source: b.legal_source.clone(),
                    since: b.since.to_string(),
                    until: b.until.map(|u| u.to_string()),
                    allows_extension: b.allows_extension,
                })
                .collect(),
            job_types: p.zero_cost.job_types.iter().map(|j| j.to_string()).collect(),
            cost_items: p.zero_cost.cost_items.iter().map(|i| i.to_string()).collect(),
            exemptions: p
                .zero_cost
                .exemptions
                .iter()
                .enumerate()
                .map(|(i, e)| ExemptionRow {
                    id: i as i64,
                    destination: e.destination.to_string(),
                    since: e.since.to_string(),
                    until: e.until.map(|u| u.to_string()),
                    legal_source: e.legal_source.clone(),
                })
                .collect(),
            settings: vec![
                (NO_CONTACT_DAYS_KEY.into(), p.no_contact_days.to_string()),
                (ZERO_COST_LEGAL_SOURCE_KEY.into(), p.zero_cost.legal_source.clone()),
                (ZERO_COST_EFFECTIVE_FROM_KEY.into(), String::new()),
            ],
            requirements: loaded
                .matrix
                .iter()
                .enumerate()
                .map(|(i, r)| RequirementRow {
                    id: i as i64,
                    document: r.document.to_string(),
                    categories: join(&r.applies.categories),
                    destinations: join(&r.applies.destinations),
                    job_types: join(&r.applies.job_types),
                    due: r.due.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn defaults_survive_the_round_trip_through_rows() {
        let d = Loaded::default();
        assert_eq!(to_domain(&rows_of(&d)), d);
    }

    #[test]
    fn invalid_rows_are_skipped_not_widened() {
        let d = Loaded::default();
        let mut rows = rows_of(&d);
        rows.bans[0].category = Some("nobody".into());
        rows.bans[1].since = "yesterday".into();
        rows.bans[2].until = Some("2000-01-01".into());
        rows.job_types.push("Not A Code!".into());
        rows.cost_items.push("bribe".into());
        rows.exemptions[0].destination = "Taiwan".into();
        rows.requirements[0].destinations = "MY,Malaysia".into();
        rows.requirements[1].due = "someday".into();
        rows.settings[0].1 = "-3".into();
        rows.settings[2].1 = "soon".into();
        let l = to_domain(&rows);
        assert_eq!(l.policy.bans.len(), d.policy.bans.len() - 3);
        assert_eq!(l.policy.zero_cost.job_types, d.policy.zero_cost.job_types);
        assert_eq!(l.policy.zero_cost.cost_items, d.policy.zero_cost.cost_items);
        assert!(l.policy.zero_cost.exemptions.is_empty());
        assert_eq!(l.matrix.len(), d.matrix.len() - 2);
        assert_eq!(l.policy.no_contact_days, NO_CONTACT_DAYS);
        assert_eq!(l.policy.zero_cost.effective_from, None);
    }

    #[test]
    fn missing_settings_fall_back_to_the_defaults() {
        let mut rows = rows_of(&Loaded::default());
        rows.settings.clear();
        assert_eq!(to_domain(&rows), Loaded::default());
        rows.settings.push((ZERO_COST_EFFECTIVE_FROM_KEY.into(), "2021-07-15".into()));
        assert_eq!(to_domain(&rows).policy.zero_cost.effective_from, parse_date("2021-07-15"));
    }
}
