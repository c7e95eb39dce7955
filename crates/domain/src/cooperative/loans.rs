//! Loan products (issue 20, track "loans"): the loan settings a cooperative keeps per year
//! (fees, the late penalty rule, the loan limit, PPAP rates), fees at disbursement, automatic
//! late penalties, rescheduling, collateral and guarantors, the monthly provision and the
//! write-off against the allowance. Pure: the app reads what a rule needs and posts the result.
//!
//! Rounding rules (every one half up to the rupiah, `mul_div_half_up`):
//! - each fee: `principal × rate` separately, the fixed administration fee added as typed;
//! - a penalty: per overdue installment and month, `unpaid × rate per month × days ÷ 30`
//!   (a penalty month is 30 days whatever the calendar month);
//! - the loan limit: `savings × multiple` (the multiple has two decimals), rounded down — a
//!   limit is never more than the by-laws allow;
//! - the provision: per loan (see `ppap::required`).

use super::ledger::{Account, JournalEntry, JournalError, JournalLine};
use super::loan::Paid;
use super::money::{Basis, RupiahOps, mul_div_half_up};
use super::ppap::PpapRates;
use super::schedule::{Installment, Schedule};
use crate::service_center::Rupiah;
use crate::validation::{Rule, ValidationErrors};
use time::Date;

/// Highest fee rate (each of administration and provision): 10 % of the principal.
pub const MAX_FEE_BP: u32 = 1_000;
/// Highest late penalty: 10 % a month of the overdue amount.
pub const MAX_PENALTY_BP: u32 = 1_000;
/// Longest grace period before a penalty runs.
pub const MAX_GRACE_DAYS: u32 = 90;
/// Highest loan limit: 100 × the member's savings (in hundredths).
pub const MAX_LIMIT_X100: u32 = 10_000;

/// The late penalty (denda): a rate per month on the overdue unpaid installment amount,
/// counted per day after `grace_days` past the due date. A zero rate means no automatic penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PenaltyRule {
    pub bp_per_month: Basis,
    pub grace_days: u32,
}

/// A cooperative's loan settings for a year (its own table beside the by-laws).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanSettings {
    /// Biaya administrasi as a share of the principal …
    pub admin_fee: Basis,
    /// … plus a fixed amount per loan.
    pub admin_fee_fixed: Rupiah,
    /// Provisi as a share of the principal.
    pub provision_fee: Basis,
    pub penalty: PenaltyRule,
    /// The loan limit as a multiple of the member's savings, in hundredths (250 = 2.5 ×);
    /// zero: no limit.
    pub limit_x100: u32,
    pub ppap: PpapRates,
}

impl Default for LoanSettings {
    /// No fees, no automatic penalty, no limit, the guidance's PPAP rates: a cooperative that
    /// never saved loan settings keeps the first pass's behaviour.
    fn default() -> Self {
        LoanSettings {
            admin_fee: Basis::ZERO,
            admin_fee_fixed: Rupiah::ZERO,
            provision_fee: Basis::ZERO,
            penalty: PenaltyRule::default(),
            limit_x100: 0,
            ppap: PpapRates::default(),
        }
    }
}

/// The settings as a form or JSON body gives them (numbers as text).
#[derive(Debug, Clone, Default)]
pub struct LoanSettingsInput<'a> {
    pub admin_fee_percent: &'a str,
    pub admin_fee_fixed: &'a str,
    pub provision_fee_percent: &'a str,
    pub penalty_percent_per_month: &'a str,
    pub penalty_grace_days: &'a str,
    /// Empty or 0: no limit.
    pub limit_multiple: &'a str,
    /// Class 1 to 5, percent.
    pub ppap_percent: [&'a str; 5],
}

fn percent_at_most(errs: &mut ValidationErrors, field: &str, s: &str, max_bp: u32) -> Option<Basis> {
    let bp = super::bylaws::parse_percent_bp(errs, field, s)?;
    if bp > max_bp {
        // Every maximum is a whole percentage.
        let max = format!("{} %", max_bp / 100);
        errs.push(
            crate::FieldError::new(field, Rule::OutOfRange, format!("at most {max}"))
                .param("max", max)
                .message("msg_key.loan_setting_max"),
        );
        return None;
    }
    Basis::new(bp)
}

