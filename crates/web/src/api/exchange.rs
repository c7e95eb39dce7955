//! The partner data exchange (`/api/v1/exchange/…`), partner API clients (`/api/v1/api-clients`),
//! data subject rights on a person (`/api/v1/persons/{id}/…`) and the public portal's API
//! (`/api/v1/public/…`, no token).

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::exchange::{Caller, exchange_refused, refused, rfc3339};
use app::exchange::{
    Client, Correction, ExchangeAgency, ExchangeEpisode, ExchangeJobOrder, ExchangePerson, ExportFormat,
    PurposeConsent, SyncPage, SyncRequest,
};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `Query<T>` whose rejection is a JSON 400 naming the problem.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

/// `Path<T>` whose rejection is a JSON 400 (e.g. an id that is not a number).
pub struct Path<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

// ---------------------------------------------------------------------------------------------
// Sync lists

#[derive(Deserialize, IntoParams)]
pub struct SyncQuery {
    /// `next_cursor` of the previous page, unchanged (signed; a changed cursor is refused with 400).
    pub cursor: Option<String>,
    /// RFC 3339: only records changed at or after this time (ignored when a cursor is given).
    pub updated_since: Option<String>,
    /// Page size, 1–1000 (default 100); larger is refused with 400.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

impl SyncQuery {
    fn request(&self) -> SyncRequest<'_> {
        SyncRequest { cursor: self.cursor.as_deref(), updated_since: self.updated_since.as_deref(), limit: self.limit }
    }
}

