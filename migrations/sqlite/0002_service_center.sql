-- Pillar 1, the village migration service center: people, family links, consents, agencies.
CREATE TABLE persons (
    id                  INTEGER PRIMARY KEY,
    nik                 TEXT NOT NULL UNIQUE,
    kk_number           TEXT,
    full_name           TEXT NOT NULL,
    -- Spelling-tolerant search key (domain::name::name_key).
    name_key            TEXT NOT NULL,
    sex                 TEXT NOT NULL CHECK (sex IN ('L','P')),
    birth_date          TEXT NOT NULL,
    birth_place         TEXT NOT NULL DEFAULT '',
    -- Where the person lives now; the NIK's region is where it was first issued.
    village_code        TEXT NOT NULL REFERENCES regions(code),
    address             TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    contact_abroad      TEXT NOT NULL DEFAULT '',
    category            TEXT NOT NULL CHECK (category IN ('prospective','abroad','returned','family')),
    -- NIK warnings the officer confirmed, kept for verification (one per line).
    nik_warnings        TEXT NOT NULL DEFAULT '',
    under_investigation BOOLEAN NOT NULL DEFAULT FALSE,
    investigation_note  TEXT NOT NULL DEFAULT '',
    created_by          BIGINT REFERENCES users(id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX persons_village ON persons(village_code, name_key);
CREATE INDEX persons_name ON persons(name_key);

CREATE TABLE family_links (
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    relative_id BIGINT NOT NULL REFERENCES persons(id),
    -- The relative is the person's …
    relation    TEXT NOT NULL CHECK (relation IN ('spouse','parent','child','guardian')),
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (person_id, relative_id, relation)
);
CREATE INDEX family_links_relative ON family_links(relative_id);

CREATE TABLE consents (
    id          INTEGER PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    -- What may be shared (contact, health, case, all) and with whom (a partner or purpose).
    data_scope  TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    given_on    TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX consents_person ON consents(person_id);

CREATE TABLE agencies (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    licence_number TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL CHECK (status IN ('active','suspended','revoked')),
    valid_from     TEXT NOT NULL,
    valid_until    TEXT NOT NULL,
    address        TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX agencies_name ON agencies(name_key);
