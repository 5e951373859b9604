//! The PostgreSQL backend of backstretch's [`Store`]: many people's logs in one database,
//! every row keyed by its user, for a server that outgrows one SQLite file (or several
//! servers sharing one database).
//!
//! [`PostgresStore::connect`] applies the embedded, append-only migrations (`migrations/`,
//! recorded in `schema_migrations`) under an advisory lock, so servers starting together
//! migrate once, and refuses a database that a newer backstretch has migrated. Each call
//! takes a connection from a small pool (`r2d2`); each write runs in one transaction. The
//! client is the synchronous `postgres` crate, since the trait is synchronous and front ends
//! already call it off their async workers.
//!
//! The `test-support` feature adds `testing`: a throwaway PostgreSQL cluster for tests.

mod accounts;
mod cached;
mod care;
mod clinic;
mod events;
mod function;
mod migrate;
mod profile;
mod safety;
mod sessions;
#[cfg(feature = "test-support")]
pub mod testing;

use std::time::Duration;

use backstretch_core::care::{Message, Prescription};
use backstretch_core::code::RoutineCode;
use backstretch_core::event::{Change, Event, local_instant};
use backstretch_core::exchange::Clearance;
use backstretch_core::function::FunctionRecord;
use backstretch_core::profile::Profile;
use backstretch_core::routine::Routine;
use backstretch_core::safety::{Hurt, Screening};
use backstretch_core::session::{Ending, LoggedSession, SessionId, SessionRecord, StepRecord};
use backstretch_core::stats::SessionFact;
use backstretch_core::time::Stamp;
use backstretch_store::{
    ApplyCount, ImportCount, NewSession, Order, PainRecord, Store, StoreError, UserId,
};
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::{Client, Config, GenericClient, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;

pub use migrate::SCHEMA_VERSION;

/// A store is shared between threads (a server's requests).
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<PostgresStore>();
};

/// Connections a store keeps at most, unless told otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 8;

/// How long a statement waits for a row another call holds before the call fails as busy
/// (SQLite's busy timeout is the same).
const LOCK_TIMEOUT: &str = "5s";

/// How long a call waits for a free connection.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);

type Pool = r2d2::Pool<cached::Manager>;

/// The logs in a PostgreSQL database, behind a pool of connections.
#[derive(Debug)]
pub struct PostgresStore {
    pool: Pool,
    /// Where the log is, for messages: the server and database, never a password.
    log: String,
}

/// What the PostgreSQL backend can say beyond the neutral [`StoreError`]s. It reaches front
/// ends as [`StoreError::Backend`], with its source chain.
#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    /// The connection text could not be read.
    #[error("cannot read the database address: {source}")]
    Address {
        /// What the parser said.
        #[source]
        source: postgres::Error,
    },
    /// The server refused a statement, or the connection failed.
    #[error("cannot use the log in {log}: {}", said(source))]
    Postgres {
        /// Where the log is.
        log: String,
        /// What PostgreSQL (or the connection) said.
        #[source]
        source: postgres::Error,
    },
    /// No connection could be had from the pool.
    #[error("cannot reach the log in {log}: {source}")]
    Pool {
        /// Where the log is.
        log: String,
        /// What the pool said.
        #[source]
        source: r2d2::Error,
    },
    /// The database holds another program's tables, or another history of migrations.
    #[error("{log} is not a backstretch log: {why}")]
    Foreign {
        /// Where the log is.
        log: String,
        /// What gives it away.
        why: String,
    },
}

impl From<PostgresError> for StoreError {
    fn from(e: PostgresError) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

/// What PostgreSQL said: its message and code for an error the server sent (the client's
/// own `Display` says only "db error" then), or else the client's error.
pub(crate) fn said(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let detail = db.detail().map_or(String::new(), |d| format!(" ({d})"));
            format!("{}{detail} [{}]", db.message(), db.code().code())
        }
        None => e.to_string(),
    }
}

/// A PostgreSQL error in the neutral words: waiting too long for a lock, a deadlock or a
/// serialization failure is busy (try again); a connection lost or refused, or a server
/// shutting down or starting up, is unavailable (try again in a moment); anything else is
/// the backend's, kept whole.
fn classify(log: &str, source: postgres::Error) -> StoreError {
    let busy = [
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::T_R_SERIALIZATION_FAILURE,
    ];
    match source.code() {
        Some(code) if busy.contains(code) => StoreError::Busy { log: log.into() },
        _ if unreachable(&source) => StoreError::Unavailable {
            log: log.into(),
            why: said(&source),
        },
        _ => PostgresError::Postgres {
            log: log.into(),
            source,
        }
        .into(),
    }
}

