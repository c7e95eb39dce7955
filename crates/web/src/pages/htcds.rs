//! HTCDS referral pages (issue 17; docs/HTCDS.md): the import form under /cases (paste the
//! signed document, preview field by field, confirm) and the download of a case's signed
//! document. The operations are `app::htcds`.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::{Unread, Viewer};
use crate::cases::Caller;
use crate::error::{PageError, PageForm};
use app::htcds::{self as h, ImportInput, Preview};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use serde::Deserialize;

fn caller(v: &Viewer) -> Caller<'_> {
    Caller::new(&v.principal, &v.user)
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub envelope: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub link_case_id: String,
    /// "1" on the preview's confirm button.
    #[serde(default)]
    pub confirm: String,
}

#[derive(Template)]
#[template(path = "htcds_import.html")]
struct ImportPage {
    layout: Layout,
    t: crate::i18n::T,
    form: ImportForm,
    errors: FormErrors,
    preview: Option<Preview>,
}

fn page(v: &Viewer, form: ImportForm, errors: FormErrors, preview: Option<Preview>) -> Result<Response, PageError> {
    let t = v.t();
    let failed = errors.any();
    let html = render(
        &ImportPage { layout: Layout::for_viewer(v, t.get("htcds.title"), "/cases"), t, form, errors, preview },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, html).into_response() } else { html })
}

pub async fn import_form(v: Viewer) -> Result<Response, PageError> {
    v.require_ever(Action::EditPerson)?;
    let village_code = v
        .principal
        .scope
        .code()
        .filter(|c| c.level() == domain::RegionLevel::Village)
        .map(|c| c.to_string())
        .unwrap_or_default();
    page(&v, ImportForm { village_code, ..Default::default() }, FormErrors::default(), None)
}

/// Preview (first submit) or import (the preview's confirm button); refusals are shown on the
/// form with what was typed.
pub async fn import(
    State(state): State<AppState>,
    v: Viewer,
    body: Unread<PageForm<ImportForm>>,
) -> Result<Response, PageError> {
    v.require_ever(Action::EditPerson)?;
    let PageForm(f) = body.read().await?;
    v.check_csrf(&f.csrf)?;
    let envelope = match serde_json::from_str::<serde_json::Value>(f.envelope.trim()) {
        Ok(e) => e,
        Err(_) => {
            let errs = domain::ValidationErrors::single("envelope", domain::Rule::Format, "JSON")
                .message("htcds.msg_not_envelope");
            return page(&v, f, FormErrors::new(v.t(), errs), None);
        }
    };
    let link_case_id = match f.link_case_id.trim() {
        "" => None,
        s => match s.trim_start_matches('#').parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let errs = domain::ValidationErrors::single("link_case_id", domain::Rule::Format, "a case number");
                return page(&v, f, FormErrors::new(v.t(), errs), None);
            }
        },
    };
    let input = ImportInput { envelope, village_code: f.village_code.clone(), link_case_id, confirm: f.confirm == "1" };
    match h::import(&state, caller(&v), &v.actor(), &input).await {
        Ok(r) if r.imported => match r.case_id {
            Some(id) => Ok(Redirect::to(&format!("/cases/{id}?saved=1")).into_response()),
            None => page(&v, f, FormErrors::default(), Some(r.preview)),
        },
        Ok(r) => page(&v, f, FormErrors::default(), Some(r.preview)),
        Err(app::Error::Invalid(errs)) => {
            // The envelope's own fields (signature, key_id, document…) are shown at the envelope.
            let errs = ["signature", "key_id", "document"].iter().fold(errs, |e, from| e.renamed(from, "envelope"));
            page(&v, f, FormErrors::new(v.t(), errs), None)
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    seal_for: Option<String>,
}

/// The case's signed HTCDS document as a download (the same door as the API's export).
/// `?seal_for=KEY_ID` seals it for that registered partner, as the API does.
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, PageError> {
    let env = h::export(&state, caller(&v), &v.actor(), id, None, q.seal_for.as_deref())
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let body = serde_json::to_vec_pretty(&env).unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"htcds-case-{id}.json\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
