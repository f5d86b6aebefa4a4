-- Other names a unit is known by in documents ("区编办" for 区委机构编制委员会办公室): the
-- work plan's responsibility phrases are matched against names and these. The same alias on two
-- units makes a phrase ambiguous, which the import reports.
CREATE TABLE unit_aliases (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    alias TEXT NOT NULL,
    PRIMARY KEY (unit_id, alias)
);

-- The year's work plan (政务公开工作要点) read from a file: a draft until the openness office
-- confirms it, when its points become tasks. One confirmed plan per year; a plan is withdrawn,
-- never deleted.
CREATE TABLE plans (
    id {{ID}},
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    preamble TEXT NOT NULL,
    source_name TEXT NOT NULL,
    -- what the reader left out (a site's preface, page-break markers, spam), one per line
    ignored TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_by TEXT,
    confirmed_at TEXT
);
CREATE INDEX plans_year ON plans(year, id);
CREATE UNIQUE INDEX plans_one_confirmed ON plans(year) WHERE state = 'confirmed';

-- One numbered point of a plan: a task once the plan is confirmed.
CREATE TABLE plan_tasks (
    id {{ID}},
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    number BIGINT NOT NULL,
    heading TEXT NOT NULL,
    body TEXT NOT NULL,
    -- the words of "(以上工作由…负责)"; NULL when the point has no such clause
    responsibility TEXT,
    -- phrases that named no unit or several, or asked the office to pick ("相关"), one per line
    unresolved TEXT NOT NULL,
    state TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT,
    done_note TEXT NOT NULL DEFAULT '',
    UNIQUE (plan_id, number)
);

-- The units responsible for a task, and the phrase each came from ('' when the office picked it).
CREATE TABLE plan_task_units (
    task_id BIGINT NOT NULL REFERENCES plan_tasks(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    phrase TEXT NOT NULL,
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX plan_task_units_unit ON plan_task_units(unit_id, task_id);

-- A responsible unit's progress report on a task: text and links to published items.
CREATE TABLE plan_reports (
    id {{ID}},
    task_id BIGINT NOT NULL REFERENCES plan_tasks(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    body TEXT NOT NULL,
    links TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX plan_reports_task ON plan_reports(task_id, id);
