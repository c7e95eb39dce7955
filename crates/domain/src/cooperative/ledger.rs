//! The double-entry books (pembukuan) of a savings-and-loan cooperative: a fixed chart of
//! accounts, journal entries that cannot be unbalanced, reversal instead of editing, the period
//! close, and the reports built from a set of entries (trial balance, neraca, income statement).
//!
//! A journal entry is never edited once posted: a mistake is corrected by posting its
//! [`JournalEntry::reversal`] and then the right entry, so the books keep every step.
//!
//! Amounts on lines are non-negative [`Rupiah`] with a [`Side`]; totals over many entries are
//! summed in `i128`, which cannot overflow for any real number of lines.

use crate::service_center::Rupiah;
use std::collections::BTreeMap;
use time::Date;

code_enum! {
    /// Debit or credit.
    pub enum Side {
        Debit = "debit",
        Credit = "credit",
    }
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Debit => Side::Credit,
            Side::Credit => Side::Debit,
        }
    }
}

code_enum! {
    /// The five kinds of account.
    pub enum AccountKind {
        Asset = "asset",
        Liability = "liability",
        Equity = "equity",
        Income = "income",
        Expense = "expense",
    }
}

impl AccountKind {
    /// The side on which an account of this kind normally has its balance.
    pub fn normal_side(self) -> Side {
        match self {
            AccountKind::Asset | AccountKind::Expense => Side::Debit,
            AccountKind::Liability | AccountKind::Equity | AccountKind::Income => Side::Credit,
        }
    }

    /// Balance-sheet (neraca) kinds; income and expense belong to the income statement and are
    /// closed into SHU for the year at year end.
    pub fn is_balance_sheet(self) -> bool {
        matches!(self, AccountKind::Asset | AccountKind::Liability | AccountKind::Equity)
    }
}

code_enum! {
    /// The chart of accounts (bagan akun) of a savings-and-loan cooperative (koperasi simpan
    /// pinjam). Fixed rather than free-form so that every posting rule names its accounts in code;
    /// [`Account::number`] gives the conventional number for printed reports.
    ///
    /// Member savings follow the cooperative law: simpanan pokok and wajib are members' equity
    /// (refundable only on leaving), simpanan sukarela and time deposits are liabilities.
    pub enum Account {
        /// Kas.
        Cash = "cash",
        /// Bank accounts.
        Bank = "bank",
        /// Piutang pinjaman anggota: principal lent to members.
        LoansReceivable = "loans_receivable",
        /// Piutang jasa: jasa (interest) due and not yet paid.
        InterestReceivable = "interest_receivable",
        /// Penyisihan piutang tak tertagih: a contra-asset, normally a credit balance.
        LoanLossAllowance = "loan_loss_allowance",
        /// Aset tetap: equipment and buildings.
        FixedAssets = "fixed_assets",
        /// Simpanan sukarela: voluntary savings, withdrawable at any time.
        SimpananSukarela = "simpanan_sukarela",
        /// Simpanan berjangka: time deposits.
        SimpananBerjangka = "simpanan_berjangka",
        /// SHU decided by the RAT and not yet paid to members.
        ShuPayable = "shu_payable",
        /// Board, staff, education and social funds decided by the RAT and not yet spent.
        FundsPayable = "funds_payable",
        /// Other liabilities.
        OtherLiabilities = "other_liabilities",
        /// Utang pajak: tax withheld on members' interest, owed to the state (deposits track).
        TaxPayable = "tax_payable",
        /// Simpanan pokok: paid once on joining, equal for all members.
        SimpananPokok = "simpanan_pokok",
        /// Simpanan wajib: the fixed periodic savings.
        SimpananWajib = "simpanan_wajib",
        /// Cadangan: the reserve built from SHU.
        Reserve = "reserve",
        /// Hibah: grants and donations.
        Grants = "grants",
        /// SHU tahun berjalan: the year's surplus, after the closing entry and until the RAT
        /// distributes it.
        ShuCurrentYear = "shu_current_year",
        /// Pendapatan jasa pinjaman: interest on loans.
        JasaIncome = "jasa_income",
        /// Pendapatan denda: late-payment penalties.
        PenaltyIncome = "penalty_income",
        /// Pendapatan provisi dan administrasi: loan fees.
        AdminFeeIncome = "admin_fee_income",
        /// Other income.
        OtherIncome = "other_income",
        /// Beban jasa simpanan: interest paid on savings.
        SavingsInterestExpense = "savings_interest_expense",
        /// Beban karyawan: staff costs.
        StaffExpense = "staff_expense",
        /// Beban operasional: other operating expenses.
        OperatingExpense = "operating_expense",
        /// Beban penyisihan piutang: provision for loan losses.
        LoanLossExpense = "loan_loss_expense",
    }
}

