//! A SELECT assembled from optional filters, with every value bound as a parameter
//! (never spliced into the SQL text) and `$n` placeholders numbered for both backends.

use crate::{Db, Result, on_db};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

/// Marks a comparison that must be made in byte order; see [`within`].
const BYTE_ORDER: &str = "/*C*/";

/// "`column` is the region `code` or inside it", the one place that writes that SQL: `column =
/// code`, or `column` between `code.` and `code/` ('/' sorts right after '.'), which every code
/// inside starts with. `first` is the number of the first of three placeholders, bound to
/// [`within_values`]`(code)` in that order. Rendered for `db`'s backend, for SQL written by hand;
/// `Select::and_within` is the same condition for the query builder.
///
/// A range, not `LIKE 'code.%'`, because SQLite reads an index for a range but not for that
/// LIKE (a village's list read every row of the country: 0.17 s at 1M people against < 10 ms).
/// On PostgreSQL every comparison is made in byte order (`COLLATE "C"`), so a database created
/// with a linguistic collation still gets the right rows; the indexes that serve it are declared
/// with the same collation (`(village_code COLLATE "C", …)`, migration 0018), since PostgreSQL
/// uses an index for a comparison only when their collations match.
pub fn within(db: &Db, column: &str, first: usize) -> String {
    within_sql(matches!(db, Db::Postgres(_)), column, first)
}

fn within_sql(postgres: bool, column: &str, first: usize) -> String {
    let p = [format!("${first}"), format!("${}", first + 1), format!("${}", first + 2)];
    render(&within_marked(column, [&p[0], &p[1], &p[2]]), postgres)
}

/// The values for the placeholders of [`within`], in order: the code, `code.` and `code/`.
pub fn within_values(code: &str) -> [String; 3] {
    [code.to_string(), format!("{code}."), format!("{code}/")]
}

/// The condition with `BYTE_ORDER` markers, for the placeholders given.
fn within_marked(column: &str, p: [&str; 3]) -> String {
    let c = format!("{column}{BYTE_ORDER}");
    format!("({c} = {} OR ({c} > {} AND {c} < {}))", p[0], p[1], p[2])
}

/// SQL text for one backend: each `BYTE_ORDER` marker becomes `COLLATE "C"` on PostgreSQL.
fn render(sql: &str, postgres: bool) -> String {
    sql.replace(BYTE_ORDER, if postgres { " COLLATE \"C\"" } else { "" })
}

/// Keyset paging by a text key in byte order (a village code), for per-key figures grouped
/// by SQL and possibly merged from several grouped queries: each query keeps only the keys
/// after the cursor ([`KeyPage::and_after`]) and stops `limit + 1` keys on
/// ([`KeyPage::group_by`]); the union of their first `limit + 1` keys holds the first
/// `limit + 1` keys of the merged list, which [`KeyPage::cut`] cuts to the page and the next
/// cursor. A page costs its own keys, never the nation's.
///
/// The comparisons and the order are in byte order on both backends (`COLLATE "C"` on
/// PostgreSQL, as [`within`]), the order the merge (a `BTreeMap` of `String`s) and the
/// indexes of migration 0018 use.
#[derive(Debug, Clone, Copy)]
pub struct KeyPage<'a> {
    after: Option<&'a str>,
    limit: i64,
}

