-- Region filters in byte order (issue 9): nothing to add on SQLite. The range that
-- `store::query::within` writes, `(col = $a OR (col > 'CODE.' AND col < 'CODE/'))`, compares
-- with SQLite's default BINARY collation, which is the collation of the existing
-- `*_village` / `*_region` indexes (0001–0013), so those serve it already. PostgreSQL needs
-- indexes declared `COLLATE "C"`: see migrations/postgres/0018_region_indexes_c.sql.
SELECT 1;
