//! Person registration shared by the pages, the API and (later) imports: validate,
//! check scope, refuse duplicates without revealing what lies outside the user's region.

use crate::App as AppState;
use domain::access::{Action, Principal};
use domain::nik::NikIssue;
use domain::person::{NewPersonInput, PersonRejection, validate_new_person};
use domain::person_merge::{self, EDITABLE_FIELDS, FieldOutcome, Version};
use domain::{RegionCode, Rule, ValidationErrors};
use std::collections::BTreeMap;
use store::audit::Actor;
pub use store::person_conflicts::Conflict as PersonConflict;
use store::persons::CreateError;
pub use store::persons::Person;

pub enum RegisterError {
    /// The role never registers or corrects people (a cooperative manager, an analyst).
    Forbidden,
    Invalid(ValidationErrors),
    /// Only NIK warnings stand in the way; the user must confirm them.
    Unconfirmed(Vec<NikIssue>),
    Store(store::StoreError),
}

impl From<store::StoreError> for RegisterError {
    fn from(e: store::StoreError) -> Self {
        RegisterError::Store(e)
    }
}

pub async fn register(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &NewPersonInput<'_>,
) -> Result<Person, RegisterError> {
    save(state, principal, actor, input, None).await
}

/// Corrects a person's record with the same rules as registration, from the version read as
/// `before` (the whole form: the fields left as they were are not proposals).
pub async fn correct(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    before: &Person,
    input: &NewPersonInput<'_>,
) -> Result<Person, RegisterError> {
    let fields = input_fields(input);
    let req = EditRequest {
        base_version: before.version,
        fields: &fields,
        confirm_warnings: input.confirm_warnings,
        resolving: None,
    };
    match edit(state, principal, actor, before.id, &req).await {
        Ok(out) => Ok(out.person),
        Err(EditError::Unconfirmed(w)) => Err(RegisterError::Unconfirmed(w)),
        Err(EditError::Refused(crate::Error::Invalid(e))) => Err(RegisterError::Invalid(e)),
        Err(EditError::Refused(crate::Error::Store(e))) => Err(RegisterError::Store(e)),
        Err(EditError::Refused(_)) => Err(RegisterError::Forbidden),
    }
}

// ---- track conflicts: edits merged per field from the version they started from ----

/// A form's or an offline phone's fields by name (`domain::person_merge::EDITABLE_FIELDS`).
pub fn input_fields(input: &NewPersonInput<'_>) -> BTreeMap<String, String> {
    let values = [
        input.nik,
        input.kk_number,
        input.full_name,
        input.sex,
        input.birth_date,
        input.birth_place,
        input.village_code,
        input.address,
        input.phone,
        input.contact_abroad,
        input.category,
    ];
    EDITABLE_FIELDS.iter().zip(values).map(|(f, v)| (f.to_string(), v.trim().to_string())).collect()
}

/// An edit: the version it started from and the fields it changes (only those: the API sends
/// what changed, a form sends everything and the unchanged fields are no proposals).
pub struct EditRequest<'a> {
    pub base_version: i64,
    pub fields: &'a BTreeMap<String, String>,
    pub confirm_warnings: bool,
    /// Set when a supervisor takes this proposal from the review list (closed with the edit).
    pub resolving: Option<i64>,
}

/// What an edit did with each field it proposed.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub person: Person,
    /// Written (nobody else had changed them since the base version).
    pub applied: Vec<String>,
    /// Someone else changed them to another value: on the review list, the record unchanged.
    pub review: Vec<String>,
    /// The record already held the value.
    pub unchanged: Vec<String>,
}

pub enum EditError {
    Refused(crate::Error),
    /// Only NIK warnings stand in the way; the user must confirm them.
    Unconfirmed(Vec<NikIssue>),
}

impl From<crate::Error> for EditError {
    fn from(e: crate::Error) -> Self {
        EditError::Refused(e)
    }
}

impl From<store::StoreError> for EditError {
    fn from(e: store::StoreError) -> Self {
        EditError::Refused(crate::Error::Store(e))
    }
}

