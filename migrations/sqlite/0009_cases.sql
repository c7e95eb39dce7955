-- Pillar 2 (issue 4): protection cases — complaints, abuse, trafficking — and their timeline.
CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    -- domain::cases::CaseType code (unpaid_wages, abuse, trafficking_suspicion…).
    case_type       TEXT NOT NULL,
    -- low, medium, high, critical.
    severity        TEXT NOT NULL,
    description     TEXT NOT NULL,
    village_code    TEXT NOT NULL REFERENCES regions(code),
    -- NULL for a tip without a known person.
    person_id       BIGINT REFERENCES persons(id),
    -- Abuse and trafficking always; other types when marked by hand.
    restricted      BOOLEAN NOT NULL DEFAULT FALSE,
    -- domain::cases::CaseStatus code, and the date (YYYY-MM-DD) of the latest step.
    status          TEXT NOT NULL DEFAULT 'new',
    status_date     TEXT NOT NULL,
    handler_user_id BIGINT REFERENCES users(id),
    -- YYYY-MM-DD.
    due_on          TEXT,
    -- domain::cases::Outcome code, set exactly when closed.
    outcome         TEXT,
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX cases_village ON cases(village_code, id);
CREATE INDEX cases_person ON cases(person_id);
CREATE INDEX cases_handler ON cases(handler_user_id, status);

-- Who moved the case when, with a reason: the timeline.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    outcome     TEXT,
    by_user     BIGINT REFERENCES users(id),
    at          BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, id);
