-- A sync server's people and their devices (a device's own log leaves these empty). Codes and
-- tokens are kept only as hashes; a code expires and is spent once.
CREATE TABLE people (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    added_at     INTEGER NOT NULL,
    added_offset INTEGER NOT NULL
) STRICT;

CREATE TABLE link_codes (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES people (id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE TABLE devices (
    user_id         TEXT NOT NULL REFERENCES people (id),
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    linked_at       INTEGER NOT NULL,
    linked_offset   INTEGER NOT NULL,
    unlinked_at     INTEGER,
    unlinked_offset INTEGER,
    PRIMARY KEY (id)
) STRICT;
CREATE INDEX devices_by_user ON devices (user_id, linked_at);
