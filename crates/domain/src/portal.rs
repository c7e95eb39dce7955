//! The public portal against illegal brokers: job order codes, what an agency's licence status
//! means for a villager, missions abroad and hotlines. Pure: no IO.

use crate::agency::AgencyStatus;
use crate::validation::{Rule, ValidationErrors};

/// Characters of a job order code: no 0/O, 1/I/L, so a code read aloud or copied from a
/// blurred flyer is not mistaken.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a code (about 41 bits: guessing a real one is hopeless).
pub const CODE_LEN: usize = 8;

/// A job order's public code, stored without the hyphen (`7KQ2MX4P`), shown as `7KQ2-MX4P`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCode(String);

impl JobCode {
    /// A fresh random code.
    pub fn generate() -> JobCode {
        use rand::Rng;
        let mut rng = rand::rng();
        JobCode((0..CODE_LEN).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect())
    }

    /// Reads what a person typed: case, spaces and hyphens do not matter. `None` for anything
    /// that cannot be a code (wrong length, other characters), so it never reaches a query.
    pub fn parse(raw: &str) -> Option<JobCode> {
        if raw.len() > 40 {
            return None;
        }
        let s: String =
            raw.chars().filter(|c| !matches!(c, '-' | ' ' | '\u{a0}')).map(|c| c.to_ascii_uppercase()).collect();
        (s.len() == CODE_LEN && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(JobCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `7KQ2-MX4P`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// What the portal tells a villager about an agency found (or not found) in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyVerdict {
    /// Licensed and within its licence period: check the job order too.
    Licensed,
    /// Active in the registry but the licence period has ended.
    Expired,
    Suspended,
    Revoked,
    /// Not in the registry: do not go.
    NotFound,
}

impl AgencyVerdict {
    pub fn code(self) -> &'static str {
        match self {
            AgencyVerdict::Licensed => "licensed",
            AgencyVerdict::Expired => "expired",
            AgencyVerdict::Suspended => "suspended",
            AgencyVerdict::Revoked => "revoked",
            AgencyVerdict::NotFound => "not_found",
        }
    }
    /// Whether a villager may go ahead with this agency (then check the job order).
    pub fn may_proceed(self) -> bool {
        self == AgencyVerdict::Licensed
    }
}

/// The verdict for a registry row on `today` (dates as `YYYY-MM-DD` text compare as dates).
pub fn agency_verdict(status: &str, valid_until: &str, today: &str) -> AgencyVerdict {
    match AgencyStatus::parse(status) {
        Some(AgencyStatus::Active) if valid_until >= today => AgencyVerdict::Licensed,
        Some(AgencyStatus::Active) => AgencyVerdict::Expired,
        Some(AgencyStatus::Suspended) => AgencyVerdict::Suspended,
        Some(AgencyStatus::Revoked) => AgencyVerdict::Revoked,
        // A row this code never writes: treat it as the worst case.
        None => AgencyVerdict::Revoked,
    }
}

/// A search box's text made safe to use: trimmed, at most 80 characters, control characters
/// dropped. Values are always bound as parameters; this only keeps queries small.
pub fn clean_query(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).take(80).collect::<String>().trim().to_string()
}

/// The parts of a licence number as people copy them: letters and digits only, upper case,
/// split wherever anything else stands ("KEP.666/PPTKLN/2019" → KEP, 666, PPTKLN, 2019).
pub fn licence_parts(raw: &str) -> Vec<String> {
    raw.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()).map(str::to_uppercase).collect()
}

/// Whether what a villager typed is this licence number or a complete part of it, whatever the
/// spaces, dots, slashes and case: "kep 666", "KEP.666", "666/PPTKLN", "KEP666PPTKLN2019" all
/// match "KEP.666/PPTKLN/2019"; "66" or "KEP.66" do not (parts are whole). The query must hold a
/// digit, so a word of a name ("PT") is not taken for a part of every licence.
pub fn licence_matches(query: &str, licence: &str) -> bool {
    let q: String = licence_parts(query).concat();
    if q.is_empty() || !q.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    part_runs(&licence_parts(licence)).any(|run| run == q)
}

