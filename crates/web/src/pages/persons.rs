//! People pages: search and list within the user's region, registration with NIK
//! warnings to confirm, the person's page with family links, consents and the
//! "under investigation" mark.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use crate::error::PageForm;
use crate::people::{self, RegisterError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::nik::NikIssue;
use domain::person::NewPersonInput;
use domain::{Rule, ValidationErrors};
use serde::Deserialize;
use store::persons::{Consent, Person, Relative};

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "persons.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    people: Vec<Person>,
    query: ListQuery,
    can_register: bool,
    next_after: Option<i64>,
}

#[derive(Template)]
#[template(path = "person_new.html")]
struct NewPage {
    layout: Layout,
    t: crate::i18n::T,
    form: PersonForm,
    errors: FormErrors,
    warnings: Vec<NikIssue>,
    /// Where the form posts: `/persons` to register, `/persons/{id}/edit` to correct.
    action: String,
    editing: bool,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    t: crate::i18n::T,
    person: Person,
    relatives: Vec<Relative>,
    consents: Vec<Consent>,
    episodes: Vec<store::episodes::Episode>,
    agencies: Vec<store::agencies::Agency>,
    job_orders: Vec<store::job_orders::JobOrder>,
    counselling: Vec<store::persons::CounsellingSession>,
    timeline: Vec<store::persons::TimelineEntry>,
    /// Protection cases of this person the viewer may open, and how many more they may not.
    cases: Vec<store::cases::Case>,
    cases_restricted: usize,
    /// The field groups the viewer's role sees (`domain::privacy::fields`).
    fields: domain::privacy::Fields,
    today: String,
    can_edit: bool,
    errors: FormErrors,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub nik: String,
    #[serde(default)]
    pub category: String,
    /// An episode state (registered … returned).
    #[serde(default)]
    pub state: String,
    /// An episode destination (country code).
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub after: Option<i64>,
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = v.t();
    let within = people::search_area(&v.principal, None).map_err(|_| PageError::forbidden(v.lang()))?;
    // A search by NIK or by time abroad would tell a role that may not see those fields what
    // they are (`domain::privacy::field_visible`).
    let fields = domain::privacy::fields(v.principal.role);
    let by_placement = !q.state.trim().is_empty() || !q.destination.trim().is_empty();
    if (!fields.identity && !q.nik.trim().is_empty()) || (!fields.placement && by_placement) {
        return Err(PageError::forbidden(v.lang()));
    }
    let f = store::persons::Filter {
        nik: Some(q.nik.trim().to_string()).filter(|n| !n.is_empty()),
        name_keys: people::name_keys(&q.q),
        within,
        category: Some(q.category.clone()).filter(|c| domain::person::PersonCategory::parse(c).is_some()),
        // Unknown values are ignored rather than refused: they come from our own select.
        episode_state: domain::service_center::EpisodeState::parse(&q.state).map(|s| s.as_str().to_string()),
        destination: domain::service_center::CountryCode::parse(&q.destination).map(|c| c.as_str().to_string()),
        after_id: q.after,
    };
    let err = || PageError::internal(v.lang());
    let mut people = store::persons::search(&state.db, &f, PAGE_SIZE + 1).await.map_err(err())?;
    let next_after = (people.len() as i64 > PAGE_SIZE).then(|| people[PAGE_SIZE as usize - 1].id);
    people.truncate(PAGE_SIZE as usize);
    if !people.is_empty() {
        let ids = people.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(",");
        let ev = store::audit::Event {
            action: "person.search",
            entity: "person",
            entity_id: &ids,
            region_code: f.within.as_ref().map(|w| w.as_str()).unwrap_or(""),
            details: &format!("results={}", people.len()),
        };
        store::audit::append_now(&state.db, &v.actor(), &ev).await.map_err(err())?;
    }
    let can_register = v.can(Action::EditPerson, v.principal.scope.code());
    render(
        &ListPage {
            layout: Layout::for_viewer(&v, t.get("persons.title"), "/persons"),
            t,
            people,
            query: q,
            can_register,
            next_after,
        },
        v.lang(),
    )
}

