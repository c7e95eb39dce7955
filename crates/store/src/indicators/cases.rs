//! Protection cases: opened by type, current status, overdue, days to resolve (median), and
//! the non-procedural departures referred to partners (pillar 1's "referred"), and referrals to
//! partners: sent, accepted, declined (by the month of that step, in the case's village).
//!
//! The Desa Migran EMAS criterion `protection_task_force` (a village protection task force,
//! *Satgas pelindungan desa*) is not provided: partners are regional or national organisations
//! (the police anti-trafficking task force is the police's, not the village's), so no partner or
//! referral record says a village has its own task force. It shows "no data" until one is kept.

use super::{Derived, Formula, Indicator, Kind, Level, Pillar, Sql};

/// Referrals that took the step to `status`, by the month of the step.
macro_rules! referral_step_sql {
    ($status:literal) => {
        concat!(
            "SELECT c.village_code, substr(ev.on_date, 1, 7), '', CAST(COUNT(DISTINCT r.id) AS BIGINT) FROM referral_events ev \
             JOIN case_referrals r ON r.id = ev.referral_id JOIN cases c ON c.id = r.case_id \
             WHERE ev.to_status = '",
            $status,
            "' AND c.village_code IN {villages} GROUP BY 1, 2"
        )
    };
}

pub const INDICATORS: &[Indicator] = &[
    // dim: the case type.
    Indicator {
        key: "cases_opened",
        pillar: Pillar::Cases,
        kind: Kind::Flow,
        level: Level::Village,
        open: true,
        count: true,
        sql: Sql::Same(
            "SELECT village_code, {created_month:created_at}, case_type, CAST(COUNT(*) AS BIGINT) FROM cases \
             WHERE village_code IN {villages} GROUP BY 1, 2, 3",
        ),
    },
    // dim: the status.
    Indicator {
        key: "cases_by_status",
        pillar: Pillar::Cases,
        kind: Kind::Stock,
        level: Level::Village,
        open: false,
        count: true,
        sql: Sql::Same(
            "SELECT village_code, '', status, CAST(COUNT(*) AS BIGINT) FROM cases WHERE village_code IN {villages} GROUP BY 1, 3",
        ),
    },
    // Open (not resolved or closed) past the due date; the refresher re-marks villages whose
    // cases fall due when the day changes.
    Indicator {
        key: "cases_overdue",
        pillar: Pillar::Cases,
        kind: Kind::Stock,
        level: Level::Village,
        open: false,
        count: true,
        sql: Sql::Same(
            "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM cases WHERE status NOT IN ('resolved', 'closed') \
             AND due_on IS NOT NULL AND due_on < {today} AND village_code IN {villages} GROUP BY 1",
        ),
    },
    // Month of the first resolution; dim: days from opening, zero-padded (a distribution).
    Indicator {
        key: "cases_resolved_days",
        pillar: Pillar::Cases,
        kind: Kind::Flow,
        level: Level::Village,
        open: false,
        count: false,
        sql: Sql::Dialect {
            sqlite: "SELECT village_code, substr(resolved, 1, 7), printf('%05d', CAST(julianday(resolved) - julianday(opened) AS INTEGER)), \
                     CAST(COUNT(*) AS BIGINT) FROM (SELECT c.village_code AS village_code, MIN(o.on_date) AS opened, MIN(r.on_date) AS resolved \
                     FROM cases c JOIN case_events r ON r.case_id = c.id AND r.to_status IN ('resolved', 'closed') \
                     JOIN case_events o ON o.case_id = c.id AND o.from_status IS NULL \
                     WHERE c.village_code IN {villages} GROUP BY c.village_code, c.id) t GROUP BY 1, 2, 3",
            postgres: "SELECT village_code, substr(resolved, 1, 7), lpad(CAST(CAST(resolved AS date) - CAST(opened AS date) AS TEXT), 5, '0'), \
                       CAST(COUNT(*) AS BIGINT) FROM (SELECT c.village_code AS village_code, MIN(o.on_date) AS opened, MIN(r.on_date) AS resolved \
                       FROM cases c JOIN case_events r ON r.case_id = c.id AND r.to_status IN ('resolved', 'closed') \
                       JOIN case_events o ON o.case_id = c.id AND o.from_status IS NULL \
                       WHERE c.village_code IN {villages} GROUP BY c.village_code, c.id) t GROUP BY 1, 2, 3",
        },
    },
    // Cases of unprocedural departure referred to a partner, by month of first referral.
    Indicator {
        key: "nonprocedural_referred",
        pillar: Pillar::ServiceCenter,
        kind: Kind::Flow,
        level: Level::Village,
        open: true,
        count: true,
        sql: Sql::Same(
            "SELECT village_code, month, '', CAST(COUNT(*) AS BIGINT) FROM (SELECT c.village_code AS village_code, \
             substr(MIN(ev.on_date), 1, 7) AS month FROM cases c JOIN case_events ev ON ev.case_id = c.id \
             WHERE c.case_type = 'unprocedural_departure' AND ev.to_status = 'referred' AND c.village_code IN {villages} \
             GROUP BY c.village_code, c.id) t GROUP BY 1, 2",
        ),
    },
    referral_step("referrals_made", referral_step_sql!("sent")),
    referral_step("referrals_accepted", referral_step_sql!("accepted")),
    referral_step("referrals_declined", referral_step_sql!("declined")),
];

const fn referral_step(key: &'static str, sql: &'static str) -> Indicator {
    Indicator {
        key,
        pillar: Pillar::Cases,
        kind: Kind::Flow,
        level: Level::Village,
        open: true,
        count: true,
        sql: Sql::Same(sql),
    }
}

pub const DERIVED: &[Derived] = &[Derived {
    key: "cases_median_days",
    pillar: Pillar::Cases,
    formula: Formula::Median { of: "cases_resolved_days" },
}];
