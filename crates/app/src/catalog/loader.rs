use std::path::{Path, PathBuf};

use backstretch_core::BUILTIN_FILES;
use backstretch_core::catalog::{
    self, Catalog, Diagnostic, Entry, Loaded, MAX_FILE_BYTES, ParsedFile, SourceFile,
};
use backstretch_core::hash::Hasher;
use serde::{Deserialize, Serialize};

/// A folder of exercise files could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FolderError {
    /// The folder itself.
    #[error("cannot read the exercise folder {}", .dir.display())]
    #[diagnostic(help(
        "check the path, or create the folder and put exercise files (*.toml) in it"
    ))]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A text file read for the catalogue.
#[derive(Debug)]
pub struct ReadFile {
    /// Its path, as diagnostics name it.
    pub path: String,
    /// Its text.
    pub text: String,
}

impl ReadFile {
    /// Borrowed as a catalogue source file.
    pub fn source(&self) -> SourceFile<'_> {
        SourceFile {
            path: &self.path,
            text: &self.text,
        }
    }
}

/// A `*.toml` file in a folder, with what the cache fingerprint needs.
#[derive(Debug)]
struct Listed {
    path: PathBuf,
    len: u64,
    modified_ns: u128,
}

/// Lists every `*.toml` file in a folder (not its subfolders), sorted by name.
fn list_toml_dir(dir: &Path) -> Result<Vec<Listed>, FolderError> {
    let entries = std::fs::read_dir(dir).map_err(|source| FolderError::Folder {
        dir: dir.to_path_buf(),
        source,
    })?;
    let toml: Vec<std::fs::DirEntry> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            Path::new(&e.file_name())
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .collect();
    let stat = |e: &std::fs::DirEntry| -> Option<Listed> {
        // Follows a symlink, as reading the file does; a regular file's entry needs no path
        // walk (statx relative to the open folder).
        let meta = match e.file_type().ok()? {
            t if t.is_symlink() => std::fs::metadata(e.path()).ok()?,
            _ => e.metadata().ok()?,
        };
        meta.is_file().then(|| Listed {
            path: e.path(),
            len: meta.len(),
            modified_ns: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
        })
    };
    // One metadata call a file is most of a warm start with a large folder (about 2 µs
    // each); two threads were measured and gained nothing, the kernel being the limit.
    let mut out: Vec<Listed> = toml.iter().filter_map(stat).collect();
    // By name, byte by byte (all are in one folder, so this is the path order).
    out.sort_by(|a, b| {
        a.path
            .as_os_str()
            .as_encoded_bytes()
            .cmp(b.path.as_os_str().as_encoded_bytes())
    });
    Ok(out)
}

/// Reads the listed files. One that cannot be read, is not UTF-8 or is too large is left
/// out with a problem naming it; the others still load.
fn read_listed(listed: &[Listed]) -> (Vec<ReadFile>, Vec<Diagnostic>) {
    use std::io::Read;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for l in listed {
        let path = l.path.display().to_string();
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&l.path)
            .and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes));
        if let Err(e) = read {
            problems.push(Diagnostic::whole_file(
                &path,
                format!("cannot be read: {e}"),
                "check that the file is yours and readable",
            ));
            continue;
        }
        if bytes.len() > MAX_FILE_BYTES {
            problems.push(Diagnostic::whole_file(
                &path,
                format!(
                    "is larger than {} KiB, the most an exercise file may be",
                    MAX_FILE_BYTES >> 10
                ),
                "keep one exercise per file, in a few short lines",
            ));
            continue;
        }
        match String::from_utf8(bytes) {
            Ok(text) => files.push(ReadFile { path, text }),
            Err(_) => problems.push(Diagnostic::whole_file(
                &path,
                "is not UTF-8 text".into(),
                "save the file as UTF-8 text",
            )),
        }
    }
    (files, problems)
}

/// Reads every `*.toml` file in a folder (not its subfolders), sorted by name, with a
/// problem for each file that could not be read as text.
pub fn read_toml_dir(dir: &Path) -> Result<(Vec<ReadFile>, Vec<Diagnostic>), FolderError> {
    Ok(read_listed(&list_toml_dir(dir)?))
}

/// Parses files on every core when there are enough to be worth it; the catalogue itself
/// never starts a thread.
fn parse_parallel(files: &[SourceFile<'_>]) -> Vec<ParsedFile> {
    const PER_THREAD: usize = 512;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if files.len() < 2 * PER_THREAD || threads < 2 {
        return catalog::parse_files(files);
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || catalog::parse_files(part)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                // A panic in a parser thread is a bug; re-raise it where it can be seen.
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    })
}

/// The parsed-catalogue cache for large user folders.
mod cache {
    use super::*;

    /// Folders with fewer files are parsed every time (it takes under a few milliseconds).
    pub const MIN_FILES: usize = 200;

