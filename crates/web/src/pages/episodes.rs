//! Migration episode pages: open one from a person's page, move it through its steps,
//! keep its documents checklist, record costs and contacts, and the officer's worklist.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::episodes::{self as ep, EpisodeEvent, EpisodeFile, EpisodeView, WorkItem};
use crate::error::{PageError, PageForm};
use crate::people::{self, Person};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::service_center::{self as sc, ReturnReason};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "episode.html")]
struct EpisodePage {
    layout: Layout,
    t: crate::i18n::T,
    agency_name: Option<String>,
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
    /// The next-step form as typed, kept after a refusal.
    step: ep::StepInput,
    /// The national ids form (Sisko P2MI, E-KPMI) as typed after a refusal, else as stored.
    ids: (String, String),
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage<'a> {
    layout: Layout,
    t: crate::i18n::T,
    items: Vec<&'a WorkItem>,
    /// Lines on every page of this filter.
    total: usize,
    previous_page: Option<usize>,
    next_page: Option<usize>,
    /// Every risk flag code, for the filter.
    flags: Vec<&'static str>,
    /// The chosen one, or empty.
    flag: String,
    /// Protection cases I handle that are past their due date (issue 4).
    overdue_cases: Vec<crate::cases::Case>,
    /// Supervisors: recent break-the-glass grants in their region, with granted and until as text.
    glass_grants: Vec<(crate::cases::GrantNotice, String, String)>,
}

fn page(
    v: &Viewer,
    file: EpisodeFile,
    errors: FormErrors,
    saved: bool,
    today: time::Date,
    step: ep::StepInput,
) -> Result<Response, PageError> {
    let ids = (file.view.episode.sisko_id.clone(), file.view.episode.ekpmi_id.clone());
    page_with_ids(v, file, errors, saved, today, step, ids)
}

