//! People pages: search and list within the user's region, registration with NIK
//! warnings to confirm, the person's page with family links, consents and the
//! "under investigation" mark.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use crate::error::PageForm;
use crate::people::{self, Consent, CounsellingSession, Person, RegisterError, Relative, TimelineEntry};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::national_ids::ExternalIdKind;
use domain::nik::NikIssue;
use domain::person::NewPersonInput;
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "persons.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    villages: super::RegionNames,
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
    /// track conflicts: the catalogue sentences static/rules/check.js shows (JSON).
    rules_messages: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    t: crate::i18n::T,
    village_name: String,
    person: Person,
    relatives: Vec<Relative>,
    consents: Vec<Consent>,
    episodes: Vec<crate::episodes::Episode>,
    /// The episode form's agencies and job orders (the server's shared copy).
    choices: std::sync::Arc<app::PlacementChoices>,
    counselling: Vec<CounsellingSession>,
    timeline: Vec<TimelineEntry>,
    /// Protection cases of this person the viewer may open, and how many more they may not.
    cases: Vec<crate::cases::Case>,
    cases_restricted: usize,
    /// The field groups the viewer's role sees (`domain::privacy::fields`).
    fields: domain::privacy::Fields,
    today: String,
    can_edit: bool,
    errors: FormErrors,
    saved: bool,
    /// National ids, BPJS membership and the Dukcapil check (identity data).
    national: crate::national_ids::PersonNational,
    /// The national ids form as typed (after a refusal) or as stored.
    ids_form: IdsForm,
    /// NIK, KK number and phone as shown until "tampilkan" (`domain::screens`).
    nik_masked: String,
    kk_masked: String,
    phone_masked: String,
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
    /// A national id (SIAPkerja, ID PMI, Sisko P2MI, E-KPMI), exact.
    #[serde(default)]
    pub external_id: String,
    #[serde(default)]
    pub after: Option<i64>,
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = v.t();
    let query = people::PersonQuery {
        nik: Some(q.nik.clone()),
        name: q.q.clone(),
        region: None,
        // Unknown values are ignored rather than refused: they come from our own select.
        category: domain::person::PersonCategory::parse(&q.category),
        episode_state: domain::service_center::EpisodeState::parse(&q.state),
        destination: domain::service_center::CountryCode::parse(&q.destination),
        external_id: Some(q.external_id.clone()),
        after: q.after,
        limit: PAGE_SIZE,
    };
    // A search by a field the role does not see is refused (a 403 page, as a link cannot ask it).
    let people::PersonPage { items: people, next_after } =
        people::search(&state, &v.principal, &v.actor(), query).await.map_err(|e| match e {
            app::Error::Invalid(_) => PageError::forbidden(v.lang()),
            e => PageError::from_app(e, v.lang()),
        })?;
    let can_register = v.can(Action::EditPerson, v.principal.scope.code());
    let villages = super::RegionNames::load(&state, people.iter().map(|p| p.village_code.as_str()))
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    render(
        &ListPage {
            layout: Layout::for_viewer(&v, t.get("persons.title"), "/persons"),
            t,
            villages,
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
    /// track conflicts: the record's version the edit form was filled from (edits only).
    #[serde(default)]
    pub base_version: String,
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
            rules_messages: rules_messages(v.lang()),
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
    person_page_typed(state, v, person, errors, saved, None).await
}

async fn person_page_typed(
    state: &AppState,
    v: &Viewer,
    person: Person,
    errors: FormErrors,
    saved: bool,
    typed: Option<IdsForm>,
) -> Result<Response, PageError> {
    let d = people::dossier_of(state, crate::cases::Caller::new(&v.principal, &v.user), person)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    page_of(state, v, d, errors, saved, typed).await
}

async fn page_of(
    state: &AppState,
    v: &Viewer,
    d: people::Dossier,
    errors: FormErrors,
    saved: bool,
    typed: Option<IdsForm>,
) -> Result<Response, PageError> {
    let national = crate::national_ids::of_person(state, &v.principal, &d.person)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let ids_form = typed.unwrap_or_else(|| IdsForm {
        csrf: String::new(),
        siapkerja_id: national.id(ExternalIdKind::SiapkerjaRegistration).to_string(),
        id_pmi: national.id(ExternalIdKind::IdPmi).to_string(),
    });
    let t = v.t();
    let people::Dossier {
        person,
        fields,
        relatives,
        consents,
        episodes,
        counselling,
        mut timeline,
        cases,
        cases_restricted,
        can_edit,
        choices,
    } = d;
    // Cases the viewer may open join the timeline on the day they were opened.
    for c in &cases {
        if let Ok(at) = time::OffsetDateTime::from_unix_timestamp(c.created_at) {
            timeline.push(TimelineEntry {
                on_date: at.date().to_string(),
                kind: "case_opened".into(),
                what: format!("#{} {}", c.id, t.label("case_type", &c.case_type)),
                episode_id: None,
            });
        }
    }
    timeline.sort_by(|a, b| b.on_date.cmp(&a.on_date));
    let villages = super::RegionNames::load(state, [person.village_code.as_str()])
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let village_name = villages.name(&person.village_code).to_string();
    let failed = errors.any();
    let page = render(
        &PersonPage {
            village_name,
            // No name in the title: a tab or a shared screen's window list shows it (issue 17).
            layout: Layout::for_viewer(
                v,
                format!("{} #{}", t.get("screens.person_title"), person.id),
                &format!("/persons/{}", person.id),
            ),
            t,
            nik_masked: domain::screens::mask_nik(&person.nik),
            kk_masked: domain::screens::mask_nik(person.kk_number.as_deref().unwrap_or("")),
            phone_masked: domain::screens::mask_phone(&person.phone),
            person,
            relatives,
            consents,
            episodes,
            choices,
            counselling,
            timeline,
            cases,
            cases_restricted,
            fields,
            today: state.today().to_string(),
            can_edit,
            errors,
            saved,
            national,
            ids_form,
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

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let d = people::dossier(&state, crate::cases::Caller::new(&v.principal, &v.user), &v.actor(), id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    page_of(&state, &v, d, FormErrors::default(), q.saved.is_some(), None).await
}

#[derive(Deserialize, Default)]
pub struct IdsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    siapkerja_id: String,
    #[serde(default)]
    id_pmi: String,
}

/// Sets the person's SIAPkerja registration and ID PMI; a refusal shows the form as typed.
pub async fn set_external_ids(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<IdsForm>,
) -> Result<Response, PageError> {
    let person = load_for_edit(&state, &v, id, &f.csrf).await?;
    let values =
        [(ExternalIdKind::SiapkerjaRegistration, f.siapkerja_id.as_str()), (ExternalIdKind::IdPmi, f.id_pmi.as_str())];
    match crate::national_ids::set_person_ids(&state, &v.principal, &v.actor(), id, &values).await {
        Ok(()) => Ok(Redirect::to(&format!("/persons/{id}?saved=1")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            person_page_typed(&state, &v, person, FormErrors::new(v.t(), errs), false, Some(f)).await
        }
        Err(other) => Err(PageError::from_app(other, v.lang())),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Checks the person's record against Dukcapil again (when the adapter is configured).
pub async fn dukcapil_check(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let person = load_for_edit(&state, &v, id, &f.csrf).await?;
    let r = crate::national_ids::recheck(&state, &v.principal, &v.actor(), id).await.map(|_| ());
    after_change(&state, &v, person, r, format!("/persons/{id}?saved=1#national")).await
}

/// Loads a person for a change and checks the edit right.
async fn load_for_edit(state: &AppState, v: &Viewer, id: i64, csrf: &str) -> Result<Person, PageError> {
    v.check_csrf(csrf)?;
    people::editable(state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))
}

/// After a change: back to the person's page, or the page again with the form's errors.
async fn after_change(
    state: &AppState,
    v: &Viewer,
    person: Person,
    result: app::error::Result<()>,
    to: String,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&to).into_response()),
        Err(app::Error::Invalid(errs)) => person_page(state, v, person, FormErrors::new(v.t(), errs), false).await,
        Err(other) => Err(PageError::from_app(other, v.lang())),
    }
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
    let r = people::set_investigation(&state, &v.principal, &v.actor(), &person, f.flag == "1", &f.note).await;
    after_change(&state, &v, person, r, format!("/persons/{id}?saved=1")).await
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
    // Only relatives this user may see can be linked (the lookup is by exact NIK, in scope).
    let r = people::add_relative(&state, &v.principal, &v.actor(), &person, &f.relative_nik, &f.relation).await;
    after_change(&state, &v, person, r, format!("/persons/{id}?saved=1")).await
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
    after_change(&state, &v, person, r, format!("/persons/{id}?saved=1")).await
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
    let r = people::add_counselling(&state, &v.principal, &v.actor(), &person, &input).await;
    after_change(&state, &v, person, r, format!("/persons/{id}?saved=1#counselling")).await
}

pub async fn edit_form(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let person = people::editable(&state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
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
        base_version: person.version.to_string(),
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
    // The version the form was filled from: fields others changed since are not overwritten
    // (docs/OFFLINE.md "Conflicts"). A form without it is as old as the record now.
    let base_version = f.base_version.trim().parse::<i64>().unwrap_or(before.version);
    let fields = people::input_fields(&input);
    let req = people::EditRequest {
        base_version,
        fields: &fields,
        confirm_warnings: input.confirm_warnings,
        resolving: None,
    };
    match people::edit(&state, &v.principal, &v.actor(), id, &req).await {
        Ok(out) if out.review.is_empty() => {
            Ok(Redirect::to(&format!("/persons/{}?saved=1", out.person.id)).into_response())
        }
        // Some fields met another officer's change: show them on the review list.
        Ok(out) => Ok(Redirect::to(&format!("/persons/conflicts?person={}", out.person.id)).into_response()),
        Err(people::EditError::Unconfirmed(w)) => {
            form_page(&v, PersonForm { confirm_warnings: None, ..f }, FormErrors::default(), w, Some(id))
        }
        Err(people::EditError::Refused(app::Error::Invalid(e))) => {
            form_page(&v, PersonForm { confirm_warnings: None, ..f }, FormErrors::new(v.t(), e), vec![], Some(id))
        }
        Err(people::EditError::Refused(e)) => Err(PageError::from_app(e, v.lang())),
    }
}

// ---- track conflicts: the sentences the browser's rules (static/rules/check.js) need ----

/// The catalogue entries the person form's checks in the browser can show, as JSON safe inside
/// a `<script>` element: the rules' generic sentences, the refusals' own ones, the field labels
/// and the NIK findings (the same lookup as `app::i18n::field_message`, in check.js).
fn rules_messages(lang: crate::i18n::Lang) -> String {
    const RULES: [&str; 10] = [
        "required",
        "too_short",
        "too_long",
        "format",
        "one_of",
        "unknown_region",
        "scope_level",
        "out_of_range",
        "taken",
        "mismatch",
    ];
    let mut keys: Vec<String> = [
        "msg.this_field",
        "msg.too_short_min",
        "msg.too_long_max",
        "msg.too_long_max_got",
        "msg.format_digits",
        "msg.format_expected",
        "msg.out_of_range_min",
        "msg.out_of_range_max",
        "msg.out_of_range_min_max",
        "msg_key.nik_length",
        "msg_key.date_format",
        "msg_key.not_in_future",
        "msg_key.birth_before_1900",
        "msg_key.village_code_format",
        "msg_key.phone_format",
        "msg_key.sex_one_of",
        "persons.warnings_title",
        "persons.warnings_hint",
        "persons.confirm_warnings",
    ]
    .iter()
    .map(|k| k.to_string())
    .collect();
    keys.extend(RULES.iter().map(|r| format!("msg.{r}")));
    for code in [
        "length",
        "digits",
        "unknown_province",
        "impossible_date",
        "serial_zero",
        "birth_date_mismatch",
        "sex_mismatch",
        "unknown_district",
    ] {
        keys.push(format!("nik.{code}"));
    }
    for field in domain::person_merge::EDITABLE_FIELDS {
        keys.push(format!("field.{field}"));
        keys.extend(RULES.iter().map(|r| format!("msg_field.{field}.{r}")));
    }
    let map: std::collections::BTreeMap<String, &str> =
        keys.into_iter().filter_map(|k| crate::i18n::lookup(lang, &k).map(|v| (k, v))).collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into()).replace('<', "\\u003c")
}
