//! Productive enterprise pages (issue 6): the pillar's hub with counts per village, trainings
//! (attendance grid per day), mentoring, equipment (with a "not in use" filter), businesses
//! (monthly reports and a server-drawn SVG chart) and remittances (per migrant, village inflow
//! and productive share). Lists filter by region and period and export to CSV/XLSX/PDF.

use super::{FormErrors, Layout, SelectOption, render};
use crate::AppState;
use crate::auth::{Unread, Viewer};
use crate::download::{self, Format};
use crate::enterprise::{self as svc, Error, PeriodQuery};
use crate::error::{PageError, PageForm};
use crate::i18n::T;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::enterprise::{
    BusinessInput, BusinessStatus, CapitalSource, CheckInput, EquipmentCondition, EquipmentInput, LegalForm,
    MemberKind, MentoringInput, Organiser, RemittanceChannel, RemittanceInput, RemittanceUse, ReportInput, Sector,
    TrainingInput, TrainingTopic,
};
use domain::{Rule, ValidationErrors};
use reports::{Block, Cell, Report, Table};
use serde::Deserialize;
use svc::{
    Business, Equipment, EquipmentCheck, Filter, Member, MentoringVisit, Remittance, StatusChange, Training,
    VillageCounts,
};

const PAGE_SIZE: i64 = 100;

/// `<option>`s for a code list, labels from `enterprise.<table>.<code>`.
pub(super) fn options(t: T, table: &str, codes: &[&'static str], selected: &str) -> Vec<SelectOption> {
    codes
        .iter()
        .map(|c| SelectOption { value: c.to_string(), label: t.label(table, c), selected: *c == selected })
        .collect()
}

macro_rules! codes {
    ($t:ty) => {
        <$t>::ALL.iter().map(|v| v.as_str()).collect::<Vec<&'static str>>()
    };
}

/// The filter form's values and errors.
#[derive(Default)]
pub struct Period {
    pub action: String,
    pub village: String,
    pub from: String,
    pub to: String,
    pub errors: FormErrors,
    /// The query string for export links and paging (`village=…&from=…&to=…`).
    pub query: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub village: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub unused: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub saved: Option<String>,
    /// Per-village lists: the village code to continue after (the "next page" link).
    #[serde(default)]
    pub after: Option<String>,
}

impl ListQuery {
    pub fn format(&self) -> Option<Format> {
        match self.format.as_deref() {
            Some("csv") => Some(Format::Csv),
            Some("xlsx") => Some(Format::Xlsx),
            Some("pdf") => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The page of villages asked for: the shown page of [`svc::VillagePageQuery`]'s default
    /// size, or for a download the largest page from the same cursor.
    pub fn villages(&self) -> svc::VillagePageQuery {
        let limit = self.format().map(|_| domain::paging::MAX_LIMIT);
        svc::VillagePageQuery { limit, after: self.after.clone() }
    }
}

/// The store filter for a page list, and the form to show. Bad values are shown as errors and
/// the list falls back to the whole scope; a region outside the scope is refused (403).
pub(super) fn period(v: &Viewer, action: Action, path: &str, q: &ListQuery) -> Result<(Filter, Period), PageError> {
    // An invalid region is refused outright (400 page): the whole scope's list under an error
    // would read as the region's. Bad dates are shown next to the filter, as before.
    crate::region_filter::for_page(v.lang(), q.village.as_deref())?;
    let pq = PeriodQuery { village: q.village.clone(), from: q.from.clone(), to: q.to.clone() };
    let mut p = Period {
        action: path.to_string(),
        village: q.village.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        ..Default::default()
    };
    p.query =
        serde_urlencoded::to_string([("village", &p.village), ("from", &p.from), ("to", &p.to)]).unwrap_or_default();
    match svc::filter(&v.principal, action, &pq) {
        Ok(f) => Ok((f, p)),
        Err(Error::Invalid(e)) => {
            p.errors = FormErrors::new(v.t(), e);
            let f = svc::filter(&v.principal, action, &PeriodQuery::default())
                .map_err(|_| PageError::forbidden(v.lang()))?;
            Ok((f, p))
        }
        Err(_) => Err(PageError::forbidden(v.lang())),
    }
}

pub(super) fn page_err(v: &Viewer) -> impl Fn(Error) -> PageError + '_ {
    move |e| match e {
        Error::Forbidden => PageError::forbidden(v.lang()),
        Error::NotFound | Error::Invalid(_) => PageError::not_found(v.lang()),
        e => PageError::from_app(e, v.lang()),
    }
}

/// [`page_err`] for a per-village list: a cursor that is not a village code (a link edited by
/// hand) answers 422 naming the field, in the viewer's language, not "not found".
pub(crate) fn list_err(v: &Viewer) -> impl Fn(Error) -> PageError + '_ {
    move |e| match e {
        Error::Invalid(_) => PageError::from_app(e, v.lang()),
        e => page_err(v)(e),
    }
}

/// Splits a service result for a form: `Ok(Err(errors))` re-shows the form.
pub(super) fn form_result<T>(v: &Viewer, r: Result<T, Error>) -> Result<Result<T, FormErrors>, PageError> {
    match r {
        Ok(x) => Ok(Ok(x)),
        Err(Error::Invalid(e)) => Ok(Err(FormErrors::new(v.t(), e))),
        Err(e) => Err(page_err(v)(e)),
    }
}

pub(super) fn village_default(v: &Viewer) -> String {
    v.principal
        .scope
        .code()
        .filter(|c| c.level() == domain::RegionLevel::Village)
        .map(|c| c.to_string())
        .unwrap_or_default()
}

pub(super) fn with_status(page: Response, failed: bool) -> Response {
    if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page }
}

