//! Pillar 3, community parenting: children registered, enrolled in school, dropped out;
//! activities (`parenting_sessions`, the seeded pillar-3 criterion; dim: the activity kind),
//! child attendances (child-days) and children reached per month, concerns raised (dim: kind).
//! Counts only: no name, birth date or other field of a child ever leaves these queries.
//! Attendance counts in the activity's village; concerns in the child's village.

use super::{Indicator, Kind, Level, Pillar, Sql};

const fn ind(key: &'static str, kind: Kind, open: bool, sql: &'static str) -> Indicator {
    Indicator { key, pillar: Pillar::Parenting, kind, level: Level::Village, open, count: true, sql: Sql::Same(sql) }
}

pub const INDICATORS: &[Indicator] = &[
    ind(
        "children_registered",
        Kind::Stock,
        true,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM children WHERE village_code IN {villages} GROUP BY 1",
    ),
    ind(
        "children_enrolled",
        Kind::Stock,
        true,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM children WHERE school_status = 'enrolled' \
         AND village_code IN {villages} GROUP BY 1",
    ),
    ind(
        "children_dropped_out",
        Kind::Stock,
        true,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM children WHERE school_status = 'dropped_out' \
         AND village_code IN {villages} GROUP BY 1",
    ),
    // By the month the activity starts; dim: parenting_class, scouting, sports, tutoring, …
    ind(
        "parenting_sessions",
        Kind::Flow,
        true,
        "SELECT village_code, substr(held_on, 1, 7), kind, CAST(COUNT(*) AS BIGINT) FROM parenting_activities \
         WHERE village_code IN {villages} GROUP BY 1, 2, 3",
    ),
    // One per child and day attended.
    ind(
        "child_attendances",
        Kind::Flow,
        true,
        "SELECT a.village_code, substr(x.on_date, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM activity_children x \
         JOIN parenting_activities a ON a.id = x.activity_id WHERE a.village_code IN {villages} GROUP BY 1, 2",
    ),
    // Distinct children attending in the month (a child counts once per village and month).
    ind(
        "children_reached",
        Kind::Flow,
        true,
        "SELECT a.village_code, substr(x.on_date, 1, 7), '', CAST(COUNT(DISTINCT x.child_id) AS BIGINT) FROM activity_children x \
         JOIN parenting_activities a ON a.id = x.activity_id WHERE a.village_code IN {villages} GROUP BY 1, 2",
    ),
    // dim: neglect, dropping_out, abuse, child_labour. Not published openly.
    ind(
        "child_concerns",
        Kind::Flow,
        false,
        "SELECT c.village_code, substr(k.noted_on, 1, 7), k.kind, CAST(COUNT(*) AS BIGINT) FROM child_concerns k \
         JOIN children c ON c.id = k.child_id WHERE c.village_code IN {villages} GROUP BY 1, 2, 3",
    ),
];
