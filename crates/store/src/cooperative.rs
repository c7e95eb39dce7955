//! Village cooperatives (issue 5): cooperatives and their by-laws, members, savings, loans, the
//! append-only journal, period closes, RAT meetings and SHU shares.
//!
//! The rules live in `domain::cooperative`; the service in `web::cooperative` reads what a rule
//! needs, asks the domain, and writes the result here. Every operation runs in one transaction
//! that starts with [`lock`]: the cooperative's row is updated first, so postings of one
//! cooperative are serialised on both backends (SQLite takes the write lock at BEGIN anyway),
//! and balances read after the lock are the ones the posting changes.
//!
//! Journal entries and lines are never updated or deleted (database triggers refuse it).
//! Sums are cast to BIGINT: PostgreSQL's SUM of a BIGINT is NUMERIC.

use crate::audit::{self, Actor, Event};
use crate::{Db, Result, Tx, on_db, on_tx};
use domain::RegionCode;
use domain::cooperative::{
    Account, Bylaws, JournalEntry, LoanRules, OperationKind, Rupiah, Schedule, ShuFund, ShuSplit, Side,
};
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Cooperatives and by-laws

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Cooperative {
    pub id: i64,
    pub village_code: String,
    pub kind: String,
    pub name: String,
    pub legal_number: String,
    pub founded_on: String,
    pub collect_days: String,
    pub created_at: i64,
}

impl Cooperative {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
    /// The collectibility thresholds as stored; the OJK default when unreadable.
    pub fn collectibility(&self) -> domain::cooperative::CollectibilityTable {
        let days: Vec<u32> = self.collect_days.split(',').filter_map(|d| d.trim().parse().ok()).collect();
        <[u32; 4]>::try_from(days).ok().and_then(domain::cooperative::CollectibilityTable::new).unwrap_or_default()
    }
}

const COOP_COLUMNS: &str = "id, village_code, kind, name, legal_number, founded_on, collect_days, created_at";

pub struct NewCooperative {
    pub village_code: RegionCode,
    pub kind: String,
    pub name: String,
    pub legal_number: String,
    pub founded_on: time::Date,
    pub collect_days: [u32; 4],
}

async fn audit_coop(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    action: &str,
    id: &str,
    details: &str,
) -> Result<()> {
    let ev = Event { action, entity: "cooperative", entity_id: id, region_code: &coop.village_code, details };
    audit::append(tx, actor, &ev).await.map(|_| ())
}

/// Founds a cooperative with its first by-laws (for `year`).
pub async fn create_cooperative(
    db: &Db,
    actor: &Actor,
    n: &NewCooperative,
    year: i32,
    b: &Bylaws,
) -> Result<Cooperative> {
    let mut tx = db.begin().await?;
    let days = n.collect_days.map(|d| d.to_string()).join(",");
    let coop: Cooperative = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO coop_cooperatives (village_code, kind, name, legal_number, founded_on, collect_days, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING {COOP_COLUMNS}")))
            .bind(n.village_code.as_str()).bind(&n.kind).bind(&n.name).bind(&n.legal_number)
            .bind(n.founded_on.to_string()).bind(&days).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    write_bylaws(&mut tx, actor, coop.id, year, b).await?;
    audit_coop(
        &mut tx,
        actor,
        &coop,
        "cooperative.create",
        &coop.id.to_string(),
        &format!("{} {}", coop.kind, coop.name),
    )
    .await?;
    tx.commit().await?;
    Ok(coop)
}

pub async fn get_cooperative(db: &Db, id: i64) -> Result<Option<Cooperative>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COOP_COLUMNS} FROM coop_cooperatives WHERE id = $1")))
            .bind(id).fetch_optional(p).await
    })?)
}

/// Cooperatives in or under `within` (all when `None`), by village then name.
pub async fn list_cooperatives(db: &Db, within: Option<&RegionCode>) -> Result<Vec<Cooperative>> {
    let mut q = crate::query::Select::new(format!("SELECT {COOP_COLUMNS} FROM coop_cooperatives WHERE 1=1"));
    if let Some(w) = within {
        q.and_within("village_code", w.as_str());
    }
    q.tail("ORDER BY village_code, name, id LIMIT 1000");
    q.fetch_all(db).await
}

const BYLAW_FUNDS: [ShuFund; 8] = [
    ShuFund::Reserve,
    ShuFund::MembersBySavings,
    ShuFund::MembersByTransactions,
    ShuFund::Board,
    ShuFund::Staff,
    ShuFund::Education,
    ShuFund::Social,
    ShuFund::AreaDevelopment,
];

fn split_bps(split: &ShuSplit) -> [i32; 8] {
    BYLAW_FUNDS.map(|f| split.parts().iter().find(|(g, _)| *g == f).map_or(0, |(_, bp)| *bp as i32))
}

fn split_from_bps(bps: [i32; 8]) -> ShuSplit {
    let parts: Vec<(ShuFund, u32)> =
        BYLAW_FUNDS.iter().zip(bps).map(|(f, bp)| (*f, u32::try_from(bp).unwrap_or(0))).collect();
    ShuSplit::new(&parts).unwrap_or_default()
}

