-- Issue 14: an account whose password someone else set (an admin creating or resetting it,
-- a generated first admin) must choose its own at the next login.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
-- The SQLite cursor key came from randomblob (the OS source): kept, so open sync cursors stay valid.
