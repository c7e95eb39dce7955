//! Indicators of the program's reach: Desmigratif villages by cohort year, pocket villages
//! (desa kantong PMI) and how many of them the program covers, participation in programs.

use super::{Indicator, Kind, Level, Pillar, Sql};

pub const INDICATORS: &[Indicator] = &[
    Indicator {
        key: "desmigratif_villages",
        pillar: Pillar::Designation,
        kind: Kind::Stock,
        level: Level::Village,
        open: true,
        count: true,
        // dim: the cohort year ('' when unknown).
        sql: Sql::Same(
            "SELECT pv.village_code, '', COALESCE(CAST(pv.since_year AS TEXT), ''), CAST(COUNT(*) AS BIGINT) \
             FROM program_villages pv JOIN programs pr ON pr.id = pv.program_id \
             WHERE pr.code = 'desmigratif' AND pv.village_code IN {villages} GROUP BY pv.village_code, pv.since_year",
        ),
    },
    Indicator {
        key: "pocket_villages",
        pillar: Pillar::Designation,
        kind: Kind::Stock,
        level: Level::Village,
        open: true,
        count: true,
        sql: Sql::Same(
            "SELECT village_code, '', '', CAST(1 AS BIGINT) FROM village_profiles \
             WHERE pocket_village AND village_code IN {villages}",
        ),
    },
    Indicator {
        key: "pocket_villages_covered",
        pillar: Pillar::Designation,
        kind: Kind::Stock,
        level: Level::Village,
        open: true,
        count: true,
        sql: Sql::Same(
            "SELECT vp.village_code, '', '', CAST(1 AS BIGINT) FROM village_profiles vp \
             JOIN program_villages pv ON pv.village_code = vp.village_code \
             JOIN programs pr ON pr.id = pv.program_id AND pr.code = 'desmigratif' \
             WHERE vp.pocket_village AND vp.village_code IN {villages}",
        ),
    },
    Indicator {
        key: "program_villages",
        pillar: Pillar::Designation,
        kind: Kind::Stock,
        level: Level::Village,
        open: true,
        count: true,
        // dim: the program code.
        sql: Sql::Same(
            "SELECT pv.village_code, '', pr.code, CAST(1 AS BIGINT) FROM program_villages pv \
             JOIN programs pr ON pr.id = pv.program_id WHERE pv.village_code IN {villages}",
        ),
    },
];