impl Account {
    pub fn kind(self) -> AccountKind {
        use Account::*;
        match self {
            Cash | Bank | LoansReceivable | InterestReceivable | LoanLossAllowance | FixedAssets => AccountKind::Asset,
            SimpananSukarela | SimpananBerjangka | ShuPayable | FundsPayable | OtherLiabilities | TaxPayable => {
                AccountKind::Liability
            }
            SimpananPokok | SimpananWajib | Reserve | Grants | ShuCurrentYear => AccountKind::Equity,
            JasaIncome | PenaltyIncome | AdminFeeIncome | OtherIncome => AccountKind::Income,
            SavingsInterestExpense | StaffExpense | OperatingExpense | LoanLossExpense => AccountKind::Expense,
        }
    }

    /// The kind's normal side, except for the contra-asset allowance.
    pub fn normal_side(self) -> Side {
        match self {
            Account::LoanLossAllowance => Side::Credit,
            a => a.kind().normal_side(),
        }
    }

    /// The conventional account number for printed reports (1 assets, 2 liabilities, 3 equity,
    /// 4 income, 5 expenses).
    pub fn number(self) -> &'static str {
        use Account::*;
        match self {
            Cash => "1101",
            Bank => "1102",
            LoansReceivable => "1201",
            InterestReceivable => "1202",
            LoanLossAllowance => "1209",
            FixedAssets => "1301",
            SimpananSukarela => "2101",
            SimpananBerjangka => "2102",
            ShuPayable => "2201",
            FundsPayable => "2202",
            OtherLiabilities => "2301",
            TaxPayable => "2103",
            SimpananPokok => "3101",
            SimpananWajib => "3102",
            Reserve => "3201",
            Grants => "3202",
            ShuCurrentYear => "3301",
            JasaIncome => "4101",
            PenaltyIncome => "4102",
            AdminFeeIncome => "4103",
            OtherIncome => "4201",
            SavingsInterestExpense => "5101",
            StaffExpense => "5201",
            OperatingExpense => "5202",
            LoanLossExpense => "5301",
        }
    }
}

/// One line of a journal entry: a positive amount on one side of one account, optionally for one
/// member (the member's subsidiary ledger: savings and loans per member).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalLine {
    pub account: Account,
    pub side: Side,
    pub amount: Rupiah,
    /// The member this line concerns (savings and loan accounts), if any.
    pub member_id: Option<i64>,
    /// The bank account a line on [`Account::Bank`] moves (its subsidiary ledger); set on every
    /// bank line and on no other (checked by [`JournalEntry::new`]).
    pub bank_account_id: Option<i64>,
}

impl JournalLine {
    pub fn debit(account: Account, amount: Rupiah) -> JournalLine {
        JournalLine { account, side: Side::Debit, amount, member_id: None, bank_account_id: None }
    }
    pub fn credit(account: Account, amount: Rupiah) -> JournalLine {
        JournalLine { account, side: Side::Credit, amount, member_id: None, bank_account_id: None }
    }
    pub fn for_member(self, member_id: i64) -> JournalLine {
        JournalLine { member_id: Some(member_id), ..self }
    }
    /// The bank account of a line on [`Account::Bank`].
    pub fn for_bank(self, bank_account_id: i64) -> JournalLine {
        JournalLine { bank_account_id: Some(bank_account_id), ..self }
    }
}

