-- The reports read a year of contacts in well under a second (issue 16): the interaction log
-- is summed by day as it is written. A row holds the contacts, as last corrected, that started
-- on one UTC day (started_at / 86400) by one operator on one channel, direction and wrap-up
-- code. A report adds the whole days of its period from here and counts the part-days at its
-- edges from the log itself, so the sums serve every time zone. `careline check` recounts them.
CREATE TABLE contact_days (
    day            INTEGER NOT NULL,
    operator_id    INTEGER NOT NULL,
    channel        TEXT    NOT NULL,
    direction      TEXT    NOT NULL,
    disposition    TEXT    NOT NULL,
    contacts       INTEGER NOT NULL,
    -- contacts with an end at or after their start, and the seconds between
    handled        INTEGER NOT NULL,
    handle_seconds INTEGER NOT NULL,
    PRIMARY KEY (day, operator_id, channel, direction, disposition)
) WITHOUT ROWID;

INSERT INTO contact_days
SELECT started_at / 86400, operator_id, channel, direction, disposition, count(*),
       count(CASE WHEN ended_at >= started_at THEN 1 END),
       COALESCE(sum(CASE WHEN ended_at >= started_at THEN ended_at - started_at END), 0)
  FROM interactions i
 WHERE NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)
 GROUP BY 1, 2, 3, 4, 5;

-- The log is append-only, so a new entry is all that moves the sums: it counts, and the entry
-- it corrects (unless an earlier correction already replaced it) stops counting.
CREATE TRIGGER contact_days_count AFTER INSERT ON interactions
BEGIN
    UPDATE contact_days
       SET contacts = contacts - 1,
           handled = handled - (CASE WHEN o.ended_at >= o.started_at THEN 1 ELSE 0 END),
           handle_seconds = handle_seconds
               - (CASE WHEN o.ended_at >= o.started_at THEN o.ended_at - o.started_at ELSE 0 END)
      FROM (SELECT * FROM interactions WHERE id = NEW.amends_id) AS o
     WHERE contact_days.day = o.started_at / 86400 AND contact_days.operator_id = o.operator_id
       AND contact_days.channel = o.channel AND contact_days.direction = o.direction
       AND contact_days.disposition = o.disposition
       AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = o.id AND a.id <> NEW.id);
    INSERT INTO contact_days
    VALUES (NEW.started_at / 86400, NEW.operator_id, NEW.channel, NEW.direction,
            NEW.disposition, 1,
            CASE WHEN NEW.ended_at >= NEW.started_at THEN 1 ELSE 0 END,
            CASE WHEN NEW.ended_at >= NEW.started_at THEN NEW.ended_at - NEW.started_at ELSE 0 END)
    ON CONFLICT (day, operator_id, channel, direction, disposition) DO UPDATE
       SET contacts = contacts + 1, handled = handled + excluded.handled,
           handle_seconds = handle_seconds + excluded.handle_seconds;
END;

-- Who bought in a period, read from the index alone (retention, active customers).
DROP INDEX purchases_day;
CREATE INDEX purchases_day ON purchases(purchased_on, customer_id);

-- Replies owed by a reply-by in a period, answered or not.
CREATE INDEX interactions_reply_by ON interactions(reply_by, replied_at, started_at, operator_id)
    WHERE reply_by IS NOT NULL;
