-- Pillar 4 (issue 5): village cooperatives — by-laws per year, members, savings, loans with
-- their schedules, an append-only double-entry journal, period closes, RAT meetings and SHU.
-- Money is whole rupiah (BIGINT); dates are YYYY-MM-DD text; times Unix seconds.
CREATE TABLE coop_cooperatives (
    id            INTEGER PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES regions(code),
    -- koperasi or bumdes_unit.
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- Nomor badan hukum (legal entity number); empty while being registered.
    legal_number  TEXT NOT NULL DEFAULT '',
    founded_on    TEXT NOT NULL,
    -- OJK collectibility thresholds: the highest days past due of classes 1 to 4.
    collect_days  TEXT NOT NULL DEFAULT '0,90,120,180',
    -- Bumped by every posting: the row lock serialises postings of one cooperative.
    postings      BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX coop_cooperatives_village ON coop_cooperatives(village_code);

CREATE TABLE coop_bylaws (
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    year            INTEGER NOT NULL,
    pokok           BIGINT NOT NULL,
    wajib_monthly   BIGINT NOT NULL,
    max_principal   BIGINT NOT NULL,
    max_months      INTEGER NOT NULL,
    min_rate_ppm    INTEGER NOT NULL,
    max_rate_ppm    INTEGER NOT NULL,
    -- SHU percentages in basis points (sum 10000), one column per domain::cooperative::ShuFund.
    shu_reserve_bp                 INTEGER NOT NULL,
    shu_members_by_savings_bp      INTEGER NOT NULL,
    shu_members_by_transactions_bp INTEGER NOT NULL,
    shu_board_bp                   INTEGER NOT NULL,
    shu_staff_bp                   INTEGER NOT NULL,
    shu_education_bp               INTEGER NOT NULL,
    shu_social_bp                  INTEGER NOT NULL,
    shu_area_development_bp        INTEGER NOT NULL,
    updated_by      BIGINT REFERENCES users(id),
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, year)
);

CREATE TABLE coop_members (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    member_number   TEXT NOT NULL,
    full_name       TEXT NOT NULL,
    -- NULL when not given; copied from the person record when linked.
    nik             TEXT,
    person_id       BIGINT REFERENCES persons(id),
    joined_on       TEXT NOT NULL,
    left_on         TEXT,
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    UNIQUE (cooperative_id, member_number)
);
CREATE INDEX coop_members_coop ON coop_members(cooperative_id, id);
CREATE UNIQUE INDEX coop_members_active_nik ON coop_members(cooperative_id, nik) WHERE nik IS NOT NULL AND left_on IS NULL;

