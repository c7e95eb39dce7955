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

/// A fieldless enum whose variants each have a stable snake_case code, with `ALL`, `as_str`,
/// `parse` (trimmed, any case), `codes`, `Display` and `Serialize` (as the code).
/// (A `macro_rules!` is visible only in the module tree that defines it, so this tree keeps its
/// own copy of the pattern used by `cases` and `service_center`.)
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
pub(crate) use code_enum;

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
