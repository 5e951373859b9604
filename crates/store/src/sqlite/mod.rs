//! The SQLite backend: one file, opened in WAL mode with foreign keys on and a busy
//! timeout, so a player and another command (or the web server) can use it at once.
//! Migrations are embedded and append-only ([`migrate`]); a file written by a newer
//! backstretch is refused, never rewritten.

mod accounts;
mod care;
mod clinic;
mod events;
mod function;
mod migrate;
mod profile;
mod safety;
mod sessions;
mod sheets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
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
use rusqlite::Connection;

pub use migrate::SCHEMA_VERSION;

use crate::{ApplyCount, ImportCount, NewSession, Order, PainRecord, Store, StoreError, UserId};

/// The log in one SQLite file. One connection writes, behind a lock, so that one store can
/// serve several threads (the web server's workers), each call holding it for its own
/// transaction; a file has a second connection that reads (WAL lets a reader go on while a
/// write waits for the disk), so a page never waits for another's commit.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// The reading connection; none in memory, where the one connection reads too.
    reader: Option<Mutex<Connection>>,
    path: PathBuf,
}

/// The open connection and its file, for the length of one call: what every query of the
/// backend's modules works on.
pub(super) struct Db<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

/// What the SQLite backend can say about its file: the advice a person can act on (a full
/// disk, a read-only folder, another program's file), or else what SQLite said. It reaches
/// front ends as [`StoreError::Backend`], with its source chain.
#[derive(Debug, thiserror::Error)]
pub enum SqliteError {
    /// The database could not be opened or used.
    #[error("cannot use the log at {}: {source}", .path.display())]
    Sqlite {
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The file is not a backstretch log.
    #[error("{} is not a backstretch log: {why}", .path.display())]
    Foreign {
        path: PathBuf,
        /// What gives it away.
        why: String,
    },
    /// The disk is full.
    #[error(
        "the disk holding {} is full, so nothing could be saved; free some space and try again (what was saved before is safe)",
        .path.display()
    )]
    DiskFull { path: PathBuf },
    /// The log cannot be written.
    #[error(
        "cannot write to {}: the folder or the log is read-only; make it writable by you",
        .dir.display()
    )]
    ReadOnly {
        /// The data directory.
        dir: PathBuf,
    },
}

impl From<SqliteError> for StoreError {
    fn from(e: SqliteError) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

/// How surely a commit is on disk when it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous = FULL`: every commit survives a power cut.
    Full,
    /// `synchronous = NORMAL`: the last commits may be lost in a power cut (WAL).
    Normal,
}

/// Creates the file empty and private (0600) if it does not exist yet, so SQLite opens a file
/// no one else can read. A failure here is left to SQLite's own open to report.
fn create_private(path: &Path) {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let _ = o.open(path);
}

/// An SQLite error as the person can act on it: a full disk, a read-only folder, a busy
/// file, or else what SQLite said.
fn classify(path: &Path, source: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let dir = || path.parent().unwrap_or(path).to_path_buf();
    let path = path.to_path_buf();
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
            log: path.display().to_string(),
        },
        Some(ErrorCode::DiskFull) => SqliteError::DiskFull { path }.into(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
            if !writable(&dir()) || !writable(&path) =>
        {
            SqliteError::ReadOnly { dir: dir() }.into()
        }
        Some(ErrorCode::NotADatabase) => SqliteError::Foreign {
            path,
            why: "it is not an SQLite database".into(),
        }
        .into(),
        _ => SqliteError::Sqlite { path, source }.into(),
    }
}

/// Whether this process may write to a file or folder (false when it cannot tell).
fn writable(p: &Path) -> bool {
    match std::fs::metadata(p) {
        Ok(m) if m.permissions().readonly() => false,
        Ok(m) if m.is_dir() => {
            let probe = p.join(format!(".backstretch-probe-{}", std::process::id()));
            let ok = std::fs::File::create(&probe).is_ok();
            let _ = std::fs::remove_file(&probe);
            ok
        }
        Ok(_) => std::fs::OpenOptions::new().append(true).open(p).is_ok(),
        Err(_) => true,
    }
}

