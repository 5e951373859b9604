//! Coaching over weeks: the programme (where each exercise stands, what comes next and why),
//! and the weekly review. The stages are derived from the log by core ([`coach::stages`]);
//! the person's answers to a review (accepted, or an easier week) live in the profile, so
//! they sync with it.

use backstretch_core::catalog::Catalog;
use backstretch_core::coach::{
    self, Ladder, Made, Next, Programme, ProgrammeRow, REVIEW_EVERY_DAYS, Review, Why, review_due,
    review_on, weeks,
};
use backstretch_core::plan::Coaching;
use backstretch_core::profile::Goal;
use backstretch_core::profile::Profile;
use backstretch_core::stats::{SessionFact, pain_trend};
use chrono::{Duration, NaiveDate};

use crate::{App, AppError};

/// The person's answer to a weekly review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAnswer {
    /// Carry on with the programme as it stands.
    Accept,
    /// One stage lower for every exercise, for a week.
    Easier,
}

impl App<'_> {
    /// The programme plans follow: each exercise's stage from the log, and an easier week
    /// if one was asked for.
    pub fn coaching(&self, catalog: &Catalog) -> Result<Coaching, AppError> {
        let facts = self.facts()?;
        let profile = self.store.profile(&self.user)?.unwrap_or_default();
        self.coaching_from(catalog, &facts, &profile)
    }

    pub(crate) fn coaching_from(
        &self,
        catalog: &Catalog,
        facts: &[SessionFact],
        profile: &Profile,
    ) -> Result<Coaching, AppError> {
        let blocked = self.blocked_since()?.map(|s| s.utc_s);
        Ok(Coaching {
            stages: coach::stages(facts, catalog, blocked),
            easier_week: profile.easier_until.is_some_and(|d| self.today() < d),
        })
    }

    /// Where each exercise stands, what comes next and why, and the last four weeks.
    pub fn programme(&self, catalog: &Catalog) -> Result<Programme, AppError> {
        let facts = self.facts()?;
        let profile = self.store.profile(&self.user)?.unwrap_or_default();
        let coaching = self.coaching_from(catalog, &facts, &profile)?;
        let today = self.today();
        let mut exercises = Vec::new();
        for (id, st) in &coaching.stages {
            let Some(entry) = catalog.get(id) else {
                continue;
            };
            let e = &entry.exercise;
            let ladder = Ladder::of(e);
            let stage = coaching.stage(id);
            let next = if stage >= ladder.top() {
                Next::Top
            } else if ladder.moved_on(stage + 1) {
                let id = ladder.next.clone().unwrap_or_default();
                let name = catalog
                    .get(&id)
                    .map_or_else(|| id.clone(), |n| n.exercise.name.clone());
                Next::Exercise { id, name }
            } else {
                Next::Dose {
                    dose: ladder.dose(stage + 1).clone(),
                }
            };
            let (calm_needed, days_needed) = st.needs(today);
            exercises.push(ProgrammeRow {
                id: id.clone(),
                name: e.name.clone(),
                stage,
                top: ladder.top(),
                dose: ladder.dose(stage).clone(),
                next,
                calm_needed,
                days_needed,
                why: coaching.note(e),
                moved_on: ladder.moved_on(stage),
            });
        }
        exercises.sort_by(|a, b| (a.moved_on, &a.name).cmp(&(b.moved_on, &b.name)));
        Ok(Programme {
            exercises,
            weeks: weeks(&facts, &self.function_history()?, today),
            easier_until: profile.easier_until.filter(|d| today < *d),
            review_due: review_due(&facts, profile.reviewed_on, today),
            next_review: review_on(&facts, profile.reviewed_on),
        })
    }

    /// The weekly review, when one is due: a week after the first session, then a week
    /// after the last one answered, offered at the next session.
    pub fn weekly_review(&self, catalog: &Catalog) -> Result<Option<Review>, AppError> {
        let facts = self.facts()?;
        let profile = self.store.profile(&self.user)?.unwrap_or_default();
        let today = self.today();
        if !review_due(&facts, profile.reviewed_on, today) {
            return Ok(None);
        }
        let from = today - Duration::days(REVIEW_EVERY_DAYS);
        let in_week = |d: NaiveDate| d >= from && d < today;
        let days: std::collections::BTreeSet<NaiveDate> = facts
            .iter()
            .filter(|f| f.counts && !f.desk_break && in_week(f.day()))
            .map(SessionFact::day)
            .collect();
        let goal_days = match profile.goal {
            Goal::Daily => 7,
            Goal::PerWeek(n) => u32::from(n),
        };
        let coaching = self.coaching_from(catalog, &facts, &profile)?;
        let mut moves = Vec::new();
        for (id, st) in &coaching.stages {
            let Some(entry) = catalog.get(id) else {
                continue;
            };
            for m in st.moves.iter().filter(|m| in_week(m.day)) {
                let mut only = st.clone();
                only.moves = vec![m.clone()];
                moves.push(Made {
                    id: id.clone(),
                    name: entry.exercise.name.clone(),
                    moved: m.clone(),
                    why: coach::explain(&entry.exercise, &only).unwrap_or_else(|| {
                        if m.why == Why::Calm {
                            "A step up.".into()
                        } else {
                            "A step back.".into()
                        }
                    }),
                });
            }
        }
        let mut befores: Vec<(chrono::DateTime<chrono::FixedOffset>, u8)> = facts
            .iter()
            .filter(|f| !f.desk_break)
            .filter_map(|f| f.pain_before.map(|p| (f.started, p)))
            .collect();
        befores.sort();
        let before: Vec<u8> = befores.into_iter().map(|(_, p)| p).collect();
        // The reviews held, this one included: one a week since the first session.
        let first = facts
            .iter()
            .filter(|f| !f.desk_break)
            .map(SessionFact::day)
            .min();
        let held = first.map_or(1, |d| (today - d).num_days() / REVIEW_EVERY_DAYS);
        Ok(Some(Review {
            from,
            days: u32::try_from(days.len()).unwrap_or(u32::MAX),
            goal_days,
            pain: pain_trend(&before),
            moves,
            function: self.function_summary()?,
            card: Some(
                self.card_for_review(usize::try_from(held.max(1)).unwrap_or(1))?
                    .clone(),
            ),
        }))
    }

    /// Answers the weekly review: the next is due a week from today; an easier week puts
    /// every exercise a stage lower until then.
    pub fn answer_review(&self, answer: ReviewAnswer) -> Result<(), AppError> {
        let mut p = self.store.profile(&self.user)?.unwrap_or_default();
        let today = self.today();
        p.reviewed_on = Some(today);
        p.easier_until = match answer {
            ReviewAnswer::Accept => None,
            ReviewAnswer::Easier => Some(today + Duration::days(REVIEW_EVERY_DAYS)),
        };
        self.store.set_profile(&self.user, &p, self.now)?;
        Ok(())
    }
}
