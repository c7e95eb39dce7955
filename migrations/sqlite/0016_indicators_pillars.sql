-- Monitoring of pillars 2 and 3 and of referrals (issue 7, after issue 6 and migration 0010):
-- dirty marks on their source tables, as in 0014_monitoring. The indicators themselves are in
-- store::indicators::{enterprise, parenting, cases}. See docs/MONITORING.md.

CREATE TRIGGER ind_trainings_i AFTER INSERT ON trainings BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_trainings_u AFTER UPDATE ON trainings BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_trainings_d AFTER DELETE ON trainings BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_mentoring_i AFTER INSERT ON mentoring_visits BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_mentoring_u AFTER UPDATE ON mentoring_visits BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_mentoring_d AFTER DELETE ON mentoring_visits BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_equipment_i AFTER INSERT ON equipment BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_equipment_u AFTER UPDATE ON equipment BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_equipment_d AFTER DELETE ON equipment BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_businesses_i AFTER INSERT ON businesses BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_businesses_u AFTER UPDATE ON businesses BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_businesses_d AFTER DELETE ON businesses BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_remittances_i AFTER INSERT ON remittances BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_remittances_u AFTER UPDATE ON remittances BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_remittances_d AFTER DELETE ON remittances BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_children_i AFTER INSERT ON children BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_children_u AFTER UPDATE ON children BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_children_d AFTER DELETE ON children BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

CREATE TRIGGER ind_parenting_activities_i AFTER INSERT ON parenting_activities BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (NEW.village_code); END;
CREATE TRIGGER ind_parenting_activities_u AFTER UPDATE ON parenting_activities BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code);
  INSERT INTO indicator_dirty (village_code) SELECT NEW.village_code WHERE NEW.village_code <> OLD.village_code; END;
CREATE TRIGGER ind_parenting_activities_d AFTER DELETE ON parenting_activities BEGIN
  INSERT INTO indicator_dirty (village_code) VALUES (OLD.village_code); END;

-- Rows without a village of their own mark their parent's village.

CREATE TRIGGER ind_training_participants_i AFTER INSERT ON training_participants BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM trainings WHERE id = NEW.training_id; END;
CREATE TRIGGER ind_training_participants_u AFTER UPDATE ON training_participants BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM trainings WHERE id IN (OLD.training_id, NEW.training_id); END;
CREATE TRIGGER ind_training_participants_d AFTER DELETE ON training_participants BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM trainings WHERE id = OLD.training_id; END;

CREATE TRIGGER ind_business_reports_i AFTER INSERT ON business_reports BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM businesses WHERE id = NEW.business_id; END;
CREATE TRIGGER ind_business_reports_u AFTER UPDATE ON business_reports BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM businesses WHERE id IN (OLD.business_id, NEW.business_id); END;
CREATE TRIGGER ind_business_reports_d AFTER DELETE ON business_reports BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM businesses WHERE id = OLD.business_id; END;

CREATE TRIGGER ind_activity_children_i AFTER INSERT ON activity_children BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM parenting_activities WHERE id = NEW.activity_id; END;
CREATE TRIGGER ind_activity_children_u AFTER UPDATE ON activity_children BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM parenting_activities WHERE id IN (OLD.activity_id, NEW.activity_id); END;
CREATE TRIGGER ind_activity_children_d AFTER DELETE ON activity_children BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM parenting_activities WHERE id = OLD.activity_id; END;

CREATE TRIGGER ind_child_concerns_i AFTER INSERT ON child_concerns BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM children WHERE id = NEW.child_id; END;
CREATE TRIGGER ind_child_concerns_u AFTER UPDATE ON child_concerns BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM children WHERE id IN (OLD.child_id, NEW.child_id); END;
CREATE TRIGGER ind_child_concerns_d AFTER DELETE ON child_concerns BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM children WHERE id = OLD.child_id; END;

CREATE TRIGGER ind_case_referrals_i AFTER INSERT ON case_referrals BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM cases WHERE id = NEW.case_id; END;
CREATE TRIGGER ind_case_referrals_u AFTER UPDATE ON case_referrals BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM cases WHERE id IN (OLD.case_id, NEW.case_id); END;
CREATE TRIGGER ind_case_referrals_d AFTER DELETE ON case_referrals BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT village_code FROM cases WHERE id = OLD.case_id; END;

-- Referral steps: through the referral to its case.
CREATE TRIGGER ind_referral_events_i AFTER INSERT ON referral_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT c.village_code FROM case_referrals r JOIN cases c ON c.id = r.case_id
  WHERE r.id = NEW.referral_id; END;
CREATE TRIGGER ind_referral_events_u AFTER UPDATE ON referral_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT c.village_code FROM case_referrals r JOIN cases c ON c.id = r.case_id
  WHERE r.id IN (OLD.referral_id, NEW.referral_id); END;
CREATE TRIGGER ind_referral_events_d AFTER DELETE ON referral_events BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT c.village_code FROM case_referrals r JOIN cases c ON c.id = r.case_id
  WHERE r.id = OLD.referral_id; END;

-- "Returnees trained" reads the participant's category: a change marks the trainings' villages.
CREATE TRIGGER ind_persons_trainings_u AFTER UPDATE OF category ON persons WHEN NEW.category <> OLD.category BEGIN
  INSERT INTO indicator_dirty (village_code) SELECT DISTINCT t.village_code FROM training_participants p
  JOIN trainings t ON t.id = p.training_id WHERE p.person_id = NEW.id; END;

-- Data recorded before this migration.
INSERT INTO indicator_dirty (village_code)
  SELECT village_code FROM trainings UNION SELECT village_code FROM mentoring_visits
  UNION SELECT village_code FROM equipment UNION SELECT village_code FROM businesses
  UNION SELECT village_code FROM remittances UNION SELECT village_code FROM children
  UNION SELECT village_code FROM parenting_activities
  UNION SELECT c.village_code FROM case_referrals r JOIN cases c ON c.id = r.case_id;
