-- The standard disclosure catalog of grassroots government affairs (基层政务公开标准目录):
-- one row per disclosure duty, identified by (area, matter, sub_matter). Entries are replaced
-- by newer versions in place (the audit trail keeps every version) and retired, never deleted.

CREATE TABLE standard_entries (
    id {{ID}},
    area TEXT NOT NULL,
    seq BIGINT NOT NULL,
    matter TEXT NOT NULL,
    sub_matter TEXT NOT NULL,
    content TEXT NOT NULL,
    basis TEXT NOT NULL,
    time_limit TEXT NOT NULL,
    subject TEXT NOT NULL,
    channels TEXT NOT NULL,
    to_public BIGINT NOT NULL,
    to_specific BIGINT NOT NULL,
    proactive BIGINT NOT NULL,
    on_request BIGINT NOT NULL,
    county_level BIGINT NOT NULL,
    township_level BIGINT NOT NULL,
    retired_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX standard_entries_key ON standard_entries(area, matter, sub_matter);
CREATE INDEX standard_entries_order ON standard_entries(area, seq);
