-- Major administrative decisions (重大行政决策): the yearly catalog (决策事项目录) and each
-- decision's statutory steps as recorded, in order. `steps_done` guards concurrent recording.
CREATE TABLE major_decisions (
    id {{ID}},
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    basis TEXT NOT NULL,
    summary TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    consultation_id BIGINT REFERENCES consultations(id),
    steps_done BIGINT NOT NULL DEFAULT 0,
    standing TEXT NOT NULL DEFAULT '',
    published_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX major_decisions_year ON major_decisions(year, id);
CREATE INDEX major_decisions_behind ON major_decisions(planned_on) WHERE published_on IS NULL;

CREATE TABLE major_decision_steps (
    id {{ID}},
    decision_id BIGINT NOT NULL REFERENCES major_decisions(id),
    step TEXT NOT NULL,
    started_on TEXT NOT NULL,
    finished_on TEXT NOT NULL,
    outcome TEXT NOT NULL,
    materials_on TEXT,
    documents TEXT NOT NULL,
    note TEXT NOT NULL,
    adoption TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX major_decision_steps_d ON major_decision_steps(decision_id, id);
