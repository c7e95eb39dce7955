//! Savings products of the cooperative (issue 20, deposits track): the deposits settings per
//! year, time deposits (open, maturity, early withdrawal), the month's interest on sukarela and
//! the member's passbook. Every posting follows `crate::cooperative`'s pattern: read the
//! settings, begin, lock the cooperative, check the value date against the closed period,
//! decide in the domain (`domain::cooperative::deposits`), post one balanced entry with its
//! record and audit entry, commit. A refusal names its field and posts nothing.

use crate::App as AppState;
use crate::cooperative::{
    self as coop, Cooperative, Member, NumTextSer, OpError, coop_today, founded, journal_refusal, value_date_named,
};
use domain::access::Principal;
use domain::cooperative::deposits::{
    self as dep, AtMaturity, Closing, DepositSettings, DepositState, DepositTerms, Funding, InterestBasis,
};
use domain::cooperative::{Account, OperationKind, Rupiah, SavingsKind};
use domain::person::parse_date;
use domain::{FieldError, Rule, ValidationErrors};
use reports::{Block, Cell, Report, Table};
use serde::{Deserialize, Serialize};
use store::audit::Actor;
use store::coop_deposits as sd;
pub use store::coop_deposits::TimeDeposit;
use store::cooperative as st;
use time::Date;

type Result<T> = std::result::Result<T, OpError>;

fn rp(n: i64) -> Rupiah {
    Rupiah::new(n).unwrap_or_default()
}

/// The cooperative if `p` may see it (and manage it when `manage`): absent and out of region
/// are the same 404; seen but not managed is 403.
pub async fn cooperative(state: &AppState, p: &Principal, id: i64, manage: bool) -> Result<Cooperative> {
    let c = coop::visible(state, p, id).await?.ok_or(OpError::NotFound)?;
    if manage && !coop::can_manage(p, &c) {
        return Err(OpError::Forbidden);
    }
    Ok(c)
}

// ---------------------------------------------------------------------------------------------
// Settings

/// The deposits settings of one year as typed (numbers or text); percentages a year.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"max_deposit_rate_percent": 6, "early_penalty_percent": 1, "sukarela_rate_percent": 3,
    "basis": "minimum", "min_balance": 0, "withholding_tax": true, "tax_note": ""}))]
pub struct SettingsBody {
    /// Highest annual rate of a time deposit, 0–24.
    #[serde(default)]
    #[schema(value_type = f64)]
    pub max_deposit_rate_percent: NumTextSer,
    /// Early withdrawal penalty, percent of the principal, 0–10.
    #[serde(default)]
    #[schema(value_type = f64)]
    pub early_penalty_percent: NumTextSer,
    /// Annual rate on sukarela, 0–24.
    #[serde(default)]
    #[schema(value_type = f64)]
    pub sukarela_rate_percent: NumTextSer,
    /// minimum or average.
    #[serde(default)]
    pub basis: String,
    /// No interest in a month whose basis balance is below this (whole rupiah).
    #[serde(default)]
    #[schema(value_type = i64)]
    pub min_balance: NumTextSer,
    /// Withhold the final income tax (PP 15/2009).
    #[serde(default)]
    #[schema(value_type = bool)]
    pub withholding_tax: NumTextSer,
    /// Why the tax is not withheld (required when `withholding_tax` is false).
    #[serde(default)]
    pub tax_note: String,
}

impl SettingsBody {
    pub fn from_settings(s: &DepositSettings) -> SettingsBody {
        SettingsBody {
            max_deposit_rate_percent: NumTextSer(dep::percent_text(s.max_deposit_rate_bp)),
            early_penalty_percent: NumTextSer(dep::percent_text(s.early_penalty_bp)),
            sukarela_rate_percent: NumTextSer(dep::percent_text(s.sukarela_rate_bp)),
            basis: s.basis.as_str().to_string(),
            min_balance: NumTextSer(s.min_balance.amount().to_string()),
            withholding_tax: NumTextSer(s.withholding_tax.to_string()),
            tax_note: s.tax_note.clone(),
        }
    }

