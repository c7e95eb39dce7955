-- Issue 18: the worklist's change stamps. A server keeps each area's computed worklist (risk
-- flags, expiring documents, returns due) while the sum of its villages' stamps and the
-- national row ('') stay the same and the day has not turned (app::worklist). Triggers move
-- the stamps in the writing transaction, so no code path can forget to, and servers sharing a
-- database see each other's writes. Stamps only grow: a sum over an area changes whenever one
-- of its villages does.
CREATE TABLE worklist_stamps (
    village_code TEXT PRIMARY KEY,
    stamp        BIGINT NOT NULL
);

-- What a village's open episodes show: the episode, its documents and costs, its person's
-- name and birth date, the person's social-security membership.
CREATE TRIGGER wl_episodes_i AFTER INSERT ON episodes BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES (NEW.village_code, 1)
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_episodes_u AFTER UPDATE ON episodes BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES (OLD.village_code, 1)
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1;
  INSERT INTO worklist_stamps (village_code, stamp) SELECT NEW.village_code, 1 WHERE NEW.village_code <> OLD.village_code
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_episodes_d AFTER DELETE ON episodes BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES (OLD.village_code, 1)
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;

CREATE TRIGGER wl_episode_documents_i AFTER INSERT ON episode_documents BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT village_code, 1 FROM episodes WHERE id = NEW.episode_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_episode_documents_u AFTER UPDATE ON episode_documents BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT village_code, 1 FROM episodes WHERE id = NEW.episode_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_episode_documents_d AFTER DELETE ON episode_documents BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT village_code, 1 FROM episodes WHERE id = OLD.episode_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;

CREATE TRIGGER wl_episode_costs_i AFTER INSERT ON episode_costs BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT village_code, 1 FROM episodes WHERE id = NEW.episode_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_episode_costs_u AFTER UPDATE ON episode_costs BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT village_code, 1 FROM episodes WHERE id = NEW.episode_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_episode_costs_d AFTER DELETE ON episode_costs BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT village_code, 1 FROM episodes WHERE id = OLD.episode_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;

CREATE TRIGGER wl_persons_u AFTER UPDATE OF full_name, birth_date ON persons BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT DISTINCT village_code, 1 FROM episodes WHERE person_id = NEW.id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;

CREATE TRIGGER wl_bpjs_memberships_i AFTER INSERT ON bpjs_memberships BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT DISTINCT village_code, 1 FROM episodes WHERE person_id = NEW.person_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_bpjs_memberships_u AFTER UPDATE ON bpjs_memberships BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT DISTINCT village_code, 1 FROM episodes WHERE person_id = NEW.person_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_bpjs_memberships_d AFTER DELETE ON bpjs_memberships BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) SELECT DISTINCT village_code, 1 FROM episodes WHERE person_id = OLD.person_id
  ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;

-- What any village's flags may read: the registries (licences, job orders) and the broker
-- reports, matched by name across a district. These move the national row.
CREATE TRIGGER wl_agencies_i AFTER INSERT ON agencies BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_agencies_u AFTER UPDATE ON agencies BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_agencies_d AFTER DELETE ON agencies BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_job_orders_i AFTER INSERT ON job_orders BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_job_orders_u AFTER UPDATE ON job_orders BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_job_orders_d AFTER DELETE ON job_orders BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_brokers_i AFTER INSERT ON brokers BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_brokers_u AFTER UPDATE ON brokers BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_brokers_d AFTER DELETE ON brokers BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_aliases_i AFTER INSERT ON broker_aliases BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_aliases_u AFTER UPDATE ON broker_aliases BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_aliases_d AFTER DELETE ON broker_aliases BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_reports_i AFTER INSERT ON broker_reports BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_reports_u AFTER UPDATE ON broker_reports BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_reports_d AFTER DELETE ON broker_reports BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_episodes_i AFTER INSERT ON broker_episodes BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_episodes_u AFTER UPDATE ON broker_episodes BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
CREATE TRIGGER wl_broker_episodes_d AFTER DELETE ON broker_episodes BEGIN
  INSERT INTO worklist_stamps (village_code, stamp) VALUES ('', 1) ON CONFLICT (village_code) DO UPDATE SET stamp = stamp + 1; END;
