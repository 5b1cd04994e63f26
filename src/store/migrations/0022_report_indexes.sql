-- One operator's reminders due in a period, read from the index alone (the reports narrowed
-- to an operator, issue 16), and still serves what the old one did (assignee and status).
DROP INDEX reminders_assignee;
CREATE INDEX reminders_assignee ON reminders(assignee_id, status, due_on, kind)
    WHERE assignee_id IS NOT NULL;

-- Surveys answered in a period, read from the index alone.
DROP INDEX surveys_at;
CREATE INDEX surveys_at ON surveys(kind, at, score, operator_id);
