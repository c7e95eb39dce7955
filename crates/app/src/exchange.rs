//! The partner data exchange as operations (issue 8): who calls (a partner's API client or an
//! account), rate limits per client, the sync feeds and the export with the consent × purpose
//! filter and the audit of every call, the clients' administration, and the data subject rights
//! on a person (purpose consents, restriction, correction requests, deletion, the access report).
//!
//! Client tokens (`dmx_…`) are checked against the database on every call, so a revocation or
//! rotation takes effect at once on every server. Rate-limit buckets live in the database
//! (`store::rate_limit`), so a client spread over several servers gets its rate once.

use crate::App;
use crate::Error;
use crate::clock::rfc3339;
use domain::access::{Action, Principal};
use domain::exchange::{
    Access, ConsentDecision, PERSONAL_FIELDS, Purpose, Resource, Scopes, SyncInputError, SyncPosition,
};
use domain::{RegionCode, Role, Rule, ValidationErrors};
use serde::Serialize;
use store::audit::Actor;
use store::exchange::{Audience, PersonRow, RegisterTable, Tombstone};
use utoipa::ToSchema;

pub use store::exchange::{Client, Correction, PurposeConsent};
pub use store::persons::Person;
pub use store::portal::Mission;

/// Server-wide state of the exchange.
#[derive(Default)]
pub struct Runtime {
    pub cursor_key: tokio::sync::OnceCell<Vec<u8>>,
}

