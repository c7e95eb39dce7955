//! OpenSID under Orang → Impor (docs/OPENSID.md): upload a village's "Data Penduduk" workbook,
//! see what would be created, updated, left unchanged or refused, then confirm; and the
//! village's migrant workers exported back, with their statistics.
//!
//! Between preview and confirmation the upload stays in this process's memory, under its
//! SHA-256 and bound to the uploading account, for 30 minutes: personal data never lands in a
//! file or the database before the officer confirms. The confirm form names the upload by its
//! hash; a restart (or the expiry) asks for the file again, and nothing was written meanwhile.

use super::{Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageErrorKind, PageForm};
use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::RegionCode;
use domain::access::Action;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long an upload waits for its confirmation.
const KEEP: Duration = Duration::from_secs(30 * 60);
/// Uploads kept at once (one per account; the oldest go first).
const MAX_KEPT: usize = 20;
/// Rows listed on the preview; the counts cover them all.
const SHOWN: usize = 300;

struct Held {
    owner: (String, i64),
    village: String,
    bytes: Vec<u8>,
    at: Instant,
}

fn held() -> std::sync::MutexGuard<'static, HashMap<String, Held>> {
    static HELD: OnceLock<Mutex<HashMap<String, Held>>> = OnceLock::new();
    HELD.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

fn owner(state: &AppState, v: &Viewer) -> (String, i64) {
    (state.config.database_url.clone(), v.user.id)
}

/// Keeps an upload for its confirmation (replacing this account's earlier one).
fn hold(state: &AppState, v: &Viewer, village: &str, bytes: Vec<u8>) -> String {
    let sha = hex::encode(Sha256::digest(&bytes));
    let who = owner(state, v);
    let now = Instant::now();
    let mut h = held();
    h.retain(|_, x| now.duration_since(x.at) < KEEP && x.owner != who);
    while h.len() >= MAX_KEPT {
        let Some(oldest) = h.iter().min_by_key(|(_, x)| x.at).map(|(k, _)| k.clone()) else { break };
        h.remove(&oldest);
    }
    h.insert(sha.clone(), Held { owner: who, village: village.to_string(), bytes, at: now });
    sha
}

/// The held upload with this hash, if it is this account's, for this village, not expired.
fn take(state: &AppState, v: &Viewer, sha: &str, village: &str) -> Option<Vec<u8>> {
    let who = owner(state, v);
    let mut h = held();
    let ok = h.get(sha).is_some_and(|x| x.owner == who && x.village == village && x.at.elapsed() < KEEP);
    if ok { h.remove(sha).map(|x| x.bytes) } else { None }
}

struct RowView {
    row: u32,
    nik: String,
    name: String,
    outcome: String,
    class: &'static str,
}

struct ErrorView {
    row: u32,
    field: String,
    message: String,
}

#[derive(Template)]
#[template(path = "opensid_preview.html")]
struct PreviewPage {
    layout: Layout,
    t: crate::i18n::T,
    /// False: the preview (nothing written yet); true: the import's result.
    done: bool,
    village: String,
    sha: String,
    file_name: String,
    created: usize,
    updated: usize,
    unchanged: usize,
    refused: usize,
    rows: Vec<RowView>,
    total_rows: usize,
    errors: Vec<ErrorView>,
}

impl PreviewPage {
    fn shown_first(&self) -> String {
        self.t
            .get("import.shown_first")
            .replace("{shown}", &self.rows.len().to_string())
            .replace("{total}", &self.total_rows.to_string())
    }
}

