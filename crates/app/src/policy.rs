//! Editing the placement policy (placement bans, the zero-cost rule, the no-contact threshold,
//! the documents requirement matrix): the rules every edit form checks, with messages from the
//! catalogue in the viewer's language, and the cache drop after a committed edit.
//!
//! Codes are checked for form the way episodes check them (`CountryCode`, `JobType`) and
//! against the closed lists (`Category`, `CostItem`, `DocumentKind`, `DueAt`).

use crate::App as AppState;
use crate::i18n::T;
use domain::person::parse_date;
use domain::service_center::flags::{BanEntry, CostItem, ZeroCostExemption};
use domain::service_center::requirements::{Applicability, DocumentKind, DueAt, Requirement};
use domain::service_center::{Category, CountryCode, JobType};
use domain::{Rule, ValidationErrors};
use time::Date;

/// The shortest and longest legal citation accepted, in characters.
pub const LEGAL_SOURCE_CHARS: (usize, usize) = (5, 500);
/// The largest no-contact threshold accepted, in days (ten years).
pub const MAX_NO_CONTACT_DAYS: i64 = 3650;

/// A placement ban as a form gives it.
#[derive(Debug, Default)]
pub struct BanInput<'a> {
    pub destination: &'a str,
    /// Empty: every category.
    pub category: &'a str,
    /// Empty: every job type.
    pub job_type: &'a str,
    pub legal_source: &'a str,
    pub since: &'a str,
    /// Empty: the ban stands.
    pub until: &'a str,
    pub allows_extension: bool,
}

fn country(t: T, errs: &mut ValidationErrors, field: &str, raw: &str) -> Option<CountryCode> {
    if raw.trim().is_empty() {
        errs.push(
            domain::FieldError::new(field, Rule::Required, t.get("policy.err.country")).message("policy.err.country"),
        );
        return None;
    }
    let c = CountryCode::parse(raw);
    if c.is_none() {
        errs.push(
            domain::FieldError::new(field, Rule::Format, t.get("policy.err.country")).message("policy.err.country"),
        );
    }
    c
}

fn job_type(t: T, errs: &mut ValidationErrors, field: &str, raw: &str) -> Option<JobType> {
    let j = JobType::parse(raw);
    if j.is_none() {
        let rule = if raw.trim().is_empty() { Rule::Required } else { Rule::Format };
        errs.push(domain::FieldError::new(field, rule, t.get("policy.err.job_type")).message("policy.err.job_type"));
    }
    j
}

/// An empty field is `Some(None)`; a bad code is `None` with the error added.
fn optional<V>(raw: &str, parse: impl FnOnce(&str) -> Option<V>, mut fail: impl FnMut()) -> Option<Option<V>> {
    if raw.trim().is_empty() {
        return Some(None);
    }
    let v = parse(raw);
    if v.is_none() {
        fail();
    }
    v.map(Some)
}

fn date(t: T, errs: &mut ValidationErrors, field: &str, raw: &str, required: bool) -> Option<Option<Date>> {
    if raw.trim().is_empty() {
        if required {
            errs.push(
                domain::FieldError::new(field, Rule::Required, t.get("policy.err.date")).message("policy.err.date"),
            );
            return None;
        }
        return Some(None);
    }
    let d = parse_date(raw);
    if d.is_none() {
        errs.push(domain::FieldError::new(field, Rule::Format, t.get("policy.err.date")).message("policy.err.date"));
    }
    d.map(Some)
}

/// `since` is required, `until` optional and not before `since`.
fn period(t: T, errs: &mut ValidationErrors, since: &str, until: &str) -> Option<(Date, Option<Date>)> {
    let since = date(t, errs, "since", since, true).flatten();
    let until = date(t, errs, "until", until, false);
    if let (Some(s), Some(Some(u))) = (since, until)
        && u < s
    {
        errs.push(
            domain::FieldError::new("until", Rule::OutOfRange, t.get("policy.err.until_before_since"))
                .message("policy.err.until_before_since"),
        );
        return None;
    }
    Some((since?, until?))
}

fn legal_source(t: T, errs: &mut ValidationErrors, raw: &str) -> String {
    let v = raw.trim().to_string();
    let n = v.chars().count();
    let (min, max) = LEGAL_SOURCE_CHARS;
    if n == 0 {
        errs.push(
            domain::FieldError::new("legal_source", Rule::Required, t.get("policy.err.legal_source"))
                .message("policy.err.legal_source"),
        );
    } else if n < min {
        errs.push(
            domain::FieldError::new("legal_source", Rule::TooShort, t.get("policy.err.legal_source"))
                .message("policy.err.legal_source"),
        );
    } else if n > max {
        errs.push(
            domain::FieldError::new("legal_source", Rule::TooLong, t.get("policy.err.legal_source"))
                .message("policy.err.legal_source"),
        );
    }
    v
}

