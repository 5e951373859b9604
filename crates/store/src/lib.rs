//! Persistence for backstretch: the [`Store`] trait, which every backend implements, and its
//! first backend, one SQLite file in the user's data directory ([`SqliteStore`]).
//!
//! Every call is scoped by a [`UserId`], so a multi-user backend (the clinic server, on
//! PostgreSQL) implements the same trait; a local file has one user, [`UserId::local`].
//! Rows are typed: times are [`Stamp`]s (a UTC instant and its offset), and step kinds, sides,
//! outcomes, sources and verdicts are core's enums. [`contract`] is the test suite every
//! backend must pass.

pub mod accounts;
pub mod clinic;
#[cfg(feature = "contract")]
pub mod contract;
pub mod digest;
mod sqlite;

use backstretch_core::care::{Message, Prescription};
use backstretch_core::code::RoutineCode;
use backstretch_core::event::{Change, Event};
use backstretch_core::exchange::Clearance;
use backstretch_core::function::FunctionRecord;
use backstretch_core::profile::Profile;
use backstretch_core::routine::Routine;
use backstretch_core::safety::{Hurt, Screening};
use backstretch_core::session::{
    Ending, LoggedSession, SessionId, SessionRecord, SessionSource, StepRecord,
};
use backstretch_core::stats::SessionFact;
use backstretch_core::time::Stamp;

/// A store is shared between threads (the web server's workers, a server's requests).
const _: () = {
    const fn shared<T: Send + Sync + ?Sized>() {}
    shared::<dyn Store>();
    shared::<SqliteStore>();
};

pub use sqlite::{Durability, SCHEMA_VERSION, SqliteError, SqliteStore};

/// Whose data a call reads or writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    /// The one person of a local data directory.
    pub fn local() -> UserId {
        UserId("local".into())
    }

    /// A named user (for multi-user backends, and tests).
    pub fn new(id: impl Into<String>) -> UserId {
        UserId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which end of the log a page starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The first session first, as an export reads the log.
    OldestFirst,
    /// The latest session first, as the history shows it.
    NewestFirst,
}

/// A session about to start.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// Stable id, unique per user.
    pub uid: &'a str,
    /// Start time.
    pub started_at: Stamp,
    /// Player or manual.
    pub source: SessionSource,
    /// The routine to play.
    pub routine: &'a Routine,
    /// Planned seconds.
    pub planned_s: u32,
    /// Pain before, 0-10.
    pub pain_before: Option<u8>,
    /// The player's process id, to tell a running session from an interrupted one.
    pub pid: Option<u32>,
}

/// A session's pain scores, without its routine or steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PainRecord {
    /// When it started.
    pub started_at: Stamp,
    /// Pain before, 0-10, when given.
    pub pain_before: Option<u8>,
    /// Pain after, 0-10, when given.
    pub pain_after: Option<u8>,
    /// Whether soreness had settled by the next morning, once asked.
    pub settled: Option<bool>,
    /// Whether it has ended.
    pub ended: bool,
}

/// How an import went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCount {
    /// Sessions added.
    pub added: usize,
    /// Sessions skipped because their uid was already in the log.
    pub skipped: usize,
}

/// How applying other devices' events went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApplyCount {
    /// Events new to this log, kept and merged into its tables.
    pub applied: usize,
    /// Events already here (by their uid), skipped.
    pub skipped: usize,
}

/// A new event's global id: a UUIDv7 from the instant of its change (never the clock, so a
/// store stays a function of what it is given), its other bits random.
pub fn event_uid(change: &Change) -> String {
    let at = change.at();
    let secs = u64::try_from(at.utc_s).unwrap_or(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, 0)).to_string()
}

