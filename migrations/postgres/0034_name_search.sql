-- Issue 18: name search without a scan. A trigram GIN index on the spelling keys
-- (persons.name_key, domain::name) serves the search's `name_key LIKE '%word%'` directly,
-- so the query and its results are those of before; PostgreSQL keeps the index current on
-- every insert, correction and delete. pg_trgm is a trusted extension (the database owner
-- may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS persons_name_trgm ON persons USING gin (name_key gin_trgm_ops);