/// Whether PostgreSQL went away or cannot be reached: it cut the connection (a restart, an
/// administrator: `57P01` and its kin), is starting up (`57P03`), or the connection failed
/// (class `08`, or the socket's own error). Each passes with a restart: tried again in a
/// moment, the call gets a new connection from the pool.
fn unreachable(e: &postgres::Error) -> bool {
    use std::io::ErrorKind as Io;
    let gone = [
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
    ];
    if let Some(code) = e.code() {
        return gone.contains(code) || code.code().starts_with("08");
    }
    let io = std::error::Error::source(e).and_then(|s| s.downcast_ref::<std::io::Error>());
    e.is_closed()
        || io.is_some_and(|io| {
            matches!(
                io.kind(),
                Io::NotFound
                    | Io::ConnectionRefused
                    | Io::ConnectionReset
                    | Io::ConnectionAborted
                    | Io::NotConnected
                    | Io::BrokenPipe
                    | Io::UnexpectedEof
                    | Io::TimedOut
                    | Io::HostUnreachable
                    | Io::NetworkUnreachable
                    | Io::NetworkDown
            )
        })
}

/// Where a configuration points, for messages: `postgresql://user@host:port/dbname`, or the
/// socket folder for a Unix socket. Never the password.
pub fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = config.get_ports().get(i).or(config.get_ports().first());
            let port = port.map_or(String::new(), |p| format!(":{p}"));
            match h {
                Host::Tcp(name) => format!("{name}{port}"),
                Host::Unix(dir) => format!("{}{port}", dir.display()),
            }
        })
        .collect();
    let user = config.get_user().map_or(String::new(), |u| format!("{u}@"));
    let db = config.get_dbname().or(config.get_user()).unwrap_or("");
    format!("postgresql://{user}{}/{db}", hosts.join(","))
}

/// A stamp from its two columns.
fn stamp(utc_s: i64, offset_s: i32) -> Stamp {
    Stamp { utc_s, offset_s }
}

/// One call's connection (a client, or a transaction on it) and the log's name for errors:
/// what every query of the backend's modules works on.
pub(crate) struct Db<'a, C> {
    c: cached::Cached<'a, C>,
    log: &'a str,
}

impl<C: GenericClient> Db<'_, C> {
    fn err(&self, source: postgres::Error) -> StoreError {
        classify(self.log, source)
    }

    fn corrupt(&self, what: &'static str, detail: &dyn std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            log: self.log.into(),
            what,
            detail: detail.to_string(),
        }
    }

    /// A stored count (a `bigint` holding a `u32`) as the count it was.
    fn count(&self, what: &'static str, v: i64) -> Result<u32, StoreError> {
        u32::try_from(v).map_err(|_| self.corrupt(what, &format!("{v} is out of range")))
    }
}

impl PostgresStore {
    /// Connects to the database at `address` (a `postgresql://` URL, or `key=value` words as
    /// libpq takes them) with a pool of [`DEFAULT_POOL_SIZE`] connections, and brings its
    /// schema up to date.
    pub fn connect(address: &str) -> Result<PostgresStore, StoreError> {
        let config: Config = address
            .parse()
            .map_err(|source| PostgresError::Address { source })?;
        PostgresStore::connect_with(config, DEFAULT_POOL_SIZE)
    }

    /// [`PostgresStore::connect`] with a configuration and a pool size of its own.
    pub fn connect_with(mut config: Config, pool_size: u32) -> Result<PostgresStore, StoreError> {
        let log = describe(&config);
        if config.get_application_name().is_none() {
            config.application_name("backstretch");
        }
        // The caller's own options come after, so theirs win.
        let options = format!(
            "-c lock_timeout={LOCK_TIMEOUT} {}",
            config.get_options().unwrap_or("")
        );
        config.options(options.trim_end());
        // Migrations run on a connection of their own, so a bad address or a missing
        // database is reported as PostgreSQL said it, at once.
        let mut client = config
            .connect(NoTls)
            .map_err(|source| PostgresError::Postgres {
                log: log.clone(),
                source,
            })?;
        migrate::migrate(&mut client, &log)?;
        drop(client);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(CHECKOUT_TIMEOUT)
            .build(cached::Manager(PostgresConnectionManager::new(
                config, NoTls,
            )))
            .map_err(|source| PostgresError::Pool {
                log: log.clone(),
                source,
            })?;
        Ok(PostgresStore { pool, log })
    }