/// One call by `client`: `Err(seconds)` when its bucket (shared by every server) is empty.
async fn take(state: &App, client: &Client) -> Result<Result<(), u64>, store::StoreError> {
    let now = store::rate_limit::now_secs();
    let cap = client.rate_per_minute;
    store::rate_limit::take(&state.db, &format!("exchange:{}", client.id), |stored| {
        let mut bucket = stored.unwrap_or_else(|| domain::exchange::full_bucket(cap, now));
        let answer = domain::exchange::take(&mut bucket, cap, now);
        (bucket, answer)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Callers and refusals

/// Why an exchange call did not go through: the application's refusals, and the exchange's own
/// (a client token that works for nothing, a client over its rate, a sync input it refuses).
#[derive(Debug)]
pub enum ExchangeError {
    /// 401: no such live client token.
    Unauthorized,
    /// 429 with `Retry-After`.
    RateLimited {
        retry_after_secs: u64,
    },
    /// 400: a cursor, `updated_since`, `limit` or format the exchange refuses (the text says which).
    BadRequest(String),
    Refused(Error),
}

impl From<Error> for ExchangeError {
    fn from(e: Error) -> Self {
        ExchangeError::Refused(e)
    }
}

impl From<store::StoreError> for ExchangeError {
    fn from(e: store::StoreError) -> Self {
        ExchangeError::Refused(Error::Store(e))
    }
}

impl From<SyncInputError> for ExchangeError {
    fn from(e: SyncInputError) -> Self {
        ExchangeError::BadRequest(e.to_string())
    }
}

/// A partner organisation's API client, authenticated.
#[derive(Debug, Clone)]
pub struct PartnerClient {
    pub client: Client,
    pub purpose: Purpose,
    pub scopes: Scopes,
    pub region: Option<RegionCode>,
    pub actor: Actor,
}

/// Whoever calls an exchange endpoint: a partner client or an account (with its role and scope).
#[derive(Debug, Clone)]
pub enum Caller {
    Client(PartnerClient),
    Account { principal: Principal, actor: Actor },
}

/// Whether a bearer token is a partner client's (the others are accounts' tokens).
pub fn is_client_token(token: &str) -> bool {
    token.starts_with(store::exchange::TOKEN_PREFIX)
}

/// The partner client holding `token`, after taking one call from its rate-limit bucket.
/// `ip` and `request_id` go into the audit entries of its calls.
pub async fn client_caller(state: &App, token: &str, ip: String, request_id: String) -> Result<Caller, ExchangeError> {
    let client = store::exchange::client_by_token(&state.db, token).await?.ok_or(ExchangeError::Unauthorized)?;
    // A stored row this code did not write (unknown purpose or scope) works for nothing.
    let purpose = Purpose::parse(&client.purpose).ok_or(Error::Forbidden)?;
    let scopes = Scopes::parse(&client.scopes).ok_or(Error::Forbidden)?;
    let region = match client.region_code.as_deref() {
        None | Some("") => None,
        Some(r) => Some(r.parse::<RegionCode>().map_err(|_| Error::Forbidden)?),
    };
    if let Err(retry_after_secs) = take(state, &client).await? {
        return Err(ExchangeError::RateLimited { retry_after_secs });
    }
    let actor = Actor { user_id: None, username: format!("api_client:{}", client.id), ip, request_id };
    Ok(Caller::Client(PartnerClient { client, purpose, scopes, region, actor }))
}

impl Caller {
    pub fn actor(&self) -> &Actor {
        match self {
            Caller::Client(c) => &c.actor,
            Caller::Account { actor, .. } => actor,
        }
    }

    /// The people this caller may read, or 403. Accounts need `ViewPerson` in their scope;
    /// clients need the resource's read scope and see only their region, never restricted people.
    fn audience(&self, resource: Resource) -> Result<Audience, Error> {
        match self {
            Caller::Client(c) => {
                if !c.scopes.allows(resource, Access::Read) {
                    return Err(Error::Forbidden);
                }
                Ok(Audience {
                    within: c.region.as_ref().map(|r| r.as_str().to_string()),
                    purpose: Some(c.purpose),
                    exclude_restricted: true,
                })
            }
            Caller::Account { principal, .. } => {
                let within = principal.scope.code();
                let needs_person = matches!(resource, Resource::Persons | Resource::Episodes | Resource::Cases);
                if needs_person && !principal.can(Action::ViewPerson, within) {
                    return Err(Error::Forbidden);
                }
                Ok(Audience {
                    within: if needs_person { within.map(|r| r.as_str().to_string()) } else { None },
                    purpose: None,
                    exclude_restricted: false,
                })
            }
        }
    }

    /// What binds a cursor to this caller and list (a cursor from another client is refused).
    fn cursor_scope(&self, list: &str) -> String {
        match self {
            Caller::Client(c) => format!("{list}|client:{}", c.client.id),
            Caller::Account { principal, .. } => format!("{list}|user:{}", principal.user_id),
        }
    }

    fn is_client(&self) -> bool {
        matches!(self, Caller::Client(_))
    }

    /// The account's role (`None` for a client, whose fields follow consent and purpose).
    fn role(&self) -> Option<Role> {
        match self {
            Caller::Client(_) => None,
            Caller::Account { principal, .. } => Some(principal.role),
        }
    }
}

/// One audit entry per partner call (people named by id, so a subject-access report finds it).
/// An account's call that returned no one is not recorded.
async fn audit_call(
    state: &App,
    caller: &Caller,
    what: &str,
    person_ids: &[i64],
    details: &str,
) -> Result<(), store::StoreError> {
    if person_ids.is_empty() && !caller.is_client() {
        return Ok(());
    }
    let ids = person_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let (entity, entity_id) = match caller {
        _ if !person_ids.is_empty() => ("person", ids),
        Caller::Client(c) => ("api_client", c.client.id.to_string()),
        Caller::Account { principal, .. } => ("user", principal.user_id.to_string()),
    };
    let action = format!("exchange.{what}");
    let ev = store::audit::Event { action: &action, entity, entity_id: &entity_id, region_code: "", details };
    store::audit::append_now(&state.db, caller.actor(), &ev).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What the exchange sends

/// A person as the exchange sends it: personal fields only when the caller may have them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 12, "sex": "P", "village_code": "53.07.01.2001", "category": "prospective",
    "under_investigation": false, "restricted": false, "updated_at": "2026-01-31T08:00:00Z",
    "consent": "not_covered", "redacted_fields": ["nik", "kk_number", "full_name", "birth_date", "birth_place", "phone", "address", "contact_abroad"]}))]
pub struct ExchangePerson {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nik: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kk_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    pub sex: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Always given: the year alone identifies no one and statistics need it.
    pub birth_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_place: Option<String>,
    pub village_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_abroad: Option<String>,
    pub category: String,
    pub under_investigation: bool,
    /// Processing restricted (UU 27/2022): shown to accounts; partners never receive such people.
    pub restricted: bool,
    /// RFC 3339.
    pub updated_at: String,
    /// For partner clients: `covered` or `not_covered` by the person's consent for the client's purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<&'static str>,
    /// Personal fields left out of this record.
    pub redacted_fields: Vec<&'static str>,
}

