-- Loyalty points (issue 16, value and loyalty). Each ledger row says what kind of move it is,
-- so that the reports tell points earned from points redeemed and points expired: earn (a
-- purchase), redeem (a contact in the log), expire (the expiry job), compensation (a
-- complaint), adjust (anything else).
ALTER TABLE points_ledger ADD COLUMN kind TEXT NOT NULL DEFAULT 'adjust'
    CHECK (kind IN ('earn', 'redeem', 'expire', 'compensation', 'adjust'));
UPDATE points_ledger SET kind = 'compensation' WHERE reason LIKE 'compensation for complaint %';
UPDATE points_ledger SET kind = 'earn' WHERE kind = 'adjust' AND purchase_id IS NOT NULL;

-- Points moved in a period, read from the index alone (the reports).
CREATE INDEX points_ledger_at ON points_ledger(at, kind, delta, operator_id);

-- A customer's ledger in the order it happened (balance, history, expiry).
DROP INDEX points_ledger_customer;
CREATE INDEX points_ledger_customer ON points_ledger(customer_id, at);