    /// Where the log is: the server and the database (never a password).
    pub fn log(&self) -> &str {
        &self.log
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.read(|db| migrate::version(db.c.parts().0, db.log))
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<cached::Manager>, StoreError> {
        self.pool.get().map_err(|source| {
            let state = self.pool.state();
            if state.idle_connections == 0 && state.connections >= self.pool.max_size() {
                // Every connection was in use the whole time: the log is busy, not broken.
                StoreError::Busy {
                    log: self.log.clone(),
                }
            } else {
                // No connection could be made the whole time (PostgreSQL is down, or still
                // starting again): the pool keeps trying, so a later call may get one.
                StoreError::Unavailable {
                    log: self.log.clone(),
                    why: source.to_string(),
                }
            }
        })
    }

    /// Runs one call that only reads, on a pooled connection.
    fn read<T>(
        &self,
        f: impl FnOnce(&mut Db<'_, Client>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        let (client, statements) = conn.parts();
        f(&mut Db {
            c: cached::Cached::new(client, statements),
            log: &self.log,
        })
    }

    /// Runs one call that writes, in one transaction on a pooled connection: committed when
    /// it returns, rolled back when it fails.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut Db<'_, Transaction<'_>>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        let (client, statements) = conn.parts();
        let mut tx = client.transaction().map_err(|e| classify(&self.log, e))?;
        let out = f(&mut Db {
            c: cached::Cached::new(&mut tx, statements),
            log: &self.log,
        })?;
        tx.commit().map_err(|e| classify(&self.log, e))?;
        Ok(out)
    }
}

/// The writes of the trait, each with its event, inside the caller's transaction.
impl Db<'_, Transaction<'_>> {
    fn begin_session(
        &mut self,
        user: &UserId,
        s: &NewSession<'_>,
    ) -> Result<SessionId, StoreError> {
        let id = self.insert_session(user, s)?;
        let change = Change::SessionStarted {
            uid: s.uid.to_string(),
            started_at: s.started_at,
            source: s.source,
            routine: s.routine.clone(),
            planned_s: s.planned_s,
            pain_before: s.pain_before,
        };
        self.append(user, change)?;
        Ok(id)
    }

    fn log_step(
        &mut self,
        user: &UserId,
        id: SessionId,
        step: &StepRecord,
    ) -> Result<(), StoreError> {
        if self.insert_step(user, id, step)? {
            let change = Change::StepLogged {
                session: self.session_uid(user, id)?,
                report: None,
                step: step.clone(),
            };
            self.append(user, change)?;
        }
        Ok(())
    }

    fn finish_session(
        &mut self,
        user: &UserId,
        id: SessionId,
        (ended_at, pain_after, ending): (Stamp, Option<u8>, Ending),
    ) -> Result<(), StoreError> {
        self.end_session(user, id, ended_at, pain_after, ending)?;
        let change = Change::SessionFinished {
            uid: self.session_uid(user, id)?,
            ended_at,
            pain_after,
            ending,
        };
        self.append(user, change)
    }

    fn record_session(
        &mut self,
        user: &UserId,
        s: &NewSession<'_>,
        steps: &[StepRecord],
        (ended_at, pain_after, ending): (Stamp, Option<u8>, Ending),
    ) -> Result<SessionId, StoreError> {
        let id = self.insert_session(user, s)?;
        for st in steps {
            self.insert_step(user, id, st)?;
        }
        self.end_session(user, id, ended_at, pain_after, ending)?;
        let change = self.whole(user, id)?;
        self.append(user, change)?;
        Ok(id)
    }

