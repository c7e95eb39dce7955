//! Pillar 2, productive enterprise: trainings (held, participants, returned migrants among them,
//! completed), mentoring visits, equipment (given, not in use), businesses (started, running,
//! still running 6 and 12 months after the start, active groups, reporting), remittances
//! (inflow in rupiah, the productive part and its share).
//!
//! Trainings count in the month they start, participants with their training. "Returnees
//! trained": participants whose person record is in category `returned` now (a change of
//! category re-marks the trainings' villages, migration 0016). "Still active after 6 / 12
//! months": running businesses that started at least 6 / 12 months before today (the refresher
//! re-marks the villages when a business crosses the line). `enterprise_groups_active` (the
//! seeded pillar-2 and Desa Migran EMAS criteria): running businesses that are groups or BUMDes
//! units, not individual ones — members are returned migrants or their families by rule.

use super::{Derived, Formula, Indicator, Kind, Level, Pillar, Sql};

const fn flow(key: &'static str, open: bool, sql: &'static str) -> Indicator {
    Indicator {
        key,
        pillar: Pillar::Enterprise,
        kind: Kind::Flow,
        level: Level::Village,
        open,
        count: true,
        sql: Sql::Same(sql),
    }
}

const fn stock(key: &'static str, open: bool, sql: &'static str) -> Indicator {
    Indicator {
        key,
        pillar: Pillar::Enterprise,
        kind: Kind::Stock,
        level: Level::Village,
        open,
        count: true,
        sql: Sql::Same(sql),
    }
}

pub const INDICATORS: &[Indicator] = &[
    flow(
        "trainings_held",
        true,
        "SELECT village_code, substr(starts_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM trainings \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "training_participants",
        true,
        "SELECT t.village_code, substr(t.starts_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM training_participants p \
         JOIN trainings t ON t.id = p.training_id WHERE t.village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "returnees_trained",
        true,
        "SELECT t.village_code, substr(t.starts_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM training_participants p \
         JOIN trainings t ON t.id = p.training_id JOIN persons pe ON pe.id = p.person_id \
         WHERE pe.category = 'returned' AND t.village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "training_completed",
        true,
        "SELECT t.village_code, substr(t.starts_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM training_participants p \
         JOIN trainings t ON t.id = p.training_id WHERE p.completed AND t.village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "mentoring_visits",
        true,
        "SELECT village_code, substr(visited_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM mentoring_visits \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "equipment_given",
        true,
        "SELECT village_code, substr(given_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM equipment \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    // From each item's latest check.
    stock(
        "equipment_unused",
        false,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM equipment WHERE NOT in_use \
         AND village_code IN {villages} GROUP BY 1",
    ),
    // Month of the start; a business still planned has not started.
    flow(
        "businesses_started",
        true,
        "SELECT village_code, substr(started_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM businesses \
         WHERE started_on IS NOT NULL AND status <> 'planned' AND village_code IN {villages} GROUP BY 1, 2",
    ),
    stock(
        "businesses_running",
        true,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM businesses WHERE status = 'running' \
         AND village_code IN {villages} GROUP BY 1",
    ),
    stock(
        "businesses_active_six_months",
        true,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM businesses WHERE status = 'running' \
         AND started_on <= {months_ago:6} AND village_code IN {villages} GROUP BY 1",
    ),
    stock(
        "businesses_active_twelve_months",
        true,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM businesses WHERE status = 'running' \
         AND started_on <= {months_ago:12} AND village_code IN {villages} GROUP BY 1",
    ),
    stock(
        "enterprise_groups_active",
        true,
        "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM businesses WHERE status = 'running' \
         AND legal_form <> 'individual' AND village_code IN {villages} GROUP BY 1",
    ),
    // Businesses that sent a monthly report, by the report's month.
    flow(
        "businesses_reporting",
        true,
        "SELECT b.village_code, r.month, '', CAST(COUNT(*) AS BIGINT) FROM business_reports r \
         JOIN businesses b ON b.id = r.business_id WHERE b.village_code IN {villages} GROUP BY 1, 2",
    ),
    // Whole rupiah by the month sent, counted in the family's village (not published openly).
    flow(
        "remittance_inflow",
        false,
        "SELECT village_code, month, '', CAST(SUM(amount) AS BIGINT) FROM remittances \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
    flow(
        "remittance_productive",
        false,
        "SELECT village_code, month, '', CAST(SUM(use_productive_investment) AS BIGINT) FROM remittances \
         WHERE village_code IN {villages} GROUP BY 1, 2",
    ),
];

/// The productive share of remittances over the period, in whole percent (the registry's share
/// unit; the enterprise pages show basis points from the same rows).
pub const DERIVED: &[Derived] = &[Derived {
    key: "remittance_productive_share",
    pillar: Pillar::Enterprise,
    formula: Formula::Share { num: "remittance_productive", num_dim: "", den: "remittance_inflow" },
}];
