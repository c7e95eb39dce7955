//! Partner registry pages (national admins): list, register, edit.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use crate::partners::Partner;
use crate::partners::{self as ps, PartnerForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::cases::{PartnerType, Service};

#[derive(Template)]
#[template(path = "admin_partners.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    partners: Vec<Partner>,
    form: FormView,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "admin_partner.html")]
struct EditPage {
    layout: Layout,
    t: crate::i18n::T,
    partner: Partner,
    users: Vec<(i64, String, String)>,
    form: FormView,
    errors: FormErrors,
    saved: bool,
}

/// The form's values and choices, ready for the template.
pub struct FormView {
    pub f: PartnerForm,
    pub types: Vec<(&'static str, String, bool)>,
    pub services: Vec<(&'static str, String, bool)>,
    pub active: bool,
}

fn form_view(t: crate::i18n::T, f: PartnerForm) -> FormView {
    FormView {
        types: PartnerType::ALL
            .iter()
            .map(|p| (p.as_str(), t.label("partner_type", p.as_str()), f.partner_type == p.as_str()))
            .collect(),
        services: Service::ALL
            .iter()
            .map(|s| (s.as_str(), t.label("service", s.as_str()), f.services.iter().any(|x| x == s.as_str())))
            .collect(),
        active: f.active.unwrap_or(true),
        f,
    }
}

type Pairs = Vec<(String, String)>;

fn one(p: &Pairs, name: &str) -> String {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

fn form_of(p: &Pairs) -> PartnerForm {
    PartnerForm {
        name: one(p, "name"),
        partner_type: one(p, "partner_type"),
        region_code: Some(one(p, "region_code")),
        services: p.iter().filter(|(k, _)| k == "services").map(|(_, v)| v.clone()).collect(),
        contact_name: one(p, "contact_name"),
        phone: one(p, "phone"),
        email: one(p, "email"),
        address: one(p, "address"),
        website: one(p, "website"),
        // The edit form sends active=1 when ticked; the create form has no box (active).
        active: Some(one(p, "active") == "1" || !p.iter().any(|(k, _)| k == "has_active")),
    }
}

async fn list_page(state: &AppState, v: &Viewer, form: PartnerForm, errors: FormErrors) -> Result<Response, PageError> {
    let t = v.t();
    let partners = ps::list(state).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let resp = render(
        &ListPage {
            layout: Layout::for_viewer(v, t.get("partners.title"), "/admin/partners"),
            t,
            partners,
            form: form_view(t, form),
            errors,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn index(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    v.require(Action::ManagePartners, None)?;
    list_page(&state, &v, PartnerForm { partner_type: "other".into(), ..Default::default() }, FormErrors::default())
        .await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(p): PageForm<Pairs>,
) -> Result<Response, PageError> {
    v.check_csrf(&one(&p, "_csrf"))?;
    v.require(Action::ManagePartners, None)?;
    let f = form_of(&p);
    match ps::create(&state, &v.principal, &v.actor(), &f).await {
        Ok(partner) => Ok(Redirect::to(&format!("/admin/partners/{}?saved=1", partner.id)).into_response()),
        Err(app::Error::Invalid(errs)) => list_page(&state, &v, f, FormErrors::new(v.t(), errs)).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

async fn edit_page(
    state: &AppState,
    v: &Viewer,
    partner: Partner,
    form: PartnerForm,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let users = ps::users_of(state, &v.principal, partner.id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let resp = render(
        &EditPage {
            layout: Layout::for_viewer(v, partner.name.clone(), &format!("/admin/partners/{}", partner.id)),
            t,
            users,
            form: form_view(t, form),
            partner,
            errors,
            saved,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

fn form_from(p: &Partner) -> PartnerForm {
    PartnerForm {
        name: p.name.clone(),
        partner_type: p.partner_type.clone(),
        region_code: p.region_code.clone(),
        services: p.service_codes(),
        contact_name: p.contact_name.clone(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        address: p.address.clone(),
        website: p.website.clone(),
        active: Some(p.active),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Partner, PageError> {
    ps::get(state, id).await.map_err(|e| PageError::from_app(e, v.lang()))
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    v.require(Action::ManagePartners, None)?;
    let partner = load(&state, &v, id).await?;
    let form = form_from(&partner);
    edit_page(&state, &v, partner, form, FormErrors::default(), q.saved.is_some()).await
}

pub async fn update(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(p): PageForm<Pairs>,
) -> Result<Response, PageError> {
    v.check_csrf(&one(&p, "_csrf"))?;
    v.require(Action::ManagePartners, None)?;
    let partner = load(&state, &v, id).await?;
    let f = form_of(&p);
    match ps::update(&state, &v.principal, &v.actor(), id, &f).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/partners/{id}?saved=1")).into_response()),
        Err(app::Error::Invalid(errs)) => edit_page(&state, &v, partner, f, FormErrors::new(v.t(), errs), false).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}
