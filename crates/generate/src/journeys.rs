//! The journeys pillar: each worker's placements (migration episodes) one after the other, each
//! walked through the episode state machine (`domain::service_center::transition`) with
//! realistic gaps between steps, stopped at the as-of date; the documents the requirement
//! matrix asks for; counselling sessions; outreach events in the Desmigratif villages with
//! registered attendees; and the workers' category (abroad, returned) from their last episode.

use crate::bulk::{Batch, Table, V};
use crate::names;
use crate::pick::{self, one};
use crate::services::PLACEMENTS;
use crate::{Ctx, GenError, Pillar, PillarFuture};
use domain::Sex;
use domain::service_center::counselling::{CounsellingInput, validate_counselling};
use domain::service_center::{
    DocumentDraft, DocumentKind, DocumentRecord, DocumentStatus, DueAt, EpisodeState, NewEpisodeInput,
    NewOutreachInput, ReturnReason, TransitionContext, default_matrix, documents_due, transition, validate_new_episode,
    validate_outreach,
};
use rand::Rng;
use std::collections::BTreeMap;
use time::{Date, Duration};

pub const PILLAR: Pillar =
    Pillar { name: "journeys", about: "placements with their steps, documents, counselling and outreach", run: start };

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

/// An episode as later pillars (cases) need it.
#[derive(Debug, Clone, Copy)]
pub struct EpisodeLite {
    pub id: i64,
    /// Index into `Ctx::people.persons`.
    pub person: u32,
    /// Index into [`PLACEMENTS`].
    pub placement: u16,
    pub state: EpisodeState,
    /// Julian days; 0 when not departed / not returned.
    pub departed: i32,
    pub returned: i32,
}

const EPISODES: Table = Table {
    name: "episodes",
    cols: &[
        "id",
        "person_id",
        "village_code",
        "category",
        "scheme",
        "destination",
        "job_type",
        "agency_id",
        "recruiter_name",
        "job_order_id",
        "employer",
        "planned_departure",
        "contract_start",
        "contract_end",
        "sisko_id",
        "ekpmi_id",
        "state",
        "state_date",
        "departed_on",
        "returned_on",
        "last_contact_on",
        "created_at",
        "updated_at",
    ],
};
const EVENTS: Table = Table {
    name: "episode_events",
    cols: &[
        "id",
        "episode_id",
        "from_state",
        "to_state",
        "on_date",
        "reason",
        "return_reason",
        "handover_witness",
        "at",
    ],
};
const DOCUMENTS: Table = Table {
    name: "episode_documents",
    cols: &[
        "episode_id",
        "kind",
        "status",
        "number",
        "issuer",
        "issued_on",
        "expires_on",
        "village_head_ack",
        "updated_at",
    ],
};
const COUNSELLING: Table = Table {
    name: "counselling_sessions",
    cols: &["id", "person_id", "village_code", "held_on", "topics", "counsellor", "notes", "created_at"],
};
const OUTREACH: Table = Table {
    name: "outreach_events",
    cols: &["id", "village_code", "held_on", "place", "topic", "organiser", "headcount", "created_at", "updated_at"],
};
const ATTENDANCE: Table = Table { name: "outreach_attendance", cols: &["event_id", "person_id"] };

const CANCEL_REASONS: &[&str] = &[
    "Keluarga tidak mengizinkan",
    "Tidak lulus pemeriksaan kesehatan",
    "Calon PMI mengundurkan diri",
    "Job order dibatalkan oleh pemberi kerja",
    "Dokumen tidak dapat dilengkapi",
];
const RETURN_REASONS: &[(ReturnReason, u32)] = &[
    (ReturnReason::ContractEnd, 780),
    (ReturnReason::Leave, 60),
    (ReturnReason::EarlyTermination, 70),
    (ReturnReason::AccidentOrIllness, 30),
    (ReturnReason::Abuse, 20),
    (ReturnReason::Deportation, 25),
    (ReturnReason::WarDisasterEpidemic, 5),
    (ReturnReason::Death, 3),
    (ReturnReason::Other, 7),
];
const COUNSELLING_TOPICS: &[&str] = &[
    "safe_migration, documents, licensed_agencies",
    "safe_migration, trafficking_warning_signs",
    "documents, remittance",
    "licensed_agencies, costs, contract",
];

