-- The task lifecycle: progress reports decided by the clerk (with attachments), deadline extensions
-- decided by a leader, and recurring duties that create their next occurrence.
--
-- Columns added to existing tables carry no REFERENCES clause, so that SQLite can drop them again
-- (it cannot drop a column that takes part in a foreign key); the code writes only existing ids.

-- Recurring duties ("hằng tháng", "hằng quý"...): the rule, whether its day is counted in working
-- days, the deadline the series started from (so an extension of one occurrence does not move the
-- next), the series (the id of its first task; the first task names itself) and the occurrence number.
ALTER TABLE tasks ADD COLUMN recurrence TEXT
    CHECK (recurrence IN ('daily', 'weekly', 'monthly', 'quarterly', 'semiannual', 'yearly'));
ALTER TABLE tasks ADD COLUMN recurrence_working_days BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN recurrence_anchor DATE;
ALTER TABLE tasks ADD COLUMN series_id BIGINT;
ALTER TABLE tasks ADD COLUMN occurrence INTEGER NOT NULL DEFAULT 1;
-- One task per occurrence of a series: two passes cannot both create the next one.
CREATE UNIQUE INDEX tasks_series_occurrence ON tasks (series_id, occurrence);
-- The reminder pass looks for recurring tasks whose deadline has passed.
CREATE INDEX tasks_recurring ON tasks (deadline) WHERE recurrence IS NOT NULL;

-- The clerk's decision on a report: accepted (the task is completed) or returned, with a reason.
ALTER TABLE reports ADD COLUMN decision TEXT CHECK (decision IN ('accepted', 'returned'));
ALTER TABLE reports ADD COLUMN reason TEXT;
ALTER TABLE reports ADD COLUMN decided_by BIGINT;
ALTER TABLE reports ADD COLUMN decided_at TIMESTAMP;

-- Files attached to a report; the bytes are in `files`, content-addressed like directives.
CREATE TABLE report_attachments (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    checksum TEXT NOT NULL REFERENCES files(checksum),
    size BIGINT NOT NULL,
    UNIQUE (report_id, position)
);

-- Deadline extensions: requested by the agency with a reason, approved or refused by a leader with a
-- note. Rows are never deleted: they are the history of the task's deadline.
CREATE TABLE extensions (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    old_deadline DATE,
    new_deadline DATE NOT NULL,
    reason TEXT NOT NULL,
    requested_by BIGINT REFERENCES users(id),
    requested_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    note TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMP
);
CREATE INDEX extensions_task ON extensions (task_id);
-- At most one request awaits a decision per task.
CREATE UNIQUE INDEX extensions_one_pending ON extensions (task_id) WHERE status = 'pending';
