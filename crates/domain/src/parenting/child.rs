//! A migrant worker's child: aged 18 or under when registered, linked to one or more parents
//! in people records (whether the caller may see them is the caller's question).

use super::{Caregiver, SchoolLevel, SchoolStatus};
use crate::enterprise::common::{date, village};
use crate::nik::Sex;
use crate::region::RegionCode;
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

/// The oldest a child may be when registered, in completed years.
pub const MAX_AGE: i32 = 18;
/// At most this many parents are linked (two parents; a step-parent or guardian at most twice more).
pub const MAX_PARENTS: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct ChildInput<'a> {
    pub full_name: &'a str,
    pub birth_date: &'a str,
    pub sex: &'a str,
    pub village_code: &'a str,
    pub parent_person_ids: &'a [i64],
    pub caregiver: &'a str,
    /// Optional: empty is unknown.
    pub school_level: &'a str,
    pub school_status: &'a str,
    pub birth_certificate: bool,
    pub health_insurance: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChild {
    pub full_name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub village_code: RegionCode,
    /// Distinct, in the order given.
    pub parent_person_ids: Vec<i64>,
    pub caregiver: Caregiver,
    pub school_level: Option<SchoolLevel>,
    pub school_status: Option<SchoolStatus>,
    pub birth_certificate: bool,
    pub health_insurance: bool,
}

/// Age in completed years on `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    years
}

pub fn validate_child(input: &ChildInput<'_>, today: Date) -> Result<NewChild, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let full_name = text(&mut errs, "full_name", input.full_name, 2, 200);
    let birth_date = date(&mut errs, "birth_date", input.birth_date, Some(today));
    if let Some(b) = birth_date {
        if age_on(b, today) > MAX_AGE {
            errs.push(
                crate::FieldError::new(
                    "birth_date",
                    Rule::OutOfRange,
                    format!("a child is {MAX_AGE} or younger when registered"),
                )
                .max(MAX_AGE)
                .message("msg_key.child_too_old"),
            );
        }
    }
    let sex = Sex::parse(input.sex);
    if sex.is_none() {
        errs.push(crate::FieldError::new("sex", Rule::OneOf, "one of: L, P (also M, F)").message("msg_key.sex_one_of"));
    }
    let village_code = village(&mut errs, "village_code", input.village_code);
    let mut parent_person_ids: Vec<i64> = Vec::new();
    if input.parent_person_ids.is_empty() {
        errs.add("parent_person_ids", Rule::Required, "at least one parent registered in people records");
    } else if input.parent_person_ids.iter().any(|id| *id <= 0) {
        errs.add("parent_person_ids", Rule::Format, "person ids (positive whole numbers)");
    } else {
        for id in input.parent_person_ids {
            if !parent_person_ids.contains(id) {
                parent_person_ids.push(*id);
            }
        }
        if parent_person_ids.len() > MAX_PARENTS {
            errs.add("parent_person_ids", Rule::OutOfRange, format!("at most {MAX_PARENTS} parents"));
        }
    }
    let caregiver = Caregiver::parse(input.caregiver);
    if caregiver.is_none() {
        errs.add("caregiver", Rule::OneOf, format!("one of {}", Caregiver::codes()));
    }
    let school_level =
        optional_code(&mut errs, "school_level", input.school_level, SchoolLevel::parse, SchoolLevel::codes);
    let school_status =
        optional_code(&mut errs, "school_status", input.school_status, SchoolStatus::parse, SchoolStatus::codes);
    if school_status == Some(SchoolStatus::Never) && school_level.is_some_and(|l| l != SchoolLevel::None) {
        errs.push(
            crate::FieldError::new("school_level", Rule::Mismatch, "a child who never went to school has level none")
                .message("msg_key.school_level_none"),
        );
    }
    match (birth_date, sex, village_code, caregiver) {
        (Some(birth_date), Some(sex), Some(village_code), Some(caregiver)) if errs.is_empty() => Ok(NewChild {
            full_name,
            birth_date,
            sex,
            village_code,
            parent_person_ids,
            caregiver,
            school_level,
            school_status,
            birth_certificate: input.birth_certificate,
            health_insurance: input.health_insurance,
        }),
        _ => Err(errs),
    }
}

fn optional_code<T>(
    errs: &mut ValidationErrors,
    field: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
    codes: fn() -> String,
) -> Option<T> {
    if raw.trim().is_empty() {
        return None;
    }
    let v = parse(raw);
    if v.is_none() {
        errs.add(field, Rule::OneOf, format!("one of {}", codes()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 20);

    fn input() -> ChildInput<'static> {
        ChildInput {
            full_name: " Agnes Wangge ",
            birth_date: "2015-06-01",
            sex: "P",
            village_code: "53.07.01.2001",
            parent_person_ids: &[3, 3, 7],
            caregiver: "grandparent",
            school_level: "primary",
            school_status: "enrolled",
            birth_certificate: true,
            health_insurance: false,
        }
    }

    #[test]
    fn ages_count_completed_years() {
        assert_eq!(age_on(date!(2008 - 03 - 20), TODAY), 18);
        assert_eq!(age_on(date!(2008 - 03 - 21), TODAY), 17);
        assert_eq!(age_on(date!(2007 - 03 - 21), TODAY), 18);
        assert_eq!(age_on(date!(2007 - 03 - 20), TODAY), 19);
        assert_eq!(age_on(date!(2012 - 02 - 29), date!(2026 - 02 - 28)), 13);
    }

    #[test]
    fn a_valid_child_has_distinct_parents() {
        let c = validate_child(&input(), TODAY).unwrap();
        assert_eq!(c.full_name, "Agnes Wangge");
        assert_eq!(c.parent_person_ids, [3, 7]);
        assert_eq!(c.school_level, Some(SchoolLevel::Primary));
        let bare = validate_child(&ChildInput { school_level: "", school_status: "", ..input() }, TODAY).unwrap();
        assert_eq!((bare.school_level, bare.school_status), (None, None));
    }

    #[test]
    fn a_child_older_than_18_is_refused() {
        assert!(validate_child(&ChildInput { birth_date: "2007-03-21", ..input() }, TODAY).is_ok());
        let e = validate_child(&ChildInput { birth_date: "2007-03-20", ..input() }, TODAY).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("birth_date", Rule::OutOfRange));
        let e = validate_child(&ChildInput { birth_date: "2026-03-21", ..input() }, TODAY).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::OutOfRange);
    }

    #[test]
    fn parents_caregiver_and_school_are_checked() {
        let e =
            validate_child(&ChildInput { parent_person_ids: &[], caregiver: "uncle", ..input() }, TODAY).unwrap_err();
        let f: Vec<(&str, Rule)> = e.0.iter().map(|x| (x.field.as_str(), x.rule)).collect();
        assert_eq!(f, [("parent_person_ids", Rule::Required), ("caregiver", Rule::OneOf)]);
        let e = validate_child(&ChildInput { parent_person_ids: &[1, 2, 3, 4, 5], ..input() }, TODAY).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::OutOfRange);
        let e = validate_child(&ChildInput { parent_person_ids: &[0], ..input() }, TODAY).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::Format);
        let e = validate_child(&ChildInput { school_status: "never", ..input() }, TODAY).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("school_level", Rule::Mismatch));
    }
}
