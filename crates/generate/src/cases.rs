//! The cases pillar: protection cases of workers who departed (unpaid wages, abuse, missing
//! contact, trafficking suspicion…), walked through the case state machine
//! (`domain::cases::transition`), with referrals to the partners in the registry (checked with
//! `check_referral_for_case` and `referral_step`) and the services they recorded.

use crate::bulk::{Batch, Table, V};
use crate::pick::{self, one};
use crate::{Ctx, GenError, Pillar, PillarFuture};
use domain::RegionCode;
use domain::cases::kinds::{
    CaseType, PartnerId, PartnerProfile, PartnerType, Service, Severity, check_referral_for_case,
};
use domain::cases::workflow::{CaseStatus, Outcome, ReferralStatus, StepContext, referral_step, transition};
use rand::Rng;
use store::on_db;
use time::{Date, Duration};

pub const PILLAR: Pillar =
    Pillar { name: "cases", about: "protection cases, their timelines and referrals to partners", run: start };

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

const CASES: Table = Table {
    name: "cases",
    cols: &[
        "id",
        "case_type",
        "severity",
        "description",
        "village_code",
        "person_id",
        "restricted",
        "status",
        "status_date",
        "due_on",
        "outcome",
        "created_at",
        "updated_at",
    ],
};
const CASE_EVENTS: Table = Table {
    name: "case_events",
    cols: &["id", "case_id", "from_status", "to_status", "on_date", "reason", "outcome", "at"],
};
const REFERRALS: Table = Table {
    name: "case_referrals",
    cols: &["id", "case_id", "partner_id", "services", "note", "status", "status_date", "created_at", "updated_at"],
};
const REFERRAL_EVENTS: Table = Table {
    name: "referral_events",
    cols: &["id", "referral_id", "from_status", "to_status", "on_date", "reason", "at"],
};
const REFERRAL_SERVICES: Table =
    Table { name: "referral_services", cols: &["id", "referral_id", "service", "given_on", "note", "at"] };

/// Case types with weights, severity, the services a referral asks for (none: handled by the
/// village and Disnaker), and the usual outcome.
struct Kind {
    case_type: CaseType,
    weight: u32,
    severity: Severity,
    services: &'static [Service],
    outcome: Outcome,
    description: &'static str,
}

const KINDS: &[Kind] = &[
    Kind {
        case_type: CaseType::UnpaidWages,
        weight: 300,
        severity: Severity::Medium,
        services: &[],
        outcome: Outcome::WagesRecovered,
        description: "Gaji tidak dibayar selama beberapa bulan; keluarga melapor ke desa.",
    },
    Kind {
        case_type: CaseType::ContractViolation,
        weight: 150,
        severity: Severity::Medium,
        services: &[],
        outcome: Outcome::Settled,
        description: "Pekerjaan dan jam kerja tidak sesuai perjanjian kerja.",
    },
    Kind {
        case_type: CaseType::MissingContact,
        weight: 120,
        severity: Severity::High,
        services: &[Service::FamilyTracing],
        outcome: Outcome::ContactRestored,
        description: "Keluarga kehilangan kontak dengan PMI lebih dari tiga bulan.",
    },
    Kind {
        case_type: CaseType::Illness,
        weight: 100,
        severity: Severity::High,
        services: &[Service::MedicalCare],
        outcome: Outcome::Repatriated,
        description: "PMI sakit dan dirawat; keluarga meminta bantuan pemulangan.",
    },
    Kind {
        case_type: CaseType::Fraud,
        weight: 80,
        severity: Severity::Medium,
        services: &[],
        outcome: Outcome::Settled,
        description: "Biaya penempatan ditarik oleh sponsor melebihi ketentuan.",
    },
    Kind {
        case_type: CaseType::Abuse,
        weight: 80,
        severity: Severity::High,
        services: &[Service::Shelter, Service::LegalAid],
        outcome: Outcome::Reintegrated,
        description: "Laporan kekerasan oleh pemberi kerja.",
    },
    Kind {
        case_type: CaseType::TraffickingSuspicion,
        weight: 50,
        severity: Severity::Critical,
        services: &[Service::Shelter, Service::LegalAid],
        outcome: Outcome::Repatriated,
        description: "Diduga direkrut calo dan diberangkatkan tanpa prosedur; indikasi TPPO.",
    },
    Kind {
        case_type: CaseType::UnproceduralDeparture,
        weight: 50,
        severity: Severity::Medium,
        services: &[],
        outcome: Outcome::Settled,
        description: "Berangkat tanpa dokumen lengkap melalui jalur tidak resmi.",
    },
    Kind {
        case_type: CaseType::Detention,
        weight: 40,
        severity: Severity::High,
        services: &[Service::LegalAid],
        outcome: Outcome::Repatriated,
        description: "PMI ditahan oleh aparat di negara tujuan.",
    },
    Kind {
        case_type: CaseType::Death,
        weight: 10,
        severity: Severity::Critical,
        services: &[Service::Repatriation],
        outcome: Outcome::Repatriated,
        description: "PMI meninggal dunia; jenazah perlu dipulangkan.",
    },
    Kind {
        case_type: CaseType::Other,
        weight: 20,
        severity: Severity::Low,
        services: &[],
        outcome: Outcome::Settled,
        description: "Permintaan informasi dan pendampingan keluarga.",
    },
];

