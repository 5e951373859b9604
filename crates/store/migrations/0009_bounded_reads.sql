-- Reads that must not grow with the log. The newest unfinished session is found in the index
-- alone, and the pain scores (the flare rules, the six-week review) are read from an index that
-- covers them, never from the rows with their routines.
DROP INDEX sessions_unfinished;
CREATE INDEX sessions_unfinished ON sessions (user_id, outcome, started_at, id);
CREATE INDEX sessions_pain ON sessions (user_id, started_at, id, started_offset, pain_before, pain_after, settled, outcome);
