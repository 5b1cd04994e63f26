-- The interaction log (DESIGN §3.3): replies that answer inbound email and chat, and the
-- append-only rule enforced by the database itself.

-- When an inbound contact that needed a reply got one, and which logged contact it was.
-- These are the only columns of a saved interaction that ever change (besides customer_id,
-- which a merge moves to the surviving record).
ALTER TABLE interactions ADD COLUMN replied_at INTEGER;
ALTER TABLE interactions ADD COLUMN reply_id INTEGER REFERENCES interactions(id);

-- Contacts still waiting for a reply, by deadline: the Log pane's "due replies".
DROP INDEX interactions_reply_by;
CREATE INDEX interactions_awaiting_reply ON interactions(reply_by)
    WHERE reply_by IS NOT NULL AND replied_at IS NULL;

-- Saved interactions are never edited in place: a correction is a new entry that amends the
-- old one. Nothing may rewrite what was logged, and nothing may delete it.
CREATE TRIGGER interactions_append_only
BEFORE UPDATE OF operator_id, channel, direction, disposition, started_at, ended_at, summary,
    feedback, complaint_id, reminder_id, follow_up_on, reply_by, amends_id, created_at
ON interactions
BEGIN SELECT RAISE(ABORT, 'interactions are append-only; log an amendment instead'); END;

CREATE TRIGGER interactions_no_delete BEFORE DELETE ON interactions
BEGIN SELECT RAISE(ABORT, 'interactions are append-only; log an amendment instead'); END;

-- "Only me" follow-ups that may need to go to anyone, by due time.
CREATE INDEX reminders_own_follow_ups ON reminders(due_at)
    WHERE kind = 'follow_up' AND scope = 'me' AND status IN ('open', 'snoozed');
