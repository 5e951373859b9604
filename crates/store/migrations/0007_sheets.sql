-- Routines printed on a sheet, under the code the sheet shows, so `log --sheet CODE` records
-- exactly what was on the paper. The routine is the stored JSON shape (core's Routine).
CREATE TABLE sheets (
    user_id    TEXT NOT NULL,
    code       TEXT NOT NULL,
    routine    TEXT NOT NULL,
    at         INTEGER NOT NULL,
    at_offset  INTEGER NOT NULL,
    PRIMARY KEY (user_id, code)
);
