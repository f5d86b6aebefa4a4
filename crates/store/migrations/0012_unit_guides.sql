-- The part of a unit's disclosure guide (公开指南) the unit writes itself: how to apply, where to
-- send letters, fees, anything particular to it. The rest of the guide is generated.
CREATE TABLE unit_guides (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id),
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
