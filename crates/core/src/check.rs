//! A red-flag check, one question at a time.
//!
//! Which questions a check asks depends on what came before it:
//! - after an emergency answer, or pain that spread into a limb while stretching, it first asks
//!   whether the person has been assessed since. Within a day of that, only "yes, assessed"
//!   lets the check go on;
//! - a sign a clinician has checked (an assessment after an emergency, or a clearance) is asked
//!   as "new, or worse, since DATE?", so an honest answer about a lasting, checked sign does not
//!   lock the person out;
//! - a sign the player recorded (pain that spread into a limb) is asked about again before the
//!   check can clear.
//!
//! The check stops at the first emergency answer, so its advice is shown at once. What it
//! records is a [`Screening`] and, for signs assessed since an emergency, the signs to mark as
//! checked by a clinician.

use std::collections::BTreeMap;

use crate::safety::{
    CLEARANCE_DAYS, RedFlag, Screening, Urgency, Verdict, questions_for, uncleared, verdict,
};
use crate::time::Stamp;
use crate::vocab::Area;

/// The answer id of the question "have you been assessed since?".
pub const ASSESSED: &str = "assessed";

/// Within this many seconds of an emergency answer, a new check goes on only after an
/// assessment.
pub const ASSESSMENT_WINDOW_S: i64 = 24 * 3600;

/// What a check needs to know about what came before it.
#[derive(Debug, Clone, Copy)]
pub struct Before<'a> {
    /// The latest check, if any.
    pub last: Option<&'a Screening>,
    /// Signs a clinician has checked: (sign id, when).
    pub clearances: &'a [(String, Stamp)],
    /// The time of this check.
    pub now: Stamp,
}

/// One question of a check, as it is asked this time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question<'a> {
    /// The answer's id: a sign's id, or [`ASSESSED`].
    pub id: &'a str,
    /// The question, answered yes or no.
    pub text: String,
    /// The sign it asks about (none for [`ASSESSED`]).
    pub flag: Option<&'a RedFlag>,
}

/// How a sign is asked: as it is, or as new or worse since a clinician checked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Plain,
    /// Assessed after an emergency answer, at this time.
    Assessed(Stamp),
    /// Cleared by a clinician at this time.
    Cleared(Stamp),
}

/// A check in progress.
#[derive(Debug, Clone)]
pub struct Check<'a> {
    flags: &'a [RedFlag],
    areas: Vec<Area>,
    now: Stamp,
    /// Set when the last check reported an emergency sign not since lifted: its time and its
    /// emergency signs.
    emergency: Option<(Stamp, Vec<String>)>,
    /// The signs to ask, in order, with how each is anchored before any assessment.
    signs: Vec<(&'a RedFlag, Anchor)>,
    assessed: Option<bool>,
    answers: BTreeMap<String, bool>,
    /// The number of sign questions answered (or passed over after a stop).
    next: usize,
    stopped: bool,
    /// The last check's answers, kept when the block holds.
    carried: BTreeMap<String, bool>,
}

/// What a finished check records, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// The check as the log keeps it.
    pub screening: Screening,
    /// The verdict: the most urgent sign decides.
    pub verdict: Verdict,
    /// Signs answered yes that are worth knowing but never block.
    pub advice: Vec<&'a RedFlag>,
    /// Emergency signs the person has been assessed for since they were reported: mark them
    /// checked by a clinician now, so later checks ask whether they are new or worse.
    pub assessed_signs: Vec<String>,
    /// Whether the check ended early: at an emergency answer, or "not assessed" within a day
    /// of one.
    pub stopped: bool,
}

/// An answer the check needs was not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered(pub Vec<String>);

