use std::path::{Path, PathBuf};

use backstretch_core::BUILTIN_FILES;
use backstretch_core::catalog::{
    self, Catalog, Diagnostic, Loaded, MAX_FILE_BYTES, ParsedFile, SourceFile,
};
use backstretch_core::hash::Hasher;
use backstretch_core::time::Stamp;

use super::listing::{self, Contents, Listed, Listing, Names};

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

/// Reads the listed files. One that cannot be read, is not UTF-8 or is too large is left
/// out with a problem naming it; the others still load.
fn read_listed(dir: &Path, listed: &[Listed]) -> (Vec<ReadFile>, Vec<Diagnostic>) {
    use std::io::Read;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for l in listed {
        let full = dir.join(&l.name);
        let path = full.display().to_string();
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&full)
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
    Ok(read_listed(dir, &Listing::files(dir)?))
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
            .flat_map(|h| super::rethrow(h.join()))
            .collect()
    })
}

/// The parsed-catalogue cache for large user folders.
mod cache {
    use super::*;
    use crate::catalog::codec;

    /// Folders with fewer files are parsed every time (it takes under a few milliseconds).
    pub const MIN_FILES: usize = 200;

    /// The cache file is three lines, then the index and the bodies: a format tag, the key
    /// it was made for, the index's checksum; then the count of invalid files and the
    /// length of the heads (8 bytes each), the heads and the bodies, in [`codec`]'s binary
    /// form. A warm start reads the lines, the index and the bodies it needs. A damaged
    /// or edited index fails the checksum and is re-derived instead of trusted; so is a body.
    const FORMAT: &str = "backstretch-catalog-cache 5";

    /// A checksum of the payload, given in parts (so a warm start need not join them):
    /// FNV-1a over 8-byte words (fast enough for megabytes). Every part but the last is a
    /// whole number of words.
    fn sum(parts: &[&[u8]]) -> String {
        let mut h = backstretch_core::hash::START;
        for (i, part) in parts.iter().enumerate() {
            let mut chunks = part.chunks_exact(8);
            for c in &mut chunks {
                let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
                h = (h ^ w).wrapping_mul(0x0100_0000_01b3);
            }
            debug_assert!(chunks.remainder().is_empty() || i + 1 == parts.len());
            h = backstretch_core::hash::fnv(h, chunks.remainder());
        }
        format!("{h:016x}")
    }

    /// What the cached result depends on: this build, the built-in catalogue, the folder,
    /// and each file's name, size and modification time (summed as they were listed).
    pub fn fingerprint(dir: &Path, count: usize, sum: u64) -> String {
        let mut h = Hasher::default();
        h.add(env!("CARGO_PKG_VERSION").as_bytes());
        for (p, t) in BUILTIN_FILES {
            h.add(p.as_bytes()).add(t.as_bytes());
        }
        h.add(dir.as_os_str().as_encoded_bytes())
            .add(&sum.to_le_bytes());
        format!("{:016x}-{count}", h.finish())
    }

    /// A cache read from its file: the key it was made for, and what it holds.
    pub struct Cached {
        pub key: String,
        pub catalog: Catalog,
        pub invalid_files: usize,
    }

    /// Reads one line (without its `\n`), of at most 200 bytes.
    fn line(r: &mut impl std::io::BufRead) -> Option<Vec<u8>> {
        use std::io::{BufRead, Read};
        let mut out = Vec::new();
        r.take(200).read_until(b'\n', &mut out).ok()?;
        (out.pop()? == b'\n').then_some(out)
    }

