-- The log of many people, each row keyed by the user it belongs to: the same tables as the
-- SQLite log at its version 12, in PostgreSQL's types. Times are a UTC instant (`*_at`,
-- seconds since the epoch) and the offset in force when it was taken (`*_offset`, seconds
-- east), so a `Stamp` comes back exactly and sessions order by the instant. JSON is kept as
-- `json` (validated, stored as written, every string serde_json can write), never `jsonb`,
-- which refuses `\u0000`. Unsigned counts are `bigint` with a check, since a u32 does not fit
-- an `integer`.

CREATE TABLE profile (
    user_id        text PRIMARY KEY,
    data           json NOT NULL,
    updated_at     bigint NOT NULL,
    updated_offset integer NOT NULL,
    -- The device that wrote it: last writer wins, by the instant and then the device.
    updated_by     text
);

CREATE TABLE acknowledgements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('disclaimer')),
    version         bigint NOT NULL CHECK (version >= 0),
    accepted_at     bigint NOT NULL,
    accepted_offset integer NOT NULL
);
CREATE INDEX acknowledgements_by_user ON acknowledgements (user_id, kind, version);

-- Red-flag checks: the areas asked for (a JSON list of words), every answer (JSON:
-- {"id": true|false}), the verdict, whether the person said they had been assessed since an
-- emergency answer (NULL when not asked), and the signs asked as new since a clinician
-- checked them (JSON: {"id": [utc seconds, offset seconds]}).
CREATE TABLE screenings (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   text NOT NULL,
    at        bigint NOT NULL,
    at_offset integer NOT NULL,
    areas     json NOT NULL,
    answers   json NOT NULL,
    verdict   text NOT NULL CHECK (verdict IN ('clear', 'soon', 'same-day', 'emergency')),
    assessed  boolean,
    since     json NOT NULL DEFAULT '{}'
);
CREATE INDEX screenings_by_user ON screenings (user_id, id);

-- Sessions: one run of a timeline. `outcome` stays NULL until the session ends; `pid` is the
-- player's process, `settled` whether soreness had settled by the next morning.
CREATE TABLE sessions (
    id               bigint GENERATED ALWAYS AS IDENTITY,
    user_id          text NOT NULL,
    uid              text NOT NULL,
    started_at       bigint NOT NULL,
    started_offset   integer NOT NULL,
    ended_at         bigint,
    ended_offset     integer,
    heartbeat_at     bigint NOT NULL,
    heartbeat_offset integer NOT NULL,
    pid              bigint CHECK (pid >= 0),
    source           text NOT NULL CHECK (source IN ('player', 'manual')),
    routine          json NOT NULL,
    planned_s        bigint NOT NULL CHECK (planned_s >= 0),
    pain_before      smallint CHECK (pain_before BETWEEN 0 AND 10),
    pain_after       smallint CHECK (pain_after BETWEEN 0 AND 10),
    outcome          text CHECK (outcome IN ('completed', 'stopped')),
    settled          boolean,
    -- When and on which device the settled answer was given (last writer wins).
    settled_at       bigint,
    settled_by       text,
    -- What the steps come to so far (core's `Tally`), kept by every step's insert in the same
    -- transaction, so statistics read one row a session and never the steps or the routine.
    tally            json NOT NULL DEFAULT '{"ms":0,"exercises":[]}',
    CHECK ((ended_at IS NULL) = (ended_offset IS NULL)),
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, uid)
);
-- Newest first, since an instant, a page at a time; and the pain scores read from the index
-- alone (the flare rules, the review), never from the rows with their routines.
CREATE INDEX sessions_by_start ON sessions (user_id, started_at, id)
    INCLUDE (started_offset, pain_before, pain_after, settled, outcome);
CREATE INDEX sessions_unfinished ON sessions (user_id, started_at, id) WHERE outcome IS NULL;

-- Every step that ended. A step belongs to a session of the same user (the foreign key
-- includes the user, so no row can point into another person's log); `seq` keeps the order;
-- `report` is the web player's count, unique per session, so a retry is logged once.
CREATE TABLE session_steps (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     text NOT NULL,
    session_id  bigint NOT NULL,
    step        bigint NOT NULL CHECK (step >= 0),
    kind        text NOT NULL CHECK (kind IN ('position', 'prepare', 'hold', 'rest', 'switch', 'done')),
    exercise_id text,
    side        text CHECK (side IN ('left', 'right')),
    rep         bigint NOT NULL CHECK (rep >= 0),
    planned_s   bigint NOT NULL CHECK (planned_s >= 0),
    done_ms     bigint NOT NULL CHECK (done_ms >= 0),
    outcome     text NOT NULL CHECK (outcome IN ('done', 'skipped', 'hurt')),
    at          bigint NOT NULL,
    at_offset   integer NOT NULL,
    report      bigint CHECK (report >= 0),
    FOREIGN KEY (user_id, session_id) REFERENCES sessions (user_id, id) ON DELETE CASCADE
);
CREATE INDEX session_steps_by_session ON session_steps (user_id, session_id, seq);
CREATE UNIQUE INDEX session_steps_report ON session_steps (session_id, report)
    WHERE report IS NOT NULL;

-- Clinicians' clearances of warning signs.
CREATE TABLE clearances (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   text NOT NULL,
    sign      text NOT NULL,
    at        bigint NOT NULL,
    at_offset integer NOT NULL
);
CREATE INDEX clearances_by_user ON clearances (user_id, id);

-- Routines printed on a sheet, under the code the sheet shows.
CREATE TABLE sheets (
    user_id   text NOT NULL,
    code      text NOT NULL,
    routine   json NOT NULL,
    at        bigint NOT NULL,
    at_offset integer NOT NULL,
    PRIMARY KEY (user_id, code)
);

-- Sync events. `device` holds this database's own id (one row). `outbox` keeps every event,
-- this device's own (appended by each write in the same transaction) and other devices'
-- (kept by `apply`), each in its device's dense series per user (`idx` from 1, `MAX(idx) + 1`
-- read under a transaction-scoped advisory lock on the user and device) with its global
-- uid, a UUIDv7 (unique per user, so no user can take another's). `session` is the uid of the
-- session a step, an end or a settled answer touches, so one that arrived before its session
-- is merged when the session comes. `body` is the change as core's JSON; `at` its instant.
CREATE TABLE device (
    one integer PRIMARY KEY CHECK (one = 1),
    id  text NOT NULL
);
INSERT INTO device (one, id) VALUES (1, gen_random_uuid()::text);

CREATE TABLE outbox (
    user_id text NOT NULL,
    device  text NOT NULL,
    idx     bigint NOT NULL CHECK (idx >= 1),
    uid     text NOT NULL,
    kind    text NOT NULL,
    session text,
    body    json NOT NULL,
    at      bigint NOT NULL,
    PRIMARY KEY (user_id, device, idx),
    UNIQUE (user_id, uid)
);
CREATE INDEX outbox_by_session ON outbox (user_id, session) WHERE session IS NOT NULL;