impl ExchangePerson {
    fn from_row(r: PersonRow, partner: bool) -> ExchangePerson {
        let decision = partner.then(|| domain::exchange::consent_decision(r.consent_granted));
        let show = decision.is_none_or(|d| d == ConsentDecision::Covered);
        let keep = |v: String| show.then_some(v);
        let birth_year = r.birth_date.get(..4).and_then(|y| y.parse().ok());
        ExchangePerson {
            id: r.id,
            nik: keep(r.nik),
            kk_number: if show { r.kk_number } else { None },
            full_name: keep(r.full_name),
            sex: r.sex,
            birth_date: keep(r.birth_date),
            birth_year,
            birth_place: keep(r.birth_place),
            village_code: r.village_code,
            address: keep(r.address),
            phone: keep(r.phone),
            contact_abroad: keep(r.contact_abroad),
            category: r.category,
            under_investigation: r.under_investigation,
            restricted: r.processing_restricted,
            updated_at: rfc3339(r.updated_at),
            consent: decision.map(ConsentDecision::as_str),
            redacted_fields: if show { vec![] } else { PERSONAL_FIELDS.to_vec() },
        }
    }

    /// For an account (not a client): leaves out the field groups its role may not see
    /// (`domain::privacy::field_visible`), listed in `redacted_fields`.
    fn limited(mut self, role: Option<Role>) -> ExchangePerson {
        use domain::privacy::{FieldGroup, field_visible};
        let Some(role) = role else { return self };
        if !field_visible(role, FieldGroup::IdentityNumbers) {
            for (field, value) in [("nik", self.nik.take()), ("kk_number", self.kk_number.take())] {
                if value.is_some() && !self.redacted_fields.contains(&field) {
                    self.redacted_fields.push(field);
                }
            }
        }
        if !field_visible(role, FieldGroup::Contact) {
            for (field, value) in [
                ("address", self.address.take()),
                ("phone", self.phone.take()),
                ("contact_abroad", self.contact_abroad.take()),
            ] {
                if value.is_some() && !self.redacted_fields.contains(&field) {
                    self.redacted_fields.push(field);
                }
            }
        }
        self
    }

    /// The person as `caller` may receive them.
    fn for_caller(r: PersonRow, caller: &Caller) -> ExchangePerson {
        ExchangePerson::from_row(r, caller.is_client()).limited(caller.role())
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "reason": "deleted", "at": "2026-01-31T08:00:00Z"}))]
pub struct Deleted {
    pub id: i64,
    /// `deleted`, or `restricted` (withdrawn from the exchange by restriction of processing).
    pub reason: String,
    pub at: String,
}

impl From<Tombstone> for Deleted {
    fn from(t: Tombstone) -> Self {
        Deleted { id: t.entity_id, reason: t.reason, at: rfc3339(t.at) }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"items": [{"id": 12, "sex": "P", "birth_year": 1990, "village_code": "53.07.01.2001",
    "category": "prospective", "under_investigation": false, "restricted": false, "updated_at": "2026-01-31T08:00:00Z",
    "consent": "not_covered", "redacted_fields": ["nik", "kk_number", "full_name", "birth_date", "birth_place", "phone", "address", "contact_abroad"]}],
    "deleted": [{"id": 7, "reason": "deleted", "at": "2026-01-31T08:00:00Z"}], "next_cursor": "313736…", "has_more": false}))]
pub struct SyncPage<T: ToSchema> {
    /// Records created or changed since the cursor, oldest change first.
    pub items: Vec<T>,
    /// Records to remove from your copy.
    pub deleted: Vec<Deleted>,
    /// Pass as `cursor` to get what changed next (also when `has_more` is false: later changes).
    pub next_cursor: String,
    pub has_more: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "person_id": 12, "village_code": "53.07.01.2001", "category": "household",
    "scheme": "p3mi", "destination": "TW", "job_type": "elderly_carer", "agency_id": 1, "state": "departed",
    "state_date": "2026-01-20", "departed_on": "2026-01-20", "returned_on": null, "updated_at": "2026-01-31T08:00:00Z"}))]
