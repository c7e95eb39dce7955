//! Cash and bank of a cooperative (issue 20, track bank): bank accounts, transfers between cash
//! and banks, income and expenses through a bank, statement import, matching and the bank
//! reconciliation. The one door for pages and API: each function checks the caller may see
//! (`ViewCooperative`) or manage (`ManageCooperative`) the cooperative, validates with
//! `domain::cooperative::bank`, and writes in one transaction started with
//! `store::cooperative::lock` (closed periods, value dates) with its audit entry.
//!
//! Rules beyond the posting rules of every operation: a bank account is used only on days it
//! is open; nothing dated on or before its last finalised reconciliation is posted, matched or
//! imported on it.

use crate::App as AppState;
use crate::cooperative::{Cooperative, NumTextSer, OpError, amount, coop_today, founded, journal_refusal, value_date};
use domain::access::{Action, Principal};
use domain::cooperative::bank::{
    self as bk, BankAccountInput, BankOperation, Flow, LineRefusal, MappingOverride, Movement, Reconciliation,
    TransferKind,
};
use domain::cooperative::{Account, OperationKind, Rupiah};
use domain::person::parse_date;
use domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use store::audit::Actor;
use store::coop_bank as sb;
pub use store::coop_bank::{BankAccountRow, BookLine, ReconciliationRow, StatementLineRow};
use store::cooperative as st;
use time::Date;

type Result<T> = std::result::Result<T, OpError>;

fn invalid<T>(field: &str, rule: Rule, detail: impl Into<String>) -> Result<T> {
    Err(OpError::Invalid(ValidationErrors::single(field, rule, detail)))
}

fn may_view(p: &Principal, c: &Cooperative) -> Result<()> {
    if c.village().is_some_and(|v| p.can(Action::ViewCooperative, Some(&v))) { Ok(()) } else { Err(OpError::NotFound) }
}

/// The cooperative's books may be changed by the caller (403 otherwise; 404 when they may not
/// even see it). Handlers call it before reading a body.
pub fn require_manage(p: &Principal, c: &Cooperative) -> Result<()> {
    may_manage(p, c)
}

fn may_manage(p: &Principal, c: &Cooperative) -> Result<()> {
    may_view(p, c)?;
    if c.village().is_some_and(|v| p.can(Action::ManageCooperative, Some(&v))) {
        Ok(())
    } else {
        Err(OpError::Forbidden)
    }
}

/// The bank account if it belongs to the cooperative (404 otherwise).
pub async fn account_of(state: &AppState, principal: &Principal, c: &Cooperative, id: i64) -> Result<BankAccountRow> {
    may_view(principal, c)?;
    sb::get_account(&state.db, id).await?.filter(|a| a.cooperative_id == c.id).ok_or(OpError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

/// A new bank account of the cooperative.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"bank_name": "BRI", "branch": "Unit Masabewa", "account_number": "0123-01-000456-50-9",
    "account_name": "Koperasi Desmigratif Masabewa", "opened_on": "2026-01-05"}))]
pub struct BankAccountBody {
    #[serde(default)]
    pub bank_name: String,
    #[serde(default)]
    pub branch: String,
    /// 5–20 digits; spaces, dots and dashes are left out.
    #[serde(default)]
    pub account_number: String,
    #[serde(default)]
    pub account_name: String,
    /// YYYY-MM-DD, not after today.
    #[serde(default)]
    pub opened_on: String,
    /// YYYY-MM-DD, empty while open.
    #[serde(default)]
    pub closed_on: String,
}

/// A bank account with its balance in the books.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankAccountView {
    pub id: i64,
    pub bank_name: String,
    pub branch: String,
    pub account_number: String,
    pub account_name: String,
    pub opened_on: String,
    pub closed_on: Option<String>,
    /// Debits minus credits of its lines on account 1102 (whole rupiah).
    pub balance: i64,
    /// The statement date of its last finalised reconciliation.
    pub reconciled_through: Option<String>,
}

fn view(a: BankAccountRow, balance: i64, reconciled_through: Option<String>) -> BankAccountView {
    BankAccountView {
        id: a.id,
        bank_name: a.bank_name,
        branch: a.branch,
        account_number: a.account_number,
        account_name: a.account_name,
        opened_on: a.opened_on,
        closed_on: a.closed_on,
        balance,
        reconciled_through,
    }
}

