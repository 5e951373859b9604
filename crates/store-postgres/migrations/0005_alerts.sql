-- Alerts about a person, for their clinicians: the same table as the SQLite log's migration
-- 16, in PostgreSQL's types. Each is kept once by its key (what it is about) and acknowledged
-- once, with who (an e-mail address) and when (UTC seconds). `at` is UTC seconds and
-- `at_offset` its offset from UTC in seconds.
CREATE TABLE alerts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL,
    key        text NOT NULL,
    kind       text NOT NULL,
    text       text NOT NULL,
    at         bigint NOT NULL,
    at_offset  integer NOT NULL,
    acked_by   text,
    acked_at   bigint,
    UNIQUE (user_id, key)
);
CREATE INDEX alerts_by_user ON alerts (user_id, at);
