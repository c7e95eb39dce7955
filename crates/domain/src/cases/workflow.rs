//! A case's life, and each referral's, as state machines with the rule each step must meet.
//!
//! ```text
//! new → assessed → referred → in_progress → resolved → closed
//!  │       │   ▲       │            │           │          │
//!  │       │   └───────┘ (every     │           └→ reopened ←┘
//!  │       │    referral declined)  │                 │
//!  │       └──→ in_progress         │                 └──→ assessed
//!  └───────┴──────────┴─────────────┴──→ closed (with an outcome)
//! ```
//!
//! - `assessed → in_progress`: the village or Disnaker handles the case itself (a wage claim
//!   mediated with the agency) with no partner involved.
//! - `referred → assessed`: every partner declined; the handler reassesses (reason required).
//! - `closed` is reachable from every open state, always with an [`Outcome`]: a tip that turns
//!   out unfounded is closed from `new`.
//! - `reopened` (from `resolved` or `closed`, with a reason) goes back to `assessed`: a
//!   re-victimised worker, or a settlement that was not paid.
//!
//! A referral (one case may have several):
//!
//! ```text
//! sent → accepted → services_recorded ⟲ → closed
//!   │        └──────────────────────────→ closed (reason: nothing given)
//!   ├→ declined (reason)
//!   └→ closed (reason: withdrawn)
//! ```
//!
//! Steps are dated by the person who records them (the date it happened), never after `today`
//! and never before the previous step; both dates are passed in.

use super::kinds::{PartnerProfile, Service, Severity};
use std::fmt;
use time::{Date, Duration};

code_enum! {
    /// Where a case stands. See the module documentation for the graph.
    pub enum CaseStatus {
        /// Opened; nobody has looked at it yet.
        New = "new",
        /// The handler has assessed what happened and what is needed.
        Assessed = "assessed",
        /// Sent to at least one partner; waiting for an answer.
        Referred = "referred",
        /// Being worked on (by a partner that accepted, or by the village itself).
        InProgress = "in_progress",
        /// The need is met; waiting to be closed, may still be reopened.
        Resolved = "resolved",
        /// Closed with an outcome. May be reopened.
        Closed = "closed",
        /// Reopened with a reason; goes back to assessment.
        Reopened = "reopened",
    }
}

impl CaseStatus {
    /// The states this one may go to, in the order a form should offer them.
    pub fn next_states(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            New => &[Assessed, Closed],
            Assessed => &[Referred, InProgress, Closed],
            Referred => &[InProgress, Assessed, Closed],
            InProgress => &[Resolved, Closed],
            Resolved => &[Closed, Reopened],
            Closed => &[Reopened],
            Reopened => &[Assessed],
        }
    }

    pub fn can_go_to(self, to: CaseStatus) -> bool {
        self.next_states().contains(&to)
    }

    /// Someone still has work to do: everything but resolved and closed. Only open cases can
    /// be overdue.
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }
}

code_enum! {
    /// How a case ended. Required to close.
    pub enum Outcome {
        /// Wages or other money owed recovered, in full or as agreed.
        WagesRecovered = "wages_recovered",
        /// Settled by mediation with the employer or agency.
        Settled = "settled",
        /// The worker (or their remains) brought home.
        Repatriated = "repatriated",
        /// Home and supported back into family and village life.
        Reintegrated = "reintegrated",
        /// Contact with a missing worker restored.
        ContactRestored = "contact_restored",
        /// Handed to the police and prosecution; the criminal case continues outside.
        Prosecuted = "prosecuted",
        /// The victim declined (further) services.
        VictimDeclined = "victim_declined",
        /// No longer reachable; nothing more can be done.
        LostToFollowUp = "lost_to_follow_up",
        /// What was reported did not happen or is not a case.
        Unfounded = "unfounded",
        /// The same matter is followed in another case.
        Duplicate = "duplicate",
        /// Needs the outcome in words (`StepContext::reason`).
        Other = "other",
    }
}

code_enum! {
    /// Where one referral stands. See the module documentation for the graph.
    pub enum ReferralStatus {
        /// Sent to the partner; waiting for an answer.
        Sent = "sent",
        Accepted = "accepted",
        /// Declined by the partner, with a reason (final).
        Declined = "declined",
        /// At least one service was given and recorded.
        ServicesRecorded = "services_recorded",
        /// Finished: reported back, or withdrawn before an answer (final).
        Closed = "closed",
    }
}

impl ReferralStatus {
    pub fn next_states(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            Sent => &[Accepted, Declined, Closed],
            Accepted => &[ServicesRecorded, Closed],
            // Services are recorded as they are given: shelter today, legal aid next month.
            ServicesRecorded => &[ServicesRecorded, Closed],
            Declined | Closed => &[],
        }
    }

    pub fn can_go_to(self, to: ReferralStatus) -> bool {
        self.next_states().contains(&to)
    }

    /// Declined and closed: nothing follows.
    pub fn is_final(self) -> bool {
        self.next_states().is_empty()
    }
}

