//! The provision for bad loans (PPAP, penyisihan penghapusan aktiva produktif; in the health
//! assessment "PPAPWD", the provision that must be formed): a rate per collectibility class,
//! applied to each class's outstanding principal less the collateral the guidance lets a
//! cooperative deduct. Shared by the monthly provision posting and the health assessment, so
//! both read "required" the same way.

use super::loan::Collectibility;
use super::money::{Basis, mul_div_half_up};
use crate::service_center::Rupiah;

/// The rate per class, in basis points (class 1 to 5 in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PpapRates([Basis; 5]);

impl Default for PpapRates {
    /// The cooperative guidance's four classes (lancar 0.5 %, kurang lancar 10 %, diragukan 50 %,
    /// macet 100 %); our class 2 (dalam perhatian khusus, OJK's extra class) is provisioned as
    /// lancar, since the guidance has no separate class for it. docs/COOPERATIVE.md cites them.
    fn default() -> Self {
        let bp = |v| Basis::new(v).unwrap_or(Basis::ZERO);
        PpapRates([bp(50), bp(50), bp(1_000), bp(5_000), bp(10_000)])
    }
}

impl PpapRates {
    /// `None` unless the rates never fall from one class to the next (a worse class is never
    /// provisioned less).
    pub fn new(rates: [Basis; 5]) -> Option<PpapRates> {
        rates.windows(2).all(|w| w[0].bp() <= w[1].bp()).then_some(PpapRates(rates))
    }

    pub fn rate(&self, class: Collectibility) -> Basis {
        self.0[usize::from(class.number() - 1)]
    }

    pub fn rates(&self) -> [Basis; 5] {
        self.0
    }
}

/// One loan as the provision sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvisionExposure {
    pub class: Collectibility,
    pub principal_outstanding: Rupiah,
    /// Value of the collateral the cooperative may deduct (zero when none is recorded).
    pub deductible_collateral: Rupiah,
}

/// The provision required: per loan, the class's rate on the outstanding principal less
/// deductible collateral for non-performing classes (never below zero), rounded half up to
/// the rupiah per loan, summed.
pub fn required(exposures: &[ProvisionExposure], rates: &PpapRates) -> Rupiah {
    let mut total = 0i64;
    for e in exposures {
        let base = if e.class.is_non_performing() {
            (e.principal_outstanding.amount() - e.deductible_collateral.amount()).max(0)
        } else {
            e.principal_outstanding.amount()
        };
        let base = Rupiah::new(base).unwrap_or(Rupiah::ZERO);
        let part = mul_div_half_up(base, u64::from(rates.rate(e.class).bp()), 10_000).unwrap_or(Rupiah::MAX);
        total = total.saturating_add(part.amount());
    }
    Rupiah::new(total).unwrap_or(Rupiah::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(v: i64) -> Rupiah {
        Rupiah::new(v).unwrap()
    }

    #[test]
    fn hand_computed_provision_per_class() {
        use Collectibility::*;
        let e = |class, p, c| ProvisionExposure { class, principal_outstanding: rp(p), deductible_collateral: rp(c) };
        // 0.5 % of 10,000,000 = 50,000; 0.5 % of 1,000,001 = 5,000.005 → 5,000;
        // 10 % of (4,000,000 − 1,000,000) = 300,000; 50 % of 999 = 499.5 → 500;
        // 100 % of max(0, 2,000,000 − 3,000,000) = 0.
        let loans = [
            e(Current, 10_000_000, 5_000_000),
            e(SpecialMention, 1_000_001, 0),
            e(Substandard, 4_000_000, 1_000_000),
            e(Doubtful, 999, 0),
            e(Loss, 2_000_000, 3_000_000),
        ];
        assert_eq!(required(&loans, &PpapRates::default()), rp(355_500));
    }

    #[test]
    fn rates_must_not_fall_with_a_worse_class() {
        let bp = |v| Basis::new(v).unwrap();
        assert!(PpapRates::new([bp(50), bp(100), bp(1_000), bp(5_000), bp(10_000)]).is_some());
        assert!(PpapRates::new([bp(50), bp(100), bp(1_000), bp(500), bp(10_000)]).is_none());
    }
}
