//! The function measure (PSFS) and the education cards: what the weekly review and the end of
//! a session ask and show, over the log.

use backstretch_core::education::{self, Card, Education};
use backstretch_core::function::{FunctionRecord, FunctionSummary, summary};

use crate::{App, AppError};

impl App<'_> {
    /// Records the function measure now: up to three activities, each scored 0 (unable) to
    /// 10 (as before the problem), as the person named them. Bad input is refused with what
    /// to fix ([`AppError::BadFunction`]), never clamped. The record reaches other devices at
    /// the next sync.
    pub fn record_function(&self, items: &[(String, i64)]) -> Result<FunctionRecord, AppError> {
        let record = FunctionRecord::new(crate::care::uid_at(self.now), self.now, items)
            .map_err(|problem| AppError::BadFunction { problem })?;
        self.store.add_function(&self.user, &record)?;
        Ok(record)
    }

    /// Every function measure record, oldest first.
    pub fn function_history(&self) -> Result<Vec<FunctionRecord>, AppError> {
        Ok(self.store.functions(&self.user)?)
    }

    /// The first record's mean against the latest's, and whether the change passes 2 points;
    /// none before the first record.
    pub fn function_summary(&self) -> Result<Option<FunctionSummary>, AppError> {
        Ok(summary(&self.function_history()?))
    }

    /// The activities of the latest record, to offer for scoring again (the scale compares
    /// the same activities over time); none before the first record.
    pub fn last_function_activities(&self) -> Result<Vec<String>, AppError> {
        Ok(self
            .function_history()?
            .pop()
            .map(|r| r.items.into_iter().map(|i| i.activity).collect())
            .unwrap_or_default())
    }

    /// The education cards, in the order they are shown.
    pub fn education(&self) -> Result<&'static Education, AppError> {
        Ok(education::builtin()?)
    }

    /// Sessions completed so far, desk breaks apart: what the cards at session ends count.
    fn completed_sessions(&self) -> Result<usize, AppError> {
        Ok(self
            .facts()?
            .iter()
            .filter(|f| f.counts && !f.desk_break)
            .count())
    }

    /// The card to show at the end of a session just finished, when this end is one that
    /// shows one (every third completed session); `reviews_held` is the weekly reviews held
    /// so far, as the log shows them. Derived from the log each time, so it never drifts.
    pub fn card_after_session(
        &self,
        reviews_held: usize,
    ) -> Result<Option<&'static Card>, AppError> {
        let completed = self.completed_sessions()?;
        if !education::session_end_shows_card(completed) {
            return Ok(None);
        }
        let n = education::occasions(reviews_held, completed);
        Ok(Some(self.education()?.card_for(n.saturating_sub(1))))
    }

    /// The card of the weekly review being held, `reviews_held` counting it.
    pub fn card_for_review(&self, reviews_held: usize) -> Result<&'static Card, AppError> {
        let n = education::occasions(reviews_held, self.completed_sessions()?);
        Ok(self.education()?.card_for(n.saturating_sub(1)))
    }
}
