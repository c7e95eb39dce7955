//! Region updates: what changes between the region hierarchy a database holds and a new
//! release of the Kemendagri codes (idn-area-data's CSV files). Pure: the store applies the
//! plan, the application layer lists the records sitting on codes that go away.
//!
//! Codes are never deleted (every pillar references them): a code missing from the new data
//! is *retired*, with a proposed successor when a new code of the same name appears in the
//! same regency (villages) or province (districts, regencies) — a "moved" candidate.

use crate::region::{RegionCode, RegionLevel, display_name};
use crate::validation::{FieldError, Rule, ValidationErrors};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One region of an incoming release, its name as the loader stores it (`display_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRow {
    pub code: RegionCode,
    pub name: String,
}

impl RegionRow {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }
    pub fn parent(&self) -> Option<RegionCode> {
        self.code.parent()
    }
}

/// A region as the database holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentRegion {
    pub code: String,
    pub name: String,
    pub retired: bool,
}

/// Why an input file was refused: which file, which line (1-based, the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: &'static str,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}: {}", self.file, self.line, self.reason)
    }
}

impl std::error::Error for ParseError {}

/// The four files of a release, in idn-area's format: `code,name` (provinces) and
/// `code,parent_code,name`, a header line first, names quoted when they hold a comma.
pub const FILES: [(&str, RegionLevel); 4] = [
    ("provinces.csv", RegionLevel::Province),
    ("regencies.csv", RegionLevel::Regency),
    ("districts.csv", RegionLevel::District),
    ("villages.csv", RegionLevel::Village),
];

/// Parses one file of a release.
pub fn parse_file(file: &'static str, level: RegionLevel, text: &str) -> Result<Vec<RegionRow>, ParseError> {
    let columns = if level == RegionLevel::Province { 2 } else { 3 };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let bad = |reason: String| ParseError { file, line, reason };
        let record = record.map_err(|e| bad(format!("not CSV: {e}")))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != columns {
            return Err(bad(format!("{} columns, expected {columns}", record.len())));
        }
        let code: RegionCode = record[0].trim().parse().map_err(|_| bad(format!("bad code {:?}", &record[0])))?;
        if code.level() != level {
            return Err(bad(format!("{code} is not a {level} code")));
        }
        if columns == 3 && code.parent().is_none_or(|p| p.as_str() != record[1].trim()) {
            return Err(bad(format!("parent {:?} does not match the code {code}", &record[1])));
        }
        let name = display_name(record[columns - 1].trim());
        if name.is_empty() {
            return Err(bad(format!("{code} has no name")));
        }
        rows.push(RegionRow { code, name });
    }
    Ok(rows)
}

/// Parses a whole release (the four texts in [`FILES`] order) and checks it is one
/// hierarchy: no code twice, every parent present. Parents come before their children.
pub fn parse_release(texts: [&str; 4]) -> Result<Vec<RegionRow>, ParseError> {
    let mut rows = Vec::with_capacity(92_000);
    let mut seen: HashSet<String> = HashSet::new();
    for ((file, level), text) in FILES.into_iter().zip(texts) {
        for (i, row) in parse_file(file, level, text)?.into_iter().enumerate() {
            let bad = |reason: String| ParseError { file, line: i + 2, reason };
            if let Some(p) = row.parent()
                && !seen.contains(p.as_str())
            {
                return Err(bad(format!("{} names parent {p}, which the release does not have", row.code)));
            }
            if !seen.insert(row.code.as_str().to_string()) {
                return Err(bad(format!("{} appears twice", row.code)));
            }
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return Err(ParseError { file: "provinces.csv", line: 1, reason: "the release holds no region".into() });
    }
    Ok(rows)
}

/// SHA-256 of the release's files as given, for the audit entry (which input was applied).
pub fn input_hash(texts: [&str; 4]) -> String {
    let mut h = Sha256::new();
    for t in texts {
        h.update((t.len() as u64).to_be_bytes());
        h.update(t.as_bytes());
    }
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRegion {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    pub code: String,
    pub old_name: String,
    pub new_name: String,
}

/// A code gone and a new one of the same name in the same regency (villages) or province:
/// probably the same place renumbered. A candidate, shown as such; the old code is retired
/// with the new one as its proposed successor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub old_code: String,
    pub old_name: String,
    pub new_code: String,
    pub new_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub code: String,
    pub name: String,
}

/// What an update changes. `new` and `removed` leave out the codes of `moved`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub new: Vec<NewRegion>,
    pub renamed: Vec<Renamed>,
    pub moved: Vec<Moved>,
    pub removed: Vec<Removed>,
    /// Retired codes that are back in the release: current again.
    pub restored: Vec<NewRegion>,
    pub unchanged: usize,
}

/// Counts of a plan, for the audit entry and the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    pub new: usize,
    pub renamed: usize,
    pub moved: usize,
    pub removed: usize,
    pub restored: usize,
    pub unchanged: usize,
}

impl Plan {
    pub fn counts(&self) -> PlanCounts {
        PlanCounts {
            new: self.new.len(),
            renamed: self.renamed.len(),
            moved: self.moved.len(),
            removed: self.removed.len(),
            restored: self.restored.len(),
            unchanged: self.unchanged,
        }
    }

    /// Nothing to write: applying the same release twice changes nothing.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty()
            && self.renamed.is_empty()
            && self.moved.is_empty()
            && self.removed.is_empty()
            && self.restored.is_empty()
    }

    /// Codes to insert, parents before children.
    pub fn inserts(&self) -> Vec<NewRegion> {
        let mut out: Vec<NewRegion> = self.new.clone();
        out.extend(self.moved.iter().map(|m| NewRegion { code: m.new_code.clone(), name: m.new_name.clone() }));
        out.sort_by(|a, b| a.code.len().cmp(&b.code.len()).then_with(|| a.code.cmp(&b.code)));
        out
    }

    /// Codes to retire with their proposed successor.
    pub fn retirements(&self) -> Vec<(String, Option<String>)> {
        let mut out: Vec<(String, Option<String>)> = self.removed.iter().map(|r| (r.code.clone(), None)).collect();
        out.extend(self.moved.iter().map(|m| (m.old_code.clone(), Some(m.new_code.clone()))));
        out.sort();
        out
    }
}

/// Names compared for a move: letters and digits only, any case ("Tohiti Sari" = "Tohitisari").
pub fn move_key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Where a moved code is looked for: the regency for villages, the province otherwise.
fn move_area(code: &str) -> Option<(RegionLevel, String)> {
    let code: RegionCode = code.parse().ok()?;
    let area_len = match code.level() {
        RegionLevel::Province => return None,
        RegionLevel::Village => 5,
        _ => 2,
    };
    Some((code.level(), code.as_str()[..area_len].to_string()))
}

/// Compares what the database holds with a release.
pub fn plan(current: &[CurrentRegion], release: &[RegionRow]) -> Plan {
    let now: HashMap<&str, &CurrentRegion> = current.iter().map(|c| (c.code.as_str(), c)).collect();
    let incoming: HashSet<&str> = release.iter().map(|r| r.code.as_str()).collect();
    let mut p = Plan::default();
    let mut added: Vec<NewRegion> = vec![];
    for row in release {
        match now.get(row.code.as_str()) {
            None => added.push(NewRegion { code: row.code.to_string(), name: row.name.clone() }),
            Some(c) => {
                if c.retired {
                    p.restored.push(NewRegion { code: row.code.to_string(), name: row.name.clone() });
                }
                if c.name != row.name {
                    p.renamed.push(Renamed {
                        code: row.code.to_string(),
                        old_name: c.name.clone(),
                        new_name: row.name.clone(),
                    });
                } else if !c.retired {
                    p.unchanged += 1;
                }
            }
        }
    }
    // Retired codes stay retired: only codes current until now are removed by this release.
    let gone: Vec<Removed> = current
        .iter()
        .filter(|c| !c.retired && !incoming.contains(c.code.as_str()))
        .map(|c| Removed { code: c.code.clone(), name: c.name.clone() })
        .collect();
    // A move only when the name is unique among both the gone and the added codes of its area.
    type Key = (RegionLevel, String, String);
    let key = |code: &str, name: &str| move_area(code).map(|(l, a)| (l, a, move_key(name)));
    let mut gone_by: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, g) in gone.iter().enumerate() {
        if let Some(k) = key(&g.code, &g.name) {
            gone_by.entry(k).or_default().push(i);
        }
    }
    let mut added_by: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, a) in added.iter().enumerate() {
        if let Some(k) = key(&a.code, &a.name) {
            added_by.entry(k).or_default().push(i);
        }
    }
    let mut moved_gone = HashSet::new();
    let mut moved_added = HashSet::new();
    for (k, g) in &gone_by {
        if let (&[gi], Some(&[ai])) = (g.as_slice(), added_by.get(k).map(Vec::as_slice)) {
            moved_gone.insert(gi);
            moved_added.insert(ai);
            p.moved.push(Moved {
                old_code: gone[gi].code.clone(),
                old_name: gone[gi].name.clone(),
                new_code: added[ai].code.clone(),
                new_name: added[ai].name.clone(),
            });
        }
    }
    p.moved.sort_by(|a, b| a.old_code.cmp(&b.old_code));
    p.new = added.into_iter().enumerate().filter(|(i, _)| !moved_added.contains(i)).map(|(_, a)| a).collect();
    p.removed = gone.into_iter().enumerate().filter(|(i, _)| !moved_gone.contains(i)).map(|(_, g)| g).collect();
    p
}

/// The refusal of a retired code for a new record, naming its successor when it has one.
pub fn retired_refusal(field: &str, code: &str, successor: Option<&str>) -> FieldError {
    match successor {
        Some(s) => FieldError::new(field, Rule::UnknownRegion, format!("the code {code} is retired; use {s}"))
            .message("msg_key.retired_region")
            .param("code", code)
            .param("successor", s),
        None => {
            FieldError::new(field, Rule::UnknownRegion, format!("the code {code} is retired and has no successor yet"))
                .message("msg_key.retired_region_no_successor")
                .param("code", code)
        }
    }
}

/// A code as a reassignment sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeState {
    pub code: RegionCode,
    pub retired: bool,
    pub successor: Option<String>,
}

/// What a reassignment moves from and to: `old` must be retired; `new` (typed, or else the
/// proposed successor) must be a current code of the same level. Each refusal names its field.
pub fn check_reassignment(
    old_typed: &str,
    old: Option<&CodeState>,
    new_typed: &str,
    new: Option<&CodeState>,
) -> Result<(RegionCode, RegionCode), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let old = match old {
        None if old_typed.trim().parse::<RegionCode>().is_err() => {
            errs.push(
                FieldError::new("old_code", Rule::Format, "a region code such as 53.07.01.2001")
                    .message("msg_key.region_code_format"),
            );
            None
        }
        None => {
            errs.push(
                FieldError::new("old_code", Rule::UnknownRegion, "no region has this code")
                    .message("msg_key.unknown_region_code"),
            );
            None
        }
        Some(o) if !o.retired => {
            errs.push(
                FieldError::new("old_code", Rule::Mismatch, "this code is current: only retired codes are reassigned")
                    .message("msg_key.region_not_retired")
                    .param("code", o.code.as_str()),
            );
            None
        }
        Some(o) => Some(o),
    };
    let new = match new {
        None if new_typed.trim().is_empty() => {
            if old.is_some() {
                errs.push(
                    FieldError::new(
                        "new_code",
                        Rule::Required,
                        "this retired code has no proposed successor: name one",
                    )
                    .message("msg_key.region_successor_required"),
                );
            }
            None
        }
        None if new_typed.trim().parse::<RegionCode>().is_err() => {
            errs.push(
                FieldError::new("new_code", Rule::Format, "a region code such as 53.07.01.2001")
                    .message("msg_key.region_code_format"),
            );
            None
        }
        None => {
            errs.push(
                FieldError::new("new_code", Rule::UnknownRegion, "no region has this code")
                    .message("msg_key.unknown_region_code"),
            );
            None
        }
        Some(n) if n.retired => {
            errs.push(retired_refusal("new_code", n.code.as_str(), n.successor.as_deref()));
            None
        }
        Some(n) => Some(n),
    };
    if let (Some(o), Some(n)) = (old, new)
        && o.code.level() != n.code.level()
    {
        errs.push(
            FieldError::new("new_code", Rule::ScopeLevel, "the successor must be of the same level")
                .message("msg_key.region_successor_level"),
        );
    }
    match (old, new) {
        (Some(o), Some(n)) if errs.is_empty() => Ok((o.code.clone(), n.code.clone())),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str, name: &str) -> CurrentRegion {
        CurrentRegion { code: code.into(), name: name.into(), retired: false }
    }

    fn release(villages: &str) -> Vec<RegionRow> {
        parse_release([
            "code,name\n53,Nusa Tenggara Timur\n",
            "code,province_code,name\n53.07,53,Kabupaten Sikka\n",
            "code,regency_code,name\n53.07.01,53.07,Paga\n53.07.02,53.07,Mego\n",
            villages,
        ])
        .unwrap()
    }

    fn current() -> Vec<CurrentRegion> {
        vec![
            cur("53", "Nusa Tenggara Timur"),
            cur("53.07", "Kabupaten Sikka"),
            cur("53.07.01", "Paga"),
            cur("53.07.02", "Mego"),
            cur("53.07.01.2001", "Paga"),
            cur("53.07.01.2002", "Wolorega"),
            cur("53.07.01.2003", "Tohiti Sari"),
            cur("53.07.01.2004", "Hilang"),
        ]
    }

    #[test]
    fn renamed_moved_removed_and_new_are_told_apart() {
        let rows = release(
            "code,district_code,name\n53.07.01.2001,53.07.01,Paga\n53.07.01.2002,53.07.01,\"Wolorega, Baru\"\n\
             53.07.02.2009,53.07.02,Tohitisari\n53.07.02.2010,53.07.02,Desa Baru\n",
        );
        let p = plan(&current(), &rows);
        assert_eq!(
            p.renamed,
            vec![Renamed {
                code: "53.07.01.2002".into(),
                old_name: "Wolorega".into(),
                new_name: "Wolorega, Baru".into()
            }]
        );
        assert_eq!(p.moved.len(), 1);
        assert_eq!((p.moved[0].old_code.as_str(), p.moved[0].new_code.as_str()), ("53.07.01.2003", "53.07.02.2009"));
        assert_eq!(p.removed, vec![Removed { code: "53.07.01.2004".into(), name: "Hilang".into() }]);
        assert_eq!(p.new, vec![NewRegion { code: "53.07.02.2010".into(), name: "Desa Baru".into() }]);
        assert_eq!(p.unchanged, 5);
        assert_eq!(
            p.retirements(),
            vec![("53.07.01.2003".to_string(), Some("53.07.02.2009".to_string())), ("53.07.01.2004".to_string(), None)]
        );
        assert_eq!(p.inserts().len(), 2);
    }

    #[test]
    fn applying_the_same_release_again_changes_nothing() {
        let rows = release("code,district_code,name\n53.07.01.2001,53.07.01,Paga\n");
        let mut now = current();
        for c in &mut now {
            if c.code.len() == 13 && c.code != "53.07.01.2001" {
                c.retired = true;
            }
        }
        let p = plan(&now, &rows);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(p.unchanged, 5);
    }

    #[test]
    fn ambiguous_names_are_not_moves() {
        let mut now = current();
        now.push(cur("53.07.02.2001", "Hilang"));
        let rows = release(
            "code,district_code,name\n53.07.01.2001,53.07.01,Paga\n53.07.01.2002,53.07.01,Wolorega\n\
             53.07.01.2003,53.07.01,Tohiti Sari\n53.07.02.2005,53.07.02,Hilang\n",
        );
        let p = plan(&now, &rows);
        assert!(p.moved.is_empty());
        assert_eq!(p.removed.len(), 2);
    }

    #[test]
    fn a_retired_code_back_in_the_release_is_restored() {
        let mut now = current();
        now[7].retired = true;
        let rows = release(
            "code,district_code,name\n53.07.01.2001,53.07.01,Paga\n53.07.01.2002,53.07.01,Wolorega\n\
             53.07.01.2003,53.07.01,Tohiti Sari\n53.07.01.2004,53.07.01,Hilang\n",
        );
        let p = plan(&now, &rows);
        assert_eq!(p.restored.len(), 1);
        assert!(p.removed.is_empty() && p.new.is_empty());
    }

    #[test]
    fn broken_releases_name_file_and_line() {
        let e = parse_release(["code,name\n53,NTT\n", "code,province_code,name\n53.07,52,Sikka\n", "code\n", "code\n"])
            .unwrap_err();
        assert_eq!((e.file, e.line), ("regencies.csv", 2));
        let e = parse_release(["code,name\n53,NTT\n", "code,province_code,name\n54.07,54,Sikka\n", "code\n", "code\n"])
            .unwrap_err();
        assert!(e.reason.contains("does not have"), "{e}");
        let e = parse_file("villages.csv", RegionLevel::Village, "code,district_code,name\n53.07.01,53.07,X\n")
            .unwrap_err();
        assert!(e.reason.contains("not a village"), "{e}");
    }

    #[test]
    fn reassignment_needs_a_retired_code_and_a_current_one_of_its_level() {
        let st = |c: &str, retired: bool, successor: Option<&str>| CodeState {
            code: c.parse().unwrap(),
            retired,
            successor: successor.map(String::from),
        };
        let old = st("53.07.01.2003", true, Some("53.07.02.2009"));
        let new = st("53.07.02.2009", false, None);
        assert!(check_reassignment("", Some(&old), "", Some(&new)).is_ok());
        let e = check_reassignment("", Some(&st("53.07.01.2001", false, None)), "", Some(&new)).unwrap_err();
        assert_eq!(e.0[0].field, "old_code");
        let e = check_reassignment("", Some(&old), "", Some(&st("53.07.02", false, None))).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("new_code", Rule::ScopeLevel));
        let e = check_reassignment("", Some(&old), "", None).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::Required);
        let e = check_reassignment("", Some(&old), "x", None).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::Format);
        let e = check_reassignment("", Some(&old), "", Some(&st("53.07.01.2004", true, None))).unwrap_err();
        assert_eq!(e.0[0].message_key.as_deref(), Some("msg_key.retired_region_no_successor"));
    }

    #[test]
    fn quoted_names_and_literal_quotes_read_as_written() {
        let rows = parse_file(
            "villages.csv",
            RegionLevel::Village,
            "code,district_code,name\n35.13.15.2017,35.13.15,\"Soka\"\"an\"\n",
        )
        .unwrap();
        assert_eq!(rows[0].name, "Soka\"an");
        assert_eq!(move_key("Sari Buana"), move_key("Saribuana"));
    }
}
