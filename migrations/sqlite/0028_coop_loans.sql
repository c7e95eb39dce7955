-- Issue 20, loans: loan settings per cooperative and year, fees taken at disbursement,
-- penalties charged at month ends, rescheduling with the replaced schedules, collateral,
-- guarantors, and the month-end steps already run (idempotence).

CREATE TABLE coop_loan_settings (
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    year            INTEGER NOT NULL,
    admin_fee_bp    INTEGER NOT NULL,
    admin_fee_fixed BIGINT NOT NULL,
    provision_fee_bp INTEGER NOT NULL,
    penalty_bp      INTEGER NOT NULL,
    penalty_grace_days INTEGER NOT NULL,
    -- Loan limit as a multiple of savings in hundredths; 0: none.
    limit_x100      INTEGER NOT NULL,
    ppap1_bp INTEGER NOT NULL, ppap2_bp INTEGER NOT NULL, ppap3_bp INTEGER NOT NULL,
    ppap4_bp INTEGER NOT NULL, ppap5_bp INTEGER NOT NULL,
    updated_by      BIGINT REFERENCES users(id),
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, year)
);

-- The fees of a disbursed loan (their journal lines are in the disbursement entry).
CREATE TABLE coop_loan_fees (
    loan_id         BIGINT PRIMARY KEY REFERENCES coop_loans(id),
    admin_fee       BIGINT NOT NULL,
    provision_fee   BIGINT NOT NULL
);

-- One row per cooperative, month end and step: a repeated run finds its row and posts nothing.
CREATE TABLE coop_month_steps (
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    month_end       TEXT NOT NULL,
    step            TEXT NOT NULL,
    entries         INTEGER NOT NULL,
    done_by         BIGINT REFERENCES users(id),
    done_at         BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, month_end, step)
);

-- Penalties charged by the month-end step (added to coop_loans.penalties_charged as well).
CREATE TABLE coop_loan_penalty_charges (
    loan_id         BIGINT NOT NULL REFERENCES coop_loans(id),
    month_end       TEXT NOT NULL,
    installment     INTEGER NOT NULL,
    unpaid          BIGINT NOT NULL,
    days            INTEGER NOT NULL,
    amount          BIGINT NOT NULL,
    PRIMARY KEY (loan_id, month_end, installment)
);

CREATE TABLE coop_loan_reschedules (
    id              INTEGER PRIMARY KEY,
    loan_id         BIGINT NOT NULL REFERENCES coop_loans(id),
    -- domain::cooperative::loans::RescheduleState code.
    state           TEXT NOT NULL,
    months          INTEGER NOT NULL,
    rate_ppm        INTEGER NOT NULL,
    method          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    proposed_on     TEXT NOT NULL,
    proposed_by     BIGINT REFERENCES users(id),
    decided_on      TEXT,
    decided_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX coop_loan_reschedules_loan ON coop_loan_reschedules(loan_id, id);

-- The schedule an approved rescheduling replaced.
CREATE TABLE coop_loan_schedule_history (
    reschedule_id   BIGINT NOT NULL REFERENCES coop_loan_reschedules(id),
    loan_id         BIGINT NOT NULL REFERENCES coop_loans(id),
    number          INTEGER NOT NULL,
    due_date        TEXT NOT NULL,
    principal       BIGINT NOT NULL,
    interest        BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    balance_after   BIGINT NOT NULL,
    PRIMARY KEY (reschedule_id, number)
);

CREATE TABLE coop_loan_collaterals (
    id              INTEGER PRIMARY KEY,
    loan_id         BIGINT NOT NULL REFERENCES coop_loans(id),
    -- domain::cooperative::loans::CollateralKind code.
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    estimated_value BIGINT NOT NULL CHECK (estimated_value >= 0),
    document_held   INTEGER NOT NULL,
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX coop_loan_collaterals_loan ON coop_loan_collaterals(loan_id);

CREATE TABLE coop_loan_guarantors (
    id              INTEGER PRIMARY KEY,
    loan_id         BIGINT NOT NULL REFERENCES coop_loans(id),
    -- A member of the cooperative, or a named person with their relation to the borrower.
    member_id       BIGINT REFERENCES coop_members(id),
    name            TEXT NOT NULL DEFAULT '',
    relation        TEXT NOT NULL DEFAULT '',
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX coop_loan_guarantors_loan ON coop_loan_guarantors(loan_id);
