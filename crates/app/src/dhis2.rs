//! DHIS2 interoperability (issue 19, docs/DHIS2.md): the monthly indicators as a DHIS2 data
//! value set, page by page; the data element mapping (defaults, overrides kept by national
//! admins); the import of a ministry's org-unit hierarchy. The export reads the same figures as
//! the indicators API (`monitoring::visible_indicators`, same scope check and case rule).

use crate::App as AppState;
use crate::error::{Error, Result};
use crate::i18n::{Lang, T};
use crate::monitoring::{self, Place};
use domain::access::{Action, Principal};
use domain::dhis2::{
    Classified, Conflict, DataValue, DataValueSet, IdScheme, OrgUnitValues, UnitRef, default_data_element, valid_code,
};
use domain::monitoring::{Month, Period};
use domain::{RegionLevel, Rule, ValidationErrors};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use store::audit::Actor;
use store::indicators::read::Values;

/// An export as asked (query parameters as typed; blank is the default).
#[derive(Debug, Default, Clone)]
pub struct ExportQuery {
    /// `YYYY-MM`; default this month.
    pub period: Option<String>,
    /// A region code; blank: the nation.
    pub within: Option<String>,
    /// province, regency, district or village; default the level of `within` (provinces for the nation).
    pub level: Option<String>,
    /// code (default) or uid.
    pub id_scheme: Option<String>,
    /// The last org unit (our code) of the previous page.
    pub after: Option<String>,
    /// Org units per page, 1 to `MAX_PAGE` (default `DEFAULT_PAGE`).
    pub limit: Option<String>,
    /// The DHIS2 data set (code or uid) to name in the set; blank: none (DHIS2 does not need one).
    pub data_set: Option<String>,
}

/// One page of the export.
#[derive(Debug, Clone)]
pub struct Export {
    pub set: DataValueSet,
    /// The `after` of the next page; `None` on the last page.
    pub next_after: Option<String>,
    /// Org units of this page left out because `id_scheme=uid` and no uid was imported for them.
    pub without_uid: usize,
    /// False while many changes are still being aggregated.
    pub fresh: bool,
}

fn level_rank(l: RegionLevel) -> u8 {
    match l {
        RegionLevel::Province => 1,
        RegionLevel::Regency => 2,
        RegionLevel::District => 3,
        RegionLevel::Village => 4,
    }
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Every indicator the export can send, in registry order (counts, then shares and medians).
pub fn exportable() -> Vec<&'static str> {
    let any = Month { year: 2016, month: 1 };
    monitoring::indicator_rows(T::new(Lang::Id), &Values::default(), &Period { from: any, to: any })
        .into_iter()
        .map(|r| r.key)
        .collect()
}

