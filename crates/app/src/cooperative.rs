//! The village cooperative as pages and API see it: founding a cooperative, by-laws, members,
//! savings, loans, the books, period and year closes, the RAT and SHU.
//!
//! Every operation follows one pattern: validate the input with domain rules, begin a
//! transaction, lock the cooperative (`store::cooperative::lock`), read the balances the rule
//! needs (committed data; every other posting of this cooperative waits on the lock), let the
//! domain decide and build the journal entry (`domain::cooperative::Operation::entry`), write
//! it, audit it, commit. A refusal answers 422 naming the field and rule and leaves nothing
//! behind.
//!
//! Value dates: every operation takes an optional `date` (default today) that may lie in the
//! past as long as its period is open and not before the cooperative was founded (nor, for a
//! member, before they joined). Loan pages and reports take `as_of` to show a past day.

use crate::App as AppState;
use domain::access::{Action, Principal};
use domain::cooperative::{
    self as co, Account, Balances, Bylaws, BylawsInput, JournalError, LoanAction, LoanError, LoanState, Operation,
    OperationKind, Rupiah, SavingsError, SavingsKind, ShuFund, ShuSplit,
};
use domain::person::parse_date;
use domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use store::audit::Actor;
use store::cooperative::{self as st};
pub use store::cooperative::{
    CashRow, Cooperative, EntryRow, InstallmentRow, LineRow, Loan, LoanEvent, Member, Rat, ShuShare, StatementRow,
};
use time::Date;

/// Why an operation was refused: the application's one error type.
pub use crate::error::Error as OpError;

pub(crate) fn invalid<T>(field: &str, rule: Rule, detail: impl Into<String>) -> Result<T, OpError> {
    Err(OpError::Invalid(ValidationErrors::single(field, rule, detail)))
}

fn rp(n: i64) -> Rupiah {
    Rupiah::new(n).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Access

/// The cooperative if the principal may see it; `None` both when absent and when outside
/// their region.
pub async fn visible(state: &AppState, p: &Principal, id: i64) -> Result<Option<Cooperative>, store::StoreError> {
    let c = st::get_cooperative(&state.db, id).await?;
    Ok(c.filter(|c| c.village().is_some_and(|v| p.can(Action::ViewCooperative, Some(&v)))))
}

pub fn can_manage(p: &Principal, c: &Cooperative) -> bool {
    c.village().is_some_and(|v| p.can(Action::ManageCooperative, Some(&v)))
}

pub fn can_approve(p: &Principal, c: &Cooperative) -> bool {
    c.village().is_some_and(|v| p.can(Action::ApproveLoan, Some(&v)))
}

/// A member of this cooperative.
/// A member as `principal` may see them: without the NIK unless the role sees identity numbers
/// (`domain::privacy::field_visible`; a cooperative manager keeps the name and the savings).
pub fn redact_member(principal: &Principal, mut m: store::cooperative::Member) -> store::cooperative::Member {
    if !domain::privacy::field_visible(principal.role, domain::privacy::FieldGroup::IdentityNumbers) {
        m.nik = None;
    }
    m
}

pub async fn member_of(state: &AppState, c: &Cooperative, id: i64) -> Result<Option<Member>, store::StoreError> {
    Ok(st::get_member(&state.db, id).await?.filter(|m| m.cooperative_id == c.id))
}

pub async fn loan_of(state: &AppState, c: &Cooperative, id: i64) -> Result<Option<Loan>, store::StoreError> {
    Ok(st::get_loan(&state.db, id).await?.filter(|l| l.cooperative_id == c.id))
}

// ---------------------------------------------------------------------------------------------
// Dates

/// Today in the cooperative's village (its time zone): the bound for value dates.
pub fn coop_today(state: &AppState, c: &Cooperative) -> Date {
    c.village_code.parse::<domain::RegionCode>().map(|v| state.clock.today_in(&v)).unwrap_or_else(|_| state.today())
}

/// The value date: today when empty; `YYYY-MM-DD`; in an open period, not in the future, not
/// before `not_before` (founding or joining).
pub(crate) fn value_date(
    errs: &mut ValidationErrors,
    raw: &str,
    today: Date,
    closed: Option<Date>,
    not_before: Option<Date>,
) -> Option<Date> {
    let d = if raw.trim().is_empty() { Some(today) } else { parse_date(raw.trim()) };
    let Some(d) = d else {
        errs.push(
            domain::FieldError::new("date", Rule::Format, "a date such as 2026-03-15").message("msg_key.date_format"),
        );
        return None;
    };
    match co::check_posting_date(d, today, closed) {
        Err(JournalError::PeriodClosed { closed_through, .. }) => {
            errs.add("date", Rule::OutOfRange, format!("the books are closed through {closed_through}"));
            return None;
        }
        Err(_) => {
            errs.add("date", Rule::OutOfRange, "not after today");
            return None;
        }
        Ok(()) => {}
    }
    if let Some(nb) = not_before
        && d < nb
    {
        errs.add("date", Rule::OutOfRange, format!("not before {nb}"));
        return None;
    }
    Some(d)
}

pub(crate) fn founded(c: &Cooperative) -> Option<Date> {
    parse_date(&c.founded_on)
}

pub(crate) fn journal_refusal(e: JournalError) -> OpError {
    OpError::Invalid(ValidationErrors::single("entry", Rule::Mismatch, e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Cooperatives and by-laws

pub use co::founding::KINDS;

/// A new cooperative, with optional by-laws (the defaults where left out).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"village_code": "53.07.01.2001", "kind": "koperasi", "name": "Koperasi Desmigratif Masabewa",
    "legal_number": "AHU-0001234.AH.01.26", "founded_on": "2025-01-02"}))]
pub struct CooperativeInput {
    #[serde(default)]
    pub village_code: String,
    /// koperasi or bumdes_unit (a unit of the village enterprise).
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    /// Nomor badan hukum; may be empty while registration is pending.
    #[serde(default)]
    pub legal_number: String,
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub founded_on: String,
    /// The first year's by-laws; the defaults (Rp 100,000 pokok, Rp 20,000 wajib…) when omitted.
    #[serde(default)]
    pub bylaws: Option<BylawsBody>,
}

/// By-laws settings for one year. Amounts in whole rupiah, rates in percent a month, SHU
/// percentages per fund adding up to 100.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"pokok": 100000, "wajib_monthly": 20000, "max_principal": 10000000, "max_months": 24,
    "min_rate_percent": 0, "max_rate_percent": 3, "shu_reserve": 40, "shu_members_by_savings": 20,
    "shu_members_by_transactions": 20, "shu_board": 5, "shu_staff": 5, "shu_education": 5, "shu_social": 5}))]
pub struct BylawsBody {
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub pokok: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub wajib_monthly: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub max_principal: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub max_months: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub min_rate_percent: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub max_rate_percent: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub shu_reserve: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub shu_members_by_savings: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub shu_members_by_transactions: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub shu_board: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub shu_staff: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub shu_education: NumTextSer,
    #[serde(default)]
    #[schema(schema_with = num_text_schema)]
    pub shu_social: NumTextSer,
    /// Added after the first by-laws were written: empty (or absent) means 0.
    #[serde(default)]
    #[schema(schema_with = optional_num_text_schema)]
    pub shu_area_development: NumTextSer,
}

/// A number that may arrive as a JSON number or as text (forms), kept as text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct NumTextSer(pub String);

/// What [`NumTextSer`] accepts and sends: a number, or a decimal number as text. Responses
/// send text ("100000", "2.5"), which clients of the API already read.
fn num_text_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Number)).minimum(Some(0)))
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .pattern(Some(r"^[0-9]{1,15}(\.[0-9]{1,4})?$")),
        )
        .build()
        .into()
}

/// [`num_text_schema`], or empty text or null for "not set".
fn optional_num_text_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Null)))
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Number)).minimum(Some(0)))
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .pattern(Some(r"^([0-9]{1,15}(\.[0-9]{1,4})?)?$")),
        )
        .build()
        .into()
}

impl<'de> Deserialize<'de> for NumTextSer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(NumTextSer(match v {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }))
    }
}

impl Serialize for NumTextSer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl NumTextSer {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) fn bp_text(bp: u32) -> String {
    if bp % 100 == 0 { (bp / 100).to_string() } else { format!("{}.{:02}", bp / 100, bp % 100) }
}

fn rate_text(ppm: u32) -> String {
    co::MonthlyRate::from_ppm(ppm).map(|r| r.to_string().trim_end_matches(" %").to_string()).unwrap_or_default()
}

impl BylawsBody {
    /// The form filled with stored settings.
    pub fn from_bylaws(b: &Bylaws) -> BylawsBody {
        let f = |fund: ShuFund| {
            NumTextSer(bp_text(b.shu.parts().iter().find(|(g, _)| *g == fund).map_or(0, |(_, bp)| *bp)))
        };
        BylawsBody {
            pokok: NumTextSer(b.pokok.amount().to_string()),
            wajib_monthly: NumTextSer(b.wajib_monthly.amount().to_string()),
            max_principal: NumTextSer(b.loans.max_principal.amount().to_string()),
            max_months: NumTextSer(b.loans.max_months.to_string()),
            min_rate_percent: NumTextSer(rate_text(b.loans.min_rate_ppm)),
            max_rate_percent: NumTextSer(rate_text(b.loans.max_rate_ppm)),
            shu_reserve: f(ShuFund::Reserve),
            shu_members_by_savings: f(ShuFund::MembersBySavings),
            shu_members_by_transactions: f(ShuFund::MembersByTransactions),
            shu_board: f(ShuFund::Board),
            shu_staff: f(ShuFund::Staff),
            shu_education: f(ShuFund::Education),
            shu_social: f(ShuFund::Social),
            shu_area_development: f(ShuFund::AreaDevelopment),
        }
    }

    pub fn validate(&self) -> Result<Bylaws, ValidationErrors> {
        validate_bylaws_body(self)
    }

    fn shu_texts(&self) -> Vec<(ShuFund, &str)> {
        vec![
            (ShuFund::Reserve, self.shu_reserve.as_str()),
            (ShuFund::MembersBySavings, self.shu_members_by_savings.as_str()),
            (ShuFund::MembersByTransactions, self.shu_members_by_transactions.as_str()),
            (ShuFund::Board, self.shu_board.as_str()),
            (ShuFund::Staff, self.shu_staff.as_str()),
            (ShuFund::Education, self.shu_education.as_str()),
            (ShuFund::Social, self.shu_social.as_str()),
            (ShuFund::AreaDevelopment, self.shu_area_development.as_str()),
        ]
    }
}

fn validate_bylaws_body(b: &BylawsBody) -> Result<Bylaws, ValidationErrors> {
    co::validate_bylaws(&BylawsInput {
        pokok: b.pokok.as_str(),
        wajib_monthly: b.wajib_monthly.as_str(),
        max_principal: b.max_principal.as_str(),
        max_months: b.max_months.as_str(),
        min_rate_percent: b.min_rate_percent.as_str(),
        max_rate_percent: b.max_rate_percent.as_str(),
        shu: b.shu_texts(),
    })
}

