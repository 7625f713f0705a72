ALTER TABLE tasks DROP COLUMN source_end;
ALTER TABLE tasks DROP COLUMN source_start;
