//! Outreach events (sosialisasi), shared by the pages and the API: record one in a village
//! of the user's scope, read it within scope, add registered attendees the user may see.

use crate::App as AppState;
use domain::access::{Action, Principal};
use domain::service_center::{NewOutreachInput, validate_outreach};
use domain::{RegionCode, Rule, ValidationErrors};
use store::audit::Actor;
pub use store::outreach::{Attendee, OutreachEvent, VillageCount};
use store::persons::Person;

/// What is told for an unknown person and for one outside the user's region alike.
pub const NOT_IN_REGION: &str = "no person with this NIK in your region; register them first";

/// May this principal record outreach at all (somewhere in their scope)? Roles that never
/// do (analysts, cooperative managers, partners…) are refused before anything is checked.
pub fn may_record(principal: &Principal) -> bool {
    principal.can(Action::EditPerson, principal.scope.code())
}

/// Validates and stores an event. The village must exist and lie in the user's scope; both
/// are reported on `village_code` with the other field errors.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &NewOutreachInput<'_>,
) -> Result<Result<OutreachEvent, ValidationErrors>, store::StoreError> {
    let checked = validate_outreach(input, state.today());
    // Village codes are reference data open to every account: naming why one is refused
    // reveals nothing about people.
    let mut village_errs = ValidationErrors::new();
    if let Ok(code) = input.village_code.trim().parse::<RegionCode>() {
        if code.level() == domain::RegionLevel::Village {
            if !store::regions::exists(&state.db, &code).await? {
                village_errs.add("village_code", Rule::UnknownRegion, format!("no village has the code {code}"));
            } else if let Some(e) = crate::region_update::retired_refusal(state, "village_code", &code).await? {
                village_errs.push(e);
            } else if !principal.can(Action::EditPerson, Some(&code)) {
                village_errs.push(
                    domain::FieldError::new("village_code", Rule::Mismatch, "this village is outside your region")
                        .message("msg_key.outside_region"),
                );
            }
        }
    }
    let new = match checked {
        Ok(new) if village_errs.is_empty() => new,
        result => {
            village_errs.0.extend(result.err().map(|e| e.0).unwrap_or_default());
            return Ok(Err(village_errs));
        }
    };
    store::outreach::create(&state.db, actor, &new).await.map(Ok)
}

/// The event if this principal may see its village; `None` both when absent and when
/// outside the scope, so ids cannot be probed.
pub async fn visible_event(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Option<OutreachEvent>, store::StoreError> {
    let event = store::outreach::get(&state.db, id).await?;
    Ok(event.filter(|e| e.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v)))))
}

/// The attendees this principal may see, and how many others are recorded (people living
/// outside the user's region, added by someone with a wider scope).
pub async fn attendees(
    state: &AppState,
    principal: &Principal,
    event: &OutreachEvent,
) -> Result<(Vec<Attendee>, usize), store::StoreError> {
    let all = store::outreach::attendees(&state.db, event.id).await?;
    let total = all.len();
    let shown: Vec<Attendee> =
        all.into_iter().filter(|a| a.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v)))).collect();
    let hidden = total - shown.len();
    Ok((shown, hidden))
}

/// Records that the attendees shown were seen (one entry naming every person), as a person
/// search does.
pub async fn audit_attendees_view(
    state: &AppState,
    actor: &Actor,
    event: &OutreachEvent,
    shown: &[Attendee],
) -> Result<(), store::StoreError> {
    if shown.is_empty() {
        return Ok(());
    }
    let ids = shown.iter().map(|a| a.person_id.to_string()).collect::<Vec<_>>().join(",");
    let ev = store::audit::Event {
        action: "outreach.view",
        entity: "person",
        entity_id: &ids,
        region_code: &event.village_code,
        details: &format!("outreach {} attendees={}", event.id, shown.len()),
    };
    store::audit::append_now(&state.db, actor, &ev).await.map(|_| ())
}

