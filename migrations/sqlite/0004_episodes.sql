-- Pillar 1: migration episodes (one per placement), their steps, documents and costs.
CREATE TABLE episodes (
    id                INTEGER PRIMARY KEY,
    person_id         BIGINT NOT NULL REFERENCES persons(id),
    -- The person's village when the episode was opened: scope checks and village lists.
    village_code      TEXT NOT NULL REFERENCES regions(code),
    category          TEXT NOT NULL,
    scheme            TEXT NOT NULL,
    destination       TEXT NOT NULL,
    job_type          TEXT NOT NULL,
    agency_id         BIGINT REFERENCES agencies(id),
    -- A recruiter named by the worker that is not in the registry (a broker, calo).
    recruiter_name    TEXT NOT NULL DEFAULT '',
    job_order_id      BIGINT,
    employer          TEXT NOT NULL DEFAULT '',
    planned_departure TEXT,
    contract_start    TEXT,
    contract_end      TEXT,
    sisko_id          TEXT NOT NULL DEFAULT '',
    ekpmi_id          TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL,
    state_date        TEXT NOT NULL,
    departed_on       TEXT,
    returned_on       TEXT,
    last_contact_on   TEXT,
    created_by        BIGINT REFERENCES users(id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX episodes_person ON episodes(person_id);
CREATE INDEX episodes_village ON episodes(village_code, state);

CREATE TABLE episode_events (
    id               INTEGER PRIMARY KEY,
    episode_id       BIGINT NOT NULL REFERENCES episodes(id),
    from_state       TEXT,
    to_state         TEXT NOT NULL,
    on_date          TEXT NOT NULL,
    reason           TEXT NOT NULL DEFAULT '',
    return_reason    TEXT NOT NULL DEFAULT '',
    handover_witness TEXT NOT NULL DEFAULT '',
    override_reason  TEXT NOT NULL DEFAULT '',
    by_user          BIGINT REFERENCES users(id),
    at               BIGINT NOT NULL
);
CREATE INDEX episode_events_episode ON episode_events(episode_id, id);

CREATE TABLE episode_documents (
    episode_id       BIGINT NOT NULL REFERENCES episodes(id),
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    number           TEXT NOT NULL DEFAULT '',
    issuer           TEXT NOT NULL DEFAULT '',
    issued_on        TEXT,
    expires_on       TEXT,
    village_head_ack BOOLEAN NOT NULL DEFAULT FALSE,
    updated_by       BIGINT REFERENCES users(id),
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (episode_id, kind)
);
CREATE INDEX episode_documents_expiry ON episode_documents(expires_on);

CREATE TABLE episode_costs (
    id            INTEGER PRIMARY KEY,
    episode_id    BIGINT NOT NULL REFERENCES episodes(id),
    item          TEXT NOT NULL,
    amount_rupiah BIGINT NOT NULL CHECK (amount_rupiah >= 0),
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX episode_costs_episode ON episode_costs(episode_id);
