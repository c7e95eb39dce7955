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

/// A fieldless enum whose variants each have a stable snake_case code, with `ALL`, `as_str`,
/// `parse` (trimmed, any case), `Display` and `Serialize` (as the code).
///
/// The same pattern as `service_center`'s macro (a `macro_rules!` is only visible inside the
/// module that defines it, so this tree keeps its own copy).
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The stable code, any case, trimmed.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }

            /// Every code, comma-separated: the detail of a `one_of` error.
            pub fn codes() -> String {
                $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod access;
pub mod attachment;
pub mod kinds;
pub mod trafficking;
pub mod workflow;

pub use access::{CaseFacts, CaseVisibility, can_manage, can_open, can_work, visibility};
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
