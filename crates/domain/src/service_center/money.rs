//! Money in whole rupiah. The rupiah has no minor unit in use, so an integer is exact and every
//! total adds up to the rupiah.

use crate::validation::{Rule, ValidationErrors};
use serde::Serialize;
use std::fmt;

/// An amount in whole rupiah, never negative.
///
/// Amounts here are costs a worker was charged: a negative charge is a refund, which is a
/// different fact and must not silently cancel a charge out in a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Rupiah(i64);

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah(0);
    pub const MAX: Rupiah = Rupiah(i64::MAX);

    /// `None` for a negative amount.
    pub fn new(amount: i64) -> Option<Rupiah> {
        (amount >= 0).then_some(Rupiah(amount))
    }

    pub fn amount(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `None` on overflow (beyond 9.2 × 10¹⁸ rupiah, which no real total reaches).
    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_add(other.0).map(Rupiah)
    }

    /// The sum, or `None` on overflow.
    pub fn sum(amounts: impl IntoIterator<Item = Rupiah>) -> Option<Rupiah> {
        amounts.into_iter().try_fold(Rupiah::ZERO, Rupiah::checked_add)
    }
}

/// The most rupiah a typed amount may hold: 13 digits (Rp 9,9 trillion) — more is a typo.
const MAX_TYPED_DIGITS: usize = 13;

impl Rupiah {
    /// An amount as people type it on a phone or a receipt: `1250000`, `1.250.000`,
    /// `Rp 1.250.000`, `Rp1.250.000,-`, `Rp 50.000,00`, `IDR 1,250,000`. Thousands grouped
    /// by dots (or by commas, English style) must be groups of three; a decimal part is
    /// accepted only when it is zero (`,00`, `,-`), because the rupiah has no cents and
    /// silently dropping them would change the amount. `None` for anything else, including
    /// negatives and more than 13 digits.
    pub fn parse_typed(raw: &str) -> Option<Rupiah> {
        let s = raw.trim();
        let lower = s.to_ascii_lowercase();
        let s = if lower.starts_with("idr") {
            &s[3..]
        } else if lower.starts_with("rp.") {
            &s[3..]
        } else if lower.starts_with("rp") {
            &s[2..]
        } else {
            s
        };
        let s = s.trim_start();
        // A zero decimal part: ",-", ",00", ",0" (dot-grouped) or ".00" (comma-grouped).
        let s = s
            .strip_suffix(",-")
            .or_else(|| s.strip_suffix(",00"))
            .or_else(|| s.strip_suffix(",0"))
            .or_else(|| if s.contains(',') { s.strip_suffix(".00") } else { None })
            .unwrap_or(s);
        if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let separator = match (s.contains('.'), s.contains(',')) {
            (true, true) => return None,
            (true, false) => Some('.'),
            (false, true) => Some(','),
            (false, false) => None,
        };
        let digits: String = match separator {
            None => s.to_string(),
            Some(sep) => {
                let groups: Vec<&str> = s.split(sep).collect();
                let first_ok = (1..=3).contains(&groups[0].len());
                if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
                    return None;
                }
                groups.concat()
            }
        };
        if digits.len() > MAX_TYPED_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().and_then(Rupiah::new)
    }
}

/// The one reader of a money field, for every form, API body and import: whole rupiah as
/// typed ([`Rupiah::parse_typed`]) between `min` and `max`. Each refusal is added to `errs`
/// with the field and the rule: empty → `required`, a negative number → `out_of_range`, any
/// other unreadable text → `format`, outside the bounds → `out_of_range`.
pub fn parse_field(errs: &mut ValidationErrors, field: &str, raw: &str, min: i64, max: i64) -> Option<Rupiah> {
    let s = raw.trim();
    if s.is_empty() {
        errs.add(field, Rule::Required, "an amount in whole rupiah such as 20.000");
        return None;
    }
    let bounds = || format!("from {} to {}", Rupiah(min.max(0)), Rupiah(max));
    match Rupiah::parse_typed(s) {
        Some(r) if (min..=max).contains(&r.amount()) => Some(r),
        Some(_) => {
            errs.add(field, Rule::OutOfRange, bounds());
            None
        }
        None if s.starts_with('-') && Rupiah::parse_typed(&s[1..]).is_some() => {
            errs.add(field, Rule::OutOfRange, bounds());
            None
        }
        None => {
            errs.add(field, Rule::Format, "an amount in whole rupiah such as 20.000 or Rp 1.250.000");
            None
        }
    }
}