-- The journal: one row per balanced entry, never changed (triggers below).
CREATE TABLE coop_journal_entries (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    entry_date      TEXT NOT NULL,
    memo            TEXT NOT NULL,
    -- domain::cooperative::OperationKind code; a reversal keeps the code of what it reverses.
    operation       TEXT NOT NULL,
    total           BIGINT NOT NULL,
    member_id       BIGINT REFERENCES coop_members(id),
    loan_id         BIGINT,
    -- Set on a reversal: the entry it cancels (at most one reversal per entry).
    reverses_id     BIGINT REFERENCES coop_journal_entries(id),
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX coop_entries_coop ON coop_journal_entries(cooperative_id, id);
CREATE INDEX coop_entries_loan ON coop_journal_entries(loan_id);
CREATE UNIQUE INDEX coop_entries_reverses ON coop_journal_entries(reverses_id);

CREATE TABLE coop_journal_lines (
    id              INTEGER PRIMARY KEY,
    entry_id        BIGINT NOT NULL REFERENCES coop_journal_entries(id),
    cooperative_id  BIGINT NOT NULL,
    -- Copied from the entry so that balances as of a date read one index.
    entry_date      TEXT NOT NULL,
    -- domain::cooperative::Account code.
    account         TEXT NOT NULL,
    debit           BIGINT NOT NULL,
    credit          BIGINT NOT NULL,
    member_id       BIGINT REFERENCES coop_members(id),
    CHECK (debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0)
);
-- Covering index: the trial balance as of a date is an index-only scan.
CREATE INDEX coop_lines_balance ON coop_journal_lines(cooperative_id, account, entry_date, debit, credit);
CREATE INDEX coop_lines_member ON coop_journal_lines(member_id, entry_date, id);
CREATE INDEX coop_lines_entry ON coop_journal_lines(entry_id);

-- Balances per account (and member) at each period close, so reports as of a later date read
-- only the lines after the close.
CREATE TABLE coop_period_closes (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    through_date    TEXT NOT NULL,
    closed_by       BIGINT REFERENCES users(id),
    closed_at       BIGINT NOT NULL,
    UNIQUE (cooperative_id, through_date)
);
-- The balances at a close (member_id 0: the account total), written once with the close.
CREATE TABLE coop_period_balances (
    close_id        BIGINT NOT NULL REFERENCES coop_period_closes(id),
    account         TEXT NOT NULL,
    member_id       BIGINT NOT NULL,
    net             BIGINT NOT NULL,
    PRIMARY KEY (close_id, account, member_id)
);

CREATE TABLE coop_savings_transactions (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    member_id       BIGINT NOT NULL REFERENCES coop_members(id),
    -- pokok, wajib, sukarela.
    kind            TEXT NOT NULL,
    -- deposit or withdrawal (a reversal is recorded as the opposite direction).
    direction       TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    value_date      TEXT NOT NULL,
    entry_id        BIGINT NOT NULL REFERENCES coop_journal_entries(id),
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX coop_savings_member ON coop_savings_transactions(member_id, id);

CREATE TABLE coop_loans (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    member_id       BIGINT NOT NULL REFERENCES coop_members(id),
    principal       BIGINT NOT NULL CHECK (principal > 0),
    months          INTEGER NOT NULL,
    rate_ppm        INTEGER NOT NULL,
    -- flat or annuity.
    method          TEXT NOT NULL,
    purpose         TEXT NOT NULL DEFAULT '',
    -- domain::cooperative::LoanState code.
    state           TEXT NOT NULL,
    applied_on      TEXT NOT NULL,
    applied_by      BIGINT REFERENCES users(id),
    decided_on      TEXT,
    decided_by      BIGINT REFERENCES users(id),
    disbursed_on    TEXT,
    closed_on       TEXT,
    -- Denda charged so far (paid amounts are read from the journal).
    penalties_charged BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX coop_loans_coop ON coop_loans(cooperative_id, state);
CREATE INDEX coop_loans_member ON coop_loans(member_id);

-- The schedule: as previewed at application, recomputed from the disbursement date.
CREATE TABLE coop_loan_installments (
    loan_id         BIGINT NOT NULL REFERENCES coop_loans(id),
    number          INTEGER NOT NULL,
    due_date        TEXT NOT NULL,
    principal       BIGINT NOT NULL,
    interest        BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    balance_after   BIGINT NOT NULL,
    PRIMARY KEY (loan_id, number)
);

-- Every step of a loan, by whom: application, approval (four-eyes), disbursement…
CREATE TABLE coop_loan_events (
    id              INTEGER PRIMARY KEY,
    loan_id         BIGINT NOT NULL REFERENCES coop_loans(id),
    action          TEXT NOT NULL,
    on_date         TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    entry_id        BIGINT REFERENCES coop_journal_entries(id),
    by_user         BIGINT REFERENCES users(id),
    at              BIGINT NOT NULL
);
CREATE INDEX coop_loan_events_loan ON coop_loan_events(loan_id, id);

-- The annual members' meeting (RAT) and the SHU it approved.
CREATE TABLE coop_rat (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    year            INTEGER NOT NULL,
    held_on         TEXT NOT NULL,
    members_present INTEGER NOT NULL,
    members_total   INTEGER NOT NULL,
    decisions       TEXT NOT NULL,
    shu_amount      BIGINT NOT NULL,
    shu_reserve_bp                 INTEGER NOT NULL,
    shu_members_by_savings_bp      INTEGER NOT NULL,
    shu_members_by_transactions_bp INTEGER NOT NULL,
    shu_board_bp                   INTEGER NOT NULL,
    shu_staff_bp                   INTEGER NOT NULL,
    shu_education_bp               INTEGER NOT NULL,
    shu_social_bp                  INTEGER NOT NULL,
    shu_area_development_bp        INTEGER NOT NULL,
    entry_id        BIGINT REFERENCES coop_journal_entries(id),
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    UNIQUE (cooperative_id, year)
);

CREATE TABLE coop_shu_shares (
    rat_id              BIGINT NOT NULL REFERENCES coop_rat(id),
    member_id           BIGINT NOT NULL REFERENCES coop_members(id),
    savings_basis       BIGINT NOT NULL,
    transactions_basis  BIGINT NOT NULL,
    by_savings          BIGINT NOT NULL,
    by_transactions     BIGINT NOT NULL,
    total               BIGINT NOT NULL,
    PRIMARY KEY (rat_id, member_id)
);

-- Journal entries and lines are append-only: corrections are reversal entries.
CREATE TRIGGER coop_journal_entries_no_update BEFORE UPDATE ON coop_journal_entries
BEGIN SELECT RAISE(ABORT, 'coop_journal_entries is append-only'); END;
CREATE TRIGGER coop_journal_entries_no_delete BEFORE DELETE ON coop_journal_entries
BEGIN SELECT RAISE(ABORT, 'coop_journal_entries is append-only'); END;
CREATE TRIGGER coop_journal_lines_no_update BEFORE UPDATE ON coop_journal_lines
BEGIN SELECT RAISE(ABORT, 'coop_journal_lines is append-only'); END;
CREATE TRIGGER coop_journal_lines_no_delete BEFORE DELETE ON coop_journal_lines
BEGIN SELECT RAISE(ABORT, 'coop_journal_lines is append-only'); END;
