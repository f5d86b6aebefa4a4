-- Messages to the government (政民互动): what the writer sent, where it is routed, its limit.
-- The tracking secret is kept as a hash; `submission_key` makes a form sent twice one message.
-- Every later change (transfer, acceptance, answer, review, publication, rating, abuse mark) is
-- an event in `message_events`; nothing is deleted.
CREATE TABLE messages (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    tracking_no TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    submission_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    publish_ok BIGINT NOT NULL,
    state TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    due_note TEXT NOT NULL,
    veto_on TEXT NOT NULL,
    client_addr TEXT NOT NULL DEFAULT '',
    duplicate_of TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    abusive_reason TEXT NOT NULL DEFAULT '',
    answered_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_tracking ON messages(tracking_no);
CREATE UNIQUE INDEX messages_submission ON messages(submission_key);
CREATE INDEX messages_unit ON messages(unit_id, id);
CREATE INDEX messages_client ON messages(client_addr, created_at);
CREATE INDEX messages_open_due ON messages(due_on, unit_id) WHERE answered_on IS NULL;

CREATE TABLE message_events (
    id {{ID}},
    message_id BIGINT NOT NULL REFERENCES messages(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_unit BIGINT,
    to_unit BIGINT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX message_events_message ON message_events(message_id, id);