pub async fn open_account(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    input: &BankAccountBody,
) -> Result<BankAccountView> {
    may_manage(principal, c)?;
    let today = coop_today(state, c);
    let a = bk::validate_bank_account(
        &BankAccountInput {
            bank_name: &input.bank_name,
            branch: &input.branch,
            account_number: &input.account_number,
            account_name: &input.account_name,
            opened_on: &input.opened_on,
            closed_on: &input.closed_on,
        },
        today,
    )?;
    if founded(c).is_some_and(|f| a.opened_on < f) {
        return invalid(
            "opened_on",
            Rule::OutOfRange,
            format!("not before the cooperative was founded ({})", c.founded_on),
        );
    }
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let id = match sb::insert_account(&mut tx, actor, c, &a).await {
        Ok(id) => id,
        Err(e) if store::is_unique_violation(&e) => {
            return invalid("account_number", Rule::Taken, "this cooperative already has this account number");
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    let row = sb::get_account(&state.db, id).await?.ok_or(OpError::NotFound)?;
    Ok(view(row, 0, None))
}

/// The cooperative's bank accounts with their balances through `as_of` (today when `None`).
pub async fn accounts(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    as_of: Option<Date>,
) -> Result<Vec<BankAccountView>> {
    may_view(principal, c)?;
    let as_of = as_of.map_or_else(|| "9999-12-31".to_string(), |d| d.to_string());
    let nets: std::collections::HashMap<i64, i64> = sb::bank_nets(&state.db, c.id, &as_of).await?.into_iter().collect();
    let mut out = Vec::new();
    for a in sb::list_accounts(&state.db, c.id).await? {
        let through = sb::reconciled_through(&state.db, a.id).await?;
        let balance = nets.get(&a.id).copied().unwrap_or(0);
        out.push(view(a, balance, through));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Postings

/// A transfer between cash and banks.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"kind": "cash_to_bank", "to_bank_account_id": 1, "amount": 5000000,
    "memo": "Setor tunai ke BRI", "date": "2026-03-02"}))]
pub struct TransferInput {
    /// cash_to_bank, bank_to_cash or bank_to_bank.
    #[serde(default)]
    pub kind: String,
    /// The bank account money leaves (bank_to_cash, bank_to_bank).
    #[serde(default)]
    pub from_bank_account_id: Option<i64>,
    /// The bank account money arrives in (cash_to_bank, bank_to_bank).
    #[serde(default)]
    pub to_bank_account_id: Option<i64>,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub amount: NumTextSer,
    #[serde(default)]
    pub memo: String,
    /// Value date, YYYY-MM-DD (today when empty).
    #[serde(default)]
    pub date: String,
}

/// Checks that a bank account of the cooperative may take a posting dated `date`: it exists,
/// is open that day, and the day is after its last finalised reconciliation.
async fn usable_bank(
    tx: &mut store::Tx,
    errs: &mut ValidationErrors,
    c: &Cooperative,
    field: &str,
    id: Option<i64>,
    date: Option<Date>,
) -> Result<Option<i64>> {
    let Some(id) = id else {
        errs.add(field, Rule::Required, "a bank account of this cooperative");
        return Ok(None);
    };
    let Some(a) = sb::get_account_tx(tx, id).await?.filter(|a| a.cooperative_id == c.id) else {
        errs.add(field, Rule::OneOf, "a bank account of this cooperative");
        return Ok(None);
    };
    let Some(date) = date else { return Ok(Some(id)) };
    let opened = parse_date(&a.opened_on).unwrap_or(date);
    let closed = a.closed_on.as_deref().and_then(parse_date);
    if !bk::is_open_on(opened, closed, date) {
        errs.add(
            "date",
            Rule::OutOfRange,
            format!("the bank account is open from {} to {}", a.opened_on, a.closed_on.as_deref().unwrap_or("today")),
        );
        return Ok(None);
    }
    if let Some(r) = sb::reconciled_through_tx(tx, id).await?
        && date.to_string() <= r
    {
        errs.add("date", Rule::OutOfRange, format!("the bank account is reconciled through {r}"));
        return Ok(None);
    }
    Ok(Some(id))
}

