-- The days without a session after which a patient's clinicians are alerted, and the e-mails
-- owed for each new alert: the same as the SQLite log's migration 18, in PostgreSQL's types.
-- `quiet_days` NULL is the default, 7 days, which is core's. An `alert_mail` row is added with
-- its alert, in the alert's transaction, and marked once sent (or not needed); `next_at` (UTC
-- seconds, 0 for at once) is when it is due, `tries` the failed tries so far.
ALTER TABLE people ADD COLUMN quiet_days integer;
CREATE TABLE alert_mail (
    alert_id     bigint NOT NULL REFERENCES alerts (id),
    clinician_id text NOT NULL REFERENCES clinicians (id),
    tries        integer NOT NULL DEFAULT 0,
    next_at      bigint NOT NULL,
    mailed_at    bigint,
    PRIMARY KEY (alert_id, clinician_id)
);
CREATE INDEX alert_mail_due ON alert_mail (next_at) WHERE mailed_at IS NULL;
CREATE INDEX care_team_by_user ON care_team (user_id, since);
