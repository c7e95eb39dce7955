//! The indicator registry and the incremental aggregates behind monitoring (issue 7).
//!
//! **Each pillar lists its indicators in one file** of this folder (`designation.rs`,
//! `service_center.rs`, `cases.rs`, …) as a `pub const INDICATORS: &[Indicator]` (and
//! optionally `DERIVED: &[Derived]`), and adds that list to [`PILLARS`] / [`DERIVED`] below.
//! That is all: the refresher, rollups, dashboards, reports, open statistics and criteria
//! pick them up. See docs/MONITORING.md for the SQL conventions and an example.
//!
//! Values live in `indicator_values` per region (villages, then every ancestor, '' = nation),
//! month (`YYYY-MM` for flows, '' for stocks) and breakdown (`dim`). Writes to source tables
//! mark their village dirty (database triggers, migration 0014); [`refresh`] recomputes dirty
//! villages and applies the difference to the rollups. Dashboards read only these rows.

pub mod admin;
pub mod cases;
pub mod cooperative;
pub mod designation;
pub mod enterprise;
pub mod parenting;
pub mod read;
pub mod refresh;
pub mod service_center;

use crate::Backend;

/// The part of the program an indicator belongs to (dashboard section, report heading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pillar {
    /// Designation, pocket villages, programs.
    Designation,
    /// Pillar 1: migration service center.
    ServiceCenter,
    /// Pillar 2: productive enterprise.
    Enterprise,
    /// Pillar 3: community parenting.
    Parenting,
    /// Pillar 4: cooperative.
    Cooperative,
    /// Protection cases.
    Cases,
}

impl Pillar {
    pub const ALL: [Pillar; 6] = [
        Pillar::Designation,
        Pillar::ServiceCenter,
        Pillar::Enterprise,
        Pillar::Parenting,
        Pillar::Cooperative,
        Pillar::Cases,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Designation => "designation",
            Pillar::ServiceCenter => "service_center",
            Pillar::Enterprise => "enterprise",
            Pillar::Parenting => "parenting",
            Pillar::Cooperative => "cooperative",
            Pillar::Cases => "cases",
        }
    }
}

/// How values add up over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Something that happens in a month (registrations, departures): summed over the period.
    Flow,
    /// A current state (people abroad now, cases open): month '' and independent of the period.
    Stock,
}

/// Where the indicator is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Per village, rolled up to every ancestor.
    Village,
    /// Nation only (data without a village, e.g. job orders): recomputed when a `'*'` dirty
    /// mark is present.
    National,
}

/// The SQL computing an indicator for a set of villages. It must return four columns:
/// `village_code TEXT, month TEXT, dim TEXT, value BIGINT` (cast counts and sums with
/// `CAST(… AS BIGINT)`; PostgreSQL's SUM is NUMERIC), one row per (village, month, dim).
/// Placeholders: `{villages}` → `('53.07.01.2001', …)`; `{today}` → `'YYYY-MM-DD'`;
/// `{created_month:COL}` → the `YYYY-MM` (Western Indonesia time) of a Unix-seconds column;
/// `{months_ago:N}` → `'YYYY-MM-DD'`, the date N months before today (day clamped to the month's
/// end; computed here so both backends agree); `{days_ago:N}` → `'YYYY-MM-DD'`, N days before today.
#[derive(Debug, Clone, Copy)]
pub enum Sql {
    /// One text for both backends.
    Same(&'static str),
    /// Where the dialects differ (date arithmetic).
    Dialect { sqlite: &'static str, postgres: &'static str },
}

/// One indicator. Its label is the message `ind.<key>` in `locales/*.toml`.
#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    pub key: &'static str,
    pub pillar: Pillar,
    pub kind: Kind,
    pub level: Level,
    /// A count of people or events that may be published in open statistics (suppressed 1–4).
    pub open: bool,
    /// A count (suppressible, summable); false for a distribution such as days to resolve.
    pub count: bool,
    pub sql: Sql,
}

/// How a derived figure is computed from stored indicators.
#[derive(Debug, Clone, Copy)]
pub enum Formula {
    /// `num` (its breakdown `num_dim`) as a whole percentage of `den` (all breakdowns).
    Share { num: &'static str, num_dim: &'static str, den: &'static str },
    /// The median of a distribution stored with the value as a zero-padded `dim`.
    Median { of: &'static str },
}

#[derive(Debug, Clone, Copy)]
pub struct Derived {
    pub key: &'static str,
    pub pillar: Pillar,
    pub formula: Formula,
}

/// Every pillar's indicators. **A pillar adds its list here.**
pub const PILLARS: &[&[Indicator]] = &[
    designation::INDICATORS,
    service_center::INDICATORS,
    cases::INDICATORS,
    enterprise::INDICATORS,
    parenting::INDICATORS,
    cooperative::INDICATORS,
];

/// Every pillar's derived figures. **A pillar adds its list here.**
pub const DERIVED: &[&[Derived]] =
    &[service_center::DERIVED, cases::DERIVED, enterprise::DERIVED, cooperative::DERIVED];

pub fn all() -> impl Iterator<Item = &'static Indicator> {
    PILLARS.iter().flat_map(|p| p.iter())
}

pub fn all_derived() -> impl Iterator<Item = &'static Derived> {
    DERIVED.iter().flat_map(|p| p.iter())
}

