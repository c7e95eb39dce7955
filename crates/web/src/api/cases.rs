//! Protection cases over the API: open, read (404 to anyone who may not open the case, whether
//! or not it exists), list, record workflow steps, assign handler and due date, refer to
//! partners, notes, attachments and the trafficking assessment. Every read is audited.
//!
//! Partner users (tokens bound to their organisation) see only the cases referred to it and
//! work through their referrals: accept, decline, record services, close.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::cases::{
    self as cs, AssignInput, Caller, CaseInput, CaseStepInput, CreateError, ListFilter, NoteInput, OpError,
    ReferralAction, ReferralInput, ReferralStepInput, TraffickingForm,
};
use crate::cases::{Case, CaseFile};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::multipart::Multipart;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn caller(u: &ApiUser) -> Caller<'_> {
    Caller::new(&u.principal, &u.user)
}

impl From<OpError> for ApiError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::NotFound => ApiError::NotFound("case"),
            OpError::Forbidden => ApiError::Forbidden,
            OpError::Invalid(v) => ApiError::Validation(v),
            OpError::Store(s) => s.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseEventView {
    pub from_status: Option<String>,
    pub to_status: String,
    pub on_date: String,
    pub reason: String,
    pub outcome: Option<String>,
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralView {
    pub id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    /// Requested services.
    pub services: Vec<String>,
    pub note: String,
    /// sent, accepted, declined, services_recorded, closed.
    pub status: String,
    pub status_date: String,
    /// Its steps, oldest first (a decline's reason is here).
    pub events: Vec<ReferralEventView>,
    /// Services recorded as given.
    pub services_given: Vec<ServiceGivenView>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralEventView {
    pub from_status: Option<String>,
    pub to_status: String,
    pub on_date: String,
    pub reason: String,
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceGivenView {
    pub service: String,
    pub given_on: String,
    pub note: String,
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteView {
    pub id: i64,
    pub body: String,
    /// The partner organisation of the author, for notes written by partner users.
    pub partner: Option<String>,
    pub by: Option<String>,
    pub at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// GET this path (same token) to download.
    pub download: String,
}

#[derive(Serialize, ToSchema)]
pub struct TraffickingView {
    pub process: Vec<String>,
    pub means: Vec<String>,
    pub purpose: Vec<String>,
    pub form: String,
    pub form_detail: String,
    pub victim_age_at_time: Option<i64>,
    pub screening_result: String,
    pub services_needed: Vec<String>,
    pub reintegration_plan: String,
    /// The victim was a child: the means element is not needed.
    pub child_victim: bool,
    /// Required elements with nothing recorded (process, means, purpose).
    pub missing_elements: Vec<String>,
    /// Every required element is recorded.
    pub elements_met: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub id: i64,
    #[serde(rename = "type")]
    pub case_type: String,
    pub severity: String,
    pub description: String,
    pub village_code: String,
    pub person_id: Option<i64>,
    /// Abuse and trafficking cases: only the handler, their supervisors and partners the case
    /// is referred to may open them.
    pub restricted: bool,
    pub status: String,
    pub status_date: String,
    pub handler_user_id: Option<i64>,
    pub due_on: Option<String>,
    pub overdue: bool,
    pub outcome: Option<String>,
    /// The statuses this case may go to next.
    pub next_states: Vec<String>,
    /// The timeline, oldest first.
    pub events: Vec<CaseEventView>,
    pub referrals: Vec<ReferralView>,
    pub notes: Vec<NoteView>,
    pub attachments: Vec<AttachmentView>,
    /// For a trafficking case, once assessed.
    pub trafficking: Option<TraffickingView>,
    /// Other cases of the same person the caller may open (re-victimisation).
    pub earlier_cases: Vec<CaseSummary>,
    /// Other cases of the same person the caller may not open: supervisors only, 0 for anyone else.
    pub earlier_cases_restricted: usize,
    /// Set when the caller sees the case from a village it was transferred from: the person's
    /// pseudonym (`Orang-7F3A`), and `person_id` is null; notes and attachments are left out.
    pub person_pseudonym: Option<String>,
    /// When the caller's break-the-glass grant on the case ends (Unix seconds), if one runs.
    pub glass_until: Option<i64>,
}

fn split(s: &str) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(String::from).collect()
}

fn summary(c: Case, today: time::Date) -> CaseSummary {
    CaseSummary {
        overdue: cs::is_overdue(&c, today),
        id: c.id,
        case_type: c.case_type,
        severity: c.severity,
        village_code: c.village_code,
        status: c.status,
        due_on: c.due_on,
        restricted: c.restricted,
        pseudonymised: c.pseudonym.is_some(),
    }
}

fn respond(state: &AppState, file: CaseFile) -> CaseDetail {
    let CaseFile {
        case: c,
        events,
        referrals,
        referral_events,
        services_given: given,
        trafficking,
        notes,
        attachments,
        earlier,
        earlier_restricted: earlier_cases_restricted,
        glass_until,
        ..
    } = file;
    // A partner user sees only its own organisation's referral (`domain::privacy::sees_referral`).
    let referrals = referrals
        .into_iter()
        .map(|r| ReferralView {
            events: referral_events
                .iter()
                .filter(|e| e.referral_id == r.id)
                .map(|e| ReferralEventView {
                    from_status: e.from_status.clone(),
                    to_status: e.to_status.clone(),
                    on_date: e.on_date.clone(),
                    reason: e.reason.clone(),
                    by: e.actor.clone(),
                })
                .collect(),
            services_given: given
                .iter()
                .filter(|g| g.referral_id == r.id)
                .map(|g| ServiceGivenView {
                    service: g.service.clone(),
                    given_on: g.given_on.clone(),
                    note: g.note.clone(),
                    by: g.actor.clone(),
                })
                .collect(),
            services: r.service_codes(),
            id: r.id,
            partner_id: r.partner_id,
            partner_name: r.partner_name,
            note: r.note,
            status: r.status,
            status_date: r.status_date,
        })
        .collect();
    let notes = notes
        .into_iter()
        .map(|n| NoteView { id: n.id, body: n.body, partner: n.partner_name, by: n.actor, at: n.at })
        .collect();
    let attachments = attachments
        .into_iter()
        .map(|a| AttachmentView {
            download: format!("/api/v1/cases/{}/attachments/{}", c.id, a.id),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
        })
        .collect();
    let trafficking = trafficking.map(|t| {
        let a = cs::assessment_of(&t);
        TraffickingView {
            process: split(&t.process),
            means: split(&t.means),
            purpose: split(&t.purpose),
            form: t.form,
            form_detail: t.form_detail,
            victim_age_at_time: t.victim_age_at_time,
            screening_result: t.screening_result,
            services_needed: split(&t.services_needed),
            reintegration_plan: t.reintegration_plan,
            child_victim: a.child_victim,
            elements_met: a.elements_met(),
            missing_elements: a.missing.iter().map(|e| e.as_str().to_string()).collect(),
        }
    });
    CaseDetail {
        next_states: cs::status_of(&c).next_states().iter().map(|s| s.as_str().to_string()).collect(),
        overdue: cs::is_overdue(&c, state.today()),
        events: events
            .into_iter()
            .map(|e| CaseEventView {
                from_status: e.from_status,
                to_status: e.to_status,
                on_date: e.on_date,
                reason: e.reason,
                outcome: e.outcome,
                by: e.actor,
            })
            .collect(),
        referrals,
        notes,
        attachments,
        trafficking,
        earlier_cases: earlier.into_iter().map(|c| summary(c, state.today())).collect(),
        earlier_cases_restricted,
        glass_until,
        person_pseudonym: c.pseudonym,
        id: c.id,
        case_type: c.case_type,
        severity: c.severity,
        description: c.description,
        village_code: c.village_code,
        person_id: c.person_id,
        restricted: c.restricted,
        status: c.status,
        status_date: c.status_date,
        handler_user_id: c.handler_user_id,
        due_on: c.due_on,
        outcome: c.outcome,
    }
}

async fn open_case(state: &AppState, u: &ApiUser, id: i64) -> Result<Case, ApiError> {
    cs::open(state, caller(u), id).await.map_err(ApiError::or_not_found("case"))
}

async fn fresh(state: &AppState, u: &ApiUser, id: i64) -> Result<Json<CaseDetail>, ApiError> {
    let file = cs::reload(state, caller(u), id).await.map_err(ApiError::or_not_found("case"))?;
    Ok(Json(respond(state, file)))
}

/// Opens a case (status new, handled by the caller, due by the severity's default).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseInput, security(("bearer" = [])),
    responses((status = 201, body = CaseDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    body: Unread<ApiJson<CaseInput>>,
) -> Result<(StatusCode, Json<CaseDetail>), ApiError> {
    // The region is in the body: the role first, the village once read.
    u.require_ever(domain::access::Action::EditPerson)?;
    let ApiJson(req) = body.read().await?;
    let c = match cs::create(&state, &u.principal, &u.actor, &req).await {
        Ok(c) => c,
        Err(CreateError::Invalid(e)) => return Err(ApiError::Validation(e)),
        Err(CreateError::Forbidden) => return Err(ApiError::Forbidden),
        Err(CreateError::Store(e)) => return Err(e.into()),
    };
    Ok((StatusCode::CREATED, fresh(&state, &u, c.id).await?))
}

/// One case with its timeline, referrals, notes, attachments and assessment. 404 to anyone who
/// may not open it (restricted cases open only to the handler, supervisors and partners it is
/// referred to; partner users open only cases referred to their organisation), whether or not
/// it exists. Every view is audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> Result<Json<CaseDetail>, ApiError> {
    let file = cs::view(&state, caller(&u), &u.actor, id).await.map_err(ApiError::or_not_found("case"))?;
    Ok(Json(respond(&state, file)))
}

/// Sets the handler and/or the due date (the handler and their supervisors). A due date in the
/// past is refused (422, field `due_on`).
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), request_body = AssignInput,
    security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<AssignInput>,
) -> Result<Json<CaseDetail>, ApiError> {
    let c = open_case(&state, &u, id).await?;
    cs::assign(&state, caller(&u), &u.actor, &c, &req).await?;
    fresh(&state, &u, id).await
}

/// Records the next step of the workflow (new → assessed → referred → in_progress → resolved →
/// closed, or reopened). Staff who may open the case; `referred` needs an active referral.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", params(("id" = i64, Path)),
    request_body = CaseStepInput, security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CaseStepInput>,
) -> Result<Json<CaseDetail>, ApiError> {
    let c = open_case(&state, &u, id).await?;
    if !cs::can_work(caller(&u), &c) {
        return Err(ApiError::Forbidden);
    }
    cs::advance(&state, &u.actor, &c, &req).await??;
    fresh(&state, &u, id).await
}

