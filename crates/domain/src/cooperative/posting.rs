//! Posting templates: every operation of the cooperative becomes exactly one balanced journal
//! entry, built here and nowhere else. The store only writes what a template returns, so an
//! operation can never be half-posted or posted unbalanced.
//!
//! Cash basis: jasa (interest) and denda (penalties) are income when received; jasa that falls
//! due and is not paid stays off the books (it is shown as owed on the loan, and in days past
//! due), so the books never carry income that was not collected.
//!
//! Lines on member accounts (savings, loans receivable, SHU payable) and on jasa and penalty
//! income carry the member, so a member's statement, their savings balances and the SHU basis
//! "by transactions" are read from the same lines as the trial balance.

use super::ledger::{Account, JournalEntry, JournalError, JournalLine};
use super::loan::Allocation;
use super::savings::SavingsKind;
use super::shu::ShuFund;
use crate::service_center::Rupiah;
use time::Date;

code_enum! {
    /// The kind of operation an entry records (stored with the entry).
    pub enum OperationKind {
        SavingsDeposit = "savings_deposit",
        SavingsWithdrawal = "savings_withdrawal",
        LoanDisbursement = "loan_disbursement",
        LoanRepayment = "loan_repayment",
        LoanWriteOff = "loan_write_off",
        MemberExit = "member_exit",
        OtherIncome = "other_income",
        Expense = "expense",
        YearClosing = "year_closing",
        ShuDistribution = "shu_distribution",
        /// Cash to bank, bank to cash, bank to bank (issue 20, `cooperative::bank`).
        BankTransfer = "bank_transfer",
        /// The monthly provision for bad loans (PPAP; issue 20, `loans::provision_entry`).
        LoanProvision = "loan_provision",
        // Deposits track (issue 20): savings products and the month-end interest.
        TimeDepositOpening = "time_deposit_opening",
        TimeDepositClosing = "time_deposit_closing",
        SavingsInterest = "savings_interest",
    }
}

impl OperationKind {
    /// Whether an entry of this kind may be corrected by a reversal. Loan disbursements and
    /// write-offs, member exits, the year closing and the SHU distribution change a record's
    /// state as well as the books; they are corrected by a new operation, not a reversal.
    pub fn is_reversible(self) -> bool {
        matches!(
            self,
            OperationKind::SavingsDeposit
                | OperationKind::SavingsWithdrawal
                | OperationKind::LoanRepayment
                | OperationKind::OtherIncome
                | OperationKind::Expense
                | OperationKind::BankTransfer
        )
    }
}

impl SavingsKind {
    /// The equity (pokok, wajib) or liability (sukarela) account of this kind.
    pub fn account(self) -> Account {
        match self {
            SavingsKind::Pokok => Account::SimpananPokok,
            SavingsKind::Wajib => Account::SimpananWajib,
            SavingsKind::Sukarela => Account::SimpananSukarela,
        }
    }
}

/// What is paid back to a member who leaves: every savings balance and any SHU not yet paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExitRefund {
    pub pokok: Rupiah,
    pub wajib: Rupiah,
    pub sukarela: Rupiah,
    pub shu_payable: Rupiah,
}

impl ExitRefund {
    pub fn total(&self) -> Rupiah {
        Rupiah::sum([self.pokok, self.wajib, self.sukarela, self.shu_payable]).unwrap_or(Rupiah::MAX)
    }
}

/// An SHU distribution decided by the RAT: the whole SHU for the year leaves
/// [`Account::ShuCurrentYear`]; the reserve part goes to [`Account::Reserve`], the members'
/// parts to [`Account::ShuPayable`] per member, the other funds to [`Account::FundsPayable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShuPosting {
    pub funds: Vec<(ShuFund, Rupiah)>,
    /// Each member's share (by savings plus by transactions).
    pub members: Vec<(i64, Rupiah)>,
}

/// One operation, with everything its entry needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    SavingsDeposit {
        member: i64,
        kind: SavingsKind,
        amount: Rupiah,
    },
    SavingsWithdrawal {
        member: i64,
        kind: SavingsKind,
        amount: Rupiah,
    },
    LoanDisbursement {
        member: i64,
        principal: Rupiah,
    },
    LoanRepayment {
        member: i64,
        allocation: Allocation,
    },
    LoanWriteOff {
        member: i64,
        principal: Rupiah,
    },
    MemberExit {
        member: i64,
        refund: ExitRefund,
    },
    OtherIncome {
        amount: Rupiah,
    },
    /// An expense paid in cash, on one of the expense accounts.
    Expense {
        account: Account,
        amount: Rupiah,
    },
    ShuDistribution(ShuPosting),
}

