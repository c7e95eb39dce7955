//! National ids over the API (issue 19): a person's SIAPkerja and ID PMI numbers, an episode's
//! Sisko P2MI and E-KPMI ids, the Dukcapil re-check and the BPJS Ketenagakerjaan import.
//! docs/NATIONAL_IDS.md.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody, FieldErrorBody};
use crate::national_ids::{self as ni, PersonNational};
use axum::Json;
use axum::extract::{Path, State};
use domain::access::Action;
use domain::national_ids::ExternalIdKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct BpjsView {
    /// KPJ, 11 digits.
    pub number: String,
    /// aktif or nonaktif.
    pub status: String,
    /// YYYY-MM-DD.
    pub valid_until: String,
}

#[derive(Serialize, ToSchema)]
pub struct DukcapilView {
    /// verified, mismatch or not_verified.
    pub status: String,
    /// The fields that differ from the population register (mismatch): nik, full_name, birth_date, sex.
    pub mismatched: Vec<String>,
    /// Why there was no answer (not_verified): unreachable, timeout, refused, bad_answer.
    pub reason: Option<String>,
    /// When the check was made (RFC 3339).
    pub checked_at: String,
}

/// What national systems know of the person (identity data: empty for roles that do not see NIKs).
#[derive(Serialize, ToSchema)]
pub struct NationalView {
    pub siapkerja_id: Option<String>,
    pub id_pmi: Option<String>,
    pub bpjs: Option<BpjsView>,
    /// The latest Dukcapil check; absent when none was made.
    pub dukcapil: Option<DukcapilView>,
}

pub fn dukcapil_view(c: ni::Check) -> DukcapilView {
    DukcapilView {
        mismatched: c.mismatched.split(',').filter(|f| !f.is_empty()).map(String::from).collect(),
        reason: Some(c.reason).filter(|r| !r.is_empty()),
        checked_at: super::auth::rfc3339(c.checked_at),
        status: c.status,
    }
}

pub fn national_view(n: PersonNational) -> NationalView {
    let id = |k: ExternalIdKind| Some(n.id(k).to_string()).filter(|v| !v.is_empty());
    NationalView {
        siapkerja_id: id(ExternalIdKind::SiapkerjaRegistration),
        id_pmi: id(ExternalIdKind::IdPmi),
        bpjs: n.membership.clone().map(|m| BpjsView { number: m.number, status: m.status, valid_until: m.valid_until }),
        dukcapil: n.check.clone().map(dukcapil_view),
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"siapkerja_id": "SK-2026-0012345", "id_pmi": "PMI5307000123"}))]
pub struct PersonIdsRequest {
    /// SIAPkerja registration number; "" clears it, absent leaves it as it is.
    pub siapkerja_id: Option<String>,
    /// ID PMI; "" clears it, absent leaves it as it is.
    pub id_pmi: Option<String>,
}

/// Sets a person's SIAPkerja registration and ID PMI (3–40 letters, digits, `.`, `-`, `/`;
/// stored in upper case). A number already on another person is refused (422, `taken`).
#[utoipa::path(put, path = "/api/v1/persons/{id}/external-ids", tag = "persons", params(("id" = i64, Path)),
    request_body = PersonIdsRequest, security(("bearer" = [])),
    responses((status = 200, body = NationalView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_person_ids(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<PersonIdsRequest>>,
) -> Result<Json<NationalView>, ApiError> {
    let person = crate::people::editable(&state, &u.principal, id).await.map_err(ApiError::or_not_found("person"))?;
    let ApiJson(req) = body.read().await?;
    let mut values = Vec::new();
    if let Some(v) = req.siapkerja_id.as_deref() {
        values.push((ExternalIdKind::SiapkerjaRegistration, v));
    }
    if let Some(v) = req.id_pmi.as_deref() {
        values.push((ExternalIdKind::IdPmi, v));
    }
    ni::set_person_ids(&state, &u.principal, &u.actor, id, &values).await.map_err(ApiError::or_not_found("person"))?;
    Ok(Json(national_view(ni::of_person(&state, &u.principal, &person).await?)))
}

/// Checks the person's NIK, name, birth date and sex against Dukcapil again and stores the
/// outcome (422 `dukcapil` when the adapter is not configured on this server).
#[utoipa::path(post, path = "/api/v1/persons/{id}/dukcapil-check", tag = "persons", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = DukcapilView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn dukcapil_check(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<DukcapilView>, ApiError> {
    let c = ni::recheck(&state, &u.principal, &u.actor, id).await.map_err(ApiError::or_not_found("person"))?;
    Ok(Json(dukcapil_view(c)))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"sisko_id": "SISKO-2026-0001234", "ekpmi_id": "EKPMI0012345678"}))]