    /// The cache file is three lines and a payload: a format tag, the key it was made
    /// for, the payload's checksum, then the payload (compact JSON). A damaged or edited
    /// cache fails the checksum and is re-derived instead of trusted; the payload is parsed
    /// once, straight from the file's bytes.
    const FORMAT: &str = "backstretch-catalog-cache 2";

    #[derive(Serialize, Deserialize)]
    struct Payload {
        invalid_files: usize,
        entries: Vec<Entry>,
    }

    /// A checksum of the payload: FNV-1a over 8-byte words (fast enough for megabytes).
    fn sum(payload: &[u8]) -> String {
        let mut h = backstretch_core::hash::START;
        let mut chunks = payload.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
            h = (h ^ w).wrapping_mul(0x0100_0000_01b3);
        }
        h = backstretch_core::hash::fnv(h, chunks.remainder());
        format!("{h:016x}")
    }

    /// What the cached result depends on: this build, the built-in catalogue, the folder,
    /// and each file's name, size and modification time.
    pub fn fingerprint(dir: &Path, listing: &[Listed]) -> String {
        let mut h = Hasher::default();
        h.add(env!("CARGO_PKG_VERSION").as_bytes());
        for (p, t) in BUILTIN_FILES {
            h.add(p.as_bytes()).add(t.as_bytes());
        }
        h.add(dir.as_os_str().as_encoded_bytes());
        for l in listing {
            h.add(l.path.as_os_str().as_encoded_bytes())
                .add(&l.len.to_le_bytes())
                .add(&l.modified_ns.to_le_bytes());
        }
        format!("{:016x}-{}", h.finish(), listing.len())
    }

    /// The cached catalogue, if the cache is there, readable and for this key.
    pub fn read(path: &Path, key: &str) -> Option<(Catalog, usize)> {
        let bytes = std::fs::read(path).ok()?;
        let mut parts = bytes.splitn(4, |b| *b == b'\n');
        let (format, k, sum_line, payload) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if format != FORMAT.as_bytes() || k != key.as_bytes() || sum_line != sum(payload).as_bytes()
        {
            return None;
        }
        let p: Payload = serde_json::from_slice(payload).ok()?;
        Some((Catalog::from_entries(p.entries), p.invalid_files))
    }

    /// Writes the cache atomically; a cache that cannot be written is simply not used.
    pub fn write(path: &Path, key: &str, loaded: &Loaded) {
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(payload) = serde_json::to_vec(&Payload {
            invalid_files: loaded.invalid_files,
            entries: loaded.catalog.entries().to_vec(),
        }) else {
            return;
        };
        let mut bytes = format!("{FORMAT}\n{key}\n{}\n", sum(&payload)).into_bytes();
        bytes.extend_from_slice(&payload);
        let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let written = o
            .open(&tmp)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes));
        if written.is_err() || std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Where a data directory's catalogue comes from.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The user's exercise folder.
    pub dir: PathBuf,
    /// Whether the user named it (then it must exist).
    pub explicit: bool,
    /// Where the parsed cache of a large folder is kept.
    pub cache: PathBuf,
}

/// A loaded catalogue, and how many of the user's files were left out as invalid.
#[derive(Debug, Clone)]
pub struct LoadedCatalog {
    /// The catalogue.
    pub catalog: Catalog,
    /// Invalid user files left out (`catalog check` names their problems).
    pub invalid_files: usize,
}

impl Folder {
    /// The built-in catalogue overlaid with the folder: none when the default folder does
    /// not exist, an error when a folder named explicitly does not. A large folder is parsed
    /// once and cached, keyed by this build, the folder and every file's name, size and
    /// modification time; any change re-reads it.
    pub fn load(&self) -> Result<LoadedCatalog, FolderError> {
        if !self.explicit && !self.dir.is_dir() {
            return Ok(builtin());
        }
        let listing = list_toml_dir(&self.dir)?;
        if listing.is_empty() {
            return Ok(builtin());
        }
        let key = cache::fingerprint(&self.dir, &listing);
        let (catalog, invalid_files) = match cache::read(&self.cache, &key) {
            Some(hit) => hit,
            None => {
                let (files, unreadable) = read_listed(&listing);
                let user: Vec<SourceFile<'_>> = files.iter().map(ReadFile::source).collect();
                let mut loaded =
                    Catalog::load_with(&catalog::builtin_files(), &user, parse_parallel);
                loaded.invalid_files += unreadable.len();
                if listing.len() >= cache::MIN_FILES {
                    cache::write(&self.cache, &key, &loaded);
                }
                (loaded.catalog, loaded.invalid_files)
            }
        };
        Ok(LoadedCatalog {
            catalog,
            invalid_files,
        })
    }
}

fn builtin() -> LoadedCatalog {
    LoadedCatalog {
        catalog: catalog::builtin().catalog,
        invalid_files: 0,
    }
}
