-- A sync server's people and their devices. Codes and tokens are kept only as hashes; a code
-- expires and is spent once.
CREATE TABLE people (
    id           text PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    added_at     bigint NOT NULL,
    added_offset integer NOT NULL
);

CREATE TABLE link_codes (
    hash       text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES people (id),
    expires_at bigint NOT NULL,
    used_at    bigint
);

CREATE TABLE devices (
    id              text PRIMARY KEY,
    user_id         text NOT NULL REFERENCES people (id),
    name            text NOT NULL,
    token_hash      text NOT NULL UNIQUE,
    linked_at       bigint NOT NULL,
    linked_offset   integer NOT NULL,
    unlinked_at     bigint,
    unlinked_offset integer
);
CREATE INDEX devices_by_user ON devices (user_id, linked_at);
