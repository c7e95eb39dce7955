//! Program targets: per year and level (nation, a province, a regency), with the historical
//! total where the villages themselves are not known.

use crate::region::{RegionCode, RegionLevel};
use crate::validation::{Rule, ValidationErrors};

/// Desmigratif started in 2016 with two pilot villages.
pub const FIRST_PROGRAM_YEAR: i32 = 2016;
/// A target may be planned at most this many years ahead of the current year.
pub const MAX_YEARS_AHEAD: i32 = 5;
const MAX_VILLAGES: i64 = 100_000;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TargetInput {
    #[serde(default)]
    pub year: Option<i64>,
    /// Empty: national.
    #[serde(default)]
    pub region_code: String,
    /// The indicator the target is for; `desmigratif_villages` when empty.
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub target: Option<i64>,
    #[serde(default)]
    pub historical_actual: Option<i64>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTarget {
    pub year: i32,
    pub region: Option<RegionCode>,
    pub indicator: String,
    pub target: Option<i64>,
    pub historical_actual: Option<i64>,
    pub note: String,
}

/// Checks a target against `current_year` and the indicators that accept targets.
pub fn validate_target(
    input: &TargetInput,
    current_year: i32,
    indicators: &[&str],
) -> Result<ValidTarget, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let last = current_year + MAX_YEARS_AHEAD;
    let year = match input.year {
        None => {
            errs.add("year", Rule::Required, "a year such as 2026");
            None
        }
        Some(y) if y < FIRST_PROGRAM_YEAR as i64 || y > last as i64 => {
            errs.add("year", Rule::OutOfRange, format!("a year from {FIRST_PROGRAM_YEAR} to {last}"));
            None
        }
        Some(y) => Some(y as i32),
    };
    let region = match input.region_code.trim() {
        "" => None,
        s => match s.parse::<RegionCode>() {
            Ok(c) if matches!(c.level(), RegionLevel::Province | RegionLevel::Regency) => Some(c),
            _ => {
                errs.add("region_code", Rule::ScopeLevel, "empty (national), a province or a regency code");
                None
            }
        },
    };
    let indicator = match input.indicator.trim() {
        "" => "desmigratif_villages".to_string(),
        s => s.to_string(),
    };
    if !indicators.contains(&indicator.as_str()) {
        errs.add("indicator", Rule::OneOf, format!("one of {}", indicators.join(", ")));
    }
    for (field, v) in [("target", input.target), ("historical_actual", input.historical_actual)] {
        if let Some(v) = v
            && !(0..=MAX_VILLAGES).contains(&v)
        {
            errs.add(field, Rule::OutOfRange, format!("from 0 to {MAX_VILLAGES}"));
        }
    }
    if input.target.is_none() && input.historical_actual.is_none() {
        errs.add("target", Rule::Required, "a target, a historical total, or both");
    }
    let note = crate::validation::text(&mut errs, "note", &input.note, 0, 500);
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(ValidTarget {
        year: year.unwrap_or(FIRST_PROGRAM_YEAR),
        region,
        indicator,
        target: input.target,
        historical_actual: input.historical_actual,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(year: i64, target: Option<i64>) -> TargetInput {
        TargetInput { year: Some(year), target, ..Default::default() }
    }

    #[test]
    fn years_outside_the_program_are_refused() {
        let ind = ["desmigratif_villages"];
        assert!(validate_target(&input(2019, Some(150)), 2026, &ind).is_ok());
        assert!(validate_target(&input(2031, Some(10)), 2026, &ind).is_ok());
        let far = validate_target(&input(2099, Some(10)), 2026, &ind).unwrap_err();
        assert_eq!(far.0[0].field, "year");
        assert_eq!(far.0[0].rule, Rule::OutOfRange);
        assert!(validate_target(&input(2015, Some(10)), 2026, &ind).is_err());
        assert_eq!(validate_target(&input(2020, None), 2026, &ind).unwrap_err().0[0].field, "target");
        assert_eq!(validate_target(&input(2020, Some(-1)), 2026, &ind).unwrap_err().0[0].rule, Rule::OutOfRange);
        let mut i = input(2020, Some(3));
        i.region_code = "53.07.01".into();
        assert_eq!(validate_target(&i, 2026, &ind).unwrap_err().0[0].field, "region_code");
        i.region_code = "53.07".into();
        assert_eq!(validate_target(&i, 2026, &ind).unwrap().region.unwrap().as_str(), "53.07");
        i.indicator = "bogus".into();
        assert_eq!(validate_target(&i, 2026, &ind).unwrap_err().0[0].field, "indicator");
    }
}
