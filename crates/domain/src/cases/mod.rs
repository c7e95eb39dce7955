//! Protection cases (issue 4): complaints, abuse, trafficking — opened by the village, referred
//! to partner organisations and followed until closed.
//!
//! - [`kinds`]: case types, severity, which types are restricted, partner types and the services
//!   they offer; a referral to a partner that does not serve the request is refused.
//! - [`workflow`]: the case state machine, due dates, and the referral sub-state.
//! - [`trafficking`]: the UU 21/2007 assessment (process, means, purpose) and its form.
//! - [`access`]: who may open a case (restricted cases are confidential).
//!
//! Everything here is pure: `today` is always a parameter and the store decides what is
//! persisted. The codes (`as_str`) are stable: the store keeps them, the API exchanges them and
//! the UI translates by them, so never rename one.

pub mod access;
pub mod attachment;
pub mod kinds;
pub mod trafficking;
pub mod workflow;

pub use access::{
    CaseFacts, CaseVisibility, GlassRefusal, can_manage, can_open, can_work, may_break_glass, pseudonym, visibility,
};
pub use kinds::{
    CaseType, PartnerId, PartnerProfile, PartnerType, ReferralRefused, Service, Severity, check_referral,
    check_referral_for_case, default_services,
};
pub use trafficking::{
    Assessment, Element, Form, Means, Process, Purpose, ScreeningResult, TraffickingInput, TraffickingRecord,
    VictimAge, assess, validate_trafficking,
};
pub use workflow::{
    CaseLifecycle, CaseStatus, CaseTransition, DueDate, Outcome, ReferralStatus, ReferralStep, StepContext,
    WorkflowError, is_overdue, referral_step, transition,
};
