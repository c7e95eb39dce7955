//! The parenting pillar (pillar 3) in the Desmigratif villages: the children (18 or under) of
//! the households whose worker has gone abroad, linked to their parents in people records, with
//! who cares for them, school and documents; community parenting activities (classes for
//! caregivers, tutoring, play groups, scouting, sports) with the children and caregivers who
//! attended each day; and a few welfare concerns.
//!
//! Records pass `validate_child`, `validate_activity`, `attendance_date` and `validate_concern`.
//! A concern opens a restricted protection case as `web::parenting::raise_concern` does through
//! `cases::create_restricted`: a `cases` row of the concern's case type and severity, restricted,
//! naming the child by id only (no person), status new with its first event, due on the
//! suggested date (`DueDate::suggested`), and the concern pointing at it.
//!
//! Attendance (children and caregivers) takes about 25 % of the events budget.

use crate::bulk::{Batch, Table, V};
use crate::names;
use crate::people::Role;
use crate::pick::{self, one};
use crate::roster::{Roster, age, names as village_names};
use crate::{Ctx, GenError, Pillar, PillarFuture};
use domain::cases::workflow::DueDate;
use domain::parenting::{self as par, ActivityInput, ChildInput, ConcernInput};
use rand::Rng;
use time::{Date, Duration};

pub const PILLAR: Pillar = Pillar {
    name: "parenting",
    about: "children of migrants, parenting activities with attendance, welfare concerns",
    run: start,
};

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

const CHILDREN: Table = Table {
    name: "children",
    cols: &[
        "id",
        "full_name",
        "birth_date",
        "sex",
        "village_code",
        "caregiver",
        "school_level",
        "school_status",
        "birth_certificate",
        "health_insurance",
        "created_at",
        "updated_at",
    ],
};
const CHILD_PARENTS: Table = Table { name: "child_parents", cols: &["child_id", "person_id"] };
const ACTIVITIES: Table = Table {
    name: "parenting_activities",
    cols: &[
        "id",
        "village_code",
        "kind",
        "title",
        "held_on",
        "ends_on",
        "place",
        "facilitator",
        "created_at",
        "updated_at",
    ],
};
const ACTIVITY_CHILDREN: Table = Table { name: "activity_children", cols: &["activity_id", "child_id", "on_date"] };
const ACTIVITY_CAREGIVERS: Table =
    Table { name: "activity_caregivers", cols: &["activity_id", "person_id", "on_date"] };
const CONCERNS: Table = Table {
    name: "child_concerns",
    cols: &["id", "child_id", "kind", "noted_on", "description", "case_id", "created_at"],
};
const CASES: Table = Table {
    name: "cases",
    cols: &[
        "id",
        "case_type",
        "severity",
        "description",
        "village_code",
        "restricted",
        "status",
        "status_date",
        "due_on",
        "created_at",
        "updated_at",
    ],
};
const CASE_EVENTS: Table =
    Table { name: "case_events", cols: &["id", "case_id", "from_status", "to_status", "on_date", "reason", "at"] };

const KINDS: &[((&str, &str), u32)] = &[
    (("parenting_class", "Kelas Pengasuhan Anak bagi Keluarga PMI"), 35),
    (("tutoring", "Bimbingan Belajar Anak PMI"), 25),
    (("play_group", "Kelompok Bermain Anak"), 15),
    (("sports", "Olahraga Bersama Anak Desa"), 10),
    (("scouting", "Kegiatan Pramuka"), 10),
    (("other", "Rumah Kreatif Anak"), 5),
];
const CONCERN_KINDS: &[((&str, &str), u32)] = &[
    (("neglect", "Anak sering ditinggal sendiri; pengasuh sakit dan kurang pengawasan."), 40),
    (("dropping_out", "Anak berhenti sekolah sejak beberapa bulan; keluarga butuh pendampingan."), 30),
    (("child_labour", "Anak bekerja membantu di ladang pada jam sekolah."), 20),
    (("abuse", "Laporan dugaan kekerasan terhadap anak oleh anggota keluarga."), 10),
];

/// Attendance's share of the events budget (`ScaleSpec::events_per_person`).
const SHARE_ATTENDANCE: f64 = 0.25;

fn refused(what: &'static str, e: impl std::fmt::Debug) -> GenError {
    GenError::Invalid { what, detail: format!("{e:?}") }
}

/// A registered child as the activities see it.
struct Kid {
    id: i64,
    birth: Date,
    registered: Date,
    /// The person (index) who cares for the child, if registered in people records.
    carer: Option<u32>,
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("parenting");
    let as_of = ctx.as_of;
    let roster = Roster::build(ctx);
    let events = ctx.spec.events_per_person * ctx.spec.people as f64;
    let residents: usize = roster.villages.iter().map(|v| v.residents.len()).sum();
    ctx.writer.progress().set_length(roster.villages.len() as u64);
    let mut batch = Batch::default();

