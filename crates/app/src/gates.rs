//! The gates every routine passes before it is planned or played: the disclaimer accepted,
//! a red-flag check that covers the areas and found no warning sign. They come back as
//! values; the front end asks what is needed and records the answers here.

use std::collections::BTreeMap;

use backstretch_core::catalog::Catalog;
use backstretch_core::check::{ASSESSED, Before, Check, Outcome, Unanswered};
use backstretch_core::exchange::Clearance;
use backstretch_core::safety::{
    self, DISCLAIMER_VERSION, PainRules, RedFlag, Screening, SessionPain, Verdict,
};
use backstretch_core::time::Stamp;
use backstretch_core::vocab::{Area, Word};

use crate::{App, AppError};

/// Why a red-flag check is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreeningDue {
    /// None has been done.
    Never,
    /// The last one did not cover every area asked for.
    AreasChanged,
    /// The last one is more than four weeks old.
    Expired,
}

/// A gate not yet passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The disclaimer of [`DISCLAIMER_VERSION`] must be accepted.
    Disclaimer,
    /// The red-flag questions for `areas` must be answered.
    Screening {
        due: ScreeningDue,
        /// The areas to ask for.
        areas: Vec<Area>,
    },
    /// The latest check reported a warning sign: nothing is planned or played until a new
    /// check has none.
    Flagged {
        /// The check that reported it (boxed: a gate travels inside every error).
        screening: Box<Screening>,
        verdict: Verdict,
        /// Whether the person is in a clinic's care: then their clinician clears a sign,
        /// not they.
        clinic: bool,
    },
}

