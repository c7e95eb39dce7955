//! The enterprise pillar (pillar 2) in the Desmigratif villages: trainings with participants
//! (returned migrants and adult family members of migrants of the village), attendance per
//! day and completion; businesses and groups started by returned migrants with their members,
//! status changes and monthly reports while running; mentoring visits; equipment handed over
//! with condition checks; remittances received by the families of workers abroad, with channel
//! and use split.
//!
//! Every record is built as the form's raw input and checked with the validator the web
//! service uses: `validate_training` and `attendance_date`, `validate_business`,
//! `validate_member`, `check_status_change`, `validate_report` (only while the business is
//! running or paused, never before its start month nor after the as-of month),
//! `validate_mentoring`, `validate_equipment` and `validate_check`, `validate_remittance`.
//!
//! Volumes follow the events budget (`ScaleSpec::events_per_person`): training attendance 25 %,
//! remittances 25 %, business reports 3.5 % (about all the months the businesses ran: reports
//! are bounded by the returnees who start one), mentoring 3 %, equipment checks a few tenths of a
//! percent, spread over the villages by their number of residents.

use crate::bulk::{Batch, Table, V};
use crate::names;
use crate::people::Role;
use crate::pick::{self, one};
use crate::roster::{Roster, age, day};
use crate::{Ctx, GenError, Pillar, PillarFuture};
use domain::enterprise::{
    self as ent, BusinessInput, BusinessStatus, CheckInput, EquipmentInput, LegalForm, MemberKind, MentoringInput,
    Month, RemittanceInput, RemittanceUse, ReportInput, TrainingInput,
};
use rand::Rng;
use time::{Date, Duration};

pub const PILLAR: Pillar = Pillar {
    name: "enterprise",
    about: "trainings, businesses with reports, mentoring, equipment, remittances",
    run: start,
};

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

const TRAININGS: Table = Table {
    name: "trainings",
    cols: &[
        "id",
        "village_code",
        "topic",
        "title",
        "organiser",
        "organiser_name",
        "starts_on",
        "ends_on",
        "place",
        "trainer",
        "created_at",
        "updated_at",
    ],
};
const PARTICIPANTS: Table =
    Table { name: "training_participants", cols: &["training_id", "person_id", "completed", "added_at"] };
const ATTENDANCE: Table = Table { name: "training_attendance", cols: &["training_id", "person_id", "on_date"] };
const BUSINESSES: Table = Table {
    name: "businesses",
    cols: &[
        "id",
        "village_code",
        "name",
        "sector",
        "legal_form",
        "status",
        "started_on",
        "capital_sources",
        "created_at",
        "updated_at",
    ],
};
const BUSINESS_MEMBERS: Table =
    Table { name: "business_members", cols: &["business_id", "person_id", "kind", "added_at"] };
const REPORTS: Table = Table {
    name: "business_reports",
    cols: &["id", "business_id", "month", "revenue", "costs", "workers", "created_at"],
};
const STATUS_CHANGES: Table = Table {
    name: "business_status_changes",
    cols: &["id", "business_id", "from_status", "to_status", "on_date", "at"],
};
const MENTORING: Table = Table {
    name: "mentoring_visits",
    cols: &[
        "id",
        "village_code",
        "person_id",
        "business_id",
        "visited_on",
        "mentor",
        "notes",
        "next_steps",
        "created_at",
    ],
};
const EQUIPMENT: Table = Table {
    name: "equipment",
    cols: &[
        "id",
        "village_code",
        "item",
        "value",
        "source_program",
        "given_on",
        "person_id",
        "business_id",
        "condition",
        "in_use",
        "last_checked_on",
        "created_at",
        "updated_at",
    ],
};
const CHECKS: Table = Table {
    name: "equipment_checks",
    cols: &["id", "equipment_id", "checked_on", "condition", "in_use", "note", "at"],
};
const REMITTANCES: Table = Table {
    name: "remittances",
    cols: &[
        "id",
        "person_id",
        "village_code",
        "month",
        "amount",
        "channel",
        "use_daily_needs",
        "use_education",
        "use_health",
        "use_housing",
        "use_debt",
        "use_productive_investment",
        "use_savings",
        "created_at",
    ],
};

