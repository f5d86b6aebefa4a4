-- Training sessions for the units' openness staff (work plan §18): who took part from each
-- unit and who attended; a session is cancelled with a reason, never deleted.
CREATE TABLE trainings (
    id {{ID}},
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    -- materials: titles or links, one per line
    materials TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cancelled_at TEXT,
    cancel_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX trainings_held ON trainings(held_on, id);

CREATE TABLE training_participants (
    id {{ID}},
    training_id BIGINT NOT NULL REFERENCES trainings(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    post TEXT NOT NULL,
    -- NULL until the office marks attendance
    attended BIGINT,
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    UNIQUE (training_id, unit_id, name)
);
CREATE INDEX training_participants_unit ON training_participants(unit_id, training_id);

-- The service centers of towns and streets (work plan §16): one per town or street, its name
-- checked against "行政区域名称+为民服务中心".
CREATE TABLE service_centers (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
