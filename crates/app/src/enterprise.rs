//! Productive enterprise (issue 6) as pages and API see it: who may record what where, the
//! period/region filter of every list, and each write validated by `domain::enterprise` before
//! it reaches the store. People (participants, members, mentees, recipients, migrants) must be
//! people the caller may see; an unknown id and one outside the region get the same answer.

use crate::App as AppState;
use domain::access::{Action, Principal};
use domain::enterprise::{
    self as ent, BusinessInput, CheckInput, EquipmentInput, MentoringInput, RemittanceInput, ReportInput, TrainingInput,
};
use domain::{RegionCode, RegionLevel, Rule, ValidationErrors};
use store::audit::Actor;
pub use store::enterprise::{
    Business, Equipment, EquipmentCheck, Filter, Member, MentoringVisit, Participant, Remittance, RemittanceVillage,
    Report, StatusChange, Training, VillageCounts,
};

pub use crate::error::Error;

pub type R<T> = Result<T, Error>;

pub const NOT_VISIBLE: &str = "no person with this id in your region";

/// The region and period of a list: `village` (any region code in the caller's scope; the
/// scope when empty), `from` and `to` (YYYY-MM-DD).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// A region code inside your scope (village, district, regency…); your whole scope when empty.
    #[serde(default)]
    pub village: Option<String>,
    /// First day of the period, YYYY-MM-DD.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day of the period, YYYY-MM-DD.
    #[serde(default)]
    pub to: Option<String>,
}

/// A page of villages in village code order (per-village counts).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct VillagePageQuery {
    /// Villages per page, 1–500; 100 when omitted.
    #[serde(default)]
    pub limit: Option<i64>,
    /// The `next_after` of the previous page (a village code).
    #[serde(default)]
    pub after: Option<String>,
}

impl VillagePageQuery {
    /// The cursor (blank is none) and page size, refused naming `limit` or `after`.
    pub fn checked(&self) -> R<(Option<&str>, i64)> {
        let after = self.after.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut errs = ValidationErrors::new();
        let limit = domain::paging::limit(&mut errs, self.limit, 100);
        if after.is_some_and(|a| a.parse::<domain::RegionCode>().is_err()) {
            errs.add(
                "after",
                Rule::Format,
                "a region code such as 52.03.18.2010 (the next_after of the previous page)",
            );
        }
        if !errs.is_empty() {
            return Err(Error::Invalid(errs));
        }
        Ok((after, limit))
    }
}

/// The store filter for a list the caller may read with `action`.
pub fn filter(principal: &Principal, action: Action, q: &PeriodQuery) -> R<Filter> {
    let mut errs = ValidationErrors::new();
    let requested = q.village.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let within = match requested {
        None => principal.scope.code().cloned(),
        Some(raw) => crate::region_filter::collect(&mut errs, "village", Some(raw)),
    };
    let date = |errs: &mut ValidationErrors, field: &str, raw: &Option<String>| {
        let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        let d = domain::person::parse_date(raw);
        if d.is_none() {
            errs.push(
                domain::FieldError::new(field, Rule::Format, "a date such as 2026-03-14")
                    .message("msg_key.date_format"),
            );
        }
        d
    };
    let from = date(&mut errs, "from", &q.from);
    let to = date(&mut errs, "to", &q.to);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errs.add("to", Rule::OutOfRange, "not before from");
        }
    }
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    if !principal.can(action, within.as_ref()) {
        return Err(Error::Forbidden);
    }
    Ok(Filter { within, from, to })
}

/// May this principal record enterprise data somewhere in their scope?
pub fn may_edit(principal: &Principal) -> bool {
    principal.may_ever(Action::EditEnterprise)
}

