//! Persistence for backstretch: one SQLite file in the user's data directory.
//!
//! The file is opened in WAL mode with foreign keys on and a busy timeout, so a player and
//! another command can use it at once. Migrations are embedded and append-only; their count
//! is kept in `PRAGMA user_version`. A file written by a newer backstretch is refused with a
//! clear error, never rewritten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use backstretch_core::profile::Profile;
use backstretch_core::session::{SessionRecord, StepRecord};
use rusqlite::{Connection, OptionalExtension, params};

/// The migrations, in order. Never edit one that has shipped; add a new one.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_profile",
        include_str!("../migrations/0001_profile.sql"),
    ),
    (
        "0002_sessions",
        include_str!("../migrations/0002_sessions.sql"),
    ),
    ("0003_safety", include_str!("../migrations/0003_safety.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or used.
    #[error("cannot use the log at {path}: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer version of backstretch.
    #[error(
        "the log at {path} has schema version {found}, newer than this backstretch understands ({known}); upgrade backstretch, or point --home at another folder"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// Ours.
        known: u32,
    },
    /// A stored value could not be read back.
    #[error("the log at {path} holds a damaged {what}: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Which record.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
}

/// The store: an open SQLite file.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        Store::init(conn, path.to_path_buf())
    }

    /// An in-memory store, for tests.
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        Store::init(conn, ":memory:".into())
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        let store = Store { conn, path };
        store
            .conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| store.err(e))?;
        store
            .conn
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
            )
            .map_err(|e| store.err(e))?;
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))
            .map_err(|e| self.err(e))
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        for (i, (_, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            // Each migration and its version bump commit together, or not at all.
            let batch = format!(
                "BEGIN IMMEDIATE; {sql}\nPRAGMA user_version = {}; COMMIT;",
                i + 1
            );
            if let Err(e) = self.conn.execute_batch(&batch) {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(self.err(e));
            }
        }
        Ok(())
    }

    /// The saved profile, if any.
    pub fn profile(&self) -> Result<Option<Profile>, StoreError> {
        let data: Option<String> = self
            .conn
            .query_row("SELECT data FROM profile WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        data.map(|d| {
            serde_json::from_str(&d).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                what: "profile",
                detail: e.to_string(),
            })
        })
        .transpose()
    }

    /// Saves the profile, replacing the old one. `now` is an RFC 3339 timestamp.
    pub fn set_profile(&self, profile: &Profile, now: &str) -> Result<(), StoreError> {
        let data = serde_json::to_string(profile).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            what: "profile",
            detail: e.to_string(),
        })?;
        self.conn
            .execute(
                "INSERT INTO profile (id, data, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                params![data, now],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// A session about to start.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// Stable id.
    pub uid: &'a str,
    /// Start time (RFC 3339).
    pub started_at: &'a str,
    /// `player` or `manual`.
    pub source: &'a str,
    /// The routine as plan JSON.
    pub routine: &'a str,
    /// Planned seconds.
    pub planned_s: u32,
    /// Pain before, 0-10.
    pub pain_before: Option<u8>,
    /// The player's process id, to tell a running session from an interrupted one.
    pub pid: Option<u32>,
}

const SESSION_COLUMNS: &str = "id, uid, started_at, ended_at, heartbeat_at, source, routine, planned_s, pain_before, pain_after, outcome, pid";

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        id: r.get(0)?,
        uid: r.get(1)?,
        started_at: r.get(2)?,
        ended_at: r.get(3)?,
        heartbeat_at: r.get(4)?,
        source: r.get(5)?,
        routine: r.get(6)?,
        planned_s: r.get(7)?,
        pain_before: r.get(8)?,
        pain_after: r.get(9)?,
        outcome: r.get(10)?,
        pid: r.get(11)?,
    })
}

