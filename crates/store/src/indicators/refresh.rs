//! The incremental refresher: recomputes the villages marked dirty by the triggers and applies
//! the difference to every ancestor (district, regency, province, nation) in one transaction.
//!
//! Runs from the server's background task every few seconds, on demand before a dashboard
//! answers when few marks are pending, and from `desmigratif indicators refresh`. Refreshers
//! never overlap: SQLite serialises writers (BEGIN IMMEDIATE), PostgreSQL takes an advisory
//! lock. Only the marks read are deleted, so a write committing meanwhile keeps its mark.

use super::read::Values;
use super::{Kind, Level, PILLAR_STATUS, PROGRAM_STATUS};
use crate::{Db, Result, Tx, on_tx};
use domain::RegionCode;
use domain::monitoring::{Condition, Month, Subject, evaluate};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Villages recomputed per transaction (the command line, a dashboard's inline refresh).
pub const BATCH_VILLAGES: usize = 400;
/// Villages per transaction in the server's background refresher: it holds the write lock
/// while it recomputes, so under a stream of writes it takes small bites and lets the writers
/// queued behind it in between (400 villages at 1 M people held them for seconds).
pub const BACKGROUND_BATCH_VILLAGES: usize = 25;
const NATIONAL: &str = "*";
const LOCK_KEY: i64 = 0x6d6f6e69; // "moni"

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub villages: usize,
    pub marks: usize,
}

type Row = (String, String, String, i64);
/// (key, month, dim) → value
type Cells = HashMap<(String, String, String), i64>;

/// Marks waiting to be processed.
pub async fn pending(db: &Db) -> Result<i64> {
    let n: (i64,) = crate::on_db!(db, p => sqlx::query_as("SELECT COUNT(*) FROM indicator_dirty").fetch_one(p).await)?;
    Ok(n.0)
}

/// Marks waiting, counted only up to `cap` (cheap however long the backlog).
pub async fn pending_up_to(db: &Db, cap: i64) -> Result<i64> {
    let n: (i64,) = crate::on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM indicator_dirty LIMIT {}) t", cap.max(0))))
        .fetch_one(p).await)?;
    Ok(n.0)
}

/// The backlog (counted up to `cap`) and the aggregates' generation, in one read: what a
/// dashboard asks before it answers (`app::monitoring`). The generation changes in every
/// transaction that may change `indicator_values`, so a server may keep results computed from
/// them until it changes — on every server of one database alike.
pub async fn backlog_and_generation(db: &Db, cap: i64) -> Result<(i64, String)> {
    let row: (i64, Option<String>) = crate::on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM indicator_dirty LIMIT {}) t), \
         (SELECT value FROM meta WHERE key = '{GENERATION}')", cap.max(0))))
        .fetch_one(p).await)?;
    Ok((row.0, row.1.unwrap_or_default()))
}

/// The `meta` key of the aggregates' generation ([`backlog_and_generation`]).
const GENERATION: &str = "indicators_generation";

/// A new generation, inside the transaction that changes the aggregates.
async fn bump_generation(tx: &mut Tx) -> Result<()> {
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO meta (key, value) VALUES ('{GENERATION}', '1') ON CONFLICT (key) \
         DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)")))
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Processes up to `BATCH_VILLAGES` dirty villages; returns what was done.
pub async fn refresh_batch(db: &Db, today: time::Date) -> Result<Refreshed> {
    refresh_batch_of(db, today, BATCH_VILLAGES).await
}

