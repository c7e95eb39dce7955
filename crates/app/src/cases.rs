//! Protection cases as pages and API see them: validation of a new case, who may open one
//! (`domain::cases::can_open`), steps through the workflow, and the region list with restricted
//! cases counted but not shown.

use crate::App as AppState;
use domain::access::{Action, Principal};
use domain::cases::{
    self, CaseFacts, CaseStatus, CaseType, CaseVisibility, DueDate, Outcome, PartnerId, ReferralStatus, Service,
    Severity, StepContext,
};
use domain::person::parse_date;
use domain::{RegionCode, RegionLevel, Rule, ValidationErrors};
use store::audit::Actor;
pub use store::cases::Case;
use store::cases::NewCase;

pub const MIN_DESCRIPTION: usize = 5;
pub const MAX_DESCRIPTION: usize = 5000;
/// The body limit of an upload: the largest attachment plus room for the multipart framing,
/// so a file just over the limit is refused by rule (422) rather than by the server (413).
pub const ATTACHMENT_BODY_LIMIT: usize = domain::cases::attachment::MAX_BYTES + 1024 * 1024;

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
    // A retired code is refused for a new case, with its successor named.
    let retired = match &village {
        Some(v) => crate::region_update::retired_refusal(state, "village_code", v).await?,
        None => None,
    };
    match (village, retired) {
        (Some(_), Some(e)) => errs.push(e),
        (None, _) => errs.push(
            domain::FieldError::new("village_code", Rule::Format, "a village code such as 53.07.01.2001")
                .message("msg_key.village_code_format"),
        ),
        (Some(v), None) if !store::regions::exists(&state.db, &v).await? => errs.push(
            domain::FieldError::new("village_code", Rule::UnknownRegion, "no village with this code")
                .message("msg_key.unknown_region_code"),
        ),
        (Some(v), None) if principal.can(Action::EditPerson, Some(&v)) => village_ok = Some(v),
        (Some(v), None) if principal.can(Action::ViewPerson, Some(&v)) => return Err(CreateError::Forbidden),
        (Some(_), None) => errs.push(
            domain::FieldError::new("village_code", Rule::Mismatch, "this village is outside your region")
                .message("msg_key.outside_region"),
        ),
    }
    if let Some(id) = input.person_id {
        // The same answer whether the person does not exist or lies outside the caller's region.
        if crate::people::visible_person(state, principal, id).await?.is_none() {
            errs.push(
                domain::FieldError::new("person_id", Rule::OneOf, "no person with this id")
                    .message("msg_key.no_such_person"),
            );
        }
    }
    let (Some(case_type), Some(severity), Some(village_code)) = (case_type, severity, village_ok) else {
        return Err(CreateError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CreateError::Invalid(errs));
    }
    let today = state.today();
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

/// Who is asking about cases: the access principal and, for a partner user, the partner
/// organisation the account (and so its tokens) is bound to.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub principal: &'a Principal,
    pub partner_id: Option<i64>,
}

impl<'a> Caller<'a> {
    pub fn new(principal: &'a Principal, user: &store::users::User) -> Caller<'a> {
        // Only partner accounts act for an organisation.
        let partner_id = if principal.role == domain::Role::Partner { user.partner_id } else { None };
        Caller { principal, partner_id }
    }
    pub fn is_partner(&self) -> bool {
        self.principal.role == domain::Role::Partner
    }
}

fn facts<'a>(
    case: &Case,
    region: &'a RegionCode,
    referrals: &'a [(PartnerId, ReferralStatus)],
    caller: Caller<'_>,
) -> CaseFacts<'a> {
    CaseFacts {
        // An unknown stored code is treated as the most protective one.
        case_type: CaseType::parse(&case.case_type).unwrap_or(CaseType::Abuse),
        marked_restricted: case.restricted,
        region,
        handler_user_id: case.handler_user_id,
        referrals,
        viewer_partner_id: caller.partner_id.map(PartnerId),
        viewer_grant: false,
        former_regions: &[],
    }
}

/// What the access decision reads beyond the case rows (issue 17): the caller's running
/// break-the-glass grants (on the application's clock) and the villages the cases were
/// transferred from.
#[derive(Debug, Default)]
pub struct AccessRows {
    grants: Vec<i64>,
    former: Vec<(i64, RegionCode)>,
}

impl AccessRows {
    /// The rows for `case_ids` as seen by `caller`.
    pub async fn load(state: &AppState, caller: Caller<'_>, case_ids: &[i64]) -> Result<AccessRows, store::StoreError> {
        // Partner users never hold grants: their access comes from referrals only.
        let grants = if caller.is_partner() {
            vec![]
        } else {
            store::case_access::granted_cases(&state.db, caller.principal.user_id, state.clock.unix()).await?
        };
        let former = store::case_access::former_villages(&state.db, case_ids)
            .await?
            .into_iter()
            .filter_map(|(id, v)| v.parse().ok().map(|v| (id, v)))
            .collect();
        Ok(AccessRows { grants, former })
    }

    fn former_of(&self, case_id: i64) -> Vec<RegionCode> {
        self.former.iter().filter(|(id, _)| *id == case_id).map(|(_, v)| v.clone()).collect()
    }
}

/// How much of `case` the caller may see, given the case's referrals (only partner users'
/// access depends on them, so staff callers may pass none) and the access rows.
pub fn visibility_with(
    caller: Caller<'_>,
    case: &Case,
    referrals: &[(PartnerId, ReferralStatus)],
    rows: &AccessRows,
) -> CaseVisibility {
    let Some(region) = case.village() else { return CaseVisibility::Hidden };
    let former = rows.former_of(case.id);
    let f = CaseFacts {
        viewer_grant: rows.grants.contains(&case.id),
        former_regions: &former,
        ..facts(case, &region, referrals, caller)
    };
    cases::visibility(caller.principal, &f)
}

async fn referral_facts(
    state: &AppState,
    caller: Caller<'_>,
    case: &Case,
) -> Result<Vec<(PartnerId, ReferralStatus)>, store::StoreError> {
    if !caller.is_partner() {
        return Ok(vec![]);
    }
    Ok(store::cases::referrals(&state.db, case.id)
        .await?
        .iter()
        .map(|r| (PartnerId(r.partner_id), r.status()))
        .collect())
}

