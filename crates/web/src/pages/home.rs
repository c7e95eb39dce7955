//! The start page after signing in: where the account works and where to go next.

use super::{Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use store::regions::Region;

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
    let err = PageError::internal(v.lang());
    let scope_path = match v.principal.scope.code() {
        Some(code) => store::regions::lineage(&state.db, code).await.map_err(err)?,
        None => vec![],
    };
    let within = v.principal.scope.code();
    let desmigratif_count = store::programs::count_program_villages(&state.db, domain::program::DESMIGRATIF, within)
        .await
        .map_err(PageError::internal(v.lang()))?;
    render(
        &HomePage { layout: Layout::for_viewer(&v, t.get("home.title"), "/"), t, scope_path, desmigratif_count },
        v.lang(),
    )
}
