-- Generating care reminders writes hundreds of thousands of rows at once (issue 14: a million
-- customers in under 20 s), each into every index of the table, and a second run the same day
-- reads every customer's source keys (under 5 s). So:
-- - the due count reads `reminders_kind_due` (status, kind, day), kind by kind, so
--   `reminders_due` (status, day) was one more index to write for nothing;
-- - a customer's source keys are read from the customer index alone, not row by row;
-- - each customer's last return visit worked (done or skipped) is read from an index of those
--   alone: a reminder enters it when worked, never when generated.
DROP INDEX reminders_due;
DROP INDEX reminders_customer;
CREATE INDEX reminders_customer ON reminders(customer_id, status, source_key);
CREATE INDEX reminders_return_visits ON reminders(customer_id, updated_at)
    WHERE kind = 'return_visit' AND status IN ('done', 'skipped');
