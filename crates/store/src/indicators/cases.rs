//! Protection cases: opened by type, current status, overdue, days to resolve (median), and
//! the non-procedural departures referred to partners (pillar 1's "referred").

use super::{Derived, Formula, Indicator, Kind, Level, Pillar, Sql};

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
];

pub const DERIVED: &[Derived] = &[Derived {
    key: "cases_median_days",
    pillar: Pillar::Cases,
    formula: Formula::Median { of: "cases_resolved_days" },
}];