impl<'a> KeyPage<'a> {
    /// The keys after `after` (none: from the first), at most `limit` (at least 1).
    pub fn new(after: Option<&'a str>, limit: i64) -> KeyPage<'a> {
        KeyPage { after, limit: limit.max(1) }
    }

    /// Appends ` AND key > after` (byte order) when there is a cursor.
    pub fn and_after(&self, q: &mut Select, key: &str) -> &Self {
        if let Some(a) = self.after {
            q.and(&format!("{key}{BYTE_ORDER} > ?"), &[a]);
        }
        self
    }

    /// Appends `GROUP BY group ORDER BY key LIMIT limit + 1`; `group` is the GROUP BY list
    /// (the key first, then columns that depend on it, such as its name).
    pub fn group_tail(&self, q: &mut Select, key: &str, group: &str) {
        q.tail(&format!("GROUP BY {group} ORDER BY {key}{BYTE_ORDER} LIMIT {}", self.limit + 1));
    }

    /// [`KeyPage::and_after`] and [`KeyPage::group_tail`] for a query grouped by its key alone.
    pub fn group_by(&self, q: &mut Select, key: &str) {
        self.and_after(q, key);
        self.group_tail(q, key, key);
    }

    /// The page out of rows in key order (each query's first `limit + 1` keys merged): at most
    /// `limit` rows, and the key to continue after when more follow (`None` on the last page).
    pub fn cut<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> &str) -> (Vec<T>, Option<String>) {
        let n = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if rows.len() <= n {
            return (rows, None);
        }
        rows.truncate(n);
        let next = rows.last().map(|r| key(r).to_string());
        (rows, next)
    }
}

pub struct Select {
    sql: String,
    binds: Vec<String>,
}

/// `(id, status, valid_until)` of the given rows of a registry table (agencies, job orders):
/// one query for a whole list instead of one per row.
pub async fn status_and_validity(db: &Db, table: Registry, ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    // Ids are integers, never user text; the table name comes from the enum.
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let table = match table {
        Registry::Agencies => "agencies",
        Registry::JobOrders => "job_orders",
    };
    Select::new(format!("SELECT id, status, valid_until FROM {table} WHERE id IN ({list})")).fetch_all(db).await
}

/// The registries [`status_and_validity`] reads.
#[derive(Debug, Clone, Copy)]
pub enum Registry {
    Agencies,
    JobOrders,
}

impl Select {
    /// `base` is the statement up to and including its `WHERE` clause (e.g. `… WHERE 1=1`).
    pub fn new(base: impl Into<String>) -> Select {
        Select { sql: base.into(), binds: vec![] }
    }

    /// Appends ` AND cond`, replacing each `?` in `cond` with the next value's placeholder.
    pub fn and(&mut self, cond: &str, values: &[&str]) -> &mut Select {
        self.sql.push_str(" AND ");
        let mut values = values.iter();
        for ch in cond.chars() {
            if ch == '?' {
                let v = values.next().expect("a value for each ? in the condition");
                self.binds.push((*v).to_string());
                self.sql.push_str(&format!("${}", self.binds.len()));
            } else {
                self.sql.push(ch);
            }
        }
        self
    }

    /// The region and everything inside it (see [`within`]): appends ` AND (…)` with the
    /// three values of [`within_values`] bound.
    pub fn and_within(&mut self, column: &str, code: &str) -> &mut Select {
        let [a, b, c] = within_values(code);
        self.and(&within_marked(column, ["?", "?", "?"]), &[&a, &b, &c])
    }

    /// The condition of [`Select::and_within`] with its three values bound, for composing it
    /// with others (inside an OR); append it with [`Select::tail`].
    pub fn within_cond(&mut self, column: &str, code: &str) -> String {
        let [a, b, c] = within_values(code);
        let p = [self.bind(a), self.bind(b), self.bind(c)];
        within_marked(column, [&p[0], &p[1], &p[2]])
    }

    /// The statement for one backend (`BYTE_ORDER` markers rendered).
    fn sql_for(&self, postgres: bool) -> String {
        render(&self.sql, postgres)
    }

    /// Appends SQL text that carries no user value (ORDER BY, LIMIT with clamped numbers).
    pub fn tail(&mut self, sql: &str) -> &mut Select {
        self.sql.push(' ');
        self.sql.push_str(sql);
        self
    }

    /// The next placeholder's number, for conditions written by hand.
    pub fn bind(&mut self, value: impl Into<String>) -> String {
        self.binds.push(value.into());
        format!("${}", self.binds.len())
    }

