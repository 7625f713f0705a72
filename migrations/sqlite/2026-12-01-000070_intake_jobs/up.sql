-- Files waiting to be read, or being read, by the background reader (scans and PDFs, whose OCR
-- can take minutes). The file is stored first (content-addressed), so a crash loses nothing: a
-- job whose lease ran out is taken up again. The directive is registered in the same transaction
-- that marks the job done.
CREATE TABLE intake_jobs (
    id INTEGER PRIMARY KEY,
    checksum TEXT NOT NULL REFERENCES files(checksum),
    file_name TEXT,
    office TEXT NOT NULL,
    draft BOOLEAN NOT NULL,
    confirm_duplicate BOOLEAN NOT NULL,
    actor TEXT NOT NULL,
    submitted_by BIGINT REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    stage TEXT NOT NULL,
    pages_done INTEGER NOT NULL,
    pages_total INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    claim TEXT,
    lease_until TIMESTAMP,
    directive_id BIGINT REFERENCES directives(id),
    error_code TEXT,
    error_message TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX intake_jobs_waiting ON intake_jobs (status, id);
