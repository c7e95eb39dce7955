//! Migration episodes as pages and API see them: facts gathered from the store, the
//! documents checklist from the requirement matrix, risk flags from the domain rules.

use crate::App as AppState;
use domain::agency::AgencyStatus;
use domain::person::parse_date;
use domain::service_center::{
    self as sc, AgencyFacts, Category, CostCharge, CostItem, CountryCode, DocumentDraft, DocumentKind, DocumentRecord,
    DocumentStatus, DueAt, EpisodeFacts, EpisodeState, JobType, RiskFlag, Rupiah,
};
pub use store::episodes::Episode;
use store::episodes::{CostRow, DocumentRow};

/// One line of the documents checklist.
pub struct ChecklistItem {
    pub kind: DocumentKind,
    pub row: Option<DocumentRow>,
    /// Verified and not expired today.
    pub present: bool,
    pub expired: bool,
    /// Expires within 30 days.
    pub expiring_soon: bool,
}

/// An episode with everything its page, the API and worklists show.
pub struct EpisodeView {
    pub episode: Episode,
    pub state: EpisodeState,
    pub checklist: Vec<ChecklistItem>,
    pub flags: Vec<RiskFlag>,
    pub costs: Vec<CostRow>,
}

pub fn record_of(row: &DocumentRow) -> Option<DocumentRecord> {
    let kind = DocumentKind::parse(&row.kind)?;
    let status = DocumentStatus::parse(&row.status)?;
    let mut d = DocumentDraft::new(kind, status);
    d.number = row.number.clone();
    d.issuer = row.issuer.clone();
    d.issued_on = row.issued_on.as_deref().and_then(parse_date);
    d.expires_on = row.expires_on.as_deref().and_then(parse_date);
    d.village_head_acknowledged = row.village_head_ack;
    DocumentRecord::from_stored(d)
}

fn placement(e: &Episode) -> Option<(Category, CountryCode, JobType)> {
    Some((Category::parse(&e.category)?, CountryCode::parse(&e.destination)?, JobType::parse(&e.job_type)?))
}

/// The documents due for a step (documents_complete, departure, or an extension), by the
/// stored requirement matrix (`AppState::policy`).
pub fn missing_for(
    matrix: &[sc::Requirement],
    e: &Episode,
    records: &[DocumentRecord],
    at: DueAt,
    today: time::Date,
) -> Vec<DocumentKind> {
    let Some((cat, dest, job)) = placement(e) else { return vec![] };
    let due = sc::documents_due(matrix, cat, &dest, &job, at);
    sc::missing_documents(&due, records, today)
}

pub fn has_placement_agreement(records: &[DocumentRecord], today: time::Date) -> bool {
    records.iter().any(|r| {
        r.kind() == DocumentKind::PlacementAgreement && r.status() == DocumentStatus::Verified && r.is_current(today)
    })
}

pub async fn agency_facts(state: &AppState, e: &Episode) -> Result<Option<AgencyFacts>, store::StoreError> {
    let row = match e.agency_id {
        Some(id) => store::agencies::get(&state.db, id).await?.map(|a| (a.status, a.valid_until)),
        None => None,
    };
    Ok(agency_facts_from(e, row.as_ref().map(|(s, v)| (s.as_str(), v.as_str()))))
}

/// What the risk rules need of the recruiter, from the agency's status and licence end.
fn agency_facts_from(e: &Episode, agency: Option<(&str, &str)>) -> Option<AgencyFacts> {
    match e.agency_id {
        Some(_) => agency.and_then(|(status, valid_until)| {
            Some(AgencyFacts::Registered {
                status: AgencyStatus::parse(status)?,
                licence_valid_until: parse_date(valid_until)?,
            })
        }),
        None if !e.recruiter_name.trim().is_empty() => Some(AgencyFacts::NotInRegistry),
        None => None,
    }
}

pub async fn job_order_facts(state: &AppState, e: &Episode) -> Result<Option<sc::JobOrderFacts>, store::StoreError> {
    let Some(id) = e.job_order_id else { return Ok(None) };
    Ok(store::job_orders::get(&state.db, id).await?.map(|j| job_order_facts_from(&j.status, &j.valid_until)))
}

fn job_order_facts_from(status: &str, valid_until: &str) -> sc::JobOrderFacts {
    sc::JobOrderFacts { verified: status == "verified", valid_until: parse_date(valid_until) }
}

