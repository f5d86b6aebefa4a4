-- Public consultation on drafts (意见征集). A draft is kept as paragraphs per version; each
-- paragraph carries a stable key (`{version}.{position}` of its first appearance) that a revised
-- paragraph keeps, so comments (which point at the key) stay attached across versions without
-- being rewritten, and a key missing from the latest version is text since removed. Comments are
-- hidden with a reason, never deleted; the adoption report groups them.
CREATE TABLE consultations (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    explanation TEXT NOT NULL,
    how_to_comment TEXT NOT NULL,
    contact TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    short_reason TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    comments BIGINT NOT NULL DEFAULT 0,
    report TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT '',
    report_published_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX consultations_unit ON consultations(unit_id, id);

CREATE TABLE consultation_versions (
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    version BIGINT NOT NULL,
    published_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (consultation_id, version)
);

CREATE TABLE consultation_paragraphs (
    id {{ID}},
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    version BIGINT NOT NULL,
    position BIGINT NOT NULL,
    para_key TEXT NOT NULL,
    text TEXT NOT NULL,
    change TEXT NOT NULL,
    previous_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consultation_paragraphs_version ON consultation_paragraphs(consultation_id, version, position);

CREATE TABLE consultation_adoptions (
    id {{ID}},
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX consultation_adoptions_c ON consultation_adoptions(consultation_id, id);

CREATE TABLE consultation_comments (
    id {{ID}},
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    version BIGINT NOT NULL,
    para_key TEXT,
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    body TEXT NOT NULL,
    public_name TEXT NOT NULL,
    public_body TEXT NOT NULL,
    hidden_reason TEXT NOT NULL DEFAULT '',
    adoption_id BIGINT REFERENCES consultation_adoptions(id),
    submission_key TEXT NOT NULL,
    client_addr TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX consultation_comments_submission ON consultation_comments(submission_key);
CREATE INDEX consultation_comments_c ON consultation_comments(consultation_id, id);
CREATE INDEX consultation_comments_key ON consultation_comments(consultation_id, para_key);
