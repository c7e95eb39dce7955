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
];

/// Changes with every release so browsers may cache assets for a year.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn routes() -> Routes {
    Routes::new().route("/static/{version}/{name}", get(asset))
}

async fn asset(Path((_version, name)): Path<(String, String)>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => {
            ([(header::CONTENT_TYPE, a.mime), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], a.body)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
