//! Protection cases as pages and API see them: validation of a new case, who may open one
//! (`domain::cases::can_open`), steps through the workflow, and the region list with restricted
//! cases counted but not shown.

use crate::AppState;
use domain::access::{Action, Principal};
use domain::cases::{self, CaseFacts, CaseStatus, CaseType, CaseVisibility, DueDate, Outcome, Severity, StepContext};
use domain::person::parse_date;
use domain::{RegionCode, RegionLevel, Rule, ValidationErrors};
use store::audit::Actor;
use store::cases::{Case, NewCase};

pub const MIN_DESCRIPTION: usize = 5;
pub const MAX_DESCRIPTION: usize = 5000;

/// A new case as a form or JSON body gives it.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "unpaid_wages", "severity": "medium",
    "description": "Salary for March to May not paid by the employer in Kaohsiung", "village_code": "53.07.01.2001",
    "person_id": 1}))]
pub struct CaseInput {
    /// unpaid_wages, contract_violation, abuse, illness, death, missing_contact, detention,
    /// unprocedural_departure, trafficking_suspicion, fraud, other. Abuse and trafficking_suspicion are restricted.
    #[serde(rename = "type", default)]
    pub case_type: String,
    /// low, medium, high, critical.
    #[serde(default)]
    pub severity: String,
    /// 5 to 5000 characters.
    #[serde(default)]
    pub description: String,
    /// The village the case belongs to (in the caller's region).
    #[serde(default)]
    pub village_code: String,
    /// A registered person the caller may see; omitted for a tip without a known person.
    #[serde(default)]
    pub person_id: Option<i64>,
}

/// Why a case could not be opened.
pub enum CreateError {
    Invalid(ValidationErrors),
    /// The village is in the caller's region but their role may not open cases.
    Forbidden,
    Store(store::StoreError),
}

impl From<store::StoreError> for CreateError {
    fn from(e: store::StoreError) -> Self {
        CreateError::Store(e)
    }
}

/// Validates and opens a case; the creator is its handler, due by the severity's default.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &CaseInput,
) -> Result<Case, CreateError> {
    let mut errs = ValidationErrors::new();
    let case_type = CaseType::parse(&input.case_type);
    if case_type.is_none() {
        errs.add("type", Rule::OneOf, format!("one of {}", CaseType::codes()));
    }
    let severity = Severity::parse(&input.severity);
    if severity.is_none() {
        errs.add("severity", Rule::OneOf, format!("one of {}", Severity::codes()));
    }
    let description =
        domain::validation::text(&mut errs, "description", &input.description, MIN_DESCRIPTION, MAX_DESCRIPTION);
    let village = input.village_code.trim().parse::<RegionCode>().ok().filter(|v| v.level() == RegionLevel::Village);
    let mut village_ok = None;
    match village {
        None => errs.add("village_code", Rule::Format, "a village code such as 53.07.01.2001"),
        Some(v) if !store::regions::exists(&state.db, &v).await? => {
            errs.add("village_code", Rule::UnknownRegion, "no village with this code")
        }
        Some(v) if principal.can(Action::EditPerson, Some(&v)) => village_ok = Some(v),
        Some(v) if principal.can(Action::ViewPerson, Some(&v)) => return Err(CreateError::Forbidden),
        Some(_) => errs.add("village_code", Rule::Mismatch, "this village is outside your region"),
    }
    if let Some(id) = input.person_id {
        // The same answer whether the person does not exist or lies outside the caller's region.
        if crate::people::visible_person(state, principal, id).await?.is_none() {
            errs.add("person_id", Rule::OneOf, "no person with this id");
        }
    }
    let (Some(case_type), Some(severity), Some(village_code)) = (case_type, severity, village_ok) else {
        return Err(CreateError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CreateError::Invalid(errs));
    }
    let today = crate::people::today();
    let new = NewCase {
        case_type,
        severity,
        description,
        village_code,
        person_id: input.person_id,
        restricted: case_type.is_restricted(),
        handler_user_id: actor.user_id,
        due_on: Some(DueDate::suggested(severity, today, today).date()),
    };
    Ok(store::cases::create(&state.db, actor, &new, today).await?)
}

/// How much of `case` the principal may see. Partner access comes from referrals, which are
/// not stored yet: partner users see nothing.
pub fn visibility(principal: &Principal, case: &Case) -> CaseVisibility {
    let Some(region) = case.village() else { return CaseVisibility::Hidden };
    let facts = CaseFacts {
        // An unknown stored code is treated as the most protective one.
        case_type: CaseType::parse(&case.case_type).unwrap_or(CaseType::Abuse),
        marked_restricted: case.restricted,
        region: &region,
        handler_user_id: case.handler_user_id,
        referrals: &[],
        viewer_partner_id: None,
    };
    cases::visibility(principal, &facts)
}

/// The case if the principal may open it; `None` both when absent and when not allowed, so
/// ids cannot be probed.
pub async fn openable(state: &AppState, principal: &Principal, id: i64) -> Result<Option<Case>, store::StoreError> {
    let case = store::cases::get(&state.db, id).await?;
    Ok(case.filter(|c| visibility(principal, c) == CaseVisibility::Full))
}

