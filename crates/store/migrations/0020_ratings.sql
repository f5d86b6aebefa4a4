-- Service ratings (好差评): one per service event (a closed case, a window visit, a message's
-- answer), by whoever holds the event's query code. A bad rating carries its due date and its
-- verification, rectification and answer, or the unit's appeal and the office's decision; a
-- rating is never deleted (an upheld appeal makes it `void`: kept, not counted).
CREATE TABLE ratings (
    id {{ID}},
    event_kind TEXT NOT NULL,
    event_id BIGINT NOT NULL,
    event_no TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    service_code TEXT NOT NULL,
    service_name TEXT NOT NULL,
    score BIGINT NOT NULL,
    comment TEXT NOT NULL,
    state TEXT NOT NULL,
    rated_on TEXT NOT NULL,
    due_on TEXT,
    due_note TEXT NOT NULL DEFAULT '',
    verification TEXT NOT NULL DEFAULT '',
    rectification TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    appeal_reason TEXT NOT NULL DEFAULT '',
    office_note TEXT NOT NULL DEFAULT '',
    rectified_on TEXT,
    in_time BIGINT,
    client_addr TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ratings_event ON ratings(event_kind, event_id);
CREATE INDEX ratings_unit_state ON ratings(unit_id, state, id);

CREATE TABLE rating_events (
    id {{ID}},
    rating_id BIGINT NOT NULL REFERENCES ratings(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rating_events_rating ON rating_events(rating_id, id);

-- Published results per unit and service, kept in each change's transaction: counts per level
-- (n1 非常不满意 … n5 非常满意, void ratings taken out), bad ratings rectified, and in time.
CREATE TABLE rating_stats (
    unit_id BIGINT NOT NULL,
    service_code TEXT NOT NULL,
    service_name TEXT NOT NULL,
    n1 BIGINT NOT NULL DEFAULT 0,
    n2 BIGINT NOT NULL DEFAULT 0,
    n3 BIGINT NOT NULL DEFAULT 0,
    n4 BIGINT NOT NULL DEFAULT 0,
    n5 BIGINT NOT NULL DEFAULT 0,
    rectified BIGINT NOT NULL DEFAULT 0,
    rectified_in_time BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, service_code)
);

-- Window visits (窗口办事) registered by the window, with a query code for the rating slip.
CREATE TABLE service_visits (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    visit_no TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    service_name TEXT NOT NULL,
    served_on TEXT NOT NULL,
    served_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX service_visits_no ON service_visits(visit_no);
CREATE INDEX service_visits_unit ON service_visits(unit_id, id);

-- The e-supervision watch list of bad ratings waiting for rectification (like message_watch).
CREATE TABLE rating_watch (
    rating_id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL,
    event_no TEXT NOT NULL,
    due_on TEXT NOT NULL,
    watch_on TEXT NOT NULL,
    red_on TEXT NOT NULL
);
CREATE INDEX rating_watch_on ON rating_watch(watch_on);
ALTER TABLE supervision_alerts ADD COLUMN rating_id BIGINT;
