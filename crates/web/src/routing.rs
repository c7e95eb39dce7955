//! The router, built so that its routes can be listed: axum's `Router` cannot enumerate
//! what it serves, so every router-building function returns a [`Routes`], which records
//! each path as it is added. [`crate::router`] serves exactly what [`crate::route_paths`]
//! lists (both come from [`crate::app_routes`]); the access-control sweep
//! (`tests/http/sweep.rs`) walks that list so a new route cannot escape it.

use crate::AppState;
use axum::Router;
use axum::routing::MethodRouter;

/// A `Router<AppState>` and the paths it serves, in the order they were added.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    /// Like [`Router::route`], and records `path`.
    pub fn route(mut self, path: &str, method_router: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(path, method_router);
        self.paths.push(path.to_string());
        self
    }

    /// Like [`Router::merge`].
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Like [`Router::nest`]: the nested paths are recorded under `prefix`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Routes {
        self.router = self.router.nest(prefix, other.router);
        self.paths.extend(other.paths.into_iter().map(|p| format!("{prefix}{p}")));
        self
    }

    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
