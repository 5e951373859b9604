-- The disclaimer accepted, with the version of its text.
CREATE TABLE acknowledgements (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('disclaimer')),
    version     INTEGER NOT NULL,
    accepted_at TEXT NOT NULL
);

-- Red-flag checks: the areas they were asked for, every answer (JSON: {"id": true|false}),
-- and the verdict. Nothing is planned or played while the latest verdict is not clear.
CREATE TABLE screenings (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    areas   TEXT NOT NULL,
    answers TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('clear', 'soon', 'emergency'))
);
