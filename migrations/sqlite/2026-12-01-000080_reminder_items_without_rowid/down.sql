CREATE TABLE reminder_items_old (
    reminder_id BIGINT NOT NULL REFERENCES reminders(id),
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    audience TEXT NOT NULL,
    occasion TEXT NOT NULL,
    PRIMARY KEY (task_id, audience, occasion)
);
INSERT INTO reminder_items_old (reminder_id, task_id, audience, occasion)
    SELECT reminder_id, task_id, audience, occasion FROM reminder_items;
DROP TABLE reminder_items;
ALTER TABLE reminder_items_old RENAME TO reminder_items;
CREATE INDEX reminder_items_reminder ON reminder_items (reminder_id);