/// The case as a viewer from a village it left sees it: its person as a pseudonym, no person
/// id (`domain::cases::pseudonym`, keyed with the server's secret).
async fn pseudonymise(state: &AppState, mut case: Case) -> Result<Case, store::StoreError> {
    let key = crate::exchange::cursor_key(state).await?;
    case.pseudonym = Some(match case.person_id.take() {
        Some(p) => cases::pseudonym(key, p),
        None => "—".to_string(),
    });
    Ok(case)
}

/// The case if the caller may open it (pseudonymised when seen from a village it left);
/// `None` both when absent and when not allowed, so ids cannot be probed.
pub async fn openable(state: &AppState, caller: Caller<'_>, id: i64) -> Result<Option<Case>, store::StoreError> {
    let Some(case) = store::cases::get(&state.db, id).await? else { return Ok(None) };
    let referrals = referral_facts(state, caller, &case).await?;
    let rows = AccessRows::load(state, caller, &[case.id]).await?;
    match visibility_with(caller, &case, &referrals, &rows) {
        CaseVisibility::Full => Ok(Some(case)),
        CaseVisibility::Pseudonymised => Ok(Some(pseudonymise(state, case).await?)),
        _ => Ok(None),
    }
}

/// May the caller work on the case as staff (steps, referrals, assessment)? Partner users
/// work only through their referral.
pub fn can_work(caller: Caller<'_>, case: &Case) -> bool {
    let Some(region) = case.village() else { return false };
    cases::can_work(caller.principal, &facts(case, &region, &[], caller))
}

/// May the caller assign the handler and the due date (the handler and their supervisors)?
pub fn can_manage(caller: Caller<'_>, case: &Case) -> bool {
    let Some(region) = case.village() else { return false };
    cases::can_manage(caller.principal, &facts(case, &region, &[], caller))
}

/// Filters of a case list as a query string gives them.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct ListFilter {
    /// A case type code.
    #[serde(rename = "type", default)]
    pub case_type: Option<String>,
    /// A status code.
    #[serde(default)]
    pub status: Option<String>,
    /// `true`: only open cases past their due date.
    #[serde(default)]
    pub overdue: Option<String>,
    /// `true`: only cases I handle.
    #[serde(default)]
    pub mine: Option<String>,
}

fn truthy(v: &Option<String>) -> bool {
    matches!(v.as_deref().map(str::trim), Some("1" | "true" | "on" | "yes"))
}

impl ListFilter {
    pub fn overdue(&self) -> bool {
        truthy(&self.overdue)
    }
    pub fn mine(&self) -> bool {
        truthy(&self.mine)
    }
    /// Any filter that would reveal something about restricted cases if they were counted.
    pub fn narrows(&self) -> bool {
        self.case_type.as_deref().is_some_and(|t| !t.trim().is_empty())
            || self.status.as_deref().is_some_and(|t| !t.trim().is_empty())
            || self.overdue()
            || self.mine()
    }
}

/// One page of a case list.
pub struct Listing {
    /// The cases the caller may open.
    pub cases: Vec<Case>,
    /// Restricted cases among the rows read that the caller may only know exist.
    pub restricted: usize,
    /// The keyset of the next page, when `limit` rows were read.
    pub next_before: Option<i64>,
}

