//! Monitoring pages: dashboards at every level with drill-down, reports (PDF, XLSX, CSV),
//! targets and criteria (national admins), and the open statistics page without login.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::{Ctx, Viewer};
use crate::charts;
use crate::download::{self, Format};
use crate::error::{PageError, PageErrorKind, PageForm};
use crate::i18n::{Lang, T};
use crate::monitoring::{self as svc, Dashboard, Place, RegionError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::monitoring::{Period, TargetInput};
use domain::{Rule, ValidationErrors};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
pub struct DashQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    /// The indicator shading the map and the sub-region bars.
    #[serde(default)]
    ind: Option<String>,
    #[serde(default)]
    format: Option<String>,
    /// Open statistics: the region ('' nation).
    #[serde(default)]
    region_code: Option<String>,
}

fn region_error(e: RegionError, lang: Lang) -> PageError {
    let t = T::new(lang);
    match e {
        RegionError::BadCode | RegionError::Unknown => {
            PageError::new(PageErrorKind::NotFoundWith(t.get("monitoring.unknown_region").into()), lang)
        }
        RegionError::OutOfScope => {
            PageError::new(PageErrorKind::ForbiddenWith(t.get("monitoring.out_of_scope").into()), lang)
        }
        RegionError::Store(e) => PageError::internal(lang)(e),
    }
}

fn period_of(state: &AppState, q: &DashQuery, lang: Lang) -> Result<Period, PageError> {
    svc::parse_period(state, q.from.as_deref(), q.to.as_deref()).map_err(|e| {
        let t = T::new(lang);
        let msg = match e {
            domain::monitoring::PeriodError::EndBeforeStart => t.get("monitoring.end_before_start").to_string(),
            domain::monitoring::PeriodError::BadMonth { field } => t.fmt("monitoring.bad_month", "field", field),
        };
        PageError::new(PageErrorKind::BadRequest(msg), lang)
    })
}

pub struct Crumb {
    pub name: String,
    pub href: String,
    /// Within the viewer's scope: a link. Above it (a village officer's regency and province):
    /// the name only, since the link would end in "Akses ditolak".
    pub linked: bool,
}

/// One sub-region in the phone's ranked list.
struct Ranked {
    name: String,
    href: String,
    value: i64,
    shown: String,
}

#[derive(Template)]
#[template(path = "monitoring.html")]
struct DashPage {
    layout: Layout,
    t: T,
    d: Dashboard,
    name: String,
    level: &'static str,
    crumbs: Vec<Crumb>,
    query: String,
    from: String,
    to: String,
    chart_flows: String,
    chart_departures: String,
    chart_children: String,
    map: String,
    ranked: Vec<Ranked>,
    child_columns: Vec<String>,
    options: Vec<super::SelectOption>,
    chosen_label: String,
    can_manage: bool,
    flow_rows: Vec<(String, Vec<i64>)>,
    departure_rows: Vec<(String, Vec<i64>)>,
}

/// Rows of a chart's table: one per x label, one column per series.
fn rows_of(labels: &[String], series: &[(String, Vec<i64>)]) -> Vec<(String, Vec<i64>)> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.clone(), series.iter().map(|s| s.1.get(i).copied().unwrap_or(0)).collect()))
        .collect()
}

fn query_string(period: &Period, chosen: &str) -> String {
    format!("from={}&to={}&ind={chosen}", period.from, period.to)
}

pub async fn nation(state: State<AppState>, v: Viewer, q: Query<DashQuery>) -> Result<Response, PageError> {
    if v.principal.scope != domain::Scope::National {
        // Everyone else starts at their own region.
        let code = v.principal.scope.code().map(|c| c.as_str().to_string()).unwrap_or_default();
        return Ok(Redirect::to(&svc::href(Some(&code))).into_response());
    }
    show_place(state, v, String::new(), q).await
}

pub async fn region(
    state: State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    q: Query<DashQuery>,
) -> Result<Response, PageError> {
    show_place(state, v, code, q).await
}

