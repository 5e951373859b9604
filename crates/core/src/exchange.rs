//! The log's exchange file: what `export json` writes and `import` reads back. Its shape is
//! stable (documented in the README); times are RFC 3339 with their local offset.

use serde::{Deserialize, Serialize};

use crate::routine::Routine;
use crate::session::{Ending, LoggedSession, SessionRecord, SessionSource, StepRecord};
use crate::time::Stamp;

/// The file's format name.
pub const FORMAT: &str = "backstretch-log";
/// The file's version.
pub const VERSION: u32 = 1;

/// The whole log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogFile {
    /// Always `backstretch-log`.
    pub format: String,
    /// Always 1 for now.
    pub version: u32,
    /// Every session, oldest first.
    pub sessions: Vec<LogSession>,
}

/// One session with its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSession {
    /// Stable id; importing skips sessions already present.
    pub uid: String,
    /// Start.
    pub started_at: Stamp,
    /// End, if it ended.
    pub ended_at: Option<Stamp>,
    /// Last sign of life from its player.
    pub heartbeat_at: Stamp,
    /// Player or manual.
    pub source: SessionSource,
    /// The routine played (kept as the JSON object it is, keys in order).
    pub routine: serde_json::Value,
    /// Seconds planned.
    pub planned_s: u32,
    /// Pain before, 0-10.
    pub pain_before: Option<u8>,
    /// Pain after, 0-10.
    pub pain_after: Option<u8>,
    /// How it ended, or null if it never did.
    pub outcome: Option<Ending>,
    /// Every step logged, in order.
    pub steps: Vec<StepRecord>,
}

impl LogFile {
    /// The file for sessions given newest first (as a store returns them): oldest first.
    pub fn of(sessions: &[LoggedSession]) -> LogFile {
        LogFile {
            format: FORMAT.into(),
            version: VERSION,
            sessions: sessions
                .iter()
                .rev()
                .map(|l| {
                    let s = &l.session;
                    LogSession {
                        uid: s.uid.clone(),
                        started_at: s.started_at,
                        ended_at: s.ended_at,
                        heartbeat_at: s.heartbeat_at,
                        source: s.source,
                        routine: serde_json::to_value(&s.routine)
                            .unwrap_or(serde_json::Value::Null),
                        planned_s: s.planned_s,
                        pain_before: s.pain_before,
                        pain_after: s.pain_after,
                        outcome: s.outcome,
                        steps: l.steps.clone(),
                    }
                })
                .collect(),
        }
    }
}

impl LogSession {
    /// The session as a store keeps it (its routine read as a [`Routine`]).
    pub fn to_logged(&self) -> Result<LoggedSession, serde_json::Error> {
        Ok(LoggedSession {
            session: SessionRecord {
                id: crate::session::SessionId(0),
                uid: self.uid.clone(),
                started_at: self.started_at,
                ended_at: self.ended_at,
                heartbeat_at: self.heartbeat_at,
                source: self.source,
                routine: Routine::deserialize(&self.routine)?,
                planned_s: self.planned_s,
                pain_before: self.pain_before,
                pain_after: self.pain_after,
                outcome: self.outcome,
                pid: None,
            },
            steps: self.steps.clone(),
        })
    }
}

/// One activity of a care plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareActivity {
    /// Exercise name.
    pub name: String,
    /// The dose, in words.
    pub dose: String,
}

/// A care plan for a clinician's system: the routine `plan` gives, and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlan {
    /// Its title.
    pub title: String,
    /// Sessions a week asked for.
    pub per_week: u32,
    /// The routine's exercises.
    pub activities: Vec<CareActivity>,
}
