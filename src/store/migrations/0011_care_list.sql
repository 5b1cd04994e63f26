-- The Care list reads each part (overdue, today, upcoming) kind by kind in due order, only as
-- far as it shows: an index by status, kind and day makes each of those a short range, however
-- many reminders are open (a follow-up's time of day next, so that the order is the index's and
-- nothing is sorted). One by assignee finds "mine" without reading everyone's.
CREATE INDEX reminders_kind_due ON reminders(status, kind, due_on, due_at);
CREATE INDEX reminders_assignee ON reminders(assignee_id, status) WHERE assignee_id IS NOT NULL;