/// Facts about the recruiter and the job order, looked up once per distinct pair.
pub type Recruitment = (Option<AgencyFacts>, Option<sc::JobOrderFacts>);

pub async fn recruitment(state: &AppState, e: &Episode) -> Result<Recruitment, store::StoreError> {
    Ok((agency_facts(state, e).await?, job_order_facts(state, e).await?))
}

/// What makes two episodes' recruitment facts the same: agency, job order, and whether an
/// unregistered recruiter is named.
pub type RecruitmentKey = (Option<i64>, Option<i64>, bool);

pub fn recruitment_key(e: &Episode) -> RecruitmentKey {
    (e.agency_id, e.job_order_id, e.recruiter_name.trim().is_empty())
}

/// [`recruitment`] for a whole list in two queries (a worklist names dozens of agencies;
/// one lookup each was the worklist's main cost on PostgreSQL at 1 M people).
pub async fn recruitment_many<'a>(
    state: &AppState,
    episodes: impl IntoIterator<Item = &'a Episode>,
) -> Result<std::collections::HashMap<RecruitmentKey, Recruitment>, store::StoreError> {
    use store::query::{Registry, status_and_validity};
    let episodes: Vec<&Episode> = episodes.into_iter().collect();
    let distinct = |ids: Vec<i64>| -> Vec<i64> {
        let mut ids = ids;
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let agency_ids = distinct(episodes.iter().filter_map(|e| e.agency_id).collect());
    let job_ids = distinct(episodes.iter().filter_map(|e| e.job_order_id).collect());
    let agencies: std::collections::HashMap<i64, (String, String)> =
        status_and_validity(&state.db, Registry::Agencies, &agency_ids)
            .await?
            .into_iter()
            .map(|(i, s, v)| (i, (s, v)))
            .collect();
    let jobs: std::collections::HashMap<i64, (String, String)> =
        status_and_validity(&state.db, Registry::JobOrders, &job_ids)
            .await?
            .into_iter()
            .map(|(i, s, v)| (i, (s, v)))
            .collect();
    let mut out = std::collections::HashMap::new();
    for e in episodes {
        out.entry(recruitment_key(e)).or_insert_with(|| {
            let agency = e.agency_id.and_then(|id| agencies.get(&id)).map(|(s, v)| (s.as_str(), v.as_str()));
            let job = e.job_order_id.and_then(|id| jobs.get(&id)).map(|(s, v)| job_order_facts_from(s, v));
            (agency_facts_from(e, agency), job)
        });
    }
    Ok(out)
}

/// Assembles the view from rows already loaded (so worklists can batch their queries), by the
/// stored policy and requirement matrix (`AppState::policy`).
pub fn view(
    episode: Episode,
    birth_date: Option<time::Date>,
    docs: Vec<DocumentRow>,
    costs: Vec<CostRow>,
    (agency, job_order): Recruitment,
    social_security: Option<domain::national_ids::SocialSecurity>,
    reported_broker: Option<domain::brokers::ReportedBroker>,
    today: time::Date,
    policy: &store::policy::Loaded,
) -> EpisodeView {
    let state = EpisodeState::parse(&episode.state).unwrap_or(EpisodeState::Registered);
    let records: Vec<DocumentRecord> = docs.iter().filter_map(record_of).collect();
    let required =
        placement(&episode).map(|(c, d, j)| sc::required_documents(&policy.matrix, c, &d, &j)).unwrap_or_default();
    let soon = today + time::Duration::days(30);
    let checklist = required
        .iter()
        .map(|kind| {
            let row = docs.iter().find(|d| d.kind == kind.as_str()).cloned();
            let rec = records.iter().find(|r| r.kind() == *kind);
            let present = rec.is_some_and(|r| r.status() == DocumentStatus::Verified && r.is_current(today));
            let expired = rec.is_some_and(|r| r.is_expired(today));
            let expiring_soon = rec.and_then(|r| r.expires_on()).is_some_and(|x| x >= today && x <= soon);
            ChecklistItem { kind: *kind, row, present, expired, expiring_soon }
        })
        .collect();
    let departure = episode.departed_on.as_deref().or(episode.planned_departure.as_deref()).and_then(parse_date);
    let mut facts = EpisodeFacts::new(state);
    facts.category = Category::parse(&episode.category);
    facts.scheme = sc::Scheme::parse(&episode.scheme);
    facts.birth_date = birth_date;
    facts.departure_date = departure;
    facts.agency = agency;
    facts.job_order = job_order;
    facts.destination = CountryCode::parse(&episode.destination);
    facts.job_type = JobType::parse(&episode.job_type);
    facts.costs_charged = costs
        .iter()
        .filter_map(|c| Some(CostCharge { item: CostItem::parse(&c.item)?, amount: Rupiah::new(c.amount_rupiah)? }))
        .collect();
    facts.last_contact = episode.last_contact_on.as_deref().and_then(parse_date);
    let on = departure.unwrap_or(today);
    facts.has_placement_agreement = has_placement_agreement(&records, on);
    facts.missing_documents = missing_for(&policy.matrix, &episode, &records, DueAt::Departure, on);
    facts.social_security = social_security;
    facts.reported_broker = reported_broker;
    let flags = sc::evaluate(&facts, &policy.policy, today);
    EpisodeView { episode, state, checklist, flags, costs }
}

/// Loads one episode's view.
pub async fn load_view(
    state: &AppState,
    episode: Episode,
    today: time::Date,
) -> Result<EpisodeView, store::StoreError> {
    let person = store::persons::get(&state.db, episode.person_id).await?;
    let birth = person.as_ref().and_then(|p| parse_date(&p.birth_date));
    let docs = store::episodes::documents(&state.db, &[episode.id]).await?;
    let costs = store::episodes::costs(&state.db, &[episode.id]).await?;
    let recruitment = recruitment(state, &episode).await?;
    let membership = store::national_ids::membership(&state.db, episode.person_id).await?;
    let social_security = Some(crate::national_ids::social_security(membership.as_ref()));
    let reported = crate::brokers::reported_for(state, &[&episode]).await?.remove(&episode.id);
    let policy = state.policy().await?;
    Ok(view(episode, birth, docs, costs, recruitment, social_security, reported, today, &policy))
}

/// Opens an episode: validates, checks that the agency is in the registry and that a
/// chosen job order is the agency's own and can be chosen today, then stores it.
pub async fn open(
    state: &AppState,
    actor: &store::audit::Actor,
    person: &store::persons::Person,
    input: &sc::NewEpisodeInput<'_>,
) -> Result<Result<Episode, domain::ValidationErrors>, store::StoreError> {
    use domain::{Rule, ValidationErrors};
    let n = match sc::validate_new_episode(input) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let mut errs = ValidationErrors::new();
    if let Some(id) = n.agency_id {
        if store::agencies::get(&state.db, id).await?.is_none() {
            errs.add("agency_id", Rule::OneOf, "no agency with this id in the registry");
        }
    }
    if let Some(id) = n.job_order_id {
        match store::job_orders::get(&state.db, id).await? {
            None => errs.add("job_order_id", Rule::OneOf, "no job order with this id"),
            Some(j) if Some(j.agency_id) != n.agency_id => errs.push(
                domain::FieldError::new("job_order_id", Rule::Mismatch, "this job order belongs to another agency")
                    .message("msg_key.job_order_other_agency"),
            ),
            Some(j) => {
                let reason = (|| {
                    sc::job_order::why_not_selectable(
                        sc::job_order::VerificationStatus::parse(&j.status)?,
                        parse_date(&j.valid_until)?,
                        AgencyStatus::parse(&j.agency_status)?,
                        parse_date(&j.agency_valid_until)?,
                        state.today(),
                    )
                })();
                if let Some(r) = reason {
                    errs.add(
                        "job_order_id",
                        Rule::Mismatch,
                        format!("this job order cannot be chosen: {}", r.as_str()),
                    );
                }
            }
        }
    }
    if !errs.is_empty() {
        return Ok(Err(errs));
    }
    Ok(Ok(store::episodes::open(&state.db, actor, person, &n, state.today()).await?))
}

/// Supervisors (Disnaker and above) may let a departure through with documents missing.
pub fn is_supervisor(p: &domain::access::Principal) -> bool {
    use domain::Role;
    matches!(p.role, Role::NationalAdmin | Role::ProvinceOfficer | Role::RegencyOfficer)
}

/// A step as a form or JSON body gives it.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"to": "departed", "date": "2026-11-24"}))]
pub struct StepInput {
    /// The next state: counselled, verified, documents_complete, placement_agreed, departed, abroad, returned, cancelled.
    #[serde(default)]
    pub to: String,
    /// YYYY-MM-DD, not in the future, not before the previous step.
    #[serde(default)]
    pub date: String,
    /// Required to cancel; a note otherwise.
    #[serde(default)]
    pub reason: String,
    /// Required to return: contract_end, leave, early_termination, accident_or_illness, abuse,
    /// war_disaster_epidemic, deportation, death, other.
    #[serde(default)]
    pub return_reason: String,
    /// Required to return: the village witness of the hand-over to the family.
    #[serde(default)]
    pub handover_witness: String,
    /// Supervisors only: why the worker may depart with documents missing (audited, flagged).
    #[serde(default)]
    pub supervisor_override: String,
}

/// Validates a step against the state machine, the documents and the user's role, and
/// stores it. Errors name the field.
pub async fn advance(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &store::audit::Actor,
    e: &Episode,
    input: &StepInput,
) -> Result<Result<(), domain::ValidationErrors>, store::StoreError> {
    use domain::{Rule, ValidationErrors};
    let today = state.today();
    let mut errs = ValidationErrors::new();
    let to = EpisodeState::parse(&input.to);
    if to.is_none() {
        errs.add("to", Rule::OneOf, "a next state of this episode");
    }
    let date = parse_date(&input.date);
    if date.is_none() {
        errs.push(
            domain::FieldError::new("date", Rule::Format, "a date such as 2026-11-24").message("msg_key.date_format"),
        );
    }
    if !input.supervisor_override.trim().is_empty() && !is_supervisor(principal) {
        errs.push(
            domain::FieldError::new(
                "supervisor_override",
                Rule::Mismatch,
                "only a regency or province officer may override",
            )
            .message("msg_key.supervisor_override"),
        );
    }
    let (Some(to), Some(date)) = (to, date) else { return Ok(Err(errs)) };
    if !errs.is_empty() {
        return Ok(Err(errs));
    }
    let from = EpisodeState::parse(&e.state).unwrap_or(EpisodeState::Registered);
    let docs = store::episodes::documents(&state.db, &[e.id]).await?;
    let records: Vec<DocumentRecord> = docs.iter().filter_map(record_of).collect();
    let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let mut ctx = sc::TransitionContext::new(date, today, parse_date(&e.state_date));
    ctx.reason = nonempty(&input.reason);
    ctx.return_reason = sc::ReturnReason::parse(&input.return_reason);
    ctx.handover_witness = nonempty(&input.handover_witness);
    ctx.supervisor_override = nonempty(&input.supervisor_override);
    ctx.has_placement_agreement = has_placement_agreement(&records, date);
    if to == EpisodeState::Counselled {
        // A session held by the step's date and within the year before it counts (an older
        // one was for an earlier journey).
        let year_before = date - time::Duration::days(365);
        ctx.has_counselling_session = store::persons::counselling(&state.db, e.person_id)
            .await?
            .iter()
            .filter_map(|c| parse_date(&c.held_on))
            .any(|held| held <= date && held >= year_before);
    }
    let codes = |kinds: Vec<DocumentKind>| kinds.iter().map(|k| k.as_str().to_string()).collect();
    let policy = state.policy().await?;
    let matrix = &policy.matrix;
    ctx.documents_missing = match (from, to) {
        (_, EpisodeState::DocumentsComplete) => codes(missing_for(matrix, e, &records, DueAt::DocumentsComplete, date)),
        (_, EpisodeState::Departed) => codes(missing_for(matrix, e, &records, DueAt::Departure, date)),
        (EpisodeState::Abroad, EpisodeState::Abroad) => {
            codes(sc::missing_documents(&sc::requirements::EXTENSION_DOCUMENTS, &records, date))
        }
        _ => vec![],
    };
    let t = match sc::transition(from, to, &ctx) {
        Ok(t) => t,
        Err(te) => {
            let field = match te.code() {
                "reason_required" | "too_long" | "counselling_session_required" => "reason",
                "return_reason_required" => "return_reason",
                "handover_witness_required" => "handover_witness",
                "override_reason_too_short" | "override_not_allowed" => "supervisor_override",
                "date_in_future" | "date_before_previous" => "date",
                _ => "to",
            };
            return Ok(Err(ValidationErrors(vec![transition_refusal(field, &te)])));
        }
    };
    if !store::episodes::apply(&state.db, actor, e, &t).await? {
        return Ok(Err(ValidationErrors::single(
            "to",
            Rule::Mismatch,
            "the episode changed meanwhile; check and try again",
        )
        .message("msg_key.changed_meanwhile")));
    }
    Ok(Ok(()))
}

/// A refused step as a field error whose message names the documents, states and dates in the
/// reader's words (`msg_key.step_<code>`); the English detail stays for API clients.
fn transition_refusal(field: &str, te: &sc::TransitionError) -> domain::FieldError {
    use domain::Rule;
    use sc::TransitionError as T;
    let e = domain::FieldError::new(field, Rule::Mismatch, te.to_string());
    match te {
        T::OutOfOrder { from, to } => e
            .codes("from", "state", &[from.as_str()])
            .codes("to", "state", &[to.as_str()])
            .message("msg_key.step_out_of_order"),
        T::DateInFuture { date, today } => {
            e.param("date", date).param("today", today).message("msg_key.step_date_in_future")
        }
        T::DateBeforePrevious { date, previous } => {
            e.param("date", date).param("previous", previous).message("msg_key.step_date_before_previous")
        }
        T::TooLong { max, .. } => domain::FieldError::new(field, Rule::TooLong, te.to_string()).max(max),
        T::DocumentsMissing { missing } => e.codes("docs", "doc", missing).message("msg_key.docs_missing"),
        T::DepartureDocumentsMissing { missing } => {
            e.codes("docs", "doc", missing).message("msg_key.departure_docs_missing")
        }
        T::OverrideReasonTooShort { min } => e.min(min).message("msg_key.step_override_reason_too_short"),
        other => e.message(format!("msg_key.step_{}", other.code())),
    }
}

/// A document update as a form or JSON body gives it.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "verified", "number": "C1234567", "issuer": "Kantor Imigrasi Maumere",
    "issued_on": "2026-01-05", "expires_on": "2036-01-05"}))]
