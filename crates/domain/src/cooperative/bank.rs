//! Cash and bank (issue 20, track `bank`): the cooperative's bank accounts as a subsidiary
//! ledger of [`Account::Bank`] (1102), transfers between cash and banks, bank statements read
//! from the CSV files treasurers download, suggested matches between statement lines and the
//! books, and the bank reconciliation as of a statement date.
//!
//! Every journal line on `bank` carries the bank account it moves (`JournalLine::bank_account`),
//! so each bank account's balance is read from the same lines as the trial balance and the bank
//! accounts add up to account 1102 by construction.
//!
//! Direction words: a statement's *debet* is money leaving the account (the bank debits the
//! customer), its *kredit* money arriving. In the cooperative's books it is the other way round
//! (money arriving is a debit on the asset `bank`). [`Flow`] names the movement, not a side, so
//! neither reading is confused with the other.

use super::ledger::{Account, AccountKind, JournalEntry, JournalError, JournalLine, Side};
use crate::person::parse_date;
use crate::service_center::Rupiah;
use crate::{FieldError, Rule, ValidationErrors};
use time::Date;

code_enum! {
    /// Money into or out of a bank account.
    pub enum Flow {
        In = "in",
        Out = "out",
    }
}

impl Flow {
    /// The side of the line on `bank` in the cooperative's books.
    pub fn book_side(self) -> Side {
        match self {
            Flow::In => Side::Debit,
            Flow::Out => Side::Credit,
        }
    }

    pub fn of_book_side(side: Side) -> Flow {
        match side {
            Side::Debit => Flow::In,
            Side::Credit => Flow::Out,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

/// A bank account number as printed on the passbook: digits, with the spaces, dots and dashes
/// banks print between groups removed (so "123-456 7890" and "1234567890" are one account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccountNumber(String);

impl BankAccountNumber {
    /// 5 to 20 digits once separators are removed.
    pub fn parse(raw: &str) -> Option<BankAccountNumber> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        ((5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(BankAccountNumber(digits))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bank account as typed.
#[derive(Debug, Default, Clone)]
pub struct BankAccountInput<'a> {
    pub bank_name: &'a str,
    pub branch: &'a str,
    pub account_number: &'a str,
    pub account_name: &'a str,
    pub opened_on: &'a str,
    pub closed_on: &'a str,
}

/// A valid bank account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub bank_name: String,
    pub branch: String,
    pub account_number: BankAccountNumber,
    pub account_name: String,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
}

fn date_field(errs: &mut ValidationErrors, field: &str, raw: &str, required: bool) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        if required {
            errs.add(field, Rule::Required, "a date such as 2026-03-15");
        }
        return None;
    }
    let d = parse_date(raw);
    if d.is_none() {
        errs.push(FieldError::new(field, Rule::Format, "a date such as 2026-03-15").message("msg_key.date_format"));
    }
    d
}

/// Names 2–100 characters, the number 5–20 digits, opened on a date not after `today`, closed
/// (if given) not before it was opened and not after `today`.
pub fn validate_bank_account(input: &BankAccountInput<'_>, today: Date) -> Result<BankAccount, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let bank_name = crate::validation::text(&mut errs, "bank_name", input.bank_name, 2, 100);
    let branch = crate::validation::text(&mut errs, "branch", input.branch, 0, 100);
    let account_name = crate::validation::text(&mut errs, "account_name", input.account_name, 2, 100);
    let number = BankAccountNumber::parse(input.account_number);
    if number.is_none() {
        if input.account_number.trim().is_empty() {
            errs.add("account_number", Rule::Required, "5 to 20 digits");
        } else {
            errs.add("account_number", Rule::Format, "5 to 20 digits");
        }
    }
    let opened_on = date_field(&mut errs, "opened_on", input.opened_on, true);
    let closed_on = date_field(&mut errs, "closed_on", input.closed_on, false);
    if opened_on.is_some_and(|d| d > today) {
        errs.add("opened_on", Rule::OutOfRange, "not after today");
    }
    if let (Some(o), Some(c)) = (opened_on, closed_on) {
        if c < o {
            errs.add("closed_on", Rule::OutOfRange, "not before the day it was opened");
        } else if c > today {
            errs.add("closed_on", Rule::OutOfRange, "not after today");
        }
    }
    errs.into_result()?;
    match (number, opened_on) {
        (Some(account_number), Some(opened_on)) => {
            Ok(BankAccount { bank_name, branch, account_number, account_name, opened_on, closed_on })
        }
        _ => Err(ValidationErrors::single("account_number", Rule::Format, "5 to 20 digits")),
    }
}

/// Whether a bank account may be used on `date`: open on that day (opened on or before it and
/// not closed before it).
pub fn is_open_on(opened_on: Date, closed_on: Option<Date>, date: Date) -> bool {
    date >= opened_on && closed_on.is_none_or(|c| date <= c)
}

// ---------------------------------------------------------------------------------------------
// Postings through a bank account

code_enum! {
    /// The three transfers.
    pub enum TransferKind {
        CashToBank = "cash_to_bank",
        BankToCash = "bank_to_cash",
        BankToBank = "bank_to_bank",
    }
}

/// A movement between cash and banks, or income or an expense paid through a bank account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankOperation {
    /// Cash deposited into a bank account (setor tunai).
    CashToBank { to: i64, amount: Rupiah },
    /// Cash withdrawn from a bank account (tarik tunai).
    BankToCash { from: i64, amount: Rupiah },
    /// From one bank account to another (pindah buku).
    BankToBank { from: i64, to: i64, amount: Rupiah },
    /// Income received into a bank account (bank interest → other income) or an expense paid
    /// from it (bank charges → operating expense), on the income or expense account given.
    Entry { bank: i64, account: Account, flow: Flow, amount: Rupiah },
}

impl BankOperation {
    /// The one balanced entry.
    ///
    /// | operation | debit | credit |
    /// |---|---|---|
    /// | cash to bank | bank (to) | cash |
    /// | bank to cash | cash | bank (from) |
    /// | bank to bank | bank (to) | bank (from) |
    /// | income into a bank | bank | the income account |
    /// | expense from a bank | the expense account | bank |
    pub fn entry(&self, date: Date, memo: &str) -> Result<JournalEntry, JournalError> {
        use JournalLine as L;
        let lines = match *self {
            BankOperation::CashToBank { to, amount } => {
                vec![L::debit(Account::Bank, amount).for_bank(to), L::credit(Account::Cash, amount)]
            }
            BankOperation::BankToCash { from, amount } => {
                vec![L::debit(Account::Cash, amount), L::credit(Account::Bank, amount).for_bank(from)]
            }
            BankOperation::BankToBank { from, to, amount } => {
                if from == to {
                    return Err(JournalError::WrongAccount { account: Account::Bank });
                }
                vec![L::debit(Account::Bank, amount).for_bank(to), L::credit(Account::Bank, amount).for_bank(from)]
            }
            BankOperation::Entry { bank, account, flow, amount } => match (flow, account.kind()) {
                (Flow::In, AccountKind::Income) => {
                    vec![L::debit(Account::Bank, amount).for_bank(bank), L::credit(account, amount)]
                }
                (Flow::Out, AccountKind::Expense) => {
                    vec![L::debit(account, amount), L::credit(Account::Bank, amount).for_bank(bank)]
                }
                _ => return Err(JournalError::WrongAccount { account }),
            },
        };
        JournalEntry::new(date, memo, lines)
    }
}

/// The income and expense accounts a bank entry may use (the "other entry" accounts).
pub const ENTRY_ACCOUNTS: [Account; 4] =
    [Account::OtherIncome, Account::OperatingExpense, Account::StaffExpense, Account::SavingsInterestExpense];

/// Which way money moves on an income or expense account paid through a bank.
pub fn entry_flow(account: Account) -> Option<Flow> {
    match account.kind() {
        AccountKind::Income => Some(Flow::In),
        AccountKind::Expense => Some(Flow::Out),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Statement CSV

/// Where each field of a statement line is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    pub date: usize,
    pub description: usize,
    pub amounts: AmountColumns,
    pub balance: Option<usize>,
}

/// Amounts in two columns (Debet and Kredit), or in one (Jumlah, Mutasi) signed or marked
/// DB/CR either in the amount ("1.500.000,00 DB") or in a column of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountColumns {
    DebitCredit { debit: usize, credit: usize },
    Single { amount: usize, direction: Option<usize> },
}

/// Column names chosen by the treasurer when the guess is wrong (header text, any case).
#[derive(Debug, Clone, Default)]
pub struct MappingOverride<'a> {
    pub date: &'a str,
    pub description: &'a str,
    pub debit: &'a str,
    pub credit: &'a str,
    pub amount: &'a str,
    pub direction: &'a str,
    pub balance: &'a str,
}

