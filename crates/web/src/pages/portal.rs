//! The public portal (no login): is this agency licensed, is this job offer real, the safe
//! migration steps, the nearest Desmigratif village service center, missions abroad, hotlines.
//! Small pages (under 50 KB), no script, Indonesian first.

use super::{Layout, render, rupiah};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::PageError;
use crate::i18n::T;
use crate::portal::JobOrder;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::portal::{HOTLINES, Hotline, JobCode, agency_verdict, clean_query};
use serde::Deserialize;

/// Public pages may be cached briefly by browsers and proxies: they hold no personal data.
const PUBLIC_CACHE: &str = "public, max-age=300";

fn public(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(PUBLIC_CACHE));
    // The language comes from a cookie: caches must keep the versions apart.
    resp.headers_mut().insert(header::VARY, header::HeaderValue::from_static("Cookie"));
    resp
}

fn layout(ctx: &Ctx, title: &str, path: &str) -> Layout {
    Layout::anonymous(ctx, title, path)
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    layout: Layout,
    t: T,
    hotlines: &'static [Hotline],
}

pub async fn home(ctx: Ctx) -> Result<Response, PageError> {
    let t = ctx.t();
    let page = HomePage { layout: layout(&ctx, t.get("portal.title"), "/portal"), t, hotlines: HOTLINES };
    render(&page, ctx.lang).map(public)
}

pub struct AgencyHit {
    pub name: String,
    pub licence_number: String,
    pub status_label: &'static str,
    pub valid_until: String,
    pub verdict: &'static str,
    pub ok: bool,
    pub advice: &'static str,
    pub address: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "portal_agencies.html")]
struct AgenciesPage {
    layout: Layout,
    t: T,
    q: String,
    searched: bool,
    too_short: bool,
    hits: Vec<AgencyHit>,
    /// Registered agencies a letter or two from what was typed, when nothing matched.
    near: Vec<AgencyHit>,
    hotlines: &'static [Hotline],
}

#[derive(Deserialize, Default)]
pub struct QQuery {
    #[serde(default)]
    q: String,
}

pub async fn agencies(State(state): State<AppState>, ctx: Ctx, Query(q): Query<QQuery>) -> Result<Response, PageError> {
    let t = ctx.t();
    let query = clean_query(&q.q);
    // Read-only: from the replica when there is one (track multi).
    let (reader, source) = state.reader().await;
    let found = crate::portal::check_agency(&reader, &query).await.map_err(PageError::internal(ctx.lang))?;
    let today = state.today().to_string();
    let hit = |a: crate::portal::PublicAgency| {
        let v = agency_verdict(&a.status, &a.valid_until, &today);
        AgencyHit {
            status_label: t.agency_status(&a.status),
            verdict: t.get(&format!("portal.verdict.{}", v.code())),
            ok: v.may_proceed(),
            advice: t.get(&format!("portal.advice.{}", v.code())),
            name: a.name,
            licence_number: a.licence_number,
            valid_until: a.valid_until,
            address: a.address,
            phone: a.phone,
        }
    };
    let hits = found.hits.into_iter().map(hit).collect();
    let near = found.suggestions.into_iter().map(hit).collect();
    let page = AgenciesPage {
        layout: layout(&ctx, t.get("portal.agency_check"), "/portal/agencies").read_from(source),
        t,
        searched: !query.is_empty(),
        too_short: !query.is_empty() && query.chars().count() < 2,
        q: query,
        hits,
        near,
        hotlines: HOTLINES,
    };
    render(&page, ctx.lang).map(public)
}

/// A job order as the public sees it.
pub struct JobView {
    pub code: String,
    pub destination: String,
    pub job: String,
    pub salary: String,
    pub costs: Vec<(String, String)>,
    pub total: String,
    pub zero_cost_breach: bool,
    pub agency: String,
    pub agency_status: &'static str,
    pub valid: String,
}

fn country(t: T, code: &str) -> String {
    match t.label("country", code) {
        l if l == code => l,
        l => format!("{l} ({code})"),
    }
}

async fn job_view(state: &AppState, t: T, jo: &JobOrder) -> JobView {
    // Whether the worker is charged an item the zero-cost rule forbids for this job and country.
    let zero_cost_breach = match state.policy().await {
        Ok(p) => {
            let z = &p.policy.zero_cost;
            let today = state.today();
            let covered = z.job_types.iter().any(|j| j.as_str() == jo.job_type);
            let exempt = z.exemptions.iter().any(|e| {
                e.destination.as_str() == jo.destination && e.since <= today && e.until.is_none_or(|u| today <= u)
            });
            covered
                && !exempt
                && jo.costs.iter().any(|c| c.amount_rupiah > 0 && z.cost_items.iter().any(|i| i.as_str() == c.item))
        }
        Err(_) => false,
    };
    JobView {
        code: jo.public_code.as_deref().and_then(JobCode::parse).map(|c| c.display()).unwrap_or_default(),
        destination: country(t, &jo.destination),
        job: t.label("job", &jo.job_type),
        salary: format!("{} {}", jo.salary_currency, reports::group_thousands(jo.salary_amount)),
        costs: jo.costs.iter().map(|c| (t.label("cost", &c.item), rupiah(c.amount_rupiah))).collect(),
        total: rupiah(jo.total_costs()),
        zero_cost_breach,
        agency: jo.agency_name.clone(),
        agency_status: t.agency_status(&jo.agency_status),
        valid: format!("{} – {}", jo.valid_from, jo.valid_until),
    }
}