    pub fn validate(&self) -> std::result::Result<DepositSettings, ValidationErrors> {
        dep::validate_settings(&dep::DepositSettingsInput {
            max_deposit_rate_percent: self.max_deposit_rate_percent.as_str(),
            early_penalty_percent: self.early_penalty_percent.as_str(),
            sukarela_rate_percent: self.sukarela_rate_percent.as_str(),
            basis: &self.basis,
            min_balance: self.min_balance.as_str(),
            withholding_tax: self.withholding_tax.as_str(),
            tax_note: &self.tax_note,
        })
    }
}

/// One year's settings as the API shows them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingsYear {
    pub year: i32,
    #[serde(flatten)]
    pub settings: SettingsBody,
}

/// Every year's settings, newest first, and the defaults used where none apply.
pub async fn settings(state: &AppState, p: &Principal, coop_id: i64) -> Result<Vec<SettingsYear>> {
    let c = cooperative(state, p, coop_id, false).await?;
    Ok(sd::settings_list(&state.db, c.id)
        .await?
        .into_iter()
        .map(|(year, s)| SettingsYear { year, settings: SettingsBody::from_settings(&s) })
        .collect())
}

/// The settings that apply in `year` (a year's own, the latest earlier year's, or the defaults).
pub async fn settings_in_year(state: &AppState, c: &Cooperative, year: i32) -> Result<DepositSettings> {
    Ok(dep::settings_for(&sd::settings_list(&state.db, c.id).await?, year))
}

/// Sets one year's deposits settings (audited).
pub async fn save_settings(
    state: &AppState,
    p: &Principal,
    actor: &Actor,
    coop_id: i64,
    year: &str,
    body: &SettingsBody,
) -> Result<()> {
    let c = cooperative(state, p, coop_id, true).await?;
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
    let mut tx = state.db.begin().await?;
    sd::save_settings(&mut tx, actor, c.id, year, &s).await?;
    st::audit_operation(
        &mut tx,
        actor,
        &c,
        "cooperative.deposit_settings",
        "coop_cooperative",
        c.id,
        &format!("year {year}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Time deposits

/// A new time deposit.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"member_id": 1, "amount": 5000000, "months": 6, "annual_rate_percent": 5.5,
    "at_maturity": "payout_sukarela", "funding": "cash", "date": "2026-01-31"}))]
pub struct DepositBody {
    /// Required on the API (pages take it from the form).
    #[serde(default)]
    pub member_id: Option<i64>,
    /// The principal: whole rupiah, more than zero.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub amount: NumTextSer,
    /// Term in months, 1–120.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub months: NumTextSer,
    /// Annual rate, at most the year's settings' maximum.
    #[serde(default)]
    #[schema(value_type = f64)]
    pub annual_rate_percent: NumTextSer,
    /// rollover_principal, rollover_all, payout_cash or payout_sukarela.
    #[serde(default)]
    pub at_maturity: String,
    /// cash (default) or sukarela (moved from the member's voluntary savings).
    #[serde(default)]
    pub funding: String,
    /// Start (value) date, today when empty, in an open period.
    #[serde(default)]
    pub date: String,
}

/// A time deposit with what it earns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepositView {
    pub id: i64,
    pub member_id: i64,
    pub member_number: String,
    pub member_name: String,
    pub principal: i64,
    pub months: i32,
    /// Annual rate, percent.
    pub annual_rate_percent: String,
    pub start_date: String,
    pub maturity_date: String,
    pub at_maturity: String,
    pub funding: String,
    pub state: String,
    /// Interest at maturity (gross) and the tax withheld from it, by the rules (for an open
    /// deposit: what maturity will pay).
    pub interest: i64,
    pub tax: i64,
    pub penalty: i64,
    /// The early withdrawal penalty if withdrawn today (open deposits).
    pub early_penalty_now: i64,
    pub opening_entry_id: i64,
    pub closing_entry_id: Option<i64>,
    pub closed_on: Option<String>,
    pub rolled_from_id: Option<i64>,
}

fn terms_of(d: &TimeDeposit) -> Option<DepositTerms> {
    Some(DepositTerms {
        principal: Rupiah::new(d.principal)?,
        months: u16::try_from(d.months).ok()?,
        annual_rate_bp: u32::try_from(d.annual_rate_bp).ok()?,
        start: parse_date(&d.start_date)?,
        at_maturity: AtMaturity::parse(&d.at_maturity)?,
        funding: Funding::parse(&d.funding).unwrap_or(Funding::Cash),
    })
}

