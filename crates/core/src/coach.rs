//! Coaching over weeks: where each exercise stands, derived from the log.
//!
//! Each exercise climbs a ladder of doses ([`Ladder`]): a longer hold (stretches toward
//! [`STRETCH_HOLD_CAP_S`]) and more repetitions (toward the most any source page gives), in
//! turn, then the next exercise of its family (the catalogue's `progresses_to`). Its stage is
//! never a stored counter: [`stages`] folds the sessions, oldest first, so every device that
//! has the same sessions derives the same stages, whatever order sync brought them in.
//!
//! The rules, as a careful physiotherapist runs a home programme:
//! - [`CALM_SESSIONS`] calm (green) sessions on different days in which the exercise was done
//!   and not found too hard, at least [`DAYS_AT_A_STAGE`] days after its last change, move it
//!   one step up;
//! - "too hard", a hold that hurt, or an amber or red session (or a flare) in which it was done
//!   move it one step back, and every count toward a step starts again;
//! - nothing counts toward a step during a warning-sign block, and no dose passes the caps.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::exercise::{Dose, Exercise};
use crate::safety::{Light, is_flare, light};
use crate::session::Effort;
use crate::stats::{Pain, SessionFact, monday};
use crate::vocab::Kind;

/// Calm sessions, on different days, that move an exercise one step up.
pub const CALM_SESSIONS: u32 = 3;
/// The fewest days an exercise stays at a stage before it moves up (a week, as a home
/// programme is reviewed).
pub const DAYS_AT_A_STAGE: i64 = 7;
/// How much longer a hold grows in one step, in seconds.
pub const HOLD_STEP_S: u32 = 5;
/// The longest hold a stretch grows to: holds of 30 to 60 seconds are what the stretching
/// evidence uses (Bandy et al. 1997; ACSM guidance); backstretch never goes past 60.
pub const STRETCH_HOLD_CAP_S: u32 = 60;

/// The doses an exercise climbs through: `steps[0]` is its catalogue dose, each next one a
/// step up; past the last, it moves on to `next` when its family has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ladder {
    /// The doses, from the catalogue's up.
    pub steps: Vec<Dose>,
    /// The next exercise of the family.
    pub next: Option<String>,
}

impl Ladder {
    /// The ladder of an exercise: holds grow by [`HOLD_STEP_S`] up to the cap (a stretch's
    /// [`STRETCH_HOLD_CAP_S`]; for other kinds the longest hold a source page gives), and
    /// repetitions by one up to the most a source page gives, a hold step first, then in turn.
    pub fn of(e: &Exercise) -> Ladder {
        let base = Dose::new(e.dose.hold_s, e.dose.reps, e.dose.rest_s);
        let page = |f: fn(&crate::exercise::SourceDose) -> Option<u32>| {
            e.sources
                .iter()
                .filter_map(|s| s.dose.as_ref().and_then(f))
                .max()
                .unwrap_or(0)
        };
        let hold_cap = match e.kind {
            Kind::Stretch => STRETCH_HOLD_CAP_S.max(base.hold_s),
            _ => page(|d| d.hold_s).max(base.hold_s),
        };
        let reps_cap = page(|d| d.reps_max.or(d.reps)).max(base.reps);
        let mut steps = vec![base.clone()];
        let mut d = base;
        let mut hold_turn = true;
        loop {
            let can_hold = d.hold_s < hold_cap;
            let can_reps = d.reps < reps_cap;
            if (hold_turn || !can_reps) && can_hold {
                d.hold_s = (d.hold_s + HOLD_STEP_S).min(hold_cap);
            } else if can_reps {
                d.reps += 1;
            } else {
                break;
            }
            hold_turn = !hold_turn;
            steps.push(d.clone());
        }
        Ladder {
            steps,
            next: e.progresses_to.clone(),
        }
    }

    /// The highest stage: the last dose, or one past it when the family goes on.
    pub fn top(&self) -> u32 {
        let last = u32::try_from(self.steps.len()).unwrap_or(u32::MAX) - 1;
        last + u32::from(self.next.is_some())
    }

    /// The dose at a stage (the last one past the top of the doses).
    pub fn dose(&self, stage: u32) -> &Dose {
        let i = usize::try_from(stage).unwrap_or(usize::MAX);
        &self.steps[i.min(self.steps.len() - 1)]
    }

