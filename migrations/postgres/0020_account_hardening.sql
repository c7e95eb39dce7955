-- Issue 14: an account whose password someone else set (an admin creating or resetting it,
-- a generated first admin) must choose its own at the next login.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
-- The cursor signing key came from md5(random()), which is not a secret source. Empty it:
-- the server draws a new key from the OS random source on first use (store::exchange::cursor_key).
-- Sync cursors issued before this migration are refused once; clients restart from updated_since.
UPDATE exchange_keys SET cursor_key = '';