/// Cases the caller may open (newest first, after `before_id`), and how many restricted cases
/// among the rows read they may only know exist. Partner users get the cases referred to their
/// organisation. With a filter, restricted cases are not counted: a count of "abuse" cases
/// would tell their type.
pub async fn list(
    state: &AppState,
    caller: Caller<'_>,
    filter: &ListFilter,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Listing, store::StoreError> {
    let today = state.today();
    let mut f = store::cases::CaseFilter {
        within: caller.principal.scope.code().cloned(),
        case_type: filter.case_type.as_deref().and_then(CaseType::parse),
        status: filter.status.as_deref().and_then(CaseStatus::parse),
        overdue_on: filter.overdue().then_some(today),
        handler_user_id: filter.mine().then_some(caller.principal.user_id),
        referred_to: None,
        before_id,
    };
    if caller.is_partner() {
        // A partner's access comes from referrals only, never from a region.
        let Some(partner) = caller.partner_id else {
            return Ok(Listing { cases: vec![], restricted: 0, next_before: None });
        };
        f.within = None;
        f.handler_user_id = None;
        f.referred_to = Some(partner);
    }
    let rows = store::cases::search(&state.db, &f, limit).await?;
    let next_before = (rows.len() as i64 == limit).then(|| rows.last().map(|c| c.id)).flatten();
    if caller.is_partner() {
        return Ok(Listing { cases: rows, restricted: 0, next_before });
    }
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let access = AccessRows::load(state, caller, &ids).await?;
    let mut open = Vec::new();
    for c in rows {
        match visibility_with(caller, &c, &[], &access) {
            CaseVisibility::Full => open.push(c),
            CaseVisibility::Pseudonymised => open.push(pseudonymise(state, c).await?),
            _ => {}
        }
    }
    // No count of rows the caller may not open (`domain::privacy::sees_restricted_counts`): a
    // count per page answered "is case N restricted" to `?limit=1&before=N`, and supervisors, the
    // only ones who may know such counts, open every case in their scope anyway.
    Ok(Listing { cases: open, restricted: 0, next_before })
}

/// The referrals of a case the caller may see: all of them for staff, only its own
/// organisation's for a partner user (`domain::privacy::sees_referral`).
pub fn visible_referrals(caller: Caller<'_>, referrals: Vec<store::cases::Referral>) -> Vec<store::cases::Referral> {
    referrals
        .into_iter()
        .filter(|r| domain::privacy::sees_referral(caller.principal.role, caller.partner_id, r.partner_id))
        .collect()
}

/// May `user` be the handler of `case`: a role whose work is cases
/// (`domain::privacy::may_handle`), active, and whose scope covers the case's village.
pub fn may_handle(user: &store::users::User, case: &Case) -> bool {
    let (Some(p), Some(region)) = (user.principal(), case.village()) else { return false };
    let restricted = case.restricted || CaseType::parse(&case.case_type).is_none_or(|t| t.is_restricted());
    !user.disabled && domain::privacy::may_handle(p.role, restricted) && p.scope.covers(&region)
}

pub fn status_of(case: &Case) -> CaseStatus {
    CaseStatus::parse(&case.status).unwrap_or(CaseStatus::New)
}

/// Overdue on `today` (the case's village day, from the clock).
pub fn is_overdue(case: &Case, today: time::Date) -> bool {
    let due = case.due_on.as_deref().and_then(parse_date).map(DueDate::stored);
    cases::is_overdue(status_of(case), due, today)
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
    let today = state.today();
    let mut errs = ValidationErrors::new();
    let to = CaseStatus::parse(&input.to);
    if to.is_none() {
        errs.add("to", Rule::OneOf, format!("one of {}", CaseStatus::codes()));
    }
    let date = if input.date.trim().is_empty() { Some(today) } else { parse_date(input.date.trim()) };
    if date.is_none() {
        errs.push(
            domain::FieldError::new("date", Rule::Format, "a date such as 2026-03-15").message("msg_key.date_format"),
        );
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
    ctx.active_referrals =
        store::cases::referrals(&state.db, case.id).await?.iter().filter(|r| is_active(r.status())).count();
    let t = match cases::transition(status_of(case), to, &ctx) {
        Ok(t) => t,
        Err(e) => {
            let field = match e.code() {
                "reason_required" | "too_long" => "reason",
                "outcome_required" => "outcome",
                "referral_required" => "to",
                "date_in_future" | "date_before_previous" => "date",
                _ => "to",
            };
            return Ok(Err(ValidationErrors(vec![workflow_refusal(field, &e)])));
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

/// A referral someone still works on: sent, accepted, or with services recorded.
pub fn is_active(s: ReferralStatus) -> bool {
    matches!(s, ReferralStatus::Sent | ReferralStatus::Accepted | ReferralStatus::ServicesRecorded)
}

/// Why a case operation was not done. The API maps these to 404, 403 and 422.
pub enum OpError {
    /// Not there, or not for this caller (the same answer).
    NotFound,
    /// The caller may open the case but not do this (e.g. a colleague setting the handler).
    Forbidden,
    Invalid(ValidationErrors),
    Store(store::StoreError),
}

impl From<store::StoreError> for OpError {
    fn from(e: store::StoreError) -> Self {
        OpError::Store(e)
    }
}

impl From<ValidationErrors> for OpError {
    fn from(e: ValidationErrors) -> Self {
        OpError::Invalid(e)
    }
}

/// A refused case or referral step as a field error whose sentence names the states, services
/// and dates in the reader's words (`msg_key.case_<code>`); the English detail stays for the API.
fn workflow_refusal(field: &str, e: &cases::WorkflowError) -> domain::FieldError {
    use cases::WorkflowError as W;
    let refusal = domain::FieldError::new(field, Rule::Mismatch, e.to_string());
    let refusal = match e {
        W::OutOfOrder { from, to } => {
            refusal.codes("from", "case_status", &[from.as_str()]).codes("to", "case_status", &[to.as_str()])
        }
        W::ReferralOutOfOrder { from, to } => {
            refusal.codes("from", "referral_status", &[from.as_str()]).codes("to", "referral_status", &[to.as_str()])
        }
        W::DateInFuture { date, today } => refusal.param("date", date).param("today", today),
        W::DateBeforePrevious { date, previous } => refusal.param("date", date).param("previous", previous),
        W::TooLong { max, .. } => return domain::FieldError::new(field, Rule::TooLong, e.to_string()).max(max),
        W::ServiceNotOffered { not_offered } => {
            refusal.codes("services", "service", &not_offered.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        }
        W::DueDateInPast { due, today } => refusal.param("due", due).param("today", today),
        _ => refusal,
    };
    refusal.message(format!("msg_key.case_{}", e.code()))
}

fn invalid(field: &str, rule: Rule, detail: impl Into<String>) -> OpError {
    OpError::Invalid(ValidationErrors::single(field, rule, detail))
}

/// The handler and the due date, as a form or JSON body gives them; an absent field is left
/// as it is.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"handler_user_id": 3, "due_on": "2026-04-01"}))]
pub struct AssignInput {
    /// A staff account (not a partner) whose scope covers the case's village.
    #[serde(default)]
    pub handler_user_id: Option<i64>,
    /// YYYY-MM-DD, today or later.
    #[serde(default)]
    pub due_on: Option<String>,
}

/// Sets the handler and/or the due date. Only the handler and their supervisors may.
pub async fn assign(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    case: &Case,
    input: &AssignInput,
) -> Result<(), OpError> {
    if !can_manage(caller, case) {
        return Err(OpError::Forbidden);
    }
    let today = state.today();
    let mut errs = ValidationErrors::new();
    let due = match input.due_on.as_deref().map(str::trim) {
        None => case.due_on.as_deref().and_then(parse_date),
        Some("") => {
            errs.add("due_on", Rule::Required, "every case has a due date, e.g. 2026-04-01");
            None
        }
        Some(d) => match parse_date(d) {
            None => {
                errs.add("due_on", Rule::Format, "a date such as 2026-04-01");
                None
            }
            Some(d) => match DueDate::set(d, today) {
                Ok(d) => Some(d.date()),
                Err(e) => {
                    errs.push(workflow_refusal("due_on", &e).rule(Rule::OutOfRange));
                    None
                }
            },
        },
    };
    let handler = match input.handler_user_id {
        None => case.handler_user_id,
        Some(id) => {
            let ok = store::users::get(&state.db, id).await?.is_some_and(|u| may_handle(&u, case));
            if !ok {
                errs.add(
                    "handler_user_id",
                    Rule::OneOf,
                    "no active case worker with this id covers the case's village (analysts, cooperative managers and partners do not handle cases)",
                );
            }
            Some(id)
        }
    };
    errs.into_result()?;
    store::cases::set_assignment(&state.db, actor, case, handler, due).await?;
    Ok(())
}

/// A referral as a form or JSON body gives it.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"partner_id": 1, "services": ["shelter", "legal_aid"], "note": "Victim returned via Kupang"}))]
pub struct ReferralInput {
    #[serde(default)]
    pub partner_id: Option<i64>,
    /// shelter, legal_aid, medical_care, repatriation, family_tracing, reintegration,
    /// economic_empowerment, investigation, witness_protection. The partner must offer all.
    #[serde(default)]
    pub services: Vec<String>,
    /// Up to 2000 characters for the partner.
    #[serde(default)]
    pub note: String,
}

fn parse_services(errs: &mut ValidationErrors, field: &str, codes: &[String]) -> std::collections::BTreeSet<Service> {
    let mut out = std::collections::BTreeSet::new();
    let mut unknown = Vec::new();
    for c in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match Service::parse(c) {
            Some(s) => {
                out.insert(s);
            }
            None => unknown.push(c.to_string()),
        }
    }
    if !unknown.is_empty() {
        errs.add(field, Rule::OneOf, format!("unknown {}; one of {}", unknown.join(", "), Service::codes()));
    }
    out
}

/// A case step the system takes on behalf of the actor because of a referral (referred when
/// the first referral is sent, in progress when a partner accepts…). None when the rule does
/// not allow it, in which case the handler moves the case by hand.
fn follow_up(
    case: &Case,
    to: CaseStatus,
    date: time::Date,
    actor: &Actor,
    reason: String,
    active: usize,
    today: time::Date,
) -> Option<cases::CaseTransition> {
    let mut ctx = StepContext::new(
        date.max(parse_date(&case.status_date).unwrap_or(date)).min(today),
        today,
        parse_date(&case.status_date),
        actor.user_id.unwrap_or(0),
    );
    ctx.reason = Some(reason);
    ctx.active_referrals = active;
    cases::transition(status_of(case), to, &ctx).ok()
}

/// Sends a case to a partner. Refused whole (422, nothing saved) when the partner does not
/// offer every requested service or does not serve the case's region.
pub async fn refer(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    case: &Case,
    input: &ReferralInput,
) -> Result<i64, OpError> {
    if !can_work(caller, case) {
        return Err(OpError::Forbidden);
    }
    let mut errs = ValidationErrors::new();
    if !status_of(case).is_open() {
        errs.push(
            domain::FieldError::new(
                "case",
                Rule::Mismatch,
                "a resolved or closed case cannot be referred; reopen it first",
            )
            .message("msg_key.case_closed_referral"),
        );
    }
    let services = parse_services(&mut errs, "services", &input.services);
    let note = domain::validation::text(&mut errs, "note", &input.note, 0, cases::workflow::MAX_REASON_CHARS);
    let partner = match input.partner_id {
        None => {
            errs.add("partner_id", Rule::Required, "choose a partner organisation");
            None
        }
        Some(id) => {
            let p = store::partners::get(&state.db, id).await?;
            if p.is_none() {
                errs.add("partner_id", Rule::OneOf, "no partner organisation with this id");
            }
            p
        }
    };
    errs.into_result()?;
    let (Some(partner), Some(region)) = (partner, case.village()) else {
        return Err(invalid("partner_id", Rule::OneOf, "no partner organisation with this id"));
    };
    let requested: Vec<Service> = services.iter().copied().collect();
    let services = match cases::check_referral_for_case(&partner.profile(), &requested, &region) {
        Ok(s) => s,
        Err(e) => {
            let (field, rule) = match e {
                cases::ReferralRefused::NothingRequested => ("services", Rule::Required),
                cases::ReferralRefused::NotServed { .. } => ("services", Rule::Mismatch),
                cases::ReferralRefused::PartnerInactive { .. } | cases::ReferralRefused::RegionNotServed { .. } => {
                    ("partner_id", Rule::Mismatch)
                }
            };
            // Name the partner, not only its number.
            let detail = e.to_string().replacen(&format!("partner {}", partner.id), &partner.name, 1);
            let refusal = domain::FieldError::new(field, rule, detail).param("partner", &partner.name);
            let refusal = match &e {
                cases::ReferralRefused::NotServed { not_served, offered, .. } => refusal
                    .codes("services", "service", &not_served.iter().map(|s| s.as_str()).collect::<Vec<_>>())
                    .codes("offered", "service", &offered.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
                _ => refusal,
            };
            let refusal = refusal.message(format!("msg_key.referral_{}", e.code()));
            return Err(OpError::Invalid(ValidationErrors(vec![refusal])));
        }
    };
    let today = state.today();
    let step = (status_of(case) == CaseStatus::Assessed)
        .then(|| follow_up(case, CaseStatus::Referred, today, actor, format!("Dirujuk ke {}", partner.name), 1, today))
        .flatten();
    Ok(store::cases::create_referral(&state.db, actor, case, partner.id, &services, &note, today, step.as_ref())
        .await?)
}

/// What a partner (or the handler) does with a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralAction {
    Accept,
    Decline,
    /// Record services given.
    Services,
    /// Report back and close (partner), or withdraw (staff, with a reason).
    Close,
}

/// The body of a referral step.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"date": "2026-03-15", "reason": "", "services": ["shelter", "legal_aid"], "note": "Safe house in Kupang"}))]
pub struct ReferralStepInput {
    /// YYYY-MM-DD, not in the future nor before the previous step; today when empty.
    #[serde(default)]
    pub date: String,
    /// Required to decline, and to close before any service was given.
    #[serde(default)]
    pub reason: String,
    /// For services: the services given (each must be offered by the partner).
    #[serde(default)]
    pub services: Vec<String>,
    /// For services: what was given, up to 2000 characters.
    #[serde(default)]
    pub note: String,
}

/// A referral and its case, if the caller may act on it: the partner's own users for every
/// action, staff who may work the case for closing (withdrawing) only. None otherwise.
pub async fn referral_for(
    state: &AppState,
    caller: Caller<'_>,
    id: i64,
) -> Result<Option<(store::cases::Referral, Case)>, store::StoreError> {
    let Some(r) = store::cases::referral(&state.db, id).await? else { return Ok(None) };
    let Some(case) = openable(state, caller, r.case_id).await? else { return Ok(None) };
    if caller.is_partner() && caller.partner_id != Some(r.partner_id) {
        return Ok(None);
    }
    Ok(Some((r, case)))
}

/// Takes a referral step; moves the case along when the referral settles it (accepted → the
/// case is in progress; the last active referral reported back → resolved; every referral
/// declined → back to assessment).
pub async fn referral_step(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    referral_id: i64,
    action: ReferralAction,
    input: &ReferralStepInput,
) -> Result<(), OpError> {
    let (referral, case) = referral_for(state, caller, referral_id).await?.ok_or(OpError::NotFound)?;
    if !caller.is_partner() && action != ReferralAction::Close {
        return Err(OpError::Forbidden);
    }
    let partner = store::partners::get(&state.db, referral.partner_id).await?.ok_or(OpError::NotFound)?;
    let today = state.today();
    let mut errs = ValidationErrors::new();
    let date = if input.date.trim().is_empty() { Some(today) } else { parse_date(input.date.trim()) };
    if date.is_none() {
        errs.push(
            domain::FieldError::new("date", Rule::Format, "a date such as 2026-03-15").message("msg_key.date_format"),
        );
    }
    let services = parse_services(&mut errs, "services", &input.services);
    let note = domain::validation::text(&mut errs, "note", &input.note, 0, cases::workflow::MAX_REASON_CHARS);
    errs.into_result()?;
    let date = date.unwrap_or(today);
    let from = referral.status();
    let to = match action {
        ReferralAction::Accept => ReferralStatus::Accepted,
        ReferralAction::Decline => ReferralStatus::Declined,
        ReferralAction::Services => ReferralStatus::ServicesRecorded,
        ReferralAction::Close => ReferralStatus::Closed,
    };
    let mut ctx = StepContext::new(date, today, parse_date(&referral.status_date), actor.user_id.unwrap_or(0));
    ctx.reason = Some(input.reason.clone());
    ctx.services_given = services.into_iter().collect();
    let step = cases::referral_step(from, to, &ctx, &partner.profile()).map_err(|e| {
        let field = match e.code() {
            "reason_required" | "too_long" => "reason",
            "date_in_future" | "date_before_previous" => "date",
            "services_required" | "service_not_offered" => "services",
            _ => "status",
        };
        OpError::Invalid(ValidationErrors(vec![workflow_refusal(field, &e)]))
    })?;
    let others_active = store::cases::referrals(&state.db, case.id)
        .await?
        .iter()
        .filter(|r| r.id != referral.id && is_active(r.status()))
        .count();
    let status = status_of(&case);
    let follow = match to {
        ReferralStatus::Accepted if status == CaseStatus::Referred => follow_up(
            &case,
            CaseStatus::InProgress,
            date,
            actor,
            format!("Rujukan #{} diterima oleh {}", referral.id, partner.name),
            others_active + 1,
            today,
        ),
        ReferralStatus::Declined if status == CaseStatus::Referred && others_active == 0 => follow_up(
            &case,
            CaseStatus::Assessed,
            date,
            actor,
            format!("Semua rujukan ditolak; {}: {}", partner.name, step.reason.as_deref().unwrap_or("")),
            0,
            today,
        ),
        ReferralStatus::Closed
            if from == ReferralStatus::ServicesRecorded && status == CaseStatus::InProgress && others_active == 0 =>
        {
            follow_up(
                &case,
                CaseStatus::Resolved,
                date,
                actor,
                format!("Rujukan #{} dilaporkan selesai oleh {}", referral.id, partner.name),
                0,
                today,
            )
        }
        _ => None,
    };
    let stored = store::cases::referral_step(&state.db, actor, &case, &referral, &step, &note, follow.as_ref()).await?;
    if !stored {
        return Err(invalid("status", Rule::Mismatch, "the referral changed meanwhile; check and try again"));
    }
    Ok(())
}

/// A case note.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"body": "Called the family; the worker is in the Kupang shelter."}))]
pub struct NoteInput {
    /// 1 to 4000 characters.
    #[serde(default)]
    pub body: String,
}

pub const MAX_NOTE: usize = 4000;

/// Adds a note to the case's timeline: anyone who may open the case, partner users included
/// (their organisation is shown with the note).
pub async fn add_note(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    case: &Case,
    input: &NoteInput,
) -> Result<i64, OpError> {
    // Staff write notes when they work the case: not on a break-the-glass grant (read only)
    // nor on a case seen pseudonymised from a village it left.
    if !caller.is_partner() && !can_work(caller, case) {
        return Err(OpError::Forbidden);
    }
    let mut errs = ValidationErrors::new();
    let body = domain::validation::text(&mut errs, "body", &input.body, 1, MAX_NOTE);
    errs.into_result()?;
    Ok(store::cases::add_note(&state.db, actor, case, &body, caller.partner_id).await?)
}

/// The trafficking assessment as a form or JSON body gives it.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"process": ["recruitment", "transport"], "means": ["deception", "debt_bondage"],
    "purpose": ["forced_labour"], "form": "online_scam_compound", "victim_age_at_time": "24",
    "screening_result": "victim_identified", "services_needed": ["shelter", "legal_aid"],
    "reintegration_plan": "Return to the family in Paga; skills training with the village BUMDes"}))]
pub struct TraffickingForm {
    /// recruitment, transport, harbouring, sending, transfer, receipt.
    #[serde(default)]
    pub process: Vec<String>,
    /// threat_of_violence, force, abduction, confinement, forgery, deception, abuse_of_power,
    /// abuse_of_vulnerability, debt_bondage, payment. Not needed for a child victim.
    #[serde(default)]
    pub means: Vec<String>,
    /// prostitution, forced_labour, slavery, oppression_or_extortion, sexual_exploitation,
    /// reproductive_exploitation, organ_removal, other_exploitation.
    #[serde(default)]
    pub purpose: Vec<String>,
    /// migrant_or_domestic_work, sexual_exploitation, child_exploitation, ship_crew,
    /// online_scam_compound, mail_order_bride, organ_trade, other.
    #[serde(default)]
    pub form: String,
    #[serde(default)]
    pub form_detail: String,
    /// Whole years at the time of the facts; empty when unknown.
    #[serde(default)]
    pub victim_age_at_time: String,
    /// not_screened, victim_identified, potential_victim, not_a_victim.
    #[serde(default)]
    pub screening_result: String,
    /// Services the victim needs (codes as for referrals).
    #[serde(default)]
    pub services_needed: Vec<String>,
    #[serde(default)]
    pub reintegration_plan: String,
}

/// Saves the UU 21/2007 assessment of a trafficking case.
pub async fn save_trafficking(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    case: &Case,
    input: &TraffickingForm,
) -> Result<cases::TraffickingRecord, OpError> {
    if !can_work(caller, case) {
        return Err(OpError::Forbidden);
    }
    if CaseType::parse(&case.case_type) != Some(CaseType::TraffickingSuspicion) {
        return Err(invalid("type", Rule::Mismatch, "only a trafficking_suspicion case has a trafficking assessment"));
    }
    fn strs(v: &[String]) -> Vec<&str> {
        v.iter().map(|s| s.as_str()).collect()
    }
    let (process, means, purpose) = (strs(&input.process), strs(&input.means), strs(&input.purpose));
    let parsed = cases::validate_trafficking(&cases::TraffickingInput {
        process: &process,
        means: &means,
        purpose: &purpose,
        form: &input.form,
        form_detail: &input.form_detail,
        victim_age_at_time: &input.victim_age_at_time,
        screening_result: &input.screening_result,
        reintegration_plan: &input.reintegration_plan,
    });
    let mut errs = match &parsed {
        Ok(_) => ValidationErrors::new(),
        Err(e) => e.clone(),
    };
    let services = parse_services(&mut errs, "services_needed", &input.services_needed);
    let record = match parsed {
        Ok(r) if errs.is_empty() => r,
        _ => return Err(OpError::Invalid(errs)),
    };
    store::cases::save_trafficking(&state.db, actor, case, &record, &services).await?;
    Ok(record)
}

/// The stored assessment with its elements re-assessed (what is missing, child victim).
pub fn assessment_of(row: &store::cases::TraffickingRow) -> cases::Assessment {
    let process = row.process.split(',').filter_map(cases::Process::parse).collect();
    let means = row.means.split(',').filter_map(cases::Means::parse).collect();
    let purpose = row.purpose.split(',').filter_map(cases::Purpose::parse).collect();
    let age = row.victim_age_at_time.and_then(cases::VictimAge::new);
    cases::assess(&process, &means, &purpose, age)
}

/// The person's other cases the caller may open, and how many more exist that they may not
/// (re-victimisation: a worker trafficked again shows up here).
pub async fn cases_of_person(
    state: &AppState,
    caller: Caller<'_>,
    person_id: i64,
    except: Option<i64>,
) -> Result<(Vec<Case>, usize), store::StoreError> {
    let mut open = Vec::new();
    let mut hidden = 0;
    let all = store::cases::for_person(&state.db, person_id).await?;
    if all.is_empty() {
        // Most people have no case: no access rows to read.
        return Ok((open, hidden));
    }
    let ids: Vec<i64> = all.iter().map(|c| c.id).collect();
    let access = AccessRows::load(state, caller, &ids).await?;
    for c in all {
        if Some(c.id) == except {
            continue;
        }
        let referrals = referral_facts(state, caller, &c).await?;
        // A case seen pseudonymised is never listed under its person: the link is what the
        // pseudonym hides.
        match visibility_with(caller, &c, &referrals, &access) {
            CaseVisibility::Full => open.push(c),
            // Only supervisors are told about cases they may not open: for anyone else a count on
            // a named person says "victim" (`domain::privacy::sees_restricted_counts`).
            _ if domain::privacy::sees_restricted_counts(caller.principal.role) => hidden += 1,
            _ => {}
        }
    }
    Ok((open, hidden))
}

/// Stores an attachment's bytes under the attachments directory by SHA-256 (the same file
/// twice is stored once), and records it on the case. Checked by content: PDF, JPEG, PNG only.
pub async fn attach(
    state: &AppState,
    actor: &Actor,
    case: &Case,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<i64, OpError> {
    let accepted = cases::attachment::check(file_name, &bytes).map_err(|e| {
        let rule = match e {
            cases::attachment::AttachmentRefused::Empty => Rule::Required,
            cases::attachment::AttachmentRefused::TooLarge { .. } => Rule::TooLong,
            _ => Rule::Format,
        };
        invalid("file", rule, e.to_string())
    })?;
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    let path = attachment_path(state, &sha);
    let size = bytes.len() as i64;
    let written = tokio::task::spawn_blocking(move || write_once(&path, &bytes)).await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::error!(error = %e, "storing an attachment failed");
            return Err(OpError::Store(store::StoreError::Io(e)));
        }
        Err(_) => return Err(OpError::Store(store::StoreError::Io(std::io::Error::other("storing task failed")))),
    }
    Ok(store::cases::add_attachment(
        &state.db,
        actor,
        case,
        &sha,
        &accepted.file_name,
        accepted.kind.content_type(),
        size,
    )
    .await?)
}

