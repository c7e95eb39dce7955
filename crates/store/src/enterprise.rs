//! Pillar 2, productive enterprise (issue 6): trainings with participants and per-day
//! attendance, mentoring visits, equipment with condition checks, businesses with members,
//! monthly reports and status changes, remittances with their use split — and the per-village
//! counts the monitoring pages read.
//!
//! Access is decided above this layer. Audit details carry codes, dates and ids, never a name.

use crate::audit::{self, Actor, Event};
use crate::query::{KeyPage, Select};
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::RegionCode;
use domain::enterprise::{
    BusinessStatus, Month, NewBusiness, NewCheck, NewEquipment, NewMentoring, NewRemittance, NewReport, NewTraining,
};
use serde::Serialize;
use time::Date;

/// Where and when: the filter of every list (village or wider region, and a period).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// At or inside this region (the caller's scope, or narrower); everywhere when `None`.
    pub within: Option<RegionCode>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Filter {
    fn apply_region(&self, q: &mut Select, column: &str) {
        if let Some(w) = &self.within {
            q.and_within(column, w.as_str());
        }
    }
    /// Rows whose `[start, end]` dates overlap the period.
    fn apply_span(&self, q: &mut Select, start: &str, end: &str) {
        if let Some(f) = self.from {
            q.and(&format!("{end} >= ?"), &[&f.to_string()]);
        }
        if let Some(t) = self.to {
            q.and(&format!("{start} <= ?"), &[&t.to_string()]);
        }
    }
    /// Rows whose month (`YYYY-MM`) falls in the period.
    fn apply_months(&self, q: &mut Select, column: &str) {
        if let Some(f) = self.from {
            q.and(&format!("{column} >= ?"), &[&Month::of(f).to_string()]);
        }
        if let Some(t) = self.to {
            q.and(&format!("{column} <= ?"), &[&Month::of(t).to_string()]);
        }
    }
}

async fn audit_in(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    id: i64,
    region: &str,
    action: &str,
    details: &str,
) -> Result<()> {
    audit::append(tx, actor, &Event { action, entity, entity_id: &id.to_string(), region_code: region, details })
        .await
        .map(|_| ())
}

/// Records that people's enterprise records were seen (one entry naming the persons).
pub async fn audit_people_view(
    db: &Db,
    actor: &Actor,
    action: &str,
    region: &str,
    person_ids: &[i64],
    details: &str,
) -> Result<()> {
    if person_ids.is_empty() {
        return Ok(());
    }
    let ids = person_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let ev = Event { action, entity: "person", entity_id: &ids, region_code: region, details };
    audit::append_now(db, actor, &ev).await.map(|_| ())
}

// ---------------------------------------------------------------- trainings

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Training {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    pub topic: String,
    pub title: String,
    pub organiser: String,
    pub organiser_name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub place: String,
    pub trainer: String,
    pub participants: i64,
    pub completed: i64,
    pub created_at: i64,
}

impl Training {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
    pub fn dates(&self) -> Option<(Date, Date)> {
        Some((domain::person::parse_date(&self.starts_on)?, domain::person::parse_date(&self.ends_on)?))
    }
}

const TRAINING: &str = "SELECT t.id, t.village_code, r.name AS village_name, t.topic, t.title, t.organiser, t.organiser_name, \
    t.starts_on, t.ends_on, t.place, t.trainer, \
    (SELECT COUNT(*) FROM training_participants p WHERE p.training_id = t.id) AS participants, \
    (SELECT COUNT(*) FROM training_participants p WHERE p.training_id = t.id AND p.completed) AS completed, \
    t.created_at FROM trainings t JOIN regions r ON r.code = t.village_code";

