-- Typed times and users. Every time becomes a UTC instant (integer seconds since the epoch)
-- plus the UTC offset in force when it was taken (seconds east), so sessions order by the
-- instant even when a clock change repeats local times. Every row gets the user it belongs
-- to ('local' for this file's one person), so a multi-user backend can share the schema.
-- Runs with foreign keys off (see migrate.rs), so dropping the old tables cascades nothing.

CREATE TABLE profile_v4 (
    user_id        TEXT PRIMARY KEY,
    data           TEXT NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_offset INTEGER NOT NULL
);
INSERT INTO profile_v4 (user_id, data, updated_at, updated_offset)
SELECT 'local', data, coalesce(unixepoch(updated_at), 0),
       CASE WHEN updated_at LIKE '%Z' OR unixepoch(updated_at) IS NULL THEN 0
            ELSE (CASE substr(updated_at, -6, 1) WHEN '-' THEN -1 ELSE 1 END)
                 * (CAST(substr(updated_at, -5, 2) AS INTEGER) * 3600 + CAST(substr(updated_at, -2, 2) AS INTEGER) * 60)
       END
FROM profile;

CREATE TABLE sessions_v4 (
    id               INTEGER PRIMARY KEY,
    user_id          TEXT NOT NULL,
    uid              TEXT NOT NULL,
    started_at       INTEGER NOT NULL,
    started_offset   INTEGER NOT NULL,
    ended_at         INTEGER,
    ended_offset     INTEGER,
    heartbeat_at     INTEGER NOT NULL,
    heartbeat_offset INTEGER NOT NULL,
    pid              INTEGER,
    source           TEXT NOT NULL CHECK (source IN ('player', 'manual')),
    routine          TEXT NOT NULL,
    planned_s        INTEGER NOT NULL CHECK (planned_s >= 0),
    pain_before      INTEGER CHECK (pain_before BETWEEN 0 AND 10),
    pain_after       INTEGER CHECK (pain_after BETWEEN 0 AND 10),
    outcome          TEXT CHECK (outcome IN ('completed', 'stopped')),
    CHECK ((ended_at IS NULL) = (ended_offset IS NULL)),
    UNIQUE (user_id, uid)
);
INSERT INTO sessions_v4
SELECT id, 'local', uid,
       unixepoch(started_at),
       CASE WHEN started_at LIKE '%Z' THEN 0
            ELSE (CASE substr(started_at, -6, 1) WHEN '-' THEN -1 ELSE 1 END)
                 * (CAST(substr(started_at, -5, 2) AS INTEGER) * 3600 + CAST(substr(started_at, -2, 2) AS INTEGER) * 60)
       END,
       unixepoch(ended_at),
       CASE WHEN ended_at IS NULL THEN NULL WHEN ended_at LIKE '%Z' THEN 0
            ELSE (CASE substr(ended_at, -6, 1) WHEN '-' THEN -1 ELSE 1 END)
                 * (CAST(substr(ended_at, -5, 2) AS INTEGER) * 3600 + CAST(substr(ended_at, -2, 2) AS INTEGER) * 60)
       END,
       unixepoch(heartbeat_at),
       CASE WHEN heartbeat_at LIKE '%Z' THEN 0
            ELSE (CASE substr(heartbeat_at, -6, 1) WHEN '-' THEN -1 ELSE 1 END)
                 * (CAST(substr(heartbeat_at, -5, 2) AS INTEGER) * 3600 + CAST(substr(heartbeat_at, -2, 2) AS INTEGER) * 60)
       END,
       pid, source, routine, planned_s, pain_before, pain_after, outcome
FROM sessions;

CREATE TABLE session_steps_v4 (
    seq         INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    step        INTEGER NOT NULL CHECK (step >= 0),
    kind        TEXT NOT NULL CHECK (kind IN ('position', 'prepare', 'hold', 'rest', 'switch', 'done')),
    exercise_id TEXT,
    side        TEXT CHECK (side IN ('left', 'right')),
    rep         INTEGER NOT NULL CHECK (rep >= 0),
    planned_s   INTEGER NOT NULL CHECK (planned_s >= 0),
    done_ms     INTEGER NOT NULL CHECK (done_ms >= 0),
    outcome     TEXT NOT NULL CHECK (outcome IN ('done', 'skipped', 'hurt')),
    at          INTEGER NOT NULL,
    at_offset   INTEGER NOT NULL
);
INSERT INTO session_steps_v4
SELECT seq, session_id, step, kind, exercise_id, side, rep, planned_s, done_ms, outcome,
       unixepoch(at),
       CASE WHEN at LIKE '%Z' THEN 0
            ELSE (CASE substr(at, -6, 1) WHEN '-' THEN -1 ELSE 1 END)
                 * (CAST(substr(at, -5, 2) AS INTEGER) * 3600 + CAST(substr(at, -2, 2) AS INTEGER) * 60)
       END
FROM session_steps;

CREATE TABLE acknowledgements_v4 (
    id              INTEGER PRIMARY KEY,
    user_id         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('disclaimer')),
    version         INTEGER NOT NULL,
    accepted_at     INTEGER NOT NULL,
    accepted_offset INTEGER NOT NULL
);
INSERT INTO acknowledgements_v4
SELECT id, 'local', kind, version, coalesce(unixepoch(accepted_at), 0),
       CASE WHEN accepted_at LIKE '%Z' OR unixepoch(accepted_at) IS NULL THEN 0
            ELSE (CASE substr(accepted_at, -6, 1) WHEN '-' THEN -1 ELSE 1 END)
                 * (CAST(substr(accepted_at, -5, 2) AS INTEGER) * 3600 + CAST(substr(accepted_at, -2, 2) AS INTEGER) * 60)
       END
FROM acknowledgements;

CREATE TABLE screenings_v4 (
    id        INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    at        INTEGER NOT NULL,
    at_offset INTEGER NOT NULL,
    areas     TEXT NOT NULL,
    answers   TEXT NOT NULL,
    verdict   TEXT NOT NULL CHECK (verdict IN ('clear', 'soon', 'emergency'))
);
INSERT INTO screenings_v4
SELECT id, 'local', unixepoch(at),
       CASE WHEN at LIKE '%Z' THEN 0
            ELSE (CASE substr(at, -6, 1) WHEN '-' THEN -1 ELSE 1 END)
                 * (CAST(substr(at, -5, 2) AS INTEGER) * 3600 + CAST(substr(at, -2, 2) AS INTEGER) * 60)
       END,
       areas, answers, verdict
FROM screenings;

DROP TABLE session_steps;
DROP TABLE sessions;
DROP TABLE profile;
DROP TABLE acknowledgements;
DROP TABLE screenings;
ALTER TABLE sessions_v4 RENAME TO sessions;
ALTER TABLE session_steps_v4 RENAME TO session_steps;
ALTER TABLE profile_v4 RENAME TO profile;
ALTER TABLE acknowledgements_v4 RENAME TO acknowledgements;
ALTER TABLE screenings_v4 RENAME TO screenings;

CREATE INDEX session_steps_by_session ON session_steps (session_id, seq);
CREATE INDEX sessions_by_user_start ON sessions (user_id, started_at, id);
CREATE INDEX sessions_unfinished ON sessions (user_id, outcome);
CREATE INDEX screenings_by_user ON screenings (user_id, id);
