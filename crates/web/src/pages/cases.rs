//! Protection case pages: cases I may open (restricted ones only counted; partner users see
//! the cases referred to their organisation), opening a case, and a case's page with its
//! history, handler and due date, referrals, trafficking assessment, notes and attachments.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::{Unread, Viewer};
use crate::cases::{
    self as svc, AssignInput, Caller, CaseInput, CaseStepInput, CreateError, ListFilter, NoteInput, OpError,
    ReferralAction, ReferralInput, ReferralStepInput, TraffickingForm,
};
use crate::cases::{Attachment, Case, CaseEvent, CaseFile, Note, Referral, ReferralEvent, ServiceGiven};
use crate::error::{PageError, PageErrorKind, PageForm};
use askama::Template;
use axum::extract::multipart::Multipart;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::cases::{
    CaseStatus, CaseType, Form, Means, Process, Purpose, ReferralStatus, ScreeningResult, Service, Severity,
};
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

fn caller(v: &Viewer) -> Caller<'_> {
    Caller::new(&v.principal, &v.user)
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    villages: super::RegionNames,
    cases: Vec<(Case, bool)>,
    restricted_not_shown: usize,
    can_create: bool,
    is_partner: bool,
    filter: ListFilter,
    /// The filter as a query string, for the next-page link.
    filter_query: String,
    types: Vec<&'static str>,
    statuses: Vec<&'static str>,
    next_before: Option<i64>,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    layout: Layout,
    t: crate::i18n::T,
    form: CaseForm,
    errors: FormErrors,
    types: Vec<&'static str>,
    severities: Vec<&'static str>,
}

/// One checkbox.
pub struct Check {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

fn checks<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    prefix: &str,
    t: crate::i18n::T,
    chosen: &[String],
) -> Vec<Check> {
    all.iter()
        .map(|v| {
            let c = code(*v);
            Check { code: c, label: t.label(prefix, c), checked: chosen.iter().any(|x| x == c) }
        })
        .collect()
}

/// A referral as the case page shows it, with what this viewer may do with it.
pub struct ReferralRow {
    pub r: Referral,
    pub services: Vec<String>,
    pub events: Vec<ReferralEvent>,
    pub given: Vec<ServiceGiven>,
    /// The partner's services, for the "services given" form.
    pub offered: Vec<String>,
    pub can_accept: bool,
    pub can_record: bool,
    pub can_close: bool,
    /// Staff withdraw an active referral (with a reason).
    pub can_withdraw: bool,
}

/// The trafficking section: the stored assessment and the form's choices.
pub struct TraffickingSection {
    pub saved: bool,
    pub child_victim: bool,
    pub missing: Vec<String>,
    pub process: Vec<Check>,
    pub means: Vec<Check>,
    pub purpose: Vec<Check>,
    pub services: Vec<Check>,
    pub forms: Vec<Check>,
    pub screenings: Vec<Check>,
    pub form_detail: String,
    pub age: String,
    pub plan: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    t: crate::i18n::T,
    village_name: String,
    person_name: Option<String>,
    case: Case,
    overdue: bool,
    handler_name: String,
    events: Vec<CaseEvent>,
    next_states: Vec<&'static str>,
    errors: FormErrors,
    saved: bool,
    today: String,
    can_work: bool,
    can_manage: bool,
    /// Staff the case may be assigned to: (id, name, is the handler).
    staff: Vec<(i64, String, bool)>,
    referrals: Vec<ReferralRow>,
    /// Active partners to refer to: (id, label).
    partners: Vec<(i64, String)>,
    service_checks: Vec<Check>,
    /// The partner and note typed into a refused referral.
    chosen_partner: String,
    referral_note: String,
    trafficking: Option<TraffickingSection>,
    notes: Vec<Note>,
    attachments: Vec<Attachment>,
    earlier: Vec<Case>,
    earlier_restricted: usize,
    /// When this viewer's break-the-glass grant ends, if one runs.
    glass_until: Option<String>,
    max_mb: usize,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    before: Option<i64>,
}

