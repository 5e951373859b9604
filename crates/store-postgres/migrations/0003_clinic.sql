-- A practice's clinicians on a sync server: the same tables as the SQLite log's migration 14,
-- in PostgreSQL's types. The invitation codes and the login tokens are kept only as hashes; a
-- password only as the server's argon2id hash. Times are UTC seconds. The failures in a row
-- are a u32, so a `bigint` with a check (see 0001_logs.sql).
CREATE TABLE clinicians (
    id           text PRIMARY KEY,
    email        text NOT NULL,
    password     text,
    failures     bigint NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until bigint,
    added_at     bigint NOT NULL
);
-- An e-mail address is known once, in any case.
CREATE UNIQUE INDEX clinicians_by_email ON clinicians (lower(email));

CREATE TABLE invitations (
    hash         text PRIMARY KEY,
    clinician_id text NOT NULL REFERENCES clinicians (id),
    expires_at   bigint NOT NULL,
    used_at      bigint
);

CREATE TABLE clinician_sessions (
    token_hash   text PRIMARY KEY,
    clinician_id text NOT NULL REFERENCES clinicians (id),
    opened_at    bigint NOT NULL,
    used_at      bigint NOT NULL,
    expires_at   bigint NOT NULL
);

-- The audit log: `at` and `at_offset` make the `Stamp`, `source` is where the request came
-- from. Lines are numbered by `seq` in the order they are committed (the store appends them
-- one at a time, under a lock on the table).
CREATE TABLE audit (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        bigint NOT NULL,
    at_offset integer NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    patient   text,
    source    text NOT NULL
);

-- The audit log is append-only: this trigger refuses any UPDATE or DELETE of `audit` (and a
-- TRUNCATE, which row triggers would not see), by anyone, so a line once written stays as
-- written. It guards against mistakes and the server's own statements, not the database's
-- owner, who could drop the trigger.
CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
