-- The reminders due in a period, read from a few hundred rows (issue 16): reminders counted by
-- the day they are due, kind, who they are kept for (0 for anyone) and status, kept by triggers
-- in the same transaction as every reminder written, changed or deleted. Due days are the
-- centre's own days, so a period reads its days whole. `careline check` recounts them.
CREATE TABLE reminder_days (
    day          TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    assignee_id  INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    reminders    INTEGER NOT NULL,
    PRIMARY KEY (day, kind, assignee_id, status)
) WITHOUT ROWID;

INSERT INTO reminder_days
SELECT due_on, kind, coalesce(assignee_id, 0), status, count(*)
  FROM reminders GROUP BY 1, 2, 3, 4;

CREATE TRIGGER reminder_days_add AFTER INSERT ON reminders
BEGIN
    INSERT INTO reminder_days
    VALUES (NEW.due_on, NEW.kind, coalesce(NEW.assignee_id, 0), NEW.status, 1)
    ON CONFLICT (day, kind, assignee_id, status) DO UPDATE SET reminders = reminders + 1;
END;

CREATE TRIGGER reminder_days_remove AFTER DELETE ON reminders
BEGIN
    UPDATE reminder_days SET reminders = reminders - 1
     WHERE day = OLD.due_on AND kind = OLD.kind
       AND assignee_id = coalesce(OLD.assignee_id, 0) AND status = OLD.status;
END;

CREATE TRIGGER reminder_days_change AFTER UPDATE OF due_on, kind, assignee_id, status ON reminders
BEGIN
    UPDATE reminder_days SET reminders = reminders - 1
     WHERE day = OLD.due_on AND kind = OLD.kind
       AND assignee_id = coalesce(OLD.assignee_id, 0) AND status = OLD.status;
    INSERT INTO reminder_days
    VALUES (NEW.due_on, NEW.kind, coalesce(NEW.assignee_id, 0), NEW.status, 1)
    ON CONFLICT (day, kind, assignee_id, status) DO UPDATE SET reminders = reminders + 1;
END;
