//! Cash and bank pages of a cooperative (issue 20, track bank): the bank accounts with their
//! balances, opening one, transfers; per account the bank book with its running balance,
//! entries through the bank, statement import (preview, then import), matching and the
//! reconciliation. Every handler translates to one `app::coop_bank` operation.

use super::cooperative::rp;
use super::{FormErrors, Layout, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use app::coop_bank::{
    self as svc, BankAccountBody, BankAccountView, BankEntryInput, BookLine, ImportOptions, ImportReport,
    ReconcileInput, ReconciliationRow, ReconciliationView, StatementEntryInput, StatementLineRow, Suggestion,
    TransferInput,
};
use app::cooperative::{Cooperative, NumTextSer, OpError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::cooperative::Account;
use domain::person::parse_date;
use serde::Deserialize;
use time::Date;

fn lang_err<E: Into<app::Error>>(v: &Viewer) -> impl Fn(E) -> PageError + '_ {
    move |e| PageError::from_app(e.into(), v.lang())
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Cooperative, PageError> {
    app::cooperative::visible(state, &v.principal, id)
        .await
        .map_err(lang_err(v))?
        .ok_or_else(|| PageError::not_found(v.lang()))
}

/// Field refusals re-show the page (422); the rest are error pages.
fn split_err(v: &Viewer, e: OpError) -> Result<FormErrors, PageError> {
    match e {
        OpError::Invalid(errs) => Ok(FormErrors::new(v.t(), errs)),
        e => Err(PageError::from_app(e, v.lang())),
    }
}

fn with_status(resp: Response, failed: bool) -> Response {
    if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp }
}

/// The accounts a bank entry may use, with their labels.
fn entry_accounts() -> Vec<(String, String)> {
    domain::cooperative::bank::ENTRY_ACCOUNTS
        .iter()
        .map(|a| (a.as_str().to_string(), format!("{} {}", a.number(), app::cooperative::account_name(*a))))
        .collect()
}

#[derive(Deserialize, Default)]
pub struct BankQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    statement_balance: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The bank accounts

/// The typed values of the forms, kept after a refusal.
#[derive(Default, Clone)]
pub struct TransferTyped {
    pub kind: String,
    pub from: String,
    pub to: String,
    pub amount: String,
    pub memo: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "coop_bank_home.html")]
struct HomePage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    accounts: Vec<BankAccountView>,
    total: i64,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
    account: BankAccountBody,
    transfer: TransferTyped,
}