/// A stamp from its two columns.
fn stamp(utc_s: i64, offset_s: i32) -> Stamp {
    Stamp { utc_s, offset_s }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// A new file is created readable and writable by its owner alone (0600), whatever the
    /// umask; SQLite gives its WAL and shared-memory files the same permissions.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, Durability::Full)
    }

    /// [`SqliteStore::open`] with a chosen durability (the benchmark compares them; the
    /// program always uses [`Durability::Full`]).
    pub fn open_with(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        create_private(path);
        // Switching a new file to WAL, or a migration racing another process's, can be
        // refused at once with "busy" (SQLite does not wait where waiting could deadlock);
        // such an open is simply tried again, for up to about ten seconds.
        let mut tries = 0;
        let store = loop {
            let conn = Connection::open(path).map_err(|source| classify(path, source))?;
            match SqliteStore::init(conn, path.to_path_buf()) {
                Err(StoreError::Busy { .. }) if tries < 200 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => break other?,
            }
        };
        let mut store = store;
        // Opened once the schema is up to date; it only ever reads what was committed.
        let reader = Connection::open(path).map_err(|source| classify(path, source))?;
        reader
            .busy_timeout(Duration::from_secs(5))
            .map_err(|source| classify(path, source))?;
        store.reader = Some(Mutex::new(reader));
        if durability == Durability::Normal {
            store.with(|db| {
                db.conn
                    .execute_batch("PRAGMA synchronous = NORMAL;")
                    .map_err(|e| db.err(e))
            })?;
        }
        Ok(store)
    }

    /// Opens the log at `path` to read only: nothing is created or migrated, and a write
    /// fails with [`SqliteError::ReadOnly`]. For a log whose folder or file this user cannot
    /// write (a backup copy on read-only media), so it can still be read and exported.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let encoded: String = path
            .display()
            .to_string()
            .chars()
            .map(|c| match c {
                '%' | '?' | '#' => format!("%{:02X}", u32::from(c)),
                c => c.to_string(),
            })
            .collect();
        let try_open = |query: &str| -> rusqlite::Result<Connection> {
            let c = Connection::open_with_flags(format!("file:{encoded}?{query}"), flags)?;
            c.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
            Ok(c)
        };
        // `mode=ro` needs the shared-memory file of a WAL log, which SQLite cannot make in a
        // read-only folder; `immutable` then reads the file as it is.
        let conn = try_open("mode=ro")
            .or_else(|_| try_open("immutable=1"))
            .map_err(|source| classify(path, source))?;
        let db = Db { conn: &conn, path };
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| db.err(e))?;
        let found = db.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                log: path.display().to_string(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        if found < SCHEMA_VERSION {
            // Bringing it up to date would write.
            return Err(SqliteError::ReadOnly {
                dir: path.parent().unwrap_or(path).to_path_buf(),
            }
            .into());
        }
        db.check_not_foreign(found)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            reader: None,
            path: path.to_path_buf(),
        })
    }

    /// Copies the whole log, consistent as of one moment, into a new file at `out` (SQLite's
    /// `VACUUM INTO`: online, while others read and write), readable by its owner alone.
    pub fn backup_to(&self, out: &Path) -> Result<(), StoreError> {
        let text = out
            .to_str()
            .ok_or_else(|| StoreError::Backend("the backup's path is not UTF-8".into()))?;
        self.with(|db| {
            db.conn
                .execute("VACUUM INTO ?1", [text])
                .map(|_| ())
                .map_err(|e| db.err(e))
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| StoreError::Backend(e.into()))?;
        }
        Ok(())
    }

    /// Whether this process can write the log at `path` and its folder (false for a
    /// read-only copy; true when the log does not exist yet).
    pub fn writable(path: &Path) -> bool {
        !path.exists() || (writable(path.parent().unwrap_or(path)) && writable(path))
    }

    /// An in-memory store, for tests.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(|source| SqliteError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        SqliteStore::init(conn, ":memory:".into())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        #[allow(
            clippy::redundant_closure_for_method_calls,
            reason = "the method is not general over the lock's lifetime"
        )]
        self.with(|db| db.schema_version())
    }

    /// Runs one call on the connection, holding it for the call's length. A call that
    /// panicked left no transaction open (a transaction rolls back when dropped), so a
    /// poisoned lock is taken as it is.
    fn with<T>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&Db {
            conn: &conn,
            path: &self.path,
        })
    }

    /// [`SqliteStore::with`] for a call that writes: in one transaction that takes the write
    /// lock at once (so the index of its event, read in it, is the next), committed when it
    /// returns and rolled back when it fails.
    fn write<T>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.with(|db| {
            let tx = rusqlite::Transaction::new_unchecked(
                db.conn,
                rusqlite::TransactionBehavior::Immediate,
            )
            .map_err(|e| db.err(e))?;
            let out = f(db)?;
            tx.commit().map_err(|e| db.err(e))?;
            Ok(out)
        })
    }

    /// [`SqliteStore::with`] for a call that only reads: on the reading connection, which
    /// never waits for a write's commit.
    fn read<T>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let Some(reader) = &self.reader else {
            return self.with(f);
        };
        let conn = reader.lock().unwrap_or_else(PoisonError::into_inner);
        f(&Db {
            conn: &conn,
            path: &self.path,
        })
    }

    fn init(conn: Connection, path: PathBuf) -> Result<SqliteStore, StoreError> {
        let db = Db {
            conn: &conn,
            path: &path,
        };
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| db.err(e))?;
        conn.execute_batch(
            // FULL: a commit is on disk before it returns, so a power cut keeps every
            // finished step (NORMAL in WAL mode may lose the last commits).
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
        )
        .map_err(|e| db.err(e))?;
        db.migrate()?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            reader: None,
            path,
        })
    }
}