async fn show_place(
    State(state): State<AppState>,
    v: Viewer,
    code: String,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang();
    let t = v.t();
    let place = svc::place_in_scope(&state, &v.principal, &code).await.map_err(|e| region_error(e, lang))?;
    let period = period_of(&state, &q, lang)?;
    // Read-only: from the replica when there is one (track multi).
    let (reader, source) = state.reader().await;
    let d = svc::dashboard(&reader, t, place, period, q.ind.as_deref().unwrap_or(""), &v.principal)
        .await
        .map_err(PageError::internal(lang))?;
    let name = d.place.name(t);
    let mut crumbs = vec![];
    // The nation's own page needs no trail back to itself.
    if v.principal.scope == domain::Scope::National && d.place.code.is_some() {
        crumbs.push(Crumb { name: t.get("monitoring.nation").into(), href: "/monitoring".into(), linked: true });
    }
    for r in &d.place.lineage {
        if r.code != d.place.code_str() {
            let linked = r
                .code
                .parse::<domain::RegionCode>()
                .is_ok_and(|c| v.principal.can(domain::Action::ViewMonitoring, Some(&c)));
            crumbs.push(Crumb { name: r.name.clone(), href: svc::href(Some(&r.code)), linked });
        }
    }
    let chosen_label = svc::label(t, d.chosen);
    let qs = query_string(&d.period, d.chosen);
    let chart_flows = charts::line_chart(&t.get("monitoring.flows_chart"), &d.x_labels, &d.flows);
    let chart_departures = charts::stacked_bars(&t.get("monitoring.departures_chart"), &d.x_labels, &d.departures);
    let items: Vec<(String, i64)> = d.children.iter().map(|c| (c.name.clone(), c.chosen)).collect();
    let chart_children = if items.is_empty() { String::new() } else { charts::bar_chart(&chosen_label, &items) };
    // On a phone the map and the bars give way to this list, highest first (charts::tile_map
    // is unreadable at 412 px).
    let mut ranked: Vec<Ranked> = d
        .children
        .iter()
        .map(|c| Ranked {
            name: c.name.clone(),
            href: format!("{}?{qs}", c.href),
            value: c.chosen,
            shown: reports::group_thousands(c.chosen),
        })
        .collect();
    ranked.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.name.cmp(&b.name)));
    let map = if d.place.code.is_none() {
        let values: BTreeMap<String, (String, i64)> =
            d.children.iter().map(|c| (c.code.clone(), (c.name.clone(), c.chosen))).collect();
        charts::tile_map(&chosen_label, &values, |code| format!("/monitoring/{code}?{qs}"))
    } else {
        String::new()
    };
    let options = svc::chartable()
        .into_iter()
        .map(|k| super::SelectOption { value: k.into(), label: svc::label(t, k), selected: k == d.chosen })
        .collect();
    let page = DashPage {
        layout: Layout::for_viewer(&v, format!("{} — {name}", t.get("monitoring.title")), &d.place.href())
            .read_from(source),
        t,
        name,
        level: d.place.level(),
        crumbs,
        query: qs,
        from: d.period.from.to_string(),
        to: d.period.to.to_string(),
        chart_flows,
        chart_departures,
        chart_children,
        map,
        ranked,
        child_columns: svc::CHILD_COLUMNS.iter().map(|k| svc::label(t, k)).collect(),
        options,
        chosen_label,
        can_manage: v.can(Action::ManageMonitoring, None),
        flow_rows: rows_of(&d.x_labels, &d.flows),
        departure_rows: rows_of(&d.x_labels, &d.departures),
        d,
    };
    render(&page, lang)
}

fn format_of(q: &DashQuery, lang: Lang) -> Result<Format, PageError> {
    match q.format.as_deref().unwrap_or("pdf") {
        "pdf" => Ok(Format::Pdf),
        "xlsx" => Ok(Format::Xlsx),
        "csv" => Ok(Format::Csv),
        _ => Err(PageError::new(PageErrorKind::BadRequest(T::new(lang).get("monitoring.bad_format").into()), lang)),
    }
}

