//! The bulk path: multi-row `INSERT`s in large transactions, no audit entries.
//!
//! Rows are validated by the pillar modules with the domain's own functions before they get
//! here, and the database still applies every CHECK, NOT NULL, UNIQUE and foreign key
//! constraint: nothing is switched off. What the bulk path skips is the per-row round trip and
//! the per-row audit entry (one `generate.run` entry records the whole run instead).
//!
//! SQLite allows at most 32,766 bound parameters per statement; a statement here carries at
//! most [`MAX_PARAMS`] and at most [`MAX_ROWS`] rows. SQLite gets anonymous `?` placeholders:
//! with numbered `$N` ones, sqlx looks each parameter's name up and SQLite walks its list for
//! each, which costs the square of the parameter count (see docs/BENCHMARKS.md).

use crate::GenError;
use indicatif::ProgressBar;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use store::{Db, Tx, on_tx};

/// SQLite's limit on bound parameters (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
pub const MAX_PARAMS: usize = 32_766;
/// Rows per statement, whatever the column count.
pub const MAX_ROWS: usize = 2_000;
/// Rows per transaction before it is committed and a new one begun.
pub const ROWS_PER_TX: u64 = 200_000;

/// A table written by the generator and its columns, in the order values are pushed.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub cols: &'static [&'static str],
}

/// One value. Typed NULLs: PostgreSQL refuses an `int8` NULL in a `text` column.
#[derive(Debug, Clone)]
pub enum V {
    I(i64),
    T(String),
    S(&'static str),
    B(bool),
    NullI,
    NullT,
}

impl From<i64> for V {
    fn from(v: i64) -> V {
        V::I(v)
    }
}
impl From<String> for V {
    fn from(v: String) -> V {
        V::T(v)
    }
}
impl From<&'static str> for V {
    fn from(v: &'static str) -> V {
        V::S(v)
    }
}
impl From<bool> for V {
    fn from(v: bool) -> V {
        V::B(v)
    }
}
impl From<Option<i64>> for V {
    fn from(v: Option<i64>) -> V {
        v.map_or(V::NullI, V::I)
    }
}
impl From<Option<String>> for V {
    fn from(v: Option<String>) -> V {
        v.map_or(V::NullT, V::T)
    }
}

/// Rows for several tables, written in the order each table first received a row: push a
/// parent row before the rows that refer to it.
#[derive(Default)]
pub struct Batch {
    tables: Vec<(&'static Table, Vec<V>)>,
}

impl Batch {
    pub fn push<const N: usize>(&mut self, table: &'static Table, row: [V; N]) {
        debug_assert_eq!(N, table.cols.len(), "{}: {} values for {} columns", table.name, N, table.cols.len());
        let slot = match self.tables.iter().position(|(t, _)| std::ptr::eq(*t, table)) {
            Some(i) => i,
            None => {
                self.tables.push((table, Vec::new()));
                self.tables.len() - 1
            }
        };
        self.tables[slot].1.extend(row);
    }

    /// Moves `other`'s rows to the end of this batch (tables new to it come after its own).
    pub fn append(&mut self, other: Batch) {
        for (table, values) in other.tables {
            match self.tables.iter_mut().find(|(t, _)| std::ptr::eq(*t, table)) {
                Some((_, v)) => v.extend(values),
                None => self.tables.push((table, values)),
            }
        }
    }

    /// Rows held, all tables together.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(t, v)| (v.len() / t.cols.len()) as u64).sum()
    }
}

