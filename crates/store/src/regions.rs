//! The Kemendagri region hierarchy (vendored idn-area-data, ODbL), loaded on first start.

use crate::query::Select;
use crate::{Db, Result, StoreError, on_db, on_tx};
use domain::region::search_key;
use domain::{RegionCode, RegionLevel};
use serde::Serialize;

const PROVINCES: &str = include_str!("../../../data/regions/provinces.csv");
const REGENCIES: &str = include_str!("../../../data/regions/regencies.csv");
const DISTRICTS: &str = include_str!("../../../data/regions/districts.csv");
const VILLAGES: &str = include_str!("../../../data/regions/villages.csv");

/// Bumped when the vendored files change, so an existing database is updated from them on
/// the next start (through the same update as `desmigratif regions update`: codes gone
/// from the release are retired, never deleted). Also bumped when the names as loaded change.
pub const DATA_VERSION: &str = "idn-area-data/4.0.1";

/// The meta key a region update changes, so servers reload their in-memory code index.
pub const CHANGED_KEY: &str = "regions_changed";

/// The embedded release, in [`domain::region_update::FILES`] order.
pub const EMBEDDED: [&str; 4] = [PROVINCES, REGENCIES, DISTRICTS, VILLAGES];

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    /// No longer in the Kemendagri release: kept for the records on it, refused for new ones.
    pub retired: bool,
    pub successor_code: Option<String>,
}

/// The columns every `Region` query selects.
pub(crate) const REGION_COLUMNS: &str =
    "code, name, level, parent_code, (retired_at IS NOT NULL) AS retired, successor_code";

impl Region {
    pub fn region_code(&self) -> Option<RegionCode> {
        self.code.parse().ok()
    }
    pub fn level(&self) -> RegionLevel {
        RegionLevel::parse(&self.level).unwrap_or(RegionLevel::Village)
    }
}

/// Counts of regions per level, for health and the start-up message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RegionCounts {
    pub provinces: i64,
    pub regencies: i64,
    pub districts: i64,
    pub villages: i64,
}

/// Regency names came as "KABUPATEN SIKKA"; shown as officials write them
/// (`domain::region::display_name`: Kabupaten Sikka, DKI Jakarta). Mixed case is kept.
pub fn display_name(raw: &str) -> String {
    domain::region::display_name(raw)
}

/// The embedded release, parsed and checked (parents before children).
pub fn embedded_rows() -> Result<Vec<domain::region_update::RegionRow>> {
    domain::region_update::parse_release(EMBEDDED).map_err(|e| StoreError::RegionData(e.to_string()))
}

/// Whether this database holds the embedded data version: `Loaded` nothing to do; `Empty`
/// a fresh database (bulk load); `Outdated` an older release (update, audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataState {
    Current,
    Empty,
    Outdated,
}

pub async fn data_state(db: &Db) -> Result<DataState> {
    if db.meta_get("regions_version").await?.as_deref() == Some(DATA_VERSION) {
        return Ok(DataState::Current);
    }
    let any: Option<(String,)> =
        on_db!(db, p => sqlx::query_as("SELECT code FROM regions LIMIT 1").fetch_optional(p).await)?;
    Ok(if any.is_some() { DataState::Outdated } else { DataState::Empty })
}