async fn view_of(state: &AppState, c: &Cooperative, d: TimeDeposit, members: &[Member]) -> Result<DepositView> {
    let m = members.iter().find(|m| m.id == d.member_id);
    let open = d.state == DepositState::Open.as_str();
    let (interest, tax, early) = match (open, terms_of(&d)) {
        (true, Some(t)) => {
            let s = settings_in_year(state, c, t.maturity().year()).await?;
            let now = settings_in_year(state, c, coop_today(state, c).year()).await?;
            let cl = Closing::at_maturity(&t, s.withholding_tax);
            (cl.interest.amount(), cl.tax.amount(), dep::early_penalty(t.principal, now.early_penalty_bp).amount())
        }
        _ => (d.interest, d.tax, 0),
    };
    Ok(DepositView {
        id: d.id,
        member_id: d.member_id,
        member_number: m.map(|m| m.member_number.clone()).unwrap_or_default(),
        member_name: m.map(|m| m.full_name.clone()).unwrap_or_default(),
        principal: d.principal,
        months: d.months,
        annual_rate_percent: dep::percent_text(u32::try_from(d.annual_rate_bp).unwrap_or(0)),
        start_date: d.start_date,
        maturity_date: d.maturity_date,
        at_maturity: d.at_maturity,
        funding: d.funding,
        state: d.state,
        interest,
        tax,
        penalty: d.penalty,
        early_penalty_now: if open { early } else { 0 },
        opening_entry_id: d.opening_entry_id,
        closing_entry_id: d.closing_entry_id,
        closed_on: d.closed_on,
        rolled_from_id: d.rolled_from_id,
    })
}

/// A cooperative's time deposits (or one member's), newest first.
pub async fn list(state: &AppState, p: &Principal, coop_id: i64, member_id: Option<i64>) -> Result<Vec<DepositView>> {
    let c = cooperative(state, p, coop_id, false).await?;
    let members = st::list_members(&state.db, c.id).await?;
    let mut out = Vec::new();
    for d in sd::list_deposits(&state.db, c.id, member_id).await? {
        out.push(view_of(state, &c, d, &members).await?);
    }
    Ok(out)
}

/// One deposit (the deposit record page and certificate).
pub async fn get(state: &AppState, p: &Principal, coop_id: i64, id: i64) -> Result<DepositView> {
    let c = cooperative(state, p, coop_id, false).await?;
    let d = sd::get_deposit(&state.db, id).await?.filter(|d| d.cooperative_id == c.id).ok_or(OpError::NotFound)?;
    let members = st::list_members(&state.db, c.id).await?;
    view_of(state, &c, d, &members).await
}

fn memo_for(m: &Member, what: &str) -> String {
    format!("{what} · {} {}", m.member_number, m.full_name)
}

/// Opens a time deposit: validated against the start year's settings; funded from cash or the
/// member's sukarela (which must cover it); one entry (cash or sukarela → simpanan berjangka).
pub async fn open(
    state: &AppState,
    p: &Principal,
    actor: &Actor,
    coop_id: i64,
    body: &DepositBody,
) -> Result<DepositView> {
    let c = cooperative(state, p, coop_id, true).await?;
    let m = match body.member_id {
        Some(id) => coop::member_of(state, &c, id).await?,
        None => None,
    };
    let Some(m) = m.filter(|m| m.left_on.is_none()) else {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("member_id", Rule::OneOf, "an active member of this cooperative")
                .message("msg_key.coop_deposits_member"),
        ])));
    };
    let all = sd::settings_list(&state.db, c.id).await?;
    let mut errs = ValidationErrors::new();
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let start = value_date_named(
        &mut errs,
        "date",
        &body.date,
        coop_today(state, &c),
        closed,
        parse_date(&m.joined_on).max(founded(&c)),
    );
    let Some(start) = start else { return Err(OpError::Invalid(errs)) };
    let s = dep::settings_for(&all, start.year());
    let terms = dep::validate_deposit(
        &dep::DepositInput {
            principal: body.amount.as_str(),
            months: body.months.as_str(),
            annual_rate_percent: body.annual_rate_percent.as_str(),
            at_maturity: &body.at_maturity,
            funding: &body.funding,
        },
        start,
        &s,
    )
    .map_err(OpError::Invalid)?;
    if terms.funding == Funding::Sukarela {
        let nets = st::member_nets_tx(&mut tx, m.id).await?;
        let b = -nets.iter().find(|(a, _)| a == Account::SimpananSukarela.as_str()).map_or(0, |(_, n)| *n);
        domain::cooperative::withdraw(SavingsKind::Sukarela, rp(b), terms.principal, false)
            .map_err(coop::savings_refusal)?;
    }
    let d = open_in_tx(&mut tx, actor, &c, &m, &terms, None, "Simpanan berjangka dibuka").await?;
    tx.commit().await?;
    let members = vec![m];
    view_of(state, &c, d, &members).await
}

