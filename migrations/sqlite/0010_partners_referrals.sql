-- Issue 4: partner organisations, referrals of cases to them, case notes, attachments (files
-- are kept outside the database, by content hash) and the UU 21/2007 trafficking assessment.
CREATE TABLE partners (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    -- domain::cases::PartnerType code (iom, police_task_force, uptd_ppa, …).
    partner_type  TEXT NOT NULL,
    -- The region served (a Kemendagri code); NULL = national. Not a foreign key: the seed rows
    -- below are written before the region list is loaded.
    region_code   TEXT,
    -- domain::cases::Service codes, comma-separated, sorted.
    services      TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    website       TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX partners_name ON partners(name);

-- A user with role partner belongs to one partner organisation.
ALTER TABLE users ADD COLUMN partner_id BIGINT REFERENCES partners(id);

CREATE TABLE case_referrals (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    partner_id   BIGINT NOT NULL REFERENCES partners(id),
    -- Requested services (codes, comma-separated, sorted).
    services     TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    -- domain::cases::ReferralStatus code and the date of its latest step.
    status       TEXT NOT NULL DEFAULT 'sent',
    status_date  TEXT NOT NULL,
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX case_referrals_case ON case_referrals(case_id);
CREATE INDEX case_referrals_partner ON case_referrals(partner_id, status);

CREATE TABLE referral_events (
    id           INTEGER PRIMARY KEY,
    referral_id  BIGINT NOT NULL REFERENCES case_referrals(id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    by_user      BIGINT REFERENCES users(id),
    at           BIGINT NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events(referral_id, id);

-- Services a partner recorded as given.
CREATE TABLE referral_services (
    id           INTEGER PRIMARY KEY,
    referral_id  BIGINT NOT NULL REFERENCES case_referrals(id),
    service      TEXT NOT NULL,
    given_on     TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    by_user      BIGINT REFERENCES users(id),
    at           BIGINT NOT NULL
);
CREATE INDEX referral_services_referral ON referral_services(referral_id, id);

CREATE TABLE case_notes (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    body         TEXT NOT NULL,
    -- The author's partner organisation, when a partner user wrote it.
    partner_id   BIGINT REFERENCES partners(id),
    by_user      BIGINT REFERENCES users(id),
    at           BIGINT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);

-- Files live in the attachments directory under their SHA-256; only metadata is here.
CREATE TABLE case_attachments (
    id            INTEGER PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    sha256        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    -- application/pdf, image/jpeg or image/png, from the file's first bytes.
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    by_user       BIGINT REFERENCES users(id),
    at            BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id, id);

-- The UU 21/2007 assessment of a trafficking case (one per case, updated in place; every
-- change is in the audit log).
CREATE TABLE trafficking_assessments (
    case_id             BIGINT PRIMARY KEY REFERENCES cases(id),
    process             TEXT NOT NULL DEFAULT '',
    means               TEXT NOT NULL DEFAULT '',
    purpose             TEXT NOT NULL DEFAULT '',
    form                TEXT NOT NULL,
    form_detail         TEXT NOT NULL DEFAULT '',
    victim_age_at_time  BIGINT,
    screening_result    TEXT NOT NULL,
    services_needed     TEXT NOT NULL DEFAULT '',
    reintegration_plan  TEXT NOT NULL DEFAULT '',
    updated_by          BIGINT REFERENCES users(id),
    updated_at          BIGINT NOT NULL
);

-- National partners everyone refers to (contact details to be completed by the admin).
INSERT INTO partners (name, partner_type, region_code, services, website, created_at, updated_at) VALUES
 ('IOM Indonesia', 'iom', NULL, 'economic_empowerment,family_tracing,legal_aid,medical_care,reintegration,repatriation,shelter', 'https://indonesia.iom.int', 0, 0),
 ('BP3MI Nusa Tenggara Timur', 'bp3mi', '53', 'economic_empowerment,family_tracing,legal_aid,reintegration,repatriation,shelter', 'https://bp2mi.go.id', 0, 0),
 ('Lembaga Perlindungan Saksi dan Korban (LPSK)', 'lpsk', NULL, 'legal_aid,medical_care,witness_protection', 'https://lpsk.go.id', 0, 0),
 ('Kementerian Sosial RI', 'social_ministry', NULL, 'economic_empowerment,family_tracing,reintegration,repatriation,shelter', 'https://kemensos.go.id', 0, 0),
 ('UPTD PPA Provinsi Nusa Tenggara Timur', 'uptd_ppa', '53', 'legal_aid,medical_care,reintegration,shelter', '', 0, 0),
 ('KDEI Taipei', 'mission_abroad', NULL, 'family_tracing,legal_aid,repatriation,shelter', 'https://kdei-taipei.org', 0, 0);
