//! Recording a job order, shared by the pages and the API: validate, check that the agency is
//! registered, refuse a reference the agency already used.

use crate::App as AppState;
use domain::service_center::{NewJobOrderInput, validate_job_order};
use domain::{Rule, ValidationErrors};
use store::audit::Actor;
pub use store::job_orders::JobOrder;

pub enum CreateError {
    Invalid(ValidationErrors),
    Store(store::StoreError),
}

impl From<store::StoreError> for CreateError {
    fn from(e: store::StoreError) -> Self {
        CreateError::Store(e)
    }
}

/// Validates and stores a job order; `costs` are `(cost item code, rupiah amount)` rows. The
/// caller has checked the right to manage agencies.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &NewJobOrderInput<'_>,
    costs: &[(&str, &str)],
) -> Result<JobOrder, CreateError> {
    let checked = validate_job_order(input, costs);
    // An unknown agency is reported together with the other errors.
    let agency_id = input.agency_id.trim().parse::<i64>().ok().filter(|id| *id > 0);
    let unknown_agency = match agency_id {
        Some(id) => store::agencies::get(&state.db, id).await?.is_none(),
        None => false,
    };
    let new = match checked {
        Ok(new) if !unknown_agency => new,
        result => {
            let mut errs = ValidationErrors::new();
            if unknown_agency {
                errs.add("agency_id", Rule::OneOf, "no registered agency has this id");
            }
            errs.0.extend(result.err().map(|e| e.0).unwrap_or_default());
            return Err(CreateError::Invalid(errs));
        }
    };
    match store::job_orders::create(&state.db, actor, &new).await {
        Ok(jo) => {
            state.reload_choices().await;
            Ok(jo)
        }
        Err(e) if store::is_unique_violation(&e) => Err(CreateError::Invalid(ValidationErrors::single(
            "reference",
            Rule::Taken,
            "this agency already recorded a job order with this reference",
        ))),
        Err(e) => Err(CreateError::Store(e)),
    }
}

/// The labour attaché's verification or rejection of a job order (national admins): one
/// operation for the page and the API. `agency` (when the door knows it) must own the order,
/// so a stale page cannot act on another company's.
pub async fn verify(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &Actor,
    job_order: i64,
    agency: Option<i64>,
    status: &str,
) -> crate::error::Result<JobOrder> {
    use domain::service_center::VerificationStatus;
    if !principal.can(domain::access::Action::ManageAgencies, None) {
        return Err(crate::Error::Forbidden);
    }
    let status = match VerificationStatus::parse(status) {
        Some(s @ (VerificationStatus::Verified | VerificationStatus::Rejected)) => s,
        _ => return Err(crate::Error::invalid("status", Rule::OneOf, "verified or rejected")),
    };
    let jo = store::job_orders::get(&state.db, job_order).await?;
    if jo.is_none_or(|jo| agency.is_some_and(|a| a != jo.agency_id)) {
        return Err(crate::Error::NotFound);
    }
    let changed = store::job_orders::set_status(&state.db, actor, job_order, status).await?;
    state.reload_choices().await;
    changed.ok_or(crate::Error::NotFound)
}

pub use store::job_orders::ListFilter;

/// Job orders by agency and whether they can be chosen on a day (the registry is open to every
/// signed-in user), latest validity first: one page of at most `limit` (1–500, 500 when
/// absent) after the cursor `after` (the `next_after` of the previous page), and the cursor of
/// the next page (`None` on the last). Refusals name `limit` or `after`.
pub async fn list(
    state: &AppState,
    mut filter: ListFilter,
    after: Option<&str>,
    limit: Option<i64>,
) -> crate::error::Result<(Vec<JobOrder>, Option<String>)> {
    let mut errs = ValidationErrors::new();
    let limit = domain::paging::limit(&mut errs, limit, domain::paging::MAX_LIMIT);
    let after = after.map(str::trim).filter(|a| !a.is_empty());
    filter.after = after.and_then(parse_cursor);
    if after.is_some() && filter.after.is_none() {
        errs.add("after", Rule::Format, "the next_after of the previous page, such as 2026-12-31_42");
    }
    errs.into_result().map_err(crate::Error::Invalid)?;
    filter.limit = Some(limit + 1);
    let mut items = store::job_orders::list(&state.db, filter).await?;
    let next = (items.len() as i64 > limit).then(|| {
        items.truncate(limit as usize);
        items.last().map(|j| format!("{}_{}", j.valid_until, j.id))
    });
    Ok((items, next.flatten()))
}

/// `2026-12-31_42`: the validity end and id of the last job order of a page.
fn parse_cursor(raw: &str) -> Option<(time::Date, i64)> {
    let (date, id) = raw.split_once('_')?;
    Some((domain::person::parse_date(date)?, id.parse().ok().filter(|n: &i64| *n > 0)?))
}

/// An agency's job orders.
pub async fn for_agency(state: &AppState, agency_id: i64) -> crate::error::Result<Vec<JobOrder>> {
    Ok(store::job_orders::list_for_agency(&state.db, agency_id).await?)
}

/// How many job orders a search for the picker answers with.
pub const PICK_LIMIT: i64 = 12;

/// Job orders that can be chosen for a placement today matching `text` (an id, or words of the
/// reference, employer, agency name or job type), at most [`PICK_LIMIT`]: the episode form's
/// search beyond the [`crate::JOB_ORDER_CHOICES`] it lists. The registry is open to every
/// signed-in user; a text shorter than two characters finds nothing.
pub async fn pick(state: &AppState, text: &str) -> crate::error::Result<Vec<JobOrder>> {
    let text = text.trim();
    if text.chars().count() < 2 && text.parse::<i64>().is_err() {
        return Ok(vec![]);
    }
    Ok(store::job_orders::selectable(&state.db, state.today(), text, PICK_LIMIT).await?)
}

/// One job order (`NotFound` when absent).
pub async fn get(state: &AppState, id: i64) -> crate::error::Result<JobOrder> {
    store::job_orders::get(&state.db, id).await?.ok_or(crate::Error::NotFound)
}
