//! Opening a migration episode: the placement's facts as the officer first records them.

use super::{Category, CountryCode, JobType, Scheme};
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

#[derive(Debug, Clone, Default)]
pub struct NewEpisodeInput<'a> {
    pub category: &'a str,
    pub scheme: &'a str,
    pub destination: &'a str,
    pub job_type: &'a str,
    /// Id of a registry agency (P3MI), or empty.
    pub agency_id: &'a str,
    /// Id of the agency's job order (demand letter), or empty.
    pub job_order_id: &'a str,
    /// A recruiter not in the registry, as the worker names them.
    pub recruiter_name: &'a str,
    pub employer: &'a str,
    pub planned_departure: &'a str,
    pub contract_start: &'a str,
    pub contract_end: &'a str,
    pub sisko_id: &'a str,
    pub ekpmi_id: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEpisode {
    pub category: Category,
    pub scheme: Scheme,
    pub destination: CountryCode,
    pub job_type: JobType,
    pub agency_id: Option<i64>,
    pub job_order_id: Option<i64>,
    pub recruiter_name: String,
    pub employer: String,
    pub planned_departure: Option<Date>,
    pub contract_start: Option<Date>,
    pub contract_end: Option<Date>,
    pub sisko_id: String,
    pub ekpmi_id: String,
}

fn optional_date(errs: &mut ValidationErrors, field: &str, raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let d = crate::person::parse_date(raw);
    if d.is_none() {
        errs.add(field, Rule::Format, "a date such as 2026-12-31");
    }
    d
}

/// Checks everything but the agency's existence (the caller looks it up).
pub fn validate_new_episode(input: &NewEpisodeInput<'_>) -> Result<NewEpisode, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let category = Category::parse(input.category);
    if category.is_none() {
        errs.add("category", Rule::OneOf, "legal_entity_employer, household_employer or ship_crew");
    }
    let scheme = Scheme::parse(input.scheme);
    if scheme.is_none() {
        errs.add("scheme", Rule::OneOf, "p3mi, g2g, independent, own_company or extension");
    }
    let destination = CountryCode::parse(input.destination);
    if destination.is_none() {
        errs.add("destination", Rule::Format, "an ISO 3166 country abroad such as TW, HK or MY");
    }
    let job_type = JobType::known(input.job_type);
    if job_type.is_none() {
        errs.add("job_type", Rule::OneOf, super::codes::JOB_TYPES.join(", "));
    }
    let agency_id = match input.agency_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errs.add("agency_id", Rule::Format, "an agency from the registry");
                None
            }
        },
    };
    let job_order_id = match input.job_order_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errs.add("job_order_id", Rule::Format, "a job order of the chosen agency");
                None
            }
        },
    };
    if job_order_id.is_some() && agency_id.is_none() {
        errs.add("job_order_id", Rule::Mismatch, "choose the agency the job order belongs to");
    }
    let recruiter_name = text(&mut errs, "recruiter_name", input.recruiter_name, 0, 200);
    let employer = text(&mut errs, "employer", input.employer, 0, 200);
    let planned_departure = optional_date(&mut errs, "planned_departure", input.planned_departure);
    let contract_start = optional_date(&mut errs, "contract_start", input.contract_start);
    let contract_end = optional_date(&mut errs, "contract_end", input.contract_end);
    if let (Some(s), Some(e)) = (contract_start, contract_end) {
        if e <= s {
            errs.add("contract_end", Rule::OutOfRange, "must be after contract_start");
        }
    }
    // National ids in their stored form (upper case, checked like every other door's).
    let mut national_id = |kind, raw| match crate::national_ids::ExternalId::parse(kind, raw) {
        Ok(v) => v.map(|v| v.as_str().to_string()).unwrap_or_default(),
        Err(e) => {
            errs.push(e);
            String::new()
        }
    };
    let sisko_id = national_id(crate::national_ids::ExternalIdKind::SiskoP2mi, input.sisko_id);
    let ekpmi_id = national_id(crate::national_ids::ExternalIdKind::EPmi, input.ekpmi_id);
    match (category, scheme, destination, job_type) {
        (Some(category), Some(scheme), Some(destination), Some(job_type)) if errs.is_empty() => Ok(NewEpisode {
            category,
            scheme,
            destination,
            job_type,
            agency_id,
            job_order_id,
            recruiter_name,
            employer,
            planned_departure,
            contract_start,
            contract_end,
            sisko_id,
            ekpmi_id,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NewEpisodeInput<'static> {
        NewEpisodeInput {
            category: "household_employer",
            scheme: "p3mi",
            destination: "tw",
            job_type: "Caregiver",
            agency_id: "3",
            contract_start: "2027-01-01",
            contract_end: "2029-01-01",
            ..Default::default()
        }
    }

    #[test]
    fn valid_opening() {
        let e = validate_new_episode(&input()).unwrap();
        assert_eq!(e.destination.as_str(), "TW");
        assert_eq!(e.agency_id, Some(3));
        assert_eq!(e.job_type.as_str(), "caregiver");
    }

    #[test]
    fn each_error_names_its_field() {
        let bad = NewEpisodeInput {
            category: "boss",
            scheme: "",
            destination: "Taiwan",
            job_type: "",
            agency_id: "x",
            contract_start: "2029-01-01",
            contract_end: "2027-01-01",
            planned_departure: "soon",
            ..Default::default()
        };
        let e = validate_new_episode(&bad).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        for f in ["category", "scheme", "destination", "job_type", "agency_id", "contract_end", "planned_departure"] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }
}