pub(super) fn region_label(f: &Filter, t: T) -> String {
    f.within.as_ref().map(|c| c.to_string()).unwrap_or_else(|| t.get("home.national").to_string())
}

pub(super) fn period_label(f: &Filter) -> String {
    match (f.from, f.to) {
        (None, None) => "—".into(),
        (a, b) => format!(
            "{} – {}",
            a.map(|d| d.to_string()).unwrap_or_default(),
            b.map(|d| d.to_string()).unwrap_or_default()
        ),
    }
}

pub(super) fn report_of(t: T, title: &str, f: &Filter, table: Table) -> Report {
    Report {
        title: title.to_string(),
        meta: vec![
            (t.get("enterprise.region").into(), region_label(f, t)),
            (t.get("enterprise.period").into(), period_label(f)),
        ],
        blocks: vec![Block::Table(table)],
    }
}

/// Looks a person up by exact NIK among those the viewer may see.
pub(super) async fn person_by_nik(state: &AppState, v: &Viewer, nik: &str) -> Result<Option<i64>, PageError> {
    Ok(crate::outreach::find_by_nik(state, &v.principal, nik)
        .await
        .map_err(PageError::internal(v.lang()))?
        .map(|p| p.id))
}

fn nik_error(v: &Viewer, field: &str) -> FormErrors {
    FormErrors::new(v.t(), ValidationErrors::single(field, Rule::OneOf, crate::outreach::NOT_IN_REGION))
}

// ---------------------------------------------------------------- hub

#[derive(Template)]
#[template(path = "enterprise.html")]
struct HubPage {
    layout: Layout,
    t: T,
    period: Period,
    counts: Vec<VillageCounts>,
    shares: Vec<String>,
    villages: super::RegionNames,
    /// The last village of this page when more follow (`village_next.html`).
    next_after: Option<String>,
}

pub async fn hub(State(state): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let (f, period) = period(&v, Action::ViewEnterprise, "/enterprise", &q)?;
    let (counts, next_after) = svc::counts_page(&state, &v.principal, &f, &q.villages()).await.map_err(list_err(&v))?;
    let shares = counts
        .iter()
        .map(|c| c.productive_share_bp().map(|bp| Cell::BasisPoints(bp).display()).unwrap_or("—".into()))
        .collect();
    let villages = super::RegionNames::load(&state, counts.iter().map(|c| c.village_code.as_str()))
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let t = v.t();
    render(
        &HubPage {
            layout: Layout::for_viewer(&v, t.get("enterprise.title"), "/enterprise"),
            t,
            period,
            counts,
            shares,
            villages,
            next_after,
        },
        v.lang(),
    )
}

// ---------------------------------------------------------------- trainings

#[derive(Deserialize, Default)]
pub struct TrainingForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub organiser_name: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub trainer: String,
}

#[derive(Template)]
#[template(path = "trainings.html")]
struct TrainingsPage {
    layout: Layout,
    t: T,
    period: Period,
    items: Vec<Training>,
    can_edit: bool,
    form: TrainingForm,
    errors: FormErrors,
    topics: Vec<SelectOption>,
    organisers: Vec<SelectOption>,
}

