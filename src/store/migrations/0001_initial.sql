-- careline schema, version 1: every table of DESIGN §3, so later work adds behaviour, not tables.
-- Conventions: timestamps are INTEGER Unix seconds (UTC); calendar dates are TEXT 'YYYY-MM-DD';
-- money is INTEGER cents (fen); editable rows carry `version` for optimistic updates;
-- history tables (interactions, complaint_events, audit_log) are appended to, never rewritten.
-- Kept within what SQLite 3.40 understands.

CREATE TABLE operators (
    id          INTEGER PRIMARY KEY,
    login       TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
    active      INTEGER NOT NULL DEFAULT 1,
    pin_hash    TEXT,
    language    TEXT,
    created_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    kind               TEXT    NOT NULL DEFAULT 'individual',
    company            TEXT,
    industry           TEXT,
    company_size       TEXT,
    occupation         TEXT,
    income_band        TEXT,
    birthday           TEXT,
    region             TEXT,
    address            TEXT,
    source             TEXT,
    level              TEXT    NOT NULL DEFAULT 'normal',
    membership         TEXT    NOT NULL DEFAULT 'none',
    membership_expiry  TEXT,
    stability          TEXT,
    internal           INTEGER NOT NULL DEFAULT 0,
    interests          TEXT,
    preferences        TEXT,
    preferred_channel  TEXT,
    preferred_time     TEXT,
    owner_id           INTEGER REFERENCES operators(id),
    confidential       INTEGER NOT NULL DEFAULT 0,
    do_not_contact     INTEGER NOT NULL DEFAULT 0,
    marketing_consent  INTEGER NOT NULL DEFAULT 0,
    consent_date       TEXT,
    notes              TEXT,
    -- derived from purchases (DESIGN §3.6), refreshed when purchases change
    tier               TEXT    NOT NULL DEFAULT 'potential',
    rfm_r              INTEGER,
    rfm_f              INTEGER,
    rfm_m              INTEGER,
    spend_12m          INTEGER NOT NULL DEFAULT 0,
    orders_12m         INTEGER NOT NULL DEFAULT 0,
    lifetime_spend     INTEGER NOT NULL DEFAULT 0,
    clv                INTEGER,
    churn_risk         INTEGER NOT NULL DEFAULT 0,
    points             INTEGER NOT NULL DEFAULT 0,
    first_purchase     TEXT,
    last_purchase      TEXT,
    last_contact_at    INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    last_verified      TEXT,
    -- a merged record stays as a tombstone pointing to the survivor
    merged_into        INTEGER REFERENCES customers(id),
    erased_at          INTEGER,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX customers_owner ON customers(owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX customers_merged ON customers(merged_into) WHERE merged_into IS NOT NULL;

-- Several contacts per customer, each with its normalised form (E.164 phone, lower-case email).
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('phone', 'email', 'wechat', 'other')),
    phone_kind   TEXT,
    value        TEXT    NOT NULL,
    normalized   TEXT    NOT NULL,
    extension    TEXT,
    label        TEXT,
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX contacts_customer ON contacts(customer_id);
CREATE INDEX contacts_normalized ON contacts(normalized);

CREATE TABLE customer_tags (
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    tag          TEXT    NOT NULL,
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;

-- Lookup keys (DESIGN §3.2): one ordered index answers exact and prefix matches of every kind.
-- A key is a one-letter namespace and the folded value: n name, p pinyin, i initials, c code,
-- o company, e email, t tag, d phone digits, r reversed phone digits, g two-character piece.
CREATE TABLE search_keys (
    key          TEXT    NOT NULL,
    customer_id  INTEGER NOT NULL,
    PRIMARY KEY (key, customer_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_customer ON search_keys(customer_id);

-- Substrings of three or more characters; rowid = customers.id.
CREATE VIRTUAL TABLE customer_text USING fts5(name, company, email, tokenize = 'trigram');

CREATE TABLE purchases (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id),
    order_no      TEXT,
    purchased_on  TEXT    NOT NULL,
    amount        INTEGER NOT NULL,
    product       TEXT,
    category      TEXT,
    quantity      INTEGER NOT NULL DEFAULT 1,
    channel       TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX purchases_customer ON purchases(customer_id, purchased_on);
CREATE UNIQUE INDEX purchases_order_no ON purchases(order_no) WHERE order_no IS NOT NULL;

CREATE TABLE points_ledger (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    delta           INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    purchase_id     INTEGER REFERENCES purchases(id),
    interaction_id  INTEGER REFERENCES interactions(id),
    operator_id     INTEGER REFERENCES operators(id),
    at              INTEGER NOT NULL
);
CREATE INDEX points_ledger_customer ON points_ledger(customer_id);

CREATE TABLE complaints (
    id                 INTEGER PRIMARY KEY,
    customer_id        INTEGER NOT NULL REFERENCES customers(id),
    opened_by          INTEGER NOT NULL REFERENCES operators(id),
    assignee_id        INTEGER REFERENCES operators(id),
    category           TEXT    NOT NULL CHECK (category IN ('product_quality', 'service_attitude', 'after_sales', 'price', 'delivery', 'other')),
    severity           TEXT    NOT NULL CHECK (severity IN ('low', 'normal', 'high', 'critical')),
    status             TEXT    NOT NULL CHECK (status IN ('new', 'acknowledged', 'in_progress', 'escalated', 'waiting', 'solution_proposed', 'resolved', 'closed', 'reopened')),
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
    paused_seconds     INTEGER NOT NULL DEFAULT 0,
    waiting_reason     TEXT,
    escalation_level   INTEGER NOT NULL DEFAULT 0,
    csat               INTEGER CHECK (csat BETWEEN 1 AND 5),
    merged_into        INTEGER REFERENCES complaints(id),
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX complaints_customer ON complaints(customer_id);
CREATE INDEX complaints_queue ON complaints(status, resolve_due_at);
CREATE INDEX complaints_assignee ON complaints(assignee_id, status);

CREATE TABLE complaint_events (
    id             INTEGER PRIMARY KEY,
    complaint_id   INTEGER NOT NULL REFERENCES complaints(id),
    operator_id    INTEGER NOT NULL REFERENCES operators(id),
    at             INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    text           TEXT,
    -- only contact with the customer counts as acknowledgement or update (DESIGN §3.4)
    customer_contact INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, at);

CREATE TABLE compensations (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('refund', 'replacement', 'free_repair', 'voucher', 'points', 'apology')),
    amount        INTEGER NOT NULL DEFAULT 0,
    note          TEXT,
    operator_id   INTEGER NOT NULL REFERENCES operators(id),
    at            INTEGER NOT NULL
);
CREATE INDEX compensations_complaint ON compensations(complaint_id);

CREATE TABLE interactions (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    operator_id    INTEGER NOT NULL REFERENCES operators(id),
    channel        TEXT    NOT NULL CHECK (channel IN ('phone_in', 'phone_out', 'email', 'chat', 'sms', 'social', 'visit')),
    direction      TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    disposition    TEXT    NOT NULL,
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    summary        TEXT,
    feedback       TEXT,
    complaint_id   INTEGER REFERENCES complaints(id),
    reminder_id    INTEGER REFERENCES reminders(id),
    follow_up_on   TEXT,
    reply_by       INTEGER,
    -- a correction is a new entry that amends the old one; both stay visible
    amends_id      INTEGER REFERENCES interactions(id),
    created_at     INTEGER NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id, started_at);
CREATE INDEX interactions_started ON interactions(started_at);
CREATE INDEX interactions_operator ON interactions(operator_id, started_at);
CREATE INDEX interactions_amends ON interactions(amends_id) WHERE amends_id IS NOT NULL;
CREATE INDEX interactions_reply_by ON interactions(reply_by) WHERE reply_by IS NOT NULL;

CREATE TABLE reminders (
    id                   INTEGER PRIMARY KEY,
    customer_id          INTEGER NOT NULL REFERENCES customers(id),
    kind                 TEXT    NOT NULL CHECK (kind IN ('birthday', 'holiday', 'post_purchase', 'renewal', 'return_visit', 'profile_verification', 'complaint_follow_up', 'follow_up', 'manual')),
    -- generated reminders carry a unique source key such as birthday:<customer>:<year>
    source_key           TEXT    UNIQUE,
    due_on               TEXT    NOT NULL,
    window_end           TEXT,
    title                TEXT    NOT NULL,
    note                 TEXT,
    status               TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'snoozed', 'done', 'skipped', 'deleted')),
    snoozed_until        TEXT,
    assignee_id          INTEGER REFERENCES operators(id),
    scope                TEXT    NOT NULL DEFAULT 'anyone' CHECK (scope IN ('me', 'anyone')),
    due_at               INTEGER,
    done_interaction_id  INTEGER REFERENCES interactions(id),
    skip_reason          TEXT,
    complaint_id         INTEGER REFERENCES complaints(id),
    created_by           INTEGER REFERENCES operators(id),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX reminders_due ON reminders(status, due_on);
CREATE INDEX reminders_customer ON reminders(customer_id, status);
-- periodic kinds never pile up: at most one open per customer and kind
CREATE UNIQUE INDEX reminders_one_open_periodic ON reminders(customer_id, kind)
    WHERE status IN ('open', 'snoozed') AND kind IN ('return_visit', 'profile_verification', 'renewal');

CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    kind            TEXT    NOT NULL CHECK (kind IN ('csat', 'nps')),
    score           INTEGER NOT NULL,
    comment         TEXT,
    complaint_id    INTEGER REFERENCES complaints(id),
    interaction_id  INTEGER REFERENCES interactions(id),
    operator_id     INTEGER REFERENCES operators(id),
    at              INTEGER NOT NULL,
    CHECK ((kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'nps' AND score BETWEEN 0 AND 10))
);
CREATE INDEX surveys_at ON surveys(kind, at);
CREATE INDEX surveys_customer ON surveys(customer_id);

-- Time-limited access to a confidential record, granted by a supervisor.
CREATE TABLE grants (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    operator_id  INTEGER NOT NULL REFERENCES operators(id),
    granted_by   INTEGER NOT NULL REFERENCES operators(id),
    reason       TEXT    NOT NULL,
    granted_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX grants_operator ON grants(operator_id, customer_id);

-- Append-only, chained by hashes: hash = sha256(prev_hash | the entry's fields).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor_login  TEXT    NOT NULL,
    via_login    TEXT,
    action       TEXT    NOT NULL,
    entity       TEXT,
    entity_id    INTEGER,
    detail       TEXT,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- What is typed into an open form, saved as it is typed, offered back after a crash.
CREATE TABLE drafts (
    id           INTEGER PRIMARY KEY,
    operator_id  INTEGER NOT NULL REFERENCES operators(id),
    form         TEXT    NOT NULL,
    entity_id    INTEGER NOT NULL DEFAULT 0,
    content      TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (operator_id, form, entity_id)
);

-- Incoming calls announced by `careline pop`, so a missed call can be called back.
CREATE TABLE screen_pops (
    id           INTEGER PRIMARY KEY,
    operator_id  INTEGER NOT NULL REFERENCES operators(id),
    number       TEXT    NOT NULL,
    customer_id  INTEGER REFERENCES customers(id),
    at           INTEGER NOT NULL
);
CREATE INDEX screen_pops_operator ON screen_pops(operator_id, at);
