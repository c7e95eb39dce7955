//! Cooperative pages (pillar 4): a village's cooperatives, a cooperative's home with its key
//! figures and by-laws, members and the member page (savings, loans, statement), loans with
//! their schedule and steps, the books (trial balance, neraca, income statement, cash book,
//! journal with reversal, period and year close) and the RAT with SHU per member. Every form
//! works without JavaScript; downloads go through `reports`.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::{Unread, Viewer};
use crate::cooperative::{
    self as svc, BylawsBody, CooperativeInput, KeyFigures, LoanInput, LoanStatus, LoanStepInput, MemberBalances,
    MemberInput, OpError, OtherInput, RatInput, RepayInput, SavingsInput,
};
use crate::download::Format;
use crate::error::{PageError, PageForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::cooperative::{Account, SavingsKind};
use domain::person::parse_date;
use domain::{RegionCode, RegionLevel};
use serde::Deserialize;
use svc::{
    CashRow, Cooperative, EntryRow, InstallmentRow, LineRow, Loan, LoanEvent, Member, Rat, ShuShare, StatementRow,
};
use time::Date;

/// A whole number however deeply a template borrowed it.
pub trait Whole {
    fn whole(&self) -> i64;
}
impl Whole for i64 {
    fn whole(&self) -> i64 {
        *self
    }
}
impl Whole for u32 {
    fn whole(&self) -> i64 {
        i64::from(*self)
    }
}
impl<T: Whole + ?Sized> Whole for &T {
    fn whole(&self) -> i64 {
        (**self).whole()
    }
}

/// "Rp 1.234.567" (negative with a minus sign).
pub fn rp(n: impl Whole) -> String {
    super::rupiah(n.whole())
}

/// A stored whole amount given as text ("10000000", as the by-laws keep it) as "Rp 10.000.000";
/// text that is not a whole number is shown as it is.
pub fn rp_text(s: &str) -> String {
    s.trim().parse::<i64>().map_or_else(|_| s.to_string(), super::rupiah)
}

/// A stored decimal given as text ("2.5", "40") the Indonesian way ("2,5", "40").
pub fn dec_text(s: &str) -> String {
    domain::service_center::money::parse_scaled(s, 4)
        .map_or_else(|| s.to_string(), |v| domain::service_center::money::format_scaled(v, 4))
}

/// Basis points as "12,34 %".
pub fn pct(bp: impl Whole) -> String {
    reports::Cell::BasisPoints(bp.whole()).display()
}

pub fn account_label(code: &str) -> String {
    Account::parse(code).map_or_else(|| code.to_string(), |a| format!("{} {}", a.number(), svc::account_name(a)))
}

/// A refusal or failure as a page in the viewer's language.
fn lang_err<E: Into<app::Error>>(v: &Viewer) -> impl Fn(E) -> PageError + '_ {
    move |e| PageError::from_app(e.into(), v.lang())
}

pub(super) async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Cooperative, PageError> {
    svc::visible(state, &v.principal, id).await.map_err(lang_err(v))?.ok_or_else(|| PageError::not_found(v.lang()))
}

pub(super) fn require_manage(v: &Viewer, c: &Cooperative) -> Result<(), PageError> {
    if svc::can_manage(&v.principal, c) { Ok(()) } else { Err(PageError::forbidden(v.lang())) }
}

async fn load_member(state: &AppState, v: &Viewer, c: &Cooperative, id: i64) -> Result<Member, PageError> {
    svc::member_of(state, c, id).await.map_err(lang_err(v))?.ok_or_else(|| PageError::not_found(v.lang()))
}

async fn load_loan(state: &AppState, v: &Viewer, c: &Cooperative, id: i64) -> Result<Loan, PageError> {
    svc::loan_of(state, c, id).await.map_err(lang_err(v))?.ok_or_else(|| PageError::not_found(v.lang()))
}

/// An operation's refusal: field errors re-show the page (422), the rest are error pages.
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

fn date_param(s: &Option<String>, default: Date) -> Date {
    s.as_deref().and_then(|s| parse_date(s.trim())).unwrap_or(default)
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    format: Option<Format>,
}

// ---------------------------------------------------------------------------------------------
// Lists

#[derive(Template)]
#[template(path = "coop_list.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    region_code: String,
    coops: Vec<Cooperative>,
    can_create: bool,
    /// When the form is not here but the viewer may found one: the village page where they can.
    found_at: Option<String>,
    form: CoopForm,
    errors: FormErrors,
    today: String,
}

