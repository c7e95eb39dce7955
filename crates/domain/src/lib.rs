//! Desmigratif domain rules: pure types and decisions, no IO.
//!
//! Everything here is tested fast and alone. Storage (`store`) and HTTP (`web`)
//! depend on this crate, never the other way round.

pub mod access;
pub mod audit;
pub mod password;
pub mod program;
pub mod region;
pub mod role;
pub mod user;
pub mod validation;

pub use access::{Action, Scope};
pub use region::{RegionCode, RegionLevel};
pub use role::Role;
pub use validation::{FieldError, Rule, ValidationErrors};
