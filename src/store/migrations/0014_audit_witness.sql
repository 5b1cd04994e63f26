-- The audit log for issue 15 (DESIGN §6). Each entry now names the customer it concerns
-- (written by the store, from the entity it is about), so that one customer's trail can be
-- read ("who looked at this record") and so that erasing a customer can remove what the log
-- quotes of them: an entry's detail is chained through a salted digest (`digest` =
-- sha256(salt, detail)), so the detail and its salt can be removed while the chain still
-- verifies, and without the salt the digest says nothing of what was removed.
-- The store re-chains the existing entries in the same transaction, after checking them
-- (schema.rs), and then puts back the append-only triggers, the update one narrowed to that
-- single removal.
DROP TRIGGER IF EXISTS audit_log_no_update;
DROP TRIGGER IF EXISTS audit_log_no_delete;
ALTER TABLE audit_log ADD COLUMN customer_id INTEGER;
ALTER TABLE audit_log ADD COLUMN salt TEXT;
ALTER TABLE audit_log ADD COLUMN digest TEXT;
-- `careline audit list` and the card's audit view read newest first by one of these.
CREATE INDEX audit_log_customer ON audit_log(customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log(actor_login);
CREATE INDEX audit_log_action ON audit_log(action);
CREATE INDEX audit_log_at ON audit_log(at);