/// Why a journal entry or a posting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    #[error("a journal entry needs at least two lines, this one has {count}")]
    TooFewLines { count: usize },
    #[error("line {line} has a zero amount")]
    ZeroLine { line: usize },
    #[error("debits {debits} and credits {credits} do not balance")]
    Unbalanced { debits: Rupiah, credits: Rupiah },
    #[error("the entry's total is too large")]
    Overflow,
    #[error("a journal entry needs a description")]
    MissingMemo,
    #[error("{date} falls in a closed period (closed through {closed_through})")]
    PeriodClosed { date: Date, closed_through: Date },
    #[error("{date} is after today ({today})")]
    FutureDate { date: Date, today: Date },
    #[error("the period cannot be closed through {through}: {reason}")]
    CannotClose { through: Date, reason: &'static str },
    #[error("account {account} cannot be used for this operation")]
    WrongAccount { account: Account },
    #[error("line {line}: a line on bank needs its bank account, and only a bank line has one")]
    BankAccountMissing { line: usize },
}

/// A balanced journal entry. It can only be built by [`JournalEntry::new`] (or as a reversal of
/// one), which refuses an unbalanced entry, so an unbalanced entry never exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    date: Date,
    memo: String,
    lines: Vec<JournalLine>,
    total: Rupiah,
}

impl JournalEntry {
    /// At least two lines, none zero, debits equal to credits, and a description.
    pub fn new(date: Date, memo: &str, lines: Vec<JournalLine>) -> Result<JournalEntry, JournalError> {
        let memo = memo.trim();
        if memo.is_empty() {
            return Err(JournalError::MissingMemo);
        }
        if lines.len() < 2 {
            return Err(JournalError::TooFewLines { count: lines.len() });
        }
        if let Some(line) = lines.iter().position(|l| l.amount.is_zero()) {
            return Err(JournalError::ZeroLine { line: line + 1 });
        }
        // The bank accounts' subsidiary ledger must add up to account 1102: every bank line
        // names its bank account.
        if let Some(line) = lines.iter().position(|l| (l.account == Account::Bank) != l.bank_account_id.is_some()) {
            return Err(JournalError::BankAccountMissing { line: line + 1 });
        }
        let side_total = |side: Side| {
            Rupiah::sum(lines.iter().filter(|l| l.side == side).map(|l| l.amount)).ok_or(JournalError::Overflow)
        };
        let (debits, credits) = (side_total(Side::Debit)?, side_total(Side::Credit)?);
        if debits != credits {
            return Err(JournalError::Unbalanced { debits, credits });
        }
        Ok(JournalEntry { date, memo: memo.to_string(), lines, total: debits })
    }

    pub fn date(&self) -> Date {
        self.date
    }
    pub fn memo(&self) -> &str {
        &self.memo
    }
    pub fn lines(&self) -> &[JournalLine] {
        &self.lines
    }
    /// The total of either side.
    pub fn total(&self) -> Rupiah {
        self.total
    }

    /// The entry that cancels this one: the same lines on the opposite sides, dated `date` (the
    /// day the correction is posted, which must itself be in an open period).
    pub fn reversal(&self, date: Date) -> JournalEntry {
        let lines = self.lines.iter().map(|l| JournalLine { side: l.side.opposite(), ..*l }).collect();
        JournalEntry { date, memo: format!("Reversal: {}", self.memo), lines, total: self.total }
    }
}

