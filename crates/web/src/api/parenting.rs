//! Community parenting over the API (issue 6). Contract: `POST /children` answers 201
//! `{"id",…}`; `GET /children/{id}` answers 200, or 404 to anyone who may not see the child's
//! name. Lists give names only to facilitators and the village's supervisors, counts to the
//! rest; every view of a child's record is audited.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::enterprise::{self as ent, PeriodQuery, VillagePageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::parenting as svc;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::access::Action;
use domain::parenting::{ActivityInput, ChildInput, ConcernInput, SchoolStatus, age_on};
use serde::{Deserialize, Serialize};
use svc::{Activity, ChildActivity, ChildDossier, Concern, VillageCounts};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"full_name": "Agnes Wangge", "birth_date": "2015-06-01", "sex": "P", "village_code": "53.07.01.2001",
    "parent_person_ids": [1], "caregiver": "grandparent"}))]
pub struct ChildRequest {
    #[serde(default)]
    pub full_name: String,
    /// YYYY-MM-DD; the child is 18 or younger.
    #[serde(default)]
    pub birth_date: String,
    /// L or P (M/F accepted).
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub village_code: String,
    /// Parents in people records: persons you may see.
    #[serde(default)]
    pub parent_person_ids: Vec<i64>,
    /// other_parent, grandparent, relative, sibling, foster_family, other.
    #[serde(default)]
    pub caregiver: String,
    /// none, early_childhood, primary, junior, senior (optional).
    #[serde(default)]
    pub school_level: String,
    /// enrolled, dropped_out, never (optional).
    #[serde(default)]
    pub school_status: String,
    #[serde(default)]
    pub birth_certificate: bool,
    #[serde(default)]
    pub health_insurance: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ParentView {
    pub person_id: i64,
    pub full_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChildView {
    pub id: i64,
    pub full_name: String,
    pub birth_date: String,
    /// Completed years today.
    pub age: i32,
    pub sex: String,
    pub village_code: String,
    pub caregiver: String,
    pub school_level: Option<String>,
    pub school_status: Option<String>,
    pub birth_certificate: bool,
    pub health_insurance: bool,
    pub parent_person_ids: Vec<i64>,
    /// Parents you may see, by name.
    pub parents: Vec<ParentView>,
    #[schema(value_type = Vec<Object>)]
    pub concerns: Vec<Concern>,
    #[schema(value_type = Vec<Object>)]
    pub activities: Vec<ChildActivity>,
}

fn child_view(state: &AppState, d: ChildDossier) -> ChildView {
    let c = d.child;
    let age = domain::person::parse_date(&c.birth_date).map(|b| age_on(b, state.today())).unwrap_or(0);
    ChildView {
        parent_person_ids: d.parent_person_ids,
        parents: d.parents.into_iter().map(|p| ParentView { person_id: p.person_id, full_name: p.full_name }).collect(),
        concerns: d.concerns,
        activities: d.activities,
        age,
        id: c.id,
        full_name: c.full_name,
        birth_date: c.birth_date,
        sex: c.sex,
        village_code: c.village_code,
        caregiver: c.caregiver,
        school_level: c.school_level,
        school_status: c.school_status,
        birth_certificate: c.birth_certificate,
        health_insurance: c.health_insurance,
    }
}

/// Registers a migrant worker's child (facilitators and the village's supervisors).
#[utoipa::path(post, path = "/api/v1/children", tag = "parenting", request_body = ChildRequest, security(("bearer" = [])),
    responses((status = 201, body = ChildView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_child(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(r): ApiJson<ChildRequest>,
) -> Result<(StatusCode, Json<ChildView>), ApiError> {
    let input = ChildInput {
        full_name: &r.full_name,
        birth_date: &r.birth_date,
        sex: &r.sex,
        village_code: &r.village_code,
        parent_person_ids: &r.parent_person_ids,
        caregiver: &r.caregiver,
        school_level: &r.school_level,
        school_status: &r.school_status,
        birth_certificate: r.birth_certificate,
        health_insurance: r.health_insurance,
    };
    let c = svc::create_child(&state, &u.principal, &u.actor, &input).await?;
    let d = svc::dossier_of(&state, &u.principal, c).await?;
    Ok((StatusCode::CREATED, Json(child_view(&state, d))))
}

/// A child's record: 404 to anyone who may not see the child's name. Every view is audited.
#[utoipa::path(get, path = "/api/v1/children/{id}", tag = "parenting", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ChildView), (status = 404, body = ErrorBody)))]
pub async fn get_child(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ChildView>, ApiError> {
    let d = svc::child_dossier(&state, &u.principal, &u.actor, id).await?;
    Ok(Json(child_view(&state, d)))
}

#[derive(Deserialize, IntoParams)]
pub struct ChildListQuery {
    /// enrolled, dropped_out or never.
    pub school_status: Option<String>,
    /// Keyset: ids above this (the `next_after` of the previous page).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ChildSummary {
    pub id: i64,
    pub full_name: String,
    pub birth_date: String,
    pub sex: String,
    pub village_code: String,
    pub caregiver: String,
    pub school_status: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChildList {
    /// False for roles that see counts only: `items` is then empty.
    pub names_visible: bool,
    pub items: Vec<ChildSummary>,
    pub next_after: Option<i64>,
    /// Per village: children, schooling, documents, reached by activities in the period, activities;
    /// at most 100 villages in village code order (the first page of `/api/v1/parenting/counts`).
    #[schema(value_type = Vec<Object>)]
    pub counts: Vec<VillageCounts>,
    /// When more villages follow: pass as `after` to `/api/v1/parenting/counts` for the rest.
    pub counts_next_after: Option<String>,
}

/// Children in a region: names for facilitators and supervisors (audited), counts for everyone.
#[utoipa::path(get, path = "/api/v1/children", tag = "parenting", params(PeriodQuery, ChildListQuery), security(("bearer" = [])),
    responses((status = 200, body = ChildList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_children(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(cq): Query<ChildListQuery>,
) -> Result<Json<ChildList>, ApiError> {
    let f = ent::filter(&u.principal, Action::CountChildren, &q)?;
    let status = match cq.school_status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(SchoolStatus::parse(raw).ok_or_else(|| {
            ApiError::Validation(domain::ValidationErrors::single(
                "school_status",
                domain::Rule::OneOf,
                SchoolStatus::codes(),
            ))
        })?),
    };
    // The paging parameters are checked only where there is a page of names to turn.
    let names = svc::names_visible(&u.principal, f.within.as_ref());
    let limit = if names { domain::paging::check(cq.limit, 100, &[("after", cq.after)])? } else { 1 };
    let view = svc::children(&state, &u.principal, &u.actor, &f, status, cq.after, limit, &VillagePageQuery::default())
        .await?;
    let next_after = (view.children.len() as i64 == limit).then(|| view.children.last().map(|c| c.id)).flatten();
    let items = view
        .children
        .into_iter()
        .map(|c| ChildSummary {
            id: c.id,
            full_name: c.full_name,
            birth_date: c.birth_date,
            sex: c.sex,
            village_code: c.village_code,
            caregiver: c.caregiver,
            school_status: c.school_status,
        })
        .collect();
    let (names_visible, counts, counts_next_after) = (view.names_visible, view.counts, view.counts_next_after);
    Ok(Json(ChildList { names_visible, items, next_after, counts, counts_next_after }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"school_level": "junior", "school_status": "dropped_out", "birth_certificate": true, "health_insurance": true}))]
pub struct ChildStatusRequest {
    #[serde(default)]
    pub school_level: String,
    #[serde(default)]
    pub school_status: String,
    #[serde(default)]
    pub birth_certificate: bool,
    #[serde(default)]
    pub health_insurance: bool,
}

/// Updates schooling and documents.
#[utoipa::path(post, path = "/api/v1/children/{id}/status", tag = "parenting", params(("id" = i64, Path)),
    request_body = ChildStatusRequest, security(("bearer" = [])),
    responses((status = 200, body = ChildView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_child_status(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ChildStatusRequest>,
) -> Result<Json<ChildView>, ApiError> {
    let c = svc::child(&state, &u.principal, id).await?;
    svc::update_status(
        &state,
        &u.actor,
        &c,
        &r.school_level,
        &r.school_status,
        r.birth_certificate,
        r.health_insurance,
    )
    .await?;
    let c = svc::child(&state, &u.principal, id).await?;
    Ok(Json(child_view(&state, svc::dossier_of(&state, &u.principal, c).await?)))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"kind": "neglect", "noted_on": "2026-03-14", "description": "Anak sering tidak makan dan tidak masuk sekolah"}))]
pub struct ConcernRequest {
    /// neglect, dropping_out, abuse, child_labour.
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD, today when empty.
    #[serde(default)]
    pub noted_on: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConcernCreated {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub concern: Concern,
    /// The restricted protection case opened for it (`/api/v1/cases/{case_id}`).
    pub case_id: i64,
}

/// Raises a welfare concern on a child: opens a restricted protection case.
#[utoipa::path(post, path = "/api/v1/children/{id}/concerns", tag = "parenting", params(("id" = i64, Path)),
    request_body = ConcernRequest, security(("bearer" = [])),
    responses((status = 201, body = ConcernCreated), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise_concern(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ConcernRequest>,
) -> Result<(StatusCode, Json<ConcernCreated>), ApiError> {
    let c = svc::child(&state, &u.principal, id).await?;
    let input = ConcernInput { kind: &r.kind, noted_on: &r.noted_on, description: &r.description };
    let (concern, case_id) = svc::raise_concern(&state, &u.actor, &c, &input).await?;
    Ok((StatusCode::CREATED, Json(ConcernCreated { concern, case_id })))
}

// ---------------------------------------------------------------- activities

#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"village_code": "53.07.01.2001", "kind": "parenting_class", "title": "Pola asuh anak usia sekolah",
    "held_on": "2026-03-14", "place": "Posyandu", "facilitator": "Ibu Maria"}))]
pub struct ActivityRequest {
    #[serde(default)]
    pub village_code: String,
    /// parenting_class, scouting, sports, tutoring, play_group, other.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub held_on: String,
    /// Empty for one day; at most 31 days.
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub facilitator: String,
}

#[derive(Serialize, ToSchema)]
// Another module has a `AttendeeView`; one schema name each keeps both in the document.
#[schema(as = ParentingAttendeeView)]
pub struct AttendeeView {
    pub id: i64,
    pub full_name: String,
    pub on_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub activity: Activity,
    /// False for roles that see counts only: the lists are then empty.
    pub names_visible: bool,
    pub child_attendance: Vec<AttendeeView>,
    pub caregiver_attendance: Vec<AttendeeView>,
}

fn activity_detail(v: svc::ActivityView) -> ActivityDetail {
    let line = |r: svc::Attended| AttendeeView { id: r.id, full_name: r.full_name, on_date: r.on_date };
    ActivityDetail {
        activity: v.activity,
        names_visible: v.names_visible,
        child_attendance: v.children.into_iter().map(line).collect(),
        caregiver_attendance: v.caregivers.into_iter().map(line).collect(),
    }
}

/// Records a parenting activity (facilitators and the village's supervisors).
#[utoipa::path(post, path = "/api/v1/parenting-activities", tag = "parenting", request_body = ActivityRequest, security(("bearer" = [])),
    responses((status = 201, body = ActivityDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_activity(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(r): ApiJson<ActivityRequest>,
) -> Result<(StatusCode, Json<ActivityDetail>), ApiError> {
    let input = ActivityInput {
        village_code: &r.village_code,
        kind: &r.kind,
        title: &r.title,
        held_on: &r.held_on,
        ends_on: &r.ends_on,
        place: &r.place,
        facilitator: &r.facilitator,
    };
    let a = svc::create_activity(&state, &u.principal, &u.actor, &input).await?;
    let view = svc::activity_view(&state, &u.principal, &u.actor, a.id, false).await?;
    Ok((StatusCode::CREATED, Json(activity_detail(view))))
}

#[derive(Serialize, ToSchema)]
pub struct ActivityList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Activity>,
}

/// Parenting activities in a region and period, newest first (counts of attendance, no names).
#[utoipa::path(get, path = "/api/v1/parenting-activities", tag = "parenting", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = ActivityList), (status = 403, body = ErrorBody)))]
pub async fn list_activities(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<ActivityList>, ApiError> {
    let f = ent::filter(&u.principal, Action::CountChildren, &q)?;
    Ok(Json(ActivityList { items: svc::activities(&state, &u.principal, &f, 500).await? }))
}

/// An activity with attendance (names only for those who may see children's names; audited).
#[utoipa::path(get, path = "/api/v1/parenting-activities/{id}", tag = "parenting", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ActivityDetail), (status = 404, body = ErrorBody)))]
pub async fn get_activity(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ActivityDetail>, ApiError> {
    Ok(Json(activity_detail(svc::activity_view(&state, &u.principal, &u.actor, id, false).await?)))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"child_id": 1, "date": "2026-03-14"}))]
pub struct ActivityAttendanceRequest {
    /// A child who attended, or
    pub child_id: Option<i64>,
    /// a caregiver (a person) who attended — one of the two.
    pub person_id: Option<i64>,
    /// A day within the activity's dates, not in the future.
    #[serde(default)]
    pub date: String,
}

/// Records attendance of a child or a caregiver on a day of the activity. Idempotent.
#[utoipa::path(post, path = "/api/v1/parenting-activities/{id}/attendance", tag = "parenting", params(("id" = i64, Path)),
    request_body = ActivityAttendanceRequest, security(("bearer" = [])),
    responses((status = 200, body = ActivityDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_attendance(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ActivityAttendanceRequest>,
) -> Result<Json<ActivityDetail>, ApiError> {
    let a = svc::activity(&state, &u.principal, id).await?;
    svc::add_attendance(&state, &u.principal, &u.actor, &a, r.child_id, r.person_id, &r.date).await?;
    Ok(Json(activity_detail(svc::activity_view(&state, &u.principal, &u.actor, id, false).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct ParentingCounts {
    #[schema(value_type = Vec<Object>)]
    pub villages: Vec<VillageCounts>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
}

/// Per-village counts (no names): children, schooling, documents, reached, activities. Paged
/// in village code order (`limit`, `after`; `next_after` while more follow).
#[utoipa::path(get, path = "/api/v1/parenting/counts", tag = "parenting", params(PeriodQuery, VillagePageQuery), security(("bearer" = [])),
    responses((status = 200, body = ParentingCounts), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn counts(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<PeriodQuery>,
    Query(page): Query<VillagePageQuery>,
) -> Result<Json<ParentingCounts>, ApiError> {
    let f = ent::filter(&u.principal, Action::CountChildren, &q)?;
    let (villages, next_after) = svc::counts_page(&state, &u.principal, &f, &page).await?;
    Ok(Json(ParentingCounts { villages, next_after }))
}
