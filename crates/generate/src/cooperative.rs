//! The cooperative pillar (pillar 4): a village cooperative in each Desmigratif village that has
//! residents, founded after the village joined the program, with members from the village's
//! adults, simpanan pokok / wajib / sukarela, loans through their whole life (application,
//! four-eyes decision, disbursement, monthly repayments on the domain schedule, some late with
//! denda, a few written off) and the double-entry journal.
//!
//! Each cooperative is simulated day by day in memory: operations wait in a queue ordered by
//! date, and each one is checked with the rules the web service applies (`savings::deposit` /
//! `withdraw`, `validate_schedule_request` and the by-laws' `LoanRules::check`, the loan state
//! machine `loan::transition`, `loan::owed` and `loan::allocate`, cash on hand before a
//! disbursement) and becomes one balanced entry through the posting templates
//! (`Operation::entry`), exactly as `crates/web/src/cooperative.rs` posts it. The journal is
//! append-only: rows are only inserted. `coop_cooperatives.postings` counts the entries, as the
//! store's lock bumps it once per posting. No period is closed, so there are no period balances
//! to keep.

use crate::bulk::{Batch, Table, V};
use crate::pick;
use crate::roster::{Roster, age, day, names};
use crate::{Ctx, GenError, Pillar, PillarFuture};
use domain::RegionCode;
use domain::cooperative::RupiahOps;
use domain::cooperative::{
    self as co, Allocation, Bylaws, JournalEntry, LoanAction, LoanState, Operation, Paid, Rupiah, SavingsKind,
    Schedule, ScheduleInput, Side,
};
use rand::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use time::{Date, Duration};

pub const PILLAR: Pillar = Pillar {
    name: "cooperative",
    about: "village cooperatives: members, savings, loans and their balanced journal",
    run: start,
};

fn start(ctx: &mut Ctx) -> PillarFuture<'_> {
    Box::pin(run(ctx))
}

const COOPS: Table = Table {
    name: "coop_cooperatives",
    cols: &[
        "id",
        "village_code",
        "kind",
        "name",
        "legal_number",
        "founded_on",
        "collect_days",
        "postings",
        "created_at",
    ],
};
const BYLAWS: Table = Table {
    name: "coop_bylaws",
    cols: &[
        "cooperative_id",
        "year",
        "pokok",
        "wajib_monthly",
        "max_principal",
        "max_months",
        "min_rate_ppm",
        "max_rate_ppm",
        "shu_reserve_bp",
        "shu_members_by_savings_bp",
        "shu_members_by_transactions_bp",
        "shu_board_bp",
        "shu_staff_bp",
        "shu_education_bp",
        "shu_social_bp",
        "shu_area_development_bp",
        "updated_at",
    ],
};
const MEMBERS: Table = Table {
    name: "coop_members",
    cols: &["id", "cooperative_id", "member_number", "full_name", "nik", "person_id", "joined_on", "created_at"],
};
const LOANS: Table = Table {
    name: "coop_loans",
    cols: &[
        "id",
        "cooperative_id",
        "member_id",
        "principal",
        "months",
        "rate_ppm",
        "method",
        "purpose",
        "state",
        "applied_on",
        "decided_on",
        "disbursed_on",
        "closed_on",
        "penalties_charged",
        "created_at",
        "updated_at",
    ],
};
const INSTALLMENTS: Table = Table {
    name: "coop_loan_installments",
    cols: &["loan_id", "number", "due_date", "principal", "interest", "total", "balance_after"],
};
const ENTRIES: Table = Table {
    name: "coop_journal_entries",
    cols: &["id", "cooperative_id", "entry_date", "memo", "operation", "total", "member_id", "loan_id", "created_at"],
};
const LINES: Table = Table {
    name: "coop_journal_lines",
    cols: &["id", "entry_id", "cooperative_id", "entry_date", "account", "debit", "credit", "member_id"],
};
const SAVINGS: Table = Table {
    name: "coop_savings_transactions",
    cols: &["id", "cooperative_id", "member_id", "kind", "direction", "amount", "value_date", "entry_id", "created_at"],
};
const LOAN_EVENTS: Table =
    Table { name: "coop_loan_events", cols: &["id", "loan_id", "action", "on_date", "note", "entry_id", "at"] };

