//! CSV import of people through the browser: an upload form, then a page that follows the
//! import as it runs (refreshing itself, no JavaScript needed) and shows the counts and the
//! rejected rows, which can be downloaded as CSV with their reasons.
//!
//! The rows are imported by a background task (a large file takes longer than a request may),
//! one transaction per row. Its progress and the rejected rows live in memory, under a random
//! id bound to the importing account, for an hour: they hold personal data from the uploaded
//! file, which stays out of the database and its backups. A restart loses the download (never
//! the saved rows: importing the file again skips them).

use super::{Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageErrorKind};
use crate::import::{self, Counts, Rejected, Report};
use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::import::ImportFile;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Largest file accepted (the route's body limit; the rest of the site keeps 256 KB).
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;
/// Rejected rows shown on the page; the download has them all.
const SHOWN: usize = 200;
/// How long a finished import's results can be seen and downloaded.
const KEEP: Duration = Duration::from_secs(3600);
/// Uploaded bytes whose imports are kept at once (running or finished): bounds the memory
/// the results may take. The oldest finished imports make room first.
const BUDGET: usize = 10 * MAX_UPLOAD;
/// How long the upload waits for a small file to finish before showing the progress page.
const WAIT: Duration = Duration::from_secs(5);

struct Job {
    owner: Owner,
    file_name: String,
    header: Vec<String>,
    delimiter: u8,
    ignored: Vec<String>,
    confirm_warnings: bool,
    size: usize,
    state: Mutex<JobState>,
    done: tokio::sync::watch::Sender<bool>,
}

#[derive(Default)]
struct JobState {
    counts: Counts,
    rejected: Vec<Rejected>,
    finished: Option<Instant>,
    /// The task stopped before the end (a panic): rows counted so far were saved.
    failed: bool,
}

impl Job {
    fn state(&self) -> std::sync::MutexGuard<'_, JobState> {
        // A panic while holding this lock leaves plain counters: still fine to read.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn finish(&self, report: Option<Report>) {
        {
            let mut s = self.state();
            match report {
                Some(r) => {
                    s.counts = r.counts;
                    s.rejected = r.rejected;
                }
                None => s.failed = true,
            }
            s.finished.get_or_insert_with(Instant::now);
        }
        self.done.send_replace(true);
    }
    fn expired(&self, now: Instant) -> bool {
        self.state().finished.is_some_and(|f| now.duration_since(f) > KEEP)
    }
}

/// The account an import belongs to: its id in this database (a process serves one database,
/// but tests run several applications in one process).
#[derive(Clone, PartialEq, Eq)]
struct Owner {
    database: String,
    user_id: i64,
}

impl Owner {
    fn of(state: &AppState, v: &Viewer) -> Owner {
        Owner { database: state.config.database_url.clone(), user_id: v.user.id }
    }
}

type Jobs = Mutex<HashMap<String, Arc<Job>>>;

fn jobs() -> &'static Jobs {
    static JOBS: OnceLock<Jobs> = OnceLock::new();
    JOBS.get_or_init(Default::default)
}

fn lock_jobs() -> std::sync::MutexGuard<'static, HashMap<String, Arc<Job>>> {
    jobs().lock().unwrap_or_else(|e| e.into_inner())
}

enum Busy {
    /// This account's previous import is still running (its id).
    Running(String),
    /// Too much is being kept; try later.
    Full,
}

fn new_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Stores a new job, dropping expired ones and, when space is short, the oldest finished.
fn admit(job: Arc<Job>) -> Result<String, Busy> {
    let now = Instant::now();
    let mut jobs = lock_jobs();
    jobs.retain(|_, j| !j.expired(now));
    if let Some((id, _)) = jobs.iter().find(|(_, j)| j.owner == job.owner && j.state().finished.is_none()) {
        return Err(Busy::Running(id.clone()));
    }
    while jobs.values().map(|j| j.size).sum::<usize>() + job.size > BUDGET {
        let oldest =
            jobs.iter().filter_map(|(id, j)| j.state().finished.map(|f| (f, id.clone()))).min().map(|(_, id)| id);
        match oldest {
            Some(id) => jobs.remove(&id),
            None => return Err(Busy::Full),
        };
    }
    let id = new_id();
    jobs.insert(id.clone(), job);
    Ok(id)
}

