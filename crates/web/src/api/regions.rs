//! Regions (reference data for every account) and villages (scope-checked).

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody};
use app::regions::{self as svc, Region};
use axum::Json;
use axum::extract::{Path, Query, State};
use domain::access::Action;
use domain::{RegionCode, RegionLevel, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "53.10", "name": "Kabupaten Sikka", "level": "regency", "parent_code": "53"}))]
pub struct RegionView {
    /// Kemendagri code with dots.
    pub code: String,
    pub name: String,
    /// province, regency, district or village
    pub level: String,
    pub parent_code: Option<String>,
}

impl From<Region> for RegionView {
    fn from(r: Region) -> Self {
        RegionView { code: r.code, name: r.name, level: r.level, parent_code: r.parent_code }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<RegionView>,
}

fn parse(code: &str) -> Result<RegionCode, ApiError> {
    code.parse().map_err(|_| ApiError::NotFound("region"))
}

async fn existing(state: &AppState, code: &str) -> Result<Region, ApiError> {
    let c = parse(code)?;
    svc::region(state, &c).await.map_err(|e| match e {
        app::Error::NotFound => ApiError::NotFound("region"),
        e => e.into(),
    })
}

/// All 38 provinces.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", security(("bearer" = [])),
    responses((status = 200, body = RegionList), (status = 401, body = ErrorBody)))]
pub async fn provinces(State(state): State<AppState>, _u: ApiUser) -> Result<Json<RegionList>, ApiError> {
    let items = svc::provinces(&state).await?.into_iter().map(Into::into).collect();
    Ok(Json(RegionList { items }))
}

/// One region by Kemendagri code (`53`, `53.10`, `53.10.01`, `53.10.01.2001`).
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "regions", params(("code" = String, Path, example = "53.10")),
    security(("bearer" = [])),
    responses((status = 200, body = RegionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _u: ApiUser,
    Path(code): Path<String>,
) -> Result<Json<RegionView>, ApiError> {
    Ok(Json(existing(&state, &code).await?.into()))
}

/// All children of a region (regencies of a province, …, villages of a district).
#[utoipa::path(get, path = "/api/v1/regions/{code}/children", tag = "regions", params(("code" = String, Path, example = "53.10")),
    security(("bearer" = [])),
    responses((status = 200, body = RegionList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn children(
    State(state): State<AppState>,
    _u: ApiUser,
    Path(code): Path<String>,
) -> Result<Json<RegionList>, ApiError> {
    let r = existing(&state, &code).await?;
    let c = parse(&r.code)?;
    let items = svc::children(&state, &c).await?.into_iter().map(Into::into).collect();
    Ok(Json(RegionList { items }))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words that must all occur in the name, any case ("sikka", "kab sikka").
    pub q: String,
    /// Limit to one level.
    pub level: Option<String>,
    /// Limit to the inside of a region.
    pub within: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitView {
    #[serde(flatten)]
    pub region: RegionView,
    /// Names of the ancestors, nearest first.
    pub path: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    pub items: Vec<SearchHitView>,
}

/// Name search, tolerant of case and partial words.
#[utoipa::path(get, path = "/api/v1/regions/search", tag = "regions", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, body = SearchResult), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    _u: ApiUser,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchResult>, ApiError> {
    let mut errs = ValidationErrors::new();
    if q.q.trim().is_empty() {
        errs.add("q", Rule::Required, "search words");
    } else if q.q.chars().count() > 100 {
        errs.add("q", Rule::TooLong, "at most 100 characters");
    }
    let level = match q.level.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => RegionLevel::parse(l).or_else(|| {
            errs.add("level", Rule::OneOf, "province, regency, district or village");
            None
        }),
        None => None,
    };
    let within = crate::region_filter::collect(&mut errs, "within", q.within.as_deref());
    let limit = domain::paging::limit(&mut errs, q.limit, 50);
    errs.into_result()?;
    let hits = svc::search(&state, &q.q, level, within.as_ref(), limit).await?;
    let items = hits.into_iter().map(|h| SearchHitView { region: h.region.into(), path: h.path }).collect();
    Ok(Json(SearchResult { items }))
}

#[derive(Serialize, ToSchema)]
pub struct ParticipationView {
    pub program_code: String,
    pub program_name: String,
    pub since_year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct OfficerView {
    pub id: i64,
    pub full_name: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "53.10.01.2001", "name": "Nita", "level": "village", "parent_code": "53.10.01",
    "desmigratif": true, "cohort_year": 2017, "pocket_village": true, "programs": [], "officers": []}))]
