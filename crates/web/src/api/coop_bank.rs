//! Cash and bank of a cooperative (issue 20): bank accounts, transfers, entries through a bank,
//! statement import (preview, then confirm), matching and the reconciliation. Every handler
//! translates to one `app::coop_bank` operation, which decides access.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::error::{ApiError, ErrorBody};
use app::coop_bank::{
    self as svc, BankAccountBody, BankAccountView, BankEntryInput, ImportOptions, ImportReport, ReconcileInput,
    ReconciliationView, StatementEntryInput, Suggestion, TransferInput,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

async fn coop(state: &AppState, u: &ApiUser, id: i64) -> Result<app::cooperative::Cooperative, ApiError> {
    app::cooperative::visible(state, &u.principal, id).await?.ok_or(ApiError::NotFound("cooperative"))
}

#[derive(Serialize, ToSchema)]
pub struct BankPosted {
    pub entry_id: i64,
}

/// The cooperative's bank accounts with their balances (the subsidiary ledger of account 1102).
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/bank-accounts", tag = "cooperative", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = [BankAccountView]), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<BankAccountView>>, ApiError> {
    let c = coop(&state, &u, id).await?;
    Ok(Json(svc::accounts(&state, &u.principal, &c, None).await?))
}

/// Opens a bank account of the cooperative.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-accounts", tag = "cooperative", params(("id" = i64, Path)),
    request_body = BankAccountBody, security(("bearer" = [])),
    responses((status = 201, body = BankAccountView), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<BankAccountBody>>,
) -> Result<(StatusCode, Json<BankAccountView>), ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::require_manage(&u.principal, &c)?;
    let ApiJson(req) = body.read().await?;
    Ok((StatusCode::CREATED, Json(svc::open_account(&state, &u.principal, &u.actor, &c, &req).await?)))
}

/// A transfer between cash and banks: cash_to_bank, bank_to_cash or bank_to_bank (one
/// balanced entry).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-transfers", tag = "cooperative", params(("id" = i64, Path)),
    request_body = TransferInput, security(("bearer" = [])),
    responses((status = 201, body = BankPosted), (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Unread<ApiJson<TransferInput>>,
) -> Result<(StatusCode, Json<BankPosted>), ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::require_manage(&u.principal, &c)?;
    let ApiJson(req) = body.read().await?;
    let entry_id = svc::transfer(&state, &u.principal, &u.actor, &c, &req).await?;
    Ok((StatusCode::CREATED, Json(BankPosted { entry_id })))
}

/// Other income received into, or an expense paid from, a bank account.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/entries", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path)), request_body = BankEntryInput, security(("bearer" = [])),
    responses((status = 201, body = BankPosted), (status = 422, body = ErrorBody)))]
pub async fn entry(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
    body: Unread<ApiJson<BankEntryInput>>,
) -> Result<(StatusCode, Json<BankPosted>), ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::require_manage(&u.principal, &c)?;
    let ApiJson(req) = body.read().await?;
    let entry_id = svc::bank_entry(&state, &u.principal, &u.actor, &c, bank_id, &req).await?;
    Ok((StatusCode::CREATED, Json(BankPosted { entry_id })))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct PeriodQuery {
    /// YYYY-MM-DD; the first day of the current month when omitted.
    #[serde(default)]
    pub from: Option<String>,
    /// YYYY-MM-DD; today when omitted.
    #[serde(default)]
    pub to: Option<String>,
}

fn period(state: &AppState, q: &PeriodQuery) -> Result<(time::Date, time::Date), ApiError> {
    let read = |field: &str, v: &Option<String>| -> Result<Option<time::Date>, ApiError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => domain::person::parse_date(s).map(Some).ok_or_else(|| {
                ApiError::Validation(domain::ValidationErrors::single(field, domain::Rule::Format, "YYYY-MM-DD"))
            }),
        }
    };
    let to = read("to", &q.to)?.unwrap_or_else(|| state.today());
    let from = read("from", &q.from)?.unwrap_or_else(|| to.replace_day(1).unwrap_or(to));
    Ok((from, to))
}