/// Validates and founds a cooperative in a village of the caller's region.
pub async fn create(
    state: &AppState,
    p: &Principal,
    actor: &Actor,
    input: &CooperativeInput,
) -> Result<Cooperative, OpError> {
    let mut errs = ValidationErrors::new();
    let founding = co::founding::validate_founding(
        &mut errs,
        &co::founding::FoundingInput {
            village_code: &input.village_code,
            kind: &input.kind,
            name: &input.name,
            legal_number: &input.legal_number,
            founded_on: &input.founded_on,
        },
        |v| state.clock.today_in(v),
    );
    let mut village_ok = None;
    if let Some(f) = &founding {
        let v = &f.village;
        if !store::regions::exists(&state.db, v).await? {
            errs.push(
                domain::FieldError::new("village_code", Rule::UnknownRegion, "no village with this code")
                    .message("msg_key.unknown_region_code"),
            );
        } else if let Some(e) = crate::region_update::retired_refusal(state, "village_code", v).await? {
            errs.push(e);
        } else if p.can(Action::ManageCooperative, Some(v)) {
            village_ok = Some(v.clone());
        } else if p.can(Action::ViewCooperative, Some(v)) {
            return Err(OpError::Forbidden);
        } else {
            errs.push(
                domain::FieldError::new("village_code", Rule::Mismatch, "this village is outside your region")
                    .message("msg_key.outside_region"),
            );
        }
    }
    let bylaws = match &input.bylaws {
        None => Some(Bylaws::default()),
        Some(b) => match b.validate() {
            Ok(b) => Some(b),
            Err(e) => {
                errs.0.extend(e.0.into_iter().map(|mut f| {
                    f.field = format!("bylaws.{}", f.field);
                    f
                }));
                None
            }
        },
    };
    let (Some(village_code), Some(f), Some(bylaws)) = (village_ok, founding, bylaws) else {
        return Err(OpError::Invalid(errs));
    };
    let founded_on = f.founded_on;
    errs.into_result()?;
    let n = st::NewCooperative {
        village_code,
        kind: f.kind.to_string(),
        name: f.name,
        legal_number: f.legal_number,
        founded_on,
        collect_days: co::CollectibilityTable::default().max_days(),
    };
    Ok(st::create_cooperative(&state.db, actor, &n, founded_on.year(), &bylaws).await?)
}

/// Sets one year's by-laws.
pub async fn save_bylaws(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    year: &str,
    body: &BylawsBody,
) -> Result<(), OpError> {
    let mut errs = ValidationErrors::new();
    let year = year.trim().parse::<i32>().ok().filter(|y| (1900..=state.today().year() + 1).contains(y));
    if year.is_none() {
        errs.add("year", Rule::OutOfRange, "a year such as 2026, at most next year");
    }
    let b = body.validate();
    if let Err(e) = &b {
        errs.0.extend(e.0.clone());
    }
    let (Some(year), Ok(b)) = (year, b) else { return Err(OpError::Invalid(errs)) };
    st::save_bylaws(&state.db, actor, c, year, &b).await?;
    Ok(())
}

/// The by-laws that apply on `date`.
pub async fn bylaws_on(state: &AppState, c: &Cooperative, date: Date) -> Result<Bylaws, store::StoreError> {
    Ok(st::bylaws_for(&state.db, c.id, date.year()).await?.map(|(_, b)| b).unwrap_or_default())
}