    pub async fn fetch_all<T>(&self, db: &Db) -> Result<Vec<T>>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
    {
        let sql = self.sql_for(matches!(db, Db::Postgres(_)));
        Ok(on_db!(db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for b in &self.binds {
                q = q.bind(b.as_str());
            }
            q.fetch_all(p).await
        })?)
    }

    pub async fn fetch_count(&self, db: &Db) -> Result<i64> {
        let rows: Vec<(i64,)> = self.fetch_all(db).await?;
        Ok(rows.first().map(|r| r.0).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Select::new("SELECT x FROM t WHERE 1=1");
        s.and("a = ?", &["1"]).and_within("r", "53.07").and("(b LIKE ? OR c LIKE ?)", &["%x%", "%x%"]).tail("LIMIT 5");
        assert_eq!(
            s.sql_for(false),
            "SELECT x FROM t WHERE 1=1 AND a = $1 AND (r = $2 OR (r > $3 AND r < $4)) AND (b LIKE $5 OR c LIKE $6) LIMIT 5"
        );
        assert_eq!(s.binds, ["1", "53.07", "53.07.", "53.07/", "%x%", "%x%"]);
        assert!(s.sql_for(true).contains(r#"(r COLLATE "C" = $2 OR (r COLLATE "C" > $3 AND r COLLATE "C" < $4))"#));
    }

    #[test]
    fn hand_written_sql_gets_the_same_condition() {
        let mut s = Select::new("SELECT x FROM t WHERE 1=1");
        s.and("a = ?", &["1"]).and_within("p.village_code", "53.07");
        for pg in [false, true] {
            let built = s.sql_for(pg);
            assert!(built.ends_with(&within_sql(pg, "p.village_code", 2)), "{built}");
        }
        assert_eq!(within_sql(true, "v", 5), r#"(v COLLATE "C" = $5 OR (v COLLATE "C" > $6 AND v COLLATE "C" < $7))"#);
        assert_eq!(within_values("53.07"), ["53.07", "53.07.", "53.07/"]);
    }

    #[test]
    fn a_key_page_stops_one_key_on_and_continues_after_the_cursor() {
        let page = KeyPage::new(Some("53.07.01.2001"), 2);
        let mut q = Select::new("SELECT v, COUNT(*) FROM t WHERE 1=1");
        page.group_by(&mut q, "v");
        assert_eq!(q.sql_for(false), "SELECT v, COUNT(*) FROM t WHERE 1=1 AND v > $1 GROUP BY v ORDER BY v LIMIT 3");
        assert_eq!(q.binds, ["53.07.01.2001"]);
        assert_eq!(
            q.sql_for(true),
            r#"SELECT v, COUNT(*) FROM t WHERE 1=1 AND v COLLATE "C" > $1 GROUP BY v ORDER BY v COLLATE "C" LIMIT 3"#
        );
        // No cursor: no condition; the GROUP BY list may name more than the key.
        let mut q = Select::new("SELECT v, n FROM t WHERE 1=1");
        let first = KeyPage::new(None, 0);
        first.and_after(&mut q, "v").group_tail(&mut q, "v", "v, n");
        assert_eq!(
            q.sql_for(false),
            "SELECT v, n FROM t WHERE 1=1 GROUP BY v, n ORDER BY v LIMIT 2",
            "limit at least 1"
        );
    }

    #[test]
    fn a_key_page_cut_names_the_next_cursor_only_when_more_follow() {
        let rows = vec!["a", "b", "c"];
        assert_eq!(KeyPage::new(None, 2).cut(rows.clone(), |r| r), (vec!["a", "b"], Some("b".to_string())));
        assert_eq!(KeyPage::new(None, 3).cut(rows.clone(), |r| r), (rows.clone(), None));
        assert_eq!(KeyPage::new(None, 5).cut(rows.clone(), |r| r), (rows, None));
    }

    #[test]
    fn the_range_holds_exactly_the_codes_inside() {
        // What the range relies on: in byte order every code inside "53.07" sorts between
        // "53.07." and "53.07/", and no code outside does.
        let (from, to) = ("53.07.", "53.07/");
        for inside in ["53.07.01", "53.07.01.2001", "53.07.99.9999"] {
            assert!(inside > from && inside < to, "{inside}");
        }
        for outside in ["53.07", "53.070", "53.08.01", "53.06.99.2001", "53.1", "54.07.01"] {
            assert!(!(outside > from && outside < to), "{outside}");
        }
    }
}