/// The job if it exists and belongs to this viewer (404 otherwise, so ids cannot be probed).
fn job_of(state: &AppState, v: &Viewer, id: &str) -> Result<Arc<Job>, PageError> {
    let now = Instant::now();
    let owner = Owner::of(state, v);
    let jobs = lock_jobs();
    jobs.get(id).filter(|j| j.owner == owner && !j.expired(now)).cloned().ok_or_else(|| PageError::not_found(v.lang()))
}

#[derive(Template)]
#[template(path = "person_import.html")]
struct FormPage {
    layout: Layout,
    t: crate::i18n::T,
    error: String,
    running: Option<String>,
    confirm_warnings: bool,
    max_mb: usize,
    /// The OpenSID workbook form on the same page (pages/opensid.rs).
    opensid_village: String,
    opensid_error: String,
}

fn form_page(
    v: &Viewer,
    status: StatusCode,
    error: String,
    running: Option<String>,
    confirm_warnings: bool,
) -> Result<Response, PageError> {
    let t = v.t();
    let page = render(
        &FormPage {
            layout: Layout::for_viewer(v, t.get("import.title"), "/persons/import"),
            t,
            error,
            running,
            confirm_warnings,
            max_mb: MAX_UPLOAD / (1024 * 1024),
            // An officer of one village imports into it: the field starts with it.
            opensid_village: v
                .principal
                .scope
                .code()
                .filter(|c| c.level() == domain::region::RegionLevel::Village)
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            opensid_error: String::new(),
        },
        v.lang(),
    )?;
    Ok((status, page).into_response())
}

pub async fn form(v: Viewer) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    form_page(&v, StatusCode::OK, String::new(), None, false)
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf: Option<String>,
    confirm_warnings: bool,
    file_name: String,
    data: Option<Vec<u8>>,
}

enum UploadError {
    TooLarge,
    Malformed,
}

async fn read_upload(mp: &mut Multipart) -> Result<Upload, UploadError> {
    let fail = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { UploadError::TooLarge } else { UploadError::Malformed }
    };
    let mut u = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(fail)? {
        match field.name() {
            Some("_csrf") => u.csrf = Some(field.text().await.map_err(fail)?),
            Some("confirm_warnings") => u.confirm_warnings = !field.text().await.map_err(fail)?.is_empty(),
            Some("file") => {
                u.file_name = field.file_name().unwrap_or_default().to_string();
                u.data = Some(field.bytes().await.map_err(fail)?.to_vec());
            }
            _ => {}
        }
    }
    Ok(u)
}

