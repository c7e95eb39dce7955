//! Static assets embedded in the binary (nothing is fetched from a CDN).

use crate::routing::Routes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { name: "app.css", mime: "text/css; charset=utf-8", body: include_bytes!("../../../static/app.css") },
    Asset { name: "ui.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../../../static/ui.js") },
    Asset {
        name: "quick_exit.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/quick_exit.js"),
    },
    Asset {
        name: "neutral.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/neutral.js"),
    },
    Asset { name: "app.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../../../static/app.js") },
    Asset {
        name: "picker.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/picker.js"),
    },
    Asset {
        name: "htmx.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/vendor/htmx.min.js"),
    },
    // -- track offline (issue 16): the outbox's modules (docs/OFFLINE.md).
    Asset {
        name: "offline-store.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/offline-store.js"),
    },
    Asset {
        name: "offline-page.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/offline-page.js"),
    },
    Asset { name: "icon-192.png", mime: "image/png", body: include_bytes!("../../../static/icons/icon-192.png") },
    Asset { name: "icon-512.png", mime: "image/png", body: include_bytes!("../../../static/icons/icon-512.png") },
    Asset { name: "favicon.ico", mime: "image/x-icon", body: include_bytes!("../../../static/icons/favicon.ico") },
];

// track conflicts: the domain's rules as WebAssembly for the browser (docs/OFFLINE.md), served
// under /static/{version}/rules/ so the module glue finds rules_bg.wasm beside itself.
const RULES: &[Asset] = &[
    Asset {
        name: "rules.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/rules/rules.js"),
    },
    Asset {
        name: "rules_bg.wasm",
        mime: "application/wasm",
        body: include_bytes!("../../../static/rules/rules_bg.wasm"),
    },
    Asset {
        name: "check.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/rules/check.js"),
    },
];

/// The icon browsers ask for at a fixed address (drawn by scripts/make-icons.py).
const FAVICON: &[u8] = include_bytes!("../../../static/icons/favicon.ico");

/// Changes with every release so browsers may cache assets for a year.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn routes() -> Routes {
    Routes::new()
        .route("/static/{version}/{name}", get(asset))
        .route("/static/{version}/rules/{name}", get(rules_asset))
        .route("/favicon.ico", get(favicon))
        // -- track offline (issue 16)
        .route("/sw.js", get(service_worker))
        .route("/manifest.webmanifest", get(manifest))
}

/// Track offline: the service worker, at the root so its scope is the whole app. Its address
/// carries no version, so browsers must check it on every load (`no-cache`); the asset version
/// is written into it, so a new release installs a new worker with a new precache.
const SERVICE_WORKER: &str = include_str!("../../../static/sw.js");
const MANIFEST: &str = include_str!("../../../static/manifest.webmanifest");

/// What the service worker and the outbox scripts weigh, uncompressed (docs/OFFLINE.md states
/// the budget; the test below keeps it).
pub fn offline_bundle_bytes() -> usize {
    SERVICE_WORKER.len() + ASSETS.iter().filter(|a| a.name.starts_with("offline-")).map(|a| a.body.len()).sum::<usize>()
}

async fn service_worker() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
        SERVICE_WORKER.replace("__VERSION__", VERSION),
    )
        .into_response()
}

async fn manifest() -> Response {
    (
        [(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, "public, max-age=86400")],
        MANIFEST.replace("__VERSION__", VERSION),
    )
        .into_response()
}

#[cfg(test)]
mod offline_tests {
    /// docs/OFFLINE.md promises the offline bundle stays under 40 KB (uncompressed).
    #[test]
    fn offline_bundle_within_budget() {
        let size = super::offline_bundle_bytes();
        assert!(size < 40 * 1024, "offline bundle is {size} bytes");
    }
}

/// `/favicon.ico` has no version in its address, so a day's cache rather than a year's.
async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/x-icon"), (header::CACHE_CONTROL, "public, max-age=86400")], FAVICON)
        .into_response()
}

async fn asset(Path((_version, name)): Path<(String, String)>) -> Response {
    serve(ASSETS, &name)
}

async fn rules_asset(Path((_version, name)): Path<(String, String)>) -> Response {
    serve(RULES, &name)
}

fn serve(assets: &[Asset], name: &str) -> Response {
    match assets.iter().find(|a| a.name == name) {
        Some(a) => {
            ([(header::CONTENT_TYPE, a.mime), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], a.body)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
