//! Backups of a server's store: the SQLite file copied online and consistent (`VACUUM INTO`),
//! or PostgreSQL's own dump (`pg_dump`, restored by `pg_restore`). A restore puts a backup in
//! place of the store; the server must be stopped while it runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use backstretch_store::{SqliteStore, StoreError};

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// Which.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The backup file is already there.
    #[error("{0} is already there")]
    Exists(String),
    /// PostgreSQL's tool is missing or failed.
    #[error("{tool} failed: {said}")]
    Tool {
        /// `pg_dump` or `pg_restore`.
        tool: &'static str,
        /// What it said.
        said: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The SQLite store's file in the data folder.
pub fn sqlite_file(home: &Path) -> PathBuf {
    home.join("server").join("server.sqlite")
}

/// Writes a backup of the store to `out` (a new file).
pub fn backup(home: &Path, database: Option<&str>, out: &Path) -> Result<(), BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.display().to_string()));
    }
    match database {
        Some(address) => pg(
            "pg_dump",
            &["--format=custom", "--no-owner", "--file"],
            out,
            address,
        ),
        None => Ok(SqliteStore::open(&sqlite_file(home))?.backup_to(out)?),
    }
}

/// Puts the backup in `file` in place of the store (which the server must not be using).
pub fn restore(home: &Path, database: Option<&str>, file: &Path) -> Result<(), BackupError> {
    std::fs::metadata(file).map_err(io(file))?;
    match database {
        Some(address) => pg(
            "pg_restore",
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
            ],
            file,
            address,
        ),
        None => {
            // Checked (and brought up to date) as a copy first, then moved into place whole.
            let target = sqlite_file(home);
            let dir = target.parent().unwrap_or(home);
            backstretch_web::files::private_dir(dir).map_err(io(dir))?;
            let staged = dir.join("server.sqlite.restoring");
            let _ = std::fs::remove_file(&staged);
            // The backup itself is left as it is: a copy is checked and migrated.
            std::fs::copy(file, &staged).map_err(io(&staged))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o600))
                    .map_err(io(&staged))?;
            }
            if let Err(e) = SqliteStore::open(&staged) {
                let _ = std::fs::remove_file(&staged);
                return Err(e.into());
            }
            for old in ["server.sqlite-wal", "server.sqlite-shm"] {
                let _ = std::fs::remove_file(dir.join(old));
            }
            std::fs::rename(&staged, &target).map_err(io(&target))
        }
    }
}

/// Runs PostgreSQL's `tool` with `args`, the file and the database address.
fn pg(tool: &'static str, args: &[&str], file: &Path, address: &str) -> Result<(), BackupError> {
    let program = find(tool);
    let mut c = Command::new(&program);
    c.args(args);
    if tool == "pg_dump" {
        c.arg(file).arg(address);
    } else {
        c.arg("--dbname").arg(address).arg(file);
    }
    let out = c.output().map_err(|e| BackupError::Tool {
        tool,
        said: format!("{e} (install Debian's postgresql-client)"),
    })?;
    if !out.status.success() {
        return Err(BackupError::Tool {
            tool,
            said: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    if tool == "pg_dump" {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
                .map_err(io(file))?;
        }
    }
    Ok(())
}

/// The tool on the PATH, or the newest under Debian's `/usr/lib/postgresql/*/bin`.
fn find(tool: &str) -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let p = e.path().join("bin").join(tool);
            p.is_file().then_some((v, p))
        })
        .collect();
    found.sort();
    found.pop().map_or_else(|| PathBuf::from(tool), |(_, p)| p)
}
