-- Issue 14: the chain is keyed with a secret kept outside the database from entry
-- keyed_from on. key_id names the key (a fingerprint, not the key); keying_mac, a MAC under
-- the key over both, stops anyone without the key from moving the switch-over.
-- All NULL until the first start with a key (app::audit_trail).
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_head ADD COLUMN key_id TEXT;
ALTER TABLE audit_head ADD COLUMN keying_mac TEXT;
