-- Steps sent over the network (the web player) carry the player's count of reports in the
-- session, so a retry of the same report is recognised and never logged twice. Steps the
-- terminal writes directly have none.
ALTER TABLE session_steps ADD COLUMN report INTEGER CHECK (report >= 0);
CREATE UNIQUE INDEX session_steps_report ON session_steps (session_id, report) WHERE report IS NOT NULL;
