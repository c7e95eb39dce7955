//! Job orders (demand letters) of placement agencies, with the costs they charge the worker.
//!
//! Every row read carries its agency's name, status and licence end, so whether a job order
//! can be chosen (`domain::service_center::selectable`) is decided from one read.

use crate::audit::{self, Actor, Event};
use crate::query::Select;
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::agency::AgencyStatus;
use domain::service_center::{CostItem, NewJobOrder, NotSelectable, VerificationStatus, why_not_selectable};
use serde::Serialize;
use time::Date;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobOrder {
    pub id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub agency_status: String,
    /// The end of the agency's licence (YYYY-MM-DD).
    pub agency_valid_until: String,
    pub reference: String,
    pub destination: String,
    pub employer: String,
    pub job_type: String,
    pub salary_amount: i64,
    pub salary_currency: String,
    pub quota: i64,
    pub valid_from: String,
    pub valid_until: String,
    /// unverified, verified or rejected.
    pub status: String,
    /// Who last verified or rejected it.
    pub verified_by: Option<i64>,
    pub verified_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The short code printed on flyers and checked on the public portal (set on verification).
    pub public_code: Option<String>,
    /// Costs charged to the worker, in `CostItem` order.
    #[sqlx(skip)]
    pub costs: Vec<JobOrderCost>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobOrderCost {
    pub job_order_id: i64,
    pub item: String,
    pub amount_rupiah: i64,
}

impl JobOrder {
    /// Why it cannot be chosen for a placement on `today`; `None` when it can. Stored values
    /// that do not parse (never written by this code) count against the job order.
    pub fn why_not_selectable(&self, today: Date) -> Option<NotSelectable> {
        let status = VerificationStatus::parse(&self.status).unwrap_or(VerificationStatus::Unverified);
        let agency_status = AgencyStatus::parse(&self.agency_status).unwrap_or(AgencyStatus::Suspended);
        let day = |s: &str| domain::person::parse_date(s).unwrap_or(Date::MIN);
        why_not_selectable(status, day(&self.valid_until), agency_status, day(&self.agency_valid_until), today)
    }

    /// The sum of the costs charged to the worker, in rupiah (saturating; each row is capped
    /// far below overflow by validation).
    pub fn total_costs(&self) -> i64 {
        self.costs.iter().fold(0i64, |t, c| t.saturating_add(c.amount_rupiah))
    }
}

const COLUMNS: &str = "j.id, j.agency_id, a.name AS agency_name, a.status AS agency_status, \
    a.valid_until AS agency_valid_until, j.reference, j.destination, j.employer, j.job_type, j.salary_amount, \
    j.salary_currency, j.quota, j.valid_from, j.valid_until, j.status, j.verified_by, j.verified_at, j.created_at, \
    j.updated_at, j.public_code";

const FROM: &str = "FROM job_orders j JOIN agencies a ON a.id = j.agency_id";

async fn audit_job_order(tx: &mut Tx, actor: &Actor, id: i64, action: &str, details: &str) -> Result<()> {
    audit::append(
        tx,
        actor,
        &Event { action, entity: "job_order", entity_id: &id.to_string(), region_code: "", details },
    )
    .await
    .map(|_| ())
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<JobOrder> {
    let mut jo: JobOrder = on_tx!(&mut *tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {FROM} WHERE j.id = $1"))).bind(id).fetch_one(c).await
    })?;
    let mut costs: Vec<JobOrderCost> = on_tx!(&mut *tx, c => {
        sqlx::query_as("SELECT job_order_id, item, amount_rupiah FROM job_order_costs WHERE job_order_id = $1")
            .bind(id).fetch_all(c).await
    })?;
    sort_costs(&mut costs);
    jo.costs = costs;
    Ok(jo)
}

fn sort_costs(costs: &mut [JobOrderCost]) {
    costs.sort_by_key(|c| (c.job_order_id, CostItem::parse(&c.item), c.item.clone()));
}

/// Records a job order (status `unverified`) with its costs in one transaction, audited as
/// `job_order.create`. The agency must exist (a foreign key); a reference the agency already
/// used is a unique violation (`crate::is_unique_violation`).
pub async fn create(db: &Db, actor: &Actor, j: &NewJobOrder) -> Result<JobOrder> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO job_orders (agency_id, reference, destination, employer, job_type, salary_amount, salary_currency, \
             quota, valid_from, valid_until, status, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'unverified',$11,$11) RETURNING id")
            .bind(j.agency_id).bind(&j.reference).bind(j.destination.as_str()).bind(&j.employer).bind(j.job_type.as_str())
            .bind(j.salary_amount).bind(&j.salary_currency).bind(j.quota).bind(j.valid_from.to_string())
            .bind(j.valid_until.to_string()).bind(now)
            .fetch_one(c).await
    })?;
    for cost in &j.costs {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO job_order_costs (job_order_id, item, amount_rupiah) VALUES ($1, $2, $3)")
                .bind(id).bind(cost.item.as_str()).bind(cost.amount.amount()).execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let details = format!(
        "agency {} {} {} {} quota {} until {}",
        j.agency_id, j.reference, j.destination, j.job_type, j.quota, j.valid_until
    );
    audit_job_order(&mut tx, actor, id, "job_order.create", &details).await?;
    let jo = get_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(jo)
}

/// One job order with its costs.
pub async fn get(db: &Db, id: i64) -> Result<Option<JobOrder>> {
    let jo: Option<JobOrder> = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {FROM} WHERE j.id = $1"))).bind(id).fetch_optional(p).await
    })?;
    let Some(mut jo) = jo else { return Ok(None) };
    attach_costs(db, std::slice::from_mut(&mut jo)).await?;
    Ok(Some(jo))
}