/// One line read from a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The line number in the file (1-based), for messages.
    pub row: usize,
    pub date: Date,
    pub description: String,
    pub flow: Flow,
    pub amount: Rupiah,
    /// The balance printed after this line, if the file has a Saldo column.
    pub balance: Option<i64>,
    /// What makes the line the same line when the same statement is imported again: date, flow,
    /// amount, balance, description, and how many identical lines came before it in the file
    /// (two equal transfers on one day are two lines).
    pub fingerprint: String,
}

code_enum! {
    /// Why a statement line was not imported (pages show it by its code from the catalogue).
    pub enum LineRefusal {
        NoYear = "no_year",
        BadDate = "bad_date",
        BothAmounts = "both_amounts",
        NoAmount = "no_amount",
        BadAmount = "bad_amount",
        BadDirection = "bad_direction",
        BadBalance = "bad_balance",
        /// Dated on or before the bank account's last finalised reconciliation.
        Reconciled = "reconciled",
    }
}

impl LineRefusal {
    /// In English, for API clients.
    pub fn detail(self) -> &'static str {
        match self {
            LineRefusal::NoYear => "the date has no year: give the statement's year",
            LineRefusal::BadDate => "the date cannot be read (e.g. 15/03/2026)",
            LineRefusal::BothAmounts => "both Debet and Kredit are filled in",
            LineRefusal::NoAmount => "no amount",
            LineRefusal::BadAmount => "the amount cannot be read (e.g. 1.500.000,00)",
            LineRefusal::BadDirection => "the direction is neither DB nor CR",
            LineRefusal::BadBalance => "the balance (Saldo) cannot be read",
            LineRefusal::Reconciled => "dated on or before the last finalised reconciliation",
        }
    }
}