/// A posting date must be in an open period (after the last closed date) and not in the future.
pub fn check_posting_date(date: Date, today: Date, closed_through: Option<Date>) -> Result<(), JournalError> {
    if let Some(closed_through) = closed_through
        && date <= closed_through
    {
        return Err(JournalError::PeriodClosed { date, closed_through });
    }
    if date > today {
        return Err(JournalError::FutureDate { date, today });
    }
    Ok(())
}

/// Closing the books through `through` (usually a month or year end): only forward, and only for
/// a day already past, so nothing can still be posted into the period being closed.
pub fn check_period_close(through: Date, today: Date, closed_through: Option<Date>) -> Result<(), JournalError> {
    if through >= today {
        return Err(JournalError::CannotClose { through, reason: "the day has not ended yet" });
    }
    if closed_through.is_some_and(|c| through <= c) {
        return Err(JournalError::CannotClose { through, reason: "already closed" });
    }
    Ok(())
}

/// An account balance: an amount on a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub side: Side,
    pub amount: Rupiah,
}

impl Balance {
    pub const ZERO: Balance = Balance { side: Side::Debit, amount: Rupiah::ZERO };

    /// From debits minus credits. Beyond `Rupiah::MAX` (9.2 × 10¹⁸) the amount saturates, which
    /// no cooperative reaches.
    pub fn from_net(net: i128) -> Balance {
        let side = if net < 0 { Side::Credit } else { Side::Debit };
        let amount = i64::try_from(net.unsigned_abs()).ok().and_then(Rupiah::new).unwrap_or(Rupiah::MAX);
        Balance { side, amount }
    }

    /// Debits minus credits.
    pub fn net(self) -> i128 {
        match self.side {
            Side::Debit => i128::from(self.amount.amount()),
            Side::Credit => -i128::from(self.amount.amount()),
        }
    }

    /// The amount counted on `side`: positive when the balance is on that side, negative when it
    /// is on the other (an overdrawn account). For reports that list accounts on their normal side.
    pub fn on(self, side: Side) -> i128 {
        match side {
            Side::Debit => self.net(),
            Side::Credit => -self.net(),
        }
    }

    pub fn is_zero(self) -> bool {
        self.amount.is_zero()
    }
}

/// Debit and credit totals per account (and per account and member) over a set of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balances {
    accounts: BTreeMap<Account, i128>,
    members: BTreeMap<(Account, i64), i128>,
    banks: BTreeMap<i64, i128>,
}

