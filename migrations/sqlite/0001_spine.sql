-- The spine: regions, programs, accounts, sessions, audit.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES regions(code),
    level       TEXT NOT NULL CHECK (level IN ('province','regency','district','village')),
    name        TEXT NOT NULL,
    search_name TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_code, name);

CREATE TABLE programs (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    institution TEXT NOT NULL,
    criteria    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE program_villages (
    program_id   BIGINT NOT NULL REFERENCES programs(id),
    village_code TEXT NOT NULL REFERENCES regions(code),
    since_year   INTEGER,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, village_code)
);
CREATE INDEX program_villages_village ON program_villages(village_code);

CREATE TABLE village_profiles (
    village_code   TEXT PRIMARY KEY REFERENCES regions(code),
    pocket_village BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    region_code   TEXT REFERENCES regions(code),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX users_region ON users(region_code);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_user_id BIGINT,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    ip            TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    details       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id, seq);
CREATE INDEX audit_log_at ON audit_log(at);

-- The chain head: one row, updated in the same transaction as each append, which
-- serialises appends on both backends.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

INSERT INTO programs (code, name, institution, criteria, created_at) VALUES
 ('desmigratif', 'Desa Migran Produktif (Desmigratif)', 'Kementerian Ketenagakerjaan (Kemnaker)',
  'Desa kantong PMI; empat pilar: pusat layanan migrasi, usaha produktif, community parenting, koperasi. Dasar hukum: Kepmenaker 59/2017, Permenaker 2/2019.', 0),
 ('desa-migran-emas', 'Desa Migran EMAS', 'Kementerian P2MI (KP2MI)',
  'Satgas pelindungan desa; infrastruktur layanan; program pemberdayaan; porsi keberangkatan prosedural tinggi; kelompok usaha PMI purna; kegiatan pelindungan berkelanjutan.', 0),
 ('koperasi-desa-merah-putih', 'Koperasi Desa Merah Putih', 'Kementerian Koperasi',
  'Koperasi desa yang dibentuk sejak 2025.', 0);
