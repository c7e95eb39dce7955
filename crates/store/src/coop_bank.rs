//! Cash and bank of a cooperative (issue 20, migration 0029): bank accounts, imported statement
//! lines, matches with journal lines, finalised reconciliations. The rules are in
//! `domain::cooperative::bank`; `app::coop_bank` runs each operation in one transaction started
//! with `store::cooperative::lock`. Balances of bank accounts are sums of the journal lines on
//! `bank` (each carries its bank account), the same lines as the trial balance.

use crate::audit::Actor;
use crate::cooperative::Cooperative;
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::cooperative::bank::{BankAccount, StatementLine};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BankAccountRow {
    pub id: i64,
    pub cooperative_id: i64,
    pub bank_name: String,
    pub branch: String,
    pub account_number: String,
    pub account_name: String,
    pub opened_on: String,
    pub closed_on: Option<String>,
}

const ACCOUNT_SELECT: &str = "SELECT id, cooperative_id, bank_name, branch, account_number, account_name, opened_on, \
    closed_on FROM coop_bank_accounts";

pub async fn insert_account(tx: &mut Tx, actor: &Actor, coop: &Cooperative, a: &BankAccount) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_bank_accounts (cooperative_id, bank_name, branch, account_number, account_name, opened_on, \
             closed_on, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
            .bind(coop.id).bind(&a.bank_name).bind(&a.branch).bind(a.account_number.as_str()).bind(&a.account_name)
            .bind(a.opened_on.to_string()).bind(a.closed_on.map(|d| d.to_string())).bind(actor.user_id)
            .bind(crate::now()).fetch_one(c).await
    })?;
    crate::cooperative::audit_operation(tx, actor, coop, "cooperative.bank_account_open", "coop_bank_account", id, "")
        .await?;
    Ok(id)
}

pub async fn list_accounts(db: &Db, coop_id: i64) -> Result<Vec<BankAccountRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACCOUNT_SELECT} WHERE cooperative_id = $1 ORDER BY id")))
            .bind(coop_id).fetch_all(p).await
    })?)
}

pub async fn get_account(db: &Db, id: i64) -> Result<Option<BankAccountRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACCOUNT_SELECT} WHERE id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

pub async fn get_account_tx(tx: &mut Tx, id: i64) -> Result<Option<BankAccountRow>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACCOUNT_SELECT} WHERE id = $1"))).bind(id).fetch_optional(c).await
    })?)
}

/// Debits minus credits of each bank account's lines through `as_of`.
pub async fn bank_nets(db: &Db, coop_id: i64, as_of: &str) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT bank_account_id, CAST(SUM(debit) - SUM(credit) AS BIGINT) FROM coop_journal_lines \
             WHERE cooperative_id = $1 AND account = 'bank' AND bank_account_id IS NOT NULL AND entry_date <= $2 \
             GROUP BY bank_account_id")
            .bind(coop_id).bind(as_of).fetch_all(p).await
    })?)
}

/// One bank account's balance through `as_of`, inside a posting transaction.
pub async fn bank_net_tx(tx: &mut Tx, bank_id: i64, as_of: &str) -> Result<i64> {
    let (n,): (Option<i64>,) = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT CAST(SUM(debit) - SUM(credit) AS BIGINT) FROM coop_journal_lines \
             WHERE bank_account_id = $1 AND account = 'bank' AND entry_date <= $2")
            .bind(bank_id).bind(as_of).fetch_one(c).await
    })?;
    Ok(n.unwrap_or(0))
}

/// A line on `bank` of one bank account, with its entry's memo and whether it is matched.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BookLine {
    pub line_id: i64,
    pub entry_id: i64,
    pub entry_date: String,
    pub memo: String,
    pub debit: i64,
    pub credit: i64,
    /// The statement line it is matched with.
    pub statement_line_id: Option<i64>,
}

const BOOK_SELECT: &str = "SELECT l.id AS line_id, l.entry_id, l.entry_date, e.memo, l.debit, l.credit, \
    m.statement_line_id FROM coop_journal_lines l JOIN coop_journal_entries e ON e.id = l.entry_id \
    LEFT JOIN coop_bank_matches m ON m.journal_line_id = l.id";

/// The bank book: lines dated `from`..=`to`, oldest first, and the balance before `from`.
pub async fn bank_book(db: &Db, bank_id: i64, from: &str, to: &str) -> Result<(i64, Vec<BookLine>)> {
    let (opening,): (Option<i64>,) = on_db!(db, p => {
        sqlx::query_as(
            "SELECT CAST(SUM(debit) - SUM(credit) AS BIGINT) FROM coop_journal_lines \
             WHERE bank_account_id = $1 AND account = 'bank' AND entry_date < $2")
            .bind(bank_id).bind(from).fetch_one(p).await
    })?;
    let rows = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{BOOK_SELECT} WHERE l.bank_account_id = $1 AND l.account = 'bank' AND l.entry_date >= $2 AND l.entry_date <= $3 \
             ORDER BY l.entry_date, l.id LIMIT 100000")))
            .bind(bank_id).bind(from).bind(to).fetch_all(p).await
    })?;
    Ok((opening.unwrap_or(0), rows))
}

