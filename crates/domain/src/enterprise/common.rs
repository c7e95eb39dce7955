//! Field rules shared by the enterprise and parenting records: every error names its field.

use crate::region::{RegionCode, RegionLevel};
use crate::validation::{Rule, ValidationErrors};
use std::fmt;
use time::Date;

/// The earliest date accepted: older dates are typing slips (the program began in 2016).
pub const EARLIEST: Date = time::macros::date!(2000 - 01 - 01);
/// The largest amount accepted in one field: a trillion rupiah is a typing slip.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// A village code (existence and scope are the caller's questions).
pub fn village(errs: &mut ValidationErrors, field: &str, raw: &str) -> Option<RegionCode> {
    let raw = raw.trim();
    if raw.is_empty() {
        errs.push(
            crate::FieldError::new(field, Rule::Required, "a village code such as 53.07.01.2001")
                .message("msg_key.village_code_format"),
        );
        return None;
    }
    match raw.parse::<RegionCode>() {
        Ok(code) if code.level() == RegionLevel::Village => Some(code),
        _ => {
            errs.push(
                crate::FieldError::new(field, Rule::Format, "a village code such as 53.07.01.2001")
                    .message("msg_key.village_code_format"),
            );
            None
        }
    }
}

/// A required date from 2000 on; `latest` bounds it (today for things that happened).
pub fn date(errs: &mut ValidationErrors, field: &str, raw: &str, latest: Option<Date>) -> Option<Date> {
    if raw.trim().is_empty() {
        errs.push(
            crate::FieldError::new(field, Rule::Required, "a date such as 2026-03-14").message("msg_key.date_format"),
        );
        return None;
    }
    match crate::person::parse_date(raw) {
        None => {
            errs.push(
                crate::FieldError::new(field, Rule::Format, "a date such as 2026-03-14").message("msg_key.date_format"),
            );
            None
        }
        Some(d) if latest.is_some_and(|l| d > l) => {
            errs.push(
                crate::FieldError::new(field, Rule::OutOfRange, "not in the future").message("msg_key.not_in_future"),
            );
            None
        }
        Some(d) if d < EARLIEST => {
            errs.push(
                crate::FieldError::new(field, Rule::OutOfRange, "not before 2000").message("msg_key.not_before_2000"),
            );
            None
        }
        Some(d) => Some(d),
    }
}

/// A whole number of rupiah (or a count) from `min` to [`MAX_AMOUNT`]; blank is `blank`.
/// Read by the one money reader (`Rupiah::parse_typed`): "1.500.000", "Rp 1.500.000",
/// "1500000" alike, and badly grouped dots ("15.00.000") refused rather than squeezed out.
pub fn amount(errs: &mut ValidationErrors, field: &str, raw: &str, min: i64, blank: Option<i64>) -> Option<i64> {
    let s = raw.trim();
    if s.is_empty() {
        if blank.is_none() {
            errs.push(crate::FieldError::new(field, Rule::Required, "a whole number").message("msg_key.whole_number"));
        }
        return blank;
    }
    let read = |t: &str| crate::service_center::money::Rupiah::parse_typed(t).map(|r| r.amount());
    let range = || format!("a whole number from {min} to {MAX_AMOUNT}");
    match read(s) {
        Some(n) if (min..=MAX_AMOUNT).contains(&n) => Some(n),
        Some(_) => {
            errs.add(field, Rule::OutOfRange, range());
            None
        }
        None if s.strip_prefix('-').is_some_and(|d| read(d).is_some()) => {
            errs.add(field, Rule::OutOfRange, range());
            None
        }
        None => {
            errs.push(
                crate::FieldError::new(field, Rule::Format, "a whole number such as 1.500.000")
                    .message("msg_key.amount"),
            );
            None
        }
    }
}

/// A calendar month, `YYYY-MM`: the period of business reports and remittances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u8,
}