/// The one door for changing a person's fields (the edit page, `PATCH /api/v1/persons/{id}`,
/// a supervisor taking a proposal): merges the proposal per field against what others changed
/// since `base_version` (`domain::person_merge::plan`), validates the merged record with the
/// registration rules, writes the applied fields and the conflicts in one audited transaction.
pub async fn edit(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    req: &EditRequest<'_>,
) -> Result<EditOutcome, EditError> {
    // A concurrent edit moves the version between the read and the write: merge again.
    for _ in 0..5 {
        let before = editable(state, principal, id).await?;
        let base = store::person_conflicts::base_values(&state.db, id, req.base_version).await?;
        let current = before.field_values();
        let plan = person_merge::plan(Version(req.base_version), Version(before.version), &current, &base, req.fields)
            .map_err(|e| crate::Error::Invalid(ValidationErrors(vec![e])))?;
        let mut merged = current.clone();
        for field in plan.applied() {
            if let Some(v) = req.fields.get(field) {
                merged.insert(field.to_string(), v.clone());
            }
        }
        // Warnings already confirmed on the record stay confirmed unless the NIK, birth date or
        // sex change.
        let confirm =
            req.confirm_warnings || !plan.applied().iter().any(|f| matches!(*f, "nik" | "birth_date" | "sex"));
        let input = NewPersonInput::from_fields(&merged, confirm);
        let new = match checked(state, principal, &input, Some(&before)).await {
            Ok(n) => n,
            Err(RegisterError::Forbidden) => return Err(crate::Error::Forbidden.into()),
            Err(RegisterError::Invalid(e)) => return Err(crate::Error::Invalid(e).into()),
            Err(RegisterError::Unconfirmed(w)) => return Err(EditError::Unconfirmed(w)),
            Err(RegisterError::Store(e)) => return Err(e.into()),
        };
        let conflicts: Vec<store::persons::NewConflict> = plan
            .outcomes
            .iter()
            .filter_map(|(field, o)| match o {
                FieldOutcome::Conflict { base, current } => Some(store::persons::NewConflict {
                    field: field.clone(),
                    base_version: req.base_version,
                    base_value: base.clone(),
                    current_value: current.clone(),
                    proposed_value: req.fields.get(field).cloned().unwrap_or_default(),
                }),
                _ => None,
            })
            .collect();
        match store::persons::edit(&state.db, actor, &before, &new, &conflicts, req.resolving).await {
            Ok(person) => {
                let names = |v: Vec<&str>| v.into_iter().map(String::from).collect();
                return Ok(EditOutcome {
                    person,
                    applied: names(plan.applied()),
                    review: names(plan.conflicts()),
                    unchanged: names(plan.unchanged()),
                });
            }
            Err(CreateError::VersionMoved) => continue,
            Err(CreateError::DuplicateNik { existing_id, village_code }) => {
                return Err(crate::Error::Invalid(duplicate_nik(principal, existing_id, &village_code)).into());
            }
            Err(CreateError::Store(e)) => return Err(e.into()),
        }
    }
    Err(crate::Error::Store(busy()).into())
}

/// Open conflicts of people in the principal's region (the supervisor's review list). The
/// values are personal data: the view is audited.
pub async fn open_conflicts(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
) -> crate::error::Result<Vec<store::person_conflicts::Conflict>> {
    let scope = principal.scope.code();
    if !principal.can(Action::EditPerson, scope) {
        return Err(crate::Error::Forbidden);
    }
    let rows = store::person_conflicts::open(&state.db, scope.map(|c| c.as_str()), 200).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|c| c.village_code.parse::<RegionCode>().is_ok_and(|v| principal.can(Action::EditPerson, Some(&v))))
        .collect();
    if !rows.is_empty() {
        let ids: Vec<String> = rows.iter().map(|c| c.person_id.to_string()).collect();
        store::audit::append_now(
            &state.db,
            actor,
            &store::audit::Event {
                action: "person.conflicts_view",
                entity: "person",
                entity_id: "",
                region_code: scope.map(|c| c.as_str()).unwrap_or(""),
                details: &format!("persons: {}", ids.join(",")),
            },
        )
        .await?;
    }
    Ok(rows)
}

/// The supervisor's decision on one proposal: keep the current value, or take the proposed
/// one (through [`edit`], from the record's current version, so it is applied as any edit).
pub async fn resolve_conflict(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    conflict_id: i64,
    take: bool,
) -> Result<Option<EditOutcome>, EditError> {
    let conflict = store::person_conflicts::get(&state.db, conflict_id).await?.ok_or(crate::Error::NotFound)?;
    let person = editable(state, principal, conflict.person_id).await?;
    if conflict.status != "open" {
        return Err(crate::Error::invalid("conflict", Rule::OutOfRange, "this proposal was already decided").into());
    }
    if !take {
        store::person_conflicts::keep_current(&state.db, actor, &conflict).await?;
        return Ok(None);
    }
    let fields = BTreeMap::from([(conflict.field.clone(), conflict.proposed_value.clone())]);
    let req = EditRequest {
        base_version: person.version,
        fields: &fields,
        confirm_warnings: true,
        resolving: Some(conflict.id),
    };
    edit(state, principal, actor, person.id, &req).await.map(Some)
}

