//! Loan products (issue 20, track "loans"): loan settings per cooperative and year, fees of a
//! disbursed loan, the month-end steps already run, penalty charges, rescheduling proposals
//! with the schedules they replaced, collateral and guarantors. Migration `0028_coop_loans`.
//! The rules are in `domain::cooperative::loans`; `app::coop_loans` runs each operation in one
//! transaction after `cooperative::lock`.

use crate::audit::{self, Actor, Event};
use crate::cooperative::{Cooperative, InstallmentRow, LoanPaid};
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::cooperative::loans::{LoanFees, LoanSettings, PenaltyCharge, PenaltyRule};
use domain::cooperative::{Basis, PpapRates, Rupiah, Schedule};
use serde::Serialize;

type SettingsRow = (i32, i32, i64, i32, i32, i32, i32, i32, i32, i32, i32, i32);

fn settings_of(r: SettingsRow) -> (i32, LoanSettings) {
    let bp = |v: i32| Basis::new(u32::try_from(v).unwrap_or(0)).unwrap_or(Basis::ZERO);
    let ppap = PpapRates::new([bp(r.7), bp(r.8), bp(r.9), bp(r.10), bp(r.11)]).unwrap_or_default();
    (
        r.0,
        LoanSettings {
            admin_fee: bp(r.1),
            admin_fee_fixed: Rupiah::new(r.2).unwrap_or_default(),
            provision_fee: bp(r.3),
            penalty: PenaltyRule { bp_per_month: bp(r.4), grace_days: u32::try_from(r.5).unwrap_or(0) },
            limit_x100: u32::try_from(r.6).unwrap_or(0),
            ppap,
        },
    )
}

/// Every year's loan settings of a cooperative, newest first.
pub async fn settings_list(db: &Db, coop_id: i64) -> Result<Vec<(i32, LoanSettings)>> {
    let rows: Vec<SettingsRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT year, admin_fee_bp, admin_fee_fixed, provision_fee_bp, penalty_bp, penalty_grace_days, limit_x100, \
             ppap1_bp, ppap2_bp, ppap3_bp, ppap4_bp, ppap5_bp FROM coop_loan_settings WHERE cooperative_id = $1 ORDER BY year DESC")
            .bind(coop_id).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(settings_of).collect())
}

