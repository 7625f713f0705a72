-- Where in its document's text a task was read from (byte offsets, end exclusive), so that the
-- review page can show each task beside its source passage. Empty for tasks entered by hand.
ALTER TABLE tasks ADD COLUMN source_start INTEGER;
ALTER TABLE tasks ADD COLUMN source_end INTEGER;
