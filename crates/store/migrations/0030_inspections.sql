-- Website inspection (定期网查) in the back office: the sites the office inspects (a unit's
-- site, or this portal), on a schedule; each inspection (queued as a job, crawled by a
-- worker), its report as JSON and its findings one per row, so two inspections of a site can
-- be compared and a finding can become a rectification notice. Nothing is deleted.
CREATE TABLE inspection_sites (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- this gongkai's own portal: the interaction veto is read from its messages
    own BIGINT NOT NULL DEFAULT 0,
    every_days BIGINT NOT NULL,
    -- the next day the scheduler queues an inspection (NULL: by hand only)
    next_on TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspection_sites_url ON inspection_sites(url);
CREATE INDEX inspection_sites_next ON inspection_sites(next_on) WHERE active = 1;

CREATE TABLE inspections (
    id {{ID}},
    site_id BIGINT NOT NULL REFERENCES inspection_sites(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    url TEXT NOT NULL,
    -- queued, running, done, failed
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    finished_at TEXT,
    day TEXT,
    pages BIGINT NOT NULL DEFAULT 0,
    passed BIGINT,
    -- tenths of a point
    score BIGINT,
    report TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspections_site ON inspections(site_id, id);
CREATE INDEX inspections_unit_day ON inspections(unit_id, day) WHERE state = 'done';

CREATE TABLE inspection_findings (
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    position BIGINT NOT NULL,
    -- veto or deduction
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    evidence TEXT NOT NULL,
    -- tenths of a point (the deduction's share; 0 for a veto)
    points BIGINT NOT NULL,
    notice_id BIGINT REFERENCES oversight_notices(id),
    PRIMARY KEY (inspection_id, position)
);