#[derive(Deserialize, Default)]
pub struct CoopForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_number: String,
    #[serde(default)]
    founded_on: String,
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    region: Option<RegionCode>,
    form: CoopForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let within = region.clone().or_else(|| v.principal.scope.code().cloned());
    let coops = svc::cooperatives(state, &v.principal, within.as_ref()).await.map_err(lang_err(v))?;
    let code = region.map(|r| r.to_string()).unwrap_or_default();
    let can_create = !code.is_empty()
        && code
            .parse::<RegionCode>()
            .is_ok_and(|r| r.level() == RegionLevel::Village && v.can(Action::ManageCooperative, Some(&r)));
    // A cooperative is founded on its village's page by whoever may manage cooperatives there.
    let found_at = match v.principal.scope.code() {
        _ if can_create => None,
        Some(home) if home.level() == RegionLevel::Village && v.can(Action::ManageCooperative, Some(home)) => {
            Some(format!("/regions/{home}/cooperatives"))
        }
        _ if v.principal.may_ever(Action::ManageCooperative) => Some("/regions".to_string()),
        _ => None,
    };
    let path = if code.is_empty() { "/cooperatives".to_string() } else { format!("/regions/{code}/cooperatives") };
    let failed = errors.any();
    let resp = render(
        &ListPage {
            layout: Layout::for_viewer(v, t.get("coop.title"), &path),
            t,
            region_code: code,
            coops,
            can_create,
            found_at,
            form,
            errors,
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

/// Cooperatives in my region.
pub async fn index(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    v.require(Action::ViewCooperative, v.principal.scope.code())?;
    let region = v.principal.scope.code().filter(|c| c.level() == RegionLevel::Village).cloned();
    list_page(&state, &v, region, CoopForm { kind: "koperasi".into(), ..Default::default() }, FormErrors::default())
        .await
}

/// A village's cooperatives (linked from the village page).
pub async fn village(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let r: RegionCode = code.parse().map_err(|_| PageError::not_found(v.lang()))?;
    v.require(Action::ViewCooperative, Some(&r))?;
    list_page(&state, &v, Some(r), CoopForm { kind: "koperasi".into(), ..Default::default() }, FormErrors::default())
        .await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    body: Unread<PageForm<CoopForm>>,
) -> Result<Response, PageError> {
    let r: RegionCode = code.parse().map_err(|_| PageError::not_found(v.lang()))?;
    v.require(Action::ManageCooperative, Some(&r))?;
    let PageForm(f) = body.read().await?;
    v.check_csrf(&f.csrf)?;
    let input = CooperativeInput {
        village_code: code.clone(),
        kind: f.kind.clone(),
        name: f.name.clone(),
        legal_number: f.legal_number.clone(),
        founded_on: f.founded_on.clone(),
        bylaws: None,
    };
    match svc::create(&state, &v.principal, &v.actor(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/cooperatives/{}?saved=1", c.id)).into_response()),
        Err(e) => {
            let errors = split_err(&v, e)?;
            list_page(&state, &v, Some(r), f, errors).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Home and by-laws

#[derive(Template)]
#[template(path = "coop_home.html")]
struct HomePage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    figures: KeyFigures,
    bylaws: Vec<(i32, BylawsBody)>,
    form: BylawsBody,
    form_year: String,
    can_manage: bool,
    closed_through: String,
    errors: FormErrors,
    saved: bool,
}

async fn home_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    form: Option<(String, BylawsBody)>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let figures = svc::key_figures(state, &c).await.map_err(lang_err(v))?;
    let bylaws: Vec<(i32, BylawsBody)> = svc::bylaws_years(state, &v.principal, &c)
        .await
        .map_err(lang_err(v))?
        .into_iter()
        .map(|(y, b)| (y, BylawsBody::from_bylaws(&b)))
        .collect();
    let (form_year, form) = form.unwrap_or_else(|| {
        (state.today().year().to_string(), bylaws.first().map(|(_, b)| b.clone()).unwrap_or_default())
    });
    let closed_through =
        svc::closed_through(state, &v.principal, &c).await.map_err(lang_err(v))?.unwrap_or_else(|| "—".into());
    let failed = errors.any();
    let resp = render(
        &HomePage {
            layout: Layout::for_viewer(v, c.name.clone(), &format!("/cooperatives/{}", c.id)),
            t,
            can_manage: svc::can_manage(&v.principal, &c),
            c,
            figures,
            bylaws,
            form,
            form_year,
            closed_through,
            errors,
            saved,
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    home_page(&state, &v, c, None, FormErrors::default(), q.saved.is_some()).await
}

#[derive(Deserialize, Default)]
pub struct BylawsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(flatten)]
    body: BylawsBody,
}

pub async fn bylaws(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<BylawsForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    match svc::save_bylaws(&state, &v.actor(), &c, &f.year, &f.body).await {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{id}?saved=1")).into_response()),
        Err(e) => {
            let errors = split_err(&v, e)?;
            home_page(&state, &v, c, Some((f.year, f.body)), errors, false).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Members

#[derive(Template)]
#[template(path = "coop_members.html")]
struct MembersPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    rows: Vec<(Member, MemberBalances)>,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
}

async fn members_page(state: &AppState, v: &Viewer, c: Cooperative, errors: FormErrors) -> Result<Response, PageError> {
    let t = v.t();
    let rows =
        svc::members_view(state, &v.principal, &v.actor(), &c).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let resp = render(
        &MembersPage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", t.get("coop.members"), c.name),
                &format!("/cooperatives/{}/members", c.id),
            ),
            t,
            can_manage: svc::can_manage(&v.principal, &c),
            c,
            rows,
            errors,
            saved: false,
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn members(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    members_page(&state, &v, c, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct MemberForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    member_number: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    nik: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    joined_on: String,
}

pub async fn enrol(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<MemberForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    let person_id = match f.person_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let errs = domain::ValidationErrors::single("person_id", domain::Rule::Format, "a person's number");
                return members_page(&state, &v, c, FormErrors::new(v.t(), errs)).await;
            }
        },
    };
    let input = MemberInput {
        member_number: f.member_number,
        full_name: f.full_name,
        nik: f.nik,
        person_id,
        joined_on: f.joined_on,
    };
    match svc::enrol(&state, &v.principal, &v.actor(), &c, &input).await {
        Ok(m) => Ok(Redirect::to(&format!("/cooperatives/{id}/members/{}?saved=1", m.id)).into_response()),
        Err(e) => {
            let errors = split_err(&v, e)?;
            members_page(&state, &v, c, errors).await
        }
    }
}

pub struct PreviewRow {
    pub number: u16,
    pub due_date: String,
    pub principal: i64,
    pub interest: i64,
    pub total: i64,
    pub balance_after: i64,
}

#[derive(Template)]
#[template(path = "coop_member.html")]
struct MemberPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    m: Member,
    balances: MemberBalances,
    wajib: domain::cooperative::WajibStatus,
    loans: Vec<Loan>,
    lines: Vec<StatementRow>,
    shu: Vec<(i32, i64, i64, i64)>,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
    preview: Vec<PreviewRow>,
    preview_interest: i64,
    loan_form: LoanForm,
    limits: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct LoanForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    principal: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    monthly_rate_percent: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    date: String,
    /// preview or apply.
    #[serde(default)]
    action: String,
}

impl LoanForm {
    fn input(&self, member: i64) -> LoanInput {
        LoanInput {
            member_id: Some(member),
            principal: svc::NumTextSer(self.principal.clone()),
            months: svc::NumTextSer(self.months.clone()),
            monthly_rate_percent: svc::NumTextSer(self.monthly_rate_percent.clone()),
            method: self.method.clone(),
            purpose: self.purpose.clone(),
            date: self.date.clone(),
        }
    }
}

async fn member_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    m: Member,
    errors: FormErrors,
    saved: bool,
    loan_form: LoanForm,
    preview: Option<domain::cooperative::Schedule>,
) -> Result<Response, PageError> {
    let t = v.t();
    let e = lang_err(v);
    let m = svc::view_member(state, &v.principal, &v.actor(), &c, m, "page")
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let balances = svc::member_balances(state, &m, None).await.map_err(&e)?;
    let wajib = svc::wajib(state, &c, &m, balances.wajib, state.today()).await.map_err(&e)?;
    let loans = svc::loans(state, &v.principal, &c, Some(m.id)).await.map_err(lang_err(v))?;
    let (lines, shu) = svc::member_ledger(state, &v.principal, &c, &m, 100).await.map_err(lang_err(v))?;
    let b = svc::bylaws_on(state, &c, state.today()).await.map_err(&e)?;
    let limits = format!(
        "{} · {} {} · {}–{} %",
        rp(b.loans.max_principal.amount()),
        b.loans.max_months,
        t.get("coop.months"),
        rate(b.loans.min_rate_ppm),
        rate(b.loans.max_rate_ppm)
    );
    let (preview_rows, preview_interest) = match preview {
        Some(s) => (
            s.installments
                .iter()
                .map(|i| PreviewRow {
                    number: i.number,
                    due_date: i.due_date.to_string(),
                    principal: i.principal.amount(),
                    interest: i.interest.amount(),
                    total: i.total.amount(),
                    balance_after: i.balance_after.amount(),
                })
                .collect(),
            s.total_interest.amount(),
        ),
        None => (vec![], 0),
    };
    let failed = errors.any();
    let resp = render(
        &MemberPage {
            layout: Layout::for_viewer(
                v,
                format!("{} #{}", t.get("screens.member_title"), m.id),
                &format!("/cooperatives/{}/members/{}", c.id, m.id),
            ),
            t,
            can_manage: svc::can_manage(&v.principal, &c) && m.left_on.is_none(),
            c,
            m,
            balances,
            wajib,
            loans,
            lines,
            shu,
            errors,
            saved,
            today: state.today().to_string(),
            preview: preview_rows,
            preview_interest,
            loan_form,
            limits,
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

/// A monthly rate as Indonesians write it ("1,5"), for pages and the forms they refill.
fn rate(ppm: u32) -> String {
    domain::cooperative::MonthlyRate::from_ppm(ppm).map(|r| r.display_id()).unwrap_or_default()
}

fn default_loan_form() -> LoanForm {
    LoanForm { method: "flat".into(), ..Default::default() }
}

pub async fn member(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, mid)): Path<(i64, i64)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let m = load_member(&state, &v, &c, mid).await?;
    member_page(&state, &v, c, m, FormErrors::default(), q.saved.is_some(), default_loan_form(), None).await
}

#[derive(Deserialize, Default)]
pub struct SavingsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: SavingsInput,
}

pub async fn savings(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, mid)): Path<(i64, i64)>,
    PageForm(f): PageForm<SavingsForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    let m = load_member(&state, &v, &c, mid).await?;
    match svc::savings(&state, &v.actor(), &c, &m, &f.input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/members/{mid}?saved=1")).into_response()),
        Err(e) => {
            let errors = split_err(&v, e)?;
            member_page(&state, &v, c, m, errors, false, default_loan_form(), None).await
        }
    }
}

pub async fn leave(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, mid)): Path<(i64, i64)>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    let m = load_member(&state, &v, &c, mid).await?;
    match svc::leave(&state, &v.actor(), &c, &m, &f.step.date).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/members/{mid}?saved=1")).into_response()),
        Err(e) => {
            let errors = split_err(&v, e)?;
            member_page(&state, &v, c, m, errors, false, default_loan_form(), None).await
        }
    }
}

