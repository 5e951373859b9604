-- Sessions: one run of a timeline. `outcome` stays NULL until the session ends; a session
-- without an end whose player process (`pid`) is gone, or whose heartbeat is old, was
-- interrupted (killed, terminal closed).
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL UNIQUE,
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    heartbeat_at TEXT NOT NULL,
    pid          INTEGER,
    source       TEXT NOT NULL CHECK (source IN ('player', 'manual')),
    routine      TEXT NOT NULL,
    planned_s    INTEGER NOT NULL CHECK (planned_s >= 0),
    pain_before  INTEGER CHECK (pain_before BETWEEN 0 AND 10),
    pain_after   INTEGER CHECK (pain_after BETWEEN 0 AND 10),
    outcome      TEXT CHECK (outcome IN ('completed', 'stopped'))
);

-- Every step that ended, written the moment it ended. A step played again after going
-- back is logged again; `seq` keeps the order.
CREATE TABLE session_steps (
    seq         INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    step        INTEGER NOT NULL CHECK (step >= 0),
    kind        TEXT NOT NULL,
    exercise_id TEXT,
    side        TEXT CHECK (side IN ('left', 'right')),
    rep         INTEGER NOT NULL CHECK (rep >= 0),
    planned_s   INTEGER NOT NULL CHECK (planned_s >= 0),
    done_ms     INTEGER NOT NULL CHECK (done_ms >= 0),
    outcome     TEXT NOT NULL CHECK (outcome IN ('done', 'skipped', 'hurt')),
    at          TEXT NOT NULL
);

CREATE INDEX session_steps_by_session ON session_steps (session_id, step);
CREATE INDEX sessions_by_start ON sessions (started_at);
