//! What every command needs: where the data lives, the time (read once), the log, the app
//! over it, and the loaded catalogue.

use std::path::{Path, PathBuf};

use backstretch_app::App;
use backstretch_app::catalog::Folder;
use backstretch_core::catalog::Catalog;
use backstretch_core::time::Stamp;
use backstretch_store::{SqliteStore, UserId};
use miette::miette;

use crate::args::{Format, Global};

/// Resolved global options, and the time this command runs at.
#[derive(Debug)]
pub struct Context {
    /// The data directory (may not exist yet).
    pub home: PathBuf,
    /// The user's exercise folder, and whether the user named it explicitly.
    pub folder: Folder,
    /// The `--format` given, if any.
    pub format: Option<Format>,
    /// `--accept-disclaimer` was given.
    pub accept_disclaimer: bool,
    /// Now, read once for the whole command.
    pub now: Stamp,
}

/// The data directory: `--home`, `BACKSTRETCH_HOME`, `$XDG_DATA_HOME/backstretch`, or
/// `~/.local/share/backstretch`.
fn default_home() -> miette::Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return Ok(PathBuf::from(x).join("backstretch"));
    }
    std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .map(|h| h.join(".local/share/backstretch"))
        .ok_or_else(|| {
            miette!(
                help = "set BACKSTRETCH_HOME or pass --home DIR",
                "cannot find a home directory to keep your data in"
            )
        })
}

/// Whether a process is running: known on Linux (through /proc), unknown elsewhere. This
/// process itself never counts, since it cannot be another session's player.
pub fn process_alive(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(false);
    }
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        Some(Path::new(&format!("/proc/{pid}")).exists())
    } else {
        None
    }
}

impl Context {
    pub fn new(g: &Global, now: Stamp) -> miette::Result<Self> {
        let home = match &g.home {
            Some(h) if h.as_os_str().is_empty() => {
                return Err(miette!(
                    help = "give a folder path, or unset BACKSTRETCH_HOME to use the default",
                    "the data directory is empty"
                ));
            }
            Some(h) => h.clone(),
            None => default_home()?,
        };
        let (dir, explicit) = match &g.catalog_dir {
            Some(d) => (d.clone(), true),
            None => (home.join("exercises"), false),
        };
        Ok(Context {
            folder: Folder { dir, explicit },
            home,
            format: g.format,
            accept_disclaimer: g.accept_disclaimer,
            now,
        })
    }

    /// The format to use, from those a command supports (the first is the default).
    pub fn format(&self, supported: &[Format]) -> miette::Result<Format> {
        match self.format {
            None => Ok(supported[0]),
            Some(f) if supported.contains(&f) => Ok(f),
            Some(f) => Err(miette!(
                help = format!(
                    "use --format {}",
                    supported
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(" or --format ")
                ),
                "this command cannot print --format {}",
                f.name()
            )),
        }
    }

    /// The log file.
    pub fn store_path(&self) -> PathBuf {
        self.home.join("backstretch.sqlite")
    }

    /// Whether a log exists yet (commands that only read make none).
    pub fn has_store(&self) -> bool {
        self.store_path().exists()
    }

    /// Opens the log, creating the data directory (private to the user) and file if needed.
    /// An existing data directory that others can read is made private, with a note.
    pub fn store(&self) -> miette::Result<SqliteStore> {
        let path = self.store_path();
        if !SqliteStore::writable(&path) {
            // A read-only copy (a backup, a folder not yours to write): it can be read and
            // exported; a command that writes says the folder is read-only.
            crate::output::note(&format!(
                "note: {} is read-only, so backstretch only reads it: history, stats and export work; anything that saves needs it writable",
                path.display()
            ));
            return Ok(SqliteStore::open_read_only(&path).map_err(backstretch_app::AppError::from)?);
        }
        #[cfg(unix)]
        if let Ok(meta) = std::fs::metadata(&self.home) {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir()
                && mode & 0o077 != 0
                && std::fs::set_permissions(&self.home, std::fs::Permissions::from_mode(0o700))
                    .is_ok()
            {
                crate::output::note(&format!(
                    "note: your data directory {} could be read by others ({mode:o}); it is now yours alone (700)",
                    self.home.display()
                ));
            }
        }
        if !self.home.is_dir() {
            std::fs::create_dir_all(&self.home).map_err(|e| {
                miette!(
                    help = "pass --home DIR (or set BACKSTRETCH_HOME) to keep your data elsewhere",
                    "cannot create the data directory {}: {e}",
                    self.home.display()
                )
            })?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ =
                    std::fs::set_permissions(&self.home, std::fs::Permissions::from_mode(0o700));
            }
        }
        Ok(SqliteStore::open(&path).map_err(backstretch_app::AppError::from)?)
    }

    /// The app over a store, for this data directory's one person, now.
    pub fn app<'a>(&self, store: &'a SqliteStore) -> App<'a> {
        App::new(store, UserId::local(), self.now)
    }

    /// Loads the built-in catalogue overlaid with the user's folder. Invalid user files are
    /// left out with a warning that says how to see the details.
    pub fn catalog(&self) -> miette::Result<Catalog> {
        let loaded = self.folder.load()?;
        self.warn_invalid(loaded.invalid_files);
        Ok(loaded.catalog)
    }

    fn warn_invalid(&self, invalid: usize) {
        if invalid > 0 {
            let dir = self.folder.dir.display();
            crate::output::note(&format!(
                "warning: left out {invalid} invalid exercise file{} from {dir}; run `backstretch catalog check {dir}` for details",
                if invalid == 1 { "" } else { "s" },
            ));
        }
    }
}