/// People changed since the cursor, for mirroring. Partner clients need `persons:read`, get
/// only their region, never restricted people, and personal fields only where the person's
/// consent covers their purpose.
#[utoipa::path(get, path = "/api/v1/exchange/persons", tag = "exchange", params(SyncQuery), security(("bearer" = [])),
    responses((status = 200, body = SyncPage<ExchangePerson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sync_persons(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<SyncQuery>,
) -> Result<Json<SyncPage<ExchangePerson>>, ApiError> {
    Ok(Json(app::exchange::person_changes(&state, &caller, &q.request()).await?))
}

/// One person as the exchange gives it (404 when absent, outside your region or restricted: the
/// same answer, so ids cannot be probed).
#[utoipa::path(get, path = "/api/v1/exchange/persons/{id}", tag = "exchange", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 200, body = ExchangePerson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<Json<ExchangePerson>, ApiError> {
    let p = app::exchange::person(&state, &caller, id).await.map_err(exchange_refused("person"))?;
    Ok(Json(p))
}

/// Migration episodes changed since the cursor (needs `episodes:read`; restricted people left out).
#[utoipa::path(get, path = "/api/v1/exchange/episodes", tag = "exchange", params(SyncQuery), security(("bearer" = [])),
    responses((status = 200, body = SyncPage<ExchangeEpisode>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sync_episodes(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<SyncQuery>,
) -> Result<Json<SyncPage<ExchangeEpisode>>, ApiError> {
    Ok(Json(app::exchange::episode_changes(&state, &caller, &q.request()).await?))
}

/// The placement-company registry, changed since the cursor (needs `agencies:read`).
#[utoipa::path(get, path = "/api/v1/exchange/agencies", tag = "exchange", params(SyncQuery), security(("bearer" = [])),
    responses((status = 401, body = ErrorBody), (status = 200, body = SyncPage<ExchangeAgency>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sync_agencies(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<SyncQuery>,
) -> Result<Json<SyncPage<ExchangeAgency>>, ApiError> {
    Ok(Json(app::exchange::agency_changes(&state, &caller, &q.request()).await?))
}

/// Job orders changed since the cursor (needs `job_orders:read`).
#[utoipa::path(get, path = "/api/v1/exchange/job-orders", tag = "exchange", params(SyncQuery), security(("bearer" = [])),
    responses((status = 401, body = ErrorBody), (status = 200, body = SyncPage<ExchangeJobOrder>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sync_job_orders(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<SyncQuery>,
) -> Result<Json<SyncPage<ExchangeJobOrder>>, ApiError> {
    Ok(Json(app::exchange::job_order_changes(&state, &caller, &q.request()).await?))
}

// ---------------------------------------------------------------------------------------------
// Bulk export

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `csv` or `ndjson` (one JSON object per line).
    pub format: Option<String>,
    /// RFC 3339: only records changed at or after this time.
    pub updated_since: Option<String>,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

const CSV_COLUMNS: [&str; 17] = [
    "id",
    "nik",
    "kk_number",
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "birth_place",
    "village_code",
    "address",
    "phone",
    "contact_abroad",
    "category",
    "under_investigation",
    "restricted",
    "updated_at",
    "consent",
];

fn csv_line(p: &ExchangePerson) -> String {
    let o = |v: &Option<String>| csv_field(v.as_deref().unwrap_or(""));
    let cells = [
        p.id.to_string(),
        o(&p.nik),
        o(&p.kk_number),
        o(&p.full_name),
        csv_field(&p.sex),
        o(&p.birth_date),
        p.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        o(&p.birth_place),
        csv_field(&p.village_code),
        o(&p.address),
        o(&p.phone),
        o(&p.contact_abroad),
        csv_field(&p.category),
        p.under_investigation.to_string(),
        p.restricted.to_string(),
        p.updated_at.clone(),
        p.consent.unwrap_or("").to_string(),
    ];
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

/// Every person the caller may receive, streamed as CSV or NDJSON in batches of 1,000 (memory
/// stays flat whatever the count). The same consent × purpose rule as the sync list applies.
/// One audit entry records the export and its region.
#[utoipa::path(get, path = "/api/v1/exchange/persons/export", tag = "exchange", params(ExportQuery), security(("bearer" = [])),
    responses((status = 401, body = ErrorBody), (status = 200, description = "CSV or NDJSON, streamed", content((String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn export_persons(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let mut export =
        app::exchange::start_export(&state, &caller, q.format.as_deref(), q.updated_since.as_deref()).await?;
    let ndjson = export.format == ExportFormat::Ndjson;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if !ndjson {
            let mut head = CSV_COLUMNS.join(",");
            head.push_str("\r\n");
            if tx.send(Ok(Bytes::from(head))).await.is_err() {
                return;
            }
        }
        loop {
            let people = match export.next_batch().await {
                Ok(p) if p.is_empty() => return,
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "export batch failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            let mut buf = String::with_capacity(people.len() * 200);
            for p in &people {
                if ndjson {
                    buf.push_str(&serde_json::to_string(p).unwrap_or_default());
                    buf.push('\n');
                } else {
                    buf.push_str(&csv_line(p));
                }
            }
            if tx.send(Ok(Bytes::from(buf))).await.is_err() {
                return;
            }
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let (ctype, ext) = if ndjson { ("application/x-ndjson", "ndjson") } else { ("text/csv; charset=utf-8", "csv") };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"persons.{ext}\"")),
        ],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// API clients (national admins)

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"organisation": "IOM Indonesia", "purpose": "trafficking_response",
    "scopes": ["persons:read", "episodes:read"], "region_code": "53", "expires_on": "2027-06-30", "rate_per_minute": 120}))]
pub struct CreateClient {
    #[serde(default)]
    pub organisation: String,
    /// health_services, trafficking_response, cooperative_supervision, statistics, social_assistance, placement_protection
    #[serde(default)]
    pub purpose: String,
    /// resource:read or resource:write; resources persons, episodes, cases, job_orders, agencies
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Empty or absent: the whole country.
    #[serde(default)]
    pub region_code: Option<String>,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub rate_per_minute: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ClientView {
    pub id: i64,
    pub organisation: String,
    pub purpose: String,
    pub scopes: Vec<String>,
    pub region_code: Option<String>,
    pub expires_at: String,
    pub rate_per_minute: i64,
    /// The token's first characters, to recognise it.
    pub token_hint: String,
    pub revoked: bool,
    /// Only in the answer that created or rotated it: keep it now, it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl ClientView {
    fn of(c: Client, token: Option<String>) -> ClientView {
        ClientView {
            id: c.id,
            organisation: c.organisation,
            purpose: c.purpose,
            scopes: c.scopes.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
            region_code: c.region_code,
            expires_at: rfc3339(c.expires_at),
            rate_per_minute: c.rate_per_minute,
            token_hint: c.token_hint,
            revoked: c.revoked_at.is_some(),
            token,
        }
    }
}

/// Registers a partner organisation's API client; the answer holds its token, shown once.
#[utoipa::path(post, path = "/api/v1/api-clients", tag = "exchange", request_body = CreateClient, security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = ClientView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_client(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreateClient>,
) -> Result<(StatusCode, Json<ClientView>), ApiError> {
    let input = domain::exchange::ClientInput {
        organisation: &req.organisation,
        purpose: &req.purpose,
        scopes: &req.scopes,
        region_code: req.region_code.as_deref().unwrap_or(""),
        expires_on: &req.expires_on,
        rate_per_minute: req.rate_per_minute,
    };
    let (client, token) = app::exchange::create_client(&state, &u.principal, &u.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(ClientView::of(client, Some(token)))))
}

#[derive(Serialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientView>,
}

/// Every API client (national admins); tokens are never listed.
#[utoipa::path(get, path = "/api/v1/api-clients", tag = "exchange", security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 200, body = ClientList), (status = 403, body = ErrorBody)))]
pub async fn list_clients(State(state): State<AppState>, u: ApiUser) -> Result<Json<ClientList>, ApiError> {
    let clients = app::exchange::clients(&state, &u.principal).await?;
    Ok(Json(ClientList { items: clients.into_iter().map(|c| ClientView::of(c, None)).collect() }))
}

/// A new token for the client; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/api-clients/{id}/rotate", tag = "exchange", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 200, body = ClientView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rotate_client(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ClientView>, ApiError> {
    let (c, token) =
        app::exchange::rotate_client(&state, &u.principal, &u.actor, id).await.map_err(refused("live api client"))?;
    Ok(Json(ClientView::of(c, Some(token))))
}

/// Revokes the client for good: its token is refused from the next call on.
#[utoipa::path(post, path = "/api/v1/api-clients/{id}/revoke", tag = "exchange", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 200, body = ClientView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_client(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ClientView>, ApiError> {
    let c =
        app::exchange::revoke_client(&state, &u.principal, &u.actor, id).await.map_err(refused("live api client"))?;
    Ok(Json(ClientView::of(c, None)))
}

// ---------------------------------------------------------------------------------------------
// Data subject rights on a person

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"purpose": "trafficking_response", "granted": true, "given_on": "2026-01-20"}))]
pub struct ConsentInput {
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub granted: bool,
    #[serde(default)]
    pub given_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsentView {
    pub id: i64,
    pub purpose: String,
    pub granted: bool,
    pub given_on: String,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsentList {
    /// Newest first; the latest answer per purpose counts.
    pub items: Vec<ConsentView>,
}

impl ConsentList {
    fn of(consents: Vec<PurposeConsent>) -> ConsentList {
        ConsentList {
            items: consents
                .into_iter()
                .map(|c| ConsentView {
                    id: c.id,
                    purpose: c.purpose,
                    granted: c.granted,
                    given_on: c.given_on,
                    recorded_by: c.recorded_by_name,
                    recorded_at: rfc3339(c.recorded_at),
                })
                .collect(),
        }
    }
}

/// Records the person's consent (or refusal, or withdrawal) to sharing for one purpose.
#[utoipa::path(post, path = "/api/v1/persons/{id}/purpose-consents", tag = "privacy", params(("id" = i64, Path)),
    request_body = ConsentInput, security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = ConsentList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_consent(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ConsentInput>,
) -> Result<(StatusCode, Json<ConsentList>), ApiError> {
    let consents = app::exchange::add_purpose_consent(
        &state,
        &u.principal,
        &u.actor,
        id,
        &req.purpose,
        req.granted,
        &req.given_on,
    )
    .await
    .map_err(refused("person"))?;
    Ok((StatusCode::CREATED, Json(ConsentList::of(consents))))
}

/// The person's consent answers by purpose.
#[utoipa::path(get, path = "/api/v1/persons/{id}/purpose-consents", tag = "privacy", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 200, body = ConsentList), (status = 404, body = ErrorBody)))]
pub async fn list_consents(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ConsentList>, ApiError> {
    let consents = app::exchange::purpose_consents(&state, &u.principal, id).await.map_err(refused("person"))?;
    Ok(Json(ConsentList::of(consents)))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[schema(example = json!({"restricted": true, "note": "The person objects to sharing while the complaint is examined"}))]
pub struct RestrictionInput {
    #[serde(default)]
    pub restricted: bool,
    #[serde(default)]
    pub note: String,
}

/// Sets or lifts the restriction of processing: a restricted person is left out of every
/// partner exchange (partners receive a `restricted` deletion) and shown as restricted.
#[utoipa::path(put, path = "/api/v1/persons/{id}/restriction", tag = "privacy", params(("id" = i64, Path)),
    request_body = RestrictionInput, security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 200, body = RestrictionInput), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_restriction(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RestrictionInput>,
) -> Result<Json<RestrictionInput>, ApiError> {
    let note = app::exchange::set_restriction(&state, &u.principal, &u.actor, id, req.restricted, &req.note)
        .await
        .map_err(refused("person"))?;
    Ok(Json(RestrictionInput { restricted: req.restricted, note }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"fields": "birth_date", "description": "Birth date is 1990-05-21 per the birth certificate"}))]
pub struct CorrectionInput {
    #[serde(default)]
    pub fields: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionView {
    pub id: i64,
    pub fields: String,
    pub description: String,
    /// open, done or refused
    pub status: String,
    pub resolution: String,
    pub recorded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionList {
    pub items: Vec<CorrectionView>,
}

impl CorrectionList {
    fn of(corrections: Vec<Correction>) -> CorrectionList {
        CorrectionList {
            items: corrections
                .into_iter()
                .map(|c| CorrectionView {
                    id: c.id,
                    fields: c.fields,
                    description: c.description,
                    status: c.status,
                    resolution: c.resolution,
                    recorded_at: rfc3339(c.recorded_at),
                })
                .collect(),
        }
    }
}

/// Records a correction request from the person (the officer then corrects the record).
#[utoipa::path(post, path = "/api/v1/persons/{id}/corrections", tag = "privacy", params(("id" = i64, Path)),
    request_body = CorrectionInput, security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 201, body = CorrectionList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_correction(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CorrectionInput>,
) -> Result<(StatusCode, Json<CorrectionList>), ApiError> {
    let corrections = app::exchange::add_correction(&state, &u.principal, &u.actor, id, &req.fields, &req.description)
        .await
        .map_err(refused("person"))?;
    Ok((StatusCode::CREATED, Json(CorrectionList::of(corrections))))
}

/// The person's correction requests, newest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/corrections", tag = "privacy", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 200, body = CorrectionList), (status = 404, body = ErrorBody)))]
pub async fn list_corrections(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CorrectionList>, ApiError> {
    let corrections = app::exchange::corrections(&state, &u.principal, id).await.map_err(refused("person"))?;
    Ok(Json(CorrectionList::of(corrections)))
}

/// Deletes a record registered by mistake (no episodes, cases, counselling or outreach
/// attendance); partners receive a deletion. 409 when the record has such history.
#[utoipa::path(delete, path = "/api/v1/persons/{id}", tag = "privacy", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_person(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    match app::exchange::delete_person(&state, &u.principal, &u.actor, id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(app::exchange::DeleteError::HasHistory) => Err(ApiError::Conflict(
            "the person has episodes, cases, counselling or outreach records; correct the record or restrict processing instead"
                .into(),
        )),
        Err(app::exchange::DeleteError::Refused(e)) => Err(refused("person")(e)),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SubjectAccessQuery {
    /// `json` (default) or `pdf`.
    pub format: Option<String>,
}

/// Everything held about the person (UU 27/2022 right of access): the record, family links,
/// consents, episodes with their events, counselling, cases (restricted ones counted only),
/// correction requests, and who accessed the record (audit log). JSON, or `?format=pdf`.
#[utoipa::path(get, path = "/api/v1/persons/{id}/subject-access", tag = "privacy", params(("id" = i64, Path), SubjectAccessQuery),
    security(("bearer" = [])),
    responses((status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 200, description = "The report as JSON, or as PDF with `?format=pdf`", content((Object = "application/json"), (Vec<u8> = "application/pdf"))), (status = 404, body = ErrorBody)))]
pub async fn subject_access(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<SubjectAccessQuery>,
) -> Result<Response, ApiError> {
    let pdf = match q.format.as_deref().unwrap_or("json") {
        "json" => false,
        "pdf" => true,
        _ => {
            // Access first: a person the caller may not see answers 404 whatever the format.
            app::exchange::subject(&state, &u.principal, id).await.map_err(refused("person"))?;
            return Err(ApiError::BadRequest("format must be json or pdf".into()));
        }
    };
    let report = app::exchange::subject_access(&state, &u.principal, &u.actor, id).await.map_err(refused("person"))?;
    if pdf {
        let r = crate::privacy::to_report(&report, crate::i18n::T::new(crate::i18n::Lang::Id));
        Ok(crate::download::report(&r, crate::download::Format::Pdf, &format!("data-pribadi-{id}")))
    } else {
        Ok(Json(report).into_response())
    }
}

// ---------------------------------------------------------------------------------------------
// Public portal API (no token)

#[derive(Deserialize, IntoParams)]
pub struct PublicAgencyQuery {
    /// Part of the name, or the licence number.
    pub q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicAgencyItem {
    pub name: String,
    pub licence_number: String,
    /// active, suspended or revoked
    pub status: String,
    pub valid_until: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"items": [{"name": "PT Maju Bersama", "licence_number": "KEP.123/2024", "status": "active", "valid_until": "2029-01-01"}]}))]
