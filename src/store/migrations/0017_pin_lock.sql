-- The optional PIN asked at screen start (issue 15): wrong PINs in a row, and when the
-- operator was locked after too many (an admin unlocks).
ALTER TABLE operators ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN locked_at INTEGER;