impl Operation {
    pub fn kind(&self) -> OperationKind {
        match self {
            Operation::SavingsDeposit { .. } => OperationKind::SavingsDeposit,
            Operation::SavingsWithdrawal { .. } => OperationKind::SavingsWithdrawal,
            Operation::LoanDisbursement { .. } => OperationKind::LoanDisbursement,
            Operation::LoanRepayment { .. } => OperationKind::LoanRepayment,
            Operation::LoanWriteOff { .. } => OperationKind::LoanWriteOff,
            Operation::MemberExit { .. } => OperationKind::MemberExit,
            Operation::OtherIncome { .. } => OperationKind::OtherIncome,
            Operation::Expense { .. } => OperationKind::Expense,
            Operation::ShuDistribution(_) => OperationKind::ShuDistribution,
        }
    }

    /// The member the operation concerns, if one.
    pub fn member(&self) -> Option<i64> {
        match self {
            Operation::SavingsDeposit { member, .. }
            | Operation::SavingsWithdrawal { member, .. }
            | Operation::LoanDisbursement { member, .. }
            | Operation::LoanRepayment { member, .. }
            | Operation::LoanWriteOff { member, .. }
            | Operation::MemberExit { member, .. } => Some(*member),
            _ => None,
        }
    }

    /// The journal entry (the posting template). Refused like any entry: a zero operation has
    /// no lines worth posting, so it is an error rather than an empty entry.
    ///
    /// | operation | debit | credit |
    /// |---|---|---|
    /// | savings deposit | cash | simpanan (kind), member |
    /// | savings withdrawal | simpanan (kind), member | cash |
    /// | loan disbursement | loans receivable, member | cash |
    /// | loan repayment | cash | penalty income, jasa income, loans receivable (each with the member, zero parts left out) |
    /// | loan write-off | loan loss expense | loans receivable, member |
    /// | member exit | pokok, wajib, sukarela, SHU payable (member) | cash |
    /// | other income | cash | other income |
    /// | expense | the expense account | cash |
    /// | SHU distribution | SHU for the year | reserve; SHU payable per member; funds payable |
    pub fn entry(&self, date: Date, memo: &str) -> Result<JournalEntry, JournalError> {
        use JournalLine as L;
        let nonzero = |lines: Vec<JournalLine>| lines.into_iter().filter(|l| !l.amount.is_zero()).collect::<Vec<_>>();
        let lines = match self {
            Operation::SavingsDeposit { member, kind, amount } => {
                vec![L::debit(Account::Cash, *amount), L::credit(kind.account(), *amount).for_member(*member)]
            }
            Operation::SavingsWithdrawal { member, kind, amount } => {
                vec![L::debit(kind.account(), *amount).for_member(*member), L::credit(Account::Cash, *amount)]
            }
            Operation::LoanDisbursement { member, principal } => vec![
                L::debit(Account::LoansReceivable, *principal).for_member(*member),
                L::credit(Account::Cash, *principal),
            ],
            Operation::LoanRepayment { member, allocation: a } => {
                let total = Rupiah::sum([a.penalty, a.interest, a.principal]).ok_or(JournalError::Overflow)?;
                let mut lines = vec![L::debit(Account::Cash, total)];
                lines.extend(nonzero(vec![
                    L::credit(Account::PenaltyIncome, a.penalty).for_member(*member),
                    L::credit(Account::JasaIncome, a.interest).for_member(*member),
                    L::credit(Account::LoansReceivable, a.principal).for_member(*member),
                ]));
                lines
            }
            Operation::LoanWriteOff { member, principal } => vec![
                L::debit(Account::LoanLossExpense, *principal),
                L::credit(Account::LoansReceivable, *principal).for_member(*member),
            ],
            Operation::MemberExit { member, refund } => {
                let mut lines = nonzero(vec![
                    L::debit(Account::SimpananPokok, refund.pokok).for_member(*member),
                    L::debit(Account::SimpananWajib, refund.wajib).for_member(*member),
                    L::debit(Account::SimpananSukarela, refund.sukarela).for_member(*member),
                    L::debit(Account::ShuPayable, refund.shu_payable).for_member(*member),
                ]);
                lines.push(L::credit(Account::Cash, refund.total()));
                lines
            }
            Operation::OtherIncome { amount } => {
                vec![L::debit(Account::Cash, *amount), L::credit(Account::OtherIncome, *amount)]
            }
            Operation::Expense { account, amount } => {
                if account.kind() != super::ledger::AccountKind::Expense {
                    return Err(JournalError::WrongAccount { account: *account });
                }
                vec![L::debit(*account, *amount), L::credit(Account::Cash, *amount)]
            }
            Operation::ShuDistribution(p) => {
                let members_total = Rupiah::sum(p.members.iter().map(|(_, a)| *a)).ok_or(JournalError::Overflow)?;
                let member_funds = [ShuFund::MembersBySavings, ShuFund::MembersByTransactions];
                let member_pool =
                    Rupiah::sum(p.funds.iter().filter(|(f, _)| member_funds.contains(f)).map(|(_, a)| *a))
                        .ok_or(JournalError::Overflow)?;
                if members_total != member_pool {
                    return Err(JournalError::Unbalanced { debits: member_pool, credits: members_total });
                }
                let total = Rupiah::sum(p.funds.iter().map(|(_, a)| *a)).ok_or(JournalError::Overflow)?;
                let reserve = super::shu::ShuSplit::amount_for(&p.funds, ShuFund::Reserve);
                let other = Rupiah::sum(
                    p.funds
                        .iter()
                        .filter(|(f, _)| *f != ShuFund::Reserve && !member_funds.contains(f))
                        .map(|(_, a)| *a),
                )
                .ok_or(JournalError::Overflow)?;
                let mut lines = vec![L::debit(Account::ShuCurrentYear, total)];
                lines.extend(nonzero(vec![
                    L::credit(Account::Reserve, reserve),
                    L::credit(Account::FundsPayable, other),
                ]));
                lines.extend(nonzero(
                    p.members.iter().map(|(m, a)| L::credit(Account::ShuPayable, *a).for_member(*m)).collect(),
                ));
                lines
            }
        };
        JournalEntry::new(date, memo, lines)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::{Balances, Side};
    use super::super::shu::ShuSplit;
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    const D: Date = date!(2026 - 03 - 01);

    #[test]
    fn each_template_balances_and_names_the_member() {
        let ops = [
            Operation::SavingsDeposit { member: 4, kind: SavingsKind::Pokok, amount: rp(100_000) },
            Operation::SavingsWithdrawal { member: 4, kind: SavingsKind::Sukarela, amount: rp(5) },
            Operation::LoanDisbursement { member: 4, principal: rp(1_000_000) },
            Operation::LoanRepayment {
                member: 4,
                allocation: Allocation { penalty: rp(0), interest: rp(10_000), principal: rp(90_000) },
            },
            Operation::LoanWriteOff { member: 4, principal: rp(7) },
            Operation::MemberExit {
                member: 4,
                refund: ExitRefund { pokok: rp(1), wajib: rp(0), sukarela: rp(3), shu_payable: rp(0) },
            },
        ];
        for op in ops {
            let e = op.entry(D, "x");
            let Ok(e) = e else { panic!("{op:?}: {e:?}") };
            assert!(e.lines().len() >= 2);
            assert!(e.lines().iter().all(|l| !l.amount.is_zero()));
            let member_lines = e.lines().iter().filter(|l| l.member_id == Some(4)).count();
            assert!(member_lines >= 1, "{op:?}");
        }
        let repay = Operation::LoanRepayment {
            member: 4,
            allocation: Allocation { penalty: rp(2), interest: rp(0), principal: rp(3) },
        };
        let e = repay.entry(D, "x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.lines().len(), 3, "zero jasa part is left out");
        assert_eq!(e.total(), rp(5));
        assert!(
            Operation::SavingsDeposit { member: 1, kind: SavingsKind::Wajib, amount: rp(0) }.entry(D, "x").is_err()
        );
        assert!(Operation::Expense { account: Account::Cash, amount: rp(5) }.entry(D, "x").is_err());
    }

    #[test]
    fn shu_distribution_moves_the_whole_shu() {
        let split = ShuSplit::default();
        let funds = split.distribute(rp(1_000_001));
        let pool = ShuSplit::amount_for(&funds, ShuFund::MembersBySavings)
            .checked_add(ShuSplit::amount_for(&funds, ShuFund::MembersByTransactions))
            .unwrap_or_default();
        let half = rp(pool.amount() / 2);
        let rest = rp(pool.amount() - half.amount());
        let op = Operation::ShuDistribution(ShuPosting { funds: funds.clone(), members: vec![(1, half), (2, rest)] });
        let e = op.entry(D, "SHU 2025").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.total(), rp(1_000_001));
        let b = Balances::from_entries([&e]);
        assert_eq!(b.balance(Account::ShuCurrentYear).side, Side::Debit);
        assert_eq!(b.member_balance(Account::ShuPayable, 1).amount, half);
        // Members' shares that do not add up to the members' pool are refused.
        let bad = Operation::ShuDistribution(ShuPosting { funds, members: vec![(1, half)] });
        assert!(bad.entry(D, "x").is_err());
    }

    #[derive(Debug, Clone)]
    enum Step {
        Deposit(i64, usize, i64),
        Withdraw(i64, i64),
        Lend(i64, i64),
        Repay(i64, i64, i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1i64..4, 0usize..3, 1i64..1_000_000).prop_map(|(m, k, a)| Step::Deposit(m, k, a)),
            (1i64..4, 1i64..1_000_000).prop_map(|(m, a)| Step::Withdraw(m, a)),
            (1i64..4, 1i64..5_000_000).prop_map(|(m, a)| Step::Lend(m, a)),
            (1i64..4, 0i64..100_000, 1i64..1_000_000).prop_map(|(m, j, p)| Step::Repay(m, j, p)),
        ]
    }