/// The settings that apply on `date` among every year's (newest first), as `store::bylaws_for`.
/// Operations read the list before their transaction: a transaction never waits for a second
/// pool connection while it holds the write lock.
pub fn bylaws_in(all: &[(i32, Bylaws)], date: Date) -> Bylaws {
    all.iter().find(|(y, _)| *y <= date.year()).or(all.last()).map(|(_, b)| b.clone()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Members and savings

/// A member to enrol: a registered person (by id) or a name with an optional NIK.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"full_name": "Maria Goreti", "nik": "5307015205900001", "joined_on": "2025-01-05"}))]
pub struct MemberInput {
    /// Empty: the next number (0001, 0002…).
    #[serde(default)]
    pub member_number: String,
    /// Required unless `person_id` is given.
    #[serde(default)]
    pub full_name: String,
    /// 16 digits; optional.
    #[serde(default)]
    pub nik: String,
    /// A person registered in pillar 1 the caller may see; name and NIK are taken from it.
    #[serde(default)]
    pub person_id: Option<i64>,
    /// The joining date (today when empty); simpanan pokok is posted on it.
    #[serde(default)]
    pub joined_on: String,
}

/// Enrols a member and posts simpanan pokok (the by-laws' amount) in the same transaction.
pub async fn enrol(
    state: &AppState,
    p: &Principal,
    actor: &Actor,
    c: &Cooperative,
    input: &MemberInput,
) -> Result<Member, OpError> {
    let mut errs = ValidationErrors::new();
    let number = domain::validation::text(&mut errs, "member_number", &input.member_number, 0, 30);
    let (mut name, mut nik) = (input.full_name.trim().to_string(), input.nik.trim().to_string());
    if let Some(pid) = input.person_id {
        match crate::people::visible_person(state, p, pid).await? {
            Some(person) => {
                name = person.full_name;
                nik = person.nik;
            }
            None => errs.push(
                domain::FieldError::new("person_id", Rule::OneOf, "no person with this id")
                    .message("msg_key.no_such_person"),
            ),
        }
    }
    let name = domain::validation::text(&mut errs, "full_name", &name, 2, 200);
    if !nik.is_empty() {
        let regions = state.region_index().await?;
        let check = domain::nik::check(&nik, None, None, &*regions, state.today());
        if let Some(e) = check.errors.first() {
            errs.add("nik", Rule::Format, e.message.clone());
        }
    }
    let all_bylaws = st::bylaws_list(&state.db, c.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let joined = value_date_named(&mut errs, "joined_on", &input.joined_on, coop_today(state, c), closed, founded(c));
    if !errs.is_empty() {
        return Err(OpError::Invalid(errs));
    }
    let Some(joined) = joined else { return Err(OpError::Invalid(errs)) };
    let bylaws = bylaws_in(&all_bylaws, joined);
    let n = st::NewMember {
        cooperative_id: c.id,
        member_number: number,
        full_name: name,
        nik: (!nik.is_empty()).then_some(nik),
        person_id: input.person_id,
        joined_on: joined,
    };
    let m = match st::insert_member(&mut tx, actor, c, &n).await {
        Ok(m) => m,
        Err(e) if store::is_unique_violation(&e) => {
            return invalid("member_number", Rule::Taken, "a member with this number or NIK is already enrolled");
        }
        Err(e) => return Err(e.into()),
    };
    if !bylaws.pokok.is_zero() {
        let op = Operation::SavingsDeposit { member: m.id, kind: SavingsKind::Pokok, amount: bylaws.pokok };
        post_savings(&mut tx, actor, c, &m, &op, joined, "Simpanan pokok").await?;
    }
    tx.commit().await?;
    Ok(m)
}

pub(crate) fn value_date_named(
    errs: &mut ValidationErrors,
    field: &str,
    raw: &str,
    today: Date,
    closed: Option<Date>,
    not_before: Option<Date>,
) -> Option<Date> {
    let mut e = ValidationErrors::new();
    let d = value_date(&mut e, raw, today, closed, not_before);
    errs.0.extend(e.0.into_iter().map(|mut f| {
        f.field = field.to_string();
        f
    }));
    d
}

async fn post_savings(
    tx: &mut store::Tx,
    actor: &Actor,
    c: &Cooperative,
    m: &Member,
    op: &Operation,
    date: Date,
    memo: &str,
) -> Result<i64, OpError> {
    let (kind, amount, direction) = match op {
        Operation::SavingsDeposit { kind, amount, .. } => (*kind, *amount, "deposit"),
        Operation::SavingsWithdrawal { kind, amount, .. } => (*kind, *amount, "withdrawal"),
        _ => return Err(journal_refusal(JournalError::MissingMemo)),
    };
    let memo = format!("{memo} · {} {}", m.member_number, m.full_name);
    let entry = op.entry(date, &memo).map_err(journal_refusal)?;
    let id = st::post(
        tx,
        actor,
        &st::Posting {
            cooperative_id: c.id,
            entry: &entry,
            operation: op.kind(),
            member_id: Some(m.id),
            loan_id: None,
            reverses_id: None,
        },
    )
    .await?;
    st::insert_savings_tx(tx, actor, c.id, m.id, kind.as_str(), direction, amount.amount(), &date.to_string(), id)
        .await?;
    st::audit_operation(
        tx,
        actor,
        c,
        &format!("cooperative.{}", op.kind()),
        "coop_member",
        m.id,
        &format!("{kind} entry {id}"),
    )
    .await?;
    Ok(id)
}

/// A member's balances from the ledger (normal side, so savings are positive).
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct MemberBalances {
    pub pokok: i64,
    pub wajib: i64,
    pub sukarela: i64,
    /// SHU decided by a RAT and not yet paid out.
    pub shu_payable: i64,
    /// Principal still owed on loans.
    pub loans_outstanding: i64,
}

impl MemberBalances {
    pub fn savings(&self) -> i64 {
        self.pokok + self.wajib + self.sukarela
    }
    fn from_nets(nets: &[(String, i64)]) -> MemberBalances {
        let mut b = MemberBalances::default();
        for (a, n) in nets {
            match Account::parse(a) {
                Some(Account::SimpananPokok) => b.pokok = -n,
                Some(Account::SimpananWajib) => b.wajib = -n,
                Some(Account::SimpananSukarela) => b.sukarela = -n,
                Some(Account::ShuPayable) => b.shu_payable = -n,
                Some(Account::LoansReceivable) => b.loans_outstanding = *n,
                _ => {}
            }
        }
        b
    }
    pub fn of(&self, kind: SavingsKind) -> i64 {
        match kind {
            SavingsKind::Pokok => self.pokok,
            SavingsKind::Wajib => self.wajib,
            SavingsKind::Sukarela => self.sukarela,
        }
    }
}

/// Every member's balances in one read (for lists).
pub async fn all_member_balances(
    state: &AppState,
    c: &Cooperative,
) -> Result<std::collections::HashMap<i64, MemberBalances>, store::StoreError> {
    let mut by_member: std::collections::HashMap<i64, Vec<(String, i64)>> = Default::default();
    for (m, a, n) in st::members_nets(&state.db, c.id, "9999-12-31").await? {
        by_member.entry(m).or_default().push((a, n));
    }
    Ok(by_member.into_iter().map(|(m, nets)| (m, MemberBalances::from_nets(&nets))).collect())
}

pub async fn member_balances(
    state: &AppState,
    m: &Member,
    as_of: Option<&str>,
) -> Result<MemberBalances, store::StoreError> {
    Ok(MemberBalances::from_nets(&st::member_nets(&state.db, m.id, as_of).await?))
}

/// Wajib due since joining and arrears, as of `as_of`.
pub async fn wajib(
    state: &AppState,
    c: &Cooperative,
    m: &Member,
    paid: i64,
    as_of: Date,
) -> Result<co::WajibStatus, store::StoreError> {
    let joined = parse_date(&m.joined_on).unwrap_or(as_of);
    let until = m.left_on.as_deref().and_then(parse_date).map_or(as_of, |l| l.min(as_of));
    let b = bylaws_on(state, c, until).await?;
    Ok(co::wajib_status(joined, b.wajib_monthly, rp(paid), until))
}

/// A deposit or withdrawal.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"member_id": 1, "kind": "sukarela", "direction": "deposit", "amount": 250000, "date": "2025-02-01"}))]
pub struct SavingsInput {
    /// Required on the API (pages take it from the path).
    #[serde(default)]
    pub member_id: Option<i64>,
    /// pokok, wajib or sukarela.
    #[serde(default)]
    pub kind: String,
    /// deposit or withdrawal.
    #[serde(default)]
    pub direction: String,
    /// Whole rupiah, more than zero.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub amount: NumTextSer,
    /// Value date (today when empty), in an open period.
    #[serde(default)]
    pub date: String,
}

/// A money field of the cooperative: the domain's one reader (`Rupiah::parse_field`), so
/// "20.000" means the same here as in every other form.
pub(crate) fn amount(errs: &mut ValidationErrors, field: &str, s: &str) -> Option<Rupiah> {
    domain::service_center::money::parse_field(errs, field, s, 1, co::schedule::MAX_PRINCIPAL)
}

pub(crate) fn savings_refusal(e: SavingsError) -> OpError {
    let (field, rule) = match e {
        SavingsError::ZeroAmount | SavingsError::InsufficientBalance { .. } | SavingsError::Overflow => {
            ("amount", Rule::OutOfRange)
        }
        SavingsError::PokokAmount { .. } => ("amount", Rule::Mismatch),
        SavingsError::NotWithdrawable { .. } | SavingsError::PokokAlreadyPaid => ("kind", Rule::Mismatch),
    };
    let refusal = domain::FieldError::new(field, rule, e.to_string());
    let refusal = match &e {
        SavingsError::ZeroAmount => refusal.message("msg_key.more_than_zero"),
        SavingsError::InsufficientBalance { requested, balance } => refusal
            .param("requested", format!("Rp {requested}"))
            .param("balance", format!("Rp {balance}"))
            .message("msg_key.savings_insufficient"),
        SavingsError::NotWithdrawable { kind } => {
            refusal.codes("kind", "savings_kind", &[kind.as_str()]).message("msg_key.savings_not_withdrawable")
        }
        SavingsError::PokokAmount { required } => {
            refusal.param("required", format!("Rp {required}")).message("msg_key.savings_pokok_amount")
        }
        SavingsError::PokokAlreadyPaid => refusal.message("msg_key.savings_pokok_paid"),
        SavingsError::Overflow => refusal,
    };
    OpError::Invalid(ValidationErrors(vec![refusal]))
}

/// Posts a deposit or a withdrawal; returns the journal entry's id.
pub async fn savings(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    m: &Member,
    input: &SavingsInput,
) -> Result<i64, OpError> {
    let mut errs = ValidationErrors::new();
    let kind = SavingsKind::parse(&input.kind);
    if kind.is_none() {
        errs.add("kind", Rule::OneOf, "pokok, wajib or sukarela");
    }
    let deposit = match input.direction.trim() {
        "deposit" => Some(true),
        "withdrawal" => Some(false),
        _ => {
            errs.add("direction", Rule::OneOf, "deposit or withdrawal");
            None
        }
    };
    let amt = amount(&mut errs, "amount", input.amount.as_str());
    if m.left_on.is_some() {
        errs.push(
            domain::FieldError::new("member_id", Rule::Mismatch, "the member has left the cooperative")
                .message("msg_key.member_left"),
        );
    }
    let all_bylaws = st::bylaws_list(&state.db, c.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let date = value_date(&mut errs, &input.date, coop_today(state, c), closed, parse_date(&m.joined_on));
    let (Some(kind), Some(deposit), Some(amt), Some(date)) = (kind, deposit, amt, date) else {
        return Err(OpError::Invalid(errs));
    };
    errs.into_result()?;
    let balances = MemberBalances::from_nets(&st::member_nets_tx(&mut tx, m.id).await?);
    let balance = rp(balances.of(kind));
    let op = if deposit {
        let pokok = bylaws_in(&all_bylaws, date).pokok;
        co::deposit(kind, balance, amt, pokok).map_err(savings_refusal)?;
        Operation::SavingsDeposit { member: m.id, kind, amount: amt }
    } else {
        co::withdraw(kind, balance, amt, false).map_err(savings_refusal)?;
        Operation::SavingsWithdrawal { member: m.id, kind, amount: amt }
    };
    let memo = format!("{} simpanan {kind}", if deposit { "Setoran" } else { "Penarikan" });
    let id = post_savings(&mut tx, actor, c, m, &op, date, &memo).await?;
    tx.commit().await?;
    Ok(id)
}

/// A member leaves: refused while a loan is open; every savings balance and unpaid SHU is paid
/// back in one entry.
pub async fn leave(state: &AppState, actor: &Actor, c: &Cooperative, m: &Member, date: &str) -> Result<i64, OpError> {
    let mut errs = ValidationErrors::new();
    if m.left_on.is_some() {
        return invalid("member_id", Rule::Mismatch, "the member has already left");
    }
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let Some(date) = value_date(&mut errs, date, coop_today(state, c), closed, parse_date(&m.joined_on)) else {
        return Err(OpError::Invalid(errs));
    };
    let refuse = |detail: &str, key: &str| {
        Err(OpError::Invalid(ValidationErrors(vec![
            domain::FieldError::new("member_id", Rule::Mismatch, detail).message(key),
        ])))
    };
    if st::open_loans_tx(&mut tx, m.id).await? > 0 {
        return refuse("the member has an open loan; it must be settled first", "msg_key.open_loan");
    }
    // A time deposit is the cooperative's debt to the member, outside the exit refund: it is
    // paid out (early, with its penalty, or at maturity) before the member can leave.
    if store::coop_deposits::open_deposits_tx(&mut tx, m.id).await? > 0 {
        return refuse("the member has an open time deposit; it must be paid out first", "msg_key.open_time_deposit");
    }
    let b = MemberBalances::from_nets(&st::member_nets_tx(&mut tx, m.id).await?);
    let refund = co::ExitRefund {
        pokok: rp(b.pokok),
        wajib: rp(b.wajib),
        sukarela: rp(b.sukarela),
        shu_payable: rp(b.shu_payable),
    };
    let mut entry_id = 0;
    if !refund.total().is_zero() {
        let op = Operation::MemberExit { member: m.id, refund };
        let entry = op
            .entry(date, &format!("Keluar anggota, simpanan dikembalikan · {} {}", m.member_number, m.full_name))
            .map_err(journal_refusal)?;
        let posting = st::Posting {
            cooperative_id: c.id,
            entry: &entry,
            operation: OperationKind::MemberExit,
            member_id: Some(m.id),
            loan_id: None,
            reverses_id: None,
        };
        entry_id = st::post(&mut tx, actor, &posting).await?;
        for (kind, a) in
            [(SavingsKind::Pokok, b.pokok), (SavingsKind::Wajib, b.wajib), (SavingsKind::Sukarela, b.sukarela)]
        {
            if a > 0 {
                st::insert_savings_tx(
                    &mut tx,
                    actor,
                    c.id,
                    m.id,
                    kind.as_str(),
                    "withdrawal",
                    a,
                    &date.to_string(),
                    entry_id,
                )
                .await?;
            }
        }
    }
    st::set_member_left(&mut tx, actor, c, m.id, date).await?;
    tx.commit().await?;
    Ok(entry_id)
}

// ---------------------------------------------------------------------------------------------
// Loans

/// A loan application.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"member_id": 1, "principal": 2000000, "months": 10, "monthly_rate_percent": 1.5,
    "method": "flat", "purpose": "Modal warung", "date": "2025-01-15"}))]
pub struct LoanInput {
    #[serde(default)]
    pub member_id: Option<i64>,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub principal: NumTextSer,
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
    pub purpose: String,
    /// The application date (today when empty); the preview schedule starts on it.
    #[serde(default)]
    pub date: String,
}

/// Checks an application against the schedule rules and the by-laws of its date; returns the
/// request (its schedule is the preview). `closed` is the closed-through date.
pub fn check_application(
    m: &Member,
    input: &LoanInput,
    closed: Option<Date>,
    all_bylaws: &[(i32, Bylaws)],
    today: Date,
) -> Result<(co::ScheduleRequest, Date), OpError> {
    let mut errs = ValidationErrors::new();
    if m.left_on.is_some() {
        errs.push(
            domain::FieldError::new("member_id", Rule::Mismatch, "the member has left the cooperative")
                .message("msg_key.member_left"),
        );
    }
    let date = value_date(&mut errs, &input.date, today, closed, parse_date(&m.joined_on));
    let start = date.map(|d| d.to_string()).unwrap_or_default();
    let req = co::validate_schedule_request(&co::ScheduleInput {
        principal: input.principal.as_str(),
        months: input.months.as_str(),
        monthly_rate_percent: input.monthly_rate_percent.as_str(),
        method: &input.method,
        start_date: &start,
    });
    let purpose_len = input.purpose.trim().chars().count();
    if purpose_len > 500 {
        errs.push(domain::FieldError::new("purpose", Rule::TooLong, "at most 500 characters").max(500));
    }
    match (req, date) {
        (Ok(req), Some(date)) => {
            let b = bylaws_in(all_bylaws, date);
            if let Err(e) = b.loans.check(&req) {
                errs.0.extend(e.0);
            }
            errs.into_result()?;
            Ok((req, date))
        }
        (Err(e), _) => {
            errs.0.extend(e.0.into_iter().filter(|f| f.field != "start_date"));
            Err(OpError::Invalid(errs))
        }
        (_, None) => Err(OpError::Invalid(errs)),
    }
}

