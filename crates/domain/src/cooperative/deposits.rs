//! Savings products (issue 20, deposits track): time deposits (simpanan berjangka), interest on
//! voluntary savings (jasa simpanan sukarela) and the final withholding tax on that interest.
//!
//! Pure: balances, dates and settings are parameters. Every amount is whole rupiah and every
//! rounding rule is written next to the code (and in docs/COOPERATIVE.md, "Deposits").

use super::ledger::{Account, JournalEntry, JournalError, JournalLine};
use super::money::mul_div_half_up;
use super::schedule::add_months;
use crate::service_center::Rupiah;
use crate::{Rule, ValidationErrors};
use time::Date;

code_enum! {
    /// Which balance of the month earns interest on sukarela.
    pub enum InterestBasis {
        /// The lowest end-of-day balance of the month.
        Minimum = "minimum",
        /// The average of the month's end-of-day balances.
        Average = "average",
    }
}

code_enum! {
    /// What happens to a time deposit at maturity.
    pub enum AtMaturity {
        /// A new deposit of the same principal, term and rate; the net interest goes to sukarela.
        RolloverPrincipal = "rollover_principal",
        /// A new deposit of principal plus net interest, same term and rate.
        RolloverAll = "rollover_all",
        /// Principal and net interest paid out in cash.
        PayoutCash = "payout_cash",
        /// Principal and net interest credited to the member's sukarela.
        PayoutSukarela = "payout_sukarela",
    }
}

code_enum! {
    /// Where the money for a new time deposit comes from (and where an early withdrawal goes).
    pub enum Funding {
        Cash = "cash",
        Sukarela = "sukarela",
    }
}

code_enum! {
    /// A time deposit's state.
    pub enum DepositState {
        Open = "open",
        /// Paid out at maturity.
        Matured = "matured",
        /// Closed at maturity into a new deposit.
        RolledOver = "rolled_over",
        /// Withdrawn before maturity with the penalty.
        Withdrawn = "withdrawn",
    }
}

/// The final income tax on interest paid by a savings-and-loan cooperative to its members
/// (PP 15/2009, Pasal 2): 10 % of the gross interest when the interest exceeds Rp 240,000 in
/// the month, nothing otherwise.
pub const TAX_THRESHOLD_MONTHLY: i64 = 240_000;
pub const TAX_RATE_PERCENT: u64 = 10;
/// Highest annual rate the settings accept (basis points): 24 % a year.
pub const MAX_ANNUAL_RATE_BP: u32 = 2_400;
/// Highest early-withdrawal penalty the settings accept: 10 % of the principal.
pub const MAX_PENALTY_BP: u32 = 1_000;
/// Longest term of a time deposit in months.
pub const MAX_TERM_MONTHS: u16 = 120;

/// The deposits settings of one year (from the by-laws; stored per cooperative and year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositSettings {
    /// The highest annual rate a time deposit may be opened at, basis points.
    pub max_deposit_rate_bp: u32,
    /// Early withdrawal penalty, basis points of the principal.
    pub early_penalty_bp: u32,
    /// Annual rate on sukarela, basis points (0: no interest).
    pub sukarela_rate_bp: u32,
    pub basis: InterestBasis,
    /// No interest for a month whose basis balance is below this.
    pub min_balance: Rupiah,
    /// Whether the withholding tax applies (off for a cooperative that is not a tax subject or
    /// holds an exemption; the reason is kept in `tax_note`).
    pub withholding_tax: bool,
    pub tax_note: String,
}

impl Default for DepositSettings {
    /// The documented defaults when a cooperative has not set any: deposits up to 6 % a year,
    /// 1 % penalty, sukarela 3 % a year on the minimum balance, no minimum, tax withheld.
    fn default() -> Self {
        DepositSettings {
            max_deposit_rate_bp: 600,
            early_penalty_bp: 100,
            sukarela_rate_bp: 300,
            basis: InterestBasis::Minimum,
            min_balance: Rupiah::ZERO,
            withholding_tax: true,
            tax_note: String::new(),
        }
    }
}