/// The longest free-text reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// What a step's rule needs to know, gathered by the caller at the moment of the step. One
/// context serves case steps and referral steps; fields a step does not use are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepContext {
    /// When the step happened (chosen by the person recording it).
    pub date: Date,
    /// Today's date (the domain has no clock).
    pub today: Date,
    /// The date of the previous step of this case (or referral); `None` for the first.
    pub previous_date: Option<Date>,
    /// The user recording the step (who did what, for the timeline and the audit log).
    pub actor_user_id: i64,
    /// Required to reopen, to go back from referred to assessed, to close with
    /// `Outcome::Other`, to decline a referral, and to close a referral without services.
    pub reason: Option<String>,
    /// Required to close a case.
    pub outcome: Option<Outcome>,
    /// Referrals of the case that are sent, accepted or have services recorded. Moving a case
    /// to `referred` needs at least one.
    pub active_referrals: usize,
    /// The services a referral step records as given (`services_recorded`).
    pub services_given: Vec<Service>,
}

impl StepContext {
    /// A context with nothing but the dates and the actor.
    pub fn new(date: Date, today: Date, previous_date: Option<Date>, actor_user_id: i64) -> StepContext {
        StepContext {
            date,
            today,
            previous_date,
            actor_user_id,
            reason: None,
            outcome: None,
            active_referrals: 0,
            services_given: Vec::new(),
        }
    }
}

/// An accepted case step, ready to be stored on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTransition {
    pub from: CaseStatus,
    pub to: CaseStatus,
    pub date: Date,
    pub actor_user_id: i64,
    /// Trimmed; `None` when none was given.
    pub reason: Option<String>,
    /// Some exactly when `to` is closed.
    pub outcome: Option<Outcome>,
}

/// An accepted referral step, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralStep {
    pub from: ReferralStatus,
    pub to: ReferralStatus,
    pub date: Date,
    pub actor_user_id: i64,
    pub reason: Option<String>,
    /// The services given, without repeats; non-empty exactly when `to` is services_recorded.
    pub services: Vec<Service>,
}

/// Why a step (or a due date, or a stored state) was refused. `code()` is stable; `Display`
/// names the rule in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowError {
    /// The case graph does not allow this step.
    OutOfOrder { from: CaseStatus, to: CaseStatus },
    /// The referral graph does not allow this step.
    ReferralOutOfOrder { from: ReferralStatus, to: ReferralStatus },
    /// The step is dated after today.
    DateInFuture { date: Date, today: Date },
    /// The step is dated before the previous step.
    DateBeforePrevious { date: Date, previous: Date },
    /// This step needs a reason in words (`step` names it: `reopen`, `decline`…).
    ReasonRequired { step: &'static str },
    /// A text field is longer than allowed.
    TooLong { field: &'static str, max: usize },
    /// Closing a case needs an outcome.
    OutcomeRequired,
    /// `referred` with no active referral.
    ReferralRequired,
    /// Recording services with none given.
    ServicesRequired,
    /// Recording services the partner does not offer.
    ServiceNotOffered { not_offered: Vec<Service> },
    /// A due date set before today.
    DueDateInPast { due: Date, today: Date },
    /// A stored case whose status and outcome disagree (closed without an outcome, or an
    /// outcome on an open case).
    InconsistentState { status: CaseStatus },
}

impl WorkflowError {
    /// Stable machine name.
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::OutOfOrder { .. } => "out_of_order",
            WorkflowError::ReferralOutOfOrder { .. } => "referral_out_of_order",
            WorkflowError::DateInFuture { .. } => "date_in_future",
            WorkflowError::DateBeforePrevious { .. } => "date_before_previous",
            WorkflowError::ReasonRequired { .. } => "reason_required",
            WorkflowError::TooLong { .. } => "too_long",
            WorkflowError::OutcomeRequired => "outcome_required",
            WorkflowError::ReferralRequired => "referral_required",
            WorkflowError::ServicesRequired => "services_required",
            WorkflowError::ServiceNotOffered { .. } => "service_not_offered",
            WorkflowError::DueDateInPast { .. } => "due_date_in_past",
            WorkflowError::InconsistentState { .. } => "inconsistent_state",
        }
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkflowError::OutOfOrder { from, to } => {
                write!(f, "a case cannot go from {from} to {to}: the next step is one of {}", list(from.next_states()))
            }
            WorkflowError::ReferralOutOfOrder { from, to } if from.is_final() => {
                write!(f, "a referral cannot go from {from} to {to}: {from} is final")
            }
            WorkflowError::ReferralOutOfOrder { from, to } => write!(
                f,
                "a referral cannot go from {from} to {to}: the next step is one of {}",
                list(from.next_states())
            ),
            WorkflowError::DateInFuture { date, today } => {
                write!(f, "the step date {date} is in the future (today is {today})")
            }
            WorkflowError::DateBeforePrevious { date, previous } => {
                write!(f, "the step date {date} is before the previous step's date {previous}")
            }
            WorkflowError::ReasonRequired { step } => write!(f, "a reason is required to {step}"),
            WorkflowError::TooLong { field, max } => write!(f, "{field} must be at most {max} characters"),
            WorkflowError::OutcomeRequired => {
                write!(f, "closing a case needs an outcome, one of {}", Outcome::codes())
            }
            WorkflowError::ReferralRequired => {
                f.write_str("a case can be marked referred only once a referral has been sent")
            }
            WorkflowError::ServicesRequired => f.write_str("record at least one service given"),
            WorkflowError::ServiceNotOffered { not_offered } => {
                write!(f, "the partner does not offer {}", list(not_offered))
            }
            WorkflowError::DueDateInPast { due, today } => {
                write!(f, "the due date {due} is in the past (today is {today})")
            }
            WorkflowError::InconsistentState { status } if *status == CaseStatus::Closed => {
                f.write_str("a closed case must have an outcome")
            }
            WorkflowError::InconsistentState { status } => write!(f, "a {status} case cannot have an outcome"),
        }
    }
}