async fn partners(ctx: &Ctx) -> Result<Vec<PartnerProfile>, GenError> {
    let rows: Vec<(i64, String, Option<String>, String, bool)> = on_db!(&ctx.db, p => sqlx::query_as(
        "SELECT id, partner_type, region_code, services, active FROM partners ORDER BY id").fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, t, region, services, active)| {
            Some(PartnerProfile {
                id: PartnerId(id),
                partner_type: PartnerType::parse(&t)?,
                services: services.split(',').filter_map(Service::parse).collect(),
                active,
                region: match region {
                    Some(r) => Some(r.parse::<RegionCode>().ok()?),
                    None => None,
                },
            })
        })
        .collect())
}

fn step_err(e: impl std::fmt::Display) -> GenError {
    GenError::Invalid { what: "case step", detail: e.to_string() }
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("cases");
    let as_of = ctx.as_of;
    let partners = partners(ctx).await?;
    let kinds: Vec<(usize, u32)> = KINDS.iter().enumerate().map(|(i, k)| (i, k.weight)).collect();
    let episodes = std::mem::take(&mut ctx.episodes);
    let mut batch = Batch::default();
    for e in &episodes {
        if e.departed == 0 || !rng.random_bool(ctx.spec.case_rate) {
            continue;
        }
        let departed = Date::from_julian_day(e.departed).unwrap_or(as_of);
        let until = if e.returned > 0 { Date::from_julian_day(e.returned).unwrap_or(as_of) } else { as_of };
        let opened = pick::between(&mut rng, departed + Duration::days(7), until.max(departed + Duration::days(7)));
        if opened > as_of {
            continue;
        }
        let kind = &KINDS[*pick::weighted(&mut rng, &kinds)];
        let person = ctx.people.persons[e.person as usize];
        let village = ctx.villages[person.village as usize].code.clone();
        let region: RegionCode =
            village.parse().map_err(|_| GenError::Invalid { what: "case", detail: village.clone() })?;

        // The partner a referral goes to, if the type needs one and someone serves it here.
        let eligible: Vec<&PartnerProfile> = if kind.services.is_empty() {
            Vec::new()
        } else {
            partners.iter().filter(|p| check_referral_for_case(p, kind.services, &region).is_ok()).collect()
        };
        let partner = (!eligible.is_empty()).then(|| *one(&mut rng, &eligible));

        // The planned timeline, cut at the as-of date.
        let unfounded = rng.random_bool(0.05);
        let mut plan: Vec<(CaseStatus, Date)> = Vec::new();
        let mut d = opened;
        if unfounded {
            plan.push((CaseStatus::Closed, pick::after(&mut rng, d, 1, 20)));
        } else {
            let mut steps = vec![(CaseStatus::Assessed, 1, 7)];
            if partner.is_some() {
                steps.push((CaseStatus::Referred, 0, 5));
            }
            steps.extend([
                (CaseStatus::InProgress, 1, 14),
                (CaseStatus::Resolved, 14, 150),
                (CaseStatus::Closed, 1, 30),
            ]);
            for (s, lo, hi) in steps {
                d = pick::after(&mut rng, d, lo, hi);
                plan.push((s, d));
            }
        }
        plan.retain(|(_, d)| *d <= as_of);

        let id = ctx.next_id("cases").await?;
        let mut events: Vec<[V; 8]> = Vec::new();
        let eid = ctx.next_id("case_events").await?;
        events.push([
            eid.into(),
            id.into(),
            V::NullT,
            V::S("new"),
            V::T(opened.to_string()),
            V::S(""),
            V::NullT,
            Ctx::ts(opened).into(),
        ]);
        let mut status = CaseStatus::New;
        let mut status_date = opened;
        let mut outcome = None;
        let mut referral_rows: Batch = Batch::default();
        let mut referred_on = None;
        for (to, on) in &plan {
            let mut c = StepContext::new(*on, as_of, Some(status_date), 0);
            if *to == CaseStatus::Closed {
                c.outcome = Some(if unfounded { Outcome::Unfounded } else { kind.outcome });
            }
            if *to == CaseStatus::Referred {
                c.active_referrals = 1;
                referred_on = Some(*on);
            }
            let t = transition(status, *to, &c).map_err(step_err)?;
            let eid = ctx.next_id("case_events").await?;
            events.push([
                eid.into(),
                id.into(),
                V::S(t.from.as_str()),
                V::S(t.to.as_str()),
                V::T(t.date.to_string()),
                V::T(t.reason.unwrap_or_default()),
                t.outcome.map(|o| o.as_str().to_string()).into(),
                Ctx::ts(t.date).into(),
            ]);
            status = t.to;
            status_date = t.date;
            outcome = t.outcome;
        }

        // The referral: sent when the case was referred, accepted when work began, services
        // recorded while in progress, closed when the case was resolved.
        if let (Some(p), Some(sent)) = (partner, referred_on) {
            let requested = check_referral_for_case(p, kind.services, &region).map_err(step_err)?;
            let rid = ctx.next_id("case_referrals").await?;
            let at = |s: CaseStatus| plan.iter().find(|(t, _)| *t == s).map(|(_, d)| *d);
            let mut rsteps: Vec<(ReferralStatus, Date)> = Vec::new();
            if let Some(d) = at(CaseStatus::InProgress) {
                rsteps.push((ReferralStatus::Accepted, d));
                let end = at(CaseStatus::Resolved).unwrap_or(as_of);
                let given = pick::between(&mut rng, d, end);
                rsteps.push((ReferralStatus::ServicesRecorded, given));
                if let Some(r) = at(CaseStatus::Resolved) {
                    rsteps.push((ReferralStatus::Closed, r));
                }
            }
            rsteps.retain(|(_, d)| *d <= as_of);
            let mut rstatus = ReferralStatus::Sent;
            let mut rdate = sent;
            let mut revents: Vec<[V; 7]> = vec![[
                ctx.next_id("referral_events").await?.into(),
                rid.into(),
                V::NullT,
                V::S("sent"),
                V::T(sent.to_string()),
                V::S(""),
                Ctx::ts(sent).into(),
            ]];
            let mut services: Vec<(Service, Date)> = Vec::new();
            for (to, on) in rsteps {
                let mut c = StepContext::new(on, as_of, Some(rdate), 0);
                if to == ReferralStatus::ServicesRecorded {
                    c.services_given = requested.iter().copied().collect();
                }
                let s = referral_step(rstatus, to, &c, p).map_err(step_err)?;
                revents.push([
                    ctx.next_id("referral_events").await?.into(),
                    rid.into(),
                    V::S(s.from.as_str()),
                    V::S(s.to.as_str()),
                    V::T(s.date.to_string()),
                    V::T(s.reason.unwrap_or_default()),
                    Ctx::ts(s.date).into(),
                ]);
                services.extend(s.services.iter().map(|x| (*x, s.date)));
                rstatus = s.to;
                rdate = s.date;
            }
            let joined = requested.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
            referral_rows.push(
                &REFERRALS,
                [
                    rid.into(),
                    id.into(),
                    p.id.0.into(),
                    V::T(joined),
                    V::S(""),
                    V::S(rstatus.as_str()),
                    V::T(rdate.to_string()),
                    Ctx::ts(sent).into(),
                    Ctx::ts(rdate).into(),
                ],
            );
            for ev in revents {
                referral_rows.push(&REFERRAL_EVENTS, ev);
            }
            for (service, on) in services {
                let sid = ctx.next_id("referral_services").await?;
                referral_rows.push(
                    &REFERRAL_SERVICES,
                    [
                        sid.into(),
                        rid.into(),
                        V::S(service.as_str()),
                        V::T(on.to_string()),
                        V::S(""),
                        Ctx::ts(on).into(),
                    ],
                );
            }
        }

        let due = opened + Duration::days(kind.severity.default_response_days());
        batch.push(
            &CASES,
            [
                id.into(),
                V::S(kind.case_type.as_str()),
                V::S(kind.severity.as_str()),
                V::S(kind.description),
                V::T(village),
                ctx.people.id(e.person).into(),
                kind.case_type.is_restricted().into(),
                V::S(status.as_str()),
                V::T(status_date.to_string()),
                V::T(due.to_string()),
                outcome.map(|o| o.as_str().to_string()).into(),
                Ctx::ts(opened).into(),
                Ctx::ts(status_date).into(),
            ],
        );
        for ev in events {
            batch.push(&CASE_EVENTS, ev);
        }
        batch.append(referral_rows);
        if batch.rows() > 20_000 {
            ctx.writer.write(std::mem::take(&mut batch)).await?;
        }
    }
    ctx.writer.write(batch).await?;
    ctx.episodes = episodes;
    Ok(())
}
