-- What careline knows about why a generated reminder exists (the birthday, the holiday and
-- its day, the purchase, the expiry, the day a return visit counts from), as JSON tagged by
-- `type` (see `domain::care::CareFact`), so that each screen words it in its own language.
ALTER TABLE reminders ADD COLUMN facts TEXT;

-- Post-purchase follow-ups read the purchases of a few days.
CREATE INDEX purchases_day ON purchases(purchased_on);

-- Generation runs at most once a day per database at screen start: the day it ran, when it
-- began and ended (a run that never ended may be taken over after a while), and what it made.
CREATE TABLE care_runs (
    day          TEXT    PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    created      INTEGER
);