async fn open_in_tx(
    tx: &mut store::Tx,
    actor: &Actor,
    c: &Cooperative,
    m: &Member,
    t: &DepositTerms,
    rolled: Option<(i64, i64)>,
    what: &str,
) -> Result<TimeDeposit> {
    // A roll-over's new principal is credited by the old deposit's closing entry.
    let entry_id = match rolled {
        Some((_, entry_id)) => entry_id,
        None => {
            let entry = dep::opening_entry(m.id, t.principal, t.funding, t.start, &memo_for(m, what))
                .map_err(journal_refusal)?;
            st::post(
                tx,
                actor,
                &st::Posting {
                    cooperative_id: c.id,
                    entry: &entry,
                    operation: OperationKind::TimeDepositOpening,
                    member_id: Some(m.id),
                    loan_id: None,
                    reverses_id: None,
                },
            )
            .await?
        }
    };
    let (start, maturity) = (t.start.to_string(), t.maturity().to_string());
    let d = sd::insert_deposit(
        tx,
        actor,
        &sd::NewDeposit {
            cooperative_id: c.id,
            member_id: m.id,
            principal: t.principal.amount(),
            months: i32::from(t.months),
            annual_rate_bp: i32::try_from(t.annual_rate_bp).unwrap_or(i32::MAX),
            start_date: &start,
            maturity_date: &maturity,
            at_maturity: t.at_maturity.as_str(),
            funding: t.funding.as_str(),
            opening_entry_id: entry_id,
            rolled_from_id: rolled.map(|(id, _)| id),
        },
    )
    .await?;
    st::audit_operation(
        tx,
        actor,
        c,
        "cooperative.time_deposit_opening",
        "coop_time_deposit",
        d.id,
        &format!("entry {entry_id}"),
    )
    .await?;
    Ok(d)
}

/// Closes a deposit at maturity inside the caller's transaction (after the lock): the closing
/// entry (interest, tax, the rest to cash or sukarela, or a new deposit), the record, the
/// audit entry; a roll-over opens the new deposit from the old one's maturity date.
async fn mature_in_tx(
    tx: &mut store::Tx,
    actor: &Actor,
    c: &Cooperative,
    all: &[(i32, DepositSettings)],
    d: &TimeDeposit,
    date: Date,
) -> Result<Option<i64>> {
    let Some(t) = terms_of(d) else { return Ok(None) };
    let Some(m) = sd::member_tx(tx, d.member_id).await? else { return Ok(None) };
    let s = dep::settings_for(all, t.maturity().year());
    let cl = Closing::at_maturity(&t, s.withholding_tax);
    let memo = memo_for(
        &m,
        &format!("Simpanan berjangka jatuh tempo {} (jasa Rp {}, pajak Rp {})", d.maturity_date, cl.interest, cl.tax),
    );
    let entry = cl.entry(m.id, date, &memo).map_err(journal_refusal)?;
    let entry_id = st::post(
        tx,
        actor,
        &st::Posting {
            cooperative_id: c.id,
            entry: &entry,
            operation: OperationKind::TimeDepositClosing,
            member_id: Some(m.id),
            loan_id: None,
            reverses_id: None,
        },
    )
    .await?;
    let rolled = !cl.rolled.is_zero();
    let state = if rolled { DepositState::RolledOver } else { DepositState::Matured };
    let closed_on = date.to_string();
    let changed = sd::close_deposit(
        tx,
        d.id,
        &sd::DepositClose {
            state: state.as_str(),
            closing_entry_id: entry_id,
            closed_on: &closed_on,
            interest: cl.interest.amount(),
            tax: cl.tax.amount(),
            penalty: 0,
        },
    )
    .await?;
    if !changed {
        return Err(OpError::Invalid(ValidationErrors::single(
            "deposit_id",
            Rule::Mismatch,
            "the deposit is no longer open",
        )));
    }
    st::audit_operation(
        tx,
        actor,
        c,
        "cooperative.time_deposit_closing",
        "coop_time_deposit",
        d.id,
        &format!("maturity, entry {entry_id}"),
    )
    .await?;
    if rolled {
        // Same term; the rate stays unless the new year's settings allow less.
        let s_new = dep::settings_for(all, t.maturity().year());
        let next = DepositTerms {
            principal: cl.rolled,
            start: t.maturity(),
            annual_rate_bp: t.annual_rate_bp.min(s_new.max_deposit_rate_bp),
            ..t
        };
        open_in_tx(tx, actor, c, &m, &next, Some((d.id, entry_id)), "Simpanan berjangka diperpanjang").await?;
    }
    Ok(Some(entry_id))
}