/// The loan application: `action=preview` shows the schedule; `action=apply` stores the application.
pub async fn apply(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, mid)): Path<(i64, i64)>,
    PageForm(f): PageForm<LoanForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    let m = load_member(&state, &v, &c, mid).await?;
    let input = f.input(m.id);
    if f.action == "preview" {
        let closed =
            svc::closed_through(&state, &v.principal, &c).await.map_err(lang_err(&v))?.and_then(|d| parse_date(&d));
        let all_bylaws = svc::bylaws_years(&state, &v.principal, &c).await.map_err(lang_err(&v))?;
        return match svc::check_application(&m, &input, closed, &all_bylaws, svc::coop_today(&state, &c)) {
            Ok((req, _)) => member_page(&state, &v, c, m, FormErrors::default(), false, f, Some(req.schedule())).await,
            Err(e) => {
                let errors = split_err(&v, e)?;
                member_page(&state, &v, c, m, errors, false, f, None).await
            }
        };
    }
    match svc::apply(&state, &v.actor(), &c, &m, &input).await {
        Ok(l) => Ok(Redirect::to(&format!("/cooperatives/{id}/loans/{}?saved=1", l.id)).into_response()),
        Err(e) => {
            let errors = split_err(&v, e)?;
            member_page(&state, &v, c, m, errors, false, f, None).await
        }
    }
}

