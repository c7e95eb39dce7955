//! Migration episode pages: open one from a person's page, move it through its steps,
//! keep its documents checklist, record costs and contacts, and the officer's worklist.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::episodes::{self as ep, EpisodeView};
use crate::error::{PageError, PageForm};
use crate::people;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::person::parse_date;
use domain::service_center::{self as sc, ReturnReason};
use domain::{Rule, ValidationErrors};
use serde::Deserialize;
use store::episodes::{Episode, EpisodeEvent, OpenEpisode};
use store::persons::Person;

#[derive(Template)]
#[template(path = "episode.html")]
struct EpisodePage {
    layout: Layout,
    t: crate::i18n::T,
    person: Person,
    view: EpisodeView,
    events: Vec<EpisodeEvent>,
    next_states: Vec<&'static str>,
    can_edit: bool,
    is_supervisor: bool,
    errors: FormErrors,
    saved: bool,
    return_reasons: Vec<&'static str>,
    today: String,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    layout: Layout,
    t: crate::i18n::T,
    items: Vec<WorkItem>,
    /// Every risk flag code, for the filter.
    flags: Vec<&'static str>,
    /// The chosen one, or empty.
    flag: String,
    /// Protection cases I handle that are past their due date (issue 4).
    overdue_cases: Vec<store::cases::Case>,
}

pub struct WorkItem {
    pub open: OpenEpisode,
    pub view: EpisodeView,
    /// Documents verified but expiring within 30 days.
    pub expiring: Vec<&'static str>,
    pub return_due_this_month: bool,
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<(Episode, Person), PageError> {
    ep::visible_episode(state, &v.principal, id)
        .await
        .map_err(PageError::internal(v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))
}

async fn load_for_edit(state: &AppState, v: &Viewer, id: i64, csrf: &str) -> Result<(Episode, Person), PageError> {
    v.check_csrf(csrf)?;
    let (e, p) = load(state, v, id).await?;
    let village = e.village().ok_or_else(|| PageError::not_found(v.lang()))?;
    v.require(Action::EditPerson, Some(&village))?;
    Ok((e, p))
}

async fn page(
    state: &AppState,
    v: &Viewer,
    e: Episode,
    person: Person,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let err = || PageError::internal(v.lang());
    let today = state.today();
    let events = store::episodes::events(&state.db, e.id).await.map_err(err())?;
    let view = ep::load_view(state, e, today).await.map_err(err())?;
    let can_edit = view.episode.village().is_some_and(|vc| v.can(Action::EditPerson, Some(&vc)));
    let failed = errors.any();
    let resp = render(
        &EpisodePage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", person.full_name, view.episode.destination),
                &format!("/episodes/{}", view.episode.id),
            ),
            t,
            next_states: view.state.next_states().iter().map(|s| s.as_str()).collect(),
            person,
            view,
            events,
            can_edit,
            is_supervisor: ep::is_supervisor(&v.principal),
            errors,
            saved,
            return_reasons: ReturnReason::ALL.iter().map(|r| r.as_str()).collect(),
            today: today.to_string(),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, PageError> {
    let (e, person) = load(&state, &v, id).await?;
    people::audit_view(&state, &v.actor(), &person).await.map_err(PageError::internal(v.lang()))?;
    page(&state, &v, e, person, FormErrors::default(), q.saved.is_some()).await
}

#[derive(Deserialize, Default)]
pub struct OpenForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    scheme: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    job_type: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    job_order_id: String,
    #[serde(default)]
    recruiter_name: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    planned_departure: String,
    #[serde(default)]
    contract_start: String,
    #[serde(default)]
    contract_end: String,
    #[serde(default)]
    sisko_id: String,
    #[serde(default)]
    ekpmi_id: String,
}

/// Opens an episode for a person; errors come back on the person's page.
pub async fn open(
    State(state): State<AppState>,
    v: Viewer,
    Path(person_id): Path<i64>,
    PageForm(f): PageForm<OpenForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let err = || PageError::internal(v.lang());
    let person = people::visible_person(&state, &v.principal, person_id)
        .await
        .map_err(err())?
        .ok_or_else(|| PageError::not_found(v.lang()))?;
    let village = person.village().ok_or_else(|| PageError::not_found(v.lang()))?;
    v.require(Action::EditPerson, Some(&village))?;
    let input = sc::NewEpisodeInput {
        category: &f.category,
        scheme: &f.scheme,
        destination: &f.destination,
        job_type: &f.job_type,
        agency_id: &f.agency_id,
        job_order_id: &f.job_order_id,
        recruiter_name: &f.recruiter_name,
        employer: &f.employer,
        planned_departure: &f.planned_departure,
        contract_start: &f.contract_start,
        contract_end: &f.contract_end,
        sisko_id: &f.sisko_id,
        ekpmi_id: &f.ekpmi_id,
    };
    match ep::open(&state, &v.actor(), &person, &input).await.map_err(err())? {
        Ok(e) => Ok(Redirect::to(&format!("/episodes/{}?saved=1", e.id)).into_response()),
        Err(errs) => super::persons::person_page_with_errors(&state, &v, person, FormErrors::new(v.t(), errs)).await,
    }
}

#[derive(Deserialize, Default)]
pub struct TransitionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    step: ep::StepInput,
}

