//! Job orders (demand letters): what a placement agency offers — destination, employer, job,
//! salary, the costs the worker is charged, quota and validity — and whether one can be chosen
//! for a placement.
//!
//! A job order is only as good as its verification by the labour attaché at the mission abroad
//! and the standing of the agency behind it: `selectable` is the one rule that decides, so the
//! placement form, the API and (later) the public portal cannot disagree.

use super::codes::{CountryCode, JobType};
use super::flags::{CostCharge, CostItem};
use crate::agency::AgencyStatus;
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

code_enum! {
    /// Where a job order stands with the labour attaché.
    pub enum VerificationStatus {
        /// Recorded, not (yet) checked.
        Unverified = "unverified",
        Verified = "verified",
        /// Checked and found wrong (unknown employer, terms below the standard contract…).
        Rejected = "rejected",
    }
}

code_enum! {
    /// Why a job order cannot be chosen for a placement, most serious first.
    pub enum NotSelectable {
        AgencyRevoked = "agency_revoked",
        AgencySuspended = "agency_suspended",
        AgencyLicenceExpired = "agency_licence_expired",
        JobOrderRejected = "job_order_rejected",
        JobOrderUnverified = "job_order_unverified",
        JobOrderExpired = "job_order_expired",
    }
}

/// The largest quota one demand letter may carry.
pub const MAX_QUOTA: i64 = 10_000;
/// The most cost rows one job order may list (one per cost item).
pub const MAX_COST_ROWS: usize = CostItem::ALL.len();
/// The largest single cost accepted: a trillion rupiah is a typing slip, not a fee.
pub const MAX_COST_RUPIAH: i64 = 1_000_000_000_000;
/// The longest reference (demand letter number) accepted.
pub const REFERENCE_MAX_CHARS: usize = 60;

/// A validated job order, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJobOrder {
    pub agency_id: i64,
    /// The demand letter's number, trimmed and upper-cased (unique per agency).
    pub reference: String,
    pub destination: CountryCode,
    pub employer: String,
    pub job_type: JobType,
    /// The monthly salary in whole units of `salary_currency`.
    pub salary_amount: i64,
    /// ISO 4217, upper case ("TWD", "HKD", "MYR").
    pub salary_currency: String,
    pub quota: i64,
    pub valid_from: Date,
    pub valid_until: Date,
    /// Costs the worker is charged, one row per item, in the order given.
    pub costs: Vec<CostCharge>,
}

/// A job order as typed into a form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct NewJobOrderInput<'a> {
    pub agency_id: &'a str,
    pub reference: &'a str,
    pub destination: &'a str,
    pub employer: &'a str,
    pub job_type: &'a str,
    pub salary_amount: &'a str,
    pub salary_currency: &'a str,
    pub quota: &'a str,
    pub valid_from: &'a str,
    pub valid_until: &'a str,
}

fn date(errs: &mut ValidationErrors, field: &str, raw: &str) -> Option<Date> {
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

/// A whole number in `min..=max`, or an error on `field` (required, format or out of range).
fn whole(errs: &mut ValidationErrors, field: &str, raw: &str, min: i64, max: i64, what: &str) -> Option<i64> {
    let s = raw.trim();
    if s.is_empty() {
        errs.add(field, Rule::Required, what.to_string());
        return None;
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errs.add(field, Rule::Format, format!("{what}, digits only"));
        return None;
    }
    match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            errs.add(field, Rule::OutOfRange, format!("{what} from {min} to {max}"));
            None
        }
    }
}