/// Sets one year's loan settings (audited, one transaction).
pub async fn save_settings(db: &Db, actor: &Actor, coop: &Cooperative, year: i32, s: &LoanSettings) -> Result<()> {
    let mut tx = db.begin().await?;
    let b = |v: Basis| i32::try_from(v.bp()).unwrap_or(0);
    let r = s.ppap.rates();
    let now = crate::now();
    on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM coop_loan_settings WHERE cooperative_id = $1 AND year = $2")
            .bind(coop.id).bind(year).execute(c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO coop_loan_settings (cooperative_id, year, admin_fee_bp, admin_fee_fixed, provision_fee_bp, penalty_bp, \
             penalty_grace_days, limit_x100, ppap1_bp, ppap2_bp, ppap3_bp, ppap4_bp, ppap5_bp, updated_by, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)")
            .bind(coop.id).bind(year).bind(b(s.admin_fee)).bind(s.admin_fee_fixed.amount()).bind(b(s.provision_fee))
            .bind(b(s.penalty.bp_per_month)).bind(i32::try_from(s.penalty.grace_days).unwrap_or(0))
            .bind(i32::try_from(s.limit_x100).unwrap_or(0))
            .bind(b(r[0])).bind(b(r[1])).bind(b(r[2])).bind(b(r[3])).bind(b(r[4]))
            .bind(actor.user_id).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!(
        "year {year}: admin {} + {}, provisi {}, denda {} / bulan after {} days, limit x{}/100, ppap {:?}",
        s.admin_fee.bp(),
        s.admin_fee_fixed,
        s.provision_fee.bp(),
        s.penalty.bp_per_month.bp(),
        s.penalty.grace_days,
        s.limit_x100,
        r.map(|b| b.bp())
    );
    let id = coop.id.to_string();
    let ev = Event {
        action: "cooperative.loan_settings",
        entity: "cooperative",
        entity_id: &id,
        region_code: &coop.village_code,
        details: &details,
    };
    audit::append(&mut tx, actor, &ev).await?;
    tx.commit().await
}

pub async fn insert_fees(tx: &mut Tx, loan_id: i64, f: &LoanFees) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO coop_loan_fees (loan_id, admin_fee, provision_fee) VALUES ($1, $2, $3)")
            .bind(loan_id).bind(f.admin.amount()).bind(f.provision.amount()).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The fees taken when the loan was disbursed (`None` before, or when it had none recorded).
pub async fn loan_fees(db: &Db, loan_id: i64) -> Result<Option<LoanFees>> {
    let row: Option<(i64, i64)> = on_db!(db, p => {
        sqlx::query_as("SELECT admin_fee, provision_fee FROM coop_loan_fees WHERE loan_id = $1").bind(loan_id).fetch_optional(p).await
    })?;
    Ok(row.map(|(a, p)| LoanFees {
        admin: Rupiah::new(a).unwrap_or_default(),
        provision: Rupiah::new(p).unwrap_or_default(),
    }))
}

/// Claims a month-end step for a cooperative and month: `false` when it already ran (then the
/// caller posts nothing). Inside the posting transaction, so a failed run leaves no claim.
pub async fn claim_step(tx: &mut Tx, actor: &Actor, coop_id: i64, month_end: &str, step: &str) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO coop_month_steps (cooperative_id, month_end, step, entries, done_by, done_at) VALUES ($1,$2,$3,0,$4,$5) \
             ON CONFLICT (cooperative_id, month_end, step) DO NOTHING")
            .bind(coop_id).bind(month_end).bind(step).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn finish_step(tx: &mut Tx, coop_id: i64, month_end: &str, step: &str, entries: u32) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("UPDATE coop_month_steps SET entries = $1 WHERE cooperative_id = $2 AND month_end = $3 AND step = $4")
            .bind(i64::from(entries)).bind(coop_id).bind(month_end).bind(step).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Loans disbursed on or before `as_of` and not closed or written off before it: (loan,
/// member, principal, disbursed_on).
pub async fn loans_open_on_tx(tx: &mut Tx, coop_id: i64, as_of: &str) -> Result<Vec<(i64, i64, i64, String)>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT id, member_id, principal, disbursed_on FROM coop_loans WHERE cooperative_id = $1 \
             AND disbursed_on IS NOT NULL AND disbursed_on <= $2 AND (closed_on IS NULL OR closed_on > $2) \
             AND state IN ('disbursed', 'closed', 'written_off') ORDER BY id")
            .bind(coop_id).bind(as_of).fetch_all(c).await
    })?)
}

/// The same, outside a transaction (reports, key figures).
pub async fn loans_open_on(db: &Db, coop_id: i64, as_of: &str) -> Result<Vec<(i64, i64, i64, String)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, member_id, principal, disbursed_on FROM coop_loans WHERE cooperative_id = $1 \
             AND disbursed_on IS NOT NULL AND disbursed_on <= $2 AND (closed_on IS NULL OR closed_on > $2) \
             AND state IN ('disbursed', 'closed', 'written_off') ORDER BY id")
            .bind(coop_id).bind(as_of).fetch_all(p).await
    })?)
}

/// Paid on a loan through `as_of`, inside a transaction.
pub async fn loan_paid_on_tx(tx: &mut Tx, loan_id: i64, as_of: &str) -> Result<LoanPaid> {
    let rows: Vec<(String, i64)> = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT l.account, CAST(SUM(l.credit) - SUM(l.debit) AS BIGINT) FROM coop_journal_entries e \
             JOIN coop_journal_lines l ON l.entry_id = e.id \
             WHERE e.loan_id = $1 AND e.entry_date <= $2 AND e.operation = 'loan_repayment' \
             AND l.account IN ('penalty_income', 'jasa_income', 'loans_receivable') GROUP BY l.account")
            .bind(loan_id).bind(as_of).fetch_all(c).await
    })?;
    let mut p = LoanPaid::default();
    for (a, n) in rows {
        match a.as_str() {
            "penalty_income" => p.penalty += n,
            "jasa_income" => p.interest += n,
            _ => p.principal += n,
        }
    }
    Ok(p)
}

