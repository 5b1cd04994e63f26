-- Points given as compensation for a complaint once reached the points ledger but not the
-- customer's balance (the card showed 0 and careline check says so). Each balance that
-- differs from the sum of its ledger is made that sum, as careline check compares them.
UPDATE customers
SET points = (SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE customer_id = customers.id)
WHERE points <> (SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE customer_id = customers.id);