pub struct DocumentInput {
    /// missing, submitted or verified
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub issued_on: String,
    #[serde(default)]
    pub expires_on: String,
    /// For family_permission: acknowledged by the village head (required to verify it).
    #[serde(default)]
    pub village_head_ack: bool,
}

pub async fn save_document(
    state: &AppState,
    actor: &store::audit::Actor,
    e: &Episode,
    kind: &str,
    input: &DocumentInput,
) -> Result<Result<(), domain::ValidationErrors>, store::StoreError> {
    use domain::{Rule, ValidationErrors};
    let mut errs = ValidationErrors::new();
    let kind = DocumentKind::parse(kind);
    if kind.is_none() {
        errs.add("kind", Rule::OneOf, "a document of the checklist");
    }
    let status = DocumentStatus::parse(&input.status);
    if status.is_none() {
        errs.add("status", Rule::OneOf, "missing, submitted or verified");
    }
    let mut date = |field: &str, raw: &str| {
        if raw.trim().is_empty() {
            return None;
        }
        let d = parse_date(raw);
        if d.is_none() {
            errs.push(
                domain::FieldError::new(field, Rule::Format, "a date such as 2026-11-24")
                    .message("msg_key.date_format"),
            );
        }
        d
    };
    let issued_on = date("issued_on", &input.issued_on);
    let expires_on = date("expires_on", &input.expires_on);
    let (Some(kind), Some(status)) = (kind, status) else { return Ok(Err(errs)) };
    let mut draft = DocumentDraft::new(kind, status);
    draft.number = input.number.clone();
    draft.issuer = input.issuer.clone();
    draft.issued_on = issued_on;
    draft.expires_on = expires_on;
    draft.village_head_acknowledged = input.village_head_ack;
    match DocumentRecord::new(draft, state.today()) {
        Ok(rec) if errs.is_empty() => {
            store::episodes::save_document(&state.db, actor, e, &rec).await?;
            Ok(Ok(()))
        }
        Ok(_) => Ok(Err(errs)),
        Err(more) => {
            errs.0.extend(more.0);
            Ok(Err(errs))
        }
    }
}

