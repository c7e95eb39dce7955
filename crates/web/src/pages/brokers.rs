//! Broker reports (issue 17, docs/BROKERS.md): the public report form on the portal (no login,
//! no script, a phone first), adding information by receipt, and the officers' pages — the
//! reports of their region, a report, the broker registry, a broker with its links, hot spots.

use super::{FormErrors, Layout, render, rupiah};
use crate::AppState;
use crate::auth::{self, Ctx, Viewer};
use crate::error::{PageError, PageErrorKind, PageForm};
use crate::i18n::T;
use app::brokers::{self as svc, Broker, Report};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use domain::brokers::{DocumentTaken, HotSpot, ReportInput};
use serde::Deserialize;
use std::collections::HashMap;

const REPORT_CSRF_COOKIE: &str = "desmigratif_report_csrf";
const PAGE_SIZE: i64 = 50;

/// The public form's double-submit token (the portal has no session).
fn report_csrf(ctx: &Ctx) -> String {
    ctx.jar
        .get(REPORT_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64)
        .unwrap_or_else(domain::security::random_hex)
}

fn csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((REPORT_CSRF_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/portal/lapor-calo")
        .max_age(time::Duration::hours(2))
        .build()
}

fn check_public_csrf(ctx: &Ctx, submitted: &str) -> Result<String, PageError> {
    let cookie = ctx.jar.get(REPORT_CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if cookie.is_empty() || !auth::constant_time_eq(cookie.as_bytes(), submitted.as_bytes()) {
        return Err(PageError::new(PageErrorKind::BadCsrf, ctx.lang));
    }
    Ok(cookie)
}

/// A form's fields; document checkboxes arrive as `doc_<code>=on`.
#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub broker_name: String,
    #[serde(default)]
    pub broker_phone: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub offer: String,
    #[serde(default)]
    pub money_asked: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub reporter_contact: String,
    #[serde(flatten)]
    pub extra: HashMap<String, String>,
}

impl ReportForm {
    fn documents(&self) -> Vec<String> {
        DocumentTaken::ALL
            .iter()
            .filter(|d| self.extra.contains_key(&format!("doc_{}", d.as_str())))
            .map(|d| d.as_str().to_string())
            .collect()
    }
    pub fn checked(&self, code: &&str) -> bool {
        self.extra.contains_key(&format!("doc_{code}"))
    }
}

fn doc_codes() -> Vec<&'static str> {
    DocumentTaken::ALL.iter().map(|d| d.as_str()).collect()
}

#[derive(Template)]
#[template(path = "portal_broker_report.html")]
struct PublicFormPage {
    layout: Layout,
    t: T,
    csrf: String,
    form: ReportForm,
    errors: FormErrors,
    docs: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "portal_broker_receipt.html")]
struct ReceiptPage {
    layout: Layout,
    t: T,
    receipt: String,
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

fn throttled(ctx: &Ctx, secs: i64) -> FormErrors {
    FormErrors::sentence("form", ctx.t().fmt("brokers.throttled", "seconds", &secs.max(1).to_string()))
}

pub async fn public_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let csrf = report_csrf(&ctx);
    let jar = ctx.jar.clone().add(csrf_cookie(csrf.clone(), state.config.cookie_secure));
    let t = ctx.t();
    let page = PublicFormPage {
        layout: Layout::anonymous(&ctx, t.get("brokers.public_title"), "/portal/lapor-calo"),
        t,
        csrf,
        form: ReportForm::default(),
        errors: FormErrors::default(),
        docs: doc_codes(),
    };
    Ok(no_store((jar, render(&page, ctx.lang)?).into_response()))
}

