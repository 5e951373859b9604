-- A clinician's second factor, logins waiting for their code, the tokens of erased people's
-- devices and the audit lines by person: the same as the SQLite log's migration 19, in
-- PostgreSQL's types. Times are UTC seconds; a time step is a count of 30 s since 1970.
ALTER TABLE clinicians ADD COLUMN totp_secret text;
ALTER TABLE clinicians ADD COLUMN totp_offered text;
ALTER TABLE clinicians ADD COLUMN totp_step bigint;

CREATE TABLE totp_logins (
    token_hash   text PRIMARY KEY,
    clinician_id text NOT NULL REFERENCES clinicians (id),
    expires_at   bigint NOT NULL
);

CREATE TABLE erased_tokens (
    token_hash text PRIMARY KEY,
    erased_at  bigint NOT NULL
);

CREATE INDEX audit_by_patient ON audit (patient, seq) WHERE patient IS NOT NULL;