/// Rupiah as typed on a phone (see `Rupiah::parse_typed`); never negative.
pub fn parse_rupiah(raw: &str) -> Option<i64> {
    domain::service_center::money::Rupiah::parse_typed(raw).map(|r| r.amount())
}

/// The episode and its person for a change: `NotFound` when absent or outside the caller's
/// scope (the same answer, so a refusal does not tell that it exists), `Forbidden` when the
/// caller may see but not edit people of its village.
pub async fn editable_episode(
    state: &AppState,
    principal: &domain::access::Principal,
    id: i64,
) -> crate::error::Result<(Episode, store::persons::Person)> {
    let (e, p) = visible_episode(state, principal, id).await?.ok_or(crate::Error::NotFound)?;
    let village = e.village().ok_or(crate::Error::NotFound)?;
    if !principal.can(domain::access::Action::EditPerson, Some(&village)) {
        return Err(crate::Error::Forbidden);
    }
    Ok((e, p))
}

/// A cost charged to the worker, as typed (`item` code, `amount` in rupiah as people write it).
#[derive(Debug, Clone, Copy)]
pub struct CostInput<'a> {
    pub item: &'a str,
    pub amount: &'a str,
}

/// Records a cost charged to the worker on an episode (the zero-cost placement rule is then
/// checked as a risk flag). One operation for the page and the API: access, the cost item
/// list, the one money reader, the write with its audit entry.
pub async fn add_cost(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &store::audit::Actor,
    episode_id: i64,
    input: CostInput<'_>,
) -> crate::error::Result<Episode> {
    use domain::{Rule, ValidationErrors};
    let (e, _) = editable_episode(state, principal, episode_id).await?;
    let mut errs = ValidationErrors::new();
    let item = domain::service_center::CostItem::parse(input.item);
    if item.is_none() {
        errs.add("item", Rule::OneOf, domain::service_center::CostItem::codes());
    }
    let amount = domain::service_center::money::parse_field(
        &mut errs,
        "amount",
        input.amount,
        0,
        domain::service_center::job_order::MAX_COST_RUPIAH,
    );
    let (Some(item), Some(amount)) = (item, amount) else { return Err(crate::Error::Invalid(errs)) };
    store::episodes::add_cost(&state.db, actor, &e, item.as_str(), amount.amount()).await?;
    Ok(e)
}

