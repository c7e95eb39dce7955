-- Issue 20, cash and bank (docs/COOPERATIVE.md "Cash and bank"): a cooperative's bank accounts as
-- the subsidiary ledger of account 1102, imported bank statements, matches between statement
-- lines and journal lines, and finalised reconciliations.
CREATE TABLE coop_bank_accounts (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    bank_name       TEXT NOT NULL,
    branch          TEXT NOT NULL DEFAULT '',
    -- Digits only (domain::cooperative::bank::BankAccountNumber).
    account_number  TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    opened_on       TEXT NOT NULL,
    closed_on       TEXT,
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    UNIQUE (cooperative_id, account_number)
);

-- Every line on account 'bank' names its bank account (checked by the domain's JournalEntry).
ALTER TABLE coop_journal_lines ADD COLUMN bank_account_id BIGINT REFERENCES coop_bank_accounts(id);
CREATE INDEX coop_lines_bank ON coop_journal_lines(bank_account_id, entry_date, id);

CREATE TABLE coop_bank_imports (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    bank_account_id BIGINT NOT NULL REFERENCES coop_bank_accounts(id),
    file_name       TEXT NOT NULL,
    lines_read      BIGINT NOT NULL,
    lines_new       BIGINT NOT NULL,
    lines_refused   BIGINT NOT NULL,
    imported_by     BIGINT REFERENCES users(id),
    imported_at     BIGINT NOT NULL
);

CREATE TABLE coop_bank_statement_lines (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    bank_account_id BIGINT NOT NULL REFERENCES coop_bank_accounts(id),
    import_id       BIGINT NOT NULL REFERENCES coop_bank_imports(id),
    line_date       TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- in or out (domain::cooperative::bank::Flow).
    flow            TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    balance         BIGINT,
    -- The same statement imported twice adds nothing: one line per fingerprint per account.
    fingerprint     TEXT NOT NULL,
    UNIQUE (bank_account_id, fingerprint)
);
CREATE INDEX coop_statement_lines_date ON coop_bank_statement_lines(bank_account_id, line_date, id);

-- One statement line with one journal line (on 'bank', of the same bank account).
CREATE TABLE coop_bank_matches (
    id                INTEGER PRIMARY KEY,
    bank_account_id   BIGINT NOT NULL REFERENCES coop_bank_accounts(id),
    statement_line_id BIGINT NOT NULL UNIQUE REFERENCES coop_bank_statement_lines(id),
    journal_line_id   BIGINT NOT NULL UNIQUE REFERENCES coop_journal_lines(id),
    -- Set when a reconciliation is finalised: the match can no longer be undone.
    reconciliation_id BIGINT,
    matched_by        BIGINT REFERENCES users(id),
    matched_at        BIGINT NOT NULL
);

CREATE TABLE coop_bank_reconciliations (
    id                INTEGER PRIMARY KEY,
    cooperative_id    BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    bank_account_id   BIGINT NOT NULL REFERENCES coop_bank_accounts(id),
    statement_date    TEXT NOT NULL,
    statement_balance BIGINT NOT NULL,
    book_balance      BIGINT NOT NULL,
    uncredited        BIGINT NOT NULL,
    unpresented       BIGINT NOT NULL,
    unbooked_in       BIGINT NOT NULL,
    unbooked_out      BIGINT NOT NULL,
    finalised_by      BIGINT REFERENCES users(id),
    finalised_at      BIGINT NOT NULL,
    UNIQUE (bank_account_id, statement_date)
);
CREATE TRIGGER coop_bank_reconciliations_no_update BEFORE UPDATE ON coop_bank_reconciliations
BEGIN SELECT RAISE(ABORT, 'coop_bank_reconciliations is append-only'); END;
CREATE TRIGGER coop_bank_reconciliations_no_delete BEFORE DELETE ON coop_bank_reconciliations
BEGIN SELECT RAISE(ABORT, 'coop_bank_reconciliations is append-only'); END;
CREATE TRIGGER coop_bank_matches_locked BEFORE DELETE ON coop_bank_matches
WHEN OLD.reconciliation_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a match of a finalised reconciliation is locked'); END;