/// Checks a job order and its cost rows (`(cost item code, rupiah amount)`); every error names
/// its field, cost rows as `costs[2].item` / `costs[2].amount`.
pub fn validate_job_order(
    input: &NewJobOrderInput<'_>,
    costs: &[(&str, &str)],
) -> Result<NewJobOrder, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let agency_id = whole(&mut errs, "agency_id", input.agency_id, 1, i64::MAX, "the agency's id");
    let reference = text(&mut errs, "reference", input.reference, 1, REFERENCE_MAX_CHARS).to_uppercase();
    let destination = if input.destination.trim().is_empty() {
        errs.add("destination", Rule::Required, "an ISO 3166 country code such as TW");
        None
    } else {
        let c = CountryCode::parse(input.destination);
        if c.is_none() {
            let detail = if input.destination.trim().eq_ignore_ascii_case("ID") {
                "a country abroad: Indonesia is not a destination"
            } else {
                "an ISO 3166 country code of two letters, such as TW"
            };
            errs.add("destination", Rule::Format, detail);
        }
        c
    };
    let employer = text(&mut errs, "employer", input.employer, 2, 200);
    let job_type = if input.job_type.trim().is_empty() {
        errs.add("job_type", Rule::Required, "a job type code such as housekeeper");
        None
    } else {
        let j = JobType::known(input.job_type);
        if j.is_none() {
            errs.add("job_type", Rule::OneOf, super::codes::JOB_TYPES.join(", "));
        }
        j
    };
    let salary_amount =
        whole(&mut errs, "salary_amount", input.salary_amount, 1, i64::MAX, "a monthly salary in whole units");
    let currency = input.salary_currency.trim().to_ascii_uppercase();
    if currency.is_empty() {
        errs.add("salary_currency", Rule::Required, "an ISO 4217 currency code such as TWD");
    } else if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
        errs.add("salary_currency", Rule::Format, "an ISO 4217 currency code of three letters, such as TWD");
    }
    let quota = whole(&mut errs, "quota", input.quota, 1, MAX_QUOTA, "a number of workers");
    let from = date(&mut errs, "valid_from", input.valid_from);
    let until = date(&mut errs, "valid_until", input.valid_until);
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        errs.add("valid_until", Rule::OutOfRange, "must not be before valid_from");
    }
    let charges = validate_costs(&mut errs, costs);
    match (agency_id, destination, job_type, salary_amount, quota, from, until) {
        (Some(agency_id), Some(destination), Some(job_type), Some(salary_amount), Some(quota), Some(f), Some(u))
            if errs.is_empty() =>
        {
            Ok(NewJobOrder {
                agency_id,
                reference,
                destination,
                employer,
                job_type,
                salary_amount,
                salary_currency: currency,
                quota,
                valid_from: f,
                valid_until: u,
                costs: charges,
            })
        }
        _ => Err(errs),
    }
}

fn validate_costs(errs: &mut ValidationErrors, costs: &[(&str, &str)]) -> Vec<CostCharge> {
    if costs.len() > MAX_COST_ROWS {
        errs.add("costs", Rule::TooLong, format!("at most {MAX_COST_ROWS} rows, one per cost item"));
    }
    let mut charges: Vec<CostCharge> = Vec::with_capacity(costs.len());
    let mut seen: Vec<CostItem> = Vec::with_capacity(costs.len());
    for (i, (item, amount)) in costs.iter().enumerate() {
        let item_field = format!("costs[{i}].item");
        let amount_field = format!("costs[{i}].amount");
        let item = if item.trim().is_empty() {
            errs.add(&item_field, Rule::Required, "a cost item code");
            None
        } else {
            let parsed = CostItem::parse(item);
            match parsed {
                None => {
                    let all: Vec<&str> = CostItem::ALL.iter().map(|c| c.as_str()).collect();
                    errs.add(&item_field, Rule::OneOf, format!("one of: {}", all.join(", ")));
                }
                Some(c) if seen.contains(&c) => {
                    errs.add(&item_field, Rule::Taken, "listed twice: give one total per item");
                }
                Some(c) => seen.push(c),
            }
            parsed
        };
        let amount = super::money::parse_field(errs, &amount_field, amount, 0, MAX_COST_RUPIAH);
        if let (Some(item), Some(amount)) = (item, amount)
            && !charges.iter().any(|x| x.item == item)
        {
            charges.push(CostCharge { item, amount });
        }
    }
    charges
}

/// Whether a job order can be chosen for a placement on `today`: verified, still valid (the
/// last day counts), from an active agency whose licence is still valid. The error is the
/// most serious reason (a `NotSelectable` code), agency first.
pub fn selectable(
    status: VerificationStatus,
    valid_until: Date,
    agency_status: AgencyStatus,
    agency_licence_valid_until: Date,
    today: Date,
) -> Result<(), &'static str> {
    why_not_selectable(status, valid_until, agency_status, agency_licence_valid_until, today)
        .map_or(Ok(()), |r| Err(r.as_str()))
}