pub struct PublicAgencyList {
    /// Empty: not in the registry of licensed companies — do not go with this recruiter.
    pub items: Vec<PublicAgencyItem>,
    /// Only when `items` is empty: registered companies one or two letters from what was typed
    /// ("did you mean …?"), nearest first, each with its status. Absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<PublicAgencyItem>,
}

/// Is this placement company licensed? Search by name or licence number; no token needed.
#[utoipa::path(get, path = "/api/v1/public/agencies", tag = "public", params(PublicAgencyQuery),
    responses((status = 400, body = ErrorBody), (status = 200, body = PublicAgencyList)))]
pub async fn public_agencies(
    State(state): State<AppState>,
    Query(q): Query<PublicAgencyQuery>,
) -> Result<Json<PublicAgencyList>, ApiError> {
    let found = crate::portal::check_agency(&state, q.q.as_deref().unwrap_or("")).await?;
    let item = |a: crate::portal::PublicAgency| PublicAgencyItem {
        name: a.name,
        licence_number: a.licence_number,
        status: a.status,
        valid_until: a.valid_until,
    };
    Ok(Json(PublicAgencyList {
        items: found.hits.into_iter().map(item).collect(),
        suggestions: found.suggestions.into_iter().map(item).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "7KQ2-MX4P", "valid": true, "destination": "TW", "job_type": "elderly_carer",
    "salary_amount": 20000, "salary_currency": "TWD", "worker_costs_rupiah": 0, "agency_name": "PT Maju Bersama",
    "agency_licence_number": "KEP.123/2024", "agency_status": "active", "valid_from": "2026-01-01", "valid_until": "2026-12-31"}))]