/// Processes up to `villages` dirty villages in one transaction.
pub async fn refresh_batch_of(db: &Db, today: time::Date, max_villages: usize) -> Result<Refreshed> {
    // Nothing to do (the usual case): no write transaction, so no write lock on SQLite.
    if pending_up_to(db, 1).await? == 0
        && db.meta_get("indicators_day").await?.as_deref() == Some(today.to_string().as_str())
    {
        return Ok(Refreshed::default());
    }
    let mut tx = db.begin().await?;
    if let Tx::Postgres(t) = &mut tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(LOCK_KEY).execute(&mut **t).await?;
    }
    roll_over(&mut tx, today).await?;
    // The calendar's roll-over may have changed values even when no village is dirty.
    bump_generation(&mut tx).await?;
    let villages: Vec<(String,)> = on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT village_code FROM indicator_dirty ORDER BY village_code LIMIT {}", max_villages.max(1))))
        .fetch_all(c).await)?;
    if villages.is_empty() {
        tx.commit().await?;
        return Ok(Refreshed::default());
    }
    let villages: Vec<String> = villages.into_iter().map(|v| v.0).collect();
    let ids: Vec<(i64,)> = on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM indicator_dirty WHERE village_code IN {}", quoted(&villages))))
        .fetch_all(c).await)?;
    let national = villages.iter().any(|v| v == NATIONAL);
    let real: Vec<String> = villages
        .iter()
        .filter(|v| v.parse::<RegionCode>().is_ok_and(|c| c.level() == domain::RegionLevel::Village))
        .cloned()
        .collect();
    if !real.is_empty() {
        recompute_villages(&mut tx, &real, today).await?;
    }
    if national {
        recompute_national(&mut tx, today).await?;
    }
    for chunk in ids.chunks(1000) {
        let list = chunk.iter().map(|(i,)| i.to_string()).collect::<Vec<_>>().join(",");
        on_tx!(&mut tx, c => sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM indicator_dirty WHERE id IN ({list})")))
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(Refreshed { villages: real.len(), marks: ids.len() })
}

/// Refreshes until nothing is pending (or `max_batches` ran); returns the total.
pub async fn refresh_all_pending(db: &Db, today: time::Date, max_batches: usize) -> Result<Refreshed> {
    refresh_all_pending_by(db, today, max_batches, BATCH_VILLAGES).await
}

/// [`refresh_all_pending`] with `villages` per transaction.
pub async fn refresh_all_pending_by(
    db: &Db,
    today: time::Date,
    max_batches: usize,
    villages: usize,
) -> Result<Refreshed> {
    let mut total = Refreshed::default();
    for _ in 0..max_batches {
        let r = refresh_batch_of(db, today, villages).await?;
        if r.marks == 0 {
            break;
        }
        total.villages += r.villages;
        total.marks += r.marks;
    }
    Ok(total)
}

/// Forgets every aggregate and marks every village with data: the next refreshes rebuild all.
pub async fn mark_everything(db: &Db) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM indicator_values").execute(c).await.map(|r| r.rows_affected()))?;
    bump_generation(&mut tx).await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM indicator_dirty").execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO indicator_dirty (village_code) SELECT village_code FROM persons UNION SELECT village_code FROM episodes \
         UNION SELECT village_code FROM counselling_sessions UNION SELECT village_code FROM outreach_events \
         UNION SELECT village_code FROM cases UNION SELECT village_code FROM program_villages \
         UNION SELECT village_code FROM village_profiles UNION SELECT village_code FROM trainings \
         UNION SELECT village_code FROM mentoring_visits UNION SELECT village_code FROM equipment \
         UNION SELECT village_code FROM businesses UNION SELECT village_code FROM remittances \
         UNION SELECT village_code FROM children UNION SELECT village_code FROM parenting_activities \
         UNION SELECT c.village_code FROM case_referrals r JOIN cases c ON c.id = r.case_id \
         UNION SELECT village_code FROM coop_cooperatives \
         UNION SELECT '*'").execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Marks every village taking part in a program (criteria changed, or a new month moved the
/// criteria windows).
pub async fn mark_program_villages(tx: &mut Tx) -> Result<()> {
    on_tx!(tx, c => sqlx::query("INSERT INTO indicator_dirty (village_code) SELECT DISTINCT village_code FROM program_villages")
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Values that change with the calendar, not with a write: cases falling overdue, businesses
/// crossing 6 / 12 months, cooperative loans falling past due (daily) and the criteria windows
/// (monthly).
async fn roll_over(tx: &mut Tx, today: time::Date) -> Result<()> {
    let last: Option<(String,)> = on_tx!(&mut *tx, c => sqlx::query_as("SELECT value FROM meta WHERE key = 'indicators_day'")
        .fetch_optional(c).await)?;
    let today_s = today.to_string();
    let last = last.map(|l| l.0);
    if last.as_deref() == Some(today_s.as_str()) {
        return Ok(());
    }
    let since = last.clone().unwrap_or_default();
    on_tx!(&mut *tx, c => sqlx::query(
        "INSERT INTO indicator_dirty (village_code) SELECT DISTINCT village_code FROM cases \
         WHERE status NOT IN ('resolved', 'closed') AND due_on IS NOT NULL AND due_on >= $1 AND due_on < $2")
        .bind(&since).bind(&today_s).execute(c).await.map(|r| r.rows_affected()))?;
    // Running businesses crossing 6 or 12 months since their start (businesses_active_six_months/12m).
    let last_date = last
        .as_deref()
        .and_then(|l| time::Date::parse(l, time::macros::format_description!("[year]-[month]-[day]")).ok());
    for n in [6, 12] {
        let upto = super::months_before(today, n).to_string();
        let after = last_date.map(|d| super::months_before(d, n).to_string()).unwrap_or_default();
        on_tx!(&mut *tx, c => sqlx::query(
            "INSERT INTO indicator_dirty (village_code) SELECT DISTINCT village_code FROM businesses \
             WHERE status = 'running' AND started_on > $1 AND started_on <= $2")
            .bind(&after).bind(&upto).execute(c).await.map(|r| r.rows_affected()))?;
    }
    // Loans falling past due (coop_loans_at_risk, coop_loans_nonperforming): every cooperative
    // with a disbursed loan, as days past due move each day.
    on_tx!(&mut *tx, c => sqlx::query(
        "INSERT INTO indicator_dirty (village_code) SELECT DISTINCT c.village_code FROM coop_cooperatives c \
         WHERE EXISTS (SELECT 1 FROM coop_loans l WHERE l.cooperative_id = c.id AND l.state = 'disbursed')")
        .execute(c).await.map(|r| r.rows_affected()))?;
    if last.as_deref().map(|l| &l[..l.len().min(7)]) != Some(&today_s[..7]) {
        mark_program_villages(tx).await?;
    }
    tx.meta_set("indicators_day", &today_s).await
}

fn quoted(codes: &[String]) -> String {
    let q: Vec<String> = codes
        .iter()
        .filter(|v| v.as_str() == NATIONAL || v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        .map(|v| format!("'{v}'"))
        .collect();
    if q.is_empty() { "('')".into() } else { format!("({})", q.join(",")) }
}

fn backend(tx: &Tx) -> crate::Backend {
    match tx {
        Tx::Sqlite(..) => crate::Backend::Sqlite,
        Tx::Postgres(_) => crate::Backend::Postgres,
    }
}

/// Pillar and program criteria, grouped by subject.
pub async fn load_criteria(tx: &mut Tx) -> Result<BTreeMap<Subject, Vec<Condition>>> {
    let rows: Vec<(String, String, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT subject, indicator, min_value, CAST(window_months AS BIGINT) FROM monitoring_criteria ORDER BY id")
        .fetch_all(c).await)?;
    let mut out: BTreeMap<Subject, Vec<Condition>> = BTreeMap::new();
    for (subject, indicator, min_value, window) in rows {
        if let Some(s) = Subject::parse(&subject) {
            out.entry(s).or_default().push(Condition {
                indicator,
                min_value,
                window_months: window.clamp(0, 120) as u32,
            });
        }
    }
    Ok(out)
}

async fn recompute_villages(tx: &mut Tx, villages: &[String], today: time::Date) -> Result<()> {
    let be = backend(tx);
    let mut fresh: HashMap<String, Cells> = villages.iter().map(|v| (v.clone(), Cells::new())).collect();
    for ind in super::all().filter(|i| i.level == Level::Village) {
        let sql = super::render(&ind.sql, be, villages, today);
        let rows: Vec<Row> = on_tx!(&mut *tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await)?;
        for (village, month, dim, value) in rows {
            if value == 0 {
                continue;
            }
            let month = if ind.kind == Kind::Stock { String::new() } else { month };
            if let Some(cells) = fresh.get_mut(&village) {
                *cells.entry((ind.key.to_string(), month, dim)).or_default() += value;
            }
        }
    }
    let criteria = load_criteria(tx).await?;
    let current = Month::of_date(today);
    for cells in fresh.values_mut() {
        add_statuses(cells, &criteria, current);
    }
    // The stored values of these villages, to apply only the difference upwards.
    let list = quoted(villages);
    let old: Vec<(String, String, String, String, i64)> = on_tx!(&mut *tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT region_code, key, month, dim, value FROM indicator_values WHERE region_code IN {list}")))
        .fetch_all(c).await)?;
    let mut delta: HashMap<(String, String, String, String), i64> = HashMap::new();
    let mut add_up = |village: &str, cell: &(String, String, String), d: i64| {
        let Ok(code) = village.parse::<RegionCode>() else { return };
        let mut ancestors: Vec<String> = code.lineage().iter().map(|c| c.as_str().to_string()).collect();
        ancestors.pop(); // the village itself is rewritten whole
        ancestors.push(String::new());
        for a in ancestors {
            *delta.entry((a, cell.0.clone(), cell.1.clone(), cell.2.clone())).or_default() += d;
        }
    };
    for (village, key, month, dim, value) in &old {
        add_up(village, &(key.clone(), month.clone(), dim.clone()), -value);
    }
    for (village, cells) in &fresh {
        for (cell, value) in cells {
            add_up(village, cell, *value);
        }
    }
    on_tx!(&mut *tx, c => sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM indicator_values WHERE region_code IN {list}")))
        .execute(c).await.map(|r| r.rows_affected()))?;
    let village_rows: Vec<(String, String, String, String, i64)> = fresh
        .into_iter()
        .flat_map(|(v, cells)| cells.into_iter().map(move |((k, m, d), val)| (v.clone(), k, m, d, val)))
        .collect();
    insert_rows(tx, &village_rows, false).await?;
    let deltas: Vec<(String, String, String, String, i64)> =
        delta.into_iter().filter(|(_, d)| *d != 0).map(|((r, k, m, d), v)| (r, k, m, d, v)).collect();
    let touched: HashSet<String> = deltas.iter().map(|r| r.0.clone()).collect();
    insert_rows(tx, &deltas, true).await?;
    if !touched.is_empty() {
        let touched: Vec<String> = touched.into_iter().collect();
        for chunk in touched.chunks(500) {
            let mut codes: Vec<String> = chunk.iter().filter(|c| !c.is_empty()).cloned().collect();
            let nation = chunk.iter().any(|c| c.is_empty());
            let mut cond = String::new();
            if !codes.is_empty() {
                codes.sort();
                cond = format!("region_code IN {}", quoted(&codes));
            }
            if nation {
                cond =
                    if cond.is_empty() { "region_code = ''".into() } else { format!("({cond} OR region_code = '')") };
            }
            on_tx!(&mut *tx, c => sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM indicator_values WHERE value = 0 AND {cond}")))
                .execute(c).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

/// Adds `pillar_status` (Desmigratif villages) and `program_status` (program participants).
fn add_statuses(cells: &mut Cells, criteria: &BTreeMap<Subject, Vec<Condition>>, current: Month) {
    let rows: Vec<(String, String, String, i64)> =
        cells.iter().map(|((k, m, d), v)| (k.clone(), m.clone(), d.clone(), *v)).collect();
    let values = Values::from_rows(rows);
    let desmigratif = values.stock("desmigratif_villages") > 0;
    let programs: Vec<String> = values.dims("program_villages").into_iter().collect();
    let lookup = |key: &str, window: u32| values.criterion_value(key, window, current);
    if desmigratif {
        for n in 1..=4u8 {
            let conds = criteria.get(&Subject::Pillar(n)).map(Vec::as_slice).unwrap_or(&[]);
            let status = evaluate(conds, lookup);
            cells.insert((PILLAR_STATUS.into(), String::new(), format!("{n}:{}", status.as_str())), 1);
        }
    }
    for code in programs {
        if let Some(conds) = criteria.get(&Subject::Program(code.clone())) {
            let status = evaluate(conds, lookup);
            cells.insert((PROGRAM_STATUS.into(), String::new(), format!("{code}:{}", status.as_str())), 1);
        }
    }
}

async fn recompute_national(tx: &mut Tx, today: time::Date) -> Result<()> {
    let be = backend(tx);
    for ind in super::all().filter(|i| i.level == Level::National) {
        let sql = super::render(&ind.sql, be, &[], today);
        let rows: Vec<Row> = on_tx!(&mut *tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await)?;
        on_tx!(&mut *tx, c => sqlx::query("DELETE FROM indicator_values WHERE region_code = '' AND key = $1")
            .bind(ind.key).execute(c).await.map(|r| r.rows_affected()))?;
        let mut cells: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (_, month, dim, value) in rows {
            let month = if ind.kind == Kind::Stock { String::new() } else { month };
            *cells.entry((month, dim)).or_default() += value;
        }
        let rows: Vec<(String, String, String, String, i64)> = cells
            .into_iter()
            .filter(|(_, v)| *v != 0)
            .map(|((m, d), v)| (String::new(), ind.key.to_string(), m, d, v))
            .collect();
        insert_rows(tx, &rows, false).await?;
    }
    Ok(())
}

/// Inserts rows; with `add`, adds each value to an existing row instead.
async fn insert_rows(tx: &mut Tx, rows: &[(String, String, String, String, i64)], add: bool) -> Result<()> {
    let conflict = if add {
        " ON CONFLICT (region_code, key, month, dim) DO UPDATE SET value = indicator_values.value + excluded.value"
    } else {
        ""
    };
    for chunk in rows.chunks(500) {
        let mut sql = String::from("INSERT INTO indicator_values (region_code, key, month, dim, value) VALUES ");
        for i in 0..chunk.len() {
            let b = i * 5;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${},${},${},${},${})", b + 1, b + 2, b + 3, b + 4, b + 5));
        }
        sql.push_str(conflict);
        on_tx!(&mut *tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (r, k, m, d, v) in chunk {
                q = q.bind(r.as_str()).bind(k.as_str()).bind(m.as_str()).bind(d.as_str()).bind(*v);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
