-- Whether soreness after a session had settled by the next morning (asked at the next start
-- after an amber or red session; NULL until answered), and clinicians' clearances of warning
-- signs (each holds for 12 weeks, or until the sign is answered again).
ALTER TABLE sessions ADD COLUMN settled INTEGER CHECK (settled IN (0, 1));

CREATE TABLE clearances (
    id        INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    sign      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    at_offset INTEGER NOT NULL
);
CREATE INDEX clearances_by_user ON clearances (user_id, id);