#[derive(Template)]
#[template(path = "portal_jobs.html")]
struct JobsPage {
    layout: Layout,
    t: T,
    jobs: Vec<JobView>,
    destination: String,
    next: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct JobsQuery {
    #[serde(default)]
    destination: String,
    before: Option<i64>,
}

/// Rows per page of the public job list.
const JOBS_PER_PAGE: i64 = 30;

pub async fn jobs(State(state): State<AppState>, ctx: Ctx, Query(q): Query<JobsQuery>) -> Result<Response, PageError> {
    let t = ctx.t();
    let dest = domain::service_center::CountryCode::parse(&q.destination);
    let (reader, source) = state.reader().await;
    let (found, next) = crate::portal::public_jobs(&reader, dest.as_ref().map(|d| d.as_str()), q.before, JOBS_PER_PAGE)
        .await
        .map_err(PageError::internal(ctx.lang))?;
    let mut jobs = vec![];
    for jo in &found {
        jobs.push(job_view(&state, t, jo).await);
    }
    let page = JobsPage {
        layout: layout(&ctx, t.get("portal.jobs"), "/portal/jobs").read_from(source),
        t,
        jobs,
        destination: dest.map(|d| d.as_str().to_string()).unwrap_or_default(),
        next,
    };
    render(&page, ctx.lang).map(public)
}

#[derive(Template)]
#[template(path = "portal_job.html")]
struct JobPage {
    layout: Layout,
    t: T,
    /// What was typed (shown back when not found).
    typed: String,
    job: Option<JobView>,
    /// Found, but no longer verified, expired, or the agency lost its licence.
    still_valid: bool,
    qr: String,
    hotlines: &'static [Hotline],
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// The check form (`/cek?code=`): a well-formed code goes to its page, anything else is "not found".
pub async fn check_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CodeQuery>,
) -> Result<Response, PageError> {
    if q.code.trim().is_empty() {
        let t = ctx.t();
        let page = JobPage {
            layout: layout(&ctx, t.get("portal.job_check"), "/cek"),
            t,
            typed: String::new(),
            job: None,
            still_valid: false,
            qr: String::new(),
            hotlines: HOTLINES,
        };
        return render(&page, ctx.lang).map(public);
    }
    match JobCode::parse(&q.code) {
        Some(c) => Ok(Redirect::to(&format!("/cek/{}", c.display())).into_response()),
        None => check(State(state), ctx, HeaderMap::new(), Path(clean_query(&q.code))).await,
    }
}

fn host_base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.len() <= 100 && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let t = ctx.t();
    let found = crate::portal::job_by_code(&state, &code).await.map_err(PageError::internal(ctx.lang))?;
    let (job, still_valid, qr) = match &found {
        Some((c, jo, _)) => {
            let still_valid = jo.why_not_selectable(state.today()).is_none();
            let url = format!("{}/cek/{}", host_base(&headers), c.display());
            let qr = if still_valid { crate::portal::qr_svg(&url).unwrap_or_default() } else { String::new() };
            (Some(job_view(&state, t, jo).await), still_valid, qr)
        }
        None => (None, false, String::new()),
    };
    let page = JobPage {
        layout: layout(
            &ctx,
            t.get("portal.job_check"),
            &format!("/cek/{}", crate::error::urlencode(&clean_query(&code))),
        ),
        t,
        typed: clean_query(&code),
        job,
        still_valid,
        qr,
        hotlines: HOTLINES,
    };
    let status = if found.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    render(&page, ctx.lang).map(|r| (status, public(r)).into_response())
}