async fn save(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &NewPersonInput<'_>,
    before: Option<&Person>,
) -> Result<Person, RegisterError> {
    let new = checked(state, principal, input, before).await?;
    // Dukcapil (when configured) is asked before the write transaction opens, so a slow
    // answer never holds the SQLite writer; no answer leaves the person "not verified".
    let verification = match before {
        None => {
            let birth = new.birth_date.to_string();
            crate::national_ids::ask_dukcapil(state, new.nik.as_str(), &new.full_name, &birth, new.sex.as_str()).await
        }
        Some(_) => None,
    };
    let saved = match before {
        None => store::persons::create(&state.db, actor, &new).await,
        Some(b) => store::persons::update(&state.db, actor, b, &new).await,
    };
    match saved {
        Ok(p) => {
            if let Some(v) = verification
                && let Err(e) = store::national_ids::record_check(&state.db, actor, &p, &v).await
            {
                // The person is registered; the check can be repeated from their page.
                tracing::error!(error = %e, "could not record a Dukcapil check");
            }
            Ok(p)
        }
        Err(CreateError::DuplicateNik { existing_id, village_code }) => {
            Err(RegisterError::Invalid(duplicate_nik(principal, existing_id, &village_code)))
        }
        Err(CreateError::Store(e)) => Err(RegisterError::Store(e)),
        // Only an edit meets a moved version; edits go through `edit`, which merges again.
        Err(CreateError::VersionMoved) => Err(RegisterError::Store(busy())),
    }
}

/// The rules every registration and edit passes: the role, the fields, a retired village
/// code, the region. The record to write, or the refusal.
async fn checked(
    state: &AppState,
    principal: &Principal,
    input: &NewPersonInput<'_>,
    before: Option<&Person>,
) -> Result<domain::NewPerson, RegisterError> {
    // The role first, the same for every door: a role that never registers people is refused
    // before its input is looked at; the region is checked once the village is known.
    if !principal.may_ever(Action::EditPerson) {
        return Err(RegisterError::Forbidden);
    }
    let regions = state.region_index().await?;
    // "Not in the future" is the village's own day (a birth date typed at 07:00 in Sikka).
    let today = state.clock.today_at(input.village_code.trim().parse::<RegionCode>().ok().as_ref());
    let new = match validate_new_person(input, regions.as_ref(), today) {
        Ok(p) => p,
        Err(PersonRejection::Invalid(e)) => return Err(RegisterError::Invalid(e)),
        Err(PersonRejection::UnconfirmedWarnings(w)) => return Err(RegisterError::Unconfirmed(w)),
    };
    // A retired code is refused for a new record (or a move), kept on the records already on it.
    if before.is_none_or(|b| b.village_code != new.village_code.as_str())
        && let Some(e) = crate::region_update::retired_refusal(state, "village_code", &new.village_code).await?
    {
        return Err(RegisterError::Invalid(ValidationErrors(vec![e])));
    }
    if !principal.can(Action::EditPerson, Some(&new.village_code)) {
        return Err(RegisterError::Invalid(
            ValidationErrors::single("village_code", Rule::Mismatch, "this village is outside your region")
                .message("msg_key.outside_region"),
        ));
    }
    Ok(new)
}

/// A record that kept changing under five merges in a row.
fn busy() -> store::StoreError {
    store::StoreError::Io(std::io::Error::other("the record kept changing; try again"))
}

/// The refusal of a NIK already on record (person `existing_id` in `village_code`): whose
/// record it is and where is told only to someone who may see it. Registration and the
/// OpenSID import both answer with it.
pub fn duplicate_nik(principal: &Principal, existing_id: i64, village_code: &str) -> ValidationErrors {
    let visible = village_code.parse::<RegionCode>().is_ok_and(|v| principal.can(Action::ViewPerson, Some(&v)));
    if visible {
        let detail = format!("this NIK is already registered: person #{existing_id}");
        ValidationErrors::single("nik", Rule::Taken, detail).with("id", existing_id).message("msg_key.nik_taken_here")
    } else {
        let detail =
            "this NIK is already registered outside your region; ask your regency office (Disnaker) to check it";
        ValidationErrors::single("nik", Rule::Taken, detail).message("msg_key.nik_taken_elsewhere")
    }
}

