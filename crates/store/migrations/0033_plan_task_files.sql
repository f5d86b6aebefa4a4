-- Evidence a responsible unit files with its progress on a work-plan task (documents, photos of
-- a training, a notice): kept with the task and the unit, stored content-addressed, added while
-- the task is open in a confirmed plan, never deleted.
CREATE TABLE plan_task_files (
    id {{ID}},
    task_id BIGINT NOT NULL REFERENCES plan_tasks(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX plan_task_files_task ON plan_task_files(task_id, id);
