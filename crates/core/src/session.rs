//! Sessions as the log keeps them: one run of a timeline, step by step, with pain before
//! and after. Every field is typed: step kinds, sides, outcomes, sources and times.

use serde::{Deserialize, Serialize};

use crate::player::Outcome;
use crate::routine::Routine;
use crate::time::Stamp;
use crate::timeline::{Side, StepKind};

/// How a session ended, as the log records it when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// Played to the end.
    Completed,
    /// The person quit.
    Stopped,
}

impl Ending {
    /// The word used in the log and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Completed => "completed",
            Ending::Stopped => "stopped",
        }
    }

    /// The ending a word names.
    pub fn parse(word: &str) -> Option<Ending> {
        [Ending::Completed, Ending::Stopped]
            .into_iter()
            .find(|e| e.as_str() == word)
    }
}

/// How a session stands: its ending, or, for one that never ended, whether it is still
/// running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionOutcome {
    /// Played to the end.
    Completed,
    /// The person quit.
    Stopped,
    /// It never ended: the program was killed, the terminal closed, the power went.
    Interrupted,
    /// Still running (its player wrote a heartbeat lately).
    InProgress,
}

impl SessionOutcome {
    /// The word used in output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionOutcome::Completed => "completed",
            SessionOutcome::Stopped => "stopped",
            SessionOutcome::Interrupted => "interrupted",
            SessionOutcome::InProgress => "in-progress",
        }
    }
}

impl From<Ending> for SessionOutcome {
    fn from(e: Ending) -> Self {
        match e {
            Ending::Completed => SessionOutcome::Completed,
            Ending::Stopped => SessionOutcome::Stopped,
        }
    }
}

/// Where a session was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionSource {
    /// Played with the guided player (terminal or browser).
    Player,
    /// Logged by hand afterwards (from a printed sheet, say).
    Manual,
}

impl SessionSource {
    /// The word used in the log and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionSource::Player => "player",
            SessionSource::Manual => "manual",
        }
    }

    /// The source a word names.
    pub fn parse(word: &str) -> Option<SessionSource> {
        [SessionSource::Player, SessionSource::Manual]
            .into_iter()
            .find(|s| s.as_str() == word)
    }
}

/// A player writes a heartbeat this often; a session without an end and without a
/// heartbeat for [`STALE_S`] counts as interrupted.
pub const HEARTBEAT_S: i64 = 20;
/// See [`HEARTBEAT_S`].
pub const STALE_S: i64 = 90;

/// One logged step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRecord {
    /// Index in the session's timeline.
    pub step: u32,
    /// The step kind.
    pub kind: StepKind,
    /// The exercise, if the step belongs to one.
    pub exercise_id: Option<String>,
    /// The side, for exercises done each side in turn.
    pub side: Option<Side>,
    /// Repetition number (0 when not a hold or rest).
    pub rep: u32,
    /// Seconds planned.
    pub planned_s: u32,
    /// Milliseconds actually spent.
    pub done_ms: u64,
    /// How it ended.
    pub outcome: Outcome,
    /// When it ended.
    pub at: Stamp,
    /// How an exercise felt, when the person said so while this step ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

/// What happened to the exercises of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Exercises with at least one hold done and none hurt.
    pub done: Vec<String>,
    /// Exercises none of whose holds were done.
    pub skipped: Vec<String>,
    /// Exercises stopped because they hurt.
    pub hurt: Vec<String>,
    /// Seconds actually spent in steps.
    pub seconds: u64,
    /// Milliseconds spent holding (what a day's goal counts).
    #[serde(skip)]
    pub held_ms: u64,
    /// What the person said about exercises, in the order first said (the last word on each).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub efforts: Vec<(String, Effort)>,
}

/// Sums up a session's steps by exercise, in the order the exercises first appear.
pub fn summarize(steps: &[StepRecord]) -> Summary {
    let mut t = Tally::default();
    for s in steps {
        t.add(s);
    }
    t.summary()
}

