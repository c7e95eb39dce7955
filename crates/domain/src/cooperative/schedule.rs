//! Monthly loan schedules, flat-rate and declining-balance (annuity), as shown to a member before
//! approval and answered by `POST /api/v1/loan-schedules`.
//!
//! Rules common to both methods:
//! - Installment *k* falls due *k* months after the start date, counted from the start date each
//!   time (not from the previous due date), with the day clamped to the month's last day: a loan
//!   started on 31 January falls due on 28 (or 29) February, 31 March, 30 April… See
//!   [`add_months`].
//! - Every figure is whole rupiah. The last installment repays whatever principal is left, so it
//!   absorbs every rounding difference and the balance ends at exactly zero.
//! - Each installment repays at least Rp 1 of principal, so the balance falls every month; that
//!   is why the principal must be at least one rupiah per month of the term.

use super::money::mul_div_half_up;
use crate::service_center::Rupiah;
use crate::validation::{Rule, ValidationErrors};
use serde::{Serialize, Serializer};
use std::fmt;
use time::{Date, Month};

/// The largest principal a schedule is computed for: Rp 1 trillion, far beyond any village
/// cooperative loan, and small enough that no figure of a 360-month schedule at 10 % a month can
/// overflow.
pub const MAX_PRINCIPAL: i64 = 1_000_000_000_000;
/// The longest term: 30 years.
pub const MAX_MONTHS: u16 = 360;

code_enum! {
    /// How interest (jasa) is charged.
    pub enum ScheduleMethod {
        /// Interest on the original principal every month; equal principal parts (bunga flat, the
        /// usual method of village cooperatives).
        Flat = "flat",
        /// Interest on the declining balance with equal total payments (anuitas).
        Annuity = "annuity",
    }
}

/// A monthly interest (jasa) rate, from 0 % to 10 % a month, held exactly in millionths
/// (1.5 % a month = 15 000 ppm) so that no rate typed with up to four decimals is ever rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MonthlyRate(u32);

impl MonthlyRate {
    /// 10 % a month.
    pub const MAX_PPM: u32 = 100_000;

    /// `None` above 10 % a month.
    pub fn from_ppm(ppm: u32) -> Option<MonthlyRate> {
        (ppm <= Self::MAX_PPM).then_some(MonthlyRate(ppm))
    }

    /// A percentage as typed: "1,5", "1.5", "2", "0.125" (at most four decimals). `None` for anything
    /// else, a negative rate or one above 10.
    pub fn parse_percent(s: &str) -> Option<MonthlyRate> {
        // The one decimal reader: "1,5" and "1.5" alike, at most four decimals.
        let ppm = crate::service_center::money::parse_scaled(s, 4)?;
        Self::from_ppm(u32::try_from(ppm).ok()?)
    }

    /// The rate as Indonesian pages show it, without the sign: "1,5".
    pub fn display_id(self) -> String {
        crate::service_center::money::format_scaled(u64::from(self.0), 4)
    }

    pub fn ppm(self) -> u32 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The rate as a fraction, for the annuity formula only.
    fn as_f64(self) -> f64 {
        f64::from(self.0) / 1_000_000.0
    }
}

/// "1.5 %".
impl fmt::Display for MonthlyRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 10_000;
        let frac = format!("{:04}", self.0 % 10_000);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() { write!(f, "{whole} %") } else { write!(f, "{whole}.{frac} %") }
    }
}

/// The request as it arrives from a form or the JSON API (numbers already turned into text).
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput<'a> {
    pub principal: &'a str,
    pub months: &'a str,
    pub monthly_rate_percent: &'a str,
    pub method: &'a str,
    pub start_date: &'a str,
}

/// A checked schedule request: it can only be built through [`ScheduleRequest::new`] or
/// [`validate_schedule_request`], so every schedule it produces is well defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRequest {
    principal: Rupiah,
    months: u16,
    rate: MonthlyRate,
    method: ScheduleMethod,
    start_date: Date,
}

