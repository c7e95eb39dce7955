//! Protection cases (issue 4): the case record and its timeline of steps.
//!
//! Who may open a case is decided above this layer (`domain::cases::can_open`); nothing here
//! filters by viewer. Audit details never carry a description or a person's name: the log is
//! read by admins who may not open restricted cases.

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, on_db, on_tx};
use domain::RegionCode;
use domain::cases::{CaseTransition, CaseType, Severity};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Case {
    pub id: i64,
    pub case_type: String,
    pub severity: String,
    pub description: String,
    pub village_code: String,
    pub person_id: Option<i64>,
    pub restricted: bool,
    pub status: String,
    pub status_date: String,
    pub handler_user_id: Option<i64>,
    pub due_on: Option<String>,
    pub outcome: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Case {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

const COLUMNS: &str = "id, case_type, severity, description, village_code, person_id, restricted, status, status_date, \
    handler_user_id, due_on, outcome, created_by, created_at, updated_at";

/// A validated case, ready to store.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub case_type: CaseType,
    pub severity: Severity,
    /// Trimmed, 5..=5000 characters.
    pub description: String,
    /// A village that exists.
    pub village_code: RegionCode,
    pub person_id: Option<i64>,
    /// Restricted by type or marked by hand.
    pub restricted: bool,
    pub handler_user_id: Option<i64>,
    pub due_on: Option<time::Date>,
}

async fn audit_case(tx: &mut crate::Tx, actor: &Actor, c: &Case, action: &str, details: &str) -> Result<()> {
    audit::append(
        tx,
        actor,
        &Event { action, entity: "case", entity_id: &c.id.to_string(), region_code: &c.village_code, details },
    )
    .await
    .map(|_| ())
}

/// What the audit log may say about a case: its type and severity, or for a restricted case
/// only that it is restricted.
fn audit_label(c: &Case) -> String {
    if c.restricted { format!("restricted {}", c.severity) } else { format!("{} {}", c.case_type, c.severity) }
}

/// Opens a case in status `new` on `today`, with its first timeline entry.
pub async fn create(db: &Db, actor: &Actor, n: &NewCase, today: time::Date) -> Result<Case> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let case: Case = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO cases (case_type, severity, description, village_code, person_id, restricted, status, status_date, \
             handler_user_id, due_on, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,'new',$7,$8,$9,$10,$11,$11) \
             RETURNING {COLUMNS}")))
            .bind(n.case_type.as_str()).bind(n.severity.as_str()).bind(&n.description).bind(n.village_code.as_str())
            .bind(n.person_id).bind(n.restricted).bind(today.to_string()).bind(n.handler_user_id)
            .bind(n.due_on.map(|d| d.to_string())).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO case_events (case_id, from_status, to_status, on_date, by_user, at) VALUES ($1, NULL, 'new', $2, $3, $4)")
            .bind(case.id).bind(today.to_string()).bind(actor.user_id).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    audit_case(&mut tx, actor, &case, "case.create", &audit_label(&case)).await?;
    tx.commit().await?;
    Ok(case)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Case>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM cases WHERE id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Cases in or under `within` (everything when `None`), newest first, `limit` after the
/// keyset `before_id` (exclusive). The caller filters by who may open each.
pub async fn list_in(db: &Db, within: Option<&RegionCode>, before_id: Option<i64>, limit: i64) -> Result<Vec<Case>> {
    let mut q = crate::query::Select::new(format!("SELECT {COLUMNS} FROM cases WHERE 1=1"));
    if let Some(w) = within {
        q.and_within("village_code", w.as_str());
    }
    // Integers we parsed, never user text; bound values are text, which PostgreSQL will not
    // compare with a BIGINT.
    if let Some(b) = before_id {
        q.tail(&format!("AND id < {b}"));
    }
    q.tail(&format!("ORDER BY id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

/// Cases of one person, newest first.
pub async fn for_person(db: &Db, person_id: i64) -> Result<Vec<Case>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM cases WHERE person_id = $1 ORDER BY id DESC")))
            .bind(person_id).fetch_all(p).await
    })?)
}

/// Stores an accepted step. Refuses (Ok(false)) when the case moved meanwhile, so two users
/// cannot both advance it from the same status.
pub async fn apply(db: &Db, actor: &Actor, case: &Case, t: &CaseTransition) -> Result<bool> {
    let mut tx = db.begin().await?;
    let on = t.date.to_string();
    let outcome = t.outcome.map(|o| o.as_str());
    let now = crate::now();
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE cases SET status = $1, status_date = $2, outcome = $3, updated_at = $4 WHERE id = $5 AND status = $6")
            .bind(t.to.as_str()).bind(&on).bind(outcome).bind(now).bind(case.id).bind(t.from.as_str())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO case_events (case_id, from_status, to_status, on_date, reason, outcome, by_user, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
            .bind(case.id).bind(t.from.as_str()).bind(t.to.as_str()).bind(&on).bind(t.reason.as_deref().unwrap_or(""))
            .bind(outcome).bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} -> {} on {on}", t.from.as_str(), t.to.as_str());
    audit_case(&mut tx, actor, case, "case.transition", &details).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaseEvent {
    pub id: i64,
    pub case_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub on_date: String,
    pub reason: String,
    pub outcome: Option<String>,
    pub by_user: Option<i64>,
    pub actor: Option<String>,
    pub at: i64,
}

/// The timeline, oldest first.
pub async fn events(db: &Db, case_id: i64) -> Result<Vec<CaseEvent>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT e.id, e.case_id, e.from_status, e.to_status, e.on_date, e.reason, e.outcome, e.by_user, \
             u.full_name AS actor, e.at FROM case_events e LEFT JOIN users u ON u.id = e.by_user \
             WHERE e.case_id = $1 ORDER BY e.id")
            .bind(case_id).fetch_all(p).await
    })?)
}

/// Records that a case was opened (seen in full): every view is in the audit log.
pub async fn audit_view(db: &Db, actor: &Actor, c: &Case) -> Result<()> {
    let ev = Event {
        action: "case.view",
        entity: "case",
        entity_id: &c.id.to_string(),
        region_code: &c.village_code,
        details: "",
    };
    audit::append_now(db, actor, &ev).await.map(|_| ())
}
