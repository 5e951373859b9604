//! Embedded, append-only migrations, recorded one row each in `schema_migrations`.
//!
//! They run in one transaction that first takes a transaction-scoped advisory lock, so
//! several servers opening one database at once never run a migration twice: the first
//! migrates; the others wait on the lock, then find the database up to date. DDL is
//! transactional in PostgreSQL, so a failed migration leaves nothing half done.

use backstretch_store::StoreError;
use postgres::error::SqlState;
use postgres::{Client, GenericClient};

use crate::{PostgresError, classify};

/// The migrations, in order. Never edit one that has shipped; add a new one.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_logs", include_str!("../migrations/0001_logs.sql")),
    (
        "0002_accounts",
        include_str!("../migrations/0002_accounts.sql"),
    ),
    ("0003_clinic", include_str!("../migrations/0003_clinic.sql")),
    (
        "0004_care_team",
        include_str!("../migrations/0004_care_team.sql"),
    ),
    ("0005_alerts", include_str!("../migrations/0005_alerts.sql")),
    ("0006_care", include_str!("../migrations/0006_care.sql")),
    (
        "0007_quiet_and_mail",
        include_str!("../migrations/0007_quiet_and_mail.sql"),
    ),
    ("0008_totp", include_str!("../migrations/0008_totp.sql")),
    (
        "0009_desk_breaks",
        include_str!("../migrations/0009_desk_breaks.sql"),
    ),
    (
        "0010_coaching",
        include_str!("../migrations/0010_coaching.sql"),
    ),
    (
        "0011_function",
        include_str!("../migrations/0011_function.sql"),
    ),
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_truncation, reason = "a handful of migrations")]
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock every backstretch migration holds: "bkstrtch" in ASCII.
const MIGRATION_LOCK: i64 = 0x626b_7374_7274_6368;

/// How long an opening server waits for another's migration before giving up.
const MIGRATION_WAIT: &str = "300s";

/// Brings the database up to date, or refuses it (newer than this build, or another
/// program's migrations).
pub(crate) fn migrate(client: &mut Client, log: &str) -> Result<(), StoreError> {
    let err = |e| classify(log, e);
    let mut tx = client.transaction().map_err(err)?;
    tx.batch_execute(&format!("SET LOCAL lock_timeout = '{MIGRATION_WAIT}'"))
        .map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .map_err(err)?;
    let applied = applied(&mut tx, log)?;
    let found = applied
        .last()
        .map_or(0, |(v, _)| u32::try_from(*v).unwrap_or(0));
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            log: log.into(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, ((version, name), (ours, _))) in applied.iter().zip(MIGRATIONS).enumerate() {
        if usize::try_from(*version).ok() != Some(i + 1) {
            return Err(foreign(
                log,
                format!("its migrations skip from {i} to {version}"),
            ));
        }
        if name != ours {
            return Err(foreign(
                log,
                format!("its migration {version} is `{name}`, where this backstretch has `{ours}`"),
            ));
        }
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied.len()) {
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.batch_execute(sql).map_err(err)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, name],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

const ANOTHER_TABLE: &str = "it holds another program's `schema_migrations` table";

/// The migrations recorded, in order: (version, name).
fn applied(c: &mut impl GenericClient, log: &str) -> Result<Vec<(i32, String)>, StoreError> {
    let rows = c
        .query(
            "SELECT version, name FROM schema_migrations ORDER BY version",
            &[],
        )
        .map_err(|e| match e.code() {
            // A `schema_migrations` table of another shape: another tool's.
            Some(c) if *c == SqlState::UNDEFINED_COLUMN || *c == SqlState::DATATYPE_MISMATCH => {
                foreign(log, ANOTHER_TABLE.into())
            }
            _ => classify(log, e),
        })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let pair = row.try_get(0).and_then(|v| Ok((v, row.try_get(1)?)));
        out.push(pair.map_err(|_| foreign(log, ANOTHER_TABLE.into()))?);
    }
    Ok(out)
}

/// The schema version of a database: the last migration it has had.
pub(crate) fn version(c: &mut impl GenericClient, log: &str) -> Result<u32, StoreError> {
    let n: i32 = c
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(|e| classify(log, e))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn foreign(log: &str, why: String) -> StoreError {
    PostgresError::Foreign {
        log: log.into(),
        why,
    }
    .into()
}
