//! The NIK (Nomor Induk Kependudukan), Indonesia's 16-digit national ID number.
//!
//! Layout: province(2) regency(2) district(2) of *first registration*, then the birth date as
//! DDMMYY with 40 added to the day for women (41–71), then a serial 0001–9999. There is no
//! checksum, so the only defences against typing slips and invented numbers are the rules below.
//!
//! Some disagreements are facts of life rather than mistakes: a NIK is never reissued when a
//! birth date is corrected, and old NIKs keep the codes of districts that were later split. Those
//! are *warnings* the officer confirms; only a NIK that cannot exist at all is refused.

use serde::{Serialize, Serializer};
use std::fmt;
use time::{Date, Month};

/// Sex as on Indonesian ID cards: L (laki-laki, male) or P (perempuan, female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Sex {
    L,
    P,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::L => "L",
            Sex::P => "P",
        }
    }

    /// Accepts "L", "P", "M" (male), "F" (female), any case, trimmed.
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_uppercase().as_str() {
            "L" | "M" => Some(Sex::L),
            "P" | "F" => Some(Sex::P),
            _ => None,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that knows today's region list (implemented by the store with an in-memory index).
pub trait RegionLookup {
    /// True when the Kemendagri code (e.g. "53", "53.07", "53.07.01", "53.07.01.2001") exists.
    fn exists(&self, code: &str) -> bool;
}

/// A NIK that passed every hard rule: exactly 16 ASCII digits, known province, possible date part,
/// serial not 0000.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nik(String);

impl Nik {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The district of first registration, e.g. "53.07.01" from digits 1–6.
    /// Not where the person lives now: the home village is kept separately.
    pub fn district_code(&self) -> String {
        district_of(&self.0)
    }

    /// The province code, e.g. "53".
    pub fn province_code(&self) -> &str {
        &self.0[..2]
    }

    /// Rebuilds a NIK read back from storage, where it was fully checked on entry.
    ///
    /// Only the rules that do not depend on the region list or the declared birth date are
    /// re-checked (16 digits, a date possible in some year, serial not 0000), so a row stays
    /// readable after the region list changes.
    pub fn from_stored(s: &str) -> Option<Nik> {
        let s = s.trim();
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_digit()) || &s[12..] == "0000" || &s[..2] == "00" {
            return None;
        }
        let (day, month, _) = date_part(s);
        let month = Month::try_from(month).ok()?;
        let day = day_of_month(day)?;
        // 2000 is a leap year, so 29 February is possible for every month/day that can exist.
        (day <= month.length(2000)).then(|| Nik(s.to_string()))
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Nik {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// One finding about a NIK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NikIssue {
    /// Stable machine name (`length`, `digits`, `unknown_province`, `impossible_date`,
    /// `serial_zero`, `birth_date_mismatch`, `sex_mismatch`, `unknown_district`).
    pub code: &'static str,
    /// A plain English sentence naming the rule.
    pub message: String,
}

impl NikIssue {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        NikIssue { code, message: message.into() }
    }
}

/// Stable issue codes, for callers that match on them.
pub mod codes {
    pub const LENGTH: &str = "length";
    pub const DIGITS: &str = "digits";
    pub const UNKNOWN_PROVINCE: &str = "unknown_province";
    pub const IMPOSSIBLE_DATE: &str = "impossible_date";
    pub const SERIAL_ZERO: &str = "serial_zero";
    pub const BIRTH_DATE_MISMATCH: &str = "birth_date_mismatch";
    pub const SEX_MISMATCH: &str = "sex_mismatch";
    pub const UNKNOWN_DISTRICT: &str = "unknown_district";
}

/// Everything read from a NIK plus its disagreements with what was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NikCheck {
    /// Some when there are no errors.
    pub nik: Option<Nik>,
    /// Hard errors: the NIK is refused.
    pub errors: Vec<NikIssue>,
    /// The officer must confirm these before saving.
    pub warnings: Vec<NikIssue>,
    /// "53.07.01": the region of first registration (Some whenever the NIK is 16 digits).
    pub district_code: Option<String>,
    /// From the NIK, two-digit year resolved; Some when the date part is possible.
    pub birth_date: Option<Date>,
    /// From the NIK (day > 40 means P); Some when the day part is in range.
    pub sex: Option<Sex>,
}