/// The person if this principal may see them; `None` both when absent and when outside
/// the scope, so ids cannot be probed.
pub async fn visible_person(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Option<Person>, store::StoreError> {
    let person = store::persons::get(&state.db, id).await?;
    Ok(person.filter(|p| p.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v)))))
}

/// The person as `principal` may see them: the field groups its role may not see
/// (`domain::privacy::field_visible`: NIK and KK number, phone and address) are blanked, so no
/// page, API answer or export built from it carries them.
pub fn redact(principal: &Principal, mut person: Person) -> Person {
    let f = domain::privacy::fields(principal.role);
    if !f.identity {
        person.nik = String::new();
        person.kk_number = None;
        // The warnings quote the NIK's date and region parts.
        person.nik_warnings = String::new();
    }
    if !f.contact {
        person.address = String::new();
        person.phone = String::new();
        person.contact_abroad = String::new();
    }
    person
}

/// Records that personal data was seen (pages and API alike).
pub async fn audit_view(state: &AppState, actor: &Actor, person: &Person) -> Result<(), store::StoreError> {
    let ev = store::audit::Event {
        action: "person.view",
        entity: "person",
        entity_id: &person.id.to_string(),
        region_code: &person.village_code,
        details: "",
    };
    store::audit::append_now(&state.db, actor, &ev).await.map(|_| ())
}

/// The region a person search may cover: the requested one when inside the scope,
/// else the scope itself. `Err(())` when the request reaches outside the scope.
pub fn search_area(principal: &Principal, requested: Option<RegionCode>) -> Result<Option<RegionCode>, ()> {
    match requested {
        Some(r) if principal.can(Action::ViewPerson, Some(&r)) => Ok(Some(r)),
        Some(_) => Err(()),
        None if principal.can(Action::ViewPerson, principal.scope.code()) => Ok(principal.scope.code().cloned()),
        None => Err(()),
    }
}

/// The words of a name query as spelling-tolerant search keys.
pub fn name_keys(query: &str) -> Vec<String> {
    domain::name::name_key(query).split(' ').filter(|w| !w.is_empty()).map(String::from).collect()
}

/// Records a data-sharing consent on a person's record: the person must be in the caller's
/// region and the caller allowed to edit people there; the rules are the domain's.
pub async fn add_consent(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person: &Person,
    scope: &str,
    recipient: &str,
    granted: bool,
    given_on: &str,
) -> crate::error::Result<()> {
    let village = person.village().ok_or(crate::Error::NotFound)?;
    if !principal.can(Action::ViewPerson, Some(&village)) {
        return Err(crate::Error::NotFound);
    }
    if !principal.can(Action::EditPerson, Some(&village)) {
        return Err(crate::Error::Forbidden);
    }
    let today = state.clock.today_in(&village);
    let c = domain::person::validate_consent_record(scope, recipient, granted, given_on, today)?;
    store::persons::add_consent(
        &state.db,
        actor,
        person,
        c.scope.as_str(),
        &c.recipient,
        c.granted,
        &c.given_on.to_string(),
    )
    .await?;
    Ok(())
}

pub use store::persons::{Consent, CounsellingSession, Relative, TimelineEntry};

/// A person search as the doors parsed it (unknown filter values already refused or dropped).
#[derive(Debug, Default)]
pub struct PersonQuery {
    pub nik: Option<String>,
    pub name: String,
    /// The region asked for; `None` searches the caller's whole scope.
    pub region: Option<RegionCode>,
    pub category: Option<domain::person::PersonCategory>,
    pub episode_state: Option<domain::service_center::EpisodeState>,
    pub destination: Option<domain::service_center::CountryCode>,
    /// A national id (SIAPkerja, ID PMI, Sisko P2MI, E-KPMI), exact; identity data.
    pub external_id: Option<String>,
    pub after: Option<i64>,
    pub limit: i64,
}

/// One page of a person search and where the next one starts.
pub struct PersonPage {
    pub items: Vec<Person>,
    pub next_after: Option<i64>,
}

