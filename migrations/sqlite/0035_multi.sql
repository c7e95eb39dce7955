-- Issue 18, track multi: state that several app servers on one database must share, and the
-- cooperative books' running balances.

-- Rate-limit token buckets (exchange clients, public broker reports): in the database so that
-- a client spread over several servers gets its rate once, not once per server. `at` is wall
-- clock seconds (fractional) of the last refill; a bucket idle for an hour is full again and
-- is purged with expired sessions.
CREATE TABLE rate_buckets (
    bucket_key  TEXT PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    at          DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_buckets_at ON rate_buckets(at);

-- Running balances per cooperative × account × month, kept by the trigger below in the same
-- transaction as each journal line (lines are never updated or deleted), so a trial balance
-- or balance sheet reads a few rows per account instead of summing every line.
CREATE TABLE coop_account_balances (
    cooperative_id  BIGINT NOT NULL,
    account         TEXT NOT NULL,
    -- YYYY-MM of the lines' entry_date.
    month           TEXT NOT NULL,
    debit           BIGINT NOT NULL,
    credit          BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, account, month)
);

INSERT INTO coop_account_balances (cooperative_id, account, month, debit, credit)
SELECT cooperative_id, account, substr(entry_date, 1, 7), SUM(debit), SUM(credit)
  FROM coop_journal_lines GROUP BY cooperative_id, account, substr(entry_date, 1, 7);

CREATE TRIGGER coop_lines_running_balance AFTER INSERT ON coop_journal_lines
BEGIN
    INSERT INTO coop_account_balances (cooperative_id, account, month, debit, credit)
    VALUES (NEW.cooperative_id, NEW.account, substr(NEW.entry_date, 1, 7), NEW.debit, NEW.credit)
    ON CONFLICT (cooperative_id, account, month)
    DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit;
END;