    /// The cache, if it is there, readable and intact, whatever key it was made for (it is
    /// read while the folder is listed, before the key is known). Only the index is read
    /// now; the open file reads each body when its entry is first used (a cache replaced
    /// meanwhile is a new file: this one stays as it was).
    pub fn read(path: &Path) -> Option<Cached> {
        use std::io::{Read, Seek, SeekFrom};
        let file = std::fs::File::open(path).ok()?;
        let size = file.metadata().ok()?.len();
        let mut r = std::io::BufReader::with_capacity(1 << 16, file);
        let (format, key, sum_line) = (line(&mut r)?, line(&mut r)?, line(&mut r)?);
        if format != FORMAT.as_bytes() {
            return None;
        }
        let mut index = [0u8; 16];
        r.read_exact(&mut index).ok()?;
        let word = |i: usize| u64::from_le_bytes(index[i..i + 8].try_into().unwrap_or_default());
        let (invalid, heads_len) = (word(0), word(8));
        let start = (format.len() + key.len() + sum_line.len() + 3 + 16) as u64;
        let bodies_at = start.checked_add(heads_len).filter(|end| *end <= size)?;
        let mut heads = vec![0; usize::try_from(heads_len).ok()?];
        r.read_exact(&mut heads).ok()?;
        if sum_line != sum(&[&index, &heads]).as_bytes() {
            return None;
        }
        let file = std::sync::Mutex::new(r.into_inner());
        let read_body = move |at: u64, len: usize| -> Option<Vec<u8>> {
            let mut f = file.lock().ok()?;
            f.seek(SeekFrom::Start(bodies_at.checked_add(at)?)).ok()?;
            let mut buf = vec![0; len];
            f.read_exact(&mut buf).ok()?;
            Some(buf)
        };
        Some(Cached {
            key: String::from_utf8(key).ok()?,
            catalog: codec::catalog(heads, std::sync::Arc::new(read_body))?,
            invalid_files: usize::try_from(invalid).ok()?,
        })
    }

    /// Writes the cache; a cache that cannot be written is simply not used.
    pub fn write(path: &Path, key: &str, loaded: &Loaded) {
        let Ok(encoded) = codec::encode(loaded.catalog.entries()) else {
            return;
        };
        let mut index = (loaded.invalid_files as u64).to_le_bytes().to_vec();
        index.extend((encoded.heads.len() as u64).to_le_bytes());
        index.extend(encoded.heads);
        let mut bytes = format!("{FORMAT}\n{key}\n{}\n", sum(&[&index])).into_bytes();
        bytes.extend(index);
        bytes.extend(encoded.bodies);
        write_private(path, &bytes);
    }
}

