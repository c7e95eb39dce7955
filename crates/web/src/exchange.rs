//! The partner data exchange as a service: who calls (a partner's API client token or an
//! account's token), rate limits per client, the consent × purpose filter on people, sync
//! cursors, and the audit of every partner call.
//!
//! Client tokens (`dmx_…`) are checked against the database on every call, so a revocation or
//! rotation takes effect at once on every server. Rate-limit buckets live in each server's memory
//! (a client spread over N servers gets up to N times its rate).

use crate::AppState;
use crate::auth::{ApiUser, Ctx};
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use domain::RegionCode;
use domain::access::Action;
use domain::exchange::{
    Access, ConsentDecision, PERSONAL_FIELDS, Purpose, Resource, Scopes, SyncInputError, SyncPosition,
};
use serde::Serialize;
use store::audit::Actor;
use store::exchange::{Audience, Client, PersonRow};

pub use app::clock::rfc3339;
pub use app::exchange::Runtime;

/// A partner organisation's API client, authenticated.
#[derive(Debug, Clone)]
pub struct PartnerClient {
    pub client: Client,
    pub purpose: Purpose,
    pub scopes: Scopes,
    pub region: Option<RegionCode>,
    pub actor: Actor,
}

/// Whoever calls an exchange endpoint: a partner client or an account.
#[derive(Debug, Clone)]
pub enum Caller {
    Client(PartnerClient),
    User(ApiUser),
}

fn bearer(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .map(str::to_string)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        if !token.starts_with(store::exchange::TOKEN_PREFIX) {
            return ApiUser::from_request_parts(parts, state).await.map(Caller::User);
        }
        let client = store::exchange::client_by_token(&state.db, &token).await?.ok_or(ApiError::Unauthorized)?;
        // A stored row this code did not write (unknown purpose or scope) works for nothing.
        let purpose = Purpose::parse(&client.purpose).ok_or(ApiError::Forbidden)?;
        let scopes = Scopes::parse(&client.scopes).ok_or(ApiError::Forbidden)?;
        let region = match client.region_code.as_deref() {
            None | Some("") => None,
            Some(r) => Some(r.parse::<RegionCode>().map_err(|_| ApiError::Forbidden)?),
        };
        if let Err(retry_after_secs) = state.exchange.take(&client) {
            return Err(ApiError::RateLimited { retry_after_secs });
        }
        let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
        let actor = Actor {
            user_id: None,
            username: format!("api_client:{}", client.id),
            ip: ctx.ip,
            request_id: ctx.request_id,
        };
        Ok(Caller::Client(PartnerClient { client, purpose, scopes, region, actor }))
    }
}

impl Caller {
    pub fn actor(&self) -> &Actor {
        match self {
            Caller::Client(c) => &c.actor,
            Caller::User(u) => &u.actor,
        }
    }

    /// The people this caller may read, or 403. Accounts need `ViewPerson` in their scope;
    /// clients need the resource's read scope and see only their region, never restricted people.
    pub fn audience(&self, resource: Resource) -> Result<Audience, ApiError> {
        match self {
            Caller::Client(c) => {
                if !c.scopes.allows(resource, Access::Read) {
                    return Err(ApiError::Forbidden);
                }
                Ok(Audience {
                    within: c.region.as_ref().map(|r| r.as_str().to_string()),
                    purpose: Some(c.purpose),
                    exclude_restricted: true,
                })
            }
            Caller::User(u) => {
                let within = u.principal.scope.code();
                let needs_person = matches!(resource, Resource::Persons | Resource::Episodes | Resource::Cases);
                if needs_person && !u.principal.can(Action::ViewPerson, within) {
                    return Err(ApiError::Forbidden);
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
    pub fn cursor_scope(&self, list: &str) -> String {
        match self {
            Caller::Client(c) => format!("{list}|client:{}", c.client.id),
            Caller::User(u) => format!("{list}|user:{}", u.user.id),
        }
    }

    pub fn is_client(&self) -> bool {
        matches!(self, Caller::Client(_))
    }
    /// The account's role (`None` for a client, whose fields follow consent and purpose).
    pub fn role(&self) -> Option<domain::Role> {
        match self {
            Caller::Client(_) => None,
            Caller::User(u) => Some(u.principal.role),
        }
    }
}

impl From<SyncInputError> for ApiError {
    fn from(e: SyncInputError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

/// The cursor signing key, read once from the database.
pub async fn cursor_key(state: &AppState) -> Result<&[u8], ApiError> {
    state
        .exchange
        .cursor_key
        .get_or_try_init(|| store::exchange::cursor_key(&state.db))
        .await
        .map(Vec::as_slice)
        .map_err(ApiError::from)
}

/// Rows changed in the current second (and the one before) are served on a later page: writers
/// still inside their transaction may yet commit rows with those timestamps.
pub const SETTLE_SECS: i64 = 1;

/// The upper bound (exclusive) of `updated_at` served now.
pub fn sync_upto() -> i64 {
    store::now() - SETTLE_SECS
}

/// Where a sync page starts: the cursor (which wins) or `updated_since` or the beginning.
pub async fn start_position(
    state: &AppState,
    caller: &Caller,
    list: &str,
    cursor: Option<&str>,
    updated_since: Option<&str>,
) -> Result<SyncPosition, ApiError> {
    if let Some(c) = cursor.filter(|c| !c.is_empty()) {
        let key = cursor_key(state).await?;
        return Ok(domain::exchange::decode_cursor(key, &caller.cursor_scope(list), c)?);
    }
    let since = match updated_since.filter(|s| !s.is_empty()) {
        Some(s) => domain::exchange::parse_updated_since(s)?,
        None => 0,
    };
    Ok(SyncPosition::start(since))
}

pub async fn next_cursor(
    state: &AppState,
    caller: &Caller,
    list: &str,
    pos: &SyncPosition,
) -> Result<String, ApiError> {
    let key = cursor_key(state).await?;
    Ok(domain::exchange::encode_cursor(key, &caller.cursor_scope(list), pos))
}

/// A person as the exchange sends it: personal fields only when the caller may have them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
    pub fn from_row(r: PersonRow, partner: bool) -> ExchangePerson {
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
}

impl ExchangePerson {
    /// For an account (not a client): leaves out the field groups its role may not see
    /// (`domain::privacy::field_visible`), listed in `redacted_fields`.
    pub fn limited(mut self, role: Option<domain::Role>) -> ExchangePerson {
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
}

/// One audit entry per partner call (people named by id, so a subject-access report finds it).
pub async fn audit_call(
    state: &AppState,
    caller: &Caller,
    what: &str,
    person_ids: &[i64],
    details: &str,
) -> Result<(), ApiError> {
    if person_ids.is_empty() && !caller.is_client() {
        return Ok(());
    }
    let ids = person_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let (entity, entity_id) = match caller {
        _ if !person_ids.is_empty() => ("person", ids),
        Caller::Client(c) => ("api_client", c.client.id.to_string()),
        Caller::User(u) => ("user", u.user.id.to_string()),
    };
    let action = format!("exchange.{what}");
    let ev = store::audit::Event { action: &action, entity, entity_id: &entity_id, region_code: "", details };
    store::audit::append_now(&state.db, caller.actor(), &ev).await?;
    Ok(())
}
