//! Embedded, append-only migrations; their count is kept in `PRAGMA user_version`.

use super::SqliteStore;
use crate::StoreError;

/// The migrations, in order. Never edit one that has shipped; add a new one.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_profile",
        include_str!("../../migrations/0001_profile.sql"),
    ),
    (
        "0002_sessions",
        include_str!("../../migrations/0002_sessions.sql"),
    ),
    (
        "0003_safety",
        include_str!("../../migrations/0003_safety.sql"),
    ),
    (
        "0004_typed",
        include_str!("../../migrations/0004_typed.sql"),
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

impl SqliteStore {
    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))
            .map_err(|e| self.err(e))
    }

    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        // Tables are rebuilt with foreign keys off (SQLite's documented way; the pragma is a
        // no-op inside a transaction), then checked before the transaction commits.
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF;")
            .map_err(|e| self.err(e))?;
        let result = self.run_migrations(found);
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))?;
        result
    }

    fn run_migrations(&self, found: u32) -> Result<(), StoreError> {
        for (i, (_, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            // Each migration and its version bump commit together, or not at all.
            let batch = format!("BEGIN IMMEDIATE; {sql}\nPRAGMA user_version = {};", i + 1);
            let step = self.conn.execute_batch(&batch).and_then(|()| {
                let broken: i64 = self.conn.query_row(
                    "SELECT count(*) FROM pragma_foreign_key_check",
                    [],
                    |r| r.get(0),
                )?;
                if broken > 0 {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                        Some(format!("{broken} rows point at missing rows")),
                    ));
                }
                self.conn.execute_batch("COMMIT;")
            });
            if let Err(e) = step {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(self.err(e));
            }
        }
        Ok(())
    }
}
