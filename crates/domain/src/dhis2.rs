//! DHIS2 interoperability (issue 19): the monthly indicators as DHIS2 data value sets (JSON and
//! ADX XML), the identifiers both sides use (data element codes, org-unit codes and uids,
//! periods), and the matching of a DHIS2 org-unit hierarchy against the Kemendagri regions.
//! Pure: the app reads the figures and the mappings; this module checks, matches and renders.
//! See docs/DHIS2.md.

use crate::monitoring::Month;
use crate::region::RegionCode;
use crate::validation::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// The longest code DHIS2 stores for a data element or org unit (its `code` column).
pub const MAX_CODE_LEN: usize = 50;
/// Org units in one page of an export: bounded so a national export at village level (about
/// 84,000 villages) is fetched page by page, never as one unbounded answer.
pub const MAX_PAGE: usize = 1000;
pub const DEFAULT_PAGE: usize = 500;
/// Conflicting and unmatched units listed by name in an import report (all are counted).
pub const REPORT_LIST_LIMIT: usize = 200;

/// The DHIS2 data element a Desmigratif indicator is sent as, unless a deployment maps it
/// otherwise: `DMP_` and the key in capitals (`persons_registered` → `DMP_PERSONS_REGISTERED`).
pub fn default_data_element(indicator: &str) -> String {
    format!("DMP_{}", indicator.to_ascii_uppercase())
}

/// A DHIS2 code as DHIS2 accepts it: 1 to 50 characters, no spaces or control characters.
pub fn valid_code(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_CODE_LEN && s.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

/// A DHIS2 uid: 11 letters and digits, a letter first.
pub fn valid_uid(s: &str) -> bool {
    s.len() == 11
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
}

/// DHIS2's monthly period: `YYYYMM`.
pub fn period_id(m: Month) -> String {
    format!("{:04}{:02}", m.year, m.month)
}

/// ADX's period: the first day and the duration, `YYYY-MM-01/P1M`.
pub fn adx_period(m: Month) -> String {
    format!("{:04}-{:02}-01/P1M", m.year, m.month)
}

/// The Kemendagri code of a DHIS2 org-unit code written with or without dots
/// (`53.07.01.2001`, `5307012001`); `None` when it is not one.
pub fn kemendagri_code(s: &str) -> Option<RegionCode> {
    let s = s.trim();
    if s.contains('.') {
        return s.parse().ok();
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Province 2, regency 2, district 2, village 4 digits.
    let dotted = match s.len() {
        2 => s.to_string(),
        4 => format!("{}.{}", &s[..2], &s[2..]),
        6 => format!("{}.{}.{}", &s[..2], &s[2..4], &s[4..]),
        10 => format!("{}.{}.{}.{}", &s[..2], &s[2..4], &s[4..6], &s[6..]),
        _ => return None,
    };
    dotted.parse().ok()
}

/// Which identifiers an export names org units by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdScheme {
    /// The DHIS2 code: the imported unit's code where a hierarchy was imported, else the
    /// Kemendagri code.
    Code,
    /// The DHIS2 uid of an imported unit; units without one are left out (and counted).
    Uid,
}

impl IdScheme {
    pub fn parse(s: &str) -> Option<IdScheme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "code" => Some(IdScheme::Code),
            "uid" => Some(IdScheme::Uid),
            _ => None,
        }
    }
    /// As DHIS2 spells it in `orgUnitIdScheme`.
    pub fn dhis2_name(self) -> &'static str {
        match self {
            IdScheme::Code => "CODE",
            IdScheme::Uid => "UID",
        }
    }
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Adx,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "json" => Some(ExportFormat::Json),
            "adx" => Some(ExportFormat::Adx),
            _ => None,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Adx => "application/adx+xml",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Adx => "adx.xml",
        }
    }
}

/// Where one indicator goes in DHIS2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataElementMapping {
    pub data_element: String,
    /// Empty: DHIS2's default category option combo.
    pub category_option_combo: String,
}

/// One value of one org unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataValue {
    pub data_element: String,
    pub category_option_combo: String,
    pub value: i64,
}

/// The values of one org unit for the month (a cell withheld or undefined is absent, never 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnitValues {
    pub org_unit: String,
    pub values: Vec<DataValue>,
}

/// One page of a data value set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataValueSet {
    pub month: Month,
    pub id_scheme: IdScheme,
    /// The `dataSet` attribute, when the deployment names one (empty: none).
    pub data_set: String,
    pub units: Vec<OrgUnitValues>,
}

impl DataValueSet {
    pub fn value_count(&self) -> usize {
        self.units.iter().map(|u| u.values.len()).sum()
    }

