//! Loans to members: the life of a loan as a state machine, the by-laws' limits, how a repayment
//! is allocated, days past due, the collectibility class and portfolio quality.
//!
//! ```text
//! applied → approved → disbursed → closed (fully repaid)
//!    │         │           └──────→ written_off
//!    └─────────┴──→ rejected
//! ```
//!
//! Approval needs a second user: whoever entered the application may not approve it (the
//! four-eyes rule of the brief, as in Fineract's maker-checker).

use super::money::{Basis, RupiahOps};
use super::schedule::{Schedule, ScheduleRequest};
use crate::service_center::Rupiah;
use crate::validation::{Rule, ValidationErrors};
use time::Date;

code_enum! {
    /// Where a loan stands. See the module documentation for the graph.
    pub enum LoanState {
        /// Entered, schedule shown, waiting for a decision.
        Applied = "applied",
        /// Approved by a second user, not yet paid out.
        Approved = "approved",
        /// Refused (final).
        Rejected = "rejected",
        /// Paid out; repayments are accepted.
        Disbursed = "disbursed",
        /// Fully repaid (final).
        Closed = "closed",
        /// Written off as a loss (final; a later recovery is income, not a repayment).
        WrittenOff = "written_off",
    }
}

code_enum! {
    /// A step in a loan's life.
    pub enum LoanAction {
        Approve = "approve",
        Reject = "reject",
        Disburse = "disburse",
        Close = "close",
        WriteOff = "write_off",
    }
}

/// Why a loan step or a repayment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoanError {
    #[error("a loan that is {from} does not allow {action}")]
    NotAllowed { from: LoanState, action: LoanAction },
    #[error("the user who entered the application cannot approve it")]
    SelfApproval,
    #[error("the loan still has {outstanding} outstanding")]
    Outstanding { outstanding: Rupiah },
    #[error("repayments are only accepted on a disbursed loan, this one is {state}")]
    NotRepayable { state: LoanState },
    #[error("a repayment must be more than zero")]
    ZeroRepayment,
    #[error("the repayment exceeds everything owed ({owed})")]
    Overpayment { owed: Rupiah },
}

impl LoanState {
    pub fn is_final(self) -> bool {
        matches!(self, LoanState::Rejected | LoanState::Closed | LoanState::WrittenOff)
    }
}

/// Takes a loan one step. `actor` is the user doing it, `applicant` the user who entered the
/// application, `outstanding` everything still owed (principal, jasa and penalties due).
pub fn transition(
    from: LoanState,
    action: LoanAction,
    actor: i64,
    applicant: i64,
    outstanding: Rupiah,
) -> Result<LoanState, LoanError> {
    use LoanAction as A;
    use LoanState as S;
    let to = match (from, action) {
        (S::Applied, A::Approve) => S::Approved,
        (S::Applied | S::Approved, A::Reject) => S::Rejected,
        (S::Approved, A::Disburse) => S::Disbursed,
        (S::Disbursed, A::Close) => S::Closed,
        (S::Disbursed, A::WriteOff) => S::WrittenOff,
        _ => return Err(LoanError::NotAllowed { from, action }),
    };
    if action == A::Approve && actor == applicant {
        return Err(LoanError::SelfApproval);
    }
    if action == A::Close && !outstanding.is_zero() {
        return Err(LoanError::Outstanding { outstanding });
    }
    Ok(to)
}

/// The by-laws' loan rules of one cooperative and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanRules {
    pub max_principal: Rupiah,
    pub max_months: u16,
    /// Lowest and highest monthly rate in millionths (see `MonthlyRate`).
    pub min_rate_ppm: u32,
    pub max_rate_ppm: u32,
}

