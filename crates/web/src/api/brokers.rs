//! Broker reports over the API (issue 17, docs/BROKERS.md): the public report and its receipt
//! without a token; reports, the broker registry, links and hot spots with an account.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Ctx, Unread};
use crate::error::{ApiError, ErrorBody};
use app::brokers::{self as svc, Broker, Report};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::brokers::ReportInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn not_found(what: &'static str) -> impl Fn(app::Error) -> ApiError {
    ApiError::or_not_found(what)
}

/// Answers about one reporter's receipt must never be kept by a cache.
fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"broker_name": "Pak Joko", "broker_phone": "0812-3456-7890", "village_code": "33.01.01.2001",
    "description": "Menawarkan kerja di Malaysia tanpa P3MI, meminta Rp 5.000.000 dan menahan KTP"}))]
pub struct CreateReport {
    /// The broker's name or alias (up to 120 characters). A name or a phone number is required.
    #[serde(default)]
    pub broker_name: String,
    /// One or more phone numbers, separated by commas (8 to 15 digits each). Reports with the
    /// same number are merged into one broker.
    #[serde(default)]
    pub broker_phone: String,
    /// The village where the broker was seen (Kemendagri code).
    #[serde(default)]
    pub village_code: String,
    /// What happened (required, up to 2000 characters).
    #[serde(default)]
    pub description: String,
    /// What was offered: the job, the country, the salary (up to 500 characters).
    #[serde(default)]
    pub offer: String,
    /// Money asked, in whole rupiah (a number, or text such as "Rp 5.000.000").
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub money_asked: Option<serde_json::Value>,
    /// Documents taken: ktp, kk, passport, birth_certificate, diploma, marriage_book, other.
    #[serde(default)]
    pub documents_taken: Vec<String>,
    /// Optional, for the officer handling the report only. Leave empty to stay anonymous.
    #[serde(default)]
    pub reporter_contact: String,
}

