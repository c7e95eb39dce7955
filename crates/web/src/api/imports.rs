//! Imports from the systems villages already run. Contract route:
//! `POST /imports/opensid?village_code=CODE` with an OpenSID "Data Penduduk" workbook as the
//! body (docs/OPENSID.md).

use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use domain::access::Action;
use domain::{RegionCode, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct OpenSidQuery {
    /// The village the residents belong to (Kemendagri code, `53.07.01.2001`).
    pub village_code: Option<String>,
    /// `true`: report what the import would do and write nothing (the page's preview).
    pub dry_run: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RowErrorView {
    /// Spreadsheet row number (the header is row 1; unknown columns are reported on it).
    pub row: u32,
    /// OpenSID's column name (`nik`, `tanggallahir`…).
    pub field: String,
    pub rule: String,
    /// The refusal in Indonesian.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct OpenSidImportReport {
    pub created: usize,
    /// Known people whose empty fields were filled (nothing is overwritten).
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowErrorView>,
    pub dry_run: bool,
}

/// Imports an OpenSID "Data Penduduk" workbook (.xlsx, the request body) into one village.
/// New NIKs are registered, known ones completed where our record is empty; a refused row is
/// listed with its row, column and reason. Importing the same workbook again creates nothing.
#[utoipa::path(post, path = "/api/v1/imports/opensid", tag = "persons", params(OpenSidQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    security(("bearer" = [])),
    responses((status = 200, body = OpenSidImportReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn opensid(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<OpenSidQuery>,
    body: Unread<Bytes>,
) -> Result<Json<OpenSidImportReport>, ApiError> {
    // The role, then the village, both before the body is read.
    u.require(Action::EditPerson, u.principal.scope.code())?;
    let raw = q.village_code.unwrap_or_default();
    let village: RegionCode = raw.trim().parse().map_err(|_| {
        let rule = if raw.trim().is_empty() { Rule::Required } else { Rule::Format };
        ValidationErrors::single("village_code", rule, "a village code such as 53.07.01.2001")
    })?;
    app::opensid::may_import(&u.principal, &village)?;
    let bytes = body.read().await.map_err(|_| ApiError::PayloadTooLarge)?;
    let dry_run = matches!(q.dry_run.as_deref().map(str::trim), Some("true" | "1" | "yes"));
    let report = app::opensid::import_opensid(&state, &u.principal, &u.actor, &village, &bytes, dry_run).await?;
    let lang = app::i18n::Lang::Id;
    Ok(Json(OpenSidImportReport {
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        dry_run,
        errors: report
            .errors
            .iter()
            .map(|e| RowErrorView {
                row: e.row,
                field: e.error.field.clone(),
                rule: e.error.rule.as_str().to_string(),
                message: app::opensid::message(lang, &e.error),
            })
            .collect(),
    }))
}
