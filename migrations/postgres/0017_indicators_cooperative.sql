-- Monitoring of pillar 4, the village cooperative (issue 7, after issue 5 and migration 0011):
-- dirty marks on its source tables, as in 0014_monitoring and 0016_indicators_pillars. The
-- indicators are in store::indicators::cooperative. See docs/MONITORING.md.

CREATE TRIGGER ind_coop_cooperatives AFTER INSERT OR UPDATE OR DELETE ON coop_cooperatives
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();

-- Rows without a village of their own mark their cooperative's village.
CREATE FUNCTION indicator_mark_cooperative() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = NEW.cooperative_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM coop_cooperatives WHERE id = OLD.cooperative_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ind_coop_members AFTER INSERT OR UPDATE OR DELETE ON coop_members
FOR EACH ROW EXECUTE FUNCTION indicator_mark_cooperative();
CREATE TRIGGER ind_coop_loans AFTER INSERT OR UPDATE OR DELETE ON coop_loans
FOR EACH ROW EXECUTE FUNCTION indicator_mark_cooperative();
CREATE TRIGGER ind_coop_rat AFTER INSERT OR UPDATE OR DELETE ON coop_rat
FOR EACH ROW EXECUTE FUNCTION indicator_mark_cooperative();
-- Savings and loan balances are read from the journal: every posted entry (the journal is
-- append-only, so inserts are the only change) marks its cooperative's village once.
CREATE TRIGGER ind_coop_journal_entries AFTER INSERT ON coop_journal_entries
FOR EACH ROW EXECUTE FUNCTION indicator_mark_cooperative();

-- Data recorded before this migration.
INSERT INTO indicator_dirty (village_code) SELECT DISTINCT village_code FROM coop_cooperatives;
