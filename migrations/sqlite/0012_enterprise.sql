-- Pillar 2 (issue 6): productive enterprise — trainings with per-day attendance, mentoring
-- visits, equipment and grants with condition checks, businesses with members and monthly
-- reports, remittances with their use split. Money in whole rupiah; dates YYYY-MM-DD; months YYYY-MM.
CREATE TABLE trainings (
    id              INTEGER PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES regions(code),
    -- domain::enterprise::TrainingTopic and Organiser codes.
    topic           TEXT NOT NULL,
    title           TEXT NOT NULL,
    organiser       TEXT NOT NULL,
    organiser_name  TEXT NOT NULL DEFAULT '',
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    place           TEXT NOT NULL DEFAULT '',
    trainer         TEXT NOT NULL DEFAULT '',
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX trainings_village ON trainings(village_code, starts_on);

CREATE TABLE training_participants (
    training_id BIGINT NOT NULL REFERENCES trainings(id),
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    completed   BOOLEAN NOT NULL DEFAULT FALSE,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (training_id, person_id)
);
CREATE INDEX training_participants_person ON training_participants(person_id);

-- One row per participant and day attended (the day lies within the training's dates).
CREATE TABLE training_attendance (
    training_id BIGINT NOT NULL,
    person_id   BIGINT NOT NULL,
    on_date     TEXT NOT NULL,
    PRIMARY KEY (training_id, person_id, on_date),
    FOREIGN KEY (training_id, person_id) REFERENCES training_participants(training_id, person_id)
);

CREATE TABLE businesses (
    id              INTEGER PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES regions(code),
    name            TEXT NOT NULL,
    -- domain::enterprise::Sector, LegalForm, BusinessStatus codes.
    sector          TEXT NOT NULL,
    legal_form      TEXT NOT NULL,
    status          TEXT NOT NULL,
    -- NULL while planned without a date.
    started_on      TEXT,
    -- CapitalSource codes separated by commas.
    capital_sources TEXT NOT NULL DEFAULT '',
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX businesses_village ON businesses(village_code, status);

CREATE TABLE business_members (
    business_id BIGINT NOT NULL REFERENCES businesses(id),
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    -- returned_migrant, family_member, other.
    kind        TEXT NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (business_id, person_id)
);
CREATE INDEX business_members_person ON business_members(person_id);

-- One report per business and month; a second report for the month corrects the first.
CREATE TABLE business_reports (
    id          INTEGER PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses(id),
    month       TEXT NOT NULL,
    revenue     BIGINT NOT NULL,
    costs       BIGINT NOT NULL,
    workers     BIGINT NOT NULL,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    UNIQUE (business_id, month)
);

CREATE TABLE business_status_changes (
    id          INTEGER PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    by_user     BIGINT REFERENCES users(id),
    at          BIGINT NOT NULL
);
CREATE INDEX business_status_changes_business ON business_status_changes(business_id, id);

-- To a person, or to a business (group): exactly one.
CREATE TABLE mentoring_visits (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    person_id    BIGINT REFERENCES persons(id),
    business_id  BIGINT REFERENCES businesses(id),
    visited_on   TEXT NOT NULL,
    mentor       TEXT NOT NULL,
    notes        TEXT NOT NULL,
    next_steps   TEXT NOT NULL DEFAULT '',
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    CHECK ((person_id IS NULL) <> (business_id IS NULL))
);
CREATE INDEX mentoring_village ON mentoring_visits(village_code, visited_on);
CREATE INDEX mentoring_business ON mentoring_visits(business_id);

CREATE TABLE equipment (
    id              INTEGER PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES regions(code),
    item            TEXT NOT NULL,
    value           BIGINT NOT NULL,
    source_program  TEXT NOT NULL,
    given_on        TEXT NOT NULL,
    person_id       BIGINT REFERENCES persons(id),
    business_id     BIGINT REFERENCES businesses(id),
    -- From the latest check (good and in use when handed over).
    condition       TEXT NOT NULL DEFAULT 'good',
    in_use          BOOLEAN NOT NULL DEFAULT TRUE,
    last_checked_on TEXT,
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK ((person_id IS NULL) <> (business_id IS NULL))
);
CREATE INDEX equipment_village ON equipment(village_code, in_use);

CREATE TABLE equipment_checks (
    id           INTEGER PRIMARY KEY,
    equipment_id BIGINT NOT NULL REFERENCES equipment(id),
    checked_on   TEXT NOT NULL,
    condition    TEXT NOT NULL,
    in_use       BOOLEAN NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    by_user      BIGINT REFERENCES users(id),
    at           BIGINT NOT NULL
);
CREATE INDEX equipment_checks_equipment ON equipment_checks(equipment_id, checked_on);

-- What a migrant sent home in a month; the use columns add up to the amount.
CREATE TABLE remittances (
    id                        INTEGER PRIMARY KEY,
    person_id                 BIGINT NOT NULL REFERENCES persons(id),
    -- The family's village when recorded.
    village_code              TEXT NOT NULL REFERENCES regions(code),
    month                     TEXT NOT NULL,
    amount                    BIGINT NOT NULL,
    channel                   TEXT NOT NULL,
    use_daily_needs           BIGINT NOT NULL DEFAULT 0,
    use_education             BIGINT NOT NULL DEFAULT 0,
    use_health                BIGINT NOT NULL DEFAULT 0,
    use_housing               BIGINT NOT NULL DEFAULT 0,
    use_debt                  BIGINT NOT NULL DEFAULT 0,
    use_productive_investment BIGINT NOT NULL DEFAULT 0,
    use_savings               BIGINT NOT NULL DEFAULT 0,
    created_by                BIGINT REFERENCES users(id),
    created_at                BIGINT NOT NULL,
    CHECK (amount = use_daily_needs + use_education + use_health + use_housing + use_debt
           + use_productive_investment + use_savings)
);
CREATE INDEX remittances_village ON remittances(village_code, month);
CREATE INDEX remittances_person ON remittances(person_id, month);
