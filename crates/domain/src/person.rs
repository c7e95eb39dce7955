//! People the village registers: prospective migrant workers (CPMI), workers abroad, returnees
//! and their families. This module validates a new person record; duplicates (unique NIK) and
//! history are the store's business.

use crate::name::name_key;
use crate::nik::{self, Nik, NikIssue, RegionLookup, Sex};
use crate::region::{RegionCode, RegionLevel};
use crate::validation::{FieldError, Rule, ValidationErrors, text};
use serde::{Serialize, Serializer};
use std::fmt;
use time::{Date, Month};

/// Where a person stands with respect to migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonCategory {
    /// A prospective migrant worker (CPMI).
    Prospective,
    /// Working abroad now (PMI).
    Abroad,
    /// Back home (PMI purna).
    Returned,
    /// A family member of a migrant worker.
    Family,
}

impl PersonCategory {
    pub const ALL: [PersonCategory; 4] =
        [PersonCategory::Prospective, PersonCategory::Abroad, PersonCategory::Returned, PersonCategory::Family];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonCategory::Prospective => "prospective",
            PersonCategory::Abroad => "abroad",
            PersonCategory::Returned => "returned",
            PersonCategory::Family => "family",
        }
    }

    /// The stable name, any case, trimmed.
    pub fn parse(s: &str) -> Option<PersonCategory> {
        let s = s.trim();
        PersonCategory::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for PersonCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A family card number: 16 digits (region + issue date + serial); only the digit rule is checked.
///
/// The KK changes when a family moves, splits or loses its head, so an old number is not wrong,
/// just dated: nothing more can be asked of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KkNumber(String);

impl KkNumber {
    /// Exactly 16 ASCII digits after trimming.
    pub fn parse(s: &str) -> Option<KkNumber> {
        let s = s.trim();
        (s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit())).then(|| KkNumber(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for KkNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Raw input as it comes from a form or JSON.
#[derive(Debug, Clone, Default)]
pub struct NewPersonInput<'a> {
    pub nik: &'a str,
    pub kk_number: &'a str,
    pub full_name: &'a str,
    pub sex: &'a str,
    pub birth_date: &'a str,
    pub birth_place: &'a str,
    pub village_code: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub contact_abroad: &'a str,
    pub category: &'a str,
    /// The officer has seen the NIK warnings and confirms the record anyway.
    pub confirm_warnings: bool,
}

impl<'a> NewPersonInput<'a> {
    /// The input from fields by their form names (`crate::person_merge::EDITABLE_FIELDS`: an
    /// edit's merged values, an offline phone's form); a field absent is empty.
    pub fn from_fields(fields: &'a std::collections::BTreeMap<String, String>, confirm_warnings: bool) -> Self {
        let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        NewPersonInput {
            nik: get("nik"),
            kk_number: get("kk_number"),
            full_name: get("full_name"),
            sex: get("sex"),
            birth_date: get("birth_date"),
            birth_place: get("birth_place"),
            village_code: get("village_code"),
            address: get("address"),
            phone: get("phone"),
            contact_abroad: get("contact_abroad"),
            category: get("category"),
            confirm_warnings,
        }
    }
}

/// A validated new person record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub nik: Nik,
    pub kk_number: Option<KkNumber>,
    pub full_name: String,
    /// `name_key(full_name)`, for duplicate checks and search.
    pub name_key: String,
    /// As declared (the NIK may disagree; see `nik_warnings`).
    pub sex: Sex,
    /// As declared (the NIK may disagree; see `nik_warnings`).
    pub birth_date: Date,
    pub birth_place: String,
    /// The home village now, not the NIK's district of first registration.
    pub village_code: RegionCode,
    pub address: String,
    pub phone: String,
    pub contact_abroad: String,
    pub category: PersonCategory,
    /// Warnings the officer confirmed; kept on the record for later verification.
    pub nik_warnings: Vec<NikIssue>,
}

/// Why a new person was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRejection {
    /// Field errors (FieldError.field is the input field name: "nik", "birth_date", "village_code", ...).
    Invalid(ValidationErrors),
    /// Only NIK warnings stand in the way: send again with confirm_warnings = true.
    UnconfirmedWarnings(Vec<NikIssue>),
}

impl fmt::Display for PersonRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersonRejection::Invalid(e) => write!(f, "invalid person: {e}"),
            PersonRejection::UnconfirmedWarnings(w) => {
                let msgs: Vec<&str> = w.iter().map(|i| i.message.as_str()).collect();
                write!(f, "NIK warnings need confirmation: {}", msgs.join("; "))
            }
        }
    }
}

