//! The village cooperative (koperasi simpan pinjam, UU 25/1992): loan schedules, the
//! double-entry books, loan quality, year-end SHU and members' savings.
//!
//! Everything here is pure: `today` and every other date are parameters, and the store decides
//! what is persisted. Money is whole rupiah ([`Rupiah`]); every figure that is stored or shown is
//! an integer, and every rounding rule is written down next to the code that applies it. The
//! codes (`as_str`) are stable: the store keeps them and the UI translates by them, so never
//! rename one.

pub mod bank;
pub mod bylaws;
pub mod deposits;
pub mod founding;
pub mod health;
pub mod ledger;
pub mod loan;
pub mod loans;
pub mod money;
pub mod posting;
pub mod ppap;
pub mod savings;
pub mod schedule;
pub mod shu;

pub use crate::service_center::Rupiah;
pub use bylaws::{Bylaws, BylawsInput, parse_percent_bp, parse_rupiah, validate_bylaws};
pub use ledger::{
    Account, AccountKind, Balance, BalanceSheet, Balances, IncomeStatement, JournalEntry, JournalError, JournalLine,
    Side, TrialBalance, YearResult, check_period_close, check_posting_date,
};
pub use loan::{
    Allocation, Collectibility, CollectibilityTable, LoanAction, LoanError, LoanExposure, LoanRules, LoanState, Owed,
    Paid, PortfolioQuality, allocate, days_past_due, owed, portfolio_quality, transition,
};
pub use money::{Basis, RupiahOps, mul_div_half_up, split_largest_remainder};
pub use posting::{ExitRefund, Operation, OperationKind, ShuPosting};
pub use ppap::{PpapRates, ProvisionExposure};
pub use savings::{SavingsError, SavingsKind, WajibStatus, deposit, wajib_status, withdraw};
pub use schedule::{
    Installment, MonthlyRate, Schedule, ScheduleInput, ScheduleMethod, ScheduleRequest, add_months, build_schedule,
    validate_schedule_request,
};
pub use shu::{MemberBasis, MemberShu, ShuError, ShuFund, ShuSplit, member_shares};