/// Runs an import: file-level errors re-show the form; otherwise the rows are imported in
/// the background and the browser goes to the import's page.
pub async fn upload(
    State(state): State<AppState>,
    v: Viewer,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    let t = v.t();
    let bad_request = || PageError::new(PageErrorKind::BadRequest(t.get("import.not_multipart").to_string()), v.lang());
    let mut mp = mp.map_err(|_| bad_request())?;
    let upload = match read_upload(&mut mp).await {
        Ok(u) => u,
        Err(UploadError::TooLarge) => {
            return form_page(&v, StatusCode::PAYLOAD_TOO_LARGE, t.get("import.too_large").into(), None, false);
        }
        Err(UploadError::Malformed) => return Err(bad_request()),
    };
    v.check_csrf(upload.csrf.as_deref().unwrap_or(""))?;
    let confirm = upload.confirm_warnings;
    let data = match upload.data {
        Some(d) if !d.is_empty() || !upload.file_name.is_empty() => d,
        _ => return form_page(&v, StatusCode::UNPROCESSABLE_ENTITY, t.get("import.no_file").into(), None, confirm),
    };
    let size = data.len();
    let file = match ImportFile::parse(data) {
        Ok(f) => f,
        Err(e) => {
            return form_page(&v, StatusCode::UNPROCESSABLE_ENTITY, import::file_error(t, &e), None, confirm);
        }
    };
    let (done, mut finished) = tokio::sync::watch::channel(false);
    let job = Arc::new(Job {
        owner: Owner::of(&state, &v),
        file_name: upload.file_name.chars().take(200).collect(),
        header: file.header().to_vec(),
        delimiter: file.delimiter(),
        ignored: file.ignored_columns().to_vec(),
        confirm_warnings: confirm,
        size,
        state: Mutex::new(JobState {
            counts: Counts { total: file.row_count(), ..Counts::default() },
            ..JobState::default()
        }),
        done,
    });
    let id = match admit(job.clone()) {
        Ok(id) => id,
        Err(Busy::Running(id)) => {
            return form_page(&v, StatusCode::CONFLICT, t.get("import.busy").into(), Some(id), confirm);
        }
        Err(Busy::Full) => {
            return form_page(&v, StatusCode::SERVICE_UNAVAILABLE, t.get("import.full").into(), None, confirm);
        }
    };
    let (principal, actor, task_id, task_job) = (v.principal.clone(), v.actor(), id.clone(), job.clone());
    let work = tokio::spawn(async move {
        let report = import::run(&state, &principal, &actor, &file, confirm, &task_id, |c| {
            task_job.state().counts = *c;
        })
        .await;
        task_job.finish(Some(report));
    });
    // Should the task die, the page says so instead of running for ever.
    tokio::spawn(async move {
        if work.await.is_err() {
            tracing::error!("person import task failed");
            job.finish(None);
        }
    });
    let _ = tokio::time::timeout(WAIT, finished.wait_for(|d| *d)).await;
    Ok(Redirect::to(&format!("/persons/import/{id}")).into_response())
}

/// One rejected row as shown.
struct RejectedView {
    line: u64,
    nik: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "person_import_result.html")]
struct ResultPage {
    layout: Layout,
    t: crate::i18n::T,
    id: String,
    file_name: String,
    counts: Counts,
    running: bool,
    failed: bool,
    confirm_warnings: bool,
    ignored: String,
    rejected: Vec<RejectedView>,
}

impl ResultPage {
    fn progress(&self) -> String {
        self.t
            .get("import.progress")
            .replace("{done}", &self.counts.processed.to_string())
            .replace("{total}", &self.counts.total.to_string())
    }
    fn shown_first(&self) -> String {
        self.t
            .get("import.shown_first")
            .replace("{shown}", &self.rejected.len().to_string())
            .replace("{total}", &self.counts.rejected.to_string())
    }
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    let job = job_of(&state, &v, &id)?;
    let t = v.t();
    let page = {
        let s = job.state();
        ResultPage {
            layout: Layout::for_viewer(&v, t.get("import.result_title"), &format!("/persons/import/{id}")),
            t,
            id: id.clone(),
            file_name: job.file_name.clone(),
            counts: s.counts,
            running: s.finished.is_none(),
            failed: s.failed,
            confirm_warnings: job.confirm_warnings,
            ignored: job.ignored.join(", "),
            rejected: s
                .rejected
                .iter()
                .take(SHOWN)
                .map(|r| RejectedView { line: r.line, nik: r.nik.clone(), reason: import::reason(t, &r.problems) })
                .collect(),
        }
    };
    let mut resp = render(&page, v.lang())?;
    if page.running {
        // Works without JavaScript: the browser reloads the page until the import is done.
        resp.headers_mut().insert(header::REFRESH, header::HeaderValue::from_static("2"));
    }
    Ok(resp)
}

/// A file name safe for a Content-Disposition header.
fn download_name(file_name: &str) -> String {
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or("").trim_end_matches(".csv").trim_end_matches(".CSV");
    let safe: String =
        stem.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).take(80).collect();
    if safe.is_empty() { "rejected.csv".into() } else { format!("rejected-{safe}.csv") }
}

