-- Issue 16 (track offline): device grants for the offline outbox (docs/OFFLINE.md). A phone
-- gets a random grant at sign-in and presents it at each contact; only its hash is kept. The
-- grants of an account are deleted with its sessions (disabled, password set or reset), so
-- the server answers "wipe" to a grant it no longer knows — the same answer a stranger gets.
CREATE TABLE offline_grants (
    grant_hash       TEXT PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users(id),
    issued_at        BIGINT NOT NULL,
    last_contact_at  BIGINT NOT NULL
);
CREATE INDEX offline_grants_user ON offline_grants(user_id);
