//! Reading the aggregates: a region's values, its children's values. Never the raw tables.

use super::{Formula, Kind};
use crate::{Db, Result, on_db};
use domain::RegionCode;
use domain::monitoring::{Month, Period, median_from_distribution, share_percent};
use std::collections::{BTreeMap, BTreeSet};

/// The stored values of one region, grouped by key: key → (month, dim, value). A dashboard
/// asks for some forty keys among the nation's ~10,000 rows; each question reads its key's rows only.
#[derive(Debug, Clone, Default)]
pub struct Values {
    rows: std::collections::HashMap<String, Vec<(String, String, i64)>>,
    /// Every key's totals by breakdown over one period, summed once ([`Values::summed_for`]):
    /// the nation's case durations alone are ~7,000 rows, summed on every request before.
    sums: Option<(Period, std::collections::HashMap<String, BTreeMap<String, i64>>)>,
}

const NO_ROWS: &[(String, String, i64)] = &[];

impl Values {
    /// From rows (key, month, dim, value).
    pub fn from_rows(rows: Vec<(String, String, String, i64)>) -> Values {
        let mut by: std::collections::HashMap<String, Vec<(String, String, i64)>> = Default::default();
        for (k, m, d, v) in rows {
            by.entry(k).or_default().push((m, d, v));
        }
        Values { rows: by, sums: None }
    }

    /// These values with every key's totals over `period` summed now, so that questions about
    /// that period ([`Values::by_dim`], [`Values::total`], [`Values::dim_total`], derived
    /// figures) read the sums instead of the rows. For values kept and asked many times
    /// (`app::monitoring::FigureCache`).
    pub fn summed_for(mut self, period: &Period) -> Values {
        let sums = self.rows.keys().map(|k| (k.clone(), self.sum_by_dim(k, period))).collect();
        self.sums = Some((*period, sums));
        self
    }

    /// The kept sums of `key` over `period`, when these values were summed for that period.
    fn summed(&self, key: &str, period: &Period) -> Option<Option<&BTreeMap<String, i64>>> {
        let (p, sums) = self.sums.as_ref()?;
        (p == period).then(|| sums.get(key))
    }

    fn is_stock(key: &str) -> bool {
        super::find(key).is_none_or(|i| i.kind == Kind::Stock)
    }

    fn of(&self, key: &str) -> &[(String, String, i64)] {
        self.rows.get(key).map(Vec::as_slice).unwrap_or(NO_ROWS)
    }

    /// (month, dim, value) of `key` that count for the period: a stock's current rows ('' month),
    /// a flow's months within the period.
    fn matching<'a>(
        &'a self,
        key: &'a str,
        period: Option<&'a Period>,
    ) -> impl Iterator<Item = &'a (String, String, i64)> {
        let stock = Self::is_stock(key);
        self.of(key)
            .iter()
            .filter(move |(m, _, _)| if stock { m.is_empty() } else { period.is_none_or(|p| p.contains_text(m)) })
    }

    /// A stock's current value (all breakdowns).
    pub fn stock(&self, key: &str) -> i64 {
        self.of(key).iter().filter(|(m, _, _)| m.is_empty()).map(|r| r.2).sum()
    }

    /// Flows summed over the period; stocks as they are now. All breakdowns.
    pub fn total(&self, key: &str, period: &Period) -> i64 {
        if let Some(sums) = self.summed(key, period) {
            return sums.map(|m| m.values().sum()).unwrap_or(0);
        }
        self.matching(key, Some(period)).map(|r| r.2).sum()
    }

    /// Totals by breakdown over the period.
    pub fn by_dim(&self, key: &str, period: &Period) -> BTreeMap<String, i64> {
        if let Some(sums) = self.summed(key, period) {
            return sums.cloned().unwrap_or_default();
        }
        self.sum_by_dim(key, period)
    }

    fn sum_by_dim(&self, key: &str, period: &Period) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for (_, d, v) in self.matching(key, Some(period)) {
            *out.entry(d.clone()).or_default() += v;
        }
        out
    }

    /// One breakdown's total over the period.
    pub fn dim_total(&self, key: &str, dim: &str, period: &Period) -> i64 {
        if let Some(sums) = self.summed(key, period) {
            return sums.and_then(|m| m.get(dim)).copied().unwrap_or(0);
        }
        self.matching(key, Some(period)).filter(|r| r.1 == dim).map(|r| r.2).sum()
    }

    /// Every breakdown present for a key (any month).
    pub fn dims(&self, key: &str) -> BTreeSet<String> {
        self.of(key).iter().map(|r| r.1.clone()).collect()
    }

    /// A flow month by month (optionally one breakdown), zero for months without rows.
    pub fn series(&self, key: &str, dim: Option<&str>, period: &Period) -> Vec<(Month, i64)> {
        let mut by: BTreeMap<String, i64> = BTreeMap::new();
        for (m, d, v) in self.matching(key, Some(period)) {
            if dim.is_none_or(|x| x == d) {
                *by.entry(m.clone()).or_default() += v;
            }
        }
        period.months().into_iter().map(|m| (m, by.get(&m.to_string()).copied().unwrap_or(0))).collect()
    }

    /// A derived figure over the period, `None` when undefined (no departures, no case resolved).
    pub fn derived(&self, key: &str, period: &Period) -> Option<i64> {
        let d = super::find_derived(key)?;
        match d.formula {
            Formula::Share { num, num_dim, den } => {
                share_percent(self.dim_total(num, num_dim, period), self.total(den, period))
            }
            Formula::Median { of } => {
                let dist: Vec<(i64, i64)> =
                    self.by_dim(of, period).into_iter().filter_map(|(d, n)| Some((d.parse().ok()?, n))).collect();
                median_from_distribution(&dist)
            }
        }
    }

    /// The value a criterion reads: a stock now (`window` 0) or a flow over the last `window`
    /// months up to `current`; `None` for a key no pillar provides.
    pub fn criterion_value(&self, key: &str, window: u32, current: Month) -> Option<i64> {
        let period = Period { from: current.minus(window.saturating_sub(1)), to: current };
        if super::find_derived(key).is_some() {
            return Some(self.derived(key, &period).unwrap_or(0));
        }
        let ind = super::find(key)?;
        Some(match (ind.kind, window) {
            (Kind::Stock, _) | (_, 0) => self.stock(key),
            (Kind::Flow, _) => self.total(key, &period),
        })
    }
}