impl std::error::Error for WorkflowError {}

/// Trimmed text, `None` when blank; refused when longer than `max` characters.
fn optional_text(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>, WorkflowError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > max {
        return Err(WorkflowError::TooLong { field, max });
    }
    Ok(Some(v.to_string()))
}

fn check_dates(ctx: &StepContext) -> Result<(), WorkflowError> {
    if ctx.date > ctx.today {
        return Err(WorkflowError::DateInFuture { date: ctx.date, today: ctx.today });
    }
    if let Some(previous) = ctx.previous_date
        && ctx.date < previous
    {
        return Err(WorkflowError::DateBeforePrevious { date: ctx.date, previous });
    }
    Ok(())
}

/// Checks one step of a case and returns what to store, or the rule it breaks.
///
/// Checks run in this order and the first failure is returned: the graph, the dates, the
/// reason's length, then the target state's own rule.
pub fn transition(from: CaseStatus, to: CaseStatus, ctx: &StepContext) -> Result<CaseTransition, WorkflowError> {
    if !from.can_go_to(to) {
        return Err(WorkflowError::OutOfOrder { from, to });
    }
    check_dates(ctx)?;
    let reason = optional_text("reason", ctx.reason.as_deref(), MAX_REASON_CHARS)?;
    let mut step = CaseTransition { from, to, date: ctx.date, actor_user_id: ctx.actor_user_id, reason, outcome: None };
    match to {
        CaseStatus::Closed => {
            let Some(outcome) = ctx.outcome else { return Err(WorkflowError::OutcomeRequired) };
            if outcome == Outcome::Other && step.reason.is_none() {
                return Err(WorkflowError::ReasonRequired { step: "close a case with an \"other\" outcome" });
            }
            step.outcome = Some(outcome);
        }
        CaseStatus::Reopened => {
            if step.reason.is_none() {
                return Err(WorkflowError::ReasonRequired { step: "reopen a case" });
            }
        }
        CaseStatus::Assessed if from == CaseStatus::Referred => {
            if step.reason.is_none() {
                return Err(WorkflowError::ReasonRequired { step: "take a referred case back to assessment" });
            }
        }
        CaseStatus::Referred => {
            if ctx.active_referrals == 0 {
                return Err(WorkflowError::ReferralRequired);
            }
        }
        CaseStatus::New | CaseStatus::Assessed | CaseStatus::InProgress | CaseStatus::Resolved => {}
    }
    Ok(step)
}

/// Checks one step of a referral to `partner` and returns what to store.
///
/// Who may take the step (the partner's users accept, decline and record; the handler
/// withdraws) is an access question for the caller.
pub fn referral_step(
    from: ReferralStatus,
    to: ReferralStatus,
    ctx: &StepContext,
    partner: &PartnerProfile,
) -> Result<ReferralStep, WorkflowError> {
    if !from.can_go_to(to) {
        return Err(WorkflowError::ReferralOutOfOrder { from, to });
    }
    check_dates(ctx)?;
    let reason = optional_text("reason", ctx.reason.as_deref(), MAX_REASON_CHARS)?;
    let mut step =
        ReferralStep { from, to, date: ctx.date, actor_user_id: ctx.actor_user_id, reason, services: Vec::new() };
    match (from, to) {
        (_, ReferralStatus::Declined) if step.reason.is_none() => {
            return Err(WorkflowError::ReasonRequired { step: "decline a referral" });
        }
        // Closing after services is the normal end; closing before any service was given
        // (withdrawn, or the victim refused) must say why.
        (ReferralStatus::Sent | ReferralStatus::Accepted, ReferralStatus::Closed) if step.reason.is_none() => {
            return Err(WorkflowError::ReasonRequired { step: "close a referral before any service was given" });
        }
        (_, ReferralStatus::ServicesRecorded) => {
            let mut given: Vec<Service> = Vec::new();
            for s in &ctx.services_given {
                if !given.contains(s) {
                    given.push(*s);
                }
            }
            if given.is_empty() {
                return Err(WorkflowError::ServicesRequired);
            }
            let not_offered: Vec<Service> = given.iter().copied().filter(|s| !partner.serves(*s)).collect();
            if !not_offered.is_empty() {
                return Err(WorkflowError::ServiceNotOffered { not_offered });
            }
            step.services = given;
        }
        _ => {}
    }
    Ok(step)
}