    /// DHIS2's JSON data value set (`/api/dataValueSets` import): `dataElementIdScheme` CODE,
    /// `orgUnitIdScheme` as chosen, the month as `YYYYMM`, values as strings as DHIS2 writes
    /// them. No field DHIS2 does not know.
    pub fn to_json(&self) -> serde_json::Value {
        let period = period_id(self.month);
        let mut values = Vec::with_capacity(self.value_count());
        for u in &self.units {
            for v in &u.values {
                let mut o = serde_json::Map::new();
                o.insert("dataElement".into(), v.data_element.clone().into());
                o.insert("period".into(), period.clone().into());
                o.insert("orgUnit".into(), u.org_unit.clone().into());
                if !v.category_option_combo.is_empty() {
                    o.insert("categoryOptionCombo".into(), v.category_option_combo.clone().into());
                }
                o.insert("value".into(), v.value.to_string().into());
                values.push(serde_json::Value::Object(o));
            }
        }
        let mut top = serde_json::Map::new();
        top.insert("dataElementIdScheme".into(), "CODE".into());
        top.insert("orgUnitIdScheme".into(), self.id_scheme.dhis2_name().into());
        if !self.data_set.is_empty() {
            top.insert("dataSet".into(), self.data_set.clone().into());
        }
        top.insert("period".into(), period.into());
        top.insert("dataValues".into(), values.into());
        serde_json::Value::Object(top)
    }

    /// ADX (IHE QRPH, namespace `urn:ihe:qrph:adx:2015`): one `group` per org unit with values.
    /// `exported` is the time of the export (RFC 3339), which the ADX schema requires.
    pub fn to_adx(&self, exported: &str) -> String {
        let period = adx_period(self.month);
        let mut out = String::with_capacity(128 + self.value_count() * 64);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(out, "<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"{}\">", xml_attr(exported));
        for u in self.units.iter().filter(|u| !u.values.is_empty()) {
            let _ = write!(out, "  <group orgUnit=\"{}\" period=\"{period}\"", xml_attr(&u.org_unit));
            if !self.data_set.is_empty() {
                let _ = write!(out, " dataSet=\"{}\"", xml_attr(&self.data_set));
            }
            out.push_str(">\n");
            for v in &u.values {
                let _ = write!(out, "    <dataValue dataElement=\"{}\"", xml_attr(&v.data_element));
                if !v.category_option_combo.is_empty() {
                    let _ = write!(out, " categoryOptionCombo=\"{}\"", xml_attr(&v.category_option_combo));
                }
                let _ = writeln!(out, " value=\"{}\"/>", v.value);
            }
            out.push_str("  </group>\n");
        }
        out.push_str("</adx>\n");
        out
    }
}

/// Text safe inside a double-quoted XML attribute.
fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

// ------------------------------------------------------------------ org-unit hierarchy import

/// DHIS2's metadata export of org units (`/api/organisationUnits?fields=id,code,name,level,parent`
/// or a metadata export holding `organisationUnits`). Other keys of the file are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgUnitsFile {
    #[serde(rename = "organisationUnits", default)]
    pub organisation_units: Vec<OrgUnitIn>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrgUnitIn {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub level: Option<i64>,
    #[serde(default)]
    pub parent: Option<ParentRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ParentRef {
    #[serde(default)]
    pub id: String,
}

/// Reads the file; a refusal names the field (`organisationUnits`, `organisationUnits[3].id`).
pub fn parse_org_units(bytes: &[u8]) -> Result<Vec<OrgUnitIn>, ValidationErrors> {
    let file: OrgUnitsFile = serde_json::from_slice(bytes).map_err(|e| {
        ValidationErrors::single("organisationUnits", Rule::Format, format!("DHIS2 metadata JSON: {e}"))
    })?;
    if file.organisation_units.is_empty() {
        return Err(ValidationErrors::single(
            "organisationUnits",
            Rule::Required,
            "a JSON object with a non-empty organisationUnits list",
        ));
    }
    let mut errs = ValidationErrors::new();
    for (i, u) in file.organisation_units.iter().enumerate() {
        if !valid_uid(&u.id) {
            errs.add(&format!("organisationUnits[{i}].id"), Rule::Format, "a DHIS2 uid: 11 letters and digits");
        }
        if errs.0.len() >= 20 {
            break;
        }
    }
    if errs.is_empty() { Ok(file.organisation_units) } else { Err(errs) }
}

/// A unit of the file as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

/// A matched unit whose parent in DHIS2 is not its parent here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub id: String,
    pub code: String,
    pub name: String,
    /// Our region code the DHIS2 parent matches ('' when the parent has no Kemendagri code).
    pub their_parent: String,
    /// Our parent region ('' for a province).
    pub our_parent: String,
    pub reason: &'static str,
}

