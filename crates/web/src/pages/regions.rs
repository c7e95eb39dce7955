//! Region browser (province → regency → district → village), search, village page,
//! designation.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use crate::error::PageForm;
use app::regions::{self as svc, Program, ProgramVillage, Region, SearchHit, User, VillageStatus};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::{RegionCode, RegionLevel};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionPage {
    layout: Layout,
    t: crate::i18n::T,
    /// None on the province list.
    region: Option<Region>,
    breadcrumb: Vec<Region>,
    children: Vec<Region>,
    child_level: String,
    designated: Vec<ProgramVillage>,
    query: String,
}

#[derive(Template)]
#[template(path = "village.html")]
struct VillagePage {
    layout: Layout,
    t: crate::i18n::T,
    village: Region,
    breadcrumb: Vec<Region>,
    status: VillageStatus,
    staff: Vec<User>,
    can_designate: bool,
    programs: Vec<Program>,
    errors: FormErrors,
    form_cohort: String,
    /// The designation checkboxes: as typed after a refusal, else as recorded.
    form_desmigratif: bool,
    form_pocket: bool,
    saved: bool,
    year_max: i32,
}

#[derive(Template)]
#[template(path = "region_search.html")]
struct SearchPage {
    layout: Layout,
    t: crate::i18n::T,
    query: String,
    level: String,
    hits: Vec<SearchHit>,
}

#[derive(Template)]
#[template(path = "region_hits.html")]
struct SearchHits {
    t: crate::i18n::T,
    query: String,
    hits: Vec<SearchHit>,
}

fn parse_code(raw: &str, v: &Viewer) -> Result<RegionCode, PageError> {
    raw.parse().map_err(|_| PageError::not_found(v.lang()))
}

fn app_err(v: &Viewer) -> impl Fn(app::Error) -> PageError + '_ {
    move |e| PageError::from_app(e, v.lang())
}

pub async fn index(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let t = v.t();
    let children = svc::provinces(&state).await.map_err(app_err(&v))?;
    render(
        &RegionPage {
            layout: Layout::for_viewer(&v, t.get("regions.title"), "/regions"),
            t,
            region: None,
            breadcrumb: vec![],
            children,
            child_level: "province".into(),
            designated: vec![],
            query: String::new(),
        },
        v.lang(),
    )
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    level: String,
}

pub async fn search(
    State(state): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    Query(sq): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let t = v.t();
    let level = RegionLevel::parse(&sq.level);
    let q: String = sq.q.chars().take(100).collect();
    let hits = svc::search(&state, &q, level, None, 50).await.map_err(app_err(&v))?;
    // htmx asks for the result list only; without JavaScript the whole page comes back.
    if headers.contains_key("hx-request") {
        return render(&SearchHits { t, query: q, hits }, v.lang());
    }
    render(
        &SearchPage {
            layout: Layout::for_viewer(&v, t.get("regions.search_title"), "/regions/search"),
            t,
            query: q,
            level: level.map(|l| l.as_str().to_string()).unwrap_or_default(),
            hits,
        },
        v.lang(),
    )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(raw): Path<String>,
    Query(sq): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let code = parse_code(&raw, &v)?;
    let region = svc::region(&state, &code).await.map_err(app_err(&v))?;
    if code.level() == RegionLevel::Village {
        return village_page(&state, &v, &code, FormErrors::default(), String::new(), None, sq.saved.is_some()).await;
    }
    let breadcrumb = svc::ancestors(&state, &code).await.map_err(app_err(&v))?;
    let t = v.t();
    let children = svc::children(&state, &code).await.map_err(app_err(&v))?;
    let designated = svc::desmigratif_villages(&state, &code, 500).await.map_err(app_err(&v))?;
    let title = region.name.clone();
    render(
        &RegionPage {
            layout: Layout::for_viewer(&v, title, &format!("/regions/{code}")),
            t,
            child_level: code.level().child().map(|l| l.as_str()).unwrap_or("village").to_string(),
            region: Some(region),
            breadcrumb,
            children,
            designated,
            query: String::new(),
        },
        v.lang(),
    )
}

