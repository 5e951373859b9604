-- A practice's clinicians on a sync server (a device's own log leaves these empty). The
-- invitation codes and the login tokens are kept only as hashes; a password only as the
-- server's argon2id hash. The audit log is only ever added to.
CREATE TABLE clinicians (
    id           TEXT PRIMARY KEY,
    email        TEXT NOT NULL,
    password     TEXT,
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until INTEGER,
    added_at     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX clinicians_by_email ON clinicians (lower(email));

CREATE TABLE invitations (
    hash         TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians (id),
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
) STRICT;

CREATE TABLE clinician_sessions (
    token_hash   TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians (id),
    opened_at    INTEGER NOT NULL,
    used_at      INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    at_offset INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    patient   TEXT,
    source    TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