impl Db<'_> {
    fn err(&self, source: rusqlite::Error) -> StoreError {
        classify(self.path, source)
    }

    fn corrupt(&self, what: &'static str, detail: &dyn std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            log: self.path.display().to_string(),
            what,
            detail: detail.to_string(),
        }
    }

    fn log_steps_once(
        &self,
        user: &UserId,
        steps: &[(SessionId, u32, &StepRecord)],
    ) -> Result<Vec<Result<bool, StoreError>>, StoreError> {
        // Each session once: it must be the user's, and its heartbeat moves to its latest
        // step; a session that is not the user's fails its steps alone.
        let mut sessions: BTreeMap<i64, Result<(), StoreError>> = BTreeMap::new();
        for (id, _, step) in steps {
            let last = steps
                .iter()
                .filter(|(i, _, _)| i == id)
                .map(|(_, _, s)| s.at)
                .max_by_key(|at| at.utc_s)
                .unwrap_or(step.at);
            sessions
                .entry(id.0)
                .or_insert_with(|| self.set_heartbeat(user, *id, last));
        }
        let mut out = Vec::with_capacity(steps.len());
        for (id, report, step) in steps {
            let written = match &sessions[&id.0] {
                Ok(()) => self.insert_row(*id, step, Some(*report)),
                Err(_) => Err(StoreError::no_session(*id)),
            };
            if let Ok(true) = written {
                self.append(
                    user,
                    Change::StepLogged {
                        session: self.session_uid(user, *id)?,
                        report: Some(*report),
                        step: (*step).clone(),
                    },
                )?;
            }
            out.push(written);
        }
        Ok(out)
    }

    fn record_session(
        &self,
        user: &UserId,
        s: &NewSession<'_>,
        steps: &[StepRecord],
        end: (Stamp, Option<u8>, Ending),
    ) -> Result<SessionId, StoreError> {
        let id = self.insert_session(user, s)?;
        for st in steps {
            self.insert_step(user, id, st, None)?;
        }
        self.end_session(user, id, end.0, end.1, end.2)?;
        self.append(user, self.whole(user, id)?)?;
        Ok(id)
    }

    fn begin_session(&self, user: &UserId, s: &NewSession<'_>) -> Result<SessionId, StoreError> {
        let id = self.insert_session(user, s)?;
        self.append(
            user,
            Change::SessionStarted {
                uid: s.uid.to_string(),
                started_at: s.started_at,
                source: s.source,
                routine: s.routine.clone(),
                planned_s: s.planned_s,
                pain_before: s.pain_before,
            },
        )?;
        Ok(id)
    }

    fn log_step(&self, user: &UserId, id: SessionId, step: &StepRecord) -> Result<(), StoreError> {
        if self.insert_step(user, id, step, None)? {
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
        &self,
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
        self.append(user, change).map(|_| ())
    }

    fn set_settled(
        &self,
        user: &UserId,
        id: SessionId,
        settled: bool,
        at: Stamp,
    ) -> Result<(), StoreError> {
        let uid = self.session_uid(user, id)?;
        let me = self.device_id()?;
        let held = self.settled_writer(user, &uid)?;
        let at = local_instant(at, &me, held.as_ref().map(|(t, d)| (*t, d.as_str())));
        self.settle(user, &uid, settled, (at, &me))?;
        self.append(user, Change::Settled { uid, settled, at })
            .map(|_| ())
    }

    /// `PRAGMA data_version` moves when another connection commits; `total_changes()` when
    /// this one changes a row.
    fn change_marker(&self) -> Result<Option<u64>, StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let own = self.conn.total_changes();
        Ok(Some((version.cast_unsigned() << 40) ^ own))
    }
}

