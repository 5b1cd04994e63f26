-- Sales opportunities (issue 16 item 4): a possible sale to a customer, its stage, and the
-- history of its stages. The stage rules are in src/domain/opportunity.rs.
CREATE TABLE opportunities (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    title           TEXT    NOT NULL,
    product         TEXT,
    -- fen (hundredths of a yuan)
    amount          INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),
    stage           TEXT    NOT NULL CHECK (stage IN
                        ('lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost')),
    -- a local day, YYYY-MM-DD
    expected_close  TEXT,
    owner_id        INTEGER NOT NULL REFERENCES operators(id),
    created_by      INTEGER NOT NULL REFERENCES operators(id),
    created_at      INTEGER NOT NULL,
    -- when it was last won or lost, none while open
    closed_at       INTEGER,
    lost_reason     TEXT,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX opportunities_customer ON opportunities(customer_id, stage);
CREATE INDEX opportunities_owner ON opportunities(owner_id, stage);

-- Every stage an opportunity took: its creation (from_stage NULL) and each move, with who,
-- when and why. Appended, never rewritten, except that erasing the customer may rewrite the
-- reason where it quotes them.
CREATE TABLE opportunity_events (
    id              INTEGER PRIMARY KEY,
    opportunity_id  INTEGER NOT NULL REFERENCES opportunities(id),
    operator_id     INTEGER NOT NULL REFERENCES operators(id),
    at              INTEGER NOT NULL,
    from_stage      TEXT,
    to_stage        TEXT    NOT NULL,
    reason          TEXT
);
CREATE INDEX opportunity_events_opportunity ON opportunity_events(opportunity_id, at);
CREATE INDEX opportunity_events_at ON opportunity_events(at);

CREATE TRIGGER opportunity_events_append_only
BEFORE UPDATE OF opportunity_id, operator_id, at, from_stage, to_stage ON opportunity_events
BEGIN SELECT RAISE(ABORT, 'opportunity events are append-only'); END;
CREATE TRIGGER opportunity_events_kept
BEFORE DELETE ON opportunity_events
BEGIN SELECT RAISE(ABORT, 'opportunity events are append-only'); END;
