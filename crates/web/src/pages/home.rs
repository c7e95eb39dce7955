//! The start page after signing in: where the account works and where to go next.

use super::{Layout, render};
use crate::AppState;
use crate::accounts::Region;
use crate::auth::Viewer;
use crate::error::PageError;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    t: crate::i18n::T,
    scope_path: Vec<Region>,
    desmigratif_count: i64,
}

pub async fn home(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let t = v.t();
    let (scope_path, desmigratif_count) =
        crate::accounts::start_page(&state, &v.principal).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    render(
        &HomePage { layout: Layout::for_viewer(&v, t.get("home.title"), "/"), t, scope_path, desmigratif_count },
        v.lang(),
    )
}