impl Store for SqliteStore {
    fn profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        self.read(|db| db.read_profile(user))
    }
    fn set_profile(&self, user: &UserId, profile: &Profile, at: Stamp) -> Result<(), StoreError> {
        self.write(|db| {
            let me = db.device_id()?;
            let held = db.read_profile_writer(user)?;
            let at = local_instant(at, &me, held.as_ref().map(|(t, d)| (*t, d.as_str())));
            db.write_profile(user, profile, at, &me)?;
            let change = Change::ProfileSet {
                profile: profile.clone(),
                at,
            };
            db.append(user, change).map(|_| ())
        })
    }
    fn disclaimer_version(&self, user: &UserId) -> Result<Option<u32>, StoreError> {
        self.read(|db| db.read_disclaimer(user))
    }
    fn accept_disclaimer(&self, user: &UserId, version: u32, at: Stamp) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_disclaimer(user, version, at)?;
            db.append(user, Change::DisclaimerAccepted { version, at })
                .map(|_| ())
        })
    }
    fn add_screening(&self, user: &UserId, s: &Screening) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_screening(user, s)?;
            let change = Change::Screening {
                screening: s.clone(),
            };
            db.append(user, change).map(|_| ())
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
        self.with(|db| db.set_heartbeat(user, id, at))
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
    fn session_facts(&self, user: &UserId) -> Result<Vec<SessionFact>, StoreError> {
        self.read(|db| db.session_facts(user))
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
        self.with(|db| db.import_sessions(user, sessions))
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
            db.append(user, change).map(|_| ())
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
            db.append(user, change).map(|_| ())
        })
    }
    fn prescriptions(&self, user: &UserId) -> Result<Vec<Prescription>, StoreError> {
        self.read(|db| db.read_prescriptions(user))
    }
    fn add_message(&self, user: &UserId, m: &Message) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_message(user, m)?;
            let change = Change::Message { message: m.clone() };
            db.append(user, change).map(|_| ())
        })
    }
    fn messages(&self, user: &UserId) -> Result<Vec<Message>, StoreError> {
        self.read(|db| db.read_messages(user))
    }
    fn add_function(&self, user: &UserId, r: &FunctionRecord) -> Result<(), StoreError> {
        self.write(|db| {
            db.write_function(user, r)?;
            let change = Change::FunctionRecorded { record: r.clone() };
            db.append(user, change).map(|_| ())
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
            db.append(user, change).map(|_| ())
        })
    }
    fn sheet(&self, user: &UserId, code: RoutineCode) -> Result<Option<Routine>, StoreError> {
        self.read(|db| db.read_sheet(user, code))
    }
    fn device(&self) -> Result<String, StoreError> {
        #[allow(
            clippy::redundant_closure_for_method_calls,
            reason = "the method is not general over the lock's lifetime"
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
    fn change_marker(&self) -> Result<Option<u64>, StoreError> {
        #[allow(
            clippy::redundant_closure_for_method_calls,
            reason = "the method is not general over the lock's lifetime"
        )]
        self.read(|db| db.change_marker())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_error(code: std::ffi::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    /// Regression: a full disk read "disk I/O error" on every command, and a read-only data
    /// directory "readonly database". Each now says what it is and what to do.
    #[test]
    fn machine_faults_are_named_for_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("log.sqlite");
        let e = classify(&db, sqlite_error(rusqlite::ffi::SQLITE_FULL)).to_string();
        assert!(
            e.contains("is full") && e.contains("free some space"),
            "{e}"
        );
        let e = classify(&db, sqlite_error(rusqlite::ffi::SQLITE_BUSY)).to_string();
        assert!(e.contains("stayed busy"), "{e}");
        let e = classify(&db, sqlite_error(rusqlite::ffi::SQLITE_NOTADB)).to_string();
        assert!(e.contains("not a backstretch log"), "{e}");
        // A writable folder: a read-only error is reported as SQLite said it.
        let e = classify(&db, sqlite_error(rusqlite::ffi::SQLITE_READONLY)).to_string();
        assert!(e.contains("cannot use the log"), "{e}");
    }
}
