//! Region browser (province → regency → district → village), search, village page,
//! designation.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use crate::error::PageForm;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::{RegionCode, RegionLevel};
use serde::Deserialize;
use store::programs::{Program, ProgramVillage, VillageStatus};
use store::regions::{Region, SearchHit};
use store::users::User;

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

pub async fn index(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let t = v.t();
    let children = store::regions::provinces(&state.db).await.map_err(PageError::internal(v.lang()))?;
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
    let hits = store::regions::search(&state.db, &q, level, None, 50).await.map_err(PageError::internal(v.lang()))?;
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
    let err = || PageError::internal(v.lang());
    let region =
        store::regions::get(&state.db, &code).await.map_err(err())?.ok_or_else(|| PageError::not_found(v.lang()))?;
    let mut breadcrumb = store::regions::lineage(&state.db, &code).await.map_err(err())?;
    breadcrumb.pop();
    if code.level() == RegionLevel::Village {
        v.require(Action::ViewVillage, Some(&code))?;
        return village_page(&state, &v, region, breadcrumb, FormErrors::default(), String::new(), sq.saved.is_some())
            .await;
    }
    let t = v.t();
    let children = store::regions::children(&state.db, &code).await.map_err(err())?;
    let designated = store::programs::program_villages(&state.db, domain::program::DESMIGRATIF, Some(&code), 500)
        .await
        .map_err(err())?;
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
    village: Region,
    breadcrumb: Vec<Region>,
    errors: FormErrors,
    form_cohort: String,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let err = || PageError::internal(v.lang());
    let code: RegionCode = village.code.parse().map_err(|_| PageError::not_found(v.lang()))?;
    let status = store::programs::village_status(&state.db, &code).await.map_err(err())?;
    let staff = store::users::village_staff(&state.db, &code).await.map_err(err())?;
    let can_designate = v.can(Action::DesignateVillage, Some(&code));
    let programs = if can_designate { store::programs::list(&state.db).await.map_err(err())? } else { vec![] };
    let form_cohort = if form_cohort.is_empty() {
        status.cohort_year.map(|y| y.to_string()).unwrap_or_default()
    } else {
        form_cohort
    };
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

/// Resolves a village code to its record, refusing anything else.
async fn village_for_write(
    state: &AppState,
    v: &Viewer,
    raw: &str,
    action: Action,
) -> Result<(RegionCode, Region), PageError> {
    let code = parse_code(raw, v)?;
    if code.level() != RegionLevel::Village {
        return Err(PageError::not_found(v.lang()));
    }
    let region = store::regions::get(&state.db, &code)
        .await
        .map_err(PageError::internal(v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))?;
    v.require(action, Some(&code))?;
    Ok((code, region))
}

pub async fn designate(
    State(state): State<AppState>,
    v: Viewer,
    Path(raw): Path<String>,
    PageForm(f): PageForm<DesignationForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let (code, region) = village_for_write(&state, &v, &raw, Action::DesignateVillage).await?;
    let desmigratif = f.desmigratif.is_some();
    let cohort_raw = f.cohort_year.trim();
    let cohort = if cohort_raw.is_empty() { Ok(None) } else { cohort_raw.parse::<i64>().map(Some) };
    let result = match cohort {
        Ok(c) => domain::program::validate_designation(desmigratif, c, f.pocket_village.is_some(), state.clock.year()),
        Err(_) => Err(domain::ValidationErrors::single("cohort_year", domain::Rule::Format, "a year such as 2017")),
    };
    match result {
        Ok(d) => {
            store::programs::designate(&state.db, &v.actor(), &code, &d)
                .await
                .map_err(PageError::internal(v.lang()))?;
            Ok(Redirect::to(&format!("/regions/{code}?saved=1")).into_response())
        }
        Err(errs) => {
            let mut breadcrumb =
                store::regions::lineage(&state.db, &code).await.map_err(PageError::internal(v.lang()))?;
            breadcrumb.pop();
            let errors = FormErrors::new(v.t(), errs);
            village_page(&state, &v, region, breadcrumb, errors, cohort_raw.to_string(), false).await
        }
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
    let (code, region) = village_for_write(&state, &v, &raw, Action::DesignateVillage).await?;
    let err = || PageError::internal(v.lang());
    let program = store::programs::by_code(&state.db, f.program.trim()).await.map_err(err())?;
    let mut errs = domain::ValidationErrors::new();
    let program = match program {
        Some(p) if p.code != domain::program::DESMIGRATIF => Some(p),
        Some(_) => {
            errs.add("program", domain::Rule::OneOf, "Desmigratif is set with the designation form");
            None
        }
        None => {
            errs.add("program", domain::Rule::OneOf, "choose a program from the list");
            None
        }
    };
    let since = if f.op == "leave" {
        None
    } else {
        match f.since_year.trim().parse::<i32>() {
            Ok(y) if (2000..=state.clock.year() + 1).contains(&y) => Some(y),
            _ => {
                errs.add(
                    "since_year",
                    domain::Rule::OutOfRange,
                    format!("a year between 2000 and {}", state.clock.year() + 1),
                );
                None
            }
        }
    };
    match program {
        Some(p) if errs.is_empty() => {
            store::programs::set_village_program(&state.db, &v.actor(), &code, &p, since).await.map_err(err())?;
            Ok(Redirect::to(&format!("/regions/{code}?saved=1")).into_response())
        }
        _ => {
            let mut breadcrumb = store::regions::lineage(&state.db, &code).await.map_err(err())?;
            breadcrumb.pop();
            village_page(&state, &v, region, breadcrumb, FormErrors::new(v.t(), errs), String::new(), false).await
        }
    }
}
