//! The partner data exchange: API clients (hashed tokens), purpose consents, restriction of
//! processing, correction requests, deletion tombstones, sync pages ordered by (updated_at, id)
//! and keyset batches for streaming exports, and what a subject-access report gathers.

use crate::audit::{self, Actor, Event};
use crate::persons::Person;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use domain::exchange::{NewClient, Purpose, SyncPosition};
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// API clients

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Client {
    pub id: i64,
    pub organisation: String,
    pub purpose: String,
    pub scopes: String,
    pub region_code: Option<String>,
    pub expires_at: i64,
    pub rate_per_minute: i64,
    pub token_hint: String,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Client {
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

const CLIENT_COLUMNS: &str = "id, organisation, purpose, scopes, region_code, expires_at, rate_per_minute, token_hint, \
    revoked_at, created_at, updated_at";

/// A client token: a prefix partners and logs can recognise, then 256 random bits.
pub const TOKEN_PREFIX: &str = "dmx_";

pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", crate::auth::new_secret())
}

fn hint(token: &str) -> String {
    token.chars().take(TOKEN_PREFIX.len() + 6).collect()
}

/// The end of the expiry day (UTC), as Unix seconds.
fn end_of(day: time::Date) -> i64 {
    day.next_day().map(|d| d.midnight().assume_utc().unix_timestamp()).unwrap_or(i64::MAX)
}

async fn audit_client(tx: &mut Tx, actor: &Actor, id: i64, action: &str, details: &str) -> Result<()> {
    audit::append(
        tx,
        actor,
        &Event { action, entity: "api_client", entity_id: &id.to_string(), region_code: "", details },
    )
    .await
    .map(|_| ())
}

/// Registers a client; returns it and its token (shown once; only its hash is kept).
pub async fn create_client(db: &Db, actor: &Actor, c: &NewClient) -> Result<(Client, String)> {
    let token = new_token();
    let mut tx = db.begin().await?;
    let now = crate::now();
    let client: Client = on_tx!(&mut tx, conn => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO api_clients (organisation, purpose, scopes, region_code, expires_at, rate_per_minute, token_hash, token_hint, \
             created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10) RETURNING {CLIENT_COLUMNS}")))
            .bind(&c.organisation).bind(c.purpose.as_str()).bind(c.scopes.to_list())
            .bind(c.region_code.as_ref().map(|r| r.as_str().to_string())).bind(end_of(c.expires_on))
            .bind(c.rate_per_minute).bind(crate::auth::secret_hash(&token)).bind(hint(&token)).bind(actor.user_id).bind(now)
            .fetch_one(conn).await
    })?;
    let details = format!(
        "{} purpose={} scopes={} region={} expires={}",
        c.organisation,
        c.purpose.as_str(),
        c.scopes.to_list(),
        c.region_code.as_ref().map(|r| r.as_str()).unwrap_or("national"),
        c.expires_on
    );
    audit_client(&mut tx, actor, client.id, "api_client.create", &details).await?;
    tx.commit().await?;
    Ok((client, token))
}

pub async fn clients(db: &Db) -> Result<Vec<Client>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CLIENT_COLUMNS} FROM api_clients ORDER BY organisation, id LIMIT 1000")))
            .fetch_all(p).await
    })?)
}

pub async fn client(db: &Db, id: i64) -> Result<Option<Client>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CLIENT_COLUMNS} FROM api_clients WHERE id = $1")))
            .bind(id).fetch_optional(p).await
    })?)
}

/// The live (not revoked, not expired) client holding this token. Checked on every call, so a
/// revocation takes effect at once on every server.
pub async fn client_by_token(db: &Db, token: &str) -> Result<Option<Client>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CLIENT_COLUMNS} FROM api_clients WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2")))
            .bind(crate::auth::secret_hash(token)).bind(crate::now()).fetch_optional(p).await
    })?)
}

/// A new token for a live client; the old one stops working at once. `None`: no such live client.
pub async fn rotate_client(db: &Db, actor: &Actor, id: i64) -> Result<Option<String>> {
    let token = new_token();
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE api_clients SET token_hash = $1, token_hint = $2, updated_at = $3 WHERE id = $4 AND revoked_at IS NULL")
            .bind(crate::auth::secret_hash(&token)).bind(hint(&token)).bind(crate::now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(None);
    }
    audit_client(&mut tx, actor, id, "api_client.rotate", "").await?;
    tx.commit().await?;
    Ok(Some(token))
}

