-- Issue 16: Idempotency-Key on every write of the API (docs/OFFLINE.md). The first answer to
-- a key is kept, so a replay (an offline outbox sending again after a lost answer) gets the
-- same answer and never a second record. A row without a status is a request still running.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    status        INTEGER,
    content_type  TEXT,
    location      TEXT,
    body          BYTEA,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_time ON idempotency_keys(created_at);