/// `<dir>/<first two hex digits>/<sha256>`; the hash is ours (hex), never user text.
pub fn attachment_path(state: &AppState, sha: &str) -> std::path::PathBuf {
    let sha: String = sha.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    state.config.attachments_dir.join(sha.get(..2).unwrap_or("00")).join(sha)
}

/// Writes a content-addressed file unless it is already there: to a temporary name, then
/// renamed, so a reader never sees half a file.
fn write_once(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp-{}-{}", std::process::id(), {
        use rand::RngCore;
        rand::rng().next_u64()
    }));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Reads a stored attachment.
pub async fn read_attachment(state: &AppState, sha: &str) -> std::io::Result<Vec<u8>> {
    tokio::fs::read(attachment_path(state, sha)).await
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
    let today = state.today();
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

pub use store::cases::{Attachment, CaseEvent, Note, Referral, ReferralEvent, ServiceGiven, TraffickingRow};

impl From<OpError> for crate::Error {
    fn from(e: OpError) -> Self {
        match e {
            OpError::NotFound => crate::Error::NotFound,
            OpError::Forbidden => crate::Error::Forbidden,
            OpError::Invalid(v) => crate::Error::Invalid(v),
            OpError::Store(s) => crate::Error::Store(s),
        }
    }
}

/// The case if the caller may open it; `NotFound` otherwise, whether or not it exists.
pub async fn open(state: &AppState, caller: Caller<'_>, id: i64) -> crate::error::Result<Case> {
    openable(state, caller, id).await?.ok_or(crate::Error::NotFound)
}

/// Everything a case's page and its API answer show, as the caller may see it: a partner user
/// only its own organisation's referrals; staff to hand the case to only when the caller may
/// manage it.
pub struct CaseFile {
    pub case: Case,
    pub events: Vec<CaseEvent>,
    pub can_work: bool,
    pub can_manage: bool,
    pub handler_name: String,
    /// Who may be made the handler (only when `can_manage`).
    pub staff: Vec<crate::accounts::User>,
    pub referrals: Vec<Referral>,
    pub referral_events: Vec<ReferralEvent>,
    pub services_given: Vec<ServiceGiven>,
    /// The partner registry (what each offers; the active ones to refer to).
    pub partners: Vec<crate::partners::Partner>,
    pub trafficking: Option<TraffickingRow>,
    pub notes: Vec<Note>,
    pub attachments: Vec<Attachment>,
    /// The person's other cases the caller may open, and how many more they may not.
    pub earlier: Vec<Case>,
    pub earlier_restricted: usize,
    /// When the caller's break-the-glass grant on this case ends (Unix seconds), if one runs.
    pub glass_until: Option<i64>,
}

/// A case's file for someone who may open it; the view is audited.
pub async fn view(state: &AppState, caller: Caller<'_>, actor: &Actor, id: i64) -> crate::error::Result<CaseFile> {
    let case = open(state, caller, id).await?;
    store::cases::audit_view(&state.db, actor, &case).await?;
    file_of(state, caller, case).await
}

/// The case's file again after a change the caller made (already audited as that change).
pub async fn reload(state: &AppState, caller: Caller<'_>, id: i64) -> crate::error::Result<CaseFile> {
    let case = open(state, caller, id).await?;
    file_of(state, caller, case).await
}

async fn file_of(state: &AppState, caller: Caller<'_>, case: Case) -> crate::error::Result<CaseFile> {
    let db = &state.db;
    let events = store::cases::events(db, case.id).await?;
    let can_work = can_work(caller, &case);
    let can_manage = can_manage(caller, &case);
    let handler_name = match case.handler_user_id {
        Some(h) => store::users::get(db, h).await?.map(|u| u.full_name).unwrap_or_default(),
        None => String::new(),
    };
    let staff = match (can_manage, case.village()) {
        // Only those who may handle this case (`domain::privacy::may_handle`): never a cooperative
        // manager or an analyst, whose role would not let them open a restricted case.
        (true, Some(region)) => store::users::staff_covering(db, &region)
            .await?
            .into_iter()
            .filter(|u| may_handle(u, &case) || case.handler_user_id == Some(u.id))
            .collect(),
        _ => vec![],
    };
    let referrals = visible_referrals(caller, store::cases::referrals(db, case.id).await?);
    let referral_events = store::cases::referral_events(db, case.id).await?;
    let services_given = store::cases::services_given(db, case.id).await?;
    let partners = store::partners::list(db, false).await?;
    let trafficking = store::cases::trafficking(db, case.id).await?;
    // A partner organisation reads the notes its own users wrote, never another partner's or
    // the case workers' internal ones (`domain::privacy::sees_note`).
    let notes = store::cases::notes(db, case.id)
        .await?
        .into_iter()
        .filter(|n| domain::privacy::sees_note(caller.principal.role, caller.partner_id, n.partner_id))
        .collect();
    let mut attachments = store::cases::attachments(db, case.id).await?;
    let mut notes: Vec<Note> = notes;
    if case.pseudonym.is_some() {
        // Seen from a village the case left: a person's documents and the case workers' notes
        // name the person, so neither is shown.
        attachments.clear();
        notes.clear();
    }
    let glass_until = if caller.is_partner() {
        None
    } else {
        store::case_access::grant_until(db, caller.principal.user_id, case.id, state.clock.unix()).await?
    };
    let (earlier, earlier_restricted) = match case.person_id {
        Some(p) => cases_of_person(state, caller, p, Some(case.id)).await?,
        None => (vec![], 0),
    };
    Ok(CaseFile {
        case,
        events,
        can_work,
        can_manage,
        handler_name,
        staff,
        referrals,
        referral_events,
        services_given,
        partners,
        trafficking,
        notes,
        attachments,
        earlier,
        earlier_restricted,
        glass_until,
    })
}

/// The case a referral belongs to, if the referral exists (the doors check a path's case id
/// against it; access is decided by the operation on the referral).
pub async fn case_of_referral(state: &AppState, referral_id: i64) -> crate::error::Result<i64> {
    Ok(store::cases::referral(&state.db, referral_id).await?.ok_or(crate::Error::NotFound)?.case_id)
}

/// The referrals sent to the caller's partner organisation (partner users only), each with its
/// case unless declined: access ended with the decline.
pub async fn partner_referrals(
    state: &AppState,
    caller: Caller<'_>,
) -> crate::error::Result<(i64, Vec<(Referral, Option<Case>)>)> {
    let (true, Some(partner_id)) = (caller.is_partner(), caller.partner_id) else {
        return Err(crate::Error::Forbidden);
    };
    let mut items = Vec::new();
    for r in store::cases::referrals_to(&state.db, partner_id, 500).await? {
        let case =
            if r.status() == ReferralStatus::Declined { None } else { store::cases::get(&state.db, r.case_id).await? };
        items.push((r, case));
    }
    Ok((partner_id, items))
}

/// An attachment of a case the caller may open, with its bytes; the download is audited.
pub async fn download(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    case_id: i64,
    attachment_id: i64,
) -> crate::error::Result<Option<(Attachment, Vec<u8>)>> {
    let c = open(state, caller, case_id).await?;
    let Some(a) = store::cases::attachment(&state.db, c.id, attachment_id).await? else { return Ok(None) };
    let bytes = read_attachment(state, &a.sha256).await.map_err(|e| crate::Error::Store(e.into()))?;
    store::cases::audit_download(&state.db, actor, &c, a.id).await?;
    Ok(Some((a, bytes)))
}

// ---------------------------------------------------------------------------------------------
// Break the glass and transfers (issue 17; docs/ACCESS.md "Break the glass").

/// A request to break the glass.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"reason": "The handler is on leave and the family reports the worker missing since Monday"}))]
pub struct GlassInput {
    /// Why the case must be opened now: 20 to 2000 characters. Shown to the supervisors.
    #[serde(default)]
    pub reason: String,
}

/// A running break-the-glass grant.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct GlassGrant {
    pub id: i64,
    pub case_id: i64,
    /// Unix seconds.
    pub granted_at: i64,
    /// Unix seconds: three hours after it was given.
    pub expires_at: i64,
    /// The same as RFC 3339.
    pub expires: String,
}

