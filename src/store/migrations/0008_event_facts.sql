-- What careline itself knows about a complaint event (the amount of a compensation, the CSAT
-- score, the complaint merged, the level and operator of an escalation, the breached clock,
-- the logged contact), as JSON tagged by `type` (see `domain::complaint_fact::EventFact`), so
-- that each screen words it in its own language. `text` keeps only what a person typed.
-- Events written before this column have none: their text reads as it was written.
ALTER TABLE complaint_events ADD COLUMN facts TEXT;