/// `selectable` as a typed reason.
pub fn why_not_selectable(
    status: VerificationStatus,
    valid_until: Date,
    agency_status: AgencyStatus,
    agency_licence_valid_until: Date,
    today: Date,
) -> Option<NotSelectable> {
    match agency_status {
        AgencyStatus::Revoked => return Some(NotSelectable::AgencyRevoked),
        AgencyStatus::Suspended => return Some(NotSelectable::AgencySuspended),
        AgencyStatus::Active => {}
    }
    if agency_licence_valid_until < today {
        return Some(NotSelectable::AgencyLicenceExpired);
    }
    match status {
        VerificationStatus::Rejected => return Some(NotSelectable::JobOrderRejected),
        VerificationStatus::Unverified => return Some(NotSelectable::JobOrderUnverified),
        VerificationStatus::Verified => {}
    }
    (valid_until < today).then_some(NotSelectable::JobOrderExpired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service_center::money::Rupiah;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn input<'a>() -> NewJobOrderInput<'a> {
        NewJobOrderInput {
            agency_id: "7",
            reference: " dl/2026/001 ",
            destination: "tw",
            employer: "Chen Family",
            job_type: "Elderly carer",
            salary_amount: "27470",
            salary_currency: "twd",
            quota: "10",
            valid_from: "2026-01-01",
            valid_until: "2026-12-31",
        }
    }

    fn errors(e: &ValidationErrors) -> Vec<(&str, Rule)> {
        e.0.iter().map(|e| (e.field.as_str(), e.rule)).collect()
    }

    #[test]
    fn valid_job_order_is_normalised() {
        let j = validate_job_order(&input(), &[("agency_fee", "15000000"), (" Tickets ", "0")]).unwrap();
        assert_eq!(j.agency_id, 7);
        assert_eq!(j.reference, "DL/2026/001");
        assert_eq!(j.destination.as_str(), "TW");
        assert_eq!(j.job_type.as_str(), "elderly_carer");
        assert_eq!(j.salary_amount, 27_470);
        assert_eq!(j.salary_currency, "TWD");
        assert_eq!(j.quota, 10);
        assert_eq!((j.valid_from, j.valid_until), (date!(2026 - 01 - 01), date!(2026 - 12 - 31)));
        assert_eq!(
            j.costs,
            [
                CostCharge { item: CostItem::AgencyFee, amount: Rupiah::new(15_000_000).unwrap() },
                CostCharge { item: CostItem::Tickets, amount: Rupiah::ZERO },
            ]
        );
        // No costs is a zero-cost job order.
        assert!(validate_job_order(&input(), &[]).unwrap().costs.is_empty());
        // A one-day validity is fine.
        let one_day = NewJobOrderInput { valid_until: "2026-01-01", ..input() };
        assert!(validate_job_order(&one_day, &[]).is_ok());
    }

    #[test]
    fn every_field_is_checked_and_named() {
        let bad = NewJobOrderInput {
            agency_id: "x",
            reference: "",
            destination: "XX1",
            employer: "A",
            job_type: "juru masak/cook",
            salary_amount: "0",
            salary_currency: "NT$",
            quota: "0",
            valid_from: "2026-13-01",
            valid_until: "",
        };
        let e = validate_job_order(&bad, &[]).unwrap_err();
        assert_eq!(
            errors(&e),
            [
                ("agency_id", Rule::Format),
                ("reference", Rule::Required),
                ("destination", Rule::Format),
                ("employer", Rule::TooShort),
                ("job_type", Rule::OneOf),
                ("salary_amount", Rule::OutOfRange),
                ("salary_currency", Rule::Format),
                ("quota", Rule::OutOfRange),
                ("valid_from", Rule::Format),
                ("valid_until", Rule::Required),
            ]
        );
        let empty = validate_job_order(&NewJobOrderInput::default(), &[]).unwrap_err();
        assert!(empty.0.iter().all(|e| e.rule == Rule::Required), "{empty}");
        assert_eq!(empty.0.len(), 10);
    }

    #[test]
    fn ranges() {
        let check = |i: NewJobOrderInput<'_>| {
            validate_job_order(&i, &[])
                .map(|_| ())
                .map_err(|e| e.0.into_iter().map(|e| (e.field, e.rule)).collect::<Vec<_>>())
        };
        assert_eq!(check(NewJobOrderInput { quota: "10000", ..input() }), Ok(()));
        assert_eq!(check(NewJobOrderInput { quota: "1", ..input() }), Ok(()));
        assert_eq!(
            check(NewJobOrderInput { quota: "10001", ..input() }),
            Err(vec![("quota".to_string(), Rule::OutOfRange)])
        );
        assert_eq!(
            check(NewJobOrderInput { quota: "-3", ..input() }),
            Err(vec![("quota".to_string(), Rule::OutOfRange)])
        );
        assert_eq!(check(NewJobOrderInput { quota: "2.5", ..input() }), Err(vec![("quota".to_string(), Rule::Format)]));
        assert_eq!(
            check(NewJobOrderInput { salary_amount: "-1", ..input() }),
            Err(vec![("salary_amount".to_string(), Rule::OutOfRange)])
        );
        assert_eq!(
            check(NewJobOrderInput { salary_amount: "99999999999999999999", ..input() }),
            Err(vec![("salary_amount".to_string(), Rule::OutOfRange)])
        );
        assert_eq!(
            check(NewJobOrderInput { valid_from: "2026-06-01", valid_until: "2026-05-31", ..input() }),
            Err(vec![("valid_until".to_string(), Rule::OutOfRange)])
        );
        let long = "R".repeat(REFERENCE_MAX_CHARS + 1);
        assert_eq!(
            check(NewJobOrderInput { reference: &long, ..input() }),
            Err(vec![("reference".to_string(), Rule::TooLong)])
        );
        let long = "E".repeat(201);
        assert_eq!(
            check(NewJobOrderInput { employer: &long, ..input() }),
            Err(vec![("employer".to_string(), Rule::TooLong)])
        );
        assert_eq!(
            check(NewJobOrderInput { agency_id: "0", ..input() }),
            Err(vec![("agency_id".to_string(), Rule::OutOfRange)])
        );
        assert_eq!(
            check(NewJobOrderInput { salary_currency: "TW", ..input() }),
            Err(vec![("salary_currency".to_string(), Rule::Format)])
        );
        let id = validate_job_order(&NewJobOrderInput { destination: "id", ..input() }, &[]).unwrap_err();
        assert!(id.0[0].detail.contains("Indonesia"), "{id}");
    }

    #[test]
    fn cost_rows_are_named_by_position() {
        let e = validate_job_order(
            &input(),
            &[("tickets", "100"), ("agency_fee", "-5"), ("bribe", "10"), ("", "1"), ("visa", ""), ("tickets", "1")],
        )
        .unwrap_err();
        assert_eq!(
            errors(&e),
            [
                ("costs[1].amount", Rule::OutOfRange),
                ("costs[2].item", Rule::OneOf),
                ("costs[3].item", Rule::Required),
                ("costs[4].amount", Rule::Required),
                ("costs[5].item", Rule::Taken),
            ]
        );
        let e = validate_job_order(&input(), &[("visa", "1,5 juta"), ("medicals", "1000000000001")]).unwrap_err();
        assert_eq!(errors(&e), [("costs[0].amount", Rule::Format), ("costs[1].amount", Rule::OutOfRange)]);
        let too_many: Vec<(&str, &str)> =
            CostItem::ALL.iter().map(|c| (c.as_str(), "1")).chain([("other", "1")]).collect();
        let e = validate_job_order(&input(), &too_many).unwrap_err();
        assert_eq!(errors(&e)[0], ("costs", Rule::TooLong));
        let all: Vec<(&str, &str)> = CostItem::ALL.iter().map(|c| (c.as_str(), "1")).collect();
        assert_eq!(validate_job_order(&input(), &all).unwrap().costs.len(), CostItem::ALL.len());
    }

    #[test]
    fn selectable_needs_verified_valid_and_an_active_licensed_agency() {
        use AgencyStatus::*;
        use VerificationStatus::*;
        let later = date!(2026 - 12 - 31);
        let ok = |s, until, a, licence| selectable(s, until, a, licence, TODAY);
        assert_eq!(ok(Verified, later, Active, later), Ok(()));
        // The last day of either validity still counts.
        assert_eq!(ok(Verified, TODAY, Active, TODAY), Ok(()));
        let yesterday = date!(2026 - 03 - 14);
        assert_eq!(ok(Verified, yesterday, Active, later), Err("job_order_expired"));
        assert_eq!(ok(Unverified, later, Active, later), Err("job_order_unverified"));
        assert_eq!(ok(Rejected, later, Active, later), Err("job_order_rejected"));
        assert_eq!(ok(Verified, later, Suspended, later), Err("agency_suspended"));
        assert_eq!(ok(Verified, later, Revoked, later), Err("agency_revoked"));
        assert_eq!(ok(Verified, later, Active, yesterday), Err("agency_licence_expired"));
        // The agency's standing comes first.
        assert_eq!(ok(Unverified, yesterday, Suspended, yesterday), Err("agency_suspended"));
        assert_eq!(ok(Unverified, yesterday, Active, yesterday), Err("agency_licence_expired"));
        assert_eq!(ok(Unverified, yesterday, Active, later), Err("job_order_unverified"));
    }

    #[test]
    fn selectable_agrees_with_the_reason_codes() {
        let days = [date!(2026 - 03 - 14), TODAY, date!(2026 - 03 - 16)];
        for s in VerificationStatus::ALL {
            for a in AgencyStatus::ALL {
                for until in days {
                    for licence in days {
                        let r = selectable(s, until, a, licence, TODAY);
                        let typed = why_not_selectable(s, until, a, licence, TODAY);
                        assert_eq!(r.err(), typed.map(NotSelectable::as_str));
                        let expected = s == VerificationStatus::Verified
                            && a == AgencyStatus::Active
                            && until >= TODAY
                            && licence >= TODAY;
                        assert_eq!(r.is_ok(), expected, "{s} {a:?} {until} {licence}");
                    }
                }
            }
        }
    }

    #[test]
    fn status_codes_round_trip() {
        for s in VerificationStatus::ALL {
            assert_eq!(VerificationStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(VerificationStatus::parse(" Verified "), Some(VerificationStatus::Verified));
        assert_eq!(VerificationStatus::parse("approved"), None);
        for r in NotSelectable::ALL {
            assert_eq!(NotSelectable::parse(r.as_str()), Some(r));
        }
    }
}
