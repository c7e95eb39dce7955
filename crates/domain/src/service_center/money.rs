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
