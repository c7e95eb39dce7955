//! Request ids, structured request logs (route template, never personal data or
//! query strings), Prometheus metrics, `/healthz` and `/metrics`.

use crate::AppState;
use crate::auth::RequestId;
use crate::routing::Routes;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process-wide recorder (metrics are global by nature; several apps in one test
/// process share it).
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            )
            .expect("bucket list is non-empty");
        let handle = match builder.install_recorder() {
            Ok(h) => h,
            // Another recorder is installed (only possible in tests): keep a private one.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        };
        // Histogram samples wait in a queue until something drains them; a scrape of
        // /metrics does, but a server nobody scrapes would keep every request's sample
        // (the soak found RSS rising with the request count). Drain every few seconds.
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(5));
                upkeep.run_upkeep();
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "metrics upkeep thread not started; histograms drain on scrape only");
        }
        handle
    })
}

fn new_request_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn acceptable_incoming_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (s.len() <= 64 && !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then(|| s.to_string())
}

pub async fn observe(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req.headers().get("x-request-id").and_then(acceptable_incoming_id).unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let mut resp = next.run(req).await;
    let status = resp.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    let labels = [("method", method.clone()), ("route", route.clone()), ("status", status.to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &[("method", method.clone()), ("route", route.clone())])
        .record(secs);
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    if status >= 500 {
        tracing::error!(request_id = %id, %method, %route, status, ms = secs * 1000.0, "request failed");
    } else {
        tracing::info!(request_id = %id, %method, %route, status, ms = secs * 1000.0, "request");
    }
    resp
}

pub fn routes() -> Routes {
    Routes::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let (size, idle) = state.db.pool_stats();
    metrics::gauge!("db_pool_connections").set(size as f64);
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    let body = metrics_handle().render();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