/// The settings form as typed.
#[derive(Debug, Clone, Default)]
pub struct DepositSettingsInput<'a> {
    pub max_deposit_rate_percent: &'a str,
    pub early_penalty_percent: &'a str,
    pub sukarela_rate_percent: &'a str,
    pub basis: &'a str,
    pub min_balance: &'a str,
    /// "true"/"on"/"1" or "false"/"off"/"0"/"".
    pub withholding_tax: &'a str,
    pub tax_note: &'a str,
}

fn percent_at_most(errs: &mut ValidationErrors, field: &str, s: &str, max_bp: u32, key: &str) -> Option<u32> {
    let bp = super::bylaws::parse_percent_bp(errs, field, s)?;
    if bp > max_bp {
        errs.push(
            crate::FieldError::new(field, Rule::OutOfRange, format!("at most {} %", max_bp / 100))
                .param("max", format!("{}", max_bp / 100))
                .message(key),
        );
        return None;
    }
    Some(bp)
}

/// Validates the settings form; every refusal names its field.
pub fn validate_settings(input: &DepositSettingsInput<'_>) -> Result<DepositSettings, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let key = "msg_key.coop_deposits_rate_max";
    let max_rate =
        percent_at_most(&mut errs, "max_deposit_rate_percent", input.max_deposit_rate_percent, MAX_ANNUAL_RATE_BP, key);
    let penalty = percent_at_most(&mut errs, "early_penalty_percent", input.early_penalty_percent, MAX_PENALTY_BP, key);
    let sukarela =
        percent_at_most(&mut errs, "sukarela_rate_percent", input.sukarela_rate_percent, MAX_ANNUAL_RATE_BP, key);
    let basis = InterestBasis::parse(input.basis);
    if basis.is_none() {
        errs.add("basis", Rule::OneOf, InterestBasis::codes());
    }
    let min_balance = if input.min_balance.trim().is_empty() {
        Some(Rupiah::ZERO)
    } else {
        super::bylaws::parse_rupiah(&mut errs, "min_balance", input.min_balance, 0)
    };
    let tax = match input.withholding_tax.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "1" | "yes" => Some(true),
        "false" | "off" | "0" | "no" | "" => Some(false),
        _ => {
            errs.add("withholding_tax", Rule::OneOf, "true or false");
            None
        }
    };
    let note = input.tax_note.trim();
    if tax == Some(false) && note.chars().count() < 5 {
        errs.push(
            crate::FieldError::new("tax_note", Rule::Required, "the reason the tax is not withheld")
                .message("msg_key.coop_deposits_tax_note"),
        );
    }
    if note.chars().count() > 500 {
        errs.add("tax_note", Rule::OutOfRange, "at most 500 characters");
    }
    match (max_rate, penalty, sukarela, basis, min_balance, tax) {
        (
            Some(max_deposit_rate_bp),
            Some(early_penalty_bp),
            Some(sukarela_rate_bp),
            Some(basis),
            Some(min_balance),
            Some(t),
        ) if errs.is_empty() => Ok(DepositSettings {
            max_deposit_rate_bp,
            early_penalty_bp,
            sukarela_rate_bp,
            basis,
            min_balance,
            withholding_tax: t,
            tax_note: note.to_string(),
        }),
        _ => Err(errs),
    }
}

/// The settings that apply in `year` among every year's (newest first): that year's, else the
/// latest earlier year's, else the defaults (the by-laws' rule, without falling back to a later
/// year: a later year's settings do not reach back).
pub fn settings_for(all: &[(i32, DepositSettings)], year: i32) -> DepositSettings {
    all.iter().find(|(y, _)| *y <= year).map(|(_, s)| s.clone()).unwrap_or_default()
}

/// A new time deposit, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositTerms {
    pub principal: Rupiah,
    pub months: u16,
    pub annual_rate_bp: u32,
    pub start: Date,
    pub at_maturity: AtMaturity,
    pub funding: Funding,
}

impl DepositTerms {
    pub fn maturity(&self) -> Date {
        add_months(self.start, self.months).unwrap_or(self.start)
    }

