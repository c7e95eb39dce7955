-- Issue 16 (track conflicts): edits made from an older version of a person's record, merged per
-- field (docs/OFFLINE.md "Conflicts"). Every change of the record counts one more version.
ALTER TABLE persons ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- Which fields each version changed, with the value before: an edit from version V learns
-- which fields others changed since (version > V) and what the field held at V (the old value
-- of the first such change). Personal data: read only inside the edit and the review.
CREATE TABLE person_changes (
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    version     BIGINT NOT NULL,
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    changed_by  BIGINT REFERENCES users(id),
    changed_at  BIGINT NOT NULL,
    PRIMARY KEY (person_id, version, field)
);

-- A proposed value that met someone else's change of the same field: kept for the
-- supervisor, who keeps the current value or takes the proposed one.
CREATE TABLE person_conflicts (
    id              INTEGER PRIMARY KEY,
    person_id       BIGINT NOT NULL REFERENCES persons(id),
    field           TEXT NOT NULL,
    base_version    BIGINT NOT NULL,
    base_value      TEXT NOT NULL,
    current_value   TEXT NOT NULL,
    proposed_value  TEXT NOT NULL,
    proposed_by     BIGINT REFERENCES users(id),
    proposed_at     BIGINT NOT NULL,
    -- open, kept (the current value stays) or taken (the proposed value applied)
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','kept','taken')),
    resolved_by     BIGINT REFERENCES users(id),
    resolved_at     BIGINT
);
CREATE INDEX person_conflicts_open ON person_conflicts(status, person_id);
