-- The e-supervision watch list, apart from the wide `cases` rows: one narrow row per open case
-- whose alert level has yet to change (`watch_on`: the yellow day, then the red day). The daily
-- scan reads and moves only these rows, so it no longer rewrites every index of `cases`; a
-- case's alert level is read from its own dates (`yellow_on`, `red_on`).
CREATE TABLE case_watch (
    case_id BIGINT PRIMARY KEY,
    watch_on TEXT NOT NULL,
    red_on TEXT NOT NULL
);
CREATE INDEX case_watch_on ON case_watch(watch_on);
INSERT INTO case_watch (case_id, watch_on, red_on)
    SELECT id, watch_on, red_on FROM cases
    WHERE state = 'open' AND watch_on IS NOT NULL AND red_on IS NOT NULL;
DROP INDEX cases_watch;
ALTER TABLE cases DROP COLUMN watch_on;
ALTER TABLE cases DROP COLUMN alert;
