-- A report read from indexes whose pages lie together (issue 16): a cold file then reads a
-- few contiguous index pages instead of table pages spread over the whole file.
--
-- The pipeline: every stage an opportunity took before the period's end, and the
-- opportunities created before it with their owner and amount.
CREATE INDEX opportunity_events_stage ON opportunity_events(at, opportunity_id, to_stage);
CREATE INDEX opportunities_created ON opportunities(created_at, owner_id, amount);

-- The complaints, by the last moment anything of theirs happened or fell due (opening, each
-- step, each deadline): a period reads only those with a moment at or after its start, every
-- column the report counts from the index itself.
CREATE INDEX complaints_last_moment ON complaints(
    max(opened_at, coalesce(acknowledged_at, 0), coalesce(proposed_at, 0),
        coalesce(resolved_at, 0), coalesce(closed_at, 0), coalesce(paused_at, 0),
        coalesce(ack_due_at, 0), coalesce(propose_due_at, 0), coalesce(resolve_due_at, 0)),
    status, opened_by, assignee_id, category, opened_at, acknowledged_at, proposed_at,
    resolved_at, closed_at, paused_at, ack_due_at, propose_due_at, resolve_due_at);