/// The region-checked episode with its person, or None (absent or outside the scope).
pub async fn visible_episode(
    state: &AppState,
    principal: &domain::access::Principal,
    id: i64,
) -> Result<Option<(Episode, store::persons::Person)>, store::StoreError> {
    // Placement episodes are a field group of their own: a role that may see the person but not
    // their time abroad (a cooperative manager) gets the same 404 as for an absent episode.
    if !domain::privacy::field_visible(principal.role, domain::privacy::FieldGroup::Placement) {
        return Ok(None);
    }
    let Some(e) = store::episodes::get(&state.db, id).await? else { return Ok(None) };
    let person = crate::people::visible_person(state, principal, e.person_id).await?;
    Ok(person.map(|p| (e, p)))
}

pub use store::episodes::{EpisodeEvent, OpenEpisode};

/// An episode as its page and the API show it: the view with checklist and flags, its history,
/// the person (redacted to the caller's fields) and whether the caller may change it.
pub struct EpisodeFile {
    pub view: EpisodeView,
    pub person: store::persons::Person,
    pub events: Vec<EpisodeEvent>,
    pub can_edit: bool,
    /// The recruiting agency's name (the registry is public), so pages show it, not its id.
    pub agency_name: Option<String>,
}

/// One episode for someone who may see it (404 otherwise); the view of the person is audited.
pub async fn file(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &store::audit::Actor,
    id: i64,
) -> crate::error::Result<EpisodeFile> {
    let (e, p) = visible_episode(state, principal, id).await?.ok_or(crate::Error::NotFound)?;
    crate::people::audit_view(state, actor, &p).await?;
    file_of(state, principal, e, p).await
}