pub struct VillageView {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub desmigratif: bool,
    pub cohort_year: Option<i32>,
    pub pocket_village: bool,
    pub programs: Vec<ParticipationView>,
    pub officers: Vec<OfficerView>,
}

fn village_view(d: svc::VillageDossier) -> VillageView {
    let (r, status) = (d.village, d.status);
    VillageView {
        code: r.code,
        name: r.name,
        level: r.level,
        parent_code: r.parent_code,
        desmigratif: status.desmigratif,
        cohort_year: status.cohort_year,
        pocket_village: status.pocket_village,
        programs: status
            .programs
            .into_iter()
            .map(|p| ParticipationView {
                program_code: p.program_code,
                program_name: p.program_name,
                since_year: p.since_year,
            })
            .collect(),
        officers: d
            .officers
            .into_iter()
            .map(|u| OfficerView { id: u.id, full_name: u.full_name, role: u.role })
            .collect(),
    }
}

/// The village `code` the caller may do `action` in: 404 for no such village, 403 outside scope.
async fn village_for(state: &AppState, u: &ApiUser, code: &str, action: Action) -> Result<RegionCode, ApiError> {
    let c = parse(code)?;
    svc::village_for(state, &u.principal, &c, action).await.map_err(|e| match e {
        // As before: a village code nobody knows is an unknown region; another level, no village.
        app::Error::NotFound if c.level() == RegionLevel::Village => ApiError::NotFound("region"),
        app::Error::NotFound => ApiError::NotFound("village"),
        e => e.into(),
    })?;
    Ok(c)
}

/// A village with its Desmigratif designation, programs and officers (within the caller's scope).
#[utoipa::path(get, path = "/api/v1/villages/{code}", tag = "regions", params(("code" = String, Path, example = "53.10.01.2001")),
    security(("bearer" = [])),
    responses((status = 200, body = VillageView), (status = 403, description = "Outside the caller's region", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn village(
    State(state): State<AppState>,
    u: ApiUser,
    Path(code): Path<String>,
) -> Result<Json<VillageView>, ApiError> {
    let c = village_for(&state, &u, &code, Action::ViewVillage).await?;
    Ok(Json(village_view(svc::village(&state, &u.principal, &c).await?)))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"desmigratif": true, "cohort_year": 2017, "pocket_village": true}))]
pub struct DesignationRequest {
    pub desmigratif: bool,
    /// Required when `desmigratif` is true: 2016 … next year.
    pub cohort_year: Option<i64>,
    #[serde(default)]
    pub pocket_village: bool,
}

/// Designates a village for Desmigratif (cohort year) and marks it a pocket village (national admins).
#[utoipa::path(put, path = "/api/v1/villages/{code}/designation", tag = "regions",
    params(("code" = String, Path, example = "53.10.01.2001")), request_body = DesignationRequest, security(("bearer" = [])),
    responses((status = 200, body = VillageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn designate(
    State(state): State<AppState>,
    u: ApiUser,
    Path(code): Path<String>,
    body: Unread<ApiJson<DesignationRequest>>,
) -> Result<Json<VillageView>, ApiError> {
    let c = village_for(&state, &u, &code, Action::DesignateVillage).await?;
    let ApiJson(req) = body.read().await?;
    svc::designate(&state, &u.principal, &u.actor, &c, req.desmigratif, req.cohort_year, req.pocket_village).await?;
    Ok(Json(village_view(svc::village(&state, &u.principal, &c).await?)))
}
