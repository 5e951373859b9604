-- Which people are which clinician's patients (a clinician sees only theirs).
CREATE TABLE care_team (
    clinician_id TEXT NOT NULL REFERENCES clinicians (id),
    user_id      TEXT NOT NULL REFERENCES people (id),
    since        INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (clinician_id, user_id)
) STRICT;
CREATE INDEX care_team_in_order ON care_team (clinician_id, seq);