/// The case if the caller may break the glass on it (the access half of [`break_glass`], for a
/// door that decides before reading the request's body, and for the refusal page that offers
/// the form). Partner users, analysts, cooperative managers and whoever already opens the case:
/// `Forbidden`; out of scope or absent: `NotFound`.
pub async fn glass_check(state: &AppState, caller: Caller<'_>, id: i64) -> crate::error::Result<Case> {
    if caller.is_partner() {
        return Err(crate::Error::Forbidden);
    }
    let case = store::cases::get(&state.db, id).await?.ok_or(crate::Error::NotFound)?;
    let region = case.village().ok_or(crate::Error::NotFound)?;
    let rows = AccessRows::load(state, caller, &[case.id]).await?;
    let former = rows.former_of(case.id);
    let f = CaseFacts { former_regions: &former, ..facts(&case, &region, &[], caller) };
    match cases::may_break_glass(caller.principal, &f) {
        Ok(()) => Ok(case),
        Err(cases::GlassRefusal::Hidden) => Err(crate::Error::NotFound),
        // Nothing to break for whoever already opens it.
        Err(cases::GlassRefusal::Role | cases::GlassRefusal::AlreadyOpen) => Err(crate::Error::Forbidden),
    }
}

/// Breaks the glass on a restricted case: a case worker in scope who may only know that it
/// exists gets [`cases::access::GLASS_HOURS`] hours of read access, audited as
/// `case.break_glass` and shown to the supervisors. Refusals as [`glass_check`]; a reason under
/// 20 characters: 422 (`reason`).
pub async fn break_glass(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    id: i64,
    input: &GlassInput,
) -> crate::error::Result<GlassGrant> {
    let case = glass_check(state, caller, id).await?;
    let mut errs = ValidationErrors::new();
    let reason = domain::validation::text(
        &mut errs,
        "reason",
        &input.reason,
        cases::access::MIN_GLASS_REASON,
        cases::access::MAX_GLASS_REASON,
    );
    errs.into_result()?;
    let now = state.clock.unix();
    let expires_at = cases::access::glass_expires(now);
    let user_id = caller.principal.user_id;
    let gid = store::case_access::grant(&state.db, actor, &case, user_id, &reason, now, expires_at).await?;
    Ok(GlassGrant {
        id: gid,
        case_id: case.id,
        granted_at: now,
        expires_at,
        expires: crate::clock::rfc3339(expires_at),
    })
}

