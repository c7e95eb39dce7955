//! Pillar 3, community parenting (issue 6): children of migrant workers linked to their
//! parents, parenting activities with per-day attendance, welfare concerns and the protection
//! case each opened — and the per-village counts the monitoring pages read.
//!
//! Children's records are the most restricted: who may read names is decided above this layer
//! (`Action::ViewChild`). Audit details here never carry a child's name.

use crate::audit::{self, Actor, Event};
use crate::enterprise::Filter;
use crate::query::{KeyPage, Select};
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::RegionCode;
use domain::parenting::{NewActivity, NewChild, NewConcern, SchoolLevel, SchoolStatus};
use serde::Serialize;
use time::Date;

async fn audit_in(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    id: &str,
    region: &str,
    action: &str,
    details: &str,
) -> Result<()> {
    audit::append(tx, actor, &Event { action, entity, entity_id: id, region_code: region, details }).await.map(|_| ())
}

// ---------------------------------------------------------------- children

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Child {
    pub id: i64,
    pub full_name: String,
    pub birth_date: String,
    pub sex: String,
    pub village_code: String,
    pub caregiver: String,
    pub school_level: Option<String>,
    pub school_status: Option<String>,
    pub birth_certificate: bool,
    pub health_insurance: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Child {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

const CHILD: &str = "SELECT id, full_name, birth_date, sex, village_code, caregiver, school_level, school_status, \
    birth_certificate, health_insurance, created_at, updated_at FROM children";

/// Registers a child with their parents (persons the caller checked) in one transaction.
pub async fn create_child(db: &Db, actor: &Actor, n: &NewChild) -> Result<Child> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO children (full_name, birth_date, sex, village_code, caregiver, school_level, school_status, \
             birth_certificate, health_insurance, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id")
            .bind(&n.full_name).bind(n.birth_date.to_string()).bind(n.sex.as_str()).bind(n.village_code.as_str())
            .bind(n.caregiver.as_str()).bind(n.school_level.map(|l| l.as_str())).bind(n.school_status.map(|s| s.as_str()))
            .bind(n.birth_certificate).bind(n.health_insurance).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    for p in &n.parent_person_ids {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO child_parents (child_id, person_id) VALUES ($1,$2)").bind(id).bind(*p).execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let child: Child = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{CHILD} WHERE id = $1"))).bind(id).fetch_one(c).await
    })?;
    let parents = n.parent_person_ids.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
    audit_in(
        &mut tx,
        actor,
        "child",
        &id.to_string(),
        &child.village_code,
        "child.create",
        &format!("parents {parents}"),
    )
    .await?;
    tx.commit().await?;
    Ok(child)
}

pub async fn get_child(db: &Db, id: i64) -> Result<Option<Child>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{CHILD} WHERE id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Updates schooling and documents.
pub async fn update_child_status(
    db: &Db,
    actor: &Actor,
    c: &Child,
    level: Option<SchoolLevel>,
    status: Option<SchoolStatus>,
    birth_certificate: bool,
    health_insurance: bool,
) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, x => {
        sqlx::query("UPDATE children SET school_level = $1, school_status = $2, birth_certificate = $3, health_insurance = $4, \
                     updated_at = $5 WHERE id = $6")
            .bind(level.map(|l| l.as_str())).bind(status.map(|s| s.as_str())).bind(birth_certificate).bind(health_insurance)
            .bind(crate::now()).bind(c.id).execute(x).await.map(|r| r.rows_affected())
    })?;
    let details = format!(
        "school {}/{} birth_certificate={birth_certificate} health_insurance={health_insurance}",
        level.map(|l| l.as_str()).unwrap_or("-"),
        status.map(|s| s.as_str()).unwrap_or("-")
    );
    audit_in(&mut tx, actor, "child", &c.id.to_string(), &c.village_code, "child.update", &details).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ParentRef {
    pub person_id: i64,
    pub full_name: String,
    pub village_code: String,
}

impl ParentRef {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

pub async fn parents(db: &Db, child_id: i64) -> Result<Vec<ParentRef>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT cp.person_id, p.full_name, p.village_code FROM child_parents cp JOIN persons p ON p.id = cp.person_id \
             WHERE cp.child_id = $1 ORDER BY p.id")
            .bind(child_id).fetch_all(p).await
    })?)
}

