-- Agencies: bodies that lead or support tasks and receive reminders.
CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    abbreviation TEXT,
    email TEXT,
    successor_id BIGINT REFERENCES agencies(id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'agency', 'leader')),
    agency_id BIGINT REFERENCES agencies(id),
    password_hash TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

-- Original files as received, content-addressed by SHA-256.
CREATE TABLE files (
    checksum TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE directives (
    id INTEGER PRIMARY KEY,
    file_name TEXT,
    checksum TEXT NOT NULL REFERENCES files(checksum),
    source_format TEXT NOT NULL,
    original_text TEXT NOT NULL,
    repaired_text TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    registered_by BIGINT REFERENCES users(id)
);
CREATE INDEX directives_checksum ON directives (checksum);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    directive_id BIGINT NOT NULL REFERENCES directives(id),
    position INTEGER NOT NULL,
    kind TEXT,
    number TEXT,
    issuer TEXT,
    place TEXT,
    issued_on DATE,
    subject TEXT,
    signer TEXT,
    recipients TEXT NOT NULL,
    refs TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (directive_id, position)
);
CREATE INDEX documents_number ON documents (number);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    directive_id BIGINT NOT NULL REFERENCES directives(id),
    document_id BIGINT NOT NULL REFERENCES documents(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    deadline DATE,
    deadline_text TEXT,
    status TEXT NOT NULL CHECK (status IN ('assigned', 'in_progress', 'reported', 'completed', 'returned', 'cancelled')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tasks_directive ON tasks (directive_id);
CREATE INDEX tasks_deadline ON tasks (deadline);
CREATE INDEX tasks_status ON tasks (status);

CREATE TABLE task_agencies (
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'support')),
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, agency_id, role)
);
CREATE INDEX task_agencies_agency ON task_agencies (agency_id, role);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    author_id BIGINT REFERENCES users(id),
    text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_task ON reports (task_id);

-- The reminder outbox: one row per (task or agency, occasion), written in the transaction that decides it.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    agency_id BIGINT REFERENCES agencies(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX reminders_due ON reminders (status, next_attempt_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- Changes the search index has to follow, written in the same transaction as the change.
CREATE TABLE search_queue (
    id INTEGER PRIMARY KEY,
    directive_id BIGINT NOT NULL,
    queued_at TIMESTAMP NOT NULL
);
