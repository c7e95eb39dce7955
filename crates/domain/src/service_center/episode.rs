//! Migration episodes: one per placement (UU 18/2017), from registration at the village to the
//! worker's return, as a state machine with the rule each step must meet.
//!
//! ```text
//! registered → counselled → verified → documents_complete → placement_agreed → departed
//!     │            │            │              │                    │
//!     └────────────┴────────────┴──────────────┴────────────────────┴──→ cancelled
//!
//! departed → abroad → returned        abroad → abroad: a contract extension
//! ```
//!
//! A step is dated by the officer (the date it happened, not the date it was typed), so the
//! date is checked against `today` and the previous step, both passed in.

use super::flags::RiskFlag;
use std::fmt;
use time::Date;

code_enum! {
    /// Who employs the worker (UU 18/2017): the category decides which documents and bans apply.
    pub enum Category {
        /// A company or other legal entity.
        LegalEntityEmployer = "legal_entity_employer",
        /// An individual or household (domestic work: the category most bans target).
        HouseholdEmployer = "household_employer",
        /// A ship's or fishing vessel's crew.
        ShipCrew = "ship_crew",
    }
}

code_enum! {
    /// How the placement is organised.
    pub enum Scheme {
        /// Through a licensed placement company (P3MI, about four in five placements).
        P3mi = "p3mi",
        /// Government-to-government (G2G, e.g. the Korean EPS).
        G2g = "g2g",
        /// The worker found the job alone (mandiri).
        Independent = "independent",
        /// A company placing its own staff abroad.
        OwnCompany = "own_company",
        /// A contract extension recorded as its own episode.
        Extension = "extension",
    }
}

code_enum! {
    /// Why a worker came home (UU 18/2017 Pasal 27).
    pub enum ReturnReason {
        ContractEnd = "contract_end",
        Leave = "leave",
        EarlyTermination = "early_termination",
        AccidentOrIllness = "accident_or_illness",
        Abuse = "abuse",
        WarDisasterEpidemic = "war_disaster_epidemic",
        Deportation = "deportation",
        Death = "death",
        /// Needs the reason in words (`TransitionContext::reason`).
        Other = "other",
    }
}

code_enum! {
    /// Where an episode stands. See the module documentation for the graph.
    pub enum EpisodeState {
        /// Pre-registered at the village.
        Registered = "registered",
        /// Received pre-departure counselling (information on safe migration).
        Counselled = "counselled",
        /// Identity and eligibility verified by the village (Pasal 42: verify and register CPMI).
        Verified = "verified",
        /// Every document due before placement is verified and current.
        DocumentsComplete = "documents_complete",
        /// A placement agreement is recorded.
        PlacementAgreed = "placement_agreed",
        /// Left Indonesia.
        Departed = "departed",
        /// Working abroad (arrival confirmed or contract running; also after an extension).
        Abroad = "abroad",
        /// Home again and handed over to the family (final).
        Returned = "returned",
        /// Stopped before departure (final).
        Cancelled = "cancelled",
    }
}

impl EpisodeState {
    /// The states this one may go to, in the order a form should offer them.
    pub fn next_states(self) -> &'static [EpisodeState] {
        use EpisodeState::*;
        match self {
            Registered => &[Counselled, Cancelled],
            Counselled => &[Verified, Cancelled],
            Verified => &[DocumentsComplete, Cancelled],
            DocumentsComplete => &[PlacementAgreed, Cancelled],
            PlacementAgreed => &[Departed, Cancelled],
            // Once the worker has left, the episode can only end by a return: a departed
            // placement is never "cancelled", whatever went wrong, because the worker still
            // has to come home and be handed over.
            Departed => &[Abroad],
            // Abroad → abroad records a contract extension (at the mission abroad, same
            // employer, renewed family consent and social security).
            Abroad => &[Abroad, Returned],
            Returned | Cancelled => &[],
        }
    }

    pub fn can_go_to(self, to: EpisodeState) -> bool {
        self.next_states().contains(&to)
    }

    /// Returned and cancelled: nothing follows.
    pub fn is_final(self) -> bool {
        self.next_states().is_empty()
    }

    /// Departed, abroad or returned: the worker has left Indonesia for this placement.
    pub fn has_departed(self) -> bool {
        matches!(self, EpisodeState::Departed | EpisodeState::Abroad | EpisodeState::Returned)
    }
}

/// The shortest supervisor override reason accepted, in characters: long enough that "ok" or
/// "urgent" cannot pass for a justification an auditor can check.
pub const MIN_OVERRIDE_REASON_CHARS: usize = 20;
/// The longest free-text reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 1000;
/// The longest hand-over witness name accepted, in characters.
pub const MAX_WITNESS_CHARS: usize = 120;

