-- Region updates (issue 19): codes gone from a new Kemendagri release are never deleted
-- (every pillar references them) but retired, with the code that replaces them when known.
-- retired_at is Unix seconds; NULL means current.
ALTER TABLE regions ADD COLUMN retired_at BIGINT;
ALTER TABLE regions ADD COLUMN successor_code TEXT REFERENCES regions(code);
CREATE INDEX regions_retired ON regions(retired_at) WHERE retired_at IS NOT NULL;