async fn write_bylaws(tx: &mut Tx, actor: &Actor, coop_id: i64, year: i32, b: &Bylaws) -> Result<()> {
    let bp = split_bps(&b.shu);
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO coop_bylaws (cooperative_id, year, pokok, wajib_monthly, max_principal, max_months, min_rate_ppm, \
             max_rate_ppm, shu_reserve_bp, shu_members_by_savings_bp, shu_members_by_transactions_bp, shu_board_bp, \
             shu_staff_bp, shu_education_bp, shu_social_bp, shu_area_development_bp, updated_by, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) \
             ON CONFLICT (cooperative_id, year) DO UPDATE SET pokok = excluded.pokok, wajib_monthly = excluded.wajib_monthly, \
             max_principal = excluded.max_principal, max_months = excluded.max_months, min_rate_ppm = excluded.min_rate_ppm, \
             max_rate_ppm = excluded.max_rate_ppm, shu_reserve_bp = excluded.shu_reserve_bp, \
             shu_members_by_savings_bp = excluded.shu_members_by_savings_bp, \
             shu_members_by_transactions_bp = excluded.shu_members_by_transactions_bp, shu_board_bp = excluded.shu_board_bp, \
             shu_staff_bp = excluded.shu_staff_bp, shu_education_bp = excluded.shu_education_bp, \
             shu_social_bp = excluded.shu_social_bp, shu_area_development_bp = excluded.shu_area_development_bp, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(coop_id).bind(year).bind(b.pokok.amount()).bind(b.wajib_monthly.amount())
            .bind(b.loans.max_principal.amount()).bind(i32::from(b.loans.max_months))
            .bind(b.loans.min_rate_ppm as i32).bind(b.loans.max_rate_ppm as i32)
            .bind(bp[0]).bind(bp[1]).bind(bp[2]).bind(bp[3]).bind(bp[4]).bind(bp[5]).bind(bp[6]).bind(bp[7])
            .bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Sets the by-laws of one year (replacing that year's settings).
pub async fn save_bylaws(db: &Db, actor: &Actor, coop: &Cooperative, year: i32, b: &Bylaws) -> Result<()> {
    let mut tx = db.begin().await?;
    write_bylaws(&mut tx, actor, coop.id, year, b).await?;
    let details = format!("year {year}");
    audit_coop(&mut tx, actor, coop, "cooperative.bylaws", &coop.id.to_string(), &details).await?;
    tx.commit().await
}

#[derive(sqlx::FromRow)]
struct BylawsRow {
    year: i32,
    pokok: i64,
    wajib_monthly: i64,
    max_principal: i64,
    max_months: i32,
    min_rate_ppm: i32,
    max_rate_ppm: i32,
    shu_reserve_bp: i32,
    shu_members_by_savings_bp: i32,
    shu_members_by_transactions_bp: i32,
    shu_board_bp: i32,
    shu_staff_bp: i32,
    shu_education_bp: i32,
    shu_social_bp: i32,
    shu_area_development_bp: i32,
}

impl BylawsRow {
    fn into_domain(self) -> (i32, Bylaws) {
        let rp = |n: i64| Rupiah::new(n).unwrap_or_default();
        let shu = split_from_bps([
            self.shu_reserve_bp,
            self.shu_members_by_savings_bp,
            self.shu_members_by_transactions_bp,
            self.shu_board_bp,
            self.shu_staff_bp,
            self.shu_education_bp,
            self.shu_social_bp,
            self.shu_area_development_bp,
        ]);
        (
            self.year,
            Bylaws {
                pokok: rp(self.pokok),
                wajib_monthly: rp(self.wajib_monthly),
                loans: LoanRules {
                    max_principal: rp(self.max_principal),
                    max_months: u16::try_from(self.max_months).unwrap_or(0),
                    min_rate_ppm: u32::try_from(self.min_rate_ppm).unwrap_or(0),
                    max_rate_ppm: u32::try_from(self.max_rate_ppm).unwrap_or(0),
                },
                shu,
            },
        )
    }
}

const BYLAW_COLUMNS: &str = "year, pokok, wajib_monthly, max_principal, max_months, min_rate_ppm, max_rate_ppm, \
    shu_reserve_bp, shu_members_by_savings_bp, shu_members_by_transactions_bp, shu_board_bp, shu_staff_bp, \
    shu_education_bp, shu_social_bp, shu_area_development_bp";

/// Every year's settings, newest first.
pub async fn bylaws_list(db: &Db, coop_id: i64) -> Result<Vec<(i32, Bylaws)>> {
    let rows: Vec<BylawsRow> = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {BYLAW_COLUMNS} FROM coop_bylaws WHERE cooperative_id = $1 ORDER BY year DESC")))
            .bind(coop_id).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(BylawsRow::into_domain).collect())
}

/// The settings that apply in `year`: that year's, else the latest earlier year's, else the
/// earliest year's (postings dated before the first settings).
pub async fn bylaws_for(db: &Db, coop_id: i64, year: i32) -> Result<Option<(i32, Bylaws)>> {
    let all = bylaws_list(db, coop_id).await?;
    let pick = all.iter().position(|(y, _)| *y <= year).or(if all.is_empty() { None } else { Some(all.len() - 1) });
    Ok(pick.and_then(|i| all.into_iter().nth(i)))
}

// ---------------------------------------------------------------------------------------------
// Members

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub id: i64,
    pub cooperative_id: i64,
    pub member_number: String,
    pub full_name: String,
    pub nik: Option<String>,
    pub person_id: Option<i64>,
    pub joined_on: String,
    pub left_on: Option<String>,
    pub created_at: i64,
}

pub(crate) const MEMBER_COLUMNS: &str =
    "id, cooperative_id, member_number, full_name, nik, person_id, joined_on, left_on, created_at";

pub struct NewMember {
    pub cooperative_id: i64,
    /// Empty: the next free number ("0001", "0002"…).
    pub member_number: String,
    pub full_name: String,
    pub nik: Option<String>,
    pub person_id: Option<i64>,
    pub joined_on: time::Date,
}

/// Inserts a member inside a posting transaction (joining posts simpanan pokok in the same one).
pub async fn insert_member(tx: &mut Tx, actor: &Actor, coop: &Cooperative, n: &NewMember) -> Result<Member> {
    let number = if n.member_number.trim().is_empty() {
        let (count,): (i64,) = on_tx!(tx, c => {
            sqlx::query_as("SELECT COUNT(*) FROM coop_members WHERE cooperative_id = $1").bind(n.cooperative_id).fetch_one(c).await
        })?;
        format!("{:04}", count + 1)
    } else {
        n.member_number.trim().to_string()
    };
    let m: Member = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO coop_members (cooperative_id, member_number, full_name, nik, person_id, joined_on, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING {MEMBER_COLUMNS}")))
            .bind(n.cooperative_id).bind(&number).bind(&n.full_name).bind(&n.nik).bind(n.person_id)
            .bind(n.joined_on.to_string()).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    let ev = Event {
        action: "cooperative.member_join",
        entity: "coop_member",
        entity_id: &m.id.to_string(),
        region_code: &coop.village_code,
        details: &format!("cooperative {}", coop.id),
    };
    audit::append(tx, actor, &ev).await?;
    Ok(m)
}

pub async fn get_member(db: &Db, id: i64) -> Result<Option<Member>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {MEMBER_COLUMNS} FROM coop_members WHERE id = $1")))
            .bind(id).fetch_optional(p).await
    })?)
}