/// Posts a transfer: one balanced entry (see `BankOperation::entry`).
pub async fn transfer(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    input: &TransferInput,
) -> Result<i64> {
    may_manage(principal, c)?;
    let mut errs = ValidationErrors::new();
    let kind = TransferKind::parse(input.kind.trim());
    if kind.is_none() {
        errs.add("kind", Rule::OneOf, "cash_to_bank, bank_to_cash, bank_to_bank");
    }
    let amt = amount(&mut errs, "amount", input.amount.as_str());
    let memo = domain::validation::text(&mut errs, "memo", &input.memo, 3, 300);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let date = value_date(&mut errs, &input.date, coop_today(state, c), closed, founded(c));
    let needs_from = matches!(kind, Some(TransferKind::BankToCash | TransferKind::BankToBank));
    let needs_to = matches!(kind, Some(TransferKind::CashToBank | TransferKind::BankToBank));
    let from = if needs_from {
        usable_bank(&mut tx, &mut errs, c, "from_bank_account_id", input.from_bank_account_id, date).await?
    } else {
        None
    };
    let to = if needs_to {
        usable_bank(&mut tx, &mut errs, c, "to_bank_account_id", input.to_bank_account_id, date).await?
    } else {
        None
    };
    if kind == Some(TransferKind::BankToBank) && from.is_some() && from == to {
        errs.add("to_bank_account_id", Rule::Mismatch, "another bank account than the one money leaves");
    }
    errs.into_result()?;
    let (Some(kind), Some(amt), Some(date)) = (kind, amt, date) else {
        return invalid("amount", Rule::Required, "an amount in whole rupiah");
    };
    let op = match (kind, from, to) {
        (TransferKind::CashToBank, _, Some(to)) => BankOperation::CashToBank { to, amount: amt },
        (TransferKind::BankToCash, Some(from), _) => BankOperation::BankToCash { from, amount: amt },
        (TransferKind::BankToBank, Some(from), Some(to)) => BankOperation::BankToBank { from, to, amount: amt },
        _ => return invalid("kind", Rule::OneOf, "cash_to_bank, bank_to_cash, bank_to_bank"),
    };
    let id = post(&mut tx, actor, c, &op, date, &memo, OperationKind::BankTransfer).await?;
    tx.commit().await?;
    Ok(id)
}

/// Income received into, or an expense paid from, a bank account.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"account": "operating_expense", "amount": 6500, "memo": "Biaya administrasi bank", "date": "2026-03-05"}))]
pub struct BankEntryInput {
    /// other_income (money in), operating_expense, staff_expense or savings_interest_expense
    /// (money out).
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub amount: NumTextSer,
    #[serde(default)]
    pub memo: String,
    #[serde(default)]
    pub date: String,
}

fn entry_account(errs: &mut ValidationErrors, raw: &str) -> Option<Account> {
    let a = Account::parse(raw.trim()).filter(|a| bk::ENTRY_ACCOUNTS.contains(a));
    if a.is_none() {
        errs.add("account", Rule::OneOf, "other_income, operating_expense, staff_expense, savings_interest_expense");
    }
    a
}

fn op_kind(account: Account) -> OperationKind {
    if account == Account::OtherIncome { OperationKind::OtherIncome } else { OperationKind::Expense }
}

pub async fn bank_entry(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
    input: &BankEntryInput,
) -> Result<i64> {
    account_of(state, principal, c, bank_id).await?;
    may_manage(principal, c)?;
    let mut errs = ValidationErrors::new();
    let account = entry_account(&mut errs, &input.account);
    let amt = amount(&mut errs, "amount", input.amount.as_str());
    let memo = domain::validation::text(&mut errs, "memo", &input.memo, 3, 300);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let date = value_date(&mut errs, &input.date, coop_today(state, c), closed, founded(c));
    usable_bank(&mut tx, &mut errs, c, "bank_account_id", Some(bank_id), date).await?;
    errs.into_result()?;
    let (Some(account), Some(amt), Some(date)) = (account, amt, date) else {
        return invalid("amount", Rule::Required, "an amount in whole rupiah");
    };
    let flow = bk::entry_flow(account).unwrap_or(Flow::Out);
    let op = BankOperation::Entry { bank: bank_id, account, flow, amount: amt };
    let id = post(&mut tx, actor, c, &op, date, &memo, op_kind(account)).await?;
    tx.commit().await?;
    Ok(id)
}