/// A village for a new record: it exists and the caller may do `action` there (errors on
/// `village_code`). Roles that never may are refused outright.
pub async fn writable_village(
    state: &AppState,
    principal: &Principal,
    action: Action,
    raw: &str,
    errs: &mut ValidationErrors,
) -> R<Option<RegionCode>> {
    if !principal.can(action, principal.scope.code()) {
        return Err(Error::Forbidden);
    }
    let Ok(code) = raw.trim().parse::<RegionCode>() else { return Ok(None) };
    if code.level() != RegionLevel::Village {
        return Ok(None);
    }
    if !store::regions::exists(&state.db, &code).await? {
        errs.add("village_code", Rule::UnknownRegion, format!("no village has the code {code}"));
        return Ok(None);
    }
    if let Some(e) = crate::region_update::retired_refusal(state, "village_code", &code).await? {
        errs.push(e);
        return Ok(None);
    }
    if !principal.can(action, Some(&code)) {
        errs.push(
            domain::FieldError::new("village_code", Rule::Mismatch, "this village is outside your region")
                .message("msg_key.outside_region"),
        );
        return Ok(None);
    }
    Ok(Some(code))
}

/// Combines domain errors and village errors, village first.
fn merge<T>(village_errs: ValidationErrors, checked: Result<T, ValidationErrors>) -> R<T> {
    match checked {
        Ok(v) if village_errs.is_empty() => Ok(v),
        other => {
            let mut all = village_errs;
            all.0.extend(other.err().map(|e| e.0).unwrap_or_default());
            Err(Error::Invalid(all))
        }
    }
}

fn visible<T>(principal: &Principal, action: Action, region: Option<RegionCode>, v: T) -> R<T> {
    if region.is_some_and(|r| principal.can(action, Some(&r))) { Ok(v) } else { Err(Error::NotFound) }
}

/// A person the caller may see, or a field error on `field`.
pub async fn person_for(state: &AppState, principal: &Principal, field: &str, id: i64) -> R<store::persons::Person> {
    crate::people::visible_person(state, principal, id)
        .await?
        .ok_or_else(|| Error::Invalid(ValidationErrors::single(field, Rule::OneOf, NOT_VISIBLE)))
}

/// 403 unless the caller may record enterprise data in the record's village: the check
/// handlers make on a loaded record before they read the request body.
pub fn require_edit(principal: &Principal, region: Option<RegionCode>) -> R<()> {
    if region.is_some_and(|r| principal.can(Action::EditEnterprise, Some(&r))) { Ok(()) } else { Err(Error::Forbidden) }
}

// ---------------------------------------------------------------- trainings

pub async fn create_training(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &TrainingInput<'_>,
) -> R<Training> {
    let mut errs = ValidationErrors::new();
    writable_village(state, principal, Action::EditEnterprise, input.village_code, &mut errs).await?;
    let new = merge(errs, ent::validate_training(input, state.today()))?;
    Ok(store::enterprise::create_training(&state.db, actor, &new).await?)
}

pub async fn training(state: &AppState, principal: &Principal, id: i64) -> R<Training> {
    let t = store::enterprise::get_training(&state.db, id).await?.ok_or(Error::NotFound)?;
    visible(principal, Action::ViewEnterprise, t.village(), t)
}

pub async fn add_participant(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: &Training,
    person_id: i64,
) -> R<bool> {
    require_edit(principal, t.village())?;
    let p = person_for(state, principal, "person_id", person_id).await?;
    Ok(store::enterprise::add_participant(&state.db, actor, t, p.id).await?)
}

/// Marks attendance on one day within the training's dates (errors name `date`).
pub async fn set_attendance(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: &Training,
    person_id: i64,
    date: &str,
    present: bool,
) -> R<()> {
    require_edit(principal, t.village())?;
    person_for(state, principal, "person_id", person_id).await?;
    let (starts, ends) = t.dates().ok_or(Error::NotFound)?;
    let day = ent::attendance_date("date", date, starts, ends, state.today())?;
    match store::enterprise::set_attendance(&state.db, actor, t, person_id, day, present).await? {
        None => Err(Error::Invalid(
            ValidationErrors::single("person_id", Rule::Mismatch, "not a participant of this training")
                .message("msg_key.not_participant"),
        )),
        Some(_) => Ok(()),
    }
}