/// Refers the case to a partner organisation. Refused whole (422) when the partner does not
/// offer every requested service or does not serve the case's region. An assessed case moves
/// to referred with it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases", params(("id" = i64, Path)),
    request_body = ReferralInput, security(("bearer" = [])),
    responses((status = 201, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn refer(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReferralInput>,
) -> Result<(StatusCode, Json<CaseDetail>), ApiError> {
    let c = open_case(&state, &u, id).await?;
    cs::refer(&state, caller(&u), &u.actor, &c, &req).await?;
    Ok((StatusCode::CREATED, fresh(&state, &u, id).await?))
}

async fn referral_step(
    state: AppState,
    u: ApiUser,
    id: i64,
    action: ReferralAction,
    req: ReferralStepInput,
) -> Result<Json<CaseDetail>, ApiError> {
    cs::referral_step(&state, caller(&u), &u.actor, id, action, &req).await.map_err(|e| match e {
        OpError::NotFound => ApiError::NotFound("referral"),
        other => other.into(),
    })?;
    let case_id = cs::case_of_referral(&state, id).await.map_err(ApiError::or_not_found("referral"))?;
    fresh(&state, &u, case_id).await
}

/// Accepts a referral (users of the partner it was sent to). A referred case goes in progress.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", tag = "partners", params(("id" = i64, Path)),
    request_body = ReferralStepInput, security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReferralStepInput>,
) -> Result<Json<CaseDetail>, ApiError> {
    referral_step(state, u, id, ReferralAction::Accept, req).await
}

#[derive(Serialize, ToSchema)]
pub struct ReferralStatusView {
    pub referral_id: i64,
    pub status: String,
}

/// Declines a referral, with a reason (users of the partner). The partner then loses access to
/// the case, so the answer carries only the referral's new status.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/decline", tag = "partners", params(("id" = i64, Path)),
    request_body = ReferralStepInput, security(("bearer" = [])),
    responses((status = 200, body = ReferralStatusView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReferralStepInput>,
) -> Result<Json<ReferralStatusView>, ApiError> {
    cs::referral_step(&state, caller(&u), &u.actor, id, ReferralAction::Decline, &req).await.map_err(|e| match e {
        OpError::NotFound => ApiError::NotFound("referral"),
        other => other.into(),
    })?;
    Ok(Json(ReferralStatusView { referral_id: id, status: "declined".into() }))
}

/// Records services given under an accepted referral (users of the partner): each must be
/// one the partner offers.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/services", tag = "partners", params(("id" = i64, Path)),
    request_body = ReferralStepInput, security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn services(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReferralStepInput>,
) -> Result<Json<CaseDetail>, ApiError> {
    referral_step(state, u, id, ReferralAction::Services, req).await
}

/// Reports back and closes a referral (users of the partner; staff may withdraw one, with a
/// reason). When the last active referral is closed after services, the case is resolved.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/close", tag = "partners", params(("id" = i64, Path)),
    request_body = ReferralStepInput, security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReferralStepInput>,
) -> Result<Json<CaseDetail>, ApiError> {
    referral_step(state, u, id, ReferralAction::Close, req).await
}

#[derive(Serialize, ToSchema)]
pub struct PartnerReferral {
    pub referral_id: i64,
    pub case_id: i64,
    /// sent, accepted, declined, services_recorded, closed.
    pub status: String,
    pub status_date: String,
    pub services: Vec<String>,
    pub note: String,
    #[serde(rename = "case_type")]
    pub case_type: String,
    pub severity: String,
    pub case_status: String,
}

#[derive(Serialize, ToSchema)]
pub struct PartnerReferralList {
    pub partner_id: i64,
    pub items: Vec<PartnerReferral>,
}

/// The referrals sent to the caller's partner organisation (partner users only; the token is
/// bound to the organisation of its account).
#[utoipa::path(get, path = "/api/v1/partner/referrals", tag = "partners", security(("bearer" = [])),
    responses((status = 200, body = PartnerReferralList), (status = 403, body = ErrorBody)))]