/// The person with this exact NIK if the principal may see them (searched within their area).
pub async fn find_by_nik(
    state: &AppState,
    principal: &Principal,
    nik: &str,
) -> Result<Option<Person>, store::StoreError> {
    let nik = nik.trim();
    if nik.is_empty() {
        return Ok(None);
    }
    let Ok(within) = crate::people::search_area(principal, None) else {
        return Ok(None);
    };
    let filter = store::persons::Filter { nik: Some(nik.to_string()), within, ..Default::default() };
    Ok(store::persons::search(&state.db, &filter, 1).await?.into_iter().next())
}

// ---------------------------------------------------------------- views

fn tidy(e: &mut OutreachEvent) {
    e.village_name = store::regions::display_name(&e.village_name);
}

/// Events held at or inside `requested` (the caller's scope when `None`; 403 outside it),
/// newest first, `limit` a page; with the `after` of the next page when there is one.
pub async fn events(
    state: &AppState,
    principal: &Principal,
    requested: Option<RegionCode>,
    after: Option<i64>,
    limit: i64,
) -> crate::error::Result<(Vec<OutreachEvent>, Option<i64>)> {
    let within = crate::people::search_area(principal, requested).map_err(|_| crate::Error::Forbidden)?;
    let mut items = store::outreach::list(&state.db, within.as_ref(), after, limit + 1).await?;
    let next_after = (items.len() as i64 > limit).then(|| items[limit as usize - 1].id);
    items.truncate(limit as usize);
    items.iter_mut().for_each(tidy);
    Ok((items, next_after))
}

/// Events, headcounts and registered attendees per village of the caller's scope in `year`:
/// one page of villages in village code order, and the `after` of the next (`None` on the last).
pub async fn village_counts(
    state: &AppState,
    principal: &Principal,
    year: i32,
    page: &crate::enterprise::VillagePageQuery,
) -> crate::error::Result<(Vec<VillageCount>, Option<String>)> {
    let (after, limit) = page.checked()?;
    let within = crate::people::search_area(principal, None).map_err(|_| crate::Error::Forbidden)?;
    let (mut rows, next) = store::outreach::counts_page(&state.db, within.as_ref(), Some(year), after, limit).await?;
    for r in &mut rows {
        r.village_name = store::regions::display_name(&r.village_name);
    }
    Ok((rows, next))
}

/// An event with the attendees the caller may see (the view audited) and how many others.
pub struct EventView {
    pub event: OutreachEvent,
    pub attendees: Vec<Attendee>,
    pub hidden: usize,
}

/// The event `id` as the caller may see it; 404 when absent or outside their region.
pub async fn event_view(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    id: i64,
) -> crate::error::Result<EventView> {
    let mut event = visible_event(state, principal, id).await?.ok_or(crate::Error::NotFound)?;
    let (attendees, hidden) = attendees(state, principal, &event).await?;
    audit_attendees_view(state, actor, &event, &attendees).await?;
    tidy(&mut event);
    Ok(EventView { event, attendees, hidden })
}

/// 403 unless the caller may record attendance in the event's village: the check a door
/// makes before it reads the request.
pub fn require_edit(principal: &Principal, event: &OutreachEvent) -> crate::error::Result<()> {
    if event.village().is_some_and(|v| principal.can(Action::EditPerson, Some(&v))) {
        Ok(())
    } else {
        Err(crate::Error::Forbidden)
    }
}

/// Records that registered person `person_id` attended. Only people the caller may see:
/// an unknown id and one outside the region get the same 422 on `person_id`. `Ok(false)`
/// when already recorded.
pub async fn add_attendee(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    event: &OutreachEvent,
    person_id: i64,
) -> crate::error::Result<bool> {
    require_edit(principal, event)?;
    let person = crate::people::visible_person(state, principal, person_id).await?.ok_or_else(|| {
        crate::Error::invalid("person_id", Rule::UnknownRegion, "no person with this id in your region")
    })?;
    Ok(store::outreach::add_attendee(&state.db, actor, event, &person).await?)
}
