//! Indonesia's three time zones and what "today" means in a village.
//!
//! A date a user types ("held on", "collected on") is checked against the village's own
//! calendar day: in Sikka (NTT, UTC+8) between midnight and 08:00 the UTC date is still
//! yesterday, in Jayapura (UTC+9) until 09:00. National figures use Western Indonesia Time,
//! the ministry's clock.

use crate::RegionCode;
use time::{Date, OffsetDateTime, UtcOffset};

/// WIB (UTC+7), WITA (UTC+8), WIT (UTC+9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    Wib,
    Wita,
    Wit,
}

impl TimeZone {
    pub fn offset(self) -> UtcOffset {
        let hours = match self {
            TimeZone::Wib => 7,
            TimeZone::Wita => 8,
            TimeZone::Wit => 9,
        };
        UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TimeZone::Wib => "WIB",
            TimeZone::Wita => "WITA",
            TimeZone::Wit => "WIT",
        }
    }

    /// The zone of a region, by its province (Kemendagri province codes; UU and Keppres
    /// 41/1987 on the three zones). Kalimantan Barat (61) and Tengah (62) keep WIB.
    pub fn of(region: &RegionCode) -> TimeZone {
        match region.as_str().get(..2) {
            // Bali, NTB, NTT, Kalimantan Selatan/Timur/Utara, all of Sulawesi.
            Some("51" | "52" | "53" | "63" | "64" | "65" | "71" | "72" | "73" | "74" | "75" | "76") => TimeZone::Wita,
            // Maluku, Maluku Utara and the Papua provinces.
            Some("81" | "82" | "91" | "92" | "93" | "94" | "95" | "96") => TimeZone::Wit,
            _ => TimeZone::Wib,
        }
    }

    /// The calendar day at `now` in this zone.
    pub fn date_at(self, now: OffsetDateTime) -> Date {
        now.to_offset(self.offset()).date()
    }
}

/// The calendar day in `region` at `now`; national (WIB) when no region is given.
pub fn today_in(region: Option<&RegionCode>, now: OffsetDateTime) -> Date {
    region.map(TimeZone::of).unwrap_or(TimeZone::Wib).date_at(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn code(s: &str) -> RegionCode {
        s.parse().expect("valid code")
    }

    #[test]
    fn provinces_map_to_their_zones() {
        assert_eq!(TimeZone::of(&code("53.10")), TimeZone::Wita); // Sikka, NTT
        assert_eq!(TimeZone::of(&code("33.01")), TimeZone::Wib); // Cilacap, Jawa Tengah
        assert_eq!(TimeZone::of(&code("61")), TimeZone::Wib); // Kalimantan Barat
        assert_eq!(TimeZone::of(&code("64")), TimeZone::Wita); // Kalimantan Timur
        assert_eq!(TimeZone::of(&code("91")), TimeZone::Wit); // Papua
        assert_eq!(TimeZone::of(&code("81")), TimeZone::Wit); // Maluku
    }

    #[test]
    fn early_morning_in_sikka_is_already_today_there() {
        // 06:30 in Sikka is 22:30 UTC of the day before.
        let now = datetime!(2026-03-01 22:30 UTC);
        assert_eq!(today_in(Some(&code("53.10.01.2001")), now).to_string(), "2026-03-02");
        // Still the 1st in Jakarta? 05:30 WIB on the 2nd as well.
        assert_eq!(today_in(Some(&code("31.71")), now).to_string(), "2026-03-02");
        // At 16:30 UTC it is 23:30 WIB (the 1st) but 00:30 WITA (the 2nd).
        let now = datetime!(2026-03-01 16:30 UTC);
        assert_eq!(today_in(Some(&code("33.01")), now).to_string(), "2026-03-01");
        assert_eq!(today_in(Some(&code("53.10")), now).to_string(), "2026-03-02");
        assert_eq!(today_in(None, now).to_string(), "2026-03-01");
    }
}
