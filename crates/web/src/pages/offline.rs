//! The offline outbox's page (issue 16, track offline; docs/OFFLINE.md): the records waiting
//! to be sent and the "Perlu diperbaiki" list, unlocking the key with the password. The page
//! holds no personal data: `static/offline-page.js` fills it from the encrypted outbox in the
//! browser, so the service worker may cache it.

use super::{Layout, render};
use crate::auth::Viewer;
use crate::error::PageError;
use askama::Template;
use axum::response::Response;

#[derive(Template)]
#[template(path = "offline.html")]
struct OfflinePage {
    layout: Layout,
    t: crate::i18n::T,
}

pub async fn page(v: Viewer) -> Result<Response, PageError> {
    let t = v.t();
    render(&OfflinePage { layout: Layout::for_viewer(&v, t.get("offline.title"), "/offline"), t }, v.lang())
}
