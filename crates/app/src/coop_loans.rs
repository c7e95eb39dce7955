//! Loan products (issue 20, track "loans"): loan settings per cooperative and year, fees at
//! disbursement, the loan limit, automatic late penalties and the provision for bad loans
//! (month-end steps), rescheduling with four eyes, collateral and guarantors.
//!
//! Every write follows `cooperative`'s pattern: validate, begin, lock the cooperative, read,
//! decide in the domain (`domain::cooperative::loans`), write (a balanced entry through
//! `store::cooperative::post` when the books change), audit, commit. docs/COOPERATIVE.md,
//! section "Loans (issue 20)".

use crate::App as AppState;
use crate::cooperative::{
    self as coop, Cooperative, InstallmentRow, Loan, Member, NumTextSer, OpError, invalid, journal_refusal, may_view,
    paid_of, schedule_from_rows, value_date,
};
use domain::access::Principal;
use domain::cooperative::loans::{self as rules, CollateralKind, LoanFees, LoanSettings, RescheduleState};
use domain::cooperative::ppap::{self, ProvisionExposure};
use domain::cooperative::{self as co, Account, Basis, LoanState, OperationKind, Rupiah};
use domain::person::parse_date;
use domain::{FieldError, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::audit::Actor;
use store::coop_loans as sl;
use store::cooperative as st;
use time::Date;

pub use store::coop_loans::{Collateral, Guarantor, PenaltyChargeRow, Reschedule};

fn rp(n: i64) -> Rupiah {
    Rupiah::new(n).unwrap_or_default()
}

fn require_manage(p: &Principal, c: &Cooperative) -> crate::error::Result<()> {
    may_view(p, c)?;
    if coop::can_manage(p, c) { Ok(()) } else { Err(OpError::Forbidden) }
}

// ---------------------------------------------------------------------------------------------
// Settings

/// The settings that apply on `date` among every year's (newest first): its year's, or the
/// latest earlier year's, or the defaults (`LoanSettings::default`: no fees, no automatic
/// penalty, no limit, the guidance's PPAP rates) — the by-laws' rule.
pub fn settings_in(all: &[(i32, LoanSettings)], date: Date) -> LoanSettings {
    all.iter().find(|(y, _)| *y <= date.year()).map(|(_, s)| *s).unwrap_or_default()
}

pub async fn settings_on(state: &AppState, c: &Cooperative, date: Date) -> crate::error::Result<LoanSettings> {
    Ok(settings_in(&sl::settings_list(&state.db, c.id).await?, date))
}

/// Loan settings as forms and JSON carry them (numbers as text or numbers).
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"admin_fee_percent": 1, "admin_fee_fixed": 10000, "provision_fee_percent": 0.5,
    "penalty_percent_per_month": 3, "penalty_grace_days": 5, "limit_multiple": 3,
    "ppap_1_percent": 0.5, "ppap_2_percent": 0.5, "ppap_3_percent": 10, "ppap_4_percent": 50, "ppap_5_percent": 100}))]
pub struct LoanSettingsBody {
    /// Biaya administrasi, percent of the principal (at most 10).
    #[serde(default)]
    #[schema(value_type = f64)]
    pub admin_fee_percent: NumTextSer,
    /// A fixed administration fee per loan, whole rupiah.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub admin_fee_fixed: NumTextSer,
    /// Provisi, percent of the principal (at most 10).
    #[serde(default)]
    #[schema(value_type = f64)]
    pub provision_fee_percent: NumTextSer,
    /// Denda per month on the overdue installment amount, counted per day (at most 10); 0: none.
    #[serde(default)]
    #[schema(value_type = f64)]
    pub penalty_percent_per_month: NumTextSer,
    /// Days after the due date before the penalty runs (0–90).
    #[serde(default)]
    #[schema(value_type = i64)]
    pub penalty_grace_days: NumTextSer,
    /// Loan limit as a multiple of the member's pokok + wajib + sukarela savings; 0: no limit.
    #[serde(default)]
    #[schema(value_type = f64)]
    pub limit_multiple: NumTextSer,
    /// PPAP rate per collectibility class (1 lancar … 5 macet), percent; never lower for a worse class.
    #[serde(default)]
    #[schema(value_type = f64)]
    pub ppap_1_percent: NumTextSer,
    #[serde(default)]
    #[schema(value_type = f64)]
    pub ppap_2_percent: NumTextSer,
    #[serde(default)]
    #[schema(value_type = f64)]
    pub ppap_3_percent: NumTextSer,
    #[serde(default)]
    #[schema(value_type = f64)]
    pub ppap_4_percent: NumTextSer,
    #[serde(default)]
    #[schema(value_type = f64)]
    pub ppap_5_percent: NumTextSer,
}