fn page(
    v: &Viewer,
    done: bool,
    village: &str,
    sha: String,
    file_name: String,
    r: &app::opensid::Report,
) -> PreviewPage {
    let t = v.t();
    let title = if done { "opensid.result_title" } else { "opensid.preview_title" };
    let rows = r
        .rows
        .iter()
        .take(SHOWN)
        .map(|p| {
            let (outcome, class) = match &p.outcome {
                app::opensid::Outcome::Created => (t.get("opensid.outcome_created").to_string(), "ok"),
                app::opensid::Outcome::Updated(fields) => {
                    let names: Vec<&str> = fields.iter().map(|f| t.field(f)).collect();
                    (format!("{}: {}", t.get("opensid.outcome_updated"), names.join(", ")), "ok")
                }
                app::opensid::Outcome::Unchanged => (t.get("opensid.outcome_unchanged").to_string(), "muted"),
                app::opensid::Outcome::Refused => (t.get("opensid.outcome_refused").to_string(), "error"),
            };
            RowView { row: p.row, nik: p.nik.clone(), name: p.name.clone(), outcome, class }
        })
        .collect();
    PreviewPage {
        layout: Layout::for_viewer(v, t.get(title), "/persons/import"),
        t,
        done,
        village: village.to_string(),
        sha,
        file_name,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        refused: r.refused(),
        rows,
        total_rows: r.rows.len(),
        errors: r
            .errors
            .iter()
            .map(|e| ErrorView {
                row: e.row,
                field: e.error.field.clone(),
                message: app::opensid::message(v.lang(), &e.error),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "opensid_upload.html")]
struct UploadPage {
    layout: Layout,
    t: crate::i18n::T,
    opensid_village: String,
    opensid_error: String,
    max_mb: usize,
}

/// The upload form again, with the typed village and the refusal.
fn upload_page(v: &Viewer, status: StatusCode, village: &str, error: String) -> Result<Response, PageError> {
    let t = v.t();
    let page = render(
        &UploadPage {
            layout: Layout::for_viewer(v, t.get("opensid.title"), "/persons/import"),
            t,
            opensid_village: village.to_string(),
            opensid_error: error,
            max_mb: app::opensid::MAX_WORKBOOK / (1024 * 1024),
        },
        v.lang(),
    )?;
    Ok((status, page).into_response())
}

/// A refusal of the whole file (or village) as one sentence per field.
fn refusal(v: &Viewer, e: &domain::ValidationErrors) -> String {
    e.0.iter().map(|f| app::i18n::field_message(v.lang(), f)).collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct Upload {
    csrf: String,
    village: String,
    file_name: String,
    data: Option<Vec<u8>>,
}

/// Previews an uploaded workbook: the import planned, nothing written.
pub async fn preview(
    State(state): State<AppState>,
    v: Viewer,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    let t = v.t();
    let bad_request = || PageError::new(PageErrorKind::BadRequest(t.get("import.not_multipart").to_string()), v.lang());
    let mut mp = mp.map_err(|_| bad_request())?;
    let mut u = Upload::default();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return upload_page(&v, StatusCode::PAYLOAD_TOO_LARGE, &u.village, t.get("import.too_large").into());
            }
            Err(_) => return Err(bad_request()),
        };
        match field.name() {
            Some("_csrf") => u.csrf = field.text().await.map_err(|_| bad_request())?,
            Some("village_code") => u.village = field.text().await.map_err(|_| bad_request())?.trim().to_string(),
            Some("file") => {
                u.file_name = field.file_name().unwrap_or_default().chars().take(200).collect();
                u.data = Some(field.bytes().await.map_err(|_| bad_request())?.to_vec());
            }
            _ => {}
        }
    }
    v.check_csrf(&u.csrf)?;
    let Ok(village) = u.village.parse::<RegionCode>() else {
        let e = domain::ValidationErrors::single("village_code", domain::Rule::Format, "a village code");
        return upload_page(&v, StatusCode::UNPROCESSABLE_ENTITY, &u.village, refusal(&v, &e));
    };
    let data = match u.data {
        Some(d) if !d.is_empty() => d,
        _ => return upload_page(&v, StatusCode::UNPROCESSABLE_ENTITY, &u.village, t.get("opensid.no_file").into()),
    };
    match app::opensid::import_opensid(&state, &v.principal, &v.actor(), &village, &data, true).await {
        Ok(report) => {
            let sha = hold(&state, &v, village.as_str(), data);
            render(&page(&v, false, village.as_str(), sha, u.file_name, &report), v.lang())
        }
        Err(app::Error::Invalid(e)) => upload_page(&v, StatusCode::UNPROCESSABLE_ENTITY, &u.village, refusal(&v, &e)),
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    sha256: String,
    #[serde(default)]
    village_code: String,
}

/// Imports the previewed workbook, found by its hash among this account's uploads.
pub async fn confirm(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<ConfirmForm>,
) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    v.check_csrf(&f._csrf)?;
    let Ok(village) = f.village_code.trim().parse::<RegionCode>() else {
        return upload_page(&v, StatusCode::UNPROCESSABLE_ENTITY, &f.village_code, v.t().get("opensid.expired").into());
    };
    let Some(bytes) = take(&state, &v, f.sha256.trim(), village.as_str()) else {
        return upload_page(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            village.as_str(),
            v.t().get("opensid.expired").into(),
        );
    };
    match app::opensid::import_opensid(&state, &v.principal, &v.actor(), &village, &bytes, false).await {
        Ok(report) => render(&page(&v, true, village.as_str(), String::new(), String::new(), &report), v.lang()),
        Err(app::Error::Invalid(e)) => {
            upload_page(&v, StatusCode::UNPROCESSABLE_ENTITY, village.as_str(), refusal(&v, &e))
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Deserialize)]
pub struct VillageQuery {
    #[serde(default)]
    village: String,
}

struct StatSection {
    title: &'static str,
    id: &'static str,
    rows: Vec<(String, usize)>,
}

#[derive(Template)]
#[template(path = "opensid_export.html")]
struct ExportPage {
    layout: Layout,
    t: crate::i18n::T,
    village: String,
    total: usize,
    sections: Vec<StatSection>,
}

/// The village asked for, or the account's own village; `None` shows the form alone.
fn village_of(v: &Viewer, q: &VillageQuery) -> Result<Option<RegionCode>, PageError> {
    let raw = q.village.trim();
    if raw.is_empty() {
        return Ok(v.principal.scope.code().filter(|c| c.level() == domain::region::RegionLevel::Village).cloned());
    }
    raw.parse::<RegionCode>()
        .map(Some)
        .map_err(|_| PageError::new(PageErrorKind::BadRequest(v.t().get("opensid.bad_village").into()), v.lang()))
}

/// The migrant statistics of a village and the link to its OpenSID workbook.
pub async fn export_page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<VillageQuery>,
) -> Result<Response, PageError> {
    v.require(Action::ViewPerson, v.principal.scope.code())?;
    let village = village_of(&v, &q)?;
    let t = v.t();
    let (total, sections) = match &village {
        None => (0, vec![]),
        Some(code) => {
            let s = app::opensid::migrant_statistics(&state, &v.principal, code)
                .await
                .map_err(|e| PageError::from_app(e, v.lang()))?;
            let ids = ["stat-status", "stat-sex", "stat-destination", "stat-year"];
            let sections = app::opensid::stat_sections(&s)
                .into_iter()
                .zip(ids)
                .map(|((title, list, kind), id)| StatSection {
                    title,
                    id,
                    rows: list.iter().map(|(k, n)| (app::opensid::stat_label(t, kind, k), *n)).collect(),
                })
                .collect();
            (s.total, sections)
        }
    };
    render(
        &ExportPage {
            layout: Layout::for_viewer(&v, t.get("opensid.export_title"), "/persons/opensid"),
            t,
            village: village.map(|c| c.as_str().to_string()).unwrap_or_default(),
            total,
            sections,
        },
        v.lang(),
    )
}

/// The village's migrant workers as an OpenSID workbook (and the statistics sheet).
pub async fn export_xlsx(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<VillageQuery>,
) -> Result<Response, PageError> {
    v.require(Action::ViewPerson, v.principal.scope.code())?;
    let Some(village) = village_of(&v, &q)? else {
        return Err(PageError::new(PageErrorKind::BadRequest(v.t().get("opensid.bad_village").into()), v.lang()));
    };
    let e = app::opensid::export_opensid(&state, &v.principal, &v.actor(), &village)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let bytes = app::opensid::export_workbook(v.t(), &e).map_err(|e| PageError::from_app(e, v.lang()))?;
    let stem = format!("opensid-pekerja-migran-{}", village.as_str().replace('.', ""));
    Ok(crate::download::attachment(bytes, crate::download::Format::Xlsx, &stem))
}
