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
    /// The profile, so conditions and the other answers move with the log (absent in files
    /// written before it was carried).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<crate::profile::Profile>,
    /// When the profile was saved: on import, the newer profile wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_saved_at: Option<Stamp>,
    /// Signs a clinician has checked and cleared, with when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clearances: Vec<Clearance>,
    /// Routines printed on sheets, by their code (so `log --sheet CODE` works after a
    /// restore).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<Sheet>,
    /// A clinic's prescriptions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prescriptions: Vec<crate::care::Prescription>,
    /// The thread with the clinic, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<crate::care::Message>,
    /// The function measure (PSFS) records, oldest first (absent in files written before it
    /// was carried).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub function: Vec<crate::function::FunctionRecord>,
}

/// A clinician's clearance of a warning sign: recorded by the person ("a clinician has
/// checked it"), or by their clinician through the clinic, with their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clearance {
    /// The sign's id.
    pub sign: String,
    pub at: Stamp,
    /// The clinician who recorded it in the clinic; none when the person recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// A routine printed on a sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sheet {
    /// The code on the sheet.
    pub code: String,
    /// When it was printed.
    pub at: Stamp,
    /// The routine (kept as the JSON object it is).
    pub routine: serde_json::Value,
}

impl Clearance {
    /// One the person recorded themselves.
    pub fn own(sign: impl Into<String>, at: Stamp) -> Clearance {
        Clearance {
            sign: sign.into(),
            at,
            by: None,
        }
    }

    /// Checked: a sane sign id, a time not in the future (as of `now`).
    pub fn checked(&self, i: usize, now: Stamp) -> Result<(), BadValue> {
        let bad = |field: &str, problem: String| BadValue {
            path: format!("clearances[{i}].{field}"),
            problem,
        };
        if !sane_id(&self.sign) {
            return Err(bad(
                "sign",
                format!("`{}` is not a sign's id", quoted(&self.sign)),
            ));
        }
        if self.at.utc_s > now.utc_s + CLOCK_SKEW_S {
            return Err(bad("at", format!("{} is in the future", self.at)));
        }
        if let Some(by) = &self.by {
            crate::care::checked_name(&format!("clearances[{i}].by"), by)?;
        }
        Ok(())
    }
}

impl Sheet {
    /// Checked: a code as printed, a routine that reads, no hidden control characters. The
    /// code and the routine.
    pub fn checked(&self, i: usize) -> Result<(crate::code::RoutineCode, Routine), BadValue> {
        let bad = |field: &str, problem: String| BadValue {
            path: format!("sheets[{i}].{field}"),
            problem,
        };
        let code = crate::code::RoutineCode::parse(&self.code).map_err(|_| {
            bad(
                "code",
                format!("`{}` is not a sheet's code", quoted(&self.code)),
            )
        })?;
        if let Some(path) = control_in(&self.routine, "routine") {
            return Err(bad(&path, "holds a control character".into()));
        }
        let routine =
            Routine::deserialize(&self.routine).map_err(|e| bad("routine", e.to_string()))?;
        Ok((code, routine))
    }
}

/// One session with its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSession {
    /// Stable id; importing skips sessions already present.
    pub uid: String,
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
    /// Whether soreness after it had settled by the next morning, once asked (absent when
    /// never asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<bool>,
}

impl LogFile {
    /// The file for sessions given newest first (as a store returns them): oldest first.
    pub fn of(sessions: &[LoggedSession]) -> LogFile {
        LogFile {
            format: FORMAT.into(),
            version: VERSION,
            sessions: sessions.iter().rev().map(LogSession::of).collect(),
            profile: None,
            profile_saved_at: None,
            clearances: Vec::new(),
            sheets: Vec::new(),
            prescriptions: Vec::new(),
            messages: Vec::new(),
            function: Vec::new(),
        }
    }
}