/// How far back the supervisors' list of grants reaches.
pub const GLASS_NOTICE_SECONDS: i64 = 7 * 24 * 3600;

/// A grant as the supervisors see it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct GrantNotice {
    pub id: i64,
    pub case_id: i64,
    pub village_code: String,
    /// Who broke the glass.
    pub user_id: i64,
    pub user_name: String,
    pub reason: String,
    pub granted_at: i64,
    pub expires_at: i64,
    /// Still running on the application's clock.
    pub active: bool,
}

/// The break-the-glass grants of the last seven days on cases in the caller's region, newest
/// first: supervisors (regency and province officers, national admins) only; empty for anyone
/// else.
pub async fn recent_grants(state: &AppState, principal: &Principal) -> crate::error::Result<Vec<GrantNotice>> {
    if !domain::privacy::sees_restricted_counts(principal.role) {
        return Ok(vec![]);
    }
    let now = state.clock.unix();
    let rows =
        store::case_access::grants_within(&state.db, principal.scope.code(), now - GLASS_NOTICE_SECONDS, 100).await?;
    Ok(rows
        .into_iter()
        .map(|g| GrantNotice {
            active: g.expires_at > now && g.granted_at <= now,
            id: g.id,
            case_id: g.case_id,
            village_code: g.village_code,
            user_id: g.user_id,
            user_name: g.user_name,
            reason: g.reason,
            granted_at: g.granted_at,
            expires_at: g.expires_at,
        })
        .collect())
}