/// Whether a job suits the worker, roughly as placements split by sex (domestic and care work
/// mostly women, fishing, construction and driving men).
fn suits(job: &str, sex: Sex) -> bool {
    match sex {
        Sex::P => !matches!(job, "fishing_crew" | "construction_worker" | "driver"),
        Sex::L => !matches!(job, "housekeeper" | "spa_therapist"),
    }
}

fn doc_number<R: Rng>(rng: &mut R, kind: DocumentKind) -> (String, String) {
    use DocumentKind::*;
    match kind {
        Passport => (format!("{}{}", one(rng, &["C", "E", "X"]), pick::digits(rng, 7)), "Kantor Imigrasi".into()),
        WorkVisa => (pick::digits(rng, 9), "Perwakilan negara tujuan".into()),
        HealthCertificate => (format!("MCU/{}", pick::digits(rng, 6)), "Sarana kesehatan".into()),
        PoliceClearance => (format!("SKCK/{}", pick::digits(rng, 6)), "Polres".into()),
        JobSeekerCard => (format!("AK1/{}", pick::digits(rng, 6)), "Disnaker".into()),
        BpjsCard => (pick::digits(rng, 11), "BPJS Ketenagakerjaan".into()),
        CompetencyCertificate => (format!("LSP/{}", pick::digits(rng, 6)), "LSP".into()),
        FamilyPermission | MaritalStatusLetter => (format!("470/{}", pick::digits(rng, 3)), "Pemerintah Desa".into()),
        _ => (String::new(), String::new()),
    }
}