/// The value date of a closing: `raw` (today when empty), in an open period, not before `not_before`.
fn closing_date(
    state: &AppState,
    c: &Cooperative,
    raw: &str,
    closed: Option<Date>,
    not_before: Option<Date>,
) -> Result<Date> {
    let mut errs = ValidationErrors::new();
    value_date_named(&mut errs, "date", raw, coop_today(state, c), closed, not_before).ok_or(OpError::Invalid(errs))
}

/// A treasurer's action on a deposit.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"date": "2026-07-31", "accept_penalty": true, "to": "cash"}))]
pub struct DepositActionBody {
    /// Value date, today when empty.
    #[serde(default)]
    pub date: String,
    /// Early withdrawal only: the member accepts the by-laws' penalty. Without it nothing is
    /// posted and the refusal names the penalty.
    #[serde(default)]
    pub accept_penalty: bool,
    /// Early withdrawal only: cash (default) or sukarela.
    #[serde(default)]
    pub to: String,
}

/// Processes a deposit at (or after) its maturity date, by its instruction.
pub async fn mature(
    state: &AppState,
    p: &Principal,
    actor: &Actor,
    coop_id: i64,
    id: i64,
    body: &DepositActionBody,
) -> Result<DepositView> {
    let c = cooperative(state, p, coop_id, true).await?;
    let all = sd::settings_list(&state.db, c.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let d = sd::get_deposit_tx(&mut tx, id).await?.filter(|d| d.cooperative_id == c.id).ok_or(OpError::NotFound)?;
    if d.state != DepositState::Open.as_str() {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("deposit_id", Rule::Mismatch, "the deposit is no longer open")
                .message("msg_key.coop_deposits_not_open"),
        ])));
    }
    let maturity = parse_date(&d.maturity_date);
    let date = closing_date(state, &c, &body.date, closed, None)?;
    if maturity.is_some_and(|m| date < m) {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("date", Rule::OutOfRange, format!("not before the maturity date {}", d.maturity_date))
                .param("maturity", d.maturity_date.clone())
                .message("msg_key.coop_deposits_not_matured"),
        ])));
    }
    mature_in_tx(&mut tx, actor, &c, &all, &d, date).await?;
    tx.commit().await?;
    get(state, p, coop_id, id).await
}