/// The values of a region ('' or None = the nation).
pub async fn region(db: &Db, region: Option<&RegionCode>) -> Result<Values> {
    let code = region.map(|r| r.as_str()).unwrap_or("");
    let rows: Vec<(String, String, String, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT key, month, dim, value FROM indicator_values WHERE region_code = $1").bind(code).fetch_all(p).await)?;
    Ok(Values::from_rows(rows))
}

/// [`region`] limited to the rows a period can use: the stocks ('' month) and the period's
/// months. The nation holds every month of every year; most of them are never read.
pub async fn region_in(db: &Db, region: Option<&RegionCode>, period: &Period) -> Result<Values> {
    let code = region.map(|r| r.as_str()).unwrap_or("");
    let rows: Vec<(String, String, String, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT key, month, dim, value FROM indicator_values WHERE region_code = $1 \
         AND (month = '' OR (month >= $2 AND month <= $3))")
        .bind(code).bind(period.from.to_string()).bind(period.to.to_string()).fetch_all(p).await)?;
    Ok(Values::from_rows(rows))
}

/// The values of each child region of `parent` (provinces for the nation) for `keys`, flows
/// limited to the period: region code → values.
pub async fn children(
    db: &Db,
    parent: Option<&RegionCode>,
    keys: &[&str],
    period: &Period,
) -> Result<BTreeMap<String, Values>> {
    let keys: Vec<String> = keys
        .iter()
        .filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .map(|k| format!("'{k}'"))
        .collect();
    if keys.is_empty() {
        return Ok(BTreeMap::new());
    }
    let keys = keys.join(",");
    let from = period.from.to_string();
    let to = period.to.to_string();
    // Provinces are the regions without a parent: `regions_parent (parent_code, name)` serves both.
    let parent_cond = if parent.is_some() { "r.parent_code = $3" } else { "r.parent_code IS NULL AND $3 = ''" };
    let sql = format!(
        "SELECT iv.region_code, iv.key, iv.month, iv.dim, iv.value FROM regions r \
         JOIN indicator_values iv ON iv.region_code = r.code \
         WHERE {parent_cond} AND iv.key IN ({keys}) AND (iv.month = '' OR (iv.month >= $1 AND iv.month <= $2))"
    );
    let p_code = parent.map(|p| p.as_str()).unwrap_or("");
    let rows: Vec<(String, String, String, String, i64)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&from).bind(&to).bind(p_code).fetch_all(p).await)?;
    let mut out: BTreeMap<String, Vec<(String, String, String, i64)>> = BTreeMap::new();
    for (r, k, m, d, v) in rows {
        out.entry(r).or_default().push((k, m, d, v));
    }
    Ok(out.into_iter().map(|(r, rows)| (r, Values::from_rows(rows))).collect())
}

