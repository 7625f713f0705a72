-- Which tasks, on which occasion and for whom, a reminder mail covers. One row per (task, audience,
-- occasion) at most: a task is never mailed twice for the same occasion, even across daily digests.
CREATE TABLE reminder_items (
    reminder_id BIGINT NOT NULL REFERENCES reminders(id),
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    audience TEXT NOT NULL,
    occasion TEXT NOT NULL,
    PRIMARY KEY (task_id, audience, occasion)
);
CREATE INDEX reminder_items_reminder ON reminder_items (reminder_id);