/// A line that was not read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedLine {
    pub row: usize,
    pub reason: LineRefusal,
}

/// A statement file read with its mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedStatement {
    pub headers: Vec<String>,
    pub mapping: ColumnMapping,
    pub lines: Vec<StatementLine>,
    pub refused: Vec<RefusedLine>,
}

/// Why a statement file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("no header row with a date column (Tanggal) and amount columns (Debet/Kredit or Jumlah/Mutasi)")]
    NoHeader,
    #[error("column {0} is not in the header row")]
    UnknownColumn(String),
    #[error("the file is not text (UTF-8)")]
    NotText,
    #[error("the file has more than {MAX_STATEMENT_LINES} lines")]
    TooLong,
}

/// One statement file holds at most this many lines (a year of a busy account).
pub const MAX_STATEMENT_LINES: usize = 20_000;

fn norm(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| headers.iter().position(|h| norm(h) == *n))
}

const DATE_NAMES: [&str; 7] =
    ["tanggal", "tgl", "tanggaltransaksi", "tgltransaksi", "date", "transactiondate", "postingdate"];
const DESC_NAMES: [&str; 8] =
    ["keterangan", "uraian", "deskripsi", "description", "uraiantransaksi", "remark", "remarks", "berita"];
const DEBIT_NAMES: [&str; 6] = ["debet", "debit", "mutasidebet", "mutasidebit", "db", "penarikan"];
const CREDIT_NAMES: [&str; 6] = ["kredit", "credit", "mutasikredit", "cr", "setoran", "penerimaan"];
const AMOUNT_NAMES: [&str; 5] = ["jumlah", "mutasi", "nominal", "amount", "nilai"];
const DIRECTION_NAMES: [&str; 6] = ["dbcr", "dk", "crdb", "tipe", "jenis", "type"];
const BALANCE_NAMES: [&str; 4] = ["saldo", "balance", "saldoakhir", "runningbalance"];

/// The mapping guessed from a header row (`None` when it is not a statement's header).
pub fn guess_mapping(headers: &[String]) -> Option<ColumnMapping> {
    let date = find(headers, &DATE_NAMES)?;
    let description = find(headers, &DESC_NAMES).unwrap_or(date);
    let balance = find(headers, &BALANCE_NAMES);
    let amounts = match (find(headers, &DEBIT_NAMES), find(headers, &CREDIT_NAMES)) {
        (Some(debit), Some(credit)) => AmountColumns::DebitCredit { debit, credit },
        _ => {
            AmountColumns::Single { amount: find(headers, &AMOUNT_NAMES)?, direction: find(headers, &DIRECTION_NAMES) }
        }
    };
    Some(ColumnMapping { date, description, amounts, balance })
}

fn apply_override(
    headers: &[String],
    guess: Option<ColumnMapping>,
    o: &MappingOverride<'_>,
) -> Result<ColumnMapping, StatementError> {
    let col = |name: &str| -> Result<Option<usize>, StatementError> {
        if name.trim().is_empty() {
            return Ok(None);
        }
        let n = norm(name);
        headers
            .iter()
            .position(|h| norm(h) == n)
            .map(Some)
            .ok_or_else(|| StatementError::UnknownColumn(name.trim().to_string()))
    };
    let (date, description, debit, credit, amount, direction, balance) = (
        col(o.date)?,
        col(o.description)?,
        col(o.debit)?,
        col(o.credit)?,
        col(o.amount)?,
        col(o.direction)?,
        col(o.balance)?,
    );
    let any = [date, description, debit, credit, amount, direction, balance].iter().any(Option::is_some);
    let Some(mut m) = guess.or_else(|| {
        // Nothing guessed: the override must name date and amounts.
        let date = date?;
        let amounts = match (debit, credit, amount) {
            (Some(debit), Some(credit), _) => AmountColumns::DebitCredit { debit, credit },
            (_, _, Some(amount)) => AmountColumns::Single { amount, direction },
            _ => return None,
        };
        Some(ColumnMapping { date, description: description.unwrap_or(date), amounts, balance })
    }) else {
        return Err(StatementError::NoHeader);
    };
    if !any {
        return Ok(m);
    }
    if let Some(d) = date {
        m.date = d;
    }
    if let Some(d) = description {
        m.description = d;
    }
    if let (Some(debit), Some(credit)) = (debit, credit) {
        m.amounts = AmountColumns::DebitCredit { debit, credit };
    } else if let Some(amount) = amount {
        m.amounts = AmountColumns::Single { amount, direction };
    }
    if balance.is_some() {
        m.balance = balance;
    }
    Ok(m)
}

