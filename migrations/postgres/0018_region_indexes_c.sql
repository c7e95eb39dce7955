-- Region filters in byte order (issue 9). `store::query::within` / `Select::and_within` write
-- "at or inside region CODE" as `(col COLLATE "C" = $a OR (col COLLATE "C" > 'CODE.' AND
-- col COLLATE "C" < 'CODE/'))`: correct under any database collation, but PostgreSQL uses an
-- index for a comparison only when the index has the comparison's collation, and the indexes
-- of the earlier migrations have the database's (often linguistic, e.g. en_US.UTF-8). So every
-- column a region-scoped list filters on gets an index declared `COLLATE "C"`, with the same
-- further columns as the index it mirrors. The older indexes stay: they serve the equality and
-- IN lookups (`village_code = $1`, the indicator refresh's `village_code IN (…)`) and joins,
-- which are written in the database's collation.
--
-- `IF NOT EXISTS`: on a large live database an operator may build these beforehand with
-- `CREATE INDEX CONCURRENTLY` under the same names (this migration then only records itself).

CREATE INDEX IF NOT EXISTS persons_village_c ON persons (village_code COLLATE "C", name_key);
CREATE INDEX IF NOT EXISTS episodes_village_c ON episodes (village_code COLLATE "C", state);
CREATE INDEX IF NOT EXISTS cases_village_c ON cases (village_code COLLATE "C", id);
CREATE INDEX IF NOT EXISTS outreach_events_village_c ON outreach_events (village_code COLLATE "C", held_on);
CREATE INDEX IF NOT EXISTS program_villages_village_c ON program_villages (village_code COLLATE "C");
CREATE INDEX IF NOT EXISTS users_region_c ON users (region_code COLLATE "C");
CREATE INDEX IF NOT EXISTS coop_cooperatives_village_c ON coop_cooperatives (village_code COLLATE "C");
CREATE INDEX IF NOT EXISTS trainings_village_c ON trainings (village_code COLLATE "C", starts_on);
CREATE INDEX IF NOT EXISTS businesses_village_c ON businesses (village_code COLLATE "C", status);
CREATE INDEX IF NOT EXISTS mentoring_village_c ON mentoring_visits (village_code COLLATE "C", visited_on);
CREATE INDEX IF NOT EXISTS equipment_village_c ON equipment (village_code COLLATE "C", in_use);
CREATE INDEX IF NOT EXISTS remittances_village_c ON remittances (village_code COLLATE "C", month);
CREATE INDEX IF NOT EXISTS children_village_c ON children (village_code COLLATE "C", id);
CREATE INDEX IF NOT EXISTS parenting_activities_village_c ON parenting_activities (village_code COLLATE "C", held_on);
