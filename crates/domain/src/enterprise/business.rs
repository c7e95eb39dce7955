//! Businesses and business groups of returned migrants and their families: sector, start,
//! capital sources, legal form, status, members, and monthly reports of revenue, costs and
//! workers employed.

use super::codes::{BusinessStatus, CapitalSource, LegalForm, MemberKind, Sector};
use super::common::{Month, amount, date, past_month, village};
use crate::region::RegionCode;
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

/// The most workers a village business reports: more is a typing slip.
pub const MAX_WORKERS: i64 = 10_000;

#[derive(Debug, Clone, Default)]
pub struct BusinessInput<'a> {
    pub village_code: &'a str,
    pub name: &'a str,
    pub sector: &'a str,
    pub legal_form: &'a str,
    /// Empty: planned.
    pub status: &'a str,
    /// Required unless planned.
    pub started_on: &'a str,
    pub capital_sources: &'a [&'a str],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBusiness {
    pub village_code: RegionCode,
    pub name: String,
    pub sector: Sector,
    pub legal_form: LegalForm,
    pub status: BusinessStatus,
    pub started_on: Option<Date>,
    /// Distinct, in declaration order.
    pub capital_sources: Vec<CapitalSource>,
}

pub fn validate_business(input: &BusinessInput<'_>, today: Date) -> Result<NewBusiness, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let village_code = village(&mut errs, "village_code", input.village_code);
    let name = text(&mut errs, "name", input.name, 2, 200);
    let sector = Sector::parse(input.sector);
    if sector.is_none() {
        errs.add("sector", Rule::OneOf, format!("one of {}", Sector::codes()));
    }
    let legal_form = LegalForm::parse(input.legal_form);
    if legal_form.is_none() {
        errs.add("legal_form", Rule::OneOf, format!("one of {}", LegalForm::codes()));
    }
    let status = if input.status.trim().is_empty() {
        Some(BusinessStatus::Planned)
    } else {
        BusinessStatus::parse(input.status)
    };
    if status.is_none() {
        errs.add("status", Rule::OneOf, format!("one of {}", BusinessStatus::codes()));
    }
    let started_on = if input.started_on.trim().is_empty() {
        if status.is_some_and(|s| s != BusinessStatus::Planned) {
            errs.add("started_on", Rule::Required, "when the business started (leave empty only while planned)");
        }
        None
    } else {
        // A planned business may name the day it will start; one that started did so already.
        let latest = if status == Some(BusinessStatus::Planned) { None } else { Some(today) };
        date(&mut errs, "started_on", input.started_on, latest)
    };
    let mut capital_sources = Vec::new();
    for raw in input.capital_sources.iter().filter(|s| !s.trim().is_empty()) {
        match CapitalSource::parse(raw) {
            Some(c) if !capital_sources.contains(&c) => capital_sources.push(c),
            Some(_) => {}
            None => {
                errs.add("capital_sources", Rule::OneOf, format!("each one of {}", CapitalSource::codes()));
                break;
            }
        }
    }
    capital_sources.sort();
    match (village_code, sector, legal_form, status) {
        (Some(village_code), Some(sector), Some(legal_form), Some(status)) if errs.is_empty() => {
            Ok(NewBusiness { village_code, name, sector, legal_form, status, started_on, capital_sources })
        }
        _ => Err(errs),
    }
}

