//! Money in whole rupiah. The rupiah has no minor unit in use, so an integer is exact and every
//! total adds up to the rupiah.

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
    fn negative_amounts_are_refused() {
        assert_eq!(Rupiah::new(-1), None);
        assert_eq!(Rupiah::new(0), Some(Rupiah::ZERO));
        assert_eq!(Rupiah::new(1_500_000).map(Rupiah::amount), Some(1_500_000));
        assert!(Rupiah::ZERO.is_zero());
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
}
