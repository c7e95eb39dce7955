//! Community parenting pages (issue 6): activities with attendance of children and caregivers,
//! the children list (names for facilitators and the village's supervisors, counts for
//! everyone else), a child's page (audited) with schooling, documents and the concern form
//! that opens a restricted protection case.

use super::enterprise::{
    ListQuery, Period, form_result, options, page_err, period, person_by_nik, report_of, village_default, with_status,
};
use super::{FormErrors, Layout, SelectOption, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::download;
use crate::error::{PageError, PageForm};
use crate::i18n::T;
use crate::parenting as svc;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::parenting::{
    ActivityInput, ActivityKind, Caregiver, ChildInput, ConcernInput, ConcernKind, SchoolLevel, SchoolStatus, age_on,
};
use domain::{Rule, ValidationErrors};
use reports::{Cell, Table};
use serde::Deserialize;
use svc::{Activity, Attended, Child, ChildActivity, Concern, ParentRef, VillageCounts};

macro_rules! codes {
    ($t:ty) => {
        <$t>::ALL.iter().map(|v| v.as_str()).collect::<Vec<&'static str>>()
    };
}

// ---------------------------------------------------------------- activities

#[derive(Deserialize, Default)]
pub struct ActivityForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub facilitator: String,
}

#[derive(Template)]
#[template(path = "parenting.html")]
struct ActivitiesPage {
    layout: Layout,
    t: T,
    period: Period,
    items: Vec<Activity>,
    can_edit: bool,
    form: ActivityForm,
    kinds: Vec<SelectOption>,
    errors: FormErrors,
}