pub async fn list_members(db: &Db, coop_id: i64) -> Result<Vec<Member>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEMBER_COLUMNS} FROM coop_members WHERE cooperative_id = $1 ORDER BY member_number, id")))
            .bind(coop_id).fetch_all(p).await
    })?)
}

/// Records that a member's personal and financial data was seen.
pub async fn audit_member_view(db: &Db, actor: &Actor, coop: &Cooperative, m: &Member, what: &str) -> Result<()> {
    let ev = Event {
        action: "cooperative.member_view",
        entity: "coop_member",
        entity_id: &m.id.to_string(),
        region_code: &coop.village_code,
        details: what,
    };
    audit::append_now(db, actor, &ev).await.map(|_| ())
}

pub async fn set_member_left(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    member_id: i64,
    on: time::Date,
) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query("UPDATE coop_members SET left_on = $1 WHERE id = $2 AND left_on IS NULL")
            .bind(on.to_string()).bind(member_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    let ev = Event {
        action: "cooperative.member_leave",
        entity: "coop_member",
        entity_id: &member_id.to_string(),
        region_code: &coop.village_code,
        details: &format!("on {on}"),
    };
    audit::append(tx, actor, &ev).await?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// The journal

/// What an entry records besides its lines.
pub struct Posting<'a> {
    pub cooperative_id: i64,
    pub entry: &'a JournalEntry,
    pub operation: OperationKind,
    pub member_id: Option<i64>,
    pub loan_id: Option<i64>,
    pub reverses_id: Option<i64>,
}

/// Starts a posting: locks the cooperative (see the module note) and returns the date through
/// which its books are closed.
pub async fn lock(tx: &mut Tx, coop_id: i64) -> Result<Option<time::Date>> {
    on_tx!(tx, c => {
        sqlx::query("UPDATE coop_cooperatives SET postings = postings + 1 WHERE id = $1")
            .bind(coop_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    let row: Option<(String,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT through_date FROM coop_period_closes WHERE cooperative_id = $1 ORDER BY through_date DESC LIMIT 1")
            .bind(coop_id).fetch_optional(c).await
    })?;
    Ok(row.and_then(|r| domain::person::parse_date(&r.0)))
}

/// Writes a balanced entry and its lines; returns the entry's id. The entry was built by a
/// domain posting template (or is a reversal), so it balances.
pub async fn post(tx: &mut Tx, actor: &Actor, p: &Posting<'_>) -> Result<i64> {
    let e = p.entry;
    let date = e.date().to_string();
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_journal_entries (cooperative_id, entry_date, memo, operation, total, member_id, loan_id, \
             reverses_id, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id")
            .bind(p.cooperative_id).bind(&date).bind(e.memo()).bind(p.operation.as_str()).bind(e.total().amount())
            .bind(p.member_id).bind(p.loan_id).bind(p.reverses_id).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    for chunk in e.lines().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO coop_journal_lines (entry_id, cooperative_id, entry_date, account, debit, credit, member_id, bank_account_id) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 5;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("($1, $2, $3, ${}, ${}, ${}, ${}, ${})", b + 4, b + 5, b + 6, b + 7, b + 8));
        }
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id).bind(p.cooperative_id).bind(&date);
            for l in chunk {
                let (d, cr) = match l.side {
                    Side::Debit => (l.amount.amount(), 0),
                    Side::Credit => (0, l.amount.amount()),
                };
                q = q.bind(l.account.as_str()).bind(d).bind(cr).bind(l.member_id).bind(l.bank_account_id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(id)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub cooperative_id: i64,
    pub entry_date: String,
    pub memo: String,
    pub operation: String,
    pub total: i64,
    pub member_id: Option<i64>,
    pub loan_id: Option<i64>,
    pub reverses_id: Option<i64>,
    /// The entry that reversed this one, if any.
    pub reversed_by: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.cooperative_id, e.entry_date, e.memo, e.operation, e.total, e.member_id, \
    e.loan_id, e.reverses_id, r.id AS reversed_by, e.created_by, e.created_at FROM coop_journal_entries e \
    LEFT JOIN coop_journal_entries r ON r.reverses_id = e.id";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LineRow {
    pub entry_id: i64,
    pub account: String,
    pub debit: i64,
    pub credit: i64,
    pub member_id: Option<i64>,
    /// The bank account of a line on `bank` (issue 20, migration 0029).
    pub bank_account_id: Option<i64>,
}

impl LineRow {
    /// As a domain line (`None` for an unknown account code or a zero line, which the checks
    /// on insert make impossible).
    pub fn to_domain(&self) -> Option<domain::cooperative::JournalLine> {
        let account = Account::parse(&self.account)?;
        let (side, amount) = if self.debit > 0 { (Side::Debit, self.debit) } else { (Side::Credit, self.credit) };
        Some(domain::cooperative::JournalLine {
            account,
            side,
            amount: Rupiah::new(amount)?,
            member_id: self.member_id,
            bank_account_id: self.bank_account_id,
        })
    }
}

/// Entries of a cooperative, newest first, before `before_id`.
pub async fn list_entries(db: &Db, coop_id: i64, before_id: Option<i64>, limit: i64) -> Result<Vec<EntryRow>> {
    let before = before_id.unwrap_or(i64::MAX);
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ENTRY_SELECT} WHERE e.cooperative_id = $1 AND e.id < $2 ORDER BY e.id DESC LIMIT {}", limit.clamp(1, 1000))))
            .bind(coop_id).bind(before).fetch_all(p).await
    })?)
}

/// Entries between two dates (inclusive), oldest first: the transactions export.
pub async fn entries_between(db: &Db, coop_id: i64, from: &str, to: &str) -> Result<Vec<EntryRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ENTRY_SELECT} WHERE e.cooperative_id = $1 AND e.entry_date >= $2 AND e.entry_date <= $3 ORDER BY e.entry_date, e.id LIMIT 200000")))
            .bind(coop_id).bind(from).bind(to).fetch_all(p).await
    })?)
}

pub async fn get_entry(db: &Db, id: i64) -> Result<Option<EntryRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENTRY_SELECT} WHERE e.id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

