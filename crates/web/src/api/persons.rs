//! People (pillar 1) and the NIK check. Contract routes: `POST /persons`, `GET /persons?nik=`,
//! `GET /persons/{id}`, `POST /nik/check`.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody};
use crate::people::{self, Person, RegisterError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::nik::{NikIssue, Sex};
use domain::person::{NewPersonInput, parse_date};
use domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"nik": "5307015205900001", "birth_date": "1990-05-12", "sex": "P"}))]
pub struct NikCheckRequest {
    #[serde(default)]
    pub nik: String,
    /// Declared birth date, YYYY-MM-DD (optional).
    pub birth_date: Option<String>,
    /// Declared sex, L or P (M/F accepted; optional).
    pub sex: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IssueView {
    pub code: String,
    pub message: String,
}

impl From<NikIssue> for IssueView {
    fn from(i: NikIssue) -> Self {
        IssueView { code: i.code.to_string(), message: i.message }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NikCheckResponse {
    /// False only when there are errors; warnings leave it true.
    pub valid: bool,
    pub errors: Vec<IssueView>,
    pub warnings: Vec<IssueView>,
    /// District of first registration read from the NIK (`53.07.01`).
    pub region_code: Option<String>,
    /// Birth date read from the NIK (YYYY-MM-DD).
    pub birth_date: Option<String>,
    /// Sex read from the NIK (L or P).
    pub sex: Option<String>,
}

/// Checks a NIK and its agreement with a declared birth date and sex.
#[utoipa::path(post, path = "/api/v1/nik/check", tag = "persons", request_body = NikCheckRequest, security(("bearer" = [])),
    responses((status = 200, body = NikCheckResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn nik_check(
    State(state): State<AppState>,
    _u: ApiUser,
    ApiJson(req): ApiJson<NikCheckRequest>,
) -> Result<Json<NikCheckResponse>, ApiError> {
    let mut errs = ValidationErrors::new();
    let birth = match req.birth_date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date(s).or_else(|| {
            errs.add("birth_date", Rule::Format, "a date such as 1990-05-12");
            None
        }),
        None => None,
    };
    let sex = match req.sex.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Sex::parse(s).or_else(|| {
            errs.add("sex", Rule::OneOf, "L or P (M or F also accepted)");
            None
        }),
        None => None,
    };
    errs.into_result()?;
    let regions = state.region_index().await?;
    let c = domain::nik::check(&req.nik, birth, sex, regions.as_ref(), state.today());
    Ok(Json(NikCheckResponse {
        valid: c.valid(),
        region_code: c.district_code.clone(),
        birth_date: c.birth_date.map(|d| d.to_string()),
        sex: c.sex.map(|s| s.as_str().to_string()),
        errors: c.errors.into_iter().map(Into::into).collect(),
        warnings: c.warnings.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"nik": "5307015205900001", "kk_number": "5307010101100002", "full_name": "Maria Goreti",
    "sex": "P", "birth_date": "1990-05-12", "birth_place": "Maumere", "village_code": "53.07.01.2001", "phone": "081234567890"}))]
pub struct CreatePerson {
    #[serde(default)]
    pub nik: String,
    #[serde(default)]
    pub kk_number: Option<String>,
    #[serde(default)]
    pub full_name: String,
    /// L or P (M or F accepted).
    #[serde(default)]
    pub sex: String,
    /// YYYY-MM-DD (DD-MM-YYYY accepted).
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub birth_place: Option<String>,
    /// The village the person lives in now.
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub contact_abroad: Option<String>,
    /// prospective (default), abroad, returned or family.
    #[serde(default)]
    pub category: Option<String>,
    /// Send true to save despite NIK warnings (kept on the record for verification).
    #[serde(default)]
    pub confirm_warnings: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub nik: String,
    pub kk_number: Option<String>,
    pub full_name: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub village_code: String,
    pub address: String,
    pub phone: String,
    pub contact_abroad: String,
    pub category: String,
    /// NIK warnings confirmed at registration.
    pub nik_warnings: Vec<String>,
    pub under_investigation: bool,
    pub created_at: String,
    pub updated_at: String,
    /// The record's version: 1 when registered, one more on every change. An edit
    /// (`PATCH /api/v1/persons/{id}`) sends the version it started from as `base_version`.
    pub version: i64,
    /// National ids, BPJS Ketenagakerjaan membership and the Dukcapil check (one person only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national: Option<super::national_ids::NationalView>,
}

impl From<Person> for PersonView {
    fn from(p: Person) -> Self {
        PersonView {
            nik_warnings: p.warnings().into_iter().map(String::from).collect(),
            id: p.id,
            nik: p.nik,
            kk_number: p.kk_number,
            full_name: p.full_name,
            sex: p.sex,
            birth_date: p.birth_date,
            birth_place: p.birth_place,
            village_code: p.village_code,
            address: p.address,
            phone: p.phone,
            contact_abroad: p.contact_abroad,
            category: p.category,
            under_investigation: p.under_investigation,
            created_at: super::auth::rfc3339(p.created_at),
            updated_at: super::auth::rfc3339(p.updated_at),
            version: p.version,
            national: None,
        }
    }
}

/// Registers a person. A NIK with warnings is refused (422) unless `confirm_warnings` is true.
#[utoipa::path(post, path = "/api/v1/persons", tag = "persons", request_body = CreatePerson, security(("bearer" = [])),
    responses((status = 201, body = PersonView),
        (status = 422, description = "Field errors, a NIK already registered, or unconfirmed NIK warnings", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(req): ApiJson<CreatePerson>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    let input = NewPersonInput {
        nik: &req.nik,
        kk_number: req.kk_number.as_deref().unwrap_or(""),
        full_name: &req.full_name,
        sex: &req.sex,
        birth_date: &req.birth_date,
        birth_place: req.birth_place.as_deref().unwrap_or(""),
        village_code: &req.village_code,
        address: req.address.as_deref().unwrap_or(""),
        phone: req.phone.as_deref().unwrap_or(""),
        contact_abroad: req.contact_abroad.as_deref().unwrap_or(""),
        category: req.category.as_deref().unwrap_or(""),
        confirm_warnings: req.confirm_warnings,
    };
    match people::register(&state, &u.principal, &u.actor, &input).await {
        Ok(p) => {
            let national = crate::national_ids::of_person(&state, &u.principal, &p).await?;
            let mut view = PersonView::from(p);
            view.national = Some(super::national_ids::national_view(national));
            Ok((StatusCode::CREATED, Json(view)))
        }
        Err(RegisterError::Forbidden) => Err(ApiError::Forbidden),
        Err(RegisterError::Invalid(e)) => Err(ApiError::Validation(e)),
        Err(RegisterError::Unconfirmed(w)) => Err(ApiError::Unconfirmed(w)),
        Err(RegisterError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Exact NIK.
    pub nik: Option<String>,
    /// Name words, tolerant of case and common spelling variants (Nur/Noor, Muhammad/Mohamad).
    pub q: Option<String>,
    /// Only people living at or inside this region (must be inside your scope).
    pub region_code: Option<String>,
    /// prospective, abroad, returned or family.
    pub category: Option<String>,
    /// People with a migration episode in this state (registered … returned, cancelled).
    pub episode_state: Option<String>,
    /// People with a migration episode to this country (TW, HK, MY…).
    pub destination: Option<String>,
    /// A national id, exact: SIAPkerja registration, ID PMI, or an episode's Sisko P2MI or E-KPMI id.
    pub external_id: Option<String>,
    /// The previous page's `next_after`.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// Finds people within your region, by exact NIK or by name.
#[utoipa::path(get, path = "/api/v1/persons", tag = "persons", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = PersonList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<PersonList>, ApiError> {
    let mut errs = ValidationErrors::new();
    let requested = crate::region_filter::collect(&mut errs, "region_code", q.region_code.as_deref());
    if let Some(c) = q.category.as_deref().filter(|c| !c.is_empty()) {
        if domain::person::PersonCategory::parse(c).is_none() {
            errs.add("category", Rule::OneOf, "prospective, abroad, returned or family");
        }
    }
    let episode_state = match q.episode_state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => domain::service_center::EpisodeState::parse(s).or_else(|| {
            errs.add("episode_state", Rule::OneOf, "an episode state such as departed or abroad");
            None
        }),
        None => None,
    };
    let destination = match q.destination.as_deref().filter(|s| !s.is_empty()) {
        Some(d) => domain::service_center::CountryCode::parse(d).or_else(|| {
            errs.add("destination", Rule::Format, "a two-letter country code such as TW");
            None
        }),
        None => None,
    };
    // Refused filters are answered together with the malformed ones.
    let refused =
        people::search_refusals(&u.principal, q.nik.as_deref(), episode_state.is_some(), destination.is_some());
    errs.0.extend(refused.0);
    errs.into_result()?;
    let limit = domain::paging::check(q.limit, 50, &[("after", q.after)])?;
    let query = people::PersonQuery {
        nik: q.nik,
        name: q.q.unwrap_or_default(),
        region: requested,
        category: q.category.as_deref().and_then(domain::person::PersonCategory::parse),
        episode_state,
        destination,
        external_id: q.external_id,
        after: q.after,
        limit,
    };
    let page = people::search(&state, &u.principal, &u.actor, query).await?;
    Ok(Json(PersonList { items: page.items.into_iter().map(Into::into).collect(), next_after: page.next_after }))
}

/// One person (404 when absent or outside your region).
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = PersonView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> Result<Json<PersonView>, ApiError> {
    let p = people::view(&state, &u.principal, &u.actor, id).await.map_err(ApiError::or_not_found("person"))?;
    let national = crate::national_ids::of_person(&state, &u.principal, &p).await?;
    let mut view = PersonView::from(p);
    view.national = Some(super::national_ids::national_view(national));
    Ok(Json(view))
}

// ---- track forms (issue 16): the counselling session, also queued by the offline outbox ----

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"held_on": "2026-01-15", "topics": "kontrak kerja, biaya resmi", "counsellor": "Siti", "notes": ""}))]
pub struct CounsellingRequest {
    /// The day of the session (YYYY-MM-DD), not in the future.
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub topics: String,
    #[serde(default)]
    pub counsellor: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Serialize, ToSchema)]
