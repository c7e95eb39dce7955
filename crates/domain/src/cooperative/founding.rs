//! Founding a cooperative: the checks every door applies (the form, the API, the generator).
//! Whether the village exists and the account may found one there is the application's
//! check; everything about the values themselves is here.

use crate::region::{RegionCode, RegionLevel};
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

/// What a cooperative can be: a koperasi, or a unit of the village enterprise (BUMDes).
pub const KINDS: [&str; 2] = ["koperasi", "bumdes_unit"];

/// The raw values of a founding, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct FoundingInput<'a> {
    pub village_code: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub legal_number: &'a str,
    pub founded_on: &'a str,
}

/// A founding whose values passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Founding {
    pub village: RegionCode,
    pub kind: &'static str,
    pub name: String,
    pub legal_number: String,
    pub founded_on: Date,
}

/// Checks the values, adding each problem to `errs` (field and rule); `today_in` gives the
/// village's own calendar day, the bound of the founding date. `None` when anything failed.
pub fn validate_founding(
    errs: &mut ValidationErrors,
    input: &FoundingInput<'_>,
    today_in: impl Fn(&RegionCode) -> Date,
) -> Option<Founding> {
    let village = input.village_code.trim().parse::<RegionCode>().ok().filter(|v| v.level() == RegionLevel::Village);
    if village.is_none() {
        errs.push(
            crate::FieldError::new("village_code", Rule::Format, "a village code such as 53.07.01.2001")
                .message("msg_key.village_code_format"),
        );
    }
    let kind = KINDS.into_iter().find(|k| *k == input.kind.trim());
    if kind.is_none() {
        errs.add("kind", Rule::OneOf, KINDS.join(" or "));
    }
    let name = text(errs, "name", input.name, 3, 200);
    let legal_number = text(errs, "legal_number", input.legal_number, 0, 100);
    let founded_on = crate::person::parse_date(input.founded_on.trim());
    let founded_on = match (founded_on, &village) {
        (Some(d), Some(v)) if d > today_in(v) => {
            errs.push(
                crate::FieldError::new("founded_on", Rule::OutOfRange, "not in the future")
                    .message("msg_key.not_in_future"),
            );
            None
        }
        (Some(d), _) => Some(d),
        (None, _) => {
            errs.add("founded_on", Rule::Format, "a date such as 2025-01-02, not in the future");
            None
        }
    };
    Some(Founding { village: village?, kind: kind?, name, legal_number, founded_on: founded_on? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn check(input: FoundingInput<'_>) -> Result<Founding, Vec<(String, Rule)>> {
        let mut errs = ValidationErrors::new();
        let f = validate_founding(&mut errs, &input, |_| date!(2026 - 03 - 02));
        match f {
            Some(f) if errs.is_empty() => Ok(f),
            _ => Err(errs.0.into_iter().map(|e| (e.field, e.rule)).collect()),
        }
    }

    fn good() -> FoundingInput<'static> {
        FoundingInput {
            village_code: "53.10.01.2001",
            kind: "koperasi",
            name: "Koperasi Maju Bersama",
            legal_number: "",
            founded_on: "2026-03-02",
        }
    }

    #[test]
    fn a_valid_founding_passes() {
        let f = check(good()).expect("valid");
        assert_eq!((f.village.as_str(), f.kind, f.founded_on), ("53.10.01.2001", "koperasi", date!(2026 - 03 - 02)));
    }

    #[test]
    fn each_rule_names_its_field() {
        let e = check(FoundingInput { village_code: "53.10", ..good() }).unwrap_err();
        assert_eq!(e, vec![("village_code".into(), Rule::Format)]);
        let e = check(FoundingInput { kind: "ksp", ..good() }).unwrap_err();
        assert_eq!(e, vec![("kind".into(), Rule::OneOf)]);
        let e = check(FoundingInput { name: "K", ..good() }).unwrap_err();
        assert_eq!(e[0].0, "name");
        let e = check(FoundingInput { founded_on: "2026-03-03", ..good() }).unwrap_err();
        assert_eq!(e, vec![("founded_on".into(), Rule::OutOfRange)]);
        let e = check(FoundingInput { founded_on: "2026-13-01", ..good() }).unwrap_err();
        assert_eq!(e, vec![("founded_on".into(), Rule::Format)]);
    }
}