/// People in the caller's region: a search by a field the role may not see (NIK, time abroad)
/// is refused, since the answer would tell it; the results are redacted to the role's fields,
/// and one audit entry names every record shown.
pub async fn search(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    q: PersonQuery,
) -> crate::error::Result<PersonPage> {
    search_refusals(principal, q.nik.as_deref(), q.episode_state.is_some(), q.destination.is_some()).into_result()?;
    // A national id is identity data, as the NIK.
    if q.external_id.as_deref().is_some_and(|x| !x.trim().is_empty())
        && !domain::privacy::fields(principal.role).identity
    {
        return Err(crate::Error::invalid("external_id", Rule::Mismatch, "your role does not see identity numbers"));
    }
    let within = search_area(principal, q.region).map_err(|_| crate::Error::Forbidden)?;
    let f = store::persons::Filter {
        nik: q.nik.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        name_keys: name_keys(&q.name),
        within,
        category: q.category.map(|c| c.as_str().to_string()),
        episode_state: q.episode_state.map(|s| s.as_str().to_string()),
        destination: q.destination.map(|c| c.as_str().to_string()),
        after_id: q.after,
        external_id: q.external_id.map(|x| x.trim().to_uppercase()).filter(|x| !x.is_empty()),
    };
    let limit = q.limit.max(1);
    let mut items = store::persons::search(&state.db, &f, limit + 1).await?;
    let next_after = (items.len() as i64 > limit).then(|| items[limit as usize - 1].id);
    items.truncate(limit as usize);
    if !items.is_empty() {
        let ev = store::audit::Event {
            action: "person.search",
            entity: "person",
            entity_id: &items.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(","),
            region_code: f.within.as_ref().map(|w| w.as_str()).unwrap_or(""),
            details: &format!("results={}", items.len()),
        };
        store::audit::append_now(&state.db, actor, &ev).await?;
    }
    Ok(PersonPage { items: items.into_iter().map(|p| redact(principal, p)).collect(), next_after })
}

/// What a person search may not ask of this role: a NIK when it does not see identity numbers,
/// an episode state or destination when it does not see placements (the answer would tell
/// them). Empty when the search may go ahead; [`search`] checks it, and a door may merge it
/// into its own field errors to answer them all at once.
pub fn search_refusals(
    principal: &Principal,
    nik: Option<&str>,
    episode_state: bool,
    destination: bool,
) -> ValidationErrors {
    let fields = domain::privacy::fields(principal.role);
    let mut errs = ValidationErrors::new();
    if !fields.identity && nik.is_some_and(|n| !n.trim().is_empty()) {
        errs.add("nik", Rule::Mismatch, "your role does not see NIK numbers: search by name");
    }
    if !fields.placement && (episode_state || destination) {
        let field = if episode_state { "episode_state" } else { "destination" };
        errs.add(field, Rule::Mismatch, "your role does not see placement episodes");
    }
    errs
}

