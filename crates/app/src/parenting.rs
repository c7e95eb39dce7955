//! Community parenting (issue 6) as pages and API see it. Children's records are the most
//! restricted: names and records only for `Action::ViewChild` (facilitators and the village's
//! supervisors), counts for everyone else in scope (`Action::CountChildren`), and a child's id
//! answers 404 to anyone who may not see the name. Every view of names is audited.

use crate::App as AppState;
use crate::enterprise::{Error, R, writable_village};
use domain::access::{Action, Principal};
use domain::parenting::{self as par, ActivityInput, ChildInput, ConcernInput, SchoolLevel, SchoolStatus};
use domain::{RegionCode, Rule, ValidationErrors};
use store::audit::Actor;
pub use store::parenting::{Activity, Child, Concern};

/// Registers a child. Parents must be people the caller may see (else 422 on
/// `parent_person_ids`); the village must be one where the caller may see children's names.
pub async fn create_child(state: &AppState, principal: &Principal, actor: &Actor, input: &ChildInput<'_>) -> R<Child> {
    let mut errs = ValidationErrors::new();
    writable_village(state, principal, Action::ViewChild, input.village_code, &mut errs).await?;
    let checked = par::validate_child(input, state.today());
    // Parents are checked even when other fields fail, so every error is reported at once.
    let mut parent_errs = Vec::new();
    for id in input.parent_person_ids.iter().filter(|id| **id > 0) {
        if crate::people::visible_person(state, principal, *id).await?.is_none() {
            parent_errs.push(id.to_string());
        }
    }
    if !parent_errs.is_empty() && errs.for_field("parent_person_ids").is_none() {
        errs.add(
            "parent_person_ids",
            Rule::Mismatch,
            format!("no person with id {} in your region", parent_errs.join(", ")),
        );
    }
    let new = match checked {
        Ok(n) if errs.is_empty() => n,
        other => {
            errs.0.extend(other.err().map(|e| e.0).unwrap_or_default());
            return Err(Error::Invalid(errs));
        }
    };
    Ok(store::parenting::create_child(&state.db, actor, &new).await?)
}

/// The child if the caller may see their name; 404 otherwise (absent or not allowed alike).
pub async fn child(state: &AppState, principal: &Principal, id: i64) -> R<Child> {
    let c = store::parenting::get_child(&state.db, id).await?.ok_or(Error::NotFound)?;
    if c.village().is_some_and(|v| principal.can(Action::ViewChild, Some(&v))) { Ok(c) } else { Err(Error::NotFound) }
}

/// Records that a child's record was seen (page or API).
pub async fn audit_view(state: &AppState, actor: &Actor, c: &Child) -> R<()> {
    let ev = store::audit::Event {
        action: "child.view",
        entity: "child",
        entity_id: &c.id.to_string(),
        region_code: &c.village_code,
        details: "",
    };
    store::audit::append_now(&state.db, actor, &ev).await?;
    Ok(())
}

/// May the caller see names of children in `area` (their scope or narrower)?
pub fn names_visible(principal: &Principal, area: Option<&RegionCode>) -> bool {
    principal.can(Action::ViewChild, area)
}

/// Updates schooling and documents of a child the caller may see (checked by `child`).
pub async fn update_status(
    state: &AppState,
    actor: &Actor,
    c: &Child,
    level: &str,
    status: &str,
    birth_certificate: bool,
    health_insurance: bool,
) -> R<()> {
    let mut errs = ValidationErrors::new();
    let parse_opt = |errs: &mut ValidationErrors, field: &str, raw: &str, ok: Option<()>, codes: String| {
        if !raw.trim().is_empty() && ok.is_none() {
            errs.add(field, Rule::OneOf, format!("one of {codes}"));
        }
    };
    let lvl = SchoolLevel::parse(level);
    let st = SchoolStatus::parse(status);
    parse_opt(&mut errs, "school_level", level, lvl.map(|_| ()), SchoolLevel::codes());
    parse_opt(&mut errs, "school_status", status, st.map(|_| ()), SchoolStatus::codes());
    if st == Some(SchoolStatus::Never) && lvl.is_some_and(|l| l != SchoolLevel::None) {
        errs.push(
            domain::FieldError::new("school_level", Rule::Mismatch, "a child who never went to school has level none")
                .message("msg_key.school_level_none"),
        );
    }
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    Ok(store::parenting::update_child_status(&state.db, actor, c, lvl, st, birth_certificate, health_insurance).await?)
}