/// Stand-in user ids for the four-eyes check (the generator has no user accounts; the rows keep
/// `applied_by` / `decided_by` empty).
const CLERK: i64 = 1;
const CHAIR: i64 = 2;

const PURPOSES: &[&str] = &[
    "Modal usaha warung",
    "Bibit dan pupuk",
    "Ternak kambing",
    "Biaya sekolah anak",
    "Perbaikan rumah",
    "Modal usaha kuliner",
    "Peralatan bengkel",
    "Perahu dan jaring",
];

fn invalid(what: &'static str, e: impl std::fmt::Display) -> GenError {
    GenError::Invalid { what, detail: e.to_string() }
}

fn rp(n: i64) -> Rupiah {
    Rupiah::new(n).unwrap_or(Rupiah::ZERO)
}

/// What waits in a cooperative's queue. Ordered by date, then by the order it was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Join(u32),
    Wajib(u32, u16),
    Sukarela(u32, bool),
    Apply(u32),
    Decide(u32),
    Disburse(u32),
    Repay(u32, u16),
    WriteOff(u32),
    Expense,
}

struct MemberSim {
    id: i64,
    person: i64,
    number: String,
    name: String,
    joined: Date,
    balance: [i64; 3],
    open_loan: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Payer {
    OnTime,
    Late,
    Defaults { after: u16 },
}

struct LoanSim {
    id: i64,
    member: u32,
    request: co::ScheduleRequest,
    purpose: &'static str,
    state: LoanState,
    applied: Date,
    decided: Option<Date>,
    disbursed: Option<Date>,
    closed: Option<Date>,
    schedule: Schedule,
    paid: Paid,
    penalties: Rupiah,
    payer: Payer,
    last_paid: Date,
}

/// One cooperative's rows as they are built.
struct Books {
    coop: i64,
    cash: i64,
    entries: u64,
    batch: Batch,
    events: Vec<[V; 7]>,
}

impl Books {
    async fn post(
        &mut self,
        ctx: &mut Ctx,
        op: &Operation,
        date: Date,
        memo: &str,
        loan: Option<i64>,
    ) -> Result<i64, GenError> {
        let entry: JournalEntry = op.entry(date, memo).map_err(|e| invalid("journal entry", e))?;
        co::check_posting_date(date, ctx.as_of, None).map_err(|e| invalid("journal entry", e))?;
        let id = ctx.next_id("coop_journal_entries").await?;
        let d = date.to_string();
        self.batch.push(
            &ENTRIES,
            [
                id.into(),
                self.coop.into(),
                V::T(d.clone()),
                V::T(entry.memo().to_string()),
                V::S(op.kind().as_str()),
                entry.total().amount().into(),
                op.member().into(),
                loan.into(),
                Ctx::ts(date).into(),
            ],
        );
        for l in entry.lines() {
            let (debit, credit) = match l.side {
                Side::Debit => (l.amount.amount(), 0),
                Side::Credit => (0, l.amount.amount()),
            };
            if l.account == co::Account::Cash {
                self.cash += debit - credit;
            }
            let lid = ctx.next_id("coop_journal_lines").await?;
            self.batch.push(
                &LINES,
                [
                    lid.into(),
                    id.into(),
                    self.coop.into(),
                    V::T(d.clone()),
                    V::S(l.account.as_str()),
                    debit.into(),
                    credit.into(),
                    l.member_id.into(),
                ],
            );
        }
        self.entries += 1;
        Ok(id)
    }