impl Balances {
    pub fn new() -> Balances {
        Balances::default()
    }

    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a JournalEntry>) -> Balances {
        let mut b = Balances::new();
        for e in entries {
            b.post(e);
        }
        b
    }

    /// Balances from stored totals: (account, debits minus credits) and (account, member,
    /// debits minus credits), as the store sums them. Repeated keys add up.
    pub fn from_nets(
        accounts: impl IntoIterator<Item = (Account, i128)>,
        members: impl IntoIterator<Item = (Account, i64, i128)>,
    ) -> Balances {
        let mut b = Balances::new();
        for (a, net) in accounts {
            *b.accounts.entry(a).or_default() += net;
        }
        for (a, m, net) in members {
            *b.members.entry((a, m)).or_default() += net;
        }
        b
    }

    pub fn post(&mut self, entry: &JournalEntry) {
        for l in &entry.lines {
            let signed = Balance { side: l.side, amount: l.amount }.net();
            *self.accounts.entry(l.account).or_default() += signed;
            if let Some(m) = l.member_id {
                *self.members.entry((l.account, m)).or_default() += signed;
            }
            if let Some(b) = l.bank_account_id {
                *self.banks.entry(b).or_default() += signed;
            }
        }
    }

    /// One bank account's balance (the subsidiary ledger of [`Account::Bank`]).
    pub fn bank_balance(&self, bank_account_id: i64) -> Balance {
        Balance::from_net(self.banks.get(&bank_account_id).copied().unwrap_or(0))
    }

    pub fn balance(&self, account: Account) -> Balance {
        Balance::from_net(self.accounts.get(&account).copied().unwrap_or(0))
    }

    /// A member's balance on one account (the subsidiary ledger): e.g. their simpanan sukarela.
    pub fn member_balance(&self, account: Account, member_id: i64) -> Balance {
        Balance::from_net(self.members.get(&(account, member_id)).copied().unwrap_or(0))
    }

    /// Debits minus credits over all accounts: zero whenever only balanced entries were posted.
    pub fn net_total(&self) -> i128 {
        self.accounts.values().sum()
    }

    fn sum_on_normal(&self, kind: AccountKind) -> i128 {
        Account::ALL.iter().filter(|a| a.kind() == kind).map(|a| self.balance(*a).on(kind.normal_side())).sum()
    }

    /// Every account with a non-zero balance, its balance in the debit or the credit column.
    pub fn trial_balance(&self) -> TrialBalance {
        let mut rows = Vec::new();
        let (mut debit, mut credit) = (0i128, 0i128);
        for a in Account::ALL {
            let b = self.balance(a);
            if b.is_zero() {
                continue;
            }
            match b.side {
                Side::Debit => debit += i128::from(b.amount.amount()),
                Side::Credit => credit += i128::from(b.amount.amount()),
            }
            rows.push((a, b));
        }
        TrialBalance { rows, total_debit: debit, total_credit: credit }
    }

    /// Income and expenses posted and not yet closed, and the result (SHU before distribution).
    pub fn income_statement(&self) -> IncomeStatement {
        let rows = |kind: AccountKind| -> Vec<(Account, i128)> {
            Account::ALL
                .into_iter()
                .filter(|a| a.kind() == kind)
                .map(|a| (a, self.balance(a).on(kind.normal_side())))
                .filter(|(_, v)| *v != 0)
                .collect()
        };
        let total_income = self.sum_on_normal(AccountKind::Income);
        let total_expenses = self.sum_on_normal(AccountKind::Expense);
        IncomeStatement {
            income: rows(AccountKind::Income),
            expenses: rows(AccountKind::Expense),
            total_income,
            total_expenses,
            result: YearResult::from_net(total_income - total_expenses),
        }
    }

    /// The neraca. Income and expenses not yet closed appear as the current result inside equity,
    /// so the sheet balances before and after the closing entry.
    pub fn balance_sheet(&self) -> BalanceSheet {
        let rows = |kind: AccountKind| -> Vec<(Account, i128)> {
            Account::ALL
                .into_iter()
                .filter(|a| a.kind() == kind)
                .map(|a| (a, self.balance(a).on(kind.normal_side())))
                .filter(|(_, v)| *v != 0)
                .collect()
        };
        let unclosed = self.sum_on_normal(AccountKind::Income) - self.sum_on_normal(AccountKind::Expense);
        BalanceSheet {
            assets: rows(AccountKind::Asset),
            liabilities: rows(AccountKind::Liability),
            equity: rows(AccountKind::Equity),
            unclosed_result: unclosed,
            total_assets: self.sum_on_normal(AccountKind::Asset),
            total_liabilities: self.sum_on_normal(AccountKind::Liability),
            total_equity: self.sum_on_normal(AccountKind::Equity) + unclosed,
        }
    }

    /// The year-end closing entry: every income and expense account back to zero, the difference
    /// to [`Account::ShuCurrentYear`]. `None` when there is nothing to close.
    pub fn closing_entry(&self, date: Date) -> Result<Option<JournalEntry>, JournalError> {
        let mut lines = Vec::new();
        for a in Account::ALL.into_iter().filter(|a| !a.kind().is_balance_sheet()) {
            let b = self.balance(a);
            if !b.is_zero() {
                lines.push(JournalLine {
                    account: a,
                    side: b.side.opposite(),
                    amount: b.amount,
                    member_id: None,
                    bank_account_id: None,
                });
            }
        }
        if lines.is_empty() {
            return Ok(None);
        }
        let result = self.income_statement().result;
        match result {
            YearResult::Surplus(r) if !r.is_zero() => lines.push(JournalLine::credit(Account::ShuCurrentYear, r)),
            YearResult::Deficit(r) if !r.is_zero() => lines.push(JournalLine::debit(Account::ShuCurrentYear, r)),
            _ => {}
        }
        JournalEntry::new(date, "Year-end closing: income and expenses to SHU for the year", lines).map(Some)
    }
}