/// A case's current status with the invariants of the graph kept by construction: a closed
/// case always has its outcome, an open one never has one, and dates never go backwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLifecycle {
    status: CaseStatus,
    last_date: Date,
    outcome: Option<Outcome>,
}

impl CaseLifecycle {
    /// A new case, opened on `date` (not after `today`).
    pub fn open(date: Date, today: Date) -> Result<CaseLifecycle, WorkflowError> {
        if date > today {
            return Err(WorkflowError::DateInFuture { date, today });
        }
        Ok(CaseLifecycle { status: CaseStatus::New, last_date: date, outcome: None })
    }

    /// A case as stored: `last_date` is the date of its latest step. Refused when status and
    /// outcome disagree.
    pub fn restore(
        status: CaseStatus,
        last_date: Date,
        outcome: Option<Outcome>,
    ) -> Result<CaseLifecycle, WorkflowError> {
        if (status == CaseStatus::Closed) != outcome.is_some() {
            return Err(WorkflowError::InconsistentState { status });
        }
        Ok(CaseLifecycle { status, last_date, outcome })
    }

    pub fn status(&self) -> CaseStatus {
        self.status
    }

    pub fn last_date(&self) -> Date {
        self.last_date
    }

    /// Some exactly when the case is closed.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// Takes a step. `ctx.previous_date` is ignored: the lifecycle knows its own last date.
    /// On error nothing changes.
    pub fn apply(&mut self, to: CaseStatus, ctx: &StepContext) -> Result<CaseTransition, WorkflowError> {
        let ctx = StepContext { previous_date: Some(self.last_date), ..ctx.clone() };
        let step = transition(self.status, to, &ctx)?;
        self.status = step.to;
        self.last_date = step.date;
        self.outcome = step.outcome;
        Ok(step)
    }

    /// See [`is_overdue`].
    pub fn is_overdue(&self, due: Option<DueDate>, today: Date) -> bool {
        is_overdue(self.status, due, today)
    }
}

/// The date a case should be dealt with by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DueDate(Date);

impl DueDate {
    /// A due date being set or changed now: not before today (a date already past would make
    /// the case overdue the moment it is saved, which is a typing mistake, not a plan).
    pub fn set(due: Date, today: Date) -> Result<DueDate, WorkflowError> {
        if due < today {
            return Err(WorkflowError::DueDateInPast { due, today });
        }
        Ok(DueDate(due))
    }

    /// A due date read back from storage; it may well be past by now.
    pub fn stored(due: Date) -> DueDate {
        DueDate(due)
    }

    /// The default a form pre-fills: `opened` plus the severity's response days, but never
    /// before `today` (a case typed in late is still given time).
    pub fn suggested(severity: Severity, opened: Date, today: Date) -> DueDate {
        let due = opened.saturating_add(Duration::days(severity.default_response_days()));
        DueDate(due.max(today))
    }

    pub fn date(self) -> Date {
        self.0
    }
}