pub async fn statement(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, mid)): Path<(i64, i64)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let m = load_member(&state, &v, &c, mid).await?;
    let from = date_param(&q.from, parse_date(&m.joined_on).unwrap_or(state.today()));
    let to = date_param(&q.to, state.today());
    let m = svc::view_member(&state, &v.principal, &v.actor(), &c, m, "statement download")
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let report = svc::statement_report(&state, &c, &m, from, to).await.map_err(lang_err(&v))?;
    let format = q.format.unwrap_or(Format::Pdf);
    Ok(crate::download::report(&report, format, &format!("rekening-koran-{}-{}", m.member_number, to)))
}

// ---------------------------------------------------------------------------------------------
// Loans

#[derive(Template)]
#[template(path = "coop_loans.html")]
struct LoansPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    rows: Vec<(Loan, String, LoanStatus)>,
    as_of: String,
    errors: FormErrors,
    saved: bool,
}

pub async fn loans(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let t = v.t();
    let as_of = date_param(&q.as_of, state.today());
    let members = svc::member_names(&state, &v.principal, &c).await.map_err(lang_err(&v))?;
    let mut rows = Vec::new();
    for l in svc::loans(&state, &v.principal, &c, None).await.map_err(lang_err(&v))? {
        let (s, _) = svc::loan_status(&state, &c, &l, as_of).await.map_err(lang_err(&v))?;
        let name = members.get(&l.member_id).cloned().unwrap_or_default();
        rows.push((l, name, s));
    }
    render(
        &LoansPage {
            layout: Layout::for_viewer(
                &v,
                format!("{} · {}", t.get("coop.loans"), c.name),
                &format!("/cooperatives/{id}/loans"),
            ),
            t,
            c,
            rows,
            as_of: as_of.to_string(),
            errors: FormErrors::default(),
            saved: false,
        },
        v.lang(),
    )
}