/// Loads the embedded hierarchy into a database that has no regions yet.
/// Returns the number of regions written (0 when already present or when the database holds
/// an older release: that one is updated by `app::regions::upgrade_embedded`, audited, once
/// the audit key is loaded).
pub async fn load_if_needed(db: &Db) -> Result<usize> {
    if data_state(db).await? != DataState::Empty {
        return Ok(0);
    }
    let rows = embedded_rows()?;
    let mut tx = db.begin().await?;
    let inserts: Vec<(String, String)> = rows.iter().map(|r| (r.code.to_string(), r.name.clone())).collect();
    insert_batch(&mut tx, db, &inserts).await?;
    tx.meta_set("regions_version", DATA_VERSION).await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Inserts regions (code, name), parents before children; the parent and level follow from the code.
pub(crate) async fn insert_batch(tx: &mut crate::Tx, db: &Db, rows: &[(String, String)]) -> Result<()> {
    // Parents come before children in `rows`, so foreign keys hold batch by batch. Unnamed
    // markers on SQLite (`bind_marks`): with numbered ones sqlx's per-marker name lookup made a
    // statement's cost grow with the square of its markers (docs/BENCHMARKS.md, first start).
    let batch = 1000;
    let postgres = matches!(db, Db::Postgres(_));
    let mut parsed = Vec::with_capacity(rows.len());
    for (code, name) in rows {
        let c: RegionCode = code.parse().map_err(|_| StoreError::RegionData(format!("bad code {code}")))?;
        parsed.push((c, name.as_str()));
    }
    for chunk in parsed.chunks(batch) {
        let mut sql = String::from("INSERT INTO regions (code, parent_code, level, name, search_name) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("({})", crate::bind_marks(postgres, i * 5 + 1, 5)));
        }
        sql.push_str(
            " ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level, \
             name = excluded.name, search_name = excluded.search_name",
        );
        on_tx!(&mut *tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (code, name) in chunk {
                q = q.bind(code.as_str()).bind(code.parent().map(|p| p.to_string())).bind(code.level().as_str())
                    .bind(*name).bind(search_key(name));
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Every region code in memory (about 92 thousand short strings, a few MB): NIK and
/// address checks look codes up many times per request and per imported row.
#[derive(Debug, Default)]
pub struct RegionIndex(std::collections::HashSet<String>);

impl RegionIndex {
    pub async fn load(db: &Db) -> Result<RegionIndex> {
        let codes: Vec<(String,)> = on_db!(db, p => sqlx::query_as("SELECT code FROM regions").fetch_all(p).await)?;
        Ok(RegionIndex(codes.into_iter().map(|(c,)| c).collect()))
    }
}

impl domain::nik::RegionLookup for RegionIndex {
    fn exists(&self, code: &str) -> bool {
        self.0.contains(code)
    }
}

pub async fn counts(db: &Db) -> Result<RegionCounts> {
    let rows: Vec<(String, i64)> = on_db!(db, p => {
        sqlx::query_as("SELECT level, COUNT(*) FROM regions GROUP BY level").fetch_all(p).await
    })?;
    let mut c = RegionCounts::default();
    for (level, n) in rows {
        match level.as_str() {
            "province" => c.provinces = n,
            "regency" => c.regencies = n,
            "district" => c.districts = n,
            _ => c.villages = n,
        }
    }
    Ok(c)
}

pub async fn get(db: &Db, code: &RegionCode) -> Result<Option<Region>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT code, name, level, parent_code, (retired_at IS NOT NULL) AS retired, successor_code FROM regions WHERE code = $1")
            .bind(code.as_str()).fetch_optional(p).await
    })?)
}

pub async fn exists(db: &Db, code: &RegionCode) -> Result<bool> {
    Ok(get(db, code).await?.is_some())
}

pub async fn provinces(db: &Db) -> Result<Vec<Region>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT code, name, level, parent_code, (retired_at IS NOT NULL) AS retired, successor_code FROM regions WHERE parent_code IS NULL ORDER BY code")
            .fetch_all(p).await
    })?)
}

pub async fn children(db: &Db, code: &RegionCode) -> Result<Vec<Region>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT code, name, level, parent_code, (retired_at IS NOT NULL) AS retired, successor_code FROM regions WHERE parent_code = $1 ORDER BY code")
            .bind(code.as_str()).fetch_all(p).await
    })?)
}

/// The region and its ancestors, province first (for breadcrumbs).
pub async fn lineage(db: &Db, code: &RegionCode) -> Result<Vec<Region>> {
    let codes: Vec<String> = code.lineage().iter().map(|c| c.to_string()).collect();
    let mut out = by_codes(db, &codes).await?;
    out.sort_by_key(|r| r.code.len());
    Ok(out)
}

pub async fn by_codes(db: &Db, codes: &[String]) -> Result<Vec<Region>> {
    if codes.is_empty() {
        return Ok(vec![]);
    }
    let placeholders: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT {REGION_COLUMNS} FROM regions WHERE code IN ({})", placeholders.join(","));
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
        for c in codes {
            q = q.bind(c.as_str());
        }
        q.fetch_all(p).await
    })?)
}