/// An open case whose due date has passed (due today is not yet overdue). Resolved and closed
/// cases are never overdue, nor is a case with no due date.
pub fn is_overdue(status: CaseStatus, due: Option<DueDate>, today: Date) -> bool {
    status.is_open() && due.is_some_and(|d| d.0 < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::kinds::{PartnerId, PartnerType};
    use proptest::prelude::*;
    use time::macros::date;

    use CaseStatus::*;

    const TODAY: Date = date!(2026 - 03 - 15);
    const ACTOR: i64 = 42;

    fn ctx() -> StepContext {
        StepContext::new(date!(2026 - 03 - 10), TODAY, Some(date!(2026 - 03 - 01)), ACTOR)
    }

    /// A context that satisfies every case rule.
    fn full_ctx() -> StepContext {
        StepContext {
            reason: Some("Reported again by the family".into()),
            outcome: Some(Outcome::Repatriated),
            active_referrals: 1,
            ..ctx()
        }
    }

    fn err(from: CaseStatus, to: CaseStatus, c: &StepContext) -> WorkflowError {
        match transition(from, to, c) {
            Err(e) => e,
            Ok(t) => panic!("expected an error for {from} → {to}, got {t:?}"),
        }
    }

    /// The documented case graph, written out independently of `next_states`.
    const EDGES: [(CaseStatus, CaseStatus); 14] = [
        (New, Assessed),
        (New, Closed),
        (Assessed, Referred),
        (Assessed, InProgress),
        (Assessed, Closed),
        (Referred, InProgress),
        (Referred, Assessed),
        (Referred, Closed),
        (InProgress, Resolved),
        (InProgress, Closed),
        (Resolved, Closed),
        (Resolved, Reopened),
        (Closed, Reopened),
        (Reopened, Assessed),
    ];

    const REFERRAL_EDGES: [(ReferralStatus, ReferralStatus); 7] = [
        (ReferralStatus::Sent, ReferralStatus::Accepted),
        (ReferralStatus::Sent, ReferralStatus::Declined),
        (ReferralStatus::Sent, ReferralStatus::Closed),
        (ReferralStatus::Accepted, ReferralStatus::ServicesRecorded),
        (ReferralStatus::Accepted, ReferralStatus::Closed),
        (ReferralStatus::ServicesRecorded, ReferralStatus::ServicesRecorded),
        (ReferralStatus::ServicesRecorded, ReferralStatus::Closed),
    ];

    #[test]
    fn codes_round_trip() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(&s.as_str().to_uppercase()), Some(s));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        for r in ReferralStatus::ALL {
            assert_eq!(ReferralStatus::parse(r.as_str()), Some(r));
        }
        assert_eq!(InProgress.to_string(), "in_progress");
    }

    #[test]
    fn the_graphs_are_the_documented_ones() {
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                assert_eq!(from.can_go_to(to), EDGES.contains(&(from, to)), "{from} → {to}");
            }
        }
        for from in ReferralStatus::ALL {
            for to in ReferralStatus::ALL {
                assert_eq!(from.can_go_to(to), REFERRAL_EDGES.contains(&(from, to)), "{from} → {to}");
            }
        }
    }

    #[test]
    fn the_main_path_with_actor_and_dates() {
        let mut case = CaseLifecycle::open(date!(2026 - 03 - 01), TODAY).unwrap();
        let at = |d: Date| StepContext { date: d, active_referrals: 1, ..StepContext::new(d, TODAY, None, ACTOR) };
        case.apply(Assessed, &at(date!(2026 - 03 - 02))).unwrap();
        case.apply(Referred, &at(date!(2026 - 03 - 02))).unwrap();
        case.apply(InProgress, &at(date!(2026 - 03 - 05))).unwrap();
        let t = case.apply(Resolved, &at(date!(2026 - 03 - 12))).unwrap();
        assert_eq!((t.from, t.to, t.actor_user_id), (InProgress, Resolved, ACTOR));
        assert_eq!(case.outcome(), None);
        let close = StepContext { outcome: Some(Outcome::Reintegrated), ..at(TODAY) };
        let t = case.apply(Closed, &close).unwrap();
        assert_eq!(t.outcome, Some(Outcome::Reintegrated));
        assert_eq!((case.status(), case.outcome(), case.last_date()), (Closed, Some(Outcome::Reintegrated), TODAY));
    }

    #[test]
    fn steps_out_of_order_are_refused_with_the_next_steps() {
        let e = err(New, Resolved, &full_ctx());
        assert_eq!(e, WorkflowError::OutOfOrder { from: New, to: Resolved });
        assert_eq!(e.code(), "out_of_order");
        assert_eq!(e.to_string(), "a case cannot go from new to resolved: the next step is one of assessed, closed");
        assert_eq!(err(Reopened, Referred, &full_ctx()).code(), "out_of_order");
        assert_eq!(err(Closed, Assessed, &full_ctx()).code(), "out_of_order");
    }

    #[test]
    fn dates_are_checked() {
        let c = StepContext { date: date!(2026 - 03 - 16), ..ctx() };
        assert_eq!(err(New, Assessed, &c), WorkflowError::DateInFuture { date: date!(2026 - 03 - 16), today: TODAY });
        let c = StepContext { date: date!(2026 - 02 - 28), ..ctx() };
        assert_eq!(err(New, Assessed, &c).code(), "date_before_previous");
        // The same day as the previous step and today are both fine.
        transition(New, Assessed, &StepContext { date: date!(2026 - 03 - 01), ..ctx() }).unwrap();
        transition(New, Assessed, &StepContext { date: TODAY, ..ctx() }).unwrap();
        assert_eq!(CaseLifecycle::open(date!(2026 - 03 - 16), TODAY).unwrap_err().code(), "date_in_future");
    }

    #[test]
    fn the_lifecycle_keeps_its_own_previous_date() {
        let mut case = CaseLifecycle::open(date!(2026 - 03 - 10), TODAY).unwrap();
        // A stale previous_date in the context does not let a step go back in time.
        let c = StepContext { date: date!(2026 - 03 - 05), previous_date: None, ..ctx() };
        assert_eq!(case.apply(Assessed, &c).unwrap_err().code(), "date_before_previous");
        assert_eq!(case.status(), New);
    }

    #[test]
    fn closing_needs_an_outcome() {
        let c = StepContext { outcome: None, ..full_ctx() };
        let e = err(InProgress, Closed, &c);
        assert_eq!(e, WorkflowError::OutcomeRequired);
        assert!(e.to_string().contains("unfounded"));
        let c = StepContext { outcome: Some(Outcome::Other), reason: Some("  ".into()), ..full_ctx() };
        assert_eq!(err(New, Closed, &c).code(), "reason_required");
        let c = StepContext { outcome: Some(Outcome::Unfounded), reason: None, ..full_ctx() };
        assert_eq!(transition(New, Closed, &c).unwrap().outcome, Some(Outcome::Unfounded));
    }

    #[test]
    fn outcomes_are_dropped_on_other_steps() {
        let t = transition(New, Assessed, &full_ctx()).unwrap();
        assert_eq!(t.outcome, None);
    }

    #[test]
    fn reopening_needs_a_reason_and_clears_the_outcome() {
        let c = StepContext { reason: None, ..full_ctx() };
        let e = err(Closed, Reopened, &c);
        assert_eq!(e, WorkflowError::ReasonRequired { step: "reopen a case" });
        assert_eq!(e.to_string(), "a reason is required to reopen a case");
        assert_eq!(err(Resolved, Reopened, &c).code(), "reason_required");
        let mut case = CaseLifecycle::restore(Closed, date!(2026 - 03 - 01), Some(Outcome::Settled)).unwrap();
        let t = case.apply(Reopened, &full_ctx()).unwrap();
        assert_eq!(t.reason.as_deref(), Some("Reported again by the family"));
        assert_eq!((case.status(), case.outcome()), (Reopened, None));
        case.apply(Assessed, &ctx()).unwrap();
    }

    #[test]
    fn back_to_assessment_needs_a_reason_and_referred_needs_a_referral() {
        let c = StepContext { reason: None, ..full_ctx() };
        assert_eq!(err(Referred, Assessed, &c).code(), "reason_required");
        transition(Reopened, Assessed, &c).unwrap();
        let c = StepContext { active_referrals: 0, ..full_ctx() };
        let e = err(Assessed, Referred, &c);
        assert_eq!(e, WorkflowError::ReferralRequired);
    }

    #[test]
    fn long_reasons_are_refused_and_text_is_trimmed() {
        let c = StepContext { reason: Some("x".repeat(MAX_REASON_CHARS + 1)), ..full_ctx() };
        assert_eq!(err(Closed, Reopened, &c), WorkflowError::TooLong { field: "reason", max: MAX_REASON_CHARS });
        let c = StepContext { reason: Some("  Wages unpaid again  ".into()), ..full_ctx() };
        assert_eq!(transition(Closed, Reopened, &c).unwrap().reason.as_deref(), Some("Wages unpaid again"));
    }

    #[test]
    fn restore_refuses_inconsistent_states() {
        let d = date!(2026 - 03 - 01);
        let e = CaseLifecycle::restore(Closed, d, None).unwrap_err();
        assert_eq!(e.to_string(), "a closed case must have an outcome");
        let e = CaseLifecycle::restore(Resolved, d, Some(Outcome::Settled)).unwrap_err();
        assert_eq!(e.to_string(), "a resolved case cannot have an outcome");
        assert!(CaseLifecycle::restore(InProgress, d, None).is_ok());
    }

    #[test]
    fn due_dates() {
        let e = DueDate::set(date!(2026 - 03 - 14), TODAY).unwrap_err();
        assert_eq!(e, WorkflowError::DueDateInPast { due: date!(2026 - 03 - 14), today: TODAY });
        assert_eq!(e.code(), "due_date_in_past");
        let due = DueDate::set(TODAY, TODAY).unwrap();
        assert!(!is_overdue(InProgress, Some(due), TODAY));
        assert!(is_overdue(InProgress, Some(due), date!(2026 - 03 - 16)));
        // Stored dates may be past; resolved and closed cases are never overdue.
        let past = DueDate::stored(date!(2026 - 01 - 01));
        for s in CaseStatus::ALL {
            assert_eq!(is_overdue(s, Some(past), TODAY), !matches!(s, Resolved | Closed), "{s}");
            assert!(!is_overdue(s, None, TODAY));
        }
        let case = CaseLifecycle::open(TODAY, TODAY).unwrap();
        assert!(case.is_overdue(Some(past), TODAY));
        assert_eq!(DueDate::suggested(Severity::Critical, TODAY, TODAY).date(), date!(2026 - 03 - 16));
        assert_eq!(DueDate::suggested(Severity::Low, date!(2026 - 01 - 01), TODAY).date(), TODAY);
    }

    fn iom() -> PartnerProfile {
        PartnerProfile::with_defaults(PartnerId(9), PartnerType::Iom)
    }

    #[test]
    fn referral_path_accept_record_close() {
        use ReferralStatus as R;
        let c = StepContext { services_given: vec![Service::Shelter, Service::LegalAid, Service::Shelter], ..ctx() };
        referral_step(R::Sent, R::Accepted, &ctx(), &iom()).unwrap();
        let s = referral_step(R::Accepted, R::ServicesRecorded, &c, &iom()).unwrap();
        assert_eq!(s.services, [Service::Shelter, Service::LegalAid]);
        referral_step(R::ServicesRecorded, R::ServicesRecorded, &c, &iom()).unwrap();
        let s = referral_step(R::ServicesRecorded, R::Closed, &ctx(), &iom()).unwrap();
        assert!(s.services.is_empty() && s.reason.is_none());
    }

    #[test]
    fn referral_rules() {
        use ReferralStatus as R;
        let e = referral_step(R::Sent, R::Declined, &ctx(), &iom()).unwrap_err();
        assert_eq!(e.to_string(), "a reason is required to decline a referral");
        let why = StepContext { reason: Some("No capacity in the shelter this month".into()), ..ctx() };
        assert_eq!(referral_step(R::Sent, R::Declined, &why, &iom()).unwrap().reason, why.reason);
        assert_eq!(referral_step(R::Sent, R::Closed, &ctx(), &iom()).unwrap_err().code(), "reason_required");
        assert_eq!(referral_step(R::Accepted, R::Closed, &ctx(), &iom()).unwrap_err().code(), "reason_required");
        referral_step(R::Accepted, R::Closed, &why, &iom()).unwrap();
        assert_eq!(
            referral_step(R::Accepted, R::ServicesRecorded, &ctx(), &iom()).unwrap_err(),
            WorkflowError::ServicesRequired
        );
        let hospital = PartnerProfile::with_defaults(PartnerId(2), PartnerType::Hospital);
        let c = StepContext { services_given: vec![Service::MedicalCare, Service::Shelter], ..ctx() };
        let e = referral_step(R::Accepted, R::ServicesRecorded, &c, &hospital).unwrap_err();
        assert_eq!(e, WorkflowError::ServiceNotOffered { not_offered: vec![Service::Shelter] });
        assert_eq!(e.to_string(), "the partner does not offer shelter");
        let e = referral_step(R::Declined, R::Accepted, &why, &iom()).unwrap_err();
        assert_eq!(e.to_string(), "a referral cannot go from declined to accepted: declined is final");
        assert_eq!(
            referral_step(R::Sent, R::ServicesRecorded, &c, &iom()).unwrap_err().code(),
            "referral_out_of_order"
        );
        let future = StepContext { date: date!(2026 - 03 - 16), ..why };
        assert_eq!(referral_step(R::Sent, R::Declined, &future, &iom()).unwrap_err().code(), "date_in_future");
    }

    #[test]
    fn every_error_has_a_distinct_code() {
        let errors = [
            WorkflowError::OutOfOrder { from: New, to: Closed },
            WorkflowError::ReferralOutOfOrder { from: ReferralStatus::Sent, to: ReferralStatus::Sent },
            WorkflowError::DateInFuture { date: TODAY, today: TODAY },
            WorkflowError::DateBeforePrevious { date: TODAY, previous: TODAY },
            WorkflowError::ReasonRequired { step: "x" },
            WorkflowError::TooLong { field: "reason", max: 1 },
            WorkflowError::OutcomeRequired,
            WorkflowError::ReferralRequired,
            WorkflowError::ServicesRequired,
            WorkflowError::ServiceNotOffered { not_offered: vec![] },
            WorkflowError::DueDateInPast { due: TODAY, today: TODAY },
            WorkflowError::InconsistentState { status: New },
        ];
        let mut codes: Vec<&str> = errors.iter().map(WorkflowError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        assert!(errors.iter().all(|e| !e.to_string().is_empty()));
    }

    fn any_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(prop_oneof![Just(String::new()), Just("  ".to_string()), "[A-Za-z ,.]{1,40}"])
    }

    prop_compose! {
        fn any_ctx()(
            date_offset in prop_oneof![4 => -2i64..=0, 1 => -5i64..=3],
            reason in any_text(),
            outcome in proptest::option::of(proptest::sample::select(Outcome::ALL.to_vec())),
            active_referrals in 0usize..3,
            services_given in proptest::collection::vec(proptest::sample::select(Service::ALL.to_vec()), 0..3),
        ) -> StepContext {
            StepContext {
                date: TODAY.saturating_add(Duration::days(date_offset)),
                today: TODAY,
                previous_date: None,
                actor_user_id: ACTOR,
                reason,
                outcome,
                active_referrals,
                services_given,
            }
        }
    }

    fn any_walk() -> impl Strategy<Value = Vec<(bool, usize, StepContext)>> {
        proptest::collection::vec((any::<bool>(), any::<usize>(), any_ctx()), 0..60)
    }

    /// Half the time a documented next state (so walks get deep), otherwise any state.
    fn pick<T: Copy>(next: &[T], all: &[T], follow_graph: bool, pick: usize) -> T {
        if follow_graph && !next.is_empty() { next[pick % next.len()] } else { all[pick % all.len()] }
    }

    /// The walks the property tests draw reach every state, so the properties are not vacuous.
    #[test]
    fn random_walks_reach_every_state() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut visited = vec![New];
        let mut referral_visited = vec![ReferralStatus::Sent];
        for _ in 0..300 {
            let Ok(tree) = any_walk().new_tree(&mut runner) else { continue };
            let Ok(mut case) = CaseLifecycle::open(date!(2026 - 03 - 01), TODAY) else { continue };
            let mut referral = ReferralStatus::Sent;
            for (follow, n, c) in tree.current() {
                let to = pick(case.status().next_states(), &CaseStatus::ALL, follow, n);
                if case.apply(to, &c).is_ok() && !visited.contains(&to) {
                    visited.push(to);
                }
                let to = pick(referral.next_states(), &ReferralStatus::ALL, follow, n);
                if referral_step(referral, to, &StepContext { previous_date: None, ..c }, &iom()).is_ok() {
                    referral = to;
                    if !referral_visited.contains(&to) {
                        referral_visited.push(to);
                    }
                }
            }
        }
        assert_eq!(visited.len(), CaseStatus::ALL.len(), "{visited:?}");
        assert_eq!(referral_visited.len(), ReferralStatus::ALL.len(), "{referral_visited:?}");
    }

    proptest! {
        #[test]
        fn random_walks_take_only_documented_edges_and_closed_has_an_outcome(steps in any_walk()) {
            let mut case = CaseLifecycle::open(date!(2026 - 03 - 01), TODAY).unwrap();
            for (follow, n, c) in steps {
                let from = case.status();
                let before = case.clone();
                let to = pick(from.next_states(), &CaseStatus::ALL, follow, n);
                match case.apply(to, &c) {
                    Ok(t) => {
                        prop_assert!(EDGES.contains(&(from, to)), "{} → {} accepted", from, to);
                        prop_assert_eq!((t.from, t.to, t.actor_user_id), (from, to, ACTOR));
                        prop_assert!(t.date <= TODAY && t.date >= before.last_date());
                        prop_assert_eq!(t.outcome.is_some(), to == Closed);
                        if matches!(to, Reopened) || (from, to) == (Referred, Assessed) {
                            prop_assert!(t.reason.is_some());
                        }
                    }
                    Err(_) => prop_assert_eq!(&case, &before),
                }
                prop_assert_eq!(case.outcome().is_some(), case.status() == Closed);
            }
        }

        #[test]
        fn referral_walks_take_only_documented_edges(steps in any_walk()) {
            let partner = PartnerProfile::with_defaults(PartnerId(1), PartnerType::UptdPpa);
            let mut state = ReferralStatus::Sent;
            let mut previous: Option<Date> = None;
            for (follow, n, c) in steps {
                let to = pick(state.next_states(), &ReferralStatus::ALL, follow, n);
                let c = StepContext { previous_date: previous, ..c };
                if let Ok(s) = referral_step(state, to, &c, &partner) {
                    prop_assert!(REFERRAL_EDGES.contains(&(state, to)), "{} → {} accepted", state, to);
                    prop_assert_eq!(!s.services.is_empty(), to == ReferralStatus::ServicesRecorded);
                    prop_assert!(s.services.iter().all(|x| partner.serves(*x)));
                    if to == ReferralStatus::Declined {
                        prop_assert!(s.reason.is_some());
                    }
                    state = to;
                    previous = Some(s.date);
                }
            }
        }

        #[test]
        fn never_panics(
            from in proptest::sample::select(CaseStatus::ALL.to_vec()),
            to in proptest::sample::select(CaseStatus::ALL.to_vec()),
            reason in proptest::option::of(".{0,2100}"),
            c in any_ctx(),
        ) {
            let c = StepContext { reason, ..c };
            let _ = transition(from, to, &c).map_err(|e| e.to_string());
        }
    }
}