impl LoanRules {
    /// Errors named by the schedule contract's fields, so a form shows them next to the input.
    pub fn check(&self, request: &ScheduleRequest) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if request.principal() > self.max_principal {
            errs.add("principal", Rule::OutOfRange, format!("the by-laws allow at most {}", self.max_principal));
        }
        if request.months() > self.max_months {
            errs.add("months", Rule::OutOfRange, format!("the by-laws allow at most {} months", self.max_months));
        }
        let ppm = request.rate().ppm();
        if ppm < self.min_rate_ppm || ppm > self.max_rate_ppm {
            errs.add("monthly_rate_percent", Rule::OutOfRange, "outside the by-laws' rates");
        }
        errs.into_result()
    }
}

/// What has been paid on a loan so far, by component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paid {
    pub penalty: Rupiah,
    pub interest: Rupiah,
    pub principal: Rupiah,
}

/// What a loan owes on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Owed {
    /// Penalties charged and not yet paid.
    pub penalty: Rupiah,
    /// Jasa of installments due up to and including today, not yet paid.
    pub interest: Rupiah,
    /// Principal of installments due up to and including today, not yet paid (arrears).
    pub principal_due: Rupiah,
    /// All principal not yet repaid, due or not.
    pub principal_outstanding: Rupiah,
}

impl Owed {
    /// Penalties, jasa due and all outstanding principal: what closes the loan today. Jasa of
    /// installments not yet due is not owed on an early repayment (the member-friendly rule; a
    /// cooperative charging it must add it as a fee).
    pub fn payoff(&self) -> Rupiah {
        Rupiah::sum([self.penalty, self.interest, self.principal_outstanding]).unwrap_or(Rupiah::MAX)
    }
}

fn due_through(schedule: &Schedule, today: Date) -> (Rupiah, Rupiah) {
    let due = schedule.installments.iter().filter(|i| i.due_date <= today);
    let principal = Rupiah::sum(due.clone().map(|i| i.principal)).unwrap_or(Rupiah::MAX);
    let interest = Rupiah::sum(due.map(|i| i.interest)).unwrap_or(Rupiah::MAX);
    (principal, interest)
}

/// What the loan owes on `today`, from its schedule, the penalties charged and what was paid.
pub fn owed(schedule: &Schedule, penalties_charged: Rupiah, paid: Paid, today: Date) -> Owed {
    let total_principal = Rupiah::sum(schedule.installments.iter().map(|i| i.principal)).unwrap_or(Rupiah::MAX);
    let (principal_due, interest_due) = due_through(schedule, today);
    Owed {
        penalty: penalties_charged.saturating_sub(paid.penalty),
        interest: interest_due.saturating_sub(paid.interest),
        principal_due: principal_due.saturating_sub(paid.principal),
        principal_outstanding: total_principal.saturating_sub(paid.principal),
    }
}

/// How one repayment is split. The parts add up to the repayment exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allocation {
    pub penalty: Rupiah,
    pub interest: Rupiah,
    pub principal: Rupiah,
}

/// Allocates a repayment: penalties first, then jasa due, then principal — the arrears and, with
/// what is left, principal not yet due (an early repayment, which shortens the loan from the next
/// installment on). A partial repayment simply stops where the money runs out. More than
/// [`Owed::payoff`] is refused rather than kept as a credit: the surplus belongs in the member's
/// simpanan sukarela, by a separate deposit.
pub fn allocate(state: LoanState, payment: Rupiah, owed: &Owed) -> Result<Allocation, LoanError> {
    if state != LoanState::Disbursed {
        return Err(LoanError::NotRepayable { state });
    }
    if payment.is_zero() {
        return Err(LoanError::ZeroRepayment);
    }
    let payoff = owed.payoff();
    if payment > payoff {
        return Err(LoanError::Overpayment { owed: payoff });
    }
    let penalty = payment.min(owed.penalty);
    let rest = payment.saturating_sub(penalty);
    let interest = rest.min(owed.interest);
    let principal = rest.saturating_sub(interest);
    Ok(Allocation { penalty, interest, principal })
}