pub struct EpisodeIdsRequest {
    /// Sisko P2MI id; "" clears it, absent leaves it as it is.
    pub sisko_id: Option<String>,
    /// E-KPMI (E-PMI) number; "" clears it, absent leaves it as it is.
    pub ekpmi_id: Option<String>,
}

/// Sets an episode's Sisko P2MI and E-KPMI ids (the format of the person's ids).
#[utoipa::path(put, path = "/api/v1/episodes/{id}/external-ids", tag = "episodes", params(("id" = i64, Path)),
    request_body = EpisodeIdsRequest, security(("bearer" = [])),
    responses((status = 200, body = super::episodes::EpisodeDetail), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_episode_ids(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<EpisodeIdsRequest>>,
) -> Result<Json<super::episodes::EpisodeDetail>, ApiError> {
    crate::episodes::editable_episode(&state, &u.principal, id).await.map_err(ApiError::or_not_found("episode"))?;
    let ApiJson(req) = body.read().await?;
    ni::set_episode_ids(&state, &u.principal, &u.actor, id, req.sisko_id.as_deref(), req.ekpmi_id.as_deref())
        .await
        .map_err(ApiError::or_not_found("episode"))?;
    super::episodes::respond(&state, &u, id).await
}

#[derive(Serialize, ToSchema)]
pub struct ImportRowError {
    /// The spreadsheet row (the header is row 1).
    pub row: u64,
    pub field: String,
    pub rule: String,
    /// The sentence for people, in the request's language.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<ImportRowError>,
}

/// Imports BPJS Ketenagakerjaan memberships from CSV (`,` or `;`; columns `nik`,
/// `bpjs_number` (KPJ, 11 digits), `status` (aktif or nonaktif), `valid_until` (YYYY-MM-DD)).
/// Rows are matched by NIK among the people you may edit; each refused row is reported with
/// its row number and reason; importing the same file again reports everything unchanged.
#[utoipa::path(post, path = "/api/v1/imports/bpjs", tag = "persons",
    request_body(content = String, content_type = "text/csv", description = "nik,bpjs_number,status,valid_until"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_bpjs(
    State(state): State<AppState>,
    u: ApiUser,
    headers: axum::http::HeaderMap,
    body: Unread<axum::body::Bytes>,
) -> Result<Json<ImportReport>, ApiError> {
    // The role first: a role that never edits people does not get its file read.
    if !u.principal.may_ever(Action::EditPerson) {
        return Err(ApiError::Forbidden);
    }
    let ct = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(essence.as_str(), "text/csv" | "application/csv" | "text/plain") {
        return Err(ApiError::UnsupportedMediaType("send the file as Content-Type: text/csv".into()));
    }
    let bytes = body.read().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })?;
    let r = ni::import_bpjs(&state, &u.principal, &u.actor, &bytes).await?;
    Ok(Json(ImportReport {
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        errors: r
            .errors
            .into_iter()
            .map(|e| {
                let b = FieldErrorBody::from_field_error(e.error);
                ImportRowError { row: e.row, field: b.field, rule: b.rule, message: b.message }
            })
            .collect(),
    }))
}