/// Withdraws a deposit before maturity: only with the penalty accepted; no interest; the
/// principal less the penalty to cash or sukarela.
pub async fn withdraw_early(
    state: &AppState,
    p: &Principal,
    actor: &Actor,
    coop_id: i64,
    id: i64,
    body: &DepositActionBody,
) -> Result<DepositView> {
    let c = cooperative(state, p, coop_id, true).await?;
    let to = if body.to.trim().is_empty() { Some(Funding::Cash) } else { Funding::parse(&body.to) };
    let Some(to) = to else {
        return Err(OpError::Invalid(ValidationErrors::single("to", Rule::OneOf, Funding::codes())));
    };
    let all = sd::settings_list(&state.db, c.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let d = sd::get_deposit_tx(&mut tx, id).await?.filter(|d| d.cooperative_id == c.id).ok_or(OpError::NotFound)?;
    if d.state != DepositState::Open.as_str() {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("deposit_id", Rule::Mismatch, "the deposit is no longer open")
                .message("msg_key.coop_deposits_not_open"),
        ])));
    }
    let date = closing_date(state, &c, &body.date, closed, parse_date(&d.start_date))?;
    if parse_date(&d.maturity_date).is_some_and(|m| date >= m) {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("date", Rule::Mismatch, "the deposit has matured: process its maturity instead")
                .message("msg_key.coop_deposits_matured"),
        ])));
    }
    let s = dep::settings_for(&all, date.year());
    let cl = Closing::early(rp(d.principal), s.early_penalty_bp, to);
    if !body.accept_penalty {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new(
                "accept_penalty",
                Rule::Required,
                format!(
                    "withdrawing before {} costs a penalty of Rp {}; accept it to continue",
                    d.maturity_date, cl.penalty
                ),
            )
            .param("penalty", format!("Rp {}", cl.penalty))
            .param("maturity", d.maturity_date.clone())
            .message("msg_key.coop_deposits_penalty_required"),
        ])));
    }
    let Some(m) = sd::member_tx(&mut tx, d.member_id).await? else { return Err(OpError::NotFound) };
    let memo = memo_for(&m, &format!("Simpanan berjangka dicairkan sebelum jatuh tempo (denda Rp {})", cl.penalty));
    let entry = cl.entry(m.id, date, &memo).map_err(journal_refusal)?;
    let entry_id = st::post(
        &mut tx,
        actor,
        &st::Posting {
            cooperative_id: c.id,
            entry: &entry,
            operation: OperationKind::TimeDepositClosing,
            member_id: Some(m.id),
            loan_id: None,
            reverses_id: None,
        },
    )
    .await?;
    let closed_on = date.to_string();
    sd::close_deposit(
        &mut tx,
        d.id,
        &sd::DepositClose {
            state: DepositState::Withdrawn.as_str(),
            closing_entry_id: entry_id,
            closed_on: &closed_on,
            interest: 0,
            tax: 0,
            penalty: cl.penalty.amount(),
        },
    )
    .await?;
    st::audit_operation(
        &mut tx,
        actor,
        &c,
        "cooperative.time_deposit_closing",
        "coop_time_deposit",
        d.id,
        &format!("early, entry {entry_id}"),
    )
    .await?;
    tx.commit().await?;
    get(state, p, coop_id, id).await
}

// ---------------------------------------------------------------------------------------------
// Month-end steps (run by `crate::coop_month_end`)

fn month_key(month_end: Date) -> String {
    format!("{:04}-{:02}", month_end.year(), u8::from(month_end.month()))
}

/// Refuses a month inside the closed period.
fn check_open(closed: Option<Date>, month_end: Date) -> Result<()> {
    if let Some(cl) = closed
        && cl >= month_end
    {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("month", Rule::OutOfRange, format!("the books are closed through {cl}"))
                .param("closed", cl.to_string())
                .message("msg_key.coop_month_end_closed"),
        ])));
    }
    Ok(())
}

pub const STEP_MATURITIES: &str = "deposit_maturities";
pub const STEP_SUKARELA_INTEREST: &str = "sukarela_interest";