/// Raises a welfare concern: opens a restricted protection case through the cases service
/// (the case names the child by id only) and records the concern with the case's id.
pub async fn raise_concern(state: &AppState, actor: &Actor, c: &Child, input: &ConcernInput<'_>) -> R<(Concern, i64)> {
    let new = par::validate_concern(input, state.today())?;
    let village = c.village().ok_or(Error::NotFound)?;
    let description = format!(
        "Kekhawatiran kesejahteraan anak (parenting, anak #{}): {} — {}",
        c.id,
        new.kind.as_str(),
        new.description
    );
    let case =
        crate::cases::create_restricted(state, actor, new.kind.case_type(), new.kind.severity(), description, village)
            .await?;
    let concern = store::parenting::create_concern(&state.db, actor, c, &new, case.id).await?;
    Ok((concern, case.id))
}

// ---------------------------------------------------------------- activities

/// Records an activity; those who take attendance (facilitators and supervisors) record them.
pub async fn create_activity(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &ActivityInput<'_>,
) -> R<Activity> {
    let mut errs = ValidationErrors::new();
    writable_village(state, principal, Action::ViewChild, input.village_code, &mut errs).await?;
    let checked = par::validate_activity(input, state.today());
    let new = match checked {
        Ok(n) if errs.is_empty() => n,
        other => {
            errs.0.extend(other.err().map(|e| e.0).unwrap_or_default());
            return Err(Error::Invalid(errs));
        }
    };
    Ok(store::parenting::create_activity(&state.db, actor, &new).await?)
}

/// The activity if the caller may count children in its village.
pub async fn activity(state: &AppState, principal: &Principal, id: i64) -> R<Activity> {
    let a = store::parenting::get_activity(&state.db, id).await?.ok_or(Error::NotFound)?;
    if a.village().is_some_and(|v| principal.can(Action::CountChildren, Some(&v))) {
        Ok(a)
    } else {
        Err(Error::NotFound)
    }
}

/// Who attended: a child (`child_id`, a child the caller may see) or a caregiver (`person_id`,
/// a person the caller may see), on a day within the activity's dates (errors name `date`).
pub async fn add_attendance(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    a: &Activity,
    child_id: Option<i64>,
    person_id: Option<i64>,
    date: &str,
) -> R<bool> {
    if !a.village().is_some_and(|v| principal.can(Action::ViewChild, Some(&v))) {
        return Err(Error::Forbidden);
    }
    let (starts, ends) = a.dates().ok_or(Error::NotFound)?;
    let mut errs = ValidationErrors::new();
    let day = match domain::enterprise::attendance_date("date", date, starts, ends, state.today()) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    match (child_id, person_id) {
        (Some(_), Some(_)) => errs.add("person_id", Rule::Mismatch, "one attendee at a time: a child or a caregiver"),
        (None, None) => {
            errs.add("child_id", Rule::Required, "the child (child_id) or caregiver (person_id) who attended")
        }
        (Some(cid), None) => {
            if child(state, principal, cid).await.is_err() {
                errs.add("child_id", Rule::OneOf, "no child with this id in your region");
            }
        }
        (None, Some(pid)) => {
            if crate::people::visible_person(state, principal, pid).await?.is_none() {
                errs.add("person_id", Rule::OneOf, crate::enterprise::NOT_VISIBLE);
            }
        }
    }
    let Some(day) = day.filter(|_| errs.is_empty()) else { return Err(Error::Invalid(errs)) };
    Ok(match (child_id, person_id) {
        (Some(cid), _) => store::parenting::add_child_attendance(&state.db, actor, a, cid, day).await?,
        (_, Some(pid)) => store::parenting::add_caregiver_attendance(&state.db, actor, a, pid, day).await?,
        _ => false,
    })
}

// ---------------------------------------------------------------- views

pub use store::enterprise::Filter;
pub use store::parenting::{ChildActivity, ParentRef, VillageCounts};

/// The list's region must be one where the caller may count children (the filter was built
/// for it, but an operation does not trust its caller).
fn may_count(principal: &Principal, f: &Filter) -> R<()> {
    if principal.can(Action::CountChildren, f.within.as_ref()) { Ok(()) } else { Err(Error::Forbidden) }
}

/// A child's record as page and API show it: the child, the parents the caller may see (and
/// how many are hidden), concerns and activities attended. The view is audited.
pub struct ChildDossier {
    pub child: Child,
    /// Every parent's person id (ids only: the names below are those the caller may see).
    pub parent_person_ids: Vec<i64>,
    pub parents: Vec<ParentRef>,
    pub hidden_parents: usize,
    pub concerns: Vec<Concern>,
    pub activities: Vec<ChildActivity>,
}

/// The child's dossier; 404 to anyone who may not see the child's name.
pub async fn child_dossier(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> R<ChildDossier> {
    let c = child(state, principal, id).await?;
    audit_view(state, actor, &c).await?;
    dossier_of(state, principal, c).await
}

/// The dossier of a child just written by the caller (its write was audited; no view entry).
pub async fn dossier_of(state: &AppState, principal: &Principal, c: Child) -> R<ChildDossier> {
    let all = store::parenting::parents(&state.db, c.id).await?;
    let parent_person_ids = all.iter().map(|p| p.person_id).collect();
    let total = all.len();
    let parents: Vec<ParentRef> =
        all.into_iter().filter(|p| p.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v)))).collect();
    Ok(ChildDossier {
        parent_person_ids,
        hidden_parents: total - parents.len(),
        parents,
        concerns: store::parenting::concerns(&state.db, c.id).await?,
        activities: store::parenting::activities_of_child(&state.db, c.id).await?,
        child: c,
    })
}