pub struct ExchangeEpisode {
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
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExchangeAgency {
    pub id: i64,
    pub name: String,
    pub licence_number: String,
    pub status: String,
    pub valid_from: String,
    pub valid_until: String,
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExchangeJobOrder {
    pub id: i64,
    pub agency_id: i64,
    pub reference: String,
    pub destination: String,
    pub job_type: String,
    pub salary_amount: i64,
    pub salary_currency: String,
    pub quota: i64,
    pub valid_from: String,
    pub valid_until: String,
    pub status: String,
    pub public_code: Option<String>,
    /// Rupiah charged to the worker, in total.
    pub worker_costs_rupiah: i64,
    pub updated_at: String,
}

// ---------------------------------------------------------------------------------------------
// Sync feeds

/// A sync request as the client sends it.
#[derive(Debug, Default, Clone, Copy)]
pub struct SyncRequest<'a> {
    pub cursor: Option<&'a str>,
    pub updated_since: Option<&'a str>,
    pub limit: Option<i64>,
}

/// The cursor signing key, read once from the database.
pub(crate) async fn cursor_key(state: &App) -> Result<&[u8], store::StoreError> {
    state.exchange.cursor_key.get_or_try_init(|| store::exchange::cursor_key(&state.db)).await.map(Vec::as_slice)
}

/// Rows changed in the current second (and the one before) are served on a later page: writers
/// still inside their transaction may yet commit rows with those timestamps.
pub const SETTLE_SECS: i64 = 1;

/// The upper bound (exclusive) of `updated_at` served now.
fn sync_upto() -> i64 {
    store::now() - SETTLE_SECS
}

/// The page size and where a sync page starts: the cursor (which wins) or `updated_since` or the
/// beginning.
async fn start(
    state: &App,
    caller: &Caller,
    list: &str,
    req: &SyncRequest<'_>,
) -> Result<(i64, SyncPosition), ExchangeError> {
    let limit = domain::exchange::page_size(req.limit)?;
    if let Some(c) = req.cursor.filter(|c| !c.is_empty()) {
        let key = cursor_key(state).await?;
        return Ok((limit, domain::exchange::decode_cursor(key, &caller.cursor_scope(list), c)?));
    }
    let since = match req.updated_since.filter(|s| !s.is_empty()) {
        Some(s) => domain::exchange::parse_updated_since(s)?,
        None => 0,
    };
    Ok((limit, SyncPosition::start(since)))
}

async fn next_cursor(state: &App, caller: &Caller, list: &str, pos: &SyncPosition) -> Result<String, ExchangeError> {
    let key = cursor_key(state).await?;
    Ok(domain::exchange::encode_cursor(key, &caller.cursor_scope(list), pos))
}

/// Cuts a `limit + 1` fetch to the page and moves the position past what is returned.
fn advance<T>(mut rows: Vec<T>, limit: i64, pos: &mut SyncPosition, key: impl Fn(&T) -> (i64, i64)) -> (Vec<T>, bool) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if let Some((at, id)) = rows.last().map(&key) {
        pos.changed_at = at;
        pos.changed_id = id;
    }
    (rows, more)
}

async fn deletions(
    state: &App,
    entity: &str,
    a: &Audience,
    pos: &mut SyncPosition,
    upto: i64,
    limit: i64,
) -> Result<(Vec<Deleted>, bool), store::StoreError> {
    let mut t = store::exchange::tombstones(&state.db, entity, a, pos, upto, limit).await?;
    let more = t.len() as i64 > limit;
    t.truncate(limit as usize);
    if let Some(last) = t.last() {
        pos.deleted_at = last.at;
        pos.deleted_id = last.id;
    }
    Ok((t.into_iter().map(Into::into).collect(), more))
}

