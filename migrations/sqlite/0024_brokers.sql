-- Issue 17: reports of illegal brokers (calo) and the registry they merge into.
-- A public report stores no IP address, no browser details and no account: only what the
-- reporter typed, and a contact only if they chose to give one.

CREATE TABLE brokers (
    id         INTEGER PRIMARY KEY,
    -- The first name reported; every other name is an alias.
    name       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The same normalised phone number (domain::brokers::PhoneKey) is the same broker.
CREATE TABLE broker_phones (
    phone_key TEXT PRIMARY KEY,
    broker_id BIGINT NOT NULL REFERENCES brokers(id)
);
CREATE INDEX broker_phones_broker ON broker_phones(broker_id);

CREATE TABLE broker_aliases (
    broker_id BIGINT NOT NULL REFERENCES brokers(id),
    alias     TEXT NOT NULL,
    -- domain::name::name_key of the alias: an episode's recruiter is matched by it.
    alias_key TEXT NOT NULL,
    PRIMARY KEY (broker_id, alias_key)
);
CREATE INDEX broker_aliases_key ON broker_aliases(alias_key);

CREATE TABLE broker_reports (
    id               INTEGER PRIMARY KEY,
    broker_id        BIGINT NOT NULL REFERENCES brokers(id),
    -- SHA-256 of the receipt code given to the reporter (never the code).
    receipt_hash     TEXT NOT NULL UNIQUE,
    source           TEXT NOT NULL CHECK (source IN ('public','officer','partner')),
    -- The account that sent it (officers, partners); NULL for the public.
    reporter_user_id BIGINT REFERENCES users(id),
    partner_id       BIGINT REFERENCES partners(id),
    -- Where the broker was seen: the report's region for scope and hot spots.
    village_code     TEXT NOT NULL REFERENCES regions(code),
    -- YYYY-MM on the ministry's clock, for hot spots.
    month            TEXT NOT NULL,
    broker_name      TEXT NOT NULL DEFAULT '',
    -- Normalised numbers, comma-separated.
    broker_phones    TEXT NOT NULL DEFAULT '',
    offer            TEXT NOT NULL DEFAULT '',
    money_asked      BIGINT,
    -- domain::brokers::DocumentTaken codes, comma-separated.
    documents_taken  TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL,
    -- Optional; shown only to the handling officer, each view audited.
    reporter_contact TEXT NOT NULL DEFAULT '',
    handler_user_id  BIGINT REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX broker_reports_village ON broker_reports(village_code);
CREATE INDEX broker_reports_broker ON broker_reports(broker_id);

CREATE TABLE broker_report_additions (
    id         INTEGER PRIMARY KEY,
    report_id  BIGINT NOT NULL REFERENCES broker_reports(id),
    text       TEXT NOT NULL,
    -- NULL when added by the reporter with the receipt.
    user_id    BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX broker_report_additions_report ON broker_report_additions(report_id);

-- An episode's unregistered recruiter, and a case, tied to a broker by an officer.
CREATE TABLE broker_episodes (
    broker_id  BIGINT NOT NULL REFERENCES brokers(id),
    episode_id BIGINT NOT NULL REFERENCES episodes(id),
    linked_by  BIGINT REFERENCES users(id),
    linked_at  BIGINT NOT NULL,
    PRIMARY KEY (broker_id, episode_id)
);
CREATE INDEX broker_episodes_episode ON broker_episodes(episode_id);

CREATE TABLE broker_cases (
    broker_id BIGINT NOT NULL REFERENCES brokers(id),
    case_id   BIGINT NOT NULL REFERENCES cases(id),
    linked_by BIGINT REFERENCES users(id),
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (broker_id, case_id)
);
