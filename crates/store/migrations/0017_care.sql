-- What a person's clinicians send through the clinic: who recorded a clearance (none when
-- the person did), prescriptions, and the person's message thread with them. Each kept once
-- by its id; the whole value as JSON.
ALTER TABLE clearances ADD COLUMN cleared_by TEXT;
CREATE TABLE prescriptions (
    id         INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL,
    uid        TEXT NOT NULL,
    at         INTEGER NOT NULL,
    body       TEXT NOT NULL,
    UNIQUE (user_id, uid)
) STRICT;
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL,
    uid        TEXT NOT NULL,
    at         INTEGER NOT NULL,
    body       TEXT NOT NULL,
    UNIQUE (user_id, uid)
) STRICT;
-- The practice's prescription templates (by name; the body is JSON the server reads) and its
-- own exercises (catalogue TOML, checked by the server before it is kept), by id.
CREATE TABLE templates (
    name       TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    made_by    TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE TABLE practice_exercises (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    made_by    TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