/// The QR code alone, as an SVG file agencies can print.
pub async fn qr(State(state): State<AppState>, headers: HeaderMap, Path(code): Path<String>) -> Response {
    let Ok(Some((c, jo, _))) = crate::portal::job_by_code(&state, &code).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if jo.why_not_selectable(state.today()).is_some() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let url = format!("{}/cek/{}", host_base(&headers), c.display());
    match crate::portal::qr_svg(&url) {
        Some(svg) => public(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub struct StepBan {
    pub destination: String,
    pub scope: String,
    pub source: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "portal_steps.html")]
struct StepsPage {
    layout: Layout,
    t: T,
    documents: Vec<String>,
    zero_cost_jobs: Vec<String>,
    zero_cost_items: Vec<String>,
    zero_cost_exempt: Vec<String>,
    zero_cost_source: String,
    bans: Vec<StepBan>,
}

pub async fn steps(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let t = ctx.t();
    let p = state.policy().await.map_err(PageError::internal(ctx.lang))?;
    let mut documents: Vec<String> = p.matrix.iter().map(|r| t.label("doc", r.document.as_str())).collect();
    documents.dedup();
    let mut seen = std::collections::HashSet::new();
    documents.retain(|d| seen.insert(d.clone()));
    let today = state.today();
    let z = &p.policy.zero_cost;
    let bans = p
        .policy
        .bans
        .iter()
        .filter(|b| b.since <= today && b.until.is_none_or(|u| today <= u))
        .map(|b| StepBan {
            destination: country(t, b.destination.as_str()),
            scope: match (&b.category, &b.job_type) {
                (None, None) => t.get("portal.ban_all").to_string(),
                (Some(c), None) => t.label("category_ep", c.as_str()),
                (None, Some(j)) => t.label("job", j.as_str()),
                (Some(c), Some(j)) => {
                    format!("{} · {}", t.label("category_ep", c.as_str()), t.label("job", j.as_str()))
                }
            },
            source: b.legal_source.clone(),
            since: b.since.to_string(),
        })
        .collect();
    let page = StepsPage {
        layout: layout(&ctx, t.get("portal.steps"), "/portal/safe-migration"),
        t,
        documents,
        zero_cost_jobs: z.job_types.iter().map(|j| t.label("job", j.as_str())).collect(),
        zero_cost_items: z.cost_items.iter().map(|i| t.label("cost", i.as_str())).collect(),
        zero_cost_exempt: z
            .exemptions
            .iter()
            .filter(|e| e.since <= today && e.until.is_none_or(|u| today <= u))
            .map(|e| country(t, e.destination.as_str()))
            .collect(),
        zero_cost_source: z.legal_source.clone(),
        bans,
    };
    render(&page, ctx.lang).map(public)
}

pub struct CenterRow {
    pub name: String,
    pub path: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "portal_centers.html")]
struct CentersPage {
    layout: Layout,
    t: T,
    q: String,
    regions: Vec<(String, String)>,
    region_name: String,
    centers: Vec<CenterRow>,
    /// The area the list was widened to when the chosen one has none.
    widened: String,
}

#[derive(Deserialize, Default)]
pub struct CentersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
}

pub async fn centers(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CentersQuery>,
) -> Result<Response, PageError> {
    let t = ctx.t();
    let err = || PageError::internal(ctx.lang);
    let query = clean_query(&q.q);
    let mut regions = vec![];
    if !query.is_empty() && q.region.is_empty() {
        regions = crate::portal::region_choices(&state, &query).await.map_err(|e| err()(e))?;
    }
    let mut centers = vec![];
    let mut region_name = String::new();
    let mut widened = String::new();
    if let Some(code) = crate::region_filter::for_page(ctx.lang, Some(&q.region))? {
        let found = crate::portal::service_centers(&state, &code).await.map_err(|e| err()(e))?;
        (region_name, widened) = (found.region_name, found.widened);
        centers = found
            .centers
            .into_iter()
            .map(|c| CenterRow {
                name: c.name,
                path: c.path,
                since: c.since.map(|y| y.to_string()).unwrap_or_default(),
            })
            .collect();
    }
    let page = CentersPage {
        layout: layout(&ctx, t.get("portal.centers"), "/portal/service-centers"),
        t,
        q: query,
        regions,
        region_name,
        centers,
        widened,
    };
    render(&page, ctx.lang).map(public)
}

#[derive(Template)]
#[template(path = "portal_missions.html")]
struct MissionsPage {
    layout: Layout,
    t: T,
    countries: Vec<(String, String, bool)>,
    missions: Vec<(String, crate::portal::Mission)>,
    hotlines: &'static [Hotline],
}

#[derive(Deserialize, Default)]
pub struct CountryQuery {
    #[serde(default)]
    country: String,
}

pub async fn missions(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CountryQuery>,
) -> Result<Response, PageError> {
    let t = ctx.t();
    let all = crate::portal::missions(&state).await.map_err(PageError::internal(ctx.lang))?;
    let chosen = domain::service_center::CountryCode::parse(&q.country).map(|c| c.as_str().to_string());
    let mut countries: Vec<(String, String, bool)> = all
        .iter()
        .map(|m| (m.country.clone(), country(t, &m.country), chosen.as_deref() == Some(m.country.as_str())))
        .collect();
    countries.dedup_by(|a, b| a.0 == b.0);
    let missions = all
        .into_iter()
        .filter(|m| chosen.as_deref().is_none_or(|c| c == m.country))
        .map(|m| (country(t, &m.country), m))
        .collect();
    let page = MissionsPage {
        layout: layout(&ctx, t.get("portal.missions"), "/portal/missions"),
        t,
        countries,
        missions,
        hotlines: HOTLINES,
    };
    render(&page, ctx.lang).map(public)
}