/// Days past due on `today`: payments cover installments in order (interest and principal
/// cumulatively), and the count runs from the due date of the oldest installment not fully
/// covered. Zero on the due date itself and for a loan that is up to date.
pub fn days_past_due(schedule: &Schedule, paid: Paid, today: Date) -> u32 {
    let (mut principal, mut interest) = (0i64, 0i64);
    for i in &schedule.installments {
        if i.due_date >= today {
            break;
        }
        principal += i.principal.amount();
        interest += i.interest.amount();
        if principal > paid.principal.amount() || interest > paid.interest.amount() {
            return u32::try_from((today - i.due_date).whole_days()).unwrap_or(u32::MAX);
        }
    }
    0
}

code_enum! {
    /// Loan quality by days past due (OJK's five classes, kolektibilitas 1–5).
    pub enum Collectibility {
        /// Lancar.
        Current = "current",
        /// Dalam perhatian khusus.
        SpecialMention = "special_mention",
        /// Kurang lancar.
        Substandard = "substandard",
        /// Diragukan.
        Doubtful = "doubtful",
        /// Macet.
        Loss = "loss",
    }
}

impl Collectibility {
    /// 1 (current) to 5 (loss), as printed in reports.
    pub fn number(self) -> u8 {
        match self {
            Collectibility::Current => 1,
            Collectibility::SpecialMention => 2,
            Collectibility::Substandard => 3,
            Collectibility::Doubtful => 4,
            Collectibility::Loss => 5,
        }
    }

    /// Classes 3–5 are non-performing.
    pub fn is_non_performing(self) -> bool {
        self.number() >= 3
    }
}

/// The highest days past due of classes 1–4 (anything above the last is loss). Configurable per
/// cooperative; only a strictly increasing table can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectibilityTable([u32; 4]);

impl Default for CollectibilityTable {
    /// OJK: current 0, special mention 1–90, substandard 91–120, doubtful 121–180, loss > 180.
    fn default() -> Self {
        CollectibilityTable([0, 90, 120, 180])
    }
}

impl CollectibilityTable {
    /// `None` unless the bounds strictly increase.
    pub fn new(max_days: [u32; 4]) -> Option<CollectibilityTable> {
        max_days.windows(2).all(|w| w[0] < w[1]).then_some(CollectibilityTable(max_days))
    }

    pub fn max_days(&self) -> [u32; 4] {
        self.0
    }

    pub fn classify(&self, days_past_due: u32) -> Collectibility {
        use Collectibility::*;
        let classes = [Current, SpecialMention, Substandard, Doubtful];
        classes.into_iter().zip(self.0).find(|(_, max)| days_past_due <= *max).map_or(Loss, |(c, _)| c)
    }
}

/// One loan as the portfolio report sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanExposure {
    pub principal_outstanding: Rupiah,
    pub days_past_due: u32,
}

/// Portfolio quality; the ratios are shares of outstanding principal, in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortfolioQuality {
    pub outstanding: Rupiah,
    /// Outstanding principal of loans more than 30 days past due.
    pub at_risk_30: Rupiah,
    /// Outstanding principal of non-performing loans (classes 3–5).
    pub non_performing: Rupiah,
    pub par30: Basis,
    pub npl_ratio: Basis,
}

/// PAR30 (the whole outstanding principal of every loan more than 30 days late, over all
/// outstanding principal, as Fineract and CGAP define it) and the non-performing ratio.
pub fn portfolio_quality(loans: &[LoanExposure], table: &CollectibilityTable) -> PortfolioQuality {
    let sum = |f: &dyn Fn(&LoanExposure) -> bool| {
        Rupiah::sum(loans.iter().filter(|l| f(l)).map(|l| l.principal_outstanding)).unwrap_or(Rupiah::MAX)
    };
    let outstanding = sum(&|_| true);
    let at_risk_30 = sum(&|l| l.days_past_due > 30);
    let non_performing = sum(&|l| table.classify(l.days_past_due).is_non_performing());
    PortfolioQuality {
        outstanding,
        at_risk_30,
        non_performing,
        par30: Basis::of(at_risk_30, outstanding),
        npl_ratio: Basis::of(non_performing, outstanding),
    }
}

