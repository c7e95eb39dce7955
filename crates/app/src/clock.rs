//! The one clock of the application, injected through [`crate::App`]: every "today", "this
//! month" and "this year" comes from here, in the village's own time zone where a village is
//! known (`domain::clock`). Tests and training databases start it at a fixed instant
//! (`DESMIGRATIF_CLOCK`) instead of editing dates in SQL.

use domain::RegionCode;
use domain::clock::TimeZone;
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    /// Added to the system time: zero in production.
    shift: time::Duration,
}

impl Clock {
    /// The real time.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: OffsetDateTime) -> Clock {
        Clock { shift: start - OffsetDateTime::now_utc() }
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.shift
    }

    /// Unix seconds, as the store keeps times.
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Today on the ministry's clock (WIB): national figures, reports, lists without a village.
    pub fn today(&self) -> Date {
        TimeZone::Wib.date_at(self.now())
    }

    /// Today in `region`'s time zone: the bound for dates typed about that village.
    pub fn today_in(&self, region: &RegionCode) -> Date {
        TimeZone::of(region).date_at(self.now())
    }

    /// Like [`Clock::today_in`], national when the region is not known (yet).
    pub fn today_at(&self, region: Option<&RegionCode>) -> Date {
        domain::clock::today_in(region, self.now())
    }

    pub fn year(&self) -> i32 {
        self.today().year()
    }

    pub fn month(&self) -> domain::monitoring::Month {
        domain::monitoring::Month::of_date(self.today())
    }
}

/// `YYYY-MM-DD HH:MM WIB` for a stored Unix time (the zone the ministry reads).
pub fn fmt_time(secs: &i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(*secs)
        .ok()
        .map(|t| t.to_offset(TimeZone::Wib.offset()))
        .and_then(|t| t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] WIB")).ok())
        .unwrap_or_default()
}

/// RFC 3339 (UTC) for a stored Unix time, as the API sends times.
pub fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_runs_from_its_start() {
        let start = time::macros::datetime!(2026-03-01 16:30 UTC);
        let c = Clock::starting_at(start);
        let d = c.now() - start;
        assert!(d >= time::Duration::ZERO && d < time::Duration::seconds(5), "{d}");
        assert_eq!(c.today().to_string(), "2026-03-01");
        assert_eq!(c.today_in(&"53.10".parse().expect("code")).to_string(), "2026-03-02");
    }
}