#[derive(Template)]
#[template(path = "coop_loan.html")]
struct LoanPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    loan: Loan,
    member: Member,
    rate: String,
    status: LoanStatus,
    rows: Vec<InstallmentRow>,
    events: Vec<LoanEvent>,
    /// Issue 20: fees, collateral, guarantors, rescheduling (pages/coop_loans.rs shows them all).
    records: app::coop_loans::LoanRecords,
    can_manage: bool,
    can_approve: bool,
    /// The viewer entered this application: four eyes, so no approve button (reject only).
    own_application: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
    as_of: String,
}

async fn loan_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    loan: Loan,
    as_of: Date,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let e = lang_err(v);
    let member = svc::view_borrower(state, &v.principal, &v.actor(), &c, &loan)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let (status, rows) = svc::loan_status(state, &c, &loan, as_of).await.map_err(&e)?;
    let events = svc::loan_events(state, &v.principal, &c, &loan).await.map_err(lang_err(v))?;
    let records = app::coop_loans::loan_records(state, &v.principal, &c, &loan).await.map_err(lang_err(v))?;
    let failed = errors.any();
    let resp = render(
        &LoanPage {
            records,
            layout: Layout::for_viewer(
                v,
                format!("{} #{}", t.get("coop.loan"), loan.id),
                &format!("/cooperatives/{}/loans/{}", c.id, loan.id),
            ),
            t,
            can_manage: svc::can_manage(&v.principal, &c),
            can_approve: svc::can_approve(&v.principal, &c),
            own_application: svc::entered_by(&loan, &v.actor()),
            rate: rate(loan.rate_ppm as u32),
            c,
            loan,
            member,
            status,
            rows,
            events,
            errors,
            saved,
            today: state.today().to_string(),
            as_of: as_of.to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn loan(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid)): Path<(i64, i64)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let l = load_loan(&state, &v, &c, lid).await?;
    let as_of = date_param(&q.as_of, state.today());
    loan_page(&state, &v, c, l, as_of, FormErrors::default(), q.saved.is_some()).await
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    step: LoanStepInput,
}

#[derive(Deserialize, Default)]
pub struct RepayForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: RepayInput,
}

async fn after_step(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    lid: i64,
    r: Result<(), OpError>,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{}/loans/{lid}?saved=1", c.id)).into_response()),
        Err(e) => {
            let errors = split_err(v, e)?;
            let l = load_loan(state, v, &c, lid).await?;
            loan_page(state, v, c, l, state.today(), errors, false).await
        }
    }
}

pub async fn loan_step(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid, step)): Path<(i64, i64, String)>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    let l = load_loan(&state, &v, &c, lid).await?;
    let actor = v.actor();
    let r = match step.as_str() {
        "approve" | "reject" => {
            if !svc::can_approve(&v.principal, &c) {
                return Err(PageError::forbidden(v.lang()));
            }
            svc::decide(&state, &actor, &c, &l, step == "approve", &f.step).await
        }
        "disburse" => {
            require_manage(&v, &c)?;
            svc::disburse(&state, &actor, &c, &l, &f.step).await.map(|_| ())
        }
        "write-off" => {
            require_manage(&v, &c)?;
            svc::write_off(&state, &actor, &c, &l, &f.step).await.map(|_| ())
        }
        _ => return Err(PageError::not_found(v.lang())),
    };
    after_step(&state, &v, c, lid, r).await
}