    proptest! {
        /// After any sequence of valid operations the books balance, and each member's savings
        /// and loan balances on the ledger equal what the operations say.
        #[test]
        fn operations_keep_books_and_member_ledgers_right(steps in proptest::collection::vec(step(), 0..60)) {
            let mut books = Balances::new();
            let mut savings = std::collections::BTreeMap::<(i64, SavingsKind), i64>::new();
            let mut loans = std::collections::BTreeMap::<i64, i64>::new();
            for s in steps {
                let op = match s {
                    Step::Deposit(m, k, a) => {
                        let kind = SavingsKind::ALL[k];
                        *savings.entry((m, kind)).or_default() += a;
                        Operation::SavingsDeposit { member: m, kind, amount: rp(a) }
                    }
                    Step::Withdraw(m, a) => {
                        let bal = savings.entry((m, SavingsKind::Sukarela)).or_default();
                        if super::super::savings::withdraw(SavingsKind::Sukarela, rp(*bal), rp(a), false).is_err() {
                            continue;
                        }
                        *bal -= a;
                        Operation::SavingsWithdrawal { member: m, kind: SavingsKind::Sukarela, amount: rp(a) }
                    }
                    Step::Lend(m, a) => {
                        *loans.entry(m).or_default() += a;
                        Operation::LoanDisbursement { member: m, principal: rp(a) }
                    }
                    Step::Repay(m, j, p) => {
                        let out = loans.entry(m).or_default();
                        let p = p.min(*out);
                        if p == 0 && j == 0 { continue; }
                        *out -= p;
                        Operation::LoanRepayment { member: m, allocation: Allocation { penalty: Rupiah::ZERO, interest: rp(j), principal: rp(p) } }
                    }
                };
                let e = op.entry(D, "op");
                prop_assert!(e.is_ok(), "{:?}", e);
                if let Ok(e) = e { books.post(&e); }
            }
            prop_assert_eq!(books.net_total(), 0);
            prop_assert!(books.trial_balance().is_balanced());
            for ((m, kind), amount) in savings {
                prop_assert_eq!(books.member_balance(kind.account(), m).on(Side::Credit), i128::from(amount));
            }
            for (m, amount) in loans {
                prop_assert_eq!(books.member_balance(Account::LoansReceivable, m).on(Side::Debit), i128::from(amount));
            }
        }
    }
}
