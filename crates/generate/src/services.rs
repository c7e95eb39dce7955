//! The agencies pillar: licensed placement companies (P3MI) with branch offices in the sending
//! regions, and their job orders (demand letters) for the destinations and jobs of
//! [`PLACEMENTS`].

use crate::bulk::{Batch, Table, V};
use crate::pick::{self, one};
use crate::{Ctx, GenError, Pillar, PillarFuture};
use domain::agency::{NewAgencyInput, validate_agency, validate_branch};
use domain::service_center::job_order::{NewJobOrderInput, validate_job_order};
use rand::Rng;
use std::collections::BTreeMap;
use time::Duration;

pub const PILLAR: Pillar =
    Pillar { name: "agencies", about: "placement agencies (P3MI), branches and job orders", run: start };

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

/// A destination and job with its employer category and weight (thousands of placements a
/// year, 2023 shape: Taiwan 83, Malaysia 72, Hong Kong 66, Korea 12.6, Japan 9.7, Singapore
/// 7.9, Saudi Arabia 6.3 — housekeeper, caregiver and plantation worker first).
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub destination: &'static str,
    pub job_type: &'static str,
    pub category: &'static str,
    /// Thousandths of placements per year (weights).
    pub weight: u32,
    pub currency: &'static str,
    pub salary: (i64, i64),
    /// Contract length in months.
    pub months: i64,
}

const fn p(
    destination: &'static str,
    job_type: &'static str,
    category: &'static str,
    weight: u32,
    currency: &'static str,
    salary: (i64, i64),
    months: i64,
) -> Placement {
    Placement { destination, job_type, category, weight, currency, salary, months }
}

const HH: &str = "household_employer";
const LE: &str = "legal_entity_employer";
const SHIP: &str = "ship_crew";

pub const PLACEMENTS: &[Placement] = &[
    p("TW", "caregiver", HH, 45_000, "TWD", (20_000, 26_000), 36),
    p("TW", "factory_worker", LE, 25_000, "TWD", (27_470, 32_000), 36),
    p("TW", "fishing_crew", SHIP, 8_000, "TWD", (18_000, 27_470), 24),
    p("TW", "housekeeper", HH, 5_000, "TWD", (20_000, 24_000), 36),
    p("MY", "plantation_worker", LE, 30_000, "MYR", (1_500, 1_900), 24),
    p("MY", "housekeeper", HH, 18_000, "MYR", (1_500, 1_800), 24),
    p("MY", "factory_worker", LE, 14_000, "MYR", (1_500, 2_200), 24),
    p("MY", "construction_worker", LE, 10_000, "MYR", (1_600, 2_400), 24),
    p("HK", "housekeeper", HH, 60_000, "HKD", (4_990, 5_500), 24),
    p("HK", "caregiver", HH, 6_000, "HKD", (5_000, 5_800), 24),
    p("KR", "factory_worker", LE, 10_000, "KRW", (2_060_000, 2_500_000), 36),
    p("KR", "fishing_crew", SHIP, 2_600, "KRW", (2_060_000, 2_300_000), 36),
    p("JP", "caregiver", LE, 4_000, "JPY", (180_000, 230_000), 36),
    p("JP", "factory_worker", LE, 4_000, "JPY", (170_000, 220_000), 36),
    p("JP", "agriculture_worker", LE, 1_700, "JPY", (160_000, 200_000), 36),
    p("SG", "housekeeper", HH, 7_900, "SGD", (600, 800), 24),
    p("SA", "hospitality_worker", LE, 3_000, "SAR", (1_500, 2_500), 24),
    p("SA", "driver", LE, 2_300, "SAR", (1_800, 2_500), 24),
    // Household placements to the Middle East are banned (Kepmenaker 260/2015): the few that
    // still happen are what the risk flags exist for.
    p("SA", "housekeeper", HH, 1_000, "SAR", (1_200, 1_500), 24),
    p("BN", "housekeeper", HH, 2_000, "BND", (350, 450), 24),
    p("BN", "construction_worker", LE, 1_000, "BND", (400, 600), 24),
    p("AE", "hospitality_worker", LE, 1_500, "AED", (1_500, 2_500), 24),
    p("QA", "hospitality_worker", LE, 1_000, "QAR", (1_500, 2_500), 24),
    p("PL", "factory_worker", LE, 1_000, "PLN", (4_300, 5_200), 24),
    p("IT", "hospitality_worker", LE, 500, "EUR", (1_200, 1_500), 24),
    p("TR", "spa_therapist", LE, 500, "TRY", (20_000, 30_000), 24),
];

/// An agency as later pillars need it.
#[derive(Debug, Clone)]
pub struct AgencyLite {
    pub id: i64,
    pub active: bool,
}