impl<'a> Check<'a> {
    /// A check of the questions for `areas`, given what came before.
    pub fn new(flags: &'a [RedFlag], areas: &[Area], before: Before<'_>) -> Check<'a> {
        let active = |sign: &str| {
            before
                .clearances
                .iter()
                .filter(|(id, at)| {
                    id == sign && at.seconds_until(before.now) < CLEARANCE_DAYS * 86_400
                })
                .map(|(_, at)| *at)
                .max()
        };
        let anchored = |f: &'a RedFlag| {
            let anchor = match active(&f.id) {
                Some(at) if f.urgency == Urgency::Emergency => Anchor::Assessed(at),
                Some(at) => Anchor::Cleared(at),
                None => Anchor::Plain,
            };
            (f, anchor)
        };
        let mut signs: Vec<(&RedFlag, Anchor)> = questions_for(flags, areas)
            .into_iter()
            .map(anchored)
            .collect();
        let last_yes = before.last.map(Screening::yes).unwrap_or_default();
        // A sign the player recorded is asked about before the check can clear.
        for f in flags
            .iter()
            .filter(|f| !f.asked && last_yes.contains(&f.id))
        {
            signs.push(anchored(f));
        }
        // An emergency sign, or one the player recorded (pain that spread into a limb), holds
        // until the person says a clinician has assessed it (within a day of it).
        let emergency = before.last.and_then(|last| {
            let still = uncleared(flags, last, before.clearances, before.now);
            let signs: Vec<String> = still
                .into_iter()
                .filter(|id| {
                    flags
                        .iter()
                        .any(|f| &f.id == id && (f.urgency == Urgency::Emergency || !f.asked))
                })
                .collect();
            (!signs.is_empty()).then_some((last.at, signs))
        });
        Check {
            flags,
            areas: areas.to_vec(),
            now: before.now,
            emergency,
            signs,
            assessed: None,
            answers: BTreeMap::new(),
            next: 0,
            stopped: false,
            carried: before.last.map(|s| s.answers.clone()).unwrap_or_default(),
        }
    }

    /// The next question, or none when the check is done.
    pub fn next(&self) -> Option<Question<'a>> {
        if self.stopped {
            return None;
        }
        if let Some((at, _)) = &self.emergency
            && self.assessed.is_none()
        {
            let urgent = self.emergency.as_ref().is_some_and(|(_, signs)| {
                self.flags
                    .iter()
                    .any(|f| signs.contains(&f.id) && f.urgency == Urgency::Emergency)
            });
            let text = if urgent {
                format!(
                    "On {} you reported a sign that needs emergency care. Since then, have you been assessed by emergency services, a doctor or a physiotherapist?",
                    date(*at)
                )
            } else {
                format!(
                    "On {} pain spread into a limb, or numbness, tingling or weakness came, while you stretched. Since then, has a doctor or physiotherapist assessed it?",
                    date(*at)
                )
            };
            return Some(Question {
                id: ASSESSED,
                text,
                flag: None,
            });
        }
        let &(flag, anchor) = self.signs.get(self.next)?;
        Some(Question {
            id: &flag.id,
            text: self.wording(flag, anchor),
            flag: Some(flag),
        })
    }

    /// Every question the check would ask if each answer were "no" (and, after an emergency,
    /// "yes, assessed"): for a form that asks them all at once.
    pub fn questions(&self) -> Vec<Question<'a>> {
        let mut all = Vec::new();
        let mut c = self.clone();
        while let Some(q) = c.next() {
            let yes = q.id == ASSESSED;
            all.push(q);
            c.answer(yes);
        }
        all
    }

    /// Answers the next question. A "yes" to an emergency sign, or "not assessed" within a day
    /// of an emergency answer, ends the check.
    pub fn answer(&mut self, yes: bool) {
        let Some(q) = self.next() else {
            return;
        };
        if q.id == ASSESSED {
            self.assessed = Some(yes);
            let within = self
                .emergency
                .as_ref()
                .is_some_and(|(at, _)| at.seconds_until(self.now) < ASSESSMENT_WINDOW_S);
            self.stopped = !yes && within;
            return;
        }
        self.answers.insert(q.id.to_string(), yes);
        self.next += 1;
        if yes && q.flag.is_some_and(|f| f.urgency == Urgency::Emergency) {
            self.stopped = true;
        }
    }

    /// Answers every question from `answers` (id to yes), in order. Fails naming the
    /// questions left unanswered, unless the check stopped before them; answers given to
    /// questions after the stop are kept too (a form answered whole loses nothing).
    pub fn answer_all(&mut self, answers: &BTreeMap<String, bool>) -> Result<(), Unanswered> {
        let mut missing = Vec::new();
        while let Some(q) = self.next() {
            match answers.get(q.id) {
                Some(&yes) => self.answer(yes),
                None => {
                    missing.push(q.id.to_string());
                    // Read as "no" only to find what else is missing; nothing is recorded.
                    self.answer(q.id == ASSESSED);
                }
            }
        }
        if !missing.is_empty() {
            return Err(Unanswered(missing));
        }
        for &(f, _) in &self.signs[self.next..] {
            if let Some(&yes) = answers.get(&f.id) {
                self.answers.insert(f.id.clone(), yes);
            }
        }
        Ok(())
    }

    /// Whether the check ended early (an emergency answer, or not assessed since one).
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// What the check records and found.
    pub fn outcome(self) -> Outcome<'a> {
        let held = self.assessed == Some(false) && self.stopped;
        let answers = if held {
            // The block holds: the signs reported before, with any given now.
            let mut kept: BTreeMap<String, bool> = self
                .carried
                .iter()
                .filter(|(_, y)| **y)
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            // Only new signs are added: a "no" given now cannot lift a sign the block holds.
            kept.extend(
                self.answers
                    .iter()
                    .filter(|(_, y)| **y)
                    .map(|(k, v)| (k.clone(), *v)),
            );
            kept
        } else {
            self.answers.clone()
        };
        let yes: Vec<String> = answers
            .iter()
            .filter(|(_, y)| **y)
            .map(|(id, _)| id.clone())
            .collect();
        let v = verdict(self.flags, &yes);
        let advice: Vec<&RedFlag> = self
            .flags
            .iter()
            .filter(|f| f.urgency == Urgency::Advice && yes.contains(&f.id))
            .collect();
        let assessed_signs = match (&self.emergency, self.assessed) {
            (Some((_, signs)), Some(true)) => signs.clone(),
            _ => Vec::new(),
        };
        let since = self
            .signs
            .iter()
            .take(self.next)
            .filter_map(|&(f, anchor)| match self.anchor(f, anchor) {
                Anchor::Assessed(at) | Anchor::Cleared(at) => Some((f.id.clone(), at)),
                Anchor::Plain => None,
            })
            .collect();
        Outcome {
            screening: Screening {
                at: self.now,
                areas: self.areas,
                answers,
                verdict: v.level(),
                assessed: self.assessed,
                since,
            },
            verdict: v,
            advice,
            assessed_signs,
            stopped: self.stopped,
        }
    }

    /// The anchor a sign is asked with, once any assessment is known.
    fn anchor(&self, flag: &RedFlag, anchor: Anchor) -> Anchor {
        let assessed_now = self.assessed == Some(true)
            && self
                .emergency
                .as_ref()
                .is_some_and(|(_, signs)| signs.contains(&flag.id));
        if assessed_now {
            Anchor::Assessed(self.now)
        } else {
            anchor
        }
    }

    fn wording(&self, flag: &RedFlag, anchor: Anchor) -> String {
        let when = |at: Stamp| {
            if at.day() == self.now.day() {
                "today".to_string()
            } else {
                format!("on {}", date(at))
            }
        };
        match self.anchor(flag, anchor) {
            Anchor::Plain if !flag.asked => {
                flag.recheck.clone().unwrap_or_else(|| flag.text.clone())
            }
            Anchor::Plain => flag.text.clone(),
            Anchor::Assessed(at) => format!(
                "Earlier you reported {}. Is it new, or worse, since you were assessed {}?",
                flag.sign,
                when(at)
            ),
            Anchor::Cleared(at) => format!(
                "Earlier you reported {}. Is it new, or has it changed, since a clinician cleared it {}?",
                flag.sign,
                when(at)
            ),
        }
    }
}