/// Balances in two columns; `total_debit == total_credit` whenever only balanced entries were
/// posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalance {
    pub rows: Vec<(Account, Balance)>,
    pub total_debit: i128,
    pub total_credit: i128,
}

impl TrialBalance {
    pub fn is_balanced(&self) -> bool {
        self.total_debit == self.total_credit
    }
}

/// A surplus (SHU) or a deficit (rugi).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearResult {
    Surplus(Rupiah),
    Deficit(Rupiah),
}

impl YearResult {
    /// From income minus expenses.
    pub fn from_net(net: i128) -> YearResult {
        let b = Balance::from_net(net);
        if net < 0 { YearResult::Deficit(b.amount) } else { YearResult::Surplus(b.amount) }
    }
}

/// Rows are amounts on the account's normal side (negative for the unusual side, such as the
/// loan-loss allowance shown as a deduction among assets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomeStatement {
    pub income: Vec<(Account, i128)>,
    pub expenses: Vec<(Account, i128)>,
    pub total_income: i128,
    pub total_expenses: i128,
    pub result: YearResult,
}

/// The neraca; `total_assets == total_liabilities + total_equity` always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceSheet {
    /// On the debit side; the loan-loss allowance appears negative, as a deduction.
    pub assets: Vec<(Account, i128)>,
    pub liabilities: Vec<(Account, i128)>,
    pub equity: Vec<(Account, i128)>,
    /// Income minus expenses not yet closed into SHU for the year (included in `total_equity`).
    pub unclosed_result: i128,
    pub total_assets: i128,
    pub total_liabilities: i128,
    pub total_equity: i128,
}

impl BalanceSheet {
    pub fn is_balanced(&self) -> bool {
        self.total_assets == self.total_liabilities + self.total_equity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    fn entry(lines: Vec<JournalLine>) -> JournalEntry {
        match JournalEntry::new(date!(2026 - 03 - 01), "test", lines) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn chart_is_consistent() {
        let mut numbers: Vec<&str> = Account::ALL.iter().map(|a| a.number()).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), Account::ALL.len(), "account numbers are unique");
        for a in Account::ALL {
            let first = match a.kind() {
                AccountKind::Asset => "1",
                AccountKind::Liability => "2",
                AccountKind::Equity => "3",
                AccountKind::Income => "4",
                AccountKind::Expense => "5",
            };
            assert!(a.number().starts_with(first), "{a}");
            assert_eq!(Account::parse(a.as_str()), Some(a));
        }
        assert_eq!(Account::SimpananSukarela.kind(), AccountKind::Liability);
        assert_eq!(Account::SimpananPokok.kind(), AccountKind::Equity);
        assert_eq!(Account::SimpananWajib.kind(), AccountKind::Equity);
        assert_eq!(Account::LoanLossAllowance.normal_side(), Side::Credit);
    }