async fn activities_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    form: ActivityForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (f, period) = period(v, Action::CountChildren, "/parenting", &q)?;
    let items = svc::activities(state, &v.principal, &f, 100).await.map_err(page_err(v))?;
    let failed = errors.any();
    let page = render(
        &ActivitiesPage {
            layout: Layout::for_viewer(v, t.get("parenting.title"), "/parenting"),
            period,
            items,
            can_edit: v.can(Action::ViewChild, v.principal.scope.code()),
            kinds: options(t, "parenting.kinds", &codes!(ActivityKind), &form.kind),
            form,
            errors,
            t,
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn activities(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let form =
        ActivityForm { village_code: village_default(&v), held_on: state.today().to_string(), ..Default::default() };
    activities_page(&state, &v, q, form, FormErrors::default()).await
}

pub async fn create_activity(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<ActivityForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let input = ActivityInput {
        village_code: &f.village_code,
        kind: &f.kind,
        title: &f.title,
        held_on: &f.held_on,
        ends_on: &f.ends_on,
        place: &f.place,
        facilitator: &f.facilitator,
    };
    match form_result(&v, svc::create_activity(&state, &v.principal, &v.actor(), &input).await)? {
        Ok(a) => Ok(Redirect::to(&format!("/parenting/{}?saved=1", a.id)).into_response()),
        Err(errors) => activities_page(&state, &v, ListQuery::default(), f, errors).await,
    }
}

#[derive(Template)]
#[template(path = "parenting_activity.html")]
struct ActivityPage {
    layout: Layout,
    t: T,
    a: Activity,
    names_visible: bool,
    children: Vec<Attended>,
    caregivers: Vec<Attended>,
    /// Children of the village to pick from (id, name).
    choices: Vec<(i64, String)>,
    days: Vec<String>,
    saved: bool,
    errors: FormErrors,
}

async fn activity_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    saved: bool,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let view = svc::activity_view(state, &v.principal, &v.actor(), id, true).await.map_err(page_err(v))?;
    let svc::ActivityView { activity: a, names_visible, children, caregivers, choices } = view;
    let days = a
        .dates()
        .map(|(s, e)| domain::enterprise::training_days(s, e).iter().map(|d| d.to_string()).collect())
        .unwrap_or_default();
    let failed = errors.any();
    let title = format!("{} · {}", t.label("parenting.kinds", &a.kind), a.held_on);
    let page = render(
        &ActivityPage {
            layout: Layout::for_viewer(v, title, &format!("/parenting/{id}")),
            t,
            a,
            names_visible,
            children,
            caregivers,
            choices,
            days,
            saved,
            errors,
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

pub async fn activity(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    activity_page(&state, &v, id, q.saved.is_some(), FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct AttendanceForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    child_id: String,
    #[serde(default)]
    nik: String,
    #[serde(default)]
    date: String,
}

pub async fn add_attendance(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<AttendanceForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let a = svc::activity(&state, &v.principal, id).await.map_err(page_err(&v))?;
    let child_id = f.child_id.trim().parse::<i64>().ok();
    let person_id = if f.nik.trim().is_empty() {
        None
    } else {
        match person_by_nik(&state, &v, &f.nik).await? {
            Some(p) => Some(p),
            None => {
                let errs = ValidationErrors::single("nik", Rule::OneOf, crate::outreach::NOT_IN_REGION);
                return activity_page(&state, &v, id, false, FormErrors::new(v.t(), errs)).await;
            }
        }
    };
    match form_result(
        &v,
        svc::add_attendance(&state, &v.principal, &v.actor(), &a, child_id, person_id, &f.date).await,
    )? {
        Ok(_) => Ok(Redirect::to(&format!("/parenting/{id}?saved=1#attendance")).into_response()),
        Err(errors) => activity_page(&state, &v, id, false, errors).await,
    }
}

// ---------------------------------------------------------------- children

#[derive(Deserialize, Default)]
pub struct ChildForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub parent_nik: String,
    #[serde(default)]
    pub parent2_nik: String,
    #[serde(default)]
    pub caregiver: String,
    #[serde(default)]
    pub school_level: String,
    #[serde(default)]
    pub school_status: String,
    #[serde(default)]
    pub birth_certificate: Option<String>,
    #[serde(default)]
    pub health_insurance: Option<String>,
}

pub struct ChildRow {
    pub id: i64,
    pub full_name: String,
    pub age: i32,
    pub village_code: String,
    pub caregiver: String,
    pub school: String,
}

#[derive(Template)]
#[template(path = "children.html")]
struct ChildrenPage {
    layout: Layout,
    t: T,
    period: Period,
    names_visible: bool,
    rows: Vec<ChildRow>,
    counts: Vec<VillageCounts>,
    /// The last village of the counts table when more follow (`village_next.html`).
    next_after: Option<String>,
    names: super::RegionNames,
    form: ChildForm,
    errors: FormErrors,
    caregivers: Vec<SelectOption>,
    levels: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    today: String,
}

fn school_label(t: T, c: &Child) -> String {
    match (&c.school_level, &c.school_status) {
        (None, None) => "—".into(),
        (l, s) => format!(
            "{} {}",
            l.as_deref().map(|x| t.label("parenting.levels", x)).unwrap_or_default(),
            s.as_deref().map(|x| format!("({})", t.label("parenting.statuses", x))).unwrap_or_default()
        )
        .trim()
        .to_string(),
    }
}

async fn children_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    form: ChildForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (f, period) = period(v, Action::CountChildren, "/children", &q)?;
    let limit = if q.format().is_some() { 1000 } else { 200 };
    let svc::ChildrenView { names_visible, children, counts, counts_next_after: next_after } =
        svc::children(state, &v.principal, &v.actor(), &f, None, None, limit, &q.villages())
            .await
            .map_err(super::enterprise::list_err(v))?;
    let today = state.today();
    let age = |c: &Child| domain::person::parse_date(&c.birth_date).map(|b| age_on(b, today)).unwrap_or(0);
    if let Some(fmt) = q.format() {
        // Names only for those who may see them; everyone else gets the counts per village.
        let table = if names_visible {
            Table {
                name: t.get("parenting.children").into(),
                columns: [
                    "id",
                    "name",
                    "age",
                    "sex",
                    "village",
                    "caregiver",
                    "school",
                    "birth_certificate",
                    "health_insurance",
                ]
                .iter()
                .map(|c| t.get(&format!("parenting.col.{c}")).to_string())
                .collect(),
                rows: children
                    .iter()
                    .map(|c| {
                        vec![
                            Cell::Int(c.id),
                            c.full_name.clone().into(),
                            Cell::Int(i64::from(age(c))),
                            c.sex.clone().into(),
                            c.village_code.clone().into(),
                            t.label("parenting.caregivers", &c.caregiver).into(),
                            school_label(t, c).into(),
                            t.get(if c.birth_certificate { "common.yes" } else { "common.no" }).into(),
                            t.get(if c.health_insurance { "common.yes" } else { "common.no" }).into(),
                        ]
                    })
                    .collect(),
                totals: None,
            }
        } else {
            counts_table(t, &counts)
        };
        return Ok(download::report(&report_of(t, t.get("parenting.children"), &f, table), fmt, "anak"));
    }
    let rows = children
        .iter()
        .map(|c| ChildRow {
            id: c.id,
            full_name: c.full_name.clone(),
            age: age(c),
            village_code: c.village_code.clone(),
            caregiver: t.label("parenting.caregivers", &c.caregiver),
            school: school_label(t, c),
        })
        .collect();
    let failed = errors.any();
    // Villages by name (the code small beside), one query for the page.
    let names = super::RegionNames::load(
        state,
        counts.iter().map(|c| c.village_code.as_str()).chain(children.iter().map(|c| c.village_code.as_str())),
    )
    .await
    .map_err(|e| PageError::from_app(e, v.lang()))?;
    let page = render(
        &ChildrenPage {
            layout: Layout::for_viewer(v, t.get("parenting.children"), "/children"),
            period,
            names_visible,
            rows,
            counts,
            next_after,
            names,
            caregivers: options(t, "parenting.caregivers", &codes!(Caregiver), &form.caregiver),
            levels: options(t, "parenting.levels", &codes!(SchoolLevel), &form.school_level),
            statuses: options(t, "parenting.statuses", &codes!(SchoolStatus), &form.school_status),
            form,
            errors,
            t,
            today: today.to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

fn counts_table(t: T, counts: &[VillageCounts]) -> Table {
    Table {
        name: t.get("parenting.counts").into(),
        columns: [
            "village",
            "children",
            "enrolled",
            "dropped_out",
            "never_enrolled",
            "birth_certificate",
            "health_insurance",
            "reached",
            "activities",
        ]
        .iter()
        .map(|c| t.get(&format!("parenting.col.{c}")).to_string())
        .collect(),
        rows: counts
            .iter()
            .map(|c| {
                vec![
                    c.village_code.clone().into(),
                    Cell::Int(c.children),
                    Cell::Int(c.enrolled),
                    Cell::Int(c.dropped_out),
                    Cell::Int(c.never_enrolled),
                    Cell::Int(c.birth_certificate),
                    Cell::Int(c.health_insurance),
                    Cell::Int(c.reached),
                    Cell::Int(c.activities),
                ]
            })
            .collect(),
        totals: None,
    }
}

pub async fn children(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let form = ChildForm { village_code: village_default(&v), ..Default::default() };
    children_page(&state, &v, q, form, FormErrors::default()).await
}

pub async fn create_child(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<ChildForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    if !v.can(Action::ViewChild, v.principal.scope.code()) {
        return Err(PageError::forbidden(v.lang()));
    }
    let mut parents = Vec::new();
    let niks: Vec<String> =
        [f.parent_nik.clone(), f.parent2_nik.clone()].into_iter().filter(|n| !n.trim().is_empty()).collect();
    for nik in &niks {
        match person_by_nik(&state, &v, nik).await? {
            Some(id) => parents.push(id),
            None => {
                let errs =
                    ValidationErrors::single("parent_person_ids", Rule::Mismatch, crate::outreach::NOT_IN_REGION);
                return children_page(&state, &v, ListQuery::default(), f, FormErrors::new(v.t(), errs)).await;
            }
        }
    }
    let input = ChildInput {
        full_name: &f.full_name,
        birth_date: &f.birth_date,
        sex: &f.sex,
        village_code: &f.village_code,
        parent_person_ids: &parents,
        caregiver: &f.caregiver,
        school_level: &f.school_level,
        school_status: &f.school_status,
        birth_certificate: f.birth_certificate.is_some(),
        health_insurance: f.health_insurance.is_some(),
    };
    match form_result(&v, svc::create_child(&state, &v.principal, &v.actor(), &input).await)? {
        Ok(c) => Ok(Redirect::to(&format!("/children/{}?saved=1", c.id)).into_response()),
        Err(errors) => children_page(&state, &v, ListQuery::default(), f, errors).await,
    }
}

#[derive(Template)]
#[template(path = "child.html")]
struct ChildPage {
    layout: Layout,
    t: T,
    village_name: String,
    c: Child,
    age: i32,
    school: String,
    parents: Vec<ParentRef>,
    hidden_parents: usize,
    concerns: Vec<Concern>,
    activities: Vec<ChildActivity>,
    levels: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    concern_kinds: Vec<SelectOption>,
    saved: bool,
    case_opened: Option<i64>,
    errors: FormErrors,
    today: String,
}

async fn child_page(
    state: &AppState,
    v: &Viewer,
    id: i64,
    saved: bool,
    case_opened: Option<i64>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let d = svc::child_dossier(state, &v.principal, &v.actor(), id).await.map_err(page_err(v))?;
    let c = d.child;
    let failed = errors.any();
    let age = domain::person::parse_date(&c.birth_date).map(|b| age_on(b, state.today())).unwrap_or(0);
    let village_name = super::RegionNames::load(state, [c.village_code.as_str()])
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?
        .name(&c.village_code)
        .to_string();
    let page = render(
        &ChildPage {
            village_name,
            layout: Layout::for_viewer(
                v,
                format!("{} #{id}", t.get("screens.child_title")),
                &format!("/children/{id}"),
            ),
            age,
            school: school_label(t, &c),
            parents: d.parents,
            hidden_parents: d.hidden_parents,
            concerns: d.concerns,
            activities: d.activities,
            levels: options(t, "parenting.levels", &codes!(SchoolLevel), c.school_level.as_deref().unwrap_or("")),
            statuses: options(t, "parenting.statuses", &codes!(SchoolStatus), c.school_status.as_deref().unwrap_or("")),
            concern_kinds: options(t, "parenting.concerns", &codes!(ConcernKind), ""),
            c,
            t,
            saved,
            case_opened,
            errors,
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(page, failed))
}

#[derive(Deserialize, Default)]
pub struct ChildQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    case: Option<i64>,
}

pub async fn child(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ChildQuery>,
) -> Result<Response, PageError> {
    child_page(&state, &v, id, q.saved.is_some(), q.case, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct ChildStatusForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    school_level: String,
    #[serde(default)]
    school_status: String,
    #[serde(default)]
    birth_certificate: Option<String>,
    #[serde(default)]
    health_insurance: Option<String>,
}

pub async fn set_child_status(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ChildStatusForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = svc::child(&state, &v.principal, id).await.map_err(page_err(&v))?;
    let r = svc::update_status(
        &state,
        &v.actor(),
        &c,
        &f.school_level,
        &f.school_status,
        f.birth_certificate.is_some(),
        f.health_insurance.is_some(),
    )
    .await;
    match form_result(&v, r)? {
        Ok(()) => Ok(Redirect::to(&format!("/children/{id}?saved=1")).into_response()),
        Err(errors) => child_page(&state, &v, id, false, None, errors).await,
    }
}

#[derive(Deserialize, Default)]
pub struct ConcernForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    noted_on: String,
    #[serde(default)]
    description: String,
}

pub async fn raise_concern(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ConcernForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = svc::child(&state, &v.principal, id).await.map_err(page_err(&v))?;
    let input = ConcernInput { kind: &f.kind, noted_on: &f.noted_on, description: &f.description };
    match form_result(&v, svc::raise_concern(&state, &v.actor(), &c, &input).await)? {
        Ok((_, case_id)) => Ok(Redirect::to(&format!("/children/{id}?case={case_id}#concerns")).into_response()),
        Err(errors) => child_page(&state, &v, id, false, None, errors).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, T};

    #[test]
    fn every_code_has_a_label_in_both_languages() {
        let tables: [(&str, Vec<&str>); 5] = [
            ("parenting.caregivers", codes!(Caregiver)),
            ("parenting.levels", codes!(SchoolLevel)),
            ("parenting.statuses", codes!(SchoolStatus)),
            ("parenting.kinds", codes!(ActivityKind)),
            ("parenting.concerns", codes!(ConcernKind)),
        ];
        for lang in [Lang::Id, Lang::En] {
            for (table, codes) in &tables {
                for c in codes {
                    assert_ne!(T::new(lang).get(&format!("{table}.{c}")), "??", "{table}.{c} in {lang:?}");
                }
            }
        }
    }
}
