-- CSAT on the scale a centre uses (issue 16): 1 to 5 by default, 1 to 10 where its standard
-- asks so (`[surveys] csat_scale`). Each answer keeps the scale it was given on, so that a
-- centre changing its scale keeps its history readable: the reports convert. A complaint's
-- follow-up keeps its satisfaction the same way.
-- careline: foreign_keys off (SQLite's way to change a CHECK: a new table copied over)

CREATE TABLE surveys_new (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    kind            TEXT    NOT NULL CHECK (kind IN ('csat', 'nps')),
    score           INTEGER NOT NULL,
    comment         TEXT,
    complaint_id    INTEGER REFERENCES complaints(id),
    interaction_id  INTEGER REFERENCES interactions(id),
    operator_id     INTEGER REFERENCES operators(id),
    at              INTEGER NOT NULL,
    -- the highest score of the scale answered: 5 or 10 for CSAT (from 1), 10 for NPS (from 0)
    scale           INTEGER NOT NULL DEFAULT 5,
    CHECK ((kind = 'csat' AND scale IN (5, 10) AND score BETWEEN 1 AND scale)
        OR (kind = 'nps' AND scale = 10 AND score BETWEEN 0 AND 10))
);
INSERT INTO surveys_new (id, customer_id, kind, score, comment, complaint_id, interaction_id,
    operator_id, at, scale)
SELECT id, customer_id, kind, score, comment, complaint_id, interaction_id, operator_id, at,
    CASE kind WHEN 'nps' THEN 10 ELSE 5 END
FROM surveys;
DROP TABLE surveys;
ALTER TABLE surveys_new RENAME TO surveys;
CREATE INDEX surveys_customer ON surveys(customer_id);
-- Surveys answered in a period, read from the index alone (the reports).
CREATE INDEX surveys_at ON surveys(kind, at, score, scale, operator_id);

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
    -- the follow-up's satisfaction, on the scale of `csat_scale`
    csat               INTEGER CHECK (csat BETWEEN 1 AND csat_scale),
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
    sweep_at           INTEGER,
    csat_scale         INTEGER NOT NULL DEFAULT 5 CHECK (csat_scale IN (5, 10))
);
INSERT INTO complaints_new (id, customer_id, opened_by, assignee_id, category, severity, status,
    title, description, channel, opened_at, acknowledged_at, proposed_at, resolved_at, closed_at,
    ack_due_at, propose_due_at, resolve_due_at, paused_at, paused_seconds, waiting_reason,
    escalation_level, csat, merged_into, version, waiting_from, reopened_at, vip, calendar,
    claimed_at, ack_soon_at, propose_soon_at, resolve_soon_at, next_clock, next_due_at,
    next_soon_at, auto_escalated, sweep_at, csat_scale)
SELECT id, customer_id, opened_by, assignee_id, category, severity, status,
    title, description, channel, opened_at, acknowledged_at, proposed_at, resolved_at, closed_at,
    ack_due_at, propose_due_at, resolve_due_at, paused_at, paused_seconds, waiting_reason,
    escalation_level, csat, merged_into, version, waiting_from, reopened_at, vip, calendar,
    claimed_at, ack_soon_at, propose_soon_at, resolve_soon_at, next_clock, next_due_at,
    next_soon_at, auto_escalated, sweep_at, 5
FROM complaints;
DROP TABLE complaints;
ALTER TABLE complaints_new RENAME TO complaints;
CREATE INDEX complaints_customer ON complaints(customer_id);
CREATE INDEX complaints_assignee ON complaints(assignee_id, status);
CREATE INDEX complaints_next_due ON complaints(next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX complaints_sweep ON complaints(sweep_at) WHERE sweep_at IS NOT NULL;
CREATE INDEX complaints_open
    ON complaints(next_due_at, id, assignee_id, escalation_level, status, next_soon_at, severity, category)
    WHERE status IN ('new', 'acknowledged', 'in_progress', 'escalated', 'waiting', 'solution_proposed', 'reopened');
CREATE INDEX complaints_merged_into ON complaints(merged_into) WHERE merged_into IS NOT NULL;