pub fn validate_loan_settings(input: &LoanSettingsInput<'_>) -> Result<LoanSettings, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let admin = percent_at_most(&mut errs, "admin_fee_percent", input.admin_fee_percent, MAX_FEE_BP);
    let fixed = if input.admin_fee_fixed.trim().is_empty() {
        Some(Rupiah::ZERO)
    } else {
        super::bylaws::parse_rupiah(&mut errs, "admin_fee_fixed", input.admin_fee_fixed, 0)
    };
    let provision = percent_at_most(&mut errs, "provision_fee_percent", input.provision_fee_percent, MAX_FEE_BP);
    let penalty =
        percent_at_most(&mut errs, "penalty_percent_per_month", input.penalty_percent_per_month, MAX_PENALTY_BP);
    let grace = match input.penalty_grace_days.trim() {
        "" => Some(0),
        s => match s.parse::<u32>() {
            Ok(d) if d <= MAX_GRACE_DAYS => Some(d),
            _ => {
                errs.add("penalty_grace_days", Rule::OutOfRange, format!("whole days from 0 to {MAX_GRACE_DAYS}"));
                None
            }
        },
    };
    let limit = match input.limit_multiple.trim() {
        "" => Some(0),
        s => match crate::service_center::money::parse_scaled(s, 2).and_then(|v| u32::try_from(v).ok()) {
            Some(v) if v <= MAX_LIMIT_X100 => Some(v),
            _ => {
                errs.add("limit_multiple", Rule::OutOfRange, "a multiple from 0 (no limit) to 100, such as 3 or 2,5");
                None
            }
        },
    };
    let mut rates = [Basis::ZERO; 5];
    let mut rates_ok = true;
    for (i, s) in input.ppap_percent.iter().enumerate() {
        let field = format!("ppap_{}_percent", i + 1);
        match super::bylaws::parse_percent_bp(&mut errs, &field, s).and_then(Basis::new) {
            Some(b) => rates[i] = b,
            None => rates_ok = false,
        }
    }
    let ppap = if rates_ok {
        let p = PpapRates::new(rates);
        if p.is_none() {
            errs.push(
                crate::FieldError::new("ppap_5_percent", Rule::Mismatch, "a worse class may not have a lower rate")
                    .message("msg_key.ppap_rates_order"),
            );
        }
        p
    } else {
        None
    };
    errs.into_result()?;
    match (admin, fixed, provision, penalty, grace, limit, ppap) {
        (
            Some(admin_fee),
            Some(admin_fee_fixed),
            Some(provision_fee),
            Some(bp),
            Some(grace_days),
            Some(limit_x100),
            Some(ppap),
        ) => Ok(LoanSettings {
            admin_fee,
            admin_fee_fixed,
            provision_fee,
            penalty: PenaltyRule { bp_per_month: bp, grace_days },
            limit_x100,
            ppap,
        }),
        _ => Err(ValidationErrors::single("settings", Rule::Format, "invalid settings")),
    }
}

/// The fees of one loan, taken at disbursement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct LoanFees {
    pub admin: Rupiah,
    pub provision: Rupiah,
}

impl LoanFees {
    pub fn total(&self) -> Rupiah {
        self.admin.checked_add(self.provision).unwrap_or(Rupiah::MAX)
    }
}

/// The fees on `principal` (each rate half up; the fixed fee added to administration).
pub fn fees(settings: &LoanSettings, principal: Rupiah) -> LoanFees {
    let pct = |b: Basis| mul_div_half_up(principal, u64::from(b.bp()), 10_000).unwrap_or(Rupiah::MAX);
    LoanFees {
        admin: pct(settings.admin_fee).checked_add(settings.admin_fee_fixed).unwrap_or(Rupiah::MAX),
        provision: pct(settings.provision_fee),
    }
}

