//! Who lives in the Desmigratif villages, for the pillars 2–4 (enterprise, parenting,
//! cooperative): the residents of each village with their household's worker and the worker's
//! time abroad, and their names and NIKs read back from `persons` one village at a time.

use crate::people::Role;
use crate::{Ctx, GenError};
use std::collections::HashMap;
use store::on_db;
use time::Date;

/// One Desmigratif village and the indexes (into `ctx.people.persons`) of its residents.
pub struct VillageRoster {
    pub code: String,
    pub cohort: i32,
    pub residents: Vec<u32>,
}

/// A worker's placements that departed: (departed, returned) Julian days, returned 0 while
/// still abroad. In order.
pub type Spans = Vec<(i32, i32)>;

pub struct Roster {
    /// The Desmigratif villages, in `ctx.desmigratif` order (those without residents too).
    pub villages: Vec<VillageRoster>,
    /// Departed placements of the workers living in the Desmigratif villages.
    pub abroad: HashMap<u32, Spans>,
}

impl Roster {
    pub fn build(ctx: &Ctx) -> Roster {
        let mut slot: HashMap<u32, usize> = HashMap::with_capacity(ctx.desmigratif.len());
        let mut villages = Vec::with_capacity(ctx.desmigratif.len());
        for (i, (v, cohort)) in ctx.desmigratif.iter().enumerate() {
            slot.insert(*v, i);
            villages.push(VillageRoster {
                code: ctx.villages[*v as usize].code.clone(),
                cohort: *cohort,
                residents: Vec::new(),
            });
        }
        for (i, p) in ctx.people.persons.iter().enumerate() {
            if let Some(s) = slot.get(&p.village) {
                villages[*s].residents.push(i as u32);
            }
        }
        let mut abroad: HashMap<u32, Spans> = HashMap::new();
        for e in &ctx.episodes {
            if e.departed == 0 || !slot.contains_key(&ctx.people.persons[e.person as usize].village) {
                continue;
            }
            abroad.entry(e.person).or_default().push((e.departed, e.returned));
        }
        for spans in abroad.values_mut() {
            spans.sort_unstable();
        }
        Roster { villages, abroad }
    }

    /// The worker of the household `person` belongs to (households are written worker first).
    pub fn worker_of(ctx: &Ctx, person: u32) -> u32 {
        let mut i = person;
        while i > 0 && ctx.people.persons[i as usize].role != Role::Worker {
            i -= 1;
        }
        i
    }

    /// Whether `worker` had come home for good by `on` (their last departed placement ended
    /// before it).
    pub fn returned_by(&self, worker: u32, on: i32) -> bool {
        match self.abroad.get(&worker) {
            Some(spans) => {
                spans.iter().filter(|(d, _)| *d <= on).all(|(_, r)| *r > 0 && *r <= on)
                    && spans.iter().any(|(d, _)| *d <= on)
            }
            None => false,
        }
    }

    /// The day `worker` came home for the last time (0 if never or still abroad).
    pub fn last_return(&self, worker: u32) -> i32 {
        self.abroad.get(&worker).and_then(|s| s.last()).map_or(0, |(_, r)| *r)
    }
}

/// Names and NIKs of a village's residents, by person id.
pub async fn names(ctx: &Ctx, village_code: &str) -> Result<HashMap<i64, (String, String)>, GenError> {
    let rows: Vec<(i64, String, String)> = on_db!(&ctx.db, p => sqlx::query_as(
        "SELECT id, full_name, nik FROM persons WHERE village_code = $1").bind(village_code).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(id, n, k)| (id, (n, k))).collect())
}

/// Julian day to date (as-of when out of range, which the generator never produces).
pub fn day(j: i32, fallback: Date) -> Date {
    Date::from_julian_day(j).unwrap_or(fallback)
}

/// Age in whole years on `on`.
pub fn age(birth: Date, on: Date) -> i32 {
    domain::parenting::age_on(birth, on)
}