/// People changed since the cursor, for mirroring. Partner clients need `persons:read`, get
/// only their region, never restricted people, and personal fields only where the person's
/// consent covers their purpose; accounts need `ViewPerson` and get their role's field groups.
/// Audited, naming the people returned.
pub async fn person_changes(
    state: &App,
    caller: &Caller,
    req: &SyncRequest<'_>,
) -> Result<SyncPage<ExchangePerson>, ExchangeError> {
    let a = caller.audience(Resource::Persons)?;
    let (limit, mut pos) = start(state, caller, "persons", req).await?;
    let upto = sync_upto();
    let rows = store::exchange::person_changes(&state.db, &a, &pos, upto, limit).await?;
    let (rows, more_items) = advance(rows, limit, &mut pos, |r| (r.updated_at, r.id));
    let (deleted, more_deleted) = deletions(state, "person", &a, &mut pos, upto, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    audit_call(state, caller, "persons", &ids, &format!("sync items={} deleted={}", ids.len(), deleted.len())).await?;
    Ok(SyncPage {
        items: rows.into_iter().map(|r| ExchangePerson::for_caller(r, caller)).collect(),
        deleted,
        next_cursor: next_cursor(state, caller, "persons", &pos).await?,
        has_more: more_items || more_deleted,
    })
}

/// One person as the exchange gives it; `NotFound` when absent, outside the caller's region or
/// (for partners) restricted: the same answer, so ids cannot be probed. Audited.
pub async fn person(state: &App, caller: &Caller, id: i64) -> Result<ExchangePerson, ExchangeError> {
    let a = caller.audience(Resource::Persons)?;
    let row = store::exchange::person_row(&state.db, &a, id).await?.ok_or(Error::NotFound)?;
    let inside =
        a.within.as_deref().is_none_or(|w| row.village_code == w || row.village_code.starts_with(&format!("{w}.")));
    if !inside || (a.exclude_restricted && row.processing_restricted) {
        return Err(Error::NotFound.into());
    }
    audit_call(state, caller, "person", &[row.id], "").await?;
    Ok(ExchangePerson::for_caller(row, caller))
}

/// Migration episodes changed since the cursor (`episodes:read`, or `ViewPerson` for accounts;
/// restricted people left out for partners). Audited, naming the people.
pub async fn episode_changes(
    state: &App,
    caller: &Caller,
    req: &SyncRequest<'_>,
) -> Result<SyncPage<ExchangeEpisode>, ExchangeError> {
    let a = caller.audience(Resource::Episodes)?;
    let (limit, mut pos) = start(state, caller, "episodes", req).await?;
    let upto = sync_upto();
    let rows = store::exchange::episode_changes(&state.db, &a, &pos, upto, limit).await?;
    let (rows, more) = advance(rows, limit, &mut pos, |r| (r.updated_at, r.id));
    let (deleted, more_deleted) = deletions(state, "episode", &a, &mut pos, upto, limit).await?;
    let people: Vec<i64> = rows.iter().map(|r| r.person_id).collect();
    audit_call(state, caller, "episodes", &people, &format!("sync items={}", rows.len())).await?;
    Ok(SyncPage {
        items: rows
            .into_iter()
            .map(|r| ExchangeEpisode {
                id: r.id,
                person_id: r.person_id,
                village_code: r.village_code,
                category: r.category,
                scheme: r.scheme,
                destination: r.destination,
                job_type: r.job_type,
                agency_id: r.agency_id,
                state: r.state,
                state_date: r.state_date,
                departed_on: r.departed_on,
                returned_on: r.returned_on,
                updated_at: rfc3339(r.updated_at),
            })
            .collect(),
        deleted,
        next_cursor: next_cursor(state, caller, "episodes", &pos).await?,
        has_more: more || more_deleted,
    })
}

/// The placement-company registry changed since the cursor (`agencies:read`; every account).
pub async fn agency_changes(
    state: &App,
    caller: &Caller,
    req: &SyncRequest<'_>,
) -> Result<SyncPage<ExchangeAgency>, ExchangeError> {
    caller.audience(Resource::Agencies)?;
    let (limit, mut pos) = start(state, caller, "agencies", req).await?;
    let rows = store::exchange::ids_changed(&state.db, RegisterTable::Agencies, &pos, sync_upto(), limit).await?;
    let (rows, more) = advance(rows, limit, &mut pos, |r| (r.1, r.0));
    let mut items = Vec::with_capacity(rows.len());
    for (id, _) in rows {
        if let Some(a) = store::agencies::get(&state.db, id).await? {
            items.push(ExchangeAgency {
                id: a.id,
                name: a.name,
                licence_number: a.licence_number,
                status: a.status,
                valid_from: a.valid_from,
                valid_until: a.valid_until,
                updated_at: rfc3339(a.updated_at),
            });
        }
    }
    audit_call(state, caller, "agencies", &[], &format!("sync items={}", items.len())).await?;
    Ok(SyncPage {
        items,
        deleted: vec![],
        next_cursor: next_cursor(state, caller, "agencies", &pos).await?,
        has_more: more,
    })
}

/// Job orders changed since the cursor (`job_orders:read`; every account).
pub async fn job_order_changes(
    state: &App,
    caller: &Caller,
    req: &SyncRequest<'_>,
) -> Result<SyncPage<ExchangeJobOrder>, ExchangeError> {
    caller.audience(Resource::JobOrders)?;
    let (limit, mut pos) = start(state, caller, "job_orders", req).await?;
    let rows = store::exchange::ids_changed(&state.db, RegisterTable::JobOrders, &pos, sync_upto(), limit).await?;
    let (rows, more) = advance(rows, limit, &mut pos, |r| (r.1, r.0));
    let mut items = Vec::with_capacity(rows.len());
    for (id, _) in rows {
        if let Some(j) = store::job_orders::get(&state.db, id).await? {
            let worker_costs_rupiah = j.total_costs();
            items.push(ExchangeJobOrder {
                id: j.id,
                agency_id: j.agency_id,
                reference: j.reference,
                destination: j.destination,
                job_type: j.job_type,
                salary_amount: j.salary_amount,
                salary_currency: j.salary_currency,
                quota: j.quota,
                valid_from: j.valid_from,
                valid_until: j.valid_until,
                status: j.status,
                public_code: j.public_code,
                worker_costs_rupiah,
                updated_at: rfc3339(j.updated_at),
            });
        }
    }
    audit_call(state, caller, "job_orders", &[], &format!("sync items={}", items.len())).await?;
    Ok(SyncPage {
        items,
        deleted: vec![],
        next_cursor: next_cursor(state, caller, "job_orders", &pos).await?,
        has_more: more,
    })
}

// ---------------------------------------------------------------------------------------------
// Bulk export

/// Rows fetched per query while streaming an export.
pub const EXPORT_BATCH: i64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Ndjson,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Ndjson => "ndjson",
        }
    }
}

