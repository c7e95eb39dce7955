//! Savings products of the cooperative (issue 20, deposits track): deposits settings per year,
//! time deposits, interest on sukarela per member and month, and the month-end run's finished
//! steps. Postings themselves go through `store::cooperative::post` inside the caller's
//! transaction (after `store::cooperative::lock`).

use crate::audit::Actor;
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::cooperative::Rupiah;
use domain::cooperative::deposits::{DepositSettings, InterestBasis};
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(sqlx::FromRow)]
struct SettingsRow {
    year: i32,
    max_deposit_rate_bp: i32,
    early_penalty_bp: i32,
    sukarela_rate_bp: i32,
    basis: String,
    min_balance: i64,
    withholding_tax: i32,
    tax_note: String,
}

impl SettingsRow {
    fn into_domain(self) -> (i32, DepositSettings) {
        let bp = |n: i32| u32::try_from(n).unwrap_or(0);
        (
            self.year,
            DepositSettings {
                max_deposit_rate_bp: bp(self.max_deposit_rate_bp),
                early_penalty_bp: bp(self.early_penalty_bp),
                sukarela_rate_bp: bp(self.sukarela_rate_bp),
                basis: InterestBasis::parse(&self.basis).unwrap_or(InterestBasis::Minimum),
                min_balance: Rupiah::new(self.min_balance).unwrap_or_default(),
                withholding_tax: self.withholding_tax != 0,
                tax_note: self.tax_note,
            },
        )
    }
}

/// Every year's settings, newest first.
pub async fn settings_list(db: &Db, coop_id: i64) -> Result<Vec<(i32, DepositSettings)>> {
    let rows: Vec<SettingsRow> = on_db!(db, p => {
        sqlx::query_as("SELECT year, max_deposit_rate_bp, early_penalty_bp, sukarela_rate_bp, basis, min_balance, \
                        withholding_tax, tax_note FROM coop_deposit_settings WHERE cooperative_id = $1 ORDER BY year DESC")
            .bind(coop_id).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(SettingsRow::into_domain).collect())
}

/// Sets one year's settings (replacing that year's).
pub async fn save_settings(tx: &mut Tx, actor: &Actor, coop_id: i64, year: i32, s: &DepositSettings) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM coop_deposit_settings WHERE cooperative_id = $1 AND year = $2")
            .bind(coop_id).bind(year).execute(c).await.map(|r| r.rows_affected())
    })?;
    let bp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO coop_deposit_settings (cooperative_id, year, max_deposit_rate_bp, early_penalty_bp, \
                     sukarela_rate_bp, basis, min_balance, withholding_tax, tax_note, updated_by, updated_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)")
            .bind(coop_id).bind(year).bind(bp(s.max_deposit_rate_bp)).bind(bp(s.early_penalty_bp))
            .bind(bp(s.sukarela_rate_bp)).bind(s.basis.as_str()).bind(s.min_balance.amount())
            .bind(i32::from(s.withholding_tax)).bind(&s.tax_note).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Time deposits

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TimeDeposit {
    pub id: i64,
    pub cooperative_id: i64,
    pub member_id: i64,
    pub principal: i64,
    pub months: i32,
    pub annual_rate_bp: i32,
    pub start_date: String,
    pub maturity_date: String,
    /// rollover_principal, rollover_all, payout_cash or payout_sukarela.
    pub at_maturity: String,
    /// cash or sukarela.
    pub funding: String,
    /// open, matured, rolled_over or withdrawn.
    pub state: String,
    pub opening_entry_id: i64,
    pub closing_entry_id: Option<i64>,
    pub closed_on: Option<String>,
    pub interest: i64,
    pub tax: i64,
    pub penalty: i64,
    pub rolled_from_id: Option<i64>,
    pub created_at: i64,
}

const DEPOSIT_COLUMNS: &str = "id, cooperative_id, member_id, principal, months, annual_rate_bp, start_date, \
    maturity_date, at_maturity, funding, state, opening_entry_id, closing_entry_id, closed_on, interest, tax, penalty, \
    rolled_from_id, created_at";