/// Revokes a client for good. `false`: no such client (or already revoked).
pub async fn revoke_client(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE api_clients SET revoked_at = $1, updated_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    audit_client(&mut tx, actor, id, "api_client.revoke", "").await?;
    tx.commit().await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Purpose consents, restriction, corrections, deletion

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PurposeConsent {
    pub id: i64,
    pub purpose: String,
    pub granted: bool,
    pub given_on: String,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: i64,
}

async fn touch_person(tx: &mut Tx, person_id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE persons SET updated_at = $1, version = version + 1 WHERE id = $2").bind(crate::now()).bind(person_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a consent answer for a purpose (the latest per purpose counts). The person's record
/// counts as changed, so partners' copies are refreshed with or without personal fields.
pub async fn add_purpose_consent(
    db: &Db,
    actor: &Actor,
    person: &Person,
    purpose: Purpose,
    granted: bool,
    given_on: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO purpose_consents (person_id, purpose, granted, given_on, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(person.id).bind(purpose.as_str()).bind(granted).bind(given_on).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    touch_person(&mut tx, person.id).await?;
    let details = format!("{} {} on {given_on}", purpose.as_str(), if granted { "granted" } else { "refused" });
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.purpose_consent",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: &details,
        },
    )
    .await?;
    tx.commit().await
}

pub async fn purpose_consents(db: &Db, person_id: i64) -> Result<Vec<PurposeConsent>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT c.id, c.purpose, c.granted, c.given_on, c.recorded_by, u.full_name AS recorded_by_name, c.recorded_at \
             FROM purpose_consents c LEFT JOIN users u ON u.id = c.recorded_by WHERE c.person_id = $1 ORDER BY c.id DESC")
            .bind(person_id).fetch_all(p).await
    })?)
}

/// Whether a person's processing is restricted, and the note.
pub async fn restriction(db: &Db, person_id: i64) -> Result<(bool, String)> {
    let row: Option<(bool, String)> = on_db!(db, p => {
        sqlx::query_as("SELECT processing_restricted, restriction_note FROM persons WHERE id = $1").bind(person_id).fetch_optional(p).await
    })?;
    Ok(row.unwrap_or((false, String::new())))
}

/// Sets or lifts the restriction. Setting it withdraws the person from partners' copies (a
/// `restricted` tombstone); lifting it sends the record again as a change.
pub async fn set_restriction(db: &Db, actor: &Actor, person: &Person, restricted: bool, note: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE persons SET processing_restricted = $1, restriction_note = $2, updated_at = $3, version = version + 1 WHERE id = $4")
            .bind(restricted).bind(note).bind(now).bind(person.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if restricted {
        tombstone(&mut tx, "person", person.id, &person.village_code, "restricted").await?;
    }
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: if restricted { "person.restrict" } else { "person.unrestrict" },
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: note,
        },
    )
    .await?;
    tx.commit().await
}

async fn tombstone(tx: &mut Tx, entity: &str, id: i64, region: &str, reason: &str) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO exchange_tombstones (entity, entity_id, region_code, reason, at) VALUES ($1,$2,$3,$4,$5)")
            .bind(entity).bind(id).bind(region).bind(reason).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Correction {
    pub id: i64,
    pub fields: String,
    pub description: String,
    pub status: String,
    pub resolution: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: i64,
    pub resolved_at: Option<i64>,
}

pub async fn add_correction(db: &Db, actor: &Actor, person: &Person, fields: &str, description: &str) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as("INSERT INTO correction_requests (person_id, fields, description, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(person.id).bind(fields).bind(description).bind(actor.user_id).bind(crate::now()).fetch_one(c).await
    })?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.correction_request",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: &format!("request {id}: {fields}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Closes an open request as `done` or `refused`. `false`: no such open request for the person.
pub async fn resolve_correction(
    db: &Db,
    actor: &Actor,
    person: &Person,
    id: i64,
    status: &str,
    resolution: &str,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE correction_requests SET status = $1, resolution = $2, resolved_at = $3 \
                     WHERE id = $4 AND person_id = $5 AND status = 'open'")
            .bind(status).bind(resolution).bind(crate::now()).bind(id).bind(person.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.correction_resolve",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: &format!("request {id}: {status}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn corrections(db: &Db, person_id: i64) -> Result<Vec<Correction>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, fields, description, status, resolution, recorded_by, recorded_at, resolved_at \
                        FROM correction_requests WHERE person_id = $1 ORDER BY id DESC")
            .bind(person_id).fetch_all(p).await
    })?)
}