/// The disbursement with its fees deducted from the cash paid out (the member receives
/// `principal − fees` and owes the whole principal): debit loans receivable (member) with the
/// principal, credit cash with the net, credit fee income with the fees. Refused when the fees
/// take the whole principal.
pub fn disbursement_entry(
    member: i64,
    principal: Rupiah,
    fees: LoanFees,
    date: Date,
    memo: &str,
) -> Result<JournalEntry, JournalError> {
    let total = fees.total();
    if total >= principal {
        return Err(JournalError::Unbalanced { debits: principal, credits: total });
    }
    let mut lines = vec![
        JournalLine::debit(Account::LoansReceivable, principal).for_member(member),
        JournalLine::credit(Account::Cash, principal.saturating_sub(total)),
    ];
    if !total.is_zero() {
        lines.push(JournalLine::credit(Account::AdminFeeIncome, total).for_member(member));
    }
    JournalEntry::new(date, memo, lines)
}

/// The write-off against the allowance: debit the allowance up to its (credit) balance, the rest
/// to loan loss expense; credit loans receivable (member) with the principal left.
pub fn write_off_entry(
    member: i64,
    principal: Rupiah,
    allowance_balance: Rupiah,
    date: Date,
    memo: &str,
) -> Result<JournalEntry, JournalError> {
    let from_allowance = principal.min(allowance_balance);
    let rest = principal.saturating_sub(from_allowance);
    let mut lines = Vec::new();
    if !from_allowance.is_zero() {
        lines.push(JournalLine::debit(Account::LoanLossAllowance, from_allowance));
    }
    if !rest.is_zero() {
        lines.push(JournalLine::debit(Account::LoanLossExpense, rest));
    }
    lines.push(JournalLine::credit(Account::LoansReceivable, principal).for_member(member));
    JournalEntry::new(date, memo, lines)
}

/// The monthly provision: the difference between the required provision and the allowance's
/// balance. `None` when they agree; otherwise debit loan loss expense / credit the allowance
/// (more needed) or the reverse (less needed).
pub fn provision_entry(
    required: Rupiah,
    allowance_balance: Rupiah,
    date: Date,
    memo: &str,
) -> Option<Result<JournalEntry, JournalError>> {
    if required == allowance_balance {
        return None;
    }
    let lines = if required > allowance_balance {
        let d = required.saturating_sub(allowance_balance);
        vec![JournalLine::debit(Account::LoanLossExpense, d), JournalLine::credit(Account::LoanLossAllowance, d)]
    } else {
        let d = allowance_balance.saturating_sub(required);
        vec![JournalLine::debit(Account::LoanLossAllowance, d), JournalLine::credit(Account::LoanLossExpense, d)]
    };
    Some(JournalEntry::new(date, memo, lines))
}

/// One penalty charged at a month end on one installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PenaltyCharge {
    pub installment: u16,
    /// What was still unpaid of the installment at the month end.
    pub unpaid: Rupiah,
    /// Days of this month charged.
    pub days: u32,
    pub amount: Rupiah,
}

/// The penalties of one loan for the month ending `month_end` (the previous month ended
/// `prev_month_end`). Payments cover installments in order (jasa and principal together); an
/// installment with something unpaid at the month end is charged for the days of this month
/// after its due date plus the grace days. Each month's days are charged once: the month end
/// step runs once per month, so a day is never charged twice.
pub fn penalty_charges(
    schedule: &Schedule,
    paid: Paid,
    rule: PenaltyRule,
    prev_month_end: Date,
    month_end: Date,
) -> Vec<PenaltyCharge> {
    let mut out = Vec::new();
    if rule.bp_per_month.bp() == 0 {
        return out;
    }
    let mut covered = paid.interest.amount().saturating_add(paid.principal.amount());
    for i in &schedule.installments {
        let total = i.total.amount();
        let from_this = covered.min(total);
        covered -= from_this;
        let unpaid = total - from_this;
        if unpaid <= 0 {
            continue;
        }
        let Some(start) = i.due_date.checked_add(time::Duration::days(i64::from(rule.grace_days))) else { continue };
        if start >= month_end {
            continue;
        }
        let from = start.max(prev_month_end);
        let days = u32::try_from((month_end - from).whole_days()).unwrap_or(0);
        if days == 0 {
            continue;
        }
        let unpaid = Rupiah::new(unpaid).unwrap_or_default();
        let amount = mul_div_half_up(unpaid, u64::from(rule.bp_per_month.bp()) * u64::from(days), 300_000)
            .unwrap_or(Rupiah::MAX);
        if !amount.is_zero() {
            out.push(PenaltyCharge { installment: i.number, unpaid, days, amount });
        }
    }
    out
}