pub async fn public_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(f): PageForm<ReportForm>,
) -> Result<Response, PageError> {
    let csrf = check_public_csrf(&ctx, &f.csrf)?;
    let t = ctx.t();
    let docs = f.documents();
    let input = ReportInput {
        broker_name: &f.broker_name,
        broker_phone: &f.broker_phone,
        village_code: &f.village_code,
        offer: &f.offer,
        money_asked: &f.money_asked,
        documents_taken: &docs,
        description: &f.description,
        reporter_contact: &f.reporter_contact,
    };
    let refused = |errors: FormErrors, status: StatusCode, f: ReportForm| -> Result<Response, PageError> {
        let page = PublicFormPage {
            layout: Layout::anonymous(&ctx, t.get("brokers.public_title"), "/portal/lapor-calo"),
            t,
            csrf: csrf.clone(),
            form: f,
            errors,
            docs: doc_codes(),
        };
        Ok(no_store((status, render(&page, ctx.lang)?).into_response()))
    };
    match svc::report_public(&state, &ctx.ip, &input).await {
        Ok(c) => {
            let page = ReceiptPage {
                layout: Layout::anonymous(&ctx, t.get("brokers.receipt_title"), "/portal/lapor-calo"),
                t,
                receipt: c.receipt,
            };
            Ok(no_store((StatusCode::CREATED, render(&page, ctx.lang)?).into_response()))
        }
        Err(app::Error::Invalid(errs)) => refused(FormErrors::new(t, errs), StatusCode::UNPROCESSABLE_ENTITY, f),
        Err(app::Error::Throttled { retry_after_secs }) => {
            let mut r = refused(throttled(&ctx, retry_after_secs), StatusCode::TOO_MANY_REQUESTS, f)?;
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.max(1).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        Err(e) => Err(PageError::from_app(e, ctx.lang)),
    }
}

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub receipt: String,
    #[serde(default)]
    pub information: String,
}

#[derive(Template)]
#[template(path = "portal_broker_add.html")]
struct AddPage {
    layout: Layout,
    t: T,
    csrf: String,
    form: AddForm,
    errors: FormErrors,
    /// After a successful addition.
    status: Option<svc::ReceiptStatus>,
}

pub async fn add_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let csrf = report_csrf(&ctx);
    let jar = ctx.jar.clone().add(csrf_cookie(csrf.clone(), state.config.cookie_secure));
    let t = ctx.t();
    let page = AddPage {
        layout: Layout::anonymous(&ctx, t.get("brokers.add_title"), "/portal/lapor-calo/tambah"),
        t,
        csrf,
        form: AddForm::default(),
        errors: FormErrors::default(),
        status: None,
    };
    Ok(no_store((jar, render(&page, ctx.lang)?).into_response()))
}

