//! Cooperative (pillar 4). Contract: `POST /api/v1/loan-schedules` computes a loan schedule
//! without saving anything.

use super::ApiJson;
use crate::auth::ApiUser;
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
