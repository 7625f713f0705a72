-- SQLite only: its reminder_items become a WITHOUT ROWID table. PostgreSQL keeps rows in a heap
-- with the primary-key index beside it; nothing changes here.
SELECT 1;
