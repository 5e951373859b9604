//! Progress: the facts of every session, and the statistics against the goal.

use backstretch_core::profile::Goal;
use backstretch_core::stats::{SessionFact, Stats, review_due, stats};
use chrono::NaiveDate;

use crate::{App, AppError};

impl App<'_> {
    /// The goal: the profile's, or daily.
    pub fn goal(&self) -> Result<Goal, AppError> {
        Ok(self
            .store
            .profile(&self.user)?
            .map_or(Goal::Daily, |p| p.goal))
    }

    /// Every session as the statistics need it, newest first.
    pub fn facts(&self) -> Result<Vec<SessionFact>, AppError> {
        Ok(self
            .store
            .sessions(&self.user)?
            .iter()
            .map(SessionFact::of)
            .collect())
    }

    /// The statistics, counting sessions from `since` on (streaks use the whole log).
    pub fn stats(&self, since: Option<NaiveDate>) -> Result<Stats, AppError> {
        Ok(stats(&self.facts()?, self.goal()?, self.today(), since))
    }

    /// Whether six weeks or more of sessions have brought no meaningful improvement, read
    /// from the ends of the pain trend alone, however long the log.
    pub fn review_advised(&self) -> Result<bool, AppError> {
        let first = self
            .store
            .sessions_page(&self.user, None, 1)?
            .first()
            .map(|l| l.session.started_at.day());
        // The trend compares the first and the latest few scores (at most three each, half
        // the scores when there are fewer than six): with six or more, the first three and
        // the last three decide it exactly as the whole list would.
        let oldest = self.store.pain_befores(&self.user, false, 6)?;
        let before = if oldest.len() < 6 {
            oldest
        } else {
            let mut newest = self.store.pain_befores(&self.user, true, 3)?;
            newest.reverse();
            oldest[..3].iter().copied().chain(newest).collect()
        };
        Ok(review_due(first, &before, self.today()))
    }

    /// This week and the streak; with `with_today`, as they will stand once a session now
    /// counts (for an end screen drawn before the session is finished in the log).
    pub fn progress(&self, with_today: bool) -> Result<Stats, AppError> {
        let mut f = self.facts()?;
        if with_today {
            f.push(SessionFact {
                started: self.now.local(),
                seconds: 0,
                pain_before: None,
                pain_after: None,
                done: 1,
                hurt: vec![],
                counts: true,
            });
        }
        Ok(stats(&f, self.goal()?, self.today(), None))
    }
}