/// Children of one person (as parent).
pub async fn children_of(db: &Db, person_id: i64) -> Result<Vec<Child>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{CHILD} WHERE id IN (SELECT child_id FROM child_parents WHERE person_id = $1) ORDER BY birth_date")))
            .bind(person_id).fetch_all(p).await
    })?)
}

/// Children registered in the region, by id; `after` is the last
/// id of the previous page; only those with `school_status` when given.
pub async fn list_children(
    db: &Db,
    f: &Filter,
    school_status: Option<SchoolStatus>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Child>> {
    let mut q = Select::new(format!("{CHILD} WHERE 1=1"));
    if let Some(w) = &f.within {
        q.and_within("village_code", w.as_str());
    }
    if let Some(s) = school_status {
        q.and("school_status = ?", &[s.as_str()]);
    }
    q.tail(&format!("AND id > {} ORDER BY id LIMIT {}", after.unwrap_or(0), limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

/// Records that children's names were shown (one entry naming the child ids).
pub async fn audit_children_view(
    db: &Db,
    actor: &Actor,
    action: &str,
    region: &str,
    ids: &[i64],
    details: &str,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let ev = Event { action, entity: "child", entity_id: &ids, region_code: region, details };
    audit::append_now(db, actor, &ev).await.map(|_| ())
}

// ---------------------------------------------------------------- activities

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub ends_on: String,
    pub place: String,
    pub facilitator: String,
    /// Distinct children and caregivers recorded as attending.
    pub children: i64,
    pub caregivers: i64,
}

impl Activity {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
    pub fn dates(&self) -> Option<(Date, Date)> {
        Some((domain::person::parse_date(&self.held_on)?, domain::person::parse_date(&self.ends_on)?))
    }
}

const ACTIVITY: &str = "SELECT a.id, a.village_code, r.name AS village_name, a.kind, a.title, a.held_on, a.ends_on, a.place, a.facilitator, \
    (SELECT COUNT(DISTINCT x.child_id) FROM activity_children x WHERE x.activity_id = a.id) AS children, \
    (SELECT COUNT(DISTINCT y.person_id) FROM activity_caregivers y WHERE y.activity_id = a.id) AS caregivers \
    FROM parenting_activities a JOIN regions r ON r.code = a.village_code";

pub async fn create_activity(db: &Db, actor: &Actor, n: &NewActivity) -> Result<Activity> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO parenting_activities (village_code, kind, title, held_on, ends_on, place, facilitator, created_by, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id")
            .bind(n.village_code.as_str()).bind(n.kind.as_str()).bind(&n.title).bind(n.held_on.to_string()).bind(n.ends_on.to_string())
            .bind(&n.place).bind(&n.facilitator).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    let a: Activity = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = $1"))).bind(id).fetch_one(c).await
    })?;
    audit_in(
        &mut tx,
        actor,
        "parenting_activity",
        &id.to_string(),
        &a.village_code,
        "parenting.create",
        &format!("{} {}", a.kind, a.held_on),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

pub async fn get_activity(db: &Db, id: i64) -> Result<Option<Activity>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Activities overlapping the period in the region, newest first.
pub async fn list_activities(db: &Db, f: &Filter, before: Option<i64>, limit: i64) -> Result<Vec<Activity>> {
    let mut q = Select::new(format!("{ACTIVITY} WHERE 1=1"));
    if let Some(w) = &f.within {
        q.and_within("a.village_code", w.as_str());
    }
    if let Some(d) = f.from {
        q.and("a.ends_on >= ?", &[&d.to_string()]);
    }
    if let Some(d) = f.to {
        q.and("a.held_on <= ?", &[&d.to_string()]);
    }
    if let Some(b) = before {
        q.tail(&format!("AND a.id < {b}"));
    }
    q.tail(&format!("ORDER BY a.held_on DESC, a.id DESC LIMIT {}", limit.clamp(1, 1000)));
    q.fetch_all(db).await
}

/// Records a child's attendance on a day. Idempotent: `Ok(false)` when already recorded.
pub async fn add_child_attendance(db: &Db, actor: &Actor, a: &Activity, child_id: i64, on: Date) -> Result<bool> {
    add_attendance(db, actor, a, "activity_children", "child_id", child_id, on, "child").await
}

/// Records a caregiver's (a person's) attendance on a day. Idempotent.
pub async fn add_caregiver_attendance(db: &Db, actor: &Actor, a: &Activity, person_id: i64, on: Date) -> Result<bool> {
    add_attendance(db, actor, a, "activity_caregivers", "person_id", person_id, on, "person").await
}

#[allow(clippy::too_many_arguments)]
async fn add_attendance(
    db: &Db,
    actor: &Actor,
    a: &Activity,
    table: &str,
    column: &str,
    id: i64,
    on: Date,
    what: &str,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    // Table and column are constants of this module, never user text.
    let sql = format!(
        "INSERT INTO {table} (activity_id, {column}, on_date) VALUES ($1,$2,$3) ON CONFLICT (activity_id, {column}, on_date) DO NOTHING"
    );
    let n = on_tx!(&mut tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(a.id).bind(id).bind(on.to_string()).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    audit_in(
        &mut tx,
        actor,
        "parenting_activity",
        &a.id.to_string(),
        &a.village_code,
        "parenting.attendance",
        &format!("{what} {id} {on}"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChildAttendance {
    pub child_id: i64,
    pub full_name: String,
    pub village_code: String,
    pub on_date: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaregiverAttendance {
    pub person_id: i64,
    pub full_name: String,
    pub village_code: String,
    pub on_date: String,
}

pub async fn child_attendance(db: &Db, activity_id: i64) -> Result<Vec<ChildAttendance>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT x.child_id, c.full_name, c.village_code, x.on_date FROM activity_children x JOIN children c ON c.id = x.child_id \
             WHERE x.activity_id = $1 ORDER BY x.on_date, c.full_name, c.id")
            .bind(activity_id).fetch_all(p).await
    })?)
}

pub async fn caregiver_attendance(db: &Db, activity_id: i64) -> Result<Vec<CaregiverAttendance>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT y.person_id, p.full_name, p.village_code, y.on_date FROM activity_caregivers y JOIN persons p ON p.id = y.person_id \
             WHERE y.activity_id = $1 ORDER BY y.on_date, p.full_name, p.id")
            .bind(activity_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChildActivity {
    pub activity_id: i64,
    pub kind: String,
    pub title: String,
    pub on_date: String,
}

/// The activities a child attended, newest first.
pub async fn activities_of_child(db: &Db, child_id: i64) -> Result<Vec<ChildActivity>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT a.id AS activity_id, a.kind, a.title, x.on_date FROM activity_children x JOIN parenting_activities a ON a.id = x.activity_id \
             WHERE x.child_id = $1 ORDER BY x.on_date DESC, a.id DESC")
            .bind(child_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------- concerns

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Concern {
    pub id: i64,
    pub child_id: i64,
    pub kind: String,
    pub noted_on: String,
    pub description: String,
    pub case_id: Option<i64>,
    pub created_at: i64,
}

/// Records a concern and the case it opened.
pub async fn create_concern(db: &Db, actor: &Actor, c: &Child, n: &NewConcern, case_id: i64) -> Result<Concern> {
    let mut tx = db.begin().await?;
    let concern: Concern = on_tx!(&mut tx, x => {
        sqlx::query_as(
            "INSERT INTO child_concerns (child_id, kind, noted_on, description, case_id, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) \
             RETURNING id, child_id, kind, noted_on, description, case_id, created_at")
            .bind(c.id).bind(n.kind.as_str()).bind(n.noted_on.to_string()).bind(&n.description).bind(case_id)
            .bind(actor.user_id).bind(crate::now())
            .fetch_one(x).await
    })?;
    let details = format!("child {} {} case {case_id}", c.id, n.kind);
    audit_in(&mut tx, actor, "child_concern", &concern.id.to_string(), &c.village_code, "child.concern", &details)
        .await?;
    tx.commit().await?;
    Ok(concern)
}

pub async fn concerns(db: &Db, child_id: i64) -> Result<Vec<Concern>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, child_id, kind, noted_on, description, case_id, created_at FROM child_concerns WHERE child_id = $1 ORDER BY id DESC")
            .bind(child_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------- counts

/// One village's parenting figures (no names): see [`counts_page`].
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct VillageCounts {
    pub village_code: String,
    /// Children registered (all to date: a register, not an event).
    pub children: i64,
    pub enrolled: i64,
    pub dropped_out: i64,
    pub never_enrolled: i64,
    pub birth_certificate: i64,
    pub health_insurance: i64,
    /// Children who attended at least one activity day in the period.
    pub reached: i64,
    /// Activities overlapping the period.
    pub activities: i64,
}

/// One page of the children, schooling, documents, reach and activities per village in the
/// region and period, in village code order: the villages after `after`, at most `limit`, and
/// the code to continue after when more follow. Each of the three grouped queries stops at
/// `limit + 1` villages past the cursor ([`KeyPage`], the index order), so a page costs its
/// villages, not the nation.
pub async fn counts_page(
    db: &Db,
    f: &Filter,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<VillageCounts>, Option<String>)> {
    use std::collections::BTreeMap;
    fn row<'m>(out: &'m mut BTreeMap<String, VillageCounts>, v: &str) -> &'m mut VillageCounts {
        out.entry(v.to_string()).or_insert_with(|| VillageCounts { village_code: v.to_string(), ..Default::default() })
    }
    let page = KeyPage::new(after, limit);
    let mut out: BTreeMap<String, VillageCounts> = BTreeMap::new();
    let mut q = Select::new(
        "SELECT village_code, COUNT(*) AS children, \
         CAST(SUM(CASE WHEN school_status = 'enrolled' THEN 1 ELSE 0 END) AS BIGINT) AS enrolled, \
         CAST(SUM(CASE WHEN school_status = 'dropped_out' THEN 1 ELSE 0 END) AS BIGINT) AS dropped_out, \
         CAST(SUM(CASE WHEN school_status = 'never' THEN 1 ELSE 0 END) AS BIGINT) AS never_enrolled, \
         CAST(SUM(CASE WHEN birth_certificate THEN 1 ELSE 0 END) AS BIGINT) AS birth_certificate, \
         CAST(SUM(CASE WHEN health_insurance THEN 1 ELSE 0 END) AS BIGINT) AS health_insurance, \
         CAST(0 AS BIGINT) AS reached, CAST(0 AS BIGINT) AS activities FROM children WHERE 1=1",
    );
    if let Some(w) = &f.within {
        q.and_within("village_code", w.as_str());
    }
    page.group_by(&mut q, "village_code");
    for r in q.fetch_all::<VillageCounts>(db).await? {
        out.insert(r.village_code.clone(), r);
    }
    let mut q = Select::new(
        "SELECT a.village_code, COUNT(DISTINCT x.child_id) AS n FROM activity_children x \
         JOIN parenting_activities a ON a.id = x.activity_id WHERE 1=1",
    );
    if let Some(w) = &f.within {
        q.and_within("a.village_code", w.as_str());
    }
    if let Some(d) = f.from {
        q.and("x.on_date >= ?", &[&d.to_string()]);
    }
    if let Some(d) = f.to {
        q.and("x.on_date <= ?", &[&d.to_string()]);
    }
    page.group_by(&mut q, "a.village_code");
    for (v, n) in q.fetch_all::<(String, i64)>(db).await? {
        row(&mut out, &v).reached = n;
    }
    let mut q = Select::new("SELECT a.village_code, COUNT(*) AS n FROM parenting_activities a WHERE 1=1");
    if let Some(w) = &f.within {
        q.and_within("a.village_code", w.as_str());
    }
    if let Some(d) = f.from {
        q.and("a.ends_on >= ?", &[&d.to_string()]);
    }
    if let Some(d) = f.to {
        q.and("a.held_on <= ?", &[&d.to_string()]);
    }
    page.group_by(&mut q, "a.village_code");
    for (v, n) in q.fetch_all::<(String, i64)>(db).await? {
        row(&mut out, &v).activities = n;
    }
    Ok(page.cut(out.into_values().collect(), |r| &r.village_code))
}