    /// Interest at maturity: simple interest by whole months (30/360 in months),
    /// `principal × rate × months ÷ 12`, rounded half up to the rupiah once, at maturity.
    pub fn interest(&self) -> Rupiah {
        deposit_interest(self.principal, self.annual_rate_bp, self.months)
    }
}

/// `principal × rate_bp × months ÷ (10,000 × 12)`, half up.
pub fn deposit_interest(principal: Rupiah, annual_rate_bp: u32, months: u16) -> Rupiah {
    mul_div_half_up(principal, u64::from(annual_rate_bp) * u64::from(months), 120_000).unwrap_or(Rupiah::MAX)
}

/// The early withdrawal penalty: `principal × penalty_bp ÷ 10,000`, half up. No interest is
/// paid on a deposit withdrawn before maturity.
pub fn early_penalty(principal: Rupiah, penalty_bp: u32) -> Rupiah {
    mul_div_half_up(principal, u64::from(penalty_bp), 10_000).unwrap_or(Rupiah::MAX)
}

/// The tax withheld on `interest` earned over `months` months: 10 % of the gross interest,
/// rounded down to the rupiah (never withholding more than the rule), when the interest per
/// month (`interest ÷ months`, exactly: `interest > 240,000 × months`) exceeds Rp 240,000.
pub fn withholding(interest: Rupiah, months: u16, enabled: bool) -> Rupiah {
    if !enabled || i128::from(interest.amount()) <= i128::from(TAX_THRESHOLD_MONTHLY) * i128::from(months.max(1)) {
        return Rupiah::ZERO;
    }
    Rupiah::new(interest.amount() * TAX_RATE_PERCENT as i64 / 100).unwrap_or(Rupiah::ZERO)
}

/// The typed fields of a new time deposit.
#[derive(Debug, Clone, Default)]
pub struct DepositInput<'a> {
    pub principal: &'a str,
    pub months: &'a str,
    pub annual_rate_percent: &'a str,
    pub at_maturity: &'a str,
    pub funding: &'a str,
}

/// Validates a new deposit against the year's settings (the start date is checked by the
/// caller, which knows the books' closed period).
pub fn validate_deposit(
    input: &DepositInput<'_>,
    start: Date,
    settings: &DepositSettings,
) -> Result<DepositTerms, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let principal = super::bylaws::parse_rupiah(&mut errs, "amount", input.principal, 1);
    let months = match input.months.trim().parse::<u16>() {
        Ok(m) if (1..=MAX_TERM_MONTHS).contains(&m) => Some(m),
        _ => {
            errs.push(
                crate::FieldError::new("months", Rule::OutOfRange, format!("from 1 to {MAX_TERM_MONTHS} months"))
                    .param("max", MAX_TERM_MONTHS.to_string())
                    .message("msg_key.coop_deposits_term"),
            );
            None
        }
    };
    let rate = super::bylaws::parse_percent_bp(&mut errs, "annual_rate_percent", input.annual_rate_percent);
    let rate = rate.and_then(|bp| {
        if bp > settings.max_deposit_rate_bp {
            errs.push(
                crate::FieldError::new(
                    "annual_rate_percent",
                    Rule::OutOfRange,
                    format!("at most {} % a year (the by-laws)", percent_text(settings.max_deposit_rate_bp)),
                )
                .param("max", percent_text(settings.max_deposit_rate_bp))
                .message("msg_key.coop_deposits_rate_max"),
            );
            None
        } else {
            Some(bp)
        }
    });
    let at = AtMaturity::parse(input.at_maturity);
    if at.is_none() {
        errs.add("at_maturity", Rule::OneOf, AtMaturity::codes());
    }
    let funding = if input.funding.trim().is_empty() { Some(Funding::Cash) } else { Funding::parse(input.funding) };
    if funding.is_none() {
        errs.add("funding", Rule::OneOf, Funding::codes());
    }
    match (principal, months, rate, at, funding) {
        (Some(principal), Some(months), Some(annual_rate_bp), Some(at_maturity), Some(funding)) if errs.is_empty() => {
            if add_months(start, months).is_none() {
                return Err(ValidationErrors::single("months", Rule::OutOfRange, "the maturity date is out of range"));
            }
            Ok(DepositTerms { principal, months, annual_rate_bp, start, at_maturity, funding })
        }
        _ => Err(errs),
    }
}

