//! Money helpers the cooperative books need on top of [`Rupiah`]: subtraction that cannot go
//! below zero unnoticed, proportional splits that add up to the rupiah, and ratios in basis
//! points.
//!
//! `Rupiah` stays non-negative. Where the books need a sign (a debit or a credit, a surplus or a
//! deficit) it is a named side next to a non-negative amount, never a negative number, so a
//! wrong sign cannot silently cancel a figure out in a total.

use crate::service_center::Rupiah;
use serde::Serialize;
use std::fmt;

/// Operations on [`Rupiah`] used by the cooperative rules.
///
/// A trait rather than more inherent methods so that `service_center::money` stays owned by its
/// pillar; should `Rupiah` gain a method of the same name, the inherent one wins and nothing
/// breaks.
pub trait RupiahOps: Sized {
    /// `None` when `other` is larger (the result would be negative).
    fn checked_sub(self, other: Self) -> Option<Self>;
    /// Zero when `other` is larger.
    fn saturating_sub(self, other: Self) -> Self;
    /// `None` on overflow.
    fn checked_mul(self, factor: u64) -> Option<Self>;
}

impl RupiahOps for Rupiah {
    fn checked_sub(self, other: Rupiah) -> Option<Rupiah> {
        self.amount().checked_sub(other.amount()).and_then(Rupiah::new)
    }
    fn saturating_sub(self, other: Rupiah) -> Rupiah {
        RupiahOps::checked_sub(self, other).unwrap_or(Rupiah::ZERO)
    }
    fn checked_mul(self, factor: u64) -> Option<Rupiah> {
        let factor = i64::try_from(factor).ok()?;
        self.amount().checked_mul(factor).and_then(Rupiah::new)
    }
}

/// `amount × numerator / denominator`, rounded half up to the rupiah, in integer arithmetic.
/// `None` for a zero denominator or a result beyond `Rupiah::MAX`.
pub fn mul_div_half_up(amount: Rupiah, numerator: u64, denominator: u64) -> Option<Rupiah> {
    if denominator == 0 {
        return None;
    }
    let n = amount.amount() as u128 * numerator as u128;
    let d = denominator as u128;
    let q = (n + d / 2) / d;
    i64::try_from(q).ok().and_then(Rupiah::new)
}

/// Splits `total` in proportion to `weights` so that every share is whole rupiah and the shares
/// add up to `total` exactly (the largest-remainder method, Hamilton's method).
///
/// Rounding rule: each share first gets `⌊total × weight / Σweights⌋`; the rupiah left over (fewer
/// than the number of shares) go one each to the shares with the largest dropped fractions,
/// ties to the earlier share. A zero weight always gets zero. `None` when every weight is zero
/// and `total` is not (there is nothing to split by).
pub fn split_largest_remainder(total: Rupiah, weights: &[u64]) -> Option<Vec<Rupiah>> {
    let sum: u128 = weights.iter().map(|w| *w as u128).sum();
    if sum == 0 {
        return total.is_zero().then(|| vec![Rupiah::ZERO; weights.len()]);
    }
    let t = total.amount() as u128;
    let mut shares: Vec<u128> = Vec::with_capacity(weights.len());
    let mut fractions: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let n = t * *w as u128;
        shares.push(n / sum);
        fractions.push((n % sum, i));
    }
    let given: u128 = shares.iter().sum();
    let left = (t - given) as usize;
    // Largest fraction first; on a tie the earlier share first.
    fractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in fractions.into_iter().take(left) {
        shares[i] += 1;
    }
    shares.into_iter().map(|s| i64::try_from(s).ok().and_then(Rupiah::new)).collect()
}

/// A ratio in basis points (1 bp = 0.01 %, 10 000 bp = 100 %), rounded half up.
///
/// Portfolio ratios (PAR30, non-performing loans) are stored and compared as integers: two
/// reports of the same portfolio always show the same figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Basis(u32);

impl Basis {
    pub const ZERO: Basis = Basis(0);
    pub const FULL: Basis = Basis(10_000);