pub async fn set_completed(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: &Training,
    person_id: i64,
    completed: bool,
) -> R<()> {
    require_edit(principal, t.village())?;
    person_for(state, principal, "person_id", person_id).await?;
    if store::enterprise::set_completed(&state.db, actor, t, person_id, completed).await? {
        Ok(())
    } else {
        Err(Error::Invalid(
            ValidationErrors::single("person_id", Rule::Mismatch, "not a participant of this training")
                .message("msg_key.not_participant"),
        ))
    }
}

/// The participants the caller may see, and how many others there are.
pub async fn participants(
    state: &AppState,
    principal: &Principal,
    t: &Training,
) -> R<(Vec<store::enterprise::Participant>, usize)> {
    let all = store::enterprise::participants(&state.db, t.id).await?;
    let total = all.len();
    let shown: Vec<_> =
        all.into_iter().filter(|p| p.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v)))).collect();
    let hidden = total - shown.len();
    Ok((shown, hidden))
}

// ---------------------------------------------------------------- mentoring

pub async fn create_visit(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &MentoringInput<'_>,
) -> R<MentoringVisit> {
    let mut errs = ValidationErrors::new();
    writable_village(state, principal, Action::EditEnterprise, input.village_code, &mut errs).await?;
    let new = merge(errs, ent::validate_mentoring(input, state.today()))?;
    if let Some(p) = new.person_id {
        person_for(state, principal, "person_id", p).await?;
    }
    if let Some(b) = new.business_id {
        business(state, principal, b).await.map_err(|_| {
            Error::Invalid(ValidationErrors::single(
                "business_id",
                Rule::OneOf,
                "no business with this id in your region",
            ))
        })?;
    }
    Ok(store::enterprise::create_visit(&state.db, actor, &new).await?)
}

// ---------------------------------------------------------------- equipment

pub async fn create_equipment(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &EquipmentInput<'_>,
) -> R<Equipment> {
    let mut errs = ValidationErrors::new();
    writable_village(state, principal, Action::EditEnterprise, input.village_code, &mut errs).await?;
    let new = merge(errs, ent::validate_equipment(input, state.today()))?;
    if let Some(p) = new.person_id {
        person_for(state, principal, "person_id", p).await?;
    }
    if let Some(b) = new.business_id {
        business(state, principal, b).await.map_err(|_| {
            Error::Invalid(ValidationErrors::single(
                "business_id",
                Rule::OneOf,
                "no business with this id in your region",
            ))
        })?;
    }
    Ok(store::enterprise::create_equipment(&state.db, actor, &new).await?)
}

pub async fn equipment(state: &AppState, principal: &Principal, id: i64) -> R<Equipment> {
    let e = store::enterprise::get_equipment(&state.db, id).await?.ok_or(Error::NotFound)?;
    visible(principal, Action::ViewEnterprise, e.village(), e)
}

pub async fn add_check(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    e: &Equipment,
    input: &CheckInput<'_>,
) -> R<()> {
    require_edit(principal, e.village())?;
    let given = domain::person::parse_date(&e.given_on).ok_or(Error::NotFound)?;
    let check = ent::validate_check(input, given, state.today())?;
    Ok(store::enterprise::add_check(&state.db, actor, e, &check).await?)
}

// ---------------------------------------------------------------- businesses

pub async fn create_business(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &BusinessInput<'_>,
) -> R<Business> {
    let mut errs = ValidationErrors::new();
    writable_village(state, principal, Action::EditEnterprise, input.village_code, &mut errs).await?;
    let new = merge(errs, ent::validate_business(input, state.today()))?;
    Ok(store::enterprise::create_business(&state.db, actor, &new).await?)
}

pub async fn business(state: &AppState, principal: &Principal, id: i64) -> R<Business> {
    let b = store::enterprise::get_business(&state.db, id).await?.ok_or(Error::NotFound)?;
    visible(principal, Action::ViewEnterprise, b.village(), b)
}