/// Book lines of a bank account not matched to a statement line, dated through `through`.
pub async fn unmatched_book_tx(tx: &mut Tx, bank_id: i64, through: &str) -> Result<Vec<BookLine>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{BOOK_SELECT} WHERE l.bank_account_id = $1 AND l.account = 'bank' AND l.entry_date <= $2 \
             AND m.id IS NULL ORDER BY l.entry_date, l.id LIMIT 100000")))
            .bind(bank_id).bind(through).fetch_all(c).await
    })?)
}

pub async fn unmatched_book(db: &Db, bank_id: i64, through: &str) -> Result<Vec<BookLine>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{BOOK_SELECT} WHERE l.bank_account_id = $1 AND l.account = 'bank' AND l.entry_date <= $2 \
             AND m.id IS NULL ORDER BY l.entry_date, l.id LIMIT 100000")))
            .bind(bank_id).bind(through).fetch_all(p).await
    })?)
}

/// A journal line as the matching needs it.
pub async fn book_line_tx(tx: &mut Tx, line_id: i64) -> Result<Option<BookLine>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{BOOK_SELECT} WHERE l.id = $1 AND l.account = 'bank'")))
            .bind(line_id).fetch_optional(c).await
    })?)
}

/// The bank account of a journal line on `bank`.
pub async fn line_bank_tx(tx: &mut Tx, line_id: i64) -> Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT bank_account_id FROM coop_journal_lines WHERE id = $1 AND account = 'bank'")
            .bind(line_id).fetch_optional(c).await
    })?;
    Ok(row.and_then(|r| r.0))
}

/// The id of an entry's line on `bank` (an entry made from a statement line has one).
pub async fn bank_line_of_entry_tx(tx: &mut Tx, entry_id: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT id FROM coop_journal_lines WHERE entry_id = $1 AND account = 'bank' ORDER BY id LIMIT 1")
            .bind(entry_id).fetch_optional(c).await
    })?;
    Ok(row.map(|r| r.0))
}

// ---------------------------------------------------------------------------------------------
// Statements

pub struct NewImport<'a> {
    pub file_name: &'a str,
    pub lines_read: i64,
    pub lines_refused: i64,
}

/// Records an import and inserts its lines; a line already imported (same fingerprint) is
/// skipped. Returns (import id, new lines).
pub async fn insert_statement(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    bank_id: i64,
    n: &NewImport<'_>,
    lines: &[StatementLine],
) -> Result<(i64, i64)> {
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_bank_imports (cooperative_id, bank_account_id, file_name, lines_read, lines_new, lines_refused, \
             imported_by, imported_at) VALUES ($1,$2,$3,$4,0,$5,$6,$7) RETURNING id")
            .bind(coop.id).bind(bank_id).bind(n.file_name).bind(n.lines_read).bind(n.lines_refused)
            .bind(actor.user_id).bind(crate::now()).fetch_one(c).await
    })?;
    let mut new = 0i64;
    for l in lines {
        let done = on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO coop_bank_statement_lines (cooperative_id, bank_account_id, import_id, line_date, description, \
                 flow, amount, balance, fingerprint) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) \
                 ON CONFLICT (bank_account_id, fingerprint) DO NOTHING")
                .bind(coop.id).bind(bank_id).bind(id).bind(l.date.to_string()).bind(&l.description)
                .bind(l.flow.as_str()).bind(l.amount.amount()).bind(l.balance).bind(&l.fingerprint)
                .execute(c).await.map(|r| r.rows_affected())
        })?;
        new += done as i64;
    }
    on_tx!(tx, c => {
        sqlx::query("UPDATE coop_bank_imports SET lines_new = $1 WHERE id = $2")
            .bind(new).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("bank account {bank_id}: {} read, {new} new, {} refused", n.lines_read, n.lines_refused);
    crate::cooperative::audit_operation(
        tx,
        actor,
        coop,
        "cooperative.bank_statement_import",
        "coop_bank_import",
        id,
        &details,
    )
    .await?;
    Ok((id, new))
}

/// Fingerprints already imported for a bank account (the preview counts what is new).
pub async fn known_fingerprints(db: &Db, bank_id: i64) -> Result<std::collections::HashSet<String>> {
    let rows: Vec<(String,)> = on_db!(db, p => {
        sqlx::query_as("SELECT fingerprint FROM coop_bank_statement_lines WHERE bank_account_id = $1")
            .bind(bank_id).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatementLineRow {
    pub id: i64,
    pub bank_account_id: i64,
    pub line_date: String,
    pub description: String,
    pub flow: String,
    pub amount: i64,
    pub balance: Option<i64>,
    /// The journal line it is matched with.
    pub journal_line_id: Option<i64>,
    /// The finalised reconciliation that locked the match.
    pub reconciliation_id: Option<i64>,
}

const STATEMENT_SELECT: &str = "SELECT s.id, s.bank_account_id, s.line_date, s.description, s.flow, s.amount, s.balance, \
    m.journal_line_id, m.reconciliation_id FROM coop_bank_statement_lines s \
    LEFT JOIN coop_bank_matches m ON m.statement_line_id = s.id";

pub async fn statement_lines(db: &Db, bank_id: i64, from: &str, to: &str) -> Result<Vec<StatementLineRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{STATEMENT_SELECT} WHERE s.bank_account_id = $1 AND s.line_date >= $2 AND s.line_date <= $3 \
             ORDER BY s.line_date, s.id LIMIT 100000")))
            .bind(bank_id).bind(from).bind(to).fetch_all(p).await
    })?)
}