#[derive(Serialize, ToSchema)]
pub struct BankBookLine {
    pub journal_line_id: i64,
    pub entry_id: i64,
    pub date: String,
    pub memo: String,
    /// Money in (debit on 1102).
    pub money_in: i64,
    /// Money out (credit on 1102).
    pub money_out: i64,
    pub balance: i64,
    pub statement_line_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BankBookView {
    pub account: BankAccountView,
    pub from: String,
    pub to: String,
    pub opening: i64,
    pub lines: Vec<BankBookLine>,
    pub closing: i64,
}

/// The bank book of one account: opening balance, each line with the running balance.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/book", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path), PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = BankBookView), (status = 404, body = ErrorBody)))]
pub async fn book(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<BankBookView>, ApiError> {
    let c = coop(&state, &u, id).await?;
    let (from, to) = period(&state, &q)?;
    let (_, opening, rows) = svc::bank_book(&state, &u.principal, &c, bank_id, from, to).await?;
    let account = svc::accounts(&state, &u.principal, &c, Some(to))
        .await?
        .into_iter()
        .find(|a| a.id == bank_id)
        .ok_or(ApiError::NotFound("bank account"))?;
    let mut balance = opening;
    let lines = rows
        .into_iter()
        .map(|r| {
            balance += r.debit - r.credit;
            BankBookLine {
                journal_line_id: r.line_id,
                entry_id: r.entry_id,
                date: r.entry_date,
                memo: r.memo,
                money_in: r.debit,
                money_out: r.credit,
                balance,
                statement_line_id: r.statement_line_id,
            }
        })
        .collect();
    Ok(Json(BankBookView { account, from: from.to_string(), to: to.to_string(), opening, lines, closing: balance }))
}

/// A statement CSV as text, with how to read it.
#[derive(Deserialize, ToSchema, Default)]
#[schema(example = json!({"csv": "Tanggal;Keterangan;Debet;Kredit;Saldo\n02/03/2026;SETORAN TUNAI;;5.000.000,00;5.000.000,00\n",
    "file_name": "bri-maret.csv", "confirm": false}))]
pub struct StatementBody {
    /// The file's text (UTF-8): columns like Tanggal, Keterangan, Debet/Kredit or Jumlah/Mutasi
    /// with DB/CR, Saldo; ';', ',' or tab separated.
    #[serde(default)]
    pub csv: String,
    #[serde(default)]
    pub file_name: String,
    /// For dates printed without a year (15/03).
    #[serde(default)]
    pub year: Option<i32>,
    /// Header names overriding the guessed mapping (empty: as guessed).
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
    /// false (default): preview only, nothing is written; true: import the new lines.
    #[serde(default)]
    pub confirm: bool,
}

/// Imports a bank statement: the preview (mapping, lines, refused lines with reasons, which
/// are new) without `confirm`; with `confirm` the new lines are written. The same file twice
/// imports nothing new.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statements", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path)), request_body = StatementBody, security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
    body: Unread<ApiJson<StatementBody>>,
) -> Result<Json<ImportReport>, ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::require_manage(&u.principal, &c)?;
    let ApiJson(req) = body.read().await?;
    let o = ImportOptions {
        file_name: req.file_name,
        year: req.year,
        date_column: req.date_column,
        description_column: req.description_column,
        debit_column: req.debit_column,
        credit_column: req.credit_column,
        amount_column: req.amount_column,
        direction_column: req.direction_column,
        balance_column: req.balance_column,
        confirm: req.confirm,
    };
    Ok(Json(svc::import_statement(&state, &u.principal, &u.actor, &c, bank_id, req.csv.as_bytes(), &o).await?))
}

#[derive(Serialize, ToSchema)]
pub struct StatementLineView {
    pub id: i64,
    pub date: String,
    pub description: String,
    /// in or out.
    pub flow: String,
    pub amount: i64,
    pub balance: Option<i64>,
    pub journal_line_id: Option<i64>,
    /// Whether a finalised reconciliation locked its match.
    pub locked: bool,
}

/// Imported statement lines with their matches.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statement-lines", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path), PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = [StatementLineView]), (status = 404, body = ErrorBody)))]
pub async fn statement_lines(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Vec<StatementLineView>>, ApiError> {
    let c = coop(&state, &u, id).await?;
    let (from, to) = period(&state, &q)?;
    let rows = svc::statement(&state, &u.principal, &c, bank_id, from, to).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| StatementLineView {
                id: s.id,
                date: s.line_date,
                description: s.description,
                flow: s.flow,
                amount: s.amount,
                balance: s.balance,
                journal_line_id: s.journal_line_id,
                locked: s.reconciliation_id.is_some(),
            })
            .collect(),
    ))
}