fn filter_query(f: &ListFilter) -> String {
    let pairs = [
        ("type", f.case_type.clone().unwrap_or_default()),
        ("status", f.status.clone().unwrap_or_default()),
        ("overdue", if f.overdue() { "1".into() } else { String::new() }),
        ("mine", if f.mine() { "1".into() } else { String::new() }),
    ];
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("&{k}={}", crate::error::urlencode(v))).collect()
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
    Query(filter): Query<ListFilter>,
) -> Result<Response, PageError> {
    let t = v.t();
    let page =
        svc::list(&state, caller(&v), &filter, q.before, PAGE_SIZE).await.map_err(PageError::internal(v.lang()))?;
    let villages = super::RegionNames::load(&state, page.cases.iter().map(|c| c.village_code.as_str()))
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let cases = page.cases.into_iter().map(|c| {
        let overdue = svc::is_overdue(&c, state.today());
        (c, overdue)
    });
    render(
        &ListPage {
            villages,
            layout: Layout::for_viewer(&v, t.get("cases.title"), "/cases"),
            t,
            cases: cases.collect(),
            restricted_not_shown: page.restricted,
            can_create: v.can(Action::EditPerson, v.principal.scope.code()),
            is_partner: caller(&v).is_partner(),
            filter_query: filter_query(&filter),
            filter,
            types: CaseType::ALL.iter().map(|c| c.as_str()).collect(),
            statuses: CaseStatus::ALL.iter().map(|c| c.as_str()).collect(),
            next_before: page.next_before,
        },
        v.lang(),
    )
}

#[derive(Deserialize, Default)]
pub struct CaseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(rename = "type", default)]
    pub case_type: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub village_code: String,
    /// Optional; a person id the user may see.
    #[serde(default)]
    pub person_id: String,
}

fn new_page(v: &Viewer, form: CaseForm, errors: FormErrors) -> Result<Response, PageError> {
    let t = v.t();
    let failed = errors.any();
    let page = render(
        &NewPage {
            layout: Layout::for_viewer(v, t.get("cases.new"), "/cases/new"),
            t,
            form,
            errors,
            types: CaseType::ALL.iter().map(|c| c.as_str()).collect(),
            severities: Severity::ALL.iter().map(|c| c.as_str()).collect(),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    /// Opened from a person's page.
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    village_code: String,
}

pub async fn new_form(v: Viewer, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    let village_code = if q.village_code.is_empty() {
        v.principal
            .scope
            .code()
            .filter(|c| c.level() == domain::RegionLevel::Village)
            .map(|c| c.to_string())
            .unwrap_or_default()
    } else {
        q.village_code
    };
    let form = CaseForm { village_code, person_id: q.person_id, severity: "medium".into(), ..Default::default() };
    new_page(&v, form, FormErrors::default())
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    body: Unread<PageForm<CaseForm>>,
) -> Result<Response, PageError> {
    // The village is in the form: the role first, the village once read.
    v.require_ever(Action::EditPerson)?;
    let PageForm(f) = body.read().await?;
    v.check_csrf(&f.csrf)?;
    let person_id = match f.person_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let errs = domain::ValidationErrors::single("person_id", domain::Rule::Format, "a person's number");
                return new_page(&v, f, FormErrors::new(v.t(), errs));
            }
        },
    };
    let input = CaseInput {
        case_type: f.case_type.clone(),
        severity: f.severity.clone(),
        description: f.description.clone(),
        village_code: f.village_code.clone(),
        person_id,
    };
    match svc::create(&state, &v.principal, &v.actor(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/cases/{}?saved=1", c.id)).into_response()),
        Err(CreateError::Invalid(errs)) => new_page(&v, f, FormErrors::new(v.t(), errs)),
        Err(CreateError::Forbidden) => Err(PageError::forbidden(v.lang())),
        Err(CreateError::Store(e)) => Err(PageError::internal(v.lang())(e)),
    }
}

fn split(s: &str) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(String::from).collect()
}

