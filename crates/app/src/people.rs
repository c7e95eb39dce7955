//! Person registration shared by the pages, the API and (later) imports: validate,
//! check scope, refuse duplicates without revealing what lies outside the user's region.

use crate::App as AppState;
use domain::access::{Action, Principal};
use domain::nik::NikIssue;
use domain::person::{NewPersonInput, PersonRejection, validate_new_person};
use domain::{RegionCode, Rule, ValidationErrors};
use store::audit::Actor;
use store::persons::{CreateError, Person};

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

/// Corrects a person's record with the same rules as registration.
pub async fn correct(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    before: &Person,
    input: &NewPersonInput<'_>,
) -> Result<Person, RegisterError> {
    save(state, principal, actor, input, Some(before)).await
}

async fn save(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &NewPersonInput<'_>,
    before: Option<&Person>,
) -> Result<Person, RegisterError> {
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
    if !principal.can(Action::EditPerson, Some(&new.village_code)) {
        return Err(RegisterError::Invalid(ValidationErrors::single(
            "village_code",
            Rule::Mismatch,
            "this village is outside your region",
        )));
    }
    let saved = match before {
        None => store::persons::create(&state.db, actor, &new).await,
        Some(b) => store::persons::update(&state.db, actor, b, &new).await,
    };
    match saved {
        Ok(p) => Ok(p),
        Err(CreateError::DuplicateNik { existing_id, village_code }) => {
            // Whose record it is and where is told only to someone who may see it.
            let visible = village_code.parse::<RegionCode>().is_ok_and(|v| principal.can(Action::ViewPerson, Some(&v)));
            let detail = if visible {
                format!("this NIK is already registered: person #{existing_id}")
            } else {
                "this NIK is already registered outside your region; ask your regency office (Disnaker) to check it"
                    .to_string()
            };
            Err(RegisterError::Invalid(ValidationErrors::single("nik", Rule::Taken, detail)))
        }
        Err(CreateError::Store(e)) => Err(RegisterError::Store(e)),
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