pub struct NewDeposit<'a> {
    pub cooperative_id: i64,
    pub member_id: i64,
    pub principal: i64,
    pub months: i32,
    pub annual_rate_bp: i32,
    pub start_date: &'a str,
    pub maturity_date: &'a str,
    pub at_maturity: &'a str,
    pub funding: &'a str,
    pub opening_entry_id: i64,
    pub rolled_from_id: Option<i64>,
}

pub async fn insert_deposit(tx: &mut Tx, actor: &Actor, n: &NewDeposit<'_>) -> Result<TimeDeposit> {
    let sql = format!(
        "INSERT INTO coop_time_deposits (cooperative_id, member_id, principal, months, annual_rate_bp, start_date, \
         maturity_date, at_maturity, funding, state, opening_entry_id, rolled_from_id, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'open',$10,$11,$12,$13) RETURNING {DEPOSIT_COLUMNS}"
    );
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(n.cooperative_id).bind(n.member_id).bind(n.principal).bind(n.months).bind(n.annual_rate_bp)
            .bind(n.start_date).bind(n.maturity_date).bind(n.at_maturity).bind(n.funding).bind(n.opening_entry_id)
            .bind(n.rolled_from_id).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?)
}

pub struct DepositClose<'a> {
    pub state: &'a str,
    pub closing_entry_id: i64,
    pub closed_on: &'a str,
    pub interest: i64,
    pub tax: i64,
    pub penalty: i64,
}

/// Closes an open deposit; false when it was no longer open (nothing changed).
pub async fn close_deposit(tx: &mut Tx, id: i64, d: &DepositClose<'_>) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query("UPDATE coop_time_deposits SET state = $2, closing_entry_id = $3, closed_on = $4, interest = $5, \
                     tax = $6, penalty = $7 WHERE id = $1 AND state = 'open'")
            .bind(id).bind(d.state).bind(d.closing_entry_id).bind(d.closed_on).bind(d.interest).bind(d.tax)
            .bind(d.penalty).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn get_deposit(db: &Db, id: i64) -> Result<Option<TimeDeposit>> {
    let sql = format!("SELECT {DEPOSIT_COLUMNS} FROM coop_time_deposits WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await)?)
}

pub async fn get_deposit_tx(tx: &mut Tx, id: i64) -> Result<Option<TimeDeposit>> {
    let sql = format!("SELECT {DEPOSIT_COLUMNS} FROM coop_time_deposits WHERE id = $1");
    Ok(on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(c).await)?)
}

/// How many of a member's time deposits are still open.
pub async fn open_deposits_tx(tx: &mut Tx, member_id: i64) -> Result<i64> {
    let (n,): (i64,) = on_tx!(tx, c => sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM coop_time_deposits WHERE member_id = $1 AND closed_on IS NULL")
        .bind(member_id).fetch_one(c).await)?;
    Ok(n)
}

/// A cooperative's deposits (or one member's), newest first.
pub async fn list_deposits(db: &Db, coop_id: i64, member_id: Option<i64>) -> Result<Vec<TimeDeposit>> {
    let sql = format!(
        "SELECT {DEPOSIT_COLUMNS} FROM coop_time_deposits WHERE cooperative_id = $1 AND ($2 IS NULL OR member_id = $2) \
         ORDER BY id DESC LIMIT 1000"
    );
    Ok(
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(coop_id).bind(member_id).fetch_all(p).await)?,
    )
}

/// Open deposits maturing on or before `through`, oldest maturity first.
pub async fn maturing_tx(tx: &mut Tx, coop_id: i64, through: &str) -> Result<Vec<TimeDeposit>> {
    let sql = format!(
        "SELECT {DEPOSIT_COLUMNS} FROM coop_time_deposits WHERE cooperative_id = $1 AND state = 'open' \
         AND maturity_date <= $2 ORDER BY maturity_date, id"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(coop_id).bind(through).fetch_all(c).await)?,
    )
}

// ---------------------------------------------------------------------------------------------
// Interest on sukarela

/// Every member's sukarela balance (credit minus debit) at the end of `before` (the day before
/// the month): (member, balance).
pub async fn sukarela_opening_tx(tx: &mut Tx, coop_id: i64, before: &str) -> Result<Vec<(i64, i64)>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT member_id, CAST(SUM(credit) - SUM(debit) AS BIGINT) FROM coop_journal_lines \
             WHERE cooperative_id = $1 AND account = 'simpanan_sukarela' AND member_id IS NOT NULL AND entry_date <= $2 \
             GROUP BY member_id")
            .bind(coop_id).bind(before).fetch_all(c).await
    })?)
}

