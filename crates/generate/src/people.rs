//! The people pillar: households of a migrant worker and their family (spouse, children, a
//! parent), with valid NIKs built from the village's district, the birth date (+40 on the day
//! for women) and a serial unique per district, date and sex; family card (KK) numbers shared
//! by the household; family links from the worker to each relative.

use crate::bulk::{Batch, Table, V};
use crate::names;
use crate::pick::{self, one};
use crate::{Ctx, GenError, Pillar, PillarFuture};
use domain::person::{NewPersonInput, validate_new_person};
use domain::{PersonRejection, Sex};
use rand::Rng;
use std::collections::HashMap;
use time::{Date, Duration};

pub const PILLAR: Pillar =
    Pillar { name: "people", about: "migrant workers and their families, family links", run: start };

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Worker,
    Spouse,
    Child,
    Parent,
}

/// What later pillars need to know about a person, 12 bytes (10 million fit in ~120 MB).
/// The person's id is `People::first_id + index`.
#[derive(Debug, Clone, Copy)]
pub struct PersonLite {
    pub village: u32,
    /// Julian day of birth.
    pub birth: i32,
    pub sex: Sex,
    pub role: Role,
}

impl PersonLite {
    pub fn birth_date(&self) -> Date {
        Date::from_julian_day(self.birth).unwrap_or(Date::MIN)
    }
}

#[derive(Debug, Default)]
pub struct People {
    pub first_id: i64,
    pub persons: Vec<PersonLite>,
    /// Indexes (into `persons`) of the migrant workers, one per household.
    pub workers: Vec<u32>,
    /// Birth places: the regency names, indexed by `Village::regency`.
    pub regency_names: Vec<String>,
    /// Cumulative weights of the villages (households outside the pocket villages).
    pub village_cdf: Vec<f64>,
}

impl People {
    pub fn id(&self, index: u32) -> i64 {
        self.first_id + i64::from(index)
    }
}

const PERSONS: Table = Table {
    name: "persons",
    cols: &[
        "id",
        "nik",
        "kk_number",
        "full_name",
        "name_key",
        "sex",
        "birth_date",
        "birth_place",
        "village_code",
        "address",
        "phone",
        "category",
        "created_at",
        "updated_at",
    ],
};
const FAMILY_LINKS: Table =
    Table { name: "family_links", cols: &["person_id", "relative_id", "relation", "created_at"] };

const HAMLETS: &[&str] = &["Krajan", "Kauman", "Sumber", "Karang", "Tegal", "Wetan", "Kulon", "Lor", "Kidul", "Baru"];

/// A date `years` (and some days) before `as_of`.
fn born<R: Rng>(rng: &mut R, as_of: Date, years: i64) -> Date {
    as_of - Duration::days(years * 365 + rng.random_range(0..365))
}

fn nik_of(district: &[u8; 6], birth: Date, sex: Sex, serial: u16) -> String {
    let day = birth.day() + if sex == Sex::P { 40 } else { 0 };
    let yy = birth.year().rem_euclid(100);
    let d = std::str::from_utf8(district).unwrap_or("000000");
    format!("{d}{day:02}{:02}{yy:02}{serial:04}", u8::from(birth.month()))
}