impl LogSession {
    /// A logged session as the file writes it.
    pub fn of(l: &LoggedSession) -> LogSession {
        let s = &l.session;
        LogSession {
            uid: s.uid.clone(),
            started_at: s.started_at,
            ended_at: s.ended_at,
            heartbeat_at: s.heartbeat_at,
            source: s.source,
            routine: serde_json::to_value(&s.routine).unwrap_or(serde_json::Value::Null),
            planned_s: s.planned_s,
            pain_before: s.pain_before,
            pain_after: s.pain_after,
            outcome: s.outcome,
            steps: l.steps.clone(),
            settled: s.settled,
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
                settled: self.settled,
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
    pub title: String,
    /// Sessions a week asked for.
    pub per_week: u32,
    /// The routine's exercises.
    pub activities: Vec<CareActivity>,
    /// Why the plan is on hold, while a warning sign blocks plans.
    pub paused: Option<String>,
}

/// A clock may run this far ahead of another machine's before a time counts as future.
pub const CLOCK_SKEW_S: i64 = 5 * 60;
/// The longest a session or a step may last, in seconds.
pub const MAX_SECONDS: u32 = 24 * 3600;
/// The longest uid or exercise id accepted.
pub const MAX_ID_CHARS: usize = 64;

/// One bad value in an exchange file, with its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct BadValue {
    /// Where: `sessions[3].steps[2].done_ms`.
    pub path: String,
    /// What is wrong.
    pub problem: String,
}

pub(crate) fn sane_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= MAX_ID_CHARS
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@'))
}

/// The first string in a JSON value that holds a control character, with its path.
fn control_in(v: &serde_json::Value, path: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) => s
            .chars()
            .any(crate::text::is_hidden_control)
            .then(|| path.to_string()),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| control_in(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(o) => o.iter().find_map(|(k, x)| {
            if k.chars().any(crate::text::is_hidden_control) {
                Some(format!("{path}.<key>"))
            } else {
                control_in(x, &format!("{path}.{k}"))
            }
        }),
        _ => None,
    }
}

/// A profile from a file: something to plan for, in the minutes a plan allows.
pub fn check_profile(p: &crate::profile::Profile) -> Result<(), BadValue> {
    let bad = |field: &str, problem: &str| BadValue {
        path: format!("profile.{field}"),
        problem: problem.to_string(),
    };
    if p.areas.is_empty() {
        return Err(bad("areas", "names no area"));
    }
    if p.places.is_empty() {
        return Err(bad("places", "names no place"));
    }
    if !crate::plan::MINUTES.contains(&p.minutes) {
        return Err(bad("minutes", "is not 1 to 180"));
    }
    if p.exclude.iter().any(|x| !sane_id(x)) {
        return Err(bad("exclude", "holds something that is not an exercise id"));
    }
    Ok(())
}

/// A value as a message quotes it: escaped, and cut to [`QUOTE_CHARS`] characters.
pub fn quoted(value: &str) -> String {
    let escaped: String = value.escape_default().collect();
    if escaped.chars().count() <= QUOTE_CHARS {
        return escaped;
    }
    let cut: String = escaped.chars().take(QUOTE_CHARS).collect();
    format!("{cut}... ({} characters)", value.chars().count())
}

/// The most characters of a bad value a message quotes.
pub const QUOTE_CHARS: usize = 80;

/// What a file's sessions are checked against: the time of the import, and the uids seen so
/// far (a uid twice in one file is a mistake).
#[derive(Debug)]
pub struct Checker {
    now: Stamp,
    earliest: i64,
    uids: std::collections::HashSet<String>,
}

impl Checker {
    /// A checker as of `now`.
    pub fn new(now: Stamp) -> Checker {
        let earliest = chrono::NaiveDate::from_ymd_opt(crate::time::EARLIEST_YEAR, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |t| t.and_utc().timestamp());
        Checker {
            now,
            earliest,
            uids: std::collections::HashSet::new(),
        }
    }

