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
    /// Set by the application when the viewer sees this case from a village it was transferred
    /// from: its person's pseudonym, the person id cleared (issue 17). Never stored.
    #[sqlx(skip)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
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
    let case = create_in(&mut tx, actor, n, today).await?;
    tx.commit().await?;
    Ok(case)
}

/// [`create`] inside the caller's transaction (an HTCDS import opens a case with more).
pub(crate) async fn create_in(tx: &mut crate::Tx, actor: &Actor, n: &NewCase, today: time::Date) -> Result<Case> {
    let mut tx = tx;
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
    if !step_in(&mut tx, actor, case, t).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// A case step inside a transaction: false (and nothing written) when the case is no longer
/// in `t.from`.
async fn step_in(tx: &mut crate::Tx, actor: &Actor, case: &Case, t: &CaseTransition) -> Result<bool> {
    let on = t.date.to_string();
    let outcome = t.outcome.map(|o| o.as_str());
    let now = crate::now();
    let n = on_tx!(&mut *tx, c => {
        sqlx::query("UPDATE cases SET status = $1, status_date = $2, outcome = $3, updated_at = $4 WHERE id = $5 AND status = $6")
            .bind(t.to.as_str()).bind(&on).bind(outcome).bind(now).bind(case.id).bind(t.from.as_str())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    on_tx!(&mut *tx, c => {
        sqlx::query(
            "INSERT INTO case_events (case_id, from_status, to_status, on_date, reason, outcome, by_user, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
            .bind(case.id).bind(t.from.as_str()).bind(t.to.as_str()).bind(&on).bind(t.reason.as_deref().unwrap_or(""))
            .bind(outcome).bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} -> {} on {on}", t.from.as_str(), t.to.as_str());
    audit_case(tx, actor, case, "case.transition", &details).await?;
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

// ---------------------------------------------------------------------------------------------
// Lists with filters, assignment, referrals, notes, attachments, trafficking assessment.

/// Filters of a case list. `within`: the region (None = everywhere).
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub within: Option<RegionCode>,
    pub case_type: Option<CaseType>,
    pub status: Option<domain::cases::CaseStatus>,
    /// Only open cases whose due date is before this day.
    pub overdue_on: Option<time::Date>,
    pub handler_user_id: Option<i64>,
    /// Only cases referred (and not declined) to this partner organisation.
    pub referred_to: Option<i64>,
    pub before_id: Option<i64>,
}

/// Cases matching the filter, newest first. The caller still decides who may open each.
pub async fn search(db: &Db, f: &CaseFilter, limit: i64) -> Result<Vec<Case>> {
    let mut q = crate::query::Select::new(format!("SELECT {COLUMNS} FROM cases WHERE 1=1"));
    if let Some(w) = &f.within {
        // Also the cases transferred out of the region: seen there pseudonymised (issue 17).
        let here = q.within_cond("village_code", w.as_str());
        let left = q.within_cond("from_village", w.as_str());
        q.tail(&format!("AND ({here} OR id IN (SELECT case_id FROM case_transfers WHERE {left}))"));
    }
    if let Some(t) = f.case_type {
        q.and("case_type = ?", &[t.as_str()]);
    }
    if let Some(st) = f.status {
        q.and("status = ?", &[st.as_str()]);
    }
    if let Some(d) = f.overdue_on {
        q.and("due_on < ? AND status NOT IN ('resolved', 'closed')", &[&d.to_string()]);
    }
    // Integers we parsed, never user text (PostgreSQL will not compare a text bind with BIGINT).
    if let Some(h) = f.handler_user_id {
        q.tail(&format!("AND handler_user_id = {h}"));
    }
    if let Some(p) = f.referred_to {
        q.tail(&format!(
            "AND id IN (SELECT case_id FROM case_referrals WHERE partner_id = {p} AND status <> 'declined')"
        ));
    }
    if let Some(b) = f.before_id {
        q.tail(&format!("AND id < {b}"));
    }
    q.tail(&format!("ORDER BY id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

/// Sets the handler and the due date (validated by the caller), audited.
pub async fn set_assignment(
    db: &Db,
    actor: &Actor,
    case: &Case,
    handler_user_id: Option<i64>,
    due_on: Option<time::Date>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE cases SET handler_user_id = $1, due_on = $2, updated_at = $3 WHERE id = $4")
            .bind(handler_user_id).bind(due_on.map(|d| d.to_string())).bind(crate::now()).bind(case.id)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!(
        "handler={} due={}",
        handler_user_id.map_or("none".to_string(), |h| h.to_string()),
        due_on.map_or("none".to_string(), |d| d.to_string())
    );
    audit_case(&mut tx, actor, case, "case.assign", &details).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Referral {
    pub id: i64,
    pub case_id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    /// Requested service codes, comma-separated.
    pub services: String,
    pub note: String,
    pub status: String,
    pub status_date: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

impl Referral {
    pub fn status(&self) -> domain::cases::ReferralStatus {
        domain::cases::ReferralStatus::parse(&self.status).unwrap_or(domain::cases::ReferralStatus::Sent)
    }
    pub fn service_codes(&self) -> Vec<String> {
        crate::partners::parse_services(&self.services).iter().map(|s| s.as_str().to_string()).collect()
    }
}

const REFERRAL_SELECT: &str = "SELECT r.id, r.case_id, r.partner_id, p.name AS partner_name, r.services, r.note, \
    r.status, r.status_date, r.created_by, r.created_at FROM case_referrals r JOIN partners p ON p.id = r.partner_id";

pub async fn referrals(db: &Db, case_id: i64) -> Result<Vec<Referral>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{REFERRAL_SELECT} WHERE r.case_id = $1 ORDER BY r.id")))
            .bind(case_id).fetch_all(p).await
    })?)
}

pub async fn referral(db: &Db, id: i64) -> Result<Option<Referral>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{REFERRAL_SELECT} WHERE r.id = $1")))
            .bind(id).fetch_optional(p).await
    })?)
}

/// Referrals to one partner organisation (declined ones too), newest first.
pub async fn referrals_to(db: &Db, partner_id: i64, limit: i64) -> Result<Vec<Referral>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{REFERRAL_SELECT} WHERE r.partner_id = $1 ORDER BY r.id DESC LIMIT {}", limit.clamp(1, 1000))))
            .bind(partner_id).fetch_all(p).await
    })?)
}