    fn set_settled(
        &mut self,
        user: &UserId,
        id: SessionId,
        settled: bool,
        at: Stamp,
    ) -> Result<(), StoreError> {
        let uid = self.session_uid(user, id)?;
        let device = self.device_id()?;
        let held = self.settled_writer(user, &uid)?;
        let at = local_instant(at, &device, held.as_ref().map(|(t, d)| (*t, d.as_str())));
        self.settle(user, &uid, settled, (at, &device))?;
        self.append(user, Change::Settled { uid, settled, at })
    }
}

impl Store for PostgresStore {
    fn profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        self.read(|db| db.read_profile(user))
    }
    fn set_profile(&self, user: &UserId, profile: &Profile, at: Stamp) -> Result<(), StoreError> {
        self.write(|db| {
            let device = db.device_id()?;
            let held = db.read_profile_writer(user)?;
            let at = local_instant(at, &device, held.as_ref().map(|(t, d)| (*t, d.as_str())));
            db.write_profile(user, profile, at, &device)?;
            let change = Change::ProfileSet {
                profile: profile.clone(),
                at,
            };
            db.append(user, change)
        })
    }
    fn disclaimer_version(&self, user: &UserId) -> Result<Option<u32>, StoreError> {
        self.read(|db| db.read_disclaimer(user))
    }
    fn accept_disclaimer(&self, user: &UserId, version: u32, at: Stamp) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_disclaimer(user, version, at)?;
            db.append(user, Change::DisclaimerAccepted { version, at })
        })
    }
    fn add_screening(&self, user: &UserId, s: &Screening) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_screening(user, s)?;
            let change = Change::Screening {
                screening: s.clone(),
            };
            db.append(user, change)
        })
    }
    fn last_screening(&self, user: &UserId) -> Result<Option<Screening>, StoreError> {
        self.read(|db| db.read_last_screening(user))
    }
    fn begin_session(&self, user: &UserId, s: &NewSession<'_>) -> Result<SessionId, StoreError> {
        self.write(|db| db.begin_session(user, s))
    }
    fn log_step(&self, user: &UserId, id: SessionId, step: &StepRecord) -> Result<(), StoreError> {
        self.write(|db| db.log_step(user, id, step))
    }
    fn log_steps_once(
        &self,
        user: &UserId,
        steps: &[(SessionId, u32, &StepRecord)],
    ) -> Result<Vec<Result<bool, StoreError>>, StoreError> {
        self.write(|db| db.log_steps_once(user, steps))
    }
    fn session(&self, user: &UserId, id: SessionId) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|db| db.one_session(user, id))
    }
    fn heartbeat(&self, user: &UserId, id: SessionId, at: Stamp) -> Result<(), StoreError> {
        self.write(|db| db.set_heartbeat(user, id, at))
    }
    fn finish_session(
        &self,
        user: &UserId,
        id: SessionId,
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<(), StoreError> {
        self.write(|db| db.finish_session(user, id, (ended_at, pain_after, ending)))
    }
    fn record_session(
        &self,
        user: &UserId,
        s: &NewSession<'_>,
        steps: &[StepRecord],
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<SessionId, StoreError> {
        self.write(|db| db.record_session(user, s, steps, (ended_at, pain_after, ending)))
    }
    fn sessions(&self, user: &UserId) -> Result<Vec<LoggedSession>, StoreError> {
        self.read(|db| db.sessions_from(user, None))
    }
    fn sessions_since(
        &self,
        user: &UserId,
        since: Stamp,
    ) -> Result<Vec<LoggedSession>, StoreError> {
        self.read(|db| db.sessions_from(user, Some(since)))
    }
    fn sessions_page(
        &self,
        user: &UserId,
        from: Option<(Stamp, SessionId)>,
        limit: usize,
        order: Order,
    ) -> Result<Vec<LoggedSession>, StoreError> {
        self.read(|db| db.sessions_page(user, from, limit, order))
    }
    fn session_facts(&self, user: &UserId) -> Result<Vec<SessionFact>, StoreError> {
        self.read(|db| db.session_facts(user))
    }
    fn steps(&self, user: &UserId, id: SessionId) -> Result<Vec<StepRecord>, StoreError> {
        self.read(|db| db.session_steps(user, id))
    }
    fn last_unfinished(&self, user: &UserId) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|db| db.newest_unfinished(user))
    }
    fn import_each(
        &self,
        user: &UserId,
        sessions: &mut dyn Iterator<Item = Result<LoggedSession, StoreError>>,
    ) -> Result<ImportCount, StoreError> {
        self.write(|db| db.import_sessions(user, sessions))
    }
    fn last_rated(&self, user: &UserId) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|db| db.newest_rated(user))
    }
    fn pain_history(
        &self,
        user: &UserId,
        since: Option<Stamp>,
    ) -> Result<Vec<PainRecord>, StoreError> {
        self.read(|db| db.pain_history(user, since))
    }
    fn pain_befores(
        &self,
        user: &UserId,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<u8>, StoreError> {
        self.read(|db| db.pain_befores(user, newest_first, limit))
    }
    fn hurts(&self, user: &UserId, since: Stamp) -> Result<Vec<Hurt>, StoreError> {
        self.read(|db| db.read_hurts(user, since))
    }
    fn set_settled(
        &self,
        user: &UserId,
        id: SessionId,
        settled: bool,
        at: Stamp,
    ) -> Result<(), StoreError> {
        self.write(|db| db.set_settled(user, id, settled, at))
    }
    fn add_clearance(&self, user: &UserId, c: &Clearance) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_clearance(user, c)?;
            let change = Change::Clearance {
                sign: c.sign.clone(),
                at: c.at,
                by: c.by.clone(),
            };
            db.append(user, change)
        })
    }
    fn clearances(&self, user: &UserId) -> Result<Vec<Clearance>, StoreError> {
        self.read(|db| db.read_clearances(user))
    }
    fn add_prescription(&self, user: &UserId, p: &Prescription) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_prescription(user, p)?;
            let change = Change::Prescribed {
                prescription: p.clone(),
            };
            db.append(user, change)
        })
    }
    fn prescriptions(&self, user: &UserId) -> Result<Vec<Prescription>, StoreError> {
        self.read(|db| db.read_prescriptions(user))
    }
    fn add_message(&self, user: &UserId, m: &Message) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_message(user, m)?;
            let change = Change::Message { message: m.clone() };
            db.append(user, change)
        })
    }
    fn messages(&self, user: &UserId) -> Result<Vec<Message>, StoreError> {
        self.read(|db| db.read_messages(user))
    }
    fn add_function(&self, user: &UserId, r: &FunctionRecord) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_function(user, r)?;
            let change = Change::FunctionRecorded { record: r.clone() };
            db.append(user, change)
        })
    }
    fn functions(&self, user: &UserId) -> Result<Vec<FunctionRecord>, StoreError> {
        self.read(|db| db.read_functions(user))
    }
    fn profile_saved_at(&self, user: &UserId) -> Result<Option<Stamp>, StoreError> {
        self.read(|db| db.read_profile_saved_at(user))
    }
    fn sheets(&self, user: &UserId) -> Result<Vec<(RoutineCode, Routine, Stamp)>, StoreError> {
        self.read(|db| db.read_sheets(user))
    }
    fn save_sheet(
        &self,
        user: &UserId,
        code: RoutineCode,
        routine: &Routine,
        at: Stamp,
    ) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_sheet(user, code, routine, at)?;
            let change = Change::SheetSaved {
                code,
                routine: routine.clone(),
                at,
            };
            db.append(user, change)
        })
    }
    fn sheet(&self, user: &UserId, code: RoutineCode) -> Result<Option<Routine>, StoreError> {
        self.read(|db| db.read_sheet(user, code))
    }
    fn device(&self) -> Result<String, StoreError> {
        #[allow(
            clippy::redundant_closure_for_method_calls,
            reason = "the method is not general over the connection's lifetime"
        )]
        self.read(|db| db.device_id())
    }
    fn events(
        &self,
        user: &UserId,
        device: &str,
        after_idx: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        self.read(|db| db.read_events(user, device, after_idx, limit))
    }
    fn event_heads(&self, user: &UserId) -> Result<Vec<(String, u64)>, StoreError> {
        self.read(|db| db.read_heads(user))
    }
    fn apply(&self, user: &UserId, events: &[Event]) -> Result<ApplyCount, StoreError> {
        self.write(|db| db.apply_events(user, events))
    }
    fn rename_device(&self, user: &UserId, keep: u64) -> Result<String, StoreError> {
        self.write(|db| db.rename_device(user, keep))
    }
    /// None: PostgreSQL has no cheap marker that moves with this database's writes alone.
    /// The current snapshot (`pg_current_snapshot()`) changes whenever any transaction that
    /// wrote commits, so it would be correct, but it is cluster-wide: every other user's
    /// write, in any database of the server, would move it, which makes it worthless as a
    /// cache key on a shared server. A counter row bumped by every write would serialize all
    /// users' writes on one row.
    fn change_marker(&self) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }
}