/// A decimal number as people type it (rates, percentages), scaled to an integer with `scale`
/// decimals: `parse_scaled("1,5", 2) == Some(150)`. The Indonesian comma and the English point
/// are both decimal marks when there is one mark ("1,5", "1.5", "12,25"); with both, the last
/// is the decimal mark and the other groups thousands ("1.000,5", "1,000.5"). More decimals
/// than `scale`, signs, letters, empty text and more than 15 digits are refused (`None`):
/// silently rounding a typed rate would change the loan.
pub fn parse_scaled(raw: &str, scale: u32) -> Option<u64> {
    let s = raw.trim().trim_end_matches('%').trim_end();
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (int_part, frac) = match (s.rfind(','), s.rfind('.')) {
        (Some(c), Some(d)) => {
            let (mark, group) = if c > d { (c, '.') } else { (d, ',') };
            let int_part = &s[..mark];
            let groups: Vec<&str> = int_part.split(group).collect();
            if !(1..=3).contains(&groups[0].len()) || groups[1..].iter().any(|g| g.len() != 3) {
                return None;
            }
            (groups.concat(), &s[mark + 1..])
        }
        (Some(m), None) | (None, Some(m)) => (s[..m].to_string(), &s[m + 1..]),
        (None, None) => (s.to_string(), ""),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() || !digits(&int_part) || !digits(frac) || frac.len() > scale as usize || int_part.len() > 15
    {
        return None;
    }
    let whole: u64 = int_part.parse().ok()?;
    let frac_scaled: u64 =
        if frac.is_empty() { 0 } else { format!("{frac:0<width$}", width = scale as usize).parse().ok()? };
    whole.checked_mul(10u64.checked_pow(scale)?)?.checked_add(frac_scaled)
}

/// A scaled integer as Indonesian text: `format_scaled(150, 2) == "1,5"`, `format_scaled(4000,
/// 2) == "40"`; thousands grouped with dots, trailing zero decimals dropped.
pub fn format_scaled(value: u64, scale: u32) -> String {
    let unit = 10u64.pow(scale);
    let whole = i64::try_from(value / unit).unwrap_or(i64::MAX);
    let grouped = crate::service_center::money::group_thousands(whole);
    if scale == 0 {
        return grouped;
    }
    let frac = format!("{:0width$}", value % unit, width = scale as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { grouped } else { format!("{grouped},{frac}") }
}

/// "1.234.567" (negative with a minus sign): the Indonesian grouping every amount is shown with.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        grouped.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    grouped
}

/// "Rp 1.234.567" for any whole amount, a negative one with a minus sign ("Rp -5.000"): the one
/// formatter of money for pages and reports.
pub fn format_rupiah(n: i64) -> String {
    format!("Rp {}", group_thousands(n))
}

/// "Rp 1.250.000": the Indonesian grouping with dots, as on receipts.
impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        write!(f, "Rp {grouped}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_field_reader_for_every_door() {
        let read = |raw: &str| {
            let mut errs = ValidationErrors::new();
            let r = parse_field(&mut errs, "amount", raw, 1, 1_000_000_000);
            (r.map(Rupiah::amount), errs.0.first().map(|e| e.rule))
        };
        assert_eq!(read("20.000"), (Some(20_000), None));
        assert_eq!(read("Rp 20.000"), (Some(20_000), None));
        assert_eq!(read("20000"), (Some(20_000), None));
        assert_eq!(read(""), (None, Some(Rule::Required)));
        assert_eq!(read("0"), (None, Some(Rule::OutOfRange)));
        assert_eq!(read("-5"), (None, Some(Rule::OutOfRange)));
        assert_eq!(read("-5.000"), (None, Some(Rule::OutOfRange)));
        assert_eq!(read("2.000.000.000"), (None, Some(Rule::OutOfRange)));
        assert_eq!(read("20,5"), (None, Some(Rule::Format)));
        assert_eq!(read("dua puluh ribu"), (None, Some(Rule::Format)));
    }

    #[test]
    fn decimals_read_in_indonesian_and_english() {
        assert_eq!(parse_scaled("1,5", 2), Some(150));
        assert_eq!(parse_scaled("1.5", 2), Some(150));
        assert_eq!(parse_scaled("12,25", 2), Some(1225));
        assert_eq!(parse_scaled("40", 2), Some(4000));
        assert_eq!(parse_scaled("2,5 %", 4), Some(25_000));
        assert_eq!(parse_scaled("1.000,5", 1), Some(10_005));
        assert_eq!(parse_scaled("1,000.5", 1), Some(10_005));
        assert_eq!(parse_scaled(" 0,75 ", 4), Some(7_500));
        for bad in ["", ",5", "-1,5", "1,555", "1,5x", "satu", "1.00.0,5", "1,2,3", "1.5.5", "1 5"] {
            assert_eq!(parse_scaled(bad, 2), None, "{bad:?}");
        }
        assert_eq!(format_scaled(150, 2), "1,5");
        assert_eq!(format_scaled(4000, 2), "40");
        assert_eq!(format_scaled(25_000, 4), "2,5");
        assert_eq!(format_scaled(123_456_700, 2), "1.234.567");
    }

    #[test]
    fn money_reads_indonesian_and_english_and_shows_indonesian() {
        let p = |s: &str| Rupiah::parse_typed(s).map(Rupiah::amount);
        for (typed, amount) in [
            ("Rp 20.000", 20_000),
            ("20.000", 20_000),
            ("20000", 20_000),
            ("Rp20.000,00", 20_000),
            ("Rp 20.000,-", 20_000),
            ("IDR 20,000", 20_000),
            ("20,000.00", 20_000),
        ] {
            assert_eq!(p(typed), Some(amount), "{typed}");
            assert_eq!(format_rupiah(amount), "Rp 20.000");
        }
        assert_eq!(format_rupiah(-5_000), "Rp -5.000");
        assert_eq!(group_thousands(15_000_000), "15.000.000");
    }

    #[test]
    fn negative_amounts_are_refused() {
        assert_eq!(Rupiah::new(-1), None);
        assert_eq!(Rupiah::new(0), Some(Rupiah::ZERO));
        assert_eq!(Rupiah::new(1_500_000).map(Rupiah::amount), Some(1_500_000));
        assert!(Rupiah::ZERO.is_zero());
    }

    #[test]
    fn typed_amounts_read_the_way_people_write_them() {
        let p = |s: &str| Rupiah::parse_typed(s).map(Rupiah::amount);
        assert_eq!(p("1250000"), Some(1_250_000));
        assert_eq!(p("1.250.000"), Some(1_250_000));
        assert_eq!(p("Rp 1.250.000"), Some(1_250_000));
        assert_eq!(p("rp1.250.000,-"), Some(1_250_000));
        assert_eq!(p("Rp. 50.000,00"), Some(50_000));
        assert_eq!(p("IDR 1,250,000"), Some(1_250_000));
        assert_eq!(p(" 0 "), Some(0));
        // Refused: cents that would be lost, bad grouping, signs, letters, empties, too long.
        for bad in [
            "1.250.000,50",
            "12.5",
            "1.2500",
            "1,25",
            "-500",
            "Rp -500",
            "500 ribu",
            "",
            "Rp",
            "1.250,000.00x",
            "12345678901234",
            "1.000.000.000.000.000",
            "Rp 1.000,000",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn display_groups_thousands_with_dots() {
        let show = |n: i64| Rupiah::new(n).map(|r| r.to_string()).unwrap_or_default();
        assert_eq!(show(0), "Rp 0");
        assert_eq!(show(999), "Rp 999");
        assert_eq!(show(1_000), "Rp 1.000");
        assert_eq!(show(12_500_000), "Rp 12.500.000");
        assert_eq!(show(i64::MAX), "Rp 9.223.372.036.854.775.807");
    }

    #[test]
    fn sums_detect_overflow() {
        let big = Rupiah::new(i64::MAX).unwrap_or_default();
        let one = Rupiah::new(1).unwrap_or_default();
        assert_eq!(big.checked_add(one), None);
        assert_eq!(Rupiah::sum([big, one]), None);
        assert_eq!(Rupiah::sum([]), Some(Rupiah::ZERO));
    }

    proptest! {
        #[test]
        fn sum_is_exact(amounts in proptest::collection::vec(0i64..=1_000_000_000_000, 0..20)) {
            let total: i64 = amounts.iter().sum();
            let rupiah = amounts.iter().filter_map(|a| Rupiah::new(*a));
            prop_assert_eq!(Rupiah::sum(rupiah).map(Rupiah::amount), Some(total));
        }
    }

    proptest! {
        #[test]
        fn what_is_displayed_reads_back(n in 0i64..10_000_000_000_000) {
            let r = Rupiah::new(n).unwrap();
            prop_assert_eq!(Rupiah::parse_typed(&r.to_string()), Some(r));
            prop_assert_eq!(Rupiah::parse_typed(&n.to_string()), Some(r));
        }

        #[test]
        fn any_text_parses_or_refuses_without_panicking(s in "\\PC{0,24}") {
            if let Some(r) = Rupiah::parse_typed(&s) {
                prop_assert!(r.amount() >= 0);
            }
        }
    }
}