    /// Whether the exercise has moved on to the next of its family at this stage.
    pub fn moved_on(&self, stage: u32) -> bool {
        self.next.is_some() && stage == self.top()
    }
}

/// Why an exercise moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// Three calm sessions at the stage.
    Calm,
    /// The person said it was too hard.
    TooHard,
    /// A hold of it hurt.
    Hurt,
    /// The session's pain after was amber.
    Amber,
    /// The session's pain after was red.
    Red,
    /// The session was a flare.
    Flare,
}

impl Why {
    fn text(self) -> &'static str {
        match self {
            Why::Calm => "three calm sessions",
            Why::TooHard => "you found it too hard",
            Why::Hurt => "it hurt",
            Why::Amber => "pain after a session was amber",
            Why::Red => "pain after a session was red",
            Why::Flare => "a flare",
        }
    }
}

/// One move of an exercise's stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The local day of the session that moved it.
    pub day: NaiveDate,
    /// The stage before.
    pub from: u32,
    /// The stage after.
    pub to: u32,
    /// Why.
    pub why: Why,
}

/// Where an exercise stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// The stage, 0 for the catalogue's dose.
    pub stage: u32,
    /// Calm sessions counted toward the next step.
    pub calm: u32,
    /// The day it reached this stage (or was first done).
    pub since: NaiveDate,
    /// The last calm day counted (days count once).
    #[serde(skip)]
    last_calm: Option<NaiveDate>,
    /// Every move, oldest first.
    pub moves: Vec<Move>,
}

impl Stage {
    fn new(day: NaiveDate) -> Stage {
        Stage {
            stage: 0,
            calm: 0,
            since: day,
            last_calm: None,
            moves: Vec::new(),
        }
    }

    /// The latest move.
    pub fn last_move(&self) -> Option<&Move> {
        self.moves.last()
    }

    /// What it needs before the next step up, as of `today`: calm sessions still to do, and
    /// days still to wait.
    pub fn needs(&self, today: NaiveDate) -> (u32, i64) {
        let days = (DAYS_AT_A_STAGE - (today - self.since).num_days()).max(0);
        (CALM_SESSIONS.saturating_sub(self.calm), days)
    }

    fn step(&mut self, day: NaiveDate, to: u32, why: Why) {
        self.moves.push(Move {
            day,
            from: self.stage,
            to,
            why,
        });
        self.stage = to;
        self.since = day;
        self.calm = 0;
    }
}

/// A session as coaching reads it.
struct Coached<'a> {
    key: (i64, &'a [String], Option<u8>, Option<u8>),
    day: NaiveDate,
    light: Option<Light>,
    flare: bool,
    blocked: bool,
    fact: &'a SessionFact,
}

/// Every exercise's stage, from the sessions of a log (in any order), as the catalogue has
/// them. Sessions that started at or after `blocked_since` (a warning-sign block still in
/// force) count toward nothing; desk breaks are left out; exercises no longer in the
/// catalogue are left out.
pub fn stages(
    facts: &[SessionFact],
    catalog: &Catalog,
    blocked_since: Option<i64>,
) -> BTreeMap<String, Stage> {
    let mut sessions: Vec<Coached<'_>> = facts
        .iter()
        .filter(|f| !f.desk_break)
        .map(|f| {
            let at = f.started.timestamp();
            Coached {
                key: (
                    at,
                    f.exercises_done.as_slice(),
                    f.pain_before,
                    f.pain_after,
                ),
                day: f.day(),
                light: f.pain_after.map(|a| light(f.pain_before, a)),
                flare: f.settled == Some(false)
                    || matches!((f.pain_before, f.pain_after), (Some(b), Some(a)) if is_flare(b, a)),
                blocked: blocked_since.is_some_and(|b| at >= b),
                fact: f,
            }
        })
        .collect();
    // Start order, then every field the fold reads, so two sessions of the same second fold
    // the same way whichever arrived first.
    sessions.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then_with(|| a.fact.hurt.cmp(&b.fact.hurt))
            .then_with(|| a.fact.efforts.cmp(&b.fact.efforts))
            .then_with(|| a.fact.settled.cmp(&b.fact.settled))
    });
    let mut out: BTreeMap<String, Stage> = BTreeMap::new();
    let ladders: BTreeMap<&str, Ladder> = catalog
        .exercises()
        .map(|e| (e.id.as_str(), Ladder::of(e)))
        .collect();
    for s in &sessions {
        fold(&mut out, &ladders, s);
    }
    out
}

