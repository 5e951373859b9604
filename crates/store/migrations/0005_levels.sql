-- Warning signs gain a `same-day` level (get medical help today). SQLite cannot change a
-- CHECK constraint in place, so the screenings table is rebuilt with the new one.
CREATE TABLE screenings_v5 (
    id        INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    at        INTEGER NOT NULL,
    at_offset INTEGER NOT NULL,
    areas     TEXT NOT NULL,
    answers   TEXT NOT NULL,
    verdict   TEXT NOT NULL CHECK (verdict IN ('clear', 'soon', 'same-day', 'emergency'))
);
INSERT INTO screenings_v5 SELECT id, user_id, at, at_offset, areas, answers, verdict FROM screenings;
DROP TABLE screenings;
ALTER TABLE screenings_v5 RENAME TO screenings;
CREATE INDEX screenings_by_user ON screenings (user_id, id);