    for (vi, v) in roster.villages.iter().enumerate() {
        let program_start = Date::from_calendar_date(v.cohort.max(2016), time::Month::March, 1).unwrap_or(as_of);
        // Children of households whose worker has departed, 18 or under on the as-of date.
        let kids_here: Vec<u32> = v
            .residents
            .iter()
            .copied()
            .filter(|p| {
                let lite = ctx.people.persons[*p as usize];
                lite.role == Role::Child
                    && age(lite.birth_date(), as_of) <= par::MAX_AGE
                    && roster.abroad.contains_key(&Roster::worker_of(ctx, *p))
            })
            .collect();
        if kids_here.is_empty() || program_start >= as_of {
            continue;
        }
        let names = village_names(ctx, &v.code).await?;
        let mut kids: Vec<Kid> = Vec::with_capacity(kids_here.len());
        for p in kids_here {
            let lite = ctx.people.persons[p as usize];
            let worker = Roster::worker_of(ctx, p);
            let first_departure = roster.abroad[&worker][0].0;
            let birth = lite.birth_date();
            let from = Date::from_julian_day(first_departure).unwrap_or(as_of).max(birth).max(program_start);
            if from > as_of {
                continue;
            }
            let registered = pick::after(&mut rng, from, 0, 180).min(as_of);
            // The household: the worker, a spouse (the other parent) and a grandparent.
            let mut spouse = None;
            let mut grandparent = None;
            let mut i = worker + 1;
            while (i as usize) < ctx.people.persons.len() && ctx.people.persons[i as usize].role != Role::Worker {
                match ctx.people.persons[i as usize].role {
                    Role::Spouse => spouse = Some(i),
                    Role::Parent => grandparent = Some(i),
                    _ => {}
                }
                i += 1;
            }
            let mut parents = vec![ctx.people.id(worker)];
            if let Some(s) = spouse {
                parents.push(ctx.people.id(s));
            }
            let (caregiver, carer) = match (spouse, grandparent) {
                (Some(s), _) => ("other_parent", Some(s)),
                (None, Some(g)) => ("grandparent", Some(g)),
                (None, None) => (*one(&mut rng, &["relative", "sibling"]), None),
            };
            let years = age(birth, registered);
            let (level, status) = match years {
                0..=3 => ("none", "never"),
                4..=6 => ("early_childhood", "enrolled"),
                7..=12 => ("primary", "enrolled"),
                13..=15 => ("junior", if rng.random_bool(0.05) { "dropped_out" } else { "enrolled" }),
                _ => ("senior", if rng.random_bool(0.12) { "dropped_out" } else { "enrolled" }),
            };
            let pid = ctx.people.id(p);
            let name = names.get(&pid).map(|(n, _)| n.clone()).unwrap_or_default();
            let (b, sex) = (birth.to_string(), lite.sex.as_str());
            let child = par::validate_child(
                &ChildInput {
                    full_name: &name,
                    birth_date: &b,
                    sex,
                    village_code: &v.code,
                    parent_person_ids: &parents,
                    caregiver,
                    school_level: level,
                    school_status: status,
                    birth_certificate: rng.random_bool(0.85),
                    health_insurance: rng.random_bool(0.7),
                },
                registered,
            )
            .map_err(|e| refused("child", e))?;
            let id = ctx.next_id("children").await?;
            batch.push(
                &CHILDREN,
                [
                    id.into(),
                    V::T(child.full_name),
                    V::T(b),
                    V::S(child.sex.as_str()),
                    V::T(v.code.clone()),
                    V::S(child.caregiver.as_str()),
                    child.school_level.map(|l| l.as_str().to_string()).into(),
                    child.school_status.map(|s| s.as_str().to_string()).into(),
                    child.birth_certificate.into(),
                    child.health_insurance.into(),
                    Ctx::ts(registered).into(),
                    Ctx::ts(registered).into(),
                ],
            );
            for parent in child.parent_person_ids {
                batch.push(&CHILD_PARENTS, [id.into(), parent.into()]);
            }
            // A few welfare concerns, each with its restricted case.
            if rng.random_bool(0.015) && registered < as_of {
                let (kind, description) = *pick::weighted(&mut rng, CONCERN_KINDS);
                let noted = pick::between(&mut rng, registered + Duration::days(1), as_of);
                let n = noted.to_string();
                let c = par::validate_concern(&ConcernInput { kind, noted_on: &n, description }, as_of)
                    .map_err(|e| refused("concern", e))?;
                let case = ctx.next_id("cases").await?;
                let severity = c.kind.severity();
                let due = DueDate::suggested(severity, noted, noted).date();
                let text = format!(
                    "Kekhawatiran kesejahteraan anak (parenting, anak #{id}): {} — {}",
                    c.kind.as_str(),
                    c.description
                );
                batch.push(
                    &CASES,
                    [
                        case.into(),
                        V::S(c.kind.case_type().as_str()),
                        V::S(severity.as_str()),
                        V::T(text),
                        V::T(v.code.clone()),
                        true.into(),
                        V::S("new"),
                        V::T(n.clone()),
                        V::T(due.to_string()),
                        Ctx::ts(noted).into(),
                        Ctx::ts(noted).into(),
                    ],
                );
                let ev = ctx.next_id("case_events").await?;
                batch.push(
                    &CASE_EVENTS,
                    [ev.into(), case.into(), V::NullT, V::S("new"), V::T(n.clone()), V::S(""), Ctx::ts(noted).into()],
                );
                let cid = ctx.next_id("child_concerns").await?;
                batch.push(
                    &CONCERNS,
                    [
                        cid.into(),
                        id.into(),
                        V::S(c.kind.as_str()),
                        V::T(n),
                        V::T(c.description),
                        case.into(),
                        Ctx::ts(noted).into(),
                    ],
                );
            }
            kids.push(Kid { id, birth, registered, carer });
        }
        if kids.is_empty() {
            continue;
        }

        // Activities, sized on the attendance budget: children and their caregivers.
        let weight = v.residents.len() as f64 / residents.max(1) as f64;
        let target = SHARE_ATTENDANCE * events * weight;
        let (mut got, mut tries) = (0usize, 0);
        let first = kids.iter().map(|k| k.registered).min().unwrap_or(as_of);
        while (got as f64) < target && tries < 400 {
            tries += 1;
            let (kind, title) = *pick::weighted(&mut rng, KINDS);
            let days = *pick::weighted(&mut rng, &[(1i64, 6u32), (2, 3), (3, 1)]);
            if first + Duration::days(days) > as_of {
                break;
            }
            let held = pick::between(&mut rng, first, as_of - Duration::days(days - 1));
            let ends = held + Duration::days(days - 1);
            let facilitator = names::officer(&mut rng);
            let (h, e) = (held.to_string(), ends.to_string());
            let a = par::validate_activity(
                &ActivityInput {
                    village_code: &v.code,
                    kind,
                    title,
                    held_on: &h,
                    ends_on: &e,
                    place: "Balai Desa",
                    facilitator: &facilitator,
                },
                as_of,
            )
            .map_err(|e| refused("parenting activity", e))?;
            let class = kind == "parenting_class";
            let mut carers: Vec<u32> = Vec::new();
            let mut children: Vec<(i64, Date)> = Vec::new();
            // About 70 % of the children come, but no more than some 30 a session.
            let come = (30.0 / kids.len() as f64).min(0.7);
            for k in kids.iter().filter(|k| k.registered <= held && age(k.birth, held) <= par::MAX_AGE) {
                if !rng.random_bool(come) {
                    continue;
                }
                for d in domain::enterprise::training_days(held, ends) {
                    if rng.random_bool(0.85) {
                        let d = domain::enterprise::attendance_date("date", &d.to_string(), held, ends, as_of)
                            .map_err(|e| refused("activity attendance", e))?;
                        if !class || age(k.birth, held) >= 4 {
                            children.push((k.id, d));
                        }
                    }
                }
                if let Some(c) = k.carer
                    && (class || rng.random_bool(0.3))
                    && !carers.contains(&c)
                {
                    carers.push(c);
                }
            }
            let mut grown: Vec<(i64, Date)> = Vec::new();
            for c in carers {
                for d in domain::enterprise::training_days(held, ends) {
                    if rng.random_bool(0.85) {
                        grown.push((ctx.people.id(c), d));
                    }
                }
            }
            if children.is_empty() && grown.is_empty() {
                continue;
            }
            got += children.len() + grown.len();
            let id = ctx.next_id("parenting_activities").await?;
            batch.push(
                &ACTIVITIES,
                [
                    id.into(),
                    V::T(v.code.clone()),
                    V::S(a.kind.as_str()),
                    V::T(a.title),
                    V::T(h),
                    V::T(e),
                    V::T(a.place),
                    V::T(a.facilitator),
                    Ctx::ts(held).into(),
                    Ctx::ts(ends).into(),
                ],
            );
            for (child, d) in children {
                batch.push(&ACTIVITY_CHILDREN, [id.into(), child.into(), V::T(d.to_string())]);
            }
            for (person, d) in grown {
                batch.push(&ACTIVITY_CAREGIVERS, [id.into(), person.into(), V::T(d.to_string())]);
            }
        }
        if batch.rows() > 20_000 {
            ctx.writer.write(std::mem::take(&mut batch)).await?;
        }
        ctx.writer.progress().set_position(vi as u64 + 1);
    }
    ctx.writer.write(batch).await?;
    Ok(())
}