pub async fn insert_penalty_charge(tx: &mut Tx, loan_id: i64, month_end: &str, ch: &PenaltyCharge) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO coop_loan_penalty_charges (loan_id, month_end, installment, unpaid, days, amount) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(loan_id).bind(month_end).bind(i32::from(ch.installment)).bind(ch.unpaid.amount())
            .bind(i64::from(ch.days)).bind(ch.amount.amount()).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PenaltyChargeRow {
    pub month_end: String,
    pub installment: i32,
    pub unpaid: i64,
    pub days: i64,
    pub amount: i64,
}

pub async fn penalty_charges(db: &Db, loan_id: i64) -> Result<Vec<PenaltyChargeRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT month_end, installment, unpaid, CAST(days AS BIGINT) AS days, amount FROM coop_loan_penalty_charges \
             WHERE loan_id = $1 ORDER BY month_end, installment")
            .bind(loan_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------------------------------------
// Rescheduling

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Reschedule {
    pub id: i64,
    pub loan_id: i64,
    pub state: String,
    pub months: i32,
    pub rate_ppm: i32,
    pub method: String,
    pub reason: String,
    pub proposed_on: String,
    pub proposed_by: Option<i64>,
    pub decided_on: Option<String>,
    pub decided_by: Option<i64>,
}

const RESCHEDULE_COLUMNS: &str =
    "id, loan_id, state, months, rate_ppm, method, reason, proposed_on, proposed_by, decided_on, decided_by";

pub struct NewReschedule<'a> {
    pub loan_id: i64,
    pub months: u16,
    pub rate_ppm: u32,
    pub method: &'a str,
    pub reason: &'a str,
    pub proposed_on: &'a str,
}

pub async fn insert_reschedule(tx: &mut Tx, actor: &Actor, n: &NewReschedule<'_>) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_loan_reschedules (loan_id, state, months, rate_ppm, method, reason, proposed_on, proposed_by, created_at) \
             VALUES ($1, 'proposed', $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(n.loan_id).bind(i32::from(n.months)).bind(i64::from(n.rate_ppm)).bind(n.method).bind(n.reason)
            .bind(n.proposed_on).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    Ok(id)
}

pub async fn reschedules(db: &Db, loan_id: i64) -> Result<Vec<Reschedule>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RESCHEDULE_COLUMNS} FROM coop_loan_reschedules WHERE loan_id = $1 ORDER BY id DESC")))
            .bind(loan_id).fetch_all(p).await
    })?)
}

pub async fn reschedule_tx(tx: &mut Tx, id: i64) -> Result<Option<Reschedule>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {RESCHEDULE_COLUMNS} FROM coop_loan_reschedules WHERE id = $1")))
            .bind(id).fetch_optional(c).await
    })?)
}

/// Whether the loan has a proposal waiting for a decision.
pub async fn pending_reschedule_tx(tx: &mut Tx, loan_id: i64) -> Result<bool> {
    let n: (i64,) = on_tx!(tx, c => {
        sqlx::query_as("SELECT COUNT(*) FROM coop_loan_reschedules WHERE loan_id = $1 AND state = 'proposed'")
            .bind(loan_id).fetch_one(c).await
    })?;
    Ok(n.0 > 0)
}

/// Moves a proposal from `proposed` to `to`; `false` when it had moved meanwhile.
pub async fn decide_reschedule(tx: &mut Tx, actor: &Actor, id: i64, to: &str, on: &str) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query("UPDATE coop_loan_reschedules SET state = $1, decided_on = $2, decided_by = $3 WHERE id = $4 AND state = 'proposed'")
            .bind(to).bind(on).bind(actor.user_id).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Keeps the loan's current schedule in history under the approved proposal.
