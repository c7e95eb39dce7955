//! Welfare concerns on a child. Each opens a protection case: always restricted (a child's
//! data), of type abuse for abuse and `other` for the rest, with a severity by kind.

use super::ConcernKind;
use crate::cases::{CaseType, Severity};
use crate::enterprise::common::date;
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

#[derive(Debug, Clone, Default)]
pub struct ConcernInput<'a> {
    pub kind: &'a str,
    pub noted_on: &'a str,
    pub description: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConcern {
    pub kind: ConcernKind,
    pub noted_on: Date,
    pub description: String,
}

impl ConcernKind {
    /// The type of the protection case the concern opens.
    pub fn case_type(self) -> CaseType {
        match self {
            ConcernKind::Abuse => CaseType::Abuse,
            ConcernKind::Neglect | ConcernKind::DroppingOut | ConcernKind::ChildLabour => CaseType::Other,
        }
    }

    /// Abuse and child labour need action within days; neglect and dropping out within weeks.
    pub fn severity(self) -> Severity {
        match self {
            ConcernKind::Abuse | ConcernKind::ChildLabour => Severity::High,
            ConcernKind::Neglect | ConcernKind::DroppingOut => Severity::Medium,
        }
    }
}

pub fn validate_concern(input: &ConcernInput<'_>, today: Date) -> Result<NewConcern, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let kind = ConcernKind::parse(input.kind);
    if kind.is_none() {
        errs.add("kind", Rule::OneOf, format!("one of {}", ConcernKind::codes()));
    }
    let noted_on = if input.noted_on.trim().is_empty() {
        Some(today)
    } else {
        date(&mut errs, "noted_on", input.noted_on, Some(today))
    };
    let description = text(&mut errs, "description", input.description, 5, 5000);
    match (kind, noted_on) {
        (Some(kind), Some(noted_on)) if errs.is_empty() => Ok(NewConcern { kind, noted_on, description }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn concerns_map_to_restricted_case_types() {
        assert_eq!(ConcernKind::Abuse.case_type(), CaseType::Abuse);
        assert!(ConcernKind::Abuse.case_type().is_restricted());
        assert_eq!(ConcernKind::ChildLabour.severity(), Severity::High);
        assert_eq!(ConcernKind::DroppingOut.case_type(), CaseType::Other);
    }

    #[test]
    fn concerns_are_validated() {
        let today = date!(2026 - 03 - 20);
        let c = validate_concern(
            &ConcernInput { kind: "neglect", noted_on: "", description: "Tidak diberi makan teratur" },
            today,
        )
        .unwrap();
        assert_eq!(c.noted_on, today);
        let e =
            validate_concern(&ConcernInput { kind: "x", noted_on: "2026-04-01", description: "" }, today).unwrap_err();
        let f: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["kind", "noted_on", "description"]);
    }
}
