-- What a person's clinicians send through the clinic: the same as the SQLite log's migration
-- 17, in PostgreSQL's types. Who recorded a clearance (none when the person did),
-- prescriptions, and the person's message thread; each kept once by its id, the whole value
-- as JSON text. `at` is UTC seconds.
ALTER TABLE clearances ADD COLUMN cleared_by text;
CREATE TABLE prescriptions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL,
    uid        text NOT NULL,
    at         bigint NOT NULL,
    body       text NOT NULL,
    UNIQUE (user_id, uid)
);
CREATE TABLE messages (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL,
    uid        text NOT NULL,
    at         bigint NOT NULL,
    body       text NOT NULL,
    UNIQUE (user_id, uid)
);
-- The practice's prescription templates (by name; the body is JSON the server reads) and its
-- own exercises (catalogue TOML, checked by the server before it is kept), by id.
CREATE TABLE templates (
    name       text PRIMARY KEY,
    body       text NOT NULL,
    made_by    text NOT NULL,
    at         bigint NOT NULL
);
CREATE TABLE practice_exercises (
    id         text PRIMARY KEY,
    body       text NOT NULL,
    made_by    text NOT NULL,
    at         bigint NOT NULL
);
