//! The villages pillar: the real villages (already loaded from the region data), about 4,000
//! pocket villages (desa kantong PMI) weighted by the provinces' share of placements, and
//! about 1,000 Desmigratif villages among them, cohort years as in the real rollout.

use crate::bulk::{Batch, Table, V};
use crate::{Ctx, GenError, Pillar, PillarFuture};
use rand::Rng;
use store::on_db;

pub const PILLAR: Pillar =
    Pillar { name: "villages", about: "pocket villages and Desmigratif designations (cohorts 2016-2024)", run: start };

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

/// One real village.
#[derive(Debug, Clone)]
pub struct Village {
    /// "53.07.01.2001".
    pub code: String,
    /// Index into `Ctx::people.regency_names` (birth places).
    pub regency: u32,
    /// The six NIK digits of its district ("530701").
    pub nik_district: [u8; 6],
}

impl Village {
    pub fn province(&self) -> &str {
        &self.code[..2]
    }
    pub fn regency_code(&self) -> &str {
        &self.code[..5]
    }
}

/// Per mille of placements by province of origin (2023 shape: East, Central and West Java,
/// NTB, Lampung first); every other province shares the rest by its number of villages.
const PROVINCE_WEIGHT: &[(&str, f64)] = &[
    ("35", 230.0),
    ("33", 190.0),
    ("32", 170.0),
    ("52", 120.0),
    ("18", 60.0),
    ("53", 30.0),
    ("12", 30.0),
    ("51", 25.0),
    ("36", 25.0),
    ("73", 15.0),
    ("34", 8.0),
];
const OTHER_PROVINCES: f64 = 97.0;
/// The top sending regencies (Indramayu, Cirebon, Lombok Timur) weigh more within their
/// province.
const TOP_REGENCIES: &[&str] = &["32.12", "32.09", "52.03"];

/// Desmigratif villages added per year: 2 pilots (2016), 122, 130, 150, none in 2020, 51, 50
/// (brief §2), scaled to the number wanted; none added 2023–2024.
const ROLLOUT: &[(i32, u32)] =
    &[(2016, 2), (2017, 122), (2018, 130), (2019, 150), (2020, 0), (2021, 51), (2022, 50), (2023, 0), (2024, 0)];

const VILLAGE_PROFILES: Table =
    Table { name: "village_profiles", cols: &["village_code", "pocket_village", "updated_at"] };
const PROGRAM_VILLAGES: Table =
    Table { name: "program_villages", cols: &["program_id", "village_code", "since_year", "updated_at"] };

