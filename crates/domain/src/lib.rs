//! Desmigratif domain rules: pure types and decisions, no IO.
//!
//! Everything here is tested fast and alone. Storage (`store`) and HTTP (`web`)
//! depend on this crate, never the other way round.

#[macro_use]
mod macros;

pub mod access;
pub mod agency;
pub mod audit;
pub mod brokers;
pub mod cases;
pub mod clock;
pub mod cooperative;
pub mod dhis2;
pub mod enterprise;
pub mod exchange;
pub mod htcds;
pub mod import;
pub mod monitoring;
pub mod name;
pub mod national_ids;
pub mod nik;
pub mod opensid;
pub mod paging;
pub mod parenting;
pub mod password;
pub mod person;
pub mod person_merge;
pub mod portal;
pub mod privacy;
pub mod program;
pub mod region;
pub mod region_update;
pub mod role;
pub mod screens;
pub mod security;
pub mod service_center;
pub mod user;
pub mod validation;

pub use access::{Action, Scope};
pub use name::name_key;
pub use nik::{Nik, NikCheck, NikIssue, RegionLookup, Sex};
pub use person::{KkNumber, NewPerson, NewPersonInput, PersonCategory, PersonRejection};
pub use region::{RegionCode, RegionLevel};
pub use role::Role;
pub use validation::{FieldError, Rule, ValidationErrors};