impl App<'_> {
    /// The first gate not passed for a routine serving `areas`, or none.
    pub fn gate(&self, catalog: &Catalog, areas: &[Area]) -> Result<Option<Gate>, AppError> {
        if self.store.disclaimer_version(&self.user)? != Some(DISCLAIMER_VERSION) {
            return Ok(Some(Gate::Disclaimer));
        }
        self.screening_gate(catalog, areas)
    }

    /// The red-flag gate alone. The check must cover the areas and, when a neck exercise
    /// may be planned for them, the neck ([`safety::screened_areas`]).
    pub fn screening_gate(
        &self,
        catalog: &Catalog,
        areas: &[Area],
    ) -> Result<Option<Gate>, AppError> {
        let areas = &safety::screened_areas(catalog, areas)[..];
        let last = self.store.last_screening(&self.user)?;
        let blocking = self.blocking(last.as_ref())?;
        let due = match last {
            Some(s) if blocking != Verdict::Clear => {
                return Ok(Some(Gate::Flagged {
                    screening: Box::new(s),
                    verdict: blocking,
                    clinic: self.under_clinic()?,
                }));
            }
            Some(s) if self.now.seconds_until(s.at) < -safety::SCREENING_VALID_DAYS * 86_400 => {
                ScreeningDue::Expired
            }
            Some(s) if s.covers(areas) => return Ok(None),
            Some(_) => ScreeningDue::AreasChanged,
            None => ScreeningDue::Never,
        };
        Ok(Some(Gate::Screening {
            due,
            areas: areas.to_vec(),
        }))
    }

    /// What the latest check still blocks for, once valid clearances are taken off.
    fn blocking(&self, last: Option<&Screening>) -> Result<Verdict, AppError> {
        Ok(match last {
            Some(s) if s.verdict != safety::ScreeningVerdict::Clear => {
                let flags = safety::red_flags()?;
                let clearances = self.lifting_clearances()?;
                safety::verdict(flags, &safety::uncleared(flags, s, &clearances, self.now))
            }
            _ => Verdict::Clear,
        })
    }

    /// When the warning-sign block still in force began (the check that reported it), if
    /// one is: sessions logged since count toward no progression.
    pub fn blocked_since(&self) -> Result<Option<Stamp>, AppError> {
        let last = self.store.last_screening(&self.user)?;
        Ok(match last {
            Some(s) if self.blocking(Some(&s))? != Verdict::Clear => Some(s.at),
            _ => None,
        })
    }

    /// Fails with the first gate not passed.
    pub fn require_gates(&self, catalog: &Catalog, areas: &[Area]) -> Result<(), AppError> {
        match self.gate(catalog, areas)? {
            None => Ok(()),
            Some(g) => Err(AppError::GateNotPassed(g)),
        }
    }

    /// Whether the current disclaimer has been accepted.
    pub fn disclaimer_accepted(&self) -> Result<bool, AppError> {
        Ok(self.store.disclaimer_version(&self.user)? == Some(DISCLAIMER_VERSION))
    }

    /// Records that the current disclaimer was accepted (once is enough).
    pub fn accept_disclaimer(&self) -> Result<(), AppError> {
        if !self.disclaimer_accepted()? {
            self.store
                .accept_disclaimer(&self.user, DISCLAIMER_VERSION, self.now)?;
        }
        Ok(())
    }

    /// The areas a red-flag check asks about: those given, else the profile's, else every
    /// area; widened to the neck whenever a neck exercise may be planned for them
    /// ([`safety::screened_areas`]).
    pub fn screening_areas(
        &self,
        catalog: &Catalog,
        given: Option<&[Area]>,
    ) -> Result<Vec<Area>, AppError> {
        let areas = match given {
            Some(a) if !a.is_empty() => a.to_vec(),
            _ => self
                .store
                .profile(&self.user)?
                .map(|p| p.areas)
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| Area::ALL.to_vec()),
        };
        Ok(safety::screened_areas(catalog, &areas))
    }

    /// The red-flag questions to ask for `areas`.
    pub fn questions(&self, areas: &[Area]) -> Result<Vec<&'static RedFlag>, AppError> {
        Ok(safety::questions_for(safety::red_flags()?, areas))
    }

    /// A red-flag check for `areas`, one question at a time, knowing what came before it: an
    /// emergency answer not yet assessed, signs a clinician has checked, spreading symptoms
    /// the player recorded ([`Check`]).
    pub fn check(&self, areas: &[Area]) -> Result<Check<'static>, AppError> {
        let flags = safety::red_flags()?;
        let last = self.store.last_screening(&self.user)?;
        let clearances = self.lifting_clearances()?;
        Ok(Check::new(
            flags,
            areas,
            Before {
                last: last.as_ref(),
                clearances: &clearances,
                now: self.now,
            },
        ))
    }

    /// Records a check, finished or stopped early: the answers, and, for emergency signs the
    /// person has been assessed for since, that a clinician has checked them (so later checks
    /// ask whether they are new or worse).
    pub fn record_check(&self, check: Check<'static>) -> Result<Outcome<'static>, AppError> {
        let mut out = check.outcome();
        for sign in &out.assessed_signs {
            self.store
                .add_clearance(&self.user, &self.own_clearance(sign))?;
        }
        // Times are whole seconds: a check made in the same second as a clearance must still
        // come after it, so that answering the sign again ends the clearance.
        out.screening.at = self
            .store
            .clearances(&self.user)?
            .iter()
            .map(|c| c.at.plus_seconds(1))
            .max()
            .filter(|t| *t > self.now)
            .unwrap_or(self.now);
        self.store.add_screening(&self.user, &out.screening)?;
        Ok(out)
    }

    /// Records a check answered all at once (a form, an API call): `answers` maps each
    /// question's id to yes or no. Every question asked needs its answer, except those after
    /// the answer that ended the check; an id the check does not ask is an error. Nothing is
    /// recorded on an error.
    pub fn record_answers(
        &self,
        areas: &[Area],
        answers: &BTreeMap<String, bool>,
    ) -> Result<Outcome<'static>, AppError> {
        self.answer_check(self.check(areas)?, answers)
    }

    /// [`App::record_answers`] for a check already read from the log.
    fn answer_check(
        &self,
        mut check: Check<'static>,
        answers: &BTreeMap<String, bool>,
    ) -> Result<Outcome<'static>, AppError> {
        let asked: Vec<String> = check.questions().iter().map(|q| q.id.to_string()).collect();
        if let Some(id) = answers.keys().find(|id| !asked.contains(id)) {
            let all = safety::red_flags()?;
            if id != ASSESSED && !all.iter().any(|q| &q.id == id) {
                return Err(unknown(id, all));
            }
            return Err(AppError::NotAsked {
                id: id.clone(),
                asked: asked.join(", "),
            });
        }
        if let Err(Unanswered(ids)) = check.answer_all(answers) {
            let questions = check.questions();
            return Err(AppError::Unanswered {
                questions: ids
                    .into_iter()
                    .map(|id| {
                        let text = questions
                            .iter()
                            .find(|q| q.id == id)
                            .map(|q| q.text.clone())
                            .unwrap_or_default();
                        (id, text)
                    })
                    .collect(),
            });
        }
        self.record_check(check)
    }

    /// Records a check from the ids answered yes (`assessed` for "assessed since the emergency
    /// answer"); every other question asked counts as no. An unknown id, or one the check
    /// does not ask, is an error and records nothing.
    pub fn record_screening(
        &self,
        areas: &[Area],
        yes: &[String],
    ) -> Result<Outcome<'static>, AppError> {
        let check = self.check(areas)?;
        let mut answers: BTreeMap<String, bool> = check
            .questions()
            .iter()
            .map(|q| (q.id.to_string(), false))
            .collect();
        for id in yes {
            answers.insert(id.clone(), true);
        }
        // An unknown id, or one this check does not ask, is refused there.
        self.answer_check(check, &answers)
    }

    /// Records that pain spread down a limb, or numbness, tingling or weakness appeared, while
    /// stretching: a warning sign like any other, so nothing is planned or played until a
    /// new check (after seeing a clinician) reports none.
    pub fn report_spreading(&self) -> Result<Verdict, AppError> {
        let all = safety::red_flags()?;
        let v = safety::verdict(all, &[safety::SPREADING.to_string()]);
        let mut answers: BTreeMap<String, bool> = self
            .store
            .last_screening(&self.user)?
            .map(|s| s.answers)
            .unwrap_or_default();
        answers.insert(safety::SPREADING.to_string(), true);
        self.store.add_screening(
            &self.user,
            &Screening {
                at: self.now,
                areas: Area::ALL.to_vec(),
                answers,
                verdict: v.level(),
                assessed: None,
                since: BTreeMap::new(),
            },
        )?;
        Ok(v)
    }

    /// Records that a clinician has checked a warning sign and cleared the person to exercise:
    /// it holds for 12 weeks, or until the sign is answered again. An emergency sign cannot be
    /// cleared; it needs a new check with no yes.
    pub fn clear(&self, sign: &str) -> Result<(), AppError> {
        let flags = safety::red_flags()?;
        let Some(flag) = flags.iter().find(|f| f.id == sign) else {
            return Err(unknown(sign, flags));
        };
        if flag.urgency == safety::Urgency::Emergency {
            return Err(AppError::EmergencyNotClearable {
                sign: flag.sign.clone(),
            });
        }
        if self.under_clinic()? {
            return Err(AppError::ClinicClears {
                sign: flag.sign.clone(),
            });
        }
        Ok(self
            .store
            .add_clearance(&self.user, &self.own_clearance(sign))?)
    }

    /// A clearance the person records themselves.
    fn own_clearance(&self, sign: &str) -> Clearance {
        Clearance {
            sign: sign.to_string(),
            at: self.now,
            by: None,
        }
    }

    /// The clearances that lift a sign, as (sign, when): in a clinic's care, only those its
    /// clinicians recorded (theirs replaces the person's own word); else every one.
    fn lifting_clearances(&self) -> Result<Vec<(String, Stamp)>, AppError> {
        let clinic = self.under_clinic()?;
        Ok(self
            .store
            .clearances(&self.user)?
            .into_iter()
            .filter(|c| !clinic || c.by.is_some())
            .map(|c| (c.sign, c.at))
            .collect())
    }

    /// The latest finished session from an earlier day whose soreness (an amber or red
    /// light) has not been asked about yet: (its id, its day).
    pub fn pending_followup(
        &self,
    ) -> Result<Option<(backstretch_core::session::SessionId, chrono::NaiveDate)>, AppError> {
        let today = self.today();
        Ok(self
            .store
            .last_rated(&self.user)?
            .filter(|s| s.started_at.day() < today)
            .filter(|s| {
                safety::needs_followup(
                    s.pain_before.unwrap_or(0),
                    s.pain_after.unwrap_or(0),
                    s.settled,
                )
            })
            .map(|s| (s.id, s.started_at.day())))
    }

    /// Records whether that session's soreness had settled by the next morning; one that had
    /// not counts as a flare, so the next plans are gentler.
    pub fn record_settled(
        &self,
        id: backstretch_core::session::SessionId,
        settled: bool,
    ) -> Result<(), AppError> {
        Ok(self.store.set_settled(&self.user, id, settled, self.now)?)
    }

    /// Whether "sharper or worse" ends this session, rather than moving on: its pain before
    /// was high, or plans are eased today ([`safety::hurt_ends_session`]).
    pub fn hurt_ends_session(
        &self,
        session: backstretch_core::session::SessionId,
    ) -> Result<bool, AppError> {
        let pain_before = self
            .store
            .session(&self.user, session)?
            .and_then(|s| s.pain_before);
        Ok(safety::hurt_ends_session(
            pain_before,
            self.pain_rules()?.flare.easing,
        ))
    }

    /// The pain rules as of today, from the log: exercises that hurt twice lately (unless
    /// put back), flares and red sessions, and a rise in pain week on week. Reads only the
    /// last three weeks (and the latest rated session), however long the log.
    pub fn pain_rules(&self) -> Result<PainRules, AppError> {
        let allowed = self
            .store
            .profile(&self.user)?
            .map(|p| p.allowed)
            .unwrap_or_default();
        // The rules look back over a window of days, and at the latest rated session.
        let since = Stamp::earliest_on(self.today() - chrono::Duration::days(safety::WINDOW_DAYS));
        let hurts = self.store.hurts(&self.user, since)?;
        let rise_since =
            Stamp::earliest_on(self.today() - chrono::Duration::days(safety::RISE_WINDOW_DAYS));
        let history = self.store.pain_history(&self.user, Some(rise_since))?;
        let before: Vec<(chrono::NaiveDate, u8)> = history
            .iter()
            .filter_map(|p| Some((p.started_at.day(), p.pain_before?)))
            .collect();
        // Newest first, as the rules read them.
        let mut pains: Vec<SessionPain> = history
            .iter()
            .filter(|p| p.started_at >= since)
            .rev()
            .filter(|p| p.ended)
            .filter_map(|p| {
                Some(SessionPain {
                    day: p.started_at.day(),
                    before: p.pain_before?,
                    after: p.pain_after?,
                    settled: p.settled,
                })
            })
            .collect();
        if pains.is_empty()
            && let Some(last) = self.store.last_rated(&self.user)?
            && let (Some(before), Some(after)) = (last.pain_before, last.pain_after)
        {
            pains.push(SessionPain {
                day: last.started_at.day(),
                before,
                after,
                settled: last.settled,
            });
        }
        Ok(PainRules::from_log(
            &hurts,
            &pains,
            &allowed,
            &before,
            self.today(),
        ))
    }
}

/// An id no question has.
fn unknown(id: &str, all: &[RedFlag]) -> AppError {
    AppError::UnknownQuestion {
        id: id.to_string(),
        known: all
            .iter()
            .map(|q| q.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}