/// The loan limit for `savings` (rounded down); `None` when the settings have no limit.
pub fn loan_limit(settings: &LoanSettings, savings: Rupiah) -> Option<Rupiah> {
    (settings.limit_x100 > 0).then(|| {
        let v = i128::from(savings.amount()) * i128::from(settings.limit_x100) / 100;
        Rupiah::new(i64::try_from(v).unwrap_or(i64::MAX)).unwrap_or(Rupiah::MAX)
    })
}

code_enum! {
    /// Kinds of collateral (agunan) a village cooperative takes.
    pub enum CollateralKind {
        /// BPKB: a vehicle's ownership book (fiducia).
        Bpkb = "bpkb",
        /// Sertifikat tanah: a land certificate (hak tanggungan).
        LandCertificate = "land_certificate",
        /// SK: an appointment decree (civil servants, village officials).
        Decree = "decree",
        /// Barang elektronik.
        Electronics = "electronics",
        Other = "other",
    }
}

impl CollateralKind {
    /// Whether its value may be deducted from a non-performing loan in the provision: only the
    /// kinds with a registrable security right (BPKB with fiducia, a land certificate with hak
    /// tanggungan), and only while the cooperative holds the document.
    pub fn deductible(self) -> bool {
        matches!(self, CollateralKind::Bpkb | CollateralKind::LandCertificate)
    }
}

/// The deductible value of one piece of collateral.
pub fn deductible_value(kind: CollateralKind, estimated: Rupiah, document_held: bool) -> Rupiah {
    if kind.deductible() && document_held { estimated } else { Rupiah::ZERO }
}

/// The schedule after rescheduling: a first row numbered 0 dated the rescheduling day holding
/// everything paid before it (so days past due restart and what was paid stays paid), then the
/// new schedule of the outstanding principal; jasa that was due and unpaid is carried into the
/// first new installment, so rescheduling never forgives it.
pub fn rescheduled(paid: Paid, jasa_arrears: Rupiah, date: Date, new: &Schedule) -> Schedule {
    let outstanding = Rupiah::sum(new.installments.iter().map(|i| i.principal)).unwrap_or(Rupiah::MAX);
    let mut installments = vec![Installment {
        number: 0,
        due_date: date,
        principal: paid.principal,
        interest: paid.interest,
        total: paid.principal.checked_add(paid.interest).unwrap_or(Rupiah::MAX),
        balance_after: outstanding,
    }];
    for (k, i) in new.installments.iter().enumerate() {
        let mut i = *i;
        if k == 0 {
            i.interest = i.interest.checked_add(jasa_arrears).unwrap_or(Rupiah::MAX);
            i.total = i.principal.checked_add(i.interest).unwrap_or(Rupiah::MAX);
        }
        installments.push(i);
    }
    let total_interest = Rupiah::sum(installments.iter().map(|i| i.interest)).unwrap_or(Rupiah::MAX);
    let total_paid = Rupiah::sum(installments.iter().map(|i| i.total)).unwrap_or(Rupiah::MAX);
    Schedule { installments, total_interest, total_paid }
}