/// Which job orders `list` returns.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter {
    pub agency_id: Option<i64>,
    /// Only those that can be chosen on this day: verified, `valid_until` not passed, from an
    /// active agency whose licence has not ended.
    pub selectable_on: Option<Date>,
    /// Only those after this one in the list's order: the `(valid_until, id)` of the last job
    /// order of the previous page.
    pub after: Option<(Date, i64)>,
    /// At most this many, 1–501 (a page of 500 and one to tell whether more follow; 500 when
    /// absent).
    pub limit: Option<i64>,
}

/// Job orders with their costs, latest validity first (then the newest id), at most
/// `f.limit`.
pub async fn list(db: &Db, f: ListFilter) -> Result<Vec<JobOrder>> {
    let mut q = Select::new(format!("SELECT {COLUMNS} {FROM} WHERE 1=1"));
    if let Some(agency) = f.agency_id {
        q.and("j.agency_id = CAST(? AS BIGINT)", &[&agency.to_string()]);
    }
    if let Some((until, id)) = f.after {
        let until = until.to_string();
        q.and(
            "(j.valid_until < ? OR (j.valid_until = ? AND j.id < CAST(? AS BIGINT)))",
            &[&until, &until, &id.to_string()],
        );
    }
    if let Some(today) = f.selectable_on {
        let today = today.to_string();
        q.and("j.status = 'verified' AND j.valid_until >= ?", &[&today]);
        q.and("a.status = 'active' AND a.valid_until >= ?", &[&today]);
    }
    q.tail(&format!("ORDER BY j.valid_until DESC, j.id DESC LIMIT {}", f.limit.unwrap_or(500).clamp(1, 501)));
    let mut items: Vec<JobOrder> = q.fetch_all(db).await?;
    attach_costs(db, &mut items).await?;
    Ok(items)
}

/// An agency's job orders, whatever their status.
pub async fn list_for_agency(db: &Db, agency_id: i64) -> Result<Vec<JobOrder>> {
    list(db, ListFilter { agency_id: Some(agency_id), ..Default::default() }).await
}

/// Job orders that can be chosen for a placement on `today` (see [`ListFilter::selectable_on`]),
/// latest validity first, at most `limit` (1–500). With `text`, only those whose id it is, or
/// whose reference, employer, agency name or job type holds each of its words (any case).
pub async fn selectable(db: &Db, today: Date, text: &str, limit: i64) -> Result<Vec<JobOrder>> {
    let today = today.to_string();
    let mut q = Select::new(format!("SELECT {COLUMNS} {FROM} WHERE 1=1"));
    q.and("j.status = 'verified' AND j.valid_until >= ?", &[&today]);
    q.and("a.status = 'active' AND a.valid_until >= ?", &[&today]);
    let text = text.trim();
    if let Ok(id) = text.trim_start_matches('#').parse::<i64>() {
        q.and("j.id = CAST(? AS BIGINT)", &[&id.to_string()]);
    } else {
        for w in text.split_whitespace().take(8) {
            q.and(
                "LOWER(j.reference || ' ' || j.employer || ' ' || a.name || ' ' || j.job_type) LIKE ? ESCAPE '\\'",
                &[&crate::regions::like_escape(&w.to_lowercase())],
            );
        }
    }
    q.tail(&format!("ORDER BY j.valid_until DESC, j.id DESC LIMIT {}", limit.clamp(1, 500)));
    let mut items: Vec<JobOrder> = q.fetch_all(db).await?;
    attach_costs(db, &mut items).await?;
    Ok(items)
}

async fn attach_costs(db: &Db, items: &mut [JobOrder]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=items.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT job_order_id, item, amount_rupiah FROM job_order_costs WHERE job_order_id IN ({})",
        placeholders.join(",")
    );
    let mut costs: Vec<JobOrderCost> = on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
        for jo in items.iter() {
            q = q.bind(jo.id);
        }
        q.fetch_all(p).await
    })?;
    sort_costs(&mut costs);
    for jo in items.iter_mut() {
        jo.costs = costs.iter().filter(|c| c.job_order_id == jo.id).cloned().collect();
    }
    Ok(())
}

/// Records the labour attaché's decision, audited as `job_order.verify` or `job_order.reject`
/// (`job_order.unverify` for a reset). Setting the status it already has changes nothing.
/// `None` when there is no such job order.
pub async fn set_status(db: &Db, actor: &Actor, id: i64, status: VerificationStatus) -> Result<Option<JobOrder>> {
    let mut tx = db.begin().await?;
    let current: Option<(String,)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT status FROM job_orders WHERE id = $1").bind(id).fetch_optional(c).await
    })?;
    let Some((current,)) = current else { return Ok(None) };
    if current != status.as_str() {
        let now = crate::now();
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE job_orders SET status = $1, verified_by = $2, verified_at = $3, updated_at = $3 WHERE id = $4")
                .bind(status.as_str()).bind(actor.user_id).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
        })?;
        let action = match status {
            VerificationStatus::Verified => "job_order.verify",
            VerificationStatus::Rejected => "job_order.reject",
            VerificationStatus::Unverified => "job_order.unverify",
        };
        audit_job_order(&mut tx, actor, id, action, &format!("{current} -> {status}")).await?;
        if status == VerificationStatus::Verified {
            crate::portal::assign_code(&mut tx, id).await?;
        }
    }
    let jo = get_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Some(jo))
}
