//! Pillar 4, the village cooperative: cooperatives, active members (`coop_members`, the seeded
//! pillar-4 criterion), members' savings (simpanan pokok + wajib + sukarela) and loan principal
//! outstanding in whole rupiah (from the journal, as `store::cooperative::figures`), loans
//! disbursed (month of disbursement), RAT meetings held (month of the meeting; summed over a
//! year: the RATs of that year), and portfolio quality: the outstanding principal of loans more
//! than 30 days past due (`coop_loans_at_risk`) and of non-performing loans (collectibility
//! 3–5 by the cooperative's own thresholds, `coop_loans_nonperforming`), with PAR30 and NPL as
//! whole-percent shares of the outstanding principal.
//!
//! Days past due follow `domain::cooperative::days_past_due`: from the oldest installment due
//! before today whose cumulative principal or jasa exceeds what was repaid. They move with the
//! calendar, so the refresher re-marks every village with a disbursed loan when the day changes
//! (`refresh::roll_over`). Money is not published in open statistics; counts are.

use super::{Derived, Formula, Indicator, Kind, Level, Pillar, Sql};

const fn ind(key: &'static str, kind: Kind, open: bool, sql: Sql) -> Indicator {
    Indicator { key, pillar: Pillar::Cooperative, kind, level: Level::Village, open, count: true, sql }
}

/// Disbursed loans with their principal outstanding and the due date of the oldest installment
/// not covered by repayments (NULL when none is overdue), per cooperative.
macro_rules! overdue_loans {
    () => {
        "(SELECT ln.id, ln.cooperative_id, \
            ln.principal - COALESCE((SELECT SUM(l.credit) - SUM(l.debit) FROM coop_journal_entries e \
              JOIN coop_journal_lines l ON l.entry_id = e.id WHERE e.loan_id = ln.id \
              AND e.operation = 'loan_repayment' AND l.account = 'loans_receivable'), 0) AS outstanding, \
            (SELECT MIN(s.due_date) FROM (SELECT i.due_date, \
                SUM(i.principal) OVER (ORDER BY i.number) AS cum_p, \
                SUM(i.interest) OVER (ORDER BY i.number) AS cum_i \
              FROM coop_loan_installments i WHERE i.loan_id = ln.id) s \
              WHERE s.due_date < {today} AND (s.cum_p > COALESCE((SELECT SUM(l.credit) - SUM(l.debit) \
                FROM coop_journal_entries e JOIN coop_journal_lines l ON l.entry_id = e.id WHERE e.loan_id = ln.id \
                AND e.operation = 'loan_repayment' AND l.account = 'loans_receivable'), 0) \
              OR s.cum_i > COALESCE((SELECT SUM(l.credit) - SUM(l.debit) \
                FROM coop_journal_entries e JOIN coop_journal_lines l ON l.entry_id = e.id WHERE e.loan_id = ln.id \
                AND e.operation = 'loan_repayment' AND l.account = 'jasa_income'), 0))) AS oldest_due \
          FROM coop_loans ln WHERE ln.state = 'disbursed')"
    };
}

/// Cooperatives whose latest recorded health assessment has the predicate `$p`, per village.
macro_rules! health_sql {
    ($p:literal) => {
        concat!(
            "SELECT c.village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM coop_health_results h \
             JOIN coop_cooperatives c ON c.id = h.cooperative_id \
             WHERE h.predicate = '",
            $p,
            "' AND h.year = (SELECT MAX(h2.year) FROM coop_health_results h2 \
             WHERE h2.cooperative_id = h.cooperative_id) AND c.village_code IN {villages} GROUP BY 1"
        )
    };
}

