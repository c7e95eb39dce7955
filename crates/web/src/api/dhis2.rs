//! DHIS2 interoperability over the API (docs/DHIS2.md): the monthly indicators as a DHIS2 data
//! value set (JSON or ADX), page by page; the data element mapping; the org-unit import.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody};
use crate::i18n::{Lang, T};
use app::dhis2::{self as svc, DataElement, OrgUnitReport};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::dhis2::ExportFormat;
use domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Largest org-unit file accepted (a national DHIS2 hierarchy is about 15 MB).
pub const ORG_UNITS_BODY_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Deserialize, IntoParams, Default)]
pub struct DataValueSetQuery {
    /// The month, YYYY-MM (default this month; not before 2016-01 nor after this month).
    #[serde(default)]
    pub period: Option<String>,
    /// A province, regency, district or village code; empty or absent for the nation.
    #[serde(default)]
    pub within: Option<String>,
    /// The org units sent: province, regency, district or village, at or below `within`
    /// (default the level of `within`; provinces for the nation).
    #[serde(default)]
    pub level: Option<String>,
    /// code (default: the imported DHIS2 code, else the Kemendagri code) or uid (imported org
    /// units only; the others are left out and counted in `X-Dhis2-Without-Uid`).
    #[serde(default)]
    pub id_scheme: Option<String>,
    /// json (default, DHIS2's dataValueSets JSON) or adx (ADX XML).
    #[serde(default)]
    pub format: Option<String>,
    /// Continue after this org unit: the `X-Next-After` header of the previous page.
    #[serde(default)]
    pub after: Option<String>,
    /// Org units per page, 1 to 1000 (default 500).
    #[serde(default)]
    pub limit: Option<String>,
    /// A DHIS2 data set code or uid to name in the set (optional for DHIS2).
    #[serde(default)]
    pub data_set: Option<String>,
}

/// What the caller asked as the app reads it.
pub fn export_query(q: &DataValueSetQuery) -> svc::ExportQuery {
    svc::ExportQuery {
        period: q.period.clone(),
        within: q.within.clone(),
        level: q.level.clone(),
        id_scheme: q.id_scheme.clone(),
        after: q.after.clone(),
        limit: q.limit.clone(),
        data_set: q.data_set.clone(),
    }
}

pub fn format_of(raw: Option<&str>) -> Result<ExportFormat, ValidationErrors> {
    ExportFormat::parse(raw.unwrap_or(""))
        .ok_or_else(|| ValidationErrors::single("format", Rule::OneOf, "json or adx").with("allowed", "json, adx"))
}

/// The export as a download: the body DHIS2 imports, paging in headers (so the body holds no
/// field DHIS2 does not know): `X-Next-After` and a `Link: <…>; rel="next"` while more pages follow.
pub fn export_response(
    export: &svc::Export,
    format: ExportFormat,
    next_url: Option<String>,
    exported: &str,
) -> Response {
    let body = match format {
        ExportFormat::Json => serde_json::to_string(&export.set.to_json()).unwrap_or_default(),
        ExportFormat::Adx => export.set.to_adx(exported),
    };
    let stem = format!("dhis2-{}", domain::dhis2::period_id(export.set.month));
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{stem}.{}\"", format.extension())) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(after) = &export.next_after
        && let Ok(v) = HeaderValue::from_str(after)
    {
        h.insert("x-next-after", v);
    }
    if let Some(url) = next_url
        && let Ok(v) = HeaderValue::from_str(&format!("<{url}>; rel=\"next\""))
    {
        h.insert(header::LINK, v);
    }
    if let Ok(v) = HeaderValue::from_str(&export.without_uid.to_string()) {
        h.insert("x-dhis2-without-uid", v);
    }
    if !export.fresh {
        h.insert("x-figures-updating", HeaderValue::from_static("true"));
    }
    resp
}