pub async fn my_referrals(State(state): State<AppState>, u: ApiUser) -> Result<Json<PartnerReferralList>, ApiError> {
    let (partner_id, referrals) = cs::partner_referrals(&state, caller(&u)).await?;
    let mut items = Vec::new();
    // Declined referrals are listed without their case: access ended with the decline.
    for (r, case) in referrals {
        items.push(PartnerReferral {
            services: r.service_codes(),
            referral_id: r.id,
            case_id: r.case_id,
            status: r.status,
            status_date: r.status_date,
            note: if case.is_some() { r.note } else { String::new() },
            case_type: case.as_ref().map(|c| c.case_type.clone()).unwrap_or_default(),
            severity: case.as_ref().map(|c| c.severity.clone()).unwrap_or_default(),
            case_status: case.as_ref().map(|c| c.status.clone()).unwrap_or_default(),
        });
    }
    Ok(Json(PartnerReferralList { partner_id, items }))
}

/// Adds a note to the case's timeline (anyone who may open the case, partner users included).
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", params(("id" = i64, Path)),
    request_body = NoteInput, security(("bearer" = [])),
    responses((status = 201, body = CaseDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<NoteInput>,
) -> Result<(StatusCode, Json<CaseDetail>), ApiError> {
    let c = open_case(&state, &u, id).await?;
    cs::add_note(&state, caller(&u), &u.actor, &c, &req).await?;
    Ok((StatusCode::CREATED, fresh(&state, &u, id).await?))
}

/// Records or replaces the UU 21/2007 assessment of a trafficking case: process, means (not
/// needed for a child victim), purpose, form, victim's age at the time, screening result,
/// services needed, reintegration plan.
#[utoipa::path(put, path = "/api/v1/cases/{id}/trafficking", tag = "cases", params(("id" = i64, Path)),
    request_body = TraffickingForm, security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn trafficking(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<TraffickingForm>,
) -> Result<Json<CaseDetail>, ApiError> {
    let c = open_case(&state, &u, id).await?;
    cs::save_trafficking(&state, caller(&u), &u.actor, &c, &req).await?;
    fresh(&state, &u, id).await
}

/// Reads a multipart body's `file` field. Too large a body is `payload_too_large`.
pub(crate) async fn read_file_field(mp: &mut Multipart) -> Result<Option<(String, Vec<u8>)>, ApiError> {
    let fail = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest("malformed multipart body".into())
        }
    };
    let mut found = None;
    while let Some(field) = mp.next_field().await.map_err(fail)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            found = Some((name, field.bytes().await.map_err(fail)?.to_vec()));
        }
    }
    Ok(found)
}

