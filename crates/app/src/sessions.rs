//! Sessions: begin one, record each step the moment it ends, finish it with a summary,
//! resume an interrupted one, or log one done elsewhere.

use backstretch_core::player::Outcome;
use backstretch_core::routine::Routine;
use backstretch_core::safety::{Feedback, Light};
use backstretch_core::session::{
    Effort, Ending, Rating, SessionId, SessionOutcome, SessionRecord, SessionSource, StepRecord,
    Summary, summarize,
};
use backstretch_core::stats::{Stats, counts};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{StepKind, Timeline, TimelineItem};
use backstretch_store::NewSession;

use crate::{App, AppError, Remedy};

/// What a finished session comes to.
#[derive(Debug, Clone)]
pub struct SessionSummary {
    /// How it ended.
    pub ending: Ending,
    /// Exercises done, skipped and hurt, and the seconds spent.
    pub summary: Summary,
    /// Pain before.
    pub pain_before: Option<u8>,
    /// Pain after.
    pub pain_after: Option<u8>,
    /// The traffic light for the pain after.
    pub light: Option<Light>,
    /// The rise in pain, when the session was a flare.
    pub flare_rise: Option<u8>,
    /// Flares within the window, when they call for a clinician.
    pub see_clinician: Option<usize>,
    /// What the pain scores come to, as `log` says it too.
    pub feedback: Option<Feedback>,
    /// Progress, with this session counted.
    pub progress: Stats,
    /// Whether it was a desk break (counted apart from routines).
    pub desk_break: bool,
    /// Whether it counts toward the goal: half of its planned holding was done.
    pub counted: bool,
    /// Seconds of holding planned, and seconds held.
    pub holding: (u32, u64),
}

/// A session to resume: the session, its routine's items, and the first step not finished.
#[derive(Debug, Clone)]
pub struct Resume {
    pub session: SessionRecord,
    pub items: Vec<TimelineItem>,
    /// The first unfinished step.
    pub from: usize,
}

/// A session done without the player.
#[derive(Debug, Clone)]
pub struct ManualLog {
    /// The routine done.
    pub routine: Routine,
    /// Exercises that hurt (ids); they must be in the routine.
    pub hurt: Vec<String>,
    /// Exercises not done (ids); they must be in the routine.
    pub skipped: Vec<String>,
    /// Exercises found too easy, and too hard (ids); every other exercise done was about
    /// right.
    pub easy: Vec<String>,
    pub hard: Vec<String>,
    /// Where the routine came from, for messages.
    pub what: String,
    /// When it started (default now).
    pub started: Option<Stamp>,
    /// Pain before.
    pub pain_before: u8,
    /// Pain after.
    pub pain_after: u8,
}

/// A step a player elsewhere (the web page) reports: its place in the timeline, how it
/// ended, and when. The rest of the record comes from the timeline itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    /// The player's count of reports in this session, from 0: a retry sends the same.
    pub report: u32,
    /// The step's index in the timeline.
    pub step: u32,
    /// How it ended.
    pub outcome: Outcome,
    /// Milliseconds spent in it.
    pub done_ms: u64,
    /// When it ended.
    pub at: Stamp,
}

/// What was said of each exercise done, on its last hold: too easy, too hard, or else about
/// right (a hold that hurt or was skipped says nothing more).
fn rate_last_holds(mut steps: Vec<StepRecord>, m: &ManualLog) -> Vec<StepRecord> {
    for i in (0..steps.len()).rev() {
        let Some(id) = steps[i].exercise_id.clone() else {
            continue;
        };
        let last = !steps[i + 1..]
            .iter()
            .any(|s| s.exercise_id.as_deref() == Some(&id));
        if !last || m.skipped.contains(&id) || m.hurt.contains(&id) {
            continue;
        }
        let effort = if m.easy.contains(&id) {
            Effort::TooEasy
        } else if m.hard.contains(&id) {
            Effort::TooHard
        } else {
            Effort::AboutRight
        };
        steps[i].rating = Some(Rating {
            exercise_id: id,
            effort,
        });
    }
    steps
}