/// Open statistics' regions: the provinces and regencies with their parent ('' for a province).
pub async fn open_regions(db: &Db) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, Option<String>)> = on_db!(db, p => sqlx::query_as(
        "SELECT code, parent_code FROM regions WHERE length(code) <= 5 ORDER BY code").fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(c, p)| (c, p.unwrap_or_default())).collect())
}

/// Values of `keys` for the nation, provinces and regencies (all breakdowns summed): flows of
/// the months `from..=to`, stocks as they are. Rows: (region, key, month, value).
pub async fn open_values(db: &Db, keys: &[&str], from: Month, to: Month) -> Result<Vec<(String, String, String, i64)>> {
    let keys: Vec<String> = keys
        .iter()
        .filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .map(|k| format!("'{k}'"))
        .collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT region_code, key, month, CAST(SUM(value) AS BIGINT) FROM indicator_values \
         WHERE length(region_code) <= 5 AND key IN ({}) AND (month = '' OR (month >= $1 AND month <= $2)) \
         GROUP BY region_code, key, month",
        keys.join(",")
    );
    let (from, to) = (from.to_string(), to.to_string());
    let rows: Vec<(String, String, String, i64)> =
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&from).bind(&to).fetch_all(p).await)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(k: &str, m: &str, d: &str, v: i64) -> (String, String, String, i64) {
        (k.into(), m.into(), d.into(), v)
    }

    fn sample_rows() -> Vec<(String, String, String, i64)> {
        vec![
            r("departures", "2025-01", "procedural", 3),
            r("departures", "2025-02", "non_procedural", 1),
            r("departures", "2025-03", "procedural", 4),
            r("abroad_now", "", "", 6),
            r("cases_resolved_days", "2025-02", "00003", 2),
            r("cases_resolved_days", "2025-02", "00010", 1),
        ]
    }

    #[test]
    fn flows_sum_over_the_period_and_stocks_do_not() {
        let v = Values::from_rows(sample_rows());
        let p = Period { from: Month::parse("2025-01").unwrap(), to: Month::parse("2025-02").unwrap() };
        assert_eq!(v.total("departures", &p), 4);
        assert_eq!(v.total("abroad_now", &p), 6);
        assert_eq!(v.derived("procedural_share", &p), Some(75));
        assert_eq!(v.derived("cases_median_days", &p), Some(3));
        assert_eq!(v.series("departures", Some("procedural"), &p).iter().map(|x| x.1).collect::<Vec<_>>(), [3, 0]);
        let march = Month::parse("2025-03").unwrap();
        assert_eq!(v.criterion_value("departures", 1, march), Some(4));
        assert_eq!(v.criterion_value("departures", 3, march), Some(8));
        assert_eq!(v.criterion_value("coop_members", 0, march), Some(0));
        assert_eq!(v.criterion_value("protection_task_force", 0, march), None);
    }

    /// Summed once for a period, the values answer that period exactly as they would from the
    /// rows, and any other period from the rows.
    #[test]
    fn summed_values_answer_as_the_rows_do() {
        let mut rows = sample_rows();
        rows.push(r("cases_resolved_days", "2025-03", "00020", 5));
        let p = Period { from: Month::parse("2025-01").unwrap(), to: Month::parse("2025-02").unwrap() };
        let other = Period { from: Month::parse("2025-02").unwrap(), to: Month::parse("2025-03").unwrap() };
        let plain = Values::from_rows(rows.clone());
        let summed = Values::from_rows(rows).summed_for(&p);
        for period in [&p, &other] {
            for key in ["departures", "abroad_now", "cases_resolved_days", "no_such_key"] {
                assert_eq!(summed.total(key, period), plain.total(key, period), "{key}");
                assert_eq!(summed.by_dim(key, period), plain.by_dim(key, period), "{key}");
                assert_eq!(summed.dim_total(key, "procedural", period), plain.dim_total(key, "procedural", period));
            }
            for key in ["procedural_share", "cases_median_days"] {
                assert_eq!(summed.derived(key, period), plain.derived(key, period), "{key}");
            }
        }
        assert_eq!(summed.total("departures", &p), 4);
        assert_eq!(summed.total("departures", &other), 5);
        assert_eq!(summed.derived("cases_median_days", &other), Some(20));
    }
}
