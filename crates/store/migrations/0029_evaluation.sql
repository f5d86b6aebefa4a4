-- The units' yearly assessment (考评, work plan §12): the office's archives grade per unit and
-- year, and the published assessments (a frozen copy of the scorecards as JSON, kept when
-- withdrawn). The other figures are read from the year's data when a scorecard is asked for.
CREATE TABLE evaluation_grades (
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    -- tenths of a point, 0..1000
    grade BIGINT NOT NULL,
    note TEXT NOT NULL,
    graded_by TEXT NOT NULL,
    graded_at TEXT NOT NULL,
    PRIMARY KEY (year, unit_id)
);

CREATE TABLE evaluations (
    id {{ID}},
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evaluations_year ON evaluations(year, id);
CREATE UNIQUE INDEX evaluations_one_shown ON evaluations(year) WHERE withdrawn_at IS NULL;

-- The scorecards read a year's items by first publication, with the unit and the lateness.
CREATE INDEX items_first_published ON items(first_published_at, unit_id, days_late);
