//! Exchange: the whole log as an export file, importing one back (every value checked, all
//! or nothing), the care plan for a clinician, and the reminder calendar's settings.

use backstretch_core::catalog::Catalog;
use backstretch_core::exchange::{CareActivity, CarePlan, FORMAT, LogFile, VERSION};
use backstretch_core::reminder::{Reminder, first_day, spread_days};
use backstretch_core::session::LoggedSession;
use backstretch_core::vocab::Word;
use backstretch_store::ImportCount;
use chrono::{NaiveTime, Weekday};

use crate::planning::Overrides;
use crate::{App, AppError};

impl App<'_> {
    /// The whole log as an export file, oldest session first.
    pub fn log_file(&self) -> Result<LogFile, AppError> {
        Ok(LogFile {
            profile: self.store.profile(&self.user)?,
            ..LogFile::of(&self.store.sessions(&self.user)?)
        })
    }

    /// Writes the whole log as an export file (pretty JSON, the same as [`App::log_file`]
    /// gives), reading it a page of sessions at a time: memory stays bounded however long
    /// the log. An error of the log or of `out` stops the writing and comes back.
    pub fn write_log_file(&self, out: &mut dyn std::io::Write) -> Result<(), AppError> {
        let file = Streamed {
            app: self,
            failed: std::cell::RefCell::new(None),
        };
        let written = serde_json::to_writer_pretty(&mut *out, &file);
        if let Some(e) = file.failed.into_inner() {
            return Err(e.into());
        }
        written
            .map_err(|e| {
                let kind = e.io_error_kind().unwrap_or(std::io::ErrorKind::Other);
                AppError::Write(std::io::Error::new(kind, e))
            })
            .and_then(|()| out.write_all(b"\n").map_err(AppError::Write))
    }

    /// Every session with its steps, newest first.
    pub fn sessions(&self) -> Result<Vec<LoggedSession>, AppError> {
        Ok(self.store.sessions(&self.user)?)
    }

    /// Imports an export file's text (named `file` in messages): every value is checked
    /// first, and nothing is written unless all of it is good.
    pub fn import(&self, file: &str, text: &str) -> Result<ImportCount, AppError> {
        let parsed: LogFile = serde_json::from_str(text).map_err(|e| AppError::NotAnExport {
            file: file.to_string(),
            detail: e.to_string(),
        })?;
        if parsed.format != FORMAT || parsed.version != VERSION {
            return Err(AppError::WrongExport {
                file: file.to_string(),
                format: parsed.format,
                version: parsed.version,
            });
        }
        let sessions = parsed.checked(self.now).map_err(|e| AppError::BadImport {
            file: file.to_string(),
            path: e.path,
            problem: e.problem,
        })?;
        let count = self
            .store
            .import(&self.user, &sessions)
            .map_err(AppError::ImportFailed)?;
        // The file's profile comes in only where none is saved: a profile set here wins.
        if let Some(p) = parsed.profile
            && self.store.profile(&self.user)?.is_none()
        {
            self.store.set_profile(&self.user, &p, self.now)?;
        }
        Ok(count)
    }

    /// The care plan: the routine `plan` gives today (gates aside, with the pain rules
    /// applied: an exercise left out for safety is not in it), or else the latest session's
    /// routine; none when there is neither.
    pub fn care_plan(&self, catalog: &Catalog) -> Result<Option<CarePlan>, AppError> {
        let paused = self.paused(catalog)?;
        let profile = self.store.profile(&self.user)?;
        let per_week = profile.as_ref().map_or(7, |p| p.goal.per_week());
        if let Some(p) = &profile {
            let req = self.request(catalog, &Overrides::default())?;
            let rules = self.pain_rules()?;
            let req = backstretch_core::plan::Request {
                gentler: rules.flare.easing.is_some(),
                pages_only: false,
                recent: vec![],
                ..req
            };
            if let Ok(plan) = backstretch_core::plan::plan_eased(
                catalog,
                &req,
                &rules.blocked,
                rules.flare.easing,
            ) {
                return Ok(Some(CarePlan {
                    paused,
                    title: format!(
                        "Stretching routine for {}",
                        p.areas
                            .iter()
                            .map(|a| a.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    per_week,
                    activities: plan
                        .items
                        .iter()
                        .map(|i| CareActivity {
                            name: i.exercise.title(),
                            dose: i.dose_text(", "),
                        })
                        .collect(),
                }));
            }
        }
        let latest = self.store.sessions(&self.user)?.into_iter().next();
        Ok(latest
            .map(|l| l.session.routine)
            .filter(|r| !r.items.is_empty())
            .map(|r| CarePlan {
                paused,
                title: "Stretching routine".into(),
                per_week,
                activities: r
                    .items
                    .iter()
                    .map(|i| CareActivity {
                        name: i.name.clone(),
                        dose: format!(
                            "{} s x {}{}",
                            i.dose.hold_s,
                            i.dose.reps,
                            if i.sides == "each" { ", each side" } else { "" }
                        ),
                    })
                    .collect(),
            }))
    }

    /// The reminder calendar's settings: at `time` (default 08:00) on `days` (default: every
    /// day for a daily goal, spread over the week otherwise), lasting the profile's minutes.
    /// `place` names the data directory, so its UID is stable for it.
    pub fn reminder(
        &self,
        catalog: &Catalog,
        place: &str,
        time: Option<NaiveTime>,
        days: Option<Vec<Weekday>>,
    ) -> Result<Reminder, AppError> {
        let paused = self.paused(catalog)?;
        let profile = self.store.profile(&self.user)?;
        let goal = profile
            .as_ref()
            .map_or(backstretch_core::profile::Goal::Daily, |p| p.goal);
        let minutes = profile.as_ref().map_or(10, |p| p.minutes);
        let days = days.unwrap_or_else(|| spread_days(goal.per_week()));
        let time = time.unwrap_or(NaiveTime::MIN + chrono::Duration::hours(8));
        let local = self.now.local();
        let when = if days.is_empty() {
            "every day".to_string()
        } else {
            days.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(Reminder {
            uid: format!(
                "backstretch-reminder-{}@backstretch.local",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, place.as_bytes()).simple()
            ),
            first_day: first_day(local.date_naive(), local.time(), time, &days),
            time,
            days,
            minutes,
            stamp: local.with_timezone(&chrono::Utc),
            description: match &paused {
                Some(why) => format!(
                    "{why} Your stretching sessions ({minutes} min, {when}; goal {goal}) start again once `backstretch safety` reports no warning sign."
                ),
                None => format!(
                    "Your stretching session ({minutes} min, {when}; goal {goal}). Run `backstretch start`. Move slowly, never into pain, and stop if it is sharper, or worse than when you started, or if it spreads."
                ),
            },
            paused,
        })
    }

    /// Why plans are paused, while a warning sign from the latest check blocks them (the
    /// gate [`crate::Gate::Flagged`] for the profile's areas): the signs and what to do, for
    /// the exports to say. None when nothing blocks.
    pub fn paused(&self, catalog: &Catalog) -> Result<Option<String>, AppError> {
        let areas = self
            .store
            .profile(&self.user)?
            .map(|p| p.areas)
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| backstretch_core::vocab::Area::ALL.to_vec());
        let Some(crate::Gate::Flagged { verdict, .. }) = self.screening_gate(catalog, &areas)?
        else {
            return Ok(None);
        };
        let backstretch_core::safety::Verdict::Flagged { signs, .. } = verdict else {
            return Ok(None);
        };
        let names: Vec<&str> = signs.iter().map(|s| s.sign.as_str()).collect();
        Ok(Some(format!(
            "Paused: a warning sign was reported ({}). See a doctor or physiotherapist before stretching again; backstretch plans nothing until a new check reports no warning sign.",
            names.join("; ")
        )))
    }
}

