//! The health assessment (penilaian kesehatan KSP/USP, issue 20 track health): the worksheet of
//! any year-end computed from the books (`domain::cooperative::health`), the board's
//! management questionnaire per year, and the worksheet as a report (PDF, XLSX).
//!
//! Which account feeds which figure is written in [`input_from_books`] and in
//! docs/COOPERATIVE.md "Health assessment".

use crate::App as AppState;
use crate::cooperative::{self as coop, Cooperative, OpError};
use domain::access::{Action, Principal};
use domain::cooperative::health::{self as h, Assessment, HealthInput, ManagementAnswers, ManagementPart};
use domain::cooperative::{Account, Balances};
use domain::{Rule, ValidationErrors};
use reports::{Block, Cell, Report, Table};
use serde::Serialize;
use store::audit::Actor;
use time::{Date, Month};

fn may_view(p: &Principal, c: &Cooperative) -> crate::error::Result<()> {
    if c.village().is_some_and(|v| p.can(Action::ViewCooperative, Some(&v))) { Ok(()) } else { Err(OpError::NotFound) }
}

fn may_manage(p: &Principal, c: &Cooperative) -> crate::error::Result<()> {
    may_view(p, c)?;
    if coop::can_manage(p, c) { Ok(()) } else { Err(OpError::Forbidden) }
}

/// A year the assessment can be made for: from the founding year to the current year (the
/// current year is assessed "to date").
pub fn check_year(state: &AppState, c: &Cooperative, raw: &str) -> crate::error::Result<i32> {
    let founded = domain::person::parse_date(&c.founded_on).map(|d| d.year()).unwrap_or(1900);
    let this_year = coop::coop_today(state, c).year();
    raw.trim().parse::<i32>().ok().filter(|y| (founded..=this_year).contains(y)).ok_or_else(|| {
        OpError::Invalid(ValidationErrors::single(
            "year",
            Rule::OutOfRange,
            format!("a year from {founded} to {this_year}"),
        ))
    })
}

/// The day the worksheet is drawn up for: 31 December, or today for the current year.
fn as_of(state: &AppState, c: &Cooperative, year: i32) -> Date {
    let end = Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MIN);
    end.min(coop::coop_today(state, c))
}

// ---------------------------------------------------------------------------------------------
// The questionnaire

/// The board's answers for `year` (all "no" when none were recorded).
pub async fn answers(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    year: i32,
) -> crate::error::Result<(ManagementAnswers, bool)> {
    may_view(principal, c)?;
    let raw = store::coop_health::answers(&state.db, c.id, year).await?;
    Ok((raw.as_deref().map(ManagementAnswers::decode).unwrap_or_default(), raw.is_some()))
}