/// Every run of consecutive parts, joined: "A/1/B" → A, A1, A1B, 1, 1B, B.
fn part_runs(parts: &[String]) -> impl Iterator<Item = String> + '_ {
    (0..parts.len()).flat_map(move |i| (i + 1..=parts.len()).map(move |j| parts[i..j].concat()))
}

/// A company name as compared for "did you mean": lower case, words of letters and digits, without
/// the legal form (PT, CV) that people drop or add.
fn name_words(raw: &str) -> Vec<String> {
    let words: Vec<String> =
        raw.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let skip = words.iter().take_while(|w| matches!(w.as_str(), "pt" | "cv" | "persero" | "tbk")).count();
    words.into_iter().skip(skip).filter(|w| !matches!(w.as_str(), "tbk" | "persero")).collect()
}

/// How many letters may be wrong in a text of `len` characters: none in short words (too many
/// real names are one letter apart), one up to seven letters, two beyond.
fn typos_allowed(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// How far (in letters typed wrong, swapped, missing or extra) a query is from a registered
/// agency when it is near enough to ask "did you mean …?": by the whole name, word by word, or
/// by the licence number or a complete run of its parts. `None` when it is not near.
pub fn agency_nearness(query: &str, name: &str, licence: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut consider = |d: usize| best = Some(best.map_or(d, |b| b.min(d)));

    let qw = name_words(query);
    let nw = name_words(name);
    if !qw.is_empty() && !nw.is_empty() {
        let (qs, ns) = (qw.join(" "), nw.join(" "));
        let d = strsim::damerau_levenshtein(&qs, &ns);
        if d <= typos_allowed(qs.chars().count()) {
            consider(d);
        }
        // Each word typed near some word of the name ("sinar jaja" in "Sinar Jaya Abadi").
        let mut total = 0;
        let all_near = qw.iter().all(|q| {
            let allowed = typos_allowed(q.chars().count());
            match nw.iter().map(|n| strsim::damerau_levenshtein(q, n)).min() {
                Some(d) if d <= allowed => {
                    total += d;
                    true
                }
                _ => false,
            }
        });
        if all_near && qw.iter().any(|w| w.chars().count() >= 4) && total <= 2 {
            consider(total);
        }
    }

    let q: String = licence_parts(query).concat();
    if q.chars().count() >= 4 && q.chars().any(|c| c.is_ascii_digit()) {
        // Numbers differ by one digit more often than names by one letter: allow fewer typos.
        let allowed = match q.chars().count() {
            0..=5 => 0,
            6..=9 => 1,
            _ => 2,
        };
        let parts = licence_parts(licence);
        if let Some(d) = part_runs(&parts)
            .filter(|run| run.chars().count() >= 4)
            .map(|run| strsim::damerau_levenshtein(&q, &run))
            .min()
            && d <= allowed
        {
            consider(d);
        }
    }
    best
}

/// The kind of an Indonesian mission abroad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissionKind {
    /// Embassy (Kedutaan Besar RI).
    Kbri,
    /// Consulate general (Konsulat Jenderal RI).
    Kjri,
    /// Indonesian Economic and Trade Office in Taipei (serves Taiwan).
    Kdei,
    Other,
}

impl MissionKind {
    pub const ALL: [MissionKind; 4] = [MissionKind::Kbri, MissionKind::Kjri, MissionKind::Kdei, MissionKind::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            MissionKind::Kbri => "kbri",
            MissionKind::Kjri => "kjri",
            MissionKind::Kdei => "kdei",
            MissionKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<MissionKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// A mission as an admin enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMission {
    pub country: String,
    pub kind: MissionKind,
    pub name: String,
    pub city: String,
    pub address: String,
    pub phone: String,
    pub hotline: String,
    pub email: String,
    pub website: String,
    pub verified: bool,
}

/// Raw form or JSON fields of a mission.
#[derive(Debug, Clone, Default)]
pub struct MissionInput<'a> {
    pub country: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub city: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub hotline: &'a str,
    pub email: &'a str,
    pub website: &'a str,
    pub verified: bool,
}