pub fn find(key: &str) -> Option<&'static Indicator> {
    all().find(|i| i.key == key)
}

pub fn find_derived(key: &str) -> Option<&'static Derived> {
    all_derived().find(|d| d.key == key)
}

/// A key some pillar provides (stored or derived): criteria on other keys give "no data".
pub fn is_known(key: &str) -> bool {
    find(key).is_some() || find_derived(key).is_some()
}

/// Indicators kept outside the registry by the refresher itself: the status of each pillar
/// (`pillar_status`, dim `N:active|inactive|no_data`) in Desmigratif villages, and whether
/// program participants meet their program's criteria (`program_status`, dim `code:status`).
pub const PILLAR_STATUS: &str = "pillar_status";
pub const PROGRAM_STATUS: &str = "program_status";

/// The SQL text of `sql` for `backend`, with placeholders filled. `villages` are codes we
/// parsed (digits and dots), never user text.
pub fn render(sql: &Sql, backend: Backend, villages: &[String], today: time::Date) -> String {
    let text = match (sql, backend) {
        (Sql::Same(s), _) => *s,
        (Sql::Dialect { sqlite, .. }, Backend::Sqlite) => *sqlite,
        (Sql::Dialect { postgres, .. }, Backend::Postgres) => *postgres,
    };
    let list = if villages.is_empty() {
        "('')".to_string()
    } else {
        let quoted: Vec<String> = villages
            .iter()
            .filter(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            .map(|v| format!("'{v}'"))
            .collect();
        if quoted.is_empty() { "('')".to_string() } else { format!("({})", quoted.join(",")) }
    };
    let mut out = text.replace("{villages}", &list).replace("{today}", &format!("'{today}'"));
    while let Some(start) = out.find("{months_ago:") {
        let Some(len) = out[start..].find('}') else { break };
        let n: u32 = out[start + "{months_ago:".len()..start + len].parse().unwrap_or(0);
        out.replace_range(start..start + len + 1, &format!("'{}'", months_before(today, n)));
    }
    while let Some(start) = out.find("{days_ago:") {
        let Some(len) = out[start..].find('}') else { break };
        let n: i64 = out[start + "{days_ago:".len()..start + len].parse().unwrap_or(0);
        out.replace_range(start..start + len + 1, &format!("'{}'", today - time::Duration::days(n)));
    }
    while let Some(start) = out.find("{created_month:") {
        let Some(len) = out[start..].find('}') else { break };
        let col = out[start + "{created_month:".len()..start + len].to_string();
        let expr = match backend {
            Backend::Sqlite => format!("strftime('%Y-%m', {col} + 25200, 'unixepoch')"),
            Backend::Postgres => format!("to_char(to_timestamp({col} + 25200) AT TIME ZONE 'UTC', 'YYYY-MM')"),
        };
        out.replace_range(start..start + len + 1, &expr);
    }
    out
}

/// The date `n` months before `d`, the day clamped to the end of that month (Aug 31 − 6 months
/// = Feb 28/29).
pub fn months_before(d: time::Date, n: u32) -> time::Date {
    let total = d.year() * 12 + (d.month() as i32 - 1) - n as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(month0 as u8 + 1).unwrap_or(time::Month::January);
    let day = d.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_labelled_by_convention() {
        let mut keys: Vec<&str> = all().map(|i| i.key).chain(all_derived().map(|d| d.key)).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate indicator keys");
        for k in keys {
            assert!(k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{k}");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let d = time::macros::date!(2026 - 03 - 05);
        let s = render(
            &Sql::Same("SELECT {created_month:p.created_at} FROM x WHERE v IN {villages} AND d < {today}"),
            Backend::Sqlite,
            &["53.07.01.2001".into(), "bad'); DROP".into()],
            d,
        );
        assert_eq!(
            s,
            "SELECT strftime('%Y-%m', p.created_at + 25200, 'unixepoch') FROM x WHERE v IN ('53.07.01.2001') AND d < '2026-03-05'"
        );
        assert!(render(&Sql::Same("{created_month:a}"), Backend::Postgres, &[], d).starts_with("to_char("));
        assert_eq!(render(&Sql::Same("x <= {months_ago:6}"), Backend::Sqlite, &[], d), "x <= '2025-09-05'");
        assert_eq!(render(&Sql::Same("x < {days_ago:30}"), Backend::Sqlite, &[], d), "x < '2026-02-03'");
    }

    #[test]
    fn months_before_clamps_to_the_end_of_the_month() {
        use time::macros::date;
        assert_eq!(months_before(date!(2025 - 08 - 31), 6), date!(2025 - 02 - 28));
        assert_eq!(months_before(date!(2024 - 08 - 31), 6), date!(2024 - 02 - 29));
        assert_eq!(months_before(date!(2026 - 01 - 15), 12), date!(2025 - 01 - 15));
        assert_eq!(months_before(date!(2026 - 03 - 05), 0), date!(2026 - 03 - 05));
    }
}