/// The month's sukarela movements per member and day: (member, date, credit minus debit).
pub async fn sukarela_movements_tx(
    tx: &mut Tx,
    coop_id: i64,
    first: &str,
    last: &str,
) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT member_id, entry_date, CAST(SUM(credit) - SUM(debit) AS BIGINT) FROM coop_journal_lines \
             WHERE cooperative_id = $1 AND account = 'simpanan_sukarela' AND member_id IS NOT NULL \
             AND entry_date >= $2 AND entry_date <= $3 GROUP BY member_id, entry_date")
            .bind(coop_id).bind(first).bind(last).fetch_all(c).await
    })?)
}

/// Members active on `day` (joined on or before, not left before): the ones who earn interest.
pub async fn active_members_tx(tx: &mut Tx, coop_id: i64, day: &str) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT id FROM coop_members WHERE cooperative_id = $1 AND joined_on <= $2 \
                        AND (left_on IS NULL OR left_on > $2) ORDER BY id")
            .bind(coop_id).bind(day).fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_interest(
    tx: &mut Tx,
    coop_id: i64,
    month: &str,
    member_id: i64,
    basis: i64,
    interest: i64,
    tax: i64,
    entry_id: i64,
) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO coop_savings_interest (cooperative_id, month, member_id, basis, interest, tax, entry_id) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(coop_id).bind(month).bind(member_id).bind(basis).bind(interest).bind(tax).bind(entry_id)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InterestRow {
    pub month: String,
    pub member_id: i64,
    pub basis: i64,
    pub interest: i64,
    pub tax: i64,
    pub entry_id: i64,
}

/// A member's interest by month (passbook).
pub async fn member_interest(db: &Db, member_id: i64) -> Result<Vec<InterestRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT month, member_id, basis, interest, tax, entry_id FROM coop_savings_interest \
                        WHERE member_id = $1 ORDER BY month")
            .bind(member_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------------------------------------
// Month-end steps

/// Whether (cooperative, month, step) has finished.
pub async fn step_done_tx(tx: &mut Tx, coop_id: i64, month: &str, step: &str) -> Result<bool> {
    let row: Option<(i32,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT entries FROM coop_month_end_steps WHERE cooperative_id = $1 AND month = $2 AND step = $3")
            .bind(coop_id).bind(month).bind(step).fetch_optional(c).await
    })?;
    Ok(row.is_some())
}

/// Marks a step finished, in the step's own transaction (the primary key refuses a second).
pub async fn finish_step(
    tx: &mut Tx,
    actor: &Actor,
    coop_id: i64,
    month: &str,
    step: &str,
    entries: u32,
) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO coop_month_end_steps (cooperative_id, month, step, entries, finished_by, finished_at) \
                     VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(coop_id).bind(month).bind(step).bind(i32::try_from(entries).unwrap_or(i32::MAX))
            .bind(actor.user_id).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StepRow {
    pub month: String,
    pub step: String,
    pub entries: i32,
    pub finished_at: i64,
}

/// A cooperative's finished steps, newest month first.
pub async fn steps(db: &Db, coop_id: i64) -> Result<Vec<StepRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT month, step, entries, finished_at FROM coop_month_end_steps WHERE cooperative_id = $1 \
                        ORDER BY month DESC, step LIMIT 120")
            .bind(coop_id).fetch_all(p).await
    })?)
}

/// Every cooperative id (the runner's list), in id order.
pub async fn cooperative_ids(db: &Db) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        on_db!(db, p => sqlx::query_as("SELECT id FROM coop_cooperatives ORDER BY id").fetch_all(p).await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A member, read inside a posting transaction.
pub async fn member_tx(tx: &mut Tx, id: i64) -> Result<Option<crate::cooperative::Member>> {
    let sql = format!("SELECT {} FROM coop_members WHERE id = $1", crate::cooperative::MEMBER_COLUMNS);
    Ok(on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(c).await)?)
}