/// Sessions read for an export a page at a time.
const PAGE: usize = 64;

/// The export file, its sessions read from the log as they are written.
struct Streamed<'s, 'a> {
    app: &'s App<'a>,
    /// The log's error that stopped the sessions, if one did.
    failed: std::cell::RefCell<Option<backstretch_store::StoreError>>,
}

impl serde::Serialize for Streamed<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("LogFile", 4)?;
        m.serialize_field("format", FORMAT)?;
        m.serialize_field("version", &VERSION)?;
        m.serialize_field("sessions", &Pages(self))?;
        match self.app.store.profile(&self.app.user) {
            Ok(Some(p)) => m.serialize_field("profile", &p)?,
            Ok(None) => m.skip_field("profile")?,
            Err(e) => *self.failed.borrow_mut() = Some(e),
        }
        m.end()
    }
}

/// The `sessions` array: pages of the log, oldest first.
struct Pages<'r, 's, 'a>(&'r Streamed<'s, 'a>);

impl serde::Serialize for Pages<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let app = self.0.app;
        let mut page: std::vec::IntoIter<LoggedSession> = Vec::new().into_iter();
        let mut after = None;
        let mut done = false;
        let sessions = std::iter::from_fn(|| {
            if let Some(l) = page.next() {
                return Some(backstretch_core::exchange::LogSession::of(&l));
            }
            if done {
                return None;
            }
            match app.store.sessions_page(&app.user, after, PAGE) {
                Ok(next) => {
                    done = next.len() < PAGE;
                    after = next.last().map(|l| (l.session.started_at, l.session.id));
                    page = next.into_iter();
                    page.next()
                        .map(|l| backstretch_core::exchange::LogSession::of(&l))
                }
                Err(e) => {
                    *self.0.failed.borrow_mut() = Some(e);
                    None
                }
            }
        });
        s.collect_seq(sessions)
    }
}