async fn village_page(
    state: &AppState,
    v: &Viewer,
    code: &RegionCode,
    errors: FormErrors,
    form_cohort: String,
    typed_checks: Option<(bool, bool)>,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let d = svc::village(state, &v.principal, code).await.map_err(app_err(v))?;
    let (village, breadcrumb, status, staff) = (d.village, d.breadcrumb, d.status, d.officers);
    let (can_designate, programs) = (d.can_designate, d.programs);
    // After a refusal the form shows what was typed (an emptied year too), else the record.
    let form_cohort = if form_cohort.is_empty() && typed_checks.is_none() {
        status.cohort_year.map(|y| y.to_string()).unwrap_or_default()
    } else {
        form_cohort
    };
    let (form_desmigratif, form_pocket) = typed_checks.unwrap_or((status.desmigratif, status.pocket_village));
    let failed = errors.any();
    let page = render(
        &VillagePage {
            layout: Layout::for_viewer(v, village.name.clone(), &format!("/regions/{code}")),
            t,
            village,
            breadcrumb,
            status,
            staff,
            can_designate,
            programs,
            errors,
            form_cohort,
            form_desmigratif,
            form_pocket,
            saved,
            year_max: state.clock.year() + 1,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

#[derive(Deserialize)]
pub struct DesignationForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    desmigratif: Option<String>,
    #[serde(default)]
    cohort_year: String,
    #[serde(default)]
    pocket_village: Option<String>,
}

/// Resolves a village code the caller may do `action` in, refusing anything else.
async fn village_for_write(state: &AppState, v: &Viewer, raw: &str, action: Action) -> Result<RegionCode, PageError> {
    let code = parse_code(raw, v)?;
    svc::village_for(state, &v.principal, &code, action).await.map_err(app_err(v))?;
    Ok(code)
}

pub async fn designate(
    State(state): State<AppState>,
    v: Viewer,
    Path(raw): Path<String>,
    PageForm(f): PageForm<DesignationForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let code = village_for_write(&state, &v, &raw, Action::DesignateVillage).await?;
    let cohort_raw = f.cohort_year.trim();
    let saved = match if cohort_raw.is_empty() { Ok(None) } else { cohort_raw.parse::<i64>().map(Some) } {
        Ok(cohort) => {
            let (desmigratif, pocket) = (f.desmigratif.is_some(), f.pocket_village.is_some());
            svc::designate(&state, &v.principal, &v.actor(), &code, desmigratif, cohort, pocket).await.map(|_| ())
        }
        Err(_) => Err(app::Error::Invalid(
            domain::ValidationErrors::single("cohort_year", domain::Rule::Format, "a year such as 2017")
                .message("msg_key.year_format"),
        )),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/regions/{code}?saved=1")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            let typed = Some((f.desmigratif.is_some(), f.pocket_village.is_some()));
            village_page(&state, &v, &code, FormErrors::new(v.t(), errs), cohort_raw.to_string(), typed, false).await
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Deserialize)]
pub struct ProgramForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    program: String,
    #[serde(default)]
    since_year: String,
    /// "join" or "leave".
    #[serde(default)]
    op: String,
}

pub async fn set_program(
    State(state): State<AppState>,
    v: Viewer,
    Path(raw): Path<String>,
    PageForm(f): PageForm<ProgramForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let code = village_for_write(&state, &v, &raw, Action::DesignateVillage).await?;
    let leave = f.op == "leave";
    match svc::set_program(&state, &v.principal, &v.actor(), &code, &f.program, &f.since_year, leave).await {
        Ok(()) => Ok(Redirect::to(&format!("/regions/{code}?saved=1")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            village_page(&state, &v, &code, FormErrors::new(v.t(), errs), String::new(), None, false).await
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}
