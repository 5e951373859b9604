-- Coaching over weeks (SQLite's 0021). What the person said of an exercise rides on the step
-- logged when they said it: `rated` is the exercise, `effort` the word, both or neither. Each
-- session keeps the seconds of holding its routine planned, worked out as core's
-- `Routine::hold_s` does (each item's hold times its repetitions, twice for an exercise done
-- each side), and each tally the milliseconds held (each hold at most its planned time).
ALTER TABLE session_steps
    ADD COLUMN rated text,
    ADD COLUMN effort text CHECK (effort IN ('too-easy', 'about-right', 'too-hard')),
    ADD CONSTRAINT session_steps_rated_whole CHECK ((rated IS NULL) = (effort IS NULL));
ALTER TABLE sessions ADD COLUMN hold_s bigint NOT NULL DEFAULT 0 CHECK (hold_s >= 0);
UPDATE sessions s SET hold_s = COALESCE((
    SELECT sum((i -> 'dose' ->> 'hold_s')::bigint * (i -> 'dose' ->> 'reps')::bigint
               * CASE WHEN i ->> 'sides' = 'both' THEN 1 ELSE 2 END)
    FROM json_array_elements(s.routine -> 'items') i), 0);
UPDATE sessions s SET tally = (jsonb_set(s.tally::jsonb, '{held_ms}', to_jsonb(COALESCE((
    SELECT sum(LEAST(t.done_ms, t.planned_s * 1000))
    FROM session_steps t
    WHERE t.user_id = s.user_id AND t.session_id = s.id AND t.kind = 'hold'), 0))))::json;