pub async fn repay(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, lid)): Path<(i64, i64)>,
    PageForm(f): PageForm<RepayForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    let l = load_loan(&state, &v, &c, lid).await?;
    let r = svc::repay(&state, &v.actor(), &c, &l, &f.input).await.map(|_| ());
    after_step(&state, &v, c, lid, r).await
}

// ---------------------------------------------------------------------------------------------
// Books

/// (number, name, amount) rows for templates.
pub struct Row {
    pub number: &'static str,
    pub name: &'static str,
    pub debit: i64,
    pub credit: i64,
}

fn rows(r: &[(Account, i128)]) -> Vec<Row> {
    r.iter()
        .map(|(a, v)| Row {
            number: a.number(),
            name: svc::account_name(*a),
            debit: i64::try_from(*v).unwrap_or(0),
            credit: 0,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "coop_books.html")]
struct BooksPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    as_of: String,
    from: String,
    to: String,
    tb: Vec<Row>,
    tb_debit: i64,
    tb_credit: i64,
    assets: Vec<Row>,
    liabilities: Vec<Row>,
    equity: Vec<Row>,
    total_assets: i64,
    total_liabilities: i64,
    total_equity: i64,
    unclosed: i64,
    income: Vec<Row>,
    expenses: Vec<Row>,
    total_income: i64,
    total_expenses: i64,
    closed_through: String,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
    last_year: i32,
    other_accounts: Vec<(&'static str, &'static str)>,
}

async fn books_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    q: &PageQuery,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let e = lang_err(v);
    let today = state.today();
    let as_of = date_param(&q.as_of, today);
    let to = date_param(&q.to, as_of);
    let from = date_param(&q.from, Date::from_calendar_date(to.year(), time::Month::January, 1).unwrap_or(to));
    let b = svc::balances(state, &c, Some(as_of)).await.map_err(&e)?;
    let tb = b.trial_balance();
    let bs = b.balance_sheet();
    let is = svc::income_statement(state, &c, from, to).await.map_err(&e)?;
    let closed_through =
        svc::closed_through(state, &v.principal, &c).await.map_err(lang_err(v))?.unwrap_or_else(|| "—".into());
    let failed = errors.any();
    let resp = render(
        &BooksPage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", t.get("coop.books"), c.name),
                &format!("/cooperatives/{}/books", c.id),
            ),
            t,
            can_manage: svc::can_manage(&v.principal, &c),
            c,
            as_of: as_of.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            tb: tb
                .rows
                .iter()
                .map(|(a, bal)| Row {
                    number: a.number(),
                    name: svc::account_name(*a),
                    debit: if bal.side == domain::cooperative::Side::Debit { bal.amount.amount() } else { 0 },
                    credit: if bal.side == domain::cooperative::Side::Credit { bal.amount.amount() } else { 0 },
                })
                .collect(),
            tb_debit: i64::try_from(tb.total_debit).unwrap_or(0),
            tb_credit: i64::try_from(tb.total_credit).unwrap_or(0),
            assets: rows(&bs.assets),
            liabilities: rows(&bs.liabilities),
            equity: rows(&bs.equity),
            total_assets: i64::try_from(bs.total_assets).unwrap_or(0),
            total_liabilities: i64::try_from(bs.total_liabilities).unwrap_or(0),
            total_equity: i64::try_from(bs.total_equity).unwrap_or(0),
            unclosed: i64::try_from(bs.unclosed_result).unwrap_or(0),
            income: rows(&is.income),
            expenses: rows(&is.expenses),
            total_income: i64::try_from(is.total_income).unwrap_or(0),
            total_expenses: i64::try_from(is.total_expenses).unwrap_or(0),
            closed_through,
            errors,
            saved: q.saved.is_some(),
            today: today.to_string(),
            last_year: today.year() - 1,
            other_accounts: svc::OTHER_ACCOUNTS
                .iter()
                .filter_map(|a| Account::parse(a).map(|acc| (*a, svc::account_name(acc))))
                .collect(),
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn books(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    books_page(&state, &v, c, &q, FormErrors::default()).await
}

