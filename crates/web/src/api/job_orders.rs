//! Job orders (demand letters) of placement agencies: national admins record and verify them;
//! every account can read them and see whether one can be chosen for a placement.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::job_orders::CreateError;
use crate::job_orders::{JobOrder, ListFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::access::Action;
use domain::service_center::NewJobOrderInput;
use domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A whole number, sent as a JSON number or as text ("27470").
#[derive(Deserialize, ToSchema, Default)]
#[serde(untagged)]
pub enum Amount {
    Integer(i64),
    Number(f64),
    Text(String),
    #[default]
    Missing,
}

impl Amount {
    fn text(&self) -> String {
        match self {
            Amount::Integer(n) => n.to_string(),
            Amount::Number(n) => n.to_string(),
            Amount::Text(s) => s.clone(),
            Amount::Missing => String::new(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CostRow {
    /// A cost item code: tickets, visa, legalisation, training, certificates, agency_fee,
    /// passport, police_clearance, social_security, medicals, local_transport, lodging, other.
    #[serde(default)]
    pub item: String,
    /// Whole rupiah charged to the worker, 0 or more.
    #[serde(default)]
    pub amount: Amount,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"agency_id": 1, "reference": "DL/2026/001", "destination": "TW", "employer": "Chen Family",
    "job_type": "elderly_carer", "salary_amount": 27470, "salary_currency": "TWD", "quota": 10,
    "valid_from": "2026-01-01", "valid_until": "2026-12-31", "costs": [{"item": "medicals", "amount": 1500000}]}))]
pub struct CreateJobOrder {
    #[serde(default)]
    pub agency_id: Amount,
    /// The demand letter's number; unique per agency, stored upper case.
    #[serde(default)]
    pub reference: String,
    /// ISO 3166-1 alpha-2 country code, not ID.
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub employer: String,
    /// A job type code such as housekeeper or fishing_crew.
    #[serde(default)]
    pub job_type: String,
    /// Monthly salary in whole units of salary_currency, more than 0.
    #[serde(default)]
    pub salary_amount: Amount,
    /// ISO 4217 code such as TWD, HKD, MYR.
    #[serde(default)]
    pub salary_currency: String,
    /// Number of workers, 1 to 10000.
    #[serde(default)]
    pub quota: Amount,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
    /// Costs charged to the worker, one row per item (none: a zero-cost job order).
    #[serde(default)]
    pub costs: Vec<CostRow>,
}

#[derive(Serialize, ToSchema)]
// Another module has a `CostView`; one schema name each keeps both in the document.
#[schema(as = JobOrderCostView)]
pub struct CostView {
    pub item: String,
    /// Whole rupiah.
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct JobOrderView {
    pub id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    /// The agency's licence status: active, suspended or revoked.
    pub agency_status: String,
    pub reference: String,
    pub destination: String,
    pub employer: String,
    pub job_type: String,
    pub salary_amount: i64,
    pub salary_currency: String,
    pub quota: i64,
    pub valid_from: String,
    pub valid_until: String,
    /// unverified, verified or rejected.
    pub status: String,
    pub verified_by: Option<i64>,
    /// Unix seconds of the last verification decision.
    pub verified_at: Option<i64>,
    pub costs: Vec<CostView>,
    /// The sum of the costs, in whole rupiah.
    pub total_costs: i64,
    /// Whether it can be chosen for a placement today.
    pub selectable: bool,
    /// When not: agency_revoked, agency_suspended, agency_licence_expired, job_order_rejected,
    /// job_order_unverified or job_order_expired.
    pub not_selectable_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The public code printed on flyers and checked on the portal (`/cek/{code}`); set on verification.
    pub public_code: Option<String>,
}

impl JobOrderView {
    /// The view on `today` (whether the order can still be chosen).
    pub fn new(j: JobOrder, today: time::Date) -> Self {
        let reason = j.why_not_selectable(today);
        let total_costs = j.total_costs();
        JobOrderView {
            id: j.id,
            agency_id: j.agency_id,
            agency_name: j.agency_name,
            agency_status: j.agency_status,
            reference: j.reference,
            destination: j.destination,
            employer: j.employer,
            job_type: j.job_type,
            salary_amount: j.salary_amount,
            salary_currency: j.salary_currency,
            quota: j.quota,
            valid_from: j.valid_from,
            valid_until: j.valid_until,
            status: j.status,
            verified_by: j.verified_by,
            verified_at: j.verified_at,
            costs: j.costs.into_iter().map(|c| CostView { item: c.item, amount: c.amount_rupiah }).collect(),
            total_costs,
            selectable: reason.is_none(),
            not_selectable_reason: reason.map(|r| r.as_str().to_string()),
            public_code: j.public_code,
            created_at: j.created_at,
            updated_at: j.updated_at,
        }
    }
}

/// Records a job order of a registered agency, unverified (national admins).
#[utoipa::path(post, path = "/api/v1/job-orders", tag = "job-orders", request_body = CreateJobOrder, security(("bearer" = [])),
    responses((status = 201, body = JobOrderView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreateJobOrder>,
) -> Result<(StatusCode, Json<JobOrderView>), ApiError> {
    u.require(Action::ManageAgencies, None)?;
    let agency_id = req.agency_id.text();
    let salary_amount = req.salary_amount.text();
    let quota = req.quota.text();
    let input = NewJobOrderInput {
        agency_id: &agency_id,
        reference: &req.reference,
        destination: &req.destination,
        employer: &req.employer,
        job_type: &req.job_type,
        salary_amount: &salary_amount,
        salary_currency: &req.salary_currency,
        quota: &quota,
        valid_from: &req.valid_from,
        valid_until: &req.valid_until,
    };
    let amounts: Vec<String> = req.costs.iter().map(|c| c.amount.text()).collect();
    let costs: Vec<(&str, &str)> = req.costs.iter().zip(&amounts).map(|(c, a)| (c.item.as_str(), a.as_str())).collect();
    match crate::job_orders::create(&state, &u.actor, &input, &costs).await {
        Ok(jo) => Ok((StatusCode::CREATED, Json(JobOrderView::new(jo, state.today())))),
        Err(CreateError::Invalid(e)) => Err(ApiError::Validation(e)),
        Err(CreateError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct JobOrderQuery {
    /// Only this agency's job orders.
    pub agency_id: Option<String>,
    /// `true`: only those that can be chosen for a placement today.
    pub selectable: Option<String>,
    /// Job orders per page, 1–500; 500 when omitted.
    pub limit: Option<i64>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct JobOrderList {
    pub items: Vec<JobOrderView>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
}

/// Lists job orders, latest validity first: pages of `limit` (at most 500), `after` the
/// `next_after` of the previous page.
#[utoipa::path(get, path = "/api/v1/job-orders", tag = "job-orders", params(JobOrderQuery), security(("bearer" = [])),
    responses((status = 200, body = JobOrderList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _u: ApiUser,
    Query(q): Query<JobOrderQuery>,
) -> Result<Json<JobOrderList>, ApiError> {
    let mut errs = ValidationErrors::new();
    let agency_id = match q.agency_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let id = s.parse::<i64>().ok();
            if id.is_none() {
                errs.add("agency_id", Rule::Format, "an agency id");
            }
            id
        }
    };
    let selectable = match q.selectable.as_deref().map(str::trim).unwrap_or("") {
        "" | "false" | "0" => false,
        "true" | "1" => true,
        _ => {
            errs.add("selectable", Rule::OneOf, "true or false");
            false
        }
    };
    errs.into_result()?;
    let today = state.today();
    let filter = ListFilter { agency_id, selectable_on: selectable.then_some(today), ..Default::default() };
    let (items, next_after) = crate::job_orders::list(&state, filter, q.after.as_deref(), q.limit).await?;
    Ok(Json(JobOrderList { items: items.into_iter().map(|j| JobOrderView::new(j, today)).collect(), next_after }))
}

/// One job order with its costs and whether it can be chosen today.
#[utoipa::path(get, path = "/api/v1/job-orders/{id}", tag = "job-orders", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = JobOrderView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<JobOrderView>, ApiError> {
    let jo = crate::job_orders::get(&state, id).await.map_err(ApiError::or_not_found("job order"))?;
    Ok(Json(JobOrderView::new(jo, state.today())))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"status": "verified"}))]
pub struct Verification {
    /// verified or rejected
    #[serde(default)]
    pub status: String,
}

/// Records the labour attaché's verification or rejection (national admins).
#[utoipa::path(post, path = "/api/v1/job-orders/{id}/verification", tag = "job-orders", params(("id" = i64, Path)),
    request_body = Verification, security(("bearer" = [])),
    responses((status = 200, body = JobOrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<Verification>,
) -> Result<Json<JobOrderView>, ApiError> {
    let jo = crate::job_orders::verify(&state, &u.principal, &u.actor, id, None, &req.status).await?;
    Ok(Json(JobOrderView::new(jo, state.today())))
}
