//! Outreach events (sosialisasi) over the API: list within your region, record one, read it
//! with its registered attendees, add an attendee. The same services and rules as the pages.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody};
use crate::outreach as svc;
use crate::people;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::service_center::NewOutreachInput;
use serde::{Deserialize, Serialize};
use svc::OutreachEvent;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct OutreachView {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub place: String,
    pub topic: String,
    pub organiser: String,
    /// Everyone who came, registered or not.
    pub headcount: i64,
    /// How many registered people are recorded as attending.
    pub registered: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<OutreachEvent> for OutreachView {
    fn from(e: OutreachEvent) -> Self {
        OutreachView {
            id: e.id,
            village_code: e.village_code,
            village_name: app::regions::display_name(&e.village_name),
            held_on: e.held_on,
            place: e.place,
            topic: e.topic,
            organiser: e.organiser,
            headcount: e.headcount,
            registered: e.registered,
            created_at: super::auth::rfc3339(e.created_at),
            updated_at: super::auth::rfc3339(e.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
// Another module has a `AttendeeView`; one schema name each keeps both in the document.
#[schema(as = OutreachAttendeeView)]
pub struct AttendeeView {
    pub person_id: i64,
    pub full_name: String,
    pub village_code: String,
}

#[derive(Serialize, ToSchema)]
pub struct OutreachDetail {
    #[serde(flatten)]
    pub event: OutreachView,
    /// Registered attendees you may see, by name.
    pub attendees: Vec<AttendeeView>,
    /// Registered attendees living outside your region: counted, not named.
    pub other_attendees: usize,
}

async fn detail(state: &AppState, u: &ApiUser, id: i64) -> Result<OutreachDetail, ApiError> {
    let v = svc::event_view(state, &u.principal, &u.actor, id).await.map_err(not_found)?;
    Ok(OutreachDetail {
        attendees: v
            .attendees
            .into_iter()
            .map(|a| AttendeeView { person_id: a.person_id, full_name: a.full_name, village_code: a.village_code })
            .collect(),
        other_attendees: v.hidden,
        event: v.event.into(),
    })
}

fn not_found(e: app::Error) -> ApiError {
    match e {
        app::Error::NotFound => ApiError::NotFound("outreach event"),
        e => e.into(),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only events held at or inside this region (must be inside your scope); default your scope.
    pub region_code: Option<String>,
    /// The previous page's `next_after`.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct OutreachList {
    /// Newest first (by date, then by id).
    pub items: Vec<OutreachView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// Outreach events held within your region, newest first.
#[utoipa::path(get, path = "/api/v1/outreach", tag = "outreach", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = OutreachList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<OutreachList>, ApiError> {
    let requested = crate::region_filter::for_api("region_code", q.region_code.as_deref())?;
    // The region before the paging: outside the scope is a 403 whatever the page asked.
    people::search_area(&u.principal, requested.clone()).map_err(|_| ApiError::Forbidden)?;
    let limit = domain::paging::check(q.limit, 50, &[("after", q.after)])?;
    let (items, next_after) = svc::events(&state, &u.principal, requested, q.after, limit).await?;
    Ok(Json(OutreachList { items: items.into_iter().map(Into::into).collect(), next_after }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"village_code": "53.07.01.2001", "held_on": "2026-03-14", "place": "Balai desa",
    "topic": "Prosedur migrasi yang aman", "organiser": "Pemerintah desa dan Disnaker", "headcount": 42}))]
pub struct CreateOutreach {
    /// The village where it was held (inside your scope).
    #[serde(default)]
    pub village_code: String,
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub held_on: String,
    /// Up to 200 characters.
    #[serde(default)]
    pub place: String,
    /// Free text, 3 to 200 characters (e.g. safe migration procedure, trafficking warning signs).
    #[serde(default)]
    pub topic: String,
    /// Up to 200 characters.
    #[serde(default)]
    pub organiser: String,
    /// Everyone who came, 0 to 100000.
    pub headcount: Option<i64>,
}

/// Records an outreach event in a village of your scope.
#[utoipa::path(post, path = "/api/v1/outreach", tag = "outreach", request_body = CreateOutreach, security(("bearer" = [])),
    responses((status = 201, body = OutreachDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Field errors, including a village outside your region", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreateOutreach>,
) -> Result<(StatusCode, Json<OutreachDetail>), ApiError> {
    if !svc::may_record(&u.principal) {
        return Err(ApiError::Forbidden);
    }
    let headcount = req.headcount.map(|h| h.to_string()).unwrap_or_default();
    let input = NewOutreachInput {
        village_code: &req.village_code,
        held_on: &req.held_on,
        place: &req.place,
        topic: &req.topic,
        organiser: &req.organiser,
        headcount: &headcount,
    };
    let e = svc::create(&state, &u.principal, &u.actor, &input).await??;
    Ok((StatusCode::CREATED, Json(detail(&state, &u, e.id).await?)))
}

async fn load(state: &AppState, u: &ApiUser, id: i64) -> Result<OutreachEvent, ApiError> {
    svc::visible_event(state, &u.principal, id).await?.ok_or(ApiError::NotFound("outreach event"))
}

/// One outreach event with its registered attendees (404 when absent or outside your region).
#[utoipa::path(get, path = "/api/v1/outreach/{id}", tag = "outreach", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = OutreachDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OutreachDetail>, ApiError> {
    Ok(Json(detail(&state, &u, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"person_id": 1}))]
pub struct AddAttendee {
    /// A registered person you may see.
    pub person_id: i64,
}

/// Records that a registered person attended. Idempotent: 201 when added, 200 when already
/// recorded. An unknown person and one outside your region get the same 422.
#[utoipa::path(post, path = "/api/v1/outreach/{id}/attendees", tag = "outreach", params(("id" = i64, Path)),
    request_body = AddAttendee, security(("bearer" = [])),
    responses((status = 201, body = OutreachDetail), (status = 200, description = "Already recorded", body = OutreachDetail),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_attendee(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<AddAttendee>>,
) -> Result<(StatusCode, Json<OutreachDetail>), ApiError> {
    let e = load(&state, &u, id).await?;
    svc::require_edit(&u.principal, &e)?;
    let ApiJson(req) = body.read().await?;
    let added = svc::add_attendee(&state, &u.principal, &u.actor, &e, req.person_id).await?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(detail(&state, &u, e.id).await?)))
}