pub async fn add_member(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    b: &Business,
    person_id: i64,
    kind: &str,
) -> R<bool> {
    require_edit(principal, b.village())?;
    let p = person_for(state, principal, "person_id", person_id).await?;
    let members = store::enterprise::members(&state.db, b.id).await?;
    // The kind is checked even when the person is already a member: a wrong code is refused,
    // never silently taken (an existing member does not count against an individual business).
    let already = members.iter().any(|m| m.person_id == p.id);
    let legal_form = ent::LegalForm::parse(&b.legal_form).unwrap_or(ent::LegalForm::Group);
    let kind = ent::validate_member(kind, legal_form, if already { 0 } else { members.len() })?;
    if already {
        return Ok(false);
    }
    Ok(store::enterprise::add_member(&state.db, actor, b, p.id, kind).await?)
}

/// Stores a monthly report (a second one for a month corrects the first). Closed businesses,
/// months before the start and future months are refused.
pub async fn save_report(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    b: &Business,
    input: &ReportInput<'_>,
) -> R<()> {
    require_edit(principal, b.village())?;
    let report = ent::validate_report(input, b.status(), b.started(), state.today())?;
    if store::enterprise::save_report(&state.db, actor, b, &report).await? {
        Ok(())
    } else {
        Err(Error::Invalid(ValidationErrors::single(
            "status",
            Rule::Mismatch,
            "the business is closed: it takes no more reports",
        )))
    }
}

pub async fn change_status(state: &AppState, principal: &Principal, actor: &Actor, b: &Business, to: &str) -> R<()> {
    require_edit(principal, b.village())?;
    let to = ent::check_status_change(b.status(), to)?;
    if store::enterprise::change_status(&state.db, actor, b, to, state.today()).await? {
        Ok(())
    } else {
        Err(Error::Invalid(ValidationErrors::single(
            "status",
            Rule::Mismatch,
            "the business changed meanwhile; check and try again",
        )))
    }
}

/// Members the caller may see, and how many others.
pub async fn members(
    state: &AppState,
    principal: &Principal,
    b: &Business,
) -> R<(Vec<store::enterprise::Member>, usize)> {
    let all = store::enterprise::members(&state.db, b.id).await?;
    let total = all.len();
    let shown: Vec<_> =
        all.into_iter().filter(|m| m.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v)))).collect();
    let hidden = total - shown.len();
    Ok((shown, hidden))
}

// ---------------------------------------------------------------- remittances

/// Records a remittance received by the family of migrant `person_id` (someone the caller may
/// see and record for), counted in the family's village.
pub async fn create_remittance(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person_id: Option<i64>,
    input: &RemittanceInput<'_>,
) -> R<Remittance> {
    if !may_edit(principal) {
        return Err(Error::Forbidden);
    }
    let mut errs = ValidationErrors::new();
    let person = match person_id {
        None => {
            errs.add("person_id", Rule::Required, "the migrant who sent it");
            None
        }
        Some(id) => match crate::people::visible_person(state, principal, id).await? {
            Some(p) if p.village().is_some_and(|v| principal.can(Action::EditEnterprise, Some(&v))) => Some(p),
            _ => {
                errs.add("person_id", Rule::OneOf, NOT_VISIBLE);
                None
            }
        },
    };
    let new = merge(errs, ent::validate_remittance(input, state.today()))?;
    let person = person.ok_or(Error::NotFound)?;
    let village = person.village().ok_or(Error::NotFound)?;
    Ok(store::enterprise::create_remittance(&state.db, actor, person.id, &village, &new).await?)
}

/// Whether remittance rows show the migrant's name to this caller: personal finances are
/// specific data, shown by name only to those who record them (not analysts or cooperative managers).
pub fn remittance_names_visible(principal: &Principal, region: Option<&RegionCode>) -> bool {
    principal.can(Action::EditEnterprise, region)
}

// ---------------------------------------------------------------- views

/// A list's region must be one where the caller may read enterprise data (the filter was
/// built for it, but an operation does not trust its caller).
fn may_read(principal: &Principal, f: &Filter) -> R<()> {
    if principal.can(Action::ViewEnterprise, f.within.as_ref()) { Ok(()) } else { Err(Error::Forbidden) }
}

/// The region of a list as its audit entry names it (empty: everywhere).
fn region_of(f: &Filter) -> String {
    f.within.as_ref().map(|c| c.to_string()).unwrap_or_default()
}

