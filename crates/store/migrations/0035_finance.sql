-- Public finance (预决算公开, work plan §10 and §14): the yearly classification imported over the
-- shipped lists, units' budget and final-account sets (checked before they are stored, one row
-- per set with its summary figures, each table as JSON), and villages' postings with their
-- committee's review. Nothing is deleted: a new version supersedes, a withdrawal is kept.
CREATE TABLE finance_codes (
    year BIGINT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (year, code)
);

CREATE TABLE finance_sets (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    -- budget, adjusted, final
    phase TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- draft, submitted, published, superseded, withdrawn
    state TEXT NOT NULL,
    -- the day the finance bureau replied (or the congress approved), and the last day to publish
    approved_on TEXT NOT NULL,
    publish_by TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    explanation TEXT NOT NULL,
    summary TEXT NOT NULL,
    expenditure BIGINT NOT NULL,
    three_public BIGINT NOT NULL,
    to_item_level BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    return_reason TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    published_by TEXT,
    withdrawn_at TEXT,
    withdrawn_reason TEXT NOT NULL DEFAULT '',
    -- the last change of state or text
    changed_at TEXT NOT NULL,
    UNIQUE (unit_id, year, phase, version)
);
CREATE INDEX finance_sets_state ON finance_sets (state, year, unit_id, phase);

CREATE TABLE finance_tables (
    set_id BIGINT NOT NULL REFERENCES finance_sets(id),
    position BIGINT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (set_id, position)
);

CREATE TABLE village_postings (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    -- 2026Q3, 2026-07; NULL for a special matter
    period_key TEXT,
    -- the period while the posting stands: a village posts each period once
    period_slot TEXT,
    -- a category of the eight, or a special matter's code
    matter TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    lines TEXT NOT NULL,
    -- draft, reviewed, posted, withdrawn
    state TEXT NOT NULL,
    review TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reviewed_at TEXT,
    posted_at TEXT,
    withdrawn_at TEXT,
    withdrawn_reason TEXT NOT NULL DEFAULT '',
    changed_at TEXT NOT NULL
);
CREATE UNIQUE INDEX village_postings_slot ON village_postings (unit_id, period_slot);
CREATE INDEX village_postings_unit ON village_postings (unit_id, state, id);