/// Children in a region: counts per village for everyone who may count them, names (audited
/// as `child.list`) only for those who may see them.
pub struct ChildrenView {
    pub names_visible: bool,
    /// Empty when names are not visible.
    pub children: Vec<Child>,
    /// One page of the per-village counts (`villages`), and the `after` of the next.
    pub counts: Vec<VillageCounts>,
    pub counts_next_after: Option<String>,
}

pub async fn children(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    f: &Filter,
    school_status: Option<SchoolStatus>,
    after: Option<i64>,
    limit: i64,
    villages: &crate::enterprise::VillagePageQuery,
) -> R<ChildrenView> {
    let (village_after, village_limit) = villages.checked()?;
    may_count(principal, f)?;
    let (counts, counts_next_after) = store::parenting::counts_page(&state.db, f, village_after, village_limit).await?;
    let names_visible = names_visible(principal, f.within.as_ref());
    let mut children = Vec::new();
    if names_visible {
        children = store::parenting::list_children(&state.db, f, school_status, after, limit).await?;
        let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
        let region = f.within.as_ref().map(|c| c.to_string()).unwrap_or_default();
        store::parenting::audit_children_view(&state.db, actor, "child.list", &region, &ids, "").await?;
    }
    Ok(ChildrenView { names_visible, children, counts, counts_next_after })
}

/// One page of the per-village counts (no names) in village code order, and the `after` of
/// the next page (`None` on the last). There is no unpaged list: at national scale it is
/// thousands of villages.
pub async fn counts_page(
    state: &AppState,
    principal: &Principal,
    f: &Filter,
    page: &crate::enterprise::VillagePageQuery,
) -> R<(Vec<VillageCounts>, Option<String>)> {
    let (after, limit) = page.checked()?;
    may_count(principal, f)?;
    Ok(store::parenting::counts_page(&state.db, f, after, limit).await?)
}

/// Activities in a region and period, newest first (attendance counts, no names).
pub async fn activities(state: &AppState, principal: &Principal, f: &Filter, limit: i64) -> R<Vec<Activity>> {
    may_count(principal, f)?;
    Ok(store::parenting::list_activities(&state.db, f, None, limit).await?)
}

/// One attendance line: a child or a caregiver, on a day.
pub struct Attended {
    pub id: i64,
    pub full_name: String,
    pub on_date: String,
}

/// An activity with who attended. Names only for those who may see the village's children;
/// caregivers only those the caller may see as people. Names shown are audited
/// (`parenting.view`).
pub struct ActivityView {
    pub activity: Activity,
    pub names_visible: bool,
    pub children: Vec<Attended>,
    pub caregivers: Vec<Attended>,
    /// With `choices`: the village's children to pick from for attendance (id, name).
    pub choices: Vec<(i64, String)>,
}

/// The activity `id` (404 unless the caller may count children in its village) with its
/// attendance; `choices` adds the village's children for the attendance form.
pub async fn activity_view(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    choices: bool,
) -> R<ActivityView> {
    let a = activity(state, principal, id).await?;
    let names_visible = a.village().is_some_and(|v| principal.can(Action::ViewChild, Some(&v)));
    let mut view = ActivityView { activity: a, names_visible, children: vec![], caregivers: vec![], choices: vec![] };
    if !names_visible {
        return Ok(view);
    }
    let a = &view.activity;
    let rows = store::parenting::child_attendance(&state.db, a.id).await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.child_id).collect();
    if choices {
        let within = Filter { within: a.village(), ..Default::default() };
        let kids = store::parenting::list_children(&state.db, &within, None, None, 500).await?;
        ids.extend(kids.iter().map(|c| c.id));
        view.choices = kids.into_iter().map(|c| (c.id, c.full_name)).collect();
    }
    ids.sort_unstable();
    ids.dedup();
    let details = format!("activity {}", a.id);
    store::parenting::audit_children_view(&state.db, actor, "parenting.view", &a.village_code, &ids, &details).await?;
    view.caregivers = store::parenting::caregiver_attendance(&state.db, a.id)
        .await?
        .into_iter()
        .filter(|r| r.village_code.parse().is_ok_and(|v| principal.can(Action::ViewPerson, Some(&v))))
        .map(|r| Attended { id: r.person_id, full_name: r.full_name, on_date: r.on_date })
        .collect();
    view.children =
        rows.into_iter().map(|r| Attended { id: r.child_id, full_name: r.full_name, on_date: r.on_date }).collect();
    Ok(view)
}
