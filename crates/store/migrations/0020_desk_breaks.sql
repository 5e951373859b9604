-- Desk breaks (`backstretch break`): a minute or two at the desk, counted apart from routines
-- and toward their own goal. The flag is the session's routine's; statistics read it here so
-- they never read the routine.
ALTER TABLE sessions ADD COLUMN desk_break INTEGER NOT NULL DEFAULT 0 CHECK (desk_break IN (0, 1));
UPDATE sessions SET desk_break = 1 WHERE json_extract(routine, '$.profile.desk_break') = 1;
