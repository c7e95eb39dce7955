//! A SELECT assembled from optional filters, with every value bound as a parameter
//! (never spliced into the SQL text) and `$n` placeholders numbered for both backends.

use crate::{Db, Result, on_db};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

pub struct Select {
    sql: String,
    binds: Vec<String>,
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

    /// ` AND (column = code OR column LIKE 'code.%')`: the region and everything inside it.
    pub fn and_within(&mut self, column: &str, code: &str) -> &mut Select {
        let inside = format!("{code}.%");
        self.and(&format!("({column} = ? OR {column} LIKE ?)"), &[code, &inside])
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
        Ok(on_db!(db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(self.sql.as_str()));
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
            s.sql,
            "SELECT x FROM t WHERE 1=1 AND a = $1 AND (r = $2 OR r LIKE $3) AND (b LIKE $4 OR c LIKE $5) LIMIT 5"
        );
        assert_eq!(s.binds, ["1", "53.07", "53.07.%", "%x%", "%x%"]);
    }
}
