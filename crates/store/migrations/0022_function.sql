-- The function measure (Patient-Specific Functional Scale): each record its activities and
-- 0-10 scores, kept once by its uid, the whole record as JSON (`core::function`).
-- Numbered 0023 on the `psfs` branch: 0021 and 0022 are taken by other work in progress, and
-- the merge renumbers it if they do not land first.
CREATE TABLE function_scores (
    id         INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL,
    uid        TEXT NOT NULL,
    at         INTEGER NOT NULL,
    body       TEXT NOT NULL,
    UNIQUE (user_id, uid)
) STRICT;
