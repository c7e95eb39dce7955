//! Programs a village can take part in (Desmigratif, Desa Migran EMAS, …): reference data every
//! account reads; national admins register new ones.

use crate::App as AppState;
use crate::error::{Error, Result};
use domain::access::{Action, Principal};
use store::audit::Actor;

pub use store::programs::{Program, ProgramVillage};

pub async fn list(state: &AppState) -> Result<Vec<Program>> {
    Ok(store::programs::list(&state.db).await?)
}

/// Registers a program (national admins); a code already taken is a 422 on `code`.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    code: &str,
    name: &str,
    institution: &str,
    criteria: &str,
) -> Result<Program> {
    if !principal.can(Action::ManagePrograms, None) {
        return Err(Error::Forbidden);
    }
    let np = domain::program::validate_program(code, name, institution, criteria)?;
    match store::programs::create(&state.db, actor, &np).await {
        Ok(p) => Ok(p),
        Err(e) if store::is_unique_violation(&e) => {
            Err(Error::invalid("code", domain::Rule::Taken, "a program with this code exists"))
        }
        Err(e) => Err(e.into()),
    }
}

/// A program and its participating villages in the caller's own area (all for national scope).
pub async fn program(state: &AppState, principal: &Principal, code: &str) -> Result<(Program, Vec<ProgramVillage>)> {
    let p = store::programs::by_code(&state.db, code).await?.ok_or(Error::NotFound)?;
    let villages = store::programs::program_villages(&state.db, &p.code, principal.scope.code(), 2000).await?;
    Ok((p, villages))
}