pub async fn add_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(f): PageForm<AddForm>,
) -> Result<Response, PageError> {
    let csrf = check_public_csrf(&ctx, &f.csrf)?;
    let t = ctx.t();
    let (status, errors, code, retry) = match svc::add_by_receipt(&state, &ctx.ip, &f.receipt, &f.information).await {
        Ok(s) => (Some(s), FormErrors::default(), StatusCode::CREATED, None),
        Err(app::Error::Invalid(errs)) => (None, FormErrors::new(t, errs), StatusCode::UNPROCESSABLE_ENTITY, None),
        Err(app::Error::NotFound) => (
            None,
            FormErrors::sentence("receipt", t.get("brokers.receipt_unknown").to_string()),
            StatusCode::NOT_FOUND,
            None,
        ),
        Err(app::Error::Throttled { retry_after_secs }) => {
            (None, throttled(&ctx, retry_after_secs), StatusCode::TOO_MANY_REQUESTS, Some(retry_after_secs.max(1)))
        }
        Err(e) => return Err(PageError::from_app(e, ctx.lang)),
    };
    let saved = status.is_some();
    let page = AddPage {
        layout: Layout::anonymous(&ctx, t.get("brokers.add_title"), "/portal/lapor-calo/tambah"),
        t,
        csrf,
        form: if saved { AddForm::default() } else { f },
        errors,
        status,
    };
    let mut r = no_store((code, render(&page, ctx.lang)?).into_response());
    if let Some(s) = retry.and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok()) {
        r.headers_mut().insert(header::RETRY_AFTER, s);
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Officers and partners

/// A report as lists show it.
pub struct ReportRow {
    pub r: Report,
    pub money: String,
    pub docs: Vec<String>,
}

fn row(t: T, r: Report) -> ReportRow {
    let docs = r.documents_taken.split(',').filter(|c| !c.is_empty()).map(|c| t.label("broker_doc", c)).collect();
    ReportRow { money: r.money_asked.map(rupiah).unwrap_or_default(), docs, r }
}

#[derive(Template)]
#[template(path = "broker_reports.html")]
struct ReportsPage {
    layout: Layout,
    t: T,
    rows: Vec<ReportRow>,
    next_before: Option<i64>,
    can_report: bool,
    handles: bool,
    hot_spots: bool,
    form: ReportForm,
    errors: FormErrors,
    docs: Vec<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    before: Option<i64>,
}

async fn reports_page(
    state: &AppState,
    v: &Viewer,
    before: Option<i64>,
    form: ReportForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    use domain::Action;
    let t = v.t();
    let caller = crate::cases::Caller::new(&v.principal, &v.user);
    let items = svc::list(state, caller, None, None, Some(PAGE_SIZE), before)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let next_before = (items.len() as i64 == PAGE_SIZE).then(|| items.last().map(|r| r.id)).flatten();
    let failed = errors.any();
    let page = render(
        &ReportsPage {
            layout: Layout::for_viewer(v, t.get("brokers.title"), "/broker-reports"),
            t,
            rows: items.into_iter().map(|r| row(t, r)).collect(),
            next_before,
            can_report: v.principal.may_ever(Action::ReportBroker),
            handles: v.principal.may_ever(Action::HandleBrokerReports),
            hot_spots: v.principal.may_ever(Action::ViewBrokerHotSpots),
            form,
            errors,
            docs: doc_codes(),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

pub async fn reports(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let village_code = v
        .principal
        .scope
        .code()
        .filter(|c| c.level() == domain::RegionLevel::Village)
        .map(|c| c.to_string())
        .unwrap_or_default();
    reports_page(&state, &v, q.before, ReportForm { village_code, ..Default::default() }, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<ReportForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    if !v.principal.may_ever(domain::Action::ReportBroker) {
        return Err(PageError::forbidden(v.lang()));
    }
    let docs = f.documents();
    let input = ReportInput {
        broker_name: &f.broker_name,
        broker_phone: &f.broker_phone,
        village_code: &f.village_code,
        offer: &f.offer,
        money_asked: &f.money_asked,
        documents_taken: &docs,
        description: &f.description,
        reporter_contact: &f.reporter_contact,
    };
    let caller = crate::cases::Caller::new(&v.principal, &v.user);
    match svc::report(&state, caller, &v.actor(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/broker-reports/{}", c.id)).into_response()),
        Err(app::Error::Invalid(errs)) => reports_page(&state, &v, None, f, FormErrors::new(v.t(), errs)).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Template)]
#[template(path = "broker_report.html")]
struct ReportPage {
    layout: Layout,
    t: T,
    row: ReportRow,
    file: svc::ReportFile,
    errors: FormErrors,
    information: String,
}

async fn report_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    errors: FormErrors,
    information: String,
) -> Result<Response, PageError> {
    let t = v.t();
    let caller = crate::cases::Caller::new(&v.principal, &v.user);
    let file = svc::get(state, caller, &v.actor(), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let page = render(
        &ReportPage {
            layout: Layout::for_viewer(v, t.get("brokers.report_title"), &format!("/broker-reports/{id}")),
            t,
            row: row(t, file.report.clone()),
            file,
            errors,
            information,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

pub async fn report(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    report_page(&state, &v, id, FormErrors::default(), String::new()).await
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn take(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    svc::take(&state, &v.principal, &v.actor(), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(Redirect::to(&format!("/broker-reports/{id}")).into_response())
}

pub async fn add_note(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<AddForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let caller = crate::cases::Caller::new(&v.principal, &v.user);
    match svc::add_note(&state, caller, &v.actor(), id, &f.information).await {
        Ok(()) => Ok(Redirect::to(&format!("/broker-reports/{id}")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            report_page(&state, &v, id, FormErrors::new(v.t(), errs), f.information).await
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Template)]
#[template(path = "brokers.html")]
struct BrokersPage {
    layout: Layout,
    t: T,
    brokers: Vec<Broker>,
    next_before: Option<i64>,
}

pub async fn brokers(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = v.t();
    let brokers = svc::brokers(&state, &v.principal, None, Some(PAGE_SIZE), q.before)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let next_before = (brokers.len() as i64 == PAGE_SIZE).then(|| brokers.last().map(|b| b.id)).flatten();
    render(
        &BrokersPage { layout: Layout::for_viewer(&v, t.get("brokers.registry"), "/brokers"), t, brokers, next_before },
        v.lang(),
    )
}

#[derive(Template)]
#[template(path = "broker.html")]
struct BrokerPage {
    layout: Layout,
    t: T,
    file: svc::BrokerFile,
    rows: Vec<ReportRow>,
    errors: FormErrors,
    episode_id: String,
    case_id: String,
}

async fn broker_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    errors: FormErrors,
    episode_id: String,
    case_id: String,
) -> Result<Response, PageError> {
    let t = v.t();
    let caller = crate::cases::Caller::new(&v.principal, &v.user);
    let file = svc::broker(state, caller, &v.actor(), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let rows = file.reports.iter().cloned().map(|r| row(t, r)).collect();
    let failed = errors.any();
    let page = render(
        &BrokerPage {
            layout: Layout::for_viewer(v, t.get("brokers.broker_title"), &format!("/brokers/{id}")),
            t,
            file,
            rows,
            errors,
            episode_id,
            case_id,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

pub async fn broker(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    broker_page(&state, &v, id, FormErrors::default(), String::new(), String::new()).await
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    episode_id: String,
    #[serde(default)]
    case_id: String,
}

fn read_id(field: &str, raw: &str) -> Result<i64, domain::ValidationErrors> {
    raw.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| domain::ValidationErrors::single(field, domain::Rule::Format, "a record number such as 12"))
}

pub async fn link_episode(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<LinkForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let result = match read_id("episode_id", &f.episode_id) {
        Ok(episode) => svc::link_episode(&state, &v.principal, &v.actor(), id, episode).await.map(|_| ()),
        Err(e) => Err(app::Error::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/brokers/{id}")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            broker_page(&state, &v, id, FormErrors::new(v.t(), errs), f.episode_id, String::new()).await
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

pub async fn link_case(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<LinkForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let caller = crate::cases::Caller::new(&v.principal, &v.user);
    let result = match read_id("case_id", &f.case_id) {
        Ok(case) => svc::link_case(&state, caller, &v.actor(), id, case).await.map(|_| ()),
        Err(e) => Err(app::Error::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/brokers/{id}")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            broker_page(&state, &v, id, FormErrors::new(v.t(), errs), String::new(), f.case_id).await
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Template)]
#[template(path = "broker_hot_spots.html")]
struct HotSpotsPage {
    layout: Layout,
    t: T,
    cells: Vec<(String, HotSpot)>,
}

pub async fn hot_spots(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let t = v.t();
    let cells = svc::hot_spots(&state, &v.principal, None).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let codes: Vec<String> = cells.iter().map(|h| h.district_code.clone()).collect();
    let regions = app::regions::by_codes(&state, &codes).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let cells = cells
        .into_iter()
        .map(|h| {
            let name = regions
                .iter()
                .find(|r| r.code == h.district_code)
                .map(|r| app::regions::display_name(&r.name))
                .unwrap_or_default();
            (name, h)
        })
        .collect();
    render(
        &HotSpotsPage {
            layout: Layout::for_viewer(&v, t.get("brokers.hot_spots"), "/broker-reports/hot-spots"),
            t,
            cells,
        },
        v.lang(),
    )
}
