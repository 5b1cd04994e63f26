-- The reports read a year of points in a few milliseconds (issue 16), as they read the
-- contacts: the points ledger is summed by UTC day (at / 86400), by who wrote the row (0 for
-- nobody) and by kind, in the same transaction as every row written, changed or erased. A
-- report adds the whole days of its period from here and reads the part-days at its edges from
-- the ledger itself. `careline check` recounts them.
CREATE TABLE points_days (
    day          INTEGER NOT NULL,
    operator_id  INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    -- the sum of the positive deltas, and of the negative ones as taken (a positive number)
    gained       INTEGER NOT NULL,
    taken        INTEGER NOT NULL,
    moves        INTEGER NOT NULL,
    PRIMARY KEY (day, operator_id, kind)
) WITHOUT ROWID;

INSERT INTO points_days
SELECT at / 86400, coalesce(operator_id, 0), kind,
       COALESCE(sum(CASE WHEN delta > 0 THEN delta END), 0),
       COALESCE(sum(CASE WHEN delta < 0 THEN -delta END), 0), count(*)
  FROM points_ledger GROUP BY 1, 2, 3;

CREATE TRIGGER points_days_add AFTER INSERT ON points_ledger
BEGIN
    INSERT INTO points_days
    VALUES (NEW.at / 86400, coalesce(NEW.operator_id, 0), NEW.kind, max(NEW.delta, 0),
            max(-NEW.delta, 0), 1)
    ON CONFLICT (day, operator_id, kind) DO UPDATE
       SET gained = gained + excluded.gained, taken = taken + excluded.taken,
           moves = moves + 1;
END;

CREATE TRIGGER points_days_remove AFTER DELETE ON points_ledger
BEGIN
    UPDATE points_days
       SET gained = gained - max(OLD.delta, 0), taken = taken - max(-OLD.delta, 0),
           moves = moves - 1
     WHERE day = OLD.at / 86400 AND operator_id = coalesce(OLD.operator_id, 0)
       AND kind = OLD.kind;
END;

CREATE TRIGGER points_days_change AFTER UPDATE OF delta, at, kind, operator_id ON points_ledger
BEGIN
    UPDATE points_days
       SET gained = gained - max(OLD.delta, 0), taken = taken - max(-OLD.delta, 0),
           moves = moves - 1
     WHERE day = OLD.at / 86400 AND operator_id = coalesce(OLD.operator_id, 0)
       AND kind = OLD.kind;
    INSERT INTO points_days
    VALUES (NEW.at / 86400, coalesce(NEW.operator_id, 0), NEW.kind, max(NEW.delta, 0),
            max(-NEW.delta, 0), 1)
    ON CONFLICT (day, operator_id, kind) DO UPDATE
       SET gained = gained + excluded.gained, taken = taken + excluded.taken,
           moves = moves + 1;
END;
