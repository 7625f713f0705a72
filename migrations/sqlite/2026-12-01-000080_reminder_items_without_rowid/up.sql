-- A reminder pass writes one row per task reminded, up to hundreds of thousands in one transaction:
-- the rows are kept in their primary key's B-tree itself (WITHOUT ROWID), one B-tree fewer to
-- update per row than a rowid table with a separate primary-key index.
CREATE TABLE reminder_items_new (
    reminder_id BIGINT NOT NULL REFERENCES reminders(id),
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    audience TEXT NOT NULL,
    occasion TEXT NOT NULL,
    PRIMARY KEY (task_id, audience, occasion)
) WITHOUT ROWID;
INSERT INTO reminder_items_new (reminder_id, task_id, audience, occasion)
    SELECT reminder_id, task_id, audience, occasion FROM reminder_items;
DROP TABLE reminder_items;
ALTER TABLE reminder_items_new RENAME TO reminder_items;
CREATE INDEX reminder_items_reminder ON reminder_items (reminder_id);
