//! Pillar 3, community parenting (issue 6): migrant workers' children, linked to their parents
//! in people records, with caregiver, schooling and documents; parenting activities with the
//! attendance of children and caregivers; welfare concerns that open a protection case.
//!
//! Children's records are the most restricted in the system (UU 27/2022: children's data is
//! specific personal data): who may see names is `access::Action::ViewChild`.
//!
//! Pure: `today` is always a parameter. Codes are stable (`parenting.<enum>.<code>` in the
//! catalogues).

pub mod activity;
pub mod child;
pub mod concern;

pub use activity::{ActivityInput, NewActivity, validate_activity};
pub use child::{ChildInput, MAX_AGE, NewChild, age_on, validate_child};
pub use concern::{ConcernInput, NewConcern, validate_concern};

code_enum! {
    /// Who looks after the child while a parent works abroad.
    pub enum Caregiver {
        /// The parent who stayed at home.
        OtherParent = "other_parent",
        Grandparent = "grandparent",
        Relative = "relative",
        Sibling = "sibling",
        FosterFamily = "foster_family",
        Other = "other",
    }
}

code_enum! {
    /// The school level the child is at (or last attended).
    pub enum SchoolLevel {
        None = "none",
        /// PAUD / TK.
        EarlyChildhood = "early_childhood",
        /// SD / MI.
        Primary = "primary",
        /// SMP / MTs.
        Junior = "junior",
        /// SMA / SMK / MA.
        Senior = "senior",
    }
}

code_enum! {
    pub enum SchoolStatus {
        Enrolled = "enrolled",
        DroppedOut = "dropped_out",
        Never = "never",
    }
}

code_enum! {
    pub enum ActivityKind {
        ParentingClass = "parenting_class",
        Scouting = "scouting",
        Sports = "sports",
        Tutoring = "tutoring",
        PlayGroup = "play_group",
        Other = "other",
    }
}

code_enum! {
    /// A welfare concern a facilitator raises on a child.
    pub enum ConcernKind {
        Neglect = "neglect",
        DroppingOut = "dropping_out",
        Abuse = "abuse",
        ChildLabour = "child_labour",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        macro_rules! check {
            ($($t:ty),+) => {$(
                for v in <$t>::ALL {
                    assert_eq!(<$t>::parse(v.as_str()), Some(v));
                    assert!(v.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
                }
                assert_eq!(<$t>::parse("?"), None);
            )+};
        }
        check!(Caregiver, SchoolLevel, SchoolStatus, ActivityKind, ConcernKind);
    }
}
