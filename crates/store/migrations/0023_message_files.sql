-- Files a writer attaches to a message (photos, documents): private to the unit handling it,
-- never published, stored content-addressed like every other file.
CREATE TABLE message_files (
    id {{ID}},
    message_id BIGINT NOT NULL REFERENCES messages(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX message_files_message ON message_files(message_id, id);
