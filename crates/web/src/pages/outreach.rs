//! Outreach pages: the events held in the user's region with a count per village, a form to
//! record one, and the event's page with its registered attendees.

use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use crate::outreach as svc;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::service_center::{NewOutreachInput, SUGGESTED_TOPICS};
use domain::{Rule, ValidationErrors};
use serde::Deserialize;
use svc::{Attendee, OutreachEvent, VillageCount};

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "outreach_list.html")]
struct ListPage {
    layout: Layout,
    t: crate::i18n::T,
    events: Vec<OutreachEvent>,
    next_after: Option<i64>,
    summary: Vec<VillageCount>,
    /// The events' cursor of this page, kept by the villages' next link, and that link's cursor.
    after: Option<i64>,
    villages_next: Option<String>,
    year: i32,
    can_record: bool,
    form: EventForm,
    errors: FormErrors,
    /// Suggested topics, translated: the officer may pick one or type their own.
    topics: Vec<&'static str>,
    today: String,
}

#[derive(Template)]
#[template(path = "outreach.html")]
struct EventPage {
    layout: Layout,
    t: crate::i18n::T,
    event: OutreachEvent,
    attendees: Vec<Attendee>,
    /// Attendees living outside the user's region: counted, not named.
    hidden: usize,
    can_edit: bool,
    nik: String,
    errors: FormErrors,
    saved: bool,
    already: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    after: Option<i64>,
    /// The summary's cursor: the village code to continue after.
    #[serde(default)]
    villages_after: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct EventForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub headcount: String,
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    after: Option<i64>,
    villages_after: Option<String>,
    form: EventForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = v.t();
    let app_err = |e| PageError::from_app(e, v.lang());
    let (events, next_after) = svc::events(state, &v.principal, None, after, PAGE_SIZE).await.map_err(app_err)?;
    let year = state.clock.year();
    let villages = crate::enterprise::VillagePageQuery { limit: None, after: villages_after };
    let (summary, villages_next) =
        svc::village_counts(state, &v.principal, year, &villages).await.map_err(super::enterprise::list_err(v))?;
    let failed = errors.any();
    let page = render(
        &ListPage {
            layout: Layout::for_viewer(v, t.get("outreach.title"), "/outreach"),
            t,
            events,
            next_after,
            summary,
            after,
            villages_next,
            year,
            can_record: svc::may_record(&v.principal),
            form,
            errors,
            topics: SUGGESTED_TOPICS.iter().map(|c| t.get(&format!("outreach.topics.{c}"))).collect(),
            today: state.today().to_string(),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

pub async fn index(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    // A village officer records events of their own village: prefill it.
    let village_code = v
        .principal
        .scope
        .code()
        .filter(|c| c.level() == domain::RegionLevel::Village)
        .map(|c| c.to_string())
        .unwrap_or_default();
    let form = EventForm { village_code, held_on: state.today().to_string(), ..Default::default() };
    list_page(&state, &v, q.after, q.villages_after, form, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<EventForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    if !svc::may_record(&v.principal) {
        return Err(PageError::forbidden(v.lang()));
    }
    let input = NewOutreachInput {
        village_code: &f.village_code,
        held_on: &f.held_on,
        place: &f.place,
        topic: &f.topic,
        organiser: &f.organiser,
        headcount: &f.headcount,
    };
    match svc::create(&state, &v.principal, &v.actor(), &input).await.map_err(PageError::internal(v.lang()))? {
        Ok(e) => Ok(Redirect::to(&format!("/outreach/{}?saved=1", e.id)).into_response()),
        Err(errs) => list_page(&state, &v, None, None, f, FormErrors::new(v.t(), errs)).await,
    }
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<OutreachEvent, PageError> {
    svc::visible_event(state, &v.principal, id)
        .await
        .map_err(PageError::internal(v.lang()))?
        .ok_or_else(|| PageError::not_found(v.lang()))
}

struct Shown {
    nik: String,
    errors: FormErrors,
    saved: bool,
    already: bool,
}

async fn event_page(state: &AppState, v: &Viewer, id: i64, shown: Shown) -> Result<Response, PageError> {
    let t = v.t();
    let view =
        svc::event_view(state, &v.principal, &v.actor(), id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let svc::EventView { event, attendees, hidden } = view;
    let can_edit = svc::require_edit(&v.principal, &event).is_ok();
    let failed = shown.errors.any();
    let page = render(
        &EventPage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", event.topic, event.held_on),
                &format!("/outreach/{}", event.id),
            ),
            t,
            event,
            attendees,
            hidden,
            can_edit,
            nik: shown.nik,
            errors: shown.errors,
            saved: shown.saved,
            already: shown.already,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page })
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    already: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let shown = Shown {
        nik: String::new(),
        errors: FormErrors::default(),
        saved: q.saved.is_some(),
        already: q.already.is_some(),
    };
    event_page(&state, &v, id, shown).await
}

#[derive(Deserialize, Default)]
pub struct AttendeeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    nik: String,
}

pub async fn add_attendee(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<AttendeeForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let event = load(&state, &v, id).await?;
    svc::require_edit(&v.principal, &event).map_err(|e| PageError::from_app(e, v.lang()))?;
    let err = || PageError::internal(v.lang());
    // Only people this user may see can be added; an unknown NIK and one outside the region
    // get the same answer.
    match svc::find_by_nik(&state, &v.principal, &f.nik).await.map_err(err())? {
        Some(person) => {
            let added = svc::add_attendee(&state, &v.principal, &v.actor(), &event, person.id)
                .await
                .map_err(|e| PageError::from_app(e, v.lang()))?;
            let flag = if added { "saved" } else { "already" };
            Ok(Redirect::to(&format!("/outreach/{id}?{flag}=1#attendees")).into_response())
        }
        None => {
            let errs = ValidationErrors::single("nik", Rule::UnknownRegion, svc::NOT_IN_REGION);
            let shown = Shown { nik: f.nik, errors: FormErrors::new(v.t(), errs), saved: false, already: false };
            event_page(&state, &v, id, shown).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, T};

    #[test]
    fn every_suggested_topic_has_a_label_in_both_languages() {
        for lang in [Lang::Id, Lang::En] {
            for c in SUGGESTED_TOPICS {
                assert_ne!(T::new(lang).get(&format!("outreach.topics.{c}")), "??", "{c} in {lang:?}");
            }
        }
    }
}
