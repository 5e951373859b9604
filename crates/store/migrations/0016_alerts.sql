-- Alerts about a person, for their clinicians: each kept once by its key (what it is about),
-- and acknowledged once, with who and when.
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    at_offset  INTEGER NOT NULL,
    acked_by   TEXT,
    acked_at   INTEGER,
    UNIQUE (user_id, key)
) STRICT;
CREATE INDEX alerts_by_user ON alerts (user_id, at);
