//! Data exchange with partners (issue 8): API clients' scopes and purposes, what a partner may
//! see of a person (consent × purpose), sync cursors signed with HMAC-SHA256, page sizes,
//! `updated_since`, and the per-client token bucket. Pure: no IO.

use crate::validation::{Rule, ValidationErrors};
use sha2::Sha256;

/// Why a partner organisation asks for data: fixed by the exchange agreements (MoU).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    HealthServices,
    TraffickingResponse,
    CooperativeSupervision,
    Statistics,
    SocialAssistance,
    PlacementProtection,
}

impl Purpose {
    pub const ALL: [Purpose; 6] = [
        Purpose::HealthServices,
        Purpose::TraffickingResponse,
        Purpose::CooperativeSupervision,
        Purpose::Statistics,
        Purpose::SocialAssistance,
        Purpose::PlacementProtection,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::HealthServices => "health_services",
            Purpose::TraffickingResponse => "trafficking_response",
            Purpose::CooperativeSupervision => "cooperative_supervision",
            Purpose::Statistics => "statistics",
            Purpose::SocialAssistance => "social_assistance",
            Purpose::PlacementProtection => "placement_protection",
        }
    }
    pub fn parse(s: &str) -> Option<Purpose> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }
}

/// What a client may read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Persons,
    Episodes,
    Cases,
    JobOrders,
    Agencies,
}

impl Resource {
    pub const ALL: [Resource; 5] =
        [Resource::Persons, Resource::Episodes, Resource::Cases, Resource::JobOrders, Resource::Agencies];
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Persons => "persons",
            Resource::Episodes => "episodes",
            Resource::Cases => "cases",
            Resource::JobOrders => "job_orders",
            Resource::Agencies => "agencies",
        }
    }
    pub fn parse(s: &str) -> Option<Resource> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// One granted scope, `persons:read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientScope {
    pub resource: Resource,
    pub access: Access,
}

impl ClientScope {
    pub fn parse(s: &str) -> Option<ClientScope> {
        let (r, a) = s.trim().split_once(':')?;
        let access = match a {
            "read" => Access::Read,
            "write" => Access::Write,
            _ => return None,
        };
        Some(ClientScope { resource: Resource::parse(r)?, access })
    }
    pub fn as_string(&self) -> String {
        format!("{}:{}", self.resource.as_str(), self.access.as_str())
    }
}

/// A client's scopes. Write implies read of the same resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(pub Vec<ClientScope>);

impl Scopes {
    /// Parses a comma-separated list; `None` if any element is unknown.
    pub fn parse(list: &str) -> Option<Scopes> {
        let mut v: Vec<ClientScope> =
            list.split(',').filter(|s| !s.trim().is_empty()).map(ClientScope::parse).collect::<Option<_>>()?;
        v.sort();
        v.dedup();
        Some(Scopes(v))
    }
    pub fn allows(&self, resource: Resource, access: Access) -> bool {
        self.0.iter().any(|s| s.resource == resource && (s.access == access || s.access == Access::Write))
    }
    pub fn to_list(&self) -> String {
        self.0.iter().map(ClientScope::as_string).collect::<Vec<_>>().join(",")
    }
}

/// The fields of a person's record that identify or reach them: sent to a partner only when
/// the person's consent covers the partner's purpose.
pub const PERSONAL_FIELDS: [&str; 8] =
    ["nik", "kk_number", "full_name", "birth_date", "birth_place", "phone", "address", "contact_abroad"];

/// Whether a partner sees a person's personal fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentDecision {
    /// The latest consent for the client's purpose was granted.
    Covered,
    /// No consent for this purpose, or it was refused or withdrawn: personal fields are removed.
    NotCovered,
}

impl ConsentDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentDecision::Covered => "covered",
            ConsentDecision::NotCovered => "not_covered",
        }
    }
}

/// `latest` is the person's most recent consent answer for the client's purpose, if any.
pub fn consent_decision(latest: Option<bool>) -> ConsentDecision {
    if latest == Some(true) { ConsentDecision::Covered } else { ConsentDecision::NotCovered }
}

/// A new client as the admin enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    pub organisation: String,
    pub purpose: Purpose,
    pub scopes: Scopes,
    pub region_code: Option<crate::RegionCode>,
    /// `YYYY-MM-DD`: the last day the client's token works.
    pub expires_on: time::Date,
    pub rate_per_minute: i64,
}

