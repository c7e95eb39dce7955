//! The placement-company registry: everyone can look an agency up; national admins keep it.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::agencies::Agency;
use crate::auth::Viewer;
use crate::error::PageError;
use crate::error::PageForm;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::agency::NewAgencyInput;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    layout: Layout,
    t: crate::i18n::T,
    agencies: Vec<Agency>,
    q: String,
    can_manage: bool,
    errors: FormErrors,
    form: AgencyForm,
}

#[derive(Deserialize, Default)]
pub struct AgencyQuery {
    #[serde(default)]
    q: String,
}

#[derive(Deserialize, Default)]
pub struct AgencyForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub licence_number: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

async fn page(
    state: &AppState,
    v: &Viewer,
    q: String,
    errors: FormErrors,
    form: AgencyForm,
) -> Result<Response, PageError> {
    let t = v.t();
    // A query that looks like a licence number also matches it exactly.
    let agencies =
        crate::agencies::search_name_or_licence(state, &q).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let resp = render(
        &AgenciesPage {
            layout: Layout::for_viewer(v, t.get("agencies.title"), "/agencies"),
            t,
            agencies,
            q,
            can_manage: v.can(Action::ManageAgencies, None),
            errors,
            form,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<AgencyQuery>,
) -> Result<Response, PageError> {
    page(&state, &v, q.q, FormErrors::default(), AgencyForm::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<AgencyForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let input = NewAgencyInput {
        name: &f.name,
        licence_number: &f.licence_number,
        status: &f.status,
        valid_from: &f.valid_from,
        valid_until: &f.valid_until,
        address: &f.address,
        phone: &f.phone,
    };
    let errs = match crate::agencies::create(&state, &v.principal, &v.actor(), &input).await {
        Ok(_) => return Ok(Redirect::to("/agencies").into_response()),
        Err(app::Error::Invalid(errs)) => errs,
        Err(e) => return Err(PageError::from_app(e, v.lang())),
    };
    page(&state, &v, String::new(), FormErrors::new(v.t(), errs), f).await
}
