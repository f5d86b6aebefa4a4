-- Evidence a unit files with its rectification of a notice (整改材料: screenshots, documents):
-- private to the unit and the office, stored content-addressed like every other file; added
-- until the notice is accepted, never deleted.
CREATE TABLE oversight_notice_files (
    id {{ID}},
    notice_id BIGINT NOT NULL REFERENCES oversight_notices(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX oversight_notice_files_notice ON oversight_notice_files(notice_id, id);