/// Cases in the principal's region they may open (newest first, after `before_id`), and how
/// many restricted cases among the rows read they may only know exist.
pub async fn in_my_region(
    state: &AppState,
    principal: &Principal,
    before_id: Option<i64>,
    limit: i64,
) -> Result<(Vec<Case>, usize), store::StoreError> {
    if principal.role == domain::Role::Partner {
        return Ok((vec![], 0));
    }
    let rows = store::cases::list_in(&state.db, principal.scope.code(), before_id, limit).await?;
    let mut open = Vec::new();
    let mut restricted = 0;
    for c in rows {
        match visibility(principal, &c) {
            CaseVisibility::Full => open.push(c),
            CaseVisibility::ExistenceOnly => restricted += 1,
            CaseVisibility::Hidden => {}
        }
    }
    Ok((open, restricted))
}

pub fn status_of(case: &Case) -> CaseStatus {
    CaseStatus::parse(&case.status).unwrap_or(CaseStatus::New)
}

pub fn is_overdue(case: &Case) -> bool {
    let due = case.due_on.as_deref().and_then(parse_date).map(DueDate::stored);
    cases::is_overdue(status_of(case), due, crate::people::today())
}

/// A step as a form or JSON body gives it.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"to": "assessed", "date": "2026-03-15", "reason": "", "outcome": ""}))]
pub struct CaseStepInput {
    /// The next status: assessed, referred, in_progress, resolved, closed, reopened.
    #[serde(default)]
    pub to: String,
    /// YYYY-MM-DD, not in the future nor before the previous step; today when empty.
    #[serde(default)]
    pub date: String,
    /// Required to reopen, to go back from referred to assessed, and to close with outcome other.
    #[serde(default)]
    pub reason: String,
    /// Required to close: wages_recovered, settled, repatriated, reintegrated, contact_restored,
    /// prosecuted, victim_declined, lost_to_follow_up, unfounded, duplicate, other.
    #[serde(default)]
    pub outcome: String,
}

/// Validates a step against the workflow and stores it. Errors name the field.
pub async fn advance(
    state: &AppState,
    actor: &Actor,
    case: &Case,
    input: &CaseStepInput,
) -> Result<Result<(), ValidationErrors>, store::StoreError> {
    let today = crate::people::today();
    let mut errs = ValidationErrors::new();
    let to = CaseStatus::parse(&input.to);
    if to.is_none() {
        errs.add("to", Rule::OneOf, format!("one of {}", CaseStatus::codes()));
    }
    let date = if input.date.trim().is_empty() { Some(today) } else { parse_date(input.date.trim()) };
    if date.is_none() {
        errs.add("date", Rule::Format, "a date such as 2026-03-15");
    }
    let outcome = if input.outcome.trim().is_empty() {
        None
    } else {
        let o = Outcome::parse(&input.outcome);
        if o.is_none() {
            errs.add("outcome", Rule::OneOf, format!("one of {}", Outcome::codes()));
        }
        o
    };
    let (Some(to), Some(date)) = (to, date) else { return Ok(Err(errs)) };
    if !errs.is_empty() {
        return Ok(Err(errs));
    }
    let mut ctx = StepContext::new(date, today, parse_date(&case.status_date), actor.user_id.unwrap_or(0));
    ctx.reason = Some(input.reason.clone());
    ctx.outcome = outcome;
    let t = match cases::transition(status_of(case), to, &ctx) {
        Ok(t) => t,
        Err(e) => {
            let field = match e.code() {
                "reason_required" | "too_long" => "reason",
                "outcome_required" => "outcome",
                "date_in_future" | "date_before_previous" => "date",
                _ => "to",
            };
            return Ok(Err(ValidationErrors::single(field, Rule::Mismatch, e.to_string())));
        }
    };
    if !store::cases::apply(&state.db, actor, case, &t).await? {
        return Ok(Err(ValidationErrors::single(
            "to",
            Rule::Mismatch,
            "the case changed meanwhile; check and try again",
        )));
    }
    Ok(Ok(()))
}

/// Opens a case on behalf of another module — a child-welfare concern (issue 6) — whose
/// caller has checked its own access rule (`Action::ViewChild`). The case is restricted
/// whatever its type (a child's data), handled by the actor, due by the severity's default.
/// `description` must not carry the child's name: the case points to the child by id.
pub async fn create_restricted(
    state: &AppState,
    actor: &Actor,
    case_type: CaseType,
    severity: Severity,
    description: String,
    village_code: RegionCode,
) -> Result<Case, store::StoreError> {
    let today = crate::people::today();
    let new = NewCase {
        case_type,
        severity,
        description,
        village_code,
        person_id: None,
        restricted: true,
        handler_user_id: actor.user_id,
        due_on: Some(DueDate::suggested(severity, today, today).date()),
    };
    store::cases::create(&state.db, actor, &new, today).await
}
