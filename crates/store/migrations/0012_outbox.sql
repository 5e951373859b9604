-- Sync events. `device` holds this log's own id (one row, made by the migration's Rust step).
-- `outbox` keeps every event of the log, this device's own (appended by each write in the
-- same transaction) and other devices' (kept by `apply`), each in its device's dense series
-- (`idx` from 1, `MAX(idx) + 1` read under the write lock) and with its global uid, a
-- UUIDv7. `session` is the uid of the session a step, an end or a settled answer touches, so
-- one that arrived before its session is merged when the session comes. `body` is the
-- change as core's JSON; `at` its instant.
CREATE TABLE device (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    id  TEXT NOT NULL
);

CREATE TABLE outbox (
    user_id   TEXT NOT NULL,
    device    TEXT NOT NULL,
    idx       INTEGER NOT NULL CHECK (idx >= 1),
    uid       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    session   TEXT,
    body      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (user_id, device, idx),
    UNIQUE (user_id, uid)
) WITHOUT ROWID;
CREATE INDEX outbox_by_session ON outbox (user_id, session) WHERE session IS NOT NULL;

-- Last writer wins for the profile and the settled answer: by the instant, then the device
-- that wrote it (NULL for what was written before sync).
ALTER TABLE profile ADD COLUMN updated_by TEXT;
ALTER TABLE sessions ADD COLUMN settled_at INTEGER;
ALTER TABLE sessions ADD COLUMN settled_by TEXT;
