-- A clinician's second factor (RFC 6238 TOTP): the secret in use (base32), one offered but not
-- yet confirmed by a code, and the last time step a code was taken for (a code is taken once).
ALTER TABLE clinicians ADD COLUMN totp_secret TEXT;
ALTER TABLE clinicians ADD COLUMN totp_offered TEXT;
ALTER TABLE clinicians ADD COLUMN totp_step INTEGER;

-- A login whose password was right and whose code is still to come: its token kept only as a
-- hash, for a few minutes. It is not a session: no page but the code's takes it.
CREATE TABLE totp_logins (
    token_hash   TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians (id),
    expires_at   INTEGER NOT NULL
) STRICT;

-- The hashes of the tokens of devices whose person was erased, with when: such a device is
-- told so when it next syncs. Nothing else of the person is kept (the audit log keeps the
-- line that says the erasure happened).
CREATE TABLE erased_tokens (
    token_hash TEXT PRIMARY KEY,
    erased_at  INTEGER NOT NULL
) STRICT;

-- The audit lines about a person, read for their GDPR export.
CREATE INDEX audit_by_patient ON audit (patient, seq) WHERE patient IS NOT NULL;
