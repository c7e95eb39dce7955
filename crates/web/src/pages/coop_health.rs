//! The health assessment page of a cooperative (issue 20, track health): the worksheet of a
//! year, aspect by aspect (ratio, nilai, bobot, skor, kategori), the total and the predicate; the
//! board's management questionnaire; PDF and XLSX downloads in the worksheet layout.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::download::Format;
use crate::error::{PageError, PageForm};
use app::coop_health::{self as svc, HealthReport};
use app::cooperative::{self as coop, Cooperative, OpError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::cooperative::health::{self as h, ManagementPart};
use serde::Deserialize;

/// Hundredths as "12,34".
pub fn cp(v: &u32) -> String {
    h::hundredths(i64::from(*v))
}

/// Hundredths as "12,34" (a stored total).
pub fn cp64(v: &i64) -> String {
    h::hundredths(*v)
}

/// A ratio's percentage, "—" over a zero base.
pub fn percent(v: &Option<i64>) -> String {
    v.map_or_else(|| "—".to_string(), |p| reports::Cell::BasisPoints(p).display())
}

pub fn predicate_label(code: &str) -> &'static str {
    h::Predicate::parse(code).map_or("", |p| p.label())
}

pub struct Part {
    pub code: &'static str,
    pub label: &'static str,
    /// (field name, question, answered yes)
    pub questions: Vec<(String, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "coop_health.html")]
struct HealthPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    year: String,
    years: Vec<i32>,
    r: Option<HealthReport>,
    parts: Vec<Part>,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct HealthQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    format: Option<Format>,
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Cooperative, PageError> {
    coop::visible(state, &v.principal, id)
        .await
        .map_err(|e| PageError::from_app(e.into(), v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))
}

fn default_year(state: &AppState, c: &Cooperative) -> String {
    // Last year's books are the ones the office asks about; a cooperative founded this year
    // can only be assessed to date.
    let this_year = coop::coop_today(state, c).year();
    let founded = domain::person::parse_date(&c.founded_on).map(|d| d.year()).unwrap_or(this_year);
    (this_year - 1).max(founded).to_string()
}

async fn page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    year: String,
    saved: bool,
    mut errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let r = match svc::assessment(state, &v.principal, &c, &year).await {
        Ok(r) => Some(r),
        Err(OpError::Invalid(e)) => {
            errors = FormErrors::new(v.t(), e);
            None
        }
        Err(e) => return Err(PageError::from_app(e, v.lang())),
    };
    let answers = match &r {
        Some(r) => svc::answers(state, &v.principal, &c, r.year).await.map_err(|e| PageError::from_app(e, v.lang()))?.0,
        None => Default::default(),
    };
    let parts = ManagementPart::ALL
        .iter()
        .map(|p| Part {
            code: p.as_str(),
            label: p.label(),
            questions: p
                .questions()
                .iter()
                .zip(answers.answers(*p))
                .enumerate()
                .map(|(i, (q, a))| (format!("{}_{}", p.as_str(), i + 1), *q, a))
                .collect(),
        })
        .collect();
    let this_year = coop::coop_today(state, &c).year();
    let founded = domain::person::parse_date(&c.founded_on).map(|d| d.year()).unwrap_or(this_year);
    let failed = errors.any();
    let resp = render(
        &HealthPage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", t.get("coop_health.title"), c.name),
                &format!("/cooperatives/{}/health", c.id),
            ),
            t,
            can_manage: coop::can_manage(&v.principal, &c),
            c,
            year,
            years: (founded..=this_year).rev().collect(),
            r,
            parts,
            errors,
            saved,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

/// `GET /cooperatives/{id}/health?year=` (the page) and `?format=pdf|xlsx` (the worksheet).
pub async fn health(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<HealthQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let year = q.year.clone().filter(|y| !y.trim().is_empty()).unwrap_or_else(|| default_year(&state, &c));
    if let Some(format) = q.format {
        let r = svc::assessment(&state, &v.principal, &c, &year).await.map_err(|e| PageError::from_app(e, v.lang()))?;
        let report = svc::worksheet_report(&c, &r);
        return Ok(crate::download::report(&report, format, &format!("kesehatan-{}-{}", c.id, r.year)));
    }
    page(&state, &v, c, year, q.saved.is_some(), FormErrors::default()).await
}

/// `POST /cooperatives/{id}/health/answers`: the board's questionnaire; each checked box is
/// `<component>_<n>=1`.
pub async fn save_answers(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| f.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    v.check_csrf(&field("_csrf"))?;
    let c = load(&state, &v, id).await?;
    let year = field("year");
    let yes: Vec<String> = f.iter().filter(|(k, _)| k != "_csrf" && k != "year").map(|(k, _)| k.clone()).collect();
    match svc::save_answers(&state, &v.principal, &v.actor(), &c, &year, &yes).await {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{id}/health?year={}&saved=1", year.trim())).into_response()),
        Err(OpError::Invalid(e)) => page(&state, &v, c, year, false, FormErrors::new(v.t(), e)).await,
        Err(OpError::Forbidden) => Err(PageError::forbidden(v.lang())),
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

/// `POST /cooperatives/{id}/health/record`: records the year's result for monitoring.
pub async fn record(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| f.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    v.check_csrf(&field("_csrf"))?;
    let c = load(&state, &v, id).await?;
    let year = field("year");
    match svc::record(&state, &v.principal, &v.actor(), &c, &year).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/health?year={}&saved=1", year.trim())).into_response()),
        Err(OpError::Invalid(e)) => page(&state, &v, c, year, false, FormErrors::new(v.t(), e)).await,
        Err(OpError::Forbidden) => Err(PageError::forbidden(v.lang())),
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}