impl NikCheck {
    pub fn valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Checks a NIK as typed and compares it with the declared birth date and sex.
///
/// `today` is passed in (no clock in the domain); it bounds the two-digit year. The year is
/// the declared birth year when that ends in the NIK's two digits; otherwise 20YY when that is
/// not in the future (YY ≤ today's YY, and the day not after today), else 19YY.
pub fn check(
    raw: &str,
    declared_birth: Option<Date>,
    declared_sex: Option<Sex>,
    regions: &dyn RegionLookup,
    today: Date,
) -> NikCheck {
    let s = raw.trim();
    let mut out = NikCheck {
        nik: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        district_code: None,
        birth_date: None,
        sex: None,
    };

    let len = s.chars().count();
    if len != 16 {
        out.errors.push(NikIssue::new(codes::LENGTH, format!("NIK must be 16 digits; got {len}")));
    }
    if !s.chars().all(|c| c.is_ascii_digit()) {
        out.errors.push(NikIssue::new(codes::DIGITS, "NIK must contain only the digits 0-9"));
    }
    if !out.errors.is_empty() {
        return out;
    }
    // From here on `s` is exactly 16 ASCII digits, so byte slicing is safe.

    let province = &s[..2];
    let regency = format!("{}.{}", &s[..2], &s[2..4]);
    let district = district_of(s);
    if !regions.exists(province) {
        out.errors.push(NikIssue::new(
            codes::UNKNOWN_PROVINCE,
            format!("NIK province code {province} is not a known province"),
        ));
    } else if !regions.exists(&regency) {
        out.warnings.push(NikIssue::new(
            codes::UNKNOWN_DISTRICT,
            format!(
                "NIK regency code {regency} is not in the region list; \
                 old NIKs keep codes of regions split since"
            ),
        ));
    } else if !regions.exists(&district) {
        out.warnings.push(NikIssue::new(
            codes::UNKNOWN_DISTRICT,
            format!(
                "NIK district code {district} is not in the region list; \
                 old NIKs keep codes of districts split since"
            ),
        ));
    }
    out.district_code = Some(district);

    let (raw_day, raw_month, yy) = date_part(s);
    let sex = if (41..=71).contains(&raw_day) {
        Some(Sex::P)
    } else if (1..=31).contains(&raw_day) {
        Some(Sex::L)
    } else {
        None
    };
    out.sex = sex;
    match read_date(raw_day, raw_month, yy, declared_birth, today) {
        Ok(date) => out.birth_date = Some(date),
        Err(problem) => out.errors.push(NikIssue::new(codes::IMPOSSIBLE_DATE, problem)),
    }

    if &s[12..] == "0000" {
        out.errors.push(NikIssue::new(codes::SERIAL_ZERO, "NIK serial (the last four digits) must not be 0000"));
    }

    if let (Some(nik_date), Some(declared)) = (out.birth_date, declared_birth)
        && nik_date != declared
    {
        out.warnings.push(NikIssue::new(
            codes::BIRTH_DATE_MISMATCH,
            format!("NIK birth date {nik_date} differs from the declared birth date {declared}"),
        ));
    }
    if let (Some(nik_sex), Some(declared)) = (sex, declared_sex)
        && nik_sex != declared
    {
        let reading = match nik_sex {
            Sex::P => "a woman (day of birth plus 40)",
            Sex::L => "a man (day of birth without 40 added)",
        };
        out.warnings.push(NikIssue::new(
            codes::SEX_MISMATCH,
            format!("NIK marks {reading} but the declared sex is {declared}"),
        ));
    }

    if out.errors.is_empty() {
        out.nik = Some(Nik(s.to_string()));
    }
    out
}

/// "53.07.01" from the first six digits of a 16-digit string.
fn district_of(s: &str) -> String {
    format!("{}.{}.{}", &s[..2], &s[2..4], &s[4..6])
}

/// (DD as written, MM, YY) from digits 7–12 of a 16-digit string.
fn date_part(s: &str) -> (u8, u8, u8) {
    let two = |i: usize| {
        let b = s.as_bytes();
        (b[i] - b'0') * 10 + (b[i + 1] - b'0')
    };
    (two(6), two(8), two(10))
}

/// The day of the month from the NIK's day field: 1–31 for men, 41–71 (day + 40) for women.
fn day_of_month(raw_day: u8) -> Option<u8> {
    match raw_day {
        1..=31 => Some(raw_day),
        41..=71 => Some(raw_day - 40),
        _ => None,
    }
}

/// Resolves the two-digit year and checks the date can exist; the error is an English sentence.
fn read_date(raw_day: u8, raw_month: u8, yy: u8, declared: Option<Date>, today: Date) -> Result<Date, String> {
    let month = Month::try_from(raw_month);
    let day = day_of_month(raw_day);
    let (month, day) = match (month, day) {
        (Ok(m), Some(d)) => (m, d),
        (m, d) => {
            let mut problems = Vec::new();
            if m.is_err() {
                problems.push(format!("month {raw_month:02} is not 01-12"));
            }
            if d.is_none() {
                problems.push(format!("day {raw_day:02} is not 01-31 (men) or 41-71 (women)"));
            }
            return Err(format!("NIK birth date is impossible: {}", problems.join(" and ")));
        }
    };
    let year = resolve_year(yy, month, day, declared, today);
    let length = month.length(year);
    if day > length {
        return Err(format!("NIK birth date is impossible: {month} {year} has {length} days, not {day}"));
    }
    // `day` ≤ the month's length, so this only fails for years outside `time`'s range.
    let date = Date::from_calendar_date(year, month, day)
        .map_err(|_| format!("NIK birth date is impossible: year {year} is out of range"))?;
    if date > today {
        return Err(format!("NIK birth date is impossible: {date} is after today"));
    }
    Ok(date)
}

/// The full year for a NIK's YY: the declared year when it ends in YY (and is a plausible birth
/// year), else the latest of 20YY and 19YY that does not put the birthday after `today`.
fn resolve_year(yy: u8, month: Month, day: u8, declared: Option<Date>, today: Date) -> i32 {
    let yy = i32::from(yy);
    let not_future = |year: i32| (year, month as u8, day) <= (today.year(), today.month() as u8, today.day());
    if let Some(d) = declared {
        let y = d.year();
        if y >= 1900 && y.rem_euclid(100) == yy && not_future(y) {
            return y;
        }
    }
    if not_future(2000 + yy) { 2000 + yy } else { 1900 + yy }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;
    use time::macros::date;

    /// A region list for tests: two provinces with one regency and district each, one village.
    pub(crate) struct TestRegions(pub HashSet<&'static str>);

    impl TestRegions {
        pub(crate) fn new() -> Self {
            TestRegions(["53", "53.07", "53.07.01", "53.07.01.2001", "35", "35.12", "35.12.01"].into_iter().collect())
        }
    }

    impl RegionLookup for TestRegions {
        fn exists(&self, code: &str) -> bool {
            self.0.contains(code)
        }
    }

    pub(crate) const TODAY: Date = date!(2026 - 03 - 15);

    fn run(nik: &str) -> NikCheck {
        check(nik, None, None, &TestRegions::new(), TODAY)
    }

    fn run_declared(nik: &str, birth: Date, sex: Sex) -> NikCheck {
        check(nik, Some(birth), Some(sex), &TestRegions::new(), TODAY)
    }

    fn codes_of(issues: &[NikIssue]) -> Vec<&'static str> {
        issues.iter().map(|i| i.code).collect()
    }

    #[test]
    fn sex_parses_indonesian_and_english_letters() {
        assert_eq!(Sex::parse("L"), Some(Sex::L));
        assert_eq!(Sex::parse(" p "), Some(Sex::P));
        assert_eq!(Sex::parse("m"), Some(Sex::L));
        assert_eq!(Sex::parse("F"), Some(Sex::P));
        assert_eq!(Sex::parse(""), None);
        assert_eq!(Sex::parse("X"), None);
        assert_eq!(Sex::parse("LP"), None);
        assert_eq!(Sex::L.as_str(), "L");
        assert_eq!(Sex::P.as_str(), "P");
    }

    #[test]
    fn example_woman_born_1990() {
        let c = run_declared("5307015205900001", date!(1990 - 05 - 12), Sex::P);
        assert!(c.valid(), "{:?}", c.errors);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let nik = c.nik.unwrap();
        assert_eq!(nik.as_str(), "5307015205900001");
        assert_eq!(nik.to_string(), "5307015205900001");
        assert_eq!(nik.district_code(), "53.07.01");
        assert_eq!(nik.province_code(), "53");
        assert_eq!(c.district_code.as_deref(), Some("53.07.01"));
        assert_eq!(c.birth_date, Some(date!(1990 - 05 - 12)));
        assert_eq!(c.sex, Some(Sex::P));
    }

    #[test]
    fn man_without_declared_values() {
        let c = run("3512011208850123");
        assert!(c.valid());
        assert!(c.warnings.is_empty());
        assert_eq!(c.birth_date, Some(date!(1985 - 08 - 12)));
        assert_eq!(c.sex, Some(Sex::L));
    }

    #[test]
    fn surrounding_spaces_are_trimmed() {
        let c = run("  5307015205900001 ");
        assert!(c.valid());
        assert_eq!(c.nik.unwrap().as_str(), "5307015205900001");
    }

    #[test]
    fn wrong_length_is_an_error_and_stops_there() {
        let c = run("530701520590001");
        assert_eq!(codes_of(&c.errors), ["length"]);
        assert_eq!(c.errors[0].message, "NIK must be 16 digits; got 15");
        assert!(c.nik.is_none() && c.district_code.is_none() && c.birth_date.is_none() && c.sex.is_none());
        assert_eq!(codes_of(&run("").errors), ["length"]);
        assert_eq!(codes_of(&run("53070152059000011").errors), ["length"]);
    }

    #[test]
    fn non_digits_are_an_error() {
        assert_eq!(codes_of(&run("53070152059O0001").errors), ["digits"]);
        assert_eq!(codes_of(&run("5307 0152 0590 0001").errors), ["length", "digits"]);
        assert_eq!(codes_of(&run("-307015205900001").errors), ["digits"]);
        // Non-ASCII digits are not NIK digits, and length counts characters, not bytes.
        assert_eq!(codes_of(&run("٥٣٠٧٠١٥٢٠٥٩٠٠٠٠١").errors), ["digits"]);
        assert_eq!(codes_of(&run("530701520590000١").errors), ["digits"]);
    }

    #[test]
    fn unknown_province_is_an_error() {
        let c = run("9907015205900001");
        assert_eq!(codes_of(&c.errors), ["unknown_province"]);
        assert!(c.errors[0].message.contains("99"));
        assert!(c.nik.is_none());
        // The unknown district is implied by the unknown province: no extra warning.
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn unknown_district_or_regency_is_only_a_warning() {
        let c = run("5307095205900001");
        assert!(c.valid());
        assert_eq!(codes_of(&c.warnings), ["unknown_district"]);
        assert!(c.warnings[0].message.contains("53.07.09"));
        assert_eq!(c.district_code.as_deref(), Some("53.07.09"));

        let c = run("5399015205900001");
        assert!(c.valid());
        assert_eq!(codes_of(&c.warnings), ["unknown_district"]);
        assert!(c.warnings[0].message.contains("53.99"));
    }

    #[test]
    fn impossible_dates_are_errors() {
        for (nik, why) in [
            ("5307010013900001", "month 13"),
            ("5307011200900001", "month 00"),
            ("5307010005900001", "day 00"),
            ("5307013205900001", "day 32"),
            ("5307014005900001", "day 40"),
            ("5307017205900001", "day 72"),
            ("5307019905900001", "day 99"),
            ("5307013104900001", "31 April"),
            ("5307017104900001", "31 April, woman"),
            ("5307013002900001", "30 February"),
            ("5307012902900001", "29 February 1990"),
            ("5307016902900001", "29 February 1990, woman"),
        ] {
            let c = run(nik);
            assert_eq!(codes_of(&c.errors), ["impossible_date"], "{why}: {nik}");
            assert!(c.birth_date.is_none(), "{why}");
            assert!(c.nik.is_none(), "{why}");
        }
        let c = run("5307013104900001");
        assert_eq!(c.errors[0].message, "NIK birth date is impossible: April 1990 has 30 days, not 31");
        let c = run("5307019913900001");
        assert!(c.errors[0].message.contains("month 13") && c.errors[0].message.contains("day 99"));
    }

    #[test]
    fn leap_day_depends_on_the_resolved_year() {
        // 29 February 1992 and 2000 exist.
        assert!(run("5307012902920001").valid());
        assert_eq!(run("5307012902000001").birth_date, Some(date!(2000 - 02 - 29)));
        // 1900 was not a leap year: declared 1900 resolves YY 00 to 1900.
        let c = check("5307012902000001", Some(date!(1900 - 03 - 01)), None, &TestRegions::new(), TODAY);
        assert_eq!(codes_of(&c.errors), ["impossible_date"]);
        assert!(c.errors[0].message.contains("February 1900 has 28 days"));
    }

    #[test]
    fn serial_zero_is_an_error() {
        let c = run("5307015205900000");
        assert_eq!(codes_of(&c.errors), ["serial_zero"]);
        assert!(c.nik.is_none());
        assert!(run("5307015205909999").valid());
    }

    #[test]
    fn all_applicable_errors_are_reported() {
        let c = run("9907013104900000");
        assert_eq!(codes_of(&c.errors), ["unknown_province", "impossible_date", "serial_zero"]);
    }

    #[test]
    fn two_digit_year_follows_the_declared_birth_date() {
        // YY 20: a person declared born 1920 is read as 1920, otherwise as 2020.
        let nik = "5307011208200001";
        assert_eq!(run(nik).birth_date, Some(date!(2020 - 08 - 12)));
        let c = run_declared(nik, date!(1920 - 08 - 12), Sex::L);
        assert_eq!(c.birth_date, Some(date!(1920 - 08 - 12)));
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn two_digit_year_without_declared_date() {
        assert_eq!(run("5307011208250001").birth_date, Some(date!(2025 - 08 - 12)));
        assert_eq!(run("5307011208270001").birth_date, Some(date!(1927 - 08 - 12)));
        // Same two digits as this year: earlier in the year is this year, later is 1926.
        assert_eq!(run("5307010101260001").birth_date, Some(date!(2026 - 01 - 01)));
        assert_eq!(run("5307011503260001").birth_date, Some(date!(2026 - 03 - 15)));
        assert_eq!(run("5307011603260001").birth_date, Some(date!(1926 - 03 - 16)));
    }

    #[test]
    fn declared_year_ending_differently_falls_back() {
        let c = run_declared("5307011208850001", date!(1986 - 08 - 12), Sex::L);
        assert!(c.valid());
        assert_eq!(c.birth_date, Some(date!(1985 - 08 - 12)));
        assert_eq!(codes_of(&c.warnings), ["birth_date_mismatch"]);
        assert_eq!(c.warnings[0].message, "NIK birth date 1985-08-12 differs from the declared birth date 1986-08-12");
    }

    #[test]
    fn birth_date_mismatch_is_a_warning() {
        let c = run_declared("5307015205900001", date!(1990 - 05 - 21), Sex::P);
        assert!(c.valid());
        assert_eq!(codes_of(&c.warnings), ["birth_date_mismatch"]);
        assert!(c.warnings[0].message.contains("1990-05-12"));
        assert!(c.warnings[0].message.contains("1990-05-21"));
    }

    #[test]
    fn sex_mismatch_is_a_warning_both_ways() {
        let c = run_declared("5307015205900001", date!(1990 - 05 - 12), Sex::L);
        assert!(c.valid());
        assert_eq!(codes_of(&c.warnings), ["sex_mismatch"]);
        assert!(c.warnings[0].message.contains("woman"));
        let c = run_declared("5307011205900001", date!(1990 - 05 - 12), Sex::P);
        assert_eq!(codes_of(&c.warnings), ["sex_mismatch"]);
        assert!(c.warnings[0].message.contains("declared sex is P"));
    }

    #[test]
    fn warnings_accumulate() {
        let c = run_declared("5307095205900001", date!(1991 - 01 - 01), Sex::L);
        assert!(c.valid());
        assert_eq!(codes_of(&c.warnings), ["unknown_district", "birth_date_mismatch", "sex_mismatch"]);
    }

    #[test]
    fn from_stored_rechecks_the_form_only() {
        assert_eq!(Nik::from_stored("5307015205900001").map(|n| n.to_string()), Some("5307015205900001".into()));
        // An unknown province is fine for a stored value; the list may have changed.
        assert!(Nik::from_stored("9907015205900001").is_some());
        assert!(Nik::from_stored("5307012902000001").is_some());
        for bad in
            ["", "530701520590000", "53070152059O0001", "5307015205900000", "5307013104900001", "0007015205900001"]
        {
            assert!(Nik::from_stored(bad).is_none(), "{bad}");
        }
    }

    /// Builds a NIK for a birth date and sex, registered in 53.07.01.
    pub(crate) fn nik_for(date: Date, sex: Sex, serial: u16) -> String {
        let day = date.day() + if sex == Sex::P { 40 } else { 0 };
        format!("530701{:02}{:02}{:02}{:04}", day, date.month() as u8, date.year().rem_euclid(100), serial)
    }

    pub(crate) fn any_birth_date() -> impl Strategy<Value = Date> {
        (1900i32..=TODAY.year(), 1u8..=12, 1u8..=31)
            .prop_filter_map("no such day", |(y, m, d)| Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok())
            .prop_filter("in the future", |d| *d <= TODAY)
    }

    pub(crate) fn any_sex() -> impl Strategy<Value = Sex> {
        prop_oneof![Just(Sex::L), Just(Sex::P)]
    }

    proptest! {
        #[test]
        fn built_nik_reads_back_its_date_and_sex(date in any_birth_date(), sex in any_sex(), serial in 1u16..=9999) {
            let nik = nik_for(date, sex, serial);
            let c = check(&nik, Some(date), Some(sex), &TestRegions::new(), TODAY);
            prop_assert!(c.errors.is_empty(), "{:?}", c.errors);
            prop_assert!(c.warnings.is_empty(), "{:?}", c.warnings);
            prop_assert_eq!(c.birth_date, Some(date));
            prop_assert_eq!(c.sex, Some(sex));
            prop_assert_eq!(c.nik.map(|n| n.to_string()), Some(nik));
        }

        #[test]
        fn sixteen_digits_give_errors_or_a_plausible_date(
            nik in prop_oneof!["[0-9]{16}", "(53|35)[0-9]{14}", "5307(0[0-9]|[4-7][0-9])(0[0-9]|1[0-2])[0-9]{6}"],
            declared in proptest::option::of((1800i32..=2200, 1u8..=12, 1u8..=28)),
        ) {
            let declared = declared.and_then(|(y, m, d)| Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok());
            let c = check(&nik, declared, None, &TestRegions::new(), TODAY);
            if c.errors.is_empty() {
                let d = c.birth_date.expect("a valid NIK has a date");
                prop_assert!(d >= date!(1900 - 01 - 01) && d <= TODAY, "{}", d);
                prop_assert!(c.nik.is_some());
                prop_assert!(c.sex.is_some());
            } else {
                prop_assert!(c.nik.is_none());
            }
        }

        #[test]
        fn check_never_panics(raw in ".{0,40}", sixteen in "[0-9a-zé٣ ]{16}") {
            let _ = check(&raw, None, Some(Sex::L), &TestRegions::new(), TODAY);
            let _ = check(&sixteen, Some(TODAY), None, &TestRegions::new(), TODAY);
            let _ = Nik::from_stored(&raw);
        }

        #[test]
        fn a_valid_nik_is_readable_from_storage(nik in "(53|35)[0-9]{14}") {
            if let Some(n) = check(&nik, None, None, &TestRegions::new(), TODAY).nik {
                prop_assert_eq!(Nik::from_stored(n.as_str()), Some(n));
            }
        }
    }
}