impl ScheduleRequest {
    /// Checks principal (Rp 1 … Rp 1 trillion, and at least Rp 1 per month) and term
    /// (1 … 360 months). The rate is already bounded by its type.
    pub fn new(
        principal: Rupiah,
        months: u16,
        rate: MonthlyRate,
        method: ScheduleMethod,
        start_date: Date,
    ) -> Result<ScheduleRequest, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if principal.is_zero() || principal.amount() > MAX_PRINCIPAL {
            errs.add("principal", Rule::OutOfRange, format!("from 1 to {MAX_PRINCIPAL} rupiah"));
        }
        if !(1..=MAX_MONTHS).contains(&months) {
            errs.add("months", Rule::OutOfRange, format!("from 1 to {MAX_MONTHS}"));
        } else if !principal.is_zero() && principal.amount() < i64::from(months) {
            errs.add("principal", Rule::OutOfRange, "at least one rupiah per month of the term");
        }
        if add_months(start_date, months).is_none() {
            errs.add("start_date", Rule::OutOfRange, "the last installment falls outside the calendar");
        }
        errs.into_result()?;
        Ok(ScheduleRequest { principal, months, rate, method, start_date })
    }

    pub fn principal(&self) -> Rupiah {
        self.principal
    }
    pub fn months(&self) -> u16 {
        self.months
    }
    pub fn rate(&self) -> MonthlyRate {
        self.rate
    }
    pub fn method(&self) -> ScheduleMethod {
        self.method
    }
    pub fn start_date(&self) -> Date {
        self.start_date
    }

    /// The schedule. See [`build_schedule`].
    pub fn schedule(&self) -> Schedule {
        build_schedule(self)
    }
}

/// Parses and checks a request; errors are named by the contract's fields.
pub fn validate_schedule_request(input: &ScheduleInput<'_>) -> Result<ScheduleRequest, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let principal =
        crate::service_center::money::parse_field(&mut errs, "principal", input.principal, 1, MAX_PRINCIPAL);
    let months = match input.months.trim() {
        "" => {
            errs.add("months", Rule::Required, format!("from 1 to {MAX_MONTHS}"));
            None
        }
        s => match s.parse::<i64>() {
            Ok(n) if (1..=i64::from(MAX_MONTHS)).contains(&n) => u16::try_from(n).ok(),
            Ok(_) => {
                errs.add("months", Rule::OutOfRange, format!("from 1 to {MAX_MONTHS}"));
                None
            }
            Err(_) => {
                errs.add("months", Rule::Format, "a whole number of months");
                None
            }
        },
    };
    let rate = match input.monthly_rate_percent.trim() {
        "" => {
            errs.add("monthly_rate_percent", Rule::Required, "a percentage from 0 to 10");
            None
        }
        s => {
            let r = MonthlyRate::parse_percent(s);
            if r.is_none() {
                let looks_numeric = s.trim_start_matches('-').parse::<f64>().is_ok();
                if looks_numeric {
                    errs.add("monthly_rate_percent", Rule::OutOfRange, "from 0 to 10 (percent a month)");
                } else {
                    errs.add("monthly_rate_percent", Rule::Format, "a number with at most four decimals");
                }
            }
            r
        }
    };
    let method = ScheduleMethod::parse(input.method);
    if method.is_none() {
        errs.add("method", Rule::OneOf, "flat or annuity");
    }
    let start_date = parse_iso_date(input.start_date);
    if start_date.is_none() {
        errs.push(
            crate::FieldError::new("start_date", Rule::Format, "a date such as 2026-01-31")
                .message("msg_key.date_format"),
        );
    }
    match (principal, months, rate, method, start_date) {
        (Some(p), Some(m), Some(r), Some(k), Some(d)) if errs.is_empty() => ScheduleRequest::new(p, m, r, k, d),
        _ => Err(errs),
    }
}

/// `YYYY-MM-DD` only: an API contract date is never day-first.
fn parse_iso_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    crate::person::parse_date(s)
}

/// `date` plus `months` calendar months, the day clamped to the last day of the target month
/// (31 January + 1 month = 28 February, or 29 in a leap year; 29 February 2028 + 12 months =
/// 28 February 2029). `None` beyond the calendar's range.
pub fn add_months(date: Date, months: u16) -> Option<Date> {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// One monthly installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Installment {
    /// 1 for the first.
    pub number: u16,
    #[serde(serialize_with = "iso_date")]
    pub due_date: Date,
    pub principal: Rupiah,
    /// Interest (jasa).
    pub interest: Rupiah,
    /// `principal + interest`.
    pub total: Rupiah,
    /// Principal still owed after this installment is paid.
    pub balance_after: Rupiah,
}

