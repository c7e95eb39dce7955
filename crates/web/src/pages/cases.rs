//! Protection case pages: cases in my region I may open (restricted ones only counted),
//! opening a case, and a case's page with its history and next step.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::cases::{self as svc, CaseInput, CaseStepInput, CreateError};
use crate::error::{PageError, PageForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::cases::{CaseType, Severity};
use serde::Deserialize;
use store::cases::{Case, CaseEvent};

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    cases: Vec<(Case, bool)>,
    restricted_not_shown: usize,
    can_create: bool,
    next_before: Option<i64>,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    layout: Layout,
    t: crate::i18n::T,
    form: CaseForm,
    errors: FormErrors,
    types: Vec<&'static str>,
    severities: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    t: crate::i18n::T,
    case: Case,
    overdue: bool,
    events: Vec<CaseEvent>,
    next_states: Vec<&'static str>,
    errors: FormErrors,
    saved: bool,
    today: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    before: Option<i64>,
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = v.t();
    let (mut cases, restricted_not_shown) = svc::in_my_region(&state, &v.principal, q.before, PAGE_SIZE + 1)
        .await
        .map_err(PageError::internal(v.lang()))?;
    let next_before = (cases.len() as i64 > PAGE_SIZE).then(|| cases[PAGE_SIZE as usize - 1].id);
    cases.truncate(PAGE_SIZE as usize);
    let cases = cases.into_iter().map(|c| {
        let overdue = svc::is_overdue(&c);
        (c, overdue)
    });
    render(
        &ListPage {
            layout: Layout::for_viewer(&v, t.get("cases.title"), "/cases"),
            t,
            cases: cases.collect(),
            restricted_not_shown,
            can_create: v.can(Action::EditPerson, v.principal.scope.code()),
            next_before,
        },
        v.lang(),
    )
}

#[derive(Deserialize, Default)]
pub struct CaseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(rename = "type", default)]
    pub case_type: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub village_code: String,
    /// Optional; a person id the user may see.
    #[serde(default)]
    pub person_id: String,
}

fn new_page(v: &Viewer, form: CaseForm, errors: FormErrors) -> Result<Response, PageError> {
    let t = v.t();
    let failed = errors.any();
    let page = render(
        &NewPage {
            layout: Layout::for_viewer(v, t.get("cases.new"), "/cases/new"),
            t,
            form,
            errors,
            types: CaseType::ALL.iter().map(|c| c.as_str()).collect(),
            severities: Severity::ALL.iter().map(|c| c.as_str()).collect(),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

pub async fn new_form(v: Viewer) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    let village_code = v
        .principal
        .scope
        .code()
        .filter(|c| c.level() == domain::RegionLevel::Village)
        .map(|c| c.to_string())
        .unwrap_or_default();
    new_page(&v, CaseForm { village_code, severity: "medium".into(), ..Default::default() }, FormErrors::default())
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<CaseForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let person_id = match f.person_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let errs = domain::ValidationErrors::single("person_id", domain::Rule::Format, "a person's number");
                return new_page(&v, f, FormErrors::new(v.t(), errs));
            }
        },
    };
    let input = CaseInput {
        case_type: f.case_type.clone(),
        severity: f.severity.clone(),
        description: f.description.clone(),
        village_code: f.village_code.clone(),
        person_id,
    };
    match svc::create(&state, &v.principal, &v.actor(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/cases/{}?saved=1", c.id)).into_response()),
        Err(CreateError::Invalid(errs)) => new_page(&v, f, FormErrors::new(v.t(), errs)),
        Err(CreateError::Forbidden) => Err(PageError::forbidden(v.lang())),
        Err(CreateError::Store(e)) => Err(PageError::internal(v.lang())(e)),
    }
}

async fn page(
    state: &AppState,
    v: &Viewer,
    case: Case,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let events = store::cases::events(&state.db, case.id).await.map_err(PageError::internal(v.lang()))?;
    let failed = errors.any();
    let resp = render(
        &CasePage {
            layout: Layout::for_viewer(v, format!("#{}", case.id), &format!("/cases/{}", case.id)),
            t,
            overdue: svc::is_overdue(&case),
            next_states: svc::status_of(&case).next_states().iter().map(|s| s.as_str()).collect(),
            case,
            events,
            errors,
            saved,
            today: crate::people::today().to_string(),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

/// The case if this viewer may open it; 404 otherwise, as if it did not exist.
async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Case, PageError> {
    svc::openable(state, &v.principal, id)
        .await
        .map_err(PageError::internal(v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))
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
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let case = load(&state, &v, id).await?;
    store::cases::audit_view(&state.db, &v.actor(), &case).await.map_err(PageError::internal(v.lang()))?;
    page(&state, &v, case, FormErrors::default(), q.saved.is_some()).await
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    step: CaseStepInput,
}

pub async fn transition(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let case = load(&state, &v, id).await?;
    let err = || PageError::internal(v.lang());
    match svc::advance(&state, &v.actor(), &case, &f.step).await.map_err(err())? {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?saved=1")).into_response()),
        Err(errs) => {
            let fresh = store::cases::get(&state.db, id).await.map_err(err())?.unwrap_or(case);
            page(&state, &v, fresh, FormErrors::new(v.t(), errs), false).await
        }
    }
}