/// One page of the DHIS2 data value set of `query`. Access is the indicators API's: the
/// principal must see the monitoring figures of `within` (the nation needs a national scope);
/// each org unit's figures are those `monitoring::visible_indicators` gives it (case figures
/// withheld where the case rule withholds them). A withheld or undefined cell is left out, never
/// sent as 0. Flows are the month's; stocks (villages designated, people abroad) are only current
/// and are sent for the current month only.
pub async fn export(state: &AppState, principal: &Principal, query: &ExportQuery) -> Result<Export> {
    let mut errs = ValidationErrors::new();
    let current = monitoring::current_month(state);
    let month = match blank(&query.period) {
        None => Some(current),
        Some(s) => match Month::parse(s) {
            None => {
                errs.add("period", Rule::Format, "a month such as 2026-01");
                None
            }
            Some(m) if m > current || m < Month { year: 2016, month: 1 } => {
                errs.add("period", Rule::OutOfRange, "a month from 2016-01 (the program's launch) to this month");
                None
            }
            Some(m) => Some(m),
        },
    };
    let id_scheme = IdScheme::parse(query.id_scheme.as_deref().unwrap_or("")).unwrap_or_else(|| {
        errs.add("id_scheme", Rule::OneOf, "code or uid");
        IdScheme::Code
    });
    let limit = match blank(&query.limit) {
        None => domain::dhis2::DEFAULT_PAGE,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=domain::dhis2::MAX_PAGE).contains(&n) => n,
            _ => {
                errs.add("limit", Rule::OutOfRange, format!("1 to {}", domain::dhis2::MAX_PAGE));
                0
            }
        },
    };
    let level = match blank(&query.level) {
        None => None,
        Some(s) => RegionLevel::parse(s).or_else(|| {
            errs.add("level", Rule::OneOf, "province, regency, district or village");
            None
        }),
    };
    let data_set = blank(&query.data_set).unwrap_or("").to_string();
    if !data_set.is_empty() && !valid_code(&data_set) {
        errs.add("data_set", Rule::Format, "a DHIS2 data set code or uid: 1 to 50 characters, no spaces");
    }
    let after = blank(&query.after).unwrap_or("").to_string();
    if !after.is_empty() && after.parse::<domain::RegionCode>().is_err() {
        errs.add("after", Rule::Format, "the region code that ended the previous page");
    }
    let place = match monitoring::place(state, blank(&query.within).unwrap_or("")).await {
        Ok(p) => Some(p),
        Err(monitoring::RegionError::BadCode) => {
            errs.add("within", Rule::Format, "a region code such as 53, 53.07, 53.07.01 or 53.07.01.2001");
            None
        }
        Err(monitoring::RegionError::Unknown) => {
            errs.add("within", Rule::UnknownRegion, "no region with this code");
            None
        }
        Err(monitoring::RegionError::OutOfScope) => return Err(Error::Forbidden),
        Err(monitoring::RegionError::Store(e)) => return Err(e.into()),
    };
    // Access before anything else is reported about the region.
    if let Some(p) = &place
        && !monitoring::may_view(principal, p)
    {
        return Err(Error::Forbidden);
    }
    let own_level = place.as_ref().and_then(|p| p.code.as_ref().map(|c| c.level()));
    let level = level.or(own_level).unwrap_or(RegionLevel::Province);
    if own_level.is_some_and(|own| level_rank(level) < level_rank(own)) {
        errs.add("level", Rule::ScopeLevel, "the level of `within` or one below it");
    }
    let (Some(month), Some(place), true) = (month, place, errs.is_empty()) else { return Err(Error::Invalid(errs)) };

    let fresh = monitoring::ensure_fresh(state).await?;
    // One more than the page, to know whether another follows.
    let mut units = store::dhis2::org_units(&state.db, place.code.as_ref(), level, &after, limit + 1).await?;
    let next_after = if units.len() > limit {
        units.truncate(limit);
        units.last().map(|u| u.code.clone())
    } else {
        None
    };
    let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
    let mut by_region: HashMap<String, Vec<(String, String, String, i64)>> = HashMap::new();
    for (r, k, m, d, v) in store::dhis2::values(&state.db, &codes, &month.to_string()).await? {
        by_region.entry(r).or_default().push((k, m, d, v));
    }
    let mapping = mapping(state).await?;
    let period = Period { from: month, to: month };
    let t = T::new(Lang::Id);
    let mut without_uid = 0;
    let mut out = Vec::with_capacity(units.len());
    for u in units {
        let Ok(code) = u.code.parse::<domain::RegionCode>() else { continue };
        let unit_place = Place { code: Some(code), region: None, lineage: vec![] };
        // Inside `within`, so covered; checked again per unit all the same (one rule, one place).
        if !monitoring::may_view(principal, &unit_place) {
            continue;
        }
        let org_unit = match (id_scheme, &u.uid, &u.dhis2_code) {
            (IdScheme::Uid, Some(uid), _) => uid.clone(),
            (IdScheme::Uid, None, _) => {
                without_uid += 1;
                continue;
            }
            (IdScheme::Code, _, Some(c)) if !c.is_empty() => c.clone(),
            (IdScheme::Code, _, _) => u.code.clone(),
        };
        let values = Values::from_rows(by_region.remove(&u.code).unwrap_or_default());
        let rows = monitoring::visible_indicators(t, principal, &unit_place, &values, &period);
        let values = rows
            .into_iter()
            .filter(|r| !r.stock || month == current)
            .filter_map(|r| {
                let v = r.value?;
                let m = mapping.get(r.key)?;
                Some(DataValue {
                    data_element: m.data_element.clone(),
                    category_option_combo: m.category_option_combo.clone(),
                    value: v,
                })
            })
            .collect();
        out.push(OrgUnitValues { org_unit, values });
    }
    Ok(Export { set: DataValueSet { month, id_scheme, data_set, units: out }, next_after, without_uid, fresh })
}

