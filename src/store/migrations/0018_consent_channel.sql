-- How a customer gave or withdrew marketing consent (issue 15, DESIGN §6): consent is recorded
-- with its date and channel; each change is in the audit trail, old → new.
ALTER TABLE customers ADD COLUMN consent_channel TEXT;
