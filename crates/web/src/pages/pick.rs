//! The pickers' lookups: a few matches as JSON for `static/picker.js`, which puts a search box
//! in front of a field that takes a code or an id (a village code, a person, an agency or a
//! job order id).
//! Each answer comes from the app layer's own reads, so the picker shows no more than the
//! viewer's lists do (person search: scope, role fields and its audit entry). Without
//! JavaScript the field itself is still typed by hand.

use crate::AppState;
use crate::auth::Viewer;
use crate::error::PageError;
use axum::Json;
use axum::extract::{Query, State};
use domain::RegionLevel;
use serde::{Deserialize, Serialize};

/// How many matches a picker lists: enough to choose from on a phone screen.
const LIMIT: i64 = 12;

#[derive(Deserialize, Default)]
pub struct PickQuery {
    #[serde(default)]
    q: String,
    /// Regions only: `province`, `regency`, `district` or `village`.
    #[serde(default)]
    level: String,
}

/// One choice: the value the field takes, the name shown, a line that tells namesakes apart.
#[derive(Serialize)]
pub struct Choice {
    value: String,
    label: String,
    detail: String,
}

fn query_text(q: &PickQuery) -> String {
    q.q.chars().take(100).collect::<String>().trim().to_string()
}

pub async fn regions(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<PickQuery>,
) -> Result<Json<Vec<Choice>>, PageError> {
    let text = query_text(&q);
    if text.chars().count() < 2 {
        return Ok(Json(vec![]));
    }
    let level = RegionLevel::parse(&q.level);
    // A code typed or kept in the field (after a refused form) answers with its own region, so
    // the picker can show the name beside it.
    if let Ok(code) = text.parse::<domain::RegionCode>() {
        let found = app::regions::by_codes(&state, &[code.as_str().to_string()])
            .await
            .map_err(|e| PageError::from_app(e, v.lang()))?;
        return Ok(Json(
            found
                .into_iter()
                .filter(|r| level.is_none_or(|l| r.region_code().is_some_and(|c| c.level() == l)))
                .map(|r| {
                    // A retired code kept in an old record's field: named, marked, its successor told.
                    let (label, detail) = match (r.retired, &r.successor_code) {
                        (true, Some(s)) => (format!("{} (kode lama)", r.name), format!("{} → {s}", r.code)),
                        (true, None) => (format!("{} (kode lama)", r.name), r.code.clone()),
                        _ => (r.name, r.code.clone()),
                    };
                    Choice { detail, value: r.code, label }
                })
                .collect(),
        ));
    }
    let hits =
        app::regions::search(&state, &text, level, None, LIMIT).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(Json(
        hits.into_iter()
            .map(|h| Choice {
                detail: format!("{} · {}", h.path.join(", "), h.region.code),
                value: h.region.code,
                label: h.region.name,
            })
            .collect(),
    ))
}

pub async fn persons(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<PickQuery>,
) -> Result<Json<Vec<Choice>>, PageError> {
    // Access first, also for a query too short to search: the answer must not depend on it.
    if !v.principal.can(domain::access::Action::ViewPerson, None) {
        return Err(PageError::from_app(app::Error::Forbidden, v.lang()));
    }
    let text = query_text(&q);
    if text.chars().count() < 2 {
        return Ok(Json(vec![]));
    }
    let query = app::people::PersonQuery { name: text, limit: LIMIT, ..Default::default() };
    let page = app::people::search(&state, &v.principal, &v.actor(), query)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let codes: Vec<String> = page.items.iter().map(|p| p.village_code.clone()).collect();
    let villages = app::regions::by_codes(&state, &codes).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let village_name =
        |code: &str| villages.iter().find(|r| r.code == code).map_or_else(|| code.to_string(), |r| r.name.clone());
    Ok(Json(
        page.items
            .into_iter()
            .map(|p| Choice {
                detail: format!("{} · #{}", village_name(&p.village_code), p.id),
                value: p.id.to_string(),
                label: p.full_name,
            })
            .collect(),
    ))
}

pub async fn agencies(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<PickQuery>,
) -> Result<Json<Vec<Choice>>, PageError> {
    let text = query_text(&q);
    if text.chars().count() < 2 {
        return Ok(Json(vec![]));
    }
    let mut found =
        app::agencies::search_name_or_licence(&state, &text).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    found.truncate(LIMIT as usize);
    let t = v.t();
    Ok(Json(
        found
            .into_iter()
            .map(|a| Choice {
                detail: format!("{} · {}", a.licence_number, t.label("agency_status", &a.status)),
                value: a.id.to_string(),
                label: a.name,
            })
            .collect(),
    ))
}

/// Job orders that can be chosen for a placement today (the episode form lists only the latest
/// `app::JOB_ORDER_CHOICES`): by id, reference, employer, agency name or job type.
pub async fn job_orders(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<PickQuery>,
) -> Result<Json<Vec<Choice>>, PageError> {
    let text = query_text(&q);
    let found = app::job_orders::pick(&state, &text).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let t = v.t();
    Ok(Json(
        found
            .into_iter()
            .map(|j| Choice {
                detail: format!(
                    "{} · {} · {} · #{}",
                    t.country(&j.destination),
                    t.label("job", &j.job_type),
                    j.employer,
                    j.id
                ),
                label: format!("{} · {}", j.agency_name, j.reference),
                value: j.id.to_string(),
            })
            .collect(),
    ))
}
