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
    Asset { name: "icon-192.png", mime: "image/png", body: include_bytes!("../../../static/icons/icon-192.png") },
    Asset { name: "icon-512.png", mime: "image/png", body: include_bytes!("../../../static/icons/icon-512.png") },
    Asset { name: "favicon.ico", mime: "image/x-icon", body: include_bytes!("../../../static/icons/favicon.ico") },
];

// track conflicts: the domain's rules as WebAssembly for the browser (docs/OFFLINE.md), served
// under /static/{version}/rules/ so the module glue finds rules_bg.wasm beside itself.
const RULES: &[Asset] = &[
    Asset { name: "rules.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../../../static/rules/rules.js") },
    Asset { name: "rules_bg.wasm", mime: "application/wasm", body: include_bytes!("../../../static/rules/rules_bg.wasm") },
    Asset { name: "check.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../../../static/rules/check.js") },
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