async fn post(
    tx: &mut store::Tx,
    actor: &Actor,
    c: &Cooperative,
    op: &BankOperation,
    date: Date,
    memo: &str,
    kind: OperationKind,
) -> Result<i64> {
    let entry = op.entry(date, memo).map_err(journal_refusal)?;
    let posting = st::Posting {
        cooperative_id: c.id,
        entry: &entry,
        operation: kind,
        member_id: None,
        loan_id: None,
        reverses_id: None,
    };
    let id = st::post(tx, actor, &posting).await?;
    st::audit_operation(
        tx,
        actor,
        c,
        &format!("cooperative.{kind}"),
        "coop_journal_entry",
        id,
        "through a bank account",
    )
    .await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Books

/// The bank book of one account from `from` to `to`: the opening balance and each line.
pub async fn bank_book(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    bank_id: i64,
    from: Date,
    to: Date,
) -> Result<(BankAccountRow, i64, Vec<BookLine>)> {
    let a = account_of(state, principal, c, bank_id).await?;
    let (opening, rows) = sb::bank_book(&state.db, bank_id, &from.to_string(), &to.to_string()).await?;
    Ok((a, opening, rows))
}

// ---------------------------------------------------------------------------------------------
// Statement import

/// How to read a statement file; empty column names mean "as guessed".
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ImportOptions {
    #[serde(default)]
    pub file_name: String,
    /// For dates printed without a year (15/03).
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub date_column: String,
    #[serde(default)]
    pub description_column: String,
    #[serde(default)]
    pub debit_column: String,
    #[serde(default)]
    pub credit_column: String,
    #[serde(default)]
    pub amount_column: String,
    #[serde(default)]
    pub direction_column: String,
    #[serde(default)]
    pub balance_column: String,
    /// false: preview only (nothing is written); true: import the new lines.
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MappingView {
    pub date: String,
    pub description: String,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub amount: Option<String>,
    pub direction: Option<String>,
    pub balance: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewLine {
    pub row: usize,
    pub date: String,
    pub description: String,
    /// in or out.
    pub flow: String,
    pub amount: i64,
    pub balance: Option<i64>,
    /// false when the same line was imported before.
    pub new: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefusedView {
    pub row: usize,
    /// no_year, bad_date, both_amounts, no_amount, bad_amount, bad_direction, bad_balance, reconciled.
    pub reason: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub headers: Vec<String>,
    pub mapping: MappingView,
    pub lines: Vec<PreviewLine>,
    pub refused: Vec<RefusedView>,
    pub new_lines: i64,
    pub known_lines: i64,
    /// Whether anything was written (confirm was true).
    pub imported: bool,
    pub import_id: Option<i64>,
}

/// Reads a statement CSV for one bank account: with `confirm` false only the preview (the
/// mapping, each line, refused lines with reasons, which are new); with `confirm` true the new
/// lines are imported in one transaction. The same file imported twice adds nothing.
pub async fn import_statement(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
    bytes: &[u8],
    o: &ImportOptions,
) -> Result<ImportReport> {
    account_of(state, principal, c, bank_id).await?;
    may_manage(principal, c)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return invalid("file", Rule::Required, "a bank statement CSV file");
    }
    let over = MappingOverride {
        date: &o.date_column,
        description: &o.description_column,
        debit: &o.debit_column,
        credit: &o.credit_column,
        amount: &o.amount_column,
        direction: &o.direction_column,
        balance: &o.balance_column,
    };
    if o.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return invalid("year", Rule::OutOfRange, "a year from 2000 to 2100");
    }
    let parsed = bk::parse_statement(bytes, &over, o.year).map_err(|e| {
        let field = match &e {
            bk::StatementError::UnknownColumn(_) => "columns",
            _ => "file",
        };
        OpError::Invalid(ValidationErrors::single(field, Rule::Format, e.to_string()))
    })?;
    let known = sb::known_fingerprints(&state.db, bank_id).await?;
    let name = |i: Option<usize>| i.and_then(|i| parsed.headers.get(i).cloned());
    let (debit, credit, amount_col, direction) = match &parsed.mapping.amounts {
        bk::AmountColumns::DebitCredit { debit, credit } => (name(Some(*debit)), name(Some(*credit)), None, None),
        bk::AmountColumns::Single { amount, direction } => (None, None, name(Some(*amount)), name(*direction)),
    };
    let mapping = MappingView {
        date: name(Some(parsed.mapping.date)).unwrap_or_default(),
        description: name(Some(parsed.mapping.description)).unwrap_or_default(),
        debit,
        credit,
        amount: amount_col,
        direction,
        balance: name(parsed.mapping.balance),
    };
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let reconciled = sb::reconciled_through_tx(&mut tx, bank_id).await?;
    let mut refused: Vec<bk::RefusedLine> = parsed.refused.clone();
    let mut accepted = Vec::new();
    for l in &parsed.lines {
        if reconciled.as_deref().is_some_and(|r| l.date.to_string().as_str() <= r) {
            refused.push(bk::RefusedLine { row: l.row, reason: LineRefusal::Reconciled });
        } else {
            accepted.push(l.clone());
        }
    }
    refused.sort_by_key(|r| r.row);
    let lines: Vec<PreviewLine> = accepted
        .iter()
        .map(|l| PreviewLine {
            row: l.row,
            date: l.date.to_string(),
            description: l.description.clone(),
            flow: l.flow.as_str().to_string(),
            amount: l.amount.amount(),
            balance: l.balance,
            new: !known.contains(&l.fingerprint),
        })
        .collect();
    let new_lines = lines.iter().filter(|l| l.new).count() as i64;
    let mut report = ImportReport {
        headers: parsed.headers.clone(),
        mapping,
        known_lines: lines.len() as i64 - new_lines,
        new_lines,
        lines,
        refused: refused
            .iter()
            .map(|r| RefusedView {
                row: r.row,
                reason: r.reason.as_str().to_string(),
                detail: r.reason.detail().to_string(),
            })
            .collect(),
        imported: false,
        import_id: None,
    };
    if !o.confirm {
        return Ok(report);
    }
    let file_name: String = o.file_name.trim().chars().take(200).collect();
    let n = sb::NewImport {
        file_name: if file_name.is_empty() { "statement.csv" } else { &file_name },
        lines_read: (parsed.lines.len() + parsed.refused.len()) as i64,
        lines_refused: refused.len() as i64,
    };
    let (id, new) = sb::insert_statement(&mut tx, actor, c, bank_id, &n, &accepted).await?;
    tx.commit().await?;
    report.imported = true;
    report.import_id = Some(id);
    report.new_lines = new;
    Ok(report)
}

/// Statement lines of a bank account between two dates, with their matches.
pub async fn statement(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    bank_id: i64,
    from: Date,
    to: Date,
) -> Result<Vec<StatementLineRow>> {
    account_of(state, principal, c, bank_id).await?;
    Ok(sb::statement_lines(&state.db, bank_id, &from.to_string(), &to.to_string()).await?)
}

// ---------------------------------------------------------------------------------------------
// Matching

fn flow_of(s: &str) -> Flow {
    Flow::parse(s).unwrap_or(Flow::Out)
}

fn book_movement(l: &BookLine) -> Option<Movement> {
    let (flow, amount) = if l.debit > 0 { (Flow::In, l.debit) } else { (Flow::Out, l.credit) };
    Some(Movement { id: l.line_id, date: parse_date(&l.entry_date)?, flow, amount: Rupiah::new(amount)? })
}

fn statement_movement(s: &StatementLineRow) -> Option<Movement> {
    Some(Movement { id: s.id, date: parse_date(&s.line_date)?, flow: flow_of(&s.flow), amount: Rupiah::new(s.amount)? })
}

/// A suggested match.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub statement_line_id: i64,
    pub journal_line_id: i64,
    pub statement_date: String,
    pub book_date: String,
    pub flow: String,
    pub amount: i64,
    pub description: String,
    pub memo: String,
}

/// Suggested matches among the unmatched lines (same amount and flow, dates at most
/// `MATCH_WINDOW_DAYS` apart, one to one).
pub async fn suggestions(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    bank_id: i64,
) -> Result<Vec<Suggestion>> {
    account_of(state, principal, c, bank_id).await?;
    let book = sb::unmatched_book(&state.db, bank_id, "9999-12-31").await?;
    let stmt = sb::unmatched_statement(&state.db, bank_id).await?;
    let pairs = bk::suggest_matches(
        &stmt.iter().filter_map(statement_movement).collect::<Vec<_>>(),
        &book.iter().filter_map(book_movement).collect::<Vec<_>>(),
    );
    Ok(pairs
        .into_iter()
        .filter_map(|(s, b)| {
            let s = stmt.iter().find(|x| x.id == s)?;
            let b = book.iter().find(|x| x.line_id == b)?;
            Some(Suggestion {
                statement_line_id: s.id,
                journal_line_id: b.line_id,
                statement_date: s.line_date.clone(),
                book_date: b.entry_date.clone(),
                flow: s.flow.clone(),
                amount: s.amount,
                description: s.description.clone(),
                memo: b.memo.clone(),
            })
        })
        .collect())
}

/// Checks and writes one match inside a transaction.
async fn match_in(
    tx: &mut store::Tx,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
    statement_line_id: i64,
    journal_line_id: i64,
    how: &str,
) -> Result<i64> {
    let Some(s) = sb::statement_line_tx(tx, statement_line_id).await?.filter(|s| s.bank_account_id == bank_id) else {
        return invalid("statement_line_id", Rule::OneOf, "a statement line of this bank account");
    };
    let Some(b) = sb::book_line_tx(tx, journal_line_id).await? else {
        return invalid("journal_line_id", Rule::OneOf, "a journal line on this bank account");
    };
    if sb::line_bank_tx(tx, journal_line_id).await? != Some(bank_id) {
        return invalid("journal_line_id", Rule::OneOf, "a journal line on this bank account");
    }
    if s.journal_line_id.is_some() {
        return invalid("statement_line_id", Rule::Taken, "this statement line is matched already");
    }
    if b.statement_line_id.is_some() {
        return invalid("journal_line_id", Rule::Taken, "this journal line is matched already");
    }
    let (Some(sm), Some(bm)) = (statement_movement(&s), book_movement(&b)) else {
        return invalid("journal_line_id", Rule::Mismatch, "unreadable line");
    };
    if sm.flow != bm.flow || sm.amount != bm.amount {
        return invalid(
            "journal_line_id",
            Rule::Mismatch,
            "the same amount in the same direction as the statement line",
        );
    }
    if let Some(r) = sb::reconciled_through_tx(tx, bank_id).await?
        && (s.line_date <= r || b.entry_date <= r)
    {
        return invalid("statement_line_id", Rule::OutOfRange, format!("the bank account is reconciled through {r}"));
    }
    Ok(sb::insert_match(tx, actor, c, bank_id, statement_line_id, journal_line_id, how).await?)
}

/// Matches a statement line with a journal line on the same bank account by hand (same amount
/// and direction; any dates).
pub async fn match_lines(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
    statement_line_id: i64,
    journal_line_id: i64,
) -> Result<i64> {
    account_of(state, principal, c, bank_id).await?;
    may_manage(principal, c)?;
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let id = match_in(&mut tx, actor, c, bank_id, statement_line_id, journal_line_id, "by hand").await?;
    tx.commit().await?;
    Ok(id)
}

/// Accepts every suggested match at once; returns how many were made.
pub async fn accept_suggestions(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
) -> Result<u32> {
    may_manage(principal, c)?;
    let pairs = suggestions(state, principal, c, bank_id).await?;
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let mut n = 0;
    for p in pairs {
        // A line matched meanwhile, or dated into a reconciled period, is left for the treasurer.
        if match_in(&mut tx, actor, c, bank_id, p.statement_line_id, p.journal_line_id, "suggested").await.is_ok() {
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// Undoes the match of a statement line (refused once a finalised reconciliation locked it).
pub async fn unmatch(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
    statement_line_id: i64,
) -> Result<()> {
    account_of(state, principal, c, bank_id).await?;
    may_manage(principal, c)?;
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let Some(s) = sb::statement_line_tx(&mut tx, statement_line_id).await?.filter(|s| s.bank_account_id == bank_id)
    else {
        return Err(OpError::NotFound);
    };
    if s.reconciliation_id.is_some() {
        return invalid("statement_line_id", Rule::OutOfRange, "the match belongs to a finalised reconciliation");
    }
    if !sb::delete_match(&mut tx, actor, c, statement_line_id).await? {
        return invalid("statement_line_id", Rule::Mismatch, "this statement line is not matched");
    }
    tx.commit().await?;
    Ok(())
}

/// An entry for a statement line not in the books: bank charges (an expense account) or bank
/// interest (other income), chosen by the treasurer.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"account": "operating_expense", "memo": "Biaya administrasi bank Maret"}))]
pub struct StatementEntryInput {
    /// other_income for money in; operating_expense, staff_expense or savings_interest_expense
    /// for money out.
    #[serde(default)]
    pub account: String,
    /// The statement's description when empty.
    #[serde(default)]
    pub memo: String,
}

/// Posts the entry for an unmatched statement line, dated the statement line's date, and matches
/// the two. Returns the entry's id.
pub async fn entry_from_statement(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
    statement_line_id: i64,
    input: &StatementEntryInput,
) -> Result<i64> {
    account_of(state, principal, c, bank_id).await?;
    may_manage(principal, c)?;
    let mut errs = ValidationErrors::new();
    let account = entry_account(&mut errs, &input.account);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let Some(s) = sb::statement_line_tx(&mut tx, statement_line_id).await?.filter(|s| s.bank_account_id == bank_id)
    else {
        return Err(OpError::NotFound);
    };
    if s.journal_line_id.is_some() {
        return invalid("statement_line_id", Rule::Taken, "this statement line is matched already");
    }
    let flow = flow_of(&s.flow);
    if let Some(a) = account
        && bk::entry_flow(a) != Some(flow)
    {
        let want = if flow == Flow::In { "other_income for money in" } else { "an expense account for money out" };
        errs.add("account", Rule::Mismatch, want);
    }
    let memo_raw = if input.memo.trim().is_empty() { s.description.clone() } else { input.memo.clone() };
    let memo = domain::validation::text(&mut errs, "memo", &memo_raw, 3, 300);
    let date = value_date(&mut errs, &s.line_date, coop_today(state, c), closed, founded(c));
    usable_bank(&mut tx, &mut errs, c, "bank_account_id", Some(bank_id), date).await?;
    errs.into_result()?;
    let (Some(account), Some(date), Some(amt)) = (account, date, Rupiah::new(s.amount)) else {
        return invalid("account", Rule::Required, "an income or expense account");
    };
    let op = BankOperation::Entry { bank: bank_id, account, flow, amount: amt };
    let id = post(&mut tx, actor, c, &op, date, &memo, op_kind(account)).await?;
    let line = sb::bank_line_of_entry_tx(&mut tx, id).await?.ok_or(OpError::NotFound)?;
    sb::insert_match(&mut tx, actor, c, bank_id, statement_line_id, line, "entry from the statement").await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Reconciliation

#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema, utoipa::IntoParams)]
pub struct ReconcileInput {
    /// The statement date, YYYY-MM-DD.
    #[serde(default)]
    pub date: String,
    /// The statement's closing balance on that date; the balance printed on the last imported
    /// line on or before it when empty.
    #[serde(default)]
    pub statement_balance: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// The journal line (book items) or the statement line (statement items).
    pub id: i64,
    pub date: String,
    pub text: String,
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReconciliationView {
    pub bank_account_id: i64,
    pub statement_date: String,
    pub statement_balance: i64,
    pub book_balance: i64,
    /// In the books, not yet credited by the bank (setoran dalam perjalanan).
    pub uncredited: Vec<ItemView>,
    /// Paid out in the books, not yet presented to the bank.
    pub unpresented: Vec<ItemView>,
    /// On the statement, money in not yet in the books (bank interest…).
    pub unbooked_in: Vec<ItemView>,
    /// On the statement, money out not yet in the books (bank charges…).
    pub unbooked_out: Vec<ItemView>,
    pub adjusted_statement: i64,
    pub adjusted_book: i64,
    /// Adjusted statement minus adjusted books; 0 when reconciled.
    pub difference: i64,
    /// Set once finalised.
    pub reconciliation_id: Option<i64>,
}

async fn compute(
    tx: &mut store::Tx,
    errs: &mut ValidationErrors,
    bank_id: i64,
    input: &ReconcileInput,
    today: Date,
) -> Result<Option<ReconciliationView>> {
    let Some(date) = parse_date(input.date.trim()) else {
        errs.add("date", Rule::Format, "a date such as 2026-03-31");
        return Ok(None);
    };
    if date > today {
        errs.add("date", Rule::OutOfRange, "not after today");
        return Ok(None);
    }
    let d = date.to_string();
    let statement_balance = if input.statement_balance.trim().is_empty() {
        sb::statement_balance_tx(tx, bank_id, &d).await?
    } else {
        let raw = input.statement_balance.trim();
        let (neg, digits) = raw.strip_prefix('-').map_or((false, raw), |r| (true, r));
        match Rupiah::parse_typed(digits) {
            Some(r) => Some(if neg { -r.amount() } else { r.amount() }),
            None => {
                errs.add("statement_balance", Rule::Format, "an amount in whole rupiah such as 3.842.734");
                return Ok(None);
            }
        }
    };
    let Some(statement_balance) = statement_balance else {
        errs.add("statement_balance", Rule::Required, "the statement's closing balance (no imported line shows one)");
        return Ok(None);
    };
    let book_balance = sb::bank_net_tx(tx, bank_id, &d).await?;
    let book = sb::outstanding_book_tx(tx, bank_id, &d).await?;
    let stmt = sb::outstanding_statement_tx(tx, bank_id, &d).await?;
    let r = Reconciliation::compute(
        date,
        statement_balance,
        book_balance,
        &book.iter().filter_map(book_movement).collect::<Vec<_>>(),
        &stmt.iter().filter_map(statement_movement).collect::<Vec<_>>(),
    );
    let book_item = |m: &Movement| {
        let l = book.iter().find(|l| l.line_id == m.id);
        ItemView {
            id: m.id,
            date: m.date.to_string(),
            text: l.map(|l| l.memo.clone()).unwrap_or_default(),
            amount: m.amount.amount(),
        }
    };
    let stmt_item = |m: &Movement| {
        let l = stmt.iter().find(|l| l.id == m.id);
        ItemView {
            id: m.id,
            date: m.date.to_string(),
            text: l.map(|l| l.description.clone()).unwrap_or_default(),
            amount: m.amount.amount(),
        }
    };
    Ok(Some(ReconciliationView {
        bank_account_id: bank_id,
        statement_date: d,
        statement_balance,
        book_balance,
        uncredited: r.uncredited.iter().map(book_item).collect(),
        unpresented: r.unpresented.iter().map(book_item).collect(),
        unbooked_in: r.unbooked_in.iter().map(stmt_item).collect(),
        unbooked_out: r.unbooked_out.iter().map(stmt_item).collect(),
        adjusted_statement: r.adjusted_statement,
        adjusted_book: r.adjusted_book,
        difference: r.difference(),
        reconciliation_id: None,
    }))
}

/// The reconciliation as of a statement date, computed and not saved.
pub async fn reconciliation(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    bank_id: i64,
    input: &ReconcileInput,
) -> Result<ReconciliationView> {
    account_of(state, principal, c, bank_id).await?;
    let mut errs = ValidationErrors::new();
    let mut tx = state.db.begin().await?;
    let v = compute(&mut tx, &mut errs, bank_id, input, coop_today(state, c)).await?;
    drop(tx);
    errs.into_result()?;
    v.ok_or_else(|| OpError::invalid("date", Rule::Format, "a date such as 2026-03-31"))
}

/// Finalises the reconciliation as of a statement date: only when it balances (difference 0)
/// and after the previous one; the matches it covers are locked and nothing dated on or before
/// it can be posted to, matched on or imported into the bank account afterwards. Audited.
pub async fn finalise(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    bank_id: i64,
    input: &ReconcileInput,
) -> Result<ReconciliationView> {
    account_of(state, principal, c, bank_id).await?;
    may_manage(principal, c)?;
    let mut errs = ValidationErrors::new();
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let v = compute(&mut tx, &mut errs, bank_id, input, coop_today(state, c)).await?;
    errs.into_result()?;
    let Some(mut v) = v else { return invalid("date", Rule::Format, "a date such as 2026-03-31") };
    if let Some(r) = sb::reconciled_through_tx(&mut tx, bank_id).await?
        && v.statement_date <= r
    {
        return invalid("date", Rule::OutOfRange, format!("after the last finalised reconciliation ({r})"));
    }
    if v.difference != 0 {
        return Err(OpError::Invalid(
            ValidationErrors::single(
                "statement_balance",
                Rule::Mismatch,
                format!("the reconciliation does not balance: difference {}", v.difference),
            )
            .with("difference", v.difference),
        ));
    }
    let sum = |items: &[ItemView]| items.iter().map(|i| i.amount).sum::<i64>();
    let n = sb::NewReconciliation {
        statement_date: v.statement_date.clone(),
        statement_balance: v.statement_balance,
        book_balance: v.book_balance,
        uncredited: sum(&v.uncredited),
        unpresented: sum(&v.unpresented),
        unbooked_in: sum(&v.unbooked_in),
        unbooked_out: sum(&v.unbooked_out),
    };
    let id = sb::insert_reconciliation(&mut tx, actor, c, bank_id, &n).await?;
    tx.commit().await?;
    v.reconciliation_id = Some(id);
    Ok(v)
}

/// The finalised reconciliations of a bank account, newest first.
pub async fn reconciliations(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    bank_id: i64,
) -> Result<Vec<ReconciliationRow>> {
    account_of(state, principal, c, bank_id).await?;
    Ok(sb::reconciliations(&state.db, bank_id).await?)
}
