//! Loan products of a cooperative (issue 20, track "loans"): `/cooperatives/{id}/loan-products`
//! (loan settings per year, the provision position, the loans' month-end steps) and
//! `/cooperatives/{id}/loans/{loan_id}/records` (fees, collateral, guarantors, penalty charges,
//! rescheduling with four eyes and the replaced schedules). Every form works without JavaScript.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use app::coop_loans::{
    self as svc, CollateralInput, GuarantorInput, LoanRecords, LoanSettingsBody, ProvisionPosition, RescheduleDecision,
    RescheduleInput,
};
use app::cooperative::{self as coop, Cooperative, Loan, LoanStepInput, OpError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::cooperative::loans::CollateralKind;
use serde::Deserialize;

fn lang_err<E: Into<app::Error>>(v: &Viewer) -> impl Fn(E) -> PageError + '_ {
    move |e| PageError::from_app(e.into(), v.lang())
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Cooperative, PageError> {
    coop::visible(state, &v.principal, id).await.map_err(lang_err(v))?.ok_or_else(|| PageError::not_found(v.lang()))
}

async fn load_loan(state: &AppState, v: &Viewer, c: &Cooperative, id: i64) -> Result<Loan, PageError> {
    coop::loan_of(state, c, id).await.map_err(lang_err(v))?.ok_or_else(|| PageError::not_found(v.lang()))
}

fn split_err(v: &Viewer, e: OpError) -> Result<FormErrors, PageError> {
    match e {
        OpError::Invalid(errs) => Ok(FormErrors::new(v.t(), errs)),
        OpError::Forbidden => Err(PageError::forbidden(v.lang())),
        e => Err(PageError::from_app(e, v.lang())),
    }
}

fn with_status(resp: Response, failed: bool) -> Response {
    if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Loan products: settings, provision, month end

#[derive(Template)]
#[template(path = "coop_loans_products.html")]
struct ProductsPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    years: Vec<(i32, LoanSettingsBody)>,
    form: LoanSettingsBody,
    form_year: String,
    month_end: String,
    position: ProvisionPosition,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    /// The result of a month-end run: (penalty charges, provision entries).
    ran: Option<(u32, u32)>,
}

#[allow(clippy::too_many_arguments)]
async fn products_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    form: Option<(String, LoanSettingsBody)>,
    month_end: Option<String>,
    errors: FormErrors,
    saved: bool,
    ran: Option<(u32, u32)>,
) -> Result<Response, PageError> {
    let years: Vec<(i32, LoanSettingsBody)> = svc::settings_years(state, &v.principal, &c)
        .await
        .map_err(lang_err(v))?
        .iter()
        .map(|(y, s)| (*y, LoanSettingsBody::from_settings(s)))
        .collect();
    let today = state.today();
    let (form_year, form) = form.unwrap_or_else(|| {
        let current = years
            .first()
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| LoanSettingsBody::from_settings(&domain::cooperative::loans::LoanSettings::default()));
        (today.year().to_string(), current)
    });
    let last_month_end = today.replace_day(1).ok().and_then(|d| d.previous_day()).unwrap_or(today);
    let position = svc::provision_position(state, &c, today).await.map_err(lang_err(v))?;
    let failed = errors.any();
    let resp = render(
        &ProductsPage {
            layout: Layout::for_viewer(
                v,
                v.t().get("coop_loans.title"),
                &format!("/cooperatives/{}/loan-products", c.id),
            ),
            t: v.t(),
            can_manage: coop::can_manage(&v.principal, &c),
            c,
            years,
            form,
            form_year,
            month_end: month_end.unwrap_or_else(|| last_month_end.to_string()),
            position,
            errors,
            saved,
            ran,
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn products(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    products_page(&state, &v, c, None, None, FormErrors::default(), q.saved.is_some(), None).await
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(flatten)]
    body: LoanSettingsBody,
}

pub async fn save_settings(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<SettingsForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    match svc::save_settings(&state, &v.principal, &v.actor(), &c, &f.year, &f.body).await {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{id}/loan-products?saved=1")).into_response()),
        Err(e) => {
            let errors = split_err(&v, e)?;
            products_page(&state, &v, c, Some((f.year, f.body)), None, errors, false, None).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct MonthEndForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    month_end: String,
}

pub async fn month_end(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<MonthEndForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    if !coop::can_manage(&v.principal, &c) {
        return Err(PageError::forbidden(v.lang()));
    }
    let r = match domain::person::parse_date(f.month_end.trim()) {
        None => Err(OpError::invalid("month_end", domain::Rule::Format, "the last day of a month, such as 2026-03-31")),
        Some(me) => match svc::post_late_penalties(&state, &v.actor(), c.id, me).await {
            Ok(p) => svc::post_provision(&state, &v.actor(), c.id, me).await.map(|n| (p, n)),
            Err(e) => Err(e),
        },
    };
    match r {
        Ok(ran) => products_page(&state, &v, c, None, Some(f.month_end), FormErrors::default(), false, Some(ran)).await,
        Err(e) => {
            let errors = split_err(&v, e)?;
            products_page(&state, &v, c, None, Some(f.month_end), errors, false, None).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A loan's records

#[derive(Template)]
#[template(path = "coop_loans_records.html")]
struct RecordsPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    loan: Loan,
    r: LoanRecords,
    kinds: Vec<&'static str>,
    collateral: CollateralForm,
    guarantor: GuarantorForm,
    reschedule: RescheduleForm,
    can_manage: bool,
    can_approve: bool,
    user_id: i64,
    today: String,
    errors: FormErrors,
    saved: bool,
}

#[allow(clippy::too_many_arguments)]
async fn records_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    loan: Loan,
    forms: (CollateralForm, GuarantorForm, RescheduleForm),
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let r = svc::loan_records(state, &v.principal, &c, &loan).await.map_err(lang_err(v))?;
    let failed = errors.any();
    let resp = render(
        &RecordsPage {
            layout: Layout::for_viewer(
                v,
                format!("{} #{} · {}", v.t().get("coop.loan"), loan.id, v.t().get("coop_loans.records")),
                &format!("/cooperatives/{}/loans/{}/records", c.id, loan.id),
            ),
            t: v.t(),
            can_manage: coop::can_manage(&v.principal, &c),
            can_approve: coop::can_approve(&v.principal, &c),
            user_id: v.actor().user_id.unwrap_or(0),
            c,
            loan,
            r,
            kinds: CollateralKind::ALL.iter().map(|k| k.as_str()).collect(),
            collateral: forms.0,
            guarantor: forms.1,
            reschedule: forms.2,
            today: state.today().to_string(),
            errors,
            saved,
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn records(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid)): Path<(i64, i64)>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let l = load_loan(&state, &v, &c, lid).await?;
    records_page(&state, &v, c, l, Default::default(), FormErrors::default(), q.saved.is_some()).await
}

#[derive(Deserialize, Default)]
pub struct CollateralForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: CollateralInput,
}

#[derive(Deserialize, Default)]
pub struct GuarantorForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: GuarantorInput,
}

#[derive(Deserialize, Default)]
pub struct RescheduleForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: RescheduleInput,
}

async fn after(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    l: Loan,
    r: Result<(), OpError>,
    forms: (CollateralForm, GuarantorForm, RescheduleForm),
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{}/loans/{}/records?saved=1", c.id, l.id)).into_response()),
        Err(e) => {
            let errors = split_err(v, e)?;
            let l = load_loan(state, v, &c, l.id).await?;
            records_page(state, v, c, l, forms, errors, false).await
        }
    }
}

pub async fn add_collateral(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid)): Path<(i64, i64)>,
    PageForm(f): PageForm<CollateralForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    let l = load_loan(&state, &v, &c, lid).await?;
    let r = svc::add_collateral(&state, &v.principal, &v.actor(), &c, &l, &f.input).await.map(|_| ());
    after(&state, &v, c, l, r, (f, Default::default(), Default::default())).await
}

