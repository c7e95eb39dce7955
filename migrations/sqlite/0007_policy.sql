-- Pillar 1: the placement rules that change by decree, as data national admins keep:
-- placement bans, the zero-cost placement rule, the no-contact threshold and the documents
-- requirement matrix. Seeded on first use from the compiled defaults (meta `policy_seeded`),
-- so a fresh database behaves as before. Dates are YYYY-MM-DD text; codes are the domain's
-- stable codes, checked on entry and again on loading (an invalid row is skipped and logged).

-- A destination closed to some placements (domain `BanEntry`).
CREATE TABLE policy_bans (
    id               INTEGER PRIMARY KEY,
    -- ISO 3166-1 alpha-2, upper case.
    destination      TEXT NOT NULL,
    -- NULL: every category / every job type.
    category         TEXT,
    job_type         TEXT,
    legal_source     TEXT NOT NULL,
    since            TEXT NOT NULL,
    -- The last day of the ban; NULL while it stands.
    until            TEXT,
    allows_extension BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX policy_bans_destination ON policy_bans(destination);

-- The job types the zero-cost placement rule covers.
CREATE TABLE policy_zero_cost_job_types (
    job_type   TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- The cost items employers pay for the covered job types.
CREATE TABLE policy_zero_cost_items (
    item       TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- Destinations exempt from the zero-cost rule during a period.
CREATE TABLE policy_zero_cost_exemptions (
    id           INTEGER PRIMARY KEY,
    destination  TEXT NOT NULL,
    since        TEXT NOT NULL,
    until        TEXT,
    legal_source TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Scalar settings: no_contact_days, zero_cost_legal_source, zero_cost_effective_from
-- (empty: the rule judges every placement).
CREATE TABLE policy_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The documents requirement matrix, one row per requirement, in checklist order (id).
-- The applicability lists are comma-separated codes; empty means "any".
CREATE TABLE policy_requirements (
    id           INTEGER PRIMARY KEY,
    document     TEXT NOT NULL,
    categories   TEXT NOT NULL DEFAULT '',
    destinations TEXT NOT NULL DEFAULT '',
    job_types    TEXT NOT NULL DEFAULT '',
    -- documents_complete or departure
    due          TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