/// A job order as later pillars need it.
#[derive(Debug, Clone)]
pub struct JobOrderLite {
    pub id: i64,
    pub agency_id: i64,
    pub valid_from: time::Date,
    pub valid_until: time::Date,
    pub verified: bool,
    pub employer: String,
}

/// Job orders by (destination, job type).
pub type JobOrderIndex = BTreeMap<(&'static str, &'static str), Vec<JobOrderLite>>;

const AGENCIES: Table = Table {
    name: "agencies",
    cols: &[
        "id",
        "name",
        "name_key",
        "licence_number",
        "status",
        "valid_from",
        "valid_until",
        "address",
        "phone",
        "created_at",
        "updated_at",
    ],
};
const BRANCHES: Table =
    Table { name: "agency_branches", cols: &["id", "agency_id", "region_code", "address", "phone", "created_at"] };
const JOB_ORDERS: Table = Table {
    name: "job_orders",
    cols: &[
        "id",
        "agency_id",
        "reference",
        "destination",
        "employer",
        "job_type",
        "salary_amount",
        "salary_currency",
        "quota",
        "valid_from",
        "valid_until",
        "status",
        "verified_at",
        "created_at",
        "updated_at",
    ],
};

const WORDS: &[&str] = &[
    "Bina",
    "Karya",
    "Mandiri",
    "Sejahtera",
    "Abadi",
    "Jaya",
    "Mitra",
    "Sukses",
    "Prima",
    "Utama",
    "Bahtera",
    "Citra",
    "Duta",
    "Insan",
    "Putra",
    "Surya",
    "Cahaya",
    "Harapan",
    "Bersama",
    "Makmur",
    "Nusantara",
    "Global",
    "Amanah",
    "Sentosa",
];
const SUFFIX: &[&str] = &["Indonesia", "Perkasa", "Lestari", "Internasional", "Sarana", "Tenaga Kerja"];
const HEAD_OFFICES: &[&str] =
    &["Jakarta Timur", "Jakarta Selatan", "Surabaya", "Semarang", "Malang", "Cirebon", "Mataram"];

