-- Pillar 1: job orders (demand letters) of placement agencies and the costs they charge the worker.
CREATE TABLE job_orders (
    id              INTEGER PRIMARY KEY,
    agency_id       BIGINT NOT NULL REFERENCES agencies(id),
    -- The demand letter's number, upper case; unique per agency.
    reference       TEXT NOT NULL,
    -- ISO 3166-1 alpha-2.
    destination     TEXT NOT NULL,
    employer        TEXT NOT NULL,
    job_type        TEXT NOT NULL,
    -- Monthly salary in whole units of salary_currency (ISO 4217).
    salary_amount   BIGINT NOT NULL CHECK (salary_amount > 0),
    salary_currency TEXT NOT NULL,
    quota           BIGINT NOT NULL CHECK (quota BETWEEN 1 AND 10000),
    valid_from      TEXT NOT NULL,
    valid_until     TEXT NOT NULL CHECK (valid_until >= valid_from),
    status          TEXT NOT NULL DEFAULT 'unverified' CHECK (status IN ('unverified','verified','rejected')),
    verified_by     BIGINT REFERENCES users(id),
    verified_at     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (agency_id, reference)
);
CREATE INDEX job_orders_selectable ON job_orders(status, valid_until);

-- What the worker is charged under the job order, one row per cost item.
CREATE TABLE job_order_costs (
    job_order_id  BIGINT NOT NULL REFERENCES job_orders(id),
    item          TEXT NOT NULL,
    amount_rupiah BIGINT NOT NULL CHECK (amount_rupiah >= 0),
    PRIMARY KEY (job_order_id, item)
);
