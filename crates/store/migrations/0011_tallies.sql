-- Each session keeps what its steps come to so far (core's `Tally` as JSON: the milliseconds
-- spent, and each exercise with whether it hurt and whether a hold was done), kept by every
-- step's insert in the same transaction, so statistics read one row a session and never the
-- steps or the routine. The rows already here are filled in by the migration's Rust step.
ALTER TABLE sessions ADD COLUMN tally TEXT NOT NULL DEFAULT '{"ms":0,"exercises":[]}';