/// The episode again after a form was refused (the page re-shown with its errors), not audited
/// as a new view.
pub async fn reload(
    state: &AppState,
    principal: &domain::access::Principal,
    id: i64,
) -> crate::error::Result<EpisodeFile> {
    let (e, p) = visible_episode(state, principal, id).await?.ok_or(crate::Error::NotFound)?;
    file_of(state, principal, e, p).await
}

async fn file_of(
    state: &AppState,
    principal: &domain::access::Principal,
    e: Episode,
    person: store::persons::Person,
) -> crate::error::Result<EpisodeFile> {
    let events = store::episodes::events(&state.db, e.id).await?;
    let view = load_view(state, e, state.today()).await?;
    let can_edit =
        view.episode.village().is_some_and(|vc| principal.can(domain::access::Action::EditPerson, Some(&vc)));
    let agency_name = match view.episode.agency_id {
        Some(id) => store::agencies::get(&state.db, id).await?.map(|a| a.name),
        None => None,
    };
    Ok(EpisodeFile { view, person: crate::people::redact(principal, person), events, can_edit, agency_name })
}

/// Opens an episode for a person the caller may edit (404 outside the scope, 403 without the
/// edit right there); the rules of [`open`].
pub async fn open_for(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &store::audit::Actor,
    person_id: i64,
    input: &sc::NewEpisodeInput<'_>,
) -> crate::error::Result<Episode> {
    let person = crate::people::editable(state, principal, person_id).await?;
    Ok(open(state, actor, &person, input).await??)
}