pub async fn nation_report(state: State<AppState>, v: Viewer, q: Query<DashQuery>) -> Result<Response, PageError> {
    report_of(state, v, String::new(), q).await
}

pub async fn region_report(
    state: State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    q: Query<DashQuery>,
) -> Result<Response, PageError> {
    report_of(state, v, code, q).await
}

async fn report_of(
    State(state): State<AppState>,
    v: Viewer,
    code: String,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang();
    let t = v.t();
    let place = svc::place_in_scope(&state, &v.principal, &code).await.map_err(|e| region_error(e, lang))?;
    let period = period_of(&state, &q, lang)?;
    let format = format_of(&q, lang)?;
    let d = svc::dashboard(&state, t, place, period, "", &v.principal).await.map_err(PageError::internal(lang))?;
    let stem = format!("monitoring-{}-{}", if code.is_empty() { "nasional" } else { code.as_str() }, d.period);
    Ok(download::report(&svc::report(t, &d), format, &stem))
}

// ---------------------------------------------------------------- DHIS2 download

/// The DHIS2 data value set of the nation's provinces (`/monitoring/dhis2`): the API's export
/// (`api::dhis2`) behind the session, for the download links of the dashboard.
pub async fn nation_dhis2(
    state: State<AppState>,
    v: Viewer,
    q: Query<crate::api::dhis2::DataValueSetQuery>,
) -> Result<Response, PageError> {
    dhis2_of(state, v, String::new(), q).await
}

/// The DHIS2 data value set of one region (`/monitoring/{code}/dhis2`; `level` may ask for the
/// regions below it).
pub async fn region_dhis2(
    state: State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    q: Query<crate::api::dhis2::DataValueSetQuery>,
) -> Result<Response, PageError> {
    dhis2_of(state, v, code, q).await
}

async fn dhis2_of(
    State(state): State<AppState>,
    v: Viewer,
    code: String,
    Query(mut q): Query<crate::api::dhis2::DataValueSetQuery>,
) -> Result<Response, PageError> {
    use crate::api::dhis2 as d;
    let lang = v.lang();
    q.within = Some(code.clone());
    let export = app::dhis2::export(&state, &v.principal, &d::export_query(&q))
        .await
        .map_err(|e| PageError::from_app(e, lang))?;
    let format = d::format_of(q.format.as_deref()).map_err(|e| PageError::from_app(app::Error::Invalid(e), lang))?;
    let base = if code.is_empty() { "/monitoring/dhis2".to_string() } else { format!("/monitoring/{code}/dhis2") };
    let next = export.next_after.as_deref().map(|a| format!("{base}?{}", d::next_query(&q, a)));
    Ok(d::export_response(&export, format, next, &d::exported_now(&state)))
}

// ---------------------------------------------------------------- targets

#[derive(Template)]
#[template(path = "monitoring_targets.html")]
struct TargetsPage {
    layout: Layout,
    t: T,
    targets: Vec<svc::Target>,
    can_manage: bool,
    errors: FormErrors,
    form: TargetForm,
    saved: bool,
    max_year: i32,
}

