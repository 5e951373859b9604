-- Coaching over weeks. What the person said of an exercise ("too easy", "about right", "too
-- hard") rides on the step logged when they said it: `rated` is the exercise, `effort` the
-- word; both or neither (the store writes them together). Each session keeps the seconds of
-- holding its routine planned (core's `Routine::hold_s`), so a day counts toward the goal
-- when half of it was held, without reading the routine. Both are filled in for the rows
-- already here by the migration's Rust step, with every tally again (they now keep the time
-- held).
ALTER TABLE session_steps ADD COLUMN rated TEXT;
ALTER TABLE session_steps ADD COLUMN effort TEXT
    CHECK (effort IN ('too-easy', 'about-right', 'too-hard'));
ALTER TABLE sessions ADD COLUMN hold_s INTEGER NOT NULL DEFAULT 0 CHECK (hold_s >= 0);
