//! Productive enterprise over the API (issue 6): trainings with participants, attendance per
//! day and completion; mentoring visits; equipment and its checks; businesses with members,
//! monthly reports and status; remittances and the village inflow with its productive share;
//! per-village counts. Lists take `village` (a region in scope), `from` and `to`.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::enterprise::{self as svc, PeriodQuery};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::access::Action;
use domain::enterprise::{
    BusinessInput, BusinessStatus, CheckInput, EquipmentInput, MentoringInput, RemittanceInput, RemittanceUse,
    ReportInput, TrainingInput,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use svc::{
    Business, Equipment, EquipmentCheck, MentoringVisit, Remittance, Report, StatusChange, Training, VillageCounts,
};
use utoipa::{IntoParams, ToSchema};

fn s(v: &Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    /// Keyset: only records with a smaller id (the `next_before` of the previous page).
    #[param(minimum = 0)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

// ---------------------------------------------------------------- trainings

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"village_code": "53.07.01.2001", "topic": "financial_literacy", "title": "Literasi keuangan keluarga PMI",
    "organiser": "regency_office", "organiser_name": "Disnaker Sikka", "starts_on": "2026-03-02", "ends_on": "2026-03-04",
    "place": "Balai desa", "trainer": "Ibu Rina"}))]
pub struct TrainingRequest {
    #[serde(default)]
    pub village_code: String,
    /// entrepreneurship, financial_literacy, agriculture, livestock, fisheries, tourism_guiding, crafts, culinary, digital_marketing, other.
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub title: String,
    /// ministry, province_office, regency_office, village_government, university, company, ngo, financial_institution, other.
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub organiser_name: String,
    #[serde(default)]
    pub starts_on: String,
    /// Empty for a one-day training; at most 60 days.
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub trainer: String,
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantView {
    pub person_id: i64,
    pub full_name: String,
    pub completed: bool,
    /// The days attended (YYYY-MM-DD).
    pub days: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TrainingDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub training: Training,
    /// Every day of the training.
    pub days: Vec<String>,
    /// Participants you may see.
    pub participant_list: Vec<ParticipantView>,
    /// Participants living outside your region: counted, not named.
    pub hidden_participants: usize,
}

async fn training_detail(state: &AppState, u: &ApiUser, t: Training) -> Result<TrainingDetail, ApiError> {
    let d = svc::training_dossier(state, &u.principal, &u.actor, t.id).await?;
    let marks = d.marks;
    let participant_list = d
        .participants
        .into_iter()
        .map(|p| ParticipantView {
            days: marks.iter().filter(|(pid, _)| *pid == p.person_id).map(|(_, d)| d.clone()).collect(),
            person_id: p.person_id,
            full_name: p.full_name,
            completed: p.completed,
        })
        .collect();
    Ok(TrainingDetail {
        training: d.training,
        days: d.days,
        participant_list,
        hidden_participants: d.hidden_participants,
    })
}

/// Records a training in a village of your scope.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "enterprise", request_body = TrainingRequest, security(("bearer" = [])),
    responses((status = 201, body = TrainingDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_training(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(r): ApiJson<TrainingRequest>,
) -> Result<(StatusCode, Json<TrainingDetail>), ApiError> {
    let input = TrainingInput {
        village_code: &r.village_code,
        topic: &r.topic,
        title: &r.title,
        organiser: &r.organiser,
        organiser_name: &r.organiser_name,
        starts_on: &r.starts_on,
        ends_on: &r.ends_on,
        place: &r.place,
        trainer: &r.trainer,
    };
    let t = svc::create_training(&state, &u.principal, &u.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(training_detail(&state, &u, t).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct TrainingList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Training>,
    pub next_before: Option<i64>,
}

/// Trainings in a region and period (overlapping it), newest first.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "enterprise", params(PeriodQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = TrainingList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_trainings(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(pq): Query<PageQuery>,
) -> Result<Json<TrainingList>, ApiError> {
    let f = svc::filter(&u.principal, Action::ViewEnterprise, &q)?;
    let limit = domain::paging::check(pq.limit, 100, &[("before", pq.before)])?;
    let items = svc::trainings(&state, &u.principal, &f, pq.before, limit).await?;
    let next_before = (items.len() as i64 == limit).then(|| items.last().map(|t| t.id)).flatten();
    Ok(Json(TrainingList { items, next_before }))
}

/// A training with its days and the participants you may see (viewing them is audited).
#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "enterprise", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TrainingDetail), (status = 404, body = ErrorBody)))]
pub async fn get_training(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<TrainingDetail>, ApiError> {
    let t = svc::training(&state, &u.principal, id).await?;
    Ok(Json(training_detail(&state, &u, t).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PersonRef {
    pub person_id: i64,
}

/// Adds a participant from people records (someone you may see). Idempotent.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/participants", tag = "enterprise", params(("id" = i64, Path)),
    request_body = PersonRef, security(("bearer" = [])),
    responses((status = 200, body = TrainingDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_participant(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<PersonRef>>,
) -> Result<Json<TrainingDetail>, ApiError> {
    let t = svc::training(&state, &u.principal, id).await?;
    svc::require_edit(&u.principal, t.village())?;
    let ApiJson(r) = body.read().await?;
    svc::add_participant(&state, &u.principal, &u.actor, &t, r.person_id).await?;
    let t = svc::training(&state, &u.principal, id).await?;
    Ok(Json(training_detail(&state, &u, t).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"person_id": 1, "date": "2026-03-03", "present": true}))]
pub struct AttendanceRequest {
    pub person_id: i64,
    /// A day within the training's dates, not in the future.
    #[serde(default)]
    pub date: String,
    /// False removes the mark. Default true.
    #[serde(default = "yes")]
    pub present: bool,
}

fn yes() -> bool {
    true
}

/// Marks a participant present (or absent) on one day of the training.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/attendance", tag = "enterprise", params(("id" = i64, Path)),
    request_body = AttendanceRequest, security(("bearer" = [])),
    responses((status = 200, body = TrainingDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_attendance(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<AttendanceRequest>>,
) -> Result<Json<TrainingDetail>, ApiError> {
    let t = svc::training(&state, &u.principal, id).await?;
    svc::require_edit(&u.principal, t.village())?;
    let ApiJson(r) = body.read().await?;
    svc::set_attendance(&state, &u.principal, &u.actor, &t, r.person_id, &r.date, r.present).await?;
    Ok(Json(training_detail(&state, &u, t).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CompletionRequest {
    pub person_id: i64,
    pub completed: bool,
}

/// Marks whether a participant completed the training.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/completion", tag = "enterprise", params(("id" = i64, Path)),
    request_body = CompletionRequest, security(("bearer" = [])),
    responses((status = 200, body = TrainingDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_completion(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<CompletionRequest>>,
) -> Result<Json<TrainingDetail>, ApiError> {
    let t = svc::training(&state, &u.principal, id).await?;
    svc::require_edit(&u.principal, t.village())?;
    let ApiJson(r) = body.read().await?;
    svc::set_completed(&state, &u.principal, &u.actor, &t, r.person_id, r.completed).await?;
    let t = svc::training(&state, &u.principal, id).await?;
    Ok(Json(training_detail(&state, &u, t).await?))
}

// ---------------------------------------------------------------- mentoring

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"village_code": "53.07.01.2001", "business_id": 1, "visited_on": "2026-03-10", "mentor": "Pak Yohanes",
    "notes": "Catatan keuangan rapi; stok menumpuk", "next_steps": "Jual lewat pasar mingguan"}))]
pub struct MentoringRequest {
    #[serde(default)]
    pub village_code: String,
    /// The person visited, or
    pub person_id: Option<i64>,
    /// the business visited (exactly one).
    pub business_id: Option<i64>,
    #[serde(default)]
    pub visited_on: String,
    #[serde(default)]
    pub mentor: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub next_steps: String,
}

/// Records a mentoring visit to a person or a business.
#[utoipa::path(post, path = "/api/v1/mentoring", tag = "enterprise", request_body = MentoringRequest, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_visit(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(r): ApiJson<MentoringRequest>,
) -> Result<(StatusCode, Json<MentoringVisit>), ApiError> {
    let (p, b) = (s(&r.person_id), s(&r.business_id));
    let input = MentoringInput {
        village_code: &r.village_code,
        person_id: &p,
        business_id: &b,
        visited_on: &r.visited_on,
        mentor: &r.mentor,
        notes: &r.notes,
        next_steps: &r.next_steps,
    };
    Ok((StatusCode::CREATED, Json(svc::create_visit(&state, &u.principal, &u.actor, &input).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct MentoringQuery {
    /// Only visits to this business.
    pub business_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<MentoringVisit>,
}

/// Mentoring visits in a region and period, newest first.
#[utoipa::path(get, path = "/api/v1/mentoring", tag = "enterprise", params(PeriodQuery, MentoringQuery), security(("bearer" = [])),
    responses((status = 200, body = VisitList), (status = 403, body = ErrorBody)))]
pub async fn list_visits(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(m): Query<MentoringQuery>,
) -> Result<Json<VisitList>, ApiError> {
    let f = svc::filter(&u.principal, Action::ViewEnterprise, &q)?;
    let items = svc::visits(&state, &u.principal, &u.actor, &f, m.business_id, 500).await?;
    Ok(Json(VisitList { items }))
}

// ---------------------------------------------------------------- equipment

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"village_code": "53.07.01.2001", "item": "Mesin jahit", "value": 2750000,
    "source_program": "Desmigratif Kemnaker 2018", "given_on": "2018-08-17", "business_id": 1}))]
pub struct EquipmentRequest {
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub item: String,
    /// Whole rupiah.
    pub value: Option<i64>,
    #[serde(default)]
    pub source_program: String,
    #[serde(default)]
    pub given_on: String,
    /// The person it was given to, or
    pub person_id: Option<i64>,
    /// the group (business) — exactly one.
    pub business_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EquipmentDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub equipment: Equipment,
    #[schema(value_type = Vec<Object>)]
    pub checks: Vec<EquipmentCheck>,
}

/// Records equipment or a grant given to a person or a group (in use and good when handed over).
#[utoipa::path(post, path = "/api/v1/equipment", tag = "enterprise", request_body = EquipmentRequest, security(("bearer" = [])),
    responses((status = 201, body = EquipmentDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_equipment(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(r): ApiJson<EquipmentRequest>,
) -> Result<(StatusCode, Json<EquipmentDetail>), ApiError> {
    let (v, p, b) = (s(&r.value), s(&r.person_id), s(&r.business_id));
    let input = EquipmentInput {
        village_code: &r.village_code,
        item: &r.item,
        value: &v,
        source_program: &r.source_program,
        given_on: &r.given_on,
        person_id: &p,
        business_id: &b,
    };
    let e = svc::create_equipment(&state, &u.principal, &u.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(EquipmentDetail { equipment: e, checks: vec![] })))
}

#[derive(Deserialize, IntoParams)]
pub struct EquipmentQuery {
    /// Only equipment whose latest check found it not in use.
    #[serde(default)]
    pub unused: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct EquipmentList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Equipment>,
}

/// Equipment in a region (given in the period), optionally only what is not in use.
#[utoipa::path(get, path = "/api/v1/equipment", tag = "enterprise", params(PeriodQuery, EquipmentQuery), security(("bearer" = [])),
    responses((status = 200, body = EquipmentList), (status = 403, body = ErrorBody)))]
pub async fn list_equipment(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(e): Query<EquipmentQuery>,
) -> Result<Json<EquipmentList>, ApiError> {
    let f = svc::filter(&u.principal, Action::ViewEnterprise, &q)?;
    let items = svc::equipment_list(&state, &u.principal, &f, e.unused.unwrap_or(false), 500).await?;
    Ok(Json(EquipmentList { items }))
}

/// One piece of equipment with its checks.
#[utoipa::path(get, path = "/api/v1/equipment/{id}", tag = "enterprise", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = EquipmentDetail), (status = 404, body = ErrorBody)))]
pub async fn get_equipment(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<EquipmentDetail>, ApiError> {
    let (equipment, checks) = svc::equipment_dossier(&state, &u.principal, id).await?;
    Ok(Json(EquipmentDetail { equipment, checks }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"checked_on": "2026-03-01", "condition": "good", "in_use": false, "note": "Disimpan di gudang"}))]
pub struct CheckRequest {
    #[serde(default)]
    pub checked_on: String,
    /// good, needs_repair, broken, lost.
    #[serde(default)]
    pub condition: String,
    pub in_use: bool,
    #[serde(default)]
    pub note: String,
}

/// Records a check of the equipment's condition and whether it is in use.
#[utoipa::path(post, path = "/api/v1/equipment/{id}/checks", tag = "enterprise", params(("id" = i64, Path)),
    request_body = CheckRequest, security(("bearer" = [])),
    responses((status = 200, body = EquipmentDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_check(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<CheckRequest>>,
) -> Result<Json<EquipmentDetail>, ApiError> {
    let e = svc::equipment(&state, &u.principal, id).await?;
    svc::require_edit(&u.principal, e.village())?;
    let ApiJson(r) = body.read().await?;
    let in_use = r.in_use.to_string();
    let input = CheckInput { checked_on: &r.checked_on, condition: &r.condition, in_use: &in_use, note: &r.note };
    svc::add_check(&state, &u.principal, &u.actor, &e, &input).await?;
    get_equipment(State(state), u, Path(id)).await
}

// ---------------------------------------------------------------- businesses

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"village_code": "53.07.01.2001", "name": "Tenun Ikat Masabewa", "sector": "crafts", "legal_form": "group",
    "status": "running", "started_on": "2025-11-03", "capital_sources": ["own_remittances", "kur"]}))]
pub struct BusinessRequest {
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub name: String,
    /// agriculture, livestock, fisheries, food_processing, trade, crafts, tourism, services, transport, other.
    #[serde(default)]
    pub sector: String,
    /// individual, group, bumdes_unit.
    #[serde(default)]
    pub legal_form: String,
    /// planned (default), running, paused, closed.
    #[serde(default)]
    pub status: String,
    /// Required unless planned.
    #[serde(default)]
    pub started_on: String,
    /// own_remittances, cooperative_loan, grant, bank_loan, kur, family, other.
    #[serde(default)]
    pub capital_sources: Vec<String>,
}

#[derive(Serialize, ToSchema)]
// Another module has a `MemberView`; one schema name each keeps both in the document.
#[schema(as = BusinessMemberView)]
pub struct MemberView {
    pub person_id: i64,
    pub full_name: String,
    pub kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct BusinessDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub business: Business,
    pub member_list: Vec<MemberView>,
    pub hidden_members: usize,
    /// Monthly reports, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub reports: Vec<Report>,
    #[schema(value_type = Vec<Object>)]
    pub status_history: Vec<StatusChange>,
    /// Statuses it may move to.
    pub next_states: Vec<String>,
}

async fn business_detail(state: &AppState, u: &ApiUser, b: Business) -> Result<BusinessDetail, ApiError> {
    let d = svc::business_dossier(state, &u.principal, &u.actor, b.id).await?;
    Ok(BusinessDetail {
        member_list: d
            .members
            .into_iter()
            .map(|m| MemberView { person_id: m.person_id, full_name: m.full_name, kind: m.kind })
            .collect(),
        hidden_members: d.hidden_members,
        reports: d.reports,
        status_history: d.status_history,
        next_states: d.business.status().next_states().iter().map(|s| s.as_str().to_string()).collect(),
        business: d.business,
    })
}

/// Records a business or business group.
#[utoipa::path(post, path = "/api/v1/businesses", tag = "enterprise", request_body = BusinessRequest, security(("bearer" = [])),
    responses((status = 201, body = BusinessDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_business(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(r): ApiJson<BusinessRequest>,
) -> Result<(StatusCode, Json<BusinessDetail>), ApiError> {
    let sources: Vec<&str> = r.capital_sources.iter().map(String::as_str).collect();
    let input = BusinessInput {
        village_code: &r.village_code,
        name: &r.name,
        sector: &r.sector,
        legal_form: &r.legal_form,
        status: &r.status,
        started_on: &r.started_on,
        capital_sources: &sources,
    };
    let b = svc::create_business(&state, &u.principal, &u.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(business_detail(&state, &u, b).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct BusinessQuery {
    /// planned, running, paused or closed.
    pub status: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BusinessList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Business>,
}

/// Businesses in a region, newest first (with a period: those started by its end).
#[utoipa::path(get, path = "/api/v1/businesses", tag = "enterprise", params(PeriodQuery, BusinessQuery), security(("bearer" = [])),
    responses((status = 200, body = BusinessList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_businesses(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(b): Query<BusinessQuery>,
) -> Result<Json<BusinessList>, ApiError> {
    let f = svc::filter(&u.principal, Action::ViewEnterprise, &q)?;
    let status = match b.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(BusinessStatus::parse(raw).ok_or_else(|| {
            ApiError::Validation(domain::ValidationErrors::single(
                "status",
                domain::Rule::OneOf,
                BusinessStatus::codes(),
            ))
        })?),
    };
    Ok(Json(BusinessList { items: svc::businesses(&state, &u.principal, &f, status, 500).await? }))
}

/// A business with members, monthly reports and status history.
#[utoipa::path(get, path = "/api/v1/businesses/{id}", tag = "enterprise", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = BusinessDetail), (status = 404, body = ErrorBody)))]
pub async fn get_business(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<BusinessDetail>, ApiError> {
    let b = svc::business(&state, &u.principal, id).await?;
    Ok(Json(business_detail(&state, &u, b).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"person_id": 1, "kind": "returned_migrant"}))]
pub struct MemberRequest {
    pub person_id: i64,
    /// returned_migrant, family_member, other.
    #[serde(default)]
    pub kind: String,
}

/// Adds a member from people records (an individual business has one). Idempotent.
#[utoipa::path(post, path = "/api/v1/businesses/{id}/members", tag = "enterprise", params(("id" = i64, Path)),
    request_body = MemberRequest, security(("bearer" = [])),
    responses((status = 200, body = BusinessDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<MemberRequest>>,
) -> Result<Json<BusinessDetail>, ApiError> {
    let b = svc::business(&state, &u.principal, id).await?;
    svc::require_edit(&u.principal, b.village())?;
    let ApiJson(r) = body.read().await?;
    svc::add_member(&state, &u.principal, &u.actor, &b, r.person_id, &r.kind).await?;
    let b = svc::business(&state, &u.principal, id).await?;
    Ok(Json(business_detail(&state, &u, b).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"month": "2026-01", "revenue": 4500000, "costs": 3000000, "workers": 2}))]
pub struct ReportRequest {
    /// YYYY-MM: not before the business started, not in the future.
    #[serde(default)]
    pub month: String,
    /// Whole rupiah.
    pub revenue: Option<i64>,
    pub costs: Option<i64>,
    pub workers: Option<i64>,
}

/// Records a monthly report (a second one for the month replaces it). Refused for a closed
/// business (field `status`), a month before the start or in the future (field `month`).
#[utoipa::path(post, path = "/api/v1/businesses/{id}/reports", tag = "enterprise", params(("id" = i64, Path)),
    request_body = ReportRequest, security(("bearer" = [])),
    responses((status = 200, body = BusinessDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_report(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ReportRequest>,
) -> Result<Json<BusinessDetail>, ApiError> {
    let b = svc::business(&state, &u.principal, id).await?;
    let (rev, cost, w) = (s(&r.revenue), s(&r.costs), s(&r.workers));
    let input = ReportInput { month: &r.month, revenue: &rev, costs: &cost, workers: &w };
    svc::save_report(&state, &u.principal, &u.actor, &b, &input).await?;
    let b = svc::business(&state, &u.principal, id).await?;
    Ok(Json(business_detail(&state, &u, b).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusRequest {
    /// planned → running/closed; running → paused/closed; paused → running/closed. Closed is final.
    #[serde(default)]
    pub status: String,
}

/// Moves the business to another status (today).
#[utoipa::path(post, path = "/api/v1/businesses/{id}/status", tag = "enterprise", params(("id" = i64, Path)),
    request_body = StatusRequest, security(("bearer" = [])),
    responses((status = 200, body = BusinessDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<StatusRequest>,
) -> Result<Json<BusinessDetail>, ApiError> {
    let b = svc::business(&state, &u.principal, id).await?;
    svc::change_status(&state, &u.principal, &u.actor, &b, &r.status).await?;
    let b = svc::business(&state, &u.principal, id).await?;
    Ok(Json(business_detail(&state, &u, b).await?))
}

// ---------------------------------------------------------------- remittances

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"person_id": 1, "month": "2026-02", "amount": 5000000, "channel": "bank",
    "uses": {"daily_needs": 3000000, "education": 500000, "productive_investment": 1500000}}))]
pub struct RemittanceRequest {
    /// The migrant who sent it (a person you may see).
    pub person_id: Option<i64>,
    /// YYYY-MM, not in the future.
    #[serde(default)]
    pub month: String,
    /// Whole rupiah, at least 1.
    pub amount: Option<i64>,
    /// bank, remittance_company, post, carried, other.
    #[serde(default)]
    pub channel: String,
    /// Amount per use (daily_needs, education, health, housing, debt, productive_investment, savings); they add up to `amount`.
    #[serde(default)]
    pub uses: BTreeMap<String, i64>,
}

/// Records a remittance received by a migrant's family, with how it was used.
#[utoipa::path(post, path = "/api/v1/remittances", tag = "enterprise", request_body = RemittanceRequest, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_remittance(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(r): ApiJson<RemittanceRequest>,
) -> Result<(StatusCode, Json<Remittance>), ApiError> {
    let amount = s(&r.amount);
    let uses_owned: Vec<(String, String)> = r.uses.iter().map(|(k, v)| (k.clone(), v.to_string())).collect();
    let uses: Vec<(&str, &str)> = uses_owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let input = RemittanceInput { month: &r.month, amount: &amount, channel: &r.channel, uses: &uses };
    let rem = svc::create_remittance(&state, &u.principal, &u.actor, r.person_id, &input).await?;
    Ok((StatusCode::CREATED, Json(rem)))
}

#[derive(Deserialize, IntoParams)]
pub struct RemittanceQuery {
    /// Only this migrant's remittances.
    pub person_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RemittanceRow {
    pub id: i64,
    pub person_id: i64,
    /// Shown only to roles that record remittances (personal finances are specific data).
    pub person_name: Option<String>,
    pub village_code: String,
    pub month: String,
    pub amount: i64,
    pub channel: String,
    pub uses: BTreeMap<String, i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RemittanceList {
    pub items: Vec<RemittanceRow>,
}

/// Remittances in a region and period (by month), newest first.
#[utoipa::path(get, path = "/api/v1/remittances", tag = "enterprise", params(PeriodQuery, RemittanceQuery), security(("bearer" = [])),
    responses((status = 200, body = RemittanceList), (status = 403, body = ErrorBody)))]
pub async fn list_remittances(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(rq): Query<RemittanceQuery>,
) -> Result<Json<RemittanceList>, ApiError> {
    let f = svc::filter(&u.principal, Action::ViewEnterprise, &q)?;
    let svc::Remittances { names_visible: names, items: rows } =
        svc::remittances(&state, &u.principal, &u.actor, &f, rq.person_id, 500).await?;
    let items = rows
        .into_iter()
        .map(|r| RemittanceRow {
            uses: RemittanceUse::ALL.iter().zip(r.uses()).map(|(u, a)| (u.as_str().to_string(), a)).collect(),
            id: r.id,
            person_id: r.person_id,
            person_name: names.then_some(r.person_name),
            village_code: r.village_code,
            month: r.month,
            amount: r.amount,
            channel: r.channel,
        })
        .collect();
    Ok(Json(RemittanceList { items }))
}

#[derive(Serialize, ToSchema)]
pub struct InflowRow {
    pub village_code: String,
    pub village_name: String,
    pub remittances: i64,
    pub migrants: i64,
    pub total: i64,
    pub productive: i64,
    /// Productive share in basis points (1 % = 100); null when nothing flowed in.
    pub productive_share_bp: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InflowSummary {
    /// One page of villages in village code order (`limit`, default 100; `after`).
    pub villages: Vec<InflowRow>,
    /// Pass as `after` for the next page of villages; null on the last page.
    pub next_after: Option<String>,
    /// Over the whole region and period, whichever page of villages is shown.
    pub total: i64,
    pub productive: i64,
    pub productive_share_bp: Option<i64>,
}

/// Remittance inflow per village in a region and period, and the share used productively.
/// The villages are paged in village code order (`limit`, `after`; `next_after` while more
/// follow); the totals cover the whole region and period.
#[utoipa::path(get, path = "/api/v1/remittances/summary", tag = "enterprise", params(PeriodQuery, svc::VillagePageQuery), security(("bearer" = [])),
    responses((status = 200, body = InflowSummary), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remittance_summary(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(page): Query<svc::VillagePageQuery>,
) -> Result<Json<InflowSummary>, ApiError> {
    let f = svc::filter(&u.principal, Action::ViewEnterprise, &q)?;
    let inflow = svc::remittance_inflow(&state, &u.principal, &f, &page).await?;
    let productive_share_bp = inflow.productive_share_bp();
    let villages = inflow
        .villages
        .into_iter()
        .map(|r| InflowRow {
            productive_share_bp: r.productive_share_bp(),
            village_name: r.village_name,
            village_code: r.village_code,
            remittances: r.remittances,
            migrants: r.migrants,
            total: r.total,
            productive: r.productive,
        })
        .collect();
    Ok(Json(InflowSummary {
        villages,
        next_after: inflow.next_after,
        total: inflow.total,
        productive: inflow.productive,
        productive_share_bp,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseCounts {
    #[schema(value_type = Vec<Object>)]
    pub villages: Vec<VillageCounts>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
}

/// Per-village counts: trainings, participants, completions, running businesses, remittances.
/// Paged in village code order (`limit`, `after`; `next_after` while more follow).
#[utoipa::path(get, path = "/api/v1/enterprise/counts", tag = "enterprise", params(PeriodQuery, svc::VillagePageQuery), security(("bearer" = [])),
    responses((status = 200, body = EnterpriseCounts), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn counts(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(page): Query<svc::VillagePageQuery>,
) -> Result<Json<EnterpriseCounts>, ApiError> {
    let f = svc::filter(&u.principal, Action::ViewEnterprise, &q)?;
    let (villages, next_after) = svc::counts_page(&state, &u.principal, &f, &page).await?;
    Ok(Json(EnterpriseCounts { villages, next_after }))
}
