//! The two open-ended codes the placement rules key on: the destination country and the job
//! type. Both are lists that change (new destinations open, job titles differ by country), so
//! they are checked for form, not against a fixed enum.

use serde::{Serialize, Serializer};
use std::fmt;

/// A destination country as an ISO 3166-1 alpha-2 code ("TW", "HK", "MY").
///
/// Only codes ISO assigned are accepted (the vendored list in `data/countries`, with the
/// Indonesian and English names shown in pickers and pages): "TA", what "Taiwan" cut to two
/// letters gives, is refused instead of silently naming no country. Indonesia ("ID") is
/// refused, because a placement is abroad by definition and "ID" typed in a destination field
/// is nearly always a slip for a document number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// An assigned ISO 3166-1 alpha-2 code, any case, trimmed; not "ID".
    pub fn parse(s: &str) -> Option<CountryCode> {
        let b = s.trim().as_bytes();
        let [a, c] = b else { return None };
        if !(a.is_ascii_alphabetic() && c.is_ascii_alphabetic()) {
            return None;
        }
        let code = [a.to_ascii_uppercase(), c.to_ascii_uppercase()];
        (&code != b"ID" && country_row(code).is_some()).then_some(CountryCode(code))
    }

    /// A code, or a country's name in Indonesian or English as people type it ("Taiwan",
    /// "arab saudi", "Saudi Arabia"): what a picker without script or an import column sends.
    pub fn parse_code_or_name(s: &str) -> Option<CountryCode> {
        CountryCode::parse(s).or_else(|| {
            let wanted = s.trim().to_lowercase();
            countries()
                .iter()
                .find(|c| c.name_id.to_lowercase() == wanted || c.name_en.to_lowercase() == wanted)
                .and_then(|c| CountryCode::parse(c.code.as_str()))
        })
    }

    /// The country's name in Indonesian ("Arab Saudi").
    pub fn name_id(&self) -> &'static str {
        country_row(self.0).map(|c| c.name_id).unwrap_or("")
    }

    /// The country's name in English ("Saudi Arabia").
    pub fn name_en(&self) -> &'static str {
        country_row(self.0).map(|c| c.name_en).unwrap_or("")
    }

    /// The name in the user's language (`"en"` English, anything else Indonesian).
    pub fn name(&self, lang: &str) -> &'static str {
        if lang == "en" { self.name_en() } else { self.name_id() }
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

/// One ISO 3166-1 country of the vendored list (`data/countries/countries.tsv`, from the
/// `i18n-iso-countries` package, MIT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub code: CountryCode,
    pub name_id: &'static str,
    pub name_en: &'static str,
}

const COUNTRIES_TSV: &str = include_str!("../../../../data/countries/countries.tsv");

/// The destinations most Indonesian migrant workers go to (BP2MI placement statistics), in
/// that order: pickers offer them first so the usual choice is one tap.
pub const COMMON_DESTINATIONS: [&str; 16] =
    ["MY", "TW", "HK", "SA", "SG", "KR", "JP", "BN", "AE", "QA", "KW", "OM", "BH", "PL", "IT", "TR"];

/// Every ISO 3166-1 country with its names, in code order.
pub fn countries() -> &'static [Country] {
    static ALL: std::sync::LazyLock<Vec<Country>> = std::sync::LazyLock::new(|| {
        COUNTRIES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let code = cols.next()?.as_bytes();
                let [a, b] = code else { return None };
                Some(Country { code: CountryCode([*a, *b]), name_id: cols.next()?, name_en: cols.next()? })
            })
            .collect()
    });
    &ALL
}

fn country_row(code: [u8; 2]) -> Option<&'static Country> {
    let all = countries();
    all.binary_search_by(|c| c.code.0.cmp(&code)).ok().map(|i| &all[i])
}

/// The destinations a picker offers: the common ones first (in [`COMMON_DESTINATIONS`] order),
/// then every other country abroad by its name in `lang`. Sorted once per language (every
/// person page shows the list; sorting it per page was a fifth of the page's cost at load).
pub fn destination_choices(lang: &str) -> &'static (Vec<Country>, Vec<Country>) {
    static ID: std::sync::OnceLock<(Vec<Country>, Vec<Country>)> = std::sync::OnceLock::new();
    static EN: std::sync::OnceLock<(Vec<Country>, Vec<Country>)> = std::sync::OnceLock::new();
    // The two languages `CountryCode::name` knows: "en", and Indonesian for anything else.
    if lang == "en" { EN.get_or_init(|| sorted_choices("en")) } else { ID.get_or_init(|| sorted_choices("id")) }
}