/// What a transition's rule needs to know, gathered by the caller at the moment of the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionContext {
    /// When the step happened (chosen by the officer).
    pub date: Date,
    /// Today's date (the domain has no clock).
    pub today: Date,
    /// The date of the episode's previous step; `None` for the first.
    pub previous_date: Option<Date>,
    /// Free text: required to cancel and for a return for `ReturnReason::Other`; a note otherwise.
    pub reason: Option<String>,
    /// Required to return.
    pub return_reason: Option<ReturnReason>,
    /// The village witness on the hand-over record (the returnee handed over to the family).
    /// Required to return.
    pub handover_witness: Option<String>,
    /// Codes of the documents required for this step that are missing or expired right now
    /// (`DocumentKind::as_str` of `requirements::missing_documents`). For `documents_complete`,
    /// the documents due by then (`requirements::documents_due`); for a departure, all of them;
    /// for an extension, the renewed ones (`requirements::EXTENSION_DOCUMENTS`).
    pub documents_missing: Vec<String>,
    /// A placement agreement is recorded for the episode.
    pub has_placement_agreement: bool,
    /// A supervisor's reason for letting the worker depart with documents missing. Only for
    /// that case; the caller checks the user really is a supervisor.
    pub supervisor_override: Option<String>,
    /// A pre-departure counselling session of the person is recorded (held by the step's date,
    /// within the year before it). Without one, "counselled" needs a reason, which is audited.
    pub has_counselling_session: bool,
}

impl TransitionContext {
    /// A context with nothing but the dates: no reasons, no documents missing, no agreement.
    pub fn new(date: Date, today: Date, previous_date: Option<Date>) -> TransitionContext {
        TransitionContext {
            date,
            today,
            previous_date,
            reason: None,
            return_reason: None,
            handover_witness: None,
            documents_missing: Vec::new(),
            has_placement_agreement: false,
            supervisor_override: None,
            has_counselling_session: false,
        }
    }
}

/// An accepted step, ready to be stored. Text is trimmed; fields that do not belong to this
/// step are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: EpisodeState,
    pub to: EpisodeState,
    pub date: Date,
    /// The cancellation reason, the words for an "other" return, or a note.
    pub reason: Option<String>,
    /// Some exactly when `to` is returned.
    pub return_reason: Option<ReturnReason>,
    /// Some exactly when `to` is returned.
    pub handover_witness: Option<String>,
    /// Some when a supervisor let the worker depart with documents missing.
    pub override_reason: Option<String>,
    /// Risks this step itself creates (`RiskFlag::DepartedWithMissingDocuments`).
    pub flags: Vec<RiskFlag>,
    /// The step bent a rule: it must go in the audit log with the override reason and be
    /// reviewed.
    pub must_audit: bool,
}

impl Transition {
    /// Abroad → abroad: a contract extension.
    pub fn is_extension(&self) -> bool {
        self.from == EpisodeState::Abroad && self.to == EpisodeState::Abroad
    }
}

/// Why a step was refused. `code()` is stable; `Display` names the rule in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The graph does not allow this step (e.g. registered → departed, or anything after a
    /// final state).
    OutOfOrder { from: EpisodeState, to: EpisodeState },
    /// The step is dated after today.
    DateInFuture { date: Date, today: Date },
    /// The step is dated before the episode's previous step.
    DateBeforePrevious { date: Date, previous: Date },
    /// Cancelling, or returning for an "other" reason, needs the reason in words.
    ReasonRequired,
    /// A text field is longer than allowed.
    TooLong { field: &'static str, max: usize },
    /// Returning needs a `ReturnReason`.
    ReturnReasonRequired,
    /// Returning needs the name of the village witness on the hand-over record.
    HandoverWitnessRequired,
    /// `documents_complete` or an extension with documents still missing or expired.
    DocumentsMissing { missing: Vec<String> },
    /// A departure with documents missing or expired and no supervisor override.
    DepartureDocumentsMissing { missing: Vec<String> },
    /// The supervisor override reason is shorter than `MIN_OVERRIDE_REASON_CHARS`.
    OverrideReasonTooShort { min: usize },
    /// An override was given for something other than a departure with documents missing.
    OverrideNotAllowed,
    /// `placement_agreed` or `departed` without a recorded placement agreement.
    PlacementAgreementRequired,
    /// `counselled` with no counselling session recorded and no reason why.
    CounsellingSessionRequired,
}