/// One person as the caller may see them (404 when absent or outside the scope), redacted to
/// the role's fields; the view is audited.
pub async fn view(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> crate::error::Result<Person> {
    let p = visible_person(state, principal, id).await?.ok_or(crate::Error::NotFound)?;
    audit_view(state, actor, &p).await?;
    Ok(redact(principal, p))
}

/// The person if the caller may change their record: 404 outside the scope, 403 when the
/// role may see but not edit them there.
pub async fn editable(state: &AppState, principal: &Principal, id: i64) -> crate::error::Result<Person> {
    let person = visible_person(state, principal, id).await?.ok_or(crate::Error::NotFound)?;
    check_edit(principal, &person)?;
    Ok(person)
}

fn check_edit(principal: &Principal, person: &Person) -> crate::error::Result<RegionCode> {
    let village = person.village().ok_or(crate::Error::NotFound)?;
    if !principal.can(Action::ViewPerson, Some(&village)) {
        return Err(crate::Error::NotFound);
    }
    if !principal.can(Action::EditPerson, Some(&village)) {
        return Err(crate::Error::Forbidden);
    }
    Ok(village)
}

/// Everything the person's page shows, each part only when the viewer's role sees that field
/// group (`domain::privacy::fields`).
pub struct Dossier {
    pub person: Person,
    pub fields: domain::privacy::Fields,
    pub relatives: Vec<Relative>,
    pub consents: Vec<Consent>,
    pub episodes: Vec<crate::episodes::Episode>,
    pub counselling: Vec<CounsellingSession>,
    /// Newest first; without the cases (the page adds those it shows, in its language).
    pub timeline: Vec<TimelineEntry>,
    /// Protection cases the viewer may open, and how many more they may not.
    pub cases: Vec<crate::cases::Case>,
    pub cases_restricted: usize,
    pub can_edit: bool,
    /// To open an episode with (only when `can_edit`): active agencies, selectable job orders.
    pub choices: std::sync::Arc<crate::PlacementChoices>,
}

/// The person's page: loads the person if visible to the caller and audits the view.
pub async fn dossier(
    state: &AppState,
    caller: crate::cases::Caller<'_>,
    actor: &Actor,
    id: i64,
) -> crate::error::Result<Dossier> {
    let person = visible_person(state, caller.principal, id).await?.ok_or(crate::Error::NotFound)?;
    audit_view(state, actor, &person).await?;
    dossier_of(state, caller, person).await
}

/// The page of a person already loaded through [`dossier`] or [`editable`] (re-shown with the
/// errors of a form), not audited again.
pub async fn dossier_of(
    state: &AppState,
    caller: crate::cases::Caller<'_>,
    person: Person,
) -> crate::error::Result<Dossier> {
    let principal = caller.principal;
    if !person.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v))) {
        return Err(crate::Error::NotFound);
    }
    let fields = domain::privacy::fields(principal.role);
    let person = redact(principal, person);
    let relatives = store::persons::relatives(&state.db, person.id).await?;
    let consents = store::persons::consents(&state.db, person.id).await?;
    let (episodes, counselling) = if fields.placement {
        (
            store::episodes::for_person(&state.db, person.id).await?,
            store::persons::counselling(&state.db, person.id).await?,
        )
    } else {
        (vec![], vec![])
    };
    let mut timeline = store::persons::timeline(&state.db, &person).await?;
    // Placement steps and pre-departure counselling are placement data.
    timeline.retain(|e| fields.placement || !matches!(e.kind.as_str(), "episode_step" | "counselling"));
    let (cases, cases_restricted) =
        if fields.cases { crate::cases::cases_of_person(state, caller, person.id, None).await? } else { (vec![], 0) };
    let can_edit = person.village().is_some_and(|vc| principal.can(Action::EditPerson, Some(&vc)));
    // The same lists for every person: read from the server's short-lived copy.
    let choices = if can_edit { state.placement_choices().await? } else { Default::default() };
    Ok(Dossier {
        person,
        fields,
        relatives,
        consents,
        episodes,
        counselling,
        timeline,
        cases,
        cases_restricted,
        can_edit,
        choices,
    })
}

/// Sets or clears the "under investigation" mark (a note is required to set it).
pub async fn set_investigation(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person: &Person,
    flag: bool,
    note: &str,
) -> crate::error::Result<()> {
    check_edit(principal, person)?;
    let mut errs = ValidationErrors::new();
    let note = domain::validation::text(&mut errs, "note", note, if flag { 1 } else { 0 }, 500);
    errs.into_result()?;
    store::persons::set_investigation(&state.db, actor, person, flag, &note).await?;
    Ok(())
}

/// Links a relative found by exact NIK among the people the caller may see.
pub async fn add_relative(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person: &Person,
    relative_nik: &str,
    relation: &str,
) -> crate::error::Result<()> {
    check_edit(principal, person)?;
    let mut errs = ValidationErrors::new();
    if !["spouse", "parent", "child", "guardian"].contains(&relation) {
        errs.add("relation", Rule::OneOf, "spouse, parent, child or guardian");
    }
    let within = search_area(principal, None).map_err(|_| crate::Error::Forbidden)?;
    let filter = store::persons::Filter { nik: Some(relative_nik.trim().to_string()), within, ..Default::default() };
    let relative = store::persons::search(&state.db, &filter, 1).await?.into_iter().next();
    match &relative {
        None => {
            errs.add("relative_nik", Rule::UnknownRegion, "no person with this NIK in your region; register them first")
        }
        Some(r) if r.id == person.id => {
            errs.add("relative_nik", Rule::Mismatch, "a person cannot be their own relative")
        }
        Some(_) => {}
    }
    errs.into_result()?;
    let relative = relative.ok_or(crate::Error::NotFound)?;
    store::persons::add_link(&state.db, actor, person, &relative, relation).await?;
    Ok(())
}

/// Records a pre-departure counselling session.
pub async fn add_counselling(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person: &Person,
    input: &domain::service_center::counselling::CounsellingInput<'_>,
) -> crate::error::Result<()> {
    check_edit(principal, person)?;
    let c = domain::service_center::counselling::validate_counselling(input, state.today())?;
    store::persons::add_counselling(&state.db, actor, person, &c).await?;
    Ok(())
}