/// Writes batches in large transactions and counts rows per table.
pub struct Writer {
    db: Db,
    tx: Option<Tx>,
    in_tx: u64,
    sql: HashMap<(&'static str, usize), Arc<str>>,
    pub counts: Vec<(&'static str, u64)>,
    pub total: u64,
    started: Instant,
    progress: ProgressBar,
}

impl Writer {
    pub fn new(db: Db, progress: ProgressBar) -> Writer {
        Writer {
            db,
            tx: None,
            in_tx: 0,
            sql: HashMap::new(),
            counts: Vec::new(),
            total: 0,
            started: Instant::now(),
            progress,
        }
    }

    pub fn progress(&self) -> &ProgressBar {
        &self.progress
    }

    /// Rows per second since the writer was made.
    pub fn rate(&self) -> f64 {
        self.total as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    fn statement(&mut self, table: &'static Table, rows: usize) -> Arc<str> {
        let sqlite = matches!(self.db, Db::Sqlite(..));
        self.sql
            .entry((table.name, rows))
            .or_insert_with(|| {
                let n = table.cols.len();
                let mut s = format!("INSERT INTO {} ({}) VALUES ", table.name, table.cols.join(", "));
                let mut p = 0;
                for r in 0..rows {
                    if r > 0 {
                        s.push(',');
                    }
                    s.push('(');
                    for c in 0..n {
                        if c > 0 {
                            s.push(',');
                        }
                        p += 1;
                        if sqlite {
                            s.push('?');
                        } else {
                            s.push('$');
                            s.push_str(&p.to_string());
                        }
                    }
                    s.push(')');
                }
                Arc::from(s)
            })
            .clone()
    }

    pub async fn write(&mut self, batch: Batch) -> Result<(), GenError> {
        for (table, values) in batch.tables {
            let n = table.cols.len();
            let per_stmt = (MAX_PARAMS / n).min(MAX_ROWS);
            for chunk in values.chunks(per_stmt * n) {
                let rows = chunk.len() / n;
                let sql = self.statement(table, rows);
                if self.tx.is_none() {
                    self.tx = Some(begin(&self.db).await?);
                }
                let Some(tx) = self.tx.as_mut() else { unreachable!("a transaction was just begun") };
                execute(tx, sql, chunk).await.map_err(|e| GenError::Insert { table: table.name, source: e })?;
                self.in_tx += rows as u64;
                self.total += rows as u64;
                match self.counts.iter_mut().find(|(t, _)| *t == table.name) {
                    Some((_, c)) => *c += rows as u64,
                    None => self.counts.push((table.name, rows as u64)),
                }
            }
        }
        if self.in_tx >= ROWS_PER_TX {
            self.commit().await?;
        }
        let rate = self.rate();
        self.progress.set_message(format!("{} rows, {:.0} rows/s", self.total, rate));
        Ok(())
    }

    /// Runs one statement of the generator's own (an UPDATE after a pass) in the current
    /// transaction.
    pub async fn execute_sql(&mut self, sql: String) -> Result<u64, GenError> {
        if self.tx.is_none() {
            self.tx = Some(begin(&self.db).await?);
        }
        let Some(tx) = self.tx.as_mut() else { unreachable!("a transaction was just begun") };
        let n = on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(c).await.map(|r| r.rows_affected()))
            .map_err(store::StoreError::from)?;
        Ok(n)
    }

    pub async fn commit(&mut self) -> Result<(), GenError> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        self.in_tx = 0;
        Ok(())
    }

    pub fn count(&self, table: &str) -> u64 {
        self.counts.iter().find(|(t, _)| *t == table).map_or(0, |(_, c)| *c)
    }
}

/// Begins a write transaction, waiting while another writer holds SQLite's lock (a server's
/// indicator refresher on the same file can hold it longer than the busy timeout): the
/// transaction is `BEGIN IMMEDIATE` and has done nothing yet, so trying again is safe.
pub async fn begin(db: &Db) -> Result<Tx, GenError> {
    let mut tries = 0;
    loop {
        match db.begin().await {
            Ok(tx) => return Ok(tx),
            Err(e) if tries < 30 && e.to_string().contains("database is locked") => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

async fn execute(tx: &mut Tx, sql: Arc<str>, values: &[V]) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in values {
            q = match v {
                V::I(i) => q.bind(*i),
                V::T(s) => q.bind(s.as_str()),
                V::S(s) => q.bind(*s),
                V::B(b) => q.bind(*b),
                V::NullI => q.bind(None::<i64>),
                V::NullT => q.bind(None::<String>),
            };
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })
}
