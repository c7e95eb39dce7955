//! `/admin/regions`: retired region codes with the records still on them, and the form that
//! moves those records to a successor (issue 19; docs/REGIONS.md). National admins.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use crate::i18n::T;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin_regions.html")]
struct RegionsAdminPage {
    layout: Layout,
    t: T,
    retired: Vec<RetiredRow>,
    errors: FormErrors,
    form: ReassignForm,
    /// The confirmation after a reassignment ("42 data dipindahkan …").
    done: String,
}

/// One retired code as the table shows it.
struct RetiredRow {
    code: String,
    name: String,
    /// The proposed successor's code ("" when none) and its name.
    successor_code: String,
    successor_name: String,
    /// "Orang: 3, Kasus: 1", "" when no record is left on the code.
    records: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReassignForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub old_code: String,
    #[serde(default)]
    pub new_code: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    moved: Option<u64>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn page(
    state: &AppState,
    v: &Viewer,
    errors: FormErrors,
    form: ReassignForm,
    done: String,
) -> Result<Response, PageError> {
    let t = v.t();
    let retired = app::region_update::retired(state, &v.principal)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?
        .into_iter()
        .map(|r| RetiredRow {
            records: r
                .records
                .iter()
                .map(|x| format!("{}: {}", t.get(&format!("region_admin.kind_{}", x.records)), x.count))
                .collect::<Vec<_>>()
                .join(", "),
            successor_code: r.successor_code.unwrap_or_default(),
            successor_name: r.successor_name.unwrap_or_default(),
            code: r.code,
            name: r.name,
        })
        .collect();
    let failed = errors.any();
    let page = RegionsAdminPage {
        layout: Layout::for_viewer(v, t.get("region_admin.title"), "/admin/regions"),
        t,
        retired,
        errors,
        form,
        done,
    };
    let resp = render(&page, v.lang())?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let done = match q.moved {
        Some(n) => v
            .t()
            .get("region_admin.done")
            .replace("{count}", &n.to_string())
            .replace("{from}", q.from.chars().take(13).collect::<String>().as_str())
            .replace("{to}", q.to.chars().take(13).collect::<String>().as_str()),
        None => String::new(),
    };
    page(&state, &v, FormErrors::default(), ReassignForm::default(), done).await
}

pub async fn reassign(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<ReassignForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    match app::region_update::reassign(&state, &v.principal, &v.actor(), &f.old_code, &f.new_code).await {
        Ok(r) => {
            Ok(Redirect::to(&format!("/admin/regions?moved={}&from={}&to={}", r.total_moved(), r.old_code, r.new_code))
                .into_response())
        }
        Err(app::Error::Invalid(errs)) => page(&state, &v, FormErrors::new(v.t(), errs), f, String::new()).await,
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}
