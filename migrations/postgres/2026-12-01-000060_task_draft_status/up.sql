-- Tasks may be drafts awaiting the clerk's confirmation.
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
    CHECK (status IN ('draft', 'assigned', 'in_progress', 'reported', 'completed', 'returned', 'cancelled'));
