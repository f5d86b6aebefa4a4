-- Several servers on one database: files every server reaches, and leases for work that must
-- run in one server at a time.

-- Content-addressed file bytes kept in the database (PostgreSQL deployments by default): one
-- header row, written last, and the bytes in fixed-size chunks. A file is present when its
-- header is; rows are never changed or removed (the records that name a hash are audited).
CREATE TABLE stored_files (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    chunks BIGINT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE stored_file_chunks (
    sha256 TEXT NOT NULL,
    seq BIGINT NOT NULL,
    data {{BLOB}} NOT NULL,
    PRIMARY KEY (sha256, seq)
);

-- Leases: the named work (`periodic`: the tasks that run once per cluster) is done by the
-- holder until `expires_at`; a holder renews well before, a stopping holder releases, and
-- after a dead holder's expiry any server may take it.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    renewed_at TEXT NOT NULL
);