/// Attaches a file (multipart field `file`): PDF, JPEG or PNG by content (an `.exe` renamed
/// `.pdf` is refused), at most 10 MB. Stored outside the database.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "cases", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`"), security(("bearer" = [])),
    responses((status = 201, body = CaseDetail), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn attach(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<Multipart>,
) -> Result<(StatusCode, Json<CaseDetail>), ApiError> {
    let c = open_case(&state, &u, id).await?;
    let mut mp = body
        .read()
        .await
        .map_err(|_| ApiError::UnsupportedMediaType("send multipart/form-data with a field `file`".into()))?;
    let Some((name, bytes)) = read_file_field(&mut mp).await? else {
        return Err(ApiError::Validation(domain::ValidationErrors::single(
            "file",
            domain::Rule::Required,
            "send the file in a multipart field named file",
        )));
    };
    cs::attach(&state, &u.actor, &c, &name, bytes).await?;
    Ok((StatusCode::CREATED, fresh(&state, &u, id).await?))
}

/// Builds a download: always as an attachment, never rendered inline, audited.
pub(crate) async fn download_response(
    state: &AppState,
    caller: Caller<'_>,
    actor: &app::Actor,
    case_id: i64,
    attachment_id: i64,
) -> Result<Option<Response>, app::Error> {
    let Some((a, bytes)) = cs::download(state, caller, actor, case_id, attachment_id).await? else { return Ok(None) };
    let disposition = format!("attachment; filename=\"{}\"", a.file_name.replace(['"', '\\', '\r', '\n'], "_"));
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(Some(resp))
}

/// Downloads an attachment (`Content-Disposition: attachment`, `nosniff`), to those who may
/// open the case; every download is audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{attachment_id}", tag = "cases",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    download_response(&state, caller(&u), &u.actor, id, attachment_id)
        .await
        .map_err(ApiError::or_not_found("case"))?
        .ok_or(ApiError::NotFound("attachment"))
}

