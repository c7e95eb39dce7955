//! Cooperative (pillar 4). Contract: `POST /api/v1/loan-schedules` computes a loan schedule
//! without saving anything.

use super::ApiJson;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use domain::cooperative::{ScheduleInput, validate_schedule_request};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"principal": 5000000, "months": 12, "monthly_rate_percent": 1.5, "method": "annuity",
    "start_date": "2026-01-31"}))]
pub struct ScheduleRequestBody {
    /// Whole rupiah (number or text).
    #[schema(value_type = i64)]
    pub principal: Option<Value>,
    /// 1–360.
    #[schema(value_type = i64)]
    pub months: Option<Value>,
    /// Per month, e.g. 1.5 (at most 10).
    #[schema(value_type = f64)]
    pub monthly_rate_percent: Option<Value>,
    /// flat or annuity.
    #[serde(default)]
    pub method: String,
    /// YYYY-MM-DD; the first installment falls due one month later.
    #[serde(default)]
    pub start_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct InstallmentView {
    pub number: u16,
    pub due_date: String,
    pub principal: i64,
    pub interest: i64,
    pub total: i64,
    pub balance_after: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduleView {
    pub installments: Vec<InstallmentView>,
    pub total_interest: i64,
    pub total_paid: i64,
}

/// Numbers arrive as JSON numbers or text; the domain reads text so that "1.5" and 1.5
/// are judged by one rule (and 5e6 or 1.0 as a principal are refused, not guessed).
fn as_text(v: &Option<Value>) -> String {
    match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Computes a monthly loan schedule (flat or annuity) without saving anything. Amounts are
/// whole rupiah; the last installment absorbs rounding so the balance ends at exactly 0.
#[utoipa::path(post, path = "/api/v1/loan-schedules", tag = "cooperative", request_body = ScheduleRequestBody,
    security(("bearer" = [])),
    responses((status = 200, body = ScheduleView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn loan_schedule(
    _u: ApiUser,
    ApiJson(req): ApiJson<ScheduleRequestBody>,
) -> Result<Json<ScheduleView>, ApiError> {
    let (principal, months, rate) = (as_text(&req.principal), as_text(&req.months), as_text(&req.monthly_rate_percent));
    let input = ScheduleInput {
        principal: &principal,
        months: &months,
        monthly_rate_percent: &rate,
        method: &req.method,
        start_date: &req.start_date,
    };
    let schedule = validate_schedule_request(&input)?.schedule();
    Ok(Json(ScheduleView {
        installments: schedule
            .installments
            .iter()
            .map(|i| InstallmentView {
                number: i.number,
                due_date: i.due_date.to_string(),
                principal: i.principal.amount(),
                interest: i.interest.amount(),
                total: i.total.amount(),
                balance_after: i.balance_after.amount(),
            })
            .collect(),
        total_interest: schedule.total_interest.amount(),
        total_paid: schedule.total_paid.amount(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Cooperatives, members, savings, loans, books (issue 5)

use crate::AppState;
use crate::cooperative::{
    self as svc, BylawsBody, CooperativeInput, KeyFigures, LoanInput, LoanStatus, LoanStepInput, MemberBalances,
    MemberInput, OtherInput, RatInput, RepayInput, SavingsInput,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::access::Action;
use svc::{Cooperative, Loan, Member, Rat};
use utoipa::IntoParams;

async fn coop_for_view(state: &AppState, u: &ApiUser, id: i64) -> Result<Cooperative, ApiError> {
    svc::visible(state, &u.principal, id).await?.ok_or(ApiError::NotFound("cooperative"))
}

async fn coop_for_manage(state: &AppState, u: &ApiUser, id: i64) -> Result<Cooperative, ApiError> {
    let c = coop_for_view(state, u, id).await?;
    if svc::can_manage(&u.principal, &c) { Ok(c) } else { Err(ApiError::Forbidden) }
}

async fn member(state: &AppState, c: &Cooperative, id: i64) -> Result<Member, ApiError> {
    svc::member_of(state, c, id).await?.ok_or(ApiError::NotFound("member"))
}

async fn loan(state: &AppState, c: &Cooperative, id: i64) -> Result<Loan, ApiError> {
    svc::loan_of(state, c, id).await?.ok_or(ApiError::NotFound("loan"))
}

#[derive(Serialize, ToSchema)]
pub struct CooperativeView {
    pub id: i64,
    pub village_code: String,
    pub kind: String,
    pub name: String,
    pub legal_number: String,
    pub founded_on: String,
    /// Highest days past due of OJK classes 1–4.
    pub collectibility_days: Vec<u32>,
    pub closed_through: Option<String>,
    pub figures: Option<KeyFigures>,
    /// By-laws per year, newest first.
    pub bylaws: Vec<BylawsYear>,
}

#[derive(Serialize, ToSchema)]
pub struct BylawsYear {
    pub year: i32,
    #[serde(flatten)]
    pub settings: BylawsBody,
}

async fn coop_view(state: &AppState, u: &ApiUser, c: Cooperative, full: bool) -> Result<CooperativeView, ApiError> {
    let (figures, bylaws, closed) = if full {
        (
            Some(svc::key_figures(state, &c).await?),
            svc::bylaws_years(state, &u.principal, &c)
                .await?
                .into_iter()
                .map(|(year, b)| BylawsYear { year, settings: BylawsBody::from_bylaws(&b) })
                .collect(),
            svc::closed_through(state, &u.principal, &c).await?,
        )
    } else {
        (None, vec![], None)
    };
    Ok(CooperativeView {
        collectibility_days: c.collectibility().max_days().to_vec(),
        id: c.id,
        village_code: c.village_code,
        kind: c.kind,
        name: c.name,
        legal_number: c.legal_number,
        founded_on: c.founded_on,
        closed_through: closed,
        figures,
        bylaws,
    })
}

#[derive(Deserialize, IntoParams, Default)]
pub struct CoopListQuery {
    /// A region code: cooperatives in it and below (your whole region when omitted).
    #[serde(default)]
    pub region_code: Option<String>,
}

/// Cooperatives in a region you may see.
#[utoipa::path(get, path = "/api/v1/cooperatives", tag = "cooperative", params(CoopListQuery), security(("bearer" = [])),
    responses((status = 200, body = [CooperativeView]), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<CoopListQuery>,
) -> Result<Json<Vec<CooperativeView>>, ApiError> {
    let within = match crate::region_filter::for_api("region_code", q.region_code.as_deref())? {
        Some(r) => {
            u.require(Action::ViewCooperative, Some(&r))?;
            Some(r)
        }
        None => {
            if u.principal.role == domain::Role::Partner {
                return Err(ApiError::Forbidden);
            }
            u.principal.scope.code().cloned()
        }
    };
    let rows = svc::cooperatives(&state, &u.principal, within.as_ref()).await?;
    let mut out = Vec::new();
    for c in rows {
        out.push(coop_view(&state, &u, c, false).await?);
    }
    Ok(Json(out))
}

/// Founds a cooperative (koperasi or BUMDes unit) in a village; its first by-laws apply from
/// the founding year.
#[utoipa::path(post, path = "/api/v1/cooperatives", tag = "cooperative", request_body = CooperativeInput,
    security(("bearer" = [])),
    responses((status = 201, body = CooperativeView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    body: Unread<ApiJson<CooperativeInput>>,
) -> Result<(StatusCode, Json<CooperativeView>), ApiError> {
    // The region is in the body: the role first, the village once read.
    u.require_ever(Action::ManageCooperative)?;
    let ApiJson(req) = body.read().await?;
    let c = svc::create(&state, &u.principal, &u.actor, &req).await?;
    Ok((StatusCode::CREATED, Json(coop_view(&state, &u, c, true).await?)))
}

/// One cooperative: key figures (members, savings, loans outstanding, PAR30, NPL), by-laws.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}", tag = "cooperative", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = CooperativeView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CooperativeView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    Ok(Json(coop_view(&state, &u, c, true).await?))
}

/// Sets the by-laws of one year (savings amounts, loan limits, SHU percentages).
#[utoipa::path(put, path = "/api/v1/cooperatives/{id}/bylaws/{year}", tag = "cooperative",
    params(("id" = i64, Path), ("year" = i32, Path)), request_body = BylawsBody, security(("bearer" = [])),
    responses((status = 200, body = CooperativeView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_bylaws(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, year)): Path<(i64, String)>,
    ApiJson(req): ApiJson<BylawsBody>,
) -> Result<Json<CooperativeView>, ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    svc::save_bylaws(&state, &u.actor, &c, &year, &req).await?;
    Ok(Json(coop_view(&state, &u, c, true).await?))
}

#[derive(Serialize, ToSchema)]
// Another module has a `MemberView`; one schema name each keeps both in the document.
#[schema(as = CooperativeMemberView)]
pub struct MemberView {
    pub id: i64,
    pub member_number: String,
    pub full_name: String,
    pub nik: Option<String>,
    pub person_id: Option<i64>,
    pub joined_on: String,
    pub left_on: Option<String>,
    /// From the ledger (the member's lines).
    pub balances: MemberBalances,
    pub wajib_months_due: u32,
    pub wajib_arrears: i64,
    pub wajib_months_in_arrears: u32,
}

async fn member_view(state: &AppState, u: &ApiUser, c: &Cooperative, m: Member) -> Result<MemberView, ApiError> {
    let balances = svc::member_balances(state, &m, None).await?;
    member_view_with(state, u, c, m, balances).await
}

async fn member_view_with(
    state: &AppState,
    u: &ApiUser,
    c: &Cooperative,
    m: Member,
    balances: MemberBalances,
) -> Result<MemberView, ApiError> {
    let m = svc::redact_member(&u.principal, m);
    let w = svc::wajib(state, c, &m, balances.wajib, state.today()).await?;
    Ok(MemberView {
        id: m.id,
        member_number: m.member_number,
        full_name: m.full_name,
        nik: m.nik,
        person_id: m.person_id,
        joined_on: m.joined_on,
        left_on: m.left_on,
        balances,
        wajib_months_due: w.months_due,
        wajib_arrears: w.arrears.amount(),
        wajib_months_in_arrears: w.months_in_arrears,
    })
}

/// Members with their balances. Personal data: the view is audited.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/members", tag = "cooperative", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = [MemberView]), (status = 404, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<MemberView>>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let mut out = Vec::new();
    for (m, b) in svc::members_view(&state, &u.principal, &u.actor, &c).await? {
        out.push(member_view_with(&state, &u, &c, m, b).await?);
    }
    Ok(Json(out))
}

/// Enrols a member (a registered person or a name with NIK); simpanan pokok is posted on the
/// joining date.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/members", tag = "cooperative", params(("id" = i64, Path)),
    request_body = MemberInput, security(("bearer" = [])),
    responses((status = 201, body = MemberView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enrol(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<MemberInput>,
) -> Result<(StatusCode, Json<MemberView>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let m = svc::enrol(&state, &u.principal, &u.actor, &c, &req).await?;
    Ok((StatusCode::CREATED, Json(member_view(&state, &u, &c, m).await?)))
}

/// One member: savings balances by kind, wajib arrears. Audited.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/members/{member_id}", tag = "cooperative",
    params(("id" = i64, Path), ("member_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody)))]
pub async fn get_member(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, mid)): Path<(i64, i64)>,
) -> Result<Json<MemberView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let m = member(&state, &c, mid).await?;
    let m = svc::view_member(&state, &u.principal, &u.actor, &c, m, "api").await?;
    Ok(Json(member_view(&state, &u, &c, m).await?))
}

/// A member leaves: refused while a loan is open; savings and unpaid SHU are paid back.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/members/{member_id}/leave", tag = "cooperative",
    params(("id" = i64, Path), ("member_id" = i64, Path)), request_body = LoanStepInput, security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 422, body = ErrorBody)))]
pub async fn leave(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, mid)): Path<(i64, i64)>,
    ApiJson(req): ApiJson<LoanStepInput>,
) -> Result<Json<MemberView>, ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let m = member(&state, &c, mid).await?;
    svc::leave(&state, &u.actor, &c, &m, &req.date).await?;
    let m = member(&state, &c, mid).await?;
    Ok(Json(member_view(&state, &u, &c, m).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Posted {
    /// The journal entry written.
    pub entry_id: Option<i64>,
}

/// A savings deposit or withdrawal (pokok and wajib are not withdrawn while the member stays;
/// sukarela never below zero).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/savings-transactions", tag = "cooperative",
    params(("id" = i64, Path)), request_body = SavingsInput, security(("bearer" = [])),
    responses((status = 201, body = Posted), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn savings(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<SavingsInput>,
) -> Result<(StatusCode, Json<Posted>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let Some(mid) = req.member_id else {
        return Err(ApiError::Validation(domain::ValidationErrors::single(
            "member_id",
            domain::Rule::Required,
            "a member id",
        )));
    };
    let m = svc::member_of(&state, &c, mid).await?.ok_or_else(|| {
        ApiError::Validation(domain::ValidationErrors::single(
            "member_id",
            domain::Rule::OneOf,
            "no member with this id",
        ))
    })?;
    let entry = svc::savings(&state, &u.actor, &c, &m, &req).await?;
    Ok((StatusCode::CREATED, Json(Posted { entry_id: Some(entry) })))
}

#[derive(Serialize, ToSchema)]
pub struct LoanView {
    pub id: i64,
    pub member_id: i64,
    pub principal: i64,
    pub months: i32,
    pub monthly_rate_percent: String,
    pub method: String,
    pub purpose: String,
    /// applied, approved, rejected, disbursed, closed, written_off.
    pub state: String,
    pub applied_on: String,
    pub applied_by: Option<i64>,
    pub decided_on: Option<String>,
    pub decided_by: Option<i64>,
    pub disbursed_on: Option<String>,
    pub closed_on: Option<String>,
    pub penalties_charged: i64,
    pub status: LoanStatus,
    pub installments: Vec<InstallmentView>,
}

async fn loan_view(state: &AppState, c: &Cooperative, l: Loan, as_of: time::Date) -> Result<LoanView, ApiError> {
    let (status, rows) = svc::loan_status(state, c, &l, as_of).await?;
    Ok(LoanView {
        monthly_rate_percent: domain::cooperative::MonthlyRate::from_ppm(l.rate_ppm as u32)
            .map(|r| r.to_string().trim_end_matches(" %").to_string())
            .unwrap_or_default(),
        id: l.id,
        member_id: l.member_id,
        principal: l.principal,
        months: l.months,
        method: l.method,
        purpose: l.purpose,
        state: l.state,
        applied_on: l.applied_on,
        applied_by: l.applied_by,
        decided_on: l.decided_on,
        decided_by: l.decided_by,
        disbursed_on: l.disbursed_on,
        closed_on: l.closed_on,
        penalties_charged: l.penalties_charged,
        status,
        installments: rows
            .into_iter()
            .map(|i| InstallmentView {
                number: u16::try_from(i.number).unwrap_or(0),
                due_date: i.due_date,
                principal: i.principal,
                interest: i.interest,
                total: i.total,
                balance_after: i.balance_after,
            })
            .collect(),
    })
}

#[derive(Deserialize, IntoParams, Default)]
pub struct AsOfQuery {
    /// YYYY-MM-DD; today when omitted.
    #[serde(default)]
    pub as_of: Option<String>,
}

fn as_of(state: &AppState, q: &Option<String>) -> Result<time::Date, ApiError> {
    match q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(state.today()),
        Some(s) => domain::person::parse_date(s).ok_or_else(|| {
            ApiError::Validation(domain::ValidationErrors::single(
                "as_of",
                domain::Rule::Format,
                "a date such as 2026-03-31",
            ))
        }),
    }
}

/// Applies for a loan for a member; the schedule (from the application date) is stored for the
/// approver to see. Rate, term and amount must be within the by-laws.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans", tag = "cooperative", params(("id" = i64, Path)),
    request_body = LoanInput, security(("bearer" = [])),
    responses((status = 201, body = LoanView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<LoanInput>,
) -> Result<(StatusCode, Json<LoanView>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let Some(mid) = req.member_id else {
        return Err(ApiError::Validation(domain::ValidationErrors::single(
            "member_id",
            domain::Rule::Required,
            "a member id",
        )));
    };
    let m = svc::member_of(&state, &c, mid).await?.ok_or_else(|| {
        ApiError::Validation(domain::ValidationErrors::single(
            "member_id",
            domain::Rule::OneOf,
            "no member with this id",
        ))
    })?;
    let l = svc::apply(&state, &u.actor, &c, &m, &req).await?;
    Ok((StatusCode::CREATED, Json(loan_view(&state, &c, l, state.today()).await?)))
}

/// Loans of the cooperative with their status as of a day.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/loans", tag = "cooperative", params(("id" = i64, Path), AsOfQuery),
    security(("bearer" = [])), responses((status = 200, body = [LoanView]), (status = 404, body = ErrorBody)))]
pub async fn loans(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<Vec<LoanView>>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let d = as_of(&state, &q.as_of)?;
    let mut out = Vec::new();
    for l in svc::loans(&state, &u.principal, &c, None).await? {
        out.push(loan_view(&state, &c, l, d).await?);
    }
    Ok(Json(out))
}

/// One loan: schedule, paid, owed, days past due and collectibility class as of a day.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/loans/{loan_id}", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path), AsOfQuery), security(("bearer" = [])),
    responses((status = 200, body = LoanView), (status = 404, body = ErrorBody)))]
pub async fn get_loan(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<LoanView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    Ok(Json(loan_view(&state, &c, l, as_of(&state, &q.as_of)?).await?))
}

async fn loan_step(
    state: AppState,
    u: ApiUser,
    id: i64,
    lid: i64,
    step: &str,
    body: LoanStepInput,
) -> Result<Json<LoanView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    match step {
        "approve" | "reject" => {
            if !svc::can_approve(&u.principal, &c) {
                return Err(ApiError::Forbidden);
            }
            svc::decide(&state, &u.actor, &c, &l, step == "approve", &body).await?;
        }
        "disburse" | "write-off" => {
            if !svc::can_manage(&u.principal, &c) {
                return Err(ApiError::Forbidden);
            }
            if step == "disburse" {
                svc::disburse(&state, &u.actor, &c, &l, &body).await?;
            } else {
                svc::write_off(&state, &u.actor, &c, &l, &body).await?;
            }
        }
        _ => return Err(ApiError::NotFound("route")),
    }
    let l = loan(&state, &c, lid).await?;
    Ok(Json(loan_view(&state, &c, l, state.today()).await?))
}

/// Approves an application. Four-eyes: refused (422, field `approver`) for the user who entered it.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/approve", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = LoanStepInput, security(("bearer" = [])),
    responses((status = 200, body = LoanView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<LoanStepInput>,
) -> Result<Json<LoanView>, ApiError> {
    loan_step(state, u, id, lid, "approve", body).await
}

/// Rejects an application (applied or approved, not yet disbursed).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/reject", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = LoanStepInput, security(("bearer" = [])),
    responses((status = 200, body = LoanView), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<LoanStepInput>,
) -> Result<Json<LoanView>, ApiError> {
    loan_step(state, u, id, lid, "reject", body).await
}

/// Disburses an approved loan in cash; the schedule is counted from the disbursement date.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/disburse", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = LoanStepInput, security(("bearer" = [])),
    responses((status = 200, body = LoanView), (status = 422, body = ErrorBody)))]
pub async fn disburse(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<LoanStepInput>,
) -> Result<Json<LoanView>, ApiError> {
    loan_step(state, u, id, lid, "disburse", body).await
}

/// Writes off the principal left on a disbursed loan.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/write-off", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = LoanStepInput, security(("bearer" = [])),
    responses((status = 200, body = LoanView), (status = 422, body = ErrorBody)))]