fn pct(b: Basis) -> NumTextSer {
    NumTextSer(coop::bp_text(b.bp()))
}

impl LoanSettingsBody {
    pub fn from_settings(s: &LoanSettings) -> Self {
        let r = s.ppap.rates();
        LoanSettingsBody {
            admin_fee_percent: pct(s.admin_fee),
            admin_fee_fixed: NumTextSer(s.admin_fee_fixed.amount().to_string()),
            provision_fee_percent: pct(s.provision_fee),
            penalty_percent_per_month: pct(s.penalty.bp_per_month),
            penalty_grace_days: NumTextSer(s.penalty.grace_days.to_string()),
            limit_multiple: NumTextSer(coop::bp_text(s.limit_x100)),
            ppap_1_percent: pct(r[0]),
            ppap_2_percent: pct(r[1]),
            ppap_3_percent: pct(r[2]),
            ppap_4_percent: pct(r[3]),
            ppap_5_percent: pct(r[4]),
        }
    }

    pub fn validate(&self) -> Result<LoanSettings, ValidationErrors> {
        rules::validate_loan_settings(&rules::LoanSettingsInput {
            admin_fee_percent: self.admin_fee_percent.as_str(),
            admin_fee_fixed: self.admin_fee_fixed.as_str(),
            provision_fee_percent: self.provision_fee_percent.as_str(),
            penalty_percent_per_month: self.penalty_percent_per_month.as_str(),
            penalty_grace_days: self.penalty_grace_days.as_str(),
            limit_multiple: self.limit_multiple.as_str(),
            ppap_percent: [
                self.ppap_1_percent.as_str(),
                self.ppap_2_percent.as_str(),
                self.ppap_3_percent.as_str(),
                self.ppap_4_percent.as_str(),
                self.ppap_5_percent.as_str(),
            ],
        })
    }
}

/// Every year's loan settings, newest first (the caller may see the cooperative).
pub async fn settings_years(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
) -> crate::error::Result<Vec<(i32, LoanSettings)>> {
    may_view(principal, c)?;
    Ok(sl::settings_list(&state.db, c.id).await?)
}

