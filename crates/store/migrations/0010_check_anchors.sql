-- A red-flag check also keeps, after an emergency answer, whether the person said they had
-- been assessed since (NULL when not asked), and the signs it asked as "new, or worse, since a
-- clinician checked it", with when that was (JSON: {"id": [utc seconds, offset seconds]}).
ALTER TABLE screenings ADD COLUMN assessed INTEGER CHECK (assessed IN (0, 1));
ALTER TABLE screenings ADD COLUMN since TEXT NOT NULL DEFAULT '{}';
