//! Members' savings: simpanan pokok (once, equal for all), simpanan wajib (a fixed amount each
//! month, arrears shown) and simpanan sukarela (any time, never below zero). Pokok and wajib are
//! members' equity: they come back only when the member leaves.

use super::money::RupiahOps;
use super::schedule::add_months;
use crate::service_center::Rupiah;
use time::Date;

code_enum! {
    /// The three kinds of member savings.
    pub enum SavingsKind {
        Pokok = "pokok",
        Wajib = "wajib",
        Sukarela = "sukarela",
    }
}

/// Why a savings movement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavingsError {
    #[error("an amount must be more than zero")]
    ZeroAmount,
    #[error("the withdrawal of {requested} exceeds the balance of {balance}")]
    InsufficientBalance { requested: Rupiah, balance: Rupiah },
    #[error("simpanan {kind} is returned only when the member leaves")]
    NotWithdrawable { kind: SavingsKind },
    #[error("simpanan pokok is paid once, as exactly {required}")]
    PokokAmount { required: Rupiah },
    #[error("simpanan pokok has already been paid")]
    PokokAlreadyPaid,
    #[error("the balance would be too large")]
    Overflow,
}

/// The balance after a deposit. Pokok is paid once and in the exact by-laws amount.
pub fn deposit(
    kind: SavingsKind,
    balance: Rupiah,
    amount: Rupiah,
    pokok_required: Rupiah,
) -> Result<Rupiah, SavingsError> {
    if amount.is_zero() {
        return Err(SavingsError::ZeroAmount);
    }
    if kind == SavingsKind::Pokok {
        if !balance.is_zero() {
            return Err(SavingsError::PokokAlreadyPaid);
        }
        if amount != pokok_required {
            return Err(SavingsError::PokokAmount { required: pokok_required });
        }
    }
    balance.checked_add(amount).ok_or(SavingsError::Overflow)
}

/// The balance after a withdrawal. While the member stays only sukarela can be withdrawn; when
/// the member leaves (`leaving`), every kind is paid back.
pub fn withdraw(kind: SavingsKind, balance: Rupiah, amount: Rupiah, leaving: bool) -> Result<Rupiah, SavingsError> {
    if amount.is_zero() {
        return Err(SavingsError::ZeroAmount);
    }
    if kind != SavingsKind::Sukarela && !leaving {
        return Err(SavingsError::NotWithdrawable { kind });
    }
    RupiahOps::checked_sub(balance, amount).ok_or(SavingsError::InsufficientBalance { requested: amount, balance })
}

/// Simpanan wajib owed and paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WajibStatus {
    /// Monthly payments due so far: one on the joining date and one each month after it.
    pub months_due: u32,
    pub amount_due: Rupiah,
    /// Whole months not covered by what was paid.
    pub months_in_arrears: u32,
    /// `amount_due − paid`, zero when paid ahead.
    pub arrears: Rupiah,
}

/// Wajib status on `today` for a member who joined on `joined`: the first payment is due on the
/// joining date, then on the same day each month (clamped to the month's end, see `add_months`).
pub fn wajib_status(joined: Date, monthly: Rupiah, paid: Rupiah, today: Date) -> WajibStatus {
    let mut months_due = 0u32;
    while months_due < 12 * 200
        && add_months(joined, u16::try_from(months_due).unwrap_or(u16::MAX)).is_some_and(|d| d <= today)
    {
        months_due += 1;
    }
    let amount_due = monthly.checked_mul(u64::from(months_due)).unwrap_or(Rupiah::MAX);
    let arrears = amount_due.saturating_sub(paid);
    let months_in_arrears = if monthly.is_zero() {
        0
    } else {
        u32::try_from((i128::from(arrears.amount()) + i128::from(monthly.amount()) - 1) / i128::from(monthly.amount()))
            .unwrap_or(u32::MAX)
    };
    WajibStatus { months_due, amount_due, months_in_arrears, arrears }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    #[test]
    fn pokok_is_paid_once_in_the_exact_amount() {
        let req = rp(100_000);
        assert_eq!(deposit(SavingsKind::Pokok, Rupiah::ZERO, req, req), Ok(req));
        assert_eq!(deposit(SavingsKind::Pokok, req, req, req), Err(SavingsError::PokokAlreadyPaid));
        assert_eq!(
            deposit(SavingsKind::Pokok, Rupiah::ZERO, rp(5), req),
            Err(SavingsError::PokokAmount { required: req })
        );
        assert_eq!(deposit(SavingsKind::Sukarela, rp(5), Rupiah::ZERO, req), Err(SavingsError::ZeroAmount));
    }

    #[test]
    fn withdrawals() {
        assert_eq!(withdraw(SavingsKind::Sukarela, rp(100), rp(40), false), Ok(rp(60)));
        assert_eq!(
            withdraw(SavingsKind::Sukarela, rp(100), rp(101), false),
            Err(SavingsError::InsufficientBalance { requested: rp(101), balance: rp(100) })
        );
        assert_eq!(
            withdraw(SavingsKind::Wajib, rp(100), rp(10), false),
            Err(SavingsError::NotWithdrawable { kind: SavingsKind::Wajib })
        );
        assert_eq!(withdraw(SavingsKind::Pokok, rp(100), rp(100), true), Ok(Rupiah::ZERO));
    }

    #[test]
    fn wajib_arrears() {
        let s = wajib_status(date!(2026 - 01 - 31), rp(20_000), rp(20_000), date!(2026 - 04 - 15));
        // Due 31 Jan, 28 Feb, 31 Mar: three months, one paid.
        assert_eq!(s, WajibStatus { months_due: 3, amount_due: rp(60_000), months_in_arrears: 2, arrears: rp(40_000) });
        let part = wajib_status(date!(2026 - 01 - 31), rp(20_000), rp(50_000), date!(2026 - 04 - 15));
        assert_eq!(part.months_in_arrears, 1);
        let ahead = wajib_status(date!(2026 - 01 - 31), rp(20_000), rp(100_000), date!(2026 - 04 - 15));
        assert_eq!((ahead.arrears, ahead.months_in_arrears), (Rupiah::ZERO, 0));
        assert_eq!(wajib_status(date!(2026 - 05 - 01), rp(20_000), Rupiah::ZERO, date!(2026 - 04 - 15)).months_due, 0);
    }

    proptest! {
        #[test]
        fn sukarela_never_goes_below_zero(ops in proptest::collection::vec((any::<bool>(), 1i64..1_000_000), 0..50)) {
            let mut balance = Rupiah::ZERO;
            let mut expected = 0i64;
            for (is_deposit, amount) in ops {
                let r = if is_deposit {
                    deposit(SavingsKind::Sukarela, balance, rp(amount), Rupiah::ZERO)
                } else {
                    withdraw(SavingsKind::Sukarela, balance, rp(amount), false)
                };
                if let Ok(b) = r {
                    expected += if is_deposit { amount } else { -amount };
                    balance = b;
                } else {
                    prop_assert!(!is_deposit && amount > balance.amount());
                }
                prop_assert_eq!(balance.amount(), expected);
                prop_assert!(expected >= 0);
            }
        }
    }
}
