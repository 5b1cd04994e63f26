-- Segments (issue 16, DESIGN 3.6): saved, named definitions of a group of customers. The
-- definition is JSON (domain::segment::SegmentDefinition), read back and turned into one
-- parameterised statement each time it is counted or listed: membership is never stored, so
-- it follows every edit, contact and purchase at once. Names are unique without regard to
-- case. No index on customers is added: a count reads the customer table once (0.2 s warm on
-- the reference million, measured in docs/SEGMENTS.md).
CREATE TABLE segments (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    definition  TEXT    NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES operators(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