fn sorted_choices(lang: &str) -> (Vec<Country>, Vec<Country>) {
    let common: Vec<Country> = COMMON_DESTINATIONS
        .iter()
        .filter_map(|c| CountryCode::parse(c).and_then(|c| country_row(c.0)).copied())
        .collect();
    let mut rest: Vec<Country> = countries()
        .iter()
        .filter(|c| c.code.as_str() != "ID" && !COMMON_DESTINATIONS.contains(&c.code.as_str()))
        .copied()
        .collect();
    rest.sort_by_cached_key(|c| c.code.name(lang).to_lowercase());
    (common, rest)
}

/// The job types the placement rules know: the ten of BP2MI regulation 9/2020 (zero-cost
/// placement) and the formal-sector jobs placements are opened for. Episodes and job orders take
/// only these, so a typed "perawat lansia" cannot slip past the zero-cost rule as an unknown
/// job; names are in the catalogues' `[job]` table.
pub const JOB_TYPES: [&str; 21] = [
    "housekeeper",
    "baby_sitter",
    "elderly_carer",
    "child_minder",
    "cook",
    "family_driver",
    "gardener",
    "cleaner",
    "farm_worker",
    "fishing_crew",
    "caregiver",
    "nurse",
    "plantation_worker",
    "agriculture_worker",
    "factory_worker",
    "construction_worker",
    "welder",
    "hospitality_worker",
    "spa_therapist",
    "driver",
    "ship_crew",
];

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

    /// A job type of [`JOB_TYPES`] (typed in any case, spaces or hyphens for underscores);
    /// `None` for any other, which the caller refuses naming the choices.
    pub fn known(s: &str) -> Option<JobType> {
        JobType::parse(s).filter(|j| JOB_TYPES.contains(&j.as_str()))
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
    fn only_assigned_countries_are_accepted_and_named() {
        // "Taiwan" cut to two letters is no country.
        assert_eq!(CountryCode::parse("TA"), None);
        assert_eq!(CountryCode::parse("XX"), None);
        let my = CountryCode::parse("my").expect("Malaysia");
        assert_eq!(my.name_id(), "Malaysia");
        assert_eq!(CountryCode::parse("BH").map(|c| c.name("id")), Some("Bahrain"));
        assert_eq!(CountryCode::parse("SA").map(|c| c.name("id")), Some("Arab Saudi"));
        assert_eq!(CountryCode::parse("SA").map(|c| c.name("en")), Some("Saudi Arabia"));
        assert_eq!(CountryCode::parse("KR").map(|c| c.name("id")), Some("Korea Selatan"));
        assert_eq!(CountryCode::parse_code_or_name(" taiwan "), CountryCode::parse("TW"));
        assert_eq!(CountryCode::parse_code_or_name("Saudi Arabia"), CountryCode::parse("SA"));
        assert_eq!(CountryCode::parse_code_or_name("Indonesia"), None);
        assert_eq!(CountryCode::parse_code_or_name("Atlantis"), None);
        assert!(countries().len() >= 249);
        assert!(countries().windows(2).all(|w| w[0].code < w[1].code), "sorted for the lookup");
    }

    #[test]
    fn pickers_offer_common_destinations_first_and_never_indonesia() {
        let (common, rest) = destination_choices("id");
        assert_eq!(common.len(), COMMON_DESTINATIONS.len(), "every common destination is assigned");
        assert_eq!(common[0].code.as_str(), "MY");
        assert_eq!(common[1].code.as_str(), "TW");
        assert!(rest.iter().all(|c| c.code.as_str() != "ID" && c.code.as_str() != "MY"));
        assert_eq!(common.len() + rest.len(), countries().len() - 1);
    }

    #[test]
    fn only_known_job_types_are_taken() {
        assert_eq!(JobType::known("Elderly carer").map(|j| j.to_string()), Some("elderly_carer".into()));
        assert_eq!(JobType::known("perawat lansia"), None);
        assert_eq!(JobType::known("underwater_welder"), None);
        for j in JOB_TYPES {
            assert_eq!(JobType::known(j).map(|k| k.to_string()), Some(j.to_string()));
        }
        for j in crate::service_center::flags::ZERO_COST_JOB_TYPES {
            assert!(JOB_TYPES.contains(&j), "{j}: the zero-cost list is known");
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
                let upper = code.to_ascii_uppercase();
                prop_assert!(upper == "ID" || countries().iter().all(|c| c.code.as_str() != upper));
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