pub async fn write_off(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<LoanStepInput>,
) -> Result<Json<LoanView>, ApiError> {
    loan_step(state, u, id, lid, "write-off", body).await
}

/// A repayment, allocated to penalties, then jasa, then principal; the loan closes when the
/// principal is repaid. Early and partial repayments are accepted; jasa not yet due is not charged.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/loans/{loan_id}/repayments", tag = "cooperative",
    params(("id" = i64, Path), ("loan_id" = i64, Path)), request_body = RepayInput, security(("bearer" = [])),
    responses((status = 201, body = LoanView), (status = 422, body = ErrorBody)))]
pub async fn repay(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, lid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<RepayInput>,
) -> Result<(StatusCode, Json<LoanView>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let l = loan(&state, &c, lid).await?;
    svc::repay(&state, &u.actor, &c, &l, &body).await?;
    let l = loan(&state, &c, lid).await?;
    Ok((StatusCode::CREATED, Json(loan_view(&state, &c, l, state.today()).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct AccountRow {
    pub number: String,
    pub account: String,
    pub name: String,
    /// Debit balance (trial balance) or the amount on the account's normal side (other reports).
    pub debit: i64,
    pub credit: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrialBalanceView {
    pub as_of: String,
    pub rows: Vec<AccountRow>,
    pub total_debit: i64,
    pub total_credit: i64,
    pub balanced: bool,
}

fn big(n: i128) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The trial balance as of a day: every account's balance; debits equal credits.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/reports/trial-balance", tag = "cooperative",
    params(("id" = i64, Path), AsOfQuery), security(("bearer" = [])),
    responses((status = 200, body = TrialBalanceView), (status = 404, body = ErrorBody)))]
pub async fn trial_balance(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<TrialBalanceView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let d = as_of(&state, &q.as_of)?;
    let tb = svc::balances(&state, &c, Some(d)).await?.trial_balance();
    Ok(Json(TrialBalanceView {
        as_of: d.to_string(),
        balanced: tb.is_balanced(),
        rows: tb
            .rows
            .iter()
            .map(|(a, b)| AccountRow {
                number: a.number().into(),
                account: a.as_str().into(),
                name: svc::account_name(*a).into(),
                debit: if b.side == domain::cooperative::Side::Debit { b.amount.amount() } else { 0 },
                credit: if b.side == domain::cooperative::Side::Credit { b.amount.amount() } else { 0 },
            })
            .collect(),
        total_debit: big(tb.total_debit),
        total_credit: big(tb.total_credit),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Line {
    pub number: String,
    pub account: String,
    pub name: String,
    /// On the account's normal side (a contra account shows negative).
    pub amount: i64,
}

fn lines(rows: &[(domain::cooperative::Account, i128)]) -> Vec<Line> {
    rows.iter()
        .map(|(a, v)| Line {
            number: a.number().into(),
            account: a.as_str().into(),
            name: svc::account_name(*a).into(),
            amount: big(*v),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct BalanceSheetView {
    pub as_of: String,
    pub assets: Vec<Line>,
    pub liabilities: Vec<Line>,
    pub equity: Vec<Line>,
    /// Income minus expenses not yet closed into SHU for the year (inside total equity).
    pub unclosed_result: i64,
    pub total_assets: i64,
    pub total_liabilities: i64,
    pub total_equity: i64,
    pub balanced: bool,
}

/// The balance sheet (neraca) as of a day.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/reports/balance-sheet", tag = "cooperative",
    params(("id" = i64, Path), AsOfQuery), security(("bearer" = [])),
    responses((status = 200, body = BalanceSheetView), (status = 404, body = ErrorBody)))]
pub async fn balance_sheet(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<BalanceSheetView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let d = as_of(&state, &q.as_of)?;
    let bs = svc::balances(&state, &c, Some(d)).await?.balance_sheet();
    Ok(Json(BalanceSheetView {
        as_of: d.to_string(),
        balanced: bs.is_balanced(),
        assets: lines(&bs.assets),
        liabilities: lines(&bs.liabilities),
        equity: lines(&bs.equity),
        unclosed_result: big(bs.unclosed_result),
        total_assets: big(bs.total_assets),
        total_liabilities: big(bs.total_liabilities),
        total_equity: big(bs.total_equity),
    }))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct PeriodQuery {
    /// YYYY-MM-DD; 1 January of this year when omitted.
    #[serde(default)]
    pub from: Option<String>,
    /// YYYY-MM-DD; today when omitted.
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IncomeStatementView {
    pub from: String,
    pub to: String,
    pub income: Vec<Line>,
    pub expenses: Vec<Line>,
    pub total_income: i64,
    pub total_expenses: i64,
    /// Income minus expenses: SHU when positive.
    pub result: i64,
}

/// The income statement (perhitungan hasil usaha) of a period; year-end closing entries left out.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/reports/income-statement", tag = "cooperative",
    params(("id" = i64, Path), PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = IncomeStatementView), (status = 404, body = ErrorBody)))]
pub async fn income_statement(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<IncomeStatementView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let to = as_of(&state, &q.to)?;
    let from = match q.from {
        Some(f) => as_of(&state, &Some(f))?,
        None => time::Date::from_calendar_date(to.year(), time::Month::January, 1).unwrap_or(to),
    };
    let is = svc::income_statement(&state, &c, from, to).await?;
    Ok(Json(IncomeStatementView {
        from: from.to_string(),
        to: to.to_string(),
        income: lines(&is.income),
        expenses: lines(&is.expenses),
        total_income: big(is.total_income),
        total_expenses: big(is.total_expenses),
        result: big(is.total_income - is.total_expenses),
    }))
}

/// An expense paid in cash or other income received.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/other-entries", tag = "cooperative", params(("id" = i64, Path)),
    request_body = OtherInput, security(("bearer" = [])),
    responses((status = 201, body = Posted), (status = 422, body = ErrorBody)))]
pub async fn other(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<OtherInput>,
) -> Result<(StatusCode, Json<Posted>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let e = svc::other(&state, &u.actor, &c, &req).await?;
    Ok((StatusCode::CREATED, Json(Posted { entry_id: Some(e) })))
}

/// Reverses a journal entry (savings, repayments, other income and expenses): a new entry with
/// the same lines on opposite sides. Entries are never edited.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/journal/{entry_id}/reversal", tag = "cooperative",
    params(("id" = i64, Path), ("entry_id" = i64, Path)), request_body = LoanStepInput, security(("bearer" = [])),
    responses((status = 201, body = Posted), (status = 422, body = ErrorBody)))]
pub async fn reverse(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, eid)): Path<(i64, i64)>,
    ApiJson(req): ApiJson<LoanStepInput>,
) -> Result<(StatusCode, Json<Posted>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let e = svc::reverse(&state, &u.actor, &c, eid, &req.date).await?;
    Ok((StatusCode::CREATED, Json(Posted { entry_id: Some(e) })))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CloseInput {
    /// Close through this date (period close), YYYY-MM-DD, a day already past.
    #[serde(default)]
    pub through: String,
}

/// Closes the books through a date: no posting on or before it afterwards.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/period-closes", tag = "cooperative", params(("id" = i64, Path)),
    request_body = CloseInput, security(("bearer" = [])),
    responses((status = 201, body = CooperativeView), (status = 422, body = ErrorBody)))]