/// An export under way: every person the caller may receive, in batches by id, with the same
/// consent × purpose and field rules as the sync list. Owns what it needs, so it can be moved
/// into the task that streams it.
pub struct Export {
    pub format: ExportFormat,
    db: store::Db,
    audience: Audience,
    partner: bool,
    role: Option<Role>,
    since: i64,
    after: i64,
    done: bool,
}

/// Starts an export (`format` `csv` or `ndjson`, the default): checks access, then the input,
/// and records one audit entry naming the export's region.
pub async fn start_export(
    state: &App,
    caller: &Caller,
    format: Option<&str>,
    updated_since: Option<&str>,
) -> Result<Export, ExchangeError> {
    let audience = caller.audience(Resource::Persons)?;
    let format = match format.unwrap_or("ndjson") {
        "ndjson" => ExportFormat::Ndjson,
        "csv" => ExportFormat::Csv,
        _ => return Err(ExchangeError::BadRequest("format must be csv or ndjson".into())),
    };
    let since = match updated_since.filter(|s| !s.is_empty()) {
        Some(s) => domain::exchange::parse_updated_since(s)?,
        None => 0,
    };
    let region = audience.within.clone().unwrap_or_default();
    let ev = store::audit::Event {
        action: "exchange.export",
        entity: "person",
        entity_id: "",
        region_code: &region,
        details: &format!("format={} since={since}", format.as_str()),
    };
    store::audit::append_now(&state.db, caller.actor(), &ev).await?;
    Ok(Export {
        format,
        db: state.db.clone(),
        audience,
        partner: caller.is_client(),
        role: caller.role(),
        since,
        after: 0,
        done: false,
    })
}

impl Export {
    /// The next batch (at most [`EXPORT_BATCH`] people); empty when the export is complete.
    pub async fn next_batch(&mut self) -> Result<Vec<ExchangePerson>, store::StoreError> {
        if self.done {
            return Ok(vec![]);
        }
        let rows =
            store::exchange::person_batch(&self.db, &self.audience, self.since, self.after, EXPORT_BATCH).await?;
        self.done = (rows.len() as i64) < EXPORT_BATCH;
        if let Some(last) = rows.last() {
            self.after = last.id;
        }
        Ok(rows.into_iter().map(|r| ExchangePerson::from_row(r, self.partner).limited(self.role)).collect())
    }
}

// ---------------------------------------------------------------------------------------------
// API clients (national admins)