/// An amount as banks print it, in whole rupiah: "1.500.000,00" (Indonesian), "1,500,000.00"
/// (English), "1500000", with an optional sign, parentheses for a negative, "Rp"/"IDR", and a
/// trailing or leading "DB"/"CR"/"D"/"K". Returns the signed amount (negative = out when the
/// sign or marker says so) and whether a marker was present.
///
/// Decimal mark: with both '.' and ',' the last one; with one kind, a mark followed by exactly
/// 1 or 2 digits at the end is decimal, otherwise it groups thousands. Rounding: sen are rounded
/// half up to whole rupiah (0,50 → 1), because the books hold whole rupiah; a statement line of
/// less than half a rupiah becomes 0 and is refused.
pub fn parse_bank_amount(raw: &str) -> Option<(i64, Option<Flow>)> {
    let mut s = raw.trim().to_uppercase();
    let mut flow = None;
    for (suffix, f) in [("DB", Flow::Out), ("CR", Flow::In), ("D", Flow::Out), ("K", Flow::In), ("C", Flow::In)] {
        if let Some(rest) = s.strip_suffix(suffix) {
            flow = Some(f);
            s = rest.trim().to_string();
            break;
        }
        if let Some(rest) = s.strip_prefix(suffix).filter(|r| r.starts_with(' ')) {
            flow = Some(f);
            s = rest.trim().to_string();
            break;
        }
    }
    let mut s =
        s.trim().trim_start_matches("IDR").trim_start_matches("RP.").trim_start_matches("RP").trim().to_string();
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s[1..s.len() - 1].trim().to_string();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest.trim().to_string();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim().to_string();
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
        return None;
    }
    let last_dot = s.rfind('.');
    let last_comma = s.rfind(',');
    let decimal_at = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(p), None) | (None, Some(p)) => {
            let tail = s.len() - p - 1;
            let marks = s.matches(s.as_bytes()[p] as char).count();
            (marks == 1 && (1..=2).contains(&tail)).then_some(p)
        }
        (None, None) => None,
    };
    let (int_part, frac_part) = match decimal_at {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s.as_str(), ""),
    };
    let int_digits: String = int_part.chars().filter(char::is_ascii_digit).collect();
    if int_digits.is_empty() && frac_part.is_empty()
        || int_digits.len() > 15
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if int_digits.is_empty() { 0 } else { int_digits.parse().ok()? };
    // Half up on the first decimal digit after the sen: only the first two digits count.
    let sen: i64 = format!("{frac_part:0<2}")[..2].parse().ok()?;
    let rounded = whole.checked_add(i64::from(sen >= 50))?;
    Some((if negative { -rounded } else { rounded }, flow))
}

const MONTHS: [(&str, u8); 24] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("mei", 5),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("agu", 8),
    ("agt", 8),
    ("aug", 8),
    ("sep", 9),
    ("okt", 10),
    ("oct", 10),
    ("nov", 11),
    ("des", 12),
    ("dec", 12),
    ("januari", 1),
    ("februari", 2),
    ("maret", 3),
    ("april", 4),
    ("juni", 6),
    ("juli", 7),
    ("agustus", 8),
];

