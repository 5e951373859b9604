//! What every command needs: where the data lives and the loaded catalogue.

use std::path::{Path, PathBuf};

use backstretch_core::catalog::{self, Catalog, Loaded, SourceFile};
use backstretch_core::profile::Profile;
use backstretch_store::Store;
use miette::miette;

use crate::args::{Format, Global};

/// Resolved global options.
#[derive(Debug)]
pub struct Context {
    /// The data directory (may not exist yet).
    pub home: PathBuf,
    /// The user's exercise folder, and whether the user named it explicitly.
    pub user_catalog: PathBuf,
    explicit_catalog: bool,
    /// The `--format` given, if any.
    pub format: Option<Format>,
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

/// A text file read for the catalogue.
#[derive(Debug)]
pub struct ReadFile {
    pub path: String,
    pub text: String,
}

/// Reads every `*.toml` file in a folder (not its subfolders), sorted by name.
pub fn read_toml_dir(dir: &Path) -> miette::Result<Vec<ReadFile>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        miette!(
            help = "check the path, or create the folder and put exercise files (*.toml) in it",
            "cannot read the exercise folder {}: {e}",
            dir.display()
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes =
                std::fs::read(&p).map_err(|e| miette!("cannot read {}: {e}", p.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                miette!(
                    help = "save the file as UTF-8 text",
                    "{} is not UTF-8 text",
                    p.display()
                )
            })?;
            Ok(ReadFile {
                path: p.display().to_string(),
                text,
            })
        })
        .collect()
}

/// Borrows read files as catalogue source files.
pub fn as_sources(files: &[ReadFile]) -> Vec<SourceFile<'_>> {
    files
        .iter()
        .map(|f| SourceFile {
            path: &f.path,
            text: &f.text,
        })
        .collect()
}

impl Context {
    pub fn new(g: &Global) -> miette::Result<Self> {
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
        let (user_catalog, explicit_catalog) = match &g.catalog_dir {
            Some(d) => (d.clone(), true),
            None => (home.join("exercises"), false),
        };
        Ok(Context {
            home,
            user_catalog,
            explicit_catalog,
            format: g.format,
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

    /// The user's exercise files: none when the default folder does not exist; an error
    /// when a folder named with `--catalog` does not.
    pub fn user_files(&self) -> miette::Result<Vec<ReadFile>> {
        if !self.explicit_catalog && !self.user_catalog.is_dir() {
            return Ok(Vec::new());
        }
        read_toml_dir(&self.user_catalog)
    }

    /// The log file.
    pub fn store_path(&self) -> PathBuf {
        self.home.join("backstretch.sqlite")
    }

    /// Opens the log, creating the data directory (private to the user) and file if needed.
    pub fn store(&self) -> miette::Result<Store> {
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
        Store::open(&self.store_path()).map_err(|e| miette!("{e}"))
    }

    /// The saved profile, without creating anything when there is none.
    pub fn profile(&self) -> miette::Result<Option<Profile>> {
        if !self.store_path().exists() {
            return Ok(None);
        }
        self.store()?.profile().map_err(|e| miette!("{e}"))
    }

    /// Loads the built-in catalogue overlaid with the user's folder. Invalid user files are
    /// left out with a warning that says how to see the details.
    pub fn catalog(&self) -> miette::Result<Catalog> {
        let files = self.user_files()?;
        let loaded: Loaded = Catalog::load(&catalog::builtin_files(), &as_sources(&files));
        if !loaded.diagnostics.is_empty() {
            eprintln!(
                "warning: left out {} invalid exercise file{} from {}; run `backstretch catalog check {}` for details",
                loaded.invalid_files,
                if loaded.invalid_files == 1 { "" } else { "s" },
                self.user_catalog.display(),
                self.user_catalog.display(),
            );
        }
        Ok(loaded.catalog)
    }
}