/// Lines of the given entries, in entry then line order.
pub async fn lines_of(db: &Db, entry_ids: &[i64]) -> Result<Vec<LineRow>> {
    if entry_ids.is_empty() {
        return Ok(vec![]);
    }
    // Integers we read from the database, never user text.
    let ids = entry_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT entry_id, account, debit, credit, member_id, bank_account_id FROM coop_journal_lines WHERE entry_id IN ({ids}) ORDER BY entry_id, id")))
            .fetch_all(p).await
    })?)
}

macro_rules! account_nets_sql {
    ($e:expr, $coop:expr, $month:expr, $as_of:expr) => {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT account, CAST(SUM(net) AS BIGINT) FROM ( \
               SELECT account, CAST(SUM(debit) - SUM(credit) AS BIGINT) AS net FROM coop_account_balances \
                 WHERE cooperative_id = $1 AND month < $2 GROUP BY account \
               UNION ALL \
               SELECT account, CAST(SUM(debit) - SUM(credit) AS BIGINT) AS net FROM coop_journal_lines \
                 WHERE cooperative_id = $1 AND entry_date >= $2 AND entry_date <= $3 \
                 AND account IN (SELECT account FROM coop_account_balances WHERE cooperative_id = $1 AND month = $2) \
                 GROUP BY account \
             ) t GROUP BY account",
        )
        .bind($coop)
        .bind($month)
        .bind($as_of)
        .fetch_all($e)
        .await
    };
}

/// The month (`YYYY-MM`) of `as_of` and the date itself, `None` being everything.
fn month_of(as_of: Option<&str>) -> (String, String) {
    let as_of = as_of.unwrap_or("9999-12-31");
    (as_of.get(..7).unwrap_or(as_of).to_string(), as_of.to_string())
}

/// Balances per account as (account code, debits minus credits), through `as_of` (everything
/// when `None`). Reads the running balances of the months before `as_of`'s month (kept by the
/// `coop_lines_running_balance` trigger with every line, migration 0035) and adds the lines of
/// that month up to `as_of`: a few rows per account, whatever the size of the journal.
pub async fn account_nets(db: &Db, coop_id: i64, as_of: Option<&str>) -> Result<Vec<(String, i64)>> {
    let (month, as_of) = month_of(as_of);
    Ok(on_db!(db, p => account_nets_sql!(p, coop_id, &month, &as_of))?)
}

/// The same, inside a posting transaction (after [`lock`]).
pub async fn account_nets_tx(tx: &mut Tx, coop_id: i64, as_of: Option<&str>) -> Result<Vec<(String, i64)>> {
    let (month, as_of) = month_of(as_of);
    Ok(on_tx!(tx, c => account_nets_sql!(c, coop_id, &month, &as_of))?)
}

/// The same summed from every journal line (no running balances): what the running balances
/// must always equal; kept for the tests and the benchmark's "before" figure.
pub async fn account_nets_full(db: &Db, coop_id: i64, as_of: Option<&str>) -> Result<Vec<(String, i64)>> {
    let as_of = as_of.unwrap_or("9999-12-31");
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT account, CAST(SUM(debit) - SUM(credit) AS BIGINT) FROM coop_journal_lines \
             WHERE cooperative_id = $1 AND entry_date <= $2 GROUP BY account ORDER BY account")
            .bind(coop_id).bind(as_of).fetch_all(p).await
    })?)
}

/// Income and expense per account for entries dated `from`..=`to`, leaving out the year-end
/// closing entries (which zero them): the income statement of a period.
pub async fn result_nets(db: &Db, coop_id: i64, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT l.account, CAST(SUM(l.debit) - SUM(l.credit) AS BIGINT) FROM coop_journal_lines l \
             JOIN coop_journal_entries e ON e.id = l.entry_id \
             WHERE l.cooperative_id = $1 AND l.entry_date >= $2 AND l.entry_date <= $3 AND e.operation <> 'year_closing' \
             AND l.account IN ('jasa_income','penalty_income','admin_fee_income','other_income','savings_interest_expense',\
             'staff_expense','operating_expense','loan_loss_expense') GROUP BY l.account")
            .bind(coop_id).bind(from).bind(to).fetch_all(p).await
    })?)
}

macro_rules! member_nets_sql {
    ($e:expr, $member:expr, $as_of:expr) => {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT account, CAST(SUM(debit) - SUM(credit) AS BIGINT) FROM coop_journal_lines \
             WHERE member_id = $1 AND entry_date <= $2 GROUP BY account",
        )
        .bind($member)
        .bind($as_of)
        .fetch_all($e)
        .await
    };
}

/// A member's balances per account (debits minus credits) through `as_of`.
pub async fn member_nets(db: &Db, member_id: i64, as_of: Option<&str>) -> Result<Vec<(String, i64)>> {
    let as_of = as_of.unwrap_or("9999-12-31");
    Ok(on_db!(db, p => member_nets_sql!(p, member_id, as_of))?)
}

/// The same, inside a posting transaction (after [`lock`]).
pub async fn member_nets_tx(tx: &mut Tx, member_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(on_tx!(tx, c => member_nets_sql!(c, member_id, "9999-12-31"))?)
}

/// Every member's balances per account through `as_of`: (member, account, debits minus credits).
pub async fn members_nets(db: &Db, coop_id: i64, as_of: &str) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT member_id, account, CAST(SUM(debit) - SUM(credit) AS BIGINT) FROM coop_journal_lines \
             WHERE cooperative_id = $1 AND member_id IS NOT NULL AND entry_date <= $2 GROUP BY member_id, account")
            .bind(coop_id).bind(as_of).fetch_all(p).await
    })?)
}

/// Jasa paid per member between two dates (the SHU basis "by transactions").
pub async fn jasa_paid_by_member(db: &Db, coop_id: i64, from: &str, to: &str) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT member_id, CAST(SUM(credit) - SUM(debit) AS BIGINT) FROM coop_journal_lines \
             WHERE cooperative_id = $1 AND account = 'jasa_income' AND member_id IS NOT NULL \
             AND entry_date >= $2 AND entry_date <= $3 GROUP BY member_id")
            .bind(coop_id).bind(from).bind(to).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatementRow {
    pub entry_id: i64,
    pub entry_date: String,
    pub memo: String,
    pub operation: String,
    pub account: String,
    pub debit: i64,
    pub credit: i64,
}

