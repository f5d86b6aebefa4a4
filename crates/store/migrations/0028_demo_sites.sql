-- Demonstration sites (示范点, work plan §13): batches with published criteria, candidates
-- (applied or nominated), the office's decisions, and revocations; nothing is deleted.
CREATE TABLE demo_batches (
    id {{ID}},
    year BIGINT NOT NULL,
    name TEXT NOT NULL,
    criteria TEXT NOT NULL,
    -- a named site whose rectification score falls below this is flagged for review
    threshold BIGINT NOT NULL,
    published_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (year, name)
);

CREATE TABLE demo_sites (
    id {{ID}},
    batch_id BIGINT NOT NULL REFERENCES demo_batches(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    -- 'applied' by the unit or 'nominated' by the office
    how TEXT NOT NULL,
    statement TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decided_at TEXT,
    UNIQUE (batch_id, unit_id)
);
CREATE INDEX demo_sites_state ON demo_sites(state, id);