fn employer_for<R: Rng>(rng: &mut R, destination: &str, category: &str) -> String {
    let person = |rng: &mut R, names: &[&str]| one(rng, names).to_string();
    match (destination, category) {
        ("TW", HH) => format!("Mr. {}", person(rng, &["Chen", "Lin", "Huang", "Chang", "Lee", "Wang", "Wu", "Liu"])),
        ("HK", _) => format!("Ms. {}", person(rng, &["Chan", "Wong", "Leung", "Cheung", "Lau", "Ho", "Ng"])),
        ("SG", _) => format!("Mdm {}", person(rng, &["Tan", "Lim", "Ng", "Goh", "Koh", "Teo"])),
        ("MY", HH) | ("BN", HH) => format!("Puan {}", person(rng, &["Aminah", "Rosnah", "Zainab", "Faridah"])),
        ("SA", HH) => format!("Mr. {}", person(rng, &["Al-Harbi", "Al-Qahtani", "Al-Ghamdi", "Al-Otaibi"])),
        (_, SHIP) => format!("{} Fishery Co.", person(rng, &["Kaohsiung", "Pingtung", "Busan", "Yilan", "Tongyeong"])),
        (d, _) => {
            let stem = one(rng, &["Sun", "Golden", "Pacific", "Star", "Evergreen", "United", "Prime", "Harmony"]);
            let kind = match d {
                "MY" => "Sdn Bhd",
                "JP" => "Co., Ltd.",
                "KR" => "Co., Ltd.",
                "TW" => "Co., Ltd.",
                _ => "LLC",
            };
            format!("{stem} {} {kind}", one(rng, &["Industries", "Plantations", "Holdings", "Services", "Care"]))
        }
    }
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("agencies");
    let as_of = ctx.as_of;
    // Branches are in the sending regencies: those of the pocket villages.
    let mut sending: Vec<String> =
        ctx.pocket.iter().map(|v| ctx.villages[*v as usize].regency_code().to_string()).collect();
    sending.dedup();
    let placements: Vec<(usize, u32)> = PLACEMENTS.iter().enumerate().map(|(i, p)| (i, p.weight)).collect();
    let mut batch = Batch::default();
    for n in 0..ctx.spec.agencies {
        let id = ctx.next_id("agencies").await?;
        let name = format!("PT {} {} {}", one(&mut rng, WORDS), one(&mut rng, WORDS), one(&mut rng, SUFFIX));
        let status = match rng.random_range(0..100) {
            0..=89 => "active",
            90..=95 => "suspended",
            _ => "revoked",
        };
        let from = pick::between(&mut rng, as_of - Duration::days(8 * 365), as_of - Duration::days(200));
        let until = from + Duration::days(5 * 365);
        let licence = format!("KEP.{}/{}/{}", 100 + n, one(&mut rng, &["PPTKLN", "BP2MI", "KP2MI"]), from.year());
        let address =
            format!("Jl. {} No. {}, {}", one(&mut rng, WORDS), rng.random_range(1..200), one(&mut rng, HEAD_OFFICES));
        let phone = format!("021{}", pick::digits(&mut rng, 7));
        let (from_s, until_s) = (from.to_string(), until.to_string());
        let a = validate_agency(&NewAgencyInput {
            name: &name,
            licence_number: &licence,
            status,
            valid_from: &from_s,
            valid_until: &until_s,
            address: &address,
            phone: &phone,
        })
        .map_err(|e| GenError::Invalid { what: "agency", detail: e.to_string() })?;
        let created = crate::Ctx::ts(from);
        batch.push(
            &AGENCIES,
            [
                id.into(),
                V::T(a.name),
                V::T(a.name_key),
                V::T(a.licence_number),
                V::S(a.status.as_str()),
                V::T(from_s),
                V::T(until_s),
                V::T(a.address),
                V::T(a.phone),
                created.into(),
                created.into(),
            ],
        );
        ctx.agencies.push(AgencyLite { id, active: status == "active" });
        for _ in 0..rng.random_range(1..=3) {
            let region = one(&mut rng, &sending).clone();
            let address = format!("Jl. Raya {} No. {}", one(&mut rng, WORDS), rng.random_range(1..300));
            let phone = pick::phone(&mut rng);
            let b = validate_branch(&region, &address, &phone)
                .map_err(|e| GenError::Invalid { what: "agency branch", detail: e.to_string() })?;
            let bid = ctx.next_id("agency_branches").await?;
            batch.push(
                &BRANCHES,
                [
                    bid.into(),
                    id.into(),
                    V::T(b.region_code.as_str().to_string()),
                    V::T(b.address),
                    V::T(b.phone),
                    created.into(),
                ],
            );
        }
        for k in 0..ctx.spec.job_orders_per_agency {
            let pl = PLACEMENTS[*pick::weighted(&mut rng, &placements)];
            let from = pick::between(&mut rng, as_of - Duration::days(9 * 365), as_of - Duration::days(30));
            let until = from + Duration::days(rng.random_range(180..=540));
            let reference = format!("DL/{}/{:03}/{}", pl.destination, k + 1, from.year());
            let employer = employer_for(&mut rng, pl.destination, pl.category);
            let salary = rng.random_range(pl.salary.0..=pl.salary.1);
            let quota = rng.random_range(5..=200);
            let (agency_s, salary_s, quota_s, from_s, until_s) =
                (id.to_string(), salary.to_string(), quota.to_string(), from.to_string(), until.to_string());
            let jo = validate_job_order(
                &NewJobOrderInput {
                    agency_id: &agency_s,
                    reference: &reference,
                    destination: pl.destination,
                    employer: &employer,
                    job_type: pl.job_type,
                    salary_amount: &salary_s,
                    salary_currency: pl.currency,
                    quota: &quota_s,
                    valid_from: &from_s,
                    valid_until: &until_s,
                },
                &[],
            )
            .map_err(|e| GenError::Invalid { what: "job order", detail: e.to_string() })?;
            let status = match rng.random_range(0..100) {
                0..=79 => "verified",
                80..=94 => "unverified",
                _ => "rejected",
            };
            let jid = ctx.next_id("job_orders").await?;
            let created = crate::Ctx::ts(from);
            let verified_at = (status != "unverified").then_some(created + 3 * 86_400);
            batch.push(
                &JOB_ORDERS,
                [
                    jid.into(),
                    id.into(),
                    V::T(jo.reference),
                    V::T(jo.destination.as_str().to_string()),
                    V::T(jo.employer.clone()),
                    V::T(jo.job_type.as_str().to_string()),
                    jo.salary_amount.into(),
                    V::T(jo.salary_currency),
                    jo.quota.into(),
                    V::T(from_s),
                    V::T(until_s),
                    V::S(status),
                    verified_at.into(),
                    created.into(),
                    created.into(),
                ],
            );
            ctx.job_orders.entry((pl.destination, pl.job_type)).or_default().push(JobOrderLite {
                id: jid,
                agency_id: id,
                valid_from: from,
                valid_until: until,
                verified: status == "verified",
                employer: jo.employer,
            });
        }
    }
    ctx.writer.write(batch).await?;
    Ok(())
}
