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
    /// `--accept-disclaimer` was given.
    pub accept_disclaimer: bool,
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

/// A text file read for the catalogue.
#[derive(Debug)]
pub struct ReadFile {
    pub path: String,
    pub text: String,
}

/// A `*.toml` file in a folder, with what the cache fingerprint needs.
#[derive(Debug)]
pub struct Listed {
    pub path: PathBuf,
    pub len: u64,
    pub modified_ns: u128,
}

/// Lists every `*.toml` file in a folder (not its subfolders), sorted by name.
pub fn list_toml_dir(dir: &Path) -> miette::Result<Vec<Listed>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        miette!(
            help = "check the path, or create the folder and put exercise files (*.toml) in it",
            "cannot read the exercise folder {}: {e}",
            dir.display()
        )
    })?;
    let mut out: Vec<Listed> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .filter_map(|e| {
            let meta = std::fs::metadata(e.path()).ok()?;
            meta.is_file().then(|| Listed {
                path: e.path(),
                len: meta.len(),
                modified_ns: meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos()),
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Reads every `*.toml` file in a folder (not its subfolders), sorted by name.
pub fn read_toml_dir(dir: &Path) -> miette::Result<Vec<ReadFile>> {
    read_listed(&list_toml_dir(dir)?)
}

fn read_listed(listed: &[Listed]) -> miette::Result<Vec<ReadFile>> {
    listed
        .iter()
        .map(|l| l.path.clone())
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

/// The parsed-catalogue cache for large user folders.
mod cache {
    use std::path::Path;

    use backstretch_core::BUILTIN_FILES;
    use backstretch_core::catalog::{Catalog, Entry, Loaded};
    use serde::{Deserialize, Serialize};

    use super::Listed;

    /// Folders with fewer files are parsed every time (it takes under a few milliseconds).
    pub const MIN_FILES: usize = 200;

    #[derive(Serialize, Deserialize)]
    struct Cached {
        key: String,
        invalid_files: usize,
        entries: Vec<Entry>,
    }

    fn fnv(h: &mut u64, bytes: &[u8]) {
        for b in bytes {
            *h ^= u64::from(*b);
            *h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// What the cached result depends on: this build, the built-in catalogue, the folder,
    /// and each file's name, size and modification time.
    pub fn fingerprint(dir: &Path, listing: &[Listed]) -> String {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        fnv(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
        for (p, t) in BUILTIN_FILES {
            fnv(&mut h, p.as_bytes());
            fnv(&mut h, t.as_bytes());
        }
        fnv(&mut h, dir.as_os_str().as_encoded_bytes());
        for l in listing {
            fnv(&mut h, l.path.as_os_str().as_encoded_bytes());
            fnv(&mut h, &l.len.to_le_bytes());
            fnv(&mut h, &l.modified_ns.to_le_bytes());
        }
        format!("{h:016x}-{}", listing.len())
    }

    /// The cached catalogue, if the cache is there, readable and for this key.
    pub fn read(path: &Path, key: &str) -> Option<(Catalog, usize)> {
        let bytes = std::fs::read(path).ok()?;
        let c: Cached = serde_json::from_slice(&bytes).ok()?;
        (c.key == key).then(|| (Catalog::from_entries(c.entries), c.invalid_files))
    }

    /// Writes the cache atomically; a cache that cannot be written is simply not used.
    pub fn write(path: &Path, key: &str, loaded: &Loaded) {
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let c = Cached {
            key: key.to_string(),
            invalid_files: loaded.invalid_files,
            entries: loaded.catalog.entries().to_vec(),
        };
        let Ok(bytes) = serde_json::to_vec(&c) else {
            return;
        };
        let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
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
            accept_disclaimer: g.accept_disclaimer,
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

    /// The user's exercise files, listed: none when the default folder does not exist; an
    /// error when a folder named with `--catalog` does not.
    fn user_listing(&self) -> miette::Result<Vec<Listed>> {
        if !self.explicit_catalog && !self.user_catalog.is_dir() {
            return Ok(Vec::new());
        }
        list_toml_dir(&self.user_catalog)
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
    ///
    /// A large folder is parsed once and cached in the data directory, keyed by this build,
    /// the folder and every file's name, size and modification time; any change re-reads it.
    pub fn catalog(&self) -> miette::Result<Catalog> {
        let listing = self.user_listing()?;
        if listing.is_empty() {
            return Ok(catalog::builtin().catalog);
        }
        let key = cache::fingerprint(&self.user_catalog, &listing);
        let cache_path = self.home.join("cache").join("catalog.json");
        let (catalog, invalid) = match cache::read(&cache_path, &key) {
            Some(hit) => hit,
            None => {
                let files = read_listed(&listing)?;
                let loaded: Loaded = Catalog::load(&catalog::builtin_files(), &as_sources(&files));
                if listing.len() >= cache::MIN_FILES {
                    cache::write(&cache_path, &key, &loaded);
                }
                (loaded.catalog, loaded.invalid_files)
            }
        };
        if invalid > 0 {
            eprintln!(
                "warning: left out {invalid} invalid exercise file{} from {}; run `backstretch catalog check {}` for details",
                if invalid == 1 { "" } else { "s" },
                self.user_catalog.display(),
                self.user_catalog.display(),
            );
        }
        Ok(catalog)
    }
}