pub struct CounsellingRecorded {
    pub person_id: i64,
    pub held_on: String,
}

/// Records a pre-departure counselling session for a person (the same operation as the
/// person page's form). 404 when the person is absent or outside your region.
#[utoipa::path(post, path = "/api/v1/persons/{id}/counselling", tag = "persons", params(("id" = i64, Path)),
    request_body = CounsellingRequest, security(("bearer" = [])),
    responses((status = 201, body = CounsellingRecorded), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_counselling(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CounsellingRequest>,
) -> Result<(StatusCode, Json<CounsellingRecorded>), ApiError> {
    let person = people::editable(&state, &u.principal, id).await.map_err(ApiError::or_not_found("person"))?;
    let input = domain::service_center::counselling::CounsellingInput {
        held_on: &req.held_on,
        topics: &req.topics,
        counsellor: &req.counsellor,
        notes: &req.notes,
    };
    people::add_counselling(&state, &u.principal, &u.actor, &person, &input).await?;
    Ok((StatusCode::CREATED, Json(CounsellingRecorded { person_id: id, held_on: req.held_on.trim().to_string() })))
}

// ---- track conflicts: an edit from the version it started from, merged per field ----

/// An edit of a person: the version it started from and only the fields being changed.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"base_version": 3, "phone": "0812 3456 7890"}))]
pub struct EditPersonRequest {
    /// The record's `version` when the edit started (offline: when the record was loaded).
    pub base_version: i64,
    pub nik: Option<String>,
    pub kk_number: Option<String>,
    pub full_name: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    pub village_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub contact_abroad: Option<String>,
    pub category: Option<String>,
    /// Confirms NIK warnings a change of NIK, birth date or sex raises.
    #[serde(default)]
    pub confirm_warnings: bool,
}

/// What the edit did with each field sent.
#[derive(Serialize, ToSchema)]
pub struct EditPersonResult {
    pub person: PersonView,
    /// Written: nobody else had changed them since `base_version`.
    pub applied: Vec<String>,
    /// Someone else changed them since `base_version` to another value: not written, put on
    /// the supervisor's review list (`/persons/conflicts`).
    pub review: Vec<String>,
    /// The record already held these values.
    pub unchanged: Vec<String>,
}

/// Edits a person from the version the edit started from (`base_version`): fields nobody else
/// changed since are applied; a field someone else changed since to another value is not
/// overwritten but put on the supervisor's review list. A `base_version` above the record's
/// version is refused (422).
#[utoipa::path(patch, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = i64, Path)),
    request_body = EditPersonRequest, security(("bearer" = [])),
    responses((status = 200, body = EditPersonResult),
        (status = 422, description = "Field errors, a stale or future base_version, or unconfirmed NIK warnings", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<EditPersonRequest>>,
) -> Result<Json<EditPersonResult>, ApiError> {
    // Access before the body is read (the sweep sends empty bodies).
    people::editable(&state, &u.principal, id).await.map_err(ApiError::or_not_found("person"))?;
    let ApiJson(req) = body.read().await?;
    let fields: std::collections::BTreeMap<String, String> = [
        ("nik", &req.nik),
        ("kk_number", &req.kk_number),
        ("full_name", &req.full_name),
        ("sex", &req.sex),
        ("birth_date", &req.birth_date),
        ("birth_place", &req.birth_place),
        ("village_code", &req.village_code),
        ("address", &req.address),
        ("phone", &req.phone),
        ("contact_abroad", &req.contact_abroad),
        ("category", &req.category),
    ]
    .into_iter()
    .filter_map(|(f, v)| v.as_ref().map(|v| (f.to_string(), v.clone())))
    .collect();
    let edit = people::EditRequest {
        base_version: req.base_version,
        fields: &fields,
        confirm_warnings: req.confirm_warnings,
        resolving: None,
    };
    match people::edit(&state, &u.principal, &u.actor, id, &edit).await {
        Ok(out) => Ok(Json(EditPersonResult {
            person: PersonView::from(people::redact(&u.principal, out.person)),
            applied: out.applied,
            review: out.review,
            unchanged: out.unchanged,
        })),
        Err(people::EditError::Unconfirmed(w)) => Err(ApiError::Unconfirmed(w)),
        Err(people::EditError::Refused(e)) => Err(ApiError::or_not_found("person")(e)),
    }
}
