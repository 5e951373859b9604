//! Persistence for backstretch: one SQLite file in the user's data directory.
//!
//! The file is opened in WAL mode with foreign keys on and a busy timeout, so a player and
//! another command can use it at once. Migrations are embedded and append-only; their count
//! is kept in `PRAGMA user_version`. A file written by a newer backstretch is refused with a
//! clear error, never rewritten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use backstretch_core::profile::Profile;
use rusqlite::{Connection, OptionalExtension, params};

/// The migrations, in order. Never edit one that has shipped; add a new one.
const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_profile",
    include_str!("../migrations/0001_profile.sql"),
)];

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