/// One page of the per-village counts (trainings, participants, completions, running
/// businesses, remittances) in village code order, and the `after` of the next page (`None` on
/// the last). There is no unpaged list: at national scale it is thousands of villages.
pub async fn counts_page(
    state: &AppState,
    principal: &Principal,
    f: &Filter,
    page: &VillagePageQuery,
) -> R<(Vec<VillageCounts>, Option<String>)> {
    let (after, limit) = page.checked()?;
    may_read(principal, f)?;
    Ok(store::enterprise::counts_page(&state.db, f, after, limit).await?)
}

/// Trainings overlapping the period, newest first; `before` is the last id of the previous page.
pub async fn trainings(
    state: &AppState,
    principal: &Principal,
    f: &Filter,
    before: Option<i64>,
    limit: i64,
) -> R<Vec<Training>> {
    may_read(principal, f)?;
    Ok(store::enterprise::list_trainings(&state.db, f, before, limit).await?)
}

/// A training as page and API show it: the participants the caller may see (audited as
/// `training.view`), how many others there are, the attendance marks and every day.
pub struct TrainingDossier {
    pub training: Training,
    pub participants: Vec<Participant>,
    pub hidden_participants: usize,
    /// (person, YYYY-MM-DD) of each day attended, only of the participants shown.
    pub marks: Vec<(i64, String)>,
    pub days: Vec<String>,
}

