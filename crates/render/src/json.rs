//! The JSON shapes backstretch prints with `--format json` and serves under `/api/`: one
//! definition each, so the terminal and the web (and later a clinic server) agree.

use backstretch_core::plan::Plan;
use backstretch_core::routine::Routine;
use backstretch_core::safety::{RedFlag, Urgency};
use backstretch_core::session::{LoggedSession, SessionSource, summarize};
use backstretch_core::time::Stamp;
use serde::Serialize;

/// A plan: the routine as stored, whether the search tried every option, and how many
/// equally good routines the date chose among.
#[derive(Debug, Serialize)]
pub struct PlanJson {
    #[serde(flatten)]
    pub routine: Routine,
    /// Whether the search tried every option.
    pub exhaustive: bool,
    /// How many equally good routines the date chose among.
    pub alternatives: usize,
}

impl PlanJson {
    /// The JSON view of a plan.
    pub fn new(p: &Plan) -> PlanJson {
        PlanJson {
            routine: Routine::from_plan(p),
            exhaustive: p.exhaustive,
            alternatives: p.alternatives,
        }
    }
}

/// The exercises of a logged session, by what happened to them.
#[derive(Debug, Serialize)]
pub struct ExercisesJson {
    /// Done, none hurt.
    pub done: Vec<String>,
    /// Not done.
    pub skipped: Vec<String>,
    /// Stopped because they hurt.
    pub hurt: Vec<String>,
}

/// One session of the history.
#[derive(Debug, Serialize)]
pub struct HistoryRow {
    /// The log's id.
    pub id: i64,
    /// The session's unique id.
    pub uid: String,
    /// When it started (RFC 3339 with the offset then).
    pub started_at: String,
    /// When it ended.
    pub ended_at: Option<String>,
    /// Player or manual.
    pub source: SessionSource,
    /// Minutes spent, to a tenth.
    pub minutes: f64,
    /// Minutes planned, to a tenth.
    pub planned_minutes: f64,
    /// What happened to each exercise.
    pub exercises: ExercisesJson,
    /// Pain before (0-10).
    pub pain_before: Option<u8>,
    /// Pain after (0-10).
    pub pain_after: Option<u8>,
    /// completed, stopped, interrupted or running.
    pub outcome: &'static str,
}

/// Seconds as minutes, to a tenth (as history and summaries show them).
pub fn tenths_of_minutes(seconds: f64) -> f64 {
    (seconds / 6.0).round() / 10.0
}

/// The history as JSON rows, newest first as given. `alive` says whether a player's process
/// is still running (unknown: `None`), to tell a running session from an interrupted one.
pub fn history_rows(
    sessions: &[LoggedSession],
    now: Stamp,
    alive: impl Fn(u32) -> Option<bool>,
) -> Vec<HistoryRow> {
    sessions
        .iter()
        .map(|l| {
            let s = &l.session;
            let sum = summarize(&l.steps);
            HistoryRow {
                id: s.id.0,
                uid: s.uid.clone(),
                started_at: s.started_at.rfc3339(),
                ended_at: s.ended_at.map(Stamp::rfc3339),
                source: s.source,
                minutes: tenths_of_minutes(sum.seconds as f64),
                planned_minutes: tenths_of_minutes(f64::from(s.planned_s)),
                exercises: ExercisesJson {
                    done: sum.done,
                    skipped: sum.skipped,
                    hurt: sum.hurt,
                },
                pain_before: s.pain_before,
                pain_after: s.pain_after,
                outcome: s.status(now, &alive).as_str(),
            }
        })
        .collect()
}

/// One red-flag question.
#[derive(Debug, Serialize)]
pub struct QuestionJson<'a> {
    pub id: &'a str,
    pub text: &'a str,
    /// How urgent a yes is.
    pub urgency: Urgency,
    /// The urgency as a word.
    pub level: &'static str,
    /// Whether it is asked before a routine.
    pub asked: bool,
    /// The areas it is asked for.
    pub areas: Vec<&'static str>,
    /// The guideline behind it.
    pub guideline: &'a str,
    pub sources: &'a [String],
}

/// The JSON view of the red-flag questions.
pub fn questions_json(all: &[RedFlag]) -> Vec<QuestionJson<'_>> {
    all.iter()
        .map(|q| QuestionJson {
            id: &q.id,
            text: &q.text,
            urgency: q.urgency,
            level: q.urgency.as_str(),
            asked: q.asked,
            areas: q
                .areas
                .iter()
                .map(|x| backstretch_core::vocab::Word::as_str(*x))
                .collect(),
            guideline: &q.guideline,
            sources: &q.sources,
        })
        .collect()
}