/// A statement date: 2026-03-15, 15/03/2026, 15-03-2026, 15.03.2026, 15/03/26, 15 Mar 2026,
/// 15-Mar-26, or 15/03 with the statement's `year` (some banks leave the year out). Day first:
/// Indonesian banks never print month first.
pub fn parse_statement_date(raw: &str, year: Option<i32>) -> Option<Date> {
    let s = raw.trim();
    // A time after the date ("15/03/2026 08:12:01") is left out.
    let s = s.split_whitespace().filter(|p| !p.contains(':')).collect::<Vec<_>>().join(" ");
    if let Some(d) = parse_date(&s) {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.', ' ']).filter(|p| !p.is_empty()).collect();
    let (day, month, y) = match parts.as_slice() {
        [d, m, y] => (*d, *m, Some(*y)),
        [d, m] => (*d, *m, None),
        _ => return None,
    };
    let day: u8 = day.parse().ok()?;
    let month: u8 = match month.parse::<u8>() {
        Ok(m) => m,
        Err(_) => {
            let m = month.to_lowercase();
            MONTHS.iter().find(|(n, _)| *n == m).map(|(_, v)| *v)?
        }
    };
    let year = match y {
        Some(y) if y.len() == 4 => y.parse().ok()?,
        Some(y) if y.len() == 2 => 2000 + y.parse::<i32>().ok()?,
        Some(_) => return None,
        None => year?,
    };
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// Reads a statement CSV: finds the header row (the first row with a date column and amount
/// columns; banks put the account number and period above it), guesses the mapping or applies
/// the treasurer's, and reads every line after it. Lines that are not transactions (blank,
/// "Saldo Awal", totals, "PEND") are refused with the reason, never guessed.
pub fn parse_statement(
    bytes: &[u8],
    o: &MappingOverride<'_>,
    year: Option<i32>,
) -> Result<ParsedStatement, StatementError> {
    let text = std::str::from_utf8(bytes).map_err(|_| StatementError::NotText)?;
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| {
            // The header row decides; count over the first lines in case of a preamble.
            text.lines().take(15).map(|l| l.bytes().filter(|b| b == d).count()).max().unwrap_or(0) * 4
                + first.bytes().filter(|b| b == d).count()
        })
        .unwrap_or(b',');
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    // (line in the file, cells): the csv reader skips blank lines, messages name the file's line.
    let numbered: Vec<(usize, Vec<String>)> = rdr
        .records()
        .take(MAX_STATEMENT_LINES + 50)
        .filter_map(Result::ok)
        .map(|r| {
            let line = r.position().map_or(0, |p| p.line() as usize);
            (line, r.iter().map(|c| c.trim().to_string()).collect())
        })
        .collect();
    let rows: Vec<Vec<String>> = numbered.iter().map(|(_, r)| r.clone()).collect();
    if rows.len() > MAX_STATEMENT_LINES + 40 {
        return Err(StatementError::TooLong);
    }
    let explicit = !o.date.trim().is_empty();
    let header_at = rows
        .iter()
        .position(|r| if explicit { r.iter().any(|h| norm(h) == norm(o.date)) } else { guess_mapping(r).is_some() });
    let Some(header_at) = header_at else { return Err(StatementError::NoHeader) };
    let headers = rows[header_at].clone();
    let mapping = apply_override(&headers, guess_mapping(&headers), o)?;
    let mut lines = Vec::new();
    let mut refused = Vec::new();
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for (row, r) in numbered.iter().skip(header_at + 1) {
        let row = *row;
        if r.iter().all(|c| c.is_empty()) {
            continue;
        }
        match read_line(r, &mapping, year) {
            Ok((date, description, flow, amount, balance)) => {
                let key = format!(
                    "{date}|{flow}|{}|{}|{}",
                    amount.amount(),
                    balance.map(|b| b.to_string()).unwrap_or_default(),
                    description.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
                );
                let n = seen.entry(key.clone()).or_default();
                *n += 1;
                lines.push(StatementLine {
                    row,
                    date,
                    description,
                    flow,
                    amount,
                    balance,
                    fingerprint: format!("{key}|{n}"),
                });
            }
            Err(reason) => refused.push(RefusedLine { row, reason }),
        }
    }
    Ok(ParsedStatement { headers, mapping, lines, refused })
}

type LineParts = (Date, String, Flow, Rupiah, Option<i64>);

fn read_line(r: &[String], m: &ColumnMapping, year: Option<i32>) -> Result<LineParts, LineRefusal> {
    let cell = |i: usize| r.get(i).map(String::as_str).unwrap_or("");
    let date = parse_statement_date(cell(m.date), year).ok_or(
        if year.is_none() && cell(m.date).matches(['/', '-']).count() == 1 {
            LineRefusal::NoYear
        } else {
            LineRefusal::BadDate
        },
    )?;
    let description = cell(m.description).chars().take(300).collect::<String>();
    let (signed, marked) = match &m.amounts {
        AmountColumns::DebitCredit { debit, credit } => {
            let d = parse_cell(cell(*debit))?;
            let c = parse_cell(cell(*credit))?;
            match (d, c) {
                (Some(d), Some(c)) if d != 0 && c != 0 => return Err(LineRefusal::BothAmounts),
                (Some(d), _) if d != 0 => (-d.abs(), None),
                (_, Some(c)) if c != 0 => (c.abs(), None),
                _ => return Err(LineRefusal::NoAmount),
            }
        }
        AmountColumns::Single { amount, direction } => {
            let (v, flow) = parse_bank_amount(cell(*amount)).ok_or(LineRefusal::BadAmount)?;
            let flow = match direction.map(|d| cell(d).trim().to_uppercase()) {
                Some(d) if matches!(d.as_str(), "DB" | "D" | "DEBET" | "DEBIT") => Some(Flow::Out),
                Some(d) if matches!(d.as_str(), "CR" | "K" | "C" | "KREDIT" | "CREDIT") => Some(Flow::In),
                Some(d) if !d.is_empty() => return Err(LineRefusal::BadDirection),
                _ => flow,
            };
            (v, flow)
        }
    };
    let flow = match marked {
        Some(f) => f,
        None if signed < 0 => Flow::Out,
        None => Flow::In,
    };
    let amount = Rupiah::new(signed.abs()).filter(|a| !a.is_zero()).ok_or(LineRefusal::NoAmount)?;
    let balance = match m.balance {
        Some(b) if !cell(b).is_empty() => Some(parse_bank_amount(cell(b)).ok_or(LineRefusal::BadBalance)?.0),
        _ => None,
    };
    Ok((date, description, flow, amount, balance))
}

fn parse_cell(raw: &str) -> Result<Option<i64>, LineRefusal> {
    let t = raw.trim();
    if t.is_empty() || t == "-" {
        return Ok(None);
    }
    parse_bank_amount(t).map(|(v, _)| Some(v)).ok_or(LineRefusal::BadAmount)
}

// ---------------------------------------------------------------------------------------------
// Matching and reconciliation

/// A movement on one side of the reconciliation: a statement line or a book line on the bank
/// account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub id: i64,
    pub date: Date,
    pub flow: Flow,
    pub amount: Rupiah,
}

/// Statement and book dates may differ by this many days and still be suggested as a match
/// (a cheque paid in on Friday is credited on Monday).
pub const MATCH_WINDOW_DAYS: i64 = 4;

