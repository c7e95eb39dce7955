//! Regions as every door reads them: the Kemendagri reference (open to every account and the
//! public portal) and a village's page (designation, programs, officers), which is scoped.

use crate::App as AppState;
use crate::error::{Error, Result};
use domain::access::{Action, Principal};
use domain::{RegionCode, RegionLevel};
use store::audit::Actor;

pub use store::programs::{Program, ProgramVillage, VillageStatus};
pub use store::regions::{Region, SearchHit};
pub use store::users::User;

/// A region's name for display ("KAB. SIKKA" → "Kabupaten Sikka").
pub fn display_name(raw: &str) -> String {
    store::regions::display_name(raw)
}

pub async fn provinces(state: &AppState) -> Result<Vec<Region>> {
    Ok(store::regions::provinces(&state.db).await?)
}

/// The region with this code; 404 when there is none.
pub async fn region(state: &AppState, code: &RegionCode) -> Result<Region> {
    store::regions::get(&state.db, code).await?.ok_or(Error::NotFound)
}

pub async fn children(state: &AppState, code: &RegionCode) -> Result<Vec<Region>> {
    Ok(store::regions::children(&state.db, code).await?)
}

/// The region and its ancestors, the province first.
pub async fn lineage(state: &AppState, code: &RegionCode) -> Result<Vec<Region>> {
    Ok(store::regions::lineage(&state.db, code).await?)
}

/// The ancestors only, the province first (a page's breadcrumb).
pub async fn ancestors(state: &AppState, code: &RegionCode) -> Result<Vec<Region>> {
    let mut l = lineage(state, code).await?;
    l.pop();
    Ok(l)
}

pub async fn by_codes(state: &AppState, codes: &[String]) -> Result<Vec<Region>> {
    Ok(store::regions::by_codes(&state.db, codes).await?)
}

/// Name search, tolerant of case and partial words.
pub async fn search(
    state: &AppState,
    q: &str,
    level: Option<RegionLevel>,
    within: Option<&RegionCode>,
    limit: i64,
) -> Result<Vec<SearchHit>> {
    Ok(store::regions::search(&state.db, q, level, within, limit).await?)
}

/// Villages designated for Desmigratif at or inside `within`.
pub async fn desmigratif_villages(state: &AppState, within: &RegionCode, limit: i64) -> Result<Vec<ProgramVillage>> {
    Ok(store::programs::program_villages(&state.db, domain::program::DESMIGRATIF, Some(within), limit).await?)
}

/// The village `code` (404 unless it is an existing village) if the caller may do `action`
/// there (403 otherwise): the check a door makes before it reads a request body.
pub async fn village_for(state: &AppState, principal: &Principal, code: &RegionCode, action: Action) -> Result<Region> {
    if code.level() != RegionLevel::Village {
        return Err(Error::NotFound);
    }
    let r = region(state, code).await?;
    if !principal.can(action, Some(code)) {
        return Err(Error::Forbidden);
    }
    Ok(r)
}

/// A village's page: its designation and programs, its officers, and for those who may
/// designate it, the programs to choose from.
pub struct VillageDossier {
    pub village: Region,
    pub breadcrumb: Vec<Region>,
    pub status: VillageStatus,
    pub officers: Vec<User>,
    pub can_designate: bool,
    /// Every program, for the form; empty unless `can_designate`.
    pub programs: Vec<Program>,
}

pub async fn village(state: &AppState, principal: &Principal, code: &RegionCode) -> Result<VillageDossier> {
    let village = village_for(state, principal, code, Action::ViewVillage).await?;
    let can_designate = principal.can(Action::DesignateVillage, Some(code));
    Ok(VillageDossier {
        breadcrumb: ancestors(state, code).await?,
        status: store::programs::village_status(&state.db, code).await?,
        officers: store::users::village_staff(&state.db, code).await?,
        programs: if can_designate { store::programs::list(&state.db).await? } else { vec![] },
        can_designate,
        village,
    })
}

/// Designates a village for Desmigratif (cohort year) and marks it a pocket village.
pub async fn designate(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    code: &RegionCode,
    desmigratif: bool,
    cohort_year: Option<i64>,
    pocket_village: bool,
) -> Result<VillageStatus> {
    village_for(state, principal, code, Action::DesignateVillage).await?;
    let d = domain::program::validate_designation(desmigratif, cohort_year, pocket_village, state.clock.year())?;
    Ok(store::programs::designate(&state.db, actor, code, &d).await?)
}

/// A village joins (`since_year`, 2000 … next year) or leaves (`leave`) a program other than
/// Desmigratif (which the designation sets).
pub async fn set_program(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    code: &RegionCode,
    program: &str,
    since_year: &str,
    leave: bool,
) -> Result<()> {
    use domain::{Rule, ValidationErrors};
    village_for(state, principal, code, Action::DesignateVillage).await?;
    let mut errs = ValidationErrors::new();
    let program = match store::programs::by_code(&state.db, program.trim()).await? {
        Some(p) if p.code != domain::program::DESMIGRATIF => Some(p),
        Some(_) => {
            errs.add("program", Rule::OneOf, "Desmigratif is set with the designation form");
            None
        }
        None => {
            errs.add("program", Rule::OneOf, "choose a program from the list");
            None
        }
    };
    let next = state.clock.year() + 1;
    let since = if leave {
        None
    } else {
        match since_year.trim().parse::<i32>() {
            Ok(y) if (2000..=next).contains(&y) => Some(y),
            _ => {
                errs.add("since_year", Rule::OutOfRange, format!("a year between 2000 and {next}"));
                None
            }
        }
    };
    match program {
        Some(p) if errs.is_empty() => {
            Ok(store::programs::set_village_program(&state.db, actor, code, &p, since).await?)
        }
        _ => Err(Error::Invalid(errs)),
    }
}