/// A unit to store: our region, its DHIS2 uid, code and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub region_code: String,
    pub uid: String,
    pub dhis2_code: String,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Classified {
    pub matched: Vec<Match>,
    pub unmatched: Vec<UnitRef>,
    pub conflicts: Vec<Conflict>,
}

/// Matches each unit by its code against our regions (`ours`: code → parent code, '' for a
/// province). A unit matches when its code is a Kemendagri code we have; it conflicts when its
/// DHIS2 parent has a Kemendagri code that is not our parent, or when another unit of the file
/// already took the same region or uid; otherwise it is unmatched (no code, not a Kemendagri
/// code, or a code we do not have). Units above provinces (the country) have no parent here.
pub fn classify(units: &[OrgUnitIn], ours: &HashMap<String, String>) -> Classified {
    let code_of_uid: HashMap<&str, Option<RegionCode>> =
        units.iter().map(|u| (u.id.as_str(), u.code.as_deref().and_then(kemendagri_code))).collect();
    let mut out = Classified::default();
    let mut taken_region: BTreeMap<String, String> = BTreeMap::new();
    let mut taken_uid: BTreeMap<String, String> = BTreeMap::new();
    for u in units {
        let raw_code = u.code.clone().unwrap_or_default();
        let name = u.name.clone().unwrap_or_default();
        let unit = || UnitRef { id: u.id.clone(), code: raw_code.clone(), name: name.clone() };
        let Some(code) = u.code.as_deref().and_then(kemendagri_code) else {
            out.unmatched.push(unit());
            continue;
        };
        let Some(our_parent) = ours.get(code.as_str()) else {
            out.unmatched.push(unit());
            continue;
        };
        let their_parent = u
            .parent
            .as_ref()
            .and_then(|p| code_of_uid.get(p.id.as_str()).cloned().flatten())
            .map(|c| c.to_string())
            .unwrap_or_default();
        let conflict = |reason: &'static str| Conflict {
            id: u.id.clone(),
            code: raw_code.clone(),
            name: name.clone(),
            their_parent: their_parent.clone(),
            our_parent: our_parent.clone(),
            reason,
        };
        // A parent without a Kemendagri code (the country, a unit missing from the file)
        // says nothing against ours; a province's DHIS2 parent is such a unit.
        if !their_parent.is_empty() && their_parent != *our_parent {
            out.conflicts.push(conflict("parent_differs"));
            continue;
        }
        if taken_region.contains_key(code.as_str()) {
            out.conflicts.push(conflict("duplicate_code"));
            continue;
        }
        if taken_uid.contains_key(&u.id) {
            out.conflicts.push(conflict("duplicate_id"));
            continue;
        }
        taken_region.insert(code.to_string(), u.id.clone());
        taken_uid.insert(u.id.clone(), code.to_string());
        out.matched.push(Match { region_code: code.to_string(), uid: u.id.clone(), dhis2_code: raw_code, name });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn periods_are_written_as_dhis2_and_adx_expect() {
        assert_eq!(period_id(month("2026-01")), "202601");
        assert_eq!(adx_period(month("2025-11")), "2025-11-01/P1M");
    }

    #[test]
    fn codes_and_uids() {
        assert_eq!(default_data_element("persons_registered"), "DMP_PERSONS_REGISTERED");
        assert!(valid_code("DMP_PERSONS_REGISTERED"));
        assert!(!valid_code("") && !valid_code("has space") && !valid_code(&"X".repeat(51)));
        assert!(valid_uid("ImspTQPwCqd"));
        assert!(!valid_uid("1mspTQPwCqd") && !valid_uid("ImspTQPwCq") && !valid_uid("ImspTQPwC-d"));
    }

    #[test]
    fn kemendagri_codes_with_or_without_dots() {
        for (s, want) in [
            ("53.07.01.2001", Some("53.07.01.2001")),
            ("5307012001", Some("53.07.01.2001")),
            ("530701", Some("53.07.01")),
            ("5307", Some("53.07")),
            ("53", Some("53")),
            (" 53.07 ", Some("53.07")),
            ("53070", None),
            ("ID", None),
            ("53-07", None),
        ] {
            assert_eq!(kemendagri_code(s).map(|c| c.to_string()).as_deref(), want, "{s}");
        }
    }

    fn set() -> DataValueSet {
        DataValueSet {
            month: month("2026-01"),
            id_scheme: IdScheme::Code,
            data_set: String::new(),
            units: vec![
                OrgUnitValues {
                    org_unit: "53.07.01.2001".into(),
                    values: vec![
                        DataValue { data_element: "DMP_A".into(), category_option_combo: String::new(), value: 12 },
                        DataValue { data_element: "DMP_B".into(), category_option_combo: "x\"y".into(), value: 0 },
                    ],
                },
                OrgUnitValues { org_unit: "53.07.01.2002".into(), values: vec![] },
            ],
        }
    }

    #[test]
    fn json_has_only_dhis2_fields_and_string_values() {
        let j = set().to_json();
        assert_eq!(j["period"], "202601");
        assert_eq!(j["orgUnitIdScheme"], "CODE");
        assert!(j.get("dataSet").is_none());
        let v = j["dataValues"].as_array().unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            v[0],
            serde_json::json!({"dataElement": "DMP_A", "period": "202601", "orgUnit": "53.07.01.2001", "value": "12"})
        );
        assert_eq!(v[1]["categoryOptionCombo"], "x\"y");
    }

    #[test]
    fn adx_escapes_attributes_and_skips_units_without_values() {
        let x = set().to_adx("2026-01-31T10:00:00Z");
        assert!(x.contains("<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"2026-01-31T10:00:00Z\">"), "{x}");
        assert!(x.contains("<group orgUnit=\"53.07.01.2001\" period=\"2026-01-01/P1M\">"), "{x}");
        assert!(x.contains("categoryOptionCombo=\"x&quot;y\" value=\"0\"/>"), "{x}");
        assert!(!x.contains("53.07.01.2002"), "{x}");
    }

    fn unit(id: &str, code: Option<&str>, parent: Option<&str>) -> OrgUnitIn {
        OrgUnitIn {
            id: id.into(),
            code: code.map(String::from),
            name: Some(format!("Unit {id}")),
            level: None,
            parent: parent.map(|p| ParentRef { id: p.into() }),
        }
    }

    #[test]
    fn classify_matches_reports_unmatched_and_conflicts() {
        let ours: HashMap<String, String> =
            [("53", ""), ("53.07", "53"), ("53.07.01", "53.07"), ("53.07.01.2001", "53.07.01"), ("53.08", "53")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        let units = vec![
            unit("IdnCountry1", Some("ID"), None),
            unit("NttProvince", Some("53"), Some("IdnCountry1")),
            unit("SikkaRegenc", Some("5307"), Some("NttProvince")),
            unit("AlokDistric", Some("53.07.01"), Some("WrongParent")),
            unit("WrongParent", Some("5308"), Some("NttProvince")),
            unit("VillageNone", None, Some("AlokDistric")),
            unit("Unknown0000", Some("9999999999"), None),
            unit("DupCode0000", Some("5307"), Some("NttProvince")),
            unit("Village0001", Some("5307012001"), Some("AlokDistric")),
        ];
        let c = classify(&units, &ours);
        let matched: Vec<&str> = c.matched.iter().map(|m| m.region_code.as_str()).collect();
        assert_eq!(matched, ["53", "53.07", "53.08", "53.07.01.2001"]);
        assert_eq!(c.matched[1].uid, "SikkaRegenc");
        assert_eq!(c.matched[1].dhis2_code, "5307");
        let unmatched: Vec<&str> = c.unmatched.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(unmatched, ["IdnCountry1", "VillageNone", "Unknown0000"]);
        assert_eq!(c.conflicts.len(), 2);
        assert_eq!((c.conflicts[0].id.as_str(), c.conflicts[0].reason), ("AlokDistric", "parent_differs"));
        assert_eq!((c.conflicts[0].their_parent.as_str(), c.conflicts[0].our_parent.as_str()), ("53.08", "53.07"));
        assert_eq!((c.conflicts[1].id.as_str(), c.conflicts[1].reason), ("DupCode0000", "duplicate_code"));
    }

    #[test]
    fn parse_refuses_what_is_not_an_org_unit_list() {
        assert_eq!(parse_org_units(b"not json").unwrap_err().0[0].field, "organisationUnits");
        assert_eq!(parse_org_units(b"{\"organisationUnits\": []}").unwrap_err().0[0].rule, Rule::Required);
        let e = parse_org_units(br#"{"organisationUnits": [{"id": "ImspTQPwCqd"}, {"id": "bad"}]}"#).unwrap_err();
        assert_eq!(e.0[0].field, "organisationUnits[1].id");
        let ok = parse_org_units(
            br#"{"system": {}, "organisationUnits": [{"id": "ImspTQPwCqd", "code": "53", "extra": 1}]}"#,
        )
        .unwrap();
        assert_eq!(ok.len(), 1);
    }
}