/// What a session's steps come to so far, kept a step at a time (a store keeps one beside each
/// session, so a summary never reads the steps again): the milliseconds spent, and each
/// exercise in the order it first appeared with whether it hurt and whether a hold was done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// Milliseconds spent in steps.
    pub ms: u64,
    /// Each exercise: its id, whether it hurt, whether a hold was done.
    pub exercises: Vec<(String, bool, bool)>,
    /// Milliseconds spent in holds (each at most its planned time).
    #[serde(default)]
    pub held_ms: u64,
    /// What the person said about exercises (the last word on each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub efforts: Vec<(String, Effort)>,
}

impl Tally {
    /// Counts one more step.
    pub fn add(&mut self, s: &StepRecord) {
        self.ms = self.ms.saturating_add(s.done_ms);
        if s.kind == StepKind::Hold {
            let planned = u64::from(s.planned_s) * 1000;
            self.held_ms = self.held_ms.saturating_add(s.done_ms.min(planned));
        }
        if let Some(r) = &s.rating {
            match self.efforts.iter_mut().find(|(id, _)| *id == r.exercise_id) {
                Some((_, e)) => *e = r.effort,
                None => self.efforts.push((r.exercise_id.clone(), r.effort)),
            }
        }
        let Some(id) = s.exercise_id.as_deref() else {
            return;
        };
        let at = match self.exercises.iter().position(|(e, _, _)| e == id) {
            Some(at) => at,
            None => {
                self.exercises.push((id.to_string(), false, false));
                self.exercises.len() - 1
            }
        };
        let (_, hurt, held) = &mut self.exercises[at];
        *hurt |= s.outcome == Outcome::Hurt;
        *held |= s.kind == StepKind::Hold && s.outcome == Outcome::Done;
    }

    /// The summary: an exercise that hurt is hurt, else one with a hold done is done, else
    /// it was skipped.
    pub fn summary(&self) -> Summary {
        let mut sum = Summary {
            seconds: self.ms / 1000,
            held_ms: self.held_ms,
            efforts: self.efforts.clone(),
            ..Summary::default()
        };
        for (id, hurt, held) in &self.exercises {
            let list = if *hurt {
                &mut sum.hurt
            } else if *held {
                &mut sum.done
            } else {
                &mut sum.skipped
            };
            list.push(id.clone());
        }
        sum
    }
}

/// How an exercise felt, as the person said after it: what coaching progresses by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    /// Easy: ready for more.
    TooEasy,
    /// About right.
    AboutRight,
    /// Too hard: step it back.
    TooHard,
}

impl Effort {
    /// Every effort, easiest first.
    pub const ALL: [Effort; 3] = [Effort::TooEasy, Effort::AboutRight, Effort::TooHard];

    /// The word used in the log and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Effort::TooEasy => "too-easy",
            Effort::AboutRight => "about-right",
            Effort::TooHard => "too-hard",
        }
    }

    /// The effort a word names.
    pub fn parse(word: &str) -> Option<Effort> {
        Effort::ALL.into_iter().find(|e| e.as_str() == word)
    }

    /// As people say it: `too easy`.
    pub fn label(self) -> &'static str {
        match self {
            Effort::TooEasy => "too easy",
            Effort::AboutRight => "about right",
            Effort::TooHard => "too hard",
        }
    }
}

/// What the person said about one exercise: it rides on the step logged when they said it
/// (the exercise's own step, or the next exercise's first), so it syncs and exports with the
/// steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The exercise rated.
    pub exercise_id: String,
    /// How it felt.
    pub effort: Effort,
}

/// A session's id in one log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SessionId(pub i64);

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Row id in this log.
    pub id: SessionId,
    /// Stable id across exports and imports.
    pub uid: String,
    /// When it started.
    pub started_at: Stamp,
    /// When it ended, if it did.
    pub ended_at: Option<Stamp>,
    /// Last sign of life from its player.
    pub heartbeat_at: Stamp,
    /// Player or manual.
    pub source: SessionSource,
    /// The routine played.
    pub routine: Routine,
    /// Seconds the routine was planned to take.
    pub planned_s: u32,
    /// Pain 0-10 before.
    pub pain_before: Option<u8>,
    /// Pain 0-10 after.
    pub pain_after: Option<u8>,
    /// How it ended; none while unfinished.
    pub outcome: Option<Ending>,
    /// The player's process id, while it runs.
    pub pid: Option<u32>,
    /// Whether soreness after it had settled by the next morning, once asked.
    pub settled: Option<bool>,
}