#[derive(Deserialize, IntoParams)]
pub struct CaseListQuery {
    /// Keyset: only cases with a smaller id (the `next_before` of the previous page).
    #[param(minimum = 0)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    #[serde(rename = "type")]
    pub case_type: String,
    pub severity: String,
    pub village_code: String,
    pub status: String,
    pub due_on: Option<String>,
    pub overdue: bool,
    pub restricted: bool,
    /// Seen from a village the case was transferred from: its people are pseudonymised.
    pub pseudonymised: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// Cases the caller may open, newest first (no description or person).
    pub items: Vec<CaseSummary>,
    /// Always 0: kept for compatibility. A count of rows the caller may not open answered "is
    /// case N restricted" to `?limit=1&before=N` (docs/ACCESS.md, privacy rules).
    pub restricted_not_shown: usize,
    pub next_before: Option<i64>,
}

/// Cases in the caller's region that they may open, and a count of restricted ones they may
/// not; filters by type, status, overdue and "mine" (cases I handle). Partner users get the
/// cases referred to their organisation.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery, ListFilter), security(("bearer" = [])),
    responses((status = 200, body = CaseList)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<CaseListQuery>,
    Query(f): Query<ListFilter>,
) -> Result<Json<CaseList>, ApiError> {
    let limit = domain::paging::check(q.limit, 100, &[("before", q.before)])?;
    let mut errs = domain::ValidationErrors::new();
    if let Some(t) = f.case_type.as_deref().filter(|t| !t.trim().is_empty())
        && domain::cases::CaseType::parse(t).is_none()
    {
        errs.add("type", domain::Rule::OneOf, format!("one of {}", domain::cases::CaseType::codes()));
    }
    if let Some(t) = f.status.as_deref().filter(|t| !t.trim().is_empty())
        && domain::cases::CaseStatus::parse(t).is_none()
    {
        errs.add("status", domain::Rule::OneOf, format!("one of {}", domain::cases::CaseStatus::codes()));
    }
    errs.into_result()?;
    let page = cs::list(&state, caller(&u), &f, q.before, limit).await?;
    Ok(Json(CaseList {
        items: page.cases.into_iter().map(|c| summary(c, state.today())).collect(),
        restricted_not_shown: page.restricted,
        next_before: page.next_before,
    }))
}