pub async fn unmatched_statement_tx(tx: &mut Tx, bank_id: i64, through: &str) -> Result<Vec<StatementLineRow>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{STATEMENT_SELECT} WHERE s.bank_account_id = $1 AND s.line_date <= $2 AND m.id IS NULL \
             ORDER BY s.line_date, s.id LIMIT 100000")))
            .bind(bank_id).bind(through).fetch_all(c).await
    })?)
}

pub async fn statement_line_tx(tx: &mut Tx, id: i64) -> Result<Option<StatementLineRow>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{STATEMENT_SELECT} WHERE s.id = $1"))).bind(id).fetch_optional(c).await
    })?)
}

/// The balance printed on the last statement line dated on or before `date`.
pub async fn statement_balance_tx(tx: &mut Tx, bank_id: i64, date: &str) -> Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT balance FROM coop_bank_statement_lines WHERE bank_account_id = $1 AND line_date <= $2 \
             AND balance IS NOT NULL ORDER BY line_date DESC, id DESC LIMIT 1")
            .bind(bank_id).bind(date).fetch_optional(c).await
    })?;
    Ok(row.and_then(|r| r.0))
}

// ---------------------------------------------------------------------------------------------
// Matches and reconciliations

pub async fn insert_match(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    bank_id: i64,
    statement_line_id: i64,
    journal_line_id: i64,
    how: &str,
) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_bank_matches (bank_account_id, statement_line_id, journal_line_id, matched_by, matched_at) \
             VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(bank_id).bind(statement_line_id).bind(journal_line_id).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    let details = format!("statement line {statement_line_id} with journal line {journal_line_id} ({how})");
    crate::cooperative::audit_operation(tx, actor, coop, "cooperative.bank_match", "coop_bank_match", id, &details)
        .await?;
    Ok(id)
}

/// Undoes the match of a statement line; `false` when it was not matched. A locked match
/// (finalised reconciliation) is refused by the caller first and by a trigger.
pub async fn delete_match(tx: &mut Tx, actor: &Actor, coop: &Cooperative, statement_line_id: i64) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query("DELETE FROM coop_bank_matches WHERE statement_line_id = $1 AND reconciliation_id IS NULL")
            .bind(statement_line_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n > 0 {
        crate::cooperative::audit_operation(
            tx,
            actor,
            coop,
            "cooperative.bank_unmatch",
            "coop_bank_statement_line",
            statement_line_id,
            "",
        )
        .await?;
    }
    Ok(n > 0)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReconciliationRow {
    pub id: i64,
    pub bank_account_id: i64,
    pub statement_date: String,
    pub statement_balance: i64,
    pub book_balance: i64,
    pub uncredited: i64,
    pub unpresented: i64,
    pub unbooked_in: i64,
    pub unbooked_out: i64,
    pub finalised_by: Option<i64>,
    pub finalised_at: i64,
}

const RECON_SELECT: &str = "SELECT id, bank_account_id, statement_date, statement_balance, book_balance, uncredited, \
    unpresented, unbooked_in, unbooked_out, finalised_by, finalised_at FROM coop_bank_reconciliations";

pub async fn reconciliations(db: &Db, bank_id: i64) -> Result<Vec<ReconciliationRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{RECON_SELECT} WHERE bank_account_id = $1 ORDER BY statement_date DESC")))
            .bind(bank_id).fetch_all(p).await
    })?)
}

