//! The village service center's rules for migration episodes (UU 18/2017): one episode per
//! placement, its state machine, the documents a placement needs and the risk flags the system
//! raises by itself.
//!
//! Everything here is pure: dates such as `today` are parameters, and the store decides what
//! is persisted. The codes (`as_str`) are stable: the store keeps them and the UI translates by
//! them, so never rename one.

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
