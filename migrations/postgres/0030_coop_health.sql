-- The health assessment's management questionnaire (issue 20, track health): the board's
-- yes/no answers per year, encoded by domain::cooperative::health::ManagementAnswers
-- ("general:1101…;institution:…"). The financial ratios are computed from the books and
-- not stored.
CREATE TABLE coop_health_answers (
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    year            INTEGER NOT NULL,
    answers         TEXT NOT NULL,
    updated_by      BIGINT REFERENCES users(id),
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, year)
);

-- Recorded assessments: the worksheet's total and predicate of a year as the board recorded it
-- (recomputed and replaced when recorded again). Monitoring counts each cooperative's latest
-- recorded year per predicate (store::indicators::cooperative, `coop_health_*`).
CREATE TABLE coop_health_results (
    cooperative_id  BIGINT NOT NULL REFERENCES coop_cooperatives(id),
    year            INTEGER NOT NULL,
    total_cp        INTEGER NOT NULL,
    predicate       TEXT NOT NULL,
    recorded_by     BIGINT REFERENCES users(id),
    recorded_at     BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, year)
);
CREATE TRIGGER ind_coop_health AFTER INSERT OR UPDATE OR DELETE ON coop_health_results
FOR EACH ROW EXECUTE FUNCTION indicator_mark_cooperative();
