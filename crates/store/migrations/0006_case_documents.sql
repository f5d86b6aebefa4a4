-- Outcome documents of cases (受理通知书, 补正告知书, 许可证, 处罚决定书 …): private files of
-- the handling unit, stored content-addressed like attachments, each tied to the step it was
-- filed at. Decisions record when a published penalty was changed or revoked, so a late
-- withdrawal (more than 3 days after) is on record and raises an alert.
CREATE TABLE case_documents (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    step TEXT NOT NULL,
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_documents_case ON case_documents(case_id, id);

ALTER TABLE decisions ADD COLUMN changed_on TEXT;