fn phone(errs: &mut ValidationErrors, field: &str, raw: &str) -> String {
    let v = raw.trim();
    if !v.is_empty()
        && (v.len() > 40
            || !v.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.' | '/'))
            || v.chars().filter(char::is_ascii_digit).count() < 3)
    {
        errs.add(field, Rule::Format, "digits, spaces, + - ( ) only, e.g. +60 3-2116 4000");
    }
    v.to_string()
}

/// Checks a mission's fields; every failing field is named.
pub fn validate_mission(i: &MissionInput<'_>) -> Result<NewMission, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let country = i.country.trim().to_ascii_uppercase();
    if crate::service_center::CountryCode::parse(&country).is_none() {
        errs.add("country", Rule::Format, "ISO two-letter country code, e.g. MY, TW, SA");
    }
    let kind = MissionKind::parse(i.kind);
    if kind.is_none() {
        errs.add("kind", Rule::OneOf, "kbri, kjri, kdei or other");
    }
    let name = crate::validation::text(&mut errs, "name", i.name, 3, 120);
    let city = crate::validation::text(&mut errs, "city", i.city, 2, 80);
    let address = i.address.trim().to_string();
    if address.chars().count() > 300 {
        errs.add("address", Rule::TooLong, "at most 300 characters");
    }
    let phone_v = phone(&mut errs, "phone", i.phone);
    let hotline = phone(&mut errs, "hotline", i.hotline);
    let email = i.email.trim().to_string();
    if !email.is_empty() && (email.len() > 120 || !email.contains('@') || email.contains(char::is_whitespace)) {
        errs.add("email", Rule::Format, "an e-mail address");
    }
    let website = i.website.trim().to_string();
    if !website.is_empty()
        && (website.len() > 200 || !website.starts_with("https://") || website.contains(['"', '<', '>', ' ']))
    {
        errs.add("website", Rule::Format, "an address starting with https://");
    }
    match kind {
        Some(kind) if errs.is_empty() => Ok(NewMission {
            country,
            kind,
            name,
            city,
            address,
            phone: phone_v,
            hotline,
            email,
            website,
            verified: i.verified,
        }),
        _ => Err(errs),
    }
}

/// A national hotline shown on every portal page that needs one.
#[derive(Debug, Clone, Copy)]
pub struct Hotline {
    /// Message key of the organisation's name (`portal.hotline.<key>`).
    pub key: &'static str,
    pub number: &'static str,
    /// `tel:` target.
    pub dial: &'static str,
}