pub struct ClientInput<'a> {
    pub organisation: &'a str,
    pub purpose: &'a str,
    pub scopes: &'a [String],
    pub region_code: &'a str,
    pub expires_on: &'a str,
    pub rate_per_minute: Option<i64>,
}

/// Default calls per minute for a new client.
pub const DEFAULT_RATE_PER_MINUTE: i64 = 120;

pub fn validate_client(i: &ClientInput<'_>, today: time::Date) -> Result<NewClient, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let organisation = crate::validation::text(&mut errs, "organisation", i.organisation, 2, 120);
    let purpose = Purpose::parse(i.purpose);
    if purpose.is_none() {
        errs.add("purpose", Rule::OneOf, Purpose::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "));
    }
    let scopes = Scopes::parse(&i.scopes.join(","));
    match &scopes {
        None => errs.add("scopes", Rule::Format, "resource:read or resource:write, e.g. persons:read"),
        Some(s) if s.0.is_empty() => errs.add("scopes", Rule::Required, "at least one scope"),
        _ => {}
    }
    let region_code = match i.region_code.trim() {
        "" => None,
        raw => match raw.parse::<crate::RegionCode>() {
            Ok(c) => Some(c),
            Err(_) => {
                errs.add("region_code", Rule::Format, "a Kemendagri code such as 53 or 53.07");
                None
            }
        },
    };
    let expires_on = match crate::person::parse_date(i.expires_on) {
        Some(d) if d >= today && d <= today.saturating_add(time::Duration::days(3 * 366)) => Some(d),
        Some(_) => {
            errs.add("expires_on", Rule::OutOfRange, "from today to at most three years ahead");
            None
        }
        None => {
            errs.add("expires_on", Rule::Format, "a date such as 2027-06-30");
            None
        }
    };
    let rate = i.rate_per_minute.unwrap_or(DEFAULT_RATE_PER_MINUTE);
    if !(1..=6000).contains(&rate) {
        errs.add("rate_per_minute", Rule::OutOfRange, "1 to 6000");
    }
    match (purpose, scopes, expires_on) {
        (Some(purpose), Some(scopes), Some(expires_on)) if errs.is_empty() => {
            Ok(NewClient { organisation, purpose, scopes, region_code, expires_on, rate_per_minute: rate })
        }
        _ => Err(errs),
    }
}

/// A purpose consent as an officer records it: a known purpose and the day the person answered,
/// not after `today` (the village's own day).
pub fn validate_purpose_consent(
    purpose: &str,
    given_on: &str,
    today: time::Date,
) -> Result<(Purpose, time::Date), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let p = Purpose::parse(purpose);
    if p.is_none() {
        errs.add("purpose", Rule::OneOf, Purpose::ALL.map(|p| p.as_str()).join(", "));
    }
    let d = match crate::person::parse_date(given_on) {
        Some(d) if d <= today => Some(d),
        Some(_) => {
            errs.push(
                crate::FieldError::new("given_on", Rule::OutOfRange, "not in the future")
                    .message("msg_key.not_in_future"),
            );
            None
        }
        None => {
            errs.add("given_on", Rule::Format, "a date such as 2026-01-20");
            None
        }
    };
    match (p, d) {
        (Some(p), Some(d)) if errs.is_empty() => Ok((p, d)),
        _ => Err(errs),
    }
}

/// The longest note on a restriction of processing, or resolution of a correction request.
pub const MAX_NOTE_CHARS: usize = 500;

// ---------------------------------------------------------------------------------------------
// Sync: cursors, updated_since, page sizes.

pub const DEFAULT_PAGE_SIZE: i64 = 100;
/// Larger page sizes are refused (400) rather than silently clamped, so a client notices.
pub const MAX_PAGE_SIZE: i64 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncInputError {
    #[error("cursor is not valid (it must come unchanged from next_cursor of the same list)")]
    BadCursor,
    #[error("updated_since must be an RFC 3339 time such as 2026-01-31T08:00:00Z")]
    BadUpdatedSince,
    #[error("limit must be between 1 and 1000")]
    BadLimit,
}

/// `limit` as given (`None`: the default).
pub fn page_size(limit: Option<i64>) -> Result<i64, SyncInputError> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(SyncInputError::BadLimit),
    }
}

