//! The village service center's rules for migration episodes (UU 18/2017): one episode per
//! placement, its state machine, the documents a placement needs and the risk flags the system
//! raises by itself.
//!
//! Everything here is pure: dates such as `today` are parameters, and the store decides what
//! is persisted. The codes (`as_str`) are stable: the store keeps them and the UI translates by
//! them, so never rename one.

/// A fieldless enum whose variants each have a stable snake_case code, with `ALL`, `as_str`,
/// `parse` (trimmed, any case), `Display` and `Serialize` (as the code).
///
/// Nine enums in this module tree share that shape; writing it out by hand nine times is where a
/// code and its parser drift apart.
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
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod codes;
pub mod counselling;
pub mod episode;
pub mod flags;
pub mod job_order;
pub mod money;
pub mod opening;
pub mod outreach;
pub mod requirements;

pub use codes::{CountryCode, JobType};
pub use episode::{
    Category, EpisodeState, ReturnReason, Scheme, Transition, TransitionContext, TransitionError, transition,
};
pub use flags::{
    AgencyFacts, BanEntry, CostCharge, CostItem, EpisodeFacts, JobOrderFacts, Policy, RiskCode, RiskFlag,
    ZeroCostExemption, ZeroCostPolicy, evaluate,
};
pub use job_order::{
    NewJobOrder, NewJobOrderInput, NotSelectable, VerificationStatus, selectable, validate_job_order,
    why_not_selectable,
};
pub use money::Rupiah;
pub use opening::{NewEpisode, NewEpisodeInput, validate_new_episode};
pub use outreach::{NewOutreach, NewOutreachInput, SUGGESTED_TOPICS, validate_outreach};
pub use requirements::{
    Applicability, DocumentDraft, DocumentKind, DocumentRecord, DocumentStatus, DueAt, Requirement, default_matrix,
    documents_due, missing_documents, required_documents,
};
