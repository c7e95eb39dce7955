-- Issue 18: the worklist's change stamps (see the SQLite migration for the why). Row locks on a
-- village's stamp serialise only writers of the same village (the national row: writers of
-- the registries and broker reports).
CREATE TABLE worklist_stamps (
    village_code TEXT PRIMARY KEY,
    stamp        BIGINT NOT NULL
);

CREATE FUNCTION worklist_bump(v TEXT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO worklist_stamps (village_code, stamp) VALUES (v, 1)
  ON CONFLICT (village_code) DO UPDATE SET stamp = worklist_stamps.stamp + 1;
$$;

CREATE FUNCTION worklist_mark_village() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM worklist_bump(NEW.village_code);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM worklist_bump(OLD.village_code);
  ELSE
    PERFORM worklist_bump(OLD.village_code);
    IF NEW.village_code <> OLD.village_code THEN
      PERFORM worklist_bump(NEW.village_code);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION worklist_mark_episode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM worklist_bump(village_code) FROM episodes WHERE id = NEW.episode_id;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM worklist_bump(village_code) FROM episodes WHERE id = OLD.episode_id;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION worklist_mark_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM worklist_bump(v) FROM (SELECT DISTINCT village_code AS v FROM episodes WHERE person_id = NEW.person_id) t;
  ELSE
    PERFORM worklist_bump(v) FROM (SELECT DISTINCT village_code AS v FROM episodes WHERE person_id = OLD.person_id) t;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION worklist_mark_person_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM worklist_bump(v) FROM (SELECT DISTINCT village_code AS v FROM episodes WHERE person_id = NEW.id) t;
  RETURN NULL;
END $$;

CREATE FUNCTION worklist_mark_national() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM worklist_bump('');
  RETURN NULL;
END $$;

CREATE TRIGGER wl_episodes AFTER INSERT OR UPDATE OR DELETE ON episodes
FOR EACH ROW EXECUTE FUNCTION worklist_mark_village();
CREATE TRIGGER wl_episode_documents AFTER INSERT OR UPDATE OR DELETE ON episode_documents
FOR EACH ROW EXECUTE FUNCTION worklist_mark_episode();
CREATE TRIGGER wl_episode_costs AFTER INSERT OR UPDATE OR DELETE ON episode_costs
FOR EACH ROW EXECUTE FUNCTION worklist_mark_episode();
CREATE TRIGGER wl_persons AFTER UPDATE OF full_name, birth_date ON persons
FOR EACH ROW EXECUTE FUNCTION worklist_mark_person_row();
CREATE TRIGGER wl_bpjs_memberships AFTER INSERT OR UPDATE OR DELETE ON bpjs_memberships
FOR EACH ROW EXECUTE FUNCTION worklist_mark_person();
CREATE TRIGGER wl_agencies AFTER INSERT OR UPDATE OR DELETE ON agencies
FOR EACH ROW EXECUTE FUNCTION worklist_mark_national();
CREATE TRIGGER wl_job_orders AFTER INSERT OR UPDATE OR DELETE ON job_orders
FOR EACH ROW EXECUTE FUNCTION worklist_mark_national();
CREATE TRIGGER wl_brokers AFTER INSERT OR UPDATE OR DELETE ON brokers
FOR EACH ROW EXECUTE FUNCTION worklist_mark_national();
CREATE TRIGGER wl_broker_aliases AFTER INSERT OR UPDATE OR DELETE ON broker_aliases
FOR EACH ROW EXECUTE FUNCTION worklist_mark_national();
CREATE TRIGGER wl_broker_reports AFTER INSERT OR UPDATE OR DELETE ON broker_reports
FOR EACH ROW EXECUTE FUNCTION worklist_mark_national();
CREATE TRIGGER wl_broker_episodes AFTER INSERT OR UPDATE OR DELETE ON broker_episodes
FOR EACH ROW EXECUTE FUNCTION worklist_mark_national();
