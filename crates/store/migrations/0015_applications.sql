-- Disclosure applications (依申请公开): what the applicant asked, who they are, how it arrived and
-- when it counts as received. The tracking secret is kept as a hash. `submission_key` makes a
-- form sent twice one application.
CREATE TABLE applications (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    tracking_no TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    submission_key TEXT NOT NULL,
    applicant_type TEXT NOT NULL,
    name TEXT NOT NULL,
    id_document TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    content TEXT NOT NULL,
    purpose TEXT NOT NULL,
    form TEXT NOT NULL,
    delivery TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    receipt_note TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX applications_tracking ON applications(tracking_no);
CREATE UNIQUE INDEX applications_submission ON applications(submission_key);
CREATE INDEX applications_unit ON applications(unit_id, received_on, id);