/// A member's lines dated `from`..=`to`, oldest first (the member statement).
pub async fn member_lines(db: &Db, member_id: i64, from: &str, to: &str, limit: i64) -> Result<Vec<StatementRow>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT l.entry_id, l.entry_date, e.memo, e.operation, l.account, l.debit, l.credit FROM coop_journal_lines l \
             JOIN coop_journal_entries e ON e.id = l.entry_id \
             WHERE l.member_id = $1 AND l.entry_date >= $2 AND l.entry_date <= $3 ORDER BY l.entry_date, l.id LIMIT {}",
            limit.clamp(1, 100_000))))
            .bind(member_id).bind(from).bind(to).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CashRow {
    pub entry_id: i64,
    pub entry_date: String,
    pub memo: String,
    pub debit: i64,
    pub credit: i64,
}

/// The cash book: cash lines dated `from`..=`to`, oldest first, and the cash balance before `from`.
pub async fn cash_book(db: &Db, coop_id: i64, from: &str, to: &str) -> Result<(i64, Vec<CashRow>)> {
    let day_before = domain::person::parse_date(from)
        .and_then(|d| d.previous_day())
        .map(|d| d.to_string())
        .unwrap_or_else(|| "0000-00-00".into());
    let opening = account_nets(db, coop_id, Some(&day_before))
        .await?
        .into_iter()
        .find(|(a, _)| a == Account::Cash.as_str())
        .map_or(0, |(_, n)| n);
    let rows = on_db!(db, p => {
        sqlx::query_as(
            "SELECT l.entry_id, l.entry_date, e.memo, l.debit, l.credit FROM coop_journal_lines l \
             JOIN coop_journal_entries e ON e.id = l.entry_id \
             WHERE l.cooperative_id = $1 AND l.account = 'cash' AND l.entry_date >= $2 AND l.entry_date <= $3 \
             ORDER BY l.entry_date, l.id LIMIT 100000")
            .bind(coop_id).bind(from).bind(to).fetch_all(p).await
    })?;
    Ok((opening, rows))
}

/// The date through which the books are closed.
pub async fn closed_through(db: &Db, coop_id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = on_db!(db, p => {
        sqlx::query_as("SELECT through_date FROM coop_period_closes WHERE cooperative_id = $1 ORDER BY through_date DESC LIMIT 1")
            .bind(coop_id).fetch_optional(p).await
    })?;
    Ok(row.map(|r| r.0))
}

/// Closes the books through `through` (inside a posting transaction, after [`lock`] and the
/// domain's `check_period_close`) and stores the balances at that date.
pub async fn close_period(tx: &mut Tx, actor: &Actor, coop: &Cooperative, through: time::Date) -> Result<()> {
    let through_s = through.to_string();
    let prev: Option<(i64, String)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT id, through_date FROM coop_period_closes WHERE cooperative_id = $1 ORDER BY through_date DESC LIMIT 1")
            .bind(coop.id).fetch_optional(c).await
    })?;
    let (prev_id, after) = prev.unwrap_or((-1, String::new()));
    let (id,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as("INSERT INTO coop_period_closes (cooperative_id, through_date, closed_by, closed_at) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(coop.id).bind(&through_s).bind(actor.user_id).bind(crate::now()).fetch_one(c).await
    })?;
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO coop_period_balances (close_id, account, member_id, net) \
             SELECT $1, account, mid, CAST(SUM(net) AS BIGINT) FROM ( \
               SELECT account, member_id AS mid, net FROM coop_period_balances WHERE close_id = $2 \
               UNION ALL \
               SELECT account, 0 AS mid, debit - credit AS net FROM coop_journal_lines \
                 WHERE cooperative_id = $3 AND entry_date > $4 AND entry_date <= $5 \
               UNION ALL \
               SELECT account, member_id AS mid, debit - credit AS net FROM coop_journal_lines \
                 WHERE cooperative_id = $3 AND entry_date > $4 AND entry_date <= $5 AND member_id IS NOT NULL \
             ) t GROUP BY account, mid HAVING SUM(net) <> 0")
            .bind(id).bind(prev_id).bind(coop.id).bind(&after).bind(&through_s)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    audit_coop(tx, actor, coop, "cooperative.period_close", &coop.id.to_string(), &format!("through {through_s}")).await
}

/// Records a reversal in the audit log.
pub async fn audit_reversal(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    entry_id: i64,
    reversal_id: i64,
) -> Result<()> {
    let ev = Event {
        action: "cooperative.reversal",
        entity: "coop_journal_entry",
        entity_id: &entry_id.to_string(),
        region_code: &coop.village_code,
        details: &format!("reversed by entry {reversal_id}"),
    };
    audit::append(tx, actor, &ev).await.map(|_| ())
}

/// An operation's audit entry (no names or amounts of members: ids only).
pub async fn audit_operation(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    action: &str,
    entity: &str,
    id: i64,
    details: &str,
) -> Result<()> {
    let ev = Event { action, entity, entity_id: &id.to_string(), region_code: &coop.village_code, details };
    audit::append(tx, actor, &ev).await.map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Savings

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SavingsTx {
    pub id: i64,
    pub member_id: i64,
    pub kind: String,
    pub direction: String,
    pub amount: i64,
    pub value_date: String,
    pub entry_id: i64,
    pub created_at: i64,
}

pub async fn insert_savings_tx(
    tx: &mut Tx,
    actor: &Actor,
    coop_id: i64,
    member_id: i64,
    kind: &str,
    direction: &str,
    amount: i64,
    value_date: &str,
    entry_id: i64,
) -> Result<SavingsTx> {
    Ok(on_tx!(tx, c => {
        sqlx::query_as(
            "INSERT INTO coop_savings_transactions (cooperative_id, member_id, kind, direction, amount, value_date, entry_id, \
             created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) \
             RETURNING id, member_id, kind, direction, amount, value_date, entry_id, created_at")
            .bind(coop_id).bind(member_id).bind(kind).bind(direction).bind(amount).bind(value_date).bind(entry_id)
            .bind(actor.user_id).bind(crate::now()).fetch_one(c).await
    })?)
}

/// Savings transactions recorded by an entry (to record their reversal).
pub async fn savings_of_entry(db: &Db, entry_id: i64) -> Result<Vec<SavingsTx>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, member_id, kind, direction, amount, value_date, entry_id, created_at \
                        FROM coop_savings_transactions WHERE entry_id = $1 ORDER BY id")
            .bind(entry_id).fetch_all(p).await
    })?)
}