pub async fn archive_schedule(tx: &mut Tx, reschedule_id: i64, loan_id: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO coop_loan_schedule_history (reschedule_id, loan_id, number, due_date, principal, interest, total, balance_after) \
             SELECT $1, loan_id, number, due_date, principal, interest, total, balance_after FROM coop_loan_installments WHERE loan_id = $2")
            .bind(reschedule_id).bind(loan_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Replaced schedules of a loan: (proposal id, rows), the newest replacement first.
pub async fn schedule_history(db: &Db, loan_id: i64) -> Result<Vec<(i64, Vec<InstallmentRow>)>> {
    let rows: Vec<(i64, i32, String, i64, i64, i64, i64)> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT reschedule_id, number, due_date, principal, interest, total, balance_after FROM coop_loan_schedule_history \
             WHERE loan_id = $1 ORDER BY reschedule_id DESC, number")
            .bind(loan_id).fetch_all(p).await
    })?;
    let mut out: Vec<(i64, Vec<InstallmentRow>)> = Vec::new();
    for (rid, number, due_date, principal, interest, total, balance_after) in rows {
        let row = InstallmentRow { number, due_date, principal, interest, total, balance_after };
        match out.last_mut() {
            Some((id, v)) if *id == rid => v.push(row),
            _ => out.push((rid, vec![row])),
        }
    }
    Ok(out)
}

pub async fn replace_schedule(tx: &mut Tx, loan_id: i64, s: &Schedule) -> Result<()> {
    crate::cooperative::replace_installments(tx, loan_id, s).await
}

// ---------------------------------------------------------------------------------------------
// Collateral and guarantors

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Collateral {
    pub id: i64,
    pub loan_id: i64,
    pub kind: String,
    pub description: String,
    pub estimated_value: i64,
    pub document_held: i32,
}

pub async fn insert_collateral(
    tx: &mut Tx,
    actor: &Actor,
    loan_id: i64,
    kind: &str,
    description: &str,
    value: i64,
    held: bool,
) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_loan_collaterals (loan_id, kind, description, estimated_value, document_held, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(loan_id).bind(kind).bind(description).bind(value).bind(i32::from(held)).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    Ok(id)
}

pub async fn collaterals(db: &Db, loan_id: i64) -> Result<Vec<Collateral>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, loan_id, kind, description, estimated_value, document_held FROM coop_loan_collaterals WHERE loan_id = $1 ORDER BY id")
            .bind(loan_id).fetch_all(p).await
    })?)
}

/// Collateral of every loan of a cooperative, inside a transaction.
pub async fn collaterals_of_coop_tx(tx: &mut Tx, coop_id: i64) -> Result<Vec<Collateral>> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT k.id, k.loan_id, k.kind, k.description, k.estimated_value, k.document_held FROM coop_loan_collaterals k \
             JOIN coop_loans l ON l.id = k.loan_id WHERE l.cooperative_id = $1 ORDER BY k.id")
            .bind(coop_id).fetch_all(c).await
    })?)
}

pub async fn collaterals_of_coop(db: &Db, coop_id: i64) -> Result<Vec<Collateral>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT k.id, k.loan_id, k.kind, k.description, k.estimated_value, k.document_held FROM coop_loan_collaterals k \
             JOIN coop_loans l ON l.id = k.loan_id WHERE l.cooperative_id = $1 ORDER BY k.id")
            .bind(coop_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Guarantor {
    pub id: i64,
    pub loan_id: i64,
    pub member_id: Option<i64>,
    pub name: String,
    pub relation: String,
}

pub async fn insert_guarantor(
    tx: &mut Tx,
    actor: &Actor,
    loan_id: i64,
    member_id: Option<i64>,
    name: &str,
    relation: &str,
) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_loan_guarantors (loan_id, member_id, name, relation, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(loan_id).bind(member_id).bind(name).bind(relation).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    Ok(id)
}

pub async fn guarantors(db: &Db, loan_id: i64) -> Result<Vec<Guarantor>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, loan_id, member_id, name, relation FROM coop_loan_guarantors WHERE loan_id = $1 ORDER BY id")
            .bind(loan_id).fetch_all(p).await
    })?)
}