    async fn loan_event(
        &mut self,
        ctx: &mut Ctx,
        loan: i64,
        action: &'static str,
        on: Date,
        note: String,
        entry: Option<i64>,
    ) -> Result<(), GenError> {
        let id = ctx.next_id("coop_loan_events").await?;
        self.events.push([
            id.into(),
            loan.into(),
            V::S(action),
            V::T(on.to_string()),
            V::T(note),
            entry.into(),
            Ctx::ts(on).into(),
        ]);
        Ok(())
    }
}

/// Validates the cooperative with the domain's founding rules, as every door does.
fn check_cooperative(
    village: &str,
    kind: &str,
    name: &str,
    founded: Date,
    as_of: Date,
) -> Result<RegionCode, GenError> {
    let mut errs = domain::validation::ValidationErrors::new();
    let founded_on = founded.to_string();
    let input = domain::cooperative::founding::FoundingInput {
        village_code: village,
        kind,
        name,
        legal_number: "",
        founded_on: &founded_on,
    };
    match domain::cooperative::founding::validate_founding(&mut errs, &input, |_| as_of) {
        Some(f) if errs.is_empty() => Ok(f.village),
        _ => Err(invalid("cooperative", format!("{village} {name}: {errs:?}"))),
    }
}

fn months_between(a: Date, b: Date) -> i64 {
    (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month() as u8) - i64::from(a.month() as u8)
}

async fn run(ctx: &mut Ctx) -> Result<(), GenError> {
    let mut rng = ctx.rng("cooperative");
    let as_of = ctx.as_of;
    let roster = Roster::build(ctx);
    let bylaws = Bylaws::default();
    let kind_of = |i: usize| if i % 10 == 9 { "bumdes_unit" } else { "koperasi" };

    // Who may join: adults (17 and over on the as-of date) of each village with residents.
    let mut plans: Vec<(usize, Vec<u32>)> = Vec::new();
    let mut members_total = 0usize;
    for (i, v) in roster.villages.iter().enumerate() {
        let adults: Vec<u32> = v
            .residents
            .iter()
            .copied()
            .filter(|p| age(ctx.people.persons[*p as usize].birth_date(), as_of) >= 18)
            .collect();
        if adults.is_empty() || as_of.year() <= v.cohort {
            continue;
        }
        let chosen: Vec<u32> = adults.into_iter().filter(|_| rng.random_bool(0.6)).collect();
        if chosen.is_empty() {
            continue;
        }
        members_total += chosen.len();
        plans.push((i, chosen));
    }
    // The journal budget: lines per member. Pokok (2 lines), sukarela (~4), loans (~14 a member
    // on average) and the cooperative's running costs come first; wajib deposits take what is left, paid every few months.
    let budget = ctx.spec.journal_lines_per_person * ctx.spec.people as f64;
    let per_member = budget / members_total.max(1) as f64;
    let wajib_deposits = ((per_member - 22.0) / 2.0).max(2.0);
    ctx.writer.progress().set_length(plans.len() as u64);

    for (done, (vi, chosen)) in plans.into_iter().enumerate() {
        let v = &roster.villages[vi];
        let earliest = Date::from_calendar_date(v.cohort + 1, time::Month::January, 2).unwrap_or(as_of);
        let latest = as_of - Duration::days(120);
        if earliest > latest {
            continue;
        }
        let founded = pick::between(&mut rng, earliest, (earliest + Duration::days(400)).min(latest));
        let village_name = v.code.clone();
        let coop_name = format!("Koperasi Desmigratif {}", &village_name);
        check_cooperative(&v.code, kind_of(vi), &coop_name, founded, as_of)?;
        let coop = ctx.next_id("coop_cooperatives").await?;
        let names = names(ctx, &v.code).await?;
        let mut books = Books { coop, cash: 0, entries: 0, batch: Batch::default(), events: Vec::new() };

        // Members and their plans.
        let mut members: Vec<MemberSim> = Vec::with_capacity(chosen.len());
        let mut queue: BinaryHeap<Reverse<(i32, u64, Ev)>> = BinaryHeap::new();
        let mut seq = 0u64;
        let mut push = |q: &mut BinaryHeap<Reverse<(i32, u64, Ev)>>, d: Date, e: Ev| {
            seq += 1;
            q.push(Reverse((d.to_julian_day(), seq, e)));
        };
        for (n, p) in chosen.iter().enumerate() {
            let person = ctx.people.id(*p);
            let (name, _) = names.get(&person).cloned().unwrap_or_default();
            let adult_from = ctx.people.persons[*p as usize].birth_date() + Duration::days(18 * 366);
            let from = founded.max(adult_from);
            if from > as_of - Duration::days(30) {
                continue;
            }
            let joined = if rng.random_bool(0.6) {
                pick::after(&mut rng, from, 0, 60).min(as_of)
            } else {
                pick::between(&mut rng, from, as_of - Duration::days(30))
            };
            let months = months_between(joined, as_of).max(1) as f64;
            let every = (months / wajib_deposits).round().clamp(1.0, 12.0) as u16;
            let id = ctx.next_id("coop_members").await?;
            let idx = members.len() as u32;
            members.push(MemberSim {
                id,
                person,
                number: format!("{:04}", n + 1),
                name,
                joined,
                balance: [0; 3],
                open_loan: false,
            });
            push(&mut queue, joined, Ev::Join(idx));
            // Wajib: `every` months at a time; 10 % fall behind for their last year.
            let behind = rng.random_bool(0.1);
            let mut d = co::add_months(joined, every).unwrap_or(as_of);
            while d <= as_of {
                if !(behind && d > as_of - Duration::days(365)) {
                    push(&mut queue, pick::after(&mut rng, d, 0, 10), Ev::Wajib(idx, every));
                }
                d = co::add_months(d, every).unwrap_or(as_of + Duration::days(1));
            }
            // Sukarela: a deposit or two a year for 40 %, and now and then a withdrawal.
            if rng.random_bool(0.4) {
                let mut d = pick::after(&mut rng, joined, 10, 200);
                while d <= as_of {
                    push(&mut queue, d, Ev::Sukarela(idx, !rng.random_bool(0.25)));
                    d = pick::after(&mut rng, d, 120, 300);
                }
            }
            // Loans: a third of the members borrow, some twice.
            if rng.random_bool(0.33) {
                push(&mut queue, pick::after(&mut rng, joined, 60, 400), Ev::Apply(idx));
            }
        }
        if members.is_empty() {
            continue;
        }
        // Running costs: an operating expense every half year.
        let mut d = co::add_months(founded, 6).unwrap_or(as_of);
        while d <= as_of {
            push(&mut queue, d, Ev::Expense);
            d = co::add_months(d, 6).unwrap_or(as_of + Duration::days(1));
        }

        let mut loans: Vec<LoanSim> = Vec::new();
        let mut savings_rows: Vec<[V; 9]> = Vec::new();
        while let Some(Reverse((jd, _, ev))) = queue.pop() {
            let date = day(jd, as_of);
            if date > as_of {
                continue;
            }
            match ev {
                Ev::Join(m) => {
                    let amount = bylaws.pokok;
                    let sid = savings(
                        ctx,
                        &mut books,
                        &mut members[m as usize],
                        SavingsKind::Pokok,
                        amount,
                        true,
                        date,
                        &bylaws,
                        "Simpanan pokok",
                    )
                    .await?;
                    savings_rows.push(sid);
                }
                Ev::Wajib(m, months) => {
                    let amount = bylaws.wajib_monthly.checked_mul(u64::from(months)).unwrap_or(bylaws.wajib_monthly);
                    let row = savings(
                        ctx,
                        &mut books,
                        &mut members[m as usize],
                        SavingsKind::Wajib,
                        amount,
                        true,
                        date,
                        &bylaws,
                        "Setoran simpanan wajib",
                    )
                    .await?;
                    savings_rows.push(row);
                }
                Ev::Sukarela(m, deposit) => {
                    let balance = members[m as usize].balance[2];
                    let (amount, deposit) = if deposit || balance < 50_000 {
                        (rng.random_range(1..=40) * 25_000, true)
                    } else {
                        ((rng.random_range(20..=80) * balance / 100 / 1_000).max(1) * 1_000, false)
                    };
                    if !deposit && books.cash < amount {
                        continue;
                    }
                    let memo = if deposit { "Setoran simpanan sukarela" } else { "Penarikan simpanan sukarela" };
                    let row = savings(
                        ctx,
                        &mut books,
                        &mut members[m as usize],
                        SavingsKind::Sukarela,
                        rp(amount),
                        deposit,
                        date,
                        &bylaws,
                        memo,
                    )
                    .await?;
                    savings_rows.push(row);
                }
                Ev::Apply(m) => {
                    if members[m as usize].open_loan {
                        continue;
                    }
                    // The application as the form sends it, checked as `check_application` does.
                    // The clerk advises what the cash on hand allows (at least Rp 300,000).
                    let available = books.cash * 8 / 10 / 100_000 * 100_000;
                    let principal = (rng.random_range(2..=20) * 500_000i64).min(available).max(300_000).to_string();
                    let months = pick::one(&mut rng, &["6", "10", "12", "12", "18", "24"]).to_string();
                    let rate = *pick::one(&mut rng, &["1", "1.25", "1.5", "1.5", "2"]);
                    let method = if rng.random_bool(0.7) { "flat" } else { "annuity" };
                    let start = date.to_string();
                    let request = co::validate_schedule_request(&ScheduleInput {
                        principal: &principal,
                        months: &months,
                        monthly_rate_percent: rate,
                        method,
                        start_date: &start,
                    })
                    .map_err(|e| invalid("loan application", format!("{e:?}")))?;
                    bylaws.loans.check(&request).map_err(|e| invalid("loan application", format!("{e:?}")))?;
                    if date < members[m as usize].joined {
                        return Err(invalid("loan application", "before joining"));
                    }
                    let id = ctx.next_id("coop_loans").await?;
                    let roll: f64 = rng.random();
                    let payer = if roll < 0.75 {
                        Payer::OnTime
                    } else if roll < 0.93 {
                        Payer::Late
                    } else {
                        Payer::Defaults { after: rng.random_range(1..=request.months()) }
                    };
                    let li = loans.len() as u32;
                    loans.push(LoanSim {
                        id,
                        member: m,
                        schedule: request.schedule(),
                        request,
                        purpose: *pick::one(&mut rng, PURPOSES),
                        state: LoanState::Applied,
                        applied: date,
                        decided: None,
                        disbursed: None,
                        closed: None,
                        paid: Paid::default(),
                        penalties: Rupiah::ZERO,
                        payer,
                        last_paid: date,
                    });
                    members[m as usize].open_loan = true;
                    books.loan_event(ctx, id, "apply", date, String::new(), None).await?;
                    push(&mut queue, pick::after(&mut rng, date, 1, 10), Ev::Decide(li));
                }
                Ev::Decide(l) => {
                    let loan = &mut loans[l as usize];
                    // Refused when cash could not pay it out, and 5 % for other reasons.
                    let approve = books.cash >= loan.request.principal().amount() && !rng.random_bool(0.05);
                    let action = if approve { LoanAction::Approve } else { LoanAction::Reject };
                    loan.state = co::transition(loan.state, action, CHAIR, CLERK, Rupiah::ZERO)
                        .map_err(|e| invalid("loan decision", e))?;
                    loan.decided = Some(date);
                    let note = if approve { String::new() } else { "Kas belum mencukupi".to_string() };
                    let id = loan.id;
                    books.loan_event(ctx, id, action.as_str(), date, note, None).await?;
                    if approve {
                        push(&mut queue, pick::after(&mut rng, date, 1, 14), Ev::Disburse(l));
                    } else {
                        members[loan.member as usize].open_loan = false;
                    }
                }
                Ev::Disburse(l) => {
                    let loan = &mut loans[l as usize];
                    let m = &members[loan.member as usize];
                    if books.cash < loan.request.principal().amount() {
                        // Cash went meanwhile: the approved loan is refused after all.
                        loan.state = co::transition(loan.state, LoanAction::Reject, CHAIR, CLERK, Rupiah::ZERO)
                            .map_err(|e| invalid("loan decision", e))?;
                        let id = loan.id;
                        members[loan.member as usize].open_loan = false;
                        books.loan_event(ctx, id, "reject", date, "Kas belum mencukupi".into(), None).await?;
                        continue;
                    }
                    loan.state = co::transition(loan.state, LoanAction::Disburse, 0, 0, Rupiah::ZERO)
                        .map_err(|e| invalid("loan disbursement", e))?;
                    let request = co::ScheduleRequest::new(
                        loan.request.principal(),
                        loan.request.months(),
                        loan.request.rate(),
                        loan.request.method(),
                        date,
                    )
                    .map_err(|e| invalid("loan disbursement", format!("{e:?}")))?;
                    loan.request = request;
                    loan.schedule = request.schedule();
                    loan.disbursed = Some(date);
                    loan.last_paid = date;
                    let op = Operation::LoanDisbursement { member: m.id, principal: request.principal() };
                    let memo = format!("Pencairan pinjaman #{} · {} {}", loan.id, m.number, m.name);
                    let (id, count) = (loan.id, loan.schedule.installments.len());
                    let dues: Vec<Date> = loan.schedule.installments.iter().map(|i| i.due_date).collect();
                    let payer = loan.payer;
                    let entry = books.post(ctx, &op, date, &memo, Some(id)).await?;
                    books.loan_event(ctx, id, "disburse", date, String::new(), Some(entry)).await?;
                    let mut prev = date;
                    for (n, due) in dues.into_iter().enumerate().take(count) {
                        let n = n as u16 + 1;
                        let pay = match payer {
                            Payer::OnTime => pick::after(&mut rng, due, 0, 5),
                            Payer::Late if rng.random_bool(0.4) => pick::after(&mut rng, due, 10, 45),
                            Payer::Late => pick::after(&mut rng, due, 0, 5),
                            Payer::Defaults { after } if n > after => {
                                // Stops paying: written off once long past due, if the books
                                // get that far.
                                let wo = pick::after(&mut rng, due, 200, 260);
                                if rng.random_bool(0.5) {
                                    push(&mut queue, wo, Ev::WriteOff(l));
                                }
                                break;
                            }
                            Payer::Defaults { .. } => pick::after(&mut rng, due, 0, 20),
                        };
                        let pay = pay.max(prev);
                        prev = pay;
                        push(&mut queue, pay, Ev::Repay(l, n));
                    }
                }
                Ev::Repay(l, n) => {
                    let loan = &mut loans[l as usize];
                    if loan.state != LoanState::Disbursed {
                        continue;
                    }
                    let due = loan.schedule.installments.get(usize::from(n) - 1).map_or(date, |i| i.due_date);
                    // Denda: 1 % of the installment (at least Rp 5,000) when more than a week late.
                    let penalty = if (date - due).whole_days() > 7 {
                        let total = loan.schedule.installments.get(usize::from(n) - 1).map_or(0, |i| i.total.amount());
                        rp((total / 100).max(5_000) / 100 * 100)
                    } else {
                        Rupiah::ZERO
                    };
                    let charged = loan.penalties.checked_add(penalty).unwrap_or(Rupiah::MAX);
                    let owed = co::owed(&loan.schedule, charged, loan.paid, date);
                    let amount = Rupiah::sum([owed.penalty, owed.interest, owed.principal_due]).unwrap_or(Rupiah::ZERO);
                    if amount.is_zero() {
                        continue;
                    }
                    let allocation: Allocation =
                        co::allocate(loan.state, amount, &owed).map_err(|e| invalid("loan repayment", e))?;
                    loan.penalties = charged;
                    loan.paid = Paid {
                        penalty: loan.paid.penalty.checked_add(allocation.penalty).unwrap_or(Rupiah::MAX),
                        interest: loan.paid.interest.checked_add(allocation.interest).unwrap_or(Rupiah::MAX),
                        principal: loan.paid.principal.checked_add(allocation.principal).unwrap_or(Rupiah::MAX),
                    };
                    loan.last_paid = date;
                    let m = &members[loan.member as usize];
                    let op = Operation::LoanRepayment { member: m.id, allocation };
                    let memo = format!("Angsuran pinjaman #{} · {} {}", loan.id, m.number, m.name);
                    let note = format!(
                        "{} = denda {} + jasa {} + pokok {}",
                        amount, allocation.penalty, allocation.interest, allocation.principal
                    );
                    let outstanding = owed.principal_outstanding.saturating_sub(allocation.principal);
                    let penalty_left = owed.penalty.saturating_sub(allocation.penalty);
                    let id = loan.id;
                    let closes = outstanding.is_zero() && penalty_left.is_zero();
                    if closes {
                        loan.state = co::transition(loan.state, LoanAction::Close, 0, 0, outstanding)
                            .map_err(|e| invalid("loan close", e))?;
                        loan.closed = Some(date);
                    }
                    let member = loan.member;
                    let entry = books.post(ctx, &op, date, &memo, Some(id)).await?;
                    books.loan_event(ctx, id, "repay", date, note, Some(entry)).await?;
                    if closes {
                        books.loan_event(ctx, id, "close", date, String::new(), None).await?;
                        members[member as usize].open_loan = false;
                        // A fifth of those who repaid borrow again.
                        if rng.random_bool(0.2) {
                            push(&mut queue, pick::after(&mut rng, date, 30, 240), Ev::Apply(member));
                        }
                    }
                }
                Ev::WriteOff(l) => {
                    let loan = &mut loans[l as usize];
                    if loan.state != LoanState::Disbursed {
                        continue;
                    }
                    let outstanding = loan.request.principal().saturating_sub(loan.paid.principal);
                    loan.state = co::transition(loan.state, LoanAction::WriteOff, 0, 0, outstanding)
                        .map_err(|e| invalid("loan write-off", e))?;
                    loan.closed = Some(date);
                    let m = &members[loan.member as usize];
                    let op = Operation::LoanWriteOff { member: m.id, principal: outstanding };
                    let memo = format!("Penghapusan pinjaman #{} · {} {}", loan.id, m.number, m.name);
                    let id = loan.id;
                    let entry = books.post(ctx, &op, date, &memo, Some(id)).await?;
                    books
                        .loan_event(ctx, id, "write_off", date, "Macet lebih dari 180 hari".into(), Some(entry))
                        .await?;
                }
                Ev::Expense => {
                    let amount = rng.random_range(5..=30) * 10_000;
                    if books.cash < amount * 10 {
                        continue;
                    }
                    let op = Operation::Expense { account: co::Account::OperatingExpense, amount: rp(amount) };
                    books.post(ctx, &op, date, "Biaya operasional (ATK, listrik, rapat pengurus)", None).await?;
                }
            }
        }

        // The rows, parents first.
        let mut out = Batch::default();
        out.push(
            &COOPS,
            [
                coop.into(),
                V::T(v.code.clone()),
                V::S(kind_of(vi)),
                V::T(coop_name),
                V::T(format!("AHU-{:07}.AH.01.26.{}", coop, founded.year())),
                V::T(founded.to_string()),
                V::S("0,90,120,180"),
                (books.entries as i64).into(),
                Ctx::ts(founded).into(),
            ],
        );
        let bp: Vec<i64> = co::ShuFund::ALL
            .iter()
            .map(|f| bylaws.shu.parts().iter().find(|(g, _)| g == f).map_or(0, |(_, b)| i64::from(*b)))
            .collect();
        out.push(
            &BYLAWS,
            [
                coop.into(),
                i64::from(founded.year()).into(),
                bylaws.pokok.amount().into(),
                bylaws.wajib_monthly.amount().into(),
                bylaws.loans.max_principal.amount().into(),
                i64::from(bylaws.loans.max_months).into(),
                i64::from(bylaws.loans.min_rate_ppm).into(),
                i64::from(bylaws.loans.max_rate_ppm).into(),
                bp[0].into(),
                bp[1].into(),
                bp[2].into(),
                bp[3].into(),
                bp[4].into(),
                bp[5].into(),
                bp[6].into(),
                bp[7].into(),
                Ctx::ts(founded).into(),
            ],
        );
        for m in &members {
            let nik = names.get(&m.person).map(|(_, k)| k.clone());
            out.push(
                &MEMBERS,
                [
                    m.id.into(),
                    coop.into(),
                    V::T(m.number.clone()),
                    V::T(m.name.clone()),
                    nik.into(),
                    m.person.into(),
                    V::T(m.joined.to_string()),
                    Ctx::ts(m.joined).into(),
                ],
            );
        }
        for l in &loans {
            let updated = l.closed.or(l.disbursed.max(l.decided)).unwrap_or(l.applied).max(l.last_paid);
            out.push(
                &LOANS,
                [
                    l.id.into(),
                    coop.into(),
                    members[l.member as usize].id.into(),
                    l.request.principal().amount().into(),
                    i64::from(l.request.months()).into(),
                    i64::from(l.request.rate().ppm()).into(),
                    V::S(l.request.method().as_str()),
                    V::S(l.purpose),
                    V::S(l.state.as_str()),
                    V::T(l.applied.to_string()),
                    l.decided.map(|d| d.to_string()).into(),
                    l.disbursed.map(|d| d.to_string()).into(),
                    l.closed.map(|d| d.to_string()).into(),
                    l.penalties.amount().into(),
                    Ctx::ts(l.applied).into(),
                    Ctx::ts(updated).into(),
                ],
            );
            for i in &l.schedule.installments {
                out.push(
                    &INSTALLMENTS,
                    [
                        l.id.into(),
                        i64::from(i.number).into(),
                        V::T(i.due_date.to_string()),
                        i.principal.amount().into(),
                        i.interest.amount().into(),
                        i.total.amount().into(),
                        i.balance_after.amount().into(),
                    ],
                );
            }
        }
        out.append(std::mem::take(&mut books.batch));
        for row in savings_rows {
            out.push(&SAVINGS, row);
        }
        for e in std::mem::take(&mut books.events) {
            out.push(&LOAN_EVENTS, e);
        }
        ctx.writer.write(out).await?;
        ctx.writer.progress().set_position(done as u64 + 1);
    }
    Ok(())
}

/// A deposit or withdrawal checked by `savings::deposit` / `withdraw` against the member's
/// ledger balance, posted, and its `coop_savings_transactions` row.
#[allow(clippy::too_many_arguments)]
async fn savings(
    ctx: &mut Ctx,
    books: &mut Books,
    m: &mut MemberSim,
    kind: SavingsKind,
    amount: Rupiah,
    deposit: bool,
    date: Date,
    bylaws: &Bylaws,
    memo: &str,
) -> Result<[V; 9], GenError> {
    let k = SavingsKind::ALL.iter().position(|x| *x == kind).unwrap_or(0);
    let balance = rp(m.balance[k]);
    if date < m.joined {
        return Err(invalid("savings", "before joining"));
    }
    let (op, after, direction) = if deposit {
        let after = co::deposit(kind, balance, amount, bylaws.pokok).map_err(|e| invalid("savings deposit", e))?;
        (Operation::SavingsDeposit { member: m.id, kind, amount }, after, "deposit")
    } else {
        let after = co::withdraw(kind, balance, amount, false).map_err(|e| invalid("savings withdrawal", e))?;
        (Operation::SavingsWithdrawal { member: m.id, kind, amount }, after, "withdrawal")
    };
    if !deposit && books.cash < amount.amount() {
        return Err(invalid("savings withdrawal", "more than cash on hand"));
    }
    m.balance[k] = after.amount();
    let memo = format!("{memo} · {} {}", m.number, m.name);
    let entry = books.post(ctx, &op, date, &memo, None).await?;
    let id = ctx.next_id("coop_savings_transactions").await?;
    Ok([
        id.into(),
        books.coop.into(),
        m.id.into(),
        V::S(kind.as_str()),
        V::S(direction),
        amount.amount().into(),
        V::T(date.to_string()),
        entry.into(),
        Ctx::ts(date).into(),
    ])
}
