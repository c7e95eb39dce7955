-- Monitoring (issue 7): indicators kept per village and month and rolled up to district,
-- regency, province and nation, updated incrementally. Writes to a source table mark the
-- village dirty (triggers below); the refresher (store::indicators::refresh) recomputes only
-- dirty villages and applies the difference to every ancestor. See docs/MONITORING.md.

-- One row per write that may change a village's indicators ('*' = national-only indicators).
-- Not unique: the refresher deletes exactly the rows it read, so a write that commits while a
-- refresh runs is never lost.
CREATE TABLE indicator_dirty (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL
);
CREATE INDEX indicator_dirty_village ON indicator_dirty(village_code);

-- Indicator values of a region: '' is the nation; a village holds its own values, every other
-- level the sum of its villages. month 'YYYY-MM' for flows, '' for a current stock; dim is a
-- breakdown ('' none, a case type, a cohort year, a status…).
CREATE TABLE indicator_values (
    region_code TEXT NOT NULL,
    key         TEXT NOT NULL,
    month       TEXT NOT NULL,
    dim         TEXT NOT NULL,
    value       BIGINT NOT NULL,
    PRIMARY KEY (region_code, key, month, dim)
);

-- Program targets per year and level ('' = national), and historical totals where the
-- villages themselves are not known.
CREATE TABLE monitoring_targets (
    id                INTEGER PRIMARY KEY,
    year              INTEGER NOT NULL,
    region_code       TEXT NOT NULL DEFAULT '',
    indicator         TEXT NOT NULL,
    target            BIGINT,
    historical_actual BIGINT,
    note              TEXT NOT NULL DEFAULT '',
    updated_by        BIGINT REFERENCES users(id),
    updated_at        BIGINT NOT NULL,
    UNIQUE (year, region_code, indicator)
);

-- When a pillar counts as active in a village, and when a village meets a program's criteria:
-- every condition of a subject must hold (indicator summed over the last window_months months,
-- or its current stock when 0, at least min_value). Edited by national admins.
CREATE TABLE monitoring_criteria (
    id            INTEGER PRIMARY KEY,
    subject       TEXT NOT NULL,
    indicator     TEXT NOT NULL,
    min_value     BIGINT NOT NULL,
    window_months INTEGER NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    updated_at    BIGINT NOT NULL
);
CREATE INDEX monitoring_criteria_subject ON monitoring_criteria(subject);

-- The program's real rollout (brief §2): 2 pilots in 2016, then 122, 130, 150, 51, 50.
INSERT INTO monitoring_targets (year, region_code, indicator, target, historical_actual, note, updated_at) VALUES
 (2016, '', 'desmigratif_villages', 2, 2, 'Desa percontohan', 0),
 (2017, '', 'desmigratif_villages', NULL, 122, '20 di NTT', 0),
 (2018, '', 'desmigratif_villages', NULL, 130, '87 kabupaten, 12 provinsi', 0),
 (2019, '', 'desmigratif_villages', 150, 150, '402 desa sejak 2016; target 400 desa dalam tiga tahun', 0),
 (2021, '', 'desmigratif_villages', NULL, 51, '', 0),
 (2022, '', 'desmigratif_villages', NULL, 50, '503 desa; tidak ada penambahan sesudahnya', 0);

INSERT INTO monitoring_criteria (subject, indicator, min_value, window_months, note, updated_at) VALUES
 ('pillar:1', 'outreach_events', 1, 6, 'Sosialisasi migrasi aman dalam 6 bulan terakhir', 0),
 ('pillar:1', 'counselling_sessions', 1, 6, 'Konseling calon PMI dalam 6 bulan terakhir', 0),
 ('pillar:2', 'enterprise_groups_active', 1, 0, 'Kelompok usaha produktif yang aktif', 0),
 ('pillar:3', 'parenting_sessions', 1, 6, 'Kegiatan community parenting dalam 6 bulan terakhir', 0),
 ('pillar:4', 'coop_members', 20, 0, 'Koperasi dengan sedikitnya 20 anggota', 0),
 ('program:desa-migran-emas', 'protection_task_force', 1, 0, 'Satgas pelindungan desa', 0),
 ('program:desa-migran-emas', 'outreach_events', 1, 12, 'Kegiatan pelindungan berkelanjutan', 0),
 ('program:desa-migran-emas', 'procedural_share', 80, 12, 'Porsi keberangkatan prosedural tinggi (%)', 0),
 ('program:desa-migran-emas', 'enterprise_groups_active', 1, 0, 'Kelompok usaha PMI purna', 0);

-- Dirty marks. Tables holding village_code mark the old and the new village.
CREATE TRIGGER ind_persons_i AFTER INSERT ON persons BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_persons_u AFTER UPDATE ON persons BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_persons_d AFTER DELETE ON persons BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_episodes_i AFTER INSERT ON episodes BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_episodes_u AFTER UPDATE ON episodes BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_episodes_d AFTER DELETE ON episodes BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_episode_events_i AFTER INSERT ON episode_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM episodes WHERE id = NEW.episode_id; END;
CREATE TRIGGER ind_episode_events_u AFTER UPDATE ON episode_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM episodes WHERE id IN (OLD.episode_id, NEW.episode_id); END;
CREATE TRIGGER ind_episode_events_d AFTER DELETE ON episode_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM episodes WHERE id = OLD.episode_id; END;

CREATE TRIGGER ind_counselling_i AFTER INSERT ON counselling_sessions BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_counselling_u AFTER UPDATE ON counselling_sessions BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_counselling_d AFTER DELETE ON counselling_sessions BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_outreach_i AFTER INSERT ON outreach_events BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_outreach_u AFTER UPDATE ON outreach_events BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_outreach_d AFTER DELETE ON outreach_events BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_cases_i AFTER INSERT ON cases BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_cases_u AFTER UPDATE ON cases BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_cases_d AFTER DELETE ON cases BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_case_events_i AFTER INSERT ON case_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM cases WHERE id = NEW.case_id; END;
CREATE TRIGGER ind_case_events_u AFTER UPDATE ON case_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM cases WHERE id IN (OLD.case_id, NEW.case_id); END;
CREATE TRIGGER ind_case_events_d AFTER DELETE ON case_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM cases WHERE id = OLD.case_id; END;

CREATE TRIGGER ind_program_villages_i AFTER INSERT ON program_villages BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_program_villages_u AFTER UPDATE ON program_villages BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_program_villages_d AFTER DELETE ON program_villages BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_village_profiles_i AFTER INSERT ON village_profiles BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_village_profiles_u AFTER UPDATE ON village_profiles BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_village_profiles_d AFTER DELETE ON village_profiles BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_job_orders_i AFTER INSERT ON job_orders BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES ('*'); END;
CREATE TRIGGER ind_job_orders_u AFTER UPDATE ON job_orders BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES ('*'); END;
CREATE TRIGGER ind_job_orders_d AFTER DELETE ON job_orders BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES ('*'); END;

-- Data recorded before this migration: every village with data is computed once.
INSERT INTO indicator_dirty (village_code)
  SELECT village_code FROM persons UNION SELECT village_code FROM episodes
  UNION SELECT village_code FROM counselling_sessions UNION SELECT village_code FROM outreach_events
  UNION SELECT village_code FROM cases UNION SELECT village_code FROM program_villages
  UNION SELECT village_code FROM village_profiles UNION SELECT '*';