code_enum! {
    /// Where a rescheduling proposal stands.
    pub enum RescheduleState {
        Proposed = "proposed",
        Approved = "approved",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::Balances;
    use super::super::loan::{days_past_due, owed};
    use super::super::schedule::{MonthlyRate, ScheduleMethod, ScheduleRequest};
    use super::*;
    use time::macros::date;

    fn rp(v: i64) -> Rupiah {
        Rupiah::new(v).unwrap()
    }

    fn input() -> LoanSettingsInput<'static> {
        LoanSettingsInput {
            admin_fee_percent: "1",
            admin_fee_fixed: "10000",
            provision_fee_percent: "0,5",
            penalty_percent_per_month: "3",
            penalty_grace_days: "5",
            limit_multiple: "2,5",
            ppap_percent: ["0,5", "0,5", "10", "50", "100"],
        }
    }

    #[test]
    fn settings_validate_and_name_the_field() {
        let s = validate_loan_settings(&input()).unwrap();
        assert_eq!(s.admin_fee.bp(), 100);
        assert_eq!(s.limit_x100, 250);
        assert_eq!(s.penalty, PenaltyRule { bp_per_month: Basis::new(300).unwrap(), grace_days: 5 });
        assert_eq!(s.ppap, PpapRates::default());
        let mut bad = input();
        bad.admin_fee_percent = "12";
        bad.penalty_grace_days = "0,5";
        bad.ppap_percent[3] = "5";
        let e = validate_loan_settings(&bad).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["admin_fee_percent", "penalty_grace_days", "ppap_5_percent"]);
    }

    #[test]
    fn fees_are_deducted_from_the_cash_paid_out() {
        let s = validate_loan_settings(&input()).unwrap();
        // 1 % of 2,000,050 = 20,000.5 → 20,001, + 10,000 fixed; 0.5 % = 10,000.25 → 10,000.
        let f = fees(&s, rp(2_000_050));
        assert_eq!((f.admin, f.provision, f.total()), (rp(30_001), rp(10_000), rp(40_001)));
        let e = disbursement_entry(7, rp(2_000_050), f, date!(2026 - 01 - 10), "x").unwrap();
        let b = Balances::from_entries([&e]);
        assert_eq!(b.balance(Account::Cash).on(super::super::ledger::Side::Credit), 1_960_049);
        assert_eq!(b.balance(Account::AdminFeeIncome).on(super::super::ledger::Side::Credit), 40_001);
        assert!(
            disbursement_entry(7, rp(100), LoanFees { admin: rp(100), provision: rp(0) }, date!(2026 - 01 - 10), "x")
                .is_err()
        );
    }

    fn schedule() -> Schedule {
        // 1,200,000 over 3 months flat 1 %: 400,000 + 12,000 a month, due 10 Feb, 10 Mar, 10 Apr.
        let r = ScheduleRequest::new(
            rp(1_200_000),
            3,
            MonthlyRate::from_ppm(10_000).unwrap(),
            ScheduleMethod::Flat,
            date!(2026 - 01 - 10),
        )
        .unwrap();
        r.schedule()
    }

    #[test]
    fn hand_computed_penalty_days() {
        let s = schedule();
        assert_eq!(s.installments[0].due_date, date!(2026 - 02 - 10));
        let rule = PenaltyRule { bp_per_month: Basis::new(300).unwrap(), grace_days: 5 };
        // Nothing paid. February: due 10 Feb + 5 grace = 15 Feb; days 16–28 Feb = 13.
        // 412,000 × 3 % × 13 / 30 = 5,356.
        let feb = penalty_charges(&s, Paid::default(), rule, date!(2026 - 01 - 31), date!(2026 - 02 - 28));
        assert_eq!(feb, vec![PenaltyCharge { installment: 1, unpaid: rp(412_000), days: 13, amount: rp(5_356) }]);
        // March, 100,000 paid (jasa 12,000 + principal 88,000): first installment 312,000 unpaid
        // for 31 days: 312,000 × 0.03 × 31 / 30 = 9,672; second due 10 Mar + 5: days 16–31 Mar = 16,
        // 412,000 × 0.03 × 16 / 30 = 6,592.
        let paid = Paid { penalty: rp(0), interest: rp(12_000), principal: rp(88_000) };
        let mar = penalty_charges(&s, paid, rule, date!(2026 - 02 - 28), date!(2026 - 03 - 31));
        let amounts: Vec<_> = mar.iter().map(|c| (c.installment, c.days, c.amount.amount())).collect();
        assert_eq!(amounts, [(1, 31, 9_672), (2, 16, 6_592)]);
        // Within grace nothing; no rule nothing.
        assert!(penalty_charges(&s, Paid::default(), rule, date!(2026 - 01 - 31), date!(2026 - 02 - 15)).is_empty());
        assert!(
            penalty_charges(&s, Paid::default(), PenaltyRule::default(), date!(2026 - 02 - 28), date!(2026 - 03 - 31))
                .is_empty()
        );
    }

    #[test]
    fn write_off_uses_the_allowance_first() {
        let e = write_off_entry(3, rp(1_000_000), rp(600_000), date!(2026 - 05 - 31), "x").unwrap();
        let b = Balances::from_entries([&e]);
        use super::super::ledger::Side::*;
        assert_eq!(b.balance(Account::LoanLossAllowance).on(Debit), 600_000);
        assert_eq!(b.balance(Account::LoanLossExpense).on(Debit), 400_000);
        let e = write_off_entry(3, rp(1_000), rp(5_000), date!(2026 - 05 - 31), "x").unwrap();
        assert_eq!(e.lines().len(), 2);
    }

    #[test]
    fn provision_posts_the_difference_either_way() {
        use super::super::ledger::Side::*;
        let up = provision_entry(rp(355_500), rp(100_000), date!(2026 - 05 - 31), "x").unwrap().unwrap();
        assert_eq!(Balances::from_entries([&up]).balance(Account::LoanLossAllowance).on(Credit), 255_500);
        let down = provision_entry(rp(50_000), rp(80_000), date!(2026 - 05 - 31), "x").unwrap().unwrap();
        assert_eq!(Balances::from_entries([&down]).balance(Account::LoanLossExpense).on(Credit), 30_000);
        assert!(provision_entry(rp(5), rp(5), date!(2026 - 05 - 31), "x").is_none());
    }

    #[test]
    fn limit_and_collateral() {
        let s = validate_loan_settings(&input()).unwrap();
        // 2.5 × 1,000,001 = 2,500,002.5 → 2,500,002 (down).
        assert_eq!(loan_limit(&s, rp(1_000_001)), Some(rp(2_500_002)));
        assert_eq!(loan_limit(&LoanSettings::default(), rp(1)), None);
        assert_eq!(deductible_value(CollateralKind::Bpkb, rp(5), true), rp(5));
        assert_eq!(deductible_value(CollateralKind::Bpkb, rp(5), false), rp(0));
        assert_eq!(deductible_value(CollateralKind::Electronics, rp(5), true), rp(0));
    }

    #[test]
    fn rescheduling_keeps_what_was_paid_and_restarts_days_past_due() {
        let s = schedule();
        // Paid 100,000 (jasa 12,000, principal 88,000); on 15 Apr all is overdue.
        let paid = Paid { penalty: rp(0), interest: rp(12_000), principal: rp(88_000) };
        let today = date!(2026 - 04 - 15);
        let before = owed(&s, rp(0), paid, today);
        assert_eq!(before.interest, rp(24_000));
        assert!(days_past_due(&s, paid, today) > 60);
        let new = ScheduleRequest::new(
            before.principal_outstanding,
            4,
            MonthlyRate::from_ppm(10_000).unwrap(),
            ScheduleMethod::Flat,
            today,
        )
        .unwrap();
        let r = rescheduled(paid, before.interest, today, &new.schedule());
        assert_eq!(r.installments[0].number, 0);
        assert_eq!(days_past_due(&r, paid, today), 0);
        let after = owed(&r, rp(0), paid, today);
        assert_eq!(after.principal_outstanding, rp(1_112_000));
        assert_eq!(after.interest, rp(0));
        // The arrears jasa is due with the first new installment: 11,120 + 24,000.
        assert_eq!(r.installments[1].interest, rp(35_120));
        assert_eq!(owed(&r, rp(0), paid, date!(2026 - 05 - 15)).interest, rp(35_120));
    }
}