/// Why a person's record cannot be deleted.
#[derive(Debug)]
pub enum DeleteError {
    /// Migration episodes, cases, counselling or outreach attendance refer to the person: those
    /// records must be kept (correct the record or restrict processing instead).
    HasHistory,
    Store(StoreError),
}

impl From<StoreError> for DeleteError {
    fn from(e: StoreError) -> Self {
        DeleteError::Store(e)
    }
}

/// Deletes a record registered by mistake (with its consents, family links and requests) and
/// leaves a `deleted` tombstone for partners' copies.
pub async fn delete_person(db: &Db, actor: &Actor, person: &Person) -> std::result::Result<(), DeleteError> {
    let mut tx = db.begin().await?;
    let (history,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM episodes WHERE person_id = $1) + (SELECT COUNT(*) FROM cases WHERE person_id = $1) \
                  + (SELECT COUNT(*) FROM counselling_sessions WHERE person_id = $1) \
                  + (SELECT COUNT(*) FROM outreach_attendance WHERE person_id = $1)")
            .bind(person.id).fetch_one(c).await
    }).map_err(StoreError::from)?;
    if history > 0 {
        return Err(DeleteError::HasHistory);
    }
    for sql in [
        "DELETE FROM consents WHERE person_id = $1",
        "DELETE FROM purpose_consents WHERE person_id = $1",
        "DELETE FROM correction_requests WHERE person_id = $1",
        "DELETE FROM family_links WHERE person_id = $1 OR relative_id = $1",
        "DELETE FROM persons WHERE id = $1",
    ] {
        let r = on_tx!(&mut tx, c => sqlx::query(sql).bind(person.id).execute(c).await.map(|r| r.rows_affected()));
        match r {
            Ok(_) => {}
            // Another feature's table still refers to the person.
            Err(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => return Err(DeleteError::HasHistory),
            Err(e) => return Err(DeleteError::Store(e.into())),
        }
    }
    tombstone(&mut tx, "person", person.id, &person.village_code, "deleted").await?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.delete",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sync and export

/// The signing key of sync cursors. An empty key (PostgreSQL after migration 0019, whose
/// first key came from `md5(random())`) is replaced by 256 bits from the OS random source;
/// the conditional update lets two servers starting together agree on one key.
pub async fn cursor_key(db: &Db) -> Result<Vec<u8>> {
    let read = || async {
        let (k,): (String,) =
            on_db!(db, p => sqlx::query_as("SELECT cursor_key FROM exchange_keys WHERE id = 1").fetch_one(p).await)?;
        Ok::<_, crate::StoreError>(k)
    };
    let mut k = read().await?;
    if k.is_empty() {
        let fresh = domain::security::random_hex();
        on_db!(db, p => sqlx::query("UPDATE exchange_keys SET cursor_key = $1 WHERE id = 1 AND cursor_key = ''")
            .bind(&fresh).execute(p).await.map(|r| r.rows_affected()))?;
        k = read().await?;
    }
    Ok(k.into_bytes())
}

/// A person as the exchange sends it; `consent_granted` is the latest answer for the caller's
/// purpose (None: never asked, or no purpose).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub nik: String,
    pub kk_number: Option<String>,
    pub full_name: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub village_code: String,
    pub address: String,
    pub phone: String,
    pub contact_abroad: String,
    pub category: String,
    pub under_investigation: bool,
    pub processing_restricted: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub consent_granted: Option<bool>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EpisodeRow {
    pub id: i64,
    pub person_id: i64,
    pub village_code: String,
    pub category: String,
    pub scheme: String,
    pub destination: String,
    pub job_type: String,
    pub agency_id: Option<i64>,
    pub state: String,
    pub state_date: String,
    pub departed_on: Option<String>,
    pub returned_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Tombstone {
    pub id: i64,
    pub entity_id: i64,
    pub reason: String,
    pub at: i64,
}

/// Who asks: the region limit, the purpose (partner clients) and whether restricted people are
/// left out (always for partners).
#[derive(Debug, Clone, Default)]
pub struct Audience {
    pub within: Option<String>,
    pub purpose: Option<Purpose>,
    pub exclude_restricted: bool,
}

impl Audience {
    /// ` AND <column within the region>` with its placeholders numbered from `first`, and the
    /// values to bind there; nothing when the audience is national.
    fn region_filter(&self, db: &Db, column: &str, first: usize) -> (String, Vec<String>) {
        match self.within.as_deref().filter(|w| !w.is_empty()) {
            Some(w) => {
                (format!("AND {}", crate::query::within(db, column, first)), crate::query::within_values(w).into())
            }
            None => (String::new(), vec![]),
        }
    }
}

const PERSON_SYNC_COLUMNS: &str = "p.id, p.nik, p.kk_number, p.full_name, p.sex, p.birth_date, p.birth_place, p.village_code, \
    p.address, p.phone, p.contact_abroad, p.category, p.under_investigation, p.processing_restricted, p.created_at, p.updated_at, \
    (SELECT c.granted FROM purpose_consents c WHERE c.person_id = p.id AND c.purpose = $1 ORDER BY c.id DESC LIMIT 1) AS consent_granted";

/// One page of changed people after `pos`, only rows changed before `upto` (so rows still
/// being written in the current second are left for the next page), `limit + 1` at most.
pub async fn person_changes(
    db: &Db,
    a: &Audience,
    pos: &SyncPosition,
    upto: i64,
    limit: i64,
) -> Result<Vec<PersonRow>> {
    let (region, values) = a.region_filter(db, "p.village_code", 5);
    let restricted = if a.exclude_restricted { "AND p.processing_restricted = FALSE" } else { "" };
    let sql = format!(
        "SELECT {PERSON_SYNC_COLUMNS} FROM persons p \
         WHERE (p.updated_at > $2 OR (p.updated_at = $2 AND p.id > $3)) AND p.updated_at < $4 \
           {region} {restricted} \
         ORDER BY p.updated_at, p.id LIMIT {}",
        limit.clamp(1, 10_000) + 1
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(a.purpose.map(|p| p.as_str()).unwrap_or("")).bind(pos.changed_at).bind(pos.changed_id).bind(upto);
        for v in &values {
            q = q.bind(v.as_str());
        }
        q.fetch_all(p).await
    })?)
}