pub fn validate_ban(t: T, i: &BanInput<'_>) -> Result<BanEntry, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let destination = country(t, &mut errs, "destination", i.destination);
    let category = optional(i.category, Category::parse, || {
        errs.push(
            domain::FieldError::new("category", Rule::OneOf, t.get("policy.err.category"))
                .message("policy.err.category"),
        )
    });
    let job = optional(i.job_type, JobType::parse, || {
        errs.push(
            domain::FieldError::new("job_type", Rule::Format, t.get("policy.err.job_type"))
                .message("policy.err.job_type"),
        )
    });
    let legal_source = legal_source(t, &mut errs, i.legal_source);
    let period = period(t, &mut errs, i.since, i.until);
    match (destination, category, job, period) {
        (Some(destination), Some(category), Some(job_type), Some((since, until))) if errs.is_empty() => Ok(BanEntry {
            destination,
            category,
            job_type,
            legal_source,
            since,
            until,
            allows_extension: i.allows_extension,
        }),
        _ => Err(errs),
    }
}

pub fn validate_exemption(
    t: T,
    destination: &str,
    since: &str,
    until: &str,
    legal: &str,
) -> Result<ZeroCostExemption, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let destination = country(t, &mut errs, "destination", destination);
    let legal_source = legal_source(t, &mut errs, legal);
    let period = period(t, &mut errs, since, until);
    match (destination, period) {
        (Some(destination), Some((since, until))) if errs.is_empty() => {
            Ok(ZeroCostExemption { destination, since, until, legal_source })
        }
        _ => Err(errs),
    }
}

pub fn validate_job_type(t: T, raw: &str) -> Result<JobType, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    job_type(t, &mut errs, "job_type", raw).ok_or(errs)
}

/// A cost item the rule can cover: any but `other`.
pub fn validate_cost_item(t: T, raw: &str) -> Result<CostItem, ValidationErrors> {
    match CostItem::parse(raw) {
        Some(i) if i != CostItem::Other => Ok(i),
        _ => {
            let rule = if raw.trim().is_empty() { Rule::Required } else { Rule::OneOf };
            Err(ValidationErrors::single("item", rule, t.get("policy.err.cost_item")).message("policy.err.cost_item"))
        }
    }
}

/// The settings form: the no-contact days, the zero-cost rule's citation and its start date
/// (empty: every placement is judged). Returns the stored (key, value) pairs.
pub fn validate_settings(
    t: T,
    no_contact_days: &str,
    zero_cost_legal_source: &str,
    zero_cost_effective_from: &str,
) -> Result<Vec<(&'static str, String)>, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let days = no_contact_days.trim().parse::<i64>().ok();
    match days {
        None => {
            let rule = if no_contact_days.trim().is_empty() { Rule::Required } else { Rule::Format };
            errs.push(
                domain::FieldError::new("no_contact_days", rule, t.get("policy.err.days")).message("policy.err.days"),
            );
        }
        Some(d) if !(1..=MAX_NO_CONTACT_DAYS).contains(&d) => errs.push(
            domain::FieldError::new("no_contact_days", Rule::OutOfRange, t.get("policy.err.days"))
                .message("policy.err.days"),
        ),
        Some(_) => {}
    }
    let mut source_errs = ValidationErrors::new();
    let source = legal_source(t, &mut source_errs, zero_cost_legal_source);
    for e in source_errs.0 {
        errs.add("zero_cost_legal_source", e.rule, e.detail);
    }
    let effective = date(t, &mut errs, "zero_cost_effective_from", zero_cost_effective_from, false);
    match (days, effective) {
        (Some(days), Some(effective)) if errs.is_empty() => Ok(vec![
            (store::policy::NO_CONTACT_DAYS_KEY, days.to_string()),
            (store::policy::ZERO_COST_LEGAL_SOURCE_KEY, source),
            (store::policy::ZERO_COST_EFFECTIVE_FROM_KEY, effective.map(|d| d.to_string()).unwrap_or_default()),
        ]),
        _ => Err(errs),
    }
}

/// A requirement as a form gives it: one document, an optional category, comma-separated
/// destinations and job types (empty: any), and the step it is due by.
#[derive(Debug, Default)]
pub struct RequirementInput<'a> {
    pub document: &'a str,
    pub category: &'a str,
    pub destinations: &'a str,
    pub job_types: &'a str,
    pub due: &'a str,
}

