-- Handling messages (政民互动): the topic the writer chose (or the routing rule's), the draft
-- answer and who drafted it, the working days an answer took, and the published copy (masked
-- by the scanner; only with the writer's consent). Published exchanges are listed by id.
ALTER TABLE messages ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN drafted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN answer_workdays BIGINT;
ALTER TABLE messages ADD COLUMN published_at TEXT;
ALTER TABLE messages ADD COLUMN public_name TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN public_subject TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN public_body TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN public_answer TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_published ON messages(id) WHERE published_at IS NOT NULL;
CREATE INDEX messages_unit_published ON messages(unit_id, id) WHERE published_at IS NOT NULL;
CREATE INDEX messages_unit_state ON messages(unit_id, state, id);
CREATE INDEX messages_phone ON messages(phone, created_at);

-- Routing rules the openness office edits: a message to the district on `topic`, or mentioning
-- one of the keywords, goes to the unit. Rules are switched off, never deleted.
CREATE TABLE message_routes (
    id {{ID}},
    topic TEXT NOT NULL,
    keywords TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    active BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX message_routes_topic ON message_routes(topic);

-- Per-unit figures of the public page, kept in the transaction of each change so the page reads
-- one row per unit whatever the number of messages: messages with the unit (after transfers),
-- answered, the working days all answers took, the longest, and exchanges published.
CREATE TABLE message_unit_stats (
    unit_id BIGINT PRIMARY KEY,
    received BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    total_workdays BIGINT NOT NULL DEFAULT 0,
    longest_workdays BIGINT NOT NULL DEFAULT 0,
    published BIGINT NOT NULL DEFAULT 0
);

-- The e-supervision watch list of open messages, like `application_watch`: the next day the
-- alert level changes (due soon, overdue, and three months: the website indicators' single veto).
CREATE TABLE message_watch (
    message_id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL,
    tracking_no TEXT NOT NULL,
    due_on TEXT NOT NULL,
    watch_on TEXT NOT NULL,
    red_on TEXT NOT NULL,
    veto_on TEXT NOT NULL
);
CREATE INDEX message_watch_on ON message_watch(watch_on);
ALTER TABLE supervision_alerts ADD COLUMN message_id BIGINT;