/// A case's move to another village.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"village_code": "35.07.01.2001", "reason": "The worker moved back to her parents' village"}))]
pub struct TransferInput {
    /// The village the case belongs to from now on (any village that exists).
    #[serde(default)]
    pub village_code: String,
    /// 5 to 2000 characters.
    #[serde(default)]
    pub reason: String,
}

/// Moves a case to another village (the handler or a supervisor over its village). The handler
/// stays only when their scope covers the new village; otherwise the new region's supervisors
/// assign one. The villages the case left keep a pseudonymised view of it.
pub async fn transfer(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    id: i64,
    input: &TransferInput,
) -> crate::error::Result<Case> {
    let case = open(state, caller, id).await?;
    if case.pseudonym.is_some() || !can_manage(caller, &case) {
        return Err(crate::Error::Forbidden);
    }
    let mut errs = ValidationErrors::new();
    let reason = domain::validation::text(&mut errs, "reason", &input.reason, 5, cases::workflow::MAX_REASON_CHARS);
    let village = input.village_code.trim().parse::<RegionCode>().ok().filter(|v| v.level() == RegionLevel::Village);
    let retired = match &village {
        Some(v) => crate::region_update::retired_refusal(state, "village_code", v).await?,
        None => None,
    };
    let to = match (village, retired) {
        (Some(_), Some(e)) => {
            errs.push(e);
            None
        }
        (None, _) => {
            errs.push(
                domain::FieldError::new("village_code", Rule::Format, "a village code such as 53.07.01.2001")
                    .message("msg_key.village_code_format"),
            );
            None
        }
        (Some(v), None) if !store::regions::exists(&state.db, &v).await? => {
            errs.push(
                domain::FieldError::new("village_code", Rule::UnknownRegion, "no village with this code")
                    .message("msg_key.unknown_region_code"),
            );
            None
        }
        (Some(v), None) if v.as_str() == case.village_code => {
            errs.push(
                domain::FieldError::new("village_code", Rule::Mismatch, "the case already belongs to this village")
                    .message("msg_key.transfer_same_village"),
            );
            None
        }
        (Some(v), None) => Some(v),
    };
    errs.into_result()?;
    let Some(to) = to else { return Err(crate::Error::NotFound) };
    let keep_handler = match case.handler_user_id {
        Some(h) => {
            store::users::get(&state.db, h).await?.and_then(|u| u.principal()).is_some_and(|p| p.scope.covers(&to))
        }
        None => false,
    };
    if !store::case_access::transfer(&state.db, actor, &case, &to, &reason, keep_handler, state.clock.unix()).await? {
        return Err(crate::Error::Invalid(ValidationErrors::single(
            "village_code",
            Rule::Mismatch,
            "the case changed meanwhile; check and try again",
        )));
    }
    store::cases::get(&state.db, case.id).await?.ok_or(crate::Error::NotFound)
}