impl CreateReport {
    fn money(&self) -> String {
        match &self.money_asked {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    }
    fn input<'a>(&'a self, money: &'a str) -> ReportInput<'a> {
        ReportInput {
            broker_name: &self.broker_name,
            broker_phone: &self.broker_phone,
            village_code: &self.village_code,
            offer: &self.offer,
            money_asked: money,
            documents_taken: &self.documents_taken,
            description: &self.description,
            reporter_contact: &self.reporter_contact,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportCreated {
    /// Write it down: with it you can add information later (`/api/v1/public/broker-reports/{receipt}`,
    /// or the portal page /portal/lapor-calo/tambah). It is shown only once.
    pub receipt: String,
    /// Set for reports sent with an account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<i64>,
}

/// Reports an illegal broker (calo) without an account. Anonymous: no address or browser
/// details are stored. Rate-limited per address (429 with Retry-After).
#[utoipa::path(post, path = "/api/v1/public/broker-reports", tag = "public", request_body = CreateReport,
    responses((status = 201, body = ReportCreated), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(req): ApiJson<CreateReport>,
) -> Result<(StatusCode, Json<ReportCreated>), ApiError> {
    let money = req.money();
    let created = svc::report_public(&state, &ctx.ip, &req.input(&money)).await?;
    Ok((StatusCode::CREATED, Json(ReportCreated { receipt: created.receipt, id: None, broker_id: None })))
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptStatusView {
    /// YYYY-MM-DD.
    pub received_on: String,
    /// An officer handles the report.
    pub handled: bool,
    /// How much information was added after the report.
    pub additions: usize,
}

impl From<svc::ReceiptStatus> for ReceiptStatusView {
    fn from(s: svc::ReceiptStatus) -> Self {
        ReceiptStatusView { received_on: s.received_on, handled: s.handled, additions: s.additions }
    }
}

/// The status of a report by its receipt (404 for a receipt that matches nothing). Rate-limited.
#[utoipa::path(get, path = "/api/v1/public/broker-reports/{receipt}", tag = "public", params(("receipt" = String, Path)),
    responses((status = 200, body = ReceiptStatusView), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(receipt): Path<String>,
) -> Result<Response, ApiError> {
    let s = svc::receipt_status(&state, &ctx.ip, &receipt).await.map_err(not_found("receipt"))?;
    Ok(no_store(Json(ReceiptStatusView::from(s)).into_response()))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"text": "Calo itu datang lagi hari Senin dengan mobil putih."}))]
pub struct AddInformation {
    /// Up to 2000 characters.
    #[serde(default)]
    pub text: String,
}

/// Adds information to a report by its receipt, without an account. Rate-limited.
#[utoipa::path(post, path = "/api/v1/public/broker-reports/{receipt}/additions", tag = "public",
    params(("receipt" = String, Path)), request_body = AddInformation,
    responses((status = 201, body = ReceiptStatusView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn public_add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(receipt): Path<String>,
    ApiJson(req): ApiJson<AddInformation>,
) -> Result<(StatusCode, Json<ReceiptStatusView>), ApiError> {
    let s = svc::add_by_receipt(&state, &ctx.ip, &receipt, &req.text).await.map_err(|e| match e {
        app::Error::Invalid(mut v) => {
            for f in &mut v.0 {
                if f.field == "information" {
                    f.field = "text".into();
                }
            }
            ApiError::Validation(v)
        }
        e => not_found("receipt")(e),
    })?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub broker_id: i64,
    /// public, officer or partner.
    pub source: String,
    pub village_code: String,
    /// YYYY-MM.
    pub month: String,
    pub broker_name: String,
    /// Normalised numbers.
    pub broker_phones: Vec<String>,
    pub offer: String,
    pub money_asked: Option<i64>,
    pub documents_taken: Vec<String>,
    pub description: String,
    /// Only for the report's handler (viewing it is audited); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter_contact: Option<String>,
    pub handled: bool,
    pub created_at: String,
}

fn split(s: &str) -> Vec<String> {
    s.split(',').filter(|p| !p.is_empty()).map(String::from).collect()
}

fn report_view(r: Report, with_contact: bool) -> ReportView {
    ReportView {
        id: r.id,
        broker_id: r.broker_id,
        source: r.source,
        village_code: r.village_code,
        month: r.month,
        broker_name: r.broker_name,
        broker_phones: split(&r.broker_phones),
        offer: r.offer,
        money_asked: r.money_asked,
        documents_taken: split(&r.documents_taken),
        description: r.description,
        reporter_contact: with_contact.then_some(r.reporter_contact),
        handled: r.handler_user_id.is_some(),
        created_at: super::auth::rfc3339(r.created_at),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only reports of villages at or inside this region (inside your scope); default your scope.
    pub region_code: Option<String>,
    /// Only this broker's reports.
    pub broker_id: Option<i64>,
    /// The previous page's `next_before`.
    #[param(minimum = 0)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportList {
    /// Newest first. Officers see their region's reports, partners only those their organisation sent.
    pub items: Vec<ReportView>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next_before: Option<i64>,
}

/// Broker reports you may see: officers of a region its reports, partners their own.
#[utoipa::path(get, path = "/api/v1/broker-reports", tag = "brokers", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = ReportList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<ReportList>, ApiError> {
    let region = crate::region_filter::for_api("region_code", q.region_code.as_deref())?;
    let caller = crate::cases::Caller::new(&u.principal, &u.user);
    let limit = q.limit.unwrap_or(50);
    let items = svc::list(&state, caller, region, q.broker_id, Some(limit), q.before).await?;
    let next_before = (items.len() as i64 == limit).then(|| items.last().map(|r| r.id)).flatten();
    Ok(Json(ReportList { items: items.into_iter().map(|r| report_view(r, false)).collect(), next_before }))
}

/// Reports a broker with an account (officers, village staff, partners) in a village of your
/// scope. An officer who handles reports there becomes its handler.
#[utoipa::path(post, path = "/api/v1/broker-reports", tag = "brokers", request_body = CreateReport, security(("bearer" = [])),
    responses((status = 201, body = ReportCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreateReport>,
) -> Result<(StatusCode, Json<ReportCreated>), ApiError> {
    u.require_ever(domain::Action::ReportBroker)?;
    let money = req.money();
    let caller = crate::cases::Caller::new(&u.principal, &u.user);
    let c = svc::report(&state, caller, &u.actor, &req.input(&money)).await?;
    Ok((StatusCode::CREATED, Json(ReportCreated { receipt: c.receipt, id: Some(c.id), broker_id: Some(c.broker_id) })))
}

#[derive(Serialize, ToSchema)]
pub struct AdditionView {
    pub text: String,
    /// Added with the receipt (no account).
    pub by_reporter: bool,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportView,
    pub additions: Vec<AdditionView>,
    /// You handle this report.
    pub is_handler: bool,
}

/// One report (404 when absent or not yours to see). Audited; the reporter's contact only for its handler.
#[utoipa::path(get, path = "/api/v1/broker-reports/{id}", tag = "brokers", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ReportDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReportDetail>, ApiError> {
    let caller = crate::cases::Caller::new(&u.principal, &u.user);
    let f = svc::get(&state, caller, &u.actor, id).await.map_err(not_found("broker report"))?;
    Ok(Json(ReportDetail {
        additions: f
            .additions
            .into_iter()
            .map(|a| AdditionView {
                text: a.text,
                by_reporter: a.user_id.is_none(),
                created_at: super::auth::rfc3339(a.created_at),
            })
            .collect(),
        is_handler: f.is_handler,
        report: report_view(f.report, f.is_handler),
    }))
}

/// Makes you the report's handler (officers of its region).
#[utoipa::path(post, path = "/api/v1/broker-reports/{id}/take", tag = "brokers", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ReportDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn take(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReportDetail>, ApiError> {
    svc::take(&state, &u.principal, &u.actor, id).await.map_err(not_found("broker report"))?;
    get(State(state), u, Path(id)).await
}

#[derive(Serialize, ToSchema)]
pub struct BrokerView {
    pub id: i64,
    pub name: String,
    /// Other names it was reported under.
    pub aliases: Vec<String>,
    pub phones: Vec<String>,
    /// Reports in your region.
    pub reports: i64,
    pub last_report_at: String,
}

impl From<Broker> for BrokerView {
    fn from(b: Broker) -> Self {
        BrokerView {
            id: b.id,
            name: b.name,
            aliases: b.aliases,
            phones: b.phones,
            reports: b.reports,
            last_report_at: super::auth::rfc3339(b.last_report_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BrokerList {
    pub items: Vec<BrokerView>,
    pub next_before: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct BrokerQuery {
    /// Only brokers reported at or inside this region (inside your scope); default your scope.
    pub region_code: Option<String>,
    #[param(minimum = 0)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The broker registry: brokers reported in your region, newest first.
#[utoipa::path(get, path = "/api/v1/brokers", tag = "brokers", params(BrokerQuery), security(("bearer" = [])),
    responses((status = 200, body = BrokerList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn brokers(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<BrokerQuery>,
) -> Result<Json<BrokerList>, ApiError> {
    let region = crate::region_filter::for_api("region_code", q.region_code.as_deref())?;
    let limit = q.limit.unwrap_or(50);
    let items = svc::brokers(&state, &u.principal, region, Some(limit), q.before).await?;
    let next_before = (items.len() as i64 == limit).then(|| items.last().map(|b| b.id)).flatten();
    Ok(Json(BrokerList { items: items.into_iter().map(Into::into).collect(), next_before }))
}

#[derive(Serialize, ToSchema)]
pub struct BrokerDetail {
    #[serde(flatten)]
    pub broker: BrokerView,
    /// Its reports in your region (without contacts).
    pub report_items: Vec<ReportView>,
    /// Linked placement episodes you may see.
    pub episode_ids: Vec<i64>,
    /// Linked cases you may open.
    pub case_ids: Vec<i64>,
}

async fn broker_detail(state: &AppState, u: &ApiUser, id: i64) -> Result<BrokerDetail, ApiError> {
    let caller = crate::cases::Caller::new(&u.principal, &u.user);
    let f = svc::broker(state, caller, &u.actor, id).await.map_err(not_found("broker"))?;
    Ok(BrokerDetail {
        broker: f.broker.into(),
        report_items: f.reports.into_iter().map(|r| report_view(r, false)).collect(),
        episode_ids: f.episodes.into_iter().map(|(e, _)| e).collect(),
        case_ids: f.cases,
    })
}

/// One broker with its reports in your region and its links (404 outside your region). Audited.
#[utoipa::path(get, path = "/api/v1/brokers/{id}", tag = "brokers", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = BrokerDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn broker(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<BrokerDetail>, ApiError> {
    Ok(Json(broker_detail(&state, &u, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"episode_id": 1}))]
pub struct LinkEpisode {
    /// A placement episode you may change, in a village where you handle broker reports.
    pub episode_id: i64,
}

/// Links the broker to a placement episode (its unregistered recruiter): the episode then
/// carries the `recruiter_reported_broker` risk flag. 201 when linked, 200 when it already was.
#[utoipa::path(post, path = "/api/v1/brokers/{id}/episodes", tag = "brokers", params(("id" = i64, Path)),
    request_body = LinkEpisode, security(("bearer" = [])),
    responses((status = 201, body = BrokerDetail), (status = 200, description = "Already linked", body = BrokerDetail),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn link_episode(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<LinkEpisode>>,
) -> Result<(StatusCode, Json<BrokerDetail>), ApiError> {
    // The broker must be visible before the body is read (docs/ACCESS.md).
    svc::visible_broker(&state, &u.principal, id).await.map_err(not_found("broker"))?;
    let ApiJson(req) = body.read().await?;
    let added =
        svc::link_episode(&state, &u.principal, &u.actor, id, req.episode_id).await.map_err(not_found("broker"))?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(broker_detail(&state, &u, id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"case_id": 1}))]
pub struct LinkCase {
    /// A protection case you may open.
    pub case_id: i64,
}

/// Links the broker to a protection case. 201 when linked, 200 when it already was.
#[utoipa::path(post, path = "/api/v1/brokers/{id}/cases", tag = "brokers", params(("id" = i64, Path)),
    request_body = LinkCase, security(("bearer" = [])),
    responses((status = 201, body = BrokerDetail), (status = 200, description = "Already linked", body = BrokerDetail),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn link_case(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<LinkCase>>,
) -> Result<(StatusCode, Json<BrokerDetail>), ApiError> {
    svc::visible_broker(&state, &u.principal, id).await.map_err(not_found("broker"))?;
    let ApiJson(req) = body.read().await?;
    let caller = crate::cases::Caller::new(&u.principal, &u.user);
    let added = svc::link_case(&state, caller, &u.actor, id, req.case_id).await.map_err(not_found("broker"))?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(broker_detail(&state, &u, id).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct HotSpotQuery {
    /// A region inside your scope; default your scope.
    pub region_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HotSpotView {
    pub district_code: String,
    /// YYYY-MM.
    pub month: String,
    /// A count, or "<5" for 1 to 4 reports.
    #[schema(value_type = String)]
    pub reports: domain::monitoring::OpenValue,
}

#[derive(Serialize, ToSchema)]
pub struct HotSpotList {
    /// Busiest first.
    pub items: Vec<HotSpotView>,
}

/// Hot spots: broker reports by district and month, 1 to 4 shown as "<5". Supervisors.
#[utoipa::path(get, path = "/api/v1/broker-reports/hot-spots", tag = "brokers", params(HotSpotQuery),
    security(("bearer" = [])),
    responses((status = 200, body = HotSpotList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn hot_spots(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<HotSpotQuery>,
) -> Result<Json<HotSpotList>, ApiError> {
    let region = crate::region_filter::for_api("region_code", q.region_code.as_deref())?;
    let items = svc::hot_spots(&state, &u.principal, region).await?;
    Ok(Json(HotSpotList {
        items: items
            .into_iter()
            .map(|h| HotSpotView { district_code: h.district_code, month: h.month, reports: h.reports })
            .collect(),
    }))
}