/// Records the last contact with a worker abroad (a day not in the future).
pub async fn record_contact(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &store::audit::Actor,
    id: i64,
    date: &str,
) -> crate::error::Result<()> {
    let (e, _) = editable_episode(state, principal, id).await?;
    match parse_date(date) {
        Some(d) if d <= state.today() => {
            store::episodes::record_contact(&state.db, actor, &e, d).await?;
            Ok(())
        }
        _ => Err(crate::Error::invalid("contact_date", domain::Rule::OutOfRange, "a date not in the future")),
    }
}

/// One line of the worklist.
pub struct WorkItem {
    pub open: OpenEpisode,
    pub flags: Vec<RiskFlag>,
    /// Documents verified but expiring within 30 days.
    pub expiring: Vec<&'static str>,
    pub return_due_this_month: bool,
}

/// Lines per worklist page.
pub const WORKLIST_PAGE: usize = 50;

/// What a kept worklist (every line needing attention in an area, unfiltered) depends on
/// besides its rows: the area's change stamp (migration 0037), the day (documents expire,
/// returns fall due) and the policy copy this server holds (the same copy, not an equal one:
/// a reload is a new copy).
#[derive(Clone)]
pub struct WorklistStamp {
    changes: i64,
    today: time::Date,
    policy: std::sync::Arc<store::policy::Loaded>,
}

impl PartialEq for WorklistStamp {
    fn eq(&self, other: &Self) -> bool {
        self.changes == other.changes
            && self.today == other.today
            && std::sync::Arc::ptr_eq(&self.policy, &other.policy)
    }
}

/// One page of the worklist, filtered.
pub struct Worklist {
    all: std::sync::Arc<Vec<WorkItem>>,
    matching: Vec<usize>,
    /// This page's number, from 1.
    pub page: usize,
}

impl Worklist {
    /// This page's lines.
    pub fn items(&self) -> Vec<&WorkItem> {
        self.matching.iter().skip((self.page - 1) * WORKLIST_PAGE).take(WORKLIST_PAGE).map(|&i| &self.all[i]).collect()
    }

    /// Lines on all pages.
    pub fn total(&self) -> usize {
        self.matching.len()
    }

    pub fn next_page(&self) -> Option<usize> {
        (self.page * WORKLIST_PAGE < self.matching.len()).then_some(self.page + 1)
    }

    pub fn previous_page(&self) -> Option<usize> {
        (self.page > 1).then_some(self.page - 1)
    }
}

/// "Needs attention today": open episodes in the caller's region with flags (or only `flag`),
/// documents about to expire, and returns expected this month; `page` from 1.
///
/// Computing it reads every open episode's documents, costs, recruiter and broker reports in
/// the area, so it is kept per area until one of them changes (the stamp) or the day turns: a
/// view then costs one small read.
pub async fn worklist(
    state: &AppState,
    principal: &domain::access::Principal,
    flag: Option<sc::RiskCode>,
    page: usize,
) -> crate::error::Result<Worklist> {
    let within = crate::people::search_area(principal, None).map_err(|_| crate::Error::Forbidden)?;
    let today = state.today();
    let policy = state.policy().await?;
    // Read before loading: a write committed during the load moves the stamp past this one.
    let changes = store::episodes::worklist_stamp(&state.db, within.as_ref()).await?;
    let stamp = WorklistStamp { changes, today, policy: policy.clone() };
    let key = within.as_ref().map(|w| w.as_str().to_string()).unwrap_or_default();
    let all =
        state.worklists.get_or_load(key, stamp, || compute_worklist(state, within.as_ref(), today, &policy)).await?;
    let matching = all
        .iter()
        .enumerate()
        .filter(|(_, i)| flag.is_none_or(|code| i.flags.iter().any(|f| f.code() == code)))
        .map(|(n, _)| n)
        .collect();
    Ok(Worklist { all, matching, page: page.max(1) })
}

