//! The cooperative month-end run (issue 20): for a finished month, each cooperative's monthly
//! steps in order. Each cooperative is independent (each step is its own transaction; one
//! cooperative's failure is reported and the run goes on) and the run is resumable: every step
//! records (cooperative, month, step) in the transaction that posts it, so a repeated or
//! resumed run skips what is finished and posts nothing twice.
//!
//! Steps, in order (maturities first: a payout to sukarela counts in that month's balances):
//! 1. `coop_deposits::deposit_maturities`
//! 2. `coop_deposits::sukarela_interest`
//!
//! Every step is `pub async fn step(state, actor, coop_id, month_end) -> Result<u32>`, itself
//! idempotent by its own (cooperative, month, step) key: deposit maturities, sukarela
//! interest, late penalties, the PPAP provision.

use crate::App as AppState;
use crate::coop_deposits as deposits;
use crate::cooperative::OpError;
use domain::access::Principal;
use domain::{FieldError, Rule, ValidationErrors};
use serde::Serialize;
use store::audit::Actor;
use time::Date;

type Result<T> = std::result::Result<T, OpError>;

/// One monthly step: its code and the function that runs it for one cooperative.
pub struct Step {
    pub code: &'static str,
    pub run: for<'a> fn(
        &'a AppState,
        &'a Actor,
        i64,
        Date,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u32>> + Send + 'a>>,
}

/// The monthly steps in the order they run.
pub const STEPS: &[Step] = &[
    Step { code: deposits::STEP_MATURITIES, run: |s, a, c, d| Box::pin(deposits::deposit_maturities(s, a, c, d)) },
    Step {
        code: deposits::STEP_SUKARELA_INTEREST,
        run: |s, a, c, d| Box::pin(deposits::sukarela_interest(s, a, c, d)),
    },
    // Late penalties, then the PPAP provision (after the penalties, so the classes stand as
    // of the month's end). Each keeps its own (cooperative, month, step) key as well.
    Step { code: "late_penalties", run: |s, a, c, d| Box::pin(crate::coop_loans::post_late_penalties(s, a, c, d)) },
    Step { code: "loan_provision", run: |s, a, c, d| Box::pin(crate::coop_loans::post_provision(s, a, c, d)) },
];

/// Reads `YYYY-MM` as the month's last day; the month must be over in `today`'s calendar.
pub fn parse_month(raw: &str, today: Date) -> Result<Date> {
    let bad = |detail: &str, key: &str| {
        OpError::Invalid(ValidationErrors(vec![FieldError::new("month", Rule::Format, detail).message(key)]))
    };
    let raw = raw.trim();
    let parsed = raw
        .split_once('-')
        .filter(|(y, m)| y.len() == 4 && m.len() == 2)
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u8>().ok()?)))
        .and_then(|(y, m)| time::Month::try_from(m).ok().map(|m| (y, m)))
        .and_then(|(y, m)| domain::cooperative::deposits::month_bounds(y, m));
    let Some((_, last)) = parsed else { return Err(bad("a month such as 2026-03", "msg_key.coop_month_format")) };
    if last >= today {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("month", Rule::OutOfRange, "a month that is over").message("msg_key.coop_month_not_over"),
        ])));
    }
    Ok(last)
}

/// What one cooperative's run did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoopRun {
    pub cooperative_id: i64,
    /// Entries posted per step (0 for a step already finished).
    pub steps: Vec<StepRun>,
    /// Why the cooperative stopped (its other steps were not run); none when all finished.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepRun {
    pub step: String,
    pub entries: u32,
}

/// Runs every step for one cooperative; stops at its first failing step (later steps may
/// depend on it) and reports it.
pub async fn run_one(state: &AppState, actor: &Actor, coop_id: i64, month_end: Date) -> CoopRun {
    let mut steps = Vec::new();
    for s in STEPS {
        match (s.run)(state, actor, coop_id, month_end).await {
            Ok(n) => steps.push(StepRun { step: s.code.to_string(), entries: n }),
            Err(e) => {
                let why = match &e {
                    OpError::Invalid(v) => {
                        v.0.iter().map(|f| format!("{}: {}", f.field, f.detail)).collect::<Vec<_>>().join("; ")
                    }
                    other => other.to_string(),
                };
                return CoopRun { cooperative_id: coop_id, steps, error: Some(format!("{}: {why}", s.code)) };
            }
        }
    }
    CoopRun { cooperative_id: coop_id, steps, error: None }
}

/// The month-end of one cooperative by a user who manages it (page and API).
pub async fn run_for(state: &AppState, p: &Principal, actor: &Actor, coop_id: i64, month: &str) -> Result<CoopRun> {
    let c = deposits::cooperative(state, p, coop_id, true).await?;
    let month_end = parse_month(month, crate::cooperative::coop_today(state, &c))?;
    let run = run_one(state, actor, c.id, month_end).await;
    if let Some(e) = &run.error {
        return Err(OpError::Invalid(ValidationErrors(vec![
            FieldError::new("month", Rule::Mismatch, e.clone())
                .param("error", e.clone())
                .message("msg_key.coop_month_end_failed"),
        ])));
    }
    Ok(run)
}

/// Progress of the command-line run.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub failed: usize,
    pub entries: u64,
}

/// The command-line run (an operator's command, like `indicators refresh`): every cooperative,
/// or one, for `month`; `progress` is called after each cooperative.
pub async fn run_all(
    state: &AppState,
    actor: &Actor,
    only: Option<i64>,
    month: &str,
    mut progress: impl FnMut(Progress),
) -> Result<Vec<CoopRun>> {
    let month_end = parse_month(month, state.today())?;
    let ids = match only {
        Some(id) => {
            store::cooperative::get_cooperative(&state.db, id).await?.ok_or(OpError::NotFound)?;
            vec![id]
        }
        None => store::coop_deposits::cooperative_ids(&state.db).await?,
    };
    let mut out = Vec::new();
    let mut p = Progress { done: 0, total: ids.len(), failed: 0, entries: 0 };
    for id in ids {
        let r = run_one(state, actor, id, month_end).await;
        p.done += 1;
        p.failed += usize::from(r.error.is_some());
        p.entries += r.steps.iter().map(|s| u64::from(s.entries)).sum::<u64>();
        progress(p);
        if r.error.is_some() {
            out.push(r);
        }
    }
    Ok(out)
}