pub async fn close_period(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CloseInput>,
) -> Result<(StatusCode, Json<CooperativeView>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    svc::close_period(&state, &u.actor, &c, &req.through).await?;
    Ok((StatusCode::CREATED, Json(coop_view(&state, &u, c, true).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct YearInput {
    #[schema(value_type = i64)]
    #[serde(default)]
    pub year: svc::NumTextSer,
}

/// Year end: income and expenses closed into SHU for the year (entry dated 31 December), books
/// closed through that day.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/year-closes", tag = "cooperative", params(("id" = i64, Path)),
    request_body = YearInput, security(("bearer" = [])),
    responses((status = 201, body = Posted), (status = 422, body = ErrorBody)))]
pub async fn close_year(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<YearInput>,
) -> Result<(StatusCode, Json<Posted>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let e = svc::close_year(&state, &u.actor, &c, req.year.as_str()).await?;
    Ok((StatusCode::CREATED, Json(Posted { entry_id: e })))
}

#[derive(Serialize, ToSchema)]
pub struct ShuShareView {
    pub member_id: i64,
    pub member_number: String,
    pub full_name: String,
    pub savings_basis: i64,
    pub transactions_basis: i64,
    pub by_savings: i64,
    pub by_transactions: i64,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RatView {
    pub year: i32,
    pub held_on: String,
    pub members_present: i32,
    pub members_total: i32,
    pub decisions: String,
    pub shu_amount: i64,
    /// Fund code → amount.
    pub funds: Vec<(String, i64)>,
    pub entry_id: Option<i64>,
    pub shares: Vec<ShuShareView>,
}

async fn rat_view(state: &AppState, u: &ApiUser, c: &Cooperative, r: Rat) -> Result<RatView, ApiError> {
    let shares = svc::shu_shares(state, &u.principal, c, &r).await?;
    let funds = r
        .split()
        .distribute(domain::cooperative::Rupiah::new(r.shu_amount).unwrap_or_default())
        .into_iter()
        .map(|(f, a)| (f.as_str().to_string(), a.amount()))
        .collect();
    Ok(RatView {
        year: r.year,
        held_on: r.held_on,
        members_present: r.members_present,
        members_total: r.members_total,
        decisions: r.decisions,
        shu_amount: r.shu_amount,
        funds,
        entry_id: r.entry_id,
        shares: shares
            .into_iter()
            .map(|s| ShuShareView {
                member_id: s.member_id,
                member_number: s.member_number,
                full_name: s.full_name,
                savings_basis: s.savings_basis,
                transactions_basis: s.transactions_basis,
                by_savings: s.by_savings,
                by_transactions: s.by_transactions,
                total: s.total,
            })
            .collect(),
    })
}

/// Records the RAT of a closed year and distributes its SHU per the approved percentages.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/rat", tag = "cooperative", params(("id" = i64, Path)),
    request_body = RatInput, security(("bearer" = [])),
    responses((status = 201, body = RatView), (status = 422, body = ErrorBody)))]
pub async fn record_rat(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RatInput>,
) -> Result<(StatusCode, Json<RatView>), ApiError> {
    let c = coop_for_manage(&state, &u, id).await?;
    let r = svc::record_rat(&state, &u.actor, &c, &req).await?;
    Ok((StatusCode::CREATED, Json(rat_view(&state, &u, &c, r).await?)))
}

/// The RAT of a year with each member's SHU share.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/rat/{year}", tag = "cooperative",
    params(("id" = i64, Path), ("year" = i32, Path)), security(("bearer" = [])),
    responses((status = 200, body = RatView), (status = 404, body = ErrorBody)))]
pub async fn get_rat(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, year)): Path<(i64, i32)>,
) -> Result<Json<RatView>, ApiError> {
    let c = coop_for_view(&state, &u, id).await?;
    let r = svc::rat(&state, &u.principal, &c, year).await.map_err(|e| match e {
        app::Error::NotFound => ApiError::NotFound("RAT"),
        e => e.into(),
    })?;
    Ok(Json(rat_view(&state, &u, &c, r).await?))
}