struct Member {
    sex: Sex,
    birth: Date,
    role: Role,
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("people");
    let target = ctx.spec.people as usize;
    let as_of = ctx.as_of;
    ctx.people.first_id = ctx.next_id("persons").await?;
    ctx.people.persons.reserve(target);
    ctx.writer.progress().set_length(target as u64);
    let cdf_total = ctx.people.village_cdf.last().copied().unwrap_or(1.0);
    // Serials already given, by (district, birth date, sex): the NIK's last four digits.
    let mut serials: HashMap<u64, u16> = HashMap::new();
    let mut kk_serial: u32 = 0;
    let mut batch = Batch::default();
    let mut households = 0u64;
    while ctx.people.persons.len() < target {
        let village = if !ctx.pocket.is_empty() && rng.random_bool(ctx.spec.pocket_share) {
            *one(&mut rng, &ctx.pocket)
        } else {
            let x = rng.random::<f64>() * cdf_total;
            ctx.people.village_cdf.partition_point(|c| *c < x).min(ctx.villages.len() - 1) as u32
        };
        let v = &ctx.villages[village as usize];
        let group = names::group_of_province(v.province());
        let family = names::family_name(&mut rng, group);

        // The worker, then the family members the household has.
        let worker_sex = if rng.random_bool(0.61) { Sex::P } else { Sex::L };
        let age = 19 + rng.random_range(0..16) + rng.random_range(0..16);
        let mut members = vec![Member { sex: worker_sex, birth: born(&mut rng, as_of, age), role: Role::Worker }];
        let married = age >= 22 && rng.random_bool(0.55);
        if married {
            let sex = if worker_sex == Sex::P { Sex::L } else { Sex::P };
            let a = (age + rng.random_range(-4..=6)).max(19);
            members.push(Member { sex, birth: born(&mut rng, as_of, a), role: Role::Spouse });
        }
        if married || age >= 25 {
            let kids = *pick::weighted(&mut rng, &[(0, 30), (1, 35), (2, 25), (3, 10)]);
            for _ in 0..kids {
                let a = rng.random_range(0..=(age - 18).min(17));
                let sex = if rng.random_bool(0.5) { Sex::P } else { Sex::L };
                members.push(Member { sex, birth: born(&mut rng, as_of, a), role: Role::Child });
            }
        }
        if rng.random_bool(0.25) {
            let a = age + rng.random_range(20..=32);
            let sex = if rng.random_bool(0.5) { Sex::P } else { Sex::L };
            members.push(Member { sex, birth: born(&mut rng, as_of, a), role: Role::Parent });
        }
        members.truncate(target - ctx.people.persons.len());

        kk_serial = kk_serial % 9999 + 1;
        let kk_issued = pick::between(&mut rng, as_of - Duration::days(15 * 365), as_of - Duration::days(30));
        let kk = format!(
            "{}{:02}{:02}{:02}{kk_serial:04}",
            std::str::from_utf8(&v.nik_district).unwrap_or("000000"),
            kk_issued.day(),
            u8::from(kk_issued.month()),
            kk_issued.year().rem_euclid(100)
        );
        let address = format!(
            "Dusun {} RT {:03}/RW {:03}",
            one(&mut rng, HAMLETS),
            rng.random_range(1..=12),
            rng.random_range(1..=6)
        );
        let birth_place = &ctx.people.regency_names[v.regency as usize];
        let district_num: u64 = std::str::from_utf8(&v.nik_district).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
        let worker_index = ctx.people.persons.len() as u32;
        for m in &members {
            let index = ctx.people.persons.len() as u32;
            let id = ctx.people.id(index);
            let key =
                (district_num << 24) | ((m.birth.to_julian_day() as u64 & 0x7f_ffff) << 1) | (m.sex == Sex::P) as u64;
            let serial = serials.entry(key).or_insert(0);
            *serial += 1;
            let nik = nik_of(&v.nik_district, m.birth, m.sex, *serial);
            let name = names::full_name(&mut rng, group, m.sex, family);
            let adult = (as_of - m.birth).whole_days() >= 17 * 365;
            let phone = if adult && rng.random_bool(0.85) { pick::phone(&mut rng) } else { String::new() };
            let birth_s = m.birth.to_string();
            let input = NewPersonInput {
                nik: &nik,
                kk_number: &kk,
                full_name: &name,
                sex: m.sex.as_str(),
                birth_date: &birth_s,
                birth_place,
                village_code: &v.code,
                address: &address,
                phone: &phone,
                contact_abroad: "",
                // Workers start as prospective; the journeys pillar sets abroad and returned.
                category: if m.role == Role::Worker { "prospective" } else { "family" },
                confirm_warnings: false,
            };
            let p = match validate_new_person(&input, &ctx.regions, as_of) {
                Ok(p) => p,
                Err(PersonRejection::Invalid(e)) => {
                    return Err(GenError::Invalid { what: "person", detail: format!("{nik}: {e}") });
                }
                Err(PersonRejection::UnconfirmedWarnings(w)) => {
                    let w: Vec<String> = w.into_iter().map(|w| w.message).collect();
                    return Err(GenError::Invalid { what: "person", detail: format!("{nik}: {}", w.join("; ")) });
                }
            };
            let created = Ctx::ts(pick::between(&mut rng, (as_of - Duration::days(3 * 365)).max(m.birth), as_of));
            batch.push(
                &PERSONS,
                [
                    id.into(),
                    V::T(p.nik.as_str().to_string()),
                    V::T(kk.clone()),
                    V::T(p.full_name),
                    V::T(p.name_key),
                    V::S(p.sex.as_str()),
                    V::T(birth_s),
                    V::T(p.birth_place),
                    V::T(v.code.clone()),
                    V::T(p.address),
                    V::T(p.phone),
                    V::S(p.category.as_str()),
                    created.into(),
                    created.into(),
                ],
            );
            ctx.people.persons.push(PersonLite { village, birth: m.birth.to_julian_day(), sex: m.sex, role: m.role });
            let relation = match m.role {
                Role::Worker => None,
                Role::Spouse => Some("spouse"),
                Role::Child => Some("child"),
                Role::Parent => Some("parent"),
            };
            if let Some(relation) = relation {
                batch.push(
                    &FAMILY_LINKS,
                    [ctx.people.id(worker_index).into(), id.into(), V::S(relation), ctx.as_of_ts.into()],
                );
            }
        }
        ctx.people.workers.push(worker_index);
        households += 1;
        if households % 2_000 == 0 {
            ctx.writer.write(std::mem::take(&mut batch)).await?;
            ctx.writer.progress().set_position(ctx.people.persons.len() as u64);
        }
    }
    ctx.writer.write(batch).await?;
    ctx.writer.progress().set_position(ctx.people.persons.len() as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn nik_layout_marks_women_with_forty_added_to_the_day() {
        assert_eq!(nik_of(b"530701", date!(1990 - 05 - 12), Sex::P, 1), "5307015205900001");
        assert_eq!(nik_of(b"530701", date!(1985 - 01 - 31), Sex::L, 2), "5307013101850002");
        assert_eq!(nik_of(b"351201", date!(2003 - 11 - 02), Sex::L, 42), "3512010211030042");
    }
}
