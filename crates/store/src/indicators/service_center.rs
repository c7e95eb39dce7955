//! Pillar 1, the village migration service center: registration, counselling, verification,
//! departures (procedural or not), people abroad, returns, non-procedural attempts, outreach,
//! open risk signals, job orders.
//!
//! "Procedural" departure: no unregistered recruiter named, and through a licensed P3MI when the
//! scheme is P3MI. "Non-procedural attempt flagged": an episode naming a recruiter that is not a
//! licensed P3MI, or a P3MI placement with no agency — the `agency_not_licensed` risk flag;
//! "prevented": such an episode cancelled before departure. Open risk signals counts open
//! episodes raising the flags readable from the episode record alone (unlicensed recruiter,
//! P3MI placement without job order); flags that depend on documents, costs or time are shown
//! on the episode page.

use super::{Derived, Formula, Indicator, Kind, Level, Pillar, Sql};

/// The `agency_not_licensed` flag as SQL, written once.
macro_rules! flagged {
    () => {
        "agency_id IS NULL AND (recruiter_name <> '' OR scheme = 'p3mi')"
    };
}

const fn flow(key: &'static str, sql: &'static str) -> Indicator {
    Indicator {
        key,
        pillar: Pillar::ServiceCenter,
        kind: Kind::Flow,
        level: Level::Village,
        open: true,
        count: true,
        sql: Sql::Same(sql),
    }
}

const fn stock(key: &'static str, sql: &'static str) -> Indicator {
    Indicator {
        key,
        pillar: Pillar::ServiceCenter,
        kind: Kind::Stock,
        level: Level::Village,
        open: true,
        count: true,
        sql: Sql::Same(sql),
    }
}

pub const INDICATORS: &[Indicator] = &[
    flow(
        "persons_registered",
        "SELECT village_code, {created_month:created_at}, '', CAST(COUNT(*) AS BIGINT) FROM persons \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    // dim: prospective, abroad, returned, family.
    stock(
        "persons_by_category",
        "SELECT village_code, '', category, CAST(COUNT(*) AS BIGINT) FROM persons \
         WHERE village_code IN {villages} GROUP BY 1, 3",
    ),
    flow(
        "counselling_sessions",
        "SELECT village_code, substr(held_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM counselling_sessions \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "persons_counselled",
        "SELECT village_code, substr(held_on, 1, 7), '', CAST(COUNT(DISTINCT person_id) AS BIGINT) FROM counselling_sessions \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "episodes_verified",
        "SELECT e.village_code, substr(ev.on_date, 1, 7), '', CAST(COUNT(DISTINCT e.id) AS BIGINT) FROM episode_events ev \
         JOIN episodes e ON e.id = ev.episode_id WHERE ev.to_state = 'verified' AND e.village_code IN {villages} GROUP BY 1, 2",
    ),
    // dim: procedural or non_procedural.
    flow(
        "departures",
        concat!(
            "SELECT village_code, substr(departed_on, 1, 7), CASE WHEN recruiter_name = '' AND (scheme <> 'p3mi' OR agency_id IS NOT NULL) \
             THEN 'procedural' ELSE 'non_procedural' END, CAST(COUNT(*) AS BIGINT) FROM episodes \
             WHERE departed_on IS NOT NULL AND village_code IN {villages} GROUP BY 1, 2, 3"
        ),
    ),
    flow(
        "returns",
        "SELECT village_code, substr(returned_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM episodes \
         WHERE returned_on IS NOT NULL AND village_code IN {villages} GROUP BY 1, 2",
    ),
    stock(
        "abroad_now",
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM episodes \
         WHERE state IN ('departed', 'abroad') AND village_code IN {villages} GROUP BY 1",
    ),
    flow(
        "nonprocedural_flagged",
        concat!(
            "SELECT village_code, {created_month:created_at}, '', CAST(COUNT(*) AS BIGINT) FROM episodes WHERE ",
            flagged!(),
            " AND village_code IN {villages} GROUP BY 1, 2"
        ),
    ),
    flow(
        "nonprocedural_prevented",
        concat!(
            "SELECT village_code, substr(state_date, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM episodes WHERE state = 'cancelled' AND ",
            flagged!(),
            " AND village_code IN {villages} GROUP BY 1, 2"
        ),
    ),
    stock(
        "risk_open",
        concat!(
            "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM episodes WHERE state NOT IN ('returned', 'cancelled') \
             AND ((",
            flagged!(),
            ") OR (scheme = 'p3mi' AND job_order_id IS NULL)) AND village_code IN {villages} GROUP BY 1"
        ),
    ),
    flow(
        "outreach_events",
        "SELECT village_code, substr(held_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM outreach_events \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "outreach_headcount",
        "SELECT village_code, substr(held_on, 1, 7), '', CAST(SUM(headcount) AS BIGINT) FROM outreach_events \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    // Job orders belong to agencies, not villages: national only. dim: unverified, verified, rejected.
    Indicator {
        key: "job_orders",
        pillar: Pillar::ServiceCenter,
        kind: Kind::Stock,
        level: Level::National,
        open: false,
        count: true,
        sql: Sql::Same("SELECT '', '', status, CAST(COUNT(*) AS BIGINT) FROM job_orders GROUP BY status"),
    },
];

pub const DERIVED: &[Derived] = &[Derived {
    key: "procedural_share",
    pillar: Pillar::ServiceCenter,
    formula: Formula::Share { num: "departures", num_dim: "procedural", den: "departures" },
}];