/// Writes a file of the cache folder atomically (another file, then renamed over it),
/// readable by the user alone, making the folder (theirs alone too) if need be. A file
/// that cannot be written is left as it was: a cache is only ever a shortcut.
pub(super) fn write_private(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    let mut d = std::fs::DirBuilder::new();
    d.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        d.mode(0o700);
    }
    if d.create(dir).is_err() {
        return;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let written = o
        .open(&tmp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
    if written.is_err() || std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
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
    /// modification time; any change re-reads it. `now` is when the command began.
    pub fn load(&self, now: Stamp) -> Result<LoadedCatalog, FolderError> {
        if !self.explicit && !self.dir.is_dir() {
            return Ok(builtin());
        }
        // The folder is listed on other threads while this one reads the cache; the cache
        // is used only if its key matches the listing.
        let listing = Listing::start(&self.dir, Some(self.names(now)));
        let cached = cache::read(&self.cache);
        self.for_listing(listing.finish()?, cached)
    }

    /// [`Folder::load`], answering at once from a cache before the folder has been
    /// listed to check it: the listing goes on in the background, and [`Check::confirm`]
    /// says whether the catalogue was the folder's, or gives the one that is. A caller does
    /// its work with the early catalogue while the folder is listed (most of a warm start
    /// with 10,000 files), and uses nothing of it before the check confirms it.
    pub fn load_early(&self, now: Stamp) -> Result<(LoadedCatalog, Check), FolderError> {
        if !self.explicit && !self.dir.is_dir() {
            return Ok((builtin(), Check(None)));
        }
        let listing = Listing::start(&self.dir, Some(self.names(now)));
        match cache::read(&self.cache) {
            None => Ok((self.for_listing(listing.finish()?, None)?, Check(None))),
            Some(c) => {
                let early = LoadedCatalog {
                    catalog: c.catalog,
                    invalid_files: c.invalid_files,
                };
                let pending = Pending {
                    listing,
                    key: c.key,
                    folder: self.clone(),
                };
                Ok((early, Check(Some(pending))))
            }
        }
    }

    /// Where a large folder's names are kept between listings: beside the cache.
    fn names_path(&self) -> PathBuf {
        self.cache.with_file_name("folder-names.bin")
    }

    /// How a listing of the folder keeps its names.
    fn names(&self, now: Stamp) -> Names {
        Names {
            path: self.names_path(),
            now_s: now.utc_s,
            min_files: cache::MIN_FILES,
        }
    }

    /// Removes what was kept for a folder that was large and no longer is.
    fn clear_kept(&self) {
        let _ = std::fs::remove_file(&self.cache);
        let _ = std::fs::remove_file(self.names_path());
    }

    /// The catalogue for a listing of the folder, from the cache when it is for this
    /// listing, or else from the files (caching a large folder).
    fn for_listing(
        &self,
        listing: Contents,
        cached: Option<cache::Cached>,
    ) -> Result<LoadedCatalog, FolderError> {
        let count = listing.count;
        if count == 0 {
            return Ok(builtin());
        }
        if count < cache::MIN_FILES && cached.is_some() {
            // Left from when the folder was larger: never used again.
            self.clear_kept();
        }
        let key = cache::fingerprint(&self.dir, count, listing.sum);
        if let Some(hit) = cached.filter(|c| c.key == key) {
            return Ok(LoadedCatalog {
                catalog: hit.catalog,
                invalid_files: hit.invalid_files,
            });
        }
        // Listed by its kept names, the folder has changed: it is read in full to read its
        // files (and keyed by what was read).
        let (listed, key) = match listing.files {
            Some(mut files) => {
                files.sort_unstable_by(|a, b| a.name.cmp(&b.name));
                (files, key)
            }
            None => {
                let files = Listing::files(&self.dir)?;
                let key = cache::fingerprint(&self.dir, files.len(), listing::sum(&files));
                (files, key)
            }
        };
        let (files, unreadable) = read_listed(&self.dir, &listed);
        let user: Vec<SourceFile<'_>> = files.iter().map(ReadFile::source).collect();
        let mut loaded = Catalog::load_with(&catalog::builtin_files(), &user, parse_parallel);
        loaded.invalid_files += unreadable.len();
        if listed.len() >= cache::MIN_FILES {
            cache::write(&self.cache, &key, &loaded);
        }
        Ok(LoadedCatalog {
            catalog: loaded.catalog,
            invalid_files: loaded.invalid_files,
        })
    }
}

/// The check of an early catalogue ([`Folder::load_early`]).
#[derive(Debug)]
#[must_use = "an early catalogue is not the folder's until the check confirms it"]
pub struct Check(Option<Pending>);

/// A cache trusted early, and the listing that will tell whether it was right.
#[derive(Debug)]
struct Pending {
    listing: Listing,
    key: String,
    folder: Folder,
}

impl Check {
    /// Waits for the listing: `None` when the early catalogue is the folder's, or the
    /// catalogue the folder holds now (the cache was for other files).
    pub fn confirm(self) -> Result<Option<LoadedCatalog>, FolderError> {
        let Some(p) = self.0 else { return Ok(None) };
        let listing = p.listing.finish()?;
        let f = &p.folder;
        if listing.count < cache::MIN_FILES {
            // Left from when the folder was larger: never used again.
            f.clear_kept();
        } else if cache::fingerprint(&f.dir, listing.count, listing.sum) == p.key {
            return Ok(None);
        }
        f.for_listing(listing, None).map(Some)
    }
}

fn builtin() -> LoadedCatalog {
    LoadedCatalog {
        catalog: catalog::builtin().catalog,
        invalid_files: 0,
    }
}