/// A search hit with the names of its ancestors ("Nita, Nita, Kabupaten Sikka, Nusa Tenggara Timur").
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub region: Region,
    pub path: Vec<String>,
}

/// `%word%` for `LIKE … ESCAPE '\\'`, its own `%`, `_` and `\` escaped (matched as typed).
pub(crate) fn like_escape(word: &str) -> String {
    let mut s = String::with_capacity(word.len() + 2);
    s.push('%');
    for ch in word.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(ch);
    }
    s.push('%');
    s
}

/// Name search tolerant of case and partial words: every word of the query must occur
/// in the name. Optionally limited to one level and to the inside of one region.
pub async fn search(
    db: &Db,
    query: &str,
    level: Option<RegionLevel>,
    within: Option<&RegionCode>,
    limit: i64,
) -> Result<Vec<SearchHit>> {
    // "desa done" looks for "done": the administrative words are not in the stored names.
    let words = domain::region::search_words(query);
    let words: Vec<&str> = words.iter().map(String::as_str).take(6).collect();
    if words.is_empty() {
        return Ok(vec![]);
    }
    // Retired codes are not offered (pickers, search): they are kept only for old records.
    let mut q = Select::new(format!("SELECT {REGION_COLUMNS} FROM regions WHERE retired_at IS NULL"));
    for w in &words {
        q.and("search_name LIKE ? ESCAPE '\\'", &[&like_escape(w)]);
    }
    if let Some(l) = level {
        q.and("level = ?", &[l.as_str()]);
    }
    if let Some(w) = within {
        // Strictly inside: the region itself is not a hit.
        q.and_within("code", w.as_str()).and("code <> ?", &[w.as_str()]);
    }
    // Names with a word starting like the query first ("sik" finds "Kabupaten Sikka"
    // before "Pasikolaga"), then higher levels (shorter codes), then A–Z.
    let first = words[0].replace(['%', '_', '\\'], "");
    let (starts, word_starts) = (q.bind(format!("{first}%")), q.bind(format!("% {first}%")));
    q.tail(&format!(
        "ORDER BY CASE WHEN search_name LIKE {starts} OR search_name LIKE {word_starts} THEN 0 ELSE 1 END, LENGTH(code), name LIMIT {}",
        limit.clamp(1, 200)
    ));
    let regions: Vec<Region> = q.fetch_all(db).await?;
    // One query for all ancestors' names, not one per hit.
    let mut ancestor_codes: Vec<String> = regions
        .iter()
        .filter_map(|r| r.region_code())
        .flat_map(|c| c.lineage().into_iter().rev().skip(1).map(|a| a.to_string()))
        .collect();
    ancestor_codes.sort();
    ancestor_codes.dedup();
    let ancestors = by_codes(db, &ancestor_codes).await?;
    let name_of = |code: &str| ancestors.iter().find(|a| a.code == code).map(|a| a.name.clone());
    Ok(regions
        .into_iter()
        .map(|r| {
            let path = r
                .region_code()
                .map(|c| c.lineage().iter().rev().skip(1).filter_map(|a| name_of(a.as_str())).collect())
                .unwrap_or_default();
            SearchHit { region: r, path }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_files_parse_with_expected_counts() {
        let rows = embedded_rows().unwrap();
        let count = |l: RegionLevel| rows.iter().filter(|r| r.level() == l).count();
        assert_eq!(count(RegionLevel::Province), 38);
        assert_eq!(count(RegionLevel::Regency), 514);
        assert_eq!(count(RegionLevel::District), 7_285);
        assert_eq!(count(RegionLevel::Village), 83_762);
        // Quoted names with a comma or a doubled quote read as written.
        assert!(rows.iter().any(|r| r.name == "Lubuk Pakam I,II"));
        assert!(rows.iter().any(|r| r.name == "Soka\"an"));
    }

    #[test]
    fn display_names_are_title_cased() {
        assert_eq!(display_name("KABUPATEN SIKKA"), "Kabupaten Sikka");
        assert_eq!(display_name("NUSA TENGGARA TIMUR"), "Nusa Tenggara Timur");
        assert_eq!(display_name("Keude Bakongan"), "Keude Bakongan");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape("50%_a"), "%50\\%\\_a%");
    }
}
