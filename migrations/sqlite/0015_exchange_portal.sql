-- Issue 8: the public portal (job order codes, Indonesian missions abroad) and the partner data
-- exchange (API clients, purpose consents, restriction of processing, correction requests,
-- deletion tombstones for sync, the cursor signing key).

-- A short public code for every verified job order, printed on flyers (with a QR code) and
-- checked on the portal. Assigned on verification; earlier verified rows get one at start-up.
ALTER TABLE job_orders ADD COLUMN public_code TEXT;
CREATE UNIQUE INDEX job_orders_public_code ON job_orders(public_code);

-- Indonesian missions abroad (KBRI embassy, KJRI consulate, KDEI Taipei), kept by national admins.
CREATE TABLE missions (
    id          INTEGER PRIMARY KEY,
    -- ISO 3166-1 alpha-2 of the host country.
    country     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('kbri','kjri','kdei','other')),
    name        TEXT NOT NULL,
    city        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    hotline     TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    -- FALSE until a national admin has checked the contact details against the ministry's list.
    verified    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX missions_country ON missions(country, name);

-- Seed from public information; admins must verify (verified = FALSE until they do).
INSERT INTO missions (country, kind, name, city, address, phone, hotline, email, website, verified, created_at, updated_at) VALUES
 ('MY','kbri','KBRI Kuala Lumpur','Kuala Lumpur','233 Jalan Tun Razak, 50400 Kuala Lumpur','+60 3-2116 4000','','','https://kemlu.go.id/kualalumpur',FALSE,0,0),
 ('TW','kdei','KDEI Taipei','Taipei','6F, No. 550 Ruiguang Road, Neihu District, Taipei 114','+886 2-8752 6170','','','https://kdei-taipei.org',FALSE,0,0),
 ('SA','kbri','KBRI Riyadh','Riyadh','Diplomatic Quarter, P.O. Box 94343, Riyadh 11693','+966 11-488 2800','','','https://kemlu.go.id/riyadh',FALSE,0,0),
 ('HK','kjri','KJRI Hong Kong','Hong Kong','127-129 Leighton Road, Causeway Bay, Hong Kong','+852 3651 0200','','','https://kemlu.go.id/hongkong',FALSE,0,0),
 ('SG','kbri','KBRI Singapura','Singapore','7 Chatsworth Road, Singapore 249761','+65 6737 7422','','','https://kemlu.go.id/singapore',FALSE,0,0);

-- Partner organisations' API clients (named api_clients; the partners table of referrals is separate).
CREATE TABLE api_clients (
    id              INTEGER PRIMARY KEY,
    organisation    TEXT NOT NULL,
    -- One of domain::exchange::Purpose.
    purpose         TEXT NOT NULL,
    -- Comma-separated resource:access pairs, e.g. persons:read,job_orders:read.
    scopes          TEXT NOT NULL,
    -- NULL: the whole country.
    region_code     TEXT REFERENCES regions(code),
    expires_at      BIGINT NOT NULL,
    -- Calls per minute (token bucket: this many at once, refilled evenly).
    rate_per_minute BIGINT NOT NULL CHECK (rate_per_minute BETWEEN 1 AND 100000),
    -- SHA-256 of the current token; the token itself is shown once.
    token_hash      TEXT NOT NULL UNIQUE,
    -- The first characters of the token, to recognise it in lists.
    token_hint      TEXT NOT NULL,
    revoked_at      BIGINT,
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- A person's consent to sharing with partners, by purpose; the latest row per purpose counts.
CREATE TABLE purpose_consents (
    id          INTEGER PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    purpose     TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    given_on    TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX purpose_consents_person ON purpose_consents(person_id, purpose, id);

-- Restriction of processing (UU 27/2022): a restricted person is left out of every exchange.
ALTER TABLE persons ADD COLUMN processing_restricted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE persons ADD COLUMN restriction_note TEXT NOT NULL DEFAULT '';
CREATE INDEX persons_updated ON persons(updated_at, id);

-- Correction requests from data subjects, as recorded by an officer.
CREATE TABLE correction_requests (
    id          INTEGER PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    fields      TEXT NOT NULL,
    description TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','refused')),
    resolution  TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX correction_requests_person ON correction_requests(person_id, id);

-- What partners must delete from their copies: removed records, and people withdrawn from the
-- exchange (restriction of processing). Ordered like changes, by (at, id).
CREATE TABLE exchange_tombstones (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    region_code TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL CHECK (reason IN ('deleted','restricted')),
    at          BIGINT NOT NULL
);
CREATE INDEX exchange_tombstones_entity ON exchange_tombstones(entity, at, id);

-- Secrets of the exchange: the key that signs sync cursors (same for every server on this database).
CREATE TABLE exchange_keys (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    cursor_key TEXT NOT NULL
);
INSERT INTO exchange_keys (id, cursor_key) VALUES (1, lower(hex(randomblob(32))));

CREATE INDEX job_orders_updated ON job_orders(updated_at, id);
CREATE INDEX agencies_updated ON agencies(updated_at, id);
CREATE INDEX episodes_updated ON episodes(updated_at, id);
