//! The start page after signing in: where the account works and, first, its daily tasks —
//! only those the account may do (each decided by `Principal::can`, never a second copy of
//! the rules): officers register people, work their worklist and overdue cases; cooperative
//! managers open today's cash book and the loans; analysts their dashboards; partners their
//! referrals; admins the accounts.

use super::{Layout, render};
use crate::AppState;
use crate::accounts::Region;
use crate::auth::Viewer;
use crate::error::PageError;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::{Action, Role};

/// One daily task: a button on the start page.
pub struct Task {
    /// The link's label, already in the viewer's language.
    pub label: String,
    pub href: String,
    /// A short line under it (e.g. the cooperative it is for).
    pub note: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    t: crate::i18n::T,
    scope_path: Vec<Region>,
    desmigratif_count: i64,
    tasks: Vec<Task>,
}

/// The cooperatives a manager's start page lists (a village has one or two).
const MAX_COOPS: usize = 5;

pub async fn home(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let t = v.t();
    let (scope_path, desmigratif_count) =
        crate::accounts::start_page(&state, &v.principal).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let p = &v.principal;
    let may = |a: Action| p.may_ever(a);
    let task = |key: &str, href: String| Task {
        label: t.get(&format!("role_ui.task.{key}")).to_string(),
        href,
        note: String::new(),
    };
    let mut tasks = Vec::new();
    if may(Action::EditPerson) {
        tasks.push(task("register", "/persons/new".into()));
    }
    // The worklist is the officers' daily round (an analyst may read it, but starts on dashboards).
    if may(Action::EditPerson) && may(Action::ViewPerson) {
        tasks.push(task("worklist", "/worklist".into()));
    }
    if p.role == Role::Partner {
        tasks.push(task("referrals", "/cases".into()));
    } else if may(Action::EditPerson) {
        tasks.push(task("cases_due", "/cases?overdue=1".into()));
    }
    if may(Action::ManageCooperative) && p.scope.code().is_some() {
        // The manager's own cooperatives: today's cash book and the loans (those due first).
        let today = state.today();
        let coops = crate::cooperative::cooperatives(&state, p, p.scope.code()).await.unwrap_or_default();
        for c in coops.into_iter().take(MAX_COOPS) {
            let mut cash = task("cash_book", format!("/cooperatives/{}/cash-book?from={today}&to={today}", c.id));
            cash.note = c.name.clone();
            let mut loans = task("loans_due", format!("/cooperatives/{}/loans", c.id));
            loans.note = c.name;
            tasks.extend([cash, loans]);
        }
        if let Some(home) = p.scope.code().filter(|c| c.level() == domain::RegionLevel::Village) {
            tasks.push(task("cooperatives", format!("/regions/{home}/cooperatives")));
        }
    }
    if may(Action::ViewMonitoring) && !may(Action::EditPerson) && !may(Action::ManageCooperative) {
        // Analysts and heads: the dashboards first.
        let href = crate::monitoring::href(p.scope.code().map(|c| c.as_str()));
        tasks.push(task("dashboards", href));
    }
    if may(Action::ViewChild) {
        tasks.push(task("children", "/children".into()));
    }
    if may(Action::EditEnterprise) {
        tasks.push(task("enterprise", "/enterprise".into()));
    }
    if may(Action::ManageUsers) {
        tasks.push(task("accounts", "/admin/users".into()));
    }
    render(
        &HomePage { layout: Layout::for_viewer(&v, t.get("home.title"), "/"), t, scope_path, desmigratif_count, tasks },
        v.lang(),
    )
}