/// One batch of people for an export, by id after `after_id`, changed at or after `since`.
pub async fn person_batch(db: &Db, a: &Audience, since: i64, after_id: i64, limit: i64) -> Result<Vec<PersonRow>> {
    let (region, values) = a.region_filter(db, "p.village_code", 4);
    let restricted = if a.exclude_restricted { "AND p.processing_restricted = FALSE" } else { "" };
    let sql = format!(
        "SELECT {PERSON_SYNC_COLUMNS} FROM persons p WHERE p.id > $2 AND p.updated_at >= $3 \
           {region} {restricted} ORDER BY p.id LIMIT {}",
        limit.clamp(1, 10_000)
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(a.purpose.map(|p| p.as_str()).unwrap_or("")).bind(after_id).bind(since);
        for v in &values {
            q = q.bind(v.as_str());
        }
        q.fetch_all(p).await
    })?)
}

/// A person as the exchange sees it (None when absent).
pub async fn person_row(db: &Db, a: &Audience, id: i64) -> Result<Option<PersonRow>> {
    let sql = format!("SELECT {PERSON_SYNC_COLUMNS} FROM persons p WHERE p.id = $2");
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(a.purpose.map(|p| p.as_str()).unwrap_or("")).bind(id).fetch_optional(p).await
    })?)
}

const EPISODE_SYNC_COLUMNS: &str = "e.id, e.person_id, e.village_code, e.category, e.scheme, e.destination, e.job_type, \
    e.agency_id, e.state, e.state_date, e.departed_on, e.returned_on, e.created_at, e.updated_at";

