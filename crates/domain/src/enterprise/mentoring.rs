//! Mentoring visits: to a person or to a business, with notes and next steps.

use super::common::{date, optional_id, village};
use crate::region::RegionCode;
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

#[derive(Debug, Clone, Default)]
pub struct MentoringInput<'a> {
    pub village_code: &'a str,
    /// Exactly one of person and business.
    pub person_id: &'a str,
    pub business_id: &'a str,
    pub visited_on: &'a str,
    pub mentor: &'a str,
    pub notes: &'a str,
    pub next_steps: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMentoring {
    pub village_code: RegionCode,
    pub person_id: Option<i64>,
    pub business_id: Option<i64>,
    pub visited_on: Date,
    pub mentor: String,
    pub notes: String,
    pub next_steps: String,
}

pub fn validate_mentoring(input: &MentoringInput<'_>, today: Date) -> Result<NewMentoring, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let village_code = village(&mut errs, "village_code", input.village_code);
    let person_id = optional_id(&mut errs, "person_id", input.person_id);
    let business_id = optional_id(&mut errs, "business_id", input.business_id);
    if errs.for_field("person_id").is_none() && errs.for_field("business_id").is_none() {
        match (person_id, business_id) {
            (None, None) => errs.add("person_id", Rule::Required, "the person or the business visited"),
            (Some(_), Some(_)) => {
                errs.add("business_id", Rule::Mismatch, "a visit is to a person or to a business, not both")
            }
            _ => {}
        }
    }
    let visited_on = date(&mut errs, "visited_on", input.visited_on, Some(today));
    let mentor = text(&mut errs, "mentor", input.mentor, 2, 200);
    let notes = text(&mut errs, "notes", input.notes, 3, 5000);
    let next_steps = text(&mut errs, "next_steps", input.next_steps, 0, 2000);
    match (village_code, visited_on) {
        (Some(village_code), Some(visited_on)) if errs.is_empty() => {
            Ok(NewMentoring { village_code, person_id, business_id, visited_on, mentor, notes, next_steps })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> MentoringInput<'static> {
        MentoringInput {
            village_code: "53.07.01.2001",
            person_id: "",
            business_id: "4",
            visited_on: "2026-03-10",
            mentor: "Pak Yohanes",
            notes: "Catatan keuangan rapi; stok menumpuk",
            next_steps: "Jual lewat pasar mingguan",
        }
    }

    #[test]
    fn a_visit_is_to_exactly_one_target() {
        let today = date!(2026 - 03 - 20);
        assert_eq!(validate_mentoring(&input(), today).unwrap().business_id, Some(4));
        let e = validate_mentoring(&MentoringInput { business_id: "", ..input() }, today).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("person_id", Rule::Required));
        let e = validate_mentoring(&MentoringInput { person_id: "3", ..input() }, today).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("business_id", Rule::Mismatch));
        let e =
            validate_mentoring(&MentoringInput { visited_on: "2026-03-21", notes: "", ..input() }, today).unwrap_err();
        let f: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["visited_on", "notes"]);
    }
}