/// A day as the questions name it: "3 December 2026".
fn date(at: Stamp) -> String {
    at.day().format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safety::{ScreeningVerdict, red_flags};
    use crate::vocab::Word;

    fn t(hours: i64) -> Stamp {
        Stamp::parse("2026-11-16T08:00:00+00:00")
            .unwrap()
            .plus_seconds(hours * 3600)
    }

    /// A check answered "no" to everything but `yes`, `assessed` as given.
    fn run<'a>(mut c: Check<'a>, yes: &[&str], assessed: bool) -> Outcome<'a> {
        while let Some(q) = c.next() {
            c.answer(if q.id == ASSESSED {
                assessed
            } else {
                yes.contains(&q.id)
            });
        }
        c.outcome()
    }

    fn fresh(now: Stamp) -> Check<'static> {
        let before = Before {
            last: None,
            clearances: &[],
            now,
        };
        Check::new(red_flags().unwrap(), &[Area::LowerBack], before)
    }

    /// Regression: after a "yes" to an emergency sign the check asked 24 more questions
    /// before its advice.
    #[test]
    fn an_emergency_answer_ends_the_check_at_once() {
        let mut c = fresh(t(0));
        let first = c.next().unwrap();
        assert_eq!(first.id, "saddle-numbness");
        c.answer(true);
        assert!(c.stopped() && c.next().is_none());
        let out = c.outcome();
        assert_eq!(out.screening.verdict, ScreeningVerdict::Emergency);
        assert_eq!(
            out.screening.answers.len(),
            1,
            "{:?}",
            out.screening.answers
        );
        assert!(out.stopped);
    }

    /// Regression: "no" to everything a second after an emergency answer lifted the block.
    #[test]
    fn within_a_day_of_an_emergency_only_an_assessment_lets_a_check_go_on() {
        let flags = red_flags().unwrap();
        let emergency = run(fresh(t(0)), &["saddle-numbness"], false).screening;
        let again = |now: Stamp| {
            Check::new(
                flags,
                &[Area::LowerBack],
                Before {
                    last: Some(&emergency),
                    clearances: &[],
                    now,
                },
            )
        };
        let c = again(t(0).plus_seconds(1));
        let q = c.next().unwrap();
        assert_eq!(q.id, ASSESSED);
        assert!(q.text.contains("16 November 2026"), "{}", q.text);
        // Not assessed: the block holds, and the answer is logged with the old signs.
        let held = run(c, &[], false);
        assert!(held.stopped);
        assert_eq!(held.screening.assessed, Some(false));
        assert_eq!(held.screening.verdict, ScreeningVerdict::Emergency);
        assert_eq!(held.screening.yes(), ["saddle-numbness"]);
        // Assessed: the check goes on, asks the sign as new or worse since, and clears.
        let out = run(again(t(2)), &[], true);
        assert_eq!(out.verdict, Verdict::Clear);
        assert_eq!(out.assessed_signs, ["saddle-numbness"]);
        assert_eq!(out.screening.since.get("saddle-numbness"), Some(&t(2)));
        let mut c = again(t(2));
        c.answer(true);
        assert!(
            c.next()
                .unwrap()
                .text
                .contains("since you were assessed today"),
            "{:?}",
            c.next()
        );
        // A form answered whole while not assessed: its "no"s lift nothing, a new sign is
        // added.
        let mut c = again(t(1));
        let mut answers: BTreeMap<String, bool> = again(t(1))
            .questions()
            .iter()
            .map(|q| (q.id.to_string(), q.id == "weight-loss"))
            .collect();
        answers.insert(ASSESSED.into(), false);
        assert_eq!(c.answer_all(&answers), Ok(()));
        let held = c.outcome();
        assert_eq!(held.screening.yes(), ["saddle-numbness", "weight-loss"]);
        assert_eq!(held.screening.verdict, ScreeningVerdict::Emergency);
        // A day later, "not assessed" lets the check go on with the plain questions.
        let out = run(again(t(25)), &[], false);
        assert!(!out.stopped && out.verdict == Verdict::Clear);
        assert_eq!(out.screening.assessed, Some(false));
    }

    /// Regression: a check after "it spreads" never asked about it, so the block lifted.
    #[test]
    fn a_check_after_spreading_symptoms_asks_about_them() {
        let flags = red_flags().unwrap();
        let spread = Screening {
            at: t(0),
            areas: Area::ALL.to_vec(),
            answers: [("spreading-symptoms".to_string(), true)].into(),
            verdict: ScreeningVerdict::Soon,
            assessed: None,
            since: BTreeMap::new(),
        };
        let at = |now| {
            Check::new(
                flags,
                &[Area::LowerBack],
                Before {
                    last: Some(&spread),
                    clearances: &[],
                    now,
                },
            )
        };
        // Within a day, not assessed: it holds (the review lifted it with "no" seconds later).
        let first = at(t(1)).next().unwrap();
        assert_eq!(first.id, ASSESSED);
        assert!(
            first.text.contains("pain spread into a limb"),
            "{}",
            first.text
        );
        assert!(run(at(t(1)), &[], false).stopped);
        // Assessed: asked as new or worse since.
        let qs = at(t(1)).questions();
        let q = qs.iter().find(|q| q.id == "spreading-symptoms").unwrap();
        assert!(
            q.text.contains("since you were assessed today"),
            "{}",
            q.text
        );
        // A day later, not assessed: asked whether it is still there before it can clear.
        let mut c = at(t(25));
        c.answer(false);
        let q = c.next().unwrap();
        assert_eq!(q.id, "saddle-numbness");
        let qs = c.questions();
        let q = qs.iter().find(|q| q.id == "spreading-symptoms").unwrap();
        assert!(q.text.contains("still"), "{}", q.text);
        assert_ne!(
            run(at(t(25)), &["spreading-symptoms"], false).verdict,
            Verdict::Clear
        );
        assert_eq!(run(at(t(25)), &[], false).verdict, Verdict::Clear);
        // A fresh check does not ask it.
        assert!(
            fresh(t(1))
                .questions()
                .iter()
                .all(|q| q.id != "spreading-symptoms")
        );
    }

    /// A sign a clinician cleared is asked as new or changed since; an honest "unchanged"
    /// keeps the person going, and the clearance's 12 weeks still count.
    #[test]
    fn a_cleared_sign_is_asked_as_new_or_changed_since() {
        let flags = red_flags().unwrap();
        let cleared = vec![("weight-loss".to_string(), t(0))];
        let at = |now| {
            Check::new(
                flags,
                &[Area::LowerBack],
                Before {
                    last: None,
                    clearances: &cleared,
                    now,
                },
            )
        };
        let four_weeks = t(28 * 24);
        let q = at(four_weeks)
            .questions()
            .into_iter()
            .find(|q| q.id == "weight-loss")
            .unwrap();
        assert!(
            q.text
                .contains("since a clinician cleared it on 16 November 2026"),
            "{}",
            q.text
        );
        let out = run(at(four_weeks), &[], true);
        assert_eq!(out.verdict, Verdict::Clear);
        assert_eq!(out.screening.since.get("weight-loss"), Some(&t(0)));
        // After 12 weeks the plain question is back.
        let q = at(t(85 * 24))
            .questions()
            .into_iter()
            .find(|q| q.id == "weight-loss")
            .unwrap();
        assert!(!q.text.contains("cleared"), "{}", q.text);
    }

    /// Answers given all at once must cover every question asked, except those after the
    /// answer that ended the check.
    #[test]
    fn answers_all_at_once_must_be_complete() {
        let mut c = fresh(t(0));
        let e = c.answer_all(&BTreeMap::new()).unwrap_err();
        assert_eq!(e.0.len(), fresh(t(0)).questions().len());
        let mut c2 = fresh(t(0));
        let answers = BTreeMap::from([("saddle-numbness".to_string(), true)]);
        assert_eq!(c2.answer_all(&answers), Ok(()));
        assert!(c2.stopped());
        // Answers after the stop are kept, not dropped.
        let mut c3 = fresh(t(0));
        let answers = BTreeMap::from([
            ("saddle-numbness".to_string(), true),
            ("weight-loss".to_string(), true),
        ]);
        assert_eq!(c3.answer_all(&answers), Ok(()));
        let out = c3.outcome();
        assert_eq!(out.screening.yes(), ["saddle-numbness", "weight-loss"]);
    }

    /// Advice answers are kept and returned, never a block.
    #[test]
    fn advice_answers_are_returned() {
        let out = run(fresh(t(0)), &["cancer-past"], true);
        assert_eq!(out.verdict, Verdict::Clear);
        assert_eq!(out.advice.len(), 1);
        assert_eq!(out.advice[0].id, "cancer-past");
    }
}
