//! Migration episodes: one per placement, with their dated steps, documents and costs.

use crate::audit::{self, Actor, Event};
use crate::persons::Person;
use crate::query::Select;
use crate::{Db, Result, on_db, on_tx};
use domain::RegionCode;
use domain::service_center::{DocumentRecord, NewEpisode, Transition};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Episode {
    pub id: i64,
    pub person_id: i64,
    pub village_code: String,
    pub category: String,
    pub scheme: String,
    pub destination: String,
    pub job_type: String,
    pub agency_id: Option<i64>,
    pub recruiter_name: String,
    pub job_order_id: Option<i64>,
    pub employer: String,
    pub planned_departure: Option<String>,
    pub contract_start: Option<String>,
    pub contract_end: Option<String>,
    pub sisko_id: String,
    pub ekpmi_id: String,
    pub state: String,
    pub state_date: String,
    pub departed_on: Option<String>,
    pub returned_on: Option<String>,
    pub last_contact_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Episode {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
}

const COLUMNS: &str = "id, person_id, village_code, category, scheme, destination, job_type, agency_id, recruiter_name, \
    job_order_id, employer, planned_departure, contract_start, contract_end, sisko_id, ekpmi_id, state, state_date, \
    departed_on, returned_on, last_contact_on, created_at, updated_at";

fn date_text(d: Option<time::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

async fn audit_episode(tx: &mut crate::Tx, actor: &Actor, e: &Episode, action: &str, details: &str) -> Result<()> {
    audit::append(
        tx,
        actor,
        &Event { action, entity: "episode", entity_id: &e.id.to_string(), region_code: &e.village_code, details },
    )
    .await
    .map(|_| ())
}

/// Opens an episode in state `registered` on `today`.
pub async fn open(db: &Db, actor: &Actor, person: &Person, e: &NewEpisode, today: time::Date) -> Result<Episode> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let episode: Episode = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO episodes (person_id, village_code, category, scheme, destination, job_type, agency_id, recruiter_name, \
             employer, planned_departure, contract_start, contract_end, sisko_id, ekpmi_id, state, state_date, created_by, \
             created_at, updated_at, job_order_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,'registered',$15,$16,$17,$17,$18) \
             RETURNING {COLUMNS}")))
            .bind(person.id).bind(&person.village_code).bind(e.category.as_str()).bind(e.scheme.as_str())
            .bind(e.destination.as_str()).bind(e.job_type.as_str()).bind(e.agency_id).bind(&e.recruiter_name)
            .bind(&e.employer).bind(date_text(e.planned_departure)).bind(date_text(e.contract_start))
            .bind(date_text(e.contract_end)).bind(&e.sisko_id).bind(&e.ekpmi_id).bind(today.to_string())
            .bind(actor.user_id).bind(now).bind(e.job_order_id)
            .fetch_one(c).await
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO episode_events (episode_id, from_state, to_state, on_date, by_user, at) VALUES ($1, NULL, 'registered', $2, $3, $4)")
            .bind(episode.id).bind(today.to_string()).bind(actor.user_id).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} {} {}", episode.destination, episode.job_type, episode.scheme);
    audit_episode(&mut tx, actor, &episode, "episode.open", &details).await?;
    tx.commit().await?;
    Ok(episode)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Episode>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM episodes WHERE id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

pub async fn for_person(db: &Db, person_id: i64) -> Result<Vec<Episode>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM episodes WHERE person_id = $1 ORDER BY id DESC")))
            .bind(person_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EpisodeEvent {
    pub id: i64,
    pub episode_id: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub on_date: String,
    pub reason: String,
    pub return_reason: String,
    pub handover_witness: String,
    pub override_reason: String,
    pub by_user: Option<i64>,
    pub actor: Option<String>,
    pub at: i64,
}

pub async fn events(db: &Db, episode_id: i64) -> Result<Vec<EpisodeEvent>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT e.id, e.episode_id, e.from_state, e.to_state, e.on_date, e.reason, e.return_reason, e.handover_witness, \
             e.override_reason, e.by_user, u.full_name AS actor, e.at FROM episode_events e LEFT JOIN users u ON u.id = e.by_user \
             WHERE e.episode_id = $1 ORDER BY e.id DESC")
            .bind(episode_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub episode_id: i64,
    pub kind: String,
    pub status: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    pub village_head_ack: bool,
    pub updated_at: i64,
}

const DOC_COLUMNS: &str =
    "episode_id, kind, status, number, issuer, issued_on, expires_on, village_head_ack, updated_at";

/// Documents of several episodes at once (worklists), by episode id.
pub async fn documents(db: &Db, episode_ids: &[i64]) -> Result<Vec<DocumentRow>> {
    if episode_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = episode_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    // Ids are integers we produced, never user text.
    let sql =
        format!("SELECT {DOC_COLUMNS} FROM episode_documents WHERE episode_id IN ({ids}) ORDER BY episode_id, kind");
    Select::new(sql).fetch_all(db).await
}

pub async fn save_document(db: &Db, actor: &Actor, e: &Episode, d: &DocumentRecord) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO episode_documents (episode_id, kind, status, number, issuer, issued_on, expires_on, village_head_ack, updated_by, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (episode_id, kind) DO UPDATE SET status = excluded.status, \
             number = excluded.number, issuer = excluded.issuer, issued_on = excluded.issued_on, expires_on = excluded.expires_on, \
             village_head_ack = excluded.village_head_ack, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(e.id).bind(d.kind().as_str()).bind(d.status().as_str()).bind(d.number()).bind(d.issuer())
            .bind(date_text(d.issued_on())).bind(date_text(d.expires_on())).bind(d.village_head_acknowledged())
            .bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} {}", d.kind().as_str(), d.status().as_str());
    audit_episode(&mut tx, actor, e, "episode.document", &details).await?;
    tx.commit().await
}

/// Stores an accepted step. Refuses (Ok(false)) when the episode moved meanwhile, so two
/// officers cannot both advance it from the same state.
pub async fn apply(db: &Db, actor: &Actor, e: &Episode, t: &Transition) -> Result<bool> {
    use domain::service_center::EpisodeState;
    let mut tx = db.begin().await?;
    let on = t.date.to_string();
    let departed = (t.to == EpisodeState::Departed).then(|| on.clone());
    let returned = (t.to == EpisodeState::Returned).then(|| on.clone());
    let now = crate::now();
    let n = on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE episodes SET state = $1, state_date = $2, departed_on = COALESCE($3, departed_on), \
             returned_on = COALESCE($4, returned_on), updated_at = $5 WHERE id = $6 AND state = $7")
            .bind(t.to.as_str()).bind(&on).bind(&departed).bind(&returned).bind(now).bind(e.id).bind(t.from.as_str())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO episode_events (episode_id, from_state, to_state, on_date, reason, return_reason, handover_witness, \
             override_reason, by_user, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
            .bind(e.id).bind(t.from.as_str()).bind(t.to.as_str()).bind(&on).bind(t.reason.as_deref().unwrap_or(""))
            .bind(t.return_reason.map(|r| r.as_str()).unwrap_or("")).bind(t.handover_witness.as_deref().unwrap_or(""))
            .bind(t.override_reason.as_deref().unwrap_or("")).bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} -> {} on {on}", t.from.as_str(), t.to.as_str());
    audit_episode(&mut tx, actor, e, "episode.transition", &details).await?;
    if t.must_audit && t.to == domain::service_center::EpisodeState::Counselled {
        let details = format!("counselled without a recorded session: {}", t.reason.as_deref().unwrap_or(""));
        audit_episode(&mut tx, actor, e, "episode.counselled_without_session", &details).await?;
    } else if t.must_audit {
        let details = format!("supervisor override: {}", t.override_reason.as_deref().unwrap_or(""));
        audit_episode(&mut tx, actor, e, "episode.override", &details).await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CostRow {
    pub id: i64,
    pub episode_id: i64,
    pub item: String,
    pub amount_rupiah: i64,
    pub created_at: i64,
}

pub async fn costs(db: &Db, episode_ids: &[i64]) -> Result<Vec<CostRow>> {
    if episode_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = episode_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT id, episode_id, item, amount_rupiah, created_at FROM episode_costs WHERE episode_id IN ({ids}) ORDER BY id"
    );
    Select::new(sql).fetch_all(db).await
}

pub async fn add_cost(db: &Db, actor: &Actor, e: &Episode, item: &str, amount_rupiah: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO episode_costs (episode_id, item, amount_rupiah, created_by, created_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(e.id).bind(item).bind(amount_rupiah).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    audit_episode(&mut tx, actor, e, "episode.cost", &format!("{item} {amount_rupiah}")).await?;
    tx.commit().await
}

pub async fn record_contact(db: &Db, actor: &Actor, e: &Episode, on: time::Date) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE episodes SET last_contact_on = $1, updated_at = $2 WHERE id = $3")
            .bind(on.to_string()).bind(crate::now()).bind(e.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    audit_episode(&mut tx, actor, e, "episode.contact", &on.to_string()).await?;
    tx.commit().await
}

/// An open episode with its person, for worklists.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OpenEpisode {
    #[sqlx(flatten)]
    pub episode: Episode,
    pub full_name: String,
    pub birth_date: String,
}

/// The worklist's change stamp of `within` (the nation when `None`): the sum of its villages'
/// stamps and the national row's, which the triggers of migration 0037 move in every
/// transaction that changes what a worklist shows. Equal sums mean nothing changed.
pub async fn worklist_stamp(db: &Db, within: Option<&RegionCode>) -> Result<i64> {
    let mut q = Select::new("SELECT CAST(COALESCE(SUM(stamp), 0) AS BIGINT) FROM worklist_stamps");
    if let Some(w) = within {
        let cond = q.within_cond("village_code", w.as_str());
        q.tail(&format!("WHERE village_code = '' OR {cond}"));
    }
    let rows: Vec<(i64,)> = q.fetch_all(db).await?;
    Ok(rows.first().map(|r| r.0).unwrap_or(0))
}

/// Episodes not yet returned or cancelled, in or under `within`, oldest step first.
pub async fn open_in(db: &Db, within: Option<&RegionCode>, limit: i64) -> Result<Vec<OpenEpisode>> {
    let cols = COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
    let mut q = Select::new(format!(
        "SELECT {cols}, p.full_name, p.birth_date FROM episodes e JOIN persons p ON p.id = e.person_id \
         WHERE e.state NOT IN ('returned', 'cancelled')"
    ));
    if let Some(w) = within {
        q.and_within("e.village_code", w.as_str());
    }
    q.tail(&format!("ORDER BY e.state_date, e.id LIMIT {}", limit.clamp(1, 5000)));
    q.fetch_all(db).await
}
