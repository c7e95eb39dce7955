-- Branch offices of placement companies (P3MI): where a villager can find them.
CREATE TABLE agency_branches (
    id          INTEGER PRIMARY KEY,
    agency_id   BIGINT NOT NULL REFERENCES agencies(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    address     TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX agency_branches_agency ON agency_branches(agency_id);
CREATE INDEX agency_branches_region ON agency_branches(region_code);