fn page_with_ids(
    v: &Viewer,
    file: EpisodeFile,
    errors: FormErrors,
    saved: bool,
    today: time::Date,
    step: ep::StepInput,
    ids: (String, String),
) -> Result<Response, PageError> {
    let t = v.t();
    let EpisodeFile { view, person, events, can_edit, agency_name } = file;
    let failed = errors.any();
    let resp = render(
        &EpisodePage {
            agency_name,
            layout: Layout::for_viewer(
                v,
                // No name in the title (issue 17): the placement's number and destination only.
                format!(
                    "{} #{} · {}",
                    t.get("screens.episode_title"),
                    view.episode.id,
                    t.country(&view.episode.destination)
                ),
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
            step,
            ids,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

/// After a change: back to the episode, or its page again with the form's errors (422).
async fn after(
    state: &AppState,
    v: &Viewer,
    id: i64,
    r: app::error::Result<()>,
    to: String,
    step: ep::StepInput,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&to).into_response()),
        Err(app::Error::Invalid(errs)) => {
            let file = ep::reload(state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
            page(v, file, FormErrors::new(v.t(), errs), false, state.today(), step)
        }
        Err(other) => Err(PageError::from_app(other, v.lang())),
    }
}

/// The episode for a change (after the form's token): 404 outside the scope, 403 without the
/// edit right.
async fn load_for_edit(state: &AppState, v: &Viewer, id: i64, csrf: &str) -> Result<ep::Episode, PageError> {
    v.check_csrf(csrf)?;
    let (e, _) = ep::editable_episode(state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(e)
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
    let file = ep::file(&state, &v.principal, &v.actor(), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    page(&v, file, FormErrors::default(), q.saved.is_some(), state.today(), ep::StepInput::default())
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
    match ep::open_for(&state, &v.principal, &v.actor(), person_id, &input).await {
        Ok(e) => Ok(Redirect::to(&format!("/episodes/{}?saved=1", e.id)).into_response()),
        Err(app::Error::Invalid(errs)) => {
            let person: Person = people::editable(&state, &v.principal, person_id)
                .await
                .map_err(|e| PageError::from_app(e, v.lang()))?;
            super::persons::person_page_with_errors(&state, &v, person, FormErrors::new(v.t(), errs)).await
        }
        Err(other) => Err(PageError::from_app(other, v.lang())),
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
    let e = load_for_edit(&state, &v, id, &f.csrf).await?;
    let r = match ep::advance(&state, &v.principal, &v.actor(), &e, &f.step).await {
        Ok(r) => r.map_err(app::Error::Invalid),
        Err(e) => Err(e.into()),
    };
    after(&state, &v, id, r, format!("/episodes/{id}?saved=1"), f.step).await
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
    let e = load_for_edit(&state, &v, id, &f.csrf).await?;
    let input = ep::DocumentInput {
        status: f.status,
        number: f.number,
        issuer: f.issuer,
        issued_on: f.issued_on,
        expires_on: f.expires_on,
        village_head_ack: f.village_head_ack.is_some(),
    };
    let r = match ep::save_document(&state, &v.actor(), &e, &f.kind, &input).await {
        Ok(r) => r.map_err(app::Error::Invalid),
        Err(e) => Err(e.into()),
    };
    after(&state, &v, id, r, format!("/episodes/{id}?saved=1#doc-{}", f.kind), ep::StepInput::default()).await
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
    let r = ep::add_cost(&state, &v.principal, &v.actor(), id, input).await.map(|_| ());
    after(&state, &v, id, r, format!("/episodes/{id}?saved=1"), ep::StepInput::default()).await
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
    v.check_csrf(&f.csrf)?;
    let r = ep::record_contact(&state, &v.principal, &v.actor(), id, &f.date).await;
    after(&state, &v, id, r, format!("/episodes/{id}?saved=1"), ep::StepInput::default()).await
}

/// "Needs attention today": open episodes in the user's region with flags, documents
/// about to expire, and returns expected this month.
#[derive(Deserialize, Default)]
pub struct WorklistQuery {
    /// Only episodes raising this risk flag (its code).
    #[serde(default)]
    pub flag: String,
    /// The page, from 1 (anything else shows the first).
    #[serde(default)]
    pub page: String,
}

pub async fn worklist(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<WorklistQuery>,
) -> Result<Response, PageError> {
    let t = v.t();
    let page = q.page.parse::<usize>().ok().filter(|p| (1..=1000).contains(p)).unwrap_or(1);
    let list = ep::worklist(&state, &v.principal, sc::RiskCode::parse(&q.flag), page)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let flags = sc::RiskCode::ALL.iter().map(|c| c.as_str()).collect();
    let overdue_cases = super::cases::my_overdue(&state, &v).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let glass_grants = crate::cases::recent_grants(&state, &v.principal)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?
        .into_iter()
        .map(|g| {
            let (at, until) = (app::clock::fmt_time(&g.granted_at), app::clock::fmt_time(&g.expires_at));
            (g, at, until)
        })
        .collect();
    render(
        &WorklistPage {
            layout: Layout::for_viewer(&v, t.get("worklist.title"), "/worklist"),
            t,
            items: list.items(),
            total: list.total(),
            previous_page: list.previous_page(),
            next_page: list.next_page(),
            flags,
            flag: q.flag,
            overdue_cases,
            glass_grants,
        },
        v.lang(),
    )
}

#[derive(Deserialize, Default)]
pub struct ExternalIdsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    sisko_id: String,
    #[serde(default)]
    ekpmi_id: String,
}

/// Sets the episode's Sisko P2MI and E-KPMI ids (blank clears one).
pub async fn external_ids(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ExternalIdsForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let r = crate::national_ids::set_episode_ids(
        &state,
        &v.principal,
        &v.actor(),
        id,
        Some(&f.sisko_id),
        Some(&f.ekpmi_id),
    )
    .await;
    match r {
        // Refused: the form comes back as typed.
        Err(app::Error::Invalid(errs)) => {
            let file = ep::reload(&state, &v.principal, id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
            let errors = FormErrors::new(v.t(), errs);
            page_with_ids(&v, file, errors, false, state.today(), ep::StepInput::default(), (f.sisko_id, f.ekpmi_id))
        }
        r => after(&state, &v, id, r, format!("/episodes/{id}?saved=1"), ep::StepInput::default()).await,
    }
}
