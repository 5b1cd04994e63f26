-- A resolved complaint waits for its follow-up call (DESIGN §3.4): the queue's follow-up view
-- reads the open follow-ups in the order they fall due, and a complaint row finds its own.
-- Both are small partial indexes: a few thousand follow-ups are open of the hundreds of
-- thousands done, and only reminders made for a complaint carry a complaint id.
CREATE INDEX reminders_complaint_follow_ups ON reminders(due_on, complaint_id)
    WHERE kind = 'complaint_follow_up' AND status IN ('open', 'snoozed');
CREATE INDEX reminders_complaint ON reminders(complaint_id) WHERE complaint_id IS NOT NULL;
-- A resolved complaint's own follow-up day, read from the index alone for each row of a list.
CREATE INDEX reminders_follow_up_of ON reminders(complaint_id, due_on)
    WHERE kind = 'complaint_follow_up' AND status IN ('open', 'snoozed');
-- `complaint show` reads the complaints merged into one (their events and compensations
-- follow it): a handful of the reference database's 200,000 complaints are merged.
CREATE INDEX complaints_merged_into ON complaints(merged_into) WHERE merged_into IS NOT NULL;