pub async fn episode_changes(
    db: &Db,
    a: &Audience,
    pos: &SyncPosition,
    upto: i64,
    limit: i64,
) -> Result<Vec<EpisodeRow>> {
    let (region, values) = a.region_filter(db, "e.village_code", 4);
    let restricted = if a.exclude_restricted { "AND p.processing_restricted = FALSE" } else { "" };
    let sql = format!(
        "SELECT {EPISODE_SYNC_COLUMNS} FROM episodes e JOIN persons p ON p.id = e.person_id \
         WHERE (e.updated_at > $1 OR (e.updated_at = $1 AND e.id > $2)) AND e.updated_at < $3 \
           {region} {restricted} \
         ORDER BY e.updated_at, e.id LIMIT {}",
        limit.clamp(1, 10_000) + 1
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(pos.changed_at).bind(pos.changed_id).bind(upto);
        for v in &values {
            q = q.bind(v.as_str());
        }
        q.fetch_all(p).await
    })?)
}

/// Public-register rows (agencies, job orders): changed after `pos`, before `upto`.
pub async fn ids_changed(
    db: &Db,
    table: RegisterTable,
    pos: &SyncPosition,
    upto: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    let sql = format!(
        "SELECT id, updated_at FROM {} WHERE (updated_at > $1 OR (updated_at = $1 AND id > $2)) AND updated_at < $3 \
         ORDER BY updated_at, id LIMIT {}",
        table.name(),
        limit.clamp(1, 10_000) + 1
    );
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(pos.changed_at).bind(pos.changed_id).bind(upto).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Copy)]
pub enum RegisterTable {
    Agencies,
    JobOrders,
}

impl RegisterTable {
    fn name(self) -> &'static str {
        match self {
            RegisterTable::Agencies => "agencies",
            RegisterTable::JobOrders => "job_orders",
        }
    }
}

/// Tombstones of `entity` after `pos`, before `upto`, in the audience's region. Users see only
/// deletions; partners also see people withdrawn by a restriction.
pub async fn tombstones(
    db: &Db,
    entity: &str,
    a: &Audience,
    pos: &SyncPosition,
    upto: i64,
    limit: i64,
) -> Result<Vec<Tombstone>> {
    let (region, values) = a.region_filter(db, "region_code", 5);
    let reasons = if a.exclude_restricted { "" } else { "AND reason = 'deleted'" };
    let sql = format!(
        "SELECT id, entity_id, reason, at FROM exchange_tombstones \
         WHERE entity = $1 AND (at > $2 OR (at = $2 AND id > $3)) AND at < $4 \
           {region} {reasons} ORDER BY at, id LIMIT {}",
        limit.clamp(1, 10_000) + 1
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(entity).bind(pos.deleted_at).bind(pos.deleted_id).bind(upto);
        for v in &values {
            q = q.bind(v.as_str());
        }
        q.fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------------------------------------
// Subject access

/// Audit entries that name the person: views, searches listing them, changes, exchange reads.
/// Bulk exports are one entry per export (naming its region), found by `exports_covering`.
pub async fn accesses(db: &Db, person_id: i64, limit: i64) -> Result<Vec<audit::Entry>> {
    let id = person_id.to_string();
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT seq, at, actor_user_id, actor, action, entity, entity_id, region_code, ip, request_id, details, prev_hash, hash \
             FROM audit_log WHERE entity = 'person' AND (entity_id = $1 OR entity_id LIKE $2 OR entity_id LIKE $3 OR entity_id LIKE $4) \
             ORDER BY seq DESC LIMIT {}", limit.clamp(1, 5000))))
            .bind(&id).bind(format!("{id},%")).bind(format!("%,{id}")).bind(format!("%,{id},%")).fetch_all(p).await
    })?)
}

/// Bulk exports whose region covered the village (national exports cover everyone).
pub async fn exports_covering(db: &Db, village: &domain::RegionCode, limit: i64) -> Result<Vec<audit::Entry>> {
    let mut regions: Vec<String> = village.lineage().iter().map(|c| c.as_str().to_string()).collect();
    regions.push(String::new());
    let placeholders: Vec<String> = (0..regions.len()).map(|i| format!("${}", i + 1)).collect();
    let sql = format!(
        "SELECT seq, at, actor_user_id, actor, action, entity, entity_id, region_code, ip, request_id, details, prev_hash, hash \
         FROM audit_log WHERE action = 'exchange.export' AND region_code IN ({}) ORDER BY seq DESC LIMIT {}",
        placeholders.join(","),
        limit.clamp(1, 5000)
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
        for r in &regions {
            q = q.bind(r.as_str());
        }
        q.fetch_all(p).await
    })?)
}
