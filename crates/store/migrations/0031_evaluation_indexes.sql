-- The assessment's grouped counts read a year's rows of each measure from an index alone
-- (measured at 1,000,000 rows each: the scorecards of 200 units went from 5.8 s to under 2 s
-- on SQLite): applications closed with their lateness, messages answered with their due
-- dates, cases closed by unit with their due dates (replacing `cases_closed`, whose prefix it
-- keeps), open cases by due date, ratings by day with their score.
CREATE INDEX applications_closed_late ON applications(closed_on, unit_id, late) WHERE closed_on IS NOT NULL;
CREATE INDEX messages_answered ON messages(answered_on, unit_id, due_on) WHERE answered_on IS NOT NULL AND state <> 'abusive';
DROP INDEX cases_closed;
CREATE INDEX cases_closed ON cases(unit_id, closed_on, due_on);
CREATE INDEX cases_open_due ON cases(due_on, unit_id) WHERE closed_on IS NULL AND state = 'open' AND suspended_on IS NULL;
CREATE INDEX ratings_rated ON ratings(rated_on, unit_id, score, in_time) WHERE state <> 'void';