pub async fn transition(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<TransitionForm>,
) -> Result<Response, PageError> {
    let (e, person) = load_for_edit(&state, &v, id, &f.csrf).await?;
    let err = || PageError::internal(v.lang());
    match ep::advance(&state, &v.principal, &v.actor(), &e, &f.step).await.map_err(err())? {
        Ok(()) => Ok(Redirect::to(&format!("/episodes/{id}?saved=1")).into_response()),
        Err(errs) => {
            let fresh = store::episodes::get(&state.db, e.id).await.map_err(err())?.unwrap_or(e);
            page(&state, &v, fresh, person, FormErrors::new(v.t(), errs), false).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DocumentForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    village_head_ack: Option<String>,
}

pub async fn document(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<DocumentForm>,
) -> Result<Response, PageError> {
    let (e, person) = load_for_edit(&state, &v, id, &f.csrf).await?;
    let input = ep::DocumentInput {
        status: f.status,
        number: f.number,
        issuer: f.issuer,
        issued_on: f.issued_on,
        expires_on: f.expires_on,
        village_head_ack: f.village_head_ack.is_some(),
    };
    match ep::save_document(&state, &v.actor(), &e, &f.kind, &input).await.map_err(PageError::internal(v.lang()))? {
        Ok(()) => Ok(Redirect::to(&format!("/episodes/{id}?saved=1#doc-{}", f.kind)).into_response()),
        Err(errs) => page(&state, &v, e, person, FormErrors::new(v.t(), errs), false).await,
    }
}

#[derive(Deserialize, Default)]
pub struct CostForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    amount: String,
}

pub async fn cost(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CostForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let input = ep::CostInput { item: &f.item, amount: &f.amount };
    match ep::add_cost(&state, &v.principal, &v.actor(), id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/episodes/{id}?saved=1")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            let (e, person) = load(&state, &v, id).await?;
            page(&state, &v, e, person, FormErrors::new(v.t(), errs), false).await
        }
        Err(other) => Err(PageError::from_app(other, v.lang())),
    }
}

#[derive(Deserialize, Default)]
pub struct ContactForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    date: String,
}

pub async fn contact(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ContactForm>,
) -> Result<Response, PageError> {
    let (e, person) = load_for_edit(&state, &v, id, &f.csrf).await?;
    match parse_date(&f.date) {
        Some(d) if d <= state.today() => {
            store::episodes::record_contact(&state.db, &v.actor(), &e, d)
                .await
                .map_err(PageError::internal(v.lang()))?;
            Ok(Redirect::to(&format!("/episodes/{id}?saved=1")).into_response())
        }
        _ => {
            let errs = ValidationErrors::single("contact_date", Rule::OutOfRange, "a date not in the future");
            page(&state, &v, e, person, FormErrors::new(v.t(), errs), false).await
        }
    }
}

/// "Needs attention today": open episodes in the user's region with flags, documents
/// about to expire, and returns expected this month.
#[derive(Deserialize, Default)]
pub struct WorklistQuery {
    /// Only episodes raising this risk flag (its code).
    #[serde(default)]
    pub flag: String,
}

pub async fn worklist(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<WorklistQuery>,
) -> Result<Response, PageError> {
    let t = v.t();
    let err = || PageError::internal(v.lang());
    let within = people::search_area(&v.principal, None).map_err(|_| PageError::forbidden(v.lang()))?;
    let today = state.today();
    let open = store::episodes::open_in(&state.db, within.as_ref(), 2000).await.map_err(err())?;
    let ids: Vec<i64> = open.iter().map(|o| o.episode.id).collect();
    // Two queries for all documents and costs, not two per episode.
    let docs = store::episodes::documents(&state.db, &ids).await.map_err(err())?;
    let costs = store::episodes::costs(&state.db, &ids).await.map_err(err())?;
    let policy = state.policy().await.map_err(err())?;
    let recruitment = ep::recruitment_many(&state, open.iter().map(|o| &o.episode)).await.map_err(err())?;
    let mut items = Vec::new();
    for o in open {
        let agency = recruitment.get(&ep::recruitment_key(&o.episode)).copied().unwrap_or((None, None));
        let my_docs = docs.iter().filter(|d| d.episode_id == o.episode.id).cloned().collect();
        let my_costs = costs.iter().filter(|c| c.episode_id == o.episode.id).cloned().collect();
        let view = ep::view(o.episode.clone(), parse_date(&o.birth_date), my_docs, my_costs, agency, today, &policy);
        let expiring: Vec<&'static str> =
            view.checklist.iter().filter(|c| c.expiring_soon).map(|c| c.kind.as_str()).collect();
        let return_due_this_month = o
            .episode
            .contract_end
            .as_deref()
            .and_then(parse_date)
            .is_some_and(|d| d.year() == today.year() && d.month() == today.month());
        let wanted = match sc::RiskCode::parse(&q.flag) {
            Some(code) => view.flags.iter().any(|f| f.code() == code),
            None => !view.flags.is_empty() || !expiring.is_empty() || return_due_this_month,
        };
        if wanted {
            items.push(WorkItem { open: o, view, expiring, return_due_this_month });
        }
    }
    let flags = sc::RiskCode::ALL.iter().map(|c| c.as_str()).collect();
    let overdue_cases = super::cases::my_overdue(&state, &v).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    render(
        &WorklistPage {
            layout: Layout::for_viewer(&v, t.get("worklist.title"), "/worklist"),
            t,
            items,
            flags,
            flag: q.flag,
            overdue_cases,
        },
        v.lang(),
    )
}