impl Month {
    /// `2026-03` (also `2026-3`, `03/2026`, or a full date whose day is ignored).
    pub fn parse(s: &str) -> Option<Month> {
        let s = s.trim();
        if let Some(d) = crate::person::parse_date(s) {
            return Some(Month::of(d));
        }
        let (y, m) = if let Some((a, b)) = s.split_once('-') {
            (a, b)
        } else {
            let (a, b) = s.split_once('/')?;
            (b, a)
        };
        let ok =
            |p: &str, w: std::ops::RangeInclusive<usize>| w.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
        if !ok(y, 4..=4) || !ok(m, 1..=2) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    pub fn of(d: Date) -> Month {
        Month { year: d.year(), month: d.month() as u8 }
    }

    pub fn first_day(self) -> Date {
        let m = time::Month::try_from(self.month).unwrap_or(time::Month::January);
        Date::from_calendar_date(self.year, m, 1).unwrap_or(EARLIEST)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A required month, not after `today`'s month and not before 2000.
pub fn past_month(errs: &mut ValidationErrors, field: &str, raw: &str, today: Date) -> Option<Month> {
    if raw.trim().is_empty() {
        errs.push(
            crate::FieldError::new(field, Rule::Required, "a month such as 2026-03").message("msg_key.month_format"),
        );
        return None;
    }
    match Month::parse(raw) {
        None => {
            errs.push(
                crate::FieldError::new(field, Rule::Format, "a month such as 2026-03").message("msg_key.month_format"),
            );
            None
        }
        Some(m) if m > Month::of(today) => {
            errs.add(field, Rule::OutOfRange, "not a month in the future");
            None
        }
        Some(m) if m < Month::of(EARLIEST) => {
            errs.push(
                crate::FieldError::new(field, Rule::OutOfRange, "not before 2000").message("msg_key.not_before_2000"),
            );
            None
        }
        Some(m) => Some(m),
    }
}

/// Checks that attendance on `raw` falls within an activity's days (`starts`..=`ends`) and is
/// not in the future. The error names `field`.
pub fn attendance_date(
    field: &str,
    raw: &str,
    starts: Date,
    ends: Date,
    today: Date,
) -> Result<Date, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let Some(d) = date(&mut errs, field, raw, None) else { return Err(errs) };
    if d < starts || d > ends {
        let span = if starts == ends { starts.to_string() } else { format!("{starts} to {ends}") };
        return Err(ValidationErrors::single(field, Rule::OutOfRange, format!("within the activity's dates: {span}")));
    }
    if d > today {
        return Err(ValidationErrors::single(
            field,
            Rule::OutOfRange,
            "not in the future: record attendance once it happened",
        ));
    }
    Ok(d)
}

/// `part` as a share of `whole` in basis points (1 % = 100), rounded half up; `None` when
/// `whole` is zero (no share of nothing) or either is negative.
pub fn productive_share_bp(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 || part < 0 {
        return None;
    }
    let (p, w) = (i128::from(part), i128::from(whole));
    i64::try_from((p * 10_000 * 2 + w) / (2 * w)).ok()
}

/// An optional positive id typed into a form ("" is none).
pub fn optional_id(errs: &mut ValidationErrors, field: &str, raw: &str) -> Option<i64> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errs.add(field, Rule::Format, "a record id (a positive whole number)");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn months_parse_and_order() {
        assert_eq!(Month::parse("2026-03"), Some(Month { year: 2026, month: 3 }));
        assert_eq!(Month::parse("3/2026"), Some(Month { year: 2026, month: 3 }));
        assert_eq!(Month::parse("2026-03-31"), Some(Month { year: 2026, month: 3 }));
        for bad in ["2026-13", "2026-00", "26-03", "2026", "march", ""] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        assert_eq!(Month::parse("2026-12").map(|m| m.next().to_string()), Some("2027-01".into()));
        assert!(Month::parse("2025-12") < Month::parse("2026-01"));
        assert_eq!(Month { year: 2026, month: 2 }.first_day(), date!(2026 - 02 - 01));
    }

    #[test]
    fn future_months_are_refused() {
        let today = date!(2026 - 03 - 20);
        let mut e = ValidationErrors::new();
        assert!(past_month(&mut e, "month", "2026-03", today).is_some());
        assert!(past_month(&mut e, "month", "2026-04", today).is_none());
        assert_eq!(e.0[0].rule, Rule::OutOfRange);
    }

    #[test]
    fn attendance_must_fall_within_the_activity() {
        let (s, e, today) = (date!(2026 - 03 - 02), date!(2026 - 03 - 04), date!(2026 - 03 - 20));
        assert_eq!(attendance_date("date", "2026-03-03", s, e, today), Ok(date!(2026 - 03 - 03)));
        assert_eq!(attendance_date("date", "2026-03-02", s, e, today), Ok(s));
        assert_eq!(attendance_date("date", "2026-03-04", s, e, today), Ok(e));
        for bad in ["2026-03-01", "2026-03-05"] {
            let err = attendance_date("date", bad, s, e, today).unwrap_err();
            assert_eq!((err.0[0].field.as_str(), err.0[0].rule), ("date", Rule::OutOfRange), "{bad}");
        }
        let err = attendance_date("date", "x", s, e, today).unwrap_err();
        assert_eq!(err.0[0].rule, Rule::Format);
        // An activity that runs on past today: its later days cannot be attended yet.
        let err = attendance_date("date", "2026-03-04", s, e, date!(2026 - 03 - 03)).unwrap_err();
        assert_eq!(err.0[0].rule, Rule::OutOfRange);
    }

    #[test]
    fn amounts_accept_grouping_and_refuse_junk() {
        let mut e = ValidationErrors::new();
        assert_eq!(amount(&mut e, "a", "1.500.000", 0, None), Some(1_500_000));
        assert_eq!(amount(&mut e, "a", "Rp 1.500.000", 0, None), Some(1_500_000));
        assert_eq!(amount(&mut e, "a", "Rp1.500.000,00", 0, None), Some(1_500_000));
        assert_eq!(amount(&mut e, "a", "", 0, Some(0)), Some(0));
        assert!(e.is_empty());
        assert_eq!(amount(&mut e, "a", "15.00.000", 0, None), None, "bad grouping is refused");
        assert_eq!(amount(&mut e, "a", "-5", 0, None), None);
        assert_eq!(amount(&mut e, "a", "12,5", 0, None), None);
        assert_eq!(amount(&mut e, "a", "", 0, None), None);
        let rules: Vec<Rule> = e.0.iter().map(|x| x.rule).collect();
        assert_eq!(rules, [Rule::Format, Rule::OutOfRange, Rule::Format, Rule::Required]);
    }

    #[test]
    fn shares_round_half_up() {
        assert_eq!(productive_share_bp(1, 3), Some(3333));
        assert_eq!(productive_share_bp(2, 3), Some(6667));
        assert_eq!(productive_share_bp(1, 8), Some(1250));
        assert_eq!(productive_share_bp(0, 10), Some(0));
        assert_eq!(productive_share_bp(10, 10), Some(10_000));
        assert_eq!(productive_share_bp(5, 0), None);
        assert_eq!(productive_share_bp(i64::MAX, i64::MAX), Some(10_000));
    }

    proptest! {
        #[test]
        fn share_is_between_0_and_10000(whole in 1i64..=MAX_AMOUNT, frac in 0.0f64..=1.0) {
            let part = ((whole as f64) * frac) as i64;
            let bp = productive_share_bp(part.min(whole), whole).unwrap();
            prop_assert!((0..=10_000).contains(&bp));
        }
    }
}