/// Basis points as a percentage text: 600 → "6", 250 → "2.5", 1234 → "12.34".
pub fn percent_text(bp: u32) -> String {
    match bp % 100 {
        0 => (bp / 100).to_string(),
        r if r % 10 == 0 => format!("{}.{}", bp / 100, r / 10),
        r => format!("{}.{r:02}", bp / 100),
    }
}

// ---------------------------------------------------------------------------------------------
// Interest on sukarela

/// The first and last day of the month of `d`.
pub fn month_bounds(year: i32, month: time::Month) -> Option<(Date, Date)> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let last = Date::from_calendar_date(year, month, first.month().length(year)).ok()?;
    Some((first, last))
}

/// The basis of one member's month: the end-of-day balances from `opening` (the balance at the
/// end of the day before `first`) and the month's movements (date, signed amount; any order).
/// Minimum: the lowest end-of-day balance. Average: the sum of end-of-day balances ÷ days in the
/// month, rounded down to the rupiah.
pub fn month_basis(basis: InterestBasis, opening: i64, movements: &[(Date, i64)], first: Date, last: Date) -> i64 {
    let mut balance = opening;
    let (mut min, mut sum, mut days) = (i64::MAX, 0i128, 0i128);
    let mut day = first;
    loop {
        balance += movements.iter().filter(|(d, _)| *d == day).map(|(_, a)| *a).sum::<i64>();
        min = min.min(balance);
        sum += i128::from(balance);
        days += 1;
        if day >= last {
            break;
        }
        let Some(next) = day.next_day() else { break };
        day = next;
    }
    let b = match basis {
        InterestBasis::Minimum => min,
        InterestBasis::Average => i64::try_from(sum.div_euclid(days.max(1))).unwrap_or(0),
    };
    b.max(0)
}

/// One member's interest for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthInterest {
    pub basis: Rupiah,
    pub interest: Rupiah,
    pub tax: Rupiah,
}

impl MonthInterest {
    pub fn net(&self) -> Rupiah {
        Rupiah::new(self.interest.amount() - self.tax.amount()).unwrap_or(Rupiah::ZERO)
    }
}

/// Interest for a month: `basis × rate_bp × days in month ÷ (10,000 × 365)` (actual/365),
/// rounded half up to the rupiah; nothing below the minimum balance; tax by [`withholding`]
/// for one month.
pub fn month_interest(basis: i64, days_in_month: u8, s: &DepositSettings) -> MonthInterest {
    let b = Rupiah::new(basis.max(0)).unwrap_or(Rupiah::ZERO);
    if b.is_zero() || b < s.min_balance || s.sukarela_rate_bp == 0 {
        return MonthInterest { basis: b, interest: Rupiah::ZERO, tax: Rupiah::ZERO };
    }
    let interest =
        mul_div_half_up(b, u64::from(s.sukarela_rate_bp) * u64::from(days_in_month), 3_650_000).unwrap_or(Rupiah::ZERO);
    MonthInterest { basis: b, interest, tax: withholding(interest, 1, s.withholding_tax) }
}

// ---------------------------------------------------------------------------------------------
// Posting templates

/// Opening a deposit: debit cash (or the member's sukarela), credit simpanan berjangka (member).
pub fn opening_entry(
    member: i64,
    principal: Rupiah,
    funding: Funding,
    date: Date,
    memo: &str,
) -> Result<JournalEntry, JournalError> {
    let from = match funding {
        Funding::Cash => JournalLine::debit(Account::Cash, principal),
        Funding::Sukarela => JournalLine::debit(Account::SimpananSukarela, principal).for_member(member),
    };
    JournalEntry::new(
        date,
        memo,
        vec![from, JournalLine::credit(Account::SimpananBerjangka, principal).for_member(member)],
    )
}

/// How a deposit is closed: at maturity (interest, tax) or early (penalty), and where the rest
/// goes. `rolled` is the principal of the new deposit on a roll-over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    pub principal: Rupiah,
    pub interest: Rupiah,
    pub tax: Rupiah,
    pub penalty: Rupiah,
    pub rolled: Rupiah,
    /// Where the remainder goes; `None` when nothing is left (all rolled over).
    pub to: Funding,
}