pub async fn add_guarantor(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid)): Path<(i64, i64)>,
    PageForm(f): PageForm<GuarantorForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    let l = load_loan(&state, &v, &c, lid).await?;
    let r = svc::add_guarantor(&state, &v.principal, &v.actor(), &c, &l, &f.input).await.map(|_| ());
    after(&state, &v, c, l, r, (Default::default(), f, Default::default())).await
}

pub async fn propose(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid)): Path<(i64, i64)>,
    PageForm(f): PageForm<RescheduleForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    let l = load_loan(&state, &v, &c, lid).await?;
    let r = svc::propose_reschedule(&state, &v.principal, &v.actor(), &c, &l, &f.input).await.map(|_| ());
    after(&state, &v, c, l, r, (Default::default(), Default::default(), f)).await
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    step: LoanStepInput,
}

pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid, pid, decision)): Path<(i64, i64, i64, String)>,
    PageForm(f): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let d = match decision.as_str() {
        "approve" => RescheduleDecision::Approve,
        "reject" => RescheduleDecision::Reject,
        "cancel" => RescheduleDecision::Cancel,
        _ => return Err(PageError::not_found(v.lang())),
    };
    let c = load(&state, &v, id).await?;
    let l = load_loan(&state, &v, &c, lid).await?;
    let r = svc::decide_reschedule(&state, &v.principal, &v.actor(), &c, &l, pid, d, &f.step).await;
    after(&state, &v, c, l, r, Default::default()).await
}

/// A settings form's typed value by field name (the template loops over the fields).
pub fn field_value<'a>(f: &'a LoanSettingsBody, name: &str) -> &'a str {
    match name {
        "admin_fee_percent" => f.admin_fee_percent.as_str(),
        "admin_fee_fixed" => f.admin_fee_fixed.as_str(),
        "provision_fee_percent" => f.provision_fee_percent.as_str(),
        "penalty_percent_per_month" => f.penalty_percent_per_month.as_str(),
        "penalty_grace_days" => f.penalty_grace_days.as_str(),
        "limit_multiple" => f.limit_multiple.as_str(),
        "ppap_1_percent" => f.ppap_1_percent.as_str(),
        "ppap_2_percent" => f.ppap_2_percent.as_str(),
        "ppap_3_percent" => f.ppap_3_percent.as_str(),
        "ppap_4_percent" => f.ppap_4_percent.as_str(),
        "ppap_5_percent" => f.ppap_5_percent.as_str(),
        _ => "",
    }
}

/// A monthly rate in millionths as percent text ("1,5").
pub fn rate_text(ppm: &i32) -> String {
    domain::service_center::money::format_scaled(u64::try_from(*ppm).unwrap_or(0), 4)
}
