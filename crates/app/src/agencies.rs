//! The placement-company registry (P3MI): everyone signed in looks agencies up; national
//! admins (`Action::ManageAgencies`) register them and their branch offices.

use crate::App as AppState;
use crate::error::{Error, Result};
use domain::access::{Action, Principal};
use domain::agency::NewAgencyInput;
use domain::{Rule, ValidationErrors};
use store::audit::Actor;

pub use store::agencies::{Agency, Branch};

/// Agencies whose name matches `query` (spelling-tolerant) or, with `licence`, that licence.
pub async fn search(state: &AppState, query: &str, licence: Option<&str>, limit: i64) -> Result<Vec<Agency>> {
    let keys = crate::people::name_keys(query);
    let licence = licence.map(str::trim).filter(|l| !l.is_empty());
    Ok(store::agencies::search(&state.db, &keys, licence, limit).await?)
}

/// The page's search box: a name, or a licence number matched exactly (listed first).
pub async fn search_name_or_licence(state: &AppState, query: &str) -> Result<Vec<Agency>> {
    let mut agencies = search(state, query, None, 200).await?;
    if !query.trim().is_empty() {
        for a in search(state, "", Some(query), 10).await? {
            if !agencies.iter().any(|x| x.id == a.id) {
                agencies.insert(0, a);
            }
        }
    }
    Ok(agencies)
}

/// One agency with its branch offices.
pub async fn detail(state: &AppState, id: i64) -> Result<(Agency, Vec<Branch>)> {
    let a = store::agencies::get(&state.db, id).await?.ok_or(Error::NotFound)?;
    let branches = store::agencies::branches(&state.db, id).await?;
    Ok((a, branches))
}

/// Registers an agency; a licence number already registered is refused on that field.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &NewAgencyInput<'_>,
) -> Result<Agency> {
    if !principal.can(Action::ManageAgencies, None) {
        return Err(Error::Forbidden);
    }
    let a = domain::agency::validate_agency(input)?;
    match store::agencies::create(&state.db, actor, &a).await {
        Ok(agency) => {
            state.reload_choices().await;
            Ok(agency)
        }
        Err(e) if store::is_unique_violation(&e) => Err(Error::Invalid(ValidationErrors::single(
            "licence_number",
            Rule::Taken,
            "an agency with this licence number is registered",
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Adds a branch office in a known region.
pub async fn add_branch(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    region_code: &str,
    address: &str,
    phone: &str,
) -> Result<()> {
    if !principal.can(Action::ManageAgencies, None) {
        return Err(Error::Forbidden);
    }
    let agency = store::agencies::get(&state.db, id).await?.ok_or(Error::NotFound)?;
    let b = domain::agency::validate_branch(region_code, address, phone)?;
    if !store::regions::exists(&state.db, &b.region_code).await? {
        return Err(Error::invalid("region_code", Rule::UnknownRegion, "no region has this code"));
    }
    store::agencies::add_branch(&state.db, actor, &agency, &b).await?;
    Ok(())
}

/// One agency (`NotFound` when absent).
pub async fn get(state: &AppState, id: i64) -> Result<Agency> {
    store::agencies::get(&state.db, id).await?.ok_or(Error::NotFound)
}

/// An agency's branch offices.
pub async fn branches(state: &AppState, id: i64) -> Result<Vec<Branch>> {
    Ok(store::agencies::branches(&state.db, id).await?)
}