impl std::error::Error for PersonRejection {}

/// The earliest birth date accepted: older records are typing slips.
const EARLIEST_BIRTH: Date = time::macros::date!(1900 - 01 - 01);

/// Parses "YYYY-MM-DD" or "DD-MM-YYYY" (also with '/'). Day and month may have one digit.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let sep = if s.contains('-') { '-' } else { '/' };
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts.as_slice() else { return None };
    let (year, month, day) = if a.len() == 4 { (*a, *b, *c) } else { (*c, *b, *a) };
    let number = |p: &str, widths: std::ops::RangeInclusive<usize>| -> Option<u16> {
        if widths.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) { p.parse().ok() } else { None }
    };
    let year = number(year, 4..=4)?;
    let month = u8::try_from(number(month, 1..=2)?).ok()?;
    let day = u8::try_from(number(day, 1..=2)?).ok()?;
    Date::from_calendar_date(i32::from(year), Month::try_from(month).ok()?, day).ok()
}

/// The rule a NIK error breaks, as a field error on "nik".
fn nik_rule(code: &str) -> Rule {
    match code {
        nik::codes::UNKNOWN_PROVINCE => Rule::UnknownRegion,
        nik::codes::IMPOSSIBLE_DATE => Rule::OutOfRange,
        // length, digits, serial_zero
        _ => Rule::Format,
    }
}

fn check_birth_date(errs: &mut ValidationErrors, raw: &str, today: Date) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        errs.add("birth_date", Rule::Required, "must not be empty");
        return None;
    }
    let Some(d) = parse_date(raw) else {
        errs.push(
            FieldError::new("birth_date", Rule::Format, "a date such as 1990-05-12 or 12-05-1990")
                .message("msg_key.date_format"),
        );
        return None;
    };
    if d > today {
        errs.push(
            FieldError::new("birth_date", Rule::OutOfRange, "must not be in the future")
                .message("msg_key.not_in_future"),
        );
    } else if d < EARLIEST_BIRTH {
        errs.push(
            FieldError::new("birth_date", Rule::OutOfRange, "must not be before 1900")
                .message("msg_key.birth_before_1900"),
        );
    }
    Some(d)
}

fn check_village(errs: &mut ValidationErrors, raw: &str, regions: &dyn RegionLookup) -> Option<RegionCode> {
    let raw = raw.trim();
    if raw.is_empty() {
        errs.add("village_code", Rule::Required, "must not be empty");
        return None;
    }
    match raw.parse::<RegionCode>() {
        Ok(code) if code.level() == RegionLevel::Village => {
            if regions.exists(code.as_str()) {
                Some(code)
            } else {
                errs.add("village_code", Rule::UnknownRegion, format!("no village has the code {code}"));
                None
            }
        }
        _ => {
            errs.push(
                FieldError::new("village_code", Rule::Format, "a village code such as 53.07.01.2001")
                    .message("msg_key.village_code_format"),
            );
            None
        }
    }
}

fn check_phone(errs: &mut ValidationErrors, raw: &str) -> String {
    let phone = raw.trim().to_string();
    if phone.is_empty() {
        return phone;
    }
    let n = phone.chars().count();
    let allowed = phone.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'));
    let has_digit = phone.chars().any(|c| c.is_ascii_digit());
    if !(allowed && has_digit && (6..=20).contains(&n)) {
        errs.push(
            FieldError::new("phone", Rule::Format, "6 to 20 characters: digits, spaces, + and - only")
                .message("msg_key.phone_format"),
        );
    }
    phone
}

