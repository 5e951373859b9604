-- Desk breaks (`backstretch break`): a minute or two at the desk, counted apart from routines
-- and toward their own goal. The flag is the session's routine's; statistics read it here so
-- they never read the routine.
ALTER TABLE sessions ADD COLUMN desk_break boolean NOT NULL DEFAULT false;
UPDATE sessions SET desk_break = true WHERE (routine -> 'profile' ->> 'desk_break') = 'true';