fn list<V>(raw: &str, parse: impl Fn(&str) -> Option<V>) -> Option<Vec<V>> {
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        out.push(parse(part)?);
    }
    Some(out)
}

pub fn validate_requirement(t: T, i: &RequirementInput<'_>) -> Result<Requirement, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let document = DocumentKind::parse(i.document);
    if document.is_none() {
        let rule = if i.document.trim().is_empty() { Rule::Required } else { Rule::OneOf };
        errs.push(
            domain::FieldError::new("document", rule, t.get("policy.err.document")).message("policy.err.document"),
        );
    }
    let category = optional(i.category, Category::parse, || {
        errs.push(
            domain::FieldError::new("category", Rule::OneOf, t.get("policy.err.category"))
                .message("policy.err.category"),
        )
    });
    let destinations = list(i.destinations, CountryCode::parse);
    if destinations.is_none() {
        errs.push(
            domain::FieldError::new("destinations", Rule::Format, t.get("policy.err.countries"))
                .message("policy.err.countries"),
        );
    }
    let job_types = list(i.job_types, JobType::parse);
    if job_types.is_none() {
        errs.push(
            domain::FieldError::new("job_types", Rule::Format, t.get("policy.err.job_types"))
                .message("policy.err.job_types"),
        );
    }
    let due = DueAt::parse(i.due);
    if due.is_none() {
        let rule = if i.due.trim().is_empty() { Rule::Required } else { Rule::OneOf };
        errs.push(domain::FieldError::new("due", rule, t.get("policy.err.due")).message("policy.err.due"));
    }
    match (document, category, destinations, job_types, due) {
        (Some(document), Some(category), Some(mut destinations), Some(mut job_types), Some(due)) if errs.is_empty() => {
            destinations.dedup();
            job_types.dedup();
            Ok(Requirement {
                document,
                applies: Applicability { categories: category.into_iter().collect(), destinations, job_types },
                due,
            })
        }
        _ => Err(errs),
    }
}

// ---------------------------------------------------------------- edits (national admins)

pub use store::policy::{
    BanRow, ExemptionRow, NO_CONTACT_DAYS_KEY, PolicyRows, RequirementRow, ZERO_COST_EFFECTIVE_FROM_KEY,
    ZERO_COST_LEGAL_SOURCE_KEY,
};

use crate::error::{Error, Result as AppResult};
use domain::access::{Action, Principal};
use store::audit::Actor;

/// The placement policy as stored (bans, zero-cost rule, settings, requirements), with row ids:
/// every account may read the rules its flags and checklists come from.
pub async fn rows(state: &AppState) -> AppResult<PolicyRows> {
    Ok(store::policy::rows(&state.db).await?)
}

/// The policy as the rules read it (defaults for missing or unreadable settings).
pub fn as_rules(rows: &PolicyRows) -> store::policy::Loaded {
    store::policy::to_domain(rows)
}