fn fold(out: &mut BTreeMap<String, Stage>, ladders: &BTreeMap<&str, Ladder>, s: &Coached<'_>) {
    let f = s.fact;
    let rated = f.efforts.iter().map(|(id, _)| id);
    let touched: Vec<&String> = f
        .exercises_done
        .iter()
        .chain(&f.hurt)
        .chain(rated)
        .collect();
    for id in &touched {
        if ladders.contains_key(id.as_str()) {
            out.entry((*id).clone())
                .or_insert_with(|| Stage::new(s.day));
        }
    }
    let session_why = if s.flare {
        Some(Why::Flare)
    } else {
        match s.light {
            Some(Light::Red) => Some(Why::Red),
            Some(Light::Amber) => Some(Why::Amber),
            _ => None,
        }
    };
    if s.blocked || session_why.is_some() {
        // Nothing counts toward a step after this: every count starts again.
        for st in out.values_mut() {
            st.calm = 0;
        }
    }
    for (id, st) in out.iter_mut() {
        if !touched.contains(&id) {
            continue;
        }
        let effort = f.efforts.iter().find(|(e, _)| e == id).map(|(_, e)| *e);
        let back = if f.hurt.contains(id) {
            Some(Why::Hurt)
        } else if effort == Some(Effort::TooHard) {
            Some(Why::TooHard)
        } else {
            session_why
        };
        if let Some(why) = back {
            if st.stage > 0 {
                st.step(s.day, st.stage - 1, why);
            }
            st.calm = 0;
            continue;
        }
        let calm = s.light == Some(Light::Green) && !s.blocked;
        if !calm || !f.exercises_done.contains(id) || st.last_calm == Some(s.day) {
            continue;
        }
        st.calm += 1;
        st.last_calm = Some(s.day);
        let top = ladders.get(id.as_str()).map_or(0, Ladder::top);
        let waited = (s.day - st.since).num_days() >= DAYS_AT_A_STAGE;
        if st.calm >= CALM_SESSIONS && waited && st.stage < top {
            st.step(s.day, st.stage + 1, Why::Calm);
        }
    }
}

/// The dose an exercise is planned at, at its stage, one step lower in an easier week.
pub fn staged_dose(e: &Exercise, stage: u32) -> Dose {
    Ladder::of(e).dose(stage).clone()
}

/// A dose as people say it: `hold 20 s, 4 times`.
pub fn dose_words(d: &Dose) -> String {
    let times = if d.reps == 1 {
        "once".to_string()
    } else {
        format!("{} times", d.reps)
    };
    format!("hold {} s, {times}", d.hold_s)
}

/// The line that explains an exercise's stage where its dose shows, when it has moved:
/// `Holds now 20 s: three calm sessions at 15 s.`
pub fn explain(e: &Exercise, st: &Stage) -> Option<String> {
    let m = st.last_move()?;
    let ladder = Ladder::of(e);
    let (was, now) = (ladder.dose(m.from), ladder.dose(m.to));
    let what = if ladder.moved_on(m.to) && m.to > m.from {
        return Some(format!(
            "Ready for the next exercise of its family: {} calm weeks at {}.",
            st.moves.iter().filter(|x| x.why == Why::Calm).count(),
            dose_words(was)
        ));
    } else if now.hold_s != was.hold_s {
        format!("Holds now {} s", now.hold_s)
    } else if now.reps != was.reps {
        format!("Now {} times", now.reps)
    } else {
        return None;
    };
    let at = if now.hold_s != was.hold_s {
        format!("{} s", was.hold_s)
    } else {
        format!("{} times", was.reps)
    };
    Some(match m.why {
        Why::Calm => format!("{what}: three calm sessions at {at}."),
        why => format!("{what}, a step back: {} at {at}.", why.text()),
    })
}

/// Days between weekly reviews.
pub const REVIEW_EVERY_DAYS: i64 = 7;
/// Weeks the programme view looks back over.
pub const PROGRAMME_WEEKS: usize = 4;

/// What comes after an exercise's stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Next {
    /// A bigger dose.
    Dose { dose: Dose },
    /// The next exercise of its family.
    Exercise { id: String, name: String },
    /// It has gone as far as it goes.
    Top,
}

