//! Sessions as the log keeps them: one run of a timeline, step by step, with pain before
//! and after.

use serde::{Deserialize, Serialize};

use crate::player::Outcome;

/// How a session ended.
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

/// A player writes a heartbeat this often; a session without an end and without a
/// heartbeat for [`STALE_S`] counts as interrupted.
pub const HEARTBEAT_S: i64 = 20;
/// See [`HEARTBEAT_S`].
pub const STALE_S: i64 = 90;

/// One logged step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Index in the session's timeline.
    pub step: u32,
    /// The step kind (`hold`, `rest`, ...).
    pub kind: String,
    /// The exercise, if the step belongs to one.
    pub exercise_id: Option<String>,
    /// `left`, `right` or none.
    pub side: Option<String>,
    /// Repetition number (0 when not a hold or rest).
    pub rep: u32,
    /// Seconds planned.
    pub planned_s: u32,
    /// Milliseconds actually spent.
    pub done_ms: u64,
    /// `done`, `skipped` or `hurt`.
    pub outcome: String,
    /// When it ended (RFC 3339).
    pub at: String,
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
}

/// Sums up a session's steps by exercise, in the order the exercises first appear.
pub fn summarize(steps: &[StepRecord]) -> Summary {
    let mut order: Vec<&str> = Vec::new();
    for s in steps {
        if let Some(id) = s.exercise_id.as_deref()
            && !order.contains(&id)
        {
            order.push(id);
        }
    }
    let mut sum = Summary {
        seconds: steps.iter().map(|s| s.done_ms).sum::<u64>() / 1000,
        ..Summary::default()
    };
    for id in order {
        let mine = steps
            .iter()
            .filter(|s| s.exercise_id.as_deref() == Some(id));
        let (mut hurt, mut held) = (false, false);
        for s in mine {
            hurt |= s.outcome == Outcome::Hurt.as_str();
            held |= s.kind == "hold" && s.outcome == Outcome::Done.as_str();
        }
        let list = if hurt {
            &mut sum.hurt
        } else if held {
            &mut sum.done
        } else {
            &mut sum.skipped
        };
        list.push(id.to_string());
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(ex: &str, kind: &str, outcome: &str, ms: u64) -> StepRecord {
        StepRecord {
            step: 0,
            kind: kind.into(),
            exercise_id: Some(ex.into()),
            side: None,
            rep: 1,
            planned_s: 10,
            done_ms: ms,
            outcome: outcome.into(),
            at: "2026-11-21T09:00:00+00:00".into(),
        }
    }

    #[test]
    fn summary_sorts_exercises_by_what_happened() {
        let s = summarize(&[
            step("a", "prepare", "done", 8_000),
            step("a", "hold", "done", 10_000),
            step("b", "hold", "skipped", 2_000),
            step("c", "hold", "done", 10_000),
            step("c", "hold", "hurt", 3_000),
        ]);
        assert_eq!(s.done, vec!["a"]);
        assert_eq!(s.skipped, vec!["b"]);
        assert_eq!(s.hurt, vec!["c"]);
        assert_eq!(s.seconds, 33);
    }
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Row id in this log.
    pub id: i64,
    /// Stable id across exports and imports.
    pub uid: String,
    /// When it started (RFC 3339, local time with offset).
    pub started_at: String,
    /// When it ended, if it did.
    pub ended_at: Option<String>,
    /// Last sign of life from its player.
    pub heartbeat_at: String,
    /// `player` or `manual`.
    pub source: String,
    /// The routine played, as `plan --format json`.
    pub routine: String,
    /// Seconds the routine was planned to take.
    pub planned_s: u32,
    /// Pain 0-10 before.
    pub pain_before: Option<u8>,
    /// Pain 0-10 after.
    pub pain_after: Option<u8>,
    /// `completed` or `stopped`; none while unfinished.
    pub outcome: Option<String>,
    /// The player's process id, while it runs.
    pub pid: Option<u32>,
}

impl SessionRecord {
    /// The outcome as of `now`: an unfinished session is in progress while its player runs
    /// and keeps writing heartbeats, and interrupted once either stops. `alive` says whether
    /// a process id is running (`None` when that cannot be known on this system).
    pub fn status(
        &self,
        now: chrono::DateTime<chrono::FixedOffset>,
        alive: impl Fn(u32) -> Option<bool>,
    ) -> SessionOutcome {
        match self.outcome.as_deref() {
            Some("completed") => SessionOutcome::Completed,
            Some("stopped") => SessionOutcome::Stopped,
            _ if self.pid.and_then(&alive) == Some(false) => SessionOutcome::Interrupted,
            _ => {
                let fresh = chrono::DateTime::parse_from_rfc3339(&self.heartbeat_at)
                    .map(|h| (now - h).num_seconds() < STALE_S)
                    .unwrap_or(false);
                if fresh && self.source == "player" {
                    SessionOutcome::InProgress
                } else {
                    SessionOutcome::Interrupted
                }
            }
        }
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;

    fn rec(outcome: Option<&str>, heartbeat: &str, pid: Option<u32>) -> SessionRecord {
        SessionRecord {
            id: 1,
            uid: "u".into(),
            started_at: "2026-11-21T09:00:00+00:00".into(),
            ended_at: None,
            heartbeat_at: heartbeat.into(),
            source: "player".into(),
            routine: "{}".into(),
            planned_s: 60,
            pain_before: None,
            pain_after: None,
            outcome: outcome.map(str::to_string),
            pid,
        }
    }

    #[test]
    fn unfinished_sessions_are_in_progress_only_while_their_player_lives() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-21T09:01:00+00:00").unwrap();
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
            rec(Some("stopped"), stale, None).status(now, unknown),
            SessionOutcome::Stopped
        );
        assert_eq!(
            rec(Some("completed"), fresh, None).status(now, unknown),
            SessionOutcome::Completed
        );
    }
}
