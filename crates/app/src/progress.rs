//! Progress: the history a page at a time, the facts of every session, and the statistics
//! against the goal.

use backstretch_core::profile::Goal;
use backstretch_core::session::{LoggedSession, SessionId};
use backstretch_core::stats::{SessionFact, Stats, review_due, stats};
use backstretch_store::{Order, StoreError};
use chrono::NaiveDate;

use crate::{App, AppError};

/// One page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    /// The sessions with their steps, newest first.
    pub sessions: Vec<LoggedSession>,
    /// When older sessions remain: the session to ask for the sessions before.
    pub older: Option<SessionId>,
}

impl App<'_> {
    /// Up to `limit` sessions, newest first, from just before session `before` or from the
    /// latest: what a history page shows, read in one bounded query.
    pub fn history(
        &self,
        before: Option<SessionId>,
        limit: usize,
    ) -> Result<HistoryPage, AppError> {
        let from = match before {
            None => None,
            Some(id) => {
                let s = self.store.session(&self.user, id)?;
                Some((s.ok_or(StoreError::no_session(id))?.started_at, id))
            }
        };
        let mut sessions = self.store.sessions_page(
            &self.user,
            from,
            limit.saturating_add(1),
            Order::NewestFirst,
        )?;
        let older = if sessions.len() > limit {
            sessions.truncate(limit);
            sessions.last().map(|l| l.session.id)
        } else {
            None
        };
        Ok(HistoryPage { sessions, older })
    }

    /// The goal: the profile's, or daily.
    pub fn goal(&self) -> Result<Goal, AppError> {
        Ok(self
            .store
            .profile(&self.user)?
            .map_or(Goal::Daily, |p| p.goal))
    }

    /// Every session as the statistics need it, newest first.
    pub fn facts(&self) -> Result<Vec<SessionFact>, AppError> {
        Ok(self.store.session_facts(&self.user)?)
    }

    /// The statistics, counting sessions from `since` on (streaks use the whole log).
    pub fn stats(&self, since: Option<NaiveDate>) -> Result<Stats, AppError> {
        self.with_breaks_goal(stats(&self.facts()?, self.goal()?, self.today(), since))
    }

    /// Whether six weeks or more of sessions have brought no meaningful improvement, read
    /// from the ends of the pain trend alone, however long the log.
    pub fn review_advised(&self) -> Result<bool, AppError> {
        let first = self
            .store
            .sessions_page(&self.user, None, 1, Order::OldestFirst)?
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
                counts: true,
                ..SessionFact::default()
            });
        }
        self.with_breaks_goal(stats(&f, self.goal()?, self.today(), None))
    }

    /// The statistics with the profile's goal for desk breaks (core counts the breaks; the
    /// goal is the profile's).
    fn with_breaks_goal(&self, mut s: Stats) -> Result<Stats, AppError> {
        s.breaks.goal_per_day = self.store.profile(&self.user)?.and_then(|p| p.breaks);
        Ok(s)
    }
}
