-- Webhooks and the jobs table that delivers their events.
--
-- A job is queued in the same transaction as the change it reports; its key is unique, so the
-- same event for the same subscription is queued once. Workers claim a due job by setting a
-- lease (locked_until); a job whose worker died is claimed again when the lease runs out.

CREATE TABLE webhooks (
    id {{ID}},
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE jobs (
    id {{ID}},
    kind TEXT NOT NULL,
    job_key TEXT NOT NULL UNIQUE,
    webhook_id BIGINT REFERENCES webhooks(id),
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    run_after TEXT NOT NULL,
    locked_by TEXT,
    locked_until TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs(state, run_after);
CREATE INDEX jobs_webhook ON jobs(webhook_id, id);

CREATE TABLE job_attempts (
    id {{ID}},
    job_id BIGINT NOT NULL REFERENCES jobs(id),
    attempt BIGINT NOT NULL,
    worker TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX job_attempts_job ON job_attempts(job_id, attempt);
