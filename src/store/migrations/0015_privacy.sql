-- Data-subject rights (issue 15, DESIGN §6). Exporting everything held about a person and
-- erasing them take a permission of its own, apart from the roles: an admin gives it to the
-- few who answer such requests. The first admin has it, so that a desk can always answer one.
ALTER TABLE operators ADD COLUMN privacy INTEGER NOT NULL DEFAULT 0;
UPDATE operators SET privacy = 1
 WHERE id = (SELECT min(id) FROM operators WHERE role = 'admin');

-- Logged contacts stay append-only, except that erasing a customer may rewrite what their
-- summary and feedback quote of them: only those two columns, and only once the customer is
-- marked erased (in the same transaction, before).
DROP TRIGGER interactions_append_only;
CREATE TRIGGER interactions_append_only
BEFORE UPDATE OF operator_id, channel, direction, disposition, started_at, ended_at, summary,
    feedback, complaint_id, reminder_id, follow_up_on, reply_by, amends_id, created_at
ON interactions
WHEN NOT ((SELECT erased_at FROM customers WHERE id = old.customer_id) IS NOT NULL
          AND new.operator_id IS old.operator_id AND new.channel IS old.channel
          AND new.direction IS old.direction AND new.disposition IS old.disposition
          AND new.started_at IS old.started_at AND new.ended_at IS old.ended_at
          AND new.complaint_id IS old.complaint_id AND new.reminder_id IS old.reminder_id
          AND new.follow_up_on IS old.follow_up_on AND new.reply_by IS old.reply_by
          AND new.amends_id IS old.amends_id AND new.created_at IS old.created_at)
BEGIN SELECT RAISE(ABORT, 'interactions are append-only; log an amendment instead'); END;
