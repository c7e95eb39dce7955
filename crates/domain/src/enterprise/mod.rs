//! Pillar 2, productive enterprise (issue 6): trainings and mentoring of returned migrants and
//! their families, equipment and grants, businesses and business groups with monthly reports,
//! and remittances with the share put to productive use.
//!
//! - [`codes`]: the stable codes (topics, organisers, sectors, capital sources, legal forms,
//!   statuses, member kinds, remittance channels and uses, equipment condition).
//! - [`common`]: field rules shared with parenting (village, dates, months, amounts,
//!   attendance within an activity's dates).
//! - [`training`], [`mentoring`], [`equipment`], [`business`], [`remittance`]: validation and
//!   rules of each record.
//!
//! Pure: `today` is always a parameter. Codes (`as_str`) are stable: the store keeps them, the
//! API exchanges them and the UI translates by them (`enterprise.<enum>.<code>`).

pub mod business;
pub mod codes;
pub mod common;
pub mod equipment;
pub mod mentoring;
pub mod remittance;
pub mod training;

pub use business::{
    BusinessInput, NewBusiness, NewReport, ReportInput, check_status_change, validate_business, validate_member,
    validate_report,
};
pub use codes::{
    BusinessStatus, CapitalSource, EquipmentCondition, LegalForm, MemberKind, Organiser, RemittanceChannel,
    RemittanceUse, Sector, TrainingTopic,
};
pub use common::{Month, attendance_date, productive_share_bp};
pub use equipment::{CheckInput, EquipmentInput, NewCheck, NewEquipment, validate_check, validate_equipment};
pub use mentoring::{MentoringInput, NewMentoring, validate_mentoring};
pub use remittance::{NewRemittance, RemittanceInput, validate_remittance};
pub use training::{NewTraining, TrainingInput, training_days, validate_training};