/// A new device id (a UUIDv4), made once per log.
pub fn new_device_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What can go wrong with a store, in words that fit every backend. A backend's own
/// errors (SQLite's full disk or read-only folder, a lost database connection) come as
/// [`StoreError::Backend`], their source chain kept, for a front end to give its advice.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No record with this id belongs to the user.
    #[error("no {what} {id} in the log for this user")]
    NotFound {
        /// What kind of record (`session`).
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// Another writer held the log too long.
    #[error(
        "the log at {log} stayed busy (another backstretch is writing a lot at once); try again in a moment"
    )]
    Busy {
        /// Where the log is (a file, a server).
        log: String,
    },
    /// The log's server could not be reached, or cut the connection during the call (it is
    /// restarting, say): the call may be tried again in a moment.
    #[error("the log at {log} cannot be reached for now ({why}); try again in a moment")]
    Unavailable {
        /// Where the log is (a server).
        log: String,
        /// What the connection or the server said.
        why: String,
    },
    /// The log was written by a newer version of backstretch.
    #[error(
        "the log at {log} has schema version {found}, newer than this backstretch understands ({known}); upgrade backstretch to use it"
    )]
    TooNew {
        /// Where the log is.
        log: String,
        /// The log's schema version.
        found: u32,
        /// The newest this build knows.
        known: u32,
    },
    /// A stored value could not be read back.
    #[error("the log at {log} holds a damaged {what}: {detail}")]
    Corrupt {
        /// Where the log is.
        log: String,
        /// Which kind of record.
        what: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// A name or key that must be unique is already taken.
    #[error("{what} is already taken")]
    Taken {
        /// What, in words (`the name "ann"`).
        what: String,
    },
    /// An event has the place of another in its device's series: that device's log and
    /// this one have diverged (it was restored from an old copy); it must take a new id.
    #[error(
        "event {idx} of device {device} is already another event here: the device's log has diverged from this one"
    )]
    Diverged {
        /// The device.
        device: String,
        /// The place in its series.
        idx: u64,
    },
    /// Events were given with a gap in a device's series.
    #[error("events of device {device} skip from {after} to {found}: the ones between are missing")]
    Gap {
        /// The device.
        device: String,
        /// The last event of its series here.
        after: u64,
        /// The event given next.
        found: u64,
    },
    /// The backend failed; its own error says how.
    #[error(transparent)]
    Backend(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl StoreError {
    /// No session with this id belongs to the user.
    pub fn no_session(id: SessionId) -> StoreError {
        StoreError::NotFound {
            what: "session",
            id: id.0.to_string(),
        }
    }
}

/// The log: profile, acknowledgements, red-flag checks and sessions, each scoped by a user.
///
/// Writes commit before they return, so a crash loses at most the call in progress.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The saved profile, if any.
    fn profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError>;
    /// Saves the profile, replacing the old one.
    fn set_profile(&self, user: &UserId, profile: &Profile, at: Stamp) -> Result<(), StoreError>;

    /// The latest disclaimer version accepted, if any.
    fn disclaimer_version(&self, user: &UserId) -> Result<Option<u32>, StoreError>;
    /// Records that the disclaimer of `version` was accepted.
    fn accept_disclaimer(&self, user: &UserId, version: u32, at: Stamp) -> Result<(), StoreError>;

    /// Records a red-flag check.
    fn add_screening(&self, user: &UserId, s: &Screening) -> Result<(), StoreError>;
    /// The latest red-flag check, if any.
    fn last_screening(&self, user: &UserId) -> Result<Option<Screening>, StoreError>;

    /// Starts a session and returns its id.
    fn begin_session(&self, user: &UserId, s: &NewSession<'_>) -> Result<SessionId, StoreError>;
    /// Writes one finished step (and moves the heartbeat), committed at once.
    fn log_step(&self, user: &UserId, id: SessionId, step: &StepRecord) -> Result<(), StoreError>;
    /// Writes finished steps (of one or more sessions) in one commit, each sent as report
    /// number `report` of its session (a player's own count, from 0) and written unless that
    /// report is already logged, so a retry never duplicates a step (true: written now).
    /// Steps that arrive together cost one write to disk; each succeeds or fails on its own
    /// (a step of an unknown session changes nothing), and the whole is durable when this
    /// returns.
    fn log_steps_once(
        &self,
        user: &UserId,
        steps: &[(SessionId, u32, &StepRecord)],
    ) -> Result<Vec<Result<bool, StoreError>>, StoreError>;
    /// One session, if it is this user's.
    fn session(&self, user: &UserId, id: SessionId) -> Result<Option<SessionRecord>, StoreError>;
    /// Records that a session's player is still running.
    fn heartbeat(&self, user: &UserId, id: SessionId, at: Stamp) -> Result<(), StoreError>;
    /// Ends a session, with the pain after.
    fn finish_session(
        &self,
        user: &UserId,
        id: SessionId,
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<(), StoreError>;
    /// Records a whole session at once (done without the player), all or nothing.
    fn record_session(
        &self,
        user: &UserId,
        s: &NewSession<'_>,
        steps: &[StepRecord],
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<SessionId, StoreError>;

    /// Every session with its steps, newest first (by the instant it started).
    fn sessions(&self, user: &UserId) -> Result<Vec<LoggedSession>, StoreError>;
    /// What statistics need of every session, newest first: its start, pain scores and what
    /// its steps came to, read from one row a session (never the steps or the routine).
    fn session_facts(&self, user: &UserId) -> Result<Vec<SessionFact>, StoreError>;
    /// The sessions started at `since` or later, with their steps, newest first: what a plan
    /// or a day's page reads, whatever the length of the log.
    fn sessions_since(&self, user: &UserId, since: Stamp)
    -> Result<Vec<LoggedSession>, StoreError>;
    /// Up to `limit` sessions with their steps in `order`, starting just past `from` (a
    /// session's start and id, as the last page ended) or at the first (or the newest): the
    /// log read a page at a time, in bounded memory.
    fn sessions_page(
        &self,
        user: &UserId,
        from: Option<(Stamp, SessionId)>,
        limit: usize,
        order: Order,
    ) -> Result<Vec<LoggedSession>, StoreError>;
    /// One session's steps, in the order they were logged.
    fn steps(&self, user: &UserId, id: SessionId) -> Result<Vec<StepRecord>, StoreError>;
    /// The newest session that never ended, if any.
    fn last_unfinished(&self, user: &UserId) -> Result<Option<SessionRecord>, StoreError>;
    /// Adds sessions from an export, all or nothing, skipping any whose uid is already here.
    fn import(&self, user: &UserId, sessions: &[LoggedSession]) -> Result<ImportCount, StoreError> {
        self.import_each(user, &mut sessions.iter().cloned().map(Ok))
    }
    /// Adds sessions as they come (a long file is never held whole), all or nothing,
    /// skipping any whose uid is already here; an error among them undoes the import.
    fn import_each(
        &self,
        user: &UserId,
        sessions: &mut dyn Iterator<Item = Result<LoggedSession, StoreError>>,
    ) -> Result<ImportCount, StoreError>;
    /// The newest session that ended with a pain score before and after (what the flare
    /// rules and the next morning's question look at).
    fn last_rated(&self, user: &UserId) -> Result<Option<SessionRecord>, StoreError>;
    /// Every session's pain scores (from `since` on, when given), oldest first: what the
    /// flare rules and the pain trend read, without routines or steps.
    fn pain_history(
        &self,
        user: &UserId,
        since: Option<Stamp>,
    ) -> Result<Vec<PainRecord>, StoreError>;
    /// Up to `limit` of the pain-before scores given, from the oldest session on or from the
    /// newest back: the ends of the pain trend, however long the log.
    fn pain_befores(
        &self,
        user: &UserId,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<u8>, StoreError>;
    /// Every exercise logged as hurt in a session started at `since` or later, once per
    /// session, oldest first.
    fn hurts(&self, user: &UserId, since: Stamp) -> Result<Vec<Hurt>, StoreError>;
    /// Records whether a session's soreness had settled by the next morning, as answered at
    /// `at` (the latest answer wins, on every device).
    fn set_settled(
        &self,
        user: &UserId,
        id: SessionId,
        settled: bool,
        at: Stamp,
    ) -> Result<(), StoreError>;
    /// Records that a clinician has checked a warning sign and cleared the person to exercise
    /// (recorded by the person, or by the clinician through the clinic).
    fn add_clearance(&self, user: &UserId, clearance: &Clearance) -> Result<(), StoreError>;
    /// Every clearance, oldest first.
    fn clearances(&self, user: &UserId) -> Result<Vec<Clearance>, StoreError>;
    /// Keeps a clinician's prescription (once by its id).
    fn add_prescription(&self, user: &UserId, p: &Prescription) -> Result<(), StoreError>;
    /// Every prescription, oldest first (by when it was made, then its id): the last is the
    /// one in force.
    fn prescriptions(&self, user: &UserId) -> Result<Vec<Prescription>, StoreError>;
    /// Keeps a message of the person's thread with their clinicians (once by its uid).
    fn add_message(&self, user: &UserId, m: &Message) -> Result<(), StoreError>;
    /// The whole thread, oldest first (by when, then uid).
    fn messages(&self, user: &UserId) -> Result<Vec<Message>, StoreError>;
    /// When the profile was last saved.
    fn profile_saved_at(&self, user: &UserId) -> Result<Option<Stamp>, StoreError>;
    /// Every printed sheet: its code, its routine and when it was printed, oldest first.
    fn sheets(&self, user: &UserId) -> Result<Vec<(RoutineCode, Routine, Stamp)>, StoreError>;

    /// Keeps a routine printed on a sheet under its code (the same code again keeps the
    /// first, since the code names the same routine).
    fn save_sheet(
        &self,
        user: &UserId,
        code: RoutineCode,
        routine: &Routine,
        at: Stamp,
    ) -> Result<(), StoreError>;
    /// The routine printed under a code, if this user printed one.
    fn sheet(&self, user: &UserId, code: RoutineCode) -> Result<Option<Routine>, StoreError>;

    /// Keeps a function measure (PSFS) record (once by its uid).
    fn add_function(&self, user: &UserId, r: &FunctionRecord) -> Result<(), StoreError>;
    /// Every function measure record, oldest first (by when, then uid).
    fn functions(&self, user: &UserId) -> Result<Vec<FunctionRecord>, StoreError>;

    /// This log's device id: every write appends its event to this device's series.
    fn device(&self) -> Result<String, StoreError>;
    /// Up to `limit` events of a device's series (this one's, or another's applied here),
    /// in order, from just past `after_idx`.
    fn events(
        &self,
        user: &UserId,
        device: &str,
        after_idx: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError>;
    /// The last index of every device's series this log holds for the user.
    fn event_heads(&self, user: &UserId) -> Result<Vec<(String, u64)>, StoreError>;
    /// Applies other devices' events in one transaction: each is kept under its own device,
    /// index and uid (one already here is skipped; another event in its place is
    /// [`StoreError::Diverged`]; a gap in a series is [`StoreError::Gap`]) and merged into
    /// the tables by rules that make applying commutative and idempotent: a session once by
    /// uid, a step once by (session, report) or moment, other records once by event; the
    /// profile and the settled answer by the latest instant, then device; the disclaimer by
    /// the highest version; a sheet's time the earliest. A change to a session not here yet
    /// waits in the outbox and is merged when the session comes.
    fn apply(&self, user: &UserId, events: &[Event]) -> Result<ApplyCount, StoreError>;
    /// This log takes a new device id, as a device must when its series has diverged from
    /// the server's (it was restored from an older copy), and returns it. In one
    /// transaction: the user's events of the old id after `keep` (those the server does not
    /// hold) move to the new id, numbered from 1 in order with their uids and changes
    /// unchanged; the first `keep` stay under the old id, as another device's series; and
    /// the profile and settled answers those moved events wrote name the new id, so the last
    /// writer wins the same everywhere. The log reads back the same. Other users' events of
    /// the old id stay under it. (On PostgreSQL a log being renamed must not be written to at
    /// the same time: a server's database never renames.)
    fn rename_device(&self, user: &UserId, keep: u64) -> Result<String, StoreError>;

    /// A value that changes whenever anything in the store has changed, by this handle or
    /// another (so what was computed from the store may be reused while it stays the same);
    /// `None` when the backend cannot tell.
    fn change_marker(&self) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }
}