pub async fn apply(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    m: &Member,
    input: &LoanInput,
) -> Result<Loan, OpError> {
    let all_bylaws = st::bylaws_list(&state.db, c.id).await?;
    let loan_settings = store::coop_loans::settings_list(&state.db, c.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let (req, date) = check_application(m, input, closed, &all_bylaws, coop_today(state, c))?;
    // Issue 20: the loan limit as a multiple of savings (crate::coop_loans).
    crate::coop_loans::check_limit(&mut tx, &crate::coop_loans::settings_in(&loan_settings, date), m, req.principal())
        .await?;
    let n = st::NewLoan {
        cooperative_id: c.id,
        member_id: m.id,
        request: &req,
        purpose: input.purpose.trim().to_string(),
        applied_on: date,
    };
    let loan = st::insert_loan(&mut tx, actor, &n).await?;
    st::audit_operation(
        &mut tx,
        actor,
        c,
        "cooperative.loan_apply",
        "coop_loan",
        loan.id,
        &format!("principal {}", loan.principal),
    )
    .await?;
    tx.commit().await?;
    Ok(loan)
}

pub fn state_of(l: &Loan) -> LoanState {
    LoanState::parse(&l.state).unwrap_or(LoanState::Applied)
}

fn loan_refusal(e: LoanError) -> OpError {
    let (field, rule) = match &e {
        LoanError::SelfApproval => ("approver", Rule::Mismatch),
        LoanError::NotAllowed { .. } | LoanError::NotRepayable { .. } => ("loan_id", Rule::Mismatch),
        LoanError::Outstanding { .. } => ("loan_id", Rule::Mismatch),
        LoanError::ZeroRepayment | LoanError::Overpayment { .. } => ("amount", Rule::OutOfRange),
    };
    let refusal = domain::FieldError::new(field, rule, e.to_string());
    let refusal = match &e {
        LoanError::SelfApproval => refusal.message("msg_key.loan_self_approval"),
        LoanError::NotAllowed { from, action } => refusal
            .codes("state", "loan_state", &[from.as_str()])
            .codes("action", "loan_action", &[action.as_str()])
            .message("msg_key.loan_not_allowed"),
        LoanError::NotRepayable { state } => {
            refusal.codes("state", "loan_state", &[state.as_str()]).message("msg_key.loan_not_repayable")
        }
        LoanError::Outstanding { outstanding } => {
            refusal.param("outstanding", format!("Rp {outstanding}")).message("msg_key.loan_outstanding")
        }
        LoanError::ZeroRepayment => refusal.message("msg_key.more_than_zero"),
        LoanError::Overpayment { owed } => {
            refusal.param("owed", format!("Rp {owed}")).message("msg_key.loan_overpayment")
        }
    };
    OpError::Invalid(ValidationErrors(vec![refusal]))
}

/// A decision, disbursement or write-off: a date and a note.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct LoanStepInput {
    /// Value date (today when empty).
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub note: String,
}

/// Whether `actor` entered this loan application (then another board member approves it).
pub fn entered_by(loan: &Loan, actor: &Actor) -> bool {
    actor.user_id.is_some() && loan.applied_by == actor.user_id
}

/// Approves (`approve`) or rejects an application. Four-eyes: whoever entered the application
/// may not approve it.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    approve: bool,
    input: &LoanStepInput,
) -> Result<(), OpError> {
    let mut errs = ValidationErrors::new();
    let note = domain::validation::text(&mut errs, "note", &input.note, 0, 1000);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let date = value_date(&mut errs, &input.date, coop_today(state, c), closed, parse_date(&loan.applied_on));
    let Some(date) = date else { return Err(OpError::Invalid(errs)) };
    errs.into_result()?;
    let loan = st::get_loan_tx(&mut tx, loan.id).await?.ok_or(OpError::NotFound)?;
    let action = if approve { LoanAction::Approve } else { LoanAction::Reject };
    let actor_id = actor.user_id.unwrap_or(0);
    let to = co::transition(state_of(&loan), action, actor_id, loan.applied_by.unwrap_or(0), Rupiah::ZERO)
        .map_err(loan_refusal)?;
    if !st::set_loan_state(&mut tx, loan.id, &loan.state, to.as_str(), Some((date, actor.user_id)), None, None).await? {
        return invalid("loan_id", Rule::Mismatch, "the loan changed meanwhile; reload");
    }
    st::add_loan_event(&mut tx, actor, loan.id, action.as_str(), date, &note, None).await?;
    st::audit_operation(&mut tx, actor, c, &format!("cooperative.loan_{action}"), "coop_loan", loan.id, "").await?;
    tx.commit().await?;
    Ok(())
}

fn schedule_of(l: &Loan, start: Date) -> Option<co::ScheduleRequest> {
    let rate = co::MonthlyRate::from_ppm(u32::try_from(l.rate_ppm).ok()?)?;
    let method = co::ScheduleMethod::parse(&l.method)?;
    co::ScheduleRequest::new(rp(l.principal), u16::try_from(l.months).ok()?, rate, method, start).ok()
}

/// Pays out an approved loan: the schedule is recomputed from the disbursement date.
pub async fn disburse(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    input: &LoanStepInput,
) -> Result<i64, OpError> {
    let mut errs = ValidationErrors::new();
    let member = st::get_member(&state.db, loan.member_id).await?.ok_or(OpError::NotFound)?;
    let loan_settings = store::coop_loans::settings_list(&state.db, c.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let earliest = loan.decided_on.as_deref().and_then(parse_date).or(parse_date(&loan.applied_on));
    let Some(date) = value_date(&mut errs, &input.date, coop_today(state, c), closed, earliest) else {
        return Err(OpError::Invalid(errs));
    };
    let loan = st::get_loan_tx(&mut tx, loan.id).await?.ok_or(OpError::NotFound)?;
    let to = co::transition(state_of(&loan), LoanAction::Disburse, 0, 0, Rupiah::ZERO).map_err(loan_refusal)?;
    let cash =
        st::account_nets_tx(&mut tx, c.id, None).await?.into_iter().find(|(a, _)| a == "cash").map_or(0, |(_, n)| n);
    let Some(req) = schedule_of(&loan, date) else {
        return invalid("date", Rule::OutOfRange, "the schedule cannot start on this date");
    };
    // Issue 20: the fees of the disbursement date's loan settings are deducted from the cash
    // paid out (crate::coop_loans::disbursement); without fees this is the first pass's entry.
    let settings = crate::coop_loans::settings_in(&loan_settings, date);
    let memo = format!("Pencairan pinjaman #{} · {} {}", loan.id, member.member_number, member.full_name);
    let (entry, fees) = crate::coop_loans::disbursement(&mut tx, &settings, &loan, date, &memo).await?;
    let net = loan.principal - fees.total().amount();
    if cash < net {
        return invalid("principal", Rule::OutOfRange, format!("cash on hand is only {cash} rupiah"));
    }
    let posting = st::Posting {
        cooperative_id: c.id,
        entry: &entry,
        operation: OperationKind::LoanDisbursement,
        member_id: Some(member.id),
        loan_id: Some(loan.id),
        reverses_id: None,
    };
    let id = st::post(&mut tx, actor, &posting).await?;
    st::replace_installments(&mut tx, loan.id, &req.schedule()).await?;
    if !st::set_loan_state(&mut tx, loan.id, &loan.state, to.as_str(), None, Some(date), None).await? {
        return invalid("loan_id", Rule::Mismatch, "the loan changed meanwhile; reload");
    }
    st::add_loan_event(&mut tx, actor, loan.id, "disburse", date, &input.note, Some(id)).await?;
    st::audit_operation(&mut tx, actor, c, "cooperative.loan_disburse", "coop_loan", loan.id, &format!("entry {id}"))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A repayment.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"amount": 250000, "penalty": 10000, "date": "2025-06-30"}))]
pub struct RepayInput {
    /// Whole rupiah paid, more than zero; allocated to penalties, then jasa, then principal.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub amount: NumTextSer,
    /// A late-payment penalty (denda) charged now, before the payment is allocated; 0 or empty for none.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub penalty: NumTextSer,
    /// Value date (today when empty), in an open period.
    #[serde(default)]
    pub date: String,
}

pub(crate) fn schedule_from_rows(rows: &[st::InstallmentRow]) -> co::Schedule {
    let installments: Vec<co::Installment> = rows
        .iter()
        .filter_map(|r| {
            Some(co::Installment {
                number: u16::try_from(r.number).ok()?,
                due_date: parse_date(&r.due_date)?,
                principal: Rupiah::new(r.principal)?,
                interest: Rupiah::new(r.interest)?,
                total: Rupiah::new(r.total)?,
                balance_after: Rupiah::new(r.balance_after)?,
            })
        })
        .collect();
    let total_interest = Rupiah::sum(installments.iter().map(|i| i.interest)).unwrap_or_default();
    let total_paid = Rupiah::sum(installments.iter().map(|i| i.total)).unwrap_or_default();
    co::Schedule { installments, total_interest, total_paid }
}

pub(crate) fn paid_of(p: &st::LoanPaid) -> co::Paid {
    co::Paid { penalty: rp(p.penalty), interest: rp(p.interest), principal: rp(p.principal) }
}

