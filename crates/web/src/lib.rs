//! HTTP layer: server-rendered pages (`pages`), the JSON API (`api`), authentication,
//! observability. Business rules live in `domain`, SQL in `store`.

pub mod api;
// The application layer, re-exported under the names the handlers have always used.
pub use app::{
    accounts, agencies, audit_trail, bootstrap, brokers, cases, clock, config, coop_loans, coop_month_end, cooperative,
    dhis2, dukcapil, enterprise, episodes, htcds, i18n, import, job_orders, monitoring, name_keys, national_ids,
    opensid, outreach, parenting, partners, people, policy, portal, privacy, region_update,
};
pub mod auth;
mod catalogue_keys;
pub mod charts;
pub mod download;
pub mod error;
pub mod exchange;
pub mod idempotency;
pub mod observe;
pub mod pages;
pub mod region_filter;
pub mod routing;
pub mod static_files;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::time::Duration;

pub use config::Config;

/// Shared by all handlers: the application (database, caches, clock, settings). Cheap to clone.
pub use app::App as AppState;
/// The application layer's refusal, for the command line.
pub use app::Error as AppError;

/// Largest request body accepted anywhere (forms and JSON are small).
pub const BODY_LIMIT: usize = 256 * 1024;

/// Every route the server serves, recorded as it is added (see [`routing`]).
pub fn app_routes() -> routing::Routes {
    routing::Routes::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(static_files::routes())
        .merge(observe::routes())
}

/// The path templates of every route (`/persons/{id}`, `/api/v1/cases/{id}/notes`, ...),
/// exactly those [`router`] serves; the access-control sweep enumerates them.
pub fn route_paths() -> Vec<String> {
    app_routes().paths().to_vec()
}

pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is counted.
    observe::metrics_handle();
    app_routes()
        .into_router()
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::layer))
        .layer(axum::middleware::from_fn(readable_rejections))
        .layer(axum::middleware::from_fn(error::api_language))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // A bug must never drop the connection: a panic becomes a 500 (logged by `observe`).
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(observe::observe))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(state)
}

/// axum answers a path or query it cannot parse (`/persons/abc`, `?limit=lots`) with an
/// English plain-text 400. Give those our own answers instead, in one place for every route:
/// the JSON error body under `/api`, the error page (in the reader's language) elsewhere —
/// a path that names no record is simply a page that does not exist.
async fn readable_rejections(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let is_api = req.uri().path().starts_with("/api/");
    let lang = axum_extra::extract::CookieJar::from_headers(req.headers())
        .get(auth::LANG_COOKIE)
        .and_then(|c| i18n::Lang::parse(c.value()))
        .unwrap_or_default();
    let resp = next.run(req).await;
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if resp.status() != StatusCode::BAD_REQUEST || !plain {
        return resp;
    }
    let text = match axum::body::to_bytes(resp.into_body(), 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    if is_api {
        error::ApiError::BadRequest(text).into_response()
    } else if text.starts_with("Invalid URL") {
        error::PageError::not_found(lang).into_response()
    } else {
        error::PageError::new(error::PageErrorKind::BadRequest(text), lang).into_response()
    }
}

/// How long a response without its own `Cache-Control` may be kept, by route group.
/// Only what can hold personal data is `no-store` (it also keeps a page out of the back
/// button's cache, so it is not the default for everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CachePolicy {
    /// Open data and public pages (portal, `/statistik`, the public API, the API document):
    /// the same for everyone, so browsers and proxies may keep them a few minutes.
    Public,
    /// The login page: no personal data, but a form token tied
    /// to a cookie, so always revalidated (the back button may still use it).
    Revalidate,
    /// Everything behind a login: pages, API answers, exports.
    NoStore,
}

impl CachePolicy {
    pub fn for_request(method: &axum::http::Method, path: &str) -> Self {
        use axum::http::Method;
        if method != Method::GET && method != Method::HEAD {
            return CachePolicy::NoStore;
        }
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        if under("/portal")
            || under("/cek")
            || path == "/statistik"
            || path == "/statistik.csv"
            || under("/api/v1/public")
            || under("/api/v1/open")
            || path == "/api/v1/openapi.json"
            || path == "/api/docs"
            || path == "/netral"
        {
            CachePolicy::Public
        } else if path == "/login" {
            CachePolicy::Revalidate
        } else {
            CachePolicy::NoStore
        }
    }

    fn header(self) -> &'static str {
        match self {
            CachePolicy::Public => "public, max-age=300",
            CachePolicy::Revalidate => "private, no-cache",
            CachePolicy::NoStore => "no-store",
        }
    }
}

/// Headers every response carries: no framing, no sniffing, only our own scripts and
/// styles, and the cache policy of its route group ([`CachePolicy`]; static assets and
/// downloads set their own).
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let policy = CachePolicy::for_request(req.method(), req.uri().path());
    let mut resp = next.run(req).await;
    // An error or a redirect (a login bounce) is never worth keeping.
    let policy = if resp.status().is_success() { policy } else { CachePolicy::NoStore };
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // A response that set its own policy (a download's `sandbox`) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            // track conflicts: 'wasm-unsafe-eval' lets the person form compile the domain's rules
            // (static/rules/, WebAssembly); it allows no JavaScript eval.
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy.header()));
        if policy == CachePolicy::Public {
            // The language comes from a cookie: caches must keep the versions apart.
            h.insert(header::VARY, HeaderValue::from_static("Cookie"));
        }
    }
    resp
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let purge_state = state.clone();
    let purger = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = app::sessions::purge_expired(&purge_state).await {
                tracing::warn!(error = %e, "purging expired sessions failed");
            }
        }
    });
    // The region codes every write checks, read once now rather than by the first requests.
    let warm = state.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.region_index().await {
            tracing::warn!(error = %e, "loading the region codes failed (the first request will try again)");
        }
    });
    // Indicators: recompute the villages marked dirty by writes (app::monitoring).
    let refresher = tokio::spawn(monitoring::background_refresher(state.db.clone(), state.clock));
    // Stored name keys older than this build's rules: re-keyed batch by batch (app::name_keys).
    let rekeyer = tokio::spawn(name_keys::background_rekeyer(state.db.clone()));
    // The audit head, recorded outside the database (app::audit_trail): periodically when it
    // moved, and once more after the last request.
    let (audit_db, audit_cfg) = (state.db.clone(), state.config.clone());
    let checkpointer = tokio::spawn(
        audit_trail::Checkpointer::new(audit_db.clone(), &audit_cfg).run_every(audit_cfg.audit_checkpoint_minutes),
    );
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    purger.abort();
    refresher.abort();
    rekeyer.abort();
    checkpointer.abort();
    audit_trail::Checkpointer::new(audit_db, &audit_cfg).tick().await;
    result
}

#[cfg(test)]
mod layering;