// ------------------------------------------------------------------ data elements

/// The data element of each exportable indicator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DataElement {
    /// Our indicator key.
    pub indicator: String,
    pub label: String,
    /// The DHIS2 data element code the indicator is sent as.
    pub data_element: String,
    /// The DHIS2 category option combo ('' for DHIS2's default).
    pub category_option_combo: String,
    /// True when this is the default (`DMP_` + the key in capitals), not an override.
    pub default: bool,
}

async fn mapping(state: &AppState) -> Result<HashMap<&'static str, domain::dhis2::DataElementMapping>> {
    let overrides: HashMap<String, store::dhis2::DataElementRow> =
        store::dhis2::data_elements(&state.db).await?.into_iter().map(|r| (r.indicator.clone(), r)).collect();
    Ok(exportable()
        .into_iter()
        .map(|k| {
            let m = match overrides.get(k) {
                Some(o) => domain::dhis2::DataElementMapping {
                    data_element: o.data_element.clone(),
                    category_option_combo: o.category_option_combo.clone(),
                },
                None => domain::dhis2::DataElementMapping {
                    data_element: default_data_element(k),
                    category_option_combo: String::new(),
                },
            };
            (k, m)
        })
        .collect())
}

/// The whole mapping (every signed-in account may read it: it holds no figure).
pub async fn data_elements(state: &AppState, t: T) -> Result<Vec<DataElement>> {
    let map = mapping(state).await?;
    Ok(exportable()
        .into_iter()
        .filter_map(|k| {
            let m = map.get(k)?;
            Some(DataElement {
                indicator: k.to_string(),
                label: monitoring::label(t, k),
                default: m.data_element == default_data_element(k) && m.category_option_combo.is_empty(),
                data_element: m.data_element.clone(),
                category_option_combo: m.category_option_combo.clone(),
            })
        })
        .collect())
}

/// An override as sent.
#[derive(Debug, Clone, Default)]
pub struct DataElementInput {
    pub indicator: String,
    pub data_element: String,
    pub category_option_combo: String,
}

/// Replaces the overrides (national admins): indicators not listed, or listed with their
/// default, are sent under the default. Two indicators may not share a data element and
/// category option combo (DHIS2 would keep only one value).
pub async fn save_data_elements(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    t: T,
    items: &[DataElementInput],
) -> Result<Vec<DataElement>> {
    if !principal.can(Action::ManageMonitoring, None) {
        return Err(Error::Forbidden);
    }
    let keys = exportable();
    let mut errs = ValidationErrors::new();
    let mut chosen: BTreeMap<&'static str, (String, String)> =
        keys.iter().map(|k| (*k, (default_data_element(k), String::new()))).collect();
    let mut seen = HashSet::new();
    for (i, it) in items.iter().enumerate() {
        let Some(key) = keys.iter().copied().find(|k| *k == it.indicator.trim()) else {
            errs.add(
                &format!("items[{i}].indicator"),
                Rule::OneOf,
                "an indicator key from GET /api/v1/dhis2/data-elements",
            );
            continue;
        };
        if !seen.insert(key) {
            errs.add(&format!("items[{i}].indicator"), Rule::Taken, "each indicator once");
            continue;
        }
        let de = it.data_element.trim();
        let coc = it.category_option_combo.trim();
        if !valid_code(de) {
            errs.add(&format!("items[{i}].data_element"), Rule::Format, "a DHIS2 code: 1 to 50 characters, no spaces");
        }
        if !coc.is_empty() && !valid_code(coc) {
            errs.add(
                &format!("items[{i}].category_option_combo"),
                Rule::Format,
                "empty, or a DHIS2 code or uid without spaces",
            );
        }
        chosen.insert(key, (de.to_string(), coc.to_string()));
    }
    let mut by_target: HashMap<&(String, String), &str> = HashMap::new();
    for (k, target) in &chosen {
        if let Some(other) = by_target.insert(target, k) {
            let i = items.iter().position(|it| it.indicator.trim() == *k || it.indicator.trim() == other).unwrap_or(0);
            errs.add(
                &format!("items[{i}].data_element"),
                Rule::Taken,
                format!("{} is already the data element of {other}", target.0),
            );
        }
    }
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let rows: Vec<store::dhis2::DataElementRow> = chosen
        .iter()
        .filter(|(k, (de, coc))| *de != default_data_element(k) || !coc.is_empty())
        .map(|(k, (de, coc))| store::dhis2::DataElementRow {
            indicator: k.to_string(),
            data_element: de.clone(),
            category_option_combo: coc.clone(),
        })
        .collect();
    let summary = if rows.is_empty() {
        "all defaults".to_string()
    } else {
        rows.iter()
            .map(|r| format!("{}={}/{}", r.indicator, r.data_element, r.category_option_combo))
            .collect::<Vec<_>>()
            .join(" ")
    };
    store::dhis2::save_data_elements(&state.db, actor, &rows, &summary).await?;
    data_elements(state, t).await
}