pub async fn training_dossier(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> R<TrainingDossier> {
    let t = training(state, principal, id).await?;
    let (shown, hidden) = participants(state, principal, &t).await?;
    let ids: Vec<i64> = shown.iter().map(|p| p.person_id).collect();
    let marks =
        store::enterprise::attendance(&state.db, t.id).await?.into_iter().filter(|(p, _)| ids.contains(p)).collect();
    let details = format!("training {}", t.id);
    store::enterprise::audit_people_view(&state.db, actor, "training.view", &t.village_code, &ids, &details).await?;
    let days =
        t.dates().map(|(a, b)| ent::training_days(a, b).iter().map(|d| d.to_string()).collect()).unwrap_or_default();
    Ok(TrainingDossier { training: t, participants: shown, hidden_participants: hidden, marks, days })
}

/// Saves the whole attendance grid of a training: `marks` are (person, day as typed), `completed`
/// the persons who completed it. Only participants the caller may see are touched; a day
/// outside the training's dates or in the future is refused (on `date`).
pub async fn save_grid(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: &Training,
    marks: &[(i64, &str)],
    completed: &[i64],
) -> R<()> {
    require_edit(principal, t.village())?;
    let (starts, ends) = t.dates().ok_or(Error::NotFound)?;
    let (shown, _) = participants(state, principal, t).await?;
    let persons: Vec<i64> = shown.iter().map(|p| p.person_id).collect();
    let mut days = Vec::new();
    for (pid, raw) in marks {
        match ent::attendance_date("date", raw, starts, ends, state.today()) {
            Ok(day) if persons.contains(pid) => days.push((*pid, day)),
            Ok(_) => {}
            // The first bad day is enough to show on the grid.
            Err(e) => return Err(Error::Invalid(e)),
        }
    }
    Ok(store::enterprise::save_grid(&state.db, actor, t, &persons, &days, completed).await?)
}

/// Mentoring visits in the region and period (or of one business), newest first; the mentees
/// named are audited (`mentoring.view`).
pub async fn visits(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    f: &Filter,
    business_id: Option<i64>,
    limit: i64,
) -> R<Vec<MentoringVisit>> {
    may_read(principal, f)?;
    let items = store::enterprise::list_visits(&state.db, f, business_id, limit).await?;
    let ids: Vec<i64> = items.iter().filter_map(|v| v.person_id).collect();
    store::enterprise::audit_people_view(&state.db, actor, "mentoring.view", &region_of(f), &ids, "").await?;
    Ok(items)
}

/// Equipment given out in the region and period; `unused_only` for what is not in use.
pub async fn equipment_list(
    state: &AppState,
    principal: &Principal,
    f: &Filter,
    unused_only: bool,
    limit: i64,
) -> R<Vec<Equipment>> {
    may_read(principal, f)?;
    Ok(store::enterprise::list_equipment(&state.db, f, unused_only, limit).await?)
}

/// One piece of equipment (404 outside the caller's region) with its checks, newest first.
pub async fn equipment_dossier(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> R<(Equipment, Vec<EquipmentCheck>)> {
    let e = equipment(state, principal, id).await?;
    let checks = store::enterprise::checks(&state.db, e.id).await?;
    Ok((e, checks))
}

/// Businesses in the region (with a period: started by its end), newest first.
pub async fn businesses(
    state: &AppState,
    principal: &Principal,
    f: &Filter,
    status: Option<ent::BusinessStatus>,
    limit: i64,
) -> R<Vec<Business>> {
    may_read(principal, f)?;
    Ok(store::enterprise::list_businesses(&state.db, f, status, limit).await?)
}

/// A business as page and API show it: the members the caller may see (audited as
/// `business.view`), how many others, monthly reports (oldest first), status history and the
/// latest mentoring visits.
pub struct BusinessDossier {
    pub business: Business,
    pub members: Vec<Member>,
    pub hidden_members: usize,
    pub reports: Vec<Report>,
    pub status_history: Vec<StatusChange>,
    pub visits: Vec<MentoringVisit>,
}

pub async fn business_dossier(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> R<BusinessDossier> {
    let b = business(state, principal, id).await?;
    let (members, hidden_members) = self::members(state, principal, &b).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.person_id).collect();
    let details = format!("business {}", b.id);
    store::enterprise::audit_people_view(&state.db, actor, "business.view", &b.village_code, &ids, &details).await?;
    Ok(BusinessDossier {
        members,
        hidden_members,
        reports: store::enterprise::reports(&state.db, b.id).await?,
        status_history: store::enterprise::status_changes(&state.db, b.id).await?,
        visits: store::enterprise::list_visits(&state.db, &Filter::default(), Some(b.id), 50).await?,
        business: b,
    })
}

/// Remittances in the region and period (by month), newest first, optionally of one migrant.
/// The migrant's name is blanked for callers who may not see it
/// ([`remittance_names_visible`]); the names shown are audited (`remittance.view`).
pub struct Remittances {
    pub names_visible: bool,
    pub items: Vec<Remittance>,
}

pub async fn remittances(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    f: &Filter,
    person_id: Option<i64>,
    limit: i64,
) -> R<Remittances> {
    may_read(principal, f)?;
    let names_visible = remittance_names_visible(principal, f.within.as_ref());
    let mut items = store::enterprise::list_remittances(&state.db, f, person_id, limit).await?;
    if names_visible {
        let ids: Vec<i64> = items.iter().map(|r| r.person_id).collect();
        store::enterprise::audit_people_view(&state.db, actor, "remittance.view", &region_of(f), &ids, "").await?;
    } else {
        for r in &mut items {
            r.person_name = String::new();
        }
    }
    Ok(Remittances { names_visible, items })
}

/// Remittance inflow in a region and period: one page of villages in village code order (names
/// for display) and the totals of the whole region and period.
pub struct RemittanceInflow {
    pub villages: Vec<RemittanceVillage>,
    /// The `after` of the next page; `None` on the last.
    pub next_after: Option<String>,
    /// Over every village of the region and period, not only this page's.
    pub total: i64,
    pub productive: i64,
}

impl RemittanceInflow {
    pub fn productive_share_bp(&self) -> Option<i64> {
        ent::productive_share_bp(self.productive, self.total)
    }
}

pub async fn remittance_inflow(
    state: &AppState,
    principal: &Principal,
    f: &Filter,
    page: &VillagePageQuery,
) -> R<RemittanceInflow> {
    let (after, limit) = page.checked()?;
    may_read(principal, f)?;
    let (mut villages, next_after) = store::enterprise::remittances_page(&state.db, f, after, limit).await?;
    for r in &mut villages {
        r.village_name = store::regions::display_name(&r.village_name);
    }
    let (total, productive) = store::enterprise::remittance_totals(&state.db, f).await?;
    Ok(RemittanceInflow { villages, next_after, total, productive })
}
