//! Equipment and grants given to a person or a group, with later condition checks: evaluations
//! found ministry-provided equipment left unused, so whether it is in use is the point.

use super::codes::EquipmentCondition;
use super::common::{amount, date, optional_id, village};
use crate::region::RegionCode;
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

#[derive(Debug, Clone, Default)]
pub struct EquipmentInput<'a> {
    pub village_code: &'a str,
    pub item: &'a str,
    /// Whole rupiah.
    pub value: &'a str,
    pub source_program: &'a str,
    pub given_on: &'a str,
    /// Exactly one of person and business (a group).
    pub person_id: &'a str,
    pub business_id: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEquipment {
    pub village_code: RegionCode,
    pub item: String,
    pub value: i64,
    pub source_program: String,
    pub given_on: Date,
    pub person_id: Option<i64>,
    pub business_id: Option<i64>,
}

pub fn validate_equipment(input: &EquipmentInput<'_>, today: Date) -> Result<NewEquipment, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let village_code = village(&mut errs, "village_code", input.village_code);
    let item = text(&mut errs, "item", input.item, 2, 200);
    let value = amount(&mut errs, "value", input.value, 0, None);
    let source_program = text(&mut errs, "source_program", input.source_program, 2, 200);
    let given_on = date(&mut errs, "given_on", input.given_on, Some(today));
    let person_id = optional_id(&mut errs, "person_id", input.person_id);
    let business_id = optional_id(&mut errs, "business_id", input.business_id);
    if errs.for_field("person_id").is_none() && errs.for_field("business_id").is_none() {
        match (person_id, business_id) {
            (None, None) => errs.add("person_id", Rule::Required, "the person or the group (business) it was given to"),
            (Some(_), Some(_)) => errs.add("business_id", Rule::Mismatch, "given to a person or to a group, not both"),
            _ => {}
        }
    }
    match (village_code, value, given_on) {
        (Some(village_code), Some(value), Some(given_on)) if errs.is_empty() => {
            Ok(NewEquipment { village_code, item, value, source_program, given_on, person_id, business_id })
        }
        _ => Err(errs),
    }
}

#[derive(Debug, Clone, Default)]
pub struct CheckInput<'a> {
    pub checked_on: &'a str,
    pub condition: &'a str,
    /// "true"/"1"/"on"/"yes" or "false"/"0"/"no"/"" .
    pub in_use: &'a str,
    pub note: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheck {
    pub checked_on: Date,
    pub condition: EquipmentCondition,
    pub in_use: bool,
    pub note: String,
}

/// A check of equipment given on `given_on`: not before it was given, not in the future. Lost
/// equipment cannot be in use.
pub fn validate_check(input: &CheckInput<'_>, given_on: Date, today: Date) -> Result<NewCheck, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let checked_on = date(&mut errs, "checked_on", input.checked_on, Some(today));
    if checked_on.is_some_and(|d| d < given_on) {
        errs.add("checked_on", Rule::OutOfRange, format!("not before the equipment was given ({given_on})"));
    }
    let condition = EquipmentCondition::parse(input.condition);
    if condition.is_none() {
        errs.add("condition", Rule::OneOf, format!("one of {}", EquipmentCondition::codes()));
    }
    let in_use = match input.in_use.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" | "ya" => Some(true),
        "false" | "0" | "no" | "tidak" | "" => Some(false),
        _ => {
            errs.add("in_use", Rule::OneOf, "true or false");
            None
        }
    };
    if condition == Some(EquipmentCondition::Lost) && in_use == Some(true) {
        errs.add("in_use", Rule::Mismatch, "lost equipment cannot be in use");
    }
    let note = text(&mut errs, "note", input.note, 0, 2000);
    match (checked_on, condition, in_use) {
        (Some(checked_on), Some(condition), Some(in_use)) if errs.is_empty() => {
            Ok(NewCheck { checked_on, condition, in_use, note })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 20);

    fn input() -> EquipmentInput<'static> {
        EquipmentInput {
            village_code: "53.07.01.2001",
            item: "Mesin jahit",
            value: "2.750.000",
            source_program: "Desmigratif Kemnaker 2018",
            given_on: "2018-08-17",
            person_id: "",
            business_id: "2",
        }
    }

    #[test]
    fn equipment_value_in_rupiah_and_one_recipient() {
        let e = validate_equipment(&input(), TODAY).unwrap();
        assert_eq!(e.value, 2_750_000);
        let err = validate_equipment(&EquipmentInput { business_id: "", value: "-1", ..input() }, TODAY).unwrap_err();
        let f: Vec<(&str, Rule)> = err.0.iter().map(|x| (x.field.as_str(), x.rule)).collect();
        assert_eq!(f, [("value", Rule::OutOfRange), ("person_id", Rule::Required)]);
    }

    #[test]
    fn checks_follow_the_gift_and_lost_is_not_in_use() {
        let given = date!(2018 - 08 - 17);
        let ok = CheckInput { checked_on: "2026-03-01", condition: "broken", in_use: "", note: "" };
        assert_eq!(validate_check(&ok, given, TODAY).unwrap().in_use, false);
        let early = CheckInput { checked_on: "2018-08-01", ..ok.clone() };
        assert_eq!(validate_check(&early, given, TODAY).unwrap_err().0[0].field, "checked_on");
        let lost = CheckInput { condition: "lost", in_use: "on", ..ok.clone() };
        assert_eq!(validate_check(&lost, given, TODAY).unwrap_err().0[0].rule, Rule::Mismatch);
        let odd = CheckInput { in_use: "maybe", ..ok };
        assert_eq!(validate_check(&odd, given, TODAY).unwrap_err().0[0].field, "in_use");
    }
}