impl Closing {
    /// At maturity, by the deposit's instruction.
    pub fn at_maturity(t: &DepositTerms, withholding_tax: bool) -> Closing {
        let interest = t.interest();
        let tax = withholding(interest, t.months, withholding_tax);
        let net = interest.amount() - tax.amount();
        let (rolled, to) = match t.at_maturity {
            AtMaturity::RolloverPrincipal => (t.principal, Funding::Sukarela),
            AtMaturity::RolloverAll => {
                (Rupiah::new(t.principal.amount() + net).unwrap_or(Rupiah::MAX), Funding::Sukarela)
            }
            AtMaturity::PayoutCash => (Rupiah::ZERO, Funding::Cash),
            AtMaturity::PayoutSukarela => (Rupiah::ZERO, Funding::Sukarela),
        };
        Closing { principal: t.principal, interest, tax, penalty: Rupiah::ZERO, rolled, to }
    }

    /// Before maturity: the principal less the penalty, no interest.
    pub fn early(principal: Rupiah, penalty_bp: u32, to: Funding) -> Closing {
        let penalty = early_penalty(principal, penalty_bp).min(principal);
        Closing { principal, interest: Rupiah::ZERO, tax: Rupiah::ZERO, penalty, rolled: Rupiah::ZERO, to }
    }

    /// What the member receives in cash or sukarela.
    pub fn paid_out(&self) -> i64 {
        self.principal.amount() + self.interest.amount()
            - self.tax.amount()
            - self.penalty.amount()
            - self.rolled.amount()
    }

    /// The entry: debit simpanan berjangka (principal) and jasa simpanan expense (interest);
    /// credit tax payable, penalty income (member), simpanan berjangka for the new deposit, and
    /// the rest to cash or the member's sukarela. Zero parts are left out.
    pub fn entry(&self, member: i64, date: Date, memo: &str) -> Result<JournalEntry, JournalError> {
        use JournalLine as L;
        let rest = Rupiah::new(self.paid_out()).ok_or(JournalError::Overflow)?;
        let lines: Vec<JournalLine> = vec![
            L::debit(Account::SimpananBerjangka, self.principal).for_member(member),
            L::debit(Account::SavingsInterestExpense, self.interest),
            L::credit(Account::TaxPayable, self.tax),
            L::credit(Account::PenaltyIncome, self.penalty).for_member(member),
            L::credit(Account::SimpananBerjangka, self.rolled).for_member(member),
            match self.to {
                Funding::Cash => L::credit(Account::Cash, rest),
                Funding::Sukarela => L::credit(Account::SimpananSukarela, rest).for_member(member),
            },
        ];
        JournalEntry::new(date, memo, lines.into_iter().filter(|l| !l.amount.is_zero()).collect())
    }
}

/// A month's interest on sukarela: debit jasa simpanan expense, credit the member's sukarela
/// (net) and tax payable (the tax withheld).
pub fn interest_entry(member: i64, i: &MonthInterest, date: Date, memo: &str) -> Result<JournalEntry, JournalError> {
    use JournalLine as L;
    let lines: Vec<JournalLine> = vec![
        L::debit(Account::SavingsInterestExpense, i.interest),
        L::credit(Account::SimpananSukarela, i.net()).for_member(member),
        L::credit(Account::TaxPayable, i.tax),
    ];
    JournalEntry::new(date, memo, lines.into_iter().filter(|l| !l.amount.is_zero()).collect())
}