pub async fn savings_transactions(db: &Db, member_id: i64) -> Result<Vec<SavingsTx>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, member_id, kind, direction, amount, value_date, entry_id, created_at \
                        FROM coop_savings_transactions WHERE member_id = $1 ORDER BY value_date, id")
            .bind(member_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------------------------------------
// Loans

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Loan {
    pub id: i64,
    pub cooperative_id: i64,
    pub member_id: i64,
    pub principal: i64,
    pub months: i32,
    pub rate_ppm: i32,
    pub method: String,
    pub purpose: String,
    pub state: String,
    pub applied_on: String,
    pub applied_by: Option<i64>,
    pub decided_on: Option<String>,
    pub decided_by: Option<i64>,
    pub disbursed_on: Option<String>,
    pub closed_on: Option<String>,
    pub penalties_charged: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const LOAN_COLUMNS: &str = "id, cooperative_id, member_id, principal, months, rate_ppm, method, purpose, state, \
    applied_on, applied_by, decided_on, decided_by, disbursed_on, closed_on, penalties_charged, created_at, updated_at";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InstallmentRow {
    pub number: i32,
    pub due_date: String,
    pub principal: i64,
    pub interest: i64,
    pub total: i64,
    pub balance_after: i64,
}

pub struct NewLoan<'a> {
    pub cooperative_id: i64,
    pub member_id: i64,
    pub request: &'a domain::cooperative::ScheduleRequest,
    pub purpose: String,
    pub applied_on: time::Date,
}

async fn write_installments(tx: &mut Tx, loan_id: i64, s: &Schedule) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM coop_loan_installments WHERE loan_id = $1").bind(loan_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    for chunk in s.installments.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO coop_loan_installments (loan_id, number, due_date, principal, interest, total, balance_after) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 6;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("($1, ${}, ${}, ${}, ${}, ${}, ${})", b + 2, b + 3, b + 4, b + 5, b + 6, b + 7));
        }
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(loan_id);
            for i in chunk {
                q = q.bind(i32::from(i.number)).bind(i.due_date.to_string()).bind(i.principal.amount())
                    .bind(i.interest.amount()).bind(i.total.amount()).bind(i.balance_after.amount());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Stores an application with its schedule (as previewed).
pub async fn insert_loan(tx: &mut Tx, actor: &Actor, n: &NewLoan<'_>) -> Result<Loan> {
    let r = n.request;
    let now = crate::now();
    let loan: Loan = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO coop_loans (cooperative_id, member_id, principal, months, rate_ppm, method, purpose, state, applied_on, \
             applied_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'applied',$8,$9,$10,$10) RETURNING {LOAN_COLUMNS}")))
            .bind(n.cooperative_id).bind(n.member_id).bind(r.principal().amount()).bind(i32::from(r.months()))
            .bind(r.rate().ppm() as i32).bind(r.method().as_str()).bind(&n.purpose).bind(n.applied_on.to_string())
            .bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    write_installments(tx, loan.id, &r.schedule()).await?;
    add_loan_event(tx, actor, loan.id, "apply", n.applied_on, "", None).await?;
    Ok(loan)
}

/// Replaces the schedule (at disbursement, counted from the disbursement date).
pub async fn replace_installments(tx: &mut Tx, loan_id: i64, s: &Schedule) -> Result<()> {
    write_installments(tx, loan_id, s).await
}

pub async fn add_loan_event(
    tx: &mut Tx,
    actor: &Actor,
    loan_id: i64,
    action: &str,
    on: time::Date,
    note: &str,
    entry_id: Option<i64>,
) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO coop_loan_events (loan_id, action, on_date, note, entry_id, by_user, at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(loan_id).bind(action).bind(on.to_string()).bind(note).bind(entry_id).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LoanEvent {
    pub action: String,
    pub on_date: String,
    pub note: String,
    pub entry_id: Option<i64>,
    pub by_user: Option<i64>,
    pub by_name: Option<String>,
    pub at: i64,
}

pub async fn loan_events(db: &Db, loan_id: i64) -> Result<Vec<LoanEvent>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT e.action, e.on_date, e.note, e.entry_id, e.by_user, u.full_name AS by_name, e.at \
                        FROM coop_loan_events e LEFT JOIN users u ON u.id = e.by_user WHERE e.loan_id = $1 ORDER BY e.id")
            .bind(loan_id).fetch_all(p).await
    })?)
}

macro_rules! get_loan_sql {
    ($e:expr, $id:expr) => {
        sqlx::query_as::<_, Loan>(sqlx::AssertSqlSafe(format!("SELECT {LOAN_COLUMNS} FROM coop_loans WHERE id = $1")))
            .bind($id)
            .fetch_optional($e)
            .await
    };
}

pub async fn get_loan(db: &Db, id: i64) -> Result<Option<Loan>> {
    Ok(on_db!(db, p => get_loan_sql!(p, id))?)
}

pub async fn get_loan_tx(tx: &mut Tx, id: i64) -> Result<Option<Loan>> {
    Ok(on_tx!(tx, c => get_loan_sql!(c, id))?)
}

/// Loans of a cooperative (or of one member), newest first.
pub async fn list_loans(db: &Db, coop_id: i64, member_id: Option<i64>) -> Result<Vec<Loan>> {
    let member = member_id.unwrap_or(-1);
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LOAN_COLUMNS} FROM coop_loans WHERE cooperative_id = $1 AND ($2 < 0 OR member_id = $2) ORDER BY id DESC LIMIT 5000")))
            .bind(coop_id).bind(member).fetch_all(p).await
    })?)
}

macro_rules! installments_sql {
    ($e:expr, $loan:expr) => {
        sqlx::query_as::<_, InstallmentRow>(
            "SELECT number, due_date, principal, interest, total, balance_after FROM coop_loan_installments \
             WHERE loan_id = $1 ORDER BY number",
        )
        .bind($loan)
        .fetch_all($e)
        .await
    };
}