fn require(principal: &Principal, action: Action) -> Result<(), Error> {
    if principal.can(action, None) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Whether the client's token works now (not revoked, not expired).
pub fn is_live(client: &Client) -> bool {
    client.is_live(store::now())
}

/// Every API client; tokens are never listed.
pub async fn clients(state: &App, principal: &Principal) -> crate::error::Result<Vec<Client>> {
    require(principal, Action::ManageApiClients)?;
    Ok(store::exchange::clients(&state.db).await?)
}

/// Registers a partner organisation's API client (fields checked, region must exist); returns
/// the client and its token, shown once. Audited.
pub async fn create_client(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    input: &domain::exchange::ClientInput<'_>,
) -> crate::error::Result<(Client, String)> {
    require(principal, Action::ManageApiClients)?;
    let c = domain::exchange::validate_client(input, state.today())?;
    if let Some(r) = &c.region_code
        && !store::regions::exists(&state.db, r).await?
    {
        return Err(Error::invalid("region_code", Rule::UnknownRegion, r.as_str()));
    }
    Ok(store::exchange::create_client(&state.db, actor, &c).await?)
}

/// A new token for a live client; the old one stops working at once. `NotFound`: no such live
/// client. Audited.
pub async fn rotate_client(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: i64,
) -> crate::error::Result<(Client, String)> {
    require(principal, Action::ManageApiClients)?;
    let token = store::exchange::rotate_client(&state.db, actor, id).await?.ok_or(Error::NotFound)?;
    let c = store::exchange::client(&state.db, id).await?.ok_or(Error::NotFound)?;
    Ok((c, token))
}

/// Revokes a client for good. `NotFound`: no such client, or already revoked. Audited.
pub async fn revoke_client(state: &App, principal: &Principal, actor: &Actor, id: i64) -> crate::error::Result<Client> {
    require(principal, Action::ManageApiClients)?;
    if !store::exchange::revoke_client(&state.db, actor, id).await? {
        return Err(Error::NotFound);
    }
    store::exchange::client(&state.db, id).await?.ok_or(Error::NotFound)
}

// ---------------------------------------------------------------------------------------------
// Missions abroad

/// The missions abroad, of one country (ISO code) or all; public. 400 for a malformed country.
pub async fn public_missions(state: &App, country: Option<&str>) -> Result<Vec<Mission>, ExchangeError> {
    let country = match country.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            domain::service_center::CountryCode::parse(c)
                .ok_or(ExchangeError::BadRequest("country must be an ISO two-letter code".into()))?,
        ),
    };
    Ok(store::portal::missions(&state.db, country.as_ref().map(|c| c.as_str())).await?)
}

/// Every mission, for the national admins who keep the list.
pub async fn missions(state: &App, principal: &Principal) -> crate::error::Result<Vec<Mission>> {
    require(principal, Action::ManageMissions)?;
    Ok(store::portal::missions(&state.db, None).await?)
}

/// Adds a mission (`id` none) or changes one (`NotFound` when it does not exist). Audited.
pub async fn save_mission(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: Option<i64>,
    input: &domain::portal::MissionInput<'_>,
) -> crate::error::Result<i64> {
    require(principal, Action::ManageMissions)?;
    let m = domain::portal::validate_mission(input)?;
    store::portal::save_mission(&state.db, actor, id, &m).await?.ok_or(Error::NotFound)
}