#[cfg(test)]
mod tests {
    use super::super::ledger::{Balances, Side};
    use super::*;
    use time::macros::date;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    fn input<'a>(principal: &'a str, months: &'a str, rate: &'a str) -> DepositInput<'a> {
        DepositInput { principal, months, annual_rate_percent: rate, at_maturity: "payout_cash", funding: "cash" }
    }

    #[test]
    fn minimum_and_average_balance_by_hand() {
        // March 2026 (31 days): 1,000,000 brought forward; +500,000 on the 10th; −800,000 on the 20th.
        // End of day: 9 days at 1,000,000, 10 days at 1,500,000, 12 days at 700,000.
        let (first, last) =
            month_bounds(2026, time::Month::March).unwrap_or((date!(2026 - 03 - 01), date!(2026 - 03 - 31)));
        let moves = [(date!(2026 - 03 - 20), -800_000), (date!(2026 - 03 - 10), 500_000)];
        assert_eq!(month_basis(InterestBasis::Minimum, 1_000_000, &moves, first, last), 700_000);
        // (9×1,000,000 + 10×1,500,000 + 12×700,000) ÷ 31 = 32,400,000 ÷ 31 = 1,045,161.29 → 1,045,161.
        assert_eq!(month_basis(InterestBasis::Average, 1_000_000, &moves, first, last), 1_045_161);
        let s = DepositSettings::default(); // 3 % a year
        // 700,000 × 3 % × 31 ÷ 365 = 1,783.56 → 1,784.
        assert_eq!(month_interest(700_000, 31, &s).interest, rp(1_784));
        // 1,045,161 × 3 % × 31 ÷ 365 = 2,663.01 → 2,663.
        assert_eq!(month_interest(1_045_161, 31, &s).interest, rp(2_663));
        // A withdrawal to zero mid-month: the minimum is 0, no interest.
        let out = [(date!(2026 - 03 - 05), -1_000_000), (date!(2026 - 03 - 06), 1_000_000)];
        assert_eq!(month_basis(InterestBasis::Minimum, 1_000_000, &out, first, last), 0);
        assert!(month_interest(0, 31, &s).interest.is_zero());
        // Below the minimum balance: nothing.
        let s2 = DepositSettings { min_balance: rp(800_000), ..DepositSettings::default() };
        assert!(month_interest(700_000, 31, &s2).interest.is_zero());
        assert_eq!(month_interest(800_000, 31, &s2).interest, rp(2_038)); // 2,038.36
    }

    #[test]
    fn withholding_tax_over_240_000_a_month() {
        assert_eq!(withholding(rp(240_000), 1, true), Rupiah::ZERO, "not more than the threshold");
        assert_eq!(withholding(rp(240_001), 1, true), rp(24_000), "10 % rounded down");
        assert_eq!(withholding(rp(500_005), 1, false), Rupiah::ZERO, "turned off");
        // 12 months: 240,000 × 12 = 2,880,000 is the threshold of the term.
        assert_eq!(withholding(rp(2_880_000), 12, true), Rupiah::ZERO);
        assert_eq!(withholding(rp(3_000_000), 12, true), rp(300_000));
        // 100,000,000 at 6 % for one month: 500,000 interest, 50,000 tax.
        let s = DepositSettings { sukarela_rate_bp: 600, ..DepositSettings::default() };
        let i = month_interest(100_000_000, 30, &s); // 100,000,000 × 6 % × 30 ÷ 365 = 493,150.68
        assert_eq!(i.interest, rp(493_151));
        assert_eq!(i.tax, rp(49_315));
        assert_eq!(i.net(), rp(443_836));
    }

    #[test]
    fn deposit_interest_maturity_and_penalty_by_hand() {
        let s = DepositSettings::default();
        let t = validate_deposit(&input("10.000.000", "6", "5,5"), date!(2026 - 01 - 31), &s)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(t.maturity(), date!(2026 - 07 - 31));
        // 10,000,000 × 5.5 % × 6 ÷ 12 = 275,000; 275,000 ÷ 6 months < 240,000: no tax.
        assert_eq!(t.interest(), rp(275_000));
        let c = Closing::at_maturity(&t, true);
        assert_eq!((c.tax, c.paid_out()), (Rupiah::ZERO, 10_275_000));
        // 1,234,567 × 6 % × 1 ÷ 12 = 6,172.835 → 6,173.
        assert_eq!(deposit_interest(rp(1_234_567), 600, 1), rp(6_173));
        // Penalty 1 % of 1,234,567 = 12,345.67 → 12,346.
        let e = Closing::early(rp(1_234_567), 100, Funding::Cash);
        assert_eq!((e.penalty, e.paid_out()), (rp(12_346), 1_222_221));
        // Large deposit: 600,000,000 at 6 % for 3 months = 9,000,000; 3,000,000 a month > 240,000.
        let big = DepositTerms {
            principal: rp(600_000_000),
            months: 3,
            annual_rate_bp: 600,
            start: date!(2026 - 01 - 01),
            at_maturity: AtMaturity::RolloverAll,
            funding: Funding::Cash,
        };
        let c = Closing::at_maturity(&big, true);
        assert_eq!((c.interest, c.tax, c.rolled, c.paid_out()), (rp(9_000_000), rp(900_000), rp(608_100_000), 0));
        let entry = c.entry(7, date!(2026 - 04 - 01), "jatuh tempo").unwrap_or_else(|e| panic!("{e}"));
        let b = Balances::from_entries([&entry]);
        assert_eq!(b.member_balance(Account::SimpananBerjangka, 7).on(Side::Credit), 8_100_000);
        assert_eq!(b.balance(Account::TaxPayable).on(Side::Credit), 900_000);
        assert!(b.trial_balance().is_balanced());
    }

    #[test]
    fn bad_deposits_name_the_field() {
        let s = DepositSettings::default();
        let d = date!(2026 - 01 - 01);
        let field =
            |r: Result<DepositTerms, ValidationErrors>| r.err().and_then(|e| e.0.first().map(|f| f.field.clone()));
        assert_eq!(field(validate_deposit(&input("1000000", "0", "5"), d, &s)).as_deref(), Some("months"));
        assert_eq!(
            field(validate_deposit(&input("1000000", "6", "6,5"), d, &s)).as_deref(),
            Some("annual_rate_percent")
        );
        assert_eq!(field(validate_deposit(&input("0", "6", "5"), d, &s)).as_deref(), Some("amount"));
        let mut i = input("1000000", "6", "5");
        i.at_maturity = "forever";
        assert_eq!(field(validate_deposit(&i, d, &s)).as_deref(), Some("at_maturity"));
    }

    #[test]
    fn settings_validate_and_apply_by_year() {
        let ok = DepositSettingsInput {
            max_deposit_rate_percent: "7",
            early_penalty_percent: "1.5",
            sukarela_rate_percent: "2,5",
            basis: "average",
            min_balance: "50.000",
            withholding_tax: "true",
            tax_note: "",
        };
        let s = validate_settings(&ok).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((s.max_deposit_rate_bp, s.early_penalty_bp, s.sukarela_rate_bp), (700, 150, 250));
        assert_eq!(s.min_balance, rp(50_000));
        let bad = DepositSettingsInput { max_deposit_rate_percent: "30", withholding_tax: "false", ..ok.clone() };
        let e = validate_settings(&bad).err().unwrap_or_default();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"max_deposit_rate_percent") && fields.contains(&"tax_note"), "{fields:?}");
        let all = vec![(2027, DepositSettings { sukarela_rate_bp: 1, ..s.clone() }), (2025, s.clone())];
        assert_eq!(settings_for(&all, 2026), s);
        assert_eq!(settings_for(&all, 2028).sukarela_rate_bp, 1);
        assert_eq!(settings_for(&all, 2024), DepositSettings::default());
        assert_eq!(percent_text(250), "2.5");
        assert_eq!(percent_text(1234), "12.34");
    }

    #[test]
    fn interest_entry_balances_with_tax() {
        let i = MonthInterest { basis: rp(1), interest: rp(300_000), tax: rp(30_000) };
        let e = interest_entry(3, &i, date!(2026 - 03 - 31), "jasa").unwrap_or_else(|e| panic!("{e}"));
        let b = Balances::from_entries([&e]);
        assert_eq!(b.member_balance(Account::SimpananSukarela, 3).on(Side::Credit), 270_000);
        assert_eq!(b.balance(Account::SavingsInterestExpense).on(Side::Debit), 300_000);
        let o =
            opening_entry(3, rp(5), Funding::Sukarela, date!(2026 - 03 - 31), "buka").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Balances::from_entries([&o]).member_balance(Account::SimpananSukarela, 3).on(Side::Debit), 5);
    }
}
