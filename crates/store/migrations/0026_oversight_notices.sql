-- The five-step loop (检查、告知、整改、反馈、考评): a problem found (by an inspection or by
-- hand) is notified to the responsible unit with a deadline; the unit files its rectification;
-- the office accepts it or sends it back; the outcome counts in the unit's evaluation. Notices
-- are never deleted.
CREATE TABLE oversight_notices (
    id {{ID}},
    notice_no TEXT NOT NULL UNIQUE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    source TEXT NOT NULL,
    finding TEXT NOT NULL,
    evidence TEXT NOT NULL,
    requirement TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    rectification TEXT NOT NULL DEFAULT '',
    -- the day of the rectification the office accepted (or the latest filed)
    rectified_on TEXT,
    review_note TEXT NOT NULL DEFAULT '',
    closed_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX oversight_notices_unit ON oversight_notices(unit_id, id);
CREATE INDEX oversight_notices_state ON oversight_notices(state, id);
CREATE INDEX oversight_notices_issued ON oversight_notices(issued_on, id);

-- Every step on a notice, in order.
CREATE TABLE oversight_notice_events (
    id {{ID}},
    notice_id BIGINT NOT NULL REFERENCES oversight_notices(id),
    step TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX oversight_notice_events_notice ON oversight_notice_events(notice_id, id);

-- The e-supervision watch list of open notices (like message_watch).
CREATE TABLE notice_watch (
    notice_id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL,
    notice_no TEXT NOT NULL,
    due_on TEXT NOT NULL,
    watch_on TEXT NOT NULL,
    red_on TEXT NOT NULL
);
CREATE INDEX notice_watch_on ON notice_watch(watch_on);
ALTER TABLE supervision_alerts ADD COLUMN notice_id BIGINT;
CREATE INDEX supervision_alerts_open_notice ON supervision_alerts(notice_id) WHERE notice_id IS NOT NULL AND resolved_at IS NULL;
