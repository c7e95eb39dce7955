//! Outreach events (sosialisasi) of pillar 1: recorded per village, with the registered people
//! who came, and counted per village for the ministry.

use crate::audit::{self, Actor, Event};
use crate::persons::Person;
use crate::query::{KeyPage, Select};
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::RegionCode;
use domain::service_center::NewOutreach;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutreachEvent {
    pub id: i64,
    pub village_code: String,
    /// The village's name as in the region data (see `regions::display_name`).
    pub village_name: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub place: String,
    pub topic: String,
    pub organiser: String,
    /// Everyone who came, registered or not.
    pub headcount: i64,
    /// How many registered people are recorded as attending.
    pub registered: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl OutreachEvent {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

const SELECT: &str = "SELECT e.id, e.village_code, r.name AS village_name, e.held_on, e.place, e.topic, e.organiser, \
    e.headcount, (SELECT COUNT(*) FROM outreach_attendance a WHERE a.event_id = e.id) AS registered, e.created_by, \
    e.created_at, e.updated_at FROM outreach_events e JOIN regions r ON r.code = e.village_code";

async fn audit_event(tx: &mut Tx, actor: &Actor, e: &OutreachEvent, action: &str, details: &str) -> Result<()> {
    audit::append(
        tx,
        actor,
        &Event { action, entity: "outreach", entity_id: &e.id.to_string(), region_code: &e.village_code, details },
    )
    .await
    .map(|_| ())
}

/// Records an event (the caller has checked that the village exists and is in scope).
pub async fn create(db: &Db, actor: &Actor, o: &NewOutreach) -> Result<OutreachEvent> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO outreach_events (village_code, held_on, place, topic, organiser, headcount, created_by, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id")
            .bind(o.village_code.as_str()).bind(o.held_on.to_string()).bind(&o.place).bind(&o.topic).bind(&o.organiser)
            .bind(o.headcount).bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    let event: OutreachEvent = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.id = $1"))).bind(id).fetch_one(c).await
    })?;
    let details = format!("{} headcount={}", event.held_on, event.headcount);
    audit_event(&mut tx, actor, &event, "outreach.create", &details).await?;
    tx.commit().await?;
    Ok(event)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<OutreachEvent>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Events held at or inside `within` (everywhere when `None`), newest first: by date, then
/// by id. `after` is the last id of the previous page (keyset pagination).
pub async fn list(db: &Db, within: Option<&RegionCode>, after: Option<i64>, limit: i64) -> Result<Vec<OutreachEvent>> {
    let mut q = Select::new(format!("{SELECT} WHERE 1=1"));
    if let Some(w) = within {
        q.and_within("e.village_code", w.as_str());
    }
    if let Some(a) = after {
        // `a` is an integer, never user text; the cursor event's date places the page.
        let on = format!("(SELECT c.held_on FROM outreach_events c WHERE c.id = {a})");
        q.tail(&format!("AND (e.held_on < {on} OR (e.held_on = {on} AND e.id < {a}))"));
    }
    q.tail(&format!("ORDER BY e.held_on DESC, e.id DESC LIMIT {}", limit.clamp(1, 500)));
    q.fetch_all(db).await
}

/// Records that a registered person attended. Idempotent: `Ok(false)` (and no audit entry)
/// when they were already on the list.
pub async fn add_attendee(db: &Db, actor: &Actor, e: &OutreachEvent, person: &Person) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO outreach_attendance (event_id, person_id) VALUES ($1, $2) ON CONFLICT (event_id, person_id) DO NOTHING")
            .bind(e.id).bind(person.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE outreach_events SET updated_at = $1 WHERE id = $2")
            .bind(crate::now()).bind(e.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    audit_event(&mut tx, actor, e, "outreach.attend", &format!("person {}", person.id)).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attendee {
    pub person_id: i64,
    pub full_name: String,
    /// Where the person lives: callers show only those the user may see.
    pub village_code: String,
}

impl Attendee {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

/// The registered people recorded at an event, by name.
pub async fn attendees(db: &Db, event_id: i64) -> Result<Vec<Attendee>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT p.id AS person_id, p.full_name, p.village_code FROM outreach_attendance a \
             JOIN persons p ON p.id = a.person_id WHERE a.event_id = $1 ORDER BY p.full_name, p.id")
            .bind(event_id).fetch_all(p).await
    })?)
}

/// One village's outreach in a period.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VillageCount {
    pub village_code: String,
    pub village_name: String,
    pub events: i64,
    /// The sum of the events' headcounts.
    pub headcount: i64,
    /// Attendance of registered people (one per person and event).
    pub registered: i64,
}

/// One page of the events per village at or inside `within`, in `year` when given, in village
/// code order: the villages after `after`, at most `limit`, and the code to continue after when
/// more follow ([`KeyPage`]).
pub async fn counts_page(
    db: &Db,
    within: Option<&RegionCode>,
    year: Option<i32>,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<VillageCount>, Option<String>)> {
    let page = KeyPage::new(after, limit);
    // Per event first, then per village: joining attendance directly would repeat headcounts.
    let mut q = Select::new(
        "SELECT x.village_code, r.name AS village_name, COUNT(*) AS events, CAST(SUM(x.headcount) AS BIGINT) AS headcount, \
         CAST(SUM(x.registered) AS BIGINT) AS registered FROM (SELECT e.village_code, e.headcount, \
         (SELECT COUNT(*) FROM outreach_attendance a WHERE a.event_id = e.id) AS registered FROM outreach_events e WHERE 1=1",
    );
    if let Some(w) = within {
        q.and_within("e.village_code", w.as_str());
    }
    if let Some(y) = year {
        q.and("e.held_on >= ? AND e.held_on <= ?", &[&format!("{y:04}-01-01"), &format!("{y:04}-12-31")]);
    }
    page.and_after(&mut q, "e.village_code");
    q.tail(") x JOIN regions r ON r.code = x.village_code");
    page.group_tail(&mut q, "x.village_code", "x.village_code, r.name");
    Ok(page.cut(q.fetch_all(db).await?, |r: &VillageCount| &r.village_code))
}
