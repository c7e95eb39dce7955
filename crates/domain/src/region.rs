//! Kemendagri region codes: `11` province, `11.01` regency, `11.01.01` district,
//! `11.01.01.2001` village. (BPS statistics codes are different; never mix them.)

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionLevel {
    Province,
    Regency,
    District,
    Village,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::Regency => "regency",
            RegionLevel::District => "district",
            RegionLevel::Village => "village",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(Self::Province),
            "regency" => Some(Self::Regency),
            "district" => Some(Self::District),
            "village" => Some(Self::Village),
            _ => None,
        }
    }
    pub fn child(self) -> Option<Self> {
        match self {
            RegionLevel::Province => Some(Self::Regency),
            RegionLevel::Regency => Some(Self::District),
            RegionLevel::District => Some(Self::Village),
            RegionLevel::Village => None,
        }
    }
}

impl fmt::Display for RegionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RegionLevel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A syntactically valid Kemendagri code. Whether it exists is the store's question.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a region code (expected 11, 11.01, 11.01.01 or 11.01.01.2001): {0:?}")]
pub struct RegionCodeError(pub String);

impl RegionCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        match self.0.len() {
            2 => RegionLevel::Province,
            5 => RegionLevel::Regency,
            8 => RegionLevel::District,
            _ => RegionLevel::Village,
        }
    }

    pub fn parent(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::Regency => Some(RegionCode(self.0[..2].to_string())),
            RegionLevel::District => Some(RegionCode(self.0[..5].to_string())),
            RegionLevel::Village => Some(RegionCode(self.0[..8].to_string())),
        }
    }

    /// The code itself and every ancestor, province first.
    pub fn lineage(&self) -> Vec<RegionCode> {
        let mut out = vec![self.clone()];
        let mut cur = self.parent();
        while let Some(p) = cur {
            cur = p.parent();
            out.push(p);
        }
        out.reverse();
        out
    }

    /// True when `other` is this region or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0 == self.0 || (other.0.starts_with(&self.0) && other.0.as_bytes()[self.0.len()] == b'.')
    }

    /// For villages: urban kelurahan (last part starting with 1) rather than desa (2).
    pub fn is_kelurahan(&self) -> bool {
        self.level() == RegionLevel::Village && self.0.as_bytes()[9] == b'1'
    }
}

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('.').collect();
        let widths: &[usize] = &[2, 2, 2, 4];
        let ok = !parts.is_empty()
            && parts.len() <= 4
            && parts.iter().zip(widths).all(|(p, w)| all_digits(p, *w))
            && parts[0] != "00";
        if ok { Ok(RegionCode(s.to_string())) } else { Err(RegionCodeError(s.to_string())) }
    }
}