async fn home_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    saved: bool,
    errors: FormErrors,
    account: BankAccountBody,
    transfer: TransferTyped,
) -> Result<Response, PageError> {
    let t = v.t();
    let accounts = svc::accounts(state, &v.principal, &c, None).await.map_err(lang_err(v))?;
    let total = accounts.iter().map(|a| a.balance).sum();
    let failed = errors.any();
    let today = app::cooperative::coop_today(state, &c).to_string();
    let resp = render(
        &HomePage {
            layout: Layout::for_viewer(
                v,
                format!("{} · {}", t.get("coop_bank.title"), c.name),
                &format!("/cooperatives/{}/bank", c.id),
            ),
            t,
            can_manage: app::cooperative::can_manage(&v.principal, &c),
            c,
            accounts,
            total,
            errors,
            saved,
            today,
            account,
            transfer,
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn home(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<BankQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    home_page(
        &state,
        &v,
        c,
        q.saved.is_some(),
        FormErrors::default(),
        BankAccountBody::default(),
        TransferTyped::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct AccountForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: BankAccountBody,
}

pub async fn open_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<AccountForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    match svc::open_account(&state, &v.principal, &v.actor(), &c, &f.input).await {
        Ok(a) => Ok(Redirect::to(&format!("/cooperatives/{id}/bank/{}?saved=1", a.id)).into_response()),
        Err(e) => home_page(&state, &v, c, false, split_err(&v, e)?, f.input, TransferTyped::default()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct TransferForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from_bank_account_id: String,
    #[serde(default)]
    to_bank_account_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    memo: String,
    #[serde(default)]
    date: String,
}

pub async fn transfer(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<TransferForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    let input = TransferInput {
        kind: f.kind.clone(),
        from_bank_account_id: f.from_bank_account_id.trim().parse().ok(),
        to_bank_account_id: f.to_bank_account_id.trim().parse().ok(),
        amount: NumTextSer(f.amount.clone()),
        memo: f.memo.clone(),
        date: f.date.clone(),
    };
    match svc::transfer(&state, &v.principal, &v.actor(), &c, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/bank?saved=1")).into_response()),
        Err(e) => {
            let typed = TransferTyped {
                kind: f.kind,
                from: f.from_bank_account_id,
                to: f.to_bank_account_id,
                amount: f.amount,
                memo: f.memo,
                date: f.date,
            };
            home_page(&state, &v, c, false, split_err(&v, e)?, BankAccountBody::default(), typed).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One bank account

pub struct BookItem {
    pub l: BookLine,
    pub balance: i64,
}

/// What the import form holds (kept after a preview or a refusal).
#[derive(Deserialize, Default, Clone)]
pub struct ImportTyped {
    #[serde(default)]
    pub csv: String,
    #[serde(default)]
    pub file_name: String,
    #[serde(default)]
    pub year: String,
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
}

#[derive(Default, Clone)]
pub struct EntryTyped {
    pub account: String,
    pub amount: String,
    pub memo: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "coop_bank_account.html")]
struct AccountPage {
    layout: Layout,
    t: crate::i18n::T,
    c: Cooperative,
    a: BankAccountView,
    from: String,
    to: String,
    opening: i64,
    lines: Vec<BookItem>,
    closing: i64,
    statement: Vec<StatementLineRow>,
    suggestions: Vec<Suggestion>,
    reconciliation: Option<ReconciliationView>,
    reconciliations: Vec<ReconciliationRow>,
    rec_date: String,
    rec_balance: String,
    preview: Option<ImportReport>,
    import: ImportTyped,
    entry: EntryTyped,
    entry_accounts: Vec<(String, String)>,
    can_manage: bool,
    errors: FormErrors,
    saved: bool,
    today: String,
}

struct Extra {
    preview: Option<ImportReport>,
    import: ImportTyped,
    entry: EntryTyped,
    rec_date: Option<String>,
    rec_balance: Option<String>,
}

impl Extra {
    fn none() -> Extra {
        Extra {
            preview: None,
            import: ImportTyped::default(),
            entry: EntryTyped::default(),
            rec_date: None,
            rec_balance: None,
        }
    }
}

fn date_or(s: &Option<String>, default: Date) -> Date {
    s.as_deref().and_then(|s| parse_date(s.trim())).unwrap_or(default)
}

async fn account_page(
    state: &AppState,
    v: &Viewer,
    c: Cooperative,
    bank_id: i64,
    q: &BankQuery,
    mut errors: FormErrors,
    extra: Extra,
) -> Result<Response, PageError> {
    let t = v.t();
    let today = app::cooperative::coop_today(state, &c);
    let to = date_or(&q.to, today);
    let from = date_or(&q.from, to.replace_day(1).unwrap_or(to));
    let (_, opening, rows) = svc::bank_book(state, &v.principal, &c, bank_id, from, to).await.map_err(lang_err(v))?;
    let a = svc::accounts(state, &v.principal, &c, None)
        .await
        .map_err(lang_err(v))?
        .into_iter()
        .find(|a| a.id == bank_id)
        .ok_or_else(|| PageError::not_found(v.lang()))?;
    let mut bal = opening;
    let lines = rows
        .into_iter()
        .map(|l| {
            bal += l.debit - l.credit;
            BookItem { l, balance: bal }
        })
        .collect();
    let statement = svc::statement(state, &v.principal, &c, bank_id, from, to).await.map_err(lang_err(v))?;
    let suggestions = svc::suggestions(state, &v.principal, &c, bank_id).await.map_err(lang_err(v))?;
    let reconciliations = svc::reconciliations(state, &v.principal, &c, bank_id).await.map_err(lang_err(v))?;
    let rec_date = extra.rec_date.or_else(|| q.date.clone()).unwrap_or_default();
    let rec_balance = extra.rec_balance.or_else(|| q.statement_balance.clone()).unwrap_or_default();
    let mut reconciliation = None;
    if !rec_date.trim().is_empty() && !errors.any() {
        let input = ReconcileInput { date: rec_date.clone(), statement_balance: rec_balance.clone() };
        match svc::reconciliation(state, &v.principal, &c, bank_id, &input).await {
            Ok(r) => reconciliation = Some(r),
            Err(e) => errors = split_err(v, e)?,
        }
    }
    let failed = errors.any();
    let resp = render(
        &AccountPage {
            layout: Layout::for_viewer(
                v,
                format!("{} {} · {}", a.bank_name, a.account_number, c.name),
                &format!("/cooperatives/{}/bank/{bank_id}", c.id),
            ),
            t,
            can_manage: app::cooperative::can_manage(&v.principal, &c),
            c,
            a,
            from: from.to_string(),
            to: to.to_string(),
            opening,
            lines,
            closing: bal,
            statement,
            suggestions,
            reconciliation,
            reconciliations,
            rec_date,
            rec_balance,
            preview: extra.preview,
            import: extra.import,
            entry: extra.entry,
            entry_accounts: entry_accounts(),
            errors,
            saved: q.saved.is_some(),
            today: today.to_string(),
        },
        v.lang(),
    )?;
    Ok(with_status(resp, failed))
}

pub async fn account(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, bank_id)): Path<(i64, i64)>,
    Query(q): Query<BankQuery>,
) -> Result<Response, PageError> {
    let c = load(&state, &v, id).await?;
    account_page(&state, &v, c, bank_id, &q, FormErrors::default(), Extra::none()).await
}

#[derive(Deserialize, Default)]
pub struct EntryForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    memo: String,
    #[serde(default)]
    date: String,
}

pub async fn entry(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, bank_id)): Path<(i64, i64)>,
    PageForm(f): PageForm<EntryForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    let input = BankEntryInput {
        account: f.account.clone(),
        amount: NumTextSer(f.amount.clone()),
        memo: f.memo.clone(),
        date: f.date.clone(),
    };
    match svc::bank_entry(&state, &v.principal, &v.actor(), &c, bank_id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/bank/{bank_id}?saved=1")).into_response()),
        Err(e) => {
            let mut extra = Extra::none();
            extra.entry = EntryTyped { account: f.account, amount: f.amount, memo: f.memo, date: f.date };
            account_page(&state, &v, c, bank_id, &BankQuery::default(), split_err(&v, e)?, extra).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    typed: ImportTyped,
    /// "1" imports; anything else previews.
    #[serde(default)]
    confirm: String,
}

pub async fn import(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, bank_id)): Path<(i64, i64)>,
    PageForm(f): PageForm<ImportForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    let ty = &f.typed;
    let year = ty.year.trim();
    let year_num = year.parse::<i32>().ok();
    if !year.is_empty() && year_num.is_none() {
        let errs = domain::ValidationErrors::single("year", domain::Rule::Format, "a year such as 2026");
        let mut extra = Extra::none();
        extra.import = f.typed;
        return account_page(&state, &v, c, bank_id, &BankQuery::default(), FormErrors::new(v.t(), errs), extra).await;
    }
    let o = ImportOptions {
        file_name: ty.file_name.clone(),
        year: year_num,
        date_column: ty.date_column.clone(),
        description_column: ty.description_column.clone(),
        debit_column: ty.debit_column.clone(),
        credit_column: ty.credit_column.clone(),
        amount_column: ty.amount_column.clone(),
        direction_column: ty.direction_column.clone(),
        balance_column: ty.balance_column.clone(),
        confirm: f.confirm == "1",
    };
    match svc::import_statement(&state, &v.principal, &v.actor(), &c, bank_id, ty.csv.as_bytes(), &o).await {
        Ok(r) if r.imported => Ok(Redirect::to(&format!("/cooperatives/{id}/bank/{bank_id}?saved=1")).into_response()),
        Ok(r) => {
            let mut extra = Extra::none();
            extra.preview = Some(r);
            extra.import = f.typed;
            account_page(&state, &v, c, bank_id, &BankQuery::default(), FormErrors::default(), extra).await
        }
        Err(e) => {
            let mut extra = Extra::none();
            extra.import = f.typed;
            account_page(&state, &v, c, bank_id, &BankQuery::default(), split_err(&v, e)?, extra).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn accept(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, bank_id)): Path<(i64, i64)>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    match svc::accept_suggestions(&state, &v.principal, &v.actor(), &c, bank_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/bank/{bank_id}?saved=1#statement")).into_response()),
        Err(e) => account_page(&state, &v, c, bank_id, &BankQuery::default(), split_err(&v, e)?, Extra::none()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct LineEntryForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: StatementEntryInput,
}

pub async fn line_entry(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, bank_id, line)): Path<(i64, i64, i64)>,
    PageForm(f): PageForm<LineEntryForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    match svc::entry_from_statement(&state, &v.principal, &v.actor(), &c, bank_id, line, &f.input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cooperatives/{id}/bank/{bank_id}?saved=1#statement")).into_response()),
        Err(e) => account_page(&state, &v, c, bank_id, &BankQuery::default(), split_err(&v, e)?, Extra::none()).await,
    }
}

pub async fn unmatch(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, bank_id, line)): Path<(i64, i64, i64)>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    match svc::unmatch(&state, &v.principal, &v.actor(), &c, bank_id, line).await {
        Ok(()) => Ok(Redirect::to(&format!("/cooperatives/{id}/bank/{bank_id}?saved=1#statement")).into_response()),
        Err(e) => account_page(&state, &v, c, bank_id, &BankQuery::default(), split_err(&v, e)?, Extra::none()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct FinaliseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    input: ReconcileInput,
}

pub async fn finalise(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, bank_id)): Path<(i64, i64)>,
    PageForm(f): PageForm<FinaliseForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let c = load(&state, &v, id).await?;
    match svc::finalise(&state, &v.principal, &v.actor(), &c, bank_id, &f.input).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/cooperatives/{id}/bank/{bank_id}?saved=1&date={}#reconciliation",
            r.statement_date
        ))
        .into_response()),
        Err(e) => {
            let mut extra = Extra::none();
            extra.rec_date = Some(f.input.date);
            extra.rec_balance = Some(f.input.statement_balance);
            account_page(&state, &v, c, bank_id, &BankQuery::default(), split_err(&v, e)?, extra).await
        }
    }
}

/// Rupiah for templates, re-exported so templates of this track name one module.
pub fn money(n: impl super::cooperative::Whole) -> String {
    rp(n)
}

/// The flow's label.
pub fn is_in(flow: &str) -> bool {
    flow == "in"
}

/// The account's label for a code.
pub fn account_name(code: &str) -> String {
    Account::parse(code).map_or_else(|| code.to_string(), |a| app::cooperative::account_name(a).to_string())
}
