-- Monitoring of pillars 2 and 3 and of referrals (issue 7, after issue 6 and migration 0010):
-- dirty marks on their source tables, as in 0014_monitoring. The indicators themselves are in
-- store::indicators::{enterprise, parenting, cases}. See docs/MONITORING.md.

CREATE TRIGGER ind_trainings AFTER INSERT OR UPDATE OR DELETE ON trainings
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();
CREATE TRIGGER ind_mentoring_visits AFTER INSERT OR UPDATE OR DELETE ON mentoring_visits
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();
CREATE TRIGGER ind_equipment AFTER INSERT OR UPDATE OR DELETE ON equipment
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();
CREATE TRIGGER ind_businesses AFTER INSERT OR UPDATE OR DELETE ON businesses
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();
CREATE TRIGGER ind_remittances AFTER INSERT OR UPDATE OR DELETE ON remittances
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();
CREATE TRIGGER ind_children AFTER INSERT OR UPDATE OR DELETE ON children
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();
CREATE TRIGGER ind_parenting_activities AFTER INSERT OR UPDATE OR DELETE ON parenting_activities
FOR EACH ROW EXECUTE FUNCTION indicator_mark_village();

-- Rows without a village of their own mark their parent's village.
CREATE TRIGGER ind_case_referrals AFTER INSERT OR UPDATE OR DELETE ON case_referrals
FOR EACH ROW EXECUTE FUNCTION indicator_mark_case();

CREATE FUNCTION indicator_mark_training() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM trainings WHERE id = NEW.training_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM trainings WHERE id = OLD.training_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ind_training_participants AFTER INSERT OR UPDATE OR DELETE ON training_participants
FOR EACH ROW EXECUTE FUNCTION indicator_mark_training();

CREATE FUNCTION indicator_mark_business() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM businesses WHERE id = NEW.business_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM businesses WHERE id = OLD.business_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ind_business_reports AFTER INSERT OR UPDATE OR DELETE ON business_reports
FOR EACH ROW EXECUTE FUNCTION indicator_mark_business();

CREATE FUNCTION indicator_mark_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM parenting_activities WHERE id = NEW.activity_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM parenting_activities WHERE id = OLD.activity_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ind_activity_children AFTER INSERT OR UPDATE OR DELETE ON activity_children
FOR EACH ROW EXECUTE FUNCTION indicator_mark_activity();

CREATE FUNCTION indicator_mark_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM children WHERE id = NEW.child_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO indicator_dirty (village_code) SELECT village_code FROM children WHERE id = OLD.child_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ind_child_concerns AFTER INSERT OR UPDATE OR DELETE ON child_concerns
FOR EACH ROW EXECUTE FUNCTION indicator_mark_child();

-- Referral steps: through the referral to its case.
CREATE FUNCTION indicator_mark_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO indicator_dirty (village_code) SELECT c.village_code FROM case_referrals r
      JOIN cases c ON c.id = r.case_id WHERE r.id = NEW.referral_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO indicator_dirty (village_code) SELECT c.village_code FROM case_referrals r
      JOIN cases c ON c.id = r.case_id WHERE r.id = OLD.referral_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ind_referral_events AFTER INSERT OR UPDATE OR DELETE ON referral_events
FOR EACH ROW EXECUTE FUNCTION indicator_mark_referral();

-- "Returnees trained" reads the participant's category: a change marks the trainings' villages.
CREATE FUNCTION indicator_mark_person_trainings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT DISTINCT t.village_code FROM training_participants p
    JOIN trainings t ON t.id = p.training_id WHERE p.person_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER ind_persons_trainings AFTER UPDATE OF category ON persons
FOR EACH ROW WHEN (NEW.category IS DISTINCT FROM OLD.category) EXECUTE FUNCTION indicator_mark_person_trainings();

-- Data recorded before this migration.
INSERT INTO indicator_dirty (village_code)
  SELECT village_code FROM trainings UNION SELECT village_code FROM mentoring_visits
  UNION SELECT village_code FROM equipment UNION SELECT village_code FROM businesses
  UNION SELECT village_code FROM remittances UNION SELECT village_code FROM children
  UNION SELECT village_code FROM parenting_activities
  UNION SELECT c.village_code FROM case_referrals r JOIN cases c ON c.id = r.case_id;