/// Suggested matches (statement id, book id): same amount and flow, dates at most
/// [`MATCH_WINDOW_DAYS`] apart, one to one. The closest dates are paired first; ties go to the
/// earlier lines, so the suggestion is the same every time it is asked.
pub fn suggest_matches(statement: &[Movement], book: &[Movement]) -> Vec<(i64, i64)> {
    let mut candidates: Vec<(i64, i64, i64)> = Vec::new();
    for s in statement {
        for b in book {
            let gap = (s.date - b.date).whole_days().abs();
            if s.flow == b.flow && s.amount == b.amount && gap <= MATCH_WINDOW_DAYS {
                candidates.push((gap, s.id, b.id));
            }
        }
    }
    candidates.sort();
    let (mut used_s, mut used_b) = (std::collections::HashSet::new(), std::collections::HashSet::new());
    let mut out = Vec::new();
    for (_, s, b) in candidates {
        if !used_s.contains(&s) && !used_b.contains(&b) {
            used_s.insert(s);
            used_b.insert(b);
            out.push((s, b));
        }
    }
    out.sort();
    out
}

/// The reconciliation as of a statement date (rekonsiliasi bank).
///
/// - `statement_balance`: the bank's closing balance on the statement date.
/// - `book_balance`: the bank account's balance in the books through that date.
/// - Uncredited deposits (setoran dalam perjalanan): money in the books, not yet on the statement.
/// - Unpresented payments (cek/transfer belum dicairkan): money out in the books, not yet on the
///   statement.
/// - Statement lines not in the books (bank interest, bank charges) wait for an entry.
///
/// Adjusted statement = statement + uncredited − unpresented; adjusted books = books + statement
/// credits not booked − statement debits not booked; reconciled when the two are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub statement_date: Date,
    pub statement_balance: i64,
    pub book_balance: i64,
    pub uncredited: Vec<Movement>,
    pub unpresented: Vec<Movement>,
    pub unbooked_in: Vec<Movement>,
    pub unbooked_out: Vec<Movement>,
    pub adjusted_statement: i64,
    pub adjusted_book: i64,
}

impl Reconciliation {
    /// `unmatched_book` and `unmatched_statement`: the lines dated on or before the statement
    /// date that are not matched (the caller leaves out later ones).
    pub fn compute(
        statement_date: Date,
        statement_balance: i64,
        book_balance: i64,
        unmatched_book: &[Movement],
        unmatched_statement: &[Movement],
    ) -> Reconciliation {
        let pick = |m: &[Movement], f: Flow| -> Vec<Movement> {
            m.iter().filter(|x| x.flow == f && x.date <= statement_date).copied().collect()
        };
        let total = |m: &[Movement]| -> i64 { m.iter().map(|x| x.amount.amount()).sum() };
        let uncredited = pick(unmatched_book, Flow::In);
        let unpresented = pick(unmatched_book, Flow::Out);
        let unbooked_in = pick(unmatched_statement, Flow::In);
        let unbooked_out = pick(unmatched_statement, Flow::Out);
        let adjusted_statement = statement_balance + total(&uncredited) - total(&unpresented);
        let adjusted_book = book_balance + total(&unbooked_in) - total(&unbooked_out);
        Reconciliation {
            statement_date,
            statement_balance,
            book_balance,
            uncredited,
            unpresented,
            unbooked_in,
            unbooked_out,
            adjusted_statement,
            adjusted_book,
        }
    }

    /// Adjusted statement minus adjusted books: zero when the account is reconciled.
    pub fn difference(&self) -> i64 {
        self.adjusted_statement - self.adjusted_book
    }