/// Training topics with their titles, weights.
const TOPICS: &[((&str, &str), u32)] = &[
    (("entrepreneurship", "Pelatihan Kewirausahaan bagi PMI Purna"), 25),
    (("financial_literacy", "Literasi Keuangan dan Pengelolaan Remitansi"), 25),
    (("culinary", "Pelatihan Pengolahan Makanan"), 12),
    (("agriculture", "Budidaya Hortikultura"), 10),
    (("livestock", "Beternak Kambing dan Ayam"), 8),
    (("crafts", "Kerajinan Tenun dan Anyaman"), 6),
    (("digital_marketing", "Pemasaran Digital untuk UMKM"), 8),
    (("fisheries", "Budidaya Ikan Air Tawar"), 4),
    (("tourism_guiding", "Pemandu Wisata Desa"), 2),
];
const ORGANISERS: &[((&str, &str), u32)] = &[
    (("ministry", "Kementerian P2MI / BP2MI"), 30),
    (("province_office", "Disnakertrans Provinsi"), 15),
    (("regency_office", "Disnaker Kabupaten"), 25),
    (("village_government", "Pemerintah Desa"), 10),
    (("financial_institution", "Bank BRI"), 8),
    (("ngo", "Migrant CARE"), 7),
    (("university", "Universitas setempat"), 5),
];
/// Sector, business name prefix, item handed over, its value.
type SectorRow = (&'static str, &'static str, &'static str, i64);
const SECTORS: &[(SectorRow, u32)] = &[
    (("trade", "Warung", "Etalase dan timbangan digital", 3_500_000), 25),
    (("food_processing", "Usaha Keripik", "Mesin penggiling dan kompor gas", 5_000_000), 20),
    (("livestock", "Ternak", "Kandang dan bibit kambing", 7_500_000), 15),
    (("agriculture", "Kebun", "Pompa air dan alat semprot", 4_000_000), 12),
    (("services", "Bengkel", "Kompresor dan perkakas bengkel", 6_000_000), 10),
    (("crafts", "Tenun", "Alat tenun", 3_000_000), 6),
    (("fisheries", "Kolam Ikan", "Terpal kolam dan bibit ikan", 2_500_000), 6),
    (("transport", "Ojek", "Sepeda motor roda tiga", 15_000_000), 3),
    (("tourism", "Homestay", "Perlengkapan homestay", 8_000_000), 3),
];
const CHANNELS: &[(&str, u32)] =
    &[("bank", 45), ("remittance_company", 30), ("post", 8), ("carried", 12), ("other", 5)];

/// Shares of the events budget (`ScaleSpec::events_per_person`).
const SHARE_ATTENDANCE: f64 = 0.25;
const SHARE_REMITTANCES: f64 = 0.25;
const SHARE_REPORTS: f64 = 0.035;
const SHARE_MENTORING: f64 = 0.03;

fn refused(what: &'static str, e: impl std::fmt::Debug) -> GenError {
    GenError::Invalid { what, detail: format!("{e:?}") }
}

/// `x` rounded to a whole number at random (2.3 is 3 three times in ten).
fn round_random<R: Rng>(rng: &mut R, x: f64) -> usize {
    let whole = x.floor();
    whole as usize + usize::from(rng.random_bool((x - whole).clamp(0.0, 1.0)))
}

struct Biz {
    id: i64,
    started: Option<Date>,
    /// (from, to, on) after the creation row.
    changes: Vec<(BusinessStatus, BusinessStatus, Date)>,
    village: String,
}

impl Biz {
    /// The status in force on `d` (the status path replayed).
    fn status_on(&self, d: Date, first: BusinessStatus) -> BusinessStatus {
        let mut s = first;
        for (_, to, on) in &self.changes {
            if *on <= d {
                s = *to;
            }
        }
        s
    }
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("enterprise");
    let as_of = ctx.as_of;
    let today = as_of.to_julian_day();
    let roster = Roster::build(ctx);
    let events = ctx.spec.events_per_person * ctx.spec.people as f64;
    let residents: usize = roster.villages.iter().map(|v| v.residents.len()).sum();
    let months_abroad: f64 = roster
        .abroad
        .values()
        .flat_map(|s| s.iter())
        .map(|(d, r)| {
            let end = if *r > 0 { (*r).min(today) } else { today };
            f64::from((end - d).max(0)) / 30.4
        })
        .sum();
    let p_remit = (SHARE_REMITTANCES * events / months_abroad.max(1.0)).min(1.0);
    ctx.writer.progress().set_length(roster.villages.len() as u64);
    let mut batch = Batch::default();
    let mut businesses: Vec<Biz> = Vec::new();
    let mut firsts: Vec<BusinessStatus> = Vec::new();

    for (vi, v) in roster.villages.iter().enumerate() {
        if v.residents.is_empty() {
            continue;
        }
        let weight = v.residents.len() as f64 / residents.max(1) as f64;
        let program_start = Date::from_calendar_date(v.cohort.max(2016), time::Month::February, 1).unwrap_or(as_of);

        // ---- Trainings: returned migrants and adult relatives of migrants, not while abroad.
        // (person, is the worker, the worker's first departure).
        let pool: Vec<(u32, bool, i32)> = v
            .residents
            .iter()
            .filter_map(|p| {
                let lite = ctx.people.persons[*p as usize];
                let first = roster.abroad.get(&Roster::worker_of(ctx, *p))?.first()?.0;
                if age(lite.birth_date(), as_of) < 17 {
                    return None;
                }
                Some((*p, lite.role == Role::Worker, first))
            })
            .collect();
        if !pool.is_empty() && program_start < as_of - Duration::days(10) {
            // Trainings until the village's share of the attendance budget is reached.
            let target = SHARE_ATTENDANCE * events * weight;
            let (mut got, mut tries) = (0usize, 0);
            while (got as f64) < target && tries < 400 {
                tries += 1;
                let days = *pick::weighted(&mut rng, &[(1i64, 2u32), (2, 3), (3, 3), (4, 1), (5, 1)]);
                let starts = pick::between(&mut rng, program_start, as_of - Duration::days(days + 1));
                let ends = starts + Duration::days(days - 1);
                let on = starts.to_julian_day();
                let eligible: Vec<u32> = pool
                    .iter()
                    .filter(|(p, is_worker, first)| {
                        // A worker takes part once home; relatives once the worker has left.
                        if *is_worker { roster.returned_by(*p, on) } else { *first <= on }
                    })
                    .map(|(p, _, _)| *p)
                    .collect();
                if eligible.is_empty() {
                    continue;
                }
                let (topic, title) = *pick::weighted(&mut rng, TOPICS);
                let (organiser, organiser_name) = *pick::weighted(&mut rng, ORGANISERS);
                let trainer = names::officer(&mut rng);
                let (s, e) = (starts.to_string(), ends.to_string());
                let t = ent::validate_training(
                    &TrainingInput {
                        village_code: &v.code,
                        topic,
                        title,
                        organiser,
                        organiser_name,
                        starts_on: &s,
                        ends_on: &e,
                        place: "Balai Desa",
                        trainer: &trainer,
                    },
                    as_of,
                )
                .map_err(|e| refused("training", e))?;
                let id = ctx.next_id("trainings").await?;
                batch.push(
                    &TRAININGS,
                    [
                        id.into(),
                        V::T(v.code.clone()),
                        V::S(t.topic.as_str()),
                        V::T(t.title),
                        V::S(t.organiser.as_str()),
                        V::T(t.organiser_name),
                        V::T(s),
                        V::T(e),
                        V::T(t.place),
                        V::T(t.trainer),
                        Ctx::ts(starts).into(),
                        Ctx::ts(ends).into(),
                    ],
                );
                let k = eligible.len().min(rng.random_range(8..=20));
                let mut chosen = eligible;
                for i in 0..k {
                    let j = rng.random_range(i..chosen.len());
                    chosen.swap(i, j);
                }
                chosen.truncate(k);
                chosen.sort_unstable();
                let all_days = ent::training_days(starts, ends);
                for p in chosen {
                    let pid = ctx.people.id(p);
                    let mut attended = Vec::new();
                    for d in &all_days {
                        if rng.random_bool(0.85) {
                            let d = ent::attendance_date("date", &d.to_string(), starts, ends, as_of)
                                .map_err(|e| refused("training attendance", e))?;
                            attended.push(d);
                        }
                    }
                    let completed = attended.len() * 4 >= all_days.len() * 3;
                    got += attended.len();
                    batch.push(&PARTICIPANTS, [id.into(), pid.into(), completed.into(), Ctx::ts(starts).into()]);
                    for d in attended {
                        batch.push(&ATTENDANCE, [id.into(), pid.into(), V::T(d.to_string())]);
                    }
                }
            }
        }

        // ---- Businesses: started by returned migrants after they came home.
        let returned: Vec<u32> = v
            .residents
            .iter()
            .copied()
            .filter(|p| ctx.people.persons[*p as usize].role == Role::Worker && roster.returned_by(*p, today))
            .collect();
        for founder in &returned {
            if !rng.random_bool(0.4) {
                continue;
            }
            let back = day(roster.last_return(*founder), as_of);
            let (sector, prefix, _, _) = *pick::weighted(&mut rng, SECTORS);
            let legal = *pick::weighted(&mut rng, &[("individual", 55u32), ("group", 35), ("bumdes_unit", 10)]);
            let planned = back + Duration::days(60) > as_of || rng.random_bool(0.08);
            let started = if planned { None } else { Some(pick::between(&mut rng, back + Duration::days(30), as_of)) };
            let started_text = started.map(|d| d.to_string()).unwrap_or_default();
            let name = format!("{prefix} {}", names::officer(&mut rng).split(' ').next().unwrap_or("Maju"));
            let mut sources = vec!["own_remittances"];
            if rng.random_bool(0.3) {
                sources.push(*one(&mut rng, &["grant", "cooperative_loan", "kur", "family"]));
            }
            let status = if planned { "planned" } else { "running" };
            let b = ent::validate_business(
                &BusinessInput {
                    village_code: &v.code,
                    name: &name,
                    sector,
                    legal_form: legal,
                    status,
                    started_on: &started_text,
                    capital_sources: &sources,
                },
                as_of,
            )
            .map_err(|e| refused("business", e))?;
            let id = ctx.next_id("businesses").await?;
            let created = started.unwrap_or(back.max(as_of - Duration::days(30)));
            // Its path after the start: some pause (and a few resume), some close.
            let mut changes = Vec::new();
            let mut cur = b.status;
            if let Some(s) = started {
                let mut d = s;
                while (as_of - d).whole_days() > 150 && rng.random_bool(0.25) {
                    let to = match cur {
                        BusinessStatus::Running if rng.random_bool(0.6) => "paused",
                        BusinessStatus::Paused if rng.random_bool(0.5) => "running",
                        _ => "closed",
                    };
                    let next = ent::check_status_change(cur, to).map_err(|e| refused("business status", e))?;
                    d = pick::after(&mut rng, d, 60, (as_of - d).whole_days().min(600));
                    changes.push((cur, next, d));
                    cur = next;
                    if cur == BusinessStatus::Closed {
                        break;
                    }
                }
            }
            let last_change = changes.last().map_or(created, |c| c.2);
            batch.push(
                &BUSINESSES,
                [
                    id.into(),
                    V::T(v.code.clone()),
                    V::T(b.name.clone()),
                    V::S(b.sector.as_str()),
                    V::S(b.legal_form.as_str()),
                    V::S(cur.as_str()),
                    started.map(|d| d.to_string()).into(),
                    V::T(ent::business::capital_sources_text(&b.capital_sources)),
                    Ctx::ts(created).into(),
                    Ctx::ts(last_change).into(),
                ],
            );
            // Members: the founder, and for a group relatives and other returnees.
            let mut members: Vec<(u32, MemberKind)> = Vec::new();
            let kind = ent::validate_member("returned_migrant", b.legal_form, 0).map_err(|e| refused("member", e))?;
            members.push((*founder, kind));
            if b.legal_form != LegalForm::Individual {
                let want = rng.random_range(1..=5);
                for p in v.residents.iter().copied() {
                    if members.len() > want {
                        break;
                    }
                    let lite = ctx.people.persons[p as usize];
                    if p == *founder || age(lite.birth_date(), as_of) < 17 || !rng.random_bool(0.3) {
                        continue;
                    }
                    let code = if lite.role == Role::Worker && roster.returned_by(p, today) {
                        "returned_migrant"
                    } else if lite.role != Role::Worker && roster.abroad.contains_key(&Roster::worker_of(ctx, p)) {
                        "family_member"
                    } else {
                        continue;
                    };
                    let kind =
                        ent::validate_member(code, b.legal_form, members.len()).map_err(|e| refused("member", e))?;
                    members.push((p, kind));
                }
            }
            for (p, kind) in members {
                batch.push(
                    &BUSINESS_MEMBERS,
                    [id.into(), ctx.people.id(p).into(), V::S(kind.as_str()), Ctx::ts(created).into()],
                );
            }
            let sid = ctx.next_id("business_status_changes").await?;
            batch.push(
                &STATUS_CHANGES,
                [
                    sid.into(),
                    id.into(),
                    V::NullT,
                    V::S(b.status.as_str()),
                    V::T(created.to_string()),
                    Ctx::ts(created).into(),
                ],
            );
            for (from, to, on) in &changes {
                let sid = ctx.next_id("business_status_changes").await?;
                batch.push(
                    &STATUS_CHANGES,
                    [
                        sid.into(),
                        id.into(),
                        V::S(from.as_str()),
                        V::S(to.as_str()),
                        V::T(on.to_string()),
                        Ctx::ts(*on).into(),
                    ],
                );
            }
            firsts.push(b.status);
            businesses.push(Biz { id, started, changes, village: v.code.clone() });
        }

        // ---- Remittances: months the household's worker spent abroad.
        for p in v.residents.iter().copied() {
            let Some(spans) = roster.abroad.get(&p) else { continue };
            for (d, r) in spans {
                let mut m = Month::of(day(*d, as_of)).next();
                let end = Month::of(if *r > 0 { day(*r, as_of).min(as_of) } else { as_of });
                while m <= end {
                    if rng.random_bool(p_remit) {
                        remittance(ctx, &mut rng, &mut batch, p, &v.code, m).await?;
                    }
                    m = m.next();
                }
            }
        }
        if batch.rows() > 20_000 {
            ctx.writer.write(std::mem::take(&mut batch)).await?;
        }
        ctx.writer.progress().set_position(vi as u64 + 1);
    }
    ctx.writer.write(std::mem::take(&mut batch)).await?;

    // ---- Reports, mentoring and equipment of the businesses, sized on what they can hold.
    let running_months: f64 = businesses
        .iter()
        .zip(&firsts)
        .filter_map(|(b, first)| {
            let s = b.started?;
            let mut m = Month::of(s);
            let mut n = 0.0;
            while m <= Month::of(as_of) {
                if b.status_on(m.first_day().max(s), *first) != BusinessStatus::Closed {
                    n += 1.0;
                }
                m = m.next();
            }
            Some(n)
        })
        .sum();
    let p_report = (SHARE_REPORTS * events / running_months.max(1.0)).min(1.0);
    let started = businesses.iter().filter(|b| b.started.is_some()).count().max(1) as f64;
    let visits_each = SHARE_MENTORING * events / started;
    let equipment_share = 0.5;
    for (b, first) in businesses.iter().zip(&firsts) {
        let Some(s) = b.started else { continue };
        let closed_on = b.changes.iter().find(|c| c.1 == BusinessStatus::Closed).map(|c| c.2);
        let end = closed_on.unwrap_or(as_of);
        // Monthly reports while running or paused, from the start month.
        let mut m = Month::of(s);
        while m <= Month::of(end) {
            let on = m.first_day().max(s);
            let status = b.status_on(on, *first);
            if status == BusinessStatus::Running && rng.random_bool(p_report) {
                let revenue = rng.random_range(10..=200) * 100_000i64;
                let costs = revenue * rng.random_range(50..=95) / 100 / 1_000 * 1_000;
                let workers = rng.random_range(1..=6);
                let (mo, re, co, wo) = (m.to_string(), revenue.to_string(), costs.to_string(), workers.to_string());
                let r = ent::validate_report(
                    &ReportInput { month: &mo, revenue: &re, costs: &co, workers: &wo },
                    status,
                    b.started,
                    as_of,
                )
                .map_err(|e| refused("business report", e))?;
                let id = ctx.next_id("business_reports").await?;
                let at = (m.next().first_day() - Duration::days(1)).min(as_of);
                batch.push(
                    &REPORTS,
                    [
                        id.into(),
                        b.id.into(),
                        V::T(r.month.to_string()),
                        r.revenue.into(),
                        r.costs.into(),
                        r.workers.into(),
                        Ctx::ts(at).into(),
                    ],
                );
            }
            m = m.next();
        }
        // Mentoring visits between the start and the end.
        for _ in 0..round_random(&mut rng, visits_each) {
            let on = pick::between(&mut rng, s, end);
            let (mentor, o) = (names::officer(&mut rng), on.to_string());
            let bid = b.id.to_string();
            let notes = *one(
                &mut rng,
                &[
                    "Pendampingan pembukuan sederhana dan pemisahan uang usaha.",
                    "Membahas pemasaran lewat media sosial dan harga jual.",
                    "Meninjau kualitas produk dan kemasan.",
                    "Membahas rencana pengajuan pinjaman koperasi.",
                ],
            );
            let visit = ent::validate_mentoring(
                &MentoringInput {
                    village_code: &b.village,
                    person_id: "",
                    business_id: &bid,
                    visited_on: &o,
                    mentor: &mentor,
                    notes,
                    next_steps: "Kunjungan berikutnya bulan depan",
                },
                as_of,
            )
            .map_err(|e| refused("mentoring visit", e))?;
            let id = ctx.next_id("mentoring_visits").await?;
            batch.push(
                &MENTORING,
                [
                    id.into(),
                    V::T(b.village.clone()),
                    V::NullI,
                    b.id.into(),
                    V::T(o),
                    V::T(visit.mentor),
                    V::T(visit.notes),
                    V::T(visit.next_steps),
                    Ctx::ts(on).into(),
                ],
            );
        }
        // Equipment handed over to half of the businesses, checked about twice a year.
        if rng.random_bool(equipment_share) {
            let given = pick::after(&mut rng, s, 0, 60).min(as_of);
            let (_, _, item, value) = *pick::weighted(&mut rng, SECTORS);
            let (g, val, bid) = (given.to_string(), value.to_string(), b.id.to_string());
            let e = ent::validate_equipment(
                &EquipmentInput {
                    village_code: &b.village,
                    item,
                    value: &val,
                    source_program: "Bantuan Desmigratif",
                    given_on: &g,
                    person_id: "",
                    business_id: &bid,
                },
                as_of,
            )
            .map_err(|e| refused("equipment", e))?;
            let id = ctx.next_id("equipment").await?;
            let mut checks = Vec::new();
            let mut condition = "good";
            let mut d = pick::after(&mut rng, given, 150, 220);
            while d <= as_of && condition != "lost" {
                let roll: f64 = rng.random();
                let (next, in_use) = match condition {
                    "good" if roll < 0.15 => ("needs_repair", true),
                    "needs_repair" if roll < 0.3 => ("broken", false),
                    "needs_repair" if roll < 0.6 => ("good", true),
                    "broken" if roll < 0.2 => ("lost", false),
                    c => (c, c != "broken"),
                };
                condition = next;
                let c = ent::validate_check(
                    &CheckInput {
                        checked_on: &d.to_string(),
                        condition,
                        in_use: if in_use { "true" } else { "false" },
                        note: "",
                    },
                    given,
                    as_of,
                )
                .map_err(|e| refused("equipment check", e))?;
                checks.push(c);
                d = pick::after(&mut rng, d, 150, 220);
            }
            let last = checks.last();
            batch.push(
                &EQUIPMENT,
                [
                    id.into(),
                    V::T(b.village.clone()),
                    V::T(e.item),
                    e.value.into(),
                    V::T(e.source_program),
                    V::T(g),
                    V::NullI,
                    b.id.into(),
                    V::S(last.map_or("good", |c| c.condition.as_str())),
                    last.is_none_or(|c| c.in_use).into(),
                    last.map(|c| c.checked_on.to_string()).into(),
                    Ctx::ts(given).into(),
                    Ctx::ts(last.map_or(given, |c| c.checked_on)).into(),
                ],
            );
            for c in checks {
                let cid = ctx.next_id("equipment_checks").await?;
                batch.push(
                    &CHECKS,
                    [
                        cid.into(),
                        id.into(),
                        V::T(c.checked_on.to_string()),
                        V::S(c.condition.as_str()),
                        c.in_use.into(),
                        V::T(c.note),
                        Ctx::ts(c.checked_on).into(),
                    ],
                );
            }
        }
        if batch.rows() > 20_000 {
            ctx.writer.write(std::mem::take(&mut batch)).await?;
        }
    }
    ctx.writer.write(batch).await?;
    Ok(())
}

/// One month's remittance of worker `p` to the family, its uses split as families report them.
async fn remittance<R: Rng>(
    ctx: &mut Ctx,
    rng: &mut R,
    batch: &mut Batch,
    p: u32,
    village: &str,
    m: Month,
) -> Result<(), GenError> {
    let amount = rng.random_range(20..=160) * 50_000i64;
    // Weights of the seven uses (daily needs first), then exact rupiah by largest remainder.
    let weights = [
        rng.random_range(35..=60u64),
        rng.random_range(0..=20),
        rng.random_range(0..=8),
        rng.random_range(0..=20),
        rng.random_range(0..=15),
        rng.random_range(0..=15),
        rng.random_range(0..=12),
    ];
    let parts = domain::cooperative::split_largest_remainder(
        domain::cooperative::Rupiah::new(amount).unwrap_or(domain::cooperative::Rupiah::ZERO),
        &weights,
    )
    .unwrap_or_default();
    let texts: Vec<String> = parts.iter().map(|r| r.amount().to_string()).collect();
    let uses: Vec<(&str, &str)> =
        RemittanceUse::ALL.iter().zip(&texts).map(|(u, t)| (u.as_str(), t.as_str())).collect();
    let (mo, am) = (m.to_string(), amount.to_string());
    let channel = *pick::weighted(rng, CHANNELS);
    let r = ent::validate_remittance(&RemittanceInput { month: &mo, amount: &am, channel, uses: &uses }, ctx.as_of)
        .map_err(|e| refused("remittance", e))?;
    let id = ctx.next_id("remittances").await?;
    let at = (m.next().first_day() - Duration::days(1)).min(ctx.as_of);
    batch.push(
        &REMITTANCES,
        [
            id.into(),
            ctx.people.id(p).into(),
            V::T(village.to_string()),
            V::T(mo),
            r.amount.into(),
            V::S(r.channel.as_str()),
            r.uses[0].into(),
            r.uses[1].into(),
            r.uses[2].into(),
            r.uses[3].into(),
            r.uses[4].into(),
            r.uses[5].into(),
            r.uses[6].into(),
            Ctx::ts(at).into(),
        ],
    );
    Ok(())
}
