-- The day a task was done: the filing day of the report the clerk accepted (or the day it was
-- closed as completed without one). It decides "done on time" against "done late".
ALTER TABLE tasks ADD COLUMN done_on DATE;