/// Suggested matches: same amount and direction, dates at most 4 days apart, one to one.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/match-suggestions", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = [Suggestion]), (status = 404, body = ErrorBody)))]
pub async fn suggestions(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    let c = coop(&state, &u, id).await?;
    Ok(Json(svc::suggestions(&state, &u.principal, &c, bank_id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct MatchCount {
    pub matched: u32,
}

/// Accepts every suggested match.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/match-suggestions/accept",
    tag = "cooperative", params(("id" = i64, Path), ("bank_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = MatchCount), (status = 403, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
) -> Result<Json<MatchCount>, ApiError> {
    let c = coop(&state, &u, id).await?;
    Ok(Json(MatchCount { matched: svc::accept_suggestions(&state, &u.principal, &u.actor, &c, bank_id).await? }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct MatchBody {
    #[serde(default)]
    pub statement_line_id: i64,
    #[serde(default)]
    pub journal_line_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MatchMade {
    pub match_id: i64,
}

/// Matches a statement line with a journal line of the same bank account by hand (same amount
/// and direction).
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/matches", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path)), request_body = MatchBody, security(("bearer" = [])),
    responses((status = 201, body = MatchMade), (status = 422, body = ErrorBody)))]
pub async fn match_lines(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
    body: Unread<ApiJson<MatchBody>>,
) -> Result<(StatusCode, Json<MatchMade>), ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::require_manage(&u.principal, &c)?;
    let ApiJson(req) = body.read().await?;
    let match_id =
        svc::match_lines(&state, &u.principal, &u.actor, &c, bank_id, req.statement_line_id, req.journal_line_id)
            .await?;
    Ok((StatusCode::CREATED, Json(MatchMade { match_id })))
}

/// Undoes a statement line's match (refused once a finalised reconciliation locked it).
#[utoipa::path(delete, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/matches/{statement_line_id}",
    tag = "cooperative", params(("id" = i64, Path), ("bank_id" = i64, Path), ("statement_line_id" = i64, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn unmatch(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id, line)): Path<(i64, i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::unmatch(&state, &u.principal, &u.actor, &c, bank_id, line).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Posts the entry for a statement line not in the books (bank charges → an expense account,
/// bank interest → other_income), dated the statement line's date, and matches the two.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statement-lines/{line_id}/entry",
    tag = "cooperative", params(("id" = i64, Path), ("bank_id" = i64, Path), ("line_id" = i64, Path)),
    request_body = StatementEntryInput, security(("bearer" = [])),
    responses((status = 201, body = BankPosted), (status = 422, body = ErrorBody)))]
pub async fn statement_entry(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id, line)): Path<(i64, i64, i64)>,
    body: Unread<ApiJson<StatementEntryInput>>,
) -> Result<(StatusCode, Json<BankPosted>), ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::require_manage(&u.principal, &c)?;
    let ApiJson(req) = body.read().await?;
    let entry_id = svc::entry_from_statement(&state, &u.principal, &u.actor, &c, bank_id, line, &req).await?;
    Ok((StatusCode::CREATED, Json(BankPosted { entry_id })))
}

/// The reconciliation as of a statement date, computed and not saved: statement and book
/// balances, the reconciling items, the difference.
#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/reconciliation", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path), ReconcileInput), security(("bearer" = [])),
    responses((status = 200, body = ReconciliationView), (status = 422, body = ErrorBody)))]
pub async fn reconciliation(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
    Query(q): Query<ReconcileInput>,
) -> Result<Json<ReconciliationView>, ApiError> {
    let c = coop(&state, &u, id).await?;
    Ok(Json(svc::reconciliation(&state, &u.principal, &c, bank_id, &q).await?))
}

/// Finalises the reconciliation as of a statement date (only when the difference is 0): its
/// matches are locked and nothing on or before that date changes on this bank account.
#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/reconciliations", tag = "cooperative",
    params(("id" = i64, Path), ("bank_id" = i64, Path)), request_body = ReconcileInput, security(("bearer" = [])),
    responses((status = 201, body = ReconciliationView), (status = 422, body = ErrorBody)))]
pub async fn finalise(
    State(state): State<AppState>,
    u: ApiUser,
    Path((id, bank_id)): Path<(i64, i64)>,
    body: Unread<ApiJson<ReconcileInput>>,
) -> Result<(StatusCode, Json<ReconciliationView>), ApiError> {
    let c = coop(&state, &u, id).await?;
    svc::require_manage(&u.principal, &c)?;
    let ApiJson(req) = body.read().await?;
    Ok((StatusCode::CREATED, Json(svc::finalise(&state, &u.principal, &u.actor, &c, bank_id, &req).await?)))
}
