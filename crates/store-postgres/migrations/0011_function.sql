-- The function measure (Patient-Specific Functional Scale): the same as the SQLite log's
-- migration 0022_function, in PostgreSQL's types. Each record kept once by its uid, the whole
-- record as JSON text; `at` is UTC seconds. Numbered 0012 on the `psfs` branch (0010 and
-- 0011 are taken by other work in progress; the merge renumbers it if they do not land).
CREATE TABLE function_scores (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL,
    uid        text NOT NULL,
    at         bigint NOT NULL,
    body       text NOT NULL,
    UNIQUE (user_id, uid)
);
