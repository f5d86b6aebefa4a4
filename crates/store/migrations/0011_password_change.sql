-- An account whose password was reset by someone else must choose its own at the next sign-in
-- before it can do anything else.
ALTER TABLE staff ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