pub struct PublicJob {
    pub code: String,
    /// Verified, not expired, from an active licensed agency: may be trusted (still check costs).
    pub valid: bool,
    pub destination: String,
    pub job_type: String,
    pub salary_amount: i64,
    pub salary_currency: String,
    pub worker_costs_rupiah: i64,
    pub agency_name: String,
    pub agency_licence_number: String,
    pub agency_status: String,
    pub valid_from: String,
    pub valid_until: String,
}

/// Is this job offer real? Checks the code printed on a flyer (404: no such code — do not trust the offer).
#[utoipa::path(get, path = "/api/v1/public/job-orders/{code}", tag = "public", params(("code" = String, Path, description = "e.g. 7KQ2-MX4P")),
    responses((status = 400, body = ErrorBody), (status = 200, body = PublicJob), (status = 404, body = ErrorBody)))]
pub async fn public_job(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<PublicJob>, ApiError> {
    let found = crate::portal::job_by_code(&state, &code).await?.ok_or(ApiError::NotFound("job order code"))?;
    let (code, jo, licence) = found;
    let valid = jo.why_not_selectable(state.today()).is_none();
    let worker_costs_rupiah = jo.total_costs();
    Ok(Json(PublicJob {
        code: code.display(),
        valid,
        destination: jo.destination,
        job_type: jo.job_type,
        salary_amount: jo.salary_amount,
        salary_currency: jo.salary_currency,
        worker_costs_rupiah,
        agency_name: jo.agency_name,
        agency_licence_number: licence,
        agency_status: jo.agency_status,
        valid_from: jo.valid_from,
        valid_until: jo.valid_until,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct MissionQuery {
    /// ISO country code, e.g. MY.
    pub country: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"country": "MY", "kind": "kbri", "name": "KBRI Kuala Lumpur", "city": "Kuala Lumpur",
    "address": "233 Jalan Tun Razak, 50400 Kuala Lumpur", "phone": "+60 3-2116 4000", "hotline": "", "email": "",
    "website": "https://kemlu.go.id/kualalumpur", "verified": false}))]
pub struct MissionView {
    pub country: String,
    /// kbri, kjri, kdei or other
    pub kind: String,
    pub name: String,
    pub city: String,
    pub address: String,
    pub phone: String,
    pub hotline: String,
    pub email: String,
    pub website: String,
    /// False until a national admin checked the details against the ministry's list.
    pub verified: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MissionList {
    pub items: Vec<MissionView>,
}

/// Indonesian missions abroad (embassies, consulates, KDEI Taipei) with address, phone and hotline.
#[utoipa::path(get, path = "/api/v1/public/missions", tag = "public", params(MissionQuery),
    responses((status = 200, body = MissionList), (status = 400, body = ErrorBody)))]
pub async fn public_missions(
    State(state): State<AppState>,
    Query(q): Query<MissionQuery>,
) -> Result<Json<MissionList>, ApiError> {
    let items = app::exchange::public_missions(&state, q.country.as_deref())
        .await?
        .into_iter()
        .map(|m| MissionView {
            country: m.country,
            kind: m.kind,
            name: m.name,
            city: m.city,
            address: m.address,
            phone: m.phone,
            hotline: m.hotline,
            email: m.email,
            website: m.website,
            verified: m.verified,
        })
        .collect();
    Ok(Json(MissionList { items }))
}