/// Downloads: trial-balance, balance-sheet, income-statement (PDF, XLSX, CSV), transactions (CSV).
pub async fn report(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, name)): Path<(i64, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let e = lang_err(&v);
    let today = state.today();
    let as_of = date_param(&q.as_of, today);
    let to = date_param(&q.to, as_of);
    let from = date_param(&q.from, Date::from_calendar_date(to.year(), time::Month::January, 1).unwrap_or(to));
    let format = q.format.unwrap_or(Format::Pdf);
    let report = match name.as_str() {
        "trial-balance" => {
            svc::trial_balance_report(&c, &svc::balances(&state, &c, Some(as_of)).await.map_err(&e)?, as_of)
        }
        "balance-sheet" => {
            svc::balance_sheet_report(&c, &svc::balances(&state, &c, Some(as_of)).await.map_err(&e)?, as_of)
        }
        "income-statement" => {
            svc::income_statement_report(&c, &svc::income_statement(&state, &c, from, to).await.map_err(&e)?, from, to)
        }
        "transactions" => svc::transactions_report(&state, &c, from, to).await.map_err(&e)?,
        _ => return Err(PageError::not_found(v.lang())),
    };
    let stem =
        format!("{name}-{}-{}", c.id, if name == "transactions" || name == "income-statement" { to } else { as_of });
    Ok(crate::download::report(&report, format, &stem))
}

#[derive(Deserialize, Default)]
pub struct CloseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    through: String,
    #[serde(default)]
    year: String,
}

pub async fn close_period(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CloseForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    match svc::close_period(&state, &v.actor(), &c, &f.through).await {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{id}/books?saved=1")).into_response()),
        Err(e) => books_page(&state, &v, c, &PageQuery::default(), split_err(&v, e)?).await,
    }
}

pub async fn close_year(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CloseForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    match svc::close_year(&state, &v.actor(), &c, &f.year).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cooperatives/{id}/books?saved=1&as_of={}-12-31", f.year.trim())).into_response())
        }
        Err(e) => books_page(&state, &v, c, &PageQuery::default(), split_err(&v, e)?).await,
    }
}

#[derive(Deserialize, Default)]
pub struct OtherForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: OtherInput,
}

pub async fn other(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<OtherForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    match svc::other(&state, &v.actor(), &c, &f.input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/books?saved=1")).into_response()),
        Err(e) => books_page(&state, &v, c, &PageQuery::default(), split_err(&v, e)?).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Journal and cash book

pub struct JournalItem {
    pub e: EntryRow,
    pub lines: Vec<LineRow>,
    pub reversible: bool,
}

#[derive(Template)]
#[template(path = "coop_journal.html")]
struct JournalPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    items: Vec<JournalItem>,
    next_before: Option<i64>,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
}

const JOURNAL_PAGE: i64 = 50;

async fn journal_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    q: &PageQuery,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let (mut entries, lines) =
        svc::journal(state, &v.principal, &c, q.before, JOURNAL_PAGE + 1).await.map_err(lang_err(v))?;
    let next_before = (entries.len() as i64 > JOURNAL_PAGE).then(|| entries[JOURNAL_PAGE as usize - 1].id);
    entries.truncate(JOURNAL_PAGE as usize);
    let items = entries
        .into_iter()
        .map(|en| {
            let reversible = en.reverses_id.is_none()
                && en.reversed_by.is_none()
                && domain::cooperative::OperationKind::parse(&en.operation).is_some_and(|k| k.is_reversible());
            JournalItem { lines: lines.iter().filter(|l| l.entry_id == en.id).cloned().collect(), e: en, reversible }
        })
        .collect();
    let failed = errors.any();
    let resp = render(
        &JournalPage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", t.get("coop.journal"), c.name),
                &format!("/cooperatives/{}/journal", c.id),
            ),
            t,
            can_manage: svc::can_manage(&v.principal, &c),
            c,
            items,
            next_before,
            errors,
            saved: q.saved.is_some(),
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn journal(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    journal_page(&state, &v, c, &q, FormErrors::default()).await
}

pub async fn reverse(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, eid)): Path<(i64, i64)>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    match svc::reverse(&state, &v.actor(), &c, eid, &f.step.date).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/journal?saved=1")).into_response()),
        Err(e) => journal_page(&state, &v, c, &PageQuery::default(), split_err(&v, e)?).await,
    }
}

pub struct CashLine {
    pub r: CashRow,
    pub balance: i64,
}

