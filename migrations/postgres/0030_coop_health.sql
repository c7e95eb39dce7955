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