pub const INDICATORS: &[Indicator] = &[
    ind(
        "cooperatives",
        Kind::Stock,
        true,
        Sql::Same(
            "SELECT village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM coop_cooperatives \
             WHERE village_code IN {villages} GROUP BY 1",
        ),
    ),
    // Members who have not left (the seeded pillar-4 criterion).
    ind(
        "coop_members",
        Kind::Stock,
        true,
        Sql::Same(
            "SELECT c.village_code, '', '', CAST(COUNT(*) AS BIGINT) FROM coop_members m \
             JOIN coop_cooperatives c ON c.id = m.cooperative_id \
             WHERE m.left_on IS NULL AND c.village_code IN {villages} GROUP BY 1",
        ),
    ),
    // Whole rupiah: simpanan pokok + wajib + sukarela (credit balances).
    ind(
        "coop_savings_balance",
        Kind::Stock,
        false,
        Sql::Same(
            "SELECT c.village_code, '', '', CAST(SUM(l.credit) - SUM(l.debit) AS BIGINT) FROM coop_journal_lines l \
             JOIN coop_cooperatives c ON c.id = l.cooperative_id \
             WHERE l.account IN ('simpanan_pokok', 'simpanan_wajib', 'simpanan_sukarela') \
             AND c.village_code IN {villages} GROUP BY 1",
        ),
    ),
    // Whole rupiah: loans receivable (principal outstanding, after write-offs).
    ind(
        "coop_loans_outstanding",
        Kind::Stock,
        false,
        Sql::Same(
            "SELECT c.village_code, '', '', CAST(SUM(l.debit) - SUM(l.credit) AS BIGINT) FROM coop_journal_lines l \
             JOIN coop_cooperatives c ON c.id = l.cooperative_id \
             WHERE l.account = 'loans_receivable' AND c.village_code IN {villages} GROUP BY 1",
        ),
    ),
    // By the month of disbursement.
    ind(
        "coop_loans_disbursed",
        Kind::Flow,
        true,
        Sql::Same(
            "SELECT c.village_code, substr(ln.disbursed_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM coop_loans ln \
             JOIN coop_cooperatives c ON c.id = ln.cooperative_id \
             WHERE ln.disbursed_on IS NOT NULL AND c.village_code IN {villages} GROUP BY 1, 2",
        ),
    ),
    // By the month the RAT was held: a year's total is the RATs held that year.
    ind(
        "coop_rat_held",
        Kind::Flow,
        true,
        Sql::Same(
            "SELECT c.village_code, substr(r.held_on, 1, 7), '', CAST(COUNT(*) AS BIGINT) FROM coop_rat r \
             JOIN coop_cooperatives c ON c.id = r.cooperative_id WHERE c.village_code IN {villages} GROUP BY 1, 2",
        ),
    ),
    // Whole rupiah: principal outstanding of disbursed loans more than 30 days past due.
    ind(
        "coop_loans_at_risk",
        Kind::Stock,
        false,
        Sql::Same(concat!(
            "SELECT c.village_code, '', '', CAST(SUM(o.outstanding) AS BIGINT) FROM ",
            overdue_loans!(),
            " o JOIN coop_cooperatives c ON c.id = o.cooperative_id \
             WHERE o.oldest_due < {days_ago:30} AND c.village_code IN {villages} GROUP BY 1"
        )),
    ),
    // Whole rupiah: principal outstanding of loans in collectibility 3–5, i.e. more days past due
    // than the cooperative's class-2 threshold (the second of `collect_days`, 90 by default).
    ind(
        "coop_loans_nonperforming",
        Kind::Stock,
        false,
        Sql::Dialect {
            sqlite: concat!(
                "SELECT c.village_code, '', '', CAST(SUM(o.outstanding) AS BIGINT) FROM ",
                overdue_loans!(),
                " o JOIN coop_cooperatives c ON c.id = o.cooperative_id \
                 WHERE o.oldest_due < date({today}, '-' || CAST(substr(c.collect_days, instr(c.collect_days, ',') + 1, \
                   instr(substr(c.collect_days, instr(c.collect_days, ',') + 1), ',') - 1) AS INTEGER) || ' days') \
                 AND c.village_code IN {villages} GROUP BY 1"
            ),
            postgres: concat!(
                "SELECT c.village_code, '', '', CAST(SUM(o.outstanding) AS BIGINT) FROM ",
                overdue_loans!(),
                " o JOIN coop_cooperatives c ON c.id = o.cooperative_id \
                 WHERE o.oldest_due < to_char(CAST({today} AS DATE) - CAST(split_part(c.collect_days, ',', 2) AS INTEGER), 'YYYY-MM-DD') \
                 AND c.village_code IN {villages} GROUP BY 1"
            ),
        },
    ),
    // Health assessment (issue 20): cooperatives whose latest recorded assessment has this
    // predicate (app::coop_health::record); one indicator per predicate.
    ind("coop_health_sehat", Kind::Stock, true, Sql::Same(health_sql!("sehat"))),
    ind("coop_health_cukup_sehat", Kind::Stock, true, Sql::Same(health_sql!("cukup_sehat"))),
    ind("coop_health_dalam_pengawasan", Kind::Stock, true, Sql::Same(health_sql!("dalam_pengawasan"))),
    ind("coop_health_dalam_pengawasan_khusus", Kind::Stock, true, Sql::Same(health_sql!("dalam_pengawasan_khusus"))),
];

/// PAR30 and the non-performing ratio, whole percent of the principal outstanding (the
/// cooperative pages show basis points from the same rules).
pub const DERIVED: &[Derived] = &[
    Derived {
        key: "coop_portfolio_at_risk",
        pillar: Pillar::Cooperative,
        formula: Formula::Share { num: "coop_loans_at_risk", num_dim: "", den: "coop_loans_outstanding" },
    },
    Derived {
        key: "coop_npl_ratio",
        pillar: Pillar::Cooperative,
        formula: Formula::Share { num: "coop_loans_nonperforming", num_dim: "", den: "coop_loans_outstanding" },
    },
];