/// A new session's uid: random, unique across machines (UUID v4).
fn new_uid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// How far apart two clocks may be (seconds): a reported time this far ahead of the
/// computer's, or before a session's start, is taken as it is.
pub const CLOCK_SLACK_S: i64 = 5 * 60;

/// What a session's reports are checked against.
#[derive(Debug, Clone)]
pub struct SessionFrame {
    /// The timeline it unrolls to.
    pub timeline: Timeline,
    /// When it started.
    pub started: Stamp,
}

impl App<'_> {
    /// Starts a session of `items` (the routine as stored), and returns its id.
    pub fn begin(
        &self,
        routine: &Routine,
        items: &[TimelineItem],
        pain_before: Option<u8>,
        pid: Option<u32>,
    ) -> Result<SessionId, AppError> {
        Ok(self.store.begin_session(
            &self.user,
            &NewSession {
                uid: &new_uid(),
                started_at: self.now,
                source: SessionSource::Player,
                routine,
                planned_s: Timeline::new(items).total_s(),
                pain_before,
                pid,
            },
        )?)
    }

    /// Records one finished step, committed at once.
    pub fn record_step(&self, id: SessionId, step: &StepRecord) -> Result<(), AppError> {
        Ok(self.store.log_step(&self.user, id, step)?)
    }

    /// Records that the player is still running.
    pub fn heartbeat(&self, id: SessionId, at: Stamp) -> Result<(), AppError> {
        Ok(self.store.heartbeat(&self.user, id, at)?)
    }

    /// Ends a session at `ended` with the pain after, and sums it up. A session already
    /// ended is summed up as it was ended (a retried finish changes nothing).
    pub fn finish(
        &self,
        id: SessionId,
        ended: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<SessionSummary, AppError> {
        let Some(s) = self.store.session(&self.user, id)? else {
            return Err(backstretch_store::StoreError::no_session(id).into());
        };
        let desk_break = s.routine.profile.desk_break;
        let mut summary = if let Some(done) = s.outcome {
            self.finish_summary(id, s.started_at, s.pain_before, s.pain_after, done)?
        } else {
            self.check_time(ended, s.started_at)?;
            self.store
                .finish_session(&self.user, id, ended, pain_after, ending)?;
            self.finish_summary(id, s.started_at, s.pain_before, pain_after, ending)?
        };
        summary.desk_break = desk_break;
        let plan_hold_s = s.routine.hold_s();
        summary.counted = counts(Some(summary.ending), &summary.summary, plan_hold_s);
        summary.holding = (plan_hold_s, summary.summary.held_ms / 1000);
        Ok(summary)
    }

    fn finish_summary(
        &self,
        id: SessionId,
        started: Stamp,
        pain_before: Option<u8>,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<SessionSummary, AppError> {
        let summary = summarize(&self.store.steps(&self.user, id)?);
        // A warning sign reported during the session (pain that spread) says what to do; the
        // pain light ("green, carry on") would contradict it, so it is left out.
        let warned = self
            .store
            .last_screening(&self.user)?
            .is_some_and(|c| !c.is_clear() && c.at >= started);
        let feedback = if warned {
            None
        } else {
            self.feedback(pain_before, pain_after)?
        };
        Ok(SessionSummary {
            ending,
            summary,
            pain_before,
            pain_after,
            light: feedback.as_ref().map(Feedback::light),
            flare_rise: feedback.as_ref().and_then(|f| f.flare_rise),
            see_clinician: feedback.as_ref().and_then(Feedback::see_clinician),
            feedback,
            progress: self.progress(false)?,
            desk_break: false,
            counted: false,
            holding: (0, 0),
        })
    }

    /// What a session's pain scores come to, with the session logged: the light, a flare,
    /// how the next plans are eased, clinician advice and a rise week on week. The player's
    /// summary and `log` both say this. None without a score after.
    pub fn feedback(
        &self,
        pain_before: Option<u8>,
        pain_after: Option<u8>,
    ) -> Result<Option<Feedback>, AppError> {
        let Some(after) = pain_after else {
            return Ok(None);
        };
        Ok(Some(Feedback::new(pain_before, after, self.pain_rules()?)))
    }

    /// What reports of a session of this user's are checked against: the timeline it unrolls
    /// to, and when it started.
    pub fn session_frame(&self, id: SessionId) -> Result<SessionFrame, AppError> {
        let Some(s) = self.store.session(&self.user, id)? else {
            return Err(backstretch_store::StoreError::no_session(id).into());
        };
        let items = s.routine.items().map_err(|source| AppError::BadRoutine {
            what: "the session's routine is damaged".into(),
            source,
            remedy: Remedy::StartANewSession,
        })?;
        Ok(SessionFrame {
            timeline: Timeline::new(&items),
            started: s.started_at,
        })
    }

    /// A time a player reported for a session that started at `started`: refused when it is
    /// ahead of this computer's clock, or before the session began (both allow for clocks a
    /// little apart).
    fn check_time(&self, at: Stamp, started: Stamp) -> Result<(), AppError> {
        if at.utc_s > self.now.utc_s + CLOCK_SLACK_S {
            return Err(AppError::InTheFuture(at.rfc3339()));
        }
        if at.utc_s < started.utc_s - CLOCK_SLACK_S {
            return Err(AppError::BeforeTheStart {
                at: at.rfc3339(),
                started: started.rfc3339(),
            });
        }
        Ok(())
    }

    /// The record of a reported step, checked against the session's timeline and filled in
    /// from it.
    fn reported_record(&self, frame: &SessionFrame, r: &Reported) -> Result<StepRecord, AppError> {
        let timeline = &frame.timeline;
        let Some(s) = timeline.steps().get(r.step as usize) else {
            return Err(AppError::NoSuchStep {
                step: r.step,
                steps: timeline.steps().len(),
            });
        };
        if r.done_ms > u64::from(s.seconds) * 1000 {
            return Err(AppError::TooLong {
                step: r.step,
                seconds: s.seconds,
                done_ms: r.done_ms,
            });
        }
        self.check_time(r.at, frame.started)?;
        Ok(StepRecord {
            step: r.step,
            kind: s.kind,
            exercise_id: s.exercise_id.clone(),
            side: s.side,
            rep: s.rep,
            planned_s: s.seconds,
            done_ms: r.done_ms,
            outcome: r.outcome,
            at: r.at,
            rating: None,
        })
    }

    /// Records steps a player elsewhere reported, in one commit, each once: a retry of a
    /// report is recognised and not logged again (false). Each is checked against its
    /// session's timeline and logged (or refused) on its own, in order.
    pub fn record_reports(
        &self,
        batch: &[(SessionId, &SessionFrame, Reported)],
    ) -> Result<Vec<Result<bool, AppError>>, AppError> {
        let checked: Vec<Result<StepRecord, AppError>> = batch
            .iter()
            .map(|(_, t, r)| self.reported_record(t, r))
            .collect();
        let valid: Vec<(SessionId, u32, &StepRecord)> = batch
            .iter()
            .zip(&checked)
            .filter_map(|((id, _, r), c)| c.as_ref().ok().map(|rec| (*id, r.report, rec)))
            .collect();
        let mut stored = self.store.log_steps_once(&self.user, &valid)?.into_iter();
        Ok(checked
            .into_iter()
            .map(|c| match c {
                Ok(_) => stored.next().unwrap_or(Ok(false)).map_err(AppError::from),
                Err(e) => Err(e),
            })
            .collect())
    }

    /// The interrupted session to resume: the newest unfinished one whose player is gone.
    /// `alive` tells whether a process id is running (`None` when that cannot be known).
    pub fn resumable(&self, alive: impl Fn(u32) -> Option<bool>) -> Result<Resume, AppError> {
        let Some(s) = self.store.last_unfinished(&self.user)? else {
            return Err(AppError::NothingToResume);
        };
        if s.status(self.now, alive) == SessionOutcome::InProgress {
            return Err(AppError::StillRunning {
                started: s
                    .started_at
                    .local()
                    .format("%a %-d %b %Y %H:%M")
                    .to_string(),
            });
        }
        let items = s.routine.items().map_err(|source| AppError::BadRoutine {
            what: "the interrupted session's routine is damaged".into(),
            source,
            remedy: Remedy::StartANewSession,
        })?;
        let steps = self.store.steps(&self.user, s.id)?;
        let unfinished = steps.iter().map(|x| x.step as usize + 1).max().unwrap_or(0);
        let from = Timeline::new(&items).resume_from(unfinished);
        Ok(Resume {
            session: s,
            items,
            from,
        })
    }

    /// Records a session done without the player, as done (or hurt) holds, all at once.
    pub fn log_manual(&self, m: &ManualLog) -> Result<(SessionId, usize, Stamp), AppError> {
        let items = m.routine.items().map_err(|source| AppError::BadRoutine {
            what: m.what.clone(),
            source,
            remedy: Remedy::FixTheRoutine,
        })?;
        for (flag, ids) in [
            ("--hurt", &m.hurt),
            ("--skip", &m.skipped),
            ("--easy", &m.easy),
            ("--hard", &m.hard),
        ] {
            if let Some(id) = ids.iter().find(|h| !items.iter().any(|i| &i.id == *h)) {
                return Err(AppError::NotInRoutine {
                    flag,
                    id: id.clone(),
                    routine: m.what.clone(),
                });
            }
        }
        if let Some(id) = m.hurt.iter().find(|h| m.skipped.contains(h)) {
            return Err(AppError::SkippedAndHurt { id: id.clone() });
        }
        for (flag, ids) in [("--easy", &m.easy), ("--hard", &m.hard)] {
            if let Some(id) = ids.iter().find(|i| m.skipped.contains(i)) {
                return Err(AppError::RatedButSkipped {
                    flag,
                    id: id.clone(),
                });
            }
        }
        if let Some(id) = m.easy.iter().find(|i| m.hard.contains(i)) {
            return Err(AppError::EasyAndHard { id: id.clone() });
        }
        let timeline = Timeline::new(&items);
        let total = i64::from(timeline.total_s());
        // Without a time, the session has just ended: it began its length ago (its end, and
        // the steps logged at it, are never in the future).
        let started = m.started.unwrap_or_else(|| self.now.plus_seconds(-total));
        if started.utc_s > self.now.utc_s + CLOCK_SLACK_S {
            return Err(AppError::InTheFuture(
                started.local().format("%Y-%m-%d %H:%M").to_string(),
            ));
        }
        let ended = started.plus_seconds(total);
        let steps: Vec<StepRecord> = timeline
            .steps()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == StepKind::Hold)
            .map(|(i, s)| {
                let id = s.exercise_id.clone().unwrap_or_default();
                let skipped = m.skipped.contains(&id);
                StepRecord {
                    step: u32::try_from(i).unwrap_or(u32::MAX),
                    kind: s.kind,
                    outcome: if m.hurt.contains(&id) {
                        Outcome::Hurt
                    } else if skipped {
                        Outcome::Skipped
                    } else {
                        Outcome::Done
                    },
                    exercise_id: Some(id),
                    side: s.side,
                    rep: s.rep,
                    planned_s: s.seconds,
                    done_ms: if skipped {
                        0
                    } else {
                        u64::from(s.seconds) * 1000
                    },
                    at: ended,
                    rating: None,
                }
            })
            .collect();
        let steps = rate_last_holds(steps, m);
        let mut routine = m.routine.clone();
        routine.total_s = timeline.total_s();
        let id = self.store.record_session(
            &self.user,
            &NewSession {
                uid: &new_uid(),
                started_at: started,
                source: SessionSource::Manual,
                routine: &routine,
                planned_s: timeline.total_s(),
                pain_before: Some(m.pain_before),
                pid: None,
            },
            &steps,
            ended,
            Some(m.pain_after),
            Ending::Completed,
        )?;
        Ok((id, items.len(), started))
    }
}