    pub fn is_reconciled(&self) -> bool {
        self.difference() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cooperative::ledger::Balances;
    use time::macros::date;

    fn rp(n: i64) -> Rupiah {
        Rupiah::new(n).unwrap_or_default()
    }

    #[test]
    fn bank_accounts_are_validated_field_by_field() {
        let today = date!(2026 - 03 - 10);
        let ok = BankAccountInput {
            bank_name: "BRI",
            branch: "Unit Masabewa",
            account_number: "0123-01-000456-50-9",
            account_name: "Koperasi Desmigratif",
            opened_on: "2026-01-05",
            closed_on: "",
        };
        let a = validate_bank_account(&ok, today).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.account_number.as_str(), "012301000456509");
        let bad = BankAccountInput { account_number: "12a", opened_on: "2026-04-01", closed_on: "2025-01-01", ..ok };
        let e = validate_bank_account(&bad, today).err().unwrap_or_default();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["account_number", "opened_on", "closed_on"]);
        assert!(is_open_on(date!(2026 - 01 - 05), Some(date!(2026 - 02 - 01)), date!(2026 - 02 - 01)));
        assert!(!is_open_on(date!(2026 - 01 - 05), Some(date!(2026 - 02 - 01)), date!(2026 - 02 - 02)));
        assert!(!is_open_on(date!(2026 - 01 - 05), None, date!(2026 - 01 - 04)));
    }

    #[test]
    fn transfers_move_money_between_the_subsidiary_ledgers() {
        let d = date!(2026 - 03 - 02);
        let ops = [
            BankOperation::CashToBank { to: 1, amount: rp(5_000_000) },
            BankOperation::BankToBank { from: 1, to: 2, amount: rp(1_250_000) },
            BankOperation::BankToCash { from: 2, amount: rp(250_000) },
            BankOperation::Entry { bank: 1, account: Account::OperatingExpense, flow: Flow::Out, amount: rp(6_500) },
            BankOperation::Entry { bank: 2, account: Account::OtherIncome, flow: Flow::In, amount: rp(1_234) },
        ];
        let entries: Vec<JournalEntry> =
            ops.iter().map(|o| o.entry(d, "x").unwrap_or_else(|e| panic!("{e}"))).collect();
        let b = Balances::from_entries(&entries);
        // Hand-computed: bank 1 = 5,000,000 − 1,250,000 − 6,500 = 3,743,500;
        // bank 2 = 1,250,000 − 250,000 + 1,234 = 1,001,234; account 1102 = their sum 4,744,734.
        assert_eq!(b.bank_balance(1).on(Side::Debit), 3_743_500);
        assert_eq!(b.bank_balance(2).on(Side::Debit), 1_001_234);
        assert_eq!(b.balance(Account::Bank).on(Side::Debit), 4_744_734);
        assert_eq!(b.balance(Account::Cash).on(Side::Debit), -4_750_000);
        assert!(b.trial_balance().is_balanced());
        // A transfer to the same account, income paid out and an expense received are refused.
        assert!(BankOperation::BankToBank { from: 1, to: 1, amount: rp(1) }.entry(d, "x").is_err());
        assert!(
            BankOperation::Entry { bank: 1, account: Account::OtherIncome, flow: Flow::Out, amount: rp(1) }
                .entry(d, "x")
                .is_err()
        );
        assert!(
            BankOperation::Entry { bank: 1, account: Account::Cash, flow: Flow::In, amount: rp(1) }
                .entry(d, "x")
                .is_err()
        );
        assert!(BankOperation::CashToBank { to: 1, amount: rp(0) }.entry(d, "x").is_err());
    }

    #[test]
    fn bank_amounts_in_every_printed_format() {
        assert_eq!(parse_bank_amount("1.500.000,00"), Some((1_500_000, None)));
        assert_eq!(parse_bank_amount("1,500,000.00"), Some((1_500_000, None)));
        assert_eq!(parse_bank_amount("1500000"), Some((1_500_000, None)));
        assert_eq!(parse_bank_amount("1.500"), Some((1_500, None)));
        assert_eq!(parse_bank_amount("-250.000"), Some((-250_000, None)));
        assert_eq!(parse_bank_amount("(6.500,00)"), Some((-6_500, None)));
        assert_eq!(parse_bank_amount("1,500,000.00 DB"), Some((1_500_000, Some(Flow::Out))));
        assert_eq!(parse_bank_amount("50.000,00 CR"), Some((50_000, Some(Flow::In))));
        assert_eq!(parse_bank_amount("Rp 12.345,67"), Some((12_346, None)), "sen round half up");
        assert_eq!(parse_bank_amount("12.345,49"), Some((12_345, None)));
        assert_eq!(parse_bank_amount("12.345,5"), Some((12_346, None)));
        assert_eq!(parse_bank_amount("0,40"), Some((0, None)));
        assert_eq!(parse_bank_amount("abc"), None);
        assert_eq!(parse_bank_amount(""), None);
    }

    #[test]
    fn statement_dates() {
        let d = Some(date!(2026 - 03 - 05));
        assert_eq!(parse_statement_date("2026-03-05", None), d);
        assert_eq!(parse_statement_date("05/03/2026", None), d);
        assert_eq!(parse_statement_date("05-03-26", None), d);
        assert_eq!(parse_statement_date("5 Mar 2026", None), d);
        assert_eq!(parse_statement_date("05-Mei-2026", None), Some(date!(2026 - 05 - 05)));
        assert_eq!(parse_statement_date("05/03/2026 08:15:00", None), d);
        assert_eq!(parse_statement_date("05/03", Some(2026)), d);
        assert_eq!(parse_statement_date("05/03", None), None);
        assert_eq!(parse_statement_date("PEND", Some(2026)), None);
        assert_eq!(parse_statement_date("31/02/2026", None), None);
    }

    #[test]
    fn a_debet_kredit_statement_with_a_preamble() {
        let csv = "Nomor Rekening;0123456789\nPeriode;01/03/2026 - 31/03/2026\n\n\
                   Tanggal;Keterangan;Debet;Kredit;Saldo\n\
                   01/03/2026;Saldo Awal;;;0,00\n\
                   02/03/2026;SETORAN TUNAI;;5.000.000,00;5.000.000,00\n\
                   05/03/2026;BIAYA ADM;6.500,00;;4.993.500,00\n\
                   05/03/2026;TRF KE 987;100.000,00;;4.893.500,00\n\
                   05/03/2026;TRF KE 987;100.000,00;;4.793.500,00\n\
                   31/03/2026;BUNGA;;1.234,00;4.794.734,00\n\
                   ;Total;206.500,00;5.001.234,00;\n";
        let p = parse_statement(csv.as_bytes(), &MappingOverride::default(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            p.mapping,
            ColumnMapping {
                date: 0,
                description: 1,
                amounts: AmountColumns::DebitCredit { debit: 2, credit: 3 },
                balance: Some(4)
            }
        );
        assert_eq!(p.lines.len(), 5);
        assert_eq!(p.lines[0].flow, Flow::In);
        assert_eq!(p.lines[1].amount, rp(6_500));
        assert_eq!(p.lines[1].flow, Flow::Out);
        assert_eq!(p.lines[4].balance, Some(4_794_734));
        // Two equal transfers on one day are two lines with different fingerprints.
        assert_ne!(p.lines[2].fingerprint, p.lines[3].fingerprint);
        // "Saldo Awal" (no amount) and the total (no date) are refused with a reason.
        assert_eq!(p.refused.iter().map(|r| r.row).collect::<Vec<_>>(), [5, 11]);
        // The same file read again gives the same fingerprints (a second import adds nothing).
        let again =
            parse_statement(csv.as_bytes(), &MappingOverride::default(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            again.lines.iter().map(|l| &l.fingerprint).collect::<Vec<_>>(),
            p.lines.iter().map(|l| &l.fingerprint).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_signed_mutasi_statement_and_an_override() {
        let csv = "Tanggal,Keterangan,Mutasi,Saldo\n\
                   02/03,SETORAN,\"5,000,000.00 CR\",\"5,000,000.00\"\n\
                   05/03,BIAYA ADM,\"6,500.00 DB\",\"4,993,500.00\"\n";
        let p =
            parse_statement(csv.as_bytes(), &MappingOverride::default(), Some(2026)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.lines.len(), 2);
        assert_eq!((p.lines[1].flow, p.lines[1].amount), (Flow::Out, rp(6_500)));
        assert_eq!(p.lines[1].date, date!(2026 - 03 - 05));
        let no_year =
            parse_statement(csv.as_bytes(), &MappingOverride::default(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(no_year.refused.len(), 2);
        assert_eq!(no_year.refused[0].reason, LineRefusal::NoYear);

        let odd = "Tgl Trx;Ket;Nilai;Arah\n2026-03-02;Setor;5000000;K\n2026-03-03;Tarik;200000;D\n";
        let o = MappingOverride {
            date: "Tgl Trx",
            description: "Ket",
            amount: "Nilai",
            direction: "Arah",
            ..Default::default()
        };
        let p = parse_statement(odd.as_bytes(), &o, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.lines.len(), 2);
        assert_eq!(p.lines[1].flow, Flow::Out);
        assert_eq!(parse_statement(odd.as_bytes(), &MappingOverride::default(), None), Err(StatementError::NoHeader));
        let o = MappingOverride { date: "Tgl Trx", amount: "Nope", ..Default::default() };
        assert_eq!(parse_statement(odd.as_bytes(), &o, None), Err(StatementError::UnknownColumn("Nope".into())));
    }

    #[test]
    fn matches_pair_closest_dates_one_to_one() {
        let m = |id, date, flow, amount| Movement { id, date, flow, amount: rp(amount) };
        let statement = [
            m(1, date!(2026 - 03 - 02), Flow::In, 5_000_000),
            m(2, date!(2026 - 03 - 05), Flow::Out, 100_000),
            m(3, date!(2026 - 03 - 05), Flow::Out, 100_000),
            m(4, date!(2026 - 03 - 20), Flow::Out, 77_000),
        ];
        let book = [
            m(10, date!(2026 - 03 - 01), Flow::In, 5_000_000),
            m(11, date!(2026 - 03 - 04), Flow::Out, 100_000),
            m(12, date!(2026 - 03 - 05), Flow::In, 100_000),
            m(13, date!(2026 - 03 - 10), Flow::Out, 77_000),
        ];
        // 1↔10 (1 day); 2↔11 (the earlier statement line takes the only outgoing 100,000);
        // 3 has nothing left; 12 is money in; 4↔13 are 10 days apart: no suggestion.
        assert_eq!(suggest_matches(&statement, &book), vec![(1, 10), (2, 11)]);
    }

    #[test]
    fn reconciliation_hold_out() {
        // Hand-computed. Books through 31 March: 3,743,500 (5,000,000 in, 1,250,000 out to the
        // other bank, 6,500 charges). A cheque of 300,000 written on 30 March (in the books,
        // not on the statement), a deposit of 200,000 on 31 March (in the books, credited by
        // the bank in April). The statement shows interest 1,234 and a charge of 2,000 not yet
        // booked. Statement balance 31 March:
        //   3,743,500 + 300,000 − 200,000 + 1,234 − 2,000 = 3,842,734.
        // Adjusted statement = 3,842,734 + 200,000 − 300,000 = 3,742,734;
        // adjusted books = 3,743,500 + 1,234 − 2,000 = 3,742,734; difference 0.
        let d = date!(2026 - 03 - 31);
        let m = |id, date, flow, amount| Movement { id, date, flow, amount: rp(amount) };
        let book = [
            m(1, date!(2026 - 03 - 30), Flow::Out, 300_000),
            m(2, date!(2026 - 03 - 31), Flow::In, 200_000),
            m(3, date!(2026 - 04 - 01), Flow::In, 999), // after the statement date: not an item
        ];
        let statement = [m(7, date!(2026 - 03 - 31), Flow::In, 1_234), m(8, date!(2026 - 03 - 28), Flow::Out, 2_000)];
        let r = Reconciliation::compute(d, 3_842_734, 3_743_500, &book, &statement);
        assert_eq!(r.uncredited.len(), 1);
        assert_eq!(r.unpresented.len(), 1);
        assert_eq!(r.adjusted_statement, 3_742_734);
        assert_eq!(r.adjusted_book, 3_742_734);
        assert!(r.is_reconciled());
        let off = Reconciliation::compute(d, 3_842_000, 3_743_500, &book, &statement);
        assert_eq!(off.difference(), -734);
    }
}