pub async fn create_training(db: &Db, actor: &Actor, n: &NewTraining) -> Result<Training> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO trainings (village_code, topic, title, organiser, organiser_name, starts_on, ends_on, place, trainer, \
             created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id")
            .bind(n.village_code.as_str()).bind(n.topic.as_str()).bind(&n.title).bind(n.organiser.as_str())
            .bind(&n.organiser_name).bind(n.starts_on.to_string()).bind(n.ends_on.to_string()).bind(&n.place)
            .bind(&n.trainer).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    let t: Training = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{TRAINING} WHERE t.id = $1"))).bind(id).fetch_one(c).await
    })?;
    let details = format!("{} {}..{}", t.topic, t.starts_on, t.ends_on);
    audit_in(&mut tx, actor, "training", t.id, &t.village_code, "training.create", &details).await?;
    tx.commit().await?;
    Ok(t)
}

pub async fn get_training(db: &Db, id: i64) -> Result<Option<Training>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{TRAINING} WHERE t.id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Trainings overlapping the period, newest first; `before` is the last id of the previous page.
pub async fn list_trainings(db: &Db, f: &Filter, before: Option<i64>, limit: i64) -> Result<Vec<Training>> {
    let mut q = Select::new(format!("{TRAINING} WHERE 1=1"));
    f.apply_region(&mut q, "t.village_code");
    f.apply_span(&mut q, "t.starts_on", "t.ends_on");
    if let Some(b) = before {
        q.tail(&format!("AND t.id < {b}"));
    }
    q.tail(&format!("ORDER BY t.id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Participant {
    pub person_id: i64,
    pub full_name: String,
    pub village_code: String,
    pub completed: bool,
    pub days_attended: i64,
}

impl Participant {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

pub async fn participants(db: &Db, training_id: i64) -> Result<Vec<Participant>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT tp.person_id, p.full_name, p.village_code, tp.completed, \
             (SELECT COUNT(*) FROM training_attendance a WHERE a.training_id = tp.training_id AND a.person_id = tp.person_id) AS days_attended \
             FROM training_participants tp JOIN persons p ON p.id = tp.person_id WHERE tp.training_id = $1 ORDER BY p.full_name, p.id")
            .bind(training_id).fetch_all(p).await
    })?)
}

/// (person, day) pairs attended.
pub async fn attendance(db: &Db, training_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT person_id, on_date FROM training_attendance WHERE training_id = $1 ORDER BY on_date, person_id")
            .bind(training_id).fetch_all(p).await
    })?)
}

/// Adds a participant. Idempotent: `Ok(false)` when already on the list.
pub async fn add_participant(db: &Db, actor: &Actor, t: &Training, person_id: i64) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO training_participants (training_id, person_id, completed, added_at) VALUES ($1,$2,FALSE,$3) \
                     ON CONFLICT (training_id, person_id) DO NOTHING")
            .bind(t.id).bind(person_id).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    audit_in(&mut tx, actor, "training", t.id, &t.village_code, "training.participant", &format!("person {person_id}"))
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Marks one participant present (or not) on one day. `Ok(None)` when the person is not a
/// participant; otherwise whether anything changed.
pub async fn set_attendance(
    db: &Db,
    actor: &Actor,
    t: &Training,
    person_id: i64,
    day: Date,
    present: bool,
) -> Result<Option<bool>> {
    let mut tx = db.begin().await?;
    let is_participant: Option<(i64,)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT person_id FROM training_participants WHERE training_id = $1 AND person_id = $2")
            .bind(t.id).bind(person_id).fetch_optional(c).await
    })?;
    if is_participant.is_none() {
        return Ok(None);
    }
    let d = day.to_string();
    let n = if present {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO training_attendance (training_id, person_id, on_date) VALUES ($1,$2,$3) \
                         ON CONFLICT (training_id, person_id, on_date) DO NOTHING")
                .bind(t.id).bind(person_id).bind(&d).execute(c).await.map(|r| r.rows_affected())
        })?
    } else {
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM training_attendance WHERE training_id = $1 AND person_id = $2 AND on_date = $3")
                .bind(t.id).bind(person_id).bind(&d).execute(c).await.map(|r| r.rows_affected())
        })?
    };
    if n == 0 {
        return Ok(Some(false));
    }
    let details = format!("person {person_id} {d} {}", if present { "present" } else { "absent" });
    audit_in(&mut tx, actor, "training", t.id, &t.village_code, "training.attendance", &details).await?;
    tx.commit().await?;
    Ok(Some(true))
}

