//! What a reminder or a desk break says: the routine it offers in words, nothing on a day
//! already done or skipped, and why there is no routine during a warning-sign block. When
//! it fires is core's ([`backstretch_core::schedule`]); how it is shown is the front end's.

use backstretch_core::catalog::Catalog;
use backstretch_core::plan::Plan;
use backstretch_core::schedule::{Nudge, nudge};
use backstretch_core::stats::SessionFact;
use backstretch_core::time::Stamp;
use backstretch_core::vocab::Place;
use chrono::NaiveDate;

use crate::planning::breaks_today;
use crate::{App, AppError, Gate, Overrides};

/// What a reminder says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminder {
    /// Time to stretch: the notification's title and body, and the moment it is for.
    Remind {
        /// "Time for your 10-minute stretch".
        title: String,
        /// "6 exercises, in bed and on a chair".
        body: String,
        /// The moment of the day, if the profile has moments.
        moment: Option<String>,
    },
    /// A warning sign blocks routines: the title and why there is none, with what to do.
    Blocked {
        /// "No stretching today".
        title: String,
        /// Why, and what to do.
        body: String,
    },
    /// Say nothing: today's routine is done, or the person chose to skip today.
    Quiet(Nudge),
}

impl Reminder {
    /// The reminder in one line, for a terminal with no notification service.
    pub fn line(&self) -> Option<String> {
        match self {
            Reminder::Remind { title, body, .. } | Reminder::Blocked { title, body } => {
                Some(format!("{title}: {body}"))
            }
            Reminder::Quiet(_) => None,
        }
    }
}

impl App<'_> {
    /// What a reminder for `moment` (or the routine of the day) says now, given the day the
    /// person last chose "skip today" on this device.
    pub fn nudge(
        &self,
        catalog: &Catalog,
        moment: Option<&str>,
        skipped_on: Option<NaiveDate>,
    ) -> Result<Reminder, AppError> {
        let today = self.today();
        let done = self.done_today(moment)?;
        let o = Overrides {
            moment: moment.map(str::to_string),
            ..Overrides::default()
        };
        let planned = self.plan(catalog, &o, false);
        let blocked = matches!(&planned, Err(AppError::GateNotPassed(Gate::Flagged { .. })));
        match nudge(today, done, skipped_on, blocked) {
            Nudge::Remind => {}
            Nudge::Blocked => {
                return Ok(Reminder::Blocked {
                    title: "No stretching today".into(),
                    body: match planned {
                        Err(e) => sentence(&e.to_string()),
                        Ok(_) => String::new(),
                    },
                });
            }
            quiet => return Ok(Reminder::Quiet(quiet)),
        }
        // The plan knows its moment; before the first run is done there is none to name.
        let mut moment = None;
        let (title, body) = match planned {
            Ok(p) => {
                moment.clone_from(&p.moment);
                words(&p, "stretch")
            }
            // The player asks these first; the reminder says what comes first.
            Err(AppError::GateNotPassed(Gate::Disclaimer)) => (
                "Time for your stretch".into(),
                "First, read and accept the disclaimer".into(),
            ),
            Err(AppError::GateNotPassed(Gate::Screening { .. })) => (
                "Time for your stretch".into(),
                "First, a short check for warning signs".into(),
            ),
            Err(AppError::NoProfile | AppError::NothingToPlanFor { .. }) => (
                "Time for your stretch".into(),
                "First, say where it hurts and where you can stretch".into(),
            ),
            Err(e) => return Err(e),
        };
        Ok(Reminder::Remind {
            title,
            body,
            moment,
        })
    }

    /// A desk break to offer now: a minute or two on a chair or standing, its exercises
    /// other than those today's breaks did when the catalogue allows. `None` during a
    /// warning-sign block or when none can be planned; the words with the plan.
    pub fn desk_break(
        &self,
        catalog: &Catalog,
    ) -> Result<Option<(String, String, Plan)>, AppError> {
        let today = self.today();
        let done = breaks_today(
            &self
                .store
                .sessions_since(&self.user, Stamp::earliest_on(today))?,
            today,
        );
        let fresh = Overrides {
            desk_break: true,
            exclude: done,
            ..Overrides::default()
        };
        let any = Overrides {
            desk_break: true,
            ..Overrides::default()
        };
        let plan = match self.plan(catalog, &fresh, false) {
            Err(AppError::Plan(_)) => self.plan(catalog, &any, false),
            other => other,
        };
        match plan {
            Ok(p) => {
                let (title, body) = words(&p, "break");
                Ok(Some((title, body, p)))
            }
            Err(AppError::GateNotPassed(_) | AppError::Plan(_) | AppError::NoProfile) => Ok(None),
            Err(AppError::NothingToPlanFor { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether a session that counts was done today: of this moment, when one is named
    /// (each moment is its own routine), else any routine; desk breaks never count.
    fn done_today(&self, moment: Option<&str>) -> Result<bool, AppError> {
        let today = self.today();
        let log = self
            .store
            .sessions_since(&self.user, Stamp::earliest_on(today))?;
        Ok(log.iter().any(|l| {
            let r = &l.session.routine.profile;
            let fact = SessionFact::of(l);
            fact.counts
                && !fact.desk_break
                && fact.day() == today
                && moment.is_none_or(|m| r.moment.as_deref() == Some(m))
        }))
    }
}

/// "Time for your 10-minute stretch" and "6 exercises, in bed and on a chair".
fn words(p: &Plan, what: &str) -> (String, String) {
    let minutes = p.total_s.div_ceil(60).max(1);
    let title = format!("Time for your {minutes}-minute {what}");
    let names: Vec<String> = p.items.iter().map(|i| i.exercise.name.clone()).collect();
    let count = match names.len() {
        1 => names.first().cloned().unwrap_or_default(),
        2 => names.join(" and "),
        n => format!("{n} exercises"),
    };
    let places: Vec<Place> = p
        .request
        .places
        .iter()
        .copied()
        .filter(|place| {
            p.items
                .iter()
                .any(|i| i.exercise.position.possible_in(*place))
        })
        .collect();
    let places: Vec<&str> = places.into_iter().map(place_words).collect();
    let places = match places.as_slice() {
        [] => String::new(),
        [one] => format!(", {one}"),
        [rest @ .., last] => format!(", {} and {last}", rest.join(", ")),
    };
    (title, format!("{count}{places}"))
}

fn place_words(p: Place) -> &'static str {
    match p {
        Place::Floor => "on the floor",
        Place::Bed => "in bed",
        Place::Chair => "on a chair",
        Place::Standing => "standing",
    }
}

/// The first line of an error's text, as a sentence.
fn sentence(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    let mut c = first.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