pub async fn installments(db: &Db, loan_id: i64) -> Result<Vec<InstallmentRow>> {
    Ok(on_db!(db, p => installments_sql!(p, loan_id))?)
}

pub async fn installments_tx(tx: &mut Tx, loan_id: i64) -> Result<Vec<InstallmentRow>> {
    Ok(on_tx!(tx, c => installments_sql!(c, loan_id))?)
}

/// Installments of every disbursed loan of the cooperatives in `coop_ids`: (loan id, row).
pub async fn installments_of_disbursed(db: &Db, coop_ids: &[i64]) -> Result<Vec<(i64, InstallmentRow)>> {
    if coop_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = coop_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let rows: Vec<(i64, i32, String, i64, i64, i64, i64)> = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT i.loan_id, i.number, i.due_date, i.principal, i.interest, i.total, i.balance_after FROM coop_loan_installments i \
             JOIN coop_loans l ON l.id = i.loan_id WHERE l.cooperative_id IN ({ids}) AND l.state = 'disbursed' \
             ORDER BY i.loan_id, i.number")))
            .fetch_all(p).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                InstallmentRow {
                    number: r.1,
                    due_date: r.2,
                    principal: r.3,
                    interest: r.4,
                    total: r.5,
                    balance_after: r.6,
                },
            )
        })
        .collect())
}

/// What was paid on a loan so far: (penalty, jasa, principal), from the repayment entries and
/// their reversals.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LoanPaid {
    pub penalty: i64,
    pub interest: i64,
    pub principal: i64,
}

macro_rules! loan_paid_sql {
    ($e:expr, $where:expr, $bind:expr, $as_of:expr) => {
        sqlx::query_as::<_, (i64, String, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT e.loan_id, l.account, CAST(SUM(l.credit) - SUM(l.debit) AS BIGINT) FROM coop_journal_entries e \
             JOIN coop_journal_lines l ON l.entry_id = e.id \
             WHERE {} AND e.entry_date <= $2 AND e.operation = 'loan_repayment' \
             AND l.account IN ('penalty_income', 'jasa_income', 'loans_receivable') GROUP BY e.loan_id, l.account",
            $where
        )))
        .bind($bind)
        .bind($as_of)
        .fetch_all($e)
        .await
    };
}

fn fold_paid(rows: Vec<(i64, String, i64)>) -> std::collections::HashMap<i64, LoanPaid> {
    let mut out: std::collections::HashMap<i64, LoanPaid> = Default::default();
    for (loan, account, n) in rows {
        let p = out.entry(loan).or_default();
        match account.as_str() {
            "penalty_income" => p.penalty += n,
            "jasa_income" => p.interest += n,
            _ => p.principal += n,
        }
    }
    out
}

/// Paid through `as_of` (everything when `None`).
pub async fn loan_paid(db: &Db, loan_id: i64, as_of: Option<&str>) -> Result<LoanPaid> {
    let as_of = as_of.unwrap_or("9999-12-31");
    let rows = on_db!(db, p => loan_paid_sql!(p, "e.loan_id = $1", loan_id, as_of))?;
    Ok(fold_paid(rows).remove(&loan_id).unwrap_or_default())
}

pub async fn loan_paid_tx(tx: &mut Tx, loan_id: i64) -> Result<LoanPaid> {
    let rows = on_tx!(tx, c => loan_paid_sql!(c, "e.loan_id = $1", loan_id, "9999-12-31"))?;
    Ok(fold_paid(rows).remove(&loan_id).unwrap_or_default())
}

/// Paid amounts of every loan of a cooperative.
pub async fn loans_paid(
    db: &Db,
    coop_id: i64,
    as_of: Option<&str>,
) -> Result<std::collections::HashMap<i64, LoanPaid>> {
    let as_of = as_of.unwrap_or("9999-12-31");
    let rows = on_db!(db, p => loan_paid_sql!(p, "e.cooperative_id = $1", coop_id, as_of))?;
    Ok(fold_paid(rows))
}