/// RFC 3339 to Unix seconds (fractions dropped: stored times are whole seconds).
pub fn parse_updated_since(raw: &str) -> Result<i64, SyncInputError> {
    if raw.len() > 40 {
        return Err(SyncInputError::BadUpdatedSince);
    }
    time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| SyncInputError::BadUpdatedSince)
}

/// Where a sync list stands: the last change and the last deletion already returned, each
/// ordered by (time, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPosition {
    pub changed_at: i64,
    pub changed_id: i64,
    pub deleted_at: i64,
    pub deleted_id: i64,
}

impl SyncPosition {
    /// The start of a sync: everything changed at or after `since`.
    pub fn start(since: i64) -> SyncPosition {
        SyncPosition { changed_at: since, changed_id: 0, deleted_at: since, deleted_id: 0 }
    }
}

/// HMAC-SHA256 (RFC 2104), from the `hmac` crate.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(key) else { unreachable!("HMAC accepts any key length") };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// An opaque cursor: the position, bound to the list it belongs to (`scope`: resource and
/// caller), signed so that a changed or invented cursor is refused.
pub fn encode_cursor(key: &[u8], scope: &str, p: &SyncPosition) -> String {
    let body = format!("{}.{}.{}.{}", p.changed_at, p.changed_id, p.deleted_at, p.deleted_id);
    let mac = hmac_sha256(key, format!("{scope}|{body}").as_bytes());
    format!("{}.{}", hex::encode(body.as_bytes()), hex::encode(&mac[..16]))
}

pub fn decode_cursor(key: &[u8], scope: &str, cursor: &str) -> Result<SyncPosition, SyncInputError> {
    let bad = SyncInputError::BadCursor;
    if cursor.len() > 300 {
        return Err(bad);
    }
    let (body_hex, mac_hex) = cursor.split_once('.').ok_or(bad.clone())?;
    let body = String::from_utf8(hex::decode(body_hex).map_err(|_| bad.clone())?).map_err(|_| bad.clone())?;
    let mac = hex::decode(mac_hex).map_err(|_| bad.clone())?;
    let expected = hmac_sha256(key, format!("{scope}|{body}").as_bytes());
    if !bool::from(subtle::ConstantTimeEq::ct_eq(mac.as_slice(), &expected[..16])) {
        return Err(bad);
    }
    let n: Vec<i64> = body.split('.').map(str::parse).collect::<Result<_, _>>().map_err(|_| bad.clone())?;
    match n[..] {
        [changed_at, changed_id, deleted_at, deleted_id] => {
            Ok(SyncPosition { changed_at, changed_id, deleted_at, deleted_id })
        }
        _ => Err(bad),
    }
}

// ---------------------------------------------------------------------------------------------
// Rate limiting.

/// A token bucket: `capacity` calls at once, refilled at `capacity` per minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub tokens: f64,
    /// Seconds (any monotonic origin) of the last refill.
    pub at: f64,
}

/// Takes one token at time `now`; `Err(seconds to wait)` when the bucket is empty.
pub fn take(bucket: &mut Bucket, capacity: i64, now: f64) -> Result<(), u64> {
    let cap = capacity.max(1) as f64;
    let rate = cap / 60.0;
    let elapsed = (now - bucket.at).max(0.0);
    bucket.tokens = (bucket.tokens + elapsed * rate).min(cap);
    bucket.at = now;
    if bucket.tokens >= 1.0 {
        bucket.tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
    }
}