struct Step {
    to: EpisodeState,
    date: Date,
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("journeys");
    let as_of = ctx.as_of;
    let matrix = default_matrix();
    let placements: Vec<(usize, u32)> = PLACEMENTS.iter().enumerate().map(|(i, p)| (i, p.weight)).collect();
    let earliest = time::macros::date!(2016 - 01 - 01).max(as_of - Duration::days(9 * 365));
    let workers = std::mem::take(&mut ctx.people.workers);
    ctx.writer.progress().set_length(workers.len() as u64);
    ctx.writer.progress().set_position(0);
    let mut batch = Batch::default();
    // Workers whose last episode puts them abroad or back home.
    let mut abroad: Vec<i64> = Vec::new();
    let mut returned: Vec<i64> = Vec::new();
    for (n, &w) in workers.iter().enumerate() {
        let person = ctx.people.persons[w as usize];
        let person_id = ctx.people.id(w);
        let village = ctx.villages[person.village as usize].code.clone();
        let adult = person.birth_date() + Duration::days(18 * 365 + 5);
        let mut start = pick::between(&mut rng, earliest.max(adult), as_of - Duration::days(10));
        let episodes = *pick::weighted(&mut rng, &[(1u32, 60), (2, 28), (3, 12)]);
        let mut last_placement: Option<usize> = None;
        let mut category = None;
        for _ in 0..episodes.min(ctx.spec.max_episodes_per_worker) {
            if start > as_of {
                break;
            }
            let mut pi = *pick::weighted(&mut rng, &placements);
            if let Some(prev) = last_placement.filter(|_| rng.random_bool(0.6)) {
                pi = prev;
            }
            for _ in 0..6 {
                if suits(PLACEMENTS[pi].job_type, person.sex) {
                    break;
                }
                pi = *pick::weighted(&mut rng, &placements);
            }
            last_placement = Some(pi);
            let pl = PLACEMENTS[pi];
            let scheme = match pl.destination {
                "KR" => "g2g",
                "JP" if rng.random_bool(0.3) => "g2g",
                _ => match rng.random_range(0..100) {
                    0..=84 => "p3mi",
                    85..=94 => "independent",
                    _ if pl.category == "legal_entity_employer" => "own_company",
                    _ => "p3mi",
                },
            };

            // The recruiter: a job order of a registered agency, the agency alone, or a broker.
            let mut agency_id: Option<i64> = None;
            let mut job_order_id: Option<i64> = None;
            let mut recruiter = String::new();
            let mut employer = String::new();
            if scheme == "p3mi" {
                if rng.random_bool(0.04) {
                    recruiter = format!("{} (sponsor)", names::officer(&mut rng));
                } else {
                    let around = start + Duration::days(60);
                    let orders = ctx.job_orders.get(&(pl.destination, pl.job_type));
                    let fitting: Vec<&crate::services::JobOrderLite> = orders
                        .map(|o| {
                            o.iter()
                                .filter(|j| j.verified && j.valid_from <= around && around <= j.valid_until)
                                .collect()
                        })
                        .unwrap_or_default();
                    if let Some(jo) = (!fitting.is_empty()).then(|| *one(&mut rng, &fitting)) {
                        agency_id = Some(jo.agency_id);
                        job_order_id = Some(jo.id);
                        employer = jo.employer.clone();
                    } else if !ctx.agencies.is_empty() {
                        agency_id = Some(one(&mut rng, &ctx.agencies).id);
                    }
                }
            }

            // The planned path, dated; cut at the as-of date below.
            let mut path: Vec<Step> = Vec::new();
            let mut d = start;
            for (to, lo, hi) in [
                (EpisodeState::Counselled, 3, 30),
                (EpisodeState::Verified, 3, 30),
                (EpisodeState::DocumentsComplete, 14, 60),
                (EpisodeState::PlacementAgreed, 7, 30),
                (EpisodeState::Departed, 14, 60),
                (EpisodeState::Abroad, 1, 3),
            ] {
                d = pick::after(&mut rng, d, lo, hi);
                path.push(Step { to, date: d });
            }
            let departed_on = path[4].date;
            let contract_start = departed_on + Duration::days(1);
            let mut contract_end = contract_start + Duration::days(pl.months * 30);
            let cancelled = rng.random_bool(ctx.spec.cancel_rate);
            let return_reason = *pick::weighted(&mut rng, RETURN_REASONS);
            if cancelled {
                let at = rng.random_range(0..5);
                path.truncate(at);
                let prev = path.last().map_or(start, |s| s.date);
                path.push(Step { to: EpisodeState::Cancelled, date: pick::after(&mut rng, prev, 1, 45) });
            } else {
                let mut end = contract_end;
                for _ in 0..ctx.spec.max_extensions {
                    if !rng.random_bool(0.3) {
                        break;
                    }
                    path.push(Step { to: EpisodeState::Abroad, date: end - Duration::days(rng.random_range(10..40)) });
                    end += Duration::days(pl.months * 30);
                }
                contract_end = end;
                let back = if matches!(return_reason, ReturnReason::ContractEnd | ReturnReason::Leave) {
                    end + Duration::days(rng.random_range(0..20))
                } else {
                    pick::between(&mut rng, path[5].date + Duration::days(20), end)
                };
                let last = path.last().map_or(start, |s| s.date);
                path.push(Step { to: EpisodeState::Returned, date: back.max(last) });
            }
            let reached: usize = path.iter().take_while(|s| s.date <= as_of).count();
            path.truncate(reached);

            let planned = start + Duration::days(120);
            let (planned_s, cs_s, ce_s) = (planned.to_string(), contract_start.to_string(), contract_end.to_string());
            let ne = validate_new_episode(&NewEpisodeInput {
                category: pl.category,
                scheme,
                destination: pl.destination,
                job_type: pl.job_type,
                agency_id: &agency_id.map(|a| a.to_string()).unwrap_or_default(),
                job_order_id: &job_order_id.map(|a| a.to_string()).unwrap_or_default(),
                recruiter_name: &recruiter,
                employer: &employer,
                planned_departure: &planned_s,
                contract_start: &cs_s,
                contract_end: &ce_s,
                sisko_id: "",
                ekpmi_id: "",
            })
            .map_err(|e| GenError::Invalid { what: "episode", detail: e.to_string() })?;

            // Walk the path through the state machine.
            let id = ctx.next_id("episodes").await?;
            let mut state = EpisodeState::Registered;
            let mut state_date = start;
            let mut events: Vec<[V; 9]> = Vec::with_capacity(path.len() + 1);
            let eid = ctx.next_id("episode_events").await?;
            events.push([
                eid.into(),
                id.into(),
                V::NullT,
                V::S("registered"),
                V::T(start.to_string()),
                V::S(""),
                V::S(""),
                V::S(""),
                Ctx::ts(start).into(),
            ]);
            let mut departed = None;
            let mut back = None;
            for step in &path {
                let mut c = TransitionContext::new(step.date, as_of, Some(state_date));
                c.has_placement_agreement = true;
                // The walk runs before the sessions are drawn; a synthetic history stands for
                // one that was counselled properly (the rule itself is tested in the domain).
                c.has_counselling_session = true;
                match step.to {
                    EpisodeState::Cancelled => c.reason = Some(one(&mut rng, CANCEL_REASONS).to_string()),
                    EpisodeState::Returned => {
                        let r = return_reason;
                        c.return_reason = Some(r);
                        c.handover_witness = Some(names::witness(&mut rng));
                        if r == ReturnReason::Other {
                            c.reason = Some("Dipulangkan atas permintaan keluarga".into());
                        }
                    }
                    _ => {}
                }
                let t = transition(state, step.to, &c)
                    .map_err(|e| GenError::Invalid { what: "episode step", detail: e.to_string() })?;
                let eid = ctx.next_id("episode_events").await?;
                events.push([
                    eid.into(),
                    id.into(),
                    V::S(t.from.as_str()),
                    V::S(t.to.as_str()),
                    V::T(t.date.to_string()),
                    V::T(t.reason.unwrap_or_default()),
                    V::S(t.return_reason.map_or("", |r| r.as_str())),
                    V::T(t.handover_witness.unwrap_or_default()),
                    Ctx::ts(t.date).into(),
                ]);
                if t.to == EpisodeState::Departed {
                    departed = Some(t.date);
                }
                if t.to == EpisodeState::Returned {
                    back = Some(t.date);
                }
                state = t.to;
                state_date = t.date;
            }

            let last_contact = match state {
                EpisodeState::Departed | EpisodeState::Abroad => {
                    let from = departed.unwrap_or(state_date);
                    Some(if rng.random_bool(0.85) {
                        pick::between(&mut rng, (as_of - Duration::days(60)).max(from), as_of)
                    } else {
                        pick::between(&mut rng, from, as_of)
                    })
                }
                EpisodeState::Returned => back,
                _ => None,
            };
            let placed = path.iter().any(|s| s.to == EpisodeState::PlacementAgreed);
            let sisko = if placed && scheme != "independent" {
                format!("SISKO-{}-{}", start.year(), pick::digits(&mut rng, 7))
            } else {
                String::new()
            };
            let ekpmi = if departed.is_some() { format!("EKPMI{}", pick::digits(&mut rng, 10)) } else { String::new() };
            batch.push(
                &EPISODES,
                [
                    id.into(),
                    person_id.into(),
                    V::T(village.clone()),
                    V::S(ne.category.as_str()),
                    V::S(ne.scheme.as_str()),
                    V::S(pl.destination),
                    V::S(pl.job_type),
                    ne.agency_id.into(),
                    V::T(ne.recruiter_name),
                    ne.job_order_id.into(),
                    V::T(ne.employer),
                    V::T(planned_s),
                    V::T(cs_s),
                    V::T(ce_s),
                    V::T(sisko),
                    V::T(ekpmi),
                    V::S(state.as_str()),
                    V::T(state_date.to_string()),
                    departed.map(|d| d.to_string()).into(),
                    back.map(|d| d.to_string()).into(),
                    last_contact.map(|d| d.to_string()).into(),
                    Ctx::ts(start).into(),
                    Ctx::ts(state_date).into(),
                ],
            );
            for e in events {
                batch.push(&EVENTS, e);
            }

            // Documents: what the matrix asks for by documents_complete, then by departure.
            let reached_state = |s: EpisodeState| path.iter().any(|p| p.to == s);
            let step_date = |s: EpisodeState| path.iter().find(|p| p.to == s).map(|p| p.date);
            let early = documents_due(&matrix, ne.category, &ne.destination, &ne.job_type, DueAt::DocumentsComplete);
            let late: Vec<DocumentKind> =
                documents_due(&matrix, ne.category, &ne.destination, &ne.job_type, DueAt::Departure)
                    .into_iter()
                    .filter(|k| !early.contains(k))
                    .collect();
            let stages = [
                (early, reached_state(EpisodeState::DocumentsComplete), step_date(EpisodeState::DocumentsComplete)),
                (late, reached_state(EpisodeState::Departed), step_date(EpisodeState::Departed)),
            ];
            let due_started = reached_state(EpisodeState::Verified);
            for (kinds, complete, by) in stages {
                if !due_started {
                    break;
                }
                for kind in kinds {
                    let status = if complete {
                        DocumentStatus::Verified
                    } else {
                        match rng.random_range(0..10) {
                            0..=3 => DocumentStatus::Verified,
                            4..=6 => DocumentStatus::Submitted,
                            _ => continue,
                        }
                    };
                    let issued = pick::between(&mut rng, start, by.unwrap_or(state_date).min(as_of));
                    let expires = match kind {
                        DocumentKind::Passport => Some(issued + Duration::days(5 * 365)),
                        DocumentKind::WorkVisa | DocumentKind::EmploymentContract => Some(contract_end),
                        DocumentKind::HealthCertificate => Some(issued + Duration::days(365)),
                        DocumentKind::PoliceClearance => Some(issued + Duration::days(180)),
                        _ => None,
                    };
                    let (number, issuer) = doc_number(&mut rng, kind);
                    let draft = DocumentDraft {
                        kind,
                        status,
                        number,
                        issuer,
                        issued_on: Some(issued),
                        expires_on: expires,
                        village_head_acknowledged: kind == DocumentKind::FamilyPermission,
                    };
                    let r = DocumentRecord::new(draft, as_of)
                        .map_err(|e| GenError::Invalid { what: "document", detail: e.to_string() })?;
                    batch.push(
                        &DOCUMENTS,
                        [
                            id.into(),
                            V::S(r.kind().as_str()),
                            V::S(r.status().as_str()),
                            V::T(r.number().to_string()),
                            V::T(r.issuer().to_string()),
                            r.issued_on().map(|d| d.to_string()).into(),
                            r.expires_on().map(|d| d.to_string()).into(),
                            r.village_head_acknowledged().into(),
                            Ctx::ts(issued).into(),
                        ],
                    );
                }
            }

            // Counselling, on the day the episode was marked counselled.
            if let Some(held) = step_date(EpisodeState::Counselled)
                && rng.random_bool(ctx.spec.counselling_rate)
            {
                let held_s = held.to_string();
                let counsellor = names::officer(&mut rng);
                let c = validate_counselling(
                    &CounsellingInput {
                        held_on: &held_s,
                        topics: *one(&mut rng, COUNSELLING_TOPICS),
                        counsellor: &counsellor,
                        notes: "",
                    },
                    as_of,
                )
                .map_err(|e| GenError::Invalid { what: "counselling", detail: e.to_string() })?;
                let cid = ctx.next_id("counselling_sessions").await?;
                batch.push(
                    &COUNSELLING,
                    [
                        cid.into(),
                        person_id.into(),
                        V::T(village.clone()),
                        V::T(held_s),
                        V::T(c.topics),
                        V::T(c.counsellor),
                        V::T(c.notes),
                        Ctx::ts(held).into(),
                    ],
                );
            }

            ctx.episodes.push(EpisodeLite {
                id,
                person: w,
                placement: pi as u16,
                state,
                departed: departed.map_or(0, |d| d.to_julian_day()),
                returned: back.map_or(0, |d| d.to_julian_day()),
            });
            category = match state {
                EpisodeState::Departed | EpisodeState::Abroad => Some("abroad"),
                EpisodeState::Returned => Some("returned"),
                _ if category == Some("returned") || category == Some("abroad") => Some("returned"),
                _ => category,
            };
            // The next placement starts some months after this one ended.
            start = state_date + Duration::days(rng.random_range(30..400));
            if !state.is_final() {
                break;
            }
        }
        match category {
            Some("abroad") => abroad.push(person_id),
            Some("returned") => returned.push(person_id),
            _ => {}
        }
        if n % 1_000 == 999 {
            ctx.writer.write(std::mem::take(&mut batch)).await?;
            ctx.writer.progress().set_position(n as u64 + 1);
        }
    }
    ctx.writer.write(batch).await?;
    ctx.writer.progress().set_position(workers.len() as u64);
    ctx.people.workers = workers;

