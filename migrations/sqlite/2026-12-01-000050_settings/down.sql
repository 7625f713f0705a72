DROP TABLE calendar_days;
DROP TABLE settings;