    #[test]
    fn unbalanced_or_degenerate_entries_are_refused() {
        let d = date!(2026 - 03 - 01);
        let e = JournalEntry::new(
            d,
            "x",
            vec![JournalLine::debit(Account::Cash, rp(100)), JournalLine::credit(Account::SimpananSukarela, rp(90))],
        );
        assert_eq!(e, Err(JournalError::Unbalanced { debits: rp(100), credits: rp(90) }));
        let e = JournalEntry::new(d, "x", vec![JournalLine::debit(Account::Cash, rp(100))]);
        assert_eq!(e, Err(JournalError::TooFewLines { count: 1 }));
        let e = JournalEntry::new(
            d,
            "x",
            vec![
                JournalLine::debit(Account::Cash, rp(100)),
                JournalLine::credit(Account::SimpananSukarela, rp(100)),
                JournalLine::credit(Account::SimpananWajib, rp(0)),
            ],
        );
        assert_eq!(e, Err(JournalError::ZeroLine { line: 3 }));
        let e = JournalEntry::new(
            d,
            "  ",
            vec![JournalLine::debit(Account::Cash, rp(1)), JournalLine::credit(Account::SimpananSukarela, rp(1))],
        );
        assert_eq!(e, Err(JournalError::MissingMemo));
    }

    #[test]
    fn posting_dates_respect_closed_periods() {
        let today = date!(2026 - 03 - 10);
        let closed = Some(date!(2026 - 02 - 28));
        assert!(check_posting_date(date!(2026 - 03 - 01), today, closed).is_ok());
        assert!(matches!(
            check_posting_date(date!(2026 - 02 - 28), today, closed),
            Err(JournalError::PeriodClosed { .. })
        ));
        assert!(matches!(
            check_posting_date(date!(2026 - 03 - 11), today, closed),
            Err(JournalError::FutureDate { .. })
        ));
        assert!(check_posting_date(date!(2020 - 01 - 01), today, None).is_ok());
        assert!(check_period_close(date!(2026 - 03 - 09), today, closed).is_ok());
        assert!(check_period_close(date!(2026 - 03 - 10), today, closed).is_err());
        assert!(check_period_close(date!(2026 - 01 - 31), today, closed).is_err());
    }

    #[test]
    fn reports_from_a_small_year() {
        let m = 7;
        let entries = [
            // Joining: simpanan pokok 100,000 and wajib 20,000 in cash.
            entry(vec![
                JournalLine::debit(Account::Cash, rp(120_000)),
                JournalLine::credit(Account::SimpananPokok, rp(100_000)).for_member(m),
                JournalLine::credit(Account::SimpananWajib, rp(20_000)).for_member(m),
            ]),
            // Sukarela deposit 500,000.
            entry(vec![
                JournalLine::debit(Account::Cash, rp(500_000)),
                JournalLine::credit(Account::SimpananSukarela, rp(500_000)).for_member(m),
            ]),
            // Loan of 400,000 disbursed.
            entry(vec![
                JournalLine::debit(Account::LoansReceivable, rp(400_000)).for_member(m),
                JournalLine::credit(Account::Cash, rp(400_000)),
            ]),
            // Repayment: 100,000 principal, 8,000 jasa, 2,000 penalty.
            entry(vec![
                JournalLine::debit(Account::Cash, rp(110_000)),
                JournalLine::credit(Account::LoansReceivable, rp(100_000)).for_member(m),
                JournalLine::credit(Account::JasaIncome, rp(8_000)),
                JournalLine::credit(Account::PenaltyIncome, rp(2_000)),
            ]),
            // Stationery 3,000.
            entry(vec![
                JournalLine::debit(Account::OperatingExpense, rp(3_000)),
                JournalLine::credit(Account::Cash, rp(3_000)),
            ]),
        ];
        let b = Balances::from_entries(&entries);
        assert_eq!(b.balance(Account::Cash), Balance { side: Side::Debit, amount: rp(327_000) });
        assert_eq!(b.member_balance(Account::SimpananSukarela, m), Balance { side: Side::Credit, amount: rp(500_000) });
        assert_eq!(b.member_balance(Account::LoansReceivable, m).on(Side::Debit), 300_000);
        let tb = b.trial_balance();
        assert!(tb.is_balanced());
        assert_eq!(tb.total_debit, 327_000 + 300_000 + 3_000);
        let is = b.income_statement();
        assert_eq!((is.total_income, is.total_expenses), (10_000, 3_000));
        assert_eq!(is.result, YearResult::Surplus(rp(7_000)));
        let bs = b.balance_sheet();
        assert!(bs.is_balanced());
        assert_eq!(bs.total_assets, 627_000);
        assert_eq!(bs.unclosed_result, 7_000);

        let closing = b.closing_entry(date!(2026 - 12 - 31)).ok().flatten();
        assert!(closing.is_some());
        let mut after = b.clone();
        if let Some(c) = &closing {
            after.post(c);
        }
        assert!(after.income_statement().income.is_empty());
        assert_eq!(after.balance(Account::ShuCurrentYear), Balance { side: Side::Credit, amount: rp(7_000) });
        assert!(after.balance_sheet().is_balanced());
        assert_eq!(after.balance_sheet().unclosed_result, 0);
        assert_eq!(after.closing_entry(date!(2026 - 12 - 31)), Ok(None));
    }

