-- The power list and online operation: power items and their versions (content as JSON, the
-- flow graph included), cases moved along the flow of the version they were opened under, the
-- events of each case, decisions published under double publicity, and e-supervision alerts.
-- Nothing here is deleted: items are retired, versions superseded, publications withdrawn,
-- alerts resolved.

CREATE TABLE power_items (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    code TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    published_version BIGINT,
    retired_at TEXT,
    retired_reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX power_items_unit ON power_items(unit_id, category, id);

CREATE TABLE power_serials (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    category TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, category)
);

CREATE TABLE power_versions (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES power_items(id),
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    establishment_by TEXT,
    establishment_at TEXT,
    legal_by TEXT,
    legal_at TEXT,
    published_at TEXT,
    UNIQUE (item_id, version)
);

CREATE TABLE case_serials (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, year)
);

CREATE TABLE cases (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    item_id BIGINT NOT NULL REFERENCES power_items(id),
    version BIGINT NOT NULL,
    case_no TEXT NOT NULL UNIQUE,
    query_hash TEXT NOT NULL,
    request_key TEXT UNIQUE,
    channel TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_type TEXT NOT NULL,
    applicant_code TEXT NOT NULL,
    contact TEXT NOT NULL,
    subject TEXT NOT NULL,
    state TEXT NOT NULL,
    step_key TEXT NOT NULL,
    step_started_on TEXT NOT NULL,
    step_suspended_days BIGINT NOT NULL DEFAULT 0,
    suspended_days BIGINT NOT NULL DEFAULT 0,
    due_on TEXT,
    yellow_on TEXT,
    red_on TEXT,
    watch_on TEXT,
    suspended_on TEXT,
    suspension_kind TEXT,
    suspension_reason TEXT NOT NULL DEFAULT '',
    opened_at TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_at TEXT,
    closed_on TEXT,
    outcome TEXT NOT NULL DEFAULT '',
    alert TEXT,
    updated_at TEXT NOT NULL
);
-- watch_on: the next day the case's alert level changes (NULL: nothing to watch), so the
-- daily scan reads only the cases whose level changes today.
CREATE INDEX cases_watch ON cases(state, watch_on);
CREATE INDEX cases_unit ON cases(unit_id, id);
CREATE INDEX cases_closed ON cases(unit_id, closed_on);

CREATE TABLE case_events (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    at TEXT NOT NULL,
    on_date TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_step TEXT NOT NULL DEFAULT '',
    to_step TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    due_on TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, id);

CREATE TABLE decisions (
    id {{ID}},
    case_id BIGINT UNIQUE REFERENCES cases(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    item_id BIGINT NOT NULL REFERENCES power_items(id),
    kind TEXT NOT NULL,
    party_name TEXT NOT NULL,
    party_type TEXT NOT NULL,
    party_code TEXT NOT NULL,
    doc_no TEXT NOT NULL,
    category TEXT NOT NULL,
    content TEXT NOT NULL,
    fine_fen BIGINT NOT NULL DEFAULT 0,
    penalty_class TEXT NOT NULL DEFAULT '',
    violation TEXT NOT NULL DEFAULT '',
    tier TEXT NOT NULL DEFAULT '',
    discretion_flag TEXT NOT NULL DEFAULT '',
    decided_on TEXT NOT NULL,
    valid_until TEXT,
    authority TEXT NOT NULL,
    authority_uscc TEXT NOT NULL,
    due_on TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_on TEXT NOT NULL,
    public_until TEXT,
    withdrawn_at TEXT,
    withdraw_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL
);
CREATE INDEX decisions_list ON decisions(published_on, id);
CREATE INDEX decisions_kind_list ON decisions(kind, published_on, id);
CREATE INDEX decisions_unit ON decisions(unit_id, id);

-- Alerts are written only by the scan (from rows it reads in the same statement) and by a
-- decision's own transaction, and nothing they point at is ever deleted; they carry no foreign
-- keys, whose checks were a third of the daily scan's time on PostgreSQL.
CREATE TABLE supervision_alerts (
    id {{ID}},
    alert_key TEXT NOT NULL UNIQUE,
    unit_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    case_id BIGINT,
    decision_id BIGINT,
    detail TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX supervision_alerts_open ON supervision_alerts(resolved_at, unit_id, id);
CREATE INDEX supervision_alerts_raised ON supervision_alerts(raised_at);
