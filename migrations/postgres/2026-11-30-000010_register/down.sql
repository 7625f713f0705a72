DROP TABLE register_entries;
DROP TABLE register_counters;