fn may_edit(principal: &Principal) -> AppResult<()> {
    if principal.can(Action::ManagePolicy, None) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Runs an audited store edit and drops the cached policy, whatever the outcome.
async fn edit<V>(state: &AppState, result: std::result::Result<V, store::StoreError>) -> AppResult<V> {
    Ok(after_edit(state, result).await?)
}

fn found(yes: bool) -> AppResult<()> {
    if yes { Ok(()) } else { Err(Error::NotFound) }
}

pub async fn set_settings(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: T,
    no_contact_days: &str,
    zero_cost_legal_source: &str,
    zero_cost_effective_from: &str,
) -> AppResult<()> {
    may_edit(principal)?;
    let values = validate_settings(t, no_contact_days, zero_cost_legal_source, zero_cost_effective_from)?;
    edit(state, store::policy::set_settings(&state.db, actor, &values).await).await.map(|_| ())
}

pub async fn add_ban(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: T,
    input: &BanInput<'_>,
) -> AppResult<i64> {
    may_edit(principal)?;
    let b = validate_ban(t, input)?;
    edit(state, store::policy::add_ban(&state.db, actor, &b).await).await
}

/// Changes a ban's legal source, period and extension rule; where it applies is fixed (remove
/// it and add another to change that). 404 when there is no such ban.
#[allow(clippy::too_many_arguments)]
pub async fn edit_ban(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: T,
    id: i64,
    legal_source: &str,
    since: &str,
    until: &str,
    allows_extension: bool,
) -> AppResult<()> {
    may_edit(principal)?;
    let row = store::policy::ban(&state.db, id).await?.ok_or(Error::NotFound)?;
    let input = BanInput {
        destination: &row.destination,
        category: row.category.as_deref().unwrap_or(""),
        job_type: row.job_type.as_deref().unwrap_or(""),
        legal_source,
        since,
        until,
        allows_extension,
    };
    let b = validate_ban(t, &input)?;
    found(edit(state, store::policy::update_ban(&state.db, actor, id, &b).await).await?)
}

pub async fn remove_ban(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> AppResult<()> {
    may_edit(principal)?;
    found(edit(state, store::policy::remove_ban(&state.db, actor, id).await).await?)
}

/// Adds a job type to the zero-cost rule; one already covered is a 422 (`taken`).
pub async fn add_job_type(state: &AppState, principal: &Principal, actor: &Actor, t: T, raw: &str) -> AppResult<()> {
    may_edit(principal)?;
    let j = validate_job_type(t, raw)?;
    if edit(state, store::policy::add_job_type(&state.db, actor, &j).await).await? {
        Ok(())
    } else {
        Err(Error::Invalid(
            ValidationErrors::single("job_type", Rule::Taken, t.get("policy.err.covered"))
                .message("policy.err.covered"),
        ))
    }
}

pub async fn remove_job_type(state: &AppState, principal: &Principal, actor: &Actor, code: &str) -> AppResult<()> {
    may_edit(principal)?;
    found(edit(state, store::policy::remove_job_type(&state.db, actor, code).await).await?)
}

/// Adds a cost item the zero-cost rule covers; one already covered is a 422 (`taken`).
pub async fn add_cost_item(state: &AppState, principal: &Principal, actor: &Actor, t: T, raw: &str) -> AppResult<()> {
    may_edit(principal)?;
    let i = validate_cost_item(t, raw)?;
    if edit(state, store::policy::add_cost_item(&state.db, actor, i).await).await? {
        Ok(())
    } else {
        Err(Error::Invalid(
            ValidationErrors::single("item", Rule::Taken, t.get("policy.err.covered")).message("policy.err.covered"),
        ))
    }
}

pub async fn remove_cost_item(state: &AppState, principal: &Principal, actor: &Actor, code: &str) -> AppResult<()> {
    may_edit(principal)?;
    found(edit(state, store::policy::remove_cost_item(&state.db, actor, code).await).await?)
}

#[allow(clippy::too_many_arguments)]
pub async fn add_exemption(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: T,
    destination: &str,
    since: &str,
    until: &str,
    legal_source: &str,
) -> AppResult<i64> {
    may_edit(principal)?;
    let e = validate_exemption(t, destination, since, until, legal_source)?;
    edit(state, store::policy::add_exemption(&state.db, actor, &e).await).await
}

pub async fn remove_exemption(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> AppResult<()> {
    may_edit(principal)?;
    found(edit(state, store::policy::remove_exemption(&state.db, actor, id).await).await?)
}

pub async fn add_requirement(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: T,
    input: &RequirementInput<'_>,
) -> AppResult<i64> {
    may_edit(principal)?;
    let r = validate_requirement(t, input)?;
    edit(state, store::policy::add_requirement(&state.db, actor, &r).await).await
}

pub async fn remove_requirement(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> AppResult<()> {
    may_edit(principal)?;
    found(edit(state, store::policy::remove_requirement(&state.db, actor, id).await).await?)
}

/// Drops the cached policy after an edit (whatever its outcome) and passes the result on.
pub async fn after_edit<V>(state: &AppState, result: Result<V, store::StoreError>) -> Result<V, store::StoreError> {
    state.reload_policy().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn t() -> T {
        T::new(Lang::Id)
    }

    fn fields(e: &ValidationErrors) -> Vec<(&str, Rule)> {
        e.0.iter().map(|e| (e.field.as_str(), e.rule)).collect()
    }

    fn ban<'a>() -> BanInput<'a> {
        BanInput {
            destination: "my",
            category: "",
            job_type: "Plantation worker",
            legal_source: "Kepmenaker 1/2026",
            since: "2026-01-01",
            until: "",
            allows_extension: true,
        }
    }

    #[test]
    fn a_ban_is_normalised() {
        let b = validate_ban(t(), &ban()).unwrap();
        assert_eq!(b.destination.as_str(), "MY");
        assert_eq!(b.category, None);
        assert_eq!(b.job_type.as_ref().map(|j| j.as_str()), Some("plantation_worker"));
        assert_eq!(b.until, None);
        assert!(b.allows_extension);
        let b = validate_ban(t(), &BanInput { category: "household_employer", until: "2026-01-01", ..ban() }).unwrap();
        assert_eq!(b.category, Some(Category::HouseholdEmployer));
        assert_eq!(b.until, b.since.into());
    }

    #[test]
    fn a_bad_ban_names_each_field_in_indonesian() {
        let e = validate_ban(
            t(),
            &BanInput {
                destination: "Malaysia",
                category: "rumah",
                job_type: "kebun!",
                legal_source: "x",
                since: "2026-13-01",
                until: "",
                allows_extension: false,
            },
        )
        .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("destination", Rule::Format),
                ("category", Rule::OneOf),
                ("job_type", Rule::Format),
                ("legal_source", Rule::TooShort),
                ("since", Rule::Format),
            ]
        );
        assert!(e.0[0].detail.contains("huruf"), "{}", e.0[0].detail);
        let e = validate_ban(t(), &BanInput { until: "2025-12-31", ..ban() }).unwrap_err();
        assert_eq!(fields(&e), [("until", Rule::OutOfRange)]);
        let e = validate_ban(t(), &BanInput { destination: "", since: "", legal_source: "", ..ban() }).unwrap_err();
        assert_eq!(
            fields(&e),
            [("destination", Rule::Required), ("legal_source", Rule::Required), ("since", Rule::Required)]
        );
        // Indonesia is never a destination.
        assert_eq!(
            fields(&validate_ban(t(), &BanInput { destination: "ID", ..ban() }).unwrap_err()),
            [("destination", Rule::Format)]
        );
    }

    #[test]
    fn exemptions_and_lists() {
        assert!(validate_exemption(t(), "hk", "2026-01-01", "", "Keputusan Kepala BP2MI 1/2026").is_ok());
        let e = validate_exemption(t(), "HK", "2026-01-01", "2025-01-01", "Keputusan").unwrap_err();
        assert_eq!(fields(&e), [("until", Rule::OutOfRange)]);
        assert_eq!(validate_job_type(t(), "Sea cook").unwrap().as_str(), "sea_cook");
        assert_eq!(fields(&validate_job_type(t(), "").unwrap_err()), [("job_type", Rule::Required)]);
        assert_eq!(validate_cost_item(t(), "visa").unwrap(), CostItem::Visa);
        assert_eq!(fields(&validate_cost_item(t(), "other").unwrap_err()), [("item", Rule::OneOf)]);
        assert_eq!(fields(&validate_cost_item(t(), "bribe").unwrap_err()), [("item", Rule::OneOf)]);
    }

    #[test]
    fn settings() {
        let ok = validate_settings(t(), "30", "Peraturan BP2MI 9/2020", "2021-07-15").unwrap();
        assert_eq!(ok[0], (store::policy::NO_CONTACT_DAYS_KEY, "30".to_string()));
        assert_eq!(ok[2].1, "2021-07-15");
        assert_eq!(validate_settings(t(), "90", "Peraturan BP2MI 9/2020", "").unwrap()[2].1, "");
        let e = validate_settings(t(), "0", "", "kemarin").unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("no_contact_days", Rule::OutOfRange),
                ("zero_cost_legal_source", Rule::Required),
                ("zero_cost_effective_from", Rule::Format)
            ]
        );
        assert_eq!(
            fields(&validate_settings(t(), "sembilan", "Peraturan", "").unwrap_err()),
            [("no_contact_days", Rule::Format)]
        );
    }

    #[test]
    fn requirements() {
        let r = validate_requirement(
            t(),
            &RequirementInput {
                document: "seaman_book",
                category: "legal_entity_employer",
                destinations: "kr, tw",
                job_types: "",
                due: "departure",
            },
        )
        .unwrap();
        assert_eq!(r.document, DocumentKind::SeamanBook);
        assert_eq!(r.applies.categories, [Category::LegalEntityEmployer]);
        assert_eq!(r.applies.destinations.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["KR", "TW"]);
        assert!(r.applies.job_types.is_empty());
        let e = validate_requirement(
            t(),
            &RequirementInput {
                document: "driving_licence",
                category: "x",
                destinations: "KR,Korea",
                job_types: "cook,!",
                due: "later",
            },
        )
        .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("document", Rule::OneOf),
                ("category", Rule::OneOf),
                ("destinations", Rule::Format),
                ("job_types", Rule::Format),
                ("due", Rule::OneOf)
            ]
        );
    }
}
