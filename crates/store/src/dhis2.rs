//! DHIS2 interoperability: the org units of a page of an export (with their imported DHIS2
//! uid and code), the indicator values of those org units for one month, the data element
//! overrides, and the imported org-unit mapping (docs/DHIS2.md).

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, on_db, on_tx};
use domain::dhis2::Match;
use domain::{RegionCode, RegionLevel};

/// One org unit of an export page: our code, and the DHIS2 uid and code if one was imported.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgUnit {
    pub code: String,
    pub uid: Option<String>,
    pub dhis2_code: Option<String>,
}

/// Regions of `level` within `within` (None: the nation), after `after` in code order, at most
/// `limit`: one page of an export. Code order is byte order on both backends.
pub async fn org_units(
    db: &Db,
    within: Option<&RegionCode>,
    level: RegionLevel,
    after: &str,
    limit: usize,
) -> Result<Vec<OrgUnit>> {
    let pg = matches!(db, Db::Postgres(_));
    let c = if pg { " COLLATE \"C\"" } else { "" };
    let region = match within {
        Some(_) => crate::query::within(db, "r.code", 4),
        None => "($4 = '' AND $5 = '' AND $6 = '')".to_string(),
    };
    let sql = format!(
        "SELECT r.code, m.uid, m.dhis2_code FROM regions r LEFT JOIN dhis2_org_units m ON m.region_code = r.code \
         WHERE r.level = $1 AND r.code{c} > $2 AND {region} ORDER BY r.code{c} LIMIT $3"
    );
    let [a, b, d] = match within {
        Some(w) => crate::query::within_values(w.as_str()),
        None => [String::new(), String::new(), String::new()],
    };
    let limit = limit as i64;
    Ok(on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(level.as_str()).bind(after).bind(limit).bind(&a).bind(&b).bind(&d).fetch_all(p).await)?)
}

/// Indicator rows (region, key, month, dim, value) of `codes` for `month` and the current
/// stocks (month ''). Codes are region codes already read from `regions`.
pub async fn values(db: &Db, codes: &[String], month: &str) -> Result<Vec<(String, String, String, String, i64)>> {
    if codes.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (0..codes.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT region_code, key, month, dim, value FROM indicator_values \
         WHERE (month = '' OR month = $1) AND region_code IN ({})",
        marks.join(",")
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(month);
        for c in codes {
            q = q.bind(c);
        }
        q.fetch_all(p).await
    })?)
}

/// A data element override.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DataElementRow {
    pub indicator: String,
    pub data_element: String,
    pub category_option_combo: String,
}

pub async fn data_elements(db: &Db) -> Result<Vec<DataElementRow>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT indicator, data_element, category_option_combo FROM dhis2_data_elements ORDER BY indicator")
        .fetch_all(p).await)?)
}

/// Replaces every override with `rows` (an indicator absent from `rows` goes back to its
/// default), audited with the list of changes.
pub async fn save_data_elements(db: &Db, actor: &Actor, rows: &[DataElementRow], summary: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM dhis2_data_elements").execute(c).await.map(|_| ()))?;
    let now = crate::now();
    for r in rows {
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO dhis2_data_elements (indicator, data_element, category_option_combo, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5)")
            .bind(&r.indicator).bind(&r.data_element).bind(&r.category_option_combo).bind(actor.user_id).bind(now)
            .execute(c).await.map(|_| ()))?;
    }
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "dhis2.data_elements",
            entity: "dhis2_data_elements",
            entity_id: "",
            region_code: "",
            details: summary,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Parent codes of the given regions: code → parent ('' for a province). Unknown codes are absent.
pub async fn parents(db: &Db, codes: &[String]) -> Result<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!("SELECT code, parent_code FROM regions WHERE code IN ({})", marks.join(","));
        let rows: Vec<(String, Option<String>)> = on_db!(db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for c in chunk {
                q = q.bind(c);
            }
            q.fetch_all(p).await
        })?;
        out.extend(rows.into_iter().map(|(c, p)| (c, p.unwrap_or_default())));
    }
    Ok(out)
}

/// What saving an import changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Saved {
    /// New or changed mappings.
    pub written: usize,
    /// Mappings already stored exactly so.
    pub unchanged: usize,
}

/// Stores the matched units (a region's mapping is replaced; a uid moving to another region
/// leaves the old one), in one transaction with its audit entry. Importing the same file again
/// writes nothing but the audit entry.
pub async fn save_org_units(db: &Db, actor: &Actor, matched: &[Match], summary: &str) -> Result<Saved> {
    let existing: Vec<(String, String, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT region_code, uid, dhis2_code, name FROM dhis2_org_units").fetch_all(p).await)?;
    let existing: std::collections::HashMap<String, (String, String, String)> =
        existing.into_iter().map(|(r, u, c, n)| (r, (u, c, n))).collect();
    let mut saved = Saved::default();
    let mut tx = db.begin().await?;
    let now = crate::now();
    for m in matched {
        if existing.get(&m.region_code) == Some(&(m.uid.clone(), m.dhis2_code.clone(), m.name.clone())) {
            saved.unchanged += 1;
            continue;
        }
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM dhis2_org_units WHERE uid = $1 OR region_code = $2")
            .bind(&m.uid).bind(&m.region_code).execute(c).await.map(|_| ()))?;
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO dhis2_org_units (region_code, uid, dhis2_code, name, imported_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&m.region_code).bind(&m.uid).bind(&m.dhis2_code).bind(&m.name).bind(now)
            .execute(c).await.map(|_| ()))?;
        saved.written += 1;
    }
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "dhis2.import_org_units",
            entity: "dhis2_org_units",
            entity_id: "",
            region_code: "",
            details: summary,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}