/// Removes a mission (nothing happens for an unknown id). Audited.
pub async fn delete_mission(state: &App, principal: &Principal, actor: &Actor, id: i64) -> crate::error::Result<()> {
    require(principal, Action::ManageMissions)?;
    store::portal::delete_mission(&state.db, actor, id).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Data subject rights on a person

/// The person if `principal` may exercise subject rights on them: `NotFound` when it may not
/// even see them (as if absent), `Forbidden` when it sees them but may not act for them.
pub async fn subject(state: &App, principal: &Principal, id: i64) -> crate::error::Result<Person> {
    let p = crate::people::visible_person(state, principal, id).await?.ok_or(Error::NotFound)?;
    if !principal.can(Action::SubjectRights, p.village().as_ref()) {
        return Err(Error::Forbidden);
    }
    Ok(p)
}

/// What a person's privacy page shows: the record, its restriction, purpose consents and
/// correction requests (newest first).
pub struct PrivacyDossier {
    pub person: Person,
    pub restricted: bool,
    pub restriction_note: String,
    pub consents: Vec<PurposeConsent>,
    pub corrections: Vec<Correction>,
}

/// The person's privacy dossier; the view of the record is audited (`person.view`).
pub async fn privacy_dossier(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: i64,
) -> crate::error::Result<PrivacyDossier> {
    let person = subject(state, principal, id).await?;
    crate::people::audit_view(state, actor, &person).await?;
    let (restricted, restriction_note) = store::exchange::restriction(&state.db, person.id).await?;
    let consents = store::exchange::purpose_consents(&state.db, person.id).await?;
    let corrections = store::exchange::corrections(&state.db, person.id).await?;
    Ok(PrivacyDossier { person, restricted, restriction_note, consents, corrections })
}

/// The person's purpose consent answers, newest first.
pub async fn purpose_consents(
    state: &App,
    principal: &Principal,
    id: i64,
) -> crate::error::Result<Vec<PurposeConsent>> {
    let p = subject(state, principal, id).await?;
    Ok(store::exchange::purpose_consents(&state.db, p.id).await?)
}

/// Records the person's consent, refusal or withdrawal for one purpose, answered on `given_on`
/// (not after the village's own today). Partners' copies are refreshed. Audited. Returns the
/// person's answers, newest first.
pub async fn add_purpose_consent(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    purpose: &str,
    granted: bool,
    given_on: &str,
) -> crate::error::Result<Vec<PurposeConsent>> {
    let p = subject(state, principal, id).await?;
    let today = state.clock.today_at(p.village().as_ref());
    let (purpose, given_on) = domain::exchange::validate_purpose_consent(purpose, given_on, today)?;
    store::exchange::add_purpose_consent(&state.db, actor, &p, purpose, granted, &given_on.to_string()).await?;
    Ok(store::exchange::purpose_consents(&state.db, p.id).await?)
}

/// A note of at most [`domain::exchange::MAX_NOTE_CHARS`] characters, trimmed.
fn note(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let note = raw.trim();
    if note.chars().count() > domain::exchange::MAX_NOTE_CHARS {
        return Err(ValidationErrors::single(field, Rule::TooLong, "at most 500 characters")
            .with("max", domain::exchange::MAX_NOTE_CHARS)
            .with("got", note.chars().count()));
    }
    Ok(note.to_string())
}

/// Sets or lifts the restriction of processing: a restricted person is withdrawn from every
/// partner exchange (a `restricted` deletion) and shown as restricted. Audited. Returns the
/// note as stored (trimmed; longer than 500 characters is refused).
pub async fn set_restriction(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    restricted: bool,
    raw_note: &str,
) -> crate::error::Result<String> {
    let p = subject(state, principal, id).await?;
    let note = note("note", raw_note)?;
    store::exchange::set_restriction(&state.db, actor, &p, restricted, &note).await?;
    Ok(note)
}

/// The person's correction requests, newest first.
pub async fn corrections(state: &App, principal: &Principal, id: i64) -> crate::error::Result<Vec<Correction>> {
    let p = subject(state, principal, id).await?;
    Ok(store::exchange::corrections(&state.db, p.id).await?)
}

/// Records a correction request from the person (the officer then corrects the record).
/// Audited. Returns the person's requests, newest first.
pub async fn add_correction(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    fields: &str,
    description: &str,
) -> crate::error::Result<Vec<Correction>> {
    let p = subject(state, principal, id).await?;
    let mut errs = ValidationErrors::new();
    let fields = domain::validation::text(&mut errs, "fields", fields, 2, 200);
    let description = domain::validation::text(&mut errs, "description", description, 5, 2000);
    errs.into_result()?;
    store::exchange::add_correction(&state.db, actor, &p, &fields, &description).await?;
    Ok(store::exchange::corrections(&state.db, p.id).await?)
}

/// Closes an open correction request as `done` or `refused` with a resolution (at most 500
/// characters). A request already closed stays as it was. Audited.
pub async fn resolve_correction(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    request_id: i64,
    status: &str,
    resolution: &str,
) -> crate::error::Result<()> {
    let p = subject(state, principal, id).await?;
    if !matches!(status, "done" | "refused") {
        return Err(Error::invalid("status", Rule::OneOf, "done or refused"));
    }
    let resolution = note("resolution", resolution)?;
    store::exchange::resolve_correction(&state.db, actor, &p, request_id, status, &resolution).await?;
    Ok(())
}

/// Why a person's record was not deleted.
#[derive(Debug)]
pub enum DeleteError {
    /// Episodes, cases, counselling or outreach attendance refer to the person: correct the
    /// record or restrict processing instead.
    HasHistory,
    Refused(Error),
}

impl From<Error> for DeleteError {
    fn from(e: Error) -> Self {
        DeleteError::Refused(e)
    }
}

/// Deletes a record registered by mistake; partners receive a deletion. Audited.
pub async fn delete_person(state: &App, principal: &Principal, actor: &Actor, id: i64) -> Result<(), DeleteError> {
    let p = subject(state, principal, id).await?;
    match store::exchange::delete_person(&state.db, actor, &p).await {
        Ok(()) => Ok(()),
        Err(store::exchange::DeleteError::HasHistory) => Err(DeleteError::HasHistory),
        Err(store::exchange::DeleteError::Store(e)) => Err(Error::Store(e).into()),
    }
}

/// Everything held about the person (UU 27/2022 right of access); producing it is audited.
pub async fn subject_access(
    state: &App,
    principal: &Principal,
    actor: &Actor,
    id: i64,
) -> crate::error::Result<crate::privacy::SubjectReport> {
    let p = subject(state, principal, id).await?;
    Ok(crate::privacy::gather(state, actor, &p).await?)
}
