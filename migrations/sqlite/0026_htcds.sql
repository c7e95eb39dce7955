-- Issue 17, referral without a shared server (docs/HTCDS.md).
-- Partner organisations' Ed25519 public keys, registered by an admin: an HTCDS document is
-- imported only when it is signed by one of them.
CREATE TABLE htcds_partner_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    key_id      TEXT NOT NULL UNIQUE,
    public_key  TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
-- Each signed document imported, by the SHA-256 of its signed bytes: the same one comes in once.
CREATE TABLE htcds_imports (
    id             INTEGER PRIMARY KEY,
    digest         TEXT NOT NULL UNIQUE,
    partner_key_id BIGINT NOT NULL REFERENCES htcds_partner_keys(id),
    case_id        BIGINT NOT NULL REFERENCES cases(id),
    case_ref       TEXT NOT NULL,
    imported_by    BIGINT REFERENCES users(id),
    imported_at    BIGINT NOT NULL
);
CREATE INDEX htcds_imports_case ON htcds_imports(case_id);
