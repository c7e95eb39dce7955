//! Recording a job order, shared by the pages and the API: validate, check that the agency is
//! registered, refuse a reference the agency already used.

use crate::App as AppState;
use domain::service_center::{NewJobOrderInput, validate_job_order};
use domain::{Rule, ValidationErrors};
use store::audit::Actor;
use store::job_orders::JobOrder;

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
        Ok(jo) => Ok(jo),
        Err(e) if store::is_unique_violation(&e) => Err(CreateError::Invalid(ValidationErrors::single(
            "reference",
            Rule::Taken,
            "this agency already recorded a job order with this reference",
        ))),
        Err(e) => Err(CreateError::Store(e)),
    }
}