    /// `None` above 100 %.
    pub fn new(bp: u32) -> Option<Basis> {
        (bp <= 10_000).then_some(Basis(bp))
    }

    pub fn bp(self) -> u32 {
        self.0
    }

    /// `part / whole` in basis points, half up; zero when `whole` is zero (an empty portfolio has
    /// nothing at risk). `part` beyond `whole` counts as 100 %.
    pub fn of(part: Rupiah, whole: Rupiah) -> Basis {
        if whole.is_zero() {
            return Basis::ZERO;
        }
        let part = part.min(whole).amount() as u128;
        let whole = whole.amount() as u128;
        Basis(((part * 10_000 + whole / 2) / whole) as u32)
    }
}

/// "4.25 %".
impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} %", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    #[test]
    fn subtraction_never_goes_negative() {
        assert_eq!(RupiahOps::checked_sub(rp(5), rp(3)), Some(rp(2)));
        assert_eq!(RupiahOps::checked_sub(rp(3), rp(5)), None);
        assert_eq!(rp(3).saturating_sub(rp(5)), Rupiah::ZERO);
        assert_eq!(rp(3).checked_mul(4), Some(rp(12)));
        assert_eq!(Rupiah::MAX.checked_mul(2), None);
    }

    #[test]
    fn mul_div_rounds_half_up() {
        assert_eq!(mul_div_half_up(rp(10), 1, 4), Some(rp(3))); // 2.5 → 3
        assert_eq!(mul_div_half_up(rp(10), 1, 3), Some(rp(3))); // 3.33 → 3
        assert_eq!(mul_div_half_up(rp(10), 1, 0), None);
    }

    #[test]
    fn largest_remainder_gives_leftover_rupiah_to_largest_fractions() {
        // 100 by 1:1:1 → 33.33 each; one rupiah left goes to the first (tie).
        assert_eq!(split_largest_remainder(rp(100), &[1, 1, 1]), Some(vec![rp(34), rp(33), rp(33)]));
        // 10 by 1:2:7 is exact.
        assert_eq!(split_largest_remainder(rp(10), &[1, 2, 7]), Some(vec![rp(1), rp(2), rp(7)]));
        assert_eq!(split_largest_remainder(rp(5), &[0, 0]), None);
        assert_eq!(split_largest_remainder(rp(0), &[0, 0]), Some(vec![rp(0), rp(0)]));
        assert_eq!(split_largest_remainder(rp(7), &[0, 3]), Some(vec![rp(0), rp(7)]));
    }

    #[test]
    fn basis_points() {
        assert_eq!(Basis::of(rp(1), rp(3)).bp(), 3333);
        assert_eq!(Basis::of(rp(2), rp(3)).bp(), 6667);
        assert_eq!(Basis::of(rp(5), rp(0)), Basis::ZERO);
        assert_eq!(Basis::of(rp(9), rp(3)), Basis::FULL);
        assert_eq!(Basis::of(rp(17), rp(400)).to_string(), "4.25 %");
        assert_eq!(Basis::new(10_001), None);
    }

    proptest! {
        #[test]
        fn split_adds_up_to_the_rupiah(
            total in 0i64..=1_000_000_000_000,
            weights in proptest::collection::vec(0u64..=10_000_000_000, 1..50),
        ) {
            let total = rp(total);
            let shares = split_largest_remainder(total, &weights);
            if weights.iter().all(|w| *w == 0) && !total.is_zero() {
                prop_assert!(shares.is_none());
            } else {
                let shares = shares.unwrap_or_default();
                prop_assert_eq!(shares.len(), weights.len());
                prop_assert_eq!(Rupiah::sum(shares.iter().copied()), Some(total));
                let sum: u128 = weights.iter().map(|w| *w as u128).sum();
                for (s, w) in shares.iter().zip(&weights) {
                    // Each share is its exact quota rounded down or up, never further off.
                    let exact_floor = total.amount() as u128 * *w as u128 / sum;
                    let s = s.amount() as u128;
                    prop_assert!(s == exact_floor || s == exact_floor + 1);
                    if *w == 0 { prop_assert_eq!(s, 0); }
                }
            }
        }
    }
}
