-- Issue 20, deposits track: savings products and the month-end run (docs/COOPERATIVE.md
-- "Deposits"). Money is whole rupiah; rates basis points; dates YYYY-MM-DD text.

-- The deposits settings of a year (from the by-laws): a posting uses its year's, else the latest
-- earlier year's, else the documented defaults.
CREATE TABLE coop_deposit_settings (
    cooperative_id      BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    year                INTEGER NOT NULL,
    max_deposit_rate_bp INTEGER NOT NULL,
    early_penalty_bp    INTEGER NOT NULL,
    sukarela_rate_bp    INTEGER NOT NULL,
    -- minimum or average.
    basis               TEXT NOT NULL,
    min_balance         BIGINT NOT NULL,
    withholding_tax     INTEGER NOT NULL,
    tax_note            TEXT NOT NULL DEFAULT '',
    updated_by          BIGINT REFERENCES users(id),
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, year)
);

-- Time deposits (simpanan berjangka).
CREATE TABLE coop_time_deposits (
    id              INTEGER PRIMARY KEY,
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    member_id       BIGINT NOT NULL REFERENCES coop_members(id),
    principal       BIGINT NOT NULL CHECK (principal > 0),
    months          INTEGER NOT NULL CHECK (months >= 1),
    annual_rate_bp  INTEGER NOT NULL,
    start_date      TEXT NOT NULL,
    maturity_date   TEXT NOT NULL,
    -- domain::cooperative::deposits::AtMaturity code.
    at_maturity     TEXT NOT NULL,
    -- cash or sukarela.
    funding         TEXT NOT NULL,
    -- open, matured, rolled_over, withdrawn.
    state           TEXT NOT NULL,
    opening_entry_id BIGINT NOT NULL REFERENCES coop_journal_entries(id),
    closing_entry_id BIGINT REFERENCES coop_journal_entries(id),
    closed_on       TEXT,
    interest        BIGINT NOT NULL DEFAULT 0,
    tax             BIGINT NOT NULL DEFAULT 0,
    penalty         BIGINT NOT NULL DEFAULT 0,
    -- The deposit this one rolled over from.
    rolled_from_id  BIGINT REFERENCES coop_time_deposits(id),
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX coop_time_deposits_coop ON coop_time_deposits(cooperative_id, state, maturity_date);
CREATE INDEX coop_time_deposits_member ON coop_time_deposits(member_id, id);

-- Interest on sukarela per member and month: the unique key makes a repeated run post nothing.
CREATE TABLE coop_savings_interest (
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    month           TEXT NOT NULL,
    member_id       BIGINT NOT NULL REFERENCES coop_members(id),
    basis           BIGINT NOT NULL,
    interest        BIGINT NOT NULL,
    tax             BIGINT NOT NULL,
    entry_id        BIGINT NOT NULL REFERENCES coop_journal_entries(id),
    PRIMARY KEY (cooperative_id, month, member_id)
);

-- Finished month-end steps: (cooperative, month, step) once; the runner skips a finished step.
CREATE TABLE coop_month_end_steps (
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    month           TEXT NOT NULL,
    step            TEXT NOT NULL,
    entries         INTEGER NOT NULL,
    finished_by     BIGINT REFERENCES users(id),
    finished_at     BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, month, step)
);
