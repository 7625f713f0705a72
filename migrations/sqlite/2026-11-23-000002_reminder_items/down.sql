DROP TABLE reminder_items;
