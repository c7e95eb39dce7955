//! Programs a village takes part in (Desmigratif first; Desa Migran EMAS, Koperasi Desa
//! Merah Putih…) and the village designation rules.

use crate::validation::{Rule, ValidationErrors, text};

/// The code of the Desmigratif program record, seeded by the first migration.
pub const DESMIGRATIF: &str = "desmigratif";

/// Desmigratif started in 2016 with two pilot villages.
pub const FIRST_COHORT: i32 = 2016;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designation {
    pub desmigratif: bool,
    pub cohort_year: Option<i32>,
    pub pocket_village: bool,
}

/// A cohort year is required when designating, and must lie between 2016 and next year.
pub fn validate_designation(
    desmigratif: bool,
    cohort_year: Option<i64>,
    pocket_village: bool,
    current_year: i32,
) -> Result<Designation, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let cohort = match (desmigratif, cohort_year) {
        (true, None) => {
            errs.add("cohort_year", Rule::Required, "required when desmigratif is true");
            None
        }
        (_, Some(y)) if y < FIRST_COHORT as i64 || y > current_year as i64 + 1 => {
            errs.push(
                crate::FieldError::new(
                    "cohort_year",
                    Rule::OutOfRange,
                    format!("between {FIRST_COHORT} and {}", current_year + 1),
                )
                .min(FIRST_COHORT)
                .max(current_year + 1),
            );
            None
        }
        (true, Some(y)) => Some(y as i32),
        // Not designated: a cohort year has no meaning and is dropped.
        (false, Some(_)) => None,
        (false, None) => None,
    };
    errs.into_result()?;
    Ok(Designation { desmigratif, cohort_year: cohort, pocket_village })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProgram {
    pub code: String,
    pub name: String,
    pub institution: String,
    pub criteria: String,
}

pub fn validate_program(
    code: &str,
    name: &str,
    institution: &str,
    criteria: &str,
) -> Result<NewProgram, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let code = code.trim().to_lowercase();
    if code.is_empty() {
        errs.add("code", Rule::Required, "must not be empty");
    } else if code.len() > 40 || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        errs.add("code", Rule::Format, "a-z, digits and dashes, at most 40");
    }
    let name = text(&mut errs, "name", name, 1, 200);
    let institution = text(&mut errs, "institution", institution, 1, 200);
    let criteria = text(&mut errs, "criteria", criteria, 0, 4000);
    errs.into_result()?;
    Ok(NewProgram { code, name, institution, criteria })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designation_needs_a_plausible_cohort() {
        assert_eq!(validate_designation(true, Some(2017), true, 2026).unwrap().cohort_year, Some(2017));
        let e = validate_designation(true, None, false, 2026).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("cohort_year", Rule::Required));
        let e = validate_designation(true, Some(2015), false, 2026).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::OutOfRange);
        assert!(validate_designation(true, Some(2028), false, 2026).is_err());
        let d = validate_designation(false, Some(2018), true, 2026).unwrap();
        assert_eq!(d.cohort_year, None);
        assert!(d.pocket_village);
    }

    #[test]
    fn program_code_format() {
        assert!(validate_program("desa-migran-emas", "Desa Migran EMAS", "KP2MI", "").is_ok());
        let e = validate_program("Desa Migran!", "", "x", "").unwrap_err();
        assert_eq!(e.0.len(), 2);
    }
}