    /// Session `i` checked: times from the year 2000 on, an end not before its start,
    /// nothing in the future beyond [`CLOCK_SKEW_S`] (a future heartbeat would keep a session
    /// "in progress" for good), a sane uid not seen before, no step logged twice, bounded
    /// durations, pain 0-10, ids and text without hidden control characters, and a routine
    /// that reads. The session as a store keeps it, or every problem found in it.
    pub fn session(&mut self, i: usize, s: &LogSession) -> Result<LoggedSession, Vec<BadValue>> {
        let mut problems = Vec::new();
        let at = |field: &str| format!("sessions[{i}].{field}");
        let mut bad = |field: &str, problem: String| {
            problems.push(BadValue {
                path: at(field),
                problem,
            });
        };
        if !sane_id(&s.uid) {
            bad(
                "uid",
                format!(
                    "`{}` is not an id (1-{MAX_ID_CHARS} letters, digits, - _ . : @)",
                    quoted(&s.uid)
                ),
            );
        } else if !self.uids.insert(s.uid.clone()) {
            bad("uid", format!("`{}` appears twice in the file", s.uid));
        }
        let latest = self.now.utc_s + CLOCK_SKEW_S;
        let earliest = self.earliest;
        let mut when = |field: &str, t: Stamp| {
            if t.utc_s < earliest {
                bad(
                    field,
                    format!("{t} is before {}", crate::time::EARLIEST_YEAR),
                );
            } else if t.utc_s > latest {
                bad(field, format!("{t} is in the future"));
            }
        };
        when("started_at", s.started_at);
        when("heartbeat_at", s.heartbeat_at);
        if let Some(end) = s.ended_at {
            when("ended_at", end);
        }
        for (j, st) in s.steps.iter().enumerate() {
            when(&format!("steps[{j}].at"), st.at);
        }
        if s.heartbeat_at < s.started_at {
            bad("heartbeat_at", "is before the start".into());
        }
        if let Some(end) = s.ended_at.filter(|end| *end < s.started_at) {
            bad("ended_at", format!("{end} is before the start"));
        }
        if s.ended_at.is_some() != s.outcome.is_some() {
            bad(
                "outcome",
                "a session has both an end and an outcome, or neither".into(),
            );
        }
        if s.planned_s > MAX_SECONDS {
            bad("planned_s", format!("{} s is more than a day", s.planned_s));
        }
        for (field, p) in [("pain_before", s.pain_before), ("pain_after", s.pain_after)] {
            if let Some(p) = p.filter(|p| *p > 10) {
                bad(field, format!("pain {p} is outside 0-10"));
            }
        }
        if let Some(path) = control_in(&s.routine, "routine") {
            bad(&path, "holds a control character".into());
        }
        check_steps(&s.steps, &mut bad);
        let logged = s.to_logged();
        if let Err(e) = &logged {
            bad("routine", e.to_string());
        }
        match logged {
            Ok(l) if problems.is_empty() => Ok(l),
            _ => Err(problems),
        }
    }
}

/// A session's steps: none logged twice, ids sane, durations bounded.
fn check_steps(steps: &[StepRecord], bad: &mut impl FnMut(&str, String)) {
    let mut seen = std::collections::HashSet::new();
    for (j, st) in steps.iter().enumerate() {
        let field = |f: &str| format!("steps[{j}].{f}");
        if !seen.insert((st.step, st.at, st.done_ms)) {
            bad(&field("step"), format!("step {} is logged twice", st.step));
        }
        if let Some(id) = st.exercise_id.as_deref().filter(|id| !sane_id(id)) {
            bad(
                &field("exercise_id"),
                format!("`{}` is not an exercise id", quoted(id)),
            );
        }
        if st.planned_s > MAX_SECONDS || st.done_ms > u64::from(MAX_SECONDS) * 1000 {
            bad(&field("done_ms"), "lasts more than a day".into());
        }
    }
}

impl LogFile {
    /// Every session checked ([`Checker::session`]) and the profile: the sessions as a store
    /// keeps them, or every problem found.
    pub fn checked(&self, now: Stamp) -> Result<Vec<LoggedSession>, Vec<BadValue>> {
        let mut checker = Checker::new(now);
        let mut out = Vec::with_capacity(self.sessions.len());
        let mut problems = Vec::new();
        for (i, s) in self.sessions.iter().enumerate() {
            match checker.session(i, s) {
                Ok(l) => out.push(l),
                Err(p) => problems.extend(p),
            }
        }
        if let Some(Err(e)) = self.profile.as_ref().map(check_profile) {
            problems.push(e);
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}
