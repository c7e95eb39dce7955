//! Licensed placement companies (P3MI): validation of registry entries.

use crate::validation::{Rule, ValidationErrors, text};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyStatus {
    Active,
    Suspended,
    Revoked,
}

impl AgencyStatus {
    pub const ALL: [AgencyStatus; 3] = [AgencyStatus::Active, AgencyStatus::Suspended, AgencyStatus::Revoked];
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyStatus::Active => "active",
            AgencyStatus::Suspended => "suspended",
            AgencyStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<AgencyStatus> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency {
    pub name: String,
    pub name_key: String,
    pub licence_number: String,
    pub status: AgencyStatus,
    pub valid_from: time::Date,
    pub valid_until: time::Date,
    pub address: String,
    pub phone: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewAgencyInput<'a> {
    pub name: &'a str,
    pub licence_number: &'a str,
    pub status: &'a str,
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
}

fn date(errs: &mut ValidationErrors, field: &str, raw: &str) -> Option<time::Date> {
    if raw.trim().is_empty() {
        errs.push(
            crate::FieldError::new(field, Rule::Required, "a date such as 2025-01-31").message("msg_key.date_format"),
        );
        return None;
    }
    let d = crate::person::parse_date(raw);
    if d.is_none() {
        errs.push(
            crate::FieldError::new(field, Rule::Format, "a date such as 2025-01-31").message("msg_key.date_format"),
        );
    }
    d
}

pub fn validate_agency(input: &NewAgencyInput<'_>) -> Result<NewAgency, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let name = text(&mut errs, "name", input.name, 2, 200);
    let licence_number = text(&mut errs, "licence_number", input.licence_number, 1, 60).to_uppercase();
    let status = AgencyStatus::parse(input.status);
    if status.is_none() {
        errs.add("status", Rule::OneOf, "one of: active, suspended, revoked");
    }
    let from = date(&mut errs, "valid_from", input.valid_from);
    let until = date(&mut errs, "valid_until", input.valid_until);
    if let (Some(f), Some(u)) = (from, until) {
        if u < f {
            errs.add("valid_until", Rule::OutOfRange, "must not be before valid_from");
        }
    }
    let address = text(&mut errs, "address", input.address, 0, 300);
    let phone = text(&mut errs, "phone", input.phone, 0, 40);
    match (status, from, until) {
        (Some(status), Some(valid_from), Some(valid_until)) if errs.is_empty() => Ok(NewAgency {
            name_key: crate::name::name_key(&name),
            name,
            licence_number,
            status,
            valid_from,
            valid_until,
            address,
            phone,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(status: &'a str, from: &'a str, until: &'a str) -> NewAgencyInput<'a> {
        NewAgencyInput {
            name: "PT Maju Bersama",
            licence_number: "kep.123/2024",
            status,
            valid_from: from,
            valid_until: until,
            ..Default::default()
        }
    }

    #[test]
    fn valid_agency() {
        let a = validate_agency(&input("active", "2024-01-01", "2029-01-01")).unwrap();
        assert_eq!(a.licence_number, "KEP.123/2024");
        assert_eq!(a.status, AgencyStatus::Active);
    }

    #[test]
    fn errors_name_the_field() {
        let e = validate_agency(&input("closed", "2024-13-01", "")).unwrap_err();
        let got: Vec<(&str, Rule)> = e.0.iter().map(|e| (e.field.as_str(), e.rule)).collect();
        assert!(got.contains(&("status", Rule::OneOf)));
        assert!(got.contains(&("valid_from", Rule::Format)));
        assert!(got.contains(&("valid_until", Rule::Required)));
        let e = validate_agency(&input("active", "2025-01-01", "2024-01-01")).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("valid_until", Rule::OutOfRange));
    }
}

/// A branch office of an agency (region existence is checked by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBranch {
    pub region_code: crate::RegionCode,
    pub address: String,
    pub phone: String,
}

pub fn validate_branch(region_code: &str, address: &str, phone: &str) -> Result<NewBranch, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let region = match region_code.trim().parse::<crate::RegionCode>() {
        Ok(c) if c.level() <= crate::RegionLevel::District => Some(c),
        Ok(_) | Err(_) => {
            errs.add("region_code", Rule::Format, "a province, regency or district code such as 53.07");
            None
        }
    };
    let address = text(&mut errs, "address", address, 3, 300);
    let phone = text(&mut errs, "phone", phone, 0, 40);
    match region {
        Some(region_code) if errs.is_empty() => Ok(NewBranch { region_code, address, phone }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod branch_tests {
    use super::*;

    #[test]
    fn a_branch_is_in_a_region_above_village_level() {
        assert!(validate_branch("53.07", "Jl. Ahmad Yani 1, Maumere", "").is_ok());
        let e = validate_branch("53.07.01.2001", "x", "").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["region_code", "address"]);
    }
}