/// The query of the next page: the same parameters with `after` moved on.
pub fn next_query(q: &DataValueSetQuery, after: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("period", &q.period),
        ("within", &q.within),
        ("level", &q.level),
        ("id_scheme", &q.id_scheme),
        ("format", &q.format),
        ("limit", &q.limit),
        ("data_set", &q.data_set),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
    .collect();
    pairs.push(("after", after));
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

/// The monthly indicators of the org units at `level` within `within` as a DHIS2 data value
/// set, for DHIS2's `/api/dataValueSets` (JSON) or ADX import. The same figures and access as
/// GET /api/v1/indicators: the caller's region scope must cover `within`, case figures follow
/// the same case rule, and a withheld or undefined cell is left out (never 0). Stocks are sent
/// for the current month only. Bounded: at most `limit` org units a page; while more follow, the
/// answer carries `X-Next-After` and `Link: <…>; rel="next"`.
#[utoipa::path(get, path = "/api/v1/dhis2/data-value-sets", tag = "dhis2", params(DataValueSetQuery), security(("bearer" = [])),
    responses((status = 200, description = "DHIS2 data value set (JSON) or ADX XML",
                content((String = "application/json"), (String = "application/adx+xml"))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn data_value_sets(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<DataValueSetQuery>,
) -> Result<Response, ApiError> {
    let format = format_of(q.format.as_deref());
    let export = svc::export(&state, &u.principal, &export_query(&q)).await?;
    let format = format?;
    let next = export.next_after.as_deref().map(|a| format!("/api/v1/dhis2/data-value-sets?{}", next_query(&q, a)));
    Ok(export_response(&export, format, next, &exported_now(&state)))
}

/// The time of the export, RFC 3339 (ADX's `exported`).
pub fn exported_now(state: &AppState) -> String {
    state
        .clock
        .now()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| state.clock.now())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct DataElementList {
    pub items: Vec<DataElement>,
}

#[derive(Deserialize, IntoParams, Default)]
pub struct LangQuery {
    /// en for English labels (default Indonesian).
    #[serde(default)]
    pub lang: Option<String>,
}

fn lang_of(q: &LangQuery) -> T {
    T::new(q.lang.as_deref().and_then(Lang::parse).unwrap_or_default())
}

/// The DHIS2 data element every exported indicator is sent as: the default (`DMP_` and the key
/// in capitals) or the deployment's override. Every signed-in account may read it.
#[utoipa::path(get, path = "/api/v1/dhis2/data-elements", tag = "dhis2", params(LangQuery), security(("bearer" = [])),
    responses((status = 200, body = DataElementList), (status = 401, body = ErrorBody)))]
pub async fn data_elements(
    State(state): State<AppState>,
    _u: ApiUser,
    Query(q): Query<LangQuery>,
) -> Result<Json<DataElementList>, ApiError> {
    Ok(Json(DataElementList { items: svc::data_elements(&state, lang_of(&q)).await? }))
}

#[derive(Deserialize, ToSchema)]
pub struct DataElementItem {
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub data_element: String,
    #[serde(default)]
    pub category_option_combo: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"indicator": "persons_registered", "data_element": "PMI_REG", "category_option_combo": ""}]}))]
pub struct DataElementsBody {
    #[serde(default)]
    pub items: Vec<DataElementItem>,
}

/// Replaces the overrides (national admins): indicators not listed go back to their default.
/// Two indicators may not share a data element and category option combo.
#[utoipa::path(put, path = "/api/v1/dhis2/data-elements", tag = "dhis2", request_body = DataElementsBody, security(("bearer" = [])),
    responses((status = 200, body = DataElementList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn save_data_elements(
    State(state): State<AppState>,
    u: ApiUser,
    body: Unread<ApiJson<DataElementsBody>>,
) -> Result<Json<DataElementList>, ApiError> {
    if !u.principal.can(domain::Action::ManageMonitoring, None) {
        return Err(ApiError::Forbidden);
    }
    let ApiJson(b) = body.read().await?;
    let items: Vec<svc::DataElementInput> = b
        .items
        .into_iter()
        .map(|i| svc::DataElementInput {
            indicator: i.indicator,
            data_element: i.data_element,
            category_option_combo: i.category_option_combo,
        })
        .collect();
    let items = svc::save_data_elements(&state, &u.principal, &u.actor, T::new(Lang::Id), &items).await?;
    Ok(Json(DataElementList { items }))
}

/// Imports a DHIS2 org-unit hierarchy (national admins): the metadata JSON DHIS2 exports
/// (`{"organisationUnits": [{"id", "code", "name", "level", "parent": {"id"}}]}`). Each unit is
/// matched to our region by its code, with or without dots; matched units are stored (uid ↔
/// code) so exports can use `id_scheme=uid`; units whose DHIS2 parent is not ours are reported as
/// conflicting and not stored. Audited; importing the same file again changes nothing.
#[utoipa::path(post, path = "/api/v1/dhis2/org-units", tag = "dhis2",
    request_body(content = Object, content_type = "application/json", description = "DHIS2 metadata JSON with organisationUnits"),
    security(("bearer" = [])),
    responses((status = 200, body = OrgUnitReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_org_units(
    State(state): State<AppState>,
    u: ApiUser,
    body: Unread<Bytes>,
) -> Result<Json<OrgUnitReport>, ApiError> {
    svc::require_import(&u.principal)?;
    let bytes = body.read().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })?;
    Ok(Json(svc::import_org_units(&state, &u.principal, &u.actor, &bytes).await?))
}
