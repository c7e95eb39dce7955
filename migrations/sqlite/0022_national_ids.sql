-- Issue 19: national ids on people, BPJS Ketenagakerjaan membership, Dukcapil checks.
-- The episode's Sisko P2MI and E-KPMI ids already live on `episodes` (sisko_id, ekpmi_id).

-- SIAPkerja registration and ID PMI: one value per person and kind, one person per value.
CREATE TABLE person_external_ids (
    person_id  BIGINT NOT NULL REFERENCES persons(id),
    kind       TEXT NOT NULL CHECK (kind IN ('siapkerja_id','id_pmi')),
    value      TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, kind)
);
CREATE UNIQUE INDEX person_external_ids_value ON person_external_ids(kind, value);

-- The membership as last imported from BPJS Ketenagakerjaan (one per person).
CREATE TABLE bpjs_memberships (
    person_id   BIGINT PRIMARY KEY REFERENCES persons(id),
    -- KPJ, 11 digits.
    number      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('aktif','nonaktif')),
    valid_until TEXT NOT NULL,
    updated_by  BIGINT REFERENCES users(id),
    updated_at  BIGINT NOT NULL
);

-- The latest Dukcapil verification of a person's NIK, name, birth date and sex.
CREATE TABLE dukcapil_checks (
    person_id  BIGINT PRIMARY KEY REFERENCES persons(id),
    status     TEXT NOT NULL CHECK (status IN ('verified','mismatch','not_verified')),
    -- Comma-separated fields that differ (mismatch): nik, full_name, birth_date, sex.
    mismatched TEXT NOT NULL DEFAULT '',
    -- Why there is no answer (not_verified): unreachable, timeout, refused, bad_answer.
    reason     TEXT NOT NULL DEFAULT '',
    checked_by BIGINT REFERENCES users(id),
    checked_at BIGINT NOT NULL
);

-- Finding a person by a placement's id (person search).
CREATE INDEX episodes_sisko_id ON episodes(sisko_id) WHERE sisko_id <> '';
CREATE INDEX episodes_ekpmi_id ON episodes(ekpmi_id) WHERE ekpmi_id <> '';