impl TryFrom<&str> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Lower-cases and collapses spaces so that "kab. sikka", "SIKKA" and "Sikka" meet.
pub fn search_key(name: &str) -> String {
    let lowered = name.to_lowercase();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words people put before a region's name that are not part of it ("desa Done", "kab.
/// Sikka", "Kec. Alok"): a search ignores them, so "desa done" finds the village Done.
/// ("gampong", "nagari" and the like are kept: they begin many villages' own names.)
const ADMIN_WORDS: [&str; 12] =
    ["desa", "ds", "kelurahan", "kel", "kabupaten", "kab", "kota", "kecamatan", "kec", "provinsi", "prov", "propinsi"];

/// The words a region search looks for: the query's search key without [`ADMIN_WORDS`]
/// (with or without their abbreviating dot, also glued to the name as in "kab.sikka"). When
/// nothing else is left ("kota"), the words are kept, so a search for them still finds names.
pub fn search_words(query: &str) -> Vec<String> {
    let key = search_key(query);
    let all: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    let mut kept = Vec::new();
    for w in &all {
        let w = match w.split_once('.') {
            Some((head, rest)) if ADMIN_WORDS.contains(&head) && !rest.is_empty() => rest,
            _ => w,
        };
        if !ADMIN_WORDS.contains(&w.trim_end_matches('.')) {
            kept.push(w.to_string());
        }
    }
    if kept.is_empty() { all.into_iter().map(str::to_string).collect() } else { kept }
}

/// Abbreviations kept in capitals when a name is title-cased: DKI Jakarta, DI Yogyakarta, and
/// Roman numerals that number villages (Kuta Buloh II).
const KEEP_UPPER: [&str; 16] =
    ["DKI", "DI", "NAD", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"];

/// A region's name as officials write it, from the reference's capitals ("DKI JAKARTA" → "DKI
/// Jakarta", "KABUPATEN KEPULAUAN SERIBU" → "Kabupaten Kepulauan Seribu", "KOTA BAU-BAU" →
/// "Kota Bau-Bau"). A name already in mixed case is kept as written.
pub fn display_name(raw: &str) -> String {
    if raw.chars().any(|c| c.is_lowercase()) {
        return raw.to_string();
    }
    raw.split(' ')
        .map(|w| {
            if KEEP_UPPER.contains(&w) {
                return w.to_string();
            }
            // Capitalise after a hyphen, slash or bracket too: "Bau-Bau", "(Kota)".
            let mut out = String::with_capacity(w.len());
            let mut start = true;
            for c in w.chars() {
                if start {
                    out.extend(c.to_uppercase())
                } else {
                    out.extend(c.to_lowercase())
                }
                start = matches!(c, '-' | '/' | '(');
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_keep_official_capitals() {
        assert_eq!(display_name("DKI JAKARTA"), "DKI Jakarta");
        assert_eq!(display_name("DI YOGYAKARTA"), "DI Yogyakarta");
        assert_eq!(display_name("DAERAH ISTIMEWA YOGYAKARTA"), "Daerah Istimewa Yogyakarta");
        assert_eq!(display_name("KEPULAUAN BANGKA BELITUNG"), "Kepulauan Bangka Belitung");
        assert_eq!(display_name("KABUPATEN SIKKA"), "Kabupaten Sikka");
        assert_eq!(display_name("KOTA BAU-BAU"), "Kota Bau-Bau");
        assert_eq!(display_name("KUTA BULOH II"), "Kuta Buloh II");
        assert_eq!(display_name("Keude Bakongan"), "Keude Bakongan");
    }

    #[test]
    fn search_ignores_administrative_words() {
        assert_eq!(search_words("desa done"), ["done"]);
        assert_eq!(search_words("Desa  Done"), ["done"]);
        assert_eq!(search_words("kab. sikka"), ["sikka"]);
        assert_eq!(search_words("Kab.Sikka"), ["sikka"]);
        assert_eq!(search_words("kelurahan kota uneng"), ["uneng"]);
        assert_eq!(search_words("kec alok timur"), ["alok", "timur"]);
        assert_eq!(search_words("Provinsi Nusa Tenggara Timur"), ["nusa", "tenggara", "timur"]);
        assert_eq!(search_words("kota"), ["kota"], "nothing else: keep the word");
        assert_eq!(search_words("   "), Vec::<String>::new());
    }

    fn rc(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    #[test]
    fn parses_each_level() {
        assert_eq!(rc("53").level(), RegionLevel::Province);
        assert_eq!(rc("53.10").level(), RegionLevel::Regency);
        assert_eq!(rc("53.10.01").level(), RegionLevel::District);
        assert_eq!(rc("53.10.01.2001").level(), RegionLevel::Village);
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["", "5", "531", "53.1", "53.10.1", "53.10.01.201", "53.10.01.2001.1", "ab", "53-10", "00", "53..01"]
        {
            assert!(bad.parse::<RegionCode>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn containment_respects_segment_boundaries() {
        assert!(rc("53").contains(&rc("53.10.01.2001")));
        assert!(rc("53.10").contains(&rc("53.10")));
        assert!(!rc("53.10").contains(&rc("53.11.01")));
        assert!(!rc("53").contains(&rc("35.53")), "text prefix is not containment");
        assert!(!rc("53.10.01.2001").contains(&rc("53.10.01.2002")));
        assert!(!rc("53.10.01.2001").contains(&rc("53.10")));
    }

    #[test]
    fn lineage_goes_from_province_down() {
        let l: Vec<String> = rc("53.10.01.2001").lineage().iter().map(|c| c.to_string()).collect();
        assert_eq!(l, ["53", "53.10", "53.10.01", "53.10.01.2001"]);
    }

    #[test]
    fn kelurahan_and_desa() {
        assert!(rc("53.10.01.1001").is_kelurahan());
        assert!(!rc("53.10.01.2001").is_kelurahan());
    }

    #[test]
    fn search_key_folds_case_and_spaces() {
        assert_eq!(search_key("  KABUPATEN   Sikka "), "kabupaten sikka");
    }
}
