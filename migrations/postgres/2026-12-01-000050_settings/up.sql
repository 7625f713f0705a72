-- Settings an administrator changes from the web pages, overriding the configuration file: the
-- reminder policy (key `reminder_policy`, JSON).
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- Days the office declares beside the shipped holiday list: extra days off (`working` false, e.g.
-- a day swapped for a bridge holiday) and make-up working days (`working` true, e.g. the Saturday
-- worked in exchange).
CREATE TABLE calendar_days (
    day DATE PRIMARY KEY NOT NULL,
    working BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