/// Cohort sizes for `total` villages: the rollout scaled by largest remainders.
pub fn cohorts(total: usize) -> Vec<(i32, usize)> {
    let sum: u32 = ROLLOUT.iter().map(|(_, n)| n).sum();
    let exact: Vec<f64> = ROLLOUT.iter().map(|(_, n)| *n as f64 * total as f64 / sum as f64).collect();
    let mut out: Vec<(i32, usize)> = ROLLOUT.iter().zip(&exact).map(|((y, _), e)| (*y, e.floor() as usize)).collect();
    let mut short = total - out.iter().map(|(_, n)| n).sum::<usize>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    for i in order {
        if short == 0 {
            break;
        }
        if ROLLOUT[i].1 > 0 {
            out[i].1 += 1;
            short -= 1;
        }
    }
    out
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let rows: Vec<(String, String)> = on_db!(&ctx.db, p => sqlx::query_as(
        "SELECT v.code, r.name FROM regions v JOIN regions d ON d.code = v.parent_code \
         JOIN regions r ON r.code = d.parent_code WHERE v.level = 'village' AND v.retired_at IS NULL ORDER BY v.code")
        .fetch_all(p).await)?;
    if rows.is_empty() {
        return Err(GenError::Setup("no villages: run `desmigratif migrate` first (it loads the region list)".into()));
    }
    let mut regencies: Vec<(String, String)> = Vec::new();
    for (code, regency_name) in rows {
        let reg = &code[..5];
        if regencies.last().is_none_or(|(c, _)| c != reg) {
            regencies.push((reg.to_string(), birth_place_of(&regency_name)));
        }
        let b = code.as_bytes();
        let nik_district = [b[0], b[1], b[3], b[4], b[6], b[7]];
        ctx.villages.push(Village { code, regency: (regencies.len() - 1) as u32, nik_district });
    }
    ctx.people.regency_names = regencies.into_iter().map(|(_, n)| n).collect();

    // Village weights: the province's share spread over its villages, top regencies ×4.
    let mut per_province: std::collections::BTreeMap<&str, usize> = Default::default();
    for v in &ctx.villages {
        *per_province.entry(v.province()).or_default() += 1;
    }
    let listed: usize = PROVINCE_WEIGHT.iter().filter_map(|(p, _)| per_province.get(p)).sum();
    let others = ctx.villages.len() - listed;
    let weights: Vec<f64> = ctx
        .villages
        .iter()
        .map(|v| {
            let w = match PROVINCE_WEIGHT.iter().find(|(p, _)| *p == v.province()) {
                Some((p, w)) => w / per_province[p] as f64,
                None => OTHER_PROVINCES / others.max(1) as f64,
            };
            if TOP_REGENCIES.contains(&v.regency_code()) { w * 4.0 } else { w }
        })
        .collect();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut acc = 0.0;
    for w in &weights {
        acc += w;
        cumulative.push(acc);
    }
    ctx.people.village_cdf = cumulative;

    // Pocket villages: weighted sampling without replacement (Efraimidis–Spirakis keys).
    let mut rng = ctx.rng("villages");
    let mut keys: Vec<(f64, u32)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
            (-u.ln() / w, i as u32)
        })
        .collect();
    let n_pocket = ctx.spec.pocket_villages.min(keys.len());
    keys.select_nth_unstable_by(n_pocket.saturating_sub(1), |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut pocket: Vec<u32> = keys[..n_pocket].iter().map(|(_, i)| *i).collect();
    pocket.sort_unstable();

    // Desmigratif villages: a random subset of the pocket villages, cohort by cohort.
    let mut shuffled = pocket.clone();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.random_range(0..=i));
    }
    let mut desmigratif = Vec::new();
    let mut next = shuffled.into_iter();
    for (year, n) in cohorts(ctx.spec.desmigratif_villages.min(n_pocket)) {
        for v in next.by_ref().take(n) {
            desmigratif.push((v, year));
        }
    }
    desmigratif.sort_unstable();

    let program: Option<(i64,)> = on_db!(&ctx.db, p => sqlx::query_as("SELECT id FROM programs WHERE code = $1")
        .bind(domain::program::DESMIGRATIF).fetch_optional(p).await)?;
    let Some((program_id,)) = program else {
        return Err(GenError::Setup("the desmigratif program record is missing".into()));
    };
    let year = ctx.as_of.year();
    let mut batch = Batch::default();
    for v in &pocket {
        let designated = desmigratif.binary_search_by_key(v, |(i, _)| *i).ok().map(|k| desmigratif[k].1);
        let d = domain::program::validate_designation(designated.is_some(), designated.map(i64::from), true, year)
            .map_err(|e| GenError::Invalid { what: "designation", detail: e.to_string() })?;
        let code = &ctx.villages[*v as usize].code;
        batch.push(&VILLAGE_PROFILES, [V::T(code.clone()), d.pocket_village.into(), ctx.as_of_ts.into()]);
        if let Some(cohort) = d.cohort_year {
            batch.push(
                &PROGRAM_VILLAGES,
                [program_id.into(), V::T(code.clone()), i64::from(cohort).into(), ctx.as_of_ts.into()],
            );
        }
    }
    ctx.writer.write(batch).await?;
    ctx.pocket = pocket;
    ctx.desmigratif = desmigratif;
    Ok(())
}

/// "KABUPATEN LOMBOK TIMUR" → "Lombok Timur"; "KOTA MATARAM" → "Mataram".
fn birth_place_of(regency: &str) -> String {
    let name = store::regions::display_name(regency);
    for prefix in ["Kabupaten ", "Kab. ", "Kota Administrasi ", "Kota "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohorts_follow_the_rollout_and_add_up() {
        let c = cohorts(1000);
        assert_eq!(c.iter().map(|(_, n)| n).sum::<usize>(), 1000);
        let of = |y| c.iter().find(|(year, _)| *year == y).map(|(_, n)| *n).unwrap_or(0);
        assert!(of(2019) > of(2018) && of(2018) > of(2017) && of(2017) > of(2021));
        assert_eq!(of(2020), 0);
        assert_eq!(of(2024), 0);
        assert!((3..=5).contains(&of(2016)), "{c:?}");
        assert_eq!(cohorts(503).iter().map(|(_, n)| n).sum::<usize>(), 503);
    }
}
