//! Programs: Desmigratif and the others a village can take part in.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use crate::error::PageForm;
use app::programs::{self as svc, Program, ProgramVillage};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    layout: Layout,
    t: crate::i18n::T,
    programs: Vec<Program>,
    can_manage: bool,
    errors: FormErrors,
    form: ProgramForm,
}

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    layout: Layout,
    t: crate::i18n::T,
    program: Program,
    villages: Vec<ProgramVillage>,
    scoped: bool,
}

#[derive(Deserialize, Default)]
pub struct ProgramForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub institution: String,
    #[serde(default)]
    pub criteria: String,
}

async fn page(state: &AppState, v: &Viewer, errors: FormErrors, form: ProgramForm) -> Result<Response, PageError> {
    let t = v.t();
    let programs = svc::list(state).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let resp = render(
        &ProgramsPage {
            layout: Layout::for_viewer(v, t.get("programs.title"), "/programs"),
            t,
            programs,
            can_manage: v.can(Action::ManagePrograms, None),
            errors,
            form,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn index(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    page(&state, &v, FormErrors::default(), ProgramForm::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<ProgramForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    v.require(Action::ManagePrograms, None)?;
    match svc::create(&state, &v.principal, &v.actor(), &f.code, &f.name, &f.institution, &f.criteria).await {
        Ok(_) => Ok(Redirect::to("/programs").into_response()),
        Err(app::Error::Invalid(errs)) => page(&state, &v, FormErrors::new(v.t(), errs), f).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(code): Path<String>) -> Result<Response, PageError> {
    let t = v.t();
    // Each account sees the participating villages of its own area.
    let (program, villages) =
        svc::program(&state, &v.principal, &code).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let within = v.principal.scope.code();
    render(
        &ProgramPage {
            layout: Layout::for_viewer(&v, program.name.clone(), &format!("/programs/{code}")),
            t,
            program,
            villages,
            scoped: within.is_some(),
        },
        v.lang(),
    )
}