async fn compute_worklist(
    state: &AppState,
    within: Option<&domain::RegionCode>,
    today: time::Date,
    policy: &store::policy::Loaded,
) -> Result<Vec<WorkItem>, store::StoreError> {
    let open = store::episodes::open_in(&state.db, within, 2000).await?;
    let ids: Vec<i64> = open.iter().map(|o| o.episode.id).collect();
    // Two queries for all documents and costs, not two per episode.
    let docs = store::episodes::documents(&state.db, &ids).await?;
    let costs = store::episodes::costs(&state.db, &ids).await?;
    let recruitment = recruitment_many(state, open.iter().map(|o| &o.episode)).await?;
    let person_ids: Vec<i64> = open.iter().map(|o| o.episode.person_id).collect();
    let memberships = store::national_ids::memberships(&state.db, &person_ids).await?;
    let mut reported =
        crate::brokers::reported_for(state, &open.iter().map(|o| &o.episode).collect::<Vec<_>>()).await?;
    // Grouped once by episode: filtering the whole list per episode was quadratic in the village.
    let mut docs_of: std::collections::HashMap<i64, Vec<_>> = std::collections::HashMap::new();
    for d in docs {
        docs_of.entry(d.episode_id).or_default().push(d);
    }
    let mut costs_of: std::collections::HashMap<i64, Vec<_>> = std::collections::HashMap::new();
    for c in costs {
        costs_of.entry(c.episode_id).or_default().push(c);
    }
    let membership_of: std::collections::HashMap<i64, _> = memberships.iter().rev().map(|m| (m.person_id, m)).collect();
    let mut items = Vec::new();
    for o in open {
        let agency = recruitment.get(&recruitment_key(&o.episode)).copied().unwrap_or((None, None));
        let my_docs = docs_of.remove(&o.episode.id).unwrap_or_default();
        let my_costs = costs_of.remove(&o.episode.id).unwrap_or_default();
        let membership = membership_of.get(&o.episode.person_id).copied();
        let social_security = Some(crate::national_ids::social_security(membership));
        let view = view(
            o.episode.clone(),
            parse_date(&o.birth_date),
            my_docs,
            my_costs,
            agency,
            social_security,
            reported.remove(&o.episode.id),
            today,
            policy,
        );
        let expiring: Vec<&'static str> =
            view.checklist.iter().filter(|c| c.expiring_soon).map(|c| c.kind.as_str()).collect();
        let return_due_this_month = o
            .episode
            .contract_end
            .as_deref()
            .and_then(parse_date)
            .is_some_and(|d| d.year() == today.year() && d.month() == today.month());
        // Every line a filter can show: a flag filter only narrows those with flags.
        if !view.flags.is_empty() || !expiring.is_empty() || return_due_this_month {
            items.push(WorkItem { open: o, flags: view.flags, expiring, return_due_this_month });
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::parse_rupiah;

    #[test]
    fn rupiah_as_typed() {
        assert_eq!(parse_rupiah("Rp 1.250.000"), Some(1_250_000));
        assert_eq!(parse_rupiah("1250000"), Some(1_250_000));
        assert_eq!(parse_rupiah("-5"), None);
        assert_eq!(parse_rupiah(""), None);
        assert_eq!(parse_rupiah("12 juta"), None);
        assert_eq!(parse_rupiah("99999999999999"), None);
    }

    /// Every refused step reads as its own sentence in both languages: a step code added to
    /// the domain without its `msg_key.step_*` would otherwise show the raw key.
    #[test]
    fn every_refused_step_has_its_sentence() {
        use crate::i18n::{Lang, t};
        use domain::service_center::TransitionError as T;
        let all = [
            T::ReasonRequired,
            T::ReturnReasonRequired,
            T::HandoverWitnessRequired,
            T::OverrideNotAllowed,
            T::PlacementAgreementRequired,
            T::CounsellingSessionRequired,
        ];
        for te in all {
            let e = super::transition_refusal("to", &te);
            let key = e.message_key.clone().unwrap_or_default();
            for lang in [Lang::Id, Lang::En] {
                assert_ne!(t(lang, &key), key, "{key} missing in {lang:?}");
            }
        }
    }
}