impl TransitionError {
    /// Stable machine name.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::OutOfOrder { .. } => "out_of_order",
            TransitionError::DateInFuture { .. } => "date_in_future",
            TransitionError::DateBeforePrevious { .. } => "date_before_previous",
            TransitionError::ReasonRequired => "reason_required",
            TransitionError::TooLong { .. } => "too_long",
            TransitionError::ReturnReasonRequired => "return_reason_required",
            TransitionError::HandoverWitnessRequired => "handover_witness_required",
            TransitionError::DocumentsMissing { .. } => "documents_missing",
            TransitionError::DepartureDocumentsMissing { .. } => "departure_documents_missing",
            TransitionError::OverrideReasonTooShort { .. } => "override_reason_too_short",
            TransitionError::OverrideNotAllowed => "override_not_allowed",
            TransitionError::PlacementAgreementRequired => "placement_agreement_required",
            TransitionError::CounsellingSessionRequired => "counselling_session_required",
        }
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransitionError::OutOfOrder { from, to } => {
                let next: Vec<&str> = from.next_states().iter().map(|s| s.as_str()).collect();
                if next.is_empty() {
                    write!(f, "an episode cannot go from {from} to {to}: {from} is final")
                } else {
                    write!(f, "an episode cannot go from {from} to {to}: the next step is one of {}", next.join(", "))
                }
            }
            TransitionError::DateInFuture { date, today } => {
                write!(f, "the step date {date} is in the future (today is {today})")
            }
            TransitionError::DateBeforePrevious { date, previous } => {
                write!(f, "the step date {date} is before the previous step's date {previous}")
            }
            TransitionError::ReasonRequired => {
                f.write_str("a reason is required to cancel an episode or to return for an \"other\" reason")
            }
            TransitionError::TooLong { field, max } => write!(f, "{field} must be at most {max} characters"),
            TransitionError::ReturnReasonRequired => f.write_str("a return reason is required to record a return"),
            TransitionError::HandoverWitnessRequired => {
                f.write_str("the village witness of the hand-over to the family is required to record a return")
            }
            TransitionError::DocumentsMissing { missing } => {
                write!(f, "documents are missing or expired: {}", missing.join(", "))
            }
            TransitionError::DepartureDocumentsMissing { missing } => write!(
                f,
                "departure refused: documents are missing or expired ({}); only a supervisor override with a \
                 reason can allow it",
                missing.join(", ")
            ),
            TransitionError::OverrideReasonTooShort { min } => {
                write!(f, "the supervisor override reason must be at least {min} characters")
            }
            TransitionError::CounsellingSessionRequired => f.write_str(
                "no counselling session is recorded for this person: record the session first, or give the reason \
                 (the supervisor sees it)",
            ),
            TransitionError::OverrideNotAllowed => {
                f.write_str("a supervisor override is only allowed for a departure with documents missing")
            }
            TransitionError::PlacementAgreementRequired => f.write_str(
                "a placement agreement must be recorded before the placement is agreed or the worker departs",
            ),
        }
    }
}

impl std::error::Error for TransitionError {}

/// Trimmed text, `None` when blank; refused when longer than `max` characters.
fn optional_text(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>, TransitionError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > max {
        return Err(TransitionError::TooLong { field, max });
    }
    Ok(Some(v.to_string()))
}

/// The missing-document codes, trimmed, without blanks or repeats, in the caller's order.
fn clean_codes(codes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !out.iter().any(|o| o == c) {
            out.push(c.to_string());
        }
    }
    out
}