/// Marks a participant as having completed the training (or not). `Ok(false)` when not a participant.
pub async fn set_completed(db: &Db, actor: &Actor, t: &Training, person_id: i64, completed: bool) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE training_participants SET completed = $1 WHERE training_id = $2 AND person_id = $3")
            .bind(completed).bind(t.id).bind(person_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    let details = format!("person {person_id} completed={completed}");
    audit_in(&mut tx, actor, "training", t.id, &t.village_code, "training.completion", &details).await?;
    tx.commit().await?;
    Ok(true)
}

/// Replaces the attendance grid and completion of `persons` (the participants the user may
/// see) in one transaction: `marks` are the (person, day) pairs ticked.
pub async fn save_grid(
    db: &Db,
    actor: &Actor,
    t: &Training,
    persons: &[i64],
    marks: &[(i64, Date)],
    completed: &[i64],
) -> Result<()> {
    let mut tx = db.begin().await?;
    for p in persons {
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM training_attendance WHERE training_id = $1 AND person_id = $2")
                .bind(t.id).bind(*p).execute(c).await.map(|r| r.rows_affected())
        })?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE training_participants SET completed = $1 WHERE training_id = $2 AND person_id = $3")
                .bind(completed.contains(p)).bind(t.id).bind(*p).execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    for (p, d) in marks.iter().filter(|(p, _)| persons.contains(p)) {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO training_attendance (training_id, person_id, on_date) VALUES ($1,$2,$3) \
                         ON CONFLICT (training_id, person_id, on_date) DO NOTHING")
                .bind(t.id).bind(*p).bind(d.to_string()).execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let details = format!("grid persons={} marks={} completed={}", persons.len(), marks.len(), completed.len());
    audit_in(&mut tx, actor, "training", t.id, &t.village_code, "training.attendance", &details).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- mentoring

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MentoringVisit {
    pub id: i64,
    pub village_code: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub business_id: Option<i64>,
    pub business_name: Option<String>,
    pub visited_on: String,
    pub mentor: String,
    pub notes: String,
    pub next_steps: String,
}

const VISIT: &str = "SELECT m.id, m.village_code, m.person_id, p.full_name AS person_name, m.business_id, b.name AS business_name, \
    m.visited_on, m.mentor, m.notes, m.next_steps FROM mentoring_visits m LEFT JOIN persons p ON p.id = m.person_id \
    LEFT JOIN businesses b ON b.id = m.business_id";

pub async fn create_visit(db: &Db, actor: &Actor, n: &NewMentoring) -> Result<MentoringVisit> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO mentoring_visits (village_code, person_id, business_id, visited_on, mentor, notes, next_steps, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
            .bind(n.village_code.as_str()).bind(n.person_id).bind(n.business_id).bind(n.visited_on.to_string())
            .bind(&n.mentor).bind(&n.notes).bind(&n.next_steps).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    let v: MentoringVisit = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{VISIT} WHERE m.id = $1"))).bind(id).fetch_one(c).await
    })?;
    let target = match (v.person_id, v.business_id) {
        (Some(p), _) => format!("person {p}"),
        (_, Some(b)) => format!("business {b}"),
        _ => String::new(),
    };
    audit_in(
        &mut tx,
        actor,
        "mentoring",
        v.id,
        &v.village_code,
        "mentoring.create",
        &format!("{} {target}", v.visited_on),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Visits in the period, newest first; of one business when `business_id` is given.
pub async fn list_visits(db: &Db, f: &Filter, business_id: Option<i64>, limit: i64) -> Result<Vec<MentoringVisit>> {
    let mut q = Select::new(format!("{VISIT} WHERE 1=1"));
    f.apply_region(&mut q, "m.village_code");
    f.apply_span(&mut q, "m.visited_on", "m.visited_on");
    if let Some(b) = business_id {
        q.tail(&format!("AND m.business_id = {b}"));
    }
    q.tail(&format!("ORDER BY m.visited_on DESC, m.id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

// ---------------------------------------------------------------- equipment

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Equipment {
    pub id: i64,
    pub village_code: String,
    pub item: String,
    pub value: i64,
    pub source_program: String,
    pub given_on: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub business_id: Option<i64>,
    pub business_name: Option<String>,
    pub condition: String,
    pub in_use: bool,
    pub last_checked_on: Option<String>,
}

impl Equipment {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

const EQUIPMENT: &str = "SELECT e.id, e.village_code, e.item, e.value, e.source_program, e.given_on, e.person_id, \
    p.full_name AS person_name, e.business_id, b.name AS business_name, e.condition, e.in_use, e.last_checked_on \
    FROM equipment e LEFT JOIN persons p ON p.id = e.person_id LEFT JOIN businesses b ON b.id = e.business_id";

pub async fn create_equipment(db: &Db, actor: &Actor, n: &NewEquipment) -> Result<Equipment> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO equipment (village_code, item, value, source_program, given_on, person_id, business_id, condition, in_use, \
             created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'good',TRUE,$8,$9,$9) RETURNING id")
            .bind(n.village_code.as_str()).bind(&n.item).bind(n.value).bind(&n.source_program).bind(n.given_on.to_string())
            .bind(n.person_id).bind(n.business_id).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    let e: Equipment = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{EQUIPMENT} WHERE e.id = $1"))).bind(id).fetch_one(c).await
    })?;
    audit_in(
        &mut tx,
        actor,
        "equipment",
        e.id,
        &e.village_code,
        "equipment.create",
        &format!("value {} on {}", e.value, e.given_on),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

pub async fn get_equipment(db: &Db, id: i64) -> Result<Option<Equipment>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{EQUIPMENT} WHERE e.id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Equipment given in the period (all periods when none), newest first; only what is not in
/// use (by its latest check) when `unused_only`.
pub async fn list_equipment(db: &Db, f: &Filter, unused_only: bool, limit: i64) -> Result<Vec<Equipment>> {
    let mut q = Select::new(format!("{EQUIPMENT} WHERE 1=1"));
    f.apply_region(&mut q, "e.village_code");
    f.apply_span(&mut q, "e.given_on", "e.given_on");
    if unused_only {
        q.tail("AND e.in_use = FALSE");
    }
    q.tail(&format!("ORDER BY e.given_on DESC, e.id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EquipmentCheck {
    pub id: i64,
    pub checked_on: String,
    pub condition: String,
    pub in_use: bool,
    pub note: String,
    pub by: Option<String>,
}

/// Records a check; the equipment's current condition follows the latest check by date.
pub async fn add_check(db: &Db, actor: &Actor, e: &Equipment, n: &NewCheck) -> Result<()> {
    let mut tx = db.begin().await?;
    let on = n.checked_on.to_string();
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO equipment_checks (equipment_id, checked_on, condition, in_use, note, by_user, at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(e.id).bind(&on).bind(n.condition.as_str()).bind(n.in_use).bind(&n.note).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE equipment SET condition = $1, in_use = $2, last_checked_on = $3, updated_at = $4 \
                     WHERE id = $5 AND (last_checked_on IS NULL OR last_checked_on <= $3)")
            .bind(n.condition.as_str()).bind(n.in_use).bind(&on).bind(crate::now()).bind(e.id)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{on} {} in_use={}", n.condition, n.in_use);
    audit_in(&mut tx, actor, "equipment", e.id, &e.village_code, "equipment.check", &details).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn checks(db: &Db, equipment_id: i64) -> Result<Vec<EquipmentCheck>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT c.id, c.checked_on, c.condition, c.in_use, c.note, u.full_name AS by FROM equipment_checks c \
             LEFT JOIN users u ON u.id = c.by_user WHERE c.equipment_id = $1 ORDER BY c.checked_on DESC, c.id DESC")
            .bind(equipment_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------- businesses

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Business {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    pub name: String,
    pub sector: String,
    pub legal_form: String,
    pub status: String,
    pub started_on: Option<String>,
    pub capital_sources: String,
    pub members: i64,
    pub returned_migrants: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Business {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
    pub fn status(&self) -> BusinessStatus {
        BusinessStatus::parse(&self.status).unwrap_or(BusinessStatus::Closed)
    }
    pub fn started(&self) -> Option<Date> {
        self.started_on.as_deref().and_then(domain::person::parse_date)
    }
    pub fn capital_source_codes(&self) -> Vec<&str> {
        self.capital_sources.split(',').filter(|s| !s.is_empty()).collect()
    }
}

const BUSINESS: &str = "SELECT b.id, b.village_code, r.name AS village_name, b.name, b.sector, b.legal_form, b.status, \
    b.started_on, b.capital_sources, \
    (SELECT COUNT(*) FROM business_members m WHERE m.business_id = b.id) AS members, \
    (SELECT COUNT(*) FROM business_members m WHERE m.business_id = b.id AND m.kind = 'returned_migrant') AS returned_migrants, \
    b.created_at, b.updated_at FROM businesses b JOIN regions r ON r.code = b.village_code";

pub async fn create_business(db: &Db, actor: &Actor, n: &NewBusiness) -> Result<Business> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let sources = domain::enterprise::business::capital_sources_text(&n.capital_sources);
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO businesses (village_code, name, sector, legal_form, status, started_on, capital_sources, created_by, \
             created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id")
            .bind(n.village_code.as_str()).bind(&n.name).bind(n.sector.as_str()).bind(n.legal_form.as_str())
            .bind(n.status.as_str()).bind(n.started_on.map(|d| d.to_string())).bind(&sources).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO business_status_changes (business_id, from_status, to_status, on_date, by_user, at) VALUES ($1,NULL,$2,$3,$4,$5)")
            .bind(id).bind(n.status.as_str()).bind(n.started_on.map(|d| d.to_string()).unwrap_or(today)).bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let b: Business = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{BUSINESS} WHERE b.id = $1"))).bind(id).fetch_one(c).await
    })?;
    let details = format!("{} {} {}", b.sector, b.legal_form, b.status);
    audit_in(&mut tx, actor, "business", b.id, &b.village_code, "business.create", &details).await?;
    tx.commit().await?;
    Ok(b)
}

pub async fn get_business(db: &Db, id: i64) -> Result<Option<Business>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{BUSINESS} WHERE b.id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Businesses in the region, newest first; with `status` only those; with a period, those
/// started by its end (or not started) and not closed before its start.
pub async fn list_businesses(db: &Db, f: &Filter, status: Option<BusinessStatus>, limit: i64) -> Result<Vec<Business>> {
    let mut q = Select::new(format!("{BUSINESS} WHERE 1=1"));
    f.apply_region(&mut q, "b.village_code");
    if let Some(s) = status {
        q.and("b.status = ?", &[s.as_str()]);
    }
    if let Some(t) = f.to {
        q.and("(b.started_on IS NULL OR b.started_on <= ?)", &[&t.to_string()]);
    }
    q.tail(&format!("ORDER BY b.id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub person_id: i64,
    pub full_name: String,
    pub village_code: String,
    pub kind: String,
}

impl Member {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

pub async fn members(db: &Db, business_id: i64) -> Result<Vec<Member>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT m.person_id, p.full_name, p.village_code, m.kind FROM business_members m JOIN persons p ON p.id = m.person_id \
             WHERE m.business_id = $1 ORDER BY p.full_name, p.id")
            .bind(business_id).fetch_all(p).await
    })?)
}

/// Adds a member. Idempotent: `Ok(false)` when already a member.
pub async fn add_member(
    db: &Db,
    actor: &Actor,
    b: &Business,
    person_id: i64,
    kind: domain::enterprise::MemberKind,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO business_members (business_id, person_id, kind, added_at) VALUES ($1,$2,$3,$4) \
                     ON CONFLICT (business_id, person_id) DO NOTHING")
            .bind(b.id).bind(person_id).bind(kind.as_str()).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    audit_in(
        &mut tx,
        actor,
        "business",
        b.id,
        &b.village_code,
        "business.member",
        &format!("person {person_id} {kind}"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Report {
    pub month: String,
    pub revenue: i64,
    pub costs: i64,
    pub workers: i64,
}

/// Stores a monthly report; a second report for the same month replaces the first. Refuses
/// (`Ok(false)`) when the business closed meanwhile.
pub async fn save_report(db: &Db, actor: &Actor, b: &Business, r: &NewReport) -> Result<bool> {
    let mut tx = db.begin().await?;
    // Re-read the status inside the write transaction: a report never lands on a closed business.
    let (status,): (String,) = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT status FROM businesses WHERE id = $1").bind(b.id).fetch_one(c).await
    })?;
    if status == BusinessStatus::Closed.as_str() || status == BusinessStatus::Planned.as_str() {
        return Ok(false);
    }
    let month = r.month.to_string();
    let now = crate::now();
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO business_reports (business_id, month, revenue, costs, workers, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) \
             ON CONFLICT (business_id, month) DO UPDATE SET revenue = excluded.revenue, costs = excluded.costs, \
             workers = excluded.workers, created_by = excluded.created_by, created_at = excluded.created_at")
            .bind(b.id).bind(&month).bind(r.revenue).bind(r.costs).bind(r.workers).bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE businesses SET updated_at = $1 WHERE id = $2").bind(now).bind(b.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{month} revenue={} costs={} workers={}", r.revenue, r.costs, r.workers);
    audit_in(&mut tx, actor, "business", b.id, &b.village_code, "business.report", &details).await?;
    tx.commit().await?;
    Ok(true)
}

/// Monthly reports, oldest first.
pub async fn reports(db: &Db, business_id: i64) -> Result<Vec<Report>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT month, revenue, costs, workers FROM business_reports WHERE business_id = $1 ORDER BY month")
            .bind(business_id).fetch_all(p).await
    })?)
}

/// Moves the business to `to` on `on`; a business set running without a start date starts
/// then. `Ok(false)` when its status changed meanwhile.
pub async fn change_status(db: &Db, actor: &Actor, b: &Business, to: BusinessStatus, on: Date) -> Result<bool> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let start = (to == BusinessStatus::Running && b.started_on.is_none()).then(|| on.to_string());
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE businesses SET status = $1, started_on = COALESCE(started_on, $2), updated_at = $3 WHERE id = $4 AND status = $5")
            .bind(to.as_str()).bind(start).bind(now).bind(b.id).bind(&b.status).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO business_status_changes (business_id, from_status, to_status, on_date, by_user, at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(b.id).bind(&b.status).bind(to.as_str()).bind(on.to_string()).bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} -> {} on {on}", b.status, to);
    audit_in(&mut tx, actor, "business", b.id, &b.village_code, "business.status", &details).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatusChange {
    pub from_status: Option<String>,
    pub to_status: String,
    pub on_date: String,
    pub by: Option<String>,
}

pub async fn status_changes(db: &Db, business_id: i64) -> Result<Vec<StatusChange>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT s.from_status, s.to_status, s.on_date, u.full_name AS by FROM business_status_changes s \
             LEFT JOIN users u ON u.id = s.by_user WHERE s.business_id = $1 ORDER BY s.id")
            .bind(business_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------- remittances

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Remittance {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub village_code: String,
    pub month: String,
    pub amount: i64,
    pub channel: String,
    pub use_daily_needs: i64,
    pub use_education: i64,
    pub use_health: i64,
    pub use_housing: i64,
    pub use_debt: i64,
    pub use_productive_investment: i64,
    pub use_savings: i64,
}

impl Remittance {
    /// Amounts per use, in `RemittanceUse::ALL` order.
    pub fn uses(&self) -> [i64; 7] {
        [
            self.use_daily_needs,
            self.use_education,
            self.use_health,
            self.use_housing,
            self.use_debt,
            self.use_productive_investment,
            self.use_savings,
        ]
    }
}

const REMITTANCE: &str = "SELECT m.id, m.person_id, p.full_name AS person_name, m.village_code, m.month, m.amount, m.channel, \
    m.use_daily_needs, m.use_education, m.use_health, m.use_housing, m.use_debt, m.use_productive_investment, m.use_savings \
    FROM remittances m JOIN persons p ON p.id = m.person_id";

/// Records a remittance to the family of `person_id`, counted in `village` (where the family lives).
pub async fn create_remittance(
    db: &Db,
    actor: &Actor,
    person_id: i64,
    village: &RegionCode,
    n: &NewRemittance,
) -> Result<Remittance> {
    let mut tx = db.begin().await?;
    let u = n.uses;
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO remittances (person_id, village_code, month, amount, channel, use_daily_needs, use_education, use_health, \
             use_housing, use_debt, use_productive_investment, use_savings, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id")
            .bind(person_id).bind(village.as_str()).bind(n.month.to_string()).bind(n.amount).bind(n.channel.as_str())
            .bind(u[0]).bind(u[1]).bind(u[2]).bind(u[3]).bind(u[4]).bind(u[5]).bind(u[6])
            .bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    let r: Remittance = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{REMITTANCE} WHERE m.id = $1"))).bind(id).fetch_one(c).await
    })?;
    let details =
        format!("person {person_id} {} amount={} productive={}", r.month, r.amount, r.use_productive_investment);
    audit_in(&mut tx, actor, "remittance", r.id, &r.village_code, "remittance.create", &details).await?;
    tx.commit().await?;
    Ok(r)
}

/// Remittances in the region and period (by month), of one migrant when `person_id` is given;
/// newest month first.
pub async fn list_remittances(db: &Db, f: &Filter, person_id: Option<i64>, limit: i64) -> Result<Vec<Remittance>> {
    let mut q = Select::new(format!("{REMITTANCE} WHERE 1=1"));
    f.apply_region(&mut q, "m.village_code");
    f.apply_months(&mut q, "m.month");
    if let Some(p) = person_id {
        q.tail(&format!("AND m.person_id = {p}"));
    }
    q.tail(&format!("ORDER BY m.month DESC, m.id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

/// How much flowed into a village and how much of it went to productive investment.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RemittanceVillage {
    pub village_code: String,
    pub village_name: String,
    pub remittances: i64,
    pub migrants: i64,
    pub total: i64,
    pub productive: i64,
}

impl RemittanceVillage {
    /// Productive share in basis points (None when nothing flowed in).
    pub fn productive_share_bp(&self) -> Option<i64> {
        domain::enterprise::productive_share_bp(self.productive, self.total)
    }
}

/// One page of the remittance inflow per village in the region and period, in village code
/// order: the villages after `after`, at most `limit`, and the code to continue after when
/// more follow (`None` on the last page).
pub async fn remittances_page(
    db: &Db,
    f: &Filter,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<RemittanceVillage>, Option<String>)> {
    let page = KeyPage::new(after, limit);
    Ok(page.cut(remittances_in(db, f, &page).await?, |r| &r.village_code))
}

/// The villages of `page` and one more (see [`KeyPage`]).
async fn remittances_in(db: &Db, f: &Filter, page: &KeyPage<'_>) -> Result<Vec<RemittanceVillage>> {
    let mut q = Select::new(
        "SELECT m.village_code, r.name AS village_name, COUNT(*) AS remittances, COUNT(DISTINCT m.person_id) AS migrants, \
         CAST(SUM(m.amount) AS BIGINT) AS total, CAST(SUM(m.use_productive_investment) AS BIGINT) AS productive \
         FROM remittances m JOIN regions r ON r.code = m.village_code WHERE 1=1",
    );
    f.apply_region(&mut q, "m.village_code");
    f.apply_months(&mut q, "m.month");
    page.and_after(&mut q, "m.village_code").group_tail(&mut q, "m.village_code", "m.village_code, r.name");
    q.fetch_all(db).await
}

/// Remittance inflow in the whole region and period: `(total, productive part)` in rupiah,
/// one aggregate row however many villages (the summary above a page of villages).
pub async fn remittance_totals(db: &Db, f: &Filter) -> Result<(i64, i64)> {
    let mut q = Select::new(
        "SELECT CAST(COALESCE(SUM(m.amount), 0) AS BIGINT), CAST(COALESCE(SUM(m.use_productive_investment), 0) AS BIGINT) \
         FROM remittances m WHERE 1=1",
    );
    f.apply_region(&mut q, "m.village_code");
    f.apply_months(&mut q, "m.month");
    let rows: Vec<(i64, i64)> = q.fetch_all(db).await?;
    Ok(rows.first().copied().unwrap_or((0, 0)))
}

// ---------------------------------------------------------------- counts for monitoring

/// One village's enterprise figures in a period (see [`counts_page`]).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct VillageCounts {
    pub village_code: String,
    /// Trainings overlapping the period.
    pub trainings: i64,
    /// Participations in those trainings (a person in two trainings counts twice).
    pub participants: i64,
    pub completed: i64,
    /// Businesses whose status is running now.
    pub businesses_running: i64,
    /// Remittances received in the period's months, and their productive part.
    pub remittance_total: i64,
    pub remittance_productive: i64,
}

impl VillageCounts {
    pub fn productive_share_bp(&self) -> Option<i64> {
        domain::enterprise::productive_share_bp(self.remittance_productive, self.remittance_total)
    }
}

/// One page of the trainings, participants, completions, running businesses and remittances
/// per village in the region and period, in village code order: the villages after `after`,
/// at most `limit`, and the code to continue after when more follow. Each grouped query stops
/// `limit + 1` villages past the cursor ([`KeyPage`]), so a page costs its villages, not the
/// nation.
pub async fn counts_page(
    db: &Db,
    f: &Filter,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<VillageCounts>, Option<String>)> {
    use std::collections::BTreeMap;
    let page = KeyPage::new(after, limit);
    let mut out: BTreeMap<String, VillageCounts> = BTreeMap::new();
    fn row<'m>(out: &'m mut BTreeMap<String, VillageCounts>, v: &str) -> &'m mut VillageCounts {
        out.entry(v.to_string()).or_insert_with(|| VillageCounts { village_code: v.to_string(), ..Default::default() })
    }
    // Per training first, then per village (no aggregate over a subquery).
    let mut q = Select::new(
        "SELECT x.village_code, COUNT(*) AS n, CAST(SUM(x.a) AS BIGINT) AS a, CAST(SUM(x.b) AS BIGINT) AS b FROM (\
         SELECT t.village_code, (SELECT COUNT(*) FROM training_participants p WHERE p.training_id = t.id) AS a, \
         (SELECT COUNT(*) FROM training_participants p WHERE p.training_id = t.id AND p.completed) AS b \
         FROM trainings t WHERE 1=1",
    );
    f.apply_region(&mut q, "t.village_code");
    f.apply_span(&mut q, "t.starts_on", "t.ends_on");
    page.and_after(&mut q, "t.village_code");
    q.tail(") x");
    page.group_tail(&mut q, "x.village_code", "x.village_code");
    let rows: Vec<(String, i64, i64, i64)> = q.fetch_all(db).await?;
    for (v, n, a, b) in rows {
        let e = row(&mut out, &v);
        e.trainings = n;
        e.participants = a;
        e.completed = b;
    }
    let mut q = Select::new("SELECT b.village_code, COUNT(*) AS n FROM businesses b WHERE b.status = 'running'");
    f.apply_region(&mut q, "b.village_code");
    page.group_by(&mut q, "b.village_code");
    let rows: Vec<(String, i64)> = q.fetch_all(db).await?;
    for (v, n) in rows {
        row(&mut out, &v).businesses_running = n;
    }
    for r in remittances_in(db, f, &page).await? {
        let e = row(&mut out, &r.village_code);
        e.remittance_total = r.total;
        e.remittance_productive = r.productive;
    }
    Ok(page.cut(out.into_values().collect(), |r| &r.village_code))
}
