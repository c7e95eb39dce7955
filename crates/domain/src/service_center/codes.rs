//! The two open-ended codes the placement rules key on: the destination country and the job
//! type. Both are lists that change (new destinations open, job titles differ by country), so
//! they are checked for form, not against a fixed enum.

use serde::{Serialize, Serializer};
use std::fmt;

/// A destination country as an ISO 3166-1 alpha-2 code ("TW", "HK", "MY").
///
/// Only the form is checked (two ASCII letters, stored upper case): whether ISO assigned the
/// code is not something the rules need. Indonesia ("ID") is refused, because a placement is
/// abroad by definition and "ID" typed in a destination field is nearly always a slip for a
/// document number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Two ASCII letters, any case, trimmed; not "ID".
    pub fn parse(s: &str) -> Option<CountryCode> {
        let b = s.trim().as_bytes();
        let [a, c] = b else { return None };
        if !(a.is_ascii_alphabetic() && c.is_ascii_alphabetic()) {
            return None;
        }
        let code = [a.to_ascii_uppercase(), c.to_ascii_uppercase()];
        (&code != b"ID").then_some(CountryCode(code))
    }

    /// For the seeded tables in this module tree only; a test checks every seed parses back.
    pub(super) const fn seed(code: &[u8; 2]) -> CountryCode {
        CountryCode(*code)
    }

    pub fn as_str(&self) -> &str {
        // Always two ASCII letters (see `parse` and the seed test), so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A job type code such as "housekeeper" or "fishing_crew".
///
/// Lower-case ASCII letters, digits and underscores, starting with a letter, 2 to 40
/// characters. `parse` folds case and turns spaces and hyphens into underscores, so
/// "Baby-sitter" and "baby sitter" are the same job as "baby_sitter": the zero-cost and ban
/// rules compare codes, and two spellings of one job must not escape them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobType(String);

/// The longest job type code accepted.
pub const JOB_TYPE_MAX_CHARS: usize = 40;

impl JobType {
    pub fn parse(s: &str) -> Option<JobType> {
        let code: String = s
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        let n = code.chars().count();
        let starts_with_letter = code.starts_with(|c: char| c.is_ascii_lowercase());
        let allowed = code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        (starts_with_letter && allowed && (2..=JOB_TYPE_MAX_CHARS).contains(&n)).then_some(JobType(code))
    }

    /// For the seeded tables in this module tree only; a test checks every seed parses back.
    pub(super) fn seed(code: &'static str) -> JobType {
        JobType(code.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for JobType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn country_code_is_two_letters_upper_cased() {
        assert_eq!(CountryCode::parse("TW").map(|c| c.to_string()), Some("TW".into()));
        assert_eq!(CountryCode::parse(" hk ").map(|c| c.to_string()), Some("HK".into()));
        assert_eq!(CountryCode::parse("My"), CountryCode::parse("MY"));
        for bad in ["", "T", "TWN", "T1", "12", "é1", "ТW", " T W"] {
            assert_eq!(CountryCode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn indonesia_is_not_a_destination() {
        assert_eq!(CountryCode::parse("ID"), None);
        assert_eq!(CountryCode::parse("id"), None);
    }

    #[test]
    fn job_type_is_normalised() {
        assert_eq!(JobType::parse("housekeeper").map(|j| j.to_string()), Some("housekeeper".into()));
        assert_eq!(JobType::parse(" Baby-Sitter ").map(|j| j.to_string()), Some("baby_sitter".into()));
        assert_eq!(JobType::parse("elderly carer"), JobType::parse("elderly_carer"));
        assert_eq!(JobType::parse("welder2").map(|j| j.to_string()), Some("welder2".into()));
        let max = "a".repeat(JOB_TYPE_MAX_CHARS);
        assert!(JobType::parse(&max).is_some());
        for bad in ["", "a", "2cook", "_cook", "cook!", "juru masak/cook", "pembantu.rt", "kokí"] {
            assert_eq!(JobType::parse(bad), None, "{bad}");
        }
        assert_eq!(JobType::parse(&"a".repeat(JOB_TYPE_MAX_CHARS + 1)), None);
    }

    #[test]
    fn seeds_are_what_parse_would_give() {
        assert_eq!(Some(CountryCode::seed(b"TW")), CountryCode::parse("tw"));
        assert_eq!(Some(JobType::seed("fishing_crew")), JobType::parse("Fishing crew"));
    }

    proptest! {
        #[test]
        fn country_code_round_trips(code in "[A-Za-z]{2}") {
            if let Some(c) = CountryCode::parse(&code) {
                prop_assert_eq!(c.as_str(), code.to_ascii_uppercase());
                prop_assert_eq!(CountryCode::parse(c.as_str()), Some(c));
            } else {
                prop_assert!(code.eq_ignore_ascii_case("ID"));
            }
        }

        #[test]
        fn job_type_parse_is_idempotent(raw in ".{0,45}") {
            if let Some(j) = JobType::parse(&raw) {
                prop_assert_eq!(JobType::parse(j.as_str()), Some(j.clone()));
            }
        }
    }
}