/// A full schedule; serializes exactly as the `POST /api/v1/loan-schedules` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub installments: Vec<Installment>,
    /// The sum of the installments' interest.
    pub total_interest: Rupiah,
    /// The sum of the installments' totals: the principal plus `total_interest`.
    pub total_paid: Rupiah,
}

fn iso_date<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
}

/// A non-negative figure the schedule arithmetic has already bounded (see [`MAX_PRINCIPAL`]).
fn rp(n: i64) -> Rupiah {
    debug_assert!(n >= 0, "schedule figure went negative: {n}");
    Rupiah::new(n).unwrap_or(Rupiah::ZERO)
}

/// Computes the schedule.
///
/// **Flat.** Interest every month = original principal × rate, rounded half up to the rupiah.
/// Principal part = ⌊principal ÷ months⌋; the last installment repays the rest.
///
/// **Annuity.** The target payment is `P·r / (1 − (1 + r)^−n)`, computed in `f64` (exact to far
/// below a rupiah for any principal allowed here) and rounded half away from zero to the rupiah;
/// with a zero rate it is `P ÷ n` rounded half up in integers. That is the only floating-point
/// step: every month, interest = balance × rate rounded half up in integer arithmetic, and the
/// principal part = payment − interest, kept between Rp 1 and what leaves Rp 1 for each later
/// month. The last installment repays the remaining balance with its interest, so it may differ
/// from the others by a few rupiah.
pub fn build_schedule(request: &ScheduleRequest) -> Schedule {
    let p = request.principal.amount();
    let n = i64::from(request.months);
    let ppm = u64::from(request.rate.ppm());
    let interest_on = |balance: i64| mul_div_half_up(rp(balance), ppm, 1_000_000).map_or(0, Rupiah::amount);
    let payment = match request.method {
        ScheduleMethod::Flat => 0,
        ScheduleMethod::Annuity if request.rate.is_zero() => (p + n / 2) / n,
        ScheduleMethod::Annuity => {
            let r = request.rate.as_f64();
            let pf = p as f64;
            let factor = 1.0 - (1.0 + r).powi(-i32::from(request.months));
            (pf * r / factor).round() as i64
        }
    };
    let flat_interest = interest_on(p);
    let mut balance = p;
    let mut installments = Vec::with_capacity(usize::from(request.months));
    let (mut total_interest, mut total_paid) = (0i64, 0i64);
    for k in 1..=n {
        let remaining_after = n - k;
        let (principal, interest) = match request.method {
            ScheduleMethod::Flat => {
                let part = if remaining_after == 0 { balance } else { p / n };
                (part, flat_interest)
            }
            ScheduleMethod::Annuity => {
                let interest = interest_on(balance);
                let part = if remaining_after == 0 {
                    balance
                } else {
                    (payment - interest).clamp(1, balance - remaining_after)
                };
                (part, interest)
            }
        };
        balance -= principal;
        total_interest += interest;
        total_paid += principal + interest;
        installments.push(Installment {
            number: u16::try_from(k).unwrap_or(u16::MAX),
            due_date: add_months(request.start_date, u16::try_from(k).unwrap_or(u16::MAX))
                .unwrap_or(request.start_date),
            principal: rp(principal),
            interest: rp(interest),
            total: rp(principal + interest),
            balance_after: rp(balance),
        });
    }
    Schedule { installments, total_interest: rp(total_interest), total_paid: rp(total_paid) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn input<'a>(principal: &'a str, months: &'a str, rate: &'a str, method: &'a str) -> ScheduleInput<'a> {
        ScheduleInput { principal, months, monthly_rate_percent: rate, method, start_date: "2026-01-31" }
    }

    fn schedule(principal: &str, months: &str, rate: &str, method: &str) -> Schedule {
        match validate_schedule_request(&input(principal, months, rate, method)) {
            Ok(r) => r.schedule(),
            Err(e) => panic!("{e}"),
        }
    }

    fn amounts(s: &Schedule, f: impl Fn(&Installment) -> Rupiah) -> Vec<i64> {
        s.installments.iter().map(|i| f(i).amount()).collect()
    }

    #[test]
    fn rates_are_parsed_exactly() {
        assert_eq!(MonthlyRate::parse_percent("1.5").map(MonthlyRate::ppm), Some(15_000));
        assert_eq!(MonthlyRate::parse_percent("0.125").map(MonthlyRate::ppm), Some(1_250));
        assert_eq!(MonthlyRate::parse_percent("10").map(MonthlyRate::ppm), Some(100_000));
        assert_eq!(MonthlyRate::parse_percent("0").map(MonthlyRate::ppm), Some(0));
        for bad in ["10.0001", "-1", "1.23456", "", ".5", "abc", "1e2"] {
            assert_eq!(MonthlyRate::parse_percent(bad), None, "{bad}");
        }
        assert_eq!(MonthlyRate::from_ppm(15_000).map(|r| r.to_string()), Some("1.5 %".into()));
        assert_eq!(MonthlyRate::parse_percent("1,5"), MonthlyRate::from_ppm(15_000));
        assert_eq!(MonthlyRate::parse_percent("1.5"), MonthlyRate::from_ppm(15_000));
        assert_eq!(MonthlyRate::from_ppm(15_000).map(MonthlyRate::display_id), Some("1,5".into()));
        assert_eq!(MonthlyRate::from_ppm(20_000).map(|r| r.to_string()), Some("2 %".into()));
    }

    #[test]
    fn due_dates_clamp_to_month_end() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), Some(date!(2026 - 02 - 28)));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), Some(date!(2028 - 02 - 29)));
        assert_eq!(add_months(date!(2026 - 01 - 31), 2), Some(date!(2026 - 03 - 31)));
        assert_eq!(add_months(date!(2026 - 11 - 15), 3), Some(date!(2027 - 02 - 15)));
        assert_eq!(add_months(date!(2028 - 02 - 29), 12), Some(date!(2029 - 02 - 28)));
        let s = schedule("1200000", "4", "1", "flat");
        let due: Vec<Date> = s.installments.iter().map(|i| i.due_date).collect();
        assert_eq!(due, [date!(2026 - 02 - 28), date!(2026 - 03 - 31), date!(2026 - 04 - 30), date!(2026 - 05 - 31)]);
    }

    #[test]
    fn flat_schedule() {
        // Rp 1,000,000 over 3 months at 1.5 %: 15,000 interest a month; 333,333 + 333,333 + 333,334.
        let s = schedule("1000000", "3", "1.5", "flat");
        assert_eq!(amounts(&s, |i| i.principal), [333_333, 333_333, 333_334]);
        assert_eq!(amounts(&s, |i| i.interest), [15_000, 15_000, 15_000]);
        assert_eq!(amounts(&s, |i| i.total), [348_333, 348_333, 348_334]);
        assert_eq!(amounts(&s, |i| i.balance_after), [666_667, 333_334, 0]);
        assert_eq!(s.total_interest.amount(), 45_000);
        assert_eq!(s.total_paid.amount(), 1_045_000);
    }

    #[test]
    fn annuity_schedule() {
        // Rp 10,000,000 over 12 months at 1 %: payment 888,487.88 → 888,488.
        let s = schedule("10000000", "12", "1", "annuity");
        let totals = amounts(&s, |i| i.total);
        assert!(totals[..11].iter().all(|t| *t == 888_488), "{totals:?}");
        assert!((totals[11] - 888_488).abs() <= 12, "{totals:?}");
        assert_eq!(s.installments[0].interest.amount(), 100_000);
        assert_eq!(s.installments[0].principal.amount(), 788_488);
        assert_eq!(s.installments[11].balance_after, Rupiah::ZERO);
        // Declining balance charges less interest than flat at the same rate.
        assert!(s.total_interest < schedule("10000000", "12", "1", "flat").total_interest);
    }

    #[test]
    fn annuity_at_zero_rate_is_equal_principal() {
        let s = schedule("1000", "3", "0", "annuity");
        assert_eq!(amounts(&s, |i| i.total), [333, 333, 334]);
        assert_eq!(s.total_interest, Rupiah::ZERO);
    }

    #[test]
    fn bad_input_is_refused_by_field() {
        let e = validate_schedule_request(&ScheduleInput::default()).err().unwrap_or_default();
        for field in ["principal", "months", "monthly_rate_percent", "method", "start_date"] {
            assert!(e.for_field(field).is_some(), "{field}: {e}");
        }
        let rule = |i: ScheduleInput<'_>, field: &str| {
            validate_schedule_request(&i).err().and_then(|e| e.for_field(field).map(|f| f.rule))
        };
        assert_eq!(rule(input("0", "12", "1", "flat"), "principal"), Some(Rule::OutOfRange));
        assert_eq!(rule(input("-5", "12", "1", "flat"), "principal"), Some(Rule::OutOfRange));
        // Typed as people write it: the one money reader of every door.
        assert_eq!(rule(input("1.000.000", "12", "1", "flat"), "principal"), None);
        assert_eq!(rule(input("1,5 juta", "12", "1", "flat"), "principal"), Some(Rule::Format));
        assert_eq!(rule(input("10", "12", "1", "flat"), "principal"), Some(Rule::OutOfRange));
        assert_eq!(rule(input("1000", "0", "1", "flat"), "months"), Some(Rule::OutOfRange));
        assert_eq!(rule(input("1000", "361", "1", "flat"), "months"), Some(Rule::OutOfRange));
        assert_eq!(rule(input("1000", "12", "10.5", "flat"), "monthly_rate_percent"), Some(Rule::OutOfRange));
        assert_eq!(rule(input("1000", "12", "-1", "flat"), "monthly_rate_percent"), Some(Rule::OutOfRange));
        assert_eq!(rule(input("1000", "12", "1", "balloon"), "method"), Some(Rule::OneOf));
        let day_first = ScheduleInput { start_date: "31/01/2026", ..input("1000", "12", "1", "flat") };
        assert_eq!(rule(day_first, "start_date"), Some(Rule::Format));
        assert!(validate_schedule_request(&input(" 1000 ", " 12 ", " 1.5 ", " Annuity ")).is_ok());
    }

    proptest! {
        #[test]
        fn schedules_add_up_to_the_rupiah(
            principal in 1i64..=MAX_PRINCIPAL,
            months in 1u16..=MAX_MONTHS,
            ppm in 0u32..=MonthlyRate::MAX_PPM,
            annuity in any::<bool>(),
            start_day in 0i64..3_650,
        ) {
            prop_assume!(principal >= i64::from(months));
            let start = date!(2024 - 01 - 01) + time::Duration::days(start_day);
            let method = if annuity { ScheduleMethod::Annuity } else { ScheduleMethod::Flat };
            let rate = MonthlyRate::from_ppm(ppm).unwrap_or_default();
            let req = ScheduleRequest::new(rp(principal), months, rate, method, start);
            prop_assert!(req.is_ok());
            let Ok(req) = req else { return Ok(()) };
            let s = req.schedule();
            prop_assert_eq!(s.installments.len(), usize::from(months));
            let principal_sum: i64 = s.installments.iter().map(|i| i.principal.amount()).sum();
            let interest_sum: i64 = s.installments.iter().map(|i| i.interest.amount()).sum();
            let total_sum: i64 = s.installments.iter().map(|i| i.total.amount()).sum();
            prop_assert_eq!(principal_sum, principal);
            prop_assert_eq!(interest_sum, s.total_interest.amount());
            prop_assert_eq!(total_sum, s.total_paid.amount());
            prop_assert_eq!(s.total_paid.amount(), principal + s.total_interest.amount());
            let mut before = principal;
            let mut due = start;
            for (k, i) in s.installments.iter().enumerate() {
                prop_assert_eq!(usize::from(i.number), k + 1);
                prop_assert_eq!(i.total.amount(), i.principal.amount() + i.interest.amount());
                prop_assert!(i.balance_after.amount() < before);
                prop_assert_eq!(i.balance_after.amount(), before - i.principal.amount());
                prop_assert!(i.due_date > due);
                before = i.balance_after.amount();
                due = i.due_date;
            }
            prop_assert_eq!(before, 0);
        }
    }
}
