-- Tasks may be drafts awaiting the clerk's confirmation. SQLite cannot change a CHECK constraint in
-- place, so the table is rebuilt (foreign keys are switched off around migrations, see
-- store::Store::migrate), keeping every row, column and index.
CREATE TABLE tasks_new (
    id INTEGER PRIMARY KEY,
    directive_id BIGINT NOT NULL REFERENCES directives(id),
    document_id BIGINT NOT NULL REFERENCES documents(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    deadline DATE,
    deadline_text TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'assigned', 'in_progress', 'reported', 'completed', 'returned', 'cancelled')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    done_on DATE,
    recurrence TEXT
        CHECK (recurrence IN ('daily', 'weekly', 'monthly', 'quarterly', 'semiannual', 'yearly')),
    recurrence_working_days BOOLEAN NOT NULL DEFAULT FALSE,
    recurrence_anchor DATE,
    series_id BIGINT,
    occurrence INTEGER NOT NULL DEFAULT 1,
    source_start INTEGER,
    source_end INTEGER
);
INSERT INTO tasks_new SELECT id, directive_id, document_id, position, text, deadline, deadline_text,
    status, created_at, updated_at, done_on, recurrence, recurrence_working_days, recurrence_anchor,
    series_id, occurrence, source_start, source_end FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_directive ON tasks (directive_id);
CREATE INDEX tasks_deadline ON tasks (deadline);
CREATE INDEX tasks_status ON tasks (status);
CREATE UNIQUE INDEX tasks_series_occurrence ON tasks (series_id, occurrence);
CREATE INDEX tasks_recurring ON tasks (deadline) WHERE recurrence IS NOT NULL;
