//! Year-end SHU (sisa hasil usaha): the surplus the RAT distributes by the by-laws' percentages,
//! and the members' part split by their savings (jasa modal) and by their transactions — the jasa
//! they paid on loans (jasa anggota).
//!
//! Rounding rule everywhere: the largest-remainder method ([`split_largest_remainder`]), so every
//! share is whole rupiah and the shares add up to the amount distributed exactly.

use super::money::split_largest_remainder;
use crate::service_center::Rupiah;

code_enum! {
    /// Where a part of the SHU goes.
    pub enum ShuFund {
        /// Dana cadangan.
        Reserve = "reserve",
        /// Members, in proportion to their savings (jasa modal).
        MembersBySavings = "members_by_savings",
        /// Members, in proportion to their transactions (jasa anggota: the jasa they paid).
        MembersByTransactions = "members_by_transactions",
        /// Dana pengurus: the board.
        Board = "board",
        /// Dana karyawan: staff.
        Staff = "staff",
        /// Dana pendidikan: education.
        Education = "education",
        /// Dana sosial: social fund.
        Social = "social",
        /// Dana pembangunan daerah kerja: the working area's development.
        AreaDevelopment = "area_development",
    }
}

/// Why an SHU split or distribution was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShuError {
    #[error("the SHU percentages add up to {total_bp} basis points, they must add up to 100 %")]
    NotHundredPercent { total_bp: u32 },
    #[error("{fund} appears twice in the SHU percentages")]
    DuplicateFund { fund: ShuFund },
    #[error("there is a members' part but no member has savings or transactions to share it by")]
    NoBasis,
    #[error("the amounts are too large")]
    Overflow,
}

/// The by-laws' SHU percentages for one year, in basis points (40 % = 4 000), adding up to exactly
/// 100 %. Funds not listed get nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShuSplit(Vec<(ShuFund, u32)>);

impl Default for ShuSplit {
    /// The common split: 40 % reserve, 40 % members (half by savings, half by transactions),
    /// 5 % each to board, staff, education and social funds.
    fn default() -> Self {
        ShuSplit(vec![
            (ShuFund::Reserve, 4_000),
            (ShuFund::MembersBySavings, 2_000),
            (ShuFund::MembersByTransactions, 2_000),
            (ShuFund::Board, 500),
            (ShuFund::Staff, 500),
            (ShuFund::Education, 500),
            (ShuFund::Social, 500),
        ])
    }
}

impl ShuSplit {
    pub fn new(parts: &[(ShuFund, u32)]) -> Result<ShuSplit, ShuError> {
        for (i, (fund, _)) in parts.iter().enumerate() {
            if parts[..i].iter().any(|(f, _)| f == fund) {
                return Err(ShuError::DuplicateFund { fund: *fund });
            }
        }
        let total: u64 = parts.iter().map(|(_, bp)| u64::from(*bp)).sum();
        if total != 10_000 {
            return Err(ShuError::NotHundredPercent { total_bp: u32::try_from(total).unwrap_or(u32::MAX) });
        }
        Ok(ShuSplit(parts.iter().copied().filter(|(_, bp)| *bp > 0).collect()))
    }

    pub fn parts(&self) -> &[(ShuFund, u32)] {
        &self.0
    }

    /// The SHU by fund; the amounts add up to `shu` exactly.
    pub fn distribute(&self, shu: Rupiah) -> Vec<(ShuFund, Rupiah)> {
        let weights: Vec<u64> = self.0.iter().map(|(_, bp)| u64::from(*bp)).collect();
        // The weights add up to 10 000, so the split always exists.
        let amounts = split_largest_remainder(shu, &weights).unwrap_or_default();
        self.0.iter().map(|(f, _)| *f).zip(amounts).collect()
    }

    /// The amount for one fund in a distribution.
    pub fn amount_for(distribution: &[(ShuFund, Rupiah)], fund: ShuFund) -> Rupiah {
        distribution.iter().find(|(f, _)| *f == fund).map_or(Rupiah::ZERO, |(_, a)| *a)
    }
}

/// What one member's share is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberBasis {
    pub member_id: i64,
    /// The savings the by-laws count (usually pokok and wajib, or their yearly average).
    pub savings: Rupiah,
    /// The member's transactions of the year: the jasa they paid on loans.
    pub transactions: Rupiah,
}

/// One member's SHU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberShu {
    pub member_id: i64,
    pub by_savings: Rupiah,
    pub by_transactions: Rupiah,
    pub total: Rupiah,
}

