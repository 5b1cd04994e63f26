-- Asking for access to a confidential record (issue 15, DESIGN §6): an operator asks with a
-- reason; a supervisor grants (a row in `grants`, time-limited) or refuses, with a note.
CREATE TABLE access_requests (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    operator_id    INTEGER NOT NULL REFERENCES operators(id),
    reason         TEXT    NOT NULL,
    requested_at   INTEGER NOT NULL,
    decision       TEXT    CHECK (decision IN ('granted', 'refused')),
    decided_by     INTEGER REFERENCES operators(id),
    decided_at     INTEGER,
    note           TEXT,
    grant_id       INTEGER REFERENCES grants(id)
);
-- The supervisors' list of requests waiting, oldest first.
CREATE INDEX access_requests_open ON access_requests(requested_at) WHERE decision IS NULL;
CREATE INDEX access_requests_customer ON access_requests(customer_id);