#[derive(Deserialize, Default)]
pub struct PersonForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub nik: String,
    #[serde(default)]
    pub kk_number: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub birth_place: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub contact_abroad: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub confirm_warnings: Option<String>,
}

impl PersonForm {
    /// The form's fields as the registration rules read them.
    fn input(&self) -> NewPersonInput<'_> {
        NewPersonInput {
            nik: &self.nik,
            kk_number: &self.kk_number,
            full_name: &self.full_name,
            sex: &self.sex,
            birth_date: &self.birth_date,
            birth_place: &self.birth_place,
            village_code: &self.village_code,
            address: &self.address,
            phone: &self.phone,
            contact_abroad: &self.contact_abroad,
            category: &self.category,
            confirm_warnings: self.confirm_warnings.is_some(),
        }
    }
}

fn new_page(v: &Viewer, form: PersonForm, errors: FormErrors, warnings: Vec<NikIssue>) -> Result<Response, PageError> {
    form_page(v, form, errors, warnings, None)
}

/// The registration form, or the same form correcting person `editing`.
fn form_page(
    v: &Viewer,
    form: PersonForm,
    errors: FormErrors,
    warnings: Vec<NikIssue>,
    editing: Option<i64>,
) -> Result<Response, PageError> {
    let t = v.t();
    let failed = errors.any() || !warnings.is_empty();
    let (title, action) = match editing {
        Some(id) => (t.get("persons.edit"), format!("/persons/{id}/edit")),
        None => (t.get("persons.new"), "/persons".to_string()),
    };
    let page = render(
        &NewPage {
            layout: Layout::for_viewer(v, title, &action),
            t,
            form,
            errors,
            warnings,
            action,
            editing: editing.is_some(),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

pub async fn new_form(v: Viewer) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    // A village officer registers residents of their own village: prefill it.
    let village_code = v
        .principal
        .scope
        .code()
        .filter(|c| c.level() == domain::RegionLevel::Village)
        .map(|c| c.to_string())
        .unwrap_or_default();
    new_page(&v, PersonForm { village_code, ..Default::default() }, FormErrors::default(), vec![])
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<PersonForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let input = f.input();
    match people::register(&state, &v.principal, &v.actor(), &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/persons/{}?saved=1", p.id)).into_response()),
        Err(RegisterError::Forbidden) => Err(PageError::forbidden(v.lang())),
        Err(RegisterError::Invalid(e)) => {
            new_page(&v, PersonForm { confirm_warnings: None, ..f }, FormErrors::new(v.t(), e), vec![])
        }
        Err(RegisterError::Unconfirmed(w)) => {
            new_page(&v, PersonForm { confirm_warnings: None, ..f }, FormErrors::default(), w)
        }
        Err(RegisterError::Store(e)) => Err(PageError::internal(v.lang())(e)),
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn person_page(
    state: &AppState,
    v: &Viewer,
    person: Person,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let err = || PageError::internal(v.lang());
    let fields = domain::privacy::fields(v.principal.role);
    let person = people::redact(&v.principal, person);
    let relatives = store::persons::relatives(&state.db, person.id).await.map_err(err())?;
    let consents = store::persons::consents(&state.db, person.id).await.map_err(err())?;
    let (episodes, counselling) = if fields.placement {
        (
            store::episodes::for_person(&state.db, person.id).await.map_err(err())?,
            store::persons::counselling(&state.db, person.id).await.map_err(err())?,
        )
    } else {
        (vec![], vec![])
    };
    let mut timeline = store::persons::timeline(&state.db, person.id).await.map_err(err())?;
    // Placement steps and pre-departure counselling are placement data.
    timeline.retain(|e| fields.placement || !matches!(e.kind.as_str(), "episode_step" | "counselling"));
    let (cases, cases_restricted) = if fields.cases {
        crate::cases::cases_of_person(state, crate::cases::Caller::new(&v.principal, &v.user), person.id, None)
            .await
            .map_err(err())?
    } else {
        (vec![], 0)
    };
    // Cases the viewer may open join the timeline on the day they were opened.
    for c in &cases {
        if let Ok(at) = time::OffsetDateTime::from_unix_timestamp(c.created_at) {
            timeline.push(store::persons::TimelineEntry {
                on_date: at.date().to_string(),
                kind: "case_opened".into(),
                what: format!("#{} {}", c.id, t.label("case_type", &c.case_type)),
                episode_id: None,
            });
        }
    }
    timeline.sort_by(|a, b| b.on_date.cmp(&a.on_date));
    let can_edit = person.village().is_some_and(|vc| v.can(Action::EditPerson, Some(&vc)));
    // The registry to choose a recruiter from when opening an episode (active ones only).
    let agencies = if can_edit {
        store::agencies::search(&state.db, &[], None, 500)
            .await
            .map_err(err())?
            .into_iter()
            .filter(|a| a.status == "active")
            .collect()
    } else {
        vec![]
    };
    // Only verified, valid job orders of active agencies can be chosen.
    let job_orders = if can_edit {
        store::job_orders::list_selectable(&state.db, state.today()).await.map_err(err())?
    } else {
        vec![]
    };
    let failed = errors.any();
    let page = render(
        &PersonPage {
            layout: Layout::for_viewer(v, person.full_name.clone(), &format!("/persons/{}", person.id)),
            t,
            person,
            relatives,
            consents,
            episodes,
            agencies,
            job_orders,
            counselling,
            timeline,
            cases,
            cases_restricted,
            fields,
            today: state.today().to_string(),
            can_edit,
            errors,
            saved,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

/// The person's page re-shown with errors of a form posted elsewhere (opening an episode).
pub(super) async fn person_page_with_errors(
    state: &AppState,
    v: &Viewer,
    person: Person,
    errors: FormErrors,
) -> Result<Response, PageError> {
    person_page(state, v, person, errors, false).await
}

/// The person if visible to this viewer; 404 otherwise (also outside the scope).
async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Person, PageError> {
    people::visible_person(state, &v.principal, id)
        .await
        .map_err(PageError::internal(v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let person = load(&state, &v, id).await?;
    people::audit_view(&state, &v.actor(), &person).await.map_err(PageError::internal(v.lang()))?;
    person_page(&state, &v, person, FormErrors::default(), q.saved.is_some()).await
}

/// Loads a person for a change and checks the edit right.
async fn load_for_edit(state: &AppState, v: &Viewer, id: i64, csrf: &str) -> Result<Person, PageError> {
    v.check_csrf(csrf)?;
    let person = load(state, v, id).await?;
    let village = person.village().ok_or_else(|| PageError::not_found(v.lang()))?;
    v.require(Action::EditPerson, Some(&village))?;
    Ok(person)
}

#[derive(Deserialize)]
pub struct InvestigationForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    note: String,
}

pub async fn set_investigation(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<InvestigationForm>,
) -> Result<Response, PageError> {
    let person = load_for_edit(&state, &v, id, &f.csrf).await?;
    let flag = f.flag == "1";
    let mut errs = ValidationErrors::new();
    let note = domain::validation::text(&mut errs, "note", &f.note, if flag { 1 } else { 0 }, 500);
    if !errs.is_empty() {
        return person_page(&state, &v, person, FormErrors::new(v.t(), errs), false).await;
    }
    store::persons::set_investigation(&state.db, &v.actor(), &person, flag, &note)
        .await
        .map_err(PageError::internal(v.lang()))?;
    Ok(Redirect::to(&format!("/persons/{id}?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct RelativeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    relative_nik: String,
    #[serde(default)]
    relation: String,
}

pub async fn add_relative(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<RelativeForm>,
) -> Result<Response, PageError> {
    let person = load_for_edit(&state, &v, id, &f.csrf).await?;
    let err = || PageError::internal(v.lang());
    let mut errs = ValidationErrors::new();
    if !["spouse", "parent", "child", "guardian"].contains(&f.relation.as_str()) {
        errs.add("relation", Rule::OneOf, "spouse, parent, child or guardian");
    }
    // Only relatives this user may see can be linked (the lookup is by exact NIK, in scope).
    let within = people::search_area(&v.principal, None).map_err(|_| PageError::forbidden(v.lang()))?;
    let filter = store::persons::Filter { nik: Some(f.relative_nik.trim().to_string()), within, ..Default::default() };
    let relative = store::persons::search(&state.db, &filter, 1).await.map_err(err())?.into_iter().next();
    match &relative {
        None => {
            errs.add("relative_nik", Rule::UnknownRegion, "no person with this NIK in your region; register them first")
        }
        Some(r) if r.id == person.id => {
            errs.add("relative_nik", Rule::Mismatch, "a person cannot be their own relative")
        }
        Some(_) => {}
    }
    match relative {
        Some(r) if errs.is_empty() => {
            store::persons::add_link(&state.db, &v.actor(), &person, &r, &f.relation).await.map_err(err())?;
            Ok(Redirect::to(&format!("/persons/{id}?saved=1")).into_response())
        }
        _ => person_page(&state, &v, person, FormErrors::new(v.t(), errs), false).await,
    }
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    data_scope: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    granted: String,
    #[serde(default)]
    given_on: String,
}

pub async fn add_consent(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ConsentForm>,
) -> Result<Response, PageError> {
    let person = load_for_edit(&state, &v, id, &f.csrf).await?;
    let r = people::add_consent(
        &state,
        &v.principal,
        &v.actor(),
        &person,
        &f.data_scope,
        &f.recipient,
        f.granted == "1",
        &f.given_on,
    )
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/persons/{id}?saved=1")).into_response()),
        Err(app::Error::Invalid(errs)) => person_page(&state, &v, person, FormErrors::new(v.t(), errs), false).await,
        Err(other) => Err(PageError::from_app(other, v.lang())),
    }
}

#[derive(Deserialize)]
pub struct CounsellingForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    topics: String,
    #[serde(default)]
    counsellor: String,
    #[serde(default)]
    notes: String,
}

pub async fn add_counselling(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CounsellingForm>,
) -> Result<Response, PageError> {
    let person = load_for_edit(&state, &v, id, &f.csrf).await?;
    let input = domain::service_center::counselling::CounsellingInput {
        held_on: &f.held_on,
        topics: &f.topics,
        counsellor: &f.counsellor,
        notes: &f.notes,
    };
    match domain::service_center::counselling::validate_counselling(&input, state.today()) {
        Ok(c) => {
            store::persons::add_counselling(&state.db, &v.actor(), &person, &c)
                .await
                .map_err(PageError::internal(v.lang()))?;
            Ok(Redirect::to(&format!("/persons/{id}?saved=1#counselling")).into_response())
        }
        Err(errs) => person_page(&state, &v, person, FormErrors::new(v.t(), errs), false).await,
    }
}

pub async fn edit_form(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let person = load(&state, &v, id).await?;
    let village = person.village().ok_or_else(|| PageError::not_found(v.lang()))?;
    v.require(Action::EditPerson, Some(&village))?;
    let form = PersonForm {
        nik: person.nik.clone(),
        kk_number: person.kk_number.clone().unwrap_or_default(),
        full_name: person.full_name.clone(),
        sex: person.sex.clone(),
        birth_date: person.birth_date.clone(),
        birth_place: person.birth_place.clone(),
        village_code: person.village_code.clone(),
        address: person.address.clone(),
        phone: person.phone.clone(),
        contact_abroad: person.contact_abroad.clone(),
        category: person.category.clone(),
        ..Default::default()
    };
    form_page(&v, form, FormErrors::default(), vec![], Some(id))
}

pub async fn edit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<PersonForm>,
) -> Result<Response, PageError> {
    let before = load_for_edit(&state, &v, id, &f.csrf).await?;
    let input = f.input();
    match people::correct(&state, &v.principal, &v.actor(), &before, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/persons/{}?saved=1", p.id)).into_response()),
        Err(RegisterError::Forbidden) => Err(PageError::forbidden(v.lang())),
        Err(RegisterError::Invalid(e)) => {
            form_page(&v, PersonForm { confirm_warnings: None, ..f }, FormErrors::new(v.t(), e), vec![], Some(id))
        }
        Err(RegisterError::Unconfirmed(w)) => {
            form_page(&v, PersonForm { confirm_warnings: None, ..f }, FormErrors::default(), w, Some(id))
        }
        Err(RegisterError::Store(e)) => Err(PageError::internal(v.lang())(e)),
    }
}