/// Moves a loan from `from` to `to`, setting the dates given. `Ok(false)` when it had moved
/// meanwhile.
pub async fn set_loan_state(
    tx: &mut Tx,
    loan_id: i64,
    from: &str,
    to: &str,
    decided: Option<(time::Date, Option<i64>)>,
    disbursed_on: Option<time::Date>,
    closed_on: Option<time::Date>,
) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query(
            "UPDATE coop_loans SET state = $1, decided_on = COALESCE($2, decided_on), decided_by = COALESCE($3, decided_by), \
             disbursed_on = COALESCE($4, disbursed_on), closed_on = COALESCE($5, closed_on), updated_at = $6 \
             WHERE id = $7 AND state = $8")
            .bind(to).bind(decided.map(|d| d.0.to_string())).bind(decided.and_then(|d| d.1))
            .bind(disbursed_on.map(|d| d.to_string())).bind(closed_on.map(|d| d.to_string())).bind(crate::now())
            .bind(loan_id).bind(from)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn add_penalty(tx: &mut Tx, loan_id: i64, amount: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("UPDATE coop_loans SET penalties_charged = penalties_charged + $1, updated_at = $2 WHERE id = $3")
            .bind(amount).bind(crate::now()).bind(loan_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Whether a member has a loan that is not final (applied, approved or disbursed).
pub async fn open_loans_tx(tx: &mut Tx, member_id: i64) -> Result<i64> {
    let (n,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as("SELECT COUNT(*) FROM coop_loans WHERE member_id = $1 AND state IN ('applied','approved','disbursed')")
            .bind(member_id).fetch_one(c).await
    })?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// RAT and SHU

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Rat {
    pub id: i64,
    pub cooperative_id: i64,
    pub year: i32,
    pub held_on: String,
    pub members_present: i32,
    pub members_total: i32,
    pub decisions: String,
    pub shu_amount: i64,
    pub shu_reserve_bp: i32,
    pub shu_members_by_savings_bp: i32,
    pub shu_members_by_transactions_bp: i32,
    pub shu_board_bp: i32,
    pub shu_staff_bp: i32,
    pub shu_education_bp: i32,
    pub shu_social_bp: i32,
    pub shu_area_development_bp: i32,
    pub entry_id: Option<i64>,
    pub created_at: i64,
}

impl Rat {
    pub fn split(&self) -> ShuSplit {
        split_from_bps([
            self.shu_reserve_bp,
            self.shu_members_by_savings_bp,
            self.shu_members_by_transactions_bp,
            self.shu_board_bp,
            self.shu_staff_bp,
            self.shu_education_bp,
            self.shu_social_bp,
            self.shu_area_development_bp,
        ])
    }
}

const RAT_COLUMNS: &str = "id, cooperative_id, year, held_on, members_present, members_total, decisions, shu_amount, \
    shu_reserve_bp, shu_members_by_savings_bp, shu_members_by_transactions_bp, shu_board_bp, shu_staff_bp, \
    shu_education_bp, shu_social_bp, shu_area_development_bp, entry_id, created_at";

pub struct NewRat<'a> {
    pub cooperative_id: i64,
    pub year: i32,
    pub held_on: time::Date,
    pub members_present: i32,
    pub members_total: i32,
    pub decisions: &'a str,
    pub shu_amount: i64,
    pub split: &'a ShuSplit,
    pub entry_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ShuShare {
    pub member_id: i64,
    pub member_number: String,
    pub full_name: String,
    pub savings_basis: i64,
    pub transactions_basis: i64,
    pub by_savings: i64,
    pub by_transactions: i64,
    pub total: i64,
}

pub async fn insert_rat(
    tx: &mut Tx,
    actor: &Actor,
    coop: &Cooperative,
    n: &NewRat<'_>,
    shares: &[ShuShare],
) -> Result<Rat> {
    let bp = split_bps(n.split);
    let rat: Rat = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO coop_rat (cooperative_id, year, held_on, members_present, members_total, decisions, shu_amount, \
             shu_reserve_bp, shu_members_by_savings_bp, shu_members_by_transactions_bp, shu_board_bp, shu_staff_bp, \
             shu_education_bp, shu_social_bp, shu_area_development_bp, entry_id, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING {RAT_COLUMNS}")))
            .bind(n.cooperative_id).bind(n.year).bind(n.held_on.to_string()).bind(n.members_present).bind(n.members_total)
            .bind(n.decisions).bind(n.shu_amount)
            .bind(bp[0]).bind(bp[1]).bind(bp[2]).bind(bp[3]).bind(bp[4]).bind(bp[5]).bind(bp[6]).bind(bp[7])
            .bind(n.entry_id).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    for s in shares {
        on_tx!(tx, c => {
            sqlx::query("INSERT INTO coop_shu_shares (rat_id, member_id, savings_basis, transactions_basis, by_savings, \
                         by_transactions, total) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                .bind(rat.id).bind(s.member_id).bind(s.savings_basis).bind(s.transactions_basis).bind(s.by_savings)
                .bind(s.by_transactions).bind(s.total).execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let details = format!("year {} SHU {}", n.year, n.shu_amount);
    audit_coop(tx, actor, coop, "cooperative.rat", &rat.id.to_string(), &details).await?;
    Ok(rat)
}

pub async fn list_rats(db: &Db, coop_id: i64) -> Result<Vec<Rat>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {RAT_COLUMNS} FROM coop_rat WHERE cooperative_id = $1 ORDER BY year DESC")))
            .bind(coop_id).fetch_all(p).await
    })?)
}

pub async fn get_rat(db: &Db, coop_id: i64, year: i32) -> Result<Option<Rat>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {RAT_COLUMNS} FROM coop_rat WHERE cooperative_id = $1 AND year = $2")))
            .bind(coop_id).bind(year).fetch_optional(p).await
    })?)
}

pub async fn shu_shares(db: &Db, rat_id: i64) -> Result<Vec<ShuShare>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT s.member_id, m.member_number, m.full_name, s.savings_basis, s.transactions_basis, s.by_savings, \
                        s.by_transactions, s.total FROM coop_shu_shares s JOIN coop_members m ON m.id = s.member_id \
                        WHERE s.rat_id = $1 ORDER BY m.member_number, m.id")
            .bind(rat_id).fetch_all(p).await
    })?)
}

/// A member's SHU shares, newest year first: (year, share).
pub async fn member_shu(db: &Db, member_id: i64) -> Result<Vec<(i32, i64, i64, i64)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT r.year, s.by_savings, s.by_transactions, s.total FROM coop_shu_shares s \
                        JOIN coop_rat r ON r.id = s.rat_id WHERE s.member_id = $1 ORDER BY r.year DESC")
            .bind(member_id).fetch_all(p).await
    })?)
}

// ---------------------------------------------------------------------------------------------
// Figures for monitoring (counts and totals per cooperative or region)

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Figures {
    pub cooperatives: i64,
    /// Members who have not left.
    pub members: i64,
    /// Simpanan pokok + wajib + sukarela.
    pub savings: i64,
    /// Principal outstanding (loans receivable).
    pub loans_outstanding: i64,
}

/// Members, savings and loans outstanding of the cooperatives in `coop_ids`.
pub async fn figures(db: &Db, coop_ids: &[i64]) -> Result<Figures> {
    if coop_ids.is_empty() {
        return Ok(Figures::default());
    }
    let ids = coop_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let (members,): (i64,) = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM coop_members WHERE cooperative_id IN ({ids}) AND left_on IS NULL")))
            .fetch_one(p).await
    })?;
    let mut f = Figures { cooperatives: coop_ids.len() as i64, members, ..Default::default() };
    for id in coop_ids {
        for (account, net) in account_nets(db, *id, None).await? {
            match account.as_str() {
                "simpanan_pokok" | "simpanan_wajib" | "simpanan_sukarela" => f.savings -= net,
                "loans_receivable" => f.loans_outstanding += net,
                _ => {}
            }
        }
    }
    Ok(f)
}

/// Figures of every cooperative in or under a region (all when `None`).
pub async fn figures_within(db: &Db, within: Option<&RegionCode>) -> Result<Figures> {
    let ids: Vec<i64> = list_cooperatives(db, within).await?.into_iter().map(|c| c.id).collect();
    figures(db, &ids).await
}
