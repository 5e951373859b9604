-- Which people are which clinician's patients (a clinician sees only theirs): the same table
-- as the SQLite log's migration 15, in PostgreSQL's types. `since` is UTC seconds; `seq`
-- numbers the rows in the order they were added, which is the order a clinician's patients
-- are listed in.
CREATE TABLE care_team (
    clinician_id text NOT NULL REFERENCES clinicians (id),
    user_id      text NOT NULL REFERENCES people (id),
    since        bigint NOT NULL,
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (clinician_id, user_id)
);
CREATE INDEX care_team_in_order ON care_team (clinician_id, seq);