async fn page(
    state: &AppState,
    v: &Viewer,
    file: CaseFile,
    errors: FormErrors,
    saved: bool,
    typed: Option<&Pairs>,
) -> Result<Response, PageError> {
    let t = v.t();
    // Names instead of codes: the village's, and the person's only if this viewer may see them
    // (the people rules' own read; partners and other scopes keep the number).
    let village_name = super::RegionNames::load(state, [file.case.village_code.as_str()])
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?
        .name(&file.case.village_code)
        .to_string();
    let person_name = match file.case.person_id {
        Some(pid) => app::people::visible_person(state, &v.principal, pid)
            .await
            .map_err(|e| PageError::from_app(e.into(), v.lang()))?
            .map(|p| p.full_name),
        None => None,
    };
    let who = caller(v);
    let CaseFile {
        case,
        events,
        can_work,
        can_manage,
        handler_name,
        staff,
        referrals: visible,
        referral_events,
        services_given: given,
        partners: all_partners,
        trafficking: row,
        notes,
        attachments,
        earlier,
        earlier_restricted,
        glass_until,
    } = file;
    let staff = staff
        .into_iter()
        .map(|u| (u.id, format!("{} ({})", u.full_name, t.role(&u.role)), case.handler_user_id == Some(u.id)))
        .collect();
    let mut referrals = Vec::new();
    for r in visible {
        let mine = who.is_partner() && who.partner_id == Some(r.partner_id);
        let status = r.status();
        let offered = all_partners.iter().find(|p| p.id == r.partner_id).map(|p| p.service_codes()).unwrap_or_default();
        referrals.push(ReferralRow {
            services: r.service_codes(),
            events: referral_events.iter().filter(|e| e.referral_id == r.id).cloned().collect(),
            given: given.iter().filter(|g| g.referral_id == r.id).cloned().collect(),
            offered,
            can_accept: mine && status == ReferralStatus::Sent,
            can_record: mine && status.can_go_to(ReferralStatus::ServicesRecorded),
            can_close: mine && matches!(status, ReferralStatus::Accepted | ReferralStatus::ServicesRecorded),
            can_withdraw: can_work && svc::is_active(status),
            r,
        });
    }
    let partners = if can_work {
        all_partners
            .iter()
            .filter(|p| p.active)
            .map(|p| {
                let region = p.region_code.clone().unwrap_or_else(|| t.get("home.national").to_string());
                (p.id, format!("{} · {} · {}", p.name, t.label("partner_type", &p.partner_type), region))
            })
            .collect()
    } else {
        vec![]
    };
    // The assessment as typed when it was just refused (only its form sends `screening_result`).
    let typed_tppo = typed.filter(|f| f.iter().any(|(k, _)| k == "screening_result"));
    let trafficking = if CaseType::parse(&case.case_type) == Some(CaseType::TraffickingSuspicion) {
        let get = |f: fn(&svc::TraffickingRow) -> String| row.as_ref().map(f).unwrap_or_default();
        let assessment = row.as_ref().map(svc::assessment_of);
        let chosen = |name: &str, saved: String| typed_tppo.map_or_else(|| split(&saved), |f| many(f, name));
        let typed_one = |name: &str, saved: String| typed_tppo.map_or(saved, |f| one(f, name));
        let form = get(|r| r.form.clone());
        let screening = row.as_ref().map(|r| r.screening_result.clone()).unwrap_or_else(|| "not_screened".into());
        Some(TraffickingSection {
            saved: row.is_some(),
            child_victim: assessment.as_ref().is_some_and(|a| a.child_victim),
            missing: assessment.map(|a| a.missing.iter().map(|e| e.as_str().to_string()).collect()).unwrap_or_default(),
            process: checks(
                &Process::ALL,
                Process::as_str,
                "tppo_process",
                t,
                &chosen("process", get(|r| r.process.clone())),
            ),
            means: checks(&Means::ALL, Means::as_str, "tppo_means", t, &chosen("means", get(|r| r.means.clone()))),
            purpose: checks(
                &Purpose::ALL,
                Purpose::as_str,
                "tppo_purpose",
                t,
                &chosen("purpose", get(|r| r.purpose.clone())),
            ),
            services: checks(
                &Service::ALL,
                Service::as_str,
                "service",
                t,
                &chosen("services_needed", get(|r| r.services_needed.clone())),
            ),
            forms: checks(&Form::ALL, Form::as_str, "tppo_form", t, &[typed_one("form", form)]),
            screenings: checks(
                &ScreeningResult::ALL,
                ScreeningResult::as_str,
                "screening",
                t,
                &[typed_one("screening_result", screening)],
            ),
            form_detail: typed_one("form_detail", get(|r| r.form_detail.clone())),
            age: typed_one(
                "victim_age_at_time",
                row.as_ref().and_then(|r| r.victim_age_at_time).map(|a| a.to_string()).unwrap_or_default(),
            ),
            plan: typed_one("reintegration_plan", get(|r| r.reintegration_plan.clone())),
        })
    } else {
        None
    };
    let failed = errors.any();
    let resp = render(
        &CasePage {
            village_name,
            person_name,
            layout: Layout::for_viewer(
                v,
                format!("{} #{}", t.get("screens.case_title"), case.id),
                &format!("/cases/{}", case.id),
            ),
            t,
            overdue: svc::is_overdue(&case, state.today()),
            handler_name,
            next_states: if can_work {
                svc::status_of(&case).next_states().iter().map(|s| s.as_str()).collect()
            } else {
                vec![]
            },
            case,
            events,
            errors,
            saved,
            today: state.today().to_string(),
            can_work,
            can_manage,
            staff,
            referrals,
            partners,
            // After a refusal the referral form shows what was typed, not a blank form.
            service_checks: checks(
                &Service::ALL,
                Service::as_str,
                "service",
                t,
                &typed.map(|f| many(f, "services")).unwrap_or_default(),
            ),
            chosen_partner: typed.map(|f| one(f, "partner_id")).unwrap_or_default(),
            referral_note: typed.map(|f| one(f, "note")).unwrap_or_default(),
            trafficking,
            notes,
            attachments,
            earlier,
            earlier_restricted,
            glass_until: glass_until.map(|u| app::clock::fmt_time(&u)),
            max_mb: domain::cases::attachment::MAX_BYTES / (1024 * 1024),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

/// The case if this viewer may open it; 404 otherwise, as if it did not exist.
async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Case, PageError> {
    svc::open(state, caller(v), id).await.map_err(|e| PageError::from_app(e, v.lang()))
}

/// The case's page again with the errors of a form (422).
async fn reshow(
    state: &AppState,
    v: &Viewer,
    id: i64,
    errors: FormErrors,
    typed: Option<&Pairs>,
) -> Result<Response, PageError> {
    let file = svc::reload(state, caller(v), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    page(state, v, file, errors, false, typed).await
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let file = match svc::view(&state, caller(&v), &v.actor(), id).await {
        Ok(file) => file,
        // A restricted case this viewer may only know exists: the refusal offers to break the
        // glass when they may (docs/ACCESS.md); anyone else is told it does not exist.
        Err(app::Error::NotFound) if svc::glass_check(&state, caller(&v), id).await.is_ok() => {
            return glass_page(&v, id, String::new(), FormErrors::default());
        }
        Err(e) => return Err(PageError::from_app(e, v.lang())),
    };
    page(&state, &v, file, FormErrors::default(), q.saved.is_some(), None).await
}

#[derive(Template)]
#[template(path = "case_glass.html")]
struct GlassPage {
    layout: Layout,
    t: crate::i18n::T,
    id: i64,
    reason: String,
    errors: FormErrors,
    hours: i64,
    min_reason: usize,
}

/// The refusal of a restricted case with the break-the-glass form (403; 422 after a refused
/// reason, the typed text kept).
fn glass_page(v: &Viewer, id: i64, reason: String, errors: FormErrors) -> Result<Response, PageError> {
    let t = v.t();
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::FORBIDDEN };
    let page = render(
        &GlassPage {
            layout: Layout::for_viewer(v, t.get("glass.title"), &format!("/cases/{id}")),
            t,
            id,
            reason,
            errors,
            hours: domain::cases::access::GLASS_HOURS,
            min_reason: domain::cases::access::MIN_GLASS_REASON,
        },
        v.lang(),
    )?;
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct GlassForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// Breaks the glass from the refusal page: the case opens for three hours.
pub async fn break_glass(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Unread<PageForm<GlassForm>>,
) -> Result<Response, PageError> {
    svc::glass_check(&state, caller(&v), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let PageForm(f) = body.read().await?;
    v.check_csrf(&f.csrf)?;
    let input = svc::GlassInput { reason: f.reason.clone() };
    match svc::break_glass(&state, caller(&v), &v.actor(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(app::Error::Invalid(errs)) => glass_page(&v, id, f.reason, FormErrors::new(v.t(), errs)),
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

/// After an operation: back to the case, or the page again with the errors (422).
async fn after(state: &AppState, v: &Viewer, id: i64, result: Result<(), OpError>) -> Result<Response, PageError> {
    after_typed(state, v, id, result, None).await
}

/// [`after`] for a form whose typed values come back on a refusal.
async fn after_typed(
    state: &AppState,
    v: &Viewer,
    id: i64,
    result: Result<(), OpError>,
    typed: Option<&Pairs>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => {
            // A partner who declined no longer opens the case.
            let target = match svc::openable(state, caller(v), id).await.map_err(PageError::internal(v.lang()))? {
                Some(_) => format!("/cases/{id}?saved=1"),
                None => "/cases".to_string(),
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(OpError::Invalid(errs)) => reshow(state, v, id, FormErrors::new(v.t(), errs), typed).await,
        Err(OpError::Forbidden) => Err(PageError::forbidden(v.lang())),
        Err(OpError::NotFound) => Err(PageError::not_found(v.lang())),
        Err(OpError::Store(e)) => Err(PageError::internal(v.lang())(e)),
    }
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    step: CaseStepInput,
}

pub async fn transition(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let case = load(&state, &v, id).await?;
    if !svc::can_work(caller(&v), &case) {
        return Err(PageError::forbidden(v.lang()));
    }
    let err = || PageError::internal(v.lang());
    match svc::advance(&state, &v.actor(), &case, &f.step).await.map_err(err())? {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?saved=1")).into_response()),
        Err(errs) => reshow(&state, &v, id, FormErrors::new(v.t(), errs), None).await,
    }
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    handler_user_id: String,
    #[serde(default)]
    due_on: String,
}

pub async fn assign(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<AssignForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let case = load(&state, &v, id).await?;
    let handler = match f.handler_user_id.trim() {
        "" => None,
        h => Some(h.parse::<i64>().unwrap_or(0)),
    };
    let input = AssignInput { handler_user_id: handler, due_on: Some(f.due_on) };
    let r = svc::assign(&state, caller(&v), &v.actor(), &case, &input).await;
    after(&state, &v, id, r).await
}

/// Form fields in order, repeated names kept (checkbox groups).
type Pairs = Vec<(String, String)>;

fn one(pairs: &Pairs, name: &str) -> String {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

fn many(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

pub async fn refer(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<Pairs>,
) -> Result<Response, PageError> {
    v.check_csrf(&one(&f, "_csrf"))?;
    let case = load(&state, &v, id).await?;
    let input = ReferralInput {
        partner_id: one(&f, "partner_id").trim().parse().ok(),
        services: many(&f, "services"),
        note: one(&f, "note"),
    };
    let r = svc::refer(&state, caller(&v), &v.actor(), &case, &input).await.map(|_| ());
    after_typed(&state, &v, id, r, Some(&f)).await
}

pub async fn referral_step(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, referral_id, action)): Path<(i64, i64, String)>,
    PageForm(f): PageForm<Pairs>,
) -> Result<Response, PageError> {
    v.check_csrf(&one(&f, "_csrf"))?;
    let action = match action.as_str() {
        "accept" => ReferralAction::Accept,
        "decline" => ReferralAction::Decline,
        "services" => ReferralAction::Services,
        "close" => ReferralAction::Close,
        _ => return Err(PageError::not_found(v.lang())),
    };
    // The referral must belong to this case.
    match svc::case_of_referral(&state, referral_id).await {
        Ok(case_id) if case_id == id => {}
        Ok(_) => return Err(PageError::not_found(v.lang())),
        Err(e) => return Err(PageError::from_app(e, v.lang())),
    }
    let input = ReferralStepInput {
        date: one(&f, "date"),
        reason: one(&f, "reason"),
        services: many(&f, "services"),
        note: one(&f, "note"),
    };
    let r = svc::referral_step(&state, caller(&v), &v.actor(), referral_id, action, &input).await;
    after(&state, &v, id, r).await
}

pub async fn trafficking(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<Pairs>,
) -> Result<Response, PageError> {
    v.check_csrf(&one(&f, "_csrf"))?;
    let case = load(&state, &v, id).await?;
    let input = TraffickingForm {
        process: many(&f, "process"),
        means: many(&f, "means"),
        purpose: many(&f, "purpose"),
        form: one(&f, "form"),
        form_detail: one(&f, "form_detail"),
        victim_age_at_time: one(&f, "victim_age_at_time"),
        screening_result: one(&f, "screening_result"),
        services_needed: many(&f, "services_needed"),
        reintegration_plan: one(&f, "reintegration_plan"),
    };
    let r = svc::save_trafficking(&state, caller(&v), &v.actor(), &case, &input).await.map(|_| ());
    after_typed(&state, &v, id, r, Some(&f)).await
}

#[derive(Deserialize, Default)]
pub struct NoteForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<NoteForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let case = load(&state, &v, id).await?;
    let r = svc::add_note(&state, caller(&v), &v.actor(), &case, &NoteInput { body: f.body }).await.map(|_| ());
    after(&state, &v, id, r).await
}

pub async fn attach(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Unread<Multipart>,
) -> Result<Response, PageError> {
    // Only those who may open the case get as far as the upload (404 to the others).
    let case = load(&state, &v, id).await?;
    let t = v.t();
    let bad = || PageError::new(PageErrorKind::BadRequest(t.get("cases.upload_unreadable").to_string()), v.lang());
    let mut mp = body.read().await.map_err(|_| bad())?;
    let mut csrf = String::new();
    let mut file = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                let errs = domain::ValidationErrors::single(
                    "file",
                    domain::Rule::TooLong,
                    format!("at most {} MB", domain::cases::attachment::MAX_BYTES / (1024 * 1024)),
                );
                v.check_csrf(&csrf)?;
                return after(&state, &v, id, Err(OpError::Invalid(errs))).await;
            }
            Err(_) => return Err(bad()),
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(|_| bad())?,
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        v.check_csrf(&csrf)?;
                        let errs = domain::ValidationErrors::single(
                            "file",
                            domain::Rule::TooLong,
                            format!("at most {} MB", domain::cases::attachment::MAX_BYTES / (1024 * 1024)),
                        );
                        return after(&state, &v, id, Err(OpError::Invalid(errs))).await;
                    }
                    Err(_) => return Err(bad()),
                }
            }
            _ => {}
        }
    }
    v.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    let r = svc::attach(&state, &v.actor(), &case, &name, bytes).await.map(|_| ());
    after(&state, &v, id, r).await
}

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    crate::api::download_response(&state, caller(&v), &v.actor(), id, attachment_id)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))
}

/// Staff: my cases due or overdue, for the worklist and the home page.
pub async fn my_overdue(state: &AppState, v: &Viewer) -> Result<Vec<Case>, app::Error> {
    if caller(v).is_partner() {
        return Ok(vec![]);
    }
    let f = ListFilter { overdue: Some("1".into()), mine: Some("1".into()), ..Default::default() };
    Ok(svc::list(state, caller(v), &f, None, 100).await?.cases)
}