/// A session with its steps, in the order they were logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedSession {
    pub session: SessionRecord,
    pub steps: Vec<StepRecord>,
}

impl SessionRecord {
    /// The outcome as of `now`: an unfinished session is in progress while its player runs
    /// and keeps writing heartbeats, and interrupted once either stops. `alive` says whether
    /// a process id is running (`None` when that cannot be known on this system).
    pub fn status(&self, now: Stamp, alive: impl Fn(u32) -> Option<bool>) -> SessionOutcome {
        match self.outcome {
            Some(e) => e.into(),
            None if self.pid.and_then(&alive) == Some(false) => SessionOutcome::Interrupted,
            None => {
                let fresh = self.heartbeat_at.seconds_until(now) < STALE_S;
                if fresh && self.source == SessionSource::Player {
                    SessionOutcome::InProgress
                } else {
                    SessionOutcome::Interrupted
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(t: &str) -> Stamp {
        Stamp::parse(t).unwrap()
    }

    fn step(ex: &str, kind: StepKind, outcome: Outcome, ms: u64) -> StepRecord {
        StepRecord {
            step: 0,
            kind,
            exercise_id: Some(ex.into()),
            side: None,
            rep: 1,
            planned_s: 10,
            done_ms: ms,
            outcome,
            at: stamp("2026-11-21T09:00:00+00:00"),
            rating: None,
        }
    }

    #[test]
    fn summary_sorts_exercises_by_what_happened() {
        let s = summarize(&[
            step("a", StepKind::Prepare, Outcome::Done, 8_000),
            step("a", StepKind::Hold, Outcome::Done, 10_000),
            step("b", StepKind::Hold, Outcome::Skipped, 2_000),
            step("c", StepKind::Hold, Outcome::Done, 10_000),
            step("c", StepKind::Hold, Outcome::Hurt, 3_000),
        ]);
        assert_eq!(s.done, vec!["a"]);
        assert_eq!(s.skipped, vec!["b"]);
        assert_eq!(s.hurt, vec!["c"]);
        assert_eq!(s.seconds, 33);
    }

    fn rec(outcome: Option<Ending>, heartbeat: &str, pid: Option<u32>) -> SessionRecord {
        SessionRecord {
            id: SessionId(1),
            uid: "u".into(),
            started_at: stamp("2026-11-21T09:00:00+00:00"),
            ended_at: None,
            heartbeat_at: stamp(heartbeat),
            source: SessionSource::Player,
            routine: Routine::default(),
            planned_s: 60,
            pain_before: None,
            pain_after: None,
            outcome,
            pid,
            settled: None,
        }
    }

    #[test]
    fn unfinished_sessions_are_in_progress_only_while_their_player_lives() {
        let now = stamp("2026-11-21T09:01:00+00:00");
        let fresh = "2026-11-21T09:00:50+00:00";
        let stale = "2026-11-21T08:50:00+00:00";
        let unknown = |_| None;
        assert_eq!(
            rec(None, fresh, Some(7)).status(now, |_| Some(true)),
            SessionOutcome::InProgress
        );
        assert_eq!(
            rec(None, fresh, Some(7)).status(now, |_| Some(false)),
            SessionOutcome::Interrupted
        );
        assert_eq!(
            rec(None, fresh, None).status(now, unknown),
            SessionOutcome::InProgress
        );
        assert_eq!(
            rec(None, stale, Some(7)).status(now, |_| Some(true)),
            SessionOutcome::Interrupted
        );
        assert_eq!(
            rec(Some(Ending::Stopped), stale, None).status(now, unknown),
            SessionOutcome::Stopped
        );
        assert_eq!(
            rec(Some(Ending::Completed), fresh, None).status(now, unknown),
            SessionOutcome::Completed
        );
    }
}