async fn referral_event_in(
    tx: &mut crate::Tx,
    referral_id: i64,
    from: Option<&str>,
    to: &str,
    on: &str,
    reason: &str,
    actor: &Actor,
) -> Result<()> {
    on_tx!(&mut *tx, c => {
        sqlx::query(
            "INSERT INTO referral_events (referral_id, from_status, to_status, on_date, reason, by_user, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(referral_id).bind(from).bind(to).bind(on).bind(reason).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Sends a referral (status sent on `today`), and takes the case step the referral brings
/// with it (assessed → referred) when one is given and the case is still where it was.
#[allow(clippy::too_many_arguments)]
pub async fn create_referral(
    db: &Db,
    actor: &Actor,
    case: &Case,
    partner_id: i64,
    services: &std::collections::BTreeSet<domain::cases::Service>,
    note: &str,
    today: time::Date,
    case_step: Option<&CaseTransition>,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO case_referrals (case_id, partner_id, services, note, status, status_date, created_by, created_at, \
             updated_at) VALUES ($1,$2,$3,$4,'sent',$5,$6,$7,$7) RETURNING id")
            .bind(case.id).bind(partner_id).bind(crate::partners::join_services(services)).bind(note)
            .bind(today.to_string()).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    referral_event_in(&mut tx, id, None, "sent", &today.to_string(), "", actor).await?;
    let details = format!("referral={id} partner={partner_id} services={}", crate::partners::join_services(services));
    audit_case(&mut tx, actor, case, "case.refer", &details).await?;
    if let Some(t) = case_step {
        step_in(&mut tx, actor, case, t).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Stores a referral step (and the services it records, with `note`), and the case step it
/// brings with it, if any. Ok(false) when the referral moved meanwhile.
pub async fn referral_step(
    db: &Db,
    actor: &Actor,
    case: &Case,
    referral: &Referral,
    step: &domain::cases::ReferralStep,
    note: &str,
    case_step: Option<&CaseTransition>,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let on = step.date.to_string();
    let now = crate::now();
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE case_referrals SET status = $1, status_date = $2, updated_at = $3 WHERE id = $4 AND status = $5")
            .bind(step.to.as_str()).bind(&on).bind(now).bind(referral.id).bind(step.from.as_str())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    referral_event_in(
        &mut tx,
        referral.id,
        Some(step.from.as_str()),
        step.to.as_str(),
        &on,
        step.reason.as_deref().unwrap_or(""),
        actor,
    )
    .await?;
    for s in &step.services {
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO referral_services (referral_id, service, given_on, note, by_user, at) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(referral.id).bind(s.as_str()).bind(&on).bind(note).bind(actor.user_id).bind(now)
                .execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let services: Vec<&str> = step.services.iter().map(|s| s.as_str()).collect();
    let details = format!("referral={} {} -> {} services={}", referral.id, step.from, step.to, services.join(","));
    audit_case(&mut tx, actor, case, "case.referral_step", &details).await?;
    if let Some(t) = case_step {
        step_in(&mut tx, actor, case, t).await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReferralEvent {
    pub referral_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub on_date: String,
    pub reason: String,
    pub actor: Option<String>,
    pub at: i64,
}

pub async fn referral_events(db: &Db, case_id: i64) -> Result<Vec<ReferralEvent>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT e.referral_id, e.from_status, e.to_status, e.on_date, e.reason, u.full_name AS actor, e.at \
             FROM referral_events e JOIN case_referrals r ON r.id = e.referral_id LEFT JOIN users u ON u.id = e.by_user \
             WHERE r.case_id = $1 ORDER BY e.id")
            .bind(case_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ServiceGiven {
    pub referral_id: i64,
    pub partner_name: String,
    pub service: String,
    pub given_on: String,
    pub note: String,
    pub actor: Option<String>,
}

pub async fn services_given(db: &Db, case_id: i64) -> Result<Vec<ServiceGiven>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT s.referral_id, p.name AS partner_name, s.service, s.given_on, s.note, u.full_name AS actor \
             FROM referral_services s JOIN case_referrals r ON r.id = s.referral_id JOIN partners p ON p.id = r.partner_id \
             LEFT JOIN users u ON u.id = s.by_user WHERE r.case_id = $1 ORDER BY s.given_on, s.id")
            .bind(case_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub body: String,
    /// The author's partner organisation, for notes written by partner users.
    pub partner_id: Option<i64>,
    pub partner_name: Option<String>,
    pub actor: Option<String>,
    pub at: i64,
}

pub async fn add_note(db: &Db, actor: &Actor, case: &Case, body: &str, partner_id: Option<i64>) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = add_note_in(&mut tx, actor, case, body, partner_id).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`add_note`] inside the caller's transaction.
pub(crate) async fn add_note_in(
    tx: &mut crate::Tx,
    actor: &Actor,
    case: &Case,
    body: &str,
    partner_id: Option<i64>,
) -> Result<i64> {
    let mut tx = tx;
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as("INSERT INTO case_notes (case_id, body, partner_id, by_user, at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(case.id).bind(body).bind(partner_id).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    audit_case(&mut tx, actor, case, "case.note", &format!("note={id}")).await?;
    Ok(id)
}

/// Notes, oldest first.
pub async fn notes(db: &Db, case_id: i64) -> Result<Vec<Note>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT n.id, n.body, n.partner_id, p.name AS partner_name, u.full_name AS actor, n.at FROM case_notes n \
             LEFT JOIN partners p ON p.id = n.partner_id LEFT JOIN users u ON u.id = n.by_user \
             WHERE n.case_id = $1 ORDER BY n.id")
            .bind(case_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub case_id: i64,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub actor: Option<String>,
    pub at: i64,
}

/// Records an attachment whose file is already stored under its hash.
pub async fn add_attachment(
    db: &Db,
    actor: &Actor,
    case: &Case,
    sha256: &str,
    file_name: &str,
    content_type: &str,
    size: i64,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO case_attachments (case_id, sha256, file_name, content_type, size_bytes, by_user, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(case.id).bind(sha256).bind(file_name).bind(content_type).bind(size).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    let details = format!("attachment={id} {content_type} {size} bytes sha256={sha256}");
    audit_case(&mut tx, actor, case, "case.attach", &details).await?;
    tx.commit().await?;
    Ok(id)
}

const ATTACHMENT_SELECT: &str = "SELECT a.id, a.case_id, a.sha256, a.file_name, a.content_type, a.size_bytes, \
    u.full_name AS actor, a.at FROM case_attachments a LEFT JOIN users u ON u.id = a.by_user";

pub async fn attachments(db: &Db, case_id: i64) -> Result<Vec<Attachment>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ATTACHMENT_SELECT} WHERE a.case_id = $1 ORDER BY a.id")))
            .bind(case_id).fetch_all(p).await
    })?)
}

pub async fn attachment(db: &Db, case_id: i64, id: i64) -> Result<Option<Attachment>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ATTACHMENT_SELECT} WHERE a.case_id = $1 AND a.id = $2")))
            .bind(case_id).bind(id).fetch_optional(p).await
    })?)
}

/// Every download is in the audit log.
pub async fn audit_download(db: &Db, actor: &Actor, c: &Case, attachment_id: i64) -> Result<()> {
    let ev = Event {
        action: "case.attachment_download",
        entity: "case",
        entity_id: &c.id.to_string(),
        region_code: &c.village_code,
        details: &format!("attachment={attachment_id}"),
    };
    audit::append_now(db, actor, &ev).await.map(|_| ())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TraffickingRow {
    pub case_id: i64,
    pub process: String,
    pub means: String,
    pub purpose: String,
    pub form: String,
    pub form_detail: String,
    pub victim_age_at_time: Option<i64>,
    pub screening_result: String,
    pub services_needed: String,
    pub reintegration_plan: String,
    pub updated_at: i64,
}

fn codes<T: Copy>(items: impl IntoIterator<Item = T>, f: fn(T) -> &'static str) -> String {
    items.into_iter().map(f).collect::<Vec<_>>().join(",")
}

/// Creates or replaces the case's trafficking assessment.
pub async fn save_trafficking(
    db: &Db,
    actor: &Actor,
    case: &Case,
    r: &domain::cases::TraffickingRecord,
    services_needed: &std::collections::BTreeSet<domain::cases::Service>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    save_trafficking_in(&mut tx, actor, case, r, services_needed).await?;
    tx.commit().await?;
    Ok(())
}

/// [`save_trafficking`] inside the caller's transaction.
pub(crate) async fn save_trafficking_in(
    tx: &mut crate::Tx,
    actor: &Actor,
    case: &Case,
    r: &domain::cases::TraffickingRecord,
    services_needed: &std::collections::BTreeSet<domain::cases::Service>,
) -> Result<()> {
    use domain::cases::{Means, Process, Purpose};
    let mut tx = tx;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO trafficking_assessments (case_id, process, means, purpose, form, form_detail, victim_age_at_time, \
             screening_result, services_needed, reintegration_plan, updated_by, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) \
             ON CONFLICT (case_id) DO UPDATE SET process = excluded.process, means = excluded.means, \
             purpose = excluded.purpose, form = excluded.form, form_detail = excluded.form_detail, \
             victim_age_at_time = excluded.victim_age_at_time, screening_result = excluded.screening_result, \
             services_needed = excluded.services_needed, reintegration_plan = excluded.reintegration_plan, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(case.id)
            .bind(codes(r.process.iter().copied(), Process::as_str))
            .bind(codes(r.means.iter().copied(), Means::as_str))
            .bind(codes(r.purpose.iter().copied(), Purpose::as_str))
            .bind(r.form.as_str())
            .bind(r.form_detail.as_deref().unwrap_or(""))
            .bind(r.victim_age_at_time.map(|a| i64::from(a.years())))
            .bind(r.screening_result.as_str())
            .bind(crate::partners::join_services(services_needed))
            .bind(r.reintegration_plan.as_deref().unwrap_or(""))
            .bind(actor.user_id)
            .bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    // Which elements are met, never the facts themselves.
    let missing: Vec<&str> = r.assessment.missing.iter().map(|e| e.as_str()).collect();
    let details = format!("screening={} missing={}", r.screening_result, missing.join(","));
    audit_case(&mut tx, actor, case, "case.trafficking_assessment", &details).await?;
    Ok(())
}

pub async fn trafficking(db: &Db, case_id: i64) -> Result<Option<TraffickingRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT case_id, process, means, purpose, form, form_detail, victim_age_at_time, screening_result, \
             services_needed, reintegration_plan, updated_at FROM trafficking_assessments WHERE case_id = $1")
            .bind(case_id).fetch_optional(p).await
    })?)
}