/// Numbers published by the institutions themselves.
pub const HOTLINES: &[Hotline] = &[
    Hotline { key: "kp2mi", number: "0800-1000", dial: "08001000" },
    Hotline { key: "sapa", number: "129", dial: "129" },
    Hotline { key: "police", number: "110", dial: "110" },
    Hotline { key: "kemlu", number: "+62 812-9007-0027", dial: "+6281290070027" },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_tolerate_typing() {
        for _ in 0..200 {
            let c = JobCode::generate();
            assert_eq!(c.as_str().len(), CODE_LEN);
            assert_eq!(JobCode::parse(&c.display()), Some(c.clone()));
            assert_eq!(JobCode::parse(&c.display().to_lowercase()), Some(c.clone()));
            assert_eq!(JobCode::parse(&format!(" {} ", c.as_str())), Some(c));
        }
    }

    #[test]
    fn junk_is_not_a_code() {
        for raw in ["", "ABC", "7KQ2-MX4P-X", "7KQ2MX40", "' OR 1=1 --", "<script>", "7KQ2MXIP", &"A".repeat(100)] {
            assert_eq!(JobCode::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn verdicts() {
        let today = "2026-01-10";
        assert_eq!(agency_verdict("active", "2027-01-01", today), AgencyVerdict::Licensed);
        assert_eq!(agency_verdict("active", "2026-01-10", today), AgencyVerdict::Licensed);
        assert_eq!(agency_verdict("active", "2026-01-09", today), AgencyVerdict::Expired);
        assert_eq!(agency_verdict("suspended", "2027-01-01", today), AgencyVerdict::Suspended);
        assert_eq!(agency_verdict("revoked", "2027-01-01", today), AgencyVerdict::Revoked);
        assert_eq!(agency_verdict("???", "2027-01-01", today), AgencyVerdict::Revoked);
        assert!(AgencyVerdict::Licensed.may_proceed());
        assert!(!AgencyVerdict::NotFound.may_proceed());
    }

    #[test]
    fn missions_name_each_bad_field() {
        let ok = MissionInput {
            country: "my",
            kind: "kbri",
            name: "KBRI Kuala Lumpur",
            city: "Kuala Lumpur",
            phone: "+60 3-2116 4000",
            website: "https://kemlu.go.id/kualalumpur",
            ..Default::default()
        };
        let m = validate_mission(&ok).unwrap();
        assert_eq!(m.country, "MY");
        let bad = MissionInput {
            country: "Malaysia",
            kind: "embassy",
            name: "K",
            city: "",
            phone: "call me",
            website: "javascript:alert(1)",
            ..Default::default()
        };
        let e = validate_mission(&bad).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["country", "kind", "name", "city", "phone", "website"]);
    }

    #[test]
    fn queries_are_cut() {
        assert_eq!(clean_query("  PT Maju\u{0}  "), "PT Maju");
        assert_eq!(clean_query(&"x".repeat(500)).len(), 80);
    }

    #[test]
    fn licence_numbers_match_whatever_the_punctuation_and_by_whole_parts() {
        let lic = "KEP.666/PPTKLN/2019";
        for q in [
            "KEP.666/PPTKLN/2019",
            "kep 666 pptkln 2019",
            "KEP.666",
            "kep666",
            "666/PPTKLN",
            "666 pptkln",
            "PPTKLN/2019",
            " Kep-666 ",
        ] {
            assert!(licence_matches(q, lic), "{q}");
        }
        for q in ["66", "KEP.66", "KEP.6666", "EP.666", "PPTKLN", "", "%", "KEP.666/PPTKLN/2020"] {
            assert!(!licence_matches(q, lic), "{q}");
        }
    }

    #[test]
    fn near_names_and_numbers_are_offered() {
        // One letter off a licensed company, with or without its legal form.
        assert_eq!(agency_nearness("sinar jaja", "PT Sinar Jaya", "KEP.1/2020"), Some(1));
        assert_eq!(agency_nearness("PT Sinar Jaja", "PT Sinar Jaya", "KEP.1/2020"), Some(1));
        assert_eq!(agency_nearness("sianr jaya", "PT Sinar Jaya", "KEP.1/2020"), Some(1), "swapped letters");
        assert_eq!(
            agency_nearness("sinar jaja", "PT Sinar Jaya Abadi", "KEP.1/2020"),
            Some(1),
            "words of a longer name"
        );
        assert_eq!(agency_nearness("maju bersana sejahtra", "PT Maju Bersama Sejahtera", "X"), Some(2));
        // A licence number one or two characters off.
        assert_eq!(agency_nearness("KEP.667", "PT Lain", "KEP.666/PPTKLN/2019"), Some(1));
        assert_eq!(agency_nearness("KEP.666/PPTKLN/2018", "PT Lain", "KEP.666/PPTKLN/2019"), Some(1));
        // Far away, or too short to guess: nothing.
        assert_eq!(agency_nearness("calo palsu", "PT Sinar Jaya", "KEP.1/2020"), None);
        assert_eq!(agency_nearness("pt", "PT Sinar Jaya", "KEP.1/2020"), None);
        assert_eq!(agency_nearness("jay", "PT Sinar Jaya", "KEP.1/2020"), None);
        assert_eq!(agency_nearness("KEP.9", "PT Lain", "KEP.1/2020"), None);
        assert_eq!(agency_nearness("", "PT Sinar Jaya", "KEP.1/2020"), None);
    }
}