#[cfg(test)]
mod tests {
    use super::super::schedule::{MonthlyRate, ScheduleMethod};
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    /// Rp 3,000,000 over 3 months at 1 % flat from 10 January: 1,000,000 + 30,000 on 10 Feb,
    /// 10 Mar and 10 Apr.
    fn schedule() -> Schedule {
        let rate = MonthlyRate::from_ppm(10_000).unwrap_or_default();
        match ScheduleRequest::new(rp(3_000_000), 3, rate, ScheduleMethod::Flat, date!(2026 - 01 - 10)) {
            Ok(r) => r.schedule(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn state_machine() {
        use LoanAction as A;
        use LoanState as S;
        assert_eq!(transition(S::Applied, A::Approve, 2, 1, Rupiah::ZERO), Ok(S::Approved));
        assert_eq!(transition(S::Applied, A::Approve, 1, 1, Rupiah::ZERO), Err(LoanError::SelfApproval));
        assert_eq!(transition(S::Approved, A::Disburse, 1, 1, Rupiah::ZERO), Ok(S::Disbursed));
        assert_eq!(transition(S::Applied, A::Disburse, 2, 1, Rupiah::ZERO).ok(), None);
        assert_eq!(transition(S::Disbursed, A::Close, 2, 1, rp(5)), Err(LoanError::Outstanding { outstanding: rp(5) }));
        assert_eq!(transition(S::Disbursed, A::Close, 2, 1, Rupiah::ZERO), Ok(S::Closed));
        assert_eq!(transition(S::Disbursed, A::WriteOff, 2, 1, rp(5)), Ok(S::WrittenOff));
        for s in LoanState::ALL.into_iter().filter(|s| s.is_final()) {
            for a in LoanAction::ALL {
                assert!(transition(s, a, 2, 1, Rupiah::ZERO).is_err(), "{s} {a}");
            }
        }
    }

    #[test]
    fn by_law_limits() {
        let rules =
            LoanRules { max_principal: rp(2_000_000), max_months: 2, min_rate_ppm: 5_000, max_rate_ppm: 20_000 };
        let rate = MonthlyRate::from_ppm(30_000).unwrap_or_default();
        let req = ScheduleRequest::new(rp(3_000_000), 3, rate, ScheduleMethod::Flat, date!(2026 - 01 - 10));
        let errs = req.map(|r| rules.check(&r)).ok().and_then(Result::err).unwrap_or_default();
        assert_eq!(errs.0.len(), 3, "{errs}");
    }

    #[test]
    fn repayments_go_to_penalty_then_jasa_then_principal() {
        let s = schedule();
        let today = date!(2026 - 03 - 20);
        let o = owed(&s, rp(15_000), Paid::default(), today);
        assert_eq!(
            o,
            Owed {
                penalty: rp(15_000),
                interest: rp(60_000),
                principal_due: rp(2_000_000),
                principal_outstanding: rp(3_000_000)
            }
        );
        // Partial: 50,000 covers the penalty and part of the jasa.
        assert_eq!(
            allocate(LoanState::Disbursed, rp(50_000), &o),
            Ok(Allocation { penalty: rp(15_000), interest: rp(35_000), principal: rp(0) })
        );
        // Early: beyond the arrears reduces principal not yet due.
        assert_eq!(
            allocate(LoanState::Disbursed, rp(2_575_000), &o),
            Ok(Allocation { penalty: rp(15_000), interest: rp(60_000), principal: rp(2_500_000) })
        );
        assert_eq!(o.payoff(), rp(3_075_000));
        assert_eq!(
            allocate(LoanState::Disbursed, rp(3_075_001), &o),
            Err(LoanError::Overpayment { owed: rp(3_075_000) })
        );
        assert_eq!(allocate(LoanState::Disbursed, Rupiah::ZERO, &o), Err(LoanError::ZeroRepayment));
        assert_eq!(allocate(LoanState::Closed, rp(1), &o), Err(LoanError::NotRepayable { state: LoanState::Closed }));
    }

    #[test]
    fn days_past_due_follow_the_oldest_uncovered_installment() {
        let s = schedule();
        let nothing = Paid::default();
        assert_eq!(days_past_due(&s, nothing, date!(2026 - 02 - 10)), 0);
        assert_eq!(days_past_due(&s, nothing, date!(2026 - 02 - 11)), 1);
        assert_eq!(days_past_due(&s, nothing, date!(2026 - 03 - 20)), 38);
        let first = Paid { penalty: Rupiah::ZERO, interest: rp(30_000), principal: rp(1_000_000) };
        assert_eq!(days_past_due(&s, first, date!(2026 - 03 - 20)), 10);
        let first_without_jasa = Paid { interest: rp(29_999), ..first };
        assert_eq!(days_past_due(&s, first_without_jasa, date!(2026 - 03 - 20)), 38);
        let all = Paid { penalty: Rupiah::ZERO, interest: rp(90_000), principal: rp(3_000_000) };
        assert_eq!(days_past_due(&s, all, date!(2027 - 01 - 01)), 0);
    }

    #[test]
    fn ojk_classes_by_default_and_configurable() {
        let t = CollectibilityTable::default();
        let cases = [(0, 1), (1, 2), (90, 2), (91, 3), (120, 3), (121, 4), (180, 4), (181, 5), (5_000, 5)];
        for (days, class) in cases {
            assert_eq!(t.classify(days).number(), class, "{days}");
        }
        assert!(!t.classify(90).is_non_performing());
        assert!(t.classify(91).is_non_performing());
        assert_eq!(CollectibilityTable::new([0, 30, 30, 60]), None);
        let strict = CollectibilityTable::new([0, 30, 60, 90]);
        assert_eq!(strict.map(|t| t.classify(61)), Some(Collectibility::Doubtful));
    }

    #[test]
    fn portfolio_ratios() {
        let loan = |o: i64, d: u32| LoanExposure { principal_outstanding: rp(o), days_past_due: d };
        let q = portfolio_quality(
            &[loan(600, 0), loan(200, 31), loan(100, 30), loan(100, 200)],
            &CollectibilityTable::default(),
        );
        assert_eq!(q.outstanding, rp(1_000));
        assert_eq!(q.at_risk_30, rp(300));
        assert_eq!(q.par30.bp(), 3_000);
        assert_eq!(q.non_performing, rp(100));
        assert_eq!(q.npl_ratio.bp(), 1_000);
        assert_eq!(portfolio_quality(&[], &CollectibilityTable::default()).par30, Basis::ZERO);
    }

    proptest! {
        #[test]
        fn allocation_adds_up_and_respects_the_order(
            penalty in 0i64..1_000_000, interest in 0i64..1_000_000,
            principal in 0i64..10_000_000, payment in 1i64..12_000_000,
        ) {
            let o = Owed { penalty: rp(penalty), interest: rp(interest), principal_due: Rupiah::ZERO, principal_outstanding: rp(principal) };
            match allocate(LoanState::Disbursed, rp(payment), &o) {
                Ok(a) => {
                    prop_assert_eq!(Rupiah::sum([a.penalty, a.interest, a.principal]), Some(rp(payment)));
                    prop_assert!(a.interest.is_zero() || a.penalty == o.penalty);
                    prop_assert!(a.principal.is_zero() || a.interest == o.interest);
                    prop_assert!(a.principal <= o.principal_outstanding);
                }
                Err(e) => prop_assert_eq!(e, LoanError::Overpayment { owed: o.payoff() }),
            }
        }
    }
}