/// One exercise of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgrammeRow {
    pub id: String,
    pub name: String,
    /// Its stage, from 0 (the catalogue's dose), and the highest.
    pub stage: u32,
    pub top: u32,
    /// The dose it is planned at now (one stage lower in an easier week).
    pub dose: Dose,
    /// What comes next.
    pub next: Next,
    /// Calm sessions, and days, still needed before the next step.
    pub calm_needed: u32,
    pub days_needed: i64,
    /// Why it stands where it does, when it has moved.
    pub why: Option<String>,
    /// Whether the person has moved on to the next of its family.
    pub moved_on: bool,
}

/// One week of the last four.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekRow {
    /// Its Monday.
    pub monday: NaiveDate,
    /// Sessions, and days that counted toward the goal.
    pub sessions: u32,
    pub days: u32,
    /// Mean pain before and after.
    pub pain_before: Option<f64>,
    pub pain_after: Option<f64>,
    /// The function measure's mean (PSFS, 0-10), as last scored that week.
    pub function: Option<f64>,
}

/// The programme view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Programme {
    pub exercises: Vec<ProgrammeRow>,
    /// The last four weeks, oldest first.
    pub weeks: Vec<WeekRow>,
    /// An easier week asked for, until this day.
    pub easier_until: Option<NaiveDate>,
    /// Whether a weekly review is waiting.
    pub review_due: bool,
    /// The day the next review is due, once there is a session.
    pub next_review: Option<NaiveDate>,
}

/// A move made this week, for the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Made {
    pub id: String,
    pub name: String,
    #[serde(rename = "move")]
    pub moved: Move,
    /// The line that explains it.
    pub why: String,
}

/// The weekly review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// The seven days it looks back over: from this day to yesterday.
    pub from: NaiveDate,
    /// Days in them that counted toward the goal, and the days the goal asks for.
    pub days: u32,
    pub goal_days: u32,
    /// The pain trend over the whole log.
    pub pain: Pain,
    /// The progressions (and steps back) of the week.
    pub moves: Vec<Made>,
    /// The function measure (PSFS), when the person has scored it.
    pub function: Option<crate::function::FunctionSummary>,
    /// The week's piece of education.
    pub card: Option<crate::education::Card>,
}

/// The day the next weekly review is due: a week after the first routine session, then a
/// week after the last review answered; none before the first session.
pub fn review_on(facts: &[SessionFact], reviewed_on: Option<NaiveDate>) -> Option<NaiveDate> {
    let first = facts
        .iter()
        .filter(|f| !f.desk_break)
        .map(SessionFact::day)
        .min()?;
    Some(reviewed_on.unwrap_or(first) + Duration::days(REVIEW_EVERY_DAYS))
}

/// Whether a weekly review is due on `today` ([`review_on`]).
pub fn review_due(facts: &[SessionFact], reviewed_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    review_on(facts, reviewed_on).is_some_and(|d| today >= d)
}

/// The last four weeks, Monday to Sunday, oldest first, with the function measure as last
/// scored each week (`function`, oldest first).
pub fn weeks(
    facts: &[SessionFact],
    function: &[crate::function::FunctionRecord],
    today: NaiveDate,
) -> Vec<WeekRow> {
    let this = monday(today);
    (0..PROGRAMME_WEEKS)
        .rev()
        .map(|back| {
            let start = this - Duration::weeks(i64::try_from(back).unwrap_or(0));
            let end = start + Duration::weeks(1);
            let week: Vec<&SessionFact> = facts
                .iter()
                .filter(|f| !f.desk_break && f.day() >= start && f.day() < end)
                .collect();
            let mean = |get: fn(&SessionFact) -> Option<u8>| {
                let v: Vec<f64> = week.iter().filter_map(|f| get(f)).map(f64::from).collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            };
            let days: std::collections::BTreeSet<NaiveDate> =
                week.iter().filter(|f| f.counts).map(|f| f.day()).collect();
            WeekRow {
                monday: start,
                sessions: u32::try_from(week.len()).unwrap_or(u32::MAX),
                days: u32::try_from(days.len()).unwrap_or(u32::MAX),
                pain_before: mean(|f| f.pain_before),
                pain_after: mean(|f| f.pain_after),
                function: function
                    .iter()
                    .rfind(|r| r.at.day() >= start && r.at.day() < end)
                    .map(crate::function::FunctionRecord::mean),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
