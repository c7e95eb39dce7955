-- Issue 17: break the glass and pseudonymisation across jurisdictions (docs/ACCESS.md).
-- A break-the-glass grant: a case worker in scope opens a restricted case for three hours,
-- with the reason they gave. Rows are never updated; an expired grant simply stops counting.
CREATE TABLE case_access_grants (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    reason     TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX case_access_grants_user ON case_access_grants(user_id, expires_at);
CREATE INDEX case_access_grants_time ON case_access_grants(granted_at);
-- A case moved to another village: the villages it left keep a pseudonymised view.
CREATE TABLE case_transfers (
    id             INTEGER PRIMARY KEY,
    case_id        BIGINT NOT NULL REFERENCES cases(id),
    from_village   TEXT NOT NULL REFERENCES regions(code),
    to_village     TEXT NOT NULL REFERENCES regions(code),
    reason         TEXT NOT NULL,
    by_user        BIGINT REFERENCES users(id),
    transferred_at BIGINT NOT NULL
);
CREATE INDEX case_transfers_case ON case_transfers(case_id);
CREATE INDEX case_transfers_from ON case_transfers(from_village, case_id);
