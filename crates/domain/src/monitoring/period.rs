//! Reporting months (`YYYY-MM`) and periods (start and end month, inclusive).

use std::fmt;

/// A calendar month, 2000-01 to 2199-12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u8,
}

impl Month {
    pub fn new(year: i32, month: u8) -> Option<Month> {
        ((2000..=2199).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// `YYYY-MM`; anything else (a day, spaces, month 13) is `None`.
    pub fn parse(s: &str) -> Option<Month> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !s[..4].bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if !s[5..].bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Month::new(s[..4].parse().ok()?, s[5..].parse().ok()?)
    }

    pub fn of_date(d: time::Date) -> Month {
        Month { year: d.year(), month: d.month() as u8 }
    }

    pub fn next(self) -> Month {
        if self.month == 12 { Month { year: self.year + 1, month: 1 } } else { Month { month: self.month + 1, ..self } }
    }

    /// `n` months earlier.
    pub fn minus(self, n: u32) -> Month {
        let idx = self.index() - n as i64;
        Month { year: idx.div_euclid(12) as i32, month: (idx.rem_euclid(12) + 1) as u8 }
    }

    fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    /// Months from `self` to `other`, both included (0 when `other` is earlier).
    pub fn span_to(self, other: Month) -> u32 {
        (other.index() - self.index() + 1).max(0) as u32
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Months `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Month,
    pub to: Month,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{field}: a month such as 2025-01")]
    BadMonth { field: &'static str },
    #[error("to: the end month is before the start month")]
    EndBeforeStart,
}

impl PeriodError {
    pub fn field(&self) -> &'static str {
        match self {
            PeriodError::BadMonth { field } => field,
            PeriodError::EndBeforeStart => "to",
        }
    }
}

impl Period {
    /// The default period: the program's launch (2016-01) to `current`.
    pub fn since_launch(current: Month) -> Period {
        Period { from: Month { year: 2016, month: 1 }, to: current }
    }

    /// From optional query values; an empty value takes the default's bound.
    pub fn parse(from: Option<&str>, to: Option<&str>, default: Period) -> Result<Period, PeriodError> {
        let get = |v: Option<&str>, field, d| match v.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(d),
            Some(s) => Month::parse(s).ok_or(PeriodError::BadMonth { field }),
        };
        let from = get(from, "from", default.from)?;
        let to = get(to, "to", default.to)?;
        if to < from {
            return Err(PeriodError::EndBeforeStart);
        }
        Ok(Period { from, to })
    }

    pub fn contains_text(&self, month: &str) -> bool {
        Month::parse(month).is_some_and(|m| m >= self.from && m <= self.to)
    }

    /// Every month of the period, oldest first.
    pub fn months(&self) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = self.from;
        while m <= self.to {
            out.push(m);
            m = m.next();
        }
        out
    }
}

impl fmt::Display for Period {
    /// ISO 8601 interval: `2016-01/2026-05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(m("2025-01"), Month { year: 2025, month: 1 });
        for bad in ["2025-1", "2025-13", "2025-00", "25-01", "2025-01-01", " 2025-01", "abcd-ef", "2025-+1"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        assert_eq!(m("2025-12").next(), m("2026-01"));
        assert_eq!(m("2026-02").minus(3), m("2025-11"));
        assert_eq!(m("2025-11").span_to(m("2026-02")), 4);
        assert_eq!(m("2026-02").span_to(m("2025-11")), 0);
    }

    #[test]
    fn periods_refuse_an_end_before_the_start() {
        let d = Period::since_launch(m("2026-05"));
        assert_eq!(Period::parse(None, None, d), Ok(d));
        assert_eq!(Period::parse(Some("2025-03"), Some(""), d).unwrap().to, m("2026-05"));
        assert_eq!(Period::parse(Some("2025-03"), Some("2025-02"), d), Err(PeriodError::EndBeforeStart));
        assert_eq!(Period::parse(Some("March"), None, d), Err(PeriodError::BadMonth { field: "from" }));
        let p = Period::parse(Some("2025-11"), Some("2026-02"), d).unwrap();
        assert_eq!(p.months().len(), 4);
        assert!(p.contains_text("2026-01") && !p.contains_text("2026-03") && !p.contains_text(""));
        assert_eq!(p.to_string(), "2025-11/2026-02");
    }
}
