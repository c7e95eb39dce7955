-- Pillar 3 (issue 6): community parenting — migrants' children (the most restricted records:
-- see docs/ACCESS.md), parenting activities with attendance, welfare concerns that open a case.
CREATE TABLE children (
    id                INTEGER PRIMARY KEY,
    full_name         TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    -- L or P.
    sex               TEXT NOT NULL,
    village_code      TEXT NOT NULL REFERENCES regions(code),
    -- domain::parenting::Caregiver, SchoolLevel, SchoolStatus codes (school: NULL when unknown).
    caregiver         TEXT NOT NULL,
    school_level      TEXT,
    school_status     TEXT,
    birth_certificate BOOLEAN NOT NULL DEFAULT FALSE,
    health_insurance  BOOLEAN NOT NULL DEFAULT FALSE,
    created_by        BIGINT REFERENCES users(id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX children_village ON children(village_code, id);

CREATE TABLE child_parents (
    child_id  BIGINT NOT NULL REFERENCES children(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (child_id, person_id)
);
CREATE INDEX child_parents_person ON child_parents(person_id);

CREATE TABLE parenting_activities (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    -- domain::parenting::ActivityKind code.
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    held_on      TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    facilitator  TEXT NOT NULL,
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX parenting_activities_village ON parenting_activities(village_code, held_on);

-- Attendance per day (within the activity's dates) of children and of caregivers (people records).
CREATE TABLE activity_children (
    activity_id BIGINT NOT NULL REFERENCES parenting_activities(id),
    child_id    BIGINT NOT NULL REFERENCES children(id),
    on_date     TEXT NOT NULL,
    PRIMARY KEY (activity_id, child_id, on_date)
);
CREATE INDEX activity_children_child ON activity_children(child_id);

CREATE TABLE activity_caregivers (
    activity_id BIGINT NOT NULL REFERENCES parenting_activities(id),
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    on_date     TEXT NOT NULL,
    PRIMARY KEY (activity_id, person_id, on_date)
);

-- A welfare concern and the protection case it opened (restricted, in the cases module).
CREATE TABLE child_concerns (
    id          INTEGER PRIMARY KEY,
    child_id    BIGINT NOT NULL REFERENCES children(id),
    -- neglect, dropping_out, abuse, child_labour.
    kind        TEXT NOT NULL,
    noted_on    TEXT NOT NULL,
    description TEXT NOT NULL,
    case_id     BIGINT REFERENCES cases(id),
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX child_concerns_child ON child_concerns(child_id, id);