    // The workers' category follows their last episode (ids are integers we made).
    for (category, ids) in [("abroad", &abroad), ("returned", &returned)] {
        for chunk in ids.chunks(5_000) {
            let list = chunk.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            ctx.writer.execute_sql(format!("UPDATE persons SET category = '{category}' WHERE id IN ({list})")).await?;
        }
    }

    outreach(ctx).await
}

/// Outreach (sosialisasi) in each Desmigratif village, from its cohort year on, with some of
/// the village's registered people as attendees.
async fn outreach(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("journeys/outreach");
    let as_of = ctx.as_of;
    let mut residents: BTreeMap<u32, Vec<u32>> = ctx.desmigratif.iter().map(|(v, _)| (*v, Vec::new())).collect();
    for (i, p) in ctx.people.persons.iter().enumerate() {
        if let Some(list) = residents.get_mut(&p.village)
            && (as_of - p.birth_date()).whole_days() >= 16 * 365
        {
            list.push(i as u32);
        }
    }
    let mut batch = Batch::default();
    let desmigratif = ctx.desmigratif.clone();
    for (v, cohort) in desmigratif {
        let code = ctx.villages[v as usize].code.clone();
        let people = &residents[&v];
        for year in cohort..=as_of.year() {
            for _ in 0..ctx.spec.outreach_per_village_year {
                let from = Date::from_calendar_date(year, time::Month::January, 1).unwrap_or(as_of);
                let to = Date::from_calendar_date(year, time::Month::December, 31).unwrap_or(as_of).min(as_of);
                if from > to {
                    continue;
                }
                let held = pick::between(&mut rng, from, to);
                let held_s = held.to_string();
                let topic = *one(&mut rng, &domain::service_center::SUGGESTED_TOPICS);
                let place = *one(&mut rng, &["Balai Desa", "Masjid Desa", "Aula Kantor Desa", "Posyandu", "Gereja"]);
                let headcount = rng.random_range(15..=150).to_string();
                let o = validate_outreach(
                    &NewOutreachInput {
                        village_code: &code,
                        held_on: &held_s,
                        place,
                        topic,
                        organiser: "Petugas Desmigratif",
                        headcount: &headcount,
                    },
                    as_of,
                )
                .map_err(|e| GenError::Invalid { what: "outreach", detail: e.to_string() })?;
                let id = ctx.next_id("outreach_events").await?;
                batch.push(
                    &OUTREACH,
                    [
                        id.into(),
                        V::T(code.clone()),
                        V::T(held_s),
                        V::T(o.place),
                        V::T(o.topic),
                        V::T(o.organiser),
                        o.headcount.into(),
                        Ctx::ts(held).into(),
                        Ctx::ts(held).into(),
                    ],
                );
                let mut came: Vec<u32> = (0..people.len().min(8)).map(|_| *one(&mut rng, people)).collect();
                came.sort_unstable();
                came.dedup();
                for p in came {
                    batch.push(&ATTENDANCE, [id.into(), ctx.people.id(p).into()]);
                }
            }
        }
        if batch.rows() > 20_000 {
            ctx.writer.write(std::mem::take(&mut batch)).await?;
        }
    }
    ctx.writer.write(batch).await
}