/// Capital sources as stored: codes separated by commas.
pub fn capital_sources_text(sources: &[CapitalSource]) -> String {
    sources.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

/// A new member: the kind is a code; an individual business has one member only.
pub fn validate_member(kind: &str, legal_form: LegalForm, members_now: usize) -> Result<MemberKind, ValidationErrors> {
    let Some(k) = MemberKind::parse(kind) else {
        return Err(ValidationErrors::single("kind", Rule::OneOf, format!("one of {}", MemberKind::codes())));
    };
    if legal_form == LegalForm::Individual && members_now >= 1 {
        return Err(ValidationErrors::single(
            "person_id",
            Rule::Mismatch,
            "an individual business has one member; record a group instead",
        ));
    }
    Ok(k)
}

/// A status change along [`BusinessStatus::next_states`]; errors name `status`.
pub fn check_status_change(from: BusinessStatus, to: &str) -> Result<BusinessStatus, ValidationErrors> {
    let Some(to) = BusinessStatus::parse(to) else {
        return Err(ValidationErrors::single("status", Rule::OneOf, format!("one of {}", BusinessStatus::codes())));
    };
    if from.next_states().contains(&to) {
        Ok(to)
    } else {
        let allowed = from.next_states().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        let detail = if allowed.is_empty() {
            format!("a {from} business cannot change status")
        } else {
            format!("from {from} only to {allowed}")
        };
        Err(ValidationErrors::single("status", Rule::Mismatch, detail))
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReportInput<'a> {
    /// `YYYY-MM`.
    pub month: &'a str,
    pub revenue: &'a str,
    pub costs: &'a str,
    pub workers: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewReport {
    pub month: Month,
    pub revenue: i64,
    pub costs: i64,
    pub workers: i64,
}

impl NewReport {
    /// Revenue minus costs (negative for a loss).
    pub fn profit(&self) -> i64 {
        self.revenue - self.costs
    }
}

/// A monthly report of a business in `status` that started on `started_on`: refused for a
/// closed business (and one not started yet), for a month before the start and for a month in
/// the future.
pub fn validate_report(
    input: &ReportInput<'_>,
    status: BusinessStatus,
    started_on: Option<Date>,
    today: Date,
) -> Result<NewReport, ValidationErrors> {
    match status {
        BusinessStatus::Closed => {
            return Err(ValidationErrors::single(
                "status",
                Rule::Mismatch,
                "the business is closed: it takes no more reports",
            ));
        }
        BusinessStatus::Planned => {
            return Err(ValidationErrors::single(
                "status",
                Rule::Mismatch,
                "the business has not started: set it running first",
            ));
        }
        BusinessStatus::Running | BusinessStatus::Paused => {}
    }
    let mut errs = ValidationErrors::new();
    let month = past_month(&mut errs, "month", input.month, today);
    if let (Some(m), Some(start)) = (month, started_on) {
        if m < Month::of(start) {
            errs.add("month", Rule::OutOfRange, format!("not before the business started ({})", Month::of(start)));
        }
    }
    let revenue = amount(&mut errs, "revenue", input.revenue, 0, None);
    let costs = amount(&mut errs, "costs", input.costs, 0, None);
    let workers = amount(&mut errs, "workers", input.workers, 0, Some(0));
    if workers.is_some_and(|w| w > MAX_WORKERS) {
        errs.add("workers", Rule::OutOfRange, format!("from 0 to {MAX_WORKERS}"));
    }
    match (month, revenue, costs, workers) {
        (Some(month), Some(revenue), Some(costs), Some(workers)) if errs.is_empty() => {
            Ok(NewReport { month, revenue, costs, workers })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 20);

    fn input() -> BusinessInput<'static> {
        BusinessInput {
            village_code: "53.07.01.2001",
            name: "Tenun Ikat Masabewa",
            sector: "crafts",
            legal_form: "group",
            status: "running",
            started_on: "2025-11-03",
            capital_sources: &["own_remittances", "kur", "own_remittances"],
        }
    }

    #[test]
    fn a_valid_business_with_distinct_sources() {
        let b = validate_business(&input(), TODAY).unwrap();
        assert_eq!(b.capital_sources, [CapitalSource::OwnRemittances, CapitalSource::Kur]);
        assert_eq!(capital_sources_text(&b.capital_sources), "own_remittances,kur");
        let planned = validate_business(&BusinessInput { status: "", started_on: "", ..input() }, TODAY).unwrap();
        assert_eq!((planned.status, planned.started_on), (BusinessStatus::Planned, None));
    }

    #[test]
    fn a_started_business_needs_a_past_start() {
        let e = validate_business(&BusinessInput { started_on: "", ..input() }, TODAY).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("started_on", Rule::Required));
        let e = validate_business(&BusinessInput { started_on: "2026-04-01", ..input() }, TODAY).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::OutOfRange);
        assert!(
            validate_business(&BusinessInput { status: "planned", started_on: "2026-06-01", ..input() }, TODAY).is_ok()
        );
        let e = validate_business(&BusinessInput { capital_sources: &["lottery"], legal_form: "pt", ..input() }, TODAY)
            .unwrap_err();
        let f: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["legal_form", "capital_sources"]);
    }

    #[test]
    fn reports_are_refused_for_closed_businesses_and_bad_months() {
        let start = Some(date!(2025 - 11 - 03));
        let r = ReportInput { month: "2026-01", revenue: "4.500.000", costs: "3000000", workers: "2" };
        let ok = validate_report(&r, BusinessStatus::Running, start, TODAY).unwrap();
        assert_eq!((ok.revenue, ok.costs, ok.workers, ok.profit()), (4_500_000, 3_000_000, 2, 1_500_000));
        assert!(validate_report(&r, BusinessStatus::Paused, start, TODAY).is_ok());
        for status in [BusinessStatus::Closed, BusinessStatus::Planned] {
            let e = validate_report(&r, status, start, TODAY).unwrap_err();
            assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("status", Rule::Mismatch), "{status}");
        }
        for month in ["2025-10", "2026-04"] {
            let e = validate_report(&ReportInput { month, ..r.clone() }, BusinessStatus::Running, start, TODAY)
                .unwrap_err();
            assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("month", Rule::OutOfRange), "{month}");
        }
        // The start month itself and the current month are fine.
        assert!(
            validate_report(&ReportInput { month: "2025-11", ..r.clone() }, BusinessStatus::Running, start, TODAY)
                .is_ok()
        );
        assert!(
            validate_report(&ReportInput { month: "2026-03", ..r.clone() }, BusinessStatus::Running, start, TODAY)
                .is_ok()
        );
        let e = validate_report(
            &ReportInput { revenue: "-1", workers: "20000", ..r },
            BusinessStatus::Running,
            start,
            TODAY,
        )
        .unwrap_err();
        let f: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["revenue", "workers"]);
    }

    #[test]
    fn status_changes_follow_the_states_and_members_the_form() {
        assert_eq!(check_status_change(BusinessStatus::Running, "closed"), Ok(BusinessStatus::Closed));
        assert_eq!(check_status_change(BusinessStatus::Closed, "running").unwrap_err().0[0].rule, Rule::Mismatch);
        assert_eq!(check_status_change(BusinessStatus::Running, "bankrupt").unwrap_err().0[0].rule, Rule::OneOf);
        assert_eq!(validate_member("returned_migrant", LegalForm::Group, 5), Ok(MemberKind::ReturnedMigrant));
        assert_eq!(validate_member("family_member", LegalForm::Individual, 0), Ok(MemberKind::FamilyMember));
        assert_eq!(validate_member("other", LegalForm::Individual, 1).unwrap_err().0[0].field, "person_id");
        assert_eq!(validate_member("boss", LegalForm::Group, 0).unwrap_err().0[0].field, "kind");
    }
}