/// Records the board's answers for a year (replacing earlier answers of that year), audited.
/// `yes` lists the questions answered "yes" as `<part>_<n>` (1-based), the form's field names;
/// an unknown name is refused.
pub async fn save_answers(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    year: &str,
    yes: &[String],
) -> crate::error::Result<()> {
    may_manage(principal, c)?;
    let year = check_year(state, c, year)?;
    let mut parts: Vec<(ManagementPart, Vec<bool>)> =
        ManagementPart::ALL.iter().map(|p| (*p, vec![false; p.questions().len()])).collect();
    for name in yes {
        let parsed =
            name.rsplit_once('_').and_then(|(p, n)| Some((ManagementPart::parse(p)?, n.parse::<usize>().ok()?)));
        let slot = parsed.and_then(|(p, n)| {
            let answers = &mut parts.iter_mut().find(|(q, _)| *q == p)?.1;
            answers.get_mut(n.checked_sub(1)?)
        });
        match slot {
            Some(s) => *s = true,
            None => {
                return Err(OpError::Invalid(ValidationErrors::single(
                    "answers",
                    Rule::OneOf,
                    format!("no such question: {name}"),
                )));
            }
        }
    }
    let encoded = ManagementAnswers(parts).encode();
    store::coop_health::save_answers(&state.db, actor, c, year, &encoded).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// From the books

/// Loans as the assessment sees them on `as_of`: outstanding principal per collectibility class,
/// and of loans at risk (no covering collateral and no guarantor, `health::loan_at_risk`).
async fn loans_by_class(state: &AppState, c: &Cooperative, as_of: Date) -> Result<([i64; 5], i64), store::StoreError> {
    let mut by_class = [0i64; 5];
    let mut at_risk = 0i64;
    for loan in store::cooperative::list_loans(&state.db, c.id, None).await? {
        let (status, _) = coop::loan_status(state, c, &loan, as_of).await?;
        if let Some(n) = status.collectibility_number {
            by_class[usize::from(n.clamp(1, 5) - 1)] += status.principal_outstanding;
            let (collateral, guarantors) = crate::coop_loans::cover(state, loan.id).await?;
            if h::loan_at_risk(status.principal_outstanding, collateral.amount(), guarantors) {
                at_risk += status.principal_outstanding;
            }
        }
    }
    Ok((by_class, at_risk))
}

fn bal(b: &Balances, a: Account) -> i64 {
    i64::try_from(b.balance(a).on(a.normal_side())).unwrap_or(0)
}

/// Fills the worksheet's input from the books of `year` (balance sheet on `as_of`, income
/// statement from 1 January to `as_of`), the portfolio on `as_of` and the board's answers.
pub async fn input_from_books(
    state: &AppState,
    c: &Cooperative,
    year: i32,
    as_of: Date,
    management: ManagementAnswers,
) -> Result<HealthInput, store::StoreError> {
    use Account::*;
    let b = coop::balances(state, c, Some(as_of)).await?;
    let bs = b.balance_sheet();
    let from = Date::from_calendar_date(year, Month::January, 1).unwrap_or(as_of);
    let is = coop::income_statement(state, c, from, as_of).await?;
    let income =
        |a: Account| i64::try_from(is.income.iter().find(|(x, _)| *x == a).map(|(_, v)| *v).unwrap_or(0)).unwrap_or(0);
    let expense = |a: Account| {
        i64::try_from(is.expenses.iter().find(|(x, _)| *x == a).map(|(_, v)| *v).unwrap_or(0)).unwrap_or(0)
    };
    let (by_class, at_risk) = loans_by_class(state, c, as_of).await?;
    let loans = bal(&b, LoansReceivable);
    let allowance = bal(&b, LoanLossAllowance);
    let own_capital = i64::try_from(bs.total_equity).unwrap_or(0);
    let undistributed = bal(&b, ShuCurrentYear) + i64::try_from(bs.unclosed_result).unwrap_or(0);
    // Modal tertimbang: pokok, wajib, cadangan and hibah at 100 %, undistributed SHU at 50 %
    // (rounded down: the guidance recognises at most half).
    let weighted_capital =
        bal(&b, SimpananPokok) + bal(&b, SimpananWajib) + bal(&b, Reserve) + bal(&b, Grants) + undistributed.max(0) / 2;
    // ATMR: cash 0 %, bank 20 %, loans net of the allowance 100 %, other receivables 50 %,
    // fixed assets 70 %; each product rounded down to the rupiah.
    let risk_weighted_assets = bal(&b, Bank) * 20 / 100
        + (loans - allowance).max(0)
        + bal(&b, InterestReceivable) * 50 / 100
        + bal(&b, FixedAssets) * 70 / 100;
    let shu_before_tax = i64::try_from(is.total_income - is.total_expenses).unwrap_or(0);
    let bylaws = coop::bylaws_on(state, c, as_of).await?;
    let member_bp: u32 = bylaws
        .shu
        .parts()
        .iter()
        .filter(|(f, _)| {
            matches!(
                f,
                domain::cooperative::ShuFund::MembersBySavings | domain::cooperative::ShuFund::MembersByTransactions
            )
        })
        .map(|(_, bp)| *bp)
        .sum();
    // SHU bagian anggota: the by-laws' member shares of a positive SHU, rounded half up.
    let shu_members = (shu_before_tax.max(0) * i64::from(member_bp) + 5_000) / 10_000;
    let member_capital = bal(&b, SimpananPokok) + bal(&b, SimpananWajib);
    Ok(HealthInput {
        total_assets: i64::try_from(bs.total_assets).unwrap_or(0),
        own_capital,
        weighted_capital,
        risk_weighted_assets,
        loans,
        // Every loan in these books is a loan to a member.
        loans_to_members: loans,
        loans_at_risk: at_risk,
        loans_by_class: by_class,
        risk_reserve: allowance,
        // PPAPWD: the same rule as the monthly provision (the cooperative's rates, deductible
        // collateral), so the ratio compares the allowance with what the provision run posts to.
        ppap_required: crate::coop_loans::required_store(state, c, as_of).await?.amount(),
        cash_and_bank: bal(&b, Cash) + bal(&b, Bank),
        current_liabilities: bal(&b, SimpananSukarela)
            + bal(&b, SimpananBerjangka)
            + bal(&b, ShuPayable)
            + bal(&b, FundsPayable)
            + bal(&b, OtherLiabilities),
        funds_received: bal(&b, SimpananSukarela)
            + bal(&b, SimpananBerjangka)
            + member_capital
            + bal(&b, Grants)
            + bal(&b, OtherLiabilities),
        member_capital,
        gross_participation: income(JasaIncome) + income(PenaltyIncome) + income(AdminFeeIncome),
        other_income: income(OtherIncome),
        member_service_cost: expense(SavingsInterestExpense),
        operating_expenses: expense(StaffExpense) + expense(OperatingExpense) + expense(LoanLossExpense),
        cooperative_expenses: 0,
        staff_expenses: expense(StaffExpense),
        shu_before_tax,
        shu_members,
        // PEA: the members' SHU; the benefit of below-market rates (MEPPP) is not measured.
        member_economic_promotion: shu_members,
        management,
    })
}

// ---------------------------------------------------------------------------------------------
// The worksheet

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatioLine {
    pub code: String,
    pub label: String,
    pub numerator: i64,
    pub denominator: i64,
    /// The ratio in hundredths of a percent (1234 = 12,34 %); `null` over a zero base and on
    /// management lines (numerator = yes answers, denominator = questions).
    pub percent_cp: Option<i64>,
    pub nilai: u8,
    pub weight: u8,
    /// Skor in hundredths of a point.
    pub score_cp: u32,
    /// sehat, cukup_sehat, dalam_pengawasan, dalam_pengawasan_khusus.
    pub predicate: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AspectLine {
    pub aspect: String,
    pub label: String,
    pub weight: u8,
    pub score_cp: u32,
    pub predicate: String,
    pub ratios: Vec<RatioLine>,
}

/// The health worksheet of one cooperative and year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthReport {
    pub cooperative_id: i64,
    pub year: i32,
    /// The day the books are read on (31 December, or today for the current year).
    pub as_of: String,
    /// Total score in hundredths of a point (out of 10000).
    pub total_cp: u32,
    pub predicate: String,
    pub predicate_label: String,
    pub aspects: Vec<AspectLine>,
    /// Outstanding principal per collectibility class 1 to 5.
    pub loans_by_class: Vec<i64>,
    /// 50 % kurang lancar + 75 % diragukan + 100 % macet.
    pub problem_loan_risk: i64,
    pub risk_weighted_assets: i64,
    pub weighted_capital: i64,
    pub ppap_formed: i64,
    pub ppap_required: i64,
    /// PPAP formed ÷ required, hundredths of a percent.
    pub ppap_cover_cp: Option<i64>,
    /// Whether the board recorded its questionnaire for the year.
    pub questionnaire_recorded: bool,
    /// The result as last recorded for monitoring (`record`), if any: total in hundredths and
    /// predicate. It may differ from the computed one when the books changed since.
    pub recorded_total_cp: Option<i64>,
    pub recorded_predicate: Option<String>,
}

fn to_report(c: &Cooperative, year: i32, as_of: Date, i: &HealthInput, a: &Assessment, recorded: bool) -> HealthReport {
    HealthReport {
        cooperative_id: c.id,
        year,
        as_of: as_of.to_string(),
        total_cp: a.total_cp,
        predicate: a.predicate.as_str().into(),
        predicate_label: a.predicate.label().into(),
        aspects: a
            .aspects
            .iter()
            .map(|s| AspectLine {
                aspect: s.aspect.as_str().into(),
                label: s.aspect.label().into(),
                weight: s.weight,
                score_cp: s.score_cp,
                predicate: s.predicate.as_str().into(),
                ratios: s
                    .ratios
                    .iter()
                    .map(|r| RatioLine {
                        code: r.code.into(),
                        label: r.label.into(),
                        numerator: r.numerator,
                        denominator: r.denominator,
                        percent_cp: r.percent_cp,
                        nilai: r.nilai,
                        weight: r.weight,
                        score_cp: r.score_cp,
                        predicate: r.predicate.as_str().into(),
                    })
                    .collect(),
            })
            .collect(),
        loans_by_class: i.loans_by_class.to_vec(),
        problem_loan_risk: a.problem_loan_risk,
        risk_weighted_assets: i.risk_weighted_assets,
        weighted_capital: i.weighted_capital,
        ppap_formed: i.risk_reserve,
        ppap_required: i.ppap_required,
        ppap_cover_cp: a.ppap_cover_cp,
        questionnaire_recorded: recorded,
        recorded_total_cp: None,
        recorded_predicate: None,
    }
}

/// The worksheet of `year` (as typed: checked here) for a cooperative the principal may see.
pub async fn assessment(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    year: &str,
) -> crate::error::Result<HealthReport> {
    may_view(principal, c)?;
    let year = check_year(state, c, year)?;
    let (management, recorded) = answers(state, principal, c, year).await?;
    let as_of = as_of(state, c, year);
    let input = input_from_books(state, c, year, as_of, management).await?;
    let a = h::assess(&input);
    let mut r = to_report(c, year, as_of, &input, &a, recorded);
    if let Some((total, predicate)) = store::coop_health::result(&state.db, c.id, year).await? {
        r.recorded_total_cp = Some(total);
        r.recorded_predicate = Some(predicate);
    }
    Ok(r)
}

/// Records the year's assessment as computed now (total and predicate) for monitoring, which
/// counts each cooperative's latest recorded year per predicate; recording again replaces it.
/// Audited.
pub async fn record(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    year: &str,
) -> crate::error::Result<HealthReport> {
    may_manage(principal, c)?;
    let mut r = assessment(state, principal, c, year).await?;
    store::coop_health::record_result(&state.db, actor, c, r.year, i64::from(r.total_cp), &r.predicate).await?;
    r.recorded_total_cp = Some(i64::from(r.total_cp));
    r.recorded_predicate = Some(r.predicate.clone());
    Ok(r)
}

fn pred_label(code: &str) -> String {
    h::Predicate::parse(code).map(|p| p.label().to_string()).unwrap_or_default()
}

/// The worksheet as cooperative offices lay it out: one row per ratio under its aspect (No.,
/// aspek/komponen, rasio, nilai, bobot, skor, kategori), aspect subtotals, the total and the
/// predicate; then the figures it was computed from.
pub fn worksheet_report(c: &Cooperative, r: &HealthReport) -> Report {
    let mut rows = Vec::new();
    for (n, a) in r.aspects.iter().enumerate() {
        rows.push(vec![
            Cell::Text(format!("{}", n + 1)),
            Cell::Text(a.label.to_uppercase()),
            Cell::Empty,
            Cell::Empty,
            Cell::Int(i64::from(a.weight)),
            Cell::Text(h::hundredths(i64::from(a.score_cp))),
            Cell::Text(pred_label(&a.predicate)),
        ]);
        for (k, l) in a.ratios.iter().enumerate() {
            let letter = char::from(b'a' + u8::try_from(k).unwrap_or(0));
            let ratio = match l.percent_cp {
                Some(p) => Cell::BasisPoints(p),
                None if a.aspect == "management" => Cell::Text(format!("{} dari {} ya", l.numerator, l.denominator)),
                None => Cell::Text("—".into()),
            };
            rows.push(vec![
                Cell::Text(format!("{}.{letter}", n + 1)),
                Cell::Text(l.label.clone()),
                ratio,
                Cell::Int(i64::from(l.nilai)),
                Cell::Int(i64::from(l.weight)),
                Cell::Text(h::hundredths(i64::from(l.score_cp))),
                Cell::Text(pred_label(&l.predicate)),
            ]);
        }
    }
    let sheet = Table {
        name: "Kertas kerja".into(),
        columns: ["No.", "Aspek / komponen", "Rasio", "Nilai", "Bobot", "Skor", "Kategori"]
            .into_iter()
            .map(String::from)
            .collect(),
        rows,
        totals: Some(vec![
            Cell::Empty,
            "Jumlah skor".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Int(100),
            Cell::Text(h::hundredths(i64::from(r.total_cp))),
            Cell::Text(r.predicate_label.clone()),
        ]),
    };
    let classes = ["Lancar", "Dalam perhatian khusus", "Kurang lancar", "Diragukan", "Macet"];
    let figures = Table {
        name: "Komponen perhitungan".into(),
        columns: vec!["Komponen".into(), "Jumlah (Rp)".into()],
        rows: r
            .aspects
            .iter()
            .filter(|a| a.aspect != "management")
            .flat_map(|a| a.ratios.iter())
            .flat_map(|l| {
                [
                    vec![Cell::Text(format!("{} — pembilang", l.label)), Cell::Rupiah(l.numerator)],
                    vec![Cell::Text(format!("{} — penyebut", l.label)), Cell::Rupiah(l.denominator)],
                ]
            })
            .chain(
                classes
                    .iter()
                    .zip(&r.loans_by_class)
                    .map(|(n, v)| vec![Cell::Text(format!("Pinjaman {}", n.to_lowercase())), Cell::Rupiah(*v)]),
            )
            .chain([
                vec![Cell::Text("Modal tertimbang".into()), Cell::Rupiah(r.weighted_capital)],
                vec![Cell::Text("ATMR".into()), Cell::Rupiah(r.risk_weighted_assets)],
                vec![Cell::Text("PPAP dibentuk".into()), Cell::Rupiah(r.ppap_formed)],
                vec![Cell::Text("PPAP wajib dibentuk (PPAPWD)".into()), Cell::Rupiah(r.ppap_required)],
            ])
            .collect(),
        totals: None,
    };
    let mut meta = coop::coop_meta(c, format!("Tahun buku {} (per {})", r.year, r.as_of));
    meta.push(("Predikat".into(), format!("{} ({})", r.predicate_label, h::hundredths(i64::from(r.total_cp)))));
    Report {
        title: "Kertas Kerja Penilaian Kesehatan KSP/USP Koperasi".into(),
        meta,
        blocks: vec![
            Block::Text(
                "Pedoman: Peraturan Deputi Bidang Pengawasan Kementerian Koperasi dan UKM No. 06/Per/Dep.6/IV/2016."
                    .into(),
            ),
            Block::Table(sheet),
            Block::Table(figures),
        ],
    }
}