/// Breaks the glass on a restricted case (issue 17): a village head, village officer or
/// facilitator whose scope covers the case, who may otherwise only know it exists, gets three
/// hours of read access on the application's clock, audited (`case.break_glass`) and listed for
/// the supervisors. The reason (20 to 2000 characters) is shown to them. Partner users,
/// analysts, cooperative managers and those who already open the case: 403; out of scope: 404.
#[utoipa::path(post, path = "/api/v1/cases/{id}/break-glass", tag = "cases", params(("id" = i64, Path)),
    request_body = cs::GlassInput, security(("bearer" = [])),
    responses((status = 201, body = cs::GlassGrant), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn break_glass(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<cs::GlassInput>>,
) -> Result<(StatusCode, Json<cs::GlassGrant>), ApiError> {
    cs::glass_check(&state, caller(&u), id).await.map_err(ApiError::or_not_found("case"))?;
    let ApiJson(req) = body.read().await?;
    let grant =
        cs::break_glass(&state, caller(&u), &u.actor, id, &req).await.map_err(ApiError::or_not_found("case"))?;
    Ok((StatusCode::CREATED, Json(grant)))
}

/// The break-the-glass grants of the last seven days on cases in the caller's region, newest
/// first, with who asked, the reason and until when: for supervisors (regency and province
/// officers, national admins); an empty list for everyone else.
#[utoipa::path(get, path = "/api/v1/break-glass-grants", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<cs::GrantNotice>)))]
pub async fn grants(State(state): State<AppState>, u: ApiUser) -> Result<Json<Vec<cs::GrantNotice>>, ApiError> {
    Ok(Json(cs::recent_grants(&state, &u.principal).await?))
}

/// Moves a case to another village (its handler or a supervisor over its village). The
/// handler stays only when their scope covers the new village. Whoever saw the case through
/// the village it left still finds it, with its people pseudonymised (docs/ACCESS.md).
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer", tag = "cases", params(("id" = i64, Path)),
    request_body = cs::TransferInput, security(("bearer" = [])),
    responses((status = 200, body = TransferView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<cs::TransferInput>>,
) -> Result<Json<TransferView>, ApiError> {
    let c = open_case(&state, &u, id).await?;
    if c.pseudonym.is_some() || !cs::can_manage(caller(&u), &c) {
        return Err(ApiError::Forbidden);
    }
    let ApiJson(req) = body.read().await?;
    let moved = cs::transfer(&state, caller(&u), &u.actor, id, &req).await.map_err(ApiError::or_not_found("case"))?;
    Ok(Json(TransferView {
        id: moved.id,
        from_village: c.village_code,
        village_code: moved.village_code,
        handler_user_id: moved.handler_user_id,
    }))
}

/// A case after its transfer (the caller may no longer open it: GET it to see).
#[derive(Serialize, ToSchema)]
pub struct TransferView {
    pub id: i64,
    pub from_village: String,
    /// Its village from now on.
    pub village_code: String,
    /// Kept when the handler's scope covers the new village; null otherwise.
    pub handler_user_id: Option<i64>,
}
