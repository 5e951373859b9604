-- The days without a session after which a patient's clinicians are alerted, as one of them
-- chose (NULL: the default, 7 days, which is core's).
ALTER TABLE people ADD COLUMN quiet_days INTEGER;
-- An e-mail owed to each of a patient's clinicians for each new alert, added with the alert in
-- its transaction and marked once sent (or not needed), so a server that stops in between
-- sends it when it starts again. `next_at` is when it is due (0: at once; a failed try puts it
-- off), `tries` the failed tries so far.
CREATE TABLE alert_mail (
    alert_id     INTEGER NOT NULL REFERENCES alerts (id),
    clinician_id TEXT NOT NULL REFERENCES clinicians (id),
    tries        INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    mailed_at    INTEGER,
    PRIMARY KEY (alert_id, clinician_id)
) STRICT;
CREATE INDEX alert_mail_due ON alert_mail (next_at) WHERE mailed_at IS NULL;
-- A person's clinicians, found from the person (each push asks whether they have one).
CREATE INDEX care_team_by_user ON care_team (user_id, since);