async fn trainings_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    form: TrainingForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (f, period) = period(v, Action::ViewEnterprise, "/trainings", &q)?;
    let limit = if q.format().is_some() { 1000 } else { PAGE_SIZE };
    let items = svc::trainings(state, &v.principal, &f, None, limit).await.map_err(page_err(v))?;
    if let Some(fmt) = q.format() {
        let table = Table {
            name: t.get("enterprise.trainings").into(),
            columns: [
                "id",
                "village",
                "topic",
                "title",
                "organiser",
                "starts_on",
                "ends_on",
                "place",
                "trainer",
                "participants",
                "completed",
            ]
            .iter()
            .map(|c| t.get(&format!("enterprise.col.{c}")).to_string())
            .collect(),
            rows: items
                .iter()
                .map(|x| {
                    vec![
                        Cell::Int(x.id),
                        x.village_code.clone().into(),
                        t.label("enterprise.topics", &x.topic).into(),
                        x.title.clone().into(),
                        format!("{} {}", t.label("enterprise.organisers", &x.organiser), x.organiser_name)
                            .trim()
                            .to_string()
                            .into(),
                        x.starts_on.clone().into(),
                        x.ends_on.clone().into(),
                        x.place.clone().into(),
                        x.trainer.clone().into(),
                        Cell::Int(x.participants),
                        Cell::Int(x.completed),
                    ]
                })
                .collect(),
            totals: None,
        };
        return Ok(download::report(&report_of(t, t.get("enterprise.trainings"), &f, table), fmt, "pelatihan"));
    }
    let failed = errors.any();
    let topics = options(t, "enterprise.topics", &codes!(TrainingTopic), &form.topic);
    let organisers = options(t, "enterprise.organisers", &codes!(Organiser), &form.organiser);
    let page = render(
        &TrainingsPage {
            layout: Layout::for_viewer(v, t.get("enterprise.trainings"), "/trainings"),
            t,
            period,
            items,
            can_edit: svc::may_edit(&v.principal),
            form,
            errors,
            topics,
            organisers,
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn trainings(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let form =
        TrainingForm { village_code: village_default(&v), starts_on: state.today().to_string(), ..Default::default() };
    trainings_page(&state, &v, q, form, FormErrors::default()).await
}

pub async fn create_training(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<TrainingForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let input = TrainingInput {
        village_code: &f.village_code,
        topic: &f.topic,
        title: &f.title,
        organiser: &f.organiser,
        organiser_name: &f.organiser_name,
        starts_on: &f.starts_on,
        ends_on: &f.ends_on,
        place: &f.place,
        trainer: &f.trainer,
    };
    match form_result(&v, svc::create_training(&state, &v.principal, &v.actor(), &input).await)? {
        Ok(t) => Ok(Redirect::to(&format!("/trainings/{}?saved=1", t.id)).into_response()),
        Err(errors) => trainings_page(&state, &v, ListQuery::default(), f, errors).await,
    }
}

pub struct GridRow {
    pub person_id: i64,
    pub full_name: String,
    pub completed: bool,
    /// (checkbox name, ticked) per day.
    pub cells: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    layout: Layout,
    t: T,
    training: Training,
    days: Vec<String>,
    rows: Vec<GridRow>,
    hidden: usize,
    can_edit: bool,
    saved: bool,
    nik: String,
    errors: FormErrors,
}

async fn training_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    saved: bool,
    nik: String,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let d = svc::training_dossier(state, &v.principal, &v.actor(), id).await.map_err(page_err(v))?;
    let (tr, shown, hidden, marks, days) = (d.training, d.participants, d.hidden_participants, d.marks, d.days);
    let rows = shown
        .into_iter()
        .map(|p| GridRow {
            cells: days
                .iter()
                .map(|d| {
                    (format!("a_{}_{d}", p.person_id), marks.iter().any(|(pid, md)| *pid == p.person_id && md == d))
                })
                .collect(),
            person_id: p.person_id,
            full_name: p.full_name,
            completed: p.completed,
        })
        .collect();
    let can_edit = tr.village().is_some_and(|c| v.can(Action::EditEnterprise, Some(&c)));
    let failed = errors.any();
    let page = render(
        &TrainingPage {
            layout: Layout::for_viewer(v, tr.title.clone(), &format!("/trainings/{id}")),
            t,
            training: tr,
            days,
            rows,
            hidden,
            can_edit,
            saved,
            nik,
            errors,
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn training(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    training_page(&state, &v, id, q.saved.is_some(), String::new(), FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct NikForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    nik: String,
    #[serde(default)]
    kind: String,
}

pub async fn add_participant(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Unread<PageForm<NikForm>>,
) -> Result<Response, PageError> {
    let tr = svc::training(&state, &v.principal, id).await.map_err(page_err(&v))?;
    svc::require_edit(&v.principal, tr.village()).map_err(page_err(&v))?;
    let PageForm(f) = body.read().await?;
    v.check_csrf(&f.csrf)?;
    let Some(pid) = person_by_nik(&state, &v, &f.nik).await? else {
        return training_page(&state, &v, id, false, f.nik, nik_error(&v, "nik")).await;
    };
    match form_result(&v, svc::add_participant(&state, &v.principal, &v.actor(), &tr, pid).await)? {
        Ok(_) => Ok(Redirect::to(&format!("/trainings/{id}?saved=1#grid")).into_response()),
        Err(errors) => training_page(&state, &v, id, false, f.nik, errors).await,
    }
}

/// The whole grid in one form: checkboxes `a_<person>_<date>` and `c_<person>` (completed).
pub async fn save_grid(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let csrf = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    v.check_csrf(csrf)?;
    let tr = svc::training(&state, &v.principal, id).await.map_err(page_err(&v))?;
    // The form's keys carry the cells: `a_<person>_<date>` ticked, `c_<person>` completed.
    let mut marks = Vec::new();
    let mut completed = Vec::new();
    for (k, _) in &pairs {
        if let Some(rest) = k.strip_prefix("a_") {
            let Some((p, d)) = rest.split_once('_') else { continue };
            let Ok(pid) = p.parse::<i64>() else { continue };
            marks.push((pid, d));
        } else if let Some(p) = k.strip_prefix("c_") {
            if let Ok(pid) = p.parse::<i64>() {
                completed.push(pid);
            }
        }
    }
    let saved = svc::save_grid(&state, &v.principal, &v.actor(), &tr, &marks, &completed).await;
    if let Err(errors) = form_result(&v, saved)? {
        return training_page(&state, &v, id, false, String::new(), errors).await;
    }
    Ok(Redirect::to(&format!("/trainings/{id}?saved=1#grid")).into_response())
}

// ---------------------------------------------------------------- mentoring

#[derive(Deserialize, Default)]
pub struct MentoringForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub nik: String,
    #[serde(default)]
    pub business_id: String,
    #[serde(default)]
    pub visited_on: String,
    #[serde(default)]
    pub mentor: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub next_steps: String,
}

#[derive(Template)]
#[template(path = "mentoring.html")]
struct MentoringPage {
    layout: Layout,
    t: T,
    period: Period,
    items: Vec<MentoringVisit>,
    can_edit: bool,
    form: MentoringForm,
    errors: FormErrors,
    today: String,
}

async fn mentoring_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    form: MentoringForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (f, period) = period(v, Action::ViewEnterprise, "/mentoring", &q)?;
    let items = svc::visits(state, &v.principal, &v.actor(), &f, None, PAGE_SIZE).await.map_err(page_err(v))?;
    let failed = errors.any();
    let page = render(
        &MentoringPage {
            layout: Layout::for_viewer(v, t.get("enterprise.mentoring"), "/mentoring"),
            t,
            period,
            items,
            can_edit: svc::may_edit(&v.principal),
            form,
            errors,
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn mentoring(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let form = MentoringForm {
        village_code: village_default(&v),
        visited_on: state.today().to_string(),
        ..Default::default()
    };
    mentoring_page(&state, &v, q, form, FormErrors::default()).await
}

pub async fn create_visit(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<MentoringForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let person = if f.nik.trim().is_empty() {
        String::new()
    } else {
        match person_by_nik(&state, &v, &f.nik).await? {
            Some(id) => id.to_string(),
            None => return mentoring_page(&state, &v, ListQuery::default(), f, nik_error(&v, "nik")).await,
        }
    };
    let input = MentoringInput {
        village_code: &f.village_code,
        person_id: &person,
        business_id: &f.business_id,
        visited_on: &f.visited_on,
        mentor: &f.mentor,
        notes: &f.notes,
        next_steps: &f.next_steps,
    };
    match form_result(&v, svc::create_visit(&state, &v.principal, &v.actor(), &input).await)? {
        Ok(_) => Ok(Redirect::to("/mentoring?saved=1").into_response()),
        Err(errors) => mentoring_page(&state, &v, ListQuery::default(), f, errors).await,
    }
}

// ---------------------------------------------------------------- equipment

#[derive(Deserialize, Default)]
pub struct EquipmentForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub source_program: String,
    #[serde(default)]
    pub given_on: String,
    #[serde(default)]
    pub nik: String,
    #[serde(default)]
    pub business_id: String,
}

#[derive(Template)]
#[template(path = "equipment_list.html")]
struct EquipmentListPage {
    layout: Layout,
    t: T,
    period: Period,
    items: Vec<Equipment>,
    unused: bool,
    can_edit: bool,
    form: EquipmentForm,
    errors: FormErrors,
    today: String,
}

async fn equipment_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    form: EquipmentForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (f, mut period) = period(v, Action::ViewEnterprise, "/equipment", &q)?;
    let unused = q.unused.as_deref().is_some_and(|u| !u.is_empty() && u != "0");
    if unused {
        period.query.push_str("&unused=1");
    }
    let limit = if q.format().is_some() { 1000 } else { PAGE_SIZE };
    let items = svc::equipment_list(state, &v.principal, &f, unused, limit).await.map_err(page_err(v))?;
    if let Some(fmt) = q.format() {
        let table = Table {
            name: t.get("enterprise.equipment").into(),
            columns: [
                "id",
                "village",
                "item",
                "value",
                "source_program",
                "given_on",
                "recipient",
                "condition",
                "in_use",
                "last_checked_on",
            ]
            .iter()
            .map(|c| t.get(&format!("enterprise.col.{c}")).to_string())
            .collect(),
            rows: items
                .iter()
                .map(|e| {
                    // A person is named only to those who may see people here; groups by name.
                    let recipient = match (&e.business_name, e.person_id) {
                        (Some(b), _) => b.clone(),
                        (None, Some(_)) if v.can(Action::ViewPerson, e.village().as_ref()) => {
                            e.person_name.clone().unwrap_or_default()
                        }
                        (None, Some(p)) => format!("#{p}"),
                        _ => String::new(),
                    };
                    vec![
                        Cell::Int(e.id),
                        e.village_code.clone().into(),
                        e.item.clone().into(),
                        Cell::Rupiah(e.value),
                        e.source_program.clone().into(),
                        e.given_on.clone().into(),
                        recipient.into(),
                        t.label("enterprise.conditions", &e.condition).into(),
                        t.get(if e.in_use { "common.yes" } else { "common.no" }).into(),
                        e.last_checked_on.clone().unwrap_or_default().into(),
                    ]
                })
                .collect(),
            totals: Some(vec![
                Cell::Empty,
                Cell::Empty,
                t.get("enterprise.total").into(),
                Cell::Rupiah(items.iter().map(|e| e.value).sum()),
            ]),
        };
        return Ok(download::report(&report_of(t, t.get("enterprise.equipment"), &f, table), fmt, "peralatan"));
    }
    let failed = errors.any();
    let page = render(
        &EquipmentListPage {
            layout: Layout::for_viewer(v, t.get("enterprise.equipment"), "/equipment"),
            t,
            period,
            items,
            unused,
            can_edit: svc::may_edit(&v.principal),
            form,
            errors,
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn equipment_list(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let form = EquipmentForm { village_code: village_default(&v), ..Default::default() };
    equipment_page(&state, &v, q, form, FormErrors::default()).await
}

pub async fn create_equipment(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<EquipmentForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let person = if f.nik.trim().is_empty() {
        String::new()
    } else {
        match person_by_nik(&state, &v, &f.nik).await? {
            Some(id) => id.to_string(),
            None => return equipment_page(&state, &v, ListQuery::default(), f, nik_error(&v, "nik")).await,
        }
    };
    let input = EquipmentInput {
        village_code: &f.village_code,
        item: &f.item,
        value: &f.value,
        source_program: &f.source_program,
        given_on: &f.given_on,
        person_id: &person,
        business_id: &f.business_id,
    };
    match form_result(&v, svc::create_equipment(&state, &v.principal, &v.actor(), &input).await)? {
        Ok(e) => Ok(Redirect::to(&format!("/equipment/{}?saved=1", e.id)).into_response()),
        Err(errors) => equipment_page(&state, &v, ListQuery::default(), f, errors).await,
    }
}

#[derive(Template)]
#[template(path = "equipment.html")]
struct EquipmentPage {
    layout: Layout,
    t: T,
    e: Equipment,
    recipient: String,
    checks: Vec<EquipmentCheck>,
    conditions: Vec<SelectOption>,
    can_edit: bool,
    saved: bool,
    errors: FormErrors,
    today: String,
}

async fn equipment_one(
    state: &AppState,
    v: &Viewer,
    id: i64,
    saved: bool,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (e, checks) = svc::equipment_dossier(state, &v.principal, id).await.map_err(page_err(v))?;
    let recipient = match (&e.business_name, e.person_id) {
        (Some(b), _) => b.clone(),
        (None, Some(p)) if v.can(Action::ViewPerson, e.village().as_ref()) => {
            e.person_name.clone().unwrap_or_else(|| format!("#{p}"))
        }
        (None, Some(p)) => format!("#{p}"),
        _ => String::new(),
    };
    let can_edit = e.village().is_some_and(|c| v.can(Action::EditEnterprise, Some(&c)));
    let failed = errors.any();
    let page = render(
        &EquipmentPage {
            layout: Layout::for_viewer(v, e.item.clone(), &format!("/equipment/{id}")),
            conditions: options(t, "enterprise.conditions", &codes!(EquipmentCondition), &e.condition),
            t,
            e,
            recipient,
            checks,
            can_edit,
            saved,
            errors,
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn equipment(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    equipment_one(&state, &v, id, q.saved.is_some(), FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct CheckForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    checked_on: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    in_use: String,
    #[serde(default)]
    note: String,
}

pub async fn add_check(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CheckForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let e = svc::equipment(&state, &v.principal, id).await.map_err(page_err(&v))?;
    let input = CheckInput { checked_on: &f.checked_on, condition: &f.condition, in_use: &f.in_use, note: &f.note };
    match form_result(&v, svc::add_check(&state, &v.principal, &v.actor(), &e, &input).await)? {
        Ok(()) => Ok(Redirect::to(&format!("/equipment/{id}?saved=1")).into_response()),
        Err(errors) => equipment_one(&state, &v, id, false, errors).await,
    }
}

// ---------------------------------------------------------------- businesses

#[derive(Deserialize, Default)]
pub struct BusinessForm {
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub legal_form: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub started_on: String,
    pub capital_sources: Vec<String>,
}

#[derive(Template)]
#[template(path = "businesses.html")]
struct BusinessesPage {
    layout: Layout,
    t: T,
    period: Period,
    items: Vec<Business>,
    statuses: Vec<SelectOption>,
    can_edit: bool,
    form: BusinessForm,
    errors: FormErrors,
    sectors: Vec<SelectOption>,
    legal_forms: Vec<SelectOption>,
    new_statuses: Vec<SelectOption>,
    capital: Vec<SelectOption>,
}

async fn businesses_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    form: BusinessForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (f, mut period) = period(v, Action::ViewEnterprise, "/businesses", &q)?;
    let status = q.status.as_deref().and_then(BusinessStatus::parse);
    if let Some(s) = status {
        period.query.push_str(&format!("&status={s}"));
    }
    let limit = if q.format().is_some() { 1000 } else { PAGE_SIZE };
    let items = svc::businesses(state, &v.principal, &f, status, limit).await.map_err(page_err(v))?;
    if let Some(fmt) = q.format() {
        let table = Table {
            name: t.get("enterprise.businesses").into(),
            columns: [
                "id",
                "village",
                "name",
                "sector",
                "legal_form",
                "status",
                "started_on",
                "capital_sources",
                "members",
                "returned_migrants",
            ]
            .iter()
            .map(|c| t.get(&format!("enterprise.col.{c}")).to_string())
            .collect(),
            rows: items
                .iter()
                .map(|b| {
                    vec![
                        Cell::Int(b.id),
                        b.village_code.clone().into(),
                        b.name.clone().into(),
                        t.label("enterprise.sectors", &b.sector).into(),
                        t.label("enterprise.legal_forms", &b.legal_form).into(),
                        t.label("enterprise.statuses", &b.status).into(),
                        b.started_on.clone().unwrap_or_default().into(),
                        b.capital_source_codes()
                            .iter()
                            .map(|c| t.label("enterprise.capital", c))
                            .collect::<Vec<_>>()
                            .join(", ")
                            .into(),
                        Cell::Int(b.members),
                        Cell::Int(b.returned_migrants),
                    ]
                })
                .collect(),
            totals: None,
        };
        return Ok(download::report(&report_of(t, t.get("enterprise.businesses"), &f, table), fmt, "usaha"));
    }
    let failed = errors.any();
    let sel = |c: &[&'static str], s: &str, table: &str| options(t, table, c, s);
    let page = render(
        &BusinessesPage {
            layout: Layout::for_viewer(v, t.get("enterprise.businesses"), "/businesses"),
            period,
            statuses: sel(&codes!(BusinessStatus), status.map(|s| s.as_str()).unwrap_or(""), "enterprise.statuses"),
            items,
            can_edit: svc::may_edit(&v.principal),
            sectors: sel(&codes!(Sector), &form.sector, "enterprise.sectors"),
            legal_forms: sel(&codes!(LegalForm), &form.legal_form, "enterprise.legal_forms"),
            new_statuses: sel(
                &codes!(BusinessStatus),
                if form.status.is_empty() { "running" } else { &form.status },
                "enterprise.statuses",
            ),
            capital: codes!(CapitalSource)
                .into_iter()
                .map(|c| SelectOption {
                    value: c.into(),
                    label: t.label("enterprise.capital", c),
                    selected: form.capital_sources.iter().any(|s| s == c),
                })
                .collect(),
            form,
            errors,
            t,
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn businesses(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let form = BusinessForm { village_code: village_default(&v), ..Default::default() };
    businesses_page(&state, &v, q, form, FormErrors::default()).await
}

/// The form comes as pairs: capital sources are repeated checkboxes.
pub async fn create_business(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    v.check_csrf(&get("_csrf"))?;
    let f = BusinessForm {
        village_code: get("village_code"),
        name: get("name"),
        sector: get("sector"),
        legal_form: get("legal_form"),
        status: get("status"),
        started_on: get("started_on"),
        capital_sources: pairs.iter().filter(|(k, _)| k == "capital_sources").map(|(_, v)| v.clone()).collect(),
    };
    let sources: Vec<&str> = f.capital_sources.iter().map(String::as_str).collect();
    let input = BusinessInput {
        village_code: &f.village_code,
        name: &f.name,
        sector: &f.sector,
        legal_form: &f.legal_form,
        status: &f.status,
        started_on: &f.started_on,
        capital_sources: &sources,
    };
    match form_result(&v, svc::create_business(&state, &v.principal, &v.actor(), &input).await)? {
        Ok(b) => Ok(Redirect::to(&format!("/businesses/{}?saved=1", b.id)).into_response()),
        Err(errors) => businesses_page(&state, &v, ListQuery::default(), f, errors).await,
    }
}

/// One month's bars in the chart (SVG user units; the chart is 100 high).
pub struct Bar {
    pub month: String,
    pub x_rev: i64,
    pub x_cost: i64,
    pub x_label: i64,
    pub rev_y: i64,
    pub rev_h: i64,
    pub cost_y: i64,
    pub cost_h: i64,
    pub revenue: String,
    pub costs: String,
}

pub const CHART_H: i64 = 100;
const BAR_W: i64 = 14;
const SLOT: i64 = 40;

/// Bars for revenue and costs per month, scaled to the largest amount (last 12 months).
pub fn chart(reports: &[svc::Report]) -> (Vec<Bar>, i64) {
    let shown = &reports[reports.len().saturating_sub(12)..];
    let max = shown.iter().map(|r| r.revenue.max(r.costs)).max().unwrap_or(0).max(1);
    let h = |v: i64| ((i128::from(v) * i128::from(CHART_H)) / i128::from(max)) as i64;
    let bars = shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let x = 10 + i as i64 * SLOT;
            let (rh, ch) = (h(r.revenue), h(r.costs));
            Bar {
                month: r.month.clone(),
                x_rev: x,
                x_cost: x + BAR_W + 2,
                x_label: x + BAR_W,
                rev_y: CHART_H - rh,
                rev_h: rh,
                cost_y: CHART_H - ch,
                cost_h: ch,
                revenue: Cell::Rupiah(r.revenue).display(),
                costs: Cell::Rupiah(r.costs).display(),
            }
        })
        .collect();
    (bars, 20 + shown.len() as i64 * SLOT)
}

pub struct ReportRow {
    pub month: String,
    pub revenue: String,
    pub costs: String,
    pub profit: String,
    pub workers: i64,
}

#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub revenue: String,
    #[serde(default)]
    pub costs: String,
    #[serde(default)]
    pub workers: String,
}

#[derive(Template)]
#[template(path = "business.html")]
struct BusinessPage {
    layout: Layout,
    t: T,
    b: Business,
    capital: String,
    members: Vec<Member>,
    hidden: usize,
    reports: Vec<ReportRow>,
    bars: Vec<Bar>,
    chart_w: i64,
    history: Vec<StatusChange>,
    visits: Vec<MentoringVisit>,
    next_states: Vec<SelectOption>,
    member_kinds: Vec<SelectOption>,
    can_edit: bool,
    takes_reports: bool,
    saved: bool,
    form: ReportForm,
    nik: String,
    errors: FormErrors,
    this_month: String,
}

async fn business_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    saved: bool,
    form: ReportForm,
    nik: String,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let d = svc::business_dossier(state, &v.principal, &v.actor(), id).await.map_err(page_err(v))?;
    let (b, members, hidden, raw) = (d.business, d.members, d.hidden_members, d.reports);
    let (bars, chart_w) = chart(&raw);
    let reports = raw
        .iter()
        .rev()
        .map(|r| ReportRow {
            month: r.month.clone(),
            revenue: Cell::Rupiah(r.revenue).display(),
            costs: Cell::Rupiah(r.costs).display(),
            profit: Cell::Rupiah(r.revenue - r.costs).display(),
            workers: r.workers,
        })
        .collect();
    let (history, visits) = (d.status_history, d.visits);
    let can_edit = b.village().is_some_and(|c| v.can(Action::EditEnterprise, Some(&c)));
    let status = b.status();
    let next: Vec<&'static str> = status.next_states().iter().map(|s| s.as_str()).collect();
    let failed = errors.any();
    let page = render(
        &BusinessPage {
            layout: Layout::for_viewer(v, b.name.clone(), &format!("/businesses/{id}")),
            capital: b
                .capital_source_codes()
                .iter()
                .map(|c| t.label("enterprise.capital", c))
                .collect::<Vec<_>>()
                .join(", "),
            next_states: options(t, "enterprise.statuses", &next, ""),
            member_kinds: options(t, "enterprise.member_kinds", &codes!(MemberKind), "returned_migrant"),
            takes_reports: matches!(status, BusinessStatus::Running | BusinessStatus::Paused),
            t,
            b,
            members,
            hidden,
            reports,
            bars,
            chart_w,
            history,
            visits,
            can_edit,
            saved,
            form,
            nik,
            errors,
            this_month: domain::enterprise::Month::of(state.today()).to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn business(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    business_page(&state, &v, id, q.saved.is_some(), ReportForm::default(), String::new(), FormErrors::default()).await
}

pub async fn add_report(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ReportForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let b = svc::business(&state, &v.principal, id).await.map_err(page_err(&v))?;
    let input = ReportInput { month: &f.month, revenue: &f.revenue, costs: &f.costs, workers: &f.workers };
    match form_result(&v, svc::save_report(&state, &v.principal, &v.actor(), &b, &input).await)? {
        Ok(()) => Ok(Redirect::to(&format!("/businesses/{id}?saved=1#reports")).into_response()),
        Err(errors) => business_page(&state, &v, id, false, f, String::new(), errors).await,
    }
}

pub async fn add_member(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Unread<PageForm<NikForm>>,
) -> Result<Response, PageError> {
    let b = svc::business(&state, &v.principal, id).await.map_err(page_err(&v))?;
    svc::require_edit(&v.principal, b.village()).map_err(page_err(&v))?;
    let PageForm(f) = body.read().await?;
    v.check_csrf(&f.csrf)?;
    let Some(pid) = person_by_nik(&state, &v, &f.nik).await? else {
        return business_page(&state, &v, id, false, ReportForm::default(), f.nik, nik_error(&v, "nik")).await;
    };
    match form_result(&v, svc::add_member(&state, &v.principal, &v.actor(), &b, pid, &f.kind).await)? {
        Ok(_) => Ok(Redirect::to(&format!("/businesses/{id}?saved=1#members")).into_response()),
        Err(errors) => business_page(&state, &v, id, false, ReportForm::default(), f.nik, errors).await,
    }
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<StatusForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let b = svc::business(&state, &v.principal, id).await.map_err(page_err(&v))?;
    match form_result(&v, svc::change_status(&state, &v.principal, &v.actor(), &b, &f.status).await)? {
        Ok(()) => Ok(Redirect::to(&format!("/businesses/{id}?saved=1")).into_response()),
        Err(errors) => business_page(&state, &v, id, false, ReportForm::default(), String::new(), errors).await,
    }
}

// ---------------------------------------------------------------- remittances

#[derive(Deserialize, Default)]
pub struct RemittanceForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub nik: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub use_daily_needs: String,
    #[serde(default)]
    pub use_education: String,
    #[serde(default)]
    pub use_health: String,
    #[serde(default)]
    pub use_housing: String,
    #[serde(default)]
    pub use_debt: String,
    #[serde(default)]
    pub use_productive_investment: String,
    #[serde(default)]
    pub use_savings: String,
}

impl RemittanceForm {
    fn use_values(&self) -> [&str; 7] {
        [
            &self.use_daily_needs,
            &self.use_education,
            &self.use_health,
            &self.use_housing,
            &self.use_debt,
            &self.use_productive_investment,
            &self.use_savings,
        ]
    }
}

pub struct RemRow {
    pub month: String,
    pub who: String,
    pub person_id: i64,
    pub amount: String,
    pub channel: String,
    pub productive: String,
}

pub struct InflowRow {
    pub village_code: String,
    pub village_name: String,
    pub migrants: i64,
    pub total: String,
    pub productive: String,
    pub share: String,
}

#[derive(Template)]
#[template(path = "remittances.html")]
struct RemittancesPage {
    layout: Layout,
    t: T,
    period: Period,
    rows: Vec<RemRow>,
    inflow: Vec<InflowRow>,
    /// The last village of the inflow table when more follow (`village_next.html`).
    next_after: Option<String>,
    total: String,
    share: String,
    can_edit: bool,
    form: RemittanceForm,
    /// (field name, label, value) per use.
    uses: Vec<(String, String, String)>,
    channels: Vec<SelectOption>,
    errors: FormErrors,
    this_month: String,
}

async fn remittances_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    form: RemittanceForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (f, mut period) = period(v, Action::ViewEnterprise, "/remittances", &q)?;
    let person = q.person.as_deref().and_then(|p| p.parse::<i64>().ok());
    if let Some(p) = person {
        period.query.push_str(&format!("&person={p}"));
    }
    let limit = if q.format().is_some() { 1000 } else { PAGE_SIZE };
    let svc::Remittances { names_visible: names, items: list } =
        svc::remittances(state, &v.principal, &v.actor(), &f, person, limit).await.map_err(page_err(v))?;
    let who = |r: &Remittance| if names { r.person_name.clone() } else { format!("#{}", r.person_id) };
    if let Some(fmt) = q.format() {
        let mut columns: Vec<String> = ["month", "migrant", "village", "amount", "channel"]
            .iter()
            .map(|c| t.get(&format!("enterprise.col.{c}")).to_string())
            .collect();
        columns.extend(RemittanceUse::ALL.iter().map(|u| t.label("enterprise.uses", u.as_str())));
        let rows = list
            .iter()
            .map(|r| {
                let mut row: Vec<Cell> = vec![
                    r.month.clone().into(),
                    who(r).into(),
                    r.village_code.clone().into(),
                    Cell::Rupiah(r.amount),
                    t.label("enterprise.channels", &r.channel).into(),
                ];
                row.extend(r.uses().iter().map(|a| Cell::Rupiah(*a)));
                row
            })
            .collect();
        let table = Table { name: t.get("enterprise.remittances").into(), columns, rows, totals: None };
        return Ok(download::report(&report_of(t, t.get("enterprise.remittances"), &f, table), fmt, "remitansi"));
    }
    let per_village = svc::remittance_inflow(state, &v.principal, &f, &q.villages()).await.map_err(list_err(v))?;
    let bp = |x: Option<i64>| x.map(|b| Cell::BasisPoints(b).display()).unwrap_or_else(|| "—".into());
    let inflow = per_village
        .villages
        .iter()
        .map(|r| InflowRow {
            village_code: r.village_code.clone(),
            village_name: r.village_name.clone(),
            migrants: r.migrants,
            total: Cell::Rupiah(r.total).display(),
            productive: Cell::Rupiah(r.productive).display(),
            share: bp(r.productive_share_bp()),
        })
        .collect();
    let rows = list
        .iter()
        .map(|r| RemRow {
            month: r.month.clone(),
            who: who(r),
            person_id: r.person_id,
            amount: Cell::Rupiah(r.amount).display(),
            channel: t.label("enterprise.channels", &r.channel),
            productive: Cell::Rupiah(r.use_productive_investment).display(),
        })
        .collect();
    let uses = RemittanceUse::ALL
        .iter()
        .zip(form.use_values())
        .map(|(u, val)| (format!("use_{}", u.as_str()), t.label("enterprise.uses", u.as_str()), val.to_string()))
        .collect();
    let failed = errors.any();
    let page = render(
        &RemittancesPage {
            layout: Layout::for_viewer(v, t.get("enterprise.remittances"), "/remittances"),
            period,
            rows,
            inflow,
            next_after: per_village.next_after.clone(),
            total: Cell::Rupiah(per_village.total).display(),
            share: bp(per_village.productive_share_bp()),
            can_edit: svc::may_edit(&v.principal),
            channels: options(t, "enterprise.channels", &codes!(RemittanceChannel), &form.channel),
            uses,
            form,
            errors,
            t,
            this_month: domain::enterprise::Month::of(state.today()).to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn remittances(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    remittances_page(&state, &v, q, RemittanceForm::default(), FormErrors::default()).await
}

pub async fn create_remittance(
    State(state): State<AppState>,
    v: Viewer,
    body: Unread<PageForm<RemittanceForm>>,
) -> Result<Response, PageError> {
    // The village comes from the migrant named in the form: the role first.
    v.require_ever(Action::EditEnterprise)?;
    let PageForm(f) = body.read().await?;
    v.check_csrf(&f.csrf)?;
    let person = person_by_nik(&state, &v, &f.nik).await?;
    if person.is_none() {
        return remittances_page(&state, &v, ListQuery::default(), f, nik_error(&v, "nik")).await;
    }
    let codes: Vec<&str> = RemittanceUse::ALL.iter().map(|u| u.as_str()).collect();
    let uses: Vec<(&str, &str)> = codes.iter().copied().zip(f.use_values()).collect();
    let input = RemittanceInput { month: &f.month, amount: &f.amount, channel: &f.channel, uses: &uses };
    match form_result(&v, svc::create_remittance(&state, &v.principal, &v.actor(), person, &input).await)? {
        Ok(_) => Ok(Redirect::to("/remittances?saved=1").into_response()),
        Err(errors) => remittances_page(&state, &v, ListQuery::default(), f, errors).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, T};

    #[test]
    fn every_code_has_a_label_in_both_languages() {
        let tables: [(&str, Vec<&str>); 10] = [
            ("enterprise.topics", codes!(TrainingTopic)),
            ("enterprise.organisers", codes!(Organiser)),
            ("enterprise.sectors", codes!(Sector)),
            ("enterprise.capital", codes!(CapitalSource)),
            ("enterprise.legal_forms", codes!(LegalForm)),
            ("enterprise.statuses", codes!(BusinessStatus)),
            ("enterprise.member_kinds", codes!(MemberKind)),
            ("enterprise.channels", codes!(RemittanceChannel)),
            ("enterprise.uses", codes!(RemittanceUse)),
            ("enterprise.conditions", codes!(EquipmentCondition)),
        ];
        for lang in [Lang::Id, Lang::En] {
            for (table, codes) in &tables {
                for c in codes {
                    assert_ne!(T::new(lang).get(&format!("{table}.{c}")), "??", "{table}.{c} in {lang:?}");
                }
            }
        }
    }

    #[test]
    fn chart_scales_to_the_largest_amount() {
        let r = |m: &str, rev, cost| svc::Report { month: m.into(), revenue: rev, costs: cost, workers: 0 };
        let (bars, w) = chart(&[r("2026-01", 4_000_000, 1_000_000), r("2026-02", 2_000_000, 0)]);
        assert_eq!(w, 100);
        assert_eq!((bars[0].rev_h, bars[0].rev_y, bars[0].cost_h), (CHART_H, 0, 25));
        assert_eq!((bars[1].rev_h, bars[1].cost_h, bars[1].cost_y), (50, 0, CHART_H));
        let (none, _) = chart(&[r("2026-01", 0, 0)]);
        assert_eq!(none[0].rev_h, 0);
    }
}
