-- Pillar 1: outreach events (sosialisasi) held in a village, and the registered people who came.
CREATE TABLE outreach_events (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    -- YYYY-MM-DD, not in the future when recorded.
    held_on      TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    topic        TEXT NOT NULL,
    organiser    TEXT NOT NULL DEFAULT '',
    -- Everyone who came, registered or not.
    headcount    BIGINT NOT NULL CHECK (headcount BETWEEN 0 AND 100000),
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX outreach_events_village ON outreach_events(village_code, held_on);

-- Registered people (persons) who attended; one row per person and event.
CREATE TABLE outreach_attendance (
    event_id   BIGINT NOT NULL REFERENCES outreach_events(id),
    person_id  BIGINT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX outreach_attendance_person ON outreach_attendance(person_id);
