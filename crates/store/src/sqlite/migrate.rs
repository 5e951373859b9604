//! Embedded, append-only migrations; their count is kept in `PRAGMA user_version`.
//!
//! The version is read inside the same write transaction that migrates, so several processes
//! opening a new file at once never run a migration twice: the first takes the write lock and
//! migrates; the others wait (busy timeout), then find the file up to date.

use super::{Db, SqliteError};
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
    (
        "0005_levels",
        include_str!("../../migrations/0005_levels.sql"),
    ),
    (
        "0006_followups",
        include_str!("../../migrations/0006_followups.sql"),
    ),
    (
        "0007_sheets",
        include_str!("../../migrations/0007_sheets.sql"),
    ),
    (
        "0008_step_reports",
        include_str!("../../migrations/0008_step_reports.sql"),
    ),
    (
        "0009_bounded_reads",
        include_str!("../../migrations/0009_bounded_reads.sql"),
    ),
    (
        "0010_check_anchors",
        include_str!("../../migrations/0010_check_anchors.sql"),
    ),
    (
        "0011_tallies",
        include_str!("../../migrations/0011_tallies.sql"),
    ),
    (
        "0012_outbox",
        include_str!("../../migrations/0012_outbox.sql"),
    ),
    (
        "0013_accounts",
        include_str!("../../migrations/0013_accounts.sql"),
    ),
    (
        "0014_clinic",
        include_str!("../../migrations/0014_clinic.sql"),
    ),
    (
        "0015_care_team",
        include_str!("../../migrations/0015_care_team.sql"),
    ),
    (
        "0016_alerts",
        include_str!("../../migrations/0016_alerts.sql"),
    ),
    ("0017_care", include_str!("../../migrations/0017_care.sql")),
    (
        "0018_quiet_and_mail",
        include_str!("../../migrations/0018_quiet_and_mail.sql"),
    ),
    ("0019_totp", include_str!("../../migrations/0019_totp.sql")),
    (
        "0020_desk_breaks",
        include_str!("../../migrations/0020_desk_breaks.sql"),
    ),
    (
        "0021_coaching",
        include_str!("../../migrations/0021_coaching.sql"),
    ),
    (
        "0022_function",
        include_str!("../../migrations/0022_function.sql"),
    ),
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_truncation, reason = "a handful of migrations")]
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Tables every backstretch log has from its first migration on.
const OUR_TABLES: &[&str] = &["profile"];

impl Db<'_> {
    /// The schema version of the open file.
    pub(super) fn schema_version(&self) -> Result<u32, StoreError> {
        let v: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        u32::try_from(v).map_err(|_| self.foreign(format!("its user_version is {v}")))
    }

    fn foreign(&self, why: String) -> StoreError {
        SqliteError::Foreign {
            path: self.path.to_path_buf(),
            why,
        }
        .into()
    }

    /// A file at version 0 that already has tables is another program's database.
    pub(super) fn check_not_foreign(&self, found: u32) -> Result<(), StoreError> {
        if found > 0 {
            let has: bool = self
                .conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
                    [OUR_TABLES[0]],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e))?;
            return if has {
                Ok(())
            } else {
                Err(self.foreign(format!(
                    "it is at version {found} but has none of backstretch's tables"
                )))
            };
        }
        let tables: Vec<String> = {
            let mut st = self
                .conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .map_err(|e| self.err(e))?;
            st.query_map([], |r| r.get(0))
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))?
        };
        if tables.is_empty() {
            Ok(())
        } else {
            Err(self.foreign(format!(
                "it already holds other tables ({})",
                tables.join(", ")
            )))
        }
    }

    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                log: self.path.display().to_string(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        if found == SCHEMA_VERSION {
            return self.check_not_foreign(found);
        }
        // Whether a version-0 file is new or another program's is decided under the write
        // lock (in `run_migrations`): another process may be creating the tables right now.
        // Tables are rebuilt with foreign keys off (SQLite's documented way; the pragma is a
        // no-op inside a transaction), then checked before the transaction commits.
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF;")
            .map_err(|e| self.err(e))?;
        let result = self.run_migrations();
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))?;
        result
    }

    fn run_migrations(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE;")
            .map_err(|e| self.err(e))?;
        let result = (|| {
            // Read again under the write lock: another process may have migrated meanwhile.
            let found = self.schema_version()?;
            self.check_not_foreign(found)?;
            let mut backfill = false;
            let (mut tallies, mut hold_s) = (false, false);
            for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
                self.conn
                    .execute_batch(&format!("{sql}\nPRAGMA user_version = {};", i + 1))
                    .map_err(|e| self.err(e))?;
                // What SQL cannot compute is filled in by Rust, in the same transaction.
                // Tallies are filled once every migration has run (with today's columns).
                tallies |= *name == "0011_tallies" || *name == "0021_coaching";
                hold_s |= *name == "0021_coaching";
                if *name == "0012_outbox" {
                    self.conn
                        .execute(
                            "INSERT INTO device (one, id) VALUES (1, ?1)",
                            [crate::new_device_id()],
                        )
                        .map_err(|e| self.err(e))?;
                    backfill = true;
                }
            }
            if tallies {
                self.fill_tallies()?;
            }
            if hold_s {
                self.fill_hold_s()?;
            }
            // The history's events are read with today's queries, so once every migration
            // has run (still in the same transaction).
            if backfill {
                self.backfill()?;
            }
            let broken: i64 = self
                .conn
                .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .map_err(|e| self.err(e))?;
            if broken > 0 {
                return Err(
                    self.corrupt("migration", &format!("{broken} rows point at missing rows"))
                );
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.conn.execute_batch("COMMIT;").map_err(|e| self.err(e)),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK;");
                Err(e)
            }
        }
    }
}