pub async fn rejected_csv(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    let job = job_of(&state, &v, &id)?;
    let body = {
        let s = job.state();
        if s.finished.is_none() {
            return Err(PageError::not_found(v.lang()));
        }
        import::rejected_csv(v.t(), &job.header, job.delimiter, &s.rejected)
    };
    let disposition = format!("attachment; filename=\"{}\"", download_name(&job.file_name));
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe() {
        assert_eq!(download_name("warga desa.csv"), "rejected-wargadesa.csv");
        assert_eq!(download_name("C:\\data\\2024_warga.CSV"), "rejected-2024_warga.csv");
        assert_eq!(download_name("\"; x=.csv"), "rejected-x.csv");
        assert_eq!(download_name(""), "rejected.csv");
    }
}

#[derive(Template)]
#[template(path = "bpjs_import.html")]
struct BpjsPage {
    layout: Layout,
    t: crate::i18n::T,
    error: String,
    report: Option<crate::national_ids::BpjsReport>,
    /// Refused rows: the row number and every reason, in the user's language.
    rows: Vec<(u64, String)>,
}

fn bpjs_page(
    v: &Viewer,
    status: StatusCode,
    error: String,
    report: Option<crate::national_ids::BpjsReport>,
) -> Result<Response, PageError> {
    let t = v.t();
    let mut rows: Vec<(u64, String)> = Vec::new();
    for e in report.iter().flat_map(|r| &r.errors) {
        let text = crate::i18n::field_message(v.lang(), &e.error);
        match rows.last_mut() {
            Some((row, why)) if *row == e.row => {
                why.push_str(" ");
                why.push_str(&text);
            }
            _ => rows.push((e.row, text)),
        }
    }
    let page = render(
        &BpjsPage {
            layout: Layout::for_viewer(v, t.get("national.bpjs_import"), "/persons/bpjs-import"),
            t,
            error,
            report,
            rows,
        },
        v.lang(),
    )?;
    Ok((status, page).into_response())
}

/// BPJS Ketenagakerjaan memberships from a CSV file (docs/NATIONAL_IDS.md).
pub async fn bpjs_form(v: Viewer) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    bpjs_page(&v, StatusCode::OK, String::new(), None)
}

/// Imports the memberships at once (a BPJS file is small: one row per worker) and shows the
/// counts and every refused row with its reasons.
pub async fn bpjs_upload(
    State(state): State<AppState>,
    v: Viewer,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    v.require(Action::EditPerson, v.principal.scope.code())?;
    let t = v.t();
    let bad_request = || PageError::new(PageErrorKind::BadRequest(t.get("import.not_multipart").to_string()), v.lang());
    let mut mp = mp.map_err(|_| bad_request())?;
    let upload = match read_upload(&mut mp).await {
        Ok(u) => u,
        Err(UploadError::TooLarge) => {
            return bpjs_page(&v, StatusCode::PAYLOAD_TOO_LARGE, t.get("import.too_large").into(), None);
        }
        Err(UploadError::Malformed) => return Err(bad_request()),
    };
    v.check_csrf(upload.csrf.as_deref().unwrap_or(""))?;
    let Some(data) = upload.data.filter(|d| !d.is_empty()) else {
        return bpjs_page(&v, StatusCode::UNPROCESSABLE_ENTITY, t.get("import.no_file").into(), None);
    };
    match crate::national_ids::import_bpjs(&state, &v.principal, &v.actor(), &data).await {
        Ok(r) => bpjs_page(&v, StatusCode::OK, String::new(), Some(r)),
        Err(app::Error::Invalid(errs)) => {
            let text: Vec<String> = errs.0.iter().map(|e| crate::i18n::field_message(v.lang(), e)).collect();
            bpjs_page(&v, StatusCode::UNPROCESSABLE_ENTITY, text.join(" "), None)
        }
        Err(other) => Err(PageError::from_app(other, v.lang())),
    }
}