/// Splits the members' two pools among members. Each pool's shares add up to the pool exactly
/// (largest remainder). A pool with nobody to share it by is refused rather than lost.
pub fn member_shares(
    by_savings_pool: Rupiah,
    by_transactions_pool: Rupiah,
    members: &[MemberBasis],
) -> Result<Vec<MemberShu>, ShuError> {
    let weights = |f: fn(&MemberBasis) -> Rupiah| -> Vec<u64> {
        members.iter().map(|m| u64::try_from(f(m).amount()).unwrap_or(0)).collect()
    };
    let savings = split_largest_remainder(by_savings_pool, &weights(|m| m.savings)).ok_or(ShuError::NoBasis)?;
    let transactions =
        split_largest_remainder(by_transactions_pool, &weights(|m| m.transactions)).ok_or(ShuError::NoBasis)?;
    members
        .iter()
        .zip(savings.into_iter().zip(transactions))
        .map(|(m, (s, t))| {
            let total = s.checked_add(t).ok_or(ShuError::Overflow)?;
            Ok(MemberShu { member_id: m.member_id, by_savings: s, by_transactions: t, total })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    #[test]
    fn split_must_add_up_to_one_hundred_percent() {
        assert_eq!(
            ShuSplit::new(&[(ShuFund::Reserve, 4_000), (ShuFund::Board, 5_000)]),
            Err(ShuError::NotHundredPercent { total_bp: 9_000 })
        );
        assert_eq!(
            ShuSplit::new(&[(ShuFund::Reserve, 5_000), (ShuFund::Reserve, 5_000)]),
            Err(ShuError::DuplicateFund { fund: ShuFund::Reserve })
        );
        let total: u32 = ShuSplit::default().parts().iter().map(|(_, bp)| bp).sum();
        assert_eq!(total, 10_000);
        assert!(ShuSplit::new(ShuSplit::default().parts()).is_ok());
    }

    #[test]
    fn default_distribution() {
        let d = ShuSplit::default().distribute(rp(10_000_001));
        assert_eq!(ShuSplit::amount_for(&d, ShuFund::Reserve), rp(4_000_001));
        assert_eq!(ShuSplit::amount_for(&d, ShuFund::MembersBySavings), rp(2_000_000));
        assert_eq!(ShuSplit::amount_for(&d, ShuFund::AreaDevelopment), Rupiah::ZERO);
        assert_eq!(Rupiah::sum(d.iter().map(|(_, a)| *a)), Some(rp(10_000_001)));
    }

    #[test]
    fn members_share_by_savings_and_by_transactions() {
        let members = [
            MemberBasis { member_id: 1, savings: rp(1_000_000), transactions: rp(0) },
            MemberBasis { member_id: 2, savings: rp(2_000_000), transactions: rp(300_000) },
        ];
        let shares = member_shares(rp(1_000), rp(500), &members).unwrap_or_default();
        assert_eq!(shares[0], MemberShu { member_id: 1, by_savings: rp(333), by_transactions: rp(0), total: rp(333) });
        assert_eq!(
            shares[1],
            MemberShu { member_id: 2, by_savings: rp(667), by_transactions: rp(500), total: rp(1_167) }
        );
        let nobody = [MemberBasis { member_id: 1, savings: rp(5), transactions: rp(0) }];
        assert_eq!(member_shares(rp(10), rp(10), &nobody), Err(ShuError::NoBasis));
        assert!(member_shares(rp(10), Rupiah::ZERO, &nobody).is_ok());
    }

    proptest! {
        #[test]
        fn every_rupiah_is_distributed(
            shu in 0i64..=100_000_000_000,
            members in proptest::collection::vec((1i64..=50_000_000, 1i64..=5_000_000), 1..100),
        ) {
            let d = ShuSplit::default().distribute(rp(shu));
            prop_assert_eq!(Rupiah::sum(d.iter().map(|(_, a)| *a)), Some(rp(shu)));
            let by_savings = ShuSplit::amount_for(&d, ShuFund::MembersBySavings);
            let by_transactions = ShuSplit::amount_for(&d, ShuFund::MembersByTransactions);
            let basis: Vec<MemberBasis> = members
                .iter()
                .enumerate()
                .map(|(i, (s, t))| MemberBasis { member_id: i as i64, savings: rp(*s), transactions: rp(*t) })
                .collect();
            let shares = member_shares(by_savings, by_transactions, &basis);
            prop_assert!(shares.is_ok());
            let shares = shares.unwrap_or_default();
            prop_assert_eq!(Rupiah::sum(shares.iter().map(|s| s.by_savings)), Some(by_savings));
            prop_assert_eq!(Rupiah::sum(shares.iter().map(|s| s.by_transactions)), Some(by_transactions));
            prop_assert_eq!(
                Rupiah::sum(shares.iter().map(|s| s.total)),
                by_savings.checked_add(by_transactions)
            );
        }
    }
}