impl Store {
    /// Starts a session and returns its id.
    pub fn begin_session(&self, s: &NewSession<'_>) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (uid, started_at, heartbeat_at, source, routine, planned_s, pain_before, pid)
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![s.uid, s.started_at, s.source, s.routine, s.planned_s, s.pain_before, s.pid],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Writes one finished step and the session's heartbeat, committed at once.
    pub fn log_step(&self, session: i64, step: &StepRecord) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        self.insert_step(session, step)?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Inserts a step and moves the heartbeat, inside the caller's transaction.
    fn insert_step(&self, session: i64, step: &StepRecord) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO session_steps (session_id, step, kind, exercise_id, side, rep, planned_s, done_ms, outcome, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                session,
                step.step,
                step.kind,
                step.exercise_id,
                step.side,
                step.rep,
                step.planned_s,
                step.done_ms as i64,
                step.outcome,
                step.at
            ],
        )
        .map_err(|e| self.err(e))?;
        self.conn
            .execute(
                "UPDATE sessions SET heartbeat_at = ?2 WHERE id = ?1",
                params![session, step.at],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records that a session's player is still running.
    pub fn heartbeat(&self, session: i64, at: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET heartbeat_at = ?2 WHERE id = ?1",
                params![session, at],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Ends a session: `completed` or `stopped`, with the pain after.
    pub fn finish_session(
        &self,
        session: i64,
        ended_at: &str,
        pain_after: Option<u8>,
        outcome: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET ended_at = ?2, heartbeat_at = ?2, pain_after = ?3, outcome = ?4 WHERE id = ?1",
                params![session, ended_at, pain_after, outcome],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records a whole session at once (done without the player), in one transaction.
    pub fn record_session(
        &self,
        s: &NewSession<'_>,
        steps: &[StepRecord],
        ended_at: &str,
        pain_after: Option<u8>,
        outcome: &str,
    ) -> Result<i64, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id = self.begin_session(s)?;
        for st in steps {
            self.insert_step(id, st)?;
        }
        self.finish_session(id, ended_at, pain_after, outcome)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    /// Every session, newest first.
    pub fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        let sql =
            format!("SELECT {SESSION_COLUMNS} FROM sessions ORDER BY started_at DESC, id DESC");
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = st.query_map([], session_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One session by id.
    pub fn session(&self, id: i64) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1");
        self.conn
            .query_row(&sql, params![id], session_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// A session's steps, in the order they were logged.
    pub fn steps(&self, session: i64) -> Result<Vec<StepRecord>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT step, kind, exercise_id, side, rep, planned_s, done_ms, outcome, at
                 FROM session_steps WHERE session_id = ?1 ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![session], |r| {
                Ok(StepRecord {
                    step: r.get(0)?,
                    kind: r.get(1)?,
                    exercise_id: r.get(2)?,
                    side: r.get(3)?,
                    rep: r.get(4)?,
                    planned_s: r.get(5)?,
                    done_ms: r.get::<_, i64>(6)?.max(0) as u64,
                    outcome: r.get(7)?,
                    at: r.get(8)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The newest session that never ended, if any.
    pub fn last_unfinished(&self) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE outcome IS NULL ORDER BY started_at DESC, id DESC LIMIT 1"
        );
        self.conn
            .query_row(&sql, [], session_row)
            .optional()
            .map_err(|e| self.err(e))
    }
}

/// A red-flag check as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    /// When (RFC 3339).
    pub at: String,
    /// The areas it was asked for (words).
    pub areas: Vec<String>,
    /// Question id to answer.
    pub answers: std::collections::BTreeMap<String, bool>,
    /// `clear`, `soon` or `emergency`.
    pub verdict: String,
}

impl Store {
    /// The latest disclaimer version accepted, if any.
    pub fn disclaimer_version(&self) -> Result<Option<u32>, StoreError> {
        self.conn
            .query_row(
                "SELECT max(version) FROM acknowledgements WHERE kind = 'disclaimer'",
                [],
                |r| r.get::<_, Option<u32>>(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Records that the disclaimer of `version` was accepted.
    pub fn accept_disclaimer(&self, version: u32, at: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO acknowledgements (kind, version, accepted_at) VALUES ('disclaimer', ?1, ?2)",
                params![version, at],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records a red-flag check.
    pub fn add_screening(&self, s: &Screening) -> Result<(), StoreError> {
        let areas = serde_json::to_string(&s.areas).unwrap_or_else(|_| "[]".into());
        let answers = serde_json::to_string(&s.answers).unwrap_or_else(|_| "{}".into());
        self.conn
            .execute(
                "INSERT INTO screenings (at, areas, answers, verdict) VALUES (?1, ?2, ?3, ?4)",
                params![s.at, areas, answers, s.verdict],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The latest red-flag check, if any.
    pub fn last_screening(&self) -> Result<Option<Screening>, StoreError> {
        let row: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT at, areas, answers, verdict FROM screenings ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(at, areas, answers, verdict)| {
            let bad = |e: serde_json::Error| StoreError::Corrupt {
                path: self.path.clone(),
                what: "red-flag check",
                detail: e.to_string(),
            };
            Ok(Screening {
                at,
                areas: serde_json::from_str(&areas).map_err(bad)?,
                answers: serde_json::from_str(&answers).map_err(bad)?,
                verdict,
            })
        })
        .transpose()
    }

    /// Adds sessions from an export in one transaction, skipping any whose uid is already
    /// here. Returns (added, skipped). Nothing is written if any session is invalid.
    pub fn import(
        &self,
        sessions: &[(SessionRecord, Vec<StepRecord>)],
    ) -> Result<(usize, usize), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let (mut added, mut skipped) = (0, 0);
        for (s, steps) in sessions {
            let exists: bool = self
                .conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM sessions WHERE uid = ?1)",
                    params![s.uid],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e))?;
            if exists {
                skipped += 1;
                continue;
            }
            self.conn
                .execute(
                    "INSERT INTO sessions (uid, started_at, ended_at, heartbeat_at, source, routine, planned_s, pain_before, pain_after, outcome)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        s.uid, s.started_at, s.ended_at, s.heartbeat_at, s.source, s.routine, s.planned_s,
                        s.pain_before, s.pain_after, s.outcome
                    ],
                )
                .map_err(|e| self.err(e))?;
            let id = self.conn.last_insert_rowid();
            for st in steps {
                self.insert_step(id, st)?;
            }
            // The steps moved the heartbeat; keep the exported one.
            self.conn
                .execute(
                    "UPDATE sessions SET heartbeat_at = ?2 WHERE id = ?1",
                    params![id, s.heartbeat_at],
                )
                .map_err(|e| self.err(e))?;
            added += 1;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok((added, skipped))
    }

    /// Every exercise logged as hurt: (session start time, session id, exercise id).
    pub fn hurts(&self) -> Result<Vec<(String, i64, String)>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT DISTINCT s.started_at, s.id, t.exercise_id
                 FROM session_steps t JOIN sessions s ON s.id = t.session_id
                 WHERE t.outcome = 'hurt' AND t.exercise_id IS NOT NULL
                 ORDER BY s.started_at",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::vocab::{Area, Place};

    #[test]
    fn profile_round_trips_through_a_real_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sqlite");
        let p = Profile {
            areas: vec![Area::LowerBack, Area::Neck],
            places: vec![Place::Bed],
            minutes: 12,
            ..Profile::default()
        };
        {
            let s = Store::open(&path).unwrap();
            assert_eq!(s.profile().unwrap(), None);
            s.set_profile(&p, "2026-11-21T09:00:00Z").unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.profile().unwrap(), Some(p));
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_file_from_a_newer_version_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sqlite");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA user_version = 99;").unwrap();
        }
        let e = Store::open(&path).unwrap_err();
        assert!(matches!(e, StoreError::TooNew { found: 99, .. }), "{e}");
        assert!(e.to_string().contains("upgrade backstretch"));
        let c = Connection::open(&path).unwrap();
        let v: u32 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }

    fn step(i: u32, outcome: &str) -> StepRecord {
        StepRecord {
            step: i,
            kind: "hold".into(),
            exercise_id: Some("bridge".into()),
            side: None,
            rep: i,
            planned_s: 5,
            done_ms: 5_000,
            outcome: outcome.into(),
            at: "2026-11-21T09:00:10+00:00".into(),
        }
    }

    #[test]
    fn sessions_and_steps_persist_step_by_step() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sqlite");
        let id = {
            let s = Store::open(&path).unwrap();
            let id = s
                .begin_session(&NewSession {
                    uid: "u1",
                    started_at: "2026-11-21T09:00:00+00:00",
                    source: "player",
                    routine: "{}",
                    planned_s: 60,
                    pain_before: Some(4),
                    pid: None,
                })
                .unwrap();
            s.log_step(id, &step(1, "done")).unwrap();
            s.log_step(id, &step(2, "hurt")).unwrap();
            id
            // Dropped without finishing: as if the process died.
        };
        let s = Store::open(&path).unwrap();
        let open = s.last_unfinished().unwrap().unwrap();
        assert_eq!(open.id, id);
        assert_eq!(open.heartbeat_at, "2026-11-21T09:00:10+00:00");
        assert_eq!(s.steps(id).unwrap(), vec![step(1, "done"), step(2, "hurt")]);
        s.finish_session(id, "2026-11-21T09:01:00+00:00", Some(3), "completed")
            .unwrap();
        assert!(s.last_unfinished().unwrap().is_none());
        let all = s.sessions().unwrap();
        assert_eq!(all[0].pain_after, Some(3));
        assert_eq!(all[0].outcome.as_deref(), Some("completed"));
    }

    #[test]
    fn a_manual_session_is_recorded_whole_or_not_at_all() {
        let s = Store::in_memory().unwrap();
        let new = NewSession {
            uid: "m1",
            started_at: "2026-11-20T18:00:00+00:00",
            source: "manual",
            routine: "{}",
            planned_s: 0,
            pain_before: Some(5),
            pid: None,
        };
        let id = s
            .record_session(
                &new,
                &[step(0, "done"), step(1, "hurt")],
                "2026-11-20T18:10:00+00:00",
                Some(4),
                "completed",
            )
            .unwrap();
        assert_eq!(s.steps(id).unwrap().len(), 2);
        // A bad step rolls the whole session back.
        let again = NewSession { uid: "m2", ..new };
        assert!(
            s.record_session(
                &again,
                &[step(0, "done"), step(1, "bad")],
                "x",
                None,
                "completed"
            )
            .is_err()
        );
        assert_eq!(s.sessions().unwrap().len(), 1);
    }

    #[test]
    fn the_schema_rejects_impossible_values() {
        let s = Store::in_memory().unwrap();
        let bad = s.begin_session(&NewSession {
            uid: "u",
            started_at: "x",
            source: "player",
            routine: "{}",
            planned_s: 1,
            pain_before: Some(11),
            pid: None,
        });
        assert!(bad.is_err(), "pain 11 refused");
        let id = s
            .begin_session(&NewSession {
                uid: "u2",
                started_at: "x",
                source: "player",
                routine: "{}",
                planned_s: 1,
                pain_before: None,
                pid: None,
            })
            .unwrap();
        assert!(
            s.log_step(id, &step(1, "meh")).is_err(),
            "unknown outcome refused"
        );
        assert!(
            s.log_step(99, &step(1, "done")).is_err(),
            "foreign key enforced"
        );
    }

    #[test]
    fn disclaimer_and_screenings_are_kept() {
        let s = Store::in_memory().unwrap();
        assert_eq!(s.disclaimer_version().unwrap(), None);
        s.accept_disclaimer(1, "2026-11-21T09:00:00+00:00").unwrap();
        s.accept_disclaimer(2, "2026-11-22T09:00:00+00:00").unwrap();
        assert_eq!(s.disclaimer_version().unwrap(), Some(2));
        assert_eq!(s.last_screening().unwrap(), None);
        let sc = Screening {
            at: "2026-11-21T09:00:00+00:00".into(),
            areas: vec!["neck".into()],
            answers: [("weight-loss".to_string(), true)].into(),
            verdict: "soon".into(),
        };
        s.add_screening(&sc).unwrap();
        assert_eq!(s.last_screening().unwrap(), Some(sc));
    }

    #[test]
    fn a_damaged_profile_is_reported_not_guessed() {
        let s = Store::in_memory().unwrap();
        s.conn
            .execute(
                "INSERT INTO profile (id, data, updated_at) VALUES (1, 'not json', 'x')",
                [],
            )
            .unwrap();
        assert!(matches!(s.profile(), Err(StoreError::Corrupt { .. })));
    }
}