/// The date of the latest finalised reconciliation of a bank account: nothing on or before it
/// may change (postings, matches, imported lines).
pub async fn reconciled_through_tx(tx: &mut Tx, bank_id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT statement_date FROM coop_bank_reconciliations WHERE bank_account_id = $1 \
             ORDER BY statement_date DESC LIMIT 1")
            .bind(bank_id).fetch_optional(c).await
    })?;
    Ok(row.map(|r| r.0))
}

pub struct NewReconciliation {
    pub statement_date: String,
    pub statement_balance: i64,
    pub book_balance: i64,
    pub uncredited: i64,
    pub unpresented: i64,
    pub unbooked_in: i64,
    pub unbooked_out: i64,
}

/// Stores a finalised reconciliation and locks the matches of statement lines dated on or
/// before its date.
pub async fn insert_reconciliation(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    bank_id: i64,
    r: &NewReconciliation,
) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_bank_reconciliations (cooperative_id, bank_account_id, statement_date, statement_balance, \
             book_balance, uncredited, unpresented, unbooked_in, unbooked_out, finalised_by, finalised_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id")
            .bind(coop.id).bind(bank_id).bind(&r.statement_date).bind(r.statement_balance).bind(r.book_balance)
            .bind(r.uncredited).bind(r.unpresented).bind(r.unbooked_in).bind(r.unbooked_out)
            .bind(actor.user_id).bind(crate::now()).fetch_one(c).await
    })?;
    on_tx!(tx, c => {
        sqlx::query(
            "UPDATE coop_bank_matches SET reconciliation_id = $1 WHERE bank_account_id = $2 AND reconciliation_id IS NULL \
             AND statement_line_id IN (SELECT id FROM coop_bank_statement_lines WHERE bank_account_id = $2 AND line_date <= $3)")
            .bind(id).bind(bank_id).bind(&r.statement_date).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!(
        "bank account {bank_id} as of {}: statement {}, books {}",
        r.statement_date, r.statement_balance, r.book_balance
    );
    crate::cooperative::audit_operation(
        tx,
        actor,
        coop,
        "cooperative.bank_reconciliation",
        "coop_bank_reconciliation",
        id,
        &details,
    )
    .await?;
    Ok(id)
}

/// Book lines of a bank account dated through `through` and not matched to a statement line
/// dated through `through` (the reconciliation's items as of that date).
pub async fn outstanding_book_tx(tx: &mut Tx, bank_id: i64, through: &str) -> Result<Vec<BookLine>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT l.id AS line_id, l.entry_id, l.entry_date, e.memo, l.debit, l.credit, m.statement_line_id \
             FROM coop_journal_lines l JOIN coop_journal_entries e ON e.id = l.entry_id \
             LEFT JOIN coop_bank_matches m ON m.journal_line_id = l.id \
             LEFT JOIN coop_bank_statement_lines s ON s.id = m.statement_line_id \
             WHERE l.bank_account_id = $1 AND l.account = 'bank' AND l.entry_date <= $2 \
             AND (m.id IS NULL OR s.line_date > $2) ORDER BY l.entry_date, l.id LIMIT 100000")
            .bind(bank_id).bind(through).fetch_all(c).await
    })?)
}

/// Statement lines dated through `through` not matched to a book line dated through `through`.
pub async fn outstanding_statement_tx(tx: &mut Tx, bank_id: i64, through: &str) -> Result<Vec<StatementLineRow>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT s.id, s.bank_account_id, s.line_date, s.description, s.flow, s.amount, s.balance, \
             m.journal_line_id, m.reconciliation_id FROM coop_bank_statement_lines s \
             LEFT JOIN coop_bank_matches m ON m.statement_line_id = s.id \
             LEFT JOIN coop_journal_lines l ON l.id = m.journal_line_id \
             WHERE s.bank_account_id = $1 AND s.line_date <= $2 AND (m.id IS NULL OR l.entry_date > $2) \
             ORDER BY s.line_date, s.id LIMIT 100000")
            .bind(bank_id).bind(through).fetch_all(c).await
    })?)
}

pub async fn unmatched_statement(db: &Db, bank_id: i64) -> Result<Vec<StatementLineRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{STATEMENT_SELECT} WHERE s.bank_account_id = $1 AND m.id IS NULL ORDER BY s.line_date, s.id LIMIT 100000")))
            .bind(bank_id).fetch_all(p).await
    })?)
}

pub async fn reconciled_through(db: &Db, bank_id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT statement_date FROM coop_bank_reconciliations WHERE bank_account_id = $1 \
             ORDER BY statement_date DESC LIMIT 1")
            .bind(bank_id).fetch_optional(p).await
    })?;
    Ok(row.map(|r| r.0))
}