/// Month-end step: every open deposit of the cooperative maturing in or before the month is
/// processed by its instruction, dated its maturity date (or the first open day after a
/// closed period). Idempotent: a finished (cooperative, month, step) posts nothing, and a
/// processed deposit is no longer open.
pub async fn deposit_maturities(state: &AppState, actor: &Actor, coop_id: i64, month_end: Date) -> Result<u32> {
    let c = st::get_cooperative(&state.db, coop_id).await?.ok_or(OpError::NotFound)?;
    let all = sd::settings_list(&state.db, c.id).await?;
    let month = month_key(month_end);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    check_open(closed, month_end)?;
    if sd::step_done_tx(&mut tx, c.id, &month, STEP_MATURITIES).await? {
        return Ok(0);
    }
    let mut n = 0u32;
    for d in sd::maturing_tx(&mut tx, c.id, &month_end.to_string()).await? {
        let Some(maturity) = parse_date(&d.maturity_date) else { continue };
        let date = match closed.and_then(|cl| cl.next_day()) {
            Some(first_open) if maturity < first_open => first_open,
            _ => maturity,
        };
        if mature_in_tx(&mut tx, actor, &c, &all, &d, date).await?.is_some() {
            n += 1;
        }
    }
    sd::finish_step(&mut tx, actor, c.id, &month, STEP_MATURITIES, n).await?;
    st::audit_operation(
        &mut tx,
        actor,
        &c,
        "cooperative.month_end",
        "coop_cooperative",
        c.id,
        &format!("{month} {STEP_MATURITIES}: {n} entries"),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Month-end step: interest on sukarela for the month, per member active at the month's end,
/// on the minimum or average end-of-day balance (the settings of the month's year), with the
/// tax withheld; one entry per member dated the month's last day. One transaction for the
/// cooperative's month; the step's row and the (cooperative, month, member) key make a
/// repeated run post nothing.
pub async fn sukarela_interest(state: &AppState, actor: &Actor, coop_id: i64, month_end: Date) -> Result<u32> {
    let c = st::get_cooperative(&state.db, coop_id).await?.ok_or(OpError::NotFound)?;
    let s = dep::settings_for(&sd::settings_list(&state.db, c.id).await?, month_end.year());
    let Some((first, last)) = dep::month_bounds(month_end.year(), month_end.month()) else {
        return Ok(0);
    };
    let month = month_key(month_end);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    check_open(closed, last)?;
    if sd::step_done_tx(&mut tx, c.id, &month, STEP_SUKARELA_INTEREST).await? {
        return Ok(0);
    }
    let before = first.previous_day().map(|d| d.to_string()).unwrap_or_default();
    let opening: std::collections::HashMap<i64, i64> =
        sd::sukarela_opening_tx(&mut tx, c.id, &before).await?.into_iter().collect();
    let mut moves: std::collections::HashMap<i64, Vec<(Date, i64)>> = Default::default();
    for (m, d, amt) in sd::sukarela_movements_tx(&mut tx, c.id, &first.to_string(), &last.to_string()).await? {
        if let Some(d) = parse_date(&d) {
            moves.entry(m).or_default().push((d, amt));
        }
    }
    let days = last.day();
    let mut n = 0u32;
    for member in sd::active_members_tx(&mut tx, c.id, &last.to_string()).await? {
        let mv = moves.get(&member).map(Vec::as_slice).unwrap_or(&[]);
        let basis = dep::month_basis(s.basis, opening.get(&member).copied().unwrap_or(0), mv, first, last);
        let i = dep::month_interest(basis, days, &s);
        if i.interest.is_zero() {
            continue;
        }
        let basis_name = match s.basis {
            InterestBasis::Minimum => "saldo terendah",
            InterestBasis::Average => "saldo rata-rata",
        };
        let memo = format!("Jasa simpanan sukarela {month} ({basis_name} Rp {}, pajak Rp {})", i.basis, i.tax);
        let entry = dep::interest_entry(member, &i, last, &memo).map_err(journal_refusal)?;
        let entry_id = st::post(
            &mut tx,
            actor,
            &st::Posting {
                cooperative_id: c.id,
                entry: &entry,
                operation: OperationKind::SavingsInterest,
                member_id: Some(member),
                loan_id: None,
                reverses_id: None,
            },
        )
        .await?;
        sd::insert_interest(
            &mut tx,
            c.id,
            &month,
            member,
            i.basis.amount(),
            i.interest.amount(),
            i.tax.amount(),
            entry_id,
        )
        .await?;
        n += 1;
    }
    sd::finish_step(&mut tx, actor, c.id, &month, STEP_SUKARELA_INTEREST, n).await?;
    st::audit_operation(
        &mut tx,
        actor,
        &c,
        "cooperative.month_end",
        "coop_cooperative",
        c.id,
        &format!("{month} {STEP_SUKARELA_INTEREST}: {n} entries"),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Passbook

/// The member's passbook (buku simpanan): per savings kind (pokok, wajib, sukarela, berjangka)
/// every transaction with its running balance, interest and tax in the memo, then the time
/// deposits. Personal data: the view is audited.
pub async fn passbook(state: &AppState, p: &Principal, actor: &Actor, coop_id: i64, member_id: i64) -> Result<Report> {
    let c = cooperative(state, p, coop_id, false).await?;
    let m = coop::member_of(state, &c, member_id).await?.ok_or(OpError::NotFound)?;
    let lines = st::member_lines(&state.db, m.id, "0000-01-01", "9999-12-31", 100_000).await?;
    let mut blocks = Vec::new();
    let kinds = [
        (Account::SimpananPokok, "Simpanan pokok"),
        (Account::SimpananWajib, "Simpanan wajib"),
        (Account::SimpananSukarela, "Simpanan sukarela"),
        (Account::SimpananBerjangka, "Simpanan berjangka"),
    ];
    let mut facts = Vec::new();
    for (account, name) in kinds {
        let mut balance = 0i64;
        let mut rows = Vec::new();
        for l in lines.iter().filter(|l| l.account == account.as_str()) {
            balance += l.credit - l.debit;
            rows.push(vec![
                Cell::Text(l.entry_date.clone()),
                Cell::Text(l.memo.clone()),
                if l.credit > 0 { Cell::Rupiah(l.credit) } else { Cell::Empty },
                if l.debit > 0 { Cell::Rupiah(l.debit) } else { Cell::Empty },
                Cell::Rupiah(balance),
            ]);
        }
        facts.push((name.to_string(), Cell::Rupiah(balance).display()));
        if rows.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(name.to_string()));
        blocks.push(Block::Table(Table {
            name: name.to_string(),
            columns: vec!["Tanggal".into(), "Keterangan".into(), "Setor".into(), "Tarik".into(), "Saldo".into()],
            rows,
            totals: None,
        }));
    }
    let interest = sd::member_interest(&state.db, m.id).await?;
    if !interest.is_empty() {
        blocks.push(Block::Heading("Jasa simpanan sukarela dan pajak".into()));
        blocks.push(Block::Table(Table {
            name: "Jasa simpanan".into(),
            columns: vec![
                "Bulan".into(),
                "Dasar".into(),
                "Jasa".into(),
                "Pajak (PP 15/2009)".into(),
                "Diterima".into(),
            ],
            rows: interest
                .iter()
                .map(|i| {
                    vec![
                        Cell::Text(i.month.clone()),
                        Cell::Rupiah(i.basis),
                        Cell::Rupiah(i.interest),
                        Cell::Rupiah(i.tax),
                        Cell::Rupiah(i.interest - i.tax),
                    ]
                })
                .collect(),
            totals: None,
        }));
    }
    let deposits = sd::list_deposits(&state.db, c.id, Some(m.id)).await?;
    if !deposits.is_empty() {
        blocks.push(Block::Heading("Bilyet simpanan berjangka".into()));
        blocks.push(Block::Table(Table {
            name: "Simpanan berjangka".into(),
            columns: vec![
                "No.".into(),
                "Mulai".into(),
                "Jatuh tempo".into(),
                "Pokok".into(),
                "Bunga % setahun".into(),
                "Status".into(),
            ],
            rows: deposits
                .iter()
                .map(|d| {
                    vec![
                        Cell::Int(d.id),
                        Cell::Text(d.start_date.clone()),
                        Cell::Text(d.maturity_date.clone()),
                        Cell::Rupiah(d.principal),
                        Cell::Text(dep::percent_text(u32::try_from(d.annual_rate_bp).unwrap_or(0))),
                        Cell::Text(state_name(&d.state).to_string()),
                    ]
                })
                .collect(),
            totals: None,
        }));
    }
    blocks.insert(0, Block::Facts(facts));
    blocks.insert(0, Block::Heading("Saldo".into()));
    st::audit_member_view(&state.db, actor, &c, &m, "passbook").await?;
    let mut meta = coop::coop_meta(&c, format!("s.d. {}", coop_today(state, &c)));
    meta.insert(1, ("Anggota".into(), format!("{} {}", m.member_number, m.full_name)));
    Ok(Report { title: "Buku Simpanan Anggota".into(), meta, blocks })
}

/// The Indonesian name of a deposit state.
pub fn state_name(code: &str) -> &'static str {
    match DepositState::parse(code) {
        Some(DepositState::Open) => "Berjalan",
        Some(DepositState::Matured) => "Jatuh tempo, dibayar",
        Some(DepositState::RolledOver) => "Diperpanjang",
        Some(DepositState::Withdrawn) => "Dicairkan sebelum jatuh tempo",
        None => "",
    }
}

/// The Indonesian name of an at-maturity instruction.
pub fn at_maturity_name(code: &str) -> &'static str {
    match AtMaturity::parse(code) {
        Some(AtMaturity::RolloverPrincipal) => "Perpanjang pokok, bunga ke sukarela",
        Some(AtMaturity::RolloverAll) => "Perpanjang pokok + bunga",
        Some(AtMaturity::PayoutCash) => "Cairkan tunai",
        Some(AtMaturity::PayoutSukarela) => "Cairkan ke simpanan sukarela",
        None => "",
    }
}
