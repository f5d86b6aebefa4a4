-- Handling disclosure applications: each step is an event (the clock is read again from the
-- clock events at every step); the application row keeps what lists and the e-supervision scan
-- need: the state, the handler, the current due date and why (`due_note`), the drafted answer
-- and its outcome (a row of the annual report), the day it was finished and whether late.
ALTER TABLE applications ADD COLUMN handler TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN due_on TEXT;
ALTER TABLE applications ADD COLUMN due_note TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN outcome_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN outcome_pointer TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN answer_text TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN closed_on TEXT;
ALTER TABLE applications ADD COLUMN late BIGINT NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN fee_yuan BIGINT NOT NULL DEFAULT 0;
-- Abuse protection: the address an online application came from (rate limit per address) and
-- the earlier application of the same applicant to the same unit it nearly repeats.
ALTER TABLE applications ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN duplicate_of TEXT NOT NULL DEFAULT '';
CREATE INDEX applications_client ON applications(client_addr, created_at);
-- The public register of answered applications: what is shown (masked), and since when.
ALTER TABLE applications ADD COLUMN register_content TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN register_answer TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN registered_at TEXT;
CREATE INDEX applications_register ON applications(id) WHERE registered_at IS NOT NULL;

-- The annual report reads applications by receipt and by closing day.
CREATE INDEX applications_received ON applications(received_on, unit_id);
-- (partial: a query for open applications, `closed_on IS NULL`, must never pick this index)
CREATE INDEX applications_closed ON applications(closed_on, unit_id) WHERE closed_on IS NOT NULL;
CREATE INDEX applications_unit_state ON applications(unit_id, state, id);
CREATE INDEX applications_unit_id ON applications(unit_id, id);
-- The e-supervision dashboard: open applications by due date (the district's list), and by
-- unit then due date (the figures per unit, read in unit order without a sort; a unit's list).
CREATE INDEX applications_open_due ON applications(due_on, unit_id) WHERE closed_on IS NULL;
CREATE INDEX applications_open_unit_due ON applications(unit_id, due_on) WHERE closed_on IS NULL;
CREATE INDEX applications_open_state ON applications(state, unit_id) WHERE closed_on IS NULL;
CREATE INDEX applications_applicant ON applications(id_document, received_on);

CREATE TABLE application_events (
    id {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    at TEXT NOT NULL,
    on_date TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    days BIGINT NOT NULL DEFAULT 0,
    party TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL DEFAULT 0,
    due_on TEXT
);
CREATE INDEX application_events_application ON application_events(application_id, id);

-- The e-supervision watch list of open applications, like `case_watch`: the next day the
-- alert level changes (the "due soon" day, then the day after the due date), so the daily scan
-- reads only the rows whose day has come. It carries what an alert says (unit, number, due
-- date), written with the application in the same transaction, so the scan joins nothing.
CREATE TABLE application_watch (
    application_id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL,
    tracking_no TEXT NOT NULL,
    due_on TEXT NOT NULL,
    watch_on TEXT NOT NULL,
    red_on TEXT NOT NULL
);
CREATE INDEX application_watch_on ON application_watch(watch_on);
ALTER TABLE supervision_alerts ADD COLUMN application_id BIGINT;

-- Private files of an application: identity scans (never public, never indexed, readable only
-- by the unit's handlers), consultation letters and replies, released records.
CREATE TABLE application_files (
    id {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    findings TEXT NOT NULL DEFAULT '',
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX application_files_application ON application_files(application_id, id);

-- Administrative reconsideration and litigation about an application (the report's third table).
CREATE TABLE application_remedies (
    id {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    result TEXT NOT NULL,
    decided_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX application_remedies_unit ON application_remedies(unit_id, filed_on);
CREATE INDEX application_remedies_application ON application_remedies(application_id, id);

-- A unit's annual report: the figures entered by hand until other modules supply them, and the
-- free-text sections.
CREATE TABLE annual_reports (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    licences BIGINT NOT NULL DEFAULT 0,
    penalties BIGINT NOT NULL DEFAULT 0,
    enforcements BIGINT NOT NULL DEFAULT 0,
    fees_wan TEXT NOT NULL DEFAULT '0',
    overview TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '',
    other TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, year)
);

-- Letter templates the openness office edits (one per letter kind and outcome); the shipped
-- text is used where none is stored.
CREATE TABLE letter_templates (
    template_key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