pub fn full_bucket(capacity: i64, now: f64) -> Bucket {
    Bucket { tokens: capacity.max(1) as f64, at: now }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_consent_needs_a_known_purpose_and_a_day_not_in_the_future() {
        let today = time::macros::date!(2026 - 03 - 10);
        assert_eq!(validate_purpose_consent("statistics", "2026-03-10", today), Ok((Purpose::Statistics, today)));
        let e = validate_purpose_consent("marketing", "2026-03-11", today).unwrap_err();
        let rules: Vec<_> = e.0.iter().map(|f| (f.field.as_str(), f.rule)).collect();
        assert_eq!(rules, [("purpose", Rule::OneOf), ("given_on", Rule::OutOfRange)]);
        let e = validate_purpose_consent("statistics", "kemarin", today).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::Format);
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        let key = b"k3y";
        let p = SyncPosition { changed_at: 1_760_000_000, changed_id: 42, deleted_at: 5, deleted_id: 7 };
        let c = encode_cursor(key, "persons|client:1", &p);
        assert_eq!(decode_cursor(key, "persons|client:1", &c), Ok(p));
        assert_eq!(decode_cursor(key, "persons|client:2", &c), Err(SyncInputError::BadCursor), "another caller");
        assert_eq!(decode_cursor(b"other", "persons|client:1", &c), Err(SyncInputError::BadCursor));
        // Change one digit of the position and re-encode the body: the MAC no longer fits.
        let (_, mac) = c.split_once('.').unwrap();
        let forged = format!("{}.{mac}", hex::encode("1760000000.43.5.7"));
        assert_eq!(decode_cursor(key, "persons|client:1", &forged), Err(SyncInputError::BadCursor));
        for junk in ["", ".", "abc", "zz.zz", "' OR 1=1", &"a".repeat(1000)] {
            assert_eq!(decode_cursor(key, "persons|client:1", junk), Err(SyncInputError::BadCursor), "{junk}");
        }
    }

    #[test]
    fn updated_since_and_limits() {
        assert_eq!(parse_updated_since("1970-01-01T00:01:00Z"), Ok(60));
        assert_eq!(parse_updated_since("2026-01-31T08:00:00+07:00"), Ok(1_769_821_200));
        for bad in ["2026-01-31", "yesterday", "2026-13-01T00:00:00Z", "'; DROP TABLE persons; --"] {
            assert_eq!(parse_updated_since(bad), Err(SyncInputError::BadUpdatedSince), "{bad}");
        }
        assert_eq!(page_size(None), Ok(DEFAULT_PAGE_SIZE));
        assert_eq!(page_size(Some(1000)), Ok(1000));
        assert_eq!(page_size(Some(1001)), Err(SyncInputError::BadLimit));
        assert_eq!(page_size(Some(0)), Err(SyncInputError::BadLimit));
    }

    #[test]
    fn scopes_and_consent() {
        let s = Scopes::parse("persons:read, job_orders:write,persons:read").unwrap();
        assert_eq!(s.to_list(), "persons:read,job_orders:write");
        assert!(s.allows(Resource::Persons, Access::Read));
        assert!(!s.allows(Resource::Persons, Access::Write));
        assert!(s.allows(Resource::JobOrders, Access::Read), "write implies read");
        assert!(!s.allows(Resource::Cases, Access::Read));
        assert!(Scopes::parse("persons:delete").is_none());
        assert!(Scopes::parse("people:read").is_none());
        assert_eq!(consent_decision(Some(true)), ConsentDecision::Covered);
        assert_eq!(consent_decision(Some(false)), ConsentDecision::NotCovered);
        assert_eq!(consent_decision(None), ConsentDecision::NotCovered);
    }

    #[test]
    fn token_bucket_refuses_then_refills() {
        let mut b = full_bucket(3, 0.0);
        assert!(take(&mut b, 3, 0.0).is_ok());
        assert!(take(&mut b, 3, 0.0).is_ok());
        assert!(take(&mut b, 3, 0.0).is_ok());
        let wait = take(&mut b, 3, 0.0).unwrap_err();
        assert_eq!(wait, 20, "3 per minute: one token every 20 s");
        assert!(take(&mut b, 3, 20.0).is_ok());
    }

    #[test]
    fn client_validation_names_fields() {
        let today = time::macros::date!(2026 - 01 - 10);
        let scopes = vec!["persons:read".to_string()];
        let ok = ClientInput {
            organisation: "IOM Indonesia",
            purpose: "trafficking_response",
            scopes: &scopes,
            region_code: "53",
            expires_on: "2026-12-31",
            rate_per_minute: None,
        };
        let c = validate_client(&ok, today).unwrap();
        assert_eq!(c.purpose, Purpose::TraffickingResponse);
        let bad_scopes = vec!["persons:delete".to_string()];
        let bad = ClientInput {
            organisation: "",
            purpose: "marketing",
            scopes: &bad_scopes,
            region_code: "Sikka",
            expires_on: "2020-01-01",
            rate_per_minute: Some(0),
        };
        let e = validate_client(&bad, today).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["organisation", "purpose", "scopes", "region_code", "expires_on", "rate_per_minute"]);
    }
}
