-- Monitoring of pillar 4, the village cooperative (issue 7, after issue 5 and migration 0011):
-- dirty marks on its source tables, as in 0014_monitoring and 0016_indicators_pillars. The
-- indicators are in store::indicators::cooperative. See docs/MONITORING.md.

CREATE TRIGGER ind_coop_cooperatives_i AFTER INSERT ON coop_cooperatives BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_coop_cooperatives_u AFTER UPDATE ON coop_cooperatives BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_coop_cooperatives_d AFTER DELETE ON coop_cooperatives BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

-- Rows without a village of their own mark their cooperative's village.
CREATE TRIGGER ind_coop_members_i AFTER INSERT ON coop_members BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = NEW.cooperative_id; END;
CREATE TRIGGER ind_coop_members_u AFTER UPDATE ON coop_members BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id IN (OLD.cooperative_id, NEW.cooperative_id); END;
CREATE TRIGGER ind_coop_members_d AFTER DELETE ON coop_members BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = OLD.cooperative_id; END;

CREATE TRIGGER ind_coop_loans_i AFTER INSERT ON coop_loans BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = NEW.cooperative_id; END;
CREATE TRIGGER ind_coop_loans_u AFTER UPDATE ON coop_loans BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id IN (OLD.cooperative_id, NEW.cooperative_id); END;
CREATE TRIGGER ind_coop_loans_d AFTER DELETE ON coop_loans BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = OLD.cooperative_id; END;

CREATE TRIGGER ind_coop_rat_i AFTER INSERT ON coop_rat BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = NEW.cooperative_id; END;
CREATE TRIGGER ind_coop_rat_u AFTER UPDATE ON coop_rat BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id IN (OLD.cooperative_id, NEW.cooperative_id); END;
CREATE TRIGGER ind_coop_rat_d AFTER DELETE ON coop_rat BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = OLD.cooperative_id; END;

-- Savings and loan balances are read from the journal: every posted entry (the journal is
-- append-only, so inserts are the only change) marks its cooperative's village once.
CREATE TRIGGER ind_coop_journal_entries_i AFTER INSERT ON coop_journal_entries BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = NEW.cooperative_id; END;

-- Data recorded before this migration.
INSERT INTO indicator_dirty (village_code) SELECT DISTINCT village_code FROM coop_cooperatives;
