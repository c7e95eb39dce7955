-- Pillar 1: pre-departure counselling sessions per person.
CREATE TABLE counselling_sessions (
    id           INTEGER PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES persons(id),
    village_code TEXT NOT NULL REFERENCES regions(code),
    held_on      TEXT NOT NULL,
    topics       TEXT NOT NULL,
    counsellor   TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX counselling_person ON counselling_sessions(person_id, held_on);
CREATE INDEX counselling_village ON counselling_sessions(village_code, held_on);
