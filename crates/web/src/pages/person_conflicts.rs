//! track conflicts: the supervisor's review list of person edits that met another officer's
//! change of the same field (docs/OFFLINE.md "Conflicts"). Deciding goes through the one edit
//! door (`people::resolve_conflict`).

use super::{Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use crate::people;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use people::PersonConflict;

#[derive(Template)]
#[template(path = "person_conflicts.html")]
struct ReviewPage {
    layout: Layout,
    t: crate::i18n::T,
    conflicts: Vec<PersonConflict>,
    /// Set after an edit sent some fields here: the officer sees which.
    person: Option<i64>,
    done: bool,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(default)]
    person: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, PageError> {
    let mut conflicts =
        people::open_conflicts(&state, &v.principal, &v.actor()).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    if let Some(p) = q.person {
        conflicts.retain(|c| c.person_id == p);
    }
    let t = v.t();
    render(
        &ReviewPage {
            layout: Layout::for_viewer(&v, t.get("conflicts.title"), "/persons/conflicts"),
            t,
            conflicts,
            person: q.person,
            done: q.done.is_some(),
        },
        v.lang(),
    )
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// `keep` (the current value stays) or `take` (the proposed value is applied).
    #[serde(default)]
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    // The role before anything else; the person's region is checked by the edit door.
    v.require(domain::access::Action::EditPerson, v.principal.scope.code())?;
    v.check_csrf(&f.csrf)?;
    let take = match f.decision.as_str() {
        "take" => true,
        "keep" => false,
        _ => {
            return Err(PageError::from_app(
                app::Error::invalid("decision", domain::Rule::OneOf, "keep or take"),
                v.lang(),
            ));
        }
    };
    match people::resolve_conflict(&state, &v.principal, &v.actor(), id, take).await {
        Ok(_) => Ok(Redirect::to("/persons/conflicts?done=1").into_response()),
        Err(people::EditError::Refused(e)) => Err(PageError::from_app(e, v.lang())),
        // Taking a NIK, birth date or sex is confirmed by the decision itself.
        Err(people::EditError::Unconfirmed(_)) => {
            Err(PageError::from_app(app::Error::invalid("decision", domain::Rule::Mismatch, "NIK warnings"), v.lang()))
        }
    }
}