/// Validates a new person. Every field error is reported at once; NIK warnings (a birth date
/// or sex the NIK disagrees with, an unknown district) only stop the record until the officer
/// confirms them, and are then kept on it.
pub fn validate_new_person(
    input: &NewPersonInput<'_>,
    regions: &dyn RegionLookup,
    today: Date,
) -> Result<NewPerson, PersonRejection> {
    let mut errs = ValidationErrors::new();

    // Declared values first: the NIK is read against them.
    let sex_raw = input.sex.trim();
    let sex = Sex::parse(sex_raw);
    let birth_date = check_birth_date(&mut errs, input.birth_date, today);

    let nik_check = if input.nik.trim().is_empty() {
        errs.add("nik", Rule::Required, "must not be empty");
        None
    } else {
        let c = nik::check(input.nik, birth_date, sex, regions, today);
        for issue in &c.errors {
            errs.push(
                FieldError::new("nik", nik_rule(issue.code), issue.message.clone())
                    .got(input.nik.trim().chars().count())
                    .message(if issue.code == nik::codes::LENGTH {
                        "msg_key.nik_length".to_string()
                    } else {
                        format!("nik.{}", issue.code)
                    }),
            );
        }
        Some(c)
    };

    let kk_raw = input.kk_number.trim();
    let kk_number = if kk_raw.is_empty() {
        None
    } else {
        let kk = KkNumber::parse(kk_raw);
        if kk.is_none() {
            errs.push(FieldError::new("kk_number", Rule::Format, "16 digits").digits(16));
        }
        kk
    };

    let full_name = text(&mut errs, "full_name", input.full_name, 2, 120);
    if sex_raw.is_empty() {
        errs.add("sex", Rule::Required, "must not be empty");
    } else if sex.is_none() {
        errs.push(FieldError::new("sex", Rule::OneOf, "one of: L, P (also M, F)").message("msg_key.sex_one_of"));
    }
    let birth_place = text(&mut errs, "birth_place", input.birth_place, 0, 100);
    let village_code = check_village(&mut errs, input.village_code, regions);
    let address = text(&mut errs, "address", input.address, 0, 300);
    let phone = check_phone(&mut errs, input.phone);
    let contact_abroad = text(&mut errs, "contact_abroad", input.contact_abroad, 0, 300);
    let category = if input.category.trim().is_empty() {
        Some(PersonCategory::Prospective)
    } else {
        let c = PersonCategory::parse(input.category);
        if c.is_none() {
            let names: Vec<&str> = PersonCategory::ALL.iter().map(|c| c.as_str()).collect();
            errs.add("category", Rule::OneOf, format!("one of: {}", names.join(", ")));
        }
        c
    };

    let (Some(nik_check), Some(sex), Some(birth_date), Some(village_code), Some(category), true) =
        (nik_check, sex, birth_date, village_code, category, errs.is_empty())
    else {
        return Err(PersonRejection::Invalid(errs));
    };
    let Some(nik) = nik_check.nik else {
        // Unreachable: NIK errors were added to `errs` above. Refuse rather than panic.
        return Err(PersonRejection::Invalid(errs));
    };
    if !nik_check.warnings.is_empty() && !input.confirm_warnings {
        return Err(PersonRejection::UnconfirmedWarnings(nik_check.warnings));
    }

    Ok(NewPerson {
        nik,
        kk_number,
        name_key: name_key(&full_name),
        full_name,
        sex,
        birth_date,
        birth_place,
        village_code,
        address,
        phone,
        contact_abroad,
        category,
        nik_warnings: nik_check.warnings,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn input_from_fields_reads_every_editable_field_by_its_name() {
        use crate::person_merge::EDITABLE_FIELDS;
        // Each field holds its own name: every struct field must come from the field so named.
        let fields: std::collections::BTreeMap<String, String> =
            EDITABLE_FIELDS.iter().map(|f| (f.to_string(), f.to_string())).collect();
        let i = NewPersonInput::from_fields(&fields, true);
        let read = [
            i.nik,
            i.kk_number,
            i.full_name,
            i.sex,
            i.birth_date,
            i.birth_place,
            i.village_code,
            i.address,
            i.phone,
            i.contact_abroad,
            i.category,
        ];
        assert_eq!(read, EDITABLE_FIELDS);
        assert!(i.confirm_warnings);
        // Absent fields are empty, unknown ones ignored.
        let few: std::collections::BTreeMap<String, String> =
            [("full_name", "Siti"), ("hobby", "x")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let i = NewPersonInput::from_fields(&few, false);
        assert_eq!((i.full_name, i.nik, i.category, i.confirm_warnings), ("Siti", "", "", false));
    }

    use super::*;
    use crate::nik::tests::{TODAY, TestRegions, any_birth_date, any_sex, nik_for};
    use proptest::prelude::*;
    use time::macros::date;

    fn good() -> NewPersonInput<'static> {
        NewPersonInput {
            nik: "5307015205900001",
            kk_number: "5307011203150004",
            full_name: "  Siti Fatimah ",
            sex: "P",
            birth_date: "1990-05-12",
            birth_place: "Maumere",
            village_code: "53.07.01.2001",
            address: "RT 02 / RW 01",
            phone: "+62 812-3456-7890",
            contact_abroad: "Employer in Hong Kong",
            category: "",
            confirm_warnings: false,
        }
    }

    fn validate(input: &NewPersonInput<'_>) -> Result<NewPerson, PersonRejection> {
        validate_new_person(input, &TestRegions::new(), TODAY)
    }

    fn errors(input: &NewPersonInput<'_>) -> Vec<(String, Rule)> {
        match validate(input) {
            Err(PersonRejection::Invalid(e)) => e.0.into_iter().map(|e| (e.field, e.rule)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn has(input: &NewPersonInput<'_>, field: &str, rule: Rule) {
        let got = errors(input);
        assert!(got.iter().any(|(f, r)| f == field && *r == rule), "no {field}/{rule} in {got:?}");
    }

    fn accepted(input: &NewPersonInput<'_>) -> NewPerson {
        match validate(input) {
            Ok(p) => p,
            Err(e) => panic!("rejected: {e}"),
        }
    }

    #[test]
    fn valid_person() {
        let p = accepted(&good());
        assert_eq!(p.nik.as_str(), "5307015205900001");
        assert_eq!(p.kk_number.as_ref().map(KkNumber::as_str), Some("5307011203150004"));
        assert_eq!(p.full_name, "Siti Fatimah");
        assert_eq!(p.name_key, "siti fatima");
        assert_eq!(p.sex, Sex::P);
        assert_eq!(p.birth_date, date!(1990 - 05 - 12));
        assert_eq!(p.village_code.as_str(), "53.07.01.2001");
        assert_eq!(p.category, PersonCategory::Prospective);
        assert!(p.nik_warnings.is_empty());
    }

    #[test]
    fn optional_fields_may_be_empty() {
        let p = accepted(&NewPersonInput {
            kk_number: "",
            birth_place: "",
            address: "",
            phone: "",
            contact_abroad: "  ",
            ..good()
        });
        assert_eq!(p.kk_number, None);
        assert_eq!(p.phone, "");
        assert_eq!(p.contact_abroad, "");
    }

    #[test]
    fn empty_input_lists_every_required_field() {
        let got = errors(&NewPersonInput::default());
        for field in ["nik", "full_name", "sex", "birth_date", "village_code"] {
            assert!(got.contains(&(field.to_string(), Rule::Required)), "{field} in {got:?}");
        }
        assert_eq!(got.len(), 5, "{got:?}");
    }

    #[test]
    fn nik_errors_map_to_rules() {
        has(&NewPersonInput { nik: "53070152059000", ..good() }, "nik", Rule::Format);
        has(&NewPersonInput { nik: "53070152059O0001", ..good() }, "nik", Rule::Format);
        has(&NewPersonInput { nik: "5307015205900000", ..good() }, "nik", Rule::Format);
        has(&NewPersonInput { nik: "9907015205900001", ..good() }, "nik", Rule::UnknownRegion);
        has(&NewPersonInput { nik: "5307013104900001", ..good() }, "nik", Rule::OutOfRange);
    }

    #[test]
    fn nik_error_detail_is_the_issue_message() {
        let Err(PersonRejection::Invalid(e)) = validate(&NewPersonInput { nik: "123456789012345", ..good() }) else {
            panic!("expected field errors");
        };
        assert_eq!(e.for_field("nik").map(|e| e.detail.as_str()), Some("NIK must be 16 digits; got 15"));
    }

    #[test]
    fn every_nik_error_is_reported() {
        let got = errors(&NewPersonInput { nik: "9907013104900000", ..good() });
        let nik: Vec<Rule> = got.iter().filter(|(f, _)| f == "nik").map(|(_, r)| *r).collect();
        assert_eq!(nik, [Rule::UnknownRegion, Rule::OutOfRange, Rule::Format]);
    }

    #[test]
    fn kk_number_needs_16_digits() {
        has(&NewPersonInput { kk_number: "530701120315000", ..good() }, "kk_number", Rule::Format);
        has(&NewPersonInput { kk_number: "53070112031500O4", ..good() }, "kk_number", Rule::Format);
        assert_eq!(KkNumber::parse(" 5307011203150004 ").map(|k| k.to_string()), Some("5307011203150004".into()));
    }

    #[test]
    fn full_name_length() {
        has(&NewPersonInput { full_name: " ", ..good() }, "full_name", Rule::Required);
        has(&NewPersonInput { full_name: "S", ..good() }, "full_name", Rule::TooShort);
        let long = "a".repeat(121);
        has(&NewPersonInput { full_name: &long, ..good() }, "full_name", Rule::TooLong);
        let max = "a".repeat(120);
        assert_eq!(accepted(&NewPersonInput { full_name: &max, ..good() }).full_name, max);
        // A single name is normal in Indonesia.
        assert_eq!(accepted(&NewPersonInput { full_name: "Su", ..good() }).full_name, "Su");
    }

    #[test]
    fn sex_must_be_one_of_the_letters() {
        has(&NewPersonInput { sex: "X", ..good() }, "sex", Rule::OneOf);
        has(&NewPersonInput { sex: "female", ..good() }, "sex", Rule::OneOf);
        assert_eq!(accepted(&NewPersonInput { sex: " f ", ..good() }).sex, Sex::P);
    }

    #[test]
    fn birth_date_rules() {
        has(&NewPersonInput { birth_date: "12 May 1990", ..good() }, "birth_date", Rule::Format);
        has(&NewPersonInput { birth_date: "1990-02-30", ..good() }, "birth_date", Rule::Format);
        has(&NewPersonInput { birth_date: "2026-03-16", ..good() }, "birth_date", Rule::OutOfRange);
        has(&NewPersonInput { birth_date: "1899-12-31", ..good() }, "birth_date", Rule::OutOfRange);
        assert_eq!(accepted(&NewPersonInput { birth_date: "12/05/1990", ..good() }).birth_date, date!(1990 - 05 - 12));
    }

    #[test]
    fn parse_date_formats() {
        let d = date!(1990 - 05 - 12);
        for s in ["1990-05-12", "12-05-1990", "1990/05/12", "12/05/1990", " 12-5-1990 ", "1990-5-12"] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        for s in [
            "",
            "1990-05",
            "90-05-12",
            "12-05-90",
            "1990-13-01",
            "1990-02-29",
            "1990-05-12-1",
            "1990-05/12",
            "١٩٩٠-05-12",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(parse_date("2000-02-29"), Some(date!(2000 - 02 - 29)));
    }

    #[test]
    fn birth_place_address_and_contact_lengths() {
        let s101 = "x".repeat(101);
        let s301 = "x".repeat(301);
        has(&NewPersonInput { birth_place: &s101, ..good() }, "birth_place", Rule::TooLong);
        has(&NewPersonInput { address: &s301, ..good() }, "address", Rule::TooLong);
        has(&NewPersonInput { contact_abroad: &s301, ..good() }, "contact_abroad", Rule::TooLong);
    }

    #[test]
    fn village_code_rules() {
        for bad in ["53.07.01", "53", "53.07.01.20", "desa"] {
            has(&NewPersonInput { village_code: bad, ..good() }, "village_code", Rule::Format);
        }
        let Err(PersonRejection::Invalid(e)) = validate(&NewPersonInput { village_code: "53.07.01", ..good() }) else {
            panic!("expected field errors");
        };
        assert_eq!(e.0[0].detail, "a village code such as 53.07.01.2001");
        has(&NewPersonInput { village_code: "53.07.01.2002", ..good() }, "village_code", Rule::UnknownRegion);
        has(&NewPersonInput { village_code: "", ..good() }, "village_code", Rule::Required);
    }

    #[test]
    fn phone_rules() {
        for bad in ["12345", "123456789012345678901", "0812 345 678 ext", "(0812) 3456", "------"] {
            has(&NewPersonInput { phone: bad, ..good() }, "phone", Rule::Format);
        }
        for ok in ["081234", "+62 812-3456-7890", "  0812 3456 7890  "] {
            assert_eq!(accepted(&NewPersonInput { phone: ok, ..good() }).phone, ok.trim());
        }
    }

    #[test]
    fn category_rules() {
        has(&NewPersonInput { category: "tourist", ..good() }, "category", Rule::OneOf);
        for c in PersonCategory::ALL {
            assert_eq!(accepted(&NewPersonInput { category: c.as_str(), ..good() }).category, c);
            assert_eq!(PersonCategory::parse(&c.as_str().to_uppercase()), Some(c));
        }
        assert_eq!(accepted(&NewPersonInput { category: " Returned ", ..good() }).category, PersonCategory::Returned);
    }

    #[test]
    fn all_field_errors_are_reported_together() {
        let got = errors(&NewPersonInput {
            nik: "12",
            kk_number: "1",
            full_name: "",
            sex: "?",
            birth_date: "soon",
            village_code: "x",
            phone: "abc",
            category: "boss",
            ..good()
        });
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        for f in ["nik", "kk_number", "full_name", "sex", "birth_date", "village_code", "phone", "category"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn nik_warnings_need_confirmation() {
        // Declared born the 21st, the NIK says the 12th; declared male, the NIK says female.
        let input = NewPersonInput { birth_date: "1990-05-21", sex: "L", ..good() };
        let Err(PersonRejection::UnconfirmedWarnings(w)) = validate(&input) else {
            panic!("expected unconfirmed warnings");
        };
        let codes: Vec<&str> = w.iter().map(|i| i.code).collect();
        assert_eq!(codes, ["birth_date_mismatch", "sex_mismatch"]);

        let p = accepted(&NewPersonInput { confirm_warnings: true, ..input });
        assert_eq!(p.nik_warnings, w);
        // The declared values are the record's; the NIK's disagreement is kept as warnings.
        assert_eq!(p.birth_date, date!(1990 - 05 - 21));
        assert_eq!(p.sex, Sex::L);
    }

    #[test]
    fn unknown_district_needs_confirmation() {
        let input = NewPersonInput { nik: "5307095205900001", ..good() };
        assert!(
            matches!(validate(&input), Err(PersonRejection::UnconfirmedWarnings(w)) if w[0].code == "unknown_district")
        );
        let p = accepted(&NewPersonInput { confirm_warnings: true, ..input });
        assert_eq!(p.nik.district_code(), "53.07.09");
    }

    #[test]
    fn field_errors_win_over_warnings() {
        let input = NewPersonInput { nik: "5307095205900001", full_name: "", ..good() };
        assert_eq!(errors(&input), [("full_name".to_string(), Rule::Required)]);
    }

    #[test]
    fn nik_is_read_against_the_declared_year() {
        // YY 20 with a declared 1920 birth: no mismatch although 2020 would be the default.
        let p = accepted(&NewPersonInput { nik: "5307011208200001", sex: "L", birth_date: "1920-08-12", ..good() });
        assert!(p.nik_warnings.is_empty());
    }

    proptest! {
        #[test]
        fn matching_declared_values_are_accepted(date in any_birth_date(), sex in any_sex(), serial in 1u16..=9999) {
            let nik = nik_for(date, sex, serial);
            let birth = date.to_string();
            let input = NewPersonInput { nik: &nik, sex: sex.as_str(), birth_date: &birth, ..good() };
            let p = validate(&input);
            prop_assert!(p.is_ok(), "{:?}", p);
            if let Ok(p) = p {
                prop_assert_eq!(p.birth_date, date);
                prop_assert_eq!(p.sex, sex);
                prop_assert!(p.nik_warnings.is_empty());
            }
        }

        #[test]
        fn parse_date_reads_both_orders(date in any_birth_date()) {
            let (y, m, d) = (date.year(), date.month() as u8, date.day());
            prop_assert_eq!(parse_date(&format!("{y:04}-{m:02}-{d:02}")), Some(date));
            prop_assert_eq!(parse_date(&format!("{d:02}/{m:02}/{y:04}")), Some(date));
        }

        #[test]
        fn validation_never_panics(
            nik in ".{0,20}", kk in ".{0,20}", name in ".{0,20}", sex in ".{0,3}", birth in ".{0,12}",
            village in ".{0,15}", phone in ".{0,22}", category in ".{0,12}", confirm in any::<bool>(),
        ) {
            let input = NewPersonInput {
                nik: &nik, kk_number: &kk, full_name: &name, sex: &sex, birth_date: &birth,
                village_code: &village, phone: &phone, category: &category, confirm_warnings: confirm,
                ..good()
            };
            let _ = validate(&input);
        }
    }
}

code_enum! {
    /// What part of a person's data a data-sharing consent covers (the consent form's choice;
    /// the exchange's purposes are `exchange::Purpose`).
    pub enum DataScope {
        Contact = "contact",
        Health = "health",
        Case = "case",
        Finance = "finance",
        All = "all",
    }
}

/// A data-sharing consent as recorded by an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub scope: DataScope,
    pub recipient: String,
    pub granted: bool,
    pub given_on: Date,
}

/// Checks a consent record: a scope of the list, a recipient, the day it was given (not after
/// `today`, the village's day).
pub fn validate_consent_record(
    scope: &str,
    recipient: &str,
    granted: bool,
    given_on: &str,
    today: Date,
) -> Result<ConsentRecord, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let scope = DataScope::parse(scope);
    if scope.is_none() {
        errs.add("data_scope", Rule::OneOf, DataScope::codes());
    }
    let recipient = text(&mut errs, "recipient", recipient, 2, 200);
    let given_on = match parse_date(given_on) {
        Some(d) if d <= today => Some(d),
        Some(_) => {
            errs.push(
                crate::FieldError::new("given_on", Rule::OutOfRange, "not in the future")
                    .message("msg_key.not_in_future"),
            );
            None
        }
        None => {
            errs.push(
                crate::FieldError::new("given_on", Rule::Format, "a date such as 2026-11-24")
                    .message("msg_key.date_format"),
            );
            None
        }
    };
    match (scope, given_on) {
        (Some(scope), Some(given_on)) if errs.is_empty() => Ok(ConsentRecord { scope, recipient, granted, given_on }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod consent_tests {
    use super::*;

    #[test]
    fn a_consent_names_each_broken_rule() {
        let today = time::macros::date!(2026 - 03 - 02);
        let ok = validate_consent_record("contact", "IOM Kupang", true, "2026-03-02", today).expect("valid");
        assert_eq!((ok.scope, ok.granted), (DataScope::Contact, true));
        let e = validate_consent_record("everything", "I", false, "2026-03-03", today).unwrap_err();
        let got: Vec<_> = e.0.iter().map(|f| (f.field.as_str(), f.rule)).collect();
        assert_eq!(got, [("data_scope", Rule::OneOf), ("recipient", Rule::TooShort), ("given_on", Rule::OutOfRange)]);
    }
}
