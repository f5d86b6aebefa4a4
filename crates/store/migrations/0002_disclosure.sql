-- Proactive disclosure: catalog categories, information items and their revisions, attachments,
-- scan findings, index-number serials, the search outbox, sensitive words.

CREATE TABLE catalog_categories (
    id {{ID}},
    unit_id BIGINT REFERENCES units(id),
    parent_id BIGINT REFERENCES catalog_categories(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX catalog_categories_code ON catalog_categories(COALESCE(unit_id, 0), code);

CREATE TABLE items (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    category_id BIGINT NOT NULL REFERENCES catalog_categories(id),
    index_no TEXT NOT NULL UNIQUE,
    published_revision BIGINT,
    first_published_at TEXT,
    published_at TEXT,
    days_late BIGINT NOT NULL DEFAULT 0,
    withdrawn_at TEXT,
    withdrawn_reason TEXT,
    interpretation_of BIGINT REFERENCES items(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX items_unit ON items(unit_id, published_at);
CREATE INDEX items_category ON items(category_id, published_at);
CREATE INDEX items_published ON items(published_at);

CREATE TABLE item_revisions (
    item_id BIGINT NOT NULL REFERENCES items(id),
    revision BIGINT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_no TEXT NOT NULL,
    doc_no_norm TEXT NOT NULL,
    formed_on TEXT NOT NULL,
    validity TEXT NOT NULL,
    validity_changed_on TEXT,
    topic TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    scheduled_at TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (item_id, revision)
);
CREATE INDEX item_revisions_state ON item_revisions(state);

CREATE TABLE attachments (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES items(id),
    revision BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_item ON attachments(item_id, revision);

CREATE TABLE scan_findings (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES items(id),
    revision BIGINT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    start_offset BIGINT NOT NULL,
    end_offset BIGINT NOT NULL,
    line BIGINT NOT NULL,
    col BIGINT NOT NULL,
    masked TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    resolved_by TEXT,
    resolved_at TEXT
);
CREATE INDEX scan_findings_item ON scan_findings(item_id, revision);

CREATE TABLE index_serials (
    unit_id BIGINT NOT NULL,
    category_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, category_code, year)
);

CREATE TABLE search_outbox (
    id {{ID}},
    item_id BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sensitive_words (
    word TEXT PRIMARY KEY,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