pub async fn repay(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    input: &RepayInput,
) -> Result<i64, OpError> {
    let mut errs = ValidationErrors::new();
    let amt = amount(&mut errs, "amount", input.amount.as_str());
    let penalty = match input.penalty.as_str().trim() {
        "" | "0" => Some(Rupiah::ZERO),
        s => amount(&mut errs, "penalty", s),
    };
    let member = st::get_member(&state.db, loan.member_id).await?.ok_or(OpError::NotFound)?;
    let loan_settings = store::coop_loans::settings_list(&state.db, c.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let earliest = loan.disbursed_on.as_deref().and_then(parse_date);
    let date = value_date(&mut errs, &input.date, coop_today(state, c), closed, earliest);
    // Issue 20: with automatic penalties no penalty is typed at repayment (never charged twice).
    if let (Some(d), Some(p)) = (date, penalty) {
        crate::coop_loans::check_manual_penalty(&crate::coop_loans::settings_in(&loan_settings, d), p)?;
    }
    let loan = st::get_loan_tx(&mut tx, loan.id).await?.ok_or(OpError::NotFound)?;
    let loan_state = state_of(&loan);
    if loan_state != LoanState::Disbursed {
        return Err(loan_refusal(LoanError::NotRepayable { state: loan_state }));
    }
    let (Some(amt), Some(penalty), Some(date)) = (amt, penalty, date) else { return Err(OpError::Invalid(errs)) };
    errs.into_result()?;
    let rows = st::installments_tx(&mut tx, loan.id).await?;
    let schedule = schedule_from_rows(&rows);
    let paid = paid_of(&st::loan_paid_tx(&mut tx, loan.id).await?);
    let charged = rp(loan.penalties_charged).checked_add(penalty).unwrap_or(Rupiah::MAX);
    let owed = co::owed(&schedule, charged, paid, date);
    let allocation = co::allocate(loan_state, amt, &owed).map_err(loan_refusal)?;
    if !penalty.is_zero() {
        st::add_penalty(&mut tx, loan.id, penalty.amount()).await?;
    }
    let op = Operation::LoanRepayment { member: member.id, allocation };
    let entry = op
        .entry(date, &format!("Angsuran pinjaman #{} · {} {}", loan.id, member.member_number, member.full_name))
        .map_err(journal_refusal)?;
    let posting = st::Posting {
        cooperative_id: c.id,
        entry: &entry,
        operation: op.kind(),
        member_id: Some(member.id),
        loan_id: Some(loan.id),
        reverses_id: None,
    };
    let id = st::post(&mut tx, actor, &posting).await?;
    let note = format!(
        "{} = denda {} + jasa {} + pokok {}",
        amt, allocation.penalty, allocation.interest, allocation.principal
    );
    st::add_loan_event(&mut tx, actor, loan.id, "repay", date, &note, Some(id)).await?;
    let outstanding = owed.principal_outstanding.saturating_sub(allocation.principal);
    let penalty_left = owed.penalty.saturating_sub(allocation.penalty);
    if outstanding.is_zero() && penalty_left.is_zero() {
        let to = co::transition(loan_state, LoanAction::Close, 0, 0, outstanding).map_err(loan_refusal)?;
        st::set_loan_state(&mut tx, loan.id, &loan.state, to.as_str(), None, None, Some(date)).await?;
        st::add_loan_event(&mut tx, actor, loan.id, "close", date, "", None).await?;
    }
    st::audit_operation(&mut tx, actor, c, "cooperative.loan_repay", "coop_loan", loan.id, &format!("entry {id}"))
        .await?;
    tx.commit().await?;
    Ok(id)
}

use domain::cooperative::RupiahOps;

/// Writes off what principal is left (an expense); the loan is final.
pub async fn write_off(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
    input: &LoanStepInput,
) -> Result<i64, OpError> {
    let mut errs = ValidationErrors::new();
    let member = st::get_member(&state.db, loan.member_id).await?.ok_or(OpError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let earliest = loan.disbursed_on.as_deref().and_then(parse_date);
    let Some(date) = value_date(&mut errs, &input.date, coop_today(state, c), closed, earliest) else {
        return Err(OpError::Invalid(errs));
    };
    let loan = st::get_loan_tx(&mut tx, loan.id).await?.ok_or(OpError::NotFound)?;
    let paid = st::loan_paid_tx(&mut tx, loan.id).await?;
    let outstanding = rp(loan.principal - paid.principal);
    let to = co::transition(state_of(&loan), LoanAction::WriteOff, 0, 0, outstanding).map_err(loan_refusal)?;
    // Issue 20: against the allowance first, the rest as loan loss expense.
    let memo = format!("Penghapusan pinjaman #{} · {} {}", loan.id, member.member_number, member.full_name);
    let entry = crate::coop_loans::write_off_entry(&mut tx, c, member.id, outstanding, date, &memo).await?;
    let posting = st::Posting {
        cooperative_id: c.id,
        entry: &entry,
        operation: OperationKind::LoanWriteOff,
        member_id: Some(member.id),
        loan_id: Some(loan.id),
        reverses_id: None,
    };
    let id = st::post(&mut tx, actor, &posting).await?;
    st::set_loan_state(&mut tx, loan.id, &loan.state, to.as_str(), None, None, Some(date)).await?;
    st::add_loan_event(&mut tx, actor, loan.id, "write_off", date, &input.note, Some(id)).await?;
    st::audit_operation(&mut tx, actor, c, "cooperative.loan_write_off", "coop_loan", loan.id, &format!("entry {id}"))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A loan as of a day: schedule, what was paid, what is owed, days past due and class.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoanStatus {
    pub as_of: String,
    pub paid_penalty: i64,
    pub paid_interest: i64,
    pub paid_principal: i64,
    pub principal_outstanding: i64,
    /// Penalties, jasa due and principal due not yet paid, as of the day.
    pub owed_penalty: i64,
    pub owed_interest: i64,
    pub owed_principal_due: i64,
    /// Everything that would settle the loan on the day (jasa not yet due is not charged).
    pub payoff: i64,
    pub days_past_due: u32,
    /// OJK class: current, special_mention, substandard, doubtful, loss (`null` unless disbursed).
    pub collectibility: Option<String>,
    /// 1 to 5.
    pub collectibility_number: Option<u8>,
    pub non_performing: bool,
}

pub async fn loan_status(
    state: &AppState,
    c: &Cooperative,
    loan: &Loan,
    as_of: Date,
) -> Result<(LoanStatus, Vec<st::InstallmentRow>), store::StoreError> {
    let rows = st::installments(&state.db, loan.id).await?;
    let schedule = schedule_from_rows(&rows);
    let as_of_s = as_of.to_string();
    let paid_raw = st::loan_paid(&state.db, loan.id, Some(&as_of_s)).await?;
    let paid = paid_of(&paid_raw);
    let owed = co::owed(&schedule, rp(loan.penalties_charged), paid, as_of);
    let disbursed_then = loan.disbursed_on.as_deref().is_some_and(|d| d <= as_of_s.as_str());
    let open_then =
        state_of(loan) == LoanState::Disbursed || loan.closed_on.as_deref().is_some_and(|d| d > as_of_s.as_str());
    let active = disbursed_then && open_then;
    let dpd = if active { co::days_past_due(&schedule, paid, as_of) } else { 0 };
    let class = active.then(|| c.collectibility().classify(dpd));
    let outstanding = if disbursed_then { loan.principal - paid_raw.principal } else { 0 };
    Ok((
        LoanStatus {
            as_of: as_of_s,
            paid_penalty: paid_raw.penalty,
            paid_interest: paid_raw.interest,
            paid_principal: paid_raw.principal,
            principal_outstanding: if state_of(loan) == LoanState::WrittenOff && !open_then { 0 } else { outstanding },
            owed_penalty: owed.penalty.amount(),
            owed_interest: if active { owed.interest.amount() } else { 0 },
            owed_principal_due: if active { owed.principal_due.amount() } else { 0 },
            payoff: if active { owed.payoff().amount() } else { 0 },
            days_past_due: dpd,
            collectibility: class.map(|c| c.as_str().to_string()),
            collectibility_number: class.map(|c| c.number()),
            non_performing: class.is_some_and(|c| c.is_non_performing()),
        },
        rows,
    ))
}

/// PAR30 and NPL of a cooperative's disbursed loans as of a day.
pub async fn portfolio(
    state: &AppState,
    coops: &[Cooperative],
    as_of: Date,
) -> Result<co::PortfolioQuality, store::StoreError> {
    let ids: Vec<i64> = coops.iter().map(|c| c.id).collect();
    let rows = st::installments_of_disbursed(&state.db, &ids).await?;
    let mut exposures = Vec::new();
    let table = coops.first().map(|c| c.collectibility()).unwrap_or_default();
    let mut paid_all = std::collections::HashMap::new();
    for c in coops {
        paid_all.extend(st::loans_paid(&state.db, c.id, Some(&as_of.to_string())).await?);
    }
    let mut by_loan: std::collections::BTreeMap<i64, Vec<st::InstallmentRow>> = Default::default();
    for (loan, r) in rows {
        by_loan.entry(loan).or_default().push(r);
    }
    for (loan, rows) in by_loan {
        let s = schedule_from_rows(&rows);
        let paid = paid_all.get(&loan).copied().unwrap_or_default();
        let principal = Rupiah::sum(s.installments.iter().map(|i| i.principal)).unwrap_or_default();
        exposures.push(co::LoanExposure {
            principal_outstanding: principal.saturating_sub(rp(paid.principal)),
            days_past_due: co::days_past_due(&s, paid_of(&paid), as_of),
        });
    }
    Ok(co::portfolio_quality(&exposures, &table))
}

/// The figures on a cooperative's home page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyFigures {
    pub members: i64,
    pub savings: i64,
    pub loans_outstanding: i64,
    /// Basis points (100 = 1 %).
    pub par30_bp: u32,
    pub npl_bp: u32,
    /// Issue 20: the loan loss allowance ÷ the provision required today (PPAP ratio), basis
    /// points; `null` when nothing is required.
    pub ppap_ratio_bp: Option<u32>,
}

pub async fn key_figures(state: &AppState, c: &Cooperative) -> Result<KeyFigures, store::StoreError> {
    let f = st::figures(&state.db, &[c.id]).await?;
    let q = portfolio(state, std::slice::from_ref(c), state.today()).await?;
    Ok(KeyFigures {
        members: f.members,
        savings: f.savings,
        loans_outstanding: f.loans_outstanding,
        par30_bp: q.par30.bp(),
        npl_bp: q.npl_ratio.bp(),
        ppap_ratio_bp: crate::coop_loans::provision_position(state, c, state.today()).await?.ratio_bp,
    })
}

// ---------------------------------------------------------------------------------------------
// Books

pub async fn balances(state: &AppState, c: &Cooperative, as_of: Option<Date>) -> Result<Balances, store::StoreError> {
    let as_of = as_of.map(|d| d.to_string());
    let nets = st::account_nets(&state.db, c.id, as_of.as_deref()).await?;
    Ok(Balances::from_nets(nets.into_iter().filter_map(|(a, n)| Some((Account::parse(&a)?, i128::from(n)))), []))
}

/// The income statement of entries dated `from`..=`to` (year-end closing left out).
pub async fn income_statement(
    state: &AppState,
    c: &Cooperative,
    from: Date,
    to: Date,
) -> Result<co::IncomeStatement, store::StoreError> {
    let nets = st::result_nets(&state.db, c.id, &from.to_string(), &to.to_string()).await?;
    let b = Balances::from_nets(nets.into_iter().filter_map(|(a, n)| Some((Account::parse(&a)?, i128::from(n)))), []);
    Ok(b.income_statement())
}

/// A manual entry: an expense paid in cash, or other income received.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct OtherInput {
    /// other_income, staff_expense, operating_expense or savings_interest_expense.
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

pub const OTHER_ACCOUNTS: [&str; 4] =
    ["other_income", "operating_expense", "staff_expense", "savings_interest_expense"];

pub async fn other(state: &AppState, actor: &Actor, c: &Cooperative, input: &OtherInput) -> Result<i64, OpError> {
    let mut errs = ValidationErrors::new();
    let account = Account::parse(&input.account).filter(|a| OTHER_ACCOUNTS.contains(&a.as_str()));
    if account.is_none() {
        errs.add("account", Rule::OneOf, OTHER_ACCOUNTS.join(", "));
    }
    let amt = amount(&mut errs, "amount", input.amount.as_str());
    let memo = domain::validation::text(&mut errs, "memo", &input.memo, 3, 300);
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let date = value_date(&mut errs, &input.date, coop_today(state, c), closed, founded(c));
    let (Some(account), Some(amt), Some(date)) = (account, amt, date) else { return Err(OpError::Invalid(errs)) };
    errs.into_result()?;
    if account == Account::Cash {
        return invalid("account", Rule::OneOf, OTHER_ACCOUNTS.join(", "));
    }
    let op = if account == Account::OtherIncome {
        Operation::OtherIncome { amount: amt }
    } else {
        Operation::Expense { account, amount: amt }
    };
    let entry = op.entry(date, &memo).map_err(journal_refusal)?;
    let posting = st::Posting {
        cooperative_id: c.id,
        entry: &entry,
        operation: op.kind(),
        member_id: None,
        loan_id: None,
        reverses_id: None,
    };
    let id = st::post(&mut tx, actor, &posting).await?;
    st::audit_operation(&mut tx, actor, c, &format!("cooperative.{}", op.kind()), "coop_journal_entry", id, "").await?;
    tx.commit().await?;
    Ok(id)
}

/// Reverses an entry: the same lines on the opposite sides, dated `date` (today when empty).
pub async fn reverse(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    entry_id: i64,
    date: &str,
) -> Result<i64, OpError> {
    let mut errs = ValidationErrors::new();
    let e = st::get_entry(&state.db, entry_id).await?.filter(|e| e.cooperative_id == c.id).ok_or(OpError::NotFound)?;
    // Entries, lines and their savings records never change: read them before the transaction.
    let lines: Vec<co::JournalLine> =
        st::lines_of(&state.db, &[e.id]).await?.iter().filter_map(st::LineRow::to_domain).collect();
    let savings_rows = st::savings_of_entry(&state.db, e.id).await?;
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let Some(date) = value_date(&mut errs, date, coop_today(state, c), closed, parse_date(&e.entry_date)) else {
        return Err(OpError::Invalid(errs));
    };
    let kind = OperationKind::parse(&e.operation);
    if e.reverses_id.is_some() || e.reversed_by.is_some() {
        return invalid("entry_id", Rule::Mismatch, "this entry is a reversal or has been reversed already");
    }
    if !kind.is_some_and(|k| k.is_reversible()) {
        return invalid(
            "entry_id",
            Rule::OneOf,
            "only savings, repayment, other income and expense entries are reversed; loans and closings are corrected by a new operation",
        );
    }
    let original =
        co::JournalEntry::new(parse_date(&e.entry_date).unwrap_or(date), &e.memo, lines).map_err(journal_refusal)?;
    let reversal = original.reversal(date);
    // A reversal must not leave a member's savings below zero (a deposit already withdrawn).
    if let Some(m) = e.member_id {
        let mut b = MemberBalances::from_nets(&st::member_nets_tx(&mut tx, m).await?);
        for l in reversal.lines().iter().filter(|l| l.member_id == Some(m)) {
            let signed = if l.side == co::Side::Debit { l.amount.amount() } else { -l.amount.amount() };
            match l.account {
                Account::SimpananPokok => b.pokok -= signed,
                Account::SimpananWajib => b.wajib -= signed,
                Account::SimpananSukarela => b.sukarela -= signed,
                _ => {}
            }
        }
        if b.pokok < 0 || b.wajib < 0 || b.sukarela < 0 {
            return invalid("entry_id", Rule::OutOfRange, "the member's savings would fall below zero");
        }
    }
    if kind == Some(OperationKind::LoanRepayment)
        && let Some(l) = e.loan_id
        && st::get_loan_tx(&mut tx, l).await?.is_some_and(|l| state_of(&l) != LoanState::Disbursed)
    {
        return invalid("entry_id", Rule::Mismatch, "the loan is no longer open; its repayments cannot be reversed");
    }
    let posting = st::Posting {
        cooperative_id: c.id,
        entry: &reversal,
        operation: kind.unwrap_or(OperationKind::Expense),
        member_id: e.member_id,
        loan_id: e.loan_id,
        reverses_id: Some(e.id),
    };
    let id = match st::post(&mut tx, actor, &posting).await {
        Ok(id) => id,
        Err(err) if store::is_unique_violation(&err) => {
            return invalid("entry_id", Rule::Mismatch, "this entry has been reversed already");
        }
        Err(err) => return Err(err.into()),
    };
    for s in savings_rows {
        let dir = if s.direction == "deposit" { "withdrawal" } else { "deposit" };
        st::insert_savings_tx(&mut tx, actor, c.id, s.member_id, &s.kind, dir, s.amount, &date.to_string(), id).await?;
    }
    st::audit_reversal(&mut tx, actor, c, e.id, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Closes the books through a date (forward only, and only a day already past).
pub async fn close_period(state: &AppState, actor: &Actor, c: &Cooperative, through: &str) -> Result<(), OpError> {
    let Some(through) = parse_date(through.trim()) else {
        return invalid("through", Rule::Format, "a date such as 2026-01-31");
    };
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    if let Err(e) = co::check_period_close(through, state.today(), closed) {
        return invalid("through", Rule::OutOfRange, e.to_string());
    }
    st::close_period(&mut tx, actor, c, through).await?;
    tx.commit().await?;
    Ok(())
}

/// Year end: posts the closing entry (income and expenses to SHU for the year) dated 31
/// December and closes the books through that day.
pub async fn close_year(state: &AppState, actor: &Actor, c: &Cooperative, year: &str) -> Result<Option<i64>, OpError> {
    let year = year.trim().parse::<i32>().ok();
    let Some(through) = year.and_then(|y| Date::from_calendar_date(y, time::Month::December, 31).ok()) else {
        return invalid("year", Rule::Format, "a year such as 2025");
    };
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    if let Err(e) = co::check_period_close(through, state.today(), closed) {
        return invalid("year", Rule::OutOfRange, e.to_string());
    }
    let nets = st::account_nets_tx(&mut tx, c.id, Some(&through.to_string())).await?;
    let b = Balances::from_nets(nets.into_iter().filter_map(|(a, n)| Some((Account::parse(&a)?, i128::from(n)))), []);
    let closing = b.closing_entry(through).map_err(journal_refusal)?;
    let mut id = None;
    if let Some(entry) = closing {
        let entry = co::JournalEntry::new(
            through,
            &format!("Tutup buku {}: pendapatan dan beban ke SHU tahun berjalan", through.year()),
            entry.lines().to_vec(),
        )
        .map_err(journal_refusal)?;
        let posting = st::Posting {
            cooperative_id: c.id,
            entry: &entry,
            operation: OperationKind::YearClosing,
            member_id: None,
            loan_id: None,
            reverses_id: None,
        };
        id = Some(st::post(&mut tx, actor, &posting).await?);
    }
    st::close_period(&mut tx, actor, c, through).await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// RAT and SHU

/// The annual members' meeting and the SHU it approves.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"year": 2025, "held_on": "2026-02-14", "members_present": 18, "decisions": "Laporan pengurus diterima; SHU dibagi sesuai AD/ART."}))]
pub struct RatInput {
    /// The book year (closed).
    #[serde(default)]
    #[schema(value_type = i64)]
    pub year: NumTextSer,
    /// The meeting date, after the year and in an open period; the SHU is posted on it.
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub members_present: NumTextSer,
    #[serde(default)]
    pub decisions: String,
    /// The approved SHU percentages; the year's by-laws when omitted.
    #[serde(default)]
    pub shu: Option<BylawsBody>,
}

/// Records the RAT and distributes the year's SHU: reserve, members by savings (balances at year
/// end) and by transactions (jasa paid in the year), and the other funds, each member's share
/// by the largest-remainder method so the shares add up to the rupiah.
pub async fn record_rat(
    state: &AppState,
    actor: &Actor,
    c: &Cooperative,
    input: &RatInput,
) -> Result<st::Rat, OpError> {
    let mut errs = ValidationErrors::new();
    let year = input.year.as_str().trim().parse::<i32>().ok();
    let year_end = year.and_then(|y| Date::from_calendar_date(y, time::Month::December, 31).ok());
    if year_end.is_none() {
        errs.push(domain::FieldError::new("year", Rule::Format, "a year such as 2025").message("msg_key.year_format"));
    }
    let present = input.members_present.as_str().trim().parse::<i32>().ok().filter(|n| *n >= 0);
    if present.is_none() {
        errs.add("members_present", Rule::Format, "a number of members");
    }
    let decisions = domain::validation::text(&mut errs, "decisions", &input.decisions, 3, 5000);
    // Read before the transaction (it must not wait for a second pool connection while holding
    // the write lock). The year's figures are final once it is closed, which is checked after
    // the lock; a second RAT for the year is stopped by the unique index.
    let all_bylaws = st::bylaws_list(&state.db, c.id).await?;
    let members = st::list_members(&state.db, c.id).await?;
    let already = match year {
        Some(y) => st::get_rat(&state.db, c.id, y).await?.is_some(),
        None => false,
    };
    let (mut savings_at_end, mut jasa_in_year) = (vec![], vec![]);
    if let Some(y) = year {
        let ye = format!("{y}-12-31");
        savings_at_end = st::members_nets(&state.db, c.id, &ye).await?;
        jasa_in_year = st::jasa_paid_by_member(&state.db, c.id, &format!("{y}-01-01"), &ye).await?;
    }
    let mut tx = state.db.begin().await?;
    let closed = st::lock(&mut tx, c.id).await?;
    let held_on = value_date_named(
        &mut errs,
        "held_on",
        &input.held_on,
        coop_today(state, c),
        closed,
        year_end.and_then(|d| d.next_day()),
    );
    let (Some(year), Some(year_end), Some(present), Some(held_on)) = (year, year_end, present, held_on) else {
        return Err(OpError::Invalid(errs));
    };
    if closed.is_none_or(|cl| cl < year_end) {
        errs.add("year", Rule::Mismatch, "close the year's books first");
    }
    let split = match &input.shu {
        Some(body) => match co::validate_bylaws(&BylawsInput {
            pokok: "0",
            wajib_monthly: "0",
            max_principal: "1",
            max_months: "1",
            min_rate_percent: "0",
            max_rate_percent: "0",
            shu: body.shu_texts(),
        }) {
            Ok(b) => Some(b.shu),
            Err(e) => {
                errs.0.extend(e.0);
                None
            }
        },
        None => Some(bylaws_in(&all_bylaws, year_end).shu),
    };
    let total = members
        .iter()
        .filter(|m| {
            m.joined_on.as_str() <= held_on.to_string().as_str()
                && m.left_on.as_deref().is_none_or(|l| l > held_on.to_string().as_str())
        })
        .count() as i32;
    if present > total {
        errs.add("members_present", Rule::OutOfRange, format!("at most the {total} members"));
    }
    let Some(split) = split else { return Err(OpError::Invalid(errs)) };
    errs.into_result()?;
    if already {
        return invalid("year", Rule::Taken, "the RAT of this year is already recorded");
    }
    let nets = st::account_nets_tx(&mut tx, c.id, Some(&held_on.to_string())).await?;
    let b = Balances::from_nets(nets.into_iter().filter_map(|(a, n)| Some((Account::parse(&a)?, i128::from(n)))), []);
    let shu = b.balance(Account::ShuCurrentYear);
    let shu_amount = if shu.side == co::Side::Credit { shu.amount } else { Rupiah::ZERO };
    let mut shares = Vec::new();
    let mut entry_id = None;
    if !shu_amount.is_zero() {
        let funds = split.distribute(shu_amount);
        let mut basis: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
        for (m, a, net) in savings_at_end {
            if matches!(a.as_str(), "simpanan_pokok" | "simpanan_wajib" | "simpanan_sukarela") {
                basis.entry(m).or_default().0 -= net;
            }
        }
        for (m, jasa) in jasa_in_year {
            basis.entry(m).or_default().1 += jasa;
        }
        let bases: Vec<co::MemberBasis> = basis
            .iter()
            .filter(|(_, (s, t))| *s > 0 || *t > 0)
            .map(|(m, (s, t))| co::MemberBasis {
                member_id: *m,
                savings: rp((*s).max(0)),
                transactions: rp((*t).max(0)),
            })
            .collect();
        let pool_s = ShuSplit::amount_for(&funds, ShuFund::MembersBySavings);
        let pool_t = ShuSplit::amount_for(&funds, ShuFund::MembersByTransactions);
        let member_shu = match co::member_shares(pool_s, pool_t, &bases) {
            Ok(s) => s,
            Err(e) => {
                let field = if bases.iter().all(|b| b.transactions.is_zero()) {
                    "shu_members_by_transactions"
                } else {
                    "shu_members_by_savings"
                };
                return invalid(field, Rule::Mismatch, format!("{e}; set this part to 0"));
            }
        };
        let names: std::collections::HashMap<i64, &Member> = members.iter().map(|m| (m.id, m)).collect();
        for (s, bs) in member_shu.iter().zip(&bases) {
            let m = names.get(&s.member_id);
            shares.push(st::ShuShare {
                member_id: s.member_id,
                member_number: m.map(|m| m.member_number.clone()).unwrap_or_default(),
                full_name: m.map(|m| m.full_name.clone()).unwrap_or_default(),
                savings_basis: bs.savings.amount(),
                transactions_basis: bs.transactions.amount(),
                by_savings: s.by_savings.amount(),
                by_transactions: s.by_transactions.amount(),
                total: s.total.amount(),
            });
        }
        let op = Operation::ShuDistribution(co::ShuPosting {
            funds,
            members: member_shu.iter().filter(|s| !s.total.is_zero()).map(|s| (s.member_id, s.total)).collect(),
        });
        let entry = op.entry(held_on, &format!("Pembagian SHU {year} (RAT {held_on})")).map_err(journal_refusal)?;
        let posting = st::Posting {
            cooperative_id: c.id,
            entry: &entry,
            operation: op.kind(),
            member_id: None,
            loan_id: None,
            reverses_id: None,
        };
        entry_id = Some(st::post(&mut tx, actor, &posting).await?);
    }
    let n = st::NewRat {
        cooperative_id: c.id,
        year,
        held_on,
        members_present: present,
        members_total: total,
        decisions: &decisions,
        shu_amount: shu_amount.amount(),
        split: &split,
        entry_id,
    };
    let rat = match st::insert_rat(&mut tx, actor, c, &n, &shares).await {
        Ok(r) => r,
        Err(e) if store::is_unique_violation(&e) => {
            return invalid("year", Rule::Taken, "the RAT of this year is already recorded");
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(rat)
}

// ---------------------------------------------------------------------------------------------
// Reports (the `reports` crate renders them as PDF, XLSX or CSV)

use reports::{Block, Cell, Report, Table};

pub(crate) fn coop_meta(c: &Cooperative, period: String) -> Vec<(String, String)> {
    vec![
        ("Koperasi".into(), c.name.clone()),
        ("Badan hukum".into(), if c.legal_number.is_empty() { "—".into() } else { c.legal_number.clone() }),
        ("Desa".into(), c.village_code.clone()),
        ("Periode".into(), period),
        ("Dibuat".into(), crate::clock::fmt_time(&store::now())),
    ]
}

/// Indonesian account names for printed reports.
pub fn account_name(a: Account) -> &'static str {
    use Account::*;
    match a {
        Cash => "Kas",
        Bank => "Bank",
        LoansReceivable => "Piutang pinjaman anggota",
        InterestReceivable => "Piutang jasa",
        LoanLossAllowance => "Penyisihan piutang tak tertagih",
        FixedAssets => "Aset tetap",
        SimpananSukarela => "Simpanan sukarela",
        SimpananBerjangka => "Simpanan berjangka",
        ShuPayable => "SHU anggota belum dibayar",
        FundsPayable => "Dana pengurus, karyawan, pendidikan, sosial",
        OtherLiabilities => "Kewajiban lain",
        TaxPayable => "Utang pajak",
        SimpananPokok => "Simpanan pokok",
        SimpananWajib => "Simpanan wajib",
        Reserve => "Cadangan",
        Grants => "Hibah",
        ShuCurrentYear => "SHU tahun berjalan",
        JasaIncome => "Pendapatan jasa pinjaman",
        PenaltyIncome => "Pendapatan denda",
        AdminFeeIncome => "Pendapatan provisi dan administrasi",
        OtherIncome => "Pendapatan lain",
        SavingsInterestExpense => "Beban jasa simpanan",
        StaffExpense => "Beban karyawan",
        OperatingExpense => "Beban operasional",
        LoanLossExpense => "Beban penyisihan piutang",
    }
}

fn big(n: i128) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub fn trial_balance_report(c: &Cooperative, b: &Balances, as_of: Date) -> Report {
    let tb = b.trial_balance();
    let rows = tb
        .rows
        .iter()
        .map(|(a, bal)| {
            let (d, cr) = match bal.side {
                co::Side::Debit => (Cell::Rupiah(bal.amount.amount()), Cell::Empty),
                co::Side::Credit => (Cell::Empty, Cell::Rupiah(bal.amount.amount())),
            };
            vec![Cell::Text(a.number().into()), Cell::Text(account_name(*a).into()), d, cr]
        })
        .collect();
    Report {
        title: "Neraca Saldo".into(),
        meta: coop_meta(c, format!("per {as_of}")),
        blocks: vec![Block::Table(Table {
            name: "Neraca saldo".into(),
            columns: vec!["No. akun".into(), "Akun".into(), "Debit".into(), "Kredit".into()],
            rows,
            totals: Some(vec![
                Cell::Empty,
                "Jumlah".into(),
                Cell::Rupiah(big(tb.total_debit)),
                Cell::Rupiah(big(tb.total_credit)),
            ]),
        })],
    }
}

fn section(name: &str, rows: &[(Account, i128)], total: i128, total_label: &str) -> Table {
    Table {
        name: name.into(),
        columns: vec!["No. akun".into(), "Akun".into(), "Jumlah".into()],
        rows: rows
            .iter()
            .map(|(a, v)| {
                vec![Cell::Text(a.number().into()), Cell::Text(account_name(*a).into()), Cell::Rupiah(big(*v))]
            })
            .collect(),
        totals: Some(vec![Cell::Empty, total_label.into(), Cell::Rupiah(big(total))]),
    }
}

pub fn balance_sheet_report(c: &Cooperative, b: &Balances, as_of: Date) -> Report {
    let bs = b.balance_sheet();
    let mut equity = bs.equity.clone();
    if bs.unclosed_result != 0 {
        equity.push((Account::ShuCurrentYear, bs.unclosed_result));
    }
    Report {
        title: "Neraca".into(),
        meta: coop_meta(c, format!("per {as_of}")),
        blocks: vec![
            Block::Table(section("Aset", &bs.assets, bs.total_assets, "Jumlah aset")),
            Block::Table(section("Kewajiban", &bs.liabilities, bs.total_liabilities, "Jumlah kewajiban")),
            Block::Table(section("Ekuitas", &equity, bs.total_equity, "Jumlah ekuitas")),
            Block::Facts(vec![(
                "Kewajiban + ekuitas".into(),
                Cell::Rupiah(big(bs.total_liabilities + bs.total_equity)).display(),
            )]),
        ],
    }
}

pub fn income_statement_report(c: &Cooperative, is: &co::IncomeStatement, from: Date, to: Date) -> Report {
    let (label, amount) = match is.result {
        co::YearResult::Surplus(r) => ("SHU (surplus)", r.amount()),
        co::YearResult::Deficit(r) => ("Defisit", -r.amount()),
    };
    Report {
        title: "Laporan Laba Rugi (Perhitungan Hasil Usaha)".into(),
        meta: coop_meta(c, format!("{from} s.d. {to}")),
        blocks: vec![
            Block::Table(section("Pendapatan", &is.income, is.total_income, "Jumlah pendapatan")),
            Block::Table(section("Beban", &is.expenses, is.total_expenses, "Jumlah beban")),
            Block::Facts(vec![(label.into(), Cell::Rupiah(amount).display())]),
        ],
    }
}

/// The member statement: balances, then every line in date order with the running balance of
/// its account (on the account's normal side).
pub async fn statement_report(
    state: &AppState,
    c: &Cooperative,
    m: &Member,
    from: Date,
    to: Date,
) -> Result<Report, store::StoreError> {
    let day_before = from.previous_day().map(|d| d.to_string()).unwrap_or_default();
    let opening = st::member_nets(&state.db, m.id, Some(&day_before)).await?;
    let mut running: std::collections::HashMap<String, i64> = opening.into_iter().collect();
    let lines = st::member_lines(&state.db, m.id, &from.to_string(), &to.to_string(), 100_000).await?;
    let closing = member_balances(state, m, Some(&to.to_string())).await?;
    let mut rows = Vec::new();
    for l in &lines {
        let acct = Account::parse(&l.account);
        let r = running.entry(l.account.clone()).or_default();
        *r += l.debit - l.credit;
        let shown = match acct.map(|a| a.normal_side()) {
            Some(co::Side::Credit) => -*r,
            _ => *r,
        };
        rows.push(vec![
            Cell::Text(l.entry_date.clone()),
            Cell::Text(l.memo.clone()),
            Cell::Text(acct.map_or_else(|| l.account.clone(), |a| account_name(a).to_string())),
            if l.debit > 0 { Cell::Rupiah(l.debit) } else { Cell::Empty },
            if l.credit > 0 { Cell::Rupiah(l.credit) } else { Cell::Empty },
            Cell::Rupiah(shown),
        ]);
    }
    let mut meta = coop_meta(c, format!("{from} s.d. {to}"));
    meta.insert(1, ("Anggota".into(), format!("{} {}", m.member_number, m.full_name)));
    Ok(Report {
        title: "Rekening Koran Anggota".into(),
        meta,
        blocks: vec![
            Block::Heading("Saldo akhir".into()),
            Block::Facts(vec![
                ("Simpanan pokok".into(), Cell::Rupiah(closing.pokok).display()),
                ("Simpanan wajib".into(), Cell::Rupiah(closing.wajib).display()),
                ("Simpanan sukarela".into(), Cell::Rupiah(closing.sukarela).display()),
                ("SHU belum dibayar".into(), Cell::Rupiah(closing.shu_payable).display()),
                ("Sisa pinjaman".into(), Cell::Rupiah(closing.loans_outstanding).display()),
            ]),
            Block::Heading("Mutasi".into()),
            Block::Table(Table {
                name: "Mutasi".into(),
                columns: vec![
                    "Tanggal".into(),
                    "Keterangan".into(),
                    "Rekening".into(),
                    "Debit".into(),
                    "Kredit".into(),
                    "Saldo".into(),
                ],
                rows,
                totals: None,
            }),
        ],
    })
}

/// Every line of the entries dated `from`..=`to` (the transactions CSV).
pub async fn transactions_report(
    state: &AppState,
    c: &Cooperative,
    from: Date,
    to: Date,
) -> Result<Report, store::StoreError> {
    let entries = st::entries_between(&state.db, c.id, &from.to_string(), &to.to_string()).await?;
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let mut rows = Vec::new();
    for chunk in ids.chunks(5000) {
        let lines = st::lines_of(&state.db, chunk).await?;
        let by_id: std::collections::HashMap<i64, &st::EntryRow> = entries.iter().map(|e| (e.id, e)).collect();
        for l in lines {
            let Some(e) = by_id.get(&l.entry_id) else { continue };
            rows.push(vec![
                Cell::Int(e.id),
                Cell::Text(e.entry_date.clone()),
                Cell::Text(e.operation.clone()),
                Cell::Text(e.memo.clone()),
                Cell::Text(Account::parse(&l.account).map_or("", |a| a.number()).into()),
                Cell::Text(l.account.clone()),
                Cell::Rupiah(l.debit),
                Cell::Rupiah(l.credit),
                l.member_id.map_or(Cell::Empty, Cell::Int),
                e.reverses_id.map_or(Cell::Empty, Cell::Int),
            ]);
        }
    }
    Ok(Report {
        title: "Transaksi".into(),
        meta: coop_meta(c, format!("{from} s.d. {to}")),
        blocks: vec![Block::Table(Table {
            name: "transaksi".into(),
            columns: [
                "entry_id",
                "date",
                "operation",
                "memo",
                "account_number",
                "account",
                "debit",
                "credit",
                "member_id",
                "reverses_entry_id",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            totals: None,
        })],
    })
}

pub async fn rat_report(state: &AppState, c: &Cooperative, rat: &st::Rat) -> Result<Report, store::StoreError> {
    let year_from = Date::from_calendar_date(rat.year, time::Month::January, 1).unwrap_or(state.today());
    let year_to = Date::from_calendar_date(rat.year, time::Month::December, 31).unwrap_or(state.today());
    let is = income_statement(state, c, year_from, year_to).await?;
    let b = balances(state, c, Some(year_to)).await?;
    let bs = balance_sheet_report(c, &b, year_to);
    let isr = income_statement_report(c, &is, year_from, year_to);
    let shares = st::shu_shares(&state.db, rat.id).await?;
    let split = rat.split();
    let funds = split.distribute(rp(rat.shu_amount));
    let mut blocks = vec![
        Block::Facts(vec![
            ("Tanggal RAT".into(), rat.held_on.clone()),
            ("Kehadiran".into(), format!("{} dari {} anggota", rat.members_present, rat.members_total)),
            ("SHU dibagi".into(), Cell::Rupiah(rat.shu_amount).display()),
        ]),
        Block::Heading("Keputusan".into()),
        Block::Text(rat.decisions.clone()),
        Block::Heading("Neraca per 31 Desember".into()),
    ];
    blocks.extend(bs.blocks);
    blocks.push(Block::Heading("Perhitungan hasil usaha".into()));
    blocks.extend(isr.blocks);
    blocks.push(Block::Heading("Pembagian SHU".into()));
    blocks.push(Block::Table(Table {
        name: "Pembagian SHU".into(),
        columns: vec!["Bagian".into(), "Persen".into(), "Jumlah".into()],
        rows: split
            .parts()
            .iter()
            .map(|(f, bp)| {
                vec![
                    Cell::Text(shu_fund_name(*f).into()),
                    Cell::BasisPoints(i64::from(*bp)),
                    Cell::Rupiah(ShuSplit::amount_for(&funds, *f).amount()),
                ]
            })
            .collect(),
        totals: Some(vec!["Jumlah".into(), Cell::BasisPoints(10_000), Cell::Rupiah(rat.shu_amount)]),
    }));
    blocks.push(Block::Heading("SHU per anggota".into()));
    let sum: i64 = shares.iter().map(|s| s.total).sum();
    blocks.push(Block::Table(Table {
        name: "SHU anggota".into(),
        columns: ["No. anggota", "Nama", "Simpanan 31 Des", "Jasa dibayar", "SHU simpanan", "SHU transaksi", "Jumlah"]
            .map(String::from)
            .to_vec(),
        rows: shares
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.member_number.clone()),
                    Cell::Text(s.full_name.clone()),
                    Cell::Rupiah(s.savings_basis),
                    Cell::Rupiah(s.transactions_basis),
                    Cell::Rupiah(s.by_savings),
                    Cell::Rupiah(s.by_transactions),
                    Cell::Rupiah(s.total),
                ]
            })
            .collect(),
        totals: Some(vec![
            Cell::Empty,
            "Jumlah".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Rupiah(shares.iter().map(|s| s.by_savings).sum()),
            Cell::Rupiah(shares.iter().map(|s| s.by_transactions).sum()),
            Cell::Rupiah(sum),
        ]),
    }));
    Ok(Report {
        title: format!("Laporan RAT Tahun Buku {}", rat.year),
        meta: coop_meta(c, rat.year.to_string()),
        blocks,
    })
}

pub fn shu_fund_name(f: ShuFund) -> &'static str {
    match f {
        ShuFund::Reserve => "Cadangan",
        ShuFund::MembersBySavings => "Jasa simpanan anggota",
        ShuFund::MembersByTransactions => "Jasa transaksi anggota",
        ShuFund::Board => "Dana pengurus",
        ShuFund::Staff => "Dana karyawan",
        ShuFund::Education => "Dana pendidikan",
        ShuFund::Social => "Dana sosial",
        ShuFund::AreaDevelopment => "Dana pembangunan daerah kerja",
    }
}

// ---------------------------------------------------------------------------------------------
// Views of members (personal data: each is audited)

pub(crate) fn may_view(p: &Principal, c: &Cooperative) -> crate::error::Result<()> {
    if c.village().is_some_and(|v| p.can(Action::ViewCooperative, Some(&v))) { Ok(()) } else { Err(OpError::NotFound) }
}

/// The cooperative's members with their ledger balances, NIK blanked for roles that may not
/// see it; the view is audited (`cooperative.members_view`).
pub async fn members_view(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
) -> crate::error::Result<Vec<(Member, MemberBalances)>> {
    may_view(principal, c)?;
    let members = st::list_members(&state.db, c.id).await?;
    let balances = all_member_balances(state, c).await?;
    let ev = store::audit::Event {
        action: "cooperative.members_view",
        entity: "cooperative",
        entity_id: &c.id.to_string(),
        region_code: &c.village_code,
        details: &format!("{} members", members.len()),
    };
    store::audit::append_now(&state.db, actor, &ev).await?;
    Ok(members
        .into_iter()
        .map(|m| {
            let b = balances.get(&m.id).copied().unwrap_or_default();
            (redact_member(principal, m), b)
        })
        .collect())
}

/// One member's record as the caller may see it (NIK by role), audited
/// (`cooperative.member_view`, `what` says where: page, api, statement download, loan …).
pub async fn view_member(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    m: Member,
    what: &str,
) -> crate::error::Result<Member> {
    may_view(principal, c)?;
    if m.cooperative_id != c.id {
        return Err(OpError::NotFound);
    }
    st::audit_member_view(&state.db, actor, c, &m, what).await?;
    Ok(redact_member(principal, m))
}

/// The borrower of a loan, viewed on the loan's page (audited as [`view_member`]).
pub async fn view_borrower(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    c: &Cooperative,
    loan: &Loan,
) -> crate::error::Result<Member> {
    let m = member_of(state, c, loan.member_id).await?.ok_or(OpError::NotFound)?;
    view_member(state, principal, actor, c, m, &format!("loan {}", loan.id)).await
}

// ---------------------------------------------------------------------------------------------
// Reads for pages and API: each checks that the caller may see the cooperative.

/// Cooperatives at or inside `within` (the caller's scope when `None`); 403 outside it.
pub async fn cooperatives(
    state: &AppState,
    principal: &Principal,
    within: Option<&domain::RegionCode>,
) -> crate::error::Result<Vec<Cooperative>> {
    if !principal.can(Action::ViewCooperative, within) {
        return Err(OpError::Forbidden);
    }
    Ok(st::list_cooperatives(&state.db, within).await?)
}

/// Every year's by-laws, the newest first.
pub async fn bylaws_years(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
) -> crate::error::Result<Vec<(i32, Bylaws)>> {
    may_view(principal, c)?;
    Ok(st::bylaws_list(&state.db, c.id).await?)
}

/// The last day of the last closed period (YYYY-MM-DD), if any.
pub async fn closed_through(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
) -> crate::error::Result<Option<String>> {
    may_view(principal, c)?;
    Ok(st::closed_through(&state.db, c.id).await?)
}

/// The cooperative's loans, or one member's.
pub async fn loans(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    member_id: Option<i64>,
) -> crate::error::Result<Vec<Loan>> {
    may_view(principal, c)?;
    Ok(st::list_loans(&state.db, c.id, member_id).await?)
}

/// Member number and name per member id (loan lists).
pub async fn member_names(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
) -> crate::error::Result<std::collections::HashMap<i64, String>> {
    may_view(principal, c)?;
    Ok(st::list_members(&state.db, c.id)
        .await?
        .into_iter()
        .map(|m| (m.id, format!("{} {}", m.member_number, m.full_name)))
        .collect())
}

/// A member's ledger lines (the newest `last` of them, oldest first) and SHU per year
/// (year, on capital, on transactions, paid).
#[allow(clippy::type_complexity)]
pub async fn member_ledger(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    m: &Member,
    last: usize,
) -> crate::error::Result<(Vec<StatementRow>, Vec<(i32, i64, i64, i64)>)> {
    may_view(principal, c)?;
    if m.cooperative_id != c.id {
        return Err(OpError::NotFound);
    }
    let mut lines = st::member_lines(&state.db, m.id, "0000-00-00", "9999-12-31", 100_000).await?;
    let skip = lines.len().saturating_sub(last);
    lines.drain(..skip);
    Ok((lines, st::member_shu(&state.db, m.id).await?))
}

pub async fn loan_events(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    loan: &Loan,
) -> crate::error::Result<Vec<LoanEvent>> {
    may_view(principal, c)?;
    if loan.cooperative_id != c.id {
        return Err(OpError::NotFound);
    }
    Ok(st::loan_events(&state.db, loan.id).await?)
}

/// Journal entries, newest first, a page of `limit` before `before`, with their lines.
pub async fn journal(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    before: Option<i64>,
    limit: i64,
) -> crate::error::Result<(Vec<EntryRow>, Vec<LineRow>)> {
    may_view(principal, c)?;
    let entries = st::list_entries(&state.db, c.id, before, limit).await?;
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let lines = st::lines_of(&state.db, &ids).await?;
    Ok((entries, lines))
}

/// The cash book from `from` to `to`: the opening balance and the movements.
pub async fn cash_book(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    from: Date,
    to: Date,
) -> crate::error::Result<(i64, Vec<CashRow>)> {
    may_view(principal, c)?;
    Ok(st::cash_book(&state.db, c.id, &from.to_string(), &to.to_string()).await?)
}

/// The annual members' meetings (RAT), newest first.
pub async fn rats(state: &AppState, principal: &Principal, c: &Cooperative) -> crate::error::Result<Vec<Rat>> {
    may_view(principal, c)?;
    Ok(st::list_rats(&state.db, c.id).await?)
}

/// The RAT of `year`; 404 when none was recorded.
pub async fn rat(state: &AppState, principal: &Principal, c: &Cooperative, year: i32) -> crate::error::Result<Rat> {
    may_view(principal, c)?;
    st::get_rat(&state.db, c.id, year).await?.ok_or(OpError::NotFound)
}

/// Each member's SHU share decided at a RAT.
pub async fn shu_shares(
    state: &AppState,
    principal: &Principal,
    c: &Cooperative,
    r: &Rat,
) -> crate::error::Result<Vec<ShuShare>> {
    may_view(principal, c)?;
    if r.cooperative_id != c.id {
        return Err(OpError::NotFound);
    }
    Ok(st::shu_shares(&state.db, r.id).await?)
}