/// Checks one step of an episode and returns what to store, or the rule it breaks.
///
/// Checks run in this order and the first failure is returned: the graph, the date, text
/// lengths, the override's place, then the target state's own rule.
pub fn transition(
    from: EpisodeState,
    to: EpisodeState,
    ctx: &TransitionContext,
) -> Result<Transition, TransitionError> {
    if !from.can_go_to(to) {
        return Err(TransitionError::OutOfOrder { from, to });
    }
    if ctx.date > ctx.today {
        return Err(TransitionError::DateInFuture { date: ctx.date, today: ctx.today });
    }
    if let Some(previous) = ctx.previous_date
        && ctx.date < previous
    {
        return Err(TransitionError::DateBeforePrevious { date: ctx.date, previous });
    }

    let reason = optional_text("reason", ctx.reason.as_deref(), MAX_REASON_CHARS)?;
    let witness = optional_text("handover_witness", ctx.handover_witness.as_deref(), MAX_WITNESS_CHARS)?;
    let override_reason = optional_text("supervisor_override", ctx.supervisor_override.as_deref(), MAX_REASON_CHARS)?;
    let missing = clean_codes(&ctx.documents_missing);

    // An override exists only to let a departure through with documents missing; anywhere
    // else it would be an unaudited bypass, or a stale field the officer did not mean to send.
    let departing_with_missing = to == EpisodeState::Departed && !missing.is_empty();
    if override_reason.is_some() && !departing_with_missing {
        return Err(TransitionError::OverrideNotAllowed);
    }

    let mut step = Transition {
        from,
        to,
        date: ctx.date,
        reason,
        return_reason: None,
        handover_witness: None,
        override_reason: None,
        flags: Vec::new(),
        must_audit: false,
    };

    match to {
        EpisodeState::Cancelled => {
            if step.reason.is_none() {
                return Err(TransitionError::ReasonRequired);
            }
        }
        EpisodeState::DocumentsComplete => {
            if !missing.is_empty() {
                return Err(TransitionError::DocumentsMissing { missing });
            }
        }
        EpisodeState::PlacementAgreed => {
            if !ctx.has_placement_agreement {
                return Err(TransitionError::PlacementAgreementRequired);
            }
        }
        EpisodeState::Departed => {
            // Not overridable: departing with no placement agreement is how non-procedural
            // (undocumented) placements look, and the village cannot waive the law's core rule.
            if !ctx.has_placement_agreement {
                return Err(TransitionError::PlacementAgreementRequired);
            }
            if !missing.is_empty() {
                let Some(why) = override_reason else {
                    return Err(TransitionError::DepartureDocumentsMissing { missing });
                };
                if why.chars().count() < MIN_OVERRIDE_REASON_CHARS {
                    return Err(TransitionError::OverrideReasonTooShort { min: MIN_OVERRIDE_REASON_CHARS });
                }
                step.flags.push(RiskFlag::DepartedWithMissingDocuments { missing, override_reason: why.clone() });
                step.override_reason = Some(why);
                step.must_audit = true;
            }
        }
        EpisodeState::Abroad if from == EpisodeState::Abroad => {
            // An extension needs renewed family consent and social security: no override, the
            // worker is already abroad and stays covered only with them.
            if !missing.is_empty() {
                return Err(TransitionError::DocumentsMissing { missing });
            }
        }
        EpisodeState::Returned => {
            let Some(return_reason) = ctx.return_reason else {
                return Err(TransitionError::ReturnReasonRequired);
            };
            if return_reason == ReturnReason::Other && step.reason.is_none() {
                return Err(TransitionError::ReasonRequired);
            }
            let Some(witness) = witness else {
                return Err(TransitionError::HandoverWitnessRequired);
            };
            step.return_reason = Some(return_reason);
            step.handover_witness = Some(witness);
        }
        EpisodeState::Counselled => {
            // Counselled means counselled: a recorded session, or a reason on the record (a
            // session held elsewhere, or not yet typed in), audited for the supervisor.
            if !ctx.has_counselling_session {
                if step.reason.is_none() {
                    return Err(TransitionError::CounsellingSessionRequired);
                }
                step.must_audit = true;
            }
        }
        EpisodeState::Registered | EpisodeState::Verified | EpisodeState::Abroad => {}
    }
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service_center::flags::RiskCode;
    use proptest::prelude::*;
    use time::macros::date;

    use EpisodeState::*;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn ctx() -> TransitionContext {
        TransitionContext::new(date!(2026 - 03 - 10), TODAY, Some(date!(2026 - 03 - 01)))
    }

    fn missing(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    /// A context that satisfies every rule of every step.
    fn full_ctx() -> TransitionContext {
        TransitionContext {
            reason: Some("Family asked to stop the process".into()),
            return_reason: Some(ReturnReason::ContractEnd),
            handover_witness: Some("Pak Yosef, Kepala Dusun".into()),
            has_placement_agreement: true,
            has_counselling_session: true,
            ..ctx()
        }
    }

    fn err(from: EpisodeState, to: EpisodeState, c: &TransitionContext) -> TransitionError {
        match transition(from, to, c) {
            Err(e) => e,
            Ok(t) => panic!("expected an error for {from} → {to}, got {t:?}"),
        }
    }

    fn ok(from: EpisodeState, to: EpisodeState, c: &TransitionContext) -> Transition {
        match transition(from, to, c) {
            Ok(t) => t,
            Err(e) => panic!("{from} → {to} refused: {e}"),
        }
    }

    /// The documented graph, written out independently of `next_states`.
    const EDGES: [(EpisodeState, EpisodeState); 13] = [
        (Registered, Counselled),
        (Counselled, Verified),
        (Verified, DocumentsComplete),
        (DocumentsComplete, PlacementAgreed),
        (PlacementAgreed, Departed),
        (Departed, Abroad),
        (Abroad, Abroad),
        (Abroad, Returned),
        (Registered, Cancelled),
        (Counselled, Cancelled),
        (Verified, Cancelled),
        (DocumentsComplete, Cancelled),
        (PlacementAgreed, Cancelled),
    ];

    fn documented(from: EpisodeState, to: EpisodeState) -> bool {
        EDGES.contains(&(from, to))
    }

    #[test]
    fn codes_round_trip() {
        for s in EpisodeState::ALL {
            assert_eq!(EpisodeState::parse(s.as_str()), Some(s));
            assert_eq!(EpisodeState::parse(&format!(" {} ", s.as_str().to_uppercase())), Some(s));
        }
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for s in Scheme::ALL {
            assert_eq!(Scheme::parse(s.as_str()), Some(s));
        }
        for r in ReturnReason::ALL {
            assert_eq!(ReturnReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(EpisodeState::ALL.len(), 9);
        assert_eq!(Category::ALL.len(), 3);
        assert_eq!(Scheme::ALL.len(), 5);
        assert_eq!(ReturnReason::ALL.len(), 9);
        assert_eq!(Scheme::parse("P3MI"), Some(Scheme::P3mi));
        assert_eq!(Category::parse("ship_crew"), Some(Category::ShipCrew));
        assert_eq!(ReturnReason::parse("war_disaster_epidemic"), Some(ReturnReason::WarDisasterEpidemic));
        assert_eq!(EpisodeState::parse("pending"), None);
        assert_eq!(EpisodeState::DocumentsComplete.to_string(), "documents_complete");
    }

    #[test]
    fn the_graph_is_the_documented_one() {
        for from in EpisodeState::ALL {
            for to in EpisodeState::ALL {
                assert_eq!(from.can_go_to(to), documented(from, to), "{from} → {to}");
            }
        }
        assert!(Returned.is_final() && Cancelled.is_final());
        assert!(EpisodeState::ALL.iter().filter(|s| s.is_final()).count() == 2);
        let departed: Vec<EpisodeState> = EpisodeState::ALL.into_iter().filter(|s| s.has_departed()).collect();
        assert_eq!(departed, [Departed, Abroad, Returned]);
    }

    #[test]
    fn the_happy_path() {
        let path = [Registered, Counselled, Verified, DocumentsComplete, PlacementAgreed, Departed, Abroad, Returned];
        for pair in path.windows(2) {
            let t = ok(pair[0], pair[1], &full_ctx());
            assert_eq!((t.from, t.to, t.date), (pair[0], pair[1], date!(2026 - 03 - 10)));
            assert!(t.flags.is_empty() && !t.must_audit && t.override_reason.is_none());
        }
    }

    #[test]
    fn out_of_order_steps_are_refused() {
        let e = err(Registered, Departed, &full_ctx());
        assert_eq!(e, TransitionError::OutOfOrder { from: Registered, to: Departed });
        assert_eq!(e.code(), "out_of_order");
        assert_eq!(
            e.to_string(),
            "an episode cannot go from registered to departed: the next step is one of counselled, cancelled"
        );
        // Backwards, skipping, and staying put (except abroad) are all out of order.
        for (from, to) in [
            (Verified, Counselled),
            (Counselled, DocumentsComplete),
            (Registered, Registered),
            (Departed, Departed),
            (Departed, Returned),
        ] {
            assert_eq!(err(from, to, &full_ctx()).code(), "out_of_order", "{from} → {to}");
        }
    }

    #[test]
    fn final_states_go_nowhere() {
        for from in [Returned, Cancelled] {
            for to in EpisodeState::ALL {
                assert_eq!(err(from, to, &full_ctx()).code(), "out_of_order");
            }
        }
        assert_eq!(
            err(Returned, Abroad, &full_ctx()).to_string(),
            "an episode cannot go from returned to abroad: returned is final"
        );
    }

    #[test]
    fn no_cancelling_after_departure() {
        for from in [Departed, Abroad, Returned] {
            assert_eq!(err(from, Cancelled, &full_ctx()).code(), "out_of_order", "{from}");
        }
        for from in [Registered, Counselled, Verified, DocumentsComplete, PlacementAgreed] {
            assert_eq!(ok(from, Cancelled, &full_ctx()).to, Cancelled);
        }
    }

    #[test]
    fn the_graph_is_checked_before_anything_else() {
        let c = TransitionContext { date: date!(2030 - 01 - 01), ..ctx() };
        assert_eq!(err(Registered, Returned, &c).code(), "out_of_order");
    }

    #[test]
    fn dates() {
        let future = TransitionContext { date: date!(2026 - 03 - 16), ..full_ctx() };
        let e = err(Registered, Counselled, &future);
        assert_eq!(e, TransitionError::DateInFuture { date: date!(2026 - 03 - 16), today: TODAY });
        assert_eq!(e.to_string(), "the step date 2026-03-16 is in the future (today is 2026-03-15)");

        let early = TransitionContext { date: date!(2026 - 02 - 28), ..full_ctx() };
        let e = err(Registered, Counselled, &early);
        assert_eq!(
            e,
            TransitionError::DateBeforePrevious { date: date!(2026 - 02 - 28), previous: date!(2026 - 03 - 01) }
        );
        assert_eq!(e.code(), "date_before_previous");

        // Today and the previous step's own date are both fine; the first step has no previous.
        ok(Registered, Counselled, &TransitionContext { date: TODAY, ..full_ctx() });
        ok(Registered, Counselled, &TransitionContext { date: date!(2026 - 03 - 01), ..full_ctx() });
        ok(
            Registered,
            Counselled,
            &TransitionContext { date: date!(2001 - 01 - 01), previous_date: None, ..full_ctx() },
        );
    }

    #[test]
    fn cancelling_needs_a_reason() {
        for reason in [None, Some(""), Some("   \n ")] {
            let c = TransitionContext { reason: reason.map(String::from), ..ctx() };
            let e = err(Verified, Cancelled, &c);
            assert_eq!(e, TransitionError::ReasonRequired);
            assert_eq!(e.code(), "reason_required");
        }
        let t = ok(
            Verified,
            Cancelled,
            &TransitionContext { reason: Some("  Broker offered no contract  ".into()), ..ctx() },
        );
        assert_eq!(t.reason.as_deref(), Some("Broker offered no contract"));
        assert_eq!((t.return_reason, t.handover_witness), (None, None));
    }

    #[test]
    fn text_length_limits() {
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        let c = TransitionContext { reason: Some(long), ..ctx() };
        let e = err(Verified, Cancelled, &c);
        assert_eq!(e, TransitionError::TooLong { field: "reason", max: MAX_REASON_CHARS });
        assert_eq!(e.to_string(), "reason must be at most 1000 characters");
        // Characters, not bytes.
        let c = TransitionContext { reason: Some("é".repeat(MAX_REASON_CHARS)), ..ctx() };
        ok(Verified, Cancelled, &c);

        let c = TransitionContext { handover_witness: Some("w".repeat(MAX_WITNESS_CHARS + 1)), ..full_ctx() };
        assert_eq!(
            err(Abroad, Returned, &c),
            TransitionError::TooLong { field: "handover_witness", max: MAX_WITNESS_CHARS }
        );
    }

    #[test]
    fn counselled_needs_a_session_or_a_reason() {
        let none = TransitionContext { has_counselling_session: false, ..ctx() };
        assert_eq!(err(Registered, Counselled, &none), TransitionError::CounsellingSessionRequired);
        let blank = TransitionContext { reason: Some("   ".into()), ..none.clone() };
        assert_eq!(err(Registered, Counselled, &blank), TransitionError::CounsellingSessionRequired);
        let why = TransitionContext { reason: Some("Konseling di BP3MI Kupang, belum dicatat".into()), ..none };
        let t = ok(Registered, Counselled, &why);
        assert!(t.must_audit, "a counselled step without a session is audited for the supervisor");
        let t = ok(Registered, Counselled, &TransitionContext { has_counselling_session: true, ..ctx() });
        assert!(!t.must_audit && t.reason.is_none());
    }

    #[test]
    fn a_note_is_kept_on_any_step() {
        let c =
            TransitionContext { reason: Some(" Came with her mother ".into()), has_counselling_session: true, ..ctx() };
        assert_eq!(ok(Registered, Counselled, &c).reason.as_deref(), Some("Came with her mother"));
        assert_eq!(
            ok(Registered, Counselled, &TransitionContext { has_counselling_session: true, ..ctx() }).reason,
            None
        );
    }

    #[test]
    fn returning_needs_a_reason_code_and_a_witness() {
        let c = TransitionContext { return_reason: None, ..full_ctx() };
        let e = err(Abroad, Returned, &c);
        assert_eq!(e, TransitionError::ReturnReasonRequired);
        assert_eq!(e.code(), "return_reason_required");

        for witness in [None, Some(" ")] {
            let c = TransitionContext { handover_witness: witness.map(String::from), ..full_ctx() };
            let e = err(Abroad, Returned, &c);
            assert_eq!(e, TransitionError::HandoverWitnessRequired);
            assert_eq!(e.code(), "handover_witness_required");
        }

        for r in ReturnReason::ALL {
            let c = TransitionContext {
                return_reason: Some(r),
                handover_witness: Some(" Ibu Maria ".into()),
                ..full_ctx()
            };
            let t = ok(Abroad, Returned, &c);
            assert_eq!(t.return_reason, Some(r));
            assert_eq!(t.handover_witness.as_deref(), Some("Ibu Maria"));
        }
    }

    #[test]
    fn an_other_return_needs_words() {
        let c = TransitionContext { return_reason: Some(ReturnReason::Other), reason: None, ..full_ctx() };
        assert_eq!(err(Abroad, Returned, &c), TransitionError::ReasonRequired);
        let c = TransitionContext { reason: Some("Employer went bankrupt".into()), ..c };
        assert_eq!(ok(Abroad, Returned, &c).reason.as_deref(), Some("Employer went bankrupt"));
    }

    #[test]
    fn return_fields_are_dropped_elsewhere() {
        let t = ok(Registered, Counselled, &full_ctx());
        assert_eq!((t.return_reason, t.handover_witness), (None, None));
    }

    #[test]
    fn documents_complete_needs_every_due_document() {
        let c = TransitionContext {
            documents_missing: missing(&["family_permission", " ", "id_card", "family_permission"]),
            ..full_ctx()
        };
        let e = err(Verified, DocumentsComplete, &c);
        assert_eq!(e, TransitionError::DocumentsMissing { missing: missing(&["family_permission", "id_card"]) });
        assert_eq!(e.code(), "documents_missing");
        assert_eq!(e.to_string(), "documents are missing or expired: family_permission, id_card");
        // Blank codes are nothing missing.
        ok(Verified, DocumentsComplete, &TransitionContext { documents_missing: missing(&["", "  "]), ..full_ctx() });
    }

    #[test]
    fn placement_agreed_needs_an_agreement() {
        let c = TransitionContext { has_placement_agreement: false, ..full_ctx() };
        let e = err(DocumentsComplete, PlacementAgreed, &c);
        assert_eq!(e, TransitionError::PlacementAgreementRequired);
        assert_eq!(e.code(), "placement_agreement_required");
        ok(DocumentsComplete, PlacementAgreed, &full_ctx());
    }

    #[test]
    fn departure_needs_an_agreement_even_with_an_override() {
        let c = TransitionContext {
            has_placement_agreement: false,
            documents_missing: missing(&["passport"]),
            supervisor_override: Some("Passport renewal receipt seen, embassy confirmed".into()),
            ..full_ctx()
        };
        assert_eq!(err(PlacementAgreed, Departed, &c), TransitionError::PlacementAgreementRequired);
    }

    #[test]
    fn departure_with_missing_documents_is_refused() {
        let c = TransitionContext { documents_missing: missing(&["health_certificate", "bpjs_card"]), ..full_ctx() };
        let e = err(PlacementAgreed, Departed, &c);
        assert_eq!(
            e,
            TransitionError::DepartureDocumentsMissing { missing: missing(&["health_certificate", "bpjs_card"]) }
        );
        assert_eq!(e.code(), "departure_documents_missing");
        assert!(
            e.to_string()
                .starts_with("departure refused: documents are missing or expired (health_certificate, bpjs_card)")
        );
        // A blank override is no override.
        let c = TransitionContext { supervisor_override: Some("   ".into()), ..c };
        assert_eq!(err(PlacementAgreed, Departed, &c).code(), "departure_documents_missing");
    }

    #[test]
    fn override_reason_must_be_long_enough() {
        let short = "x".repeat(MIN_OVERRIDE_REASON_CHARS - 1);
        let c = TransitionContext {
            documents_missing: missing(&["bpjs_card"]),
            supervisor_override: Some(format!("  {short}  ")),
            ..full_ctx()
        };
        let e = err(PlacementAgreed, Departed, &c);
        assert_eq!(e, TransitionError::OverrideReasonTooShort { min: MIN_OVERRIDE_REASON_CHARS });
        assert_eq!(e.to_string(), "the supervisor override reason must be at least 20 characters");
    }

    #[test]
    fn an_override_lets_the_worker_depart_flagged_and_audited() {
        let why = "BPJS card issued, printed copy arrives next week";
        let c = TransitionContext {
            documents_missing: missing(&["bpjs_card"]),
            supervisor_override: Some(format!(" {why} ")),
            ..full_ctx()
        };
        let t = ok(PlacementAgreed, Departed, &c);
        assert!(t.must_audit);
        assert_eq!(t.override_reason.as_deref(), Some(why));
        assert_eq!(
            t.flags,
            [RiskFlag::DepartedWithMissingDocuments { missing: missing(&["bpjs_card"]), override_reason: why.into() }]
        );
        assert_eq!(t.flags[0].code(), RiskCode::DepartedWithMissingDocuments);
    }

    #[test]
    fn an_override_is_refused_where_it_does_not_belong() {
        let why = Some("Supervisor says it is fine to go ahead".to_string());
        // Nothing missing: nothing to override.
        let c = TransitionContext { supervisor_override: why.clone(), ..full_ctx() };
        let e = err(PlacementAgreed, Departed, &c);
        assert_eq!(e, TransitionError::OverrideNotAllowed);
        assert_eq!(e.code(), "override_not_allowed");
        // Not a departure: documents_complete and extensions cannot be overridden.
        let c = TransitionContext {
            documents_missing: missing(&["passport"]),
            supervisor_override: why.clone(),
            ..full_ctx()
        };
        assert_eq!(err(Verified, DocumentsComplete, &c), TransitionError::OverrideNotAllowed);
        assert_eq!(err(Abroad, Abroad, &c), TransitionError::OverrideNotAllowed);
        let c = TransitionContext { supervisor_override: why, ..full_ctx() };
        assert_eq!(err(Registered, Counselled, &c), TransitionError::OverrideNotAllowed);
    }

    #[test]
    fn an_extension_needs_renewed_documents() {
        let c = TransitionContext { documents_missing: missing(&["family_permission"]), ..full_ctx() };
        assert_eq!(
            err(Abroad, Abroad, &c),
            TransitionError::DocumentsMissing { missing: missing(&["family_permission"]) }
        );
        let t = ok(Abroad, Abroad, &full_ctx());
        assert!(t.is_extension());
        assert!(!ok(Departed, Abroad, &full_ctx()).is_extension());
        // Arriving abroad does not look at documents: the departure already did.
        ok(Departed, Abroad, &TransitionContext { documents_missing: missing(&["passport"]), ..full_ctx() });
    }

    #[test]
    fn missing_documents_do_not_block_steps_that_do_not_check_them() {
        let c = TransitionContext { documents_missing: missing(&["passport"]), ..full_ctx() };
        for (from, to) in [
            (Registered, Counselled),
            (Counselled, Verified),
            (DocumentsComplete, PlacementAgreed),
            (Verified, Cancelled),
        ] {
            ok(from, to, &c);
        }
    }

    #[test]
    fn every_error_has_a_distinct_code() {
        let errors = [
            TransitionError::OutOfOrder { from: Registered, to: Departed },
            TransitionError::DateInFuture { date: TODAY, today: TODAY },
            TransitionError::DateBeforePrevious { date: TODAY, previous: TODAY },
            TransitionError::ReasonRequired,
            TransitionError::TooLong { field: "reason", max: 1 },
            TransitionError::ReturnReasonRequired,
            TransitionError::HandoverWitnessRequired,
            TransitionError::DocumentsMissing { missing: vec![] },
            TransitionError::DepartureDocumentsMissing { missing: vec![] },
            TransitionError::OverrideReasonTooShort { min: 1 },
            TransitionError::OverrideNotAllowed,
            TransitionError::PlacementAgreementRequired,
        ];
        let mut codes: Vec<&str> = errors.iter().map(TransitionError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        assert!(errors.iter().all(|e| !e.to_string().is_empty()));
    }

    fn any_state() -> impl Strategy<Value = EpisodeState> {
        proptest::sample::select(EpisodeState::ALL.to_vec())
    }

    fn any_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(prop_oneof![Just(String::new()), "[a-z ]{0,8}", "[A-Za-z ,.]{15,40}", ".{0,30}"])
    }

    fn any_missing() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(prop_oneof![Just(String::new()), Just("passport".to_string()), "[a-z_]{1,12}"], 0..4)
    }

    prop_compose! {
        fn any_ctx()(
            date_offset in prop_oneof![4 => -2i64..=0, 1 => -5i64..=3],
            has_previous in any::<bool>(),
            reason in any_text(),
            return_reason in proptest::option::of(proptest::sample::select(ReturnReason::ALL.to_vec())),
            witness in any_text(),
            documents_missing in any_missing(),
            has_placement_agreement in any::<bool>(),
            supervisor_override in any_text(),
            has_counselling_session in any::<bool>(),
        ) -> TransitionContext {
            TransitionContext {
                date: TODAY.saturating_add(time::Duration::days(date_offset)),
                today: TODAY,
                previous_date: has_previous.then_some(date!(2026 - 03 - 12)),
                reason,
                return_reason,
                handover_witness: witness,
                documents_missing,
                has_placement_agreement,
                supervisor_override,
                has_counselling_session,
            }
        }
    }

    /// Half the time a documented next state (so walks get deep), otherwise any state.
    fn pick_target(state: EpisodeState, follow_graph: bool, pick: usize) -> EpisodeState {
        let next = state.next_states();
        if follow_graph && !next.is_empty() {
            next[pick % next.len()]
        } else {
            EpisodeState::ALL[pick % EpisodeState::ALL.len()]
        }
    }

    fn any_walk() -> impl Strategy<Value = Vec<(bool, usize, TransitionContext)>> {
        proptest::collection::vec((any::<bool>(), any::<usize>(), any_ctx()), 0..60)
    }

    /// The walks the property test draws do reach every state, so the property is not vacuous.
    #[test]
    fn random_walks_reach_every_state() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut visited = vec![Registered];
        let mut extensions = 0;
        for _ in 0..500 {
            let Ok(tree) = any_walk().new_tree(&mut runner) else { continue };
            let mut state = Registered;
            for (follow_graph, pick, c) in tree.current() {
                let to = pick_target(state, follow_graph, pick);
                if let Ok(t) = transition(state, to, &c) {
                    extensions += usize::from(t.is_extension());
                    state = to;
                    if !visited.contains(&state) {
                        visited.push(state);
                    }
                }
            }
        }
        assert_eq!(visited.len(), EpisodeState::ALL.len(), "{visited:?}");
        assert!(extensions > 0);
    }

    /// Every state reachable from `registered` in the documented graph.
    fn reachable() -> Vec<EpisodeState> {
        let mut seen = vec![Registered];
        let mut i = 0;
        while i < seen.len() {
            for (from, to) in EDGES {
                if from == seen[i] && !seen.contains(&to) {
                    seen.push(to);
                }
            }
            i += 1;
        }
        seen
    }

    proptest! {
        #[test]
        fn random_walks_stay_in_the_documented_graph(steps in any_walk()) {
            let reachable = reachable();
            let mut state = Registered;
            for (follow_graph, pick, c) in steps {
                let to = pick_target(state, follow_graph, pick);
                if let Ok(t) = transition(state, to, &c) {
                    prop_assert!(documented(state, to), "{} → {} accepted", state, to);
                    prop_assert_eq!((t.from, t.to), (state, to));
                    state = to;
                    prop_assert!(reachable.contains(&state));
                }
            }
        }

        #[test]
        fn final_states_stay_final(
            from in prop_oneof![Just(Returned), Just(Cancelled)],
            to in any_state(),
            c in any_ctx(),
        ) {
            let r = transition(from, to, &c);
            prop_assert_eq!(r, Err(TransitionError::OutOfOrder { from, to }));
        }

        #[test]
        fn only_abroad_loops(state in any_state(), c in any_ctx()) {
            if transition(state, state, &c).is_ok() {
                prop_assert_eq!(state, Abroad);
            }
        }

        #[test]
        fn departures_never_skip_documents_silently(c in any_ctx(), any_from in any_state()) {
            let really_missing: Vec<String> = clean_codes(&c.documents_missing);
            let has_override = c.supervisor_override.as_deref().is_some_and(|o| !o.trim().is_empty());
            let result = transition(PlacementAgreed, Departed, &c);
            if !really_missing.is_empty() && !has_override {
                prop_assert!(result.is_err());
            }
            if let Ok(t) = result {
                prop_assert!(c.has_placement_agreement);
                if really_missing.is_empty() {
                    prop_assert!(t.flags.is_empty() && !t.must_audit && t.override_reason.is_none());
                } else {
                    let why = t.override_reason.clone().unwrap_or_default();
                    prop_assert!(why.chars().count() >= MIN_OVERRIDE_REASON_CHARS);
                    prop_assert!(t.must_audit);
                    let expected =
                        RiskFlag::DepartedWithMissingDocuments { missing: really_missing, override_reason: why };
                    prop_assert_eq!(t.flags, vec![expected]);
                }
            }
            // Whatever the starting state, only placement_agreed leads to departed.
            if any_from != PlacementAgreed {
                prop_assert!(transition(any_from, Departed, &c).is_err());
            }
        }

        #[test]
        fn only_departures_carry_flags(from in any_state(), to in any_state(), c in any_ctx()) {
            if let Ok(t) = transition(from, to, &c) {
                if to != Departed {
                    prop_assert!(t.flags.is_empty() && t.override_reason.is_none());
                    // Besides an override, only "counselled" without a session is audited apart.
                    prop_assert_eq!(t.must_audit, to == Counselled && !c.has_counselling_session);
                }
                prop_assert!(t.date <= c.today);
                if let Some(p) = c.previous_date {
                    prop_assert!(t.date >= p);
                }
                prop_assert_eq!(t.return_reason.is_some(), to == Returned);
                prop_assert_eq!(t.handover_witness.is_some(), to == Returned);
            }
        }

        #[test]
        fn never_panics(
            from in any_state(),
            to in any_state(),
            reason in proptest::option::of(".{0,1100}"),
            c in any_ctx(),
        ) {
            let c = TransitionContext { reason, ..c };
            let _ = transition(from, to, &c).map_err(|e| e.to_string());
        }
    }
}