// ------------------------------------------------------------------ org-unit import

/// What an org-unit import found and did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgUnitReport {
    /// Units in the file.
    pub units: usize,
    /// Units matched to one of our regions by code (with or without dots) and stored.
    pub matched: usize,
    /// Of those, new or changed mappings.
    pub written: usize,
    /// Of those, mappings already stored exactly so (importing a file again changes nothing).
    pub unchanged: usize,
    /// Units without a code we know (no code, not a Kemendagri code, or a region we do not have).
    pub unmatched: usize,
    /// Units whose code we know but whose DHIS2 parent is not our parent (or that repeat a
    /// code or uid of the file): not stored.
    pub conflicting: usize,
    /// The first unmatched units (at most 200).
    #[schema(value_type = Vec<Object>)]
    pub unmatched_units: Vec<UnitRef>,
    /// The first conflicting units (at most 200), with their parent here and in DHIS2.
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<Conflict>,
}

/// May the principal import an org-unit hierarchy? (National admins; asked before the body is read.)
pub fn require_import(principal: &Principal) -> Result<()> {
    if principal.can(Action::ManageMonitoring, None) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Imports DHIS2 org-unit metadata JSON (national admins): matches each unit by code, stores
/// uid ↔ region for the matched ones in one audited transaction, and reports the rest.
/// Idempotent: the same file again writes no mapping.
pub async fn import_org_units(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    bytes: &[u8],
) -> Result<OrgUnitReport> {
    require_import(principal)?;
    let units = domain::dhis2::parse_org_units(bytes)?;
    let codes: Vec<String> = units
        .iter()
        .filter_map(|u| u.code.as_deref().and_then(domain::dhis2::kemendagri_code))
        .map(|c| c.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let ours = store::dhis2::parents(&state.db, &codes).await?;
    let Classified { matched, unmatched, conflicts } = domain::dhis2::classify(&units, &ours);
    let summary = format!(
        "units={} matched={} unmatched={} conflicting={}",
        units.len(),
        matched.len(),
        unmatched.len(),
        conflicts.len()
    );
    let saved = store::dhis2::save_org_units(&state.db, actor, &matched, &summary).await?;
    let limit = domain::dhis2::REPORT_LIST_LIMIT;
    Ok(OrgUnitReport {
        units: units.len(),
        matched: matched.len(),
        written: saved.written,
        unchanged: saved.unchanged,
        unmatched: unmatched.len(),
        conflicting: conflicts.len(),
        unmatched_units: unmatched.into_iter().take(limit).collect(),
        conflicts: conflicts.into_iter().take(limit).collect(),
    })
}

#[cfg(test)]
mod tests {
    /// docs/DHIS2.md lists every exported indicator with its default data element.
    #[test]
    fn the_documented_table_lists_every_exported_indicator() {
        let doc = include_str!("../../../docs/DHIS2.md");
        let missing: Vec<String> = super::exportable()
            .into_iter()
            .map(|k| format!("| `{k}` | `{}` |", domain::dhis2::default_data_element(k)))
            .filter(|row| !doc.contains(row.as_str()))
            .collect();
        assert!(missing.is_empty(), "add to docs/DHIS2.md:\n{}", missing.join("\n"));
    }
}
