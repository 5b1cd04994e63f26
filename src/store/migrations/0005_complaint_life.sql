-- The complaint's life (issue 13): the status `merged`; what its clocks need to be shown and
-- ordered without reading its events (the calendar its deadlines were counted in, the VIP
-- targets it opened with, the status a wait returns to, the last reopening, the moment each
-- clock turns "due soon", and the next clock's deadline for the queue); what the automatic
-- escalation has already done (once per clock); and events written by careline itself
-- (`system`: no operator).
-- careline: foreign_keys off (SQLite's way to change a CHECK: a new table copied over)

CREATE TABLE complaints_new (
    id                 INTEGER PRIMARY KEY,
    customer_id        INTEGER NOT NULL REFERENCES customers(id),
    opened_by          INTEGER NOT NULL REFERENCES operators(id),
    assignee_id        INTEGER REFERENCES operators(id),
    category           TEXT    NOT NULL CHECK (category IN ('product_quality', 'service_attitude', 'after_sales', 'price', 'delivery', 'other')),
    severity           TEXT    NOT NULL CHECK (severity IN ('low', 'normal', 'high', 'critical')),
    status             TEXT    NOT NULL CHECK (status IN ('new', 'acknowledged', 'in_progress', 'escalated', 'waiting', 'solution_proposed', 'resolved', 'closed', 'reopened', 'merged')),
    title              TEXT    NOT NULL,
    description        TEXT,
    channel            TEXT,
    opened_at          INTEGER NOT NULL,
    acknowledged_at    INTEGER,
    proposed_at        INTEGER,
    resolved_at        INTEGER,
    closed_at          INTEGER,
    ack_due_at         INTEGER NOT NULL,
    propose_due_at     INTEGER NOT NULL,
    resolve_due_at     INTEGER NOT NULL,
    paused_at          INTEGER,
    -- working seconds the resolution clock spent paused (waiting), over the complaint's life
    paused_seconds     INTEGER NOT NULL DEFAULT 0,
    waiting_reason     TEXT,
    escalation_level   INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
    csat               INTEGER CHECK (csat BETWEEN 1 AND 5),
    merged_into        INTEGER REFERENCES complaints(id),
    version            INTEGER NOT NULL DEFAULT 1,
    -- the status a wait goes back to
    waiting_from       TEXT,
    reopened_at        INTEGER,
    -- opened with the VIP targets (VIP level or high-value tier at the time)
    vip                INTEGER NOT NULL DEFAULT 0,
    -- the calendar the deadlines were counted in, as `complaint show` names it
    calendar           TEXT    NOT NULL DEFAULT '24x7',
    claimed_at         INTEGER,
    -- when each clock turns "due soon" (that share of its span left)
    ack_soon_at        INTEGER,
    propose_soon_at    INTEGER,
    resolve_soon_at    INTEGER,
    -- the clock the complaint must beat next, while open and one runs (NULL when waiting
    -- leaves only the paused resolution clock)
    next_clock         TEXT CHECK (next_clock IN ('acknowledge', 'propose', 'resolve')),
    next_due_at        INTEGER,
    next_soon_at       INTEGER,
    -- clocks already escalated automatically: 1 acknowledge, 2 propose, 4 resolve
    auto_escalated     INTEGER NOT NULL DEFAULT 0,
    -- the next moment an unmet clock not yet escalated automatically breaches
    sweep_at           INTEGER
);

INSERT INTO complaints_new (id, customer_id, opened_by, assignee_id, category, severity, status,
    title, description, channel, opened_at, acknowledged_at, proposed_at, resolved_at, closed_at,
    ack_due_at, propose_due_at, resolve_due_at, paused_at, paused_seconds, waiting_reason,
    escalation_level, csat, merged_into, version, ack_soon_at, propose_soon_at, resolve_soon_at)
SELECT id, customer_id, opened_by, assignee_id, category, severity,
    CASE WHEN merged_into IS NOT NULL THEN 'merged' ELSE status END,
    title, description, channel, opened_at, acknowledged_at, proposed_at, resolved_at, closed_at,
    ack_due_at, propose_due_at, resolve_due_at, paused_at, paused_seconds, waiting_reason,
    min(max(escalation_level, 0), 3), csat, merged_into, version,
    -- every deadline so far was counted around the clock, with a quarter of the span "due soon"
    ack_due_at - (ack_due_at - opened_at) / 4,
    propose_due_at - (propose_due_at - opened_at) / 4,
    resolve_due_at - (resolve_due_at - opened_at) / 4
FROM complaints;

UPDATE complaints_new SET waiting_from = 'in_progress' WHERE status = 'waiting';

-- The next clock of each open complaint: the unmet one with the earliest deadline.
UPDATE complaints_new SET
    next_due_at = min(
        CASE WHEN acknowledged_at IS NULL AND channel NOT IN ('phone_in', 'phone_out', 'visit') THEN ack_due_at ELSE 9223372036854775807 END,
        CASE WHEN proposed_at IS NULL THEN propose_due_at ELSE 9223372036854775807 END,
        CASE WHEN resolved_at IS NULL AND paused_at IS NULL THEN resolve_due_at ELSE 9223372036854775807 END)
WHERE status IN ('new', 'acknowledged', 'in_progress', 'escalated', 'waiting', 'solution_proposed', 'reopened');
UPDATE complaints_new SET next_due_at = NULL WHERE next_due_at = 9223372036854775807;
UPDATE complaints_new SET
    next_clock = CASE next_due_at
        WHEN ack_due_at THEN 'acknowledge' WHEN propose_due_at THEN 'propose' ELSE 'resolve' END,
    next_soon_at = CASE next_due_at
        WHEN ack_due_at THEN ack_soon_at WHEN propose_due_at THEN propose_soon_at ELSE resolve_soon_at END,
    sweep_at = next_due_at
WHERE next_due_at IS NOT NULL;

DROP TABLE complaints;
ALTER TABLE complaints_new RENAME TO complaints;
CREATE INDEX complaints_customer ON complaints(customer_id);
CREATE INDEX complaints_queue ON complaints(status, next_due_at);
CREATE INDEX complaints_assignee ON complaints(assignee_id, status);
CREATE INDEX complaints_next_due ON complaints(next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX complaints_sweep ON complaints(sweep_at) WHERE sweep_at IS NOT NULL;

CREATE TABLE complaint_events_new (
    id             INTEGER PRIMARY KEY,
    complaint_id   INTEGER NOT NULL REFERENCES complaints(id),
    -- NULL: careline itself (an automatic escalation), shown as `system`
    operator_id    INTEGER REFERENCES operators(id),
    at             INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    text           TEXT,
    -- only contact with the customer counts as acknowledgement or update (DESIGN §3.4)
    customer_contact INTEGER NOT NULL DEFAULT 0,
    -- the interaction that was this contact, when one was logged
    interaction_id INTEGER REFERENCES interactions(id)
);
INSERT INTO complaint_events_new (id, complaint_id, operator_id, at, kind, from_status, to_status,
    text, customer_contact)
SELECT id, complaint_id, operator_id, at, kind, from_status, to_status, text, customer_contact
FROM complaint_events;
DROP TABLE complaint_events;
ALTER TABLE complaint_events_new RENAME TO complaint_events;
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, at);