#[derive(Deserialize, Default)]
pub struct TargetForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub historical_actual: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn targets_page(
    state: &AppState,
    v: &Viewer,
    form: TargetForm,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let targets = svc::targets(state, form.region_code.trim()).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let page = TargetsPage {
        layout: Layout::for_viewer(v, t.get("monitoring.targets"), "/monitoring/targets"),
        t,
        targets,
        can_manage: v.can(Action::ManageMonitoring, None),
        errors,
        form,
        saved,
        max_year: state.clock.year() + domain::monitoring::MAX_YEARS_AHEAD,
    };
    let resp = render(&page, v.lang())?;
    Ok(if failed { (axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn targets(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    v.require(Action::ViewMonitoring, None)?;
    targets_page(&state, &v, TargetForm::default(), FormErrors::default(), q.saved.is_some()).await
}

fn opt_int(errs: &mut ValidationErrors, field: &str, s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(domain::FieldError::new(field, Rule::Format, "a whole number").message("msg_key.whole_number"));
            None
        }
    }
}

pub async fn save_target(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(form): PageForm<TargetForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&form.csrf)?;
    v.require(Action::ManageMonitoring, None)?;
    let mut errs = ValidationErrors::new();
    let input = TargetInput {
        year: opt_int(&mut errs, "year", &form.year),
        region_code: form.region_code.clone(),
        indicator: String::new(),
        target: opt_int(&mut errs, "target", &form.target),
        historical_actual: opt_int(&mut errs, "historical_actual", &form.historical_actual),
        note: form.note.clone(),
    };
    if errs.is_empty() {
        match svc::save_target(&state, &v.principal, &v.actor(), &input).await {
            Ok(_) => return Ok(Redirect::to("/monitoring/targets?saved=1").into_response()),
            Err(app::Error::Invalid(e)) => errs = e,
            Err(e) => return Err(PageError::from_app(e, v.lang())),
        }
    }
    let t = v.t();
    targets_page(&state, &v, form, FormErrors::new(t, errs), false).await
}

// ---------------------------------------------------------------- criteria

#[derive(Template)]
#[template(path = "monitoring_criteria.html")]
struct CriteriaPage {
    layout: Layout,
    t: T,
    rows: Vec<(svc::CriterionRow, bool)>,
    can_manage: bool,
    errors: FormErrors,
    form: CriterionForm,
    keys: Vec<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct CriterionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub min_value: String,
    #[serde(default)]
    pub window_months: String,
    #[serde(default)]
    pub note: String,
}

async fn criteria_page(
    state: &AppState,
    v: &Viewer,
    form: CriterionForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let rows = svc::criteria(state).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let keys = svc::criterion_keys();
    let page = CriteriaPage {
        layout: Layout::for_viewer(v, t.get("monitoring.criteria"), "/monitoring/criteria"),
        t,
        rows,
        can_manage: v.can(Action::ManageMonitoring, None),
        errors,
        form,
        keys,
    };
    let resp = render(&page, v.lang())?;
    Ok(if failed { (axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn criteria(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    criteria_page(&state, &v, CriterionForm::default(), FormErrors::default()).await
}

pub async fn add_criterion(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(form): PageForm<CriterionForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&form.csrf)?;
    v.require(Action::ManageMonitoring, None)?;
    let input = svc::CriterionInput {
        subject: &form.subject,
        indicator: &form.indicator,
        min_value: &form.min_value,
        window_months: &form.window_months,
        note: &form.note,
    };
    match svc::add_criterion(&state, &v.principal, &v.actor(), &input).await {
        Ok(_) => {}
        Err(app::Error::Invalid(errs)) => {
            let t = v.t();
            return criteria_page(&state, &v, form, FormErrors::new(t, errs)).await;
        }
        Err(e) => return Err(PageError::from_app(e, v.lang())),
    }
    Ok(Redirect::to("/monitoring/criteria").into_response())
}

#[derive(Deserialize, Default)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn remove_criterion(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    v.check_csrf(&form.csrf)?;
    v.require(Action::ManageMonitoring, None)?;
    svc::remove_criterion(&state, &v.principal, &v.actor(), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(Redirect::to("/monitoring/criteria").into_response())
}

// ---------------------------------------------------------------- open statistics

#[derive(Template)]
#[template(path = "statistik.html")]
struct OpenPage {
    layout: Layout,
    t: T,
    name: String,
    code: String,
    period: String,
    from: String,
    to: String,
    indicators: Vec<svc::OpenIndicator>,
    columns: Vec<String>,
    rows: Vec<(String, String, Vec<String>)>,
    crumbs: Vec<Crumb>,
}

/// A region open statistics are published for (nation, province, regency); a district or a
/// village is a 400 page saying so.
async fn open_place(state: &AppState, raw: &str, lang: Lang) -> Result<Place, PageError> {
    let p = svc::place(state, raw).await.map_err(|e| region_error(e, lang))?;
    if !domain::privacy::open_level_allowed(p.code.as_ref().map(|c| c.level())) {
        return Err(PageError::new(PageErrorKind::BadRequest(T::new(lang).get("statistik.level").to_string()), lang));
    }
    Ok(p)
}

/// The fixed period of open statistics; any other range is a 400 page saying which are allowed.
fn open_period_of(state: &AppState, q: &DashQuery, lang: Lang) -> Result<domain::privacy::OpenPeriod, PageError> {
    svc::open_period(state, q.from.as_deref(), q.to.as_deref()).map_err(|e| {
        let t = T::new(lang);
        let msg = if e.malformed {
            t.fmt("monitoring.bad_month", "field", e.field)
        } else {
            t.get("statistik.period").to_string()
        };
        PageError::new(PageErrorKind::BadRequest(msg), lang)
    })
}

pub async fn statistik(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let place = open_place(&state, q.region_code.as_deref().unwrap_or(""), lang).await?;
    let open_period = open_period_of(&state, &q, lang)?;
    let period = svc::open_period_months(&open_period);
    // Read-only: from the replica when there is one (track multi).
    let (reader, source) = state.reader().await;
    // Refreshed as needed inside (`open_figures`).
    let figures = svc::open_figures(&reader, &open_period).await.map_err(PageError::internal(lang))?;
    let table = svc::open_children(&reader, t, &place, &figures).await.map_err(PageError::internal(lang))?;
    let rows = table
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(|c| c.display()).collect();
            (
                cells.first().cloned().unwrap_or_default(),
                cells.get(1).cloned().unwrap_or_default(),
                cells.into_iter().skip(2).collect(),
            )
        })
        .collect();
    // Names, not codes: the ancestors of the region shown (its lineage without itself).
    let crumbs = place
        .lineage
        .iter()
        .filter(|r| r.code != place.code_str())
        .map(|r| Crumb { name: r.name.clone(), href: format!("/statistik?region_code={}", r.code), linked: true })
        .collect();
    let page = OpenPage {
        layout: Layout::anonymous(&ctx, t.get("statistik.title"), "/statistik").read_from(source),
        t,
        name: place.name(t),
        code: place.code_str().to_string(),
        period: period.to_string(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        indicators: figures.indicators(t, place.code_str()),
        columns: table.columns.into_iter().skip(1).collect(),
        rows,
        crumbs,
    };
    render(&page, lang)
}

pub async fn statistik_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let place = open_place(&state, q.region_code.as_deref().unwrap_or(""), lang).await?;
    let open_period = open_period_of(&state, &q, lang)?;
    let period = svc::open_period_months(&open_period);
    // Refreshed as needed inside (`open_figures`).
    let figures = svc::open_figures(&state, &open_period).await.map_err(PageError::internal(lang))?;
    let rows = figures
        .indicators(t, place.code_str())
        .into_iter()
        .map(|i| {
            vec![
                reports::Cell::Text(place.code_str().into()),
                reports::Cell::Text(period.to_string()),
                reports::Cell::Text(i.key.into()),
                reports::Cell::Text(i.label),
                reports::Cell::Text(i.value.text()),
            ]
        })
        .collect();
    let table = reports::Table {
        name: "statistik".into(),
        columns: vec!["region_code".into(), "period".into(), "key".into(), "label".into(), "value".into()],
        rows,
        totals: None,
    };
    let report = reports::Report {
        title: t.get("statistik.title").into(),
        meta: vec![],
        blocks: vec![reports::Block::Table(table)],
    };
    let stem = format!("statistik-{}", if place.code_str().is_empty() { "nasional" } else { place.code_str() });
    Ok(download::report(&report, Format::Csv, &stem))
}