#[derive(Template)]
#[template(path = "coop_cashbook.html")]
struct CashPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    from: String,
    to: String,
    opening: i64,
    lines: Vec<CashLine>,
    closing: i64,
    errors: FormErrors,
    saved: bool,
}

pub async fn cash_book(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let t = v.t();
    let to = date_param(&q.to, state.today());
    let from = date_param(&q.from, Date::from_calendar_date(to.year(), to.month(), 1).unwrap_or(to));
    let (opening, rows) = svc::cash_book(&state, &v.principal, &c, from, to).await.map_err(lang_err(&v))?;
    let mut bal = opening;
    let lines = rows
        .into_iter()
        .map(|r| {
            bal += r.debit - r.credit;
            CashLine { r, balance: bal }
        })
        .collect();
    render(
        &CashPage {
            layout: Layout::for_viewer(
                &v,
                format!("{} · {}", t.get("coop.cash_book"), c.name),
                &format!("/cooperatives/{id}/cash-book"),
            ),
            t,
            c,
            from: from.to_string(),
            to: to.to_string(),
            opening,
            lines,
            closing: bal,
            errors: FormErrors::default(),
            saved: false,
        },
        v.lang(),
    )
}

// ---------------------------------------------------------------------------------------------
// RAT and SHU

#[derive(Template)]
#[template(path = "coop_rat.html")]
struct RatPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    rats: Vec<Rat>,
    selected: Option<Rat>,
    shares: Vec<ShuShare>,
    funds: Vec<(&'static str, u32, i64)>,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
    last_year: i32,
    shu_form: BylawsBody,
}

async fn rat_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    q: &PageQuery,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let e = lang_err(v);
    let rats = svc::rats(state, &v.principal, &c).await.map_err(lang_err(v))?;
    let selected = match q.year {
        Some(y) => rats.iter().find(|r| r.year == y).cloned(),
        None => rats.first().cloned(),
    };
    let (shares, funds) = match &selected {
        Some(r) => {
            let split = r.split();
            let dist = split.distribute(domain::cooperative::Rupiah::new(r.shu_amount).unwrap_or_default());
            (
                svc::shu_shares(state, &v.principal, &c, r).await.map_err(lang_err(v))?,
                split
                    .parts()
                    .iter()
                    .map(|(f, bp)| {
                        (svc::shu_fund_name(*f), *bp, domain::cooperative::ShuSplit::amount_for(&dist, *f).amount())
                    })
                    .collect(),
            )
        }
        None => (vec![], vec![]),
    };
    let last_year = state.today().year() - 1;
    let b = svc::bylaws_on(
        state,
        &c,
        Date::from_calendar_date(last_year, time::Month::December, 31).unwrap_or(state.today()),
    )
    .await
    .map_err(&e)?;
    let failed = errors.any();
    let resp = render(
        &RatPage {
            layout: Layout::for_viewer(v, format!("RAT · {}", c.name), &format!("/cooperatives/{}/rat", c.id)),
            t,
            can_manage: svc::can_manage(&v.principal, &c),
            c,
            rats,
            selected,
            shares,
            funds,
            errors,
            saved: q.saved.is_some(),
            today: state.today().to_string(),
            last_year,
            shu_form: BylawsBody::from_bylaws(&b),
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn rat(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    rat_page(&state, &v, c, &q, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct RatForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    members_present: String,
    #[serde(default)]
    decisions: String,
    #[serde(flatten)]
    shu: BylawsBody,
}

pub async fn record_rat(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<RatForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    require_manage(&v, &c)?;
    let input = RatInput {
        year: svc::NumTextSer(f.year.clone()),
        held_on: f.held_on,
        members_present: svc::NumTextSer(f.members_present),
        decisions: f.decisions,
        shu: Some(f.shu),
    };
    match svc::record_rat(&state, &v.actor(), &c, &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/cooperatives/{id}/rat?year={}&saved=1", r.year)).into_response()),
        Err(e) => rat_page(&state, &v, c, &PageQuery::default(), split_err(&v, e)?).await,
    }
}

pub async fn rat_report(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, year)): Path<(i64, i32)>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    let r = svc::rat(&state, &v.principal, &c, year).await.map_err(lang_err(&v))?;
    let report = svc::rat_report(&state, &c, &r).await.map_err(lang_err(&v))?;
    Ok(crate::download::report(&report, Format::Pdf, &format!("laporan-rat-{}-{year}", c.id)))
}

/// Savings kinds for the deposit form.
pub fn savings_kinds() -> [&'static str; 3] {
    SavingsKind::ALL.map(|k| k.as_str())
}
