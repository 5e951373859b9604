//! The use cases every backstretch front end shares (the terminal, the web page, and later a
//! clinic server), as plain Rust over core, a [`Store`], the time a front end read once, and
//! a catalogue.
//!
//! The app decides; it never prompts, prints, or reads the clock. A gate that is not passed
//! comes back as a value ([`Gate`]) with the facts a front end needs to word its question;
//! an error ([`AppError`]) carries what went wrong and how to fix it.

mod care;
pub mod catalog;
mod coaching;
mod error;
mod exchange;
mod function;
mod gates;
mod planning;
mod play;
mod profile;
mod progress;
mod reminders;
mod sessions;
mod sheets;

use backstretch_core::time::Stamp;
use backstretch_store::{Store, UserId};

pub use care::practice_catalog;
pub use coaching::ReviewAnswer;
pub use error::{AppError, Remedy};
pub use exchange::Imported;
pub use gates::{Gate, ScreeningDue};
pub use planning::{DESK_BREAK_MINUTES, Overrides, Playable, canonical};
pub use play::{ExerciseView, HighPain};
pub use profile::ProfileSaved;
pub use progress::HistoryPage;
pub use reminders::Reminder;
pub use sessions::{CLOCK_SLACK_S, ManualLog, Reported, Resume, SessionFrame, SessionSummary};

/// The app for one user, at one moment.
pub struct App<'a> {
    store: &'a dyn Store,
    user: UserId,
    now: Stamp,
}

impl std::fmt::Debug for App<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("user", &self.user)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl<'a> App<'a> {
    /// The app over a store, for a user, at `now` (read once by the front end, with the
    /// local offset in force).
    pub fn new(store: &'a dyn Store, user: UserId, now: Stamp) -> App<'a> {
        App { store, user, now }
    }

    /// The moment this app works at.
    pub fn now(&self) -> Stamp {
        self.now
    }

    /// A value that changes whenever the log has changed (here or in another process), so a
    /// front end may reuse what it computed from the log while it stays the same; `None`
    /// when the store cannot tell.
    pub fn change_marker(&self) -> Result<Option<u64>, AppError> {
        Ok(self.store.change_marker()?)
    }

    /// The local day it is.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now.day()
    }
}