    #[test]
    fn a_deficit_is_closed_as_a_debit() {
        let b = Balances::from_entries([&entry(vec![
            JournalLine::debit(Account::StaffExpense, rp(50)),
            JournalLine::credit(Account::Cash, rp(50)),
        ])]);
        assert_eq!(b.income_statement().result, YearResult::Deficit(rp(50)));
        let c = b.closing_entry(date!(2026 - 12 - 31)).ok().flatten();
        assert!(c.is_some_and(|c| c.lines().contains(&JournalLine::debit(Account::ShuCurrentYear, rp(50)))));
    }

    fn arb_entry() -> impl Strategy<Value = JournalEntry> {
        let acct = (0..Account::ALL.len()).prop_map(|i| Account::ALL[i]);
        let member = proptest::option::of(1i64..4);
        proptest::collection::vec((acct.clone(), acct, 1i64..=1_000_000_000, member), 1..4).prop_map(|pairs| {
            let mut lines = Vec::new();
            for (d, c, amount, m) in pairs {
                // Bank lines name their bank account (account 1 or 2).
                let bank = |l: JournalLine| if l.account == Account::Bank { l.for_bank(1 + amount % 2) } else { l };
                let mut debit = bank(JournalLine::debit(d, rp(amount)));
                let mut credit = bank(JournalLine::credit(c, rp(amount)));
                if let Some(m) = m {
                    debit = debit.for_member(m);
                    credit = credit.for_member(m);
                }
                lines.push(debit);
                lines.push(credit);
            }
            entry(lines)
        })
    }

    proptest! {
        #[test]
        fn any_valid_entries_keep_the_books_balanced(entries in proptest::collection::vec(arb_entry(), 0..30)) {
            let b = Balances::from_entries(&entries);
            prop_assert_eq!(b.net_total(), 0);
            prop_assert!(b.trial_balance().is_balanced());
            // The bank accounts add up to account 1102.
            prop_assert_eq!(b.bank_balance(1).net() + b.bank_balance(2).net(), b.balance(Account::Bank).net());
            prop_assert!(b.balance_sheet().is_balanced());
            if let Ok(Some(c)) = b.closing_entry(date!(2026 - 12 - 31)) {
                let mut after = b.clone();
                after.post(&c);
                prop_assert!(after.balance_sheet().is_balanced());
                prop_assert_eq!(after.balance_sheet().unclosed_result, 0);
            }
        }

        #[test]
        fn reversing_an_entry_restores_every_balance(
            entries in proptest::collection::vec(arb_entry(), 0..20),
            extra in arb_entry(),
        ) {
            let before = Balances::from_entries(&entries);
            let mut after = before.clone();
            after.post(&extra);
            after.post(&extra.reversal(date!(2026 - 04 - 01)));
            for a in Account::ALL {
                prop_assert_eq!(after.balance(a), before.balance(a));
                for m in 1..4 {
                    prop_assert_eq!(after.member_balance(a, m), before.member_balance(a, m));
                }
            }
        }
    }
}