/// Sets one year's loan settings (managers of the cooperative; audited).
pub async fn save_settings(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    year: &str,
    body: &LoanSettingsBody,
) -> crate::error::Result<()> {
    require_manage(principal, c)?;
    let mut errs = ValidationErrors::new();
    let year = year.trim().parse::<i32>().ok().filter(|y| (1900..=state.today().year() + 1).contains(y));
    if year.is_none() {
        errs.add("year", Rule::OutOfRange, "a year such as 2026, at most next year");
    }
    let s = body.validate();
    if let Err(e) = &s {
        errs.0.extend(e.0.clone());
    }
    let (Some(year), Ok(s)) = (year, s) else { return Err(OpError::Invalid(errs)) };
    sl::save_settings(&state.db, actor, c, year, &s).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Hooks of the loan operations in `cooperative` (application, disbursement, repayment, write-off)

/// The loan limit at application (inside its transaction): refused naming `principal` when the
/// settings of the application date have a limit and the principal is above it. The savings
/// that count are the member's simpanan pokok, wajib and sukarela on the ledger (time deposits
/// are not: they are pledged separately).
pub(crate) async fn check_limit(
    tx: &mut store::Tx,
    settings: &LoanSettings,
    m: &Member,
    principal: Rupiah,
) -> crate::error::Result<()> {
    let nets = st::member_nets_tx(tx, m.id).await?;
    let savings: i64 = nets
        .iter()
        .filter(|(a, _)| matches!(a.as_str(), "simpanan_pokok" | "simpanan_wajib" | "simpanan_sukarela"))
        .map(|(_, n)| -n)
        .sum();
    let savings = rp(savings.max(0));
    if let Some(limit) = rules::loan_limit(settings, savings)
        && principal > limit
    {
        let e =
            FieldError::new("principal", Rule::OutOfRange, format!("the loan limit is {limit} ({savings} savings)"))
                .param("limit", format!("Rp {limit}"))
                .param("savings", format!("Rp {savings}"))
                .param("multiple", coop::bp_text(settings.limit_x100))
                .message("msg_key.loan_limit");
        return Err(OpError::Invalid(ValidationErrors(vec![e])));
    }
    Ok(())
}

/// Refuses a penalty typed at repayment when the cooperative charges penalties automatically
/// (at month end), so the same lateness is never charged twice.
pub(crate) fn check_manual_penalty(settings: &LoanSettings, penalty: Rupiah) -> crate::error::Result<()> {
    if settings.penalty.bp_per_month.bp() > 0 && !penalty.is_zero() {
        let e = FieldError::new("penalty", Rule::Mismatch, "penalties are charged automatically at month end")
            .message("msg_key.loan_penalty_automatic");
        return Err(OpError::Invalid(ValidationErrors(vec![e])));
    }
    Ok(())
}

/// The disbursement entry with the fees of `settings` deducted from the cash paid out; the fees
/// are recorded with the loan. Refused (field `principal`) when the fees take the whole loan.
pub(crate) async fn disbursement(
    tx: &mut store::Tx,
    settings: &LoanSettings,
    loan: &Loan,
    date: Date,
    memo: &str,
) -> crate::error::Result<(co::JournalEntry, LoanFees)> {
    let fees = rules::fees(settings, rp(loan.principal));
    if fees.total() >= rp(loan.principal) {
        return invalid("principal", Rule::OutOfRange, format!("the fees ({}) take the whole loan", fees.total()));
    }
    let entry =
        rules::disbursement_entry(loan.member_id, rp(loan.principal), fees, date, memo).map_err(journal_refusal)?;
    if !fees.total().is_zero() {
        sl::insert_fees(tx, loan.id, &fees).await?;
    }
    Ok((entry, fees))
}

/// The write-off entry against the allowance's balance on `date`.
pub(crate) async fn write_off_entry(
    tx: &mut store::Tx,
    c: &Cooperative,
    member: i64,
    principal: Rupiah,
    date: Date,
    memo: &str,
) -> crate::error::Result<co::JournalEntry> {
    let allowance = allowance_tx(tx, c.id, date).await?;
    rules::write_off_entry(member, principal, allowance, date, memo).map_err(journal_refusal)
}

async fn allowance_tx(tx: &mut store::Tx, coop_id: i64, as_of: Date) -> crate::error::Result<Rupiah> {
    let nets = st::account_nets_tx(tx, coop_id, Some(&as_of.to_string())).await?;
    let net = nets.iter().find(|(a, _)| a == Account::LoanLossAllowance.as_str()).map_or(0, |(_, n)| *n);
    Ok(rp((-net).max(0)))
}

// ---------------------------------------------------------------------------------------------
// Month-end steps

/// The month end a step runs for: the last day of its month, not after today, in an open period.
fn month_end_check(
    c: &Cooperative,
    state: &AppState,
    month_end: Date,
    closed: Option<Date>,
) -> crate::error::Result<()> {
    let last = month_end.month().length(month_end.year());
    if month_end.day() != last {
        return invalid("month_end", Rule::Format, "the last day of a month, such as 2026-03-31");
    }
    let mut errs = ValidationErrors::new();
    value_date(&mut errs, &month_end.to_string(), coop::coop_today(state, c), closed, parse_date(&c.founded_on));
    errs.into_result()?;
    Ok(())
}

fn previous_month_end(month_end: Date) -> Date {
    month_end.replace_day(1).ok().and_then(|d| d.previous_day()).unwrap_or(month_end)
}

async fn coop_by_id(state: &AppState, id: i64) -> crate::error::Result<Cooperative> {
    st::get_cooperative(&state.db, id).await?.ok_or(OpError::NotFound)
}

/// Month-end step: charges the late penalties of the month ending `month_end` on every disbursed
/// loan (the rule of that date's settings; `domain::cooperative::loans::penalty_charges`). The
/// charges raise the loan's penalties owed (`coop_loans.penalties_charged`), which a repayment
/// pays first; like a penalty typed at repayment, the income is booked when paid (cash basis),
/// so no journal entry is written here. Runs once per cooperative and month (a repeat returns
/// 0). Returns the number of charges recorded.
pub async fn post_late_penalties(
    state: &AppState,
    actor: &Actor,
    coop_id: i64,
    month_end: Date,
) -> crate::error::Result<u32> {
    let c = coop_by_id(state, coop_id).await?;
    let rule = settings_in(&sl::settings_list(&state.db, c.id).await?, month_end).penalty;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    month_end_check(&c, state, month_end, closed)?;
    let me = month_end.to_string();
    if !sl::claim_step(&mut tx, actor, c.id, &me, "late_penalties").await? {
        return Ok(0);
    }
    let prev = previous_month_end(month_end);
    let (mut n, mut total) = (0u32, 0i64);
    for (loan_id, _, _, _) in sl::loans_open_on_tx(&mut tx, c.id, &me).await? {
        let Some(loan) = st::get_loan_tx(&mut tx, loan_id).await? else { continue };
        if coop::state_of(&loan) != LoanState::Disbursed {
            continue;
        }
        let schedule = schedule_from_rows(&st::installments_tx(&mut tx, loan_id).await?);
        let paid = paid_of(&sl::loan_paid_on_tx(&mut tx, loan_id, &me).await?);
        let charges = rules::penalty_charges(&schedule, paid, rule, prev, month_end);
        let mut sum = 0i64;
        for ch in &charges {
            sl::insert_penalty_charge(&mut tx, loan_id, &me, ch).await?;
            sum += ch.amount.amount();
            n += 1;
        }
        if sum > 0 {
            st::add_penalty(&mut tx, loan_id, sum).await?;
            total += sum;
        }
    }
    sl::finish_step(&mut tx, c.id, &me, "late_penalties", n).await?;
    st::audit_operation(
        &mut tx,
        actor,
        &c,
        "cooperative.late_penalties",
        "cooperative",
        c.id,
        &format!("{me}: {n} charges, {total}"),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// The exposures as they stand at `as_of`: each loan disbursed and not yet closed or written
/// off by then, its class from its days past due, its outstanding principal and the deductible
/// value of its collateral (`CollateralKind::deductible`, document held).
fn exposures(
    c: &Cooperative,
    loans: &[(i64, i64, i64, String)],
    rows: &HashMap<i64, Vec<InstallmentRow>>,
    paid: &HashMap<i64, st::LoanPaid>,
    collateral: &[Collateral],
    as_of: Date,
) -> Vec<ProvisionExposure> {
    let table = c.collectibility();
    loans
        .iter()
        .map(|(id, _, principal, _)| {
            let schedule = schedule_from_rows(rows.get(id).map(Vec::as_slice).unwrap_or_default());
            let p = paid.get(id).copied().unwrap_or_default();
            let dpd = co::days_past_due(&schedule, paid_of(&p), as_of);
            let deductible = collateral
                .iter()
                .filter(|k| k.loan_id == *id)
                .filter_map(|k| {
                    Some(rules::deductible_value(
                        CollateralKind::parse(&k.kind)?,
                        rp(k.estimated_value),
                        k.document_held != 0,
                    ))
                })
                .fold(Rupiah::ZERO, |a, b| a.checked_add(b).unwrap_or(Rupiah::MAX));
            ProvisionExposure {
                class: table.classify(dpd),
                principal_outstanding: rp((principal - p.principal).max(0)),
                deductible_collateral: deductible,
            }
        })
        .collect()
}

async fn exposures_tx(
    tx: &mut store::Tx,
    c: &Cooperative,
    as_of: Date,
) -> crate::error::Result<Vec<ProvisionExposure>> {
    let d = as_of.to_string();
    let loans = sl::loans_open_on_tx(tx, c.id, &d).await?;
    let (mut rows, mut paid) = (HashMap::new(), HashMap::new());
    for (id, ..) in &loans {
        rows.insert(*id, st::installments_tx(tx, *id).await?);
        paid.insert(*id, sl::loan_paid_on_tx(tx, *id, &d).await?);
    }
    let collateral = sl::collaterals_of_coop_tx(tx, c.id).await?;
    Ok(exposures(c, &loans, &rows, &paid, &collateral, as_of))
}

/// The provision required on `as_of` (PPAP wajib dibentuk) with the rates of that date's
/// settings. Used by the health assessment and the key figures.
/// The deductible value of a loan's collateral (`CollateralKind::deductible`, document held).
fn deductible_of(collateral: &[sl::Collateral]) -> Rupiah {
    collateral
        .iter()
        .filter_map(|k| {
            Some(rules::deductible_value(CollateralKind::parse(&k.kind)?, rp(k.estimated_value), k.document_held != 0))
        })
        .fold(Rupiah::ZERO, |a, b| a.checked_add(b).unwrap_or(Rupiah::MAX))
}

/// What covers one loan for the health assessment's "loans at risk": its deductible collateral
/// and how many guarantors it has.
pub(crate) async fn cover(state: &AppState, loan_id: i64) -> Result<(Rupiah, usize), store::StoreError> {
    let collateral = sl::collaterals(&state.db, loan_id).await?;
    Ok((deductible_of(&collateral), sl::guarantors(&state.db, loan_id).await?.len()))
}

pub async fn required_provision(state: &AppState, c: &Cooperative, as_of: Date) -> crate::error::Result<Rupiah> {
    Ok(required_store(state, c, as_of).await?)
}

pub(crate) async fn required_store(
    state: &AppState,
    c: &Cooperative,
    as_of: Date,
) -> Result<Rupiah, store::StoreError> {
    let d = as_of.to_string();
    let loans = sl::loans_open_on(&state.db, c.id, &d).await?;
    let paid = st::loans_paid(&state.db, c.id, Some(&d)).await?;
    let mut rows = HashMap::new();
    for (id, ..) in &loans {
        rows.insert(*id, st::installments(&state.db, *id).await?);
    }
    let collateral = sl::collaterals_of_coop(&state.db, c.id).await?;
    let rates = settings_in(&sl::settings_list(&state.db, c.id).await?, as_of).ppap;
    Ok(ppap::required(&exposures(c, &loans, &rows, &paid, &collateral, as_of), &rates))
}

/// The allowance (cadangan penghapusan pinjaman) and the required provision on `as_of`, and
/// their ratio in basis points (`None` when nothing is required).
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ProvisionPosition {
    pub allowance: i64,
    pub required: i64,
    pub ratio_bp: Option<u32>,
}

pub async fn provision_position(
    state: &AppState,
    c: &Cooperative,
    as_of: Date,
) -> Result<ProvisionPosition, store::StoreError> {
    let required = required_store(state, c, as_of).await?;
    let nets = st::account_nets(&state.db, c.id, Some(&as_of.to_string())).await?;
    let allowance = -nets.iter().find(|(a, _)| a == Account::LoanLossAllowance.as_str()).map_or(0, |(_, n)| *n);
    let ratio_bp = (!required.is_zero()).then(|| {
        u32::try_from(i128::from(allowance.max(0)) * 10_000 / i128::from(required.amount())).unwrap_or(u32::MAX)
    });
    Ok(ProvisionPosition { allowance, required: required.amount(), ratio_bp })
}

/// Month-end step: brings the allowance to the provision required at `month_end` (one entry on
/// the month end: debit loan loss expense / credit the allowance for more, the reverse for
/// less; none when they agree). Runs once per cooperative and month (a repeat returns 0).
/// Returns the number of entries posted (0 or 1).
pub async fn post_provision(
    state: &AppState,
    actor: &Actor,
    coop_id: i64,
    month_end: Date,
) -> crate::error::Result<u32> {
    let c = coop_by_id(state, coop_id).await?;
    let rates = settings_in(&sl::settings_list(&state.db, c.id).await?, month_end).ppap;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    month_end_check(&c, state, month_end, closed)?;
    let me = month_end.to_string();
    if !sl::claim_step(&mut tx, actor, c.id, &me, "provision").await? {
        return Ok(0);
    }
    let required = ppap::required(&exposures_tx(&mut tx, &c, month_end).await?, &rates);
    let allowance = allowance_tx(&mut tx, c.id, month_end).await?;
    let memo = format!("PPAP {me}: wajib {required}, saldo cadangan {allowance}");
    let mut n = 0;
    if let Some(entry) = rules::provision_entry(required, allowance, month_end, &memo) {
        let entry = entry.map_err(journal_refusal)?;
        let posting = st::Posting {
            cooperative_id: c.id,
            entry: &entry,
            operation: OperationKind::LoanProvision,
            member_id: None,
            loan_id: None,
            reverses_id: None,
        };
        st::post(&mut tx, actor, &posting).await?;
        n = 1;
    }
    sl::finish_step(&mut tx, c.id, &me, "provision", n).await?;
    st::audit_operation(
        &mut tx,
        actor,
        &c,
        "cooperative.provision",
        "cooperative",
        c.id,
        &format!("{me}: required {required}, allowance {allowance}"),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Collateral and guarantors

/// A piece of collateral (agunan) for a loan.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"kind": "bpkb", "description": "BPKB Honda Beat DK 1234 AB", "estimated_value": 8000000, "document_held": true}))]
pub struct CollateralInput {
    /// bpkb, land_certificate, decree, electronics or other.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub estimated_value: NumTextSer,
    /// Whether the cooperative holds the document (returned on the payoff date).
    #[serde(default, deserialize_with = "form_bool")]
    pub document_held: bool,
}

/// `true`, `"on"`, `"true"`, `"1"`: a JSON boolean or a checkbox.
fn form_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        B(bool),
        S(String),
    }
    Ok(match B::deserialize(d)? {
        B::B(b) => b,
        B::S(s) => matches!(s.as_str(), "on" | "true" | "1" | "ya"),
    })
}

fn open_for_records(loan: &Loan) -> crate::error::Result<()> {
    let s = coop::state_of(loan);
    if s.is_final() {
        let e = FieldError::new("loan_id", Rule::Mismatch, format!("the loan is {s}"))
            .codes("state", "loan_state", &[s.as_str()])
            .message("msg_key.loan_final");
        return Err(OpError::Invalid(ValidationErrors(vec![e])));
    }
    Ok(())
}

pub async fn add_collateral(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    input: &CollateralInput,
) -> crate::error::Result<i64> {
    require_manage(principal, c)?;
    let mut errs = ValidationErrors::new();
    let kind = CollateralKind::parse(input.kind.trim());
    if kind.is_none() {
        errs.push(FieldError::new("kind", Rule::OneOf, "bpkb, land_certificate, decree, electronics or other").codes(
            "allowed",
            "collateral_kind",
            &CollateralKind::ALL.map(|k| k.as_str()),
        ));
    }
    let description = domain::validation::text(&mut errs, "description", &input.description, 1, 200);
    let value = domain::service_center::money::parse_field(
        &mut errs,
        "estimated_value",
        input.estimated_value.as_str(),
        0,
        co::schedule::MAX_PRINCIPAL,
    );
    open_for_records(loan)?;
    errs.into_result()?;
    let (Some(kind), Some(value)) = (kind, value) else { return invalid("kind", Rule::OneOf, "invalid") };
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let id = sl::insert_collateral(
        &mut tx,
        actor,
        loan.id,
        kind.as_str(),
        &description,
        value.amount(),
        input.document_held,
    )
    .await?;
    st::audit_operation(
        &mut tx,
        actor,
        c,
        "cooperative.loan_collateral",
        "coop_loan",
        loan.id,
        &format!("collateral {id}: {kind}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A guarantor (penjamin): a member of the cooperative, or a named person with their relation.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"name": "Yohanes Bria", "relation": "suami"}))]
pub struct GuarantorInput {
    #[serde(default, deserialize_with = "opt_id")]
    pub member_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relation: String,
}

/// A member id as JSON number or form text (empty: none).
fn opt_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum I {
        N(Option<i64>),
        S(String),
    }
    match I::deserialize(d)? {
        I::N(n) => Ok(n),
        I::S(s) if s.trim().is_empty() => Ok(None),
        I::S(s) => s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom("member_id: a number")),
    }
}

pub async fn add_guarantor(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    input: &GuarantorInput,
) -> crate::error::Result<i64> {
    require_manage(principal, c)?;
    let mut errs = ValidationErrors::new();
    let relation = domain::validation::text(&mut errs, "relation", &input.relation, 0, 60);
    let mut name = String::new();
    match input.member_id {
        Some(id) => {
            let m = coop::member_of(state, c, id).await?;
            if m.is_none() || id == loan.member_id {
                errs.add("member_id", Rule::Mismatch, "another member of this cooperative");
            }
        }
        None => {
            name = domain::validation::text(&mut errs, "name", &input.name, 1, 120);
            if relation.is_empty() {
                errs.add("relation", Rule::Required, "the guarantor's relation to the borrower");
            }
        }
    }
    open_for_records(loan)?;
    errs.into_result()?;
    let mut tx = state.db.begin().await?;
    st::lock(&mut tx, c.id).await?;
    let id = sl::insert_guarantor(&mut tx, actor, loan.id, input.member_id, &name, &relation).await?;
    st::audit_operation(
        &mut tx,
        actor,
        c,
        "cooperative.loan_guarantor",
        "coop_loan",
        loan.id,
        &format!("guarantor {id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Rescheduling

/// A rescheduling proposal: a new term, rate and method for the outstanding principal.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"months": 12, "monthly_rate_percent": 1, "method": "flat", "reason": "Gagal panen"}))]
pub struct RescheduleInput {
    #[serde(default)]
    #[schema(value_type = i64)]
    pub months: NumTextSer,
    #[serde(default)]
    #[schema(value_type = f64)]
    pub monthly_rate_percent: NumTextSer,
    /// flat or annuity.
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reason: String,
    /// Value date (today when empty).
    #[serde(default)]
    pub date: String,
}

/// Proposes a new schedule (managers). One open proposal per loan.
pub async fn propose_reschedule(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    input: &RescheduleInput,
) -> crate::error::Result<i64> {
    require_manage(principal, c)?;
    let all_bylaws = st::bylaws_list(&state.db, c.id).await?;
    let mut errs = ValidationErrors::new();
    let reason = domain::validation::text(&mut errs, "reason", &input.reason, 0, 500);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let earliest = loan.disbursed_on.as_deref().and_then(parse_date);
    let date = value_date(&mut errs, &input.date, coop::coop_today(state, c), closed, earliest);
    let loan = st::get_loan_tx(&mut tx, loan.id).await?.ok_or(OpError::NotFound)?;
    let s = coop::state_of(&loan);
    if s != LoanState::Disbursed {
        let e = FieldError::new(
            "loan_id",
            Rule::Mismatch,
            format!("only a disbursed loan is rescheduled, this one is {s}"),
        )
        .codes("state", "loan_state", &[s.as_str()])
        .message("msg_key.loan_not_repayable");
        return Err(OpError::Invalid(ValidationErrors(vec![e])));
    }
    if sl::pending_reschedule_tx(&mut tx, loan.id).await? {
        errs.push(
            FieldError::new("loan_id", Rule::Mismatch, "a proposal is waiting").message("msg_key.reschedule_pending"),
        );
    }
    let paid = st::loan_paid_tx(&mut tx, loan.id).await?;
    let outstanding = rp(loan.principal - paid.principal);
    let start = date.map(|d| d.to_string()).unwrap_or_default();
    let req = co::validate_schedule_request(&co::ScheduleInput {
        principal: &outstanding.amount().to_string(),
        months: input.months.as_str(),
        monthly_rate_percent: input.monthly_rate_percent.as_str(),
        method: &input.method,
        start_date: &start,
    });
    let req = match req {
        Ok(r) => Some(r),
        Err(e) => {
            errs.0.extend(e.0.into_iter().filter(|f| f.field != "start_date"));
            None
        }
    };
    if let (Some(r), Some(d)) = (&req, date)
        && let Err(e) = coop::bylaws_in(&all_bylaws, d).loans.check(r)
    {
        errs.0.extend(e.0.into_iter().filter(|f| f.field != "principal"));
    }
    errs.into_result()?;
    let (Some(req), Some(date)) = (req, date) else { return invalid("months", Rule::Format, "invalid") };
    let n = sl::NewReschedule {
        loan_id: loan.id,
        months: req.months(),
        rate_ppm: req.rate().ppm(),
        method: req.method().as_str(),
        reason: &reason,
        proposed_on: &date.to_string(),
    };
    let id = sl::insert_reschedule(&mut tx, actor, &n).await?;
    st::audit_operation(
        &mut tx,
        actor,
        c,
        "cooperative.loan_reschedule_propose",
        "coop_loan",
        loan.id,
        &format!("proposal {id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// What to do with a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RescheduleDecision {
    /// Four-eyes: not by whoever proposed it; needs the loan-approval right.
    Approve,
    Reject,
    /// Withdrawn by a manager before a decision.
    Cancel,
}

/// Approves, rejects or cancels a proposal. An approval keeps the current schedule in history,
/// and replaces it with [`rules::rescheduled`] counted from the approval date: days past due
/// restart, what was paid stays paid, unpaid jasa moves into the first new installment.
pub async fn decide_reschedule(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    proposal_id: i64,
    decision: RescheduleDecision,
    input: &coop::LoanStepInput,
) -> crate::error::Result<()> {
    may_view(principal, c)?;
    let allowed = match decision {
        RescheduleDecision::Cancel => coop::can_manage(principal, c),
        _ => coop::can_approve(principal, c),
    };
    if !allowed {
        return Err(OpError::Forbidden);
    }
    let mut errs = ValidationErrors::new();
    let note = domain::validation::text(&mut errs, "note", &input.note, 0, 1000);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let p = sl::reschedule_tx(&mut tx, proposal_id).await?.filter(|p| p.loan_id == loan.id).ok_or(OpError::NotFound)?;
    let date = value_date(&mut errs, &input.date, coop::coop_today(state, c), closed, parse_date(&p.proposed_on));
    errs.into_result()?;
    let Some(date) = date else { return invalid("date", Rule::Format, "invalid") };
    if p.state != RescheduleState::Proposed.as_str() {
        let e = FieldError::new("proposal_id", Rule::Mismatch, format!("the proposal is {}", p.state))
            .message("msg_key.reschedule_decided");
        return Err(OpError::Invalid(ValidationErrors(vec![e])));
    }
    let to = match decision {
        RescheduleDecision::Approve => RescheduleState::Approved,
        RescheduleDecision::Reject => RescheduleState::Rejected,
        RescheduleDecision::Cancel => RescheduleState::Cancelled,
    };
    if decision == RescheduleDecision::Approve {
        if actor.user_id.is_some() && p.proposed_by == actor.user_id {
            let e = FieldError::new("approver", Rule::Mismatch, "the user who proposed it cannot approve it")
                .message("msg_key.loan_self_approval");
            return Err(OpError::Invalid(ValidationErrors(vec![e])));
        }
        let loan = st::get_loan_tx(&mut tx, loan.id).await?.ok_or(OpError::NotFound)?;
        if coop::state_of(&loan) != LoanState::Disbursed {
            return invalid("loan_id", Rule::Mismatch, "only a disbursed loan is rescheduled");
        }
        let schedule = schedule_from_rows(&st::installments_tx(&mut tx, loan.id).await?);
        let paid = paid_of(&st::loan_paid_tx(&mut tx, loan.id).await?);
        let owed = co::owed(&schedule, rp(loan.penalties_charged), paid, date);
        let rate = co::MonthlyRate::from_ppm(u32::try_from(p.rate_ppm).unwrap_or(0));
        let method = co::ScheduleMethod::parse(&p.method);
        let req = match (rate, method) {
            (Some(rate), Some(method)) => co::ScheduleRequest::new(
                owed.principal_outstanding,
                u16::try_from(p.months).unwrap_or(0),
                rate,
                method,
                date,
            )
            .ok(),
            _ => None,
        };
        let Some(req) = req else { return invalid("months", Rule::OutOfRange, "the new schedule cannot be built") };
        let new = rules::rescheduled(paid, owed.interest, date, &req.schedule());
        sl::archive_schedule(&mut tx, p.id, loan.id).await?;
        sl::replace_schedule(&mut tx, loan.id, &new).await?;
        st::add_loan_event(&mut tx, actor, loan.id, "reschedule", date, &note, None).await?;
    }
    if !sl::decide_reschedule(&mut tx, actor, p.id, to.as_str(), &date.to_string()).await? {
        return invalid("proposal_id", Rule::Mismatch, "the proposal changed meanwhile; reload");
    }
    st::audit_operation(
        &mut tx,
        actor,
        c,
        &format!("cooperative.loan_reschedule_{to}"),
        "coop_loan",
        loan.id,
        &format!("proposal {}", p.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The loan page's records

/// The loan's fees (taken, or as they would be at disbursement today), collateral, guarantors,
/// penalty charges, rescheduling proposals and replaced schedules.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoanRecords {
    pub admin_fee: i64,
    pub provision_fee: i64,
    /// Cash paid out: principal less the fees.
    pub net_disbursed: i64,
    /// `true` when the fees were taken at disbursement; `false`: as today's settings would take them.
    pub fees_taken: bool,
    #[schema(value_type = Vec<Object>)]
    pub collateral: Vec<Collateral>,
    /// Sum of the collateral the provision may deduct.
    pub deductible_collateral: i64,
    #[schema(value_type = Vec<Object>)]
    pub guarantors: Vec<Guarantor>,
    #[schema(value_type = Vec<Object>)]
    pub penalty_charges: Vec<PenaltyChargeRow>,
    #[schema(value_type = Vec<Object>)]
    pub reschedules: Vec<Reschedule>,
    /// Replaced schedules, the newest replacement first: (proposal id, installments).
    #[schema(value_type = Vec<Object>)]
    pub schedule_history: Vec<(i64, Vec<InstallmentRow>)>,
}

pub async fn loan_records(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    loan: &Loan,
) -> crate::error::Result<LoanRecords> {
    may_view(principal, c)?;
    let taken = sl::loan_fees(&state.db, loan.id).await?;
    let fees = match taken {
        Some(f) => f,
        None if loan.disbursed_on.is_some() => LoanFees::default(),
        None => rules::fees(&settings_on(state, c, coop::coop_today(state, c)).await?, rp(loan.principal)),
    };
    let collateral = sl::collaterals(&state.db, loan.id).await?;
    let deductible = deductible_of(&collateral);
    Ok(LoanRecords {
        admin_fee: fees.admin.amount(),
        provision_fee: fees.provision.amount(),
        net_disbursed: loan.principal - fees.total().amount(),
        fees_taken: taken.is_some() || loan.disbursed_on.is_some(),
        collateral,
        deductible_collateral: deductible.amount(),
        guarantors: sl::guarantors(&state.db, loan.id).await?,
        penalty_charges: sl::penalty_charges(&state.db, loan.id).await?,
        reschedules: sl::reschedules(&state.db, loan.id).await?,
        schedule_history: sl::schedule_history(&state.db, loan.id).await?,
    })
}
