//! Listing a folder's exercise files with each one's size and modification time: what a
//! warm start checks to know that its cache still describes the folder.
//!
//! With 10,000 files this is most of a warm `plan`, nearly all of it in the kernel: reading
//! the folder's entries, then one metadata call a file. On Linux the names come straight
//! from `getdents`, and each file is `statx`ed relative to the open folder (size and time
//! only) while the folder is still being read: by a helper thread, by the reading thread
//! once it has read every name, and by whichever thread asks for the result
//! ([`Listing::finish`]), so no core waits while another has files left to check.
//!
//! Reading the entries is skipped when it can be: a listing keeps the names it read (see
//! [`Names`]) with the folder's identity and change times, and the next listing, finding
//! the folder unchanged, checks those names at once on two threads. A file edited in place
//! changes its own size or time, not the folder's, and is seen either way.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use backstretch_core::hash::{Hasher, mix};

use super::loader::FolderError;

/// A `*.toml` file in a folder, with what the cache fingerprint needs.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Listed {
    /// Its name in the folder.
    pub(super) name: OsString,
    /// Its size in bytes.
    pub(super) len: u64,
    /// Its modification time, in nanoseconds since 1970.
    pub(super) modified_ns: u128,
}

impl Listed {
    fn hash(&self) -> u64 {
        file_hash(self.name.as_encoded_bytes(), self.len, self.modified_ns)
    }
}

/// A file's part of the folder's fingerprint: a hash of its name, size and time, spread so
/// that a sum of them is a fingerprint of the whole folder in any order.
fn file_hash(name: &[u8], len: u64, modified_ns: u128) -> u64 {
    let mut h = Hasher::default();
    h.add(name)
        .add(&len.to_le_bytes())
        .add(&modified_ns.to_le_bytes());
    mix(h.finish())
}

/// The `*.toml` files a folder holds, in no particular order, and the sum of their
/// [`file_hash`]es, made while they were listed, on every listing thread: a warm start
/// compares the folder with its cache without sorting or hashing 10,000 names on the
/// thread that waits. One file that changes its name, size or time changes the sum unless
/// two different files hash alike (a chance of one in 2^64).
#[derive(Debug)]
pub(super) struct Contents {
    /// The files; `None` when the folder was listed by the names kept from last time,
    /// which tells whether it changed but not what it holds (see [`Listing::files`]).
    pub(super) files: Option<Vec<Listed>>,
    /// How many there are.
    pub(super) count: usize,
    /// The sum of their hashes (wrapping).
    pub(super) sum: u64,
}

/// The sum of the files' hashes, as a listing makes it.
pub(super) fn sum(files: &[Listed]) -> u64 {
    files.iter().fold(0u64, |s, l| s.wrapping_add(l.hash()))
}

impl Contents {
    /// The contents of a listing made on one thread (the sum made afterwards).
    #[cfg(any(not(target_os = "linux"), test))]
    fn of(files: Vec<Listed>) -> Contents {
        let sum = sum(&files);
        Contents {
            count: files.len(),
            files: Some(files),
            sum,
        }
    }
}

/// Whether a file name is an exercise file's: `*.toml`, as [`Path::extension`] reads it
/// (so not a hidden file named `.toml`).
pub(super) fn is_toml(name: &[u8]) -> bool {
    name.len() > ".toml".len() && name.ends_with(b".toml")
}

/// Where a listing keeps the names it read, so that the next listing of the same folder,
/// unchanged, need not read them again.
///
/// The folder's identity and change times are kept with its names; while they are the
/// same, no entry was made, removed or renamed since (each changes both times). A change
/// made within the clock's resolution of the reading could leave the times as they were,
/// so names are kept only from a folder that had not changed for [`SETTLED_S`] seconds
/// before the command began (the rule git uses for its index). A folder whose times are
/// set back by hand after a change is not caught; its change time cannot be set back.
#[derive(Debug, Clone)]
pub(super) struct Names {
    /// The file.
    pub(super) path: PathBuf,
    /// When the command began, in seconds since 1970.
    pub(super) now_s: i64,
    /// Folders with fewer files are listed in full every time.
    pub(super) min_files: usize,
}

/// How long a folder must have been left alone before its names are kept.
const SETTLED_S: i64 = 2;

/// A listing of a folder's `*.toml` files (not its subfolders' files), under way on other
/// threads from [`Listing::start`] until [`Listing::finish`]. Dropped unfinished, its
/// threads finish on their own.
#[derive(Debug)]
pub(super) struct Listing(imp::Listing);

impl Listing {
    /// Starts listing `dir`, by the names kept in `names` when they are still the folder's.
    pub(super) fn start(dir: &Path, names: Option<Names>) -> Listing {
        Listing(imp::Listing::start(dir, names))
    }

    /// Every `*.toml` regular file in the folder (a symbolic link is followed, as reading
    /// the file does). The calling thread helps until it is done.
    pub(super) fn finish(self) -> Result<Contents, FolderError> {
        self.0.finish()
    }

    /// Every `*.toml` regular file in the folder, sorted by name byte by byte: read in
    /// full, for reading the files.
    pub(super) fn files(dir: &Path) -> Result<Vec<Listed>, FolderError> {
        // A listing with no kept names reads the folder, so it always has the files.
        let mut files = Listing::start(dir, None)
            .finish()?
            .files
            .unwrap_or_default();
        files.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }
}

fn join<T>(h: std::thread::JoinHandle<T>) -> T {
    super::rethrow(h.join())
}

fn failed(dir: &Path, source: std::io::Error) -> FolderError {
    FolderError::Folder {
        dir: dir.to_path_buf(),
        source,
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::{CStr, CString, OsString};
    use std::ops::Range;
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::ffi::OsStringExt;
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
    use std::thread::JoinHandle;

    use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, StatxFlags};
    use rustix::io::Errno;

    use super::{Contents, Listed, Names, SETTLED_S, failed, file_hash, is_toml, join};
    use crate::catalog::loader::{FolderError, write_private};

    /// Names are handed out to be checked this many at a time; a second batch brings in
    /// the helper thread (a small folder never starts it).
    const BATCH: usize = 256;

    #[derive(Debug)]
    pub(super) struct Listing {
        dir: PathBuf,
        /// The shared work and the reading thread, once the folder is open.
        running: Result<Running, Errno>,
    }

    type Running = (Arc<Shared>, JoinHandle<Result<(), Errno>>);

    /// What the threads share: the open folder and the work.
    #[derive(Debug)]
    struct Shared {
        fd: OwnedFd,
        dir: PathBuf,
        names: Option<Names>,
        work: Mutex<Work>,
        changed: Condvar,
    }

    /// Names to check.
    #[derive(Debug)]
    enum Batch {
        /// Read from the folder.
        Read(Vec<CString>),
        /// Kept from last time: the NUL-terminated names in this part of the kept bytes.
        Kept(Arc<Vec<u8>>, Range<usize>),
    }

    #[derive(Debug, Default)]
    struct Work {
        /// Batches of names not yet checked.
        todo: Vec<Batch>,
        /// Whether every name has been handed out (or reading failed).
        read_all: bool,
        /// Whether the names were kept ones (then no file is collected, only counted).
        kept: bool,
        /// The files checked so far (read ones only), how many, and the sum of their
        /// hashes.
        done: Vec<Listed>,
        count: usize,
        sum: u64,
        /// The helper thread, once started.
        helper: Option<JoinHandle<()>>,
    }

    impl Listing {
        pub(super) fn start(dir: &Path, names: Option<Names>) -> Listing {
            let running = rustix::fs::open(
                dir,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map(|fd| {
                let shared = Arc::new(Shared {
                    fd,
                    dir: dir.to_path_buf(),
                    names,
                    work: Mutex::default(),
                    changed: Condvar::new(),
                });
                let reader = {
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || {
                        let read = Shared::read(&shared);
                        shared.help();
                        read
                    })
                };
                (shared, reader)
            });
            Listing {
                dir: dir.to_path_buf(),
                running,
            }
        }

        pub(super) fn finish(self) -> Result<Contents, FolderError> {
            let failed = |e: Errno| failed(&self.dir, e.into());
            let (shared, reader) = self.running.map_err(failed)?;
            shared.help();
            let read = join(reader);
            // The reader started the helper, if it did, before it finished. (Not joined
            // under the lock: the helper takes it to hand in its results.)
            let helper = shared.lock().helper.take();
            if let Some(helper) = helper {
                join(helper);
            }
            read.map_err(failed)?;
            let mut work = shared.lock();
            let done = std::mem::take(&mut work.done);
            Ok(Contents {
                count: work.count,
                files: (!work.kept).then_some(done),
                sum: work.sum,
            })
        }
    }

    impl Shared {
        fn lock(&self) -> MutexGuard<'_, Work> {
            // A thread that panicked holding the lock is re-raised at its join.
            self.work.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// Hands out every name, from the kept ones when they are still the folder's or
        /// else read in batches; says when it is done, even when reading failed, so no
        /// helper waits for ever. Names read from a settled folder are kept afterwards,
        /// while the others finish checking.
        fn read(shared: &Arc<Shared>) -> Result<(), Errno> {
            let stamp = Stamp::of(&shared.fd);
            let kept = stamp.and_then(|s| Some((s, shared.names.as_ref()?)));
            let mut to_keep = None;
            let read = match kept.and_then(|(s, n)| Kept::read(n, &shared.dir, s)) {
                Some((bytes, at)) => {
                    shared.lock().kept = true;
                    let ranges = batches(&bytes[at..]);
                    let bytes = Arc::new(bytes);
                    for r in ranges {
                        let range = r.start + at..r.end + at;
                        Shared::hand_out(shared, Batch::Kept(Arc::clone(&bytes), range));
                    }
                    // None read from the folder (nor kept again).
                    Ok(0)
                }
                None => {
                    // Kept for next time only from a folder left alone for a while.
                    let keep = kept.filter(|(s, n)| s.settled(n));
                    let mut names = keep.map(|_| Vec::new());
                    let read = Shared::read_dir(shared, names.as_mut());
                    to_keep = keep.zip(names);
                    read
                }
            };
            shared.lock().read_all = true;
            shared.changed.notify_all();
            if let (Ok(count), Some(((stamp, names), bytes))) = (&read, to_keep)
                && *count >= names.min_files
            {
                Kept::write(names, &shared.dir, stamp, &bytes);
            }
            read.map(drop)
        }

        /// Reads every name from the folder, handing them out in batches, and appends each
        /// to `kept` (NUL-terminated) when given; how many there were.
        fn read_dir(shared: &Arc<Shared>, mut kept: Option<&mut Vec<u8>>) -> Result<usize, Errno> {
            let mut count = 0;
            let mut batch = Vec::with_capacity(BATCH);
            for entry in Dir::read_from(&shared.fd)? {
                let entry = entry?;
                let name = entry.file_name();
                if is_toml(name.to_bytes())
                    && matches!(
                        entry.file_type(),
                        FileType::RegularFile | FileType::Symlink | FileType::Unknown
                    )
                {
                    if let Some(k) = kept.as_deref_mut() {
                        k.extend_from_slice(name.to_bytes_with_nul());
                    }
                    count += 1;
                    batch.push(name.to_owned());
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        Shared::hand_out(shared, Batch::Read(full));
                    }
                }
            }
            Shared::hand_out(shared, Batch::Read(batch));
            Ok(count)
        }

        /// Hands out a batch of names, starting the helper at the second.
        fn hand_out(shared: &Arc<Shared>, batch: Batch) {
            let mut work = shared.lock();
            work.todo.push(batch);
            if work.todo.len() > 1 && work.helper.is_none() {
                let helper = Arc::clone(shared);
                work.helper = Some(std::thread::spawn(move || helper.help()));
            }
            drop(work);
            shared.changed.notify_one();
        }

        /// Checks batches until every name has been handed out and checked.
        ///
        /// Each thread checks through its own handle on the folder: with threads sharing
        /// one, every call would count a reference to it up and down, and the two cores
        /// would pass that count back and forth (about a third slower on this machine).
        fn help(&self) {
            let own = rustix::fs::openat(
                &self.fd,
                c".",
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            );
            let fd = own.as_ref().unwrap_or(&self.fd);
            let (mut mine, mut count, mut sum) = (Vec::new(), 0, 0u64);
            let mut work = self.lock();
            loop {
                if let Some(batch) = work.todo.pop() {
                    drop(work);
                    match batch {
                        Batch::Read(names) => {
                            for l in names.into_iter().filter_map(|name| check(fd, name)) {
                                sum = sum.wrapping_add(l.hash());
                                count += 1;
                                mine.push(l);
                            }
                        }
                        Batch::Kept(bytes, range) => {
                            for name in bytes[range].split_inclusive(|b| *b == 0) {
                                let Ok(name) = CStr::from_bytes_with_nul(name) else {
                                    continue;
                                };
                                if let Some((len, modified_ns)) = meta(fd, name) {
                                    sum = sum.wrapping_add(file_hash(
                                        name.to_bytes(),
                                        len,
                                        modified_ns,
                                    ));
                                    count += 1;
                                }
                            }
                        }
                    }
                    work = self.lock();
                } else if work.read_all {
                    break;
                } else {
                    work = self
                        .changed
                        .wait(work)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
            work.done.append(&mut mine);
            work.count += count;
            work.sum = work.sum.wrapping_add(sum);
        }
    }

    /// A file's size and time, if it is (or links to) a regular file; `None` for one
    /// that went away since it was named, as it would be had it gone a moment earlier.
    fn meta(dir: &OwnedFd, name: &CStr) -> Option<(u64, u128)> {
        // Follows a symlink, as reading the file does.
        let mask = StatxFlags::TYPE | StatxFlags::SIZE | StatxFlags::MTIME;
        let st = rustix::fs::statx(dir, name, AtFlags::empty(), mask).ok()?;
        let regular = FileType::from_raw_mode(st.stx_mode.into()) == FileType::RegularFile;
        let secs = u128::try_from(st.stx_mtime.tv_sec).unwrap_or(0);
        regular.then(|| {
            (
                st.stx_size,
                secs * 1_000_000_000 + u128::from(st.stx_mtime.tv_nsec),
            )
        })
    }

    fn check(dir: &OwnedFd, name: CString) -> Option<Listed> {
        let (len, modified_ns) = meta(dir, &name)?;
        Some(Listed {
            name: OsString::from_vec(name.into_bytes()),
            len,
            modified_ns,
        })
    }

    /// A folder's identity and the times it last changed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Stamp {
        dev: u64,
        ino: u64,
        modified: (i64, u32),
        changed: (i64, u32),
    }

    impl Stamp {
        /// The open folder's stamp; `None` when the file system does not give every part.
        fn of(fd: impl AsFd) -> Option<Stamp> {
            let mask = StatxFlags::INO | StatxFlags::MTIME | StatxFlags::CTIME;
            let st = rustix::fs::statx(fd, c"", AtFlags::EMPTY_PATH, mask).ok()?;
            (StatxFlags::from_bits_retain(st.stx_mask).contains(mask)).then(|| Stamp {
                dev: (u64::from(st.stx_dev_major) << 32) | u64::from(st.stx_dev_minor),
                ino: st.stx_ino,
                modified: (st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec),
                changed: (st.stx_ctime.tv_sec, st.stx_ctime.tv_nsec),
            })
        }

        /// Whether the folder had not changed for [`SETTLED_S`] seconds before the command
        /// began.
        fn settled(self, names: &Names) -> bool {
            self.modified
                .0
                .max(self.changed.0)
                .saturating_add(SETTLED_S)
                <= names.now_s
        }
    }

    /// The kept names file: a tag line, then the folder's stamp and path, then the names,
    /// each ending in a NUL byte; numbers are 8 bytes, little-endian.
    struct Kept;

    impl Kept {
        const TAG: &[u8] = b"backstretch-folder-names 1\n";

        fn encode(dir: &Path, s: Stamp, names: &[u8]) -> Vec<u8> {
            let dir = dir.as_os_str().as_encoded_bytes();
            let mut out = Vec::with_capacity(Self::TAG.len() + 8 * 8 + dir.len() + names.len());
            out.extend_from_slice(Self::TAG);
            for n in [
                s.dev,
                s.ino,
                s.modified.0 as u64,
                u64::from(s.modified.1),
                s.changed.0 as u64,
                u64::from(s.changed.1),
                dir.len() as u64,
                names.len() as u64,
            ] {
                out.extend_from_slice(&n.to_le_bytes());
            }
            out.extend_from_slice(dir);
            out.extend_from_slice(names);
            out
        }

        /// The names kept for this folder, if the file is there, well formed and was made
        /// for the folder as it is now: the file's bytes, and where the names start.
        fn decode(bytes: Vec<u8>, dir: &Path, now: Stamp) -> Option<(Vec<u8>, usize)> {
            let mut at = Self::TAG.len();
            if !bytes.starts_with(Self::TAG) {
                return None;
            }
            let mut word = || {
                let w = bytes.get(at..at + 8)?;
                at += 8;
                Some(u64::from_le_bytes(w.try_into().ok()?))
            };
            let [dev, ino, ms, mn, cs, cn, dir_len, names_len] = [(); 8].map(|()| word());
            let kept = Stamp {
                dev: dev?,
                ino: ino?,
                modified: (ms? as i64, u32::try_from(mn?).ok()?),
                changed: (cs? as i64, u32::try_from(cn?).ok()?),
            };
            let dir_len = usize::try_from(dir_len?).ok()?;
            let names_len = usize::try_from(names_len?).ok()?;
            let dir = dir.as_os_str().as_encoded_bytes();
            let names_at = at.checked_add(dir_len)?;
            let fits = names_at.checked_add(names_len) == Some(bytes.len());
            let ok = fits
                && kept == now
                && &bytes[at..names_at] == dir
                && bytes.last().is_none_or(|b| *b == 0)
                // A name is never a path: nothing outside the folder is looked at.
                && !bytes[names_at..].contains(&b'/');
            ok.then_some((bytes, names_at))
        }

        fn read(names: &Names, dir: &Path, now: Stamp) -> Option<(Vec<u8>, usize)> {
            Kept::decode(std::fs::read(&names.path).ok()?, dir, now)
        }

        fn write(names: &Names, dir: &Path, stamp: Stamp, bytes: &[u8]) {
            write_private(&names.path, &Kept::encode(dir, stamp, bytes));
        }
    }

    /// Kept names in batches of [`BATCH`].
    pub(super) fn batches(names: &[u8]) -> Vec<Range<usize>> {
        let ends = names
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == 0)
            .map(|(i, _)| i + 1);
        let mut out = Vec::new();
        let mut start = 0;
        for (n, end) in ends.enumerate() {
            if (n + 1) % BATCH == 0 {
                out.push(start..end);
                start = end;
            }
        }
        if start < names.len() {
            out.push(start..names.len());
        }
        out
    }
}

/// The portable way: `read_dir`, then one metadata call a file, on one other thread. On
/// Linux it is built for the tests, which check the fast way against it.
#[cfg(any(not(target_os = "linux"), test))]
mod portable {
    use std::path::{Path, PathBuf};
    use std::thread::JoinHandle;

    use super::{Contents, Listed, failed, is_toml, join};
    use crate::catalog::loader::FolderError;

    #[derive(Debug)]
    pub(super) struct Listing {
        dir: PathBuf,
        thread: JoinHandle<std::io::Result<Vec<Listed>>>,
    }

    impl Listing {
        /// Kept names are a Linux matter: here the folder is always read.
        pub(super) fn start(dir: &Path, _: Option<super::Names>) -> Listing {
            let owned = dir.to_path_buf();
            Listing {
                dir: dir.to_path_buf(),
                thread: std::thread::spawn(move || list(&owned)),
            }
        }

        pub(super) fn finish(self) -> Result<Contents, FolderError> {
            join(self.thread)
                .map(Contents::of)
                .map_err(|e| failed(&self.dir, e))
        }
    }

    fn list(dir: &Path) -> std::io::Result<Vec<Listed>> {
        Ok(std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter(|e| is_toml(e.file_name().as_encoded_bytes()))
            .filter_map(|e| {
                // Follows a symlink, as reading the file does.
                let meta = match e.file_type().ok()? {
                    t if t.is_symlink() => std::fs::metadata(e.path()).ok()?,
                    _ => e.metadata().ok()?,
                };
                meta.is_file().then(|| Listed {
                    name: e.file_name(),
                    len: meta.len(),
                    modified_ns: meta
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos()),
                })
            })
            .collect())
    }
}

#[cfg(not(target_os = "linux"))]
use portable as imp;

#[cfg(test)]
mod tests {
    use super::*;

    /// The listing, sorted, checking that the sum made on the listing threads is the sum
    /// of the files' hashes.
    fn list(dir: &Path) -> Vec<Listed> {
        let c = Listing::start(dir, None).finish().unwrap();
        let mut files = c.files.expect("a folder read in full");
        assert_eq!(c.count, files.len());
        assert_eq!(c.sum, Contents::of(files.iter().map(copy).collect()).sum);
        files.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(files, Listing::files(dir).unwrap());
        files
    }

    fn copy(l: &Listed) -> Listed {
        Listed {
            name: l.name.clone(),
            ..*l
        }
    }

    fn portable(dir: &Path) -> Vec<Listed> {
        let mut files = portable::Listing::start(dir, None)
            .finish()
            .unwrap()
            .files
            .unwrap();
        files.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        files
    }

    fn names(l: &[Listed]) -> Vec<String> {
        l.iter().map(|l| l.name.to_string_lossy().into()).collect()
    }

    #[test]
    fn lists_toml_files_only_sorted_with_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("b.toml"), "bb").unwrap();
        std::fs::write(p.join("a.toml"), "a").unwrap();
        std::fs::write(p.join("notes.txt"), "x").unwrap();
        std::fs::write(p.join(".toml"), "hidden").unwrap();
        std::fs::create_dir(p.join("sub.toml")).unwrap();
        std::fs::write(p.join("sub.toml/c.toml"), "c").unwrap();
        let l = list(p);
        assert_eq!(names(&l), ["a.toml", "b.toml"]);
        assert_eq!(l.iter().map(|l| l.len).collect::<Vec<_>>(), [1, 2]);
        assert!(l.iter().all(|l| l.modified_ns > 0));
        assert_eq!(l, portable(p));
    }

    #[cfg(unix)]
    #[test]
    fn follows_links_to_files_and_leaves_out_broken_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("real.txt"), "abc").unwrap();
        std::os::unix::fs::symlink(p.join("real.txt"), p.join("link.toml")).unwrap();
        std::os::unix::fs::symlink(p.join("gone"), p.join("broken.toml")).unwrap();
        std::os::unix::fs::symlink(p, p.join("folder.toml")).unwrap();
        let l = list(p);
        assert_eq!(names(&l), ["link.toml"]);
        assert_eq!(l[0].len, 3);
        assert_eq!(l, portable(p));
    }

    #[test]
    fn a_large_folder_is_listed_whole_by_every_thread() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        // Enough for many batches, so the helper and the caller take part.
        for i in 0..3000 {
            std::fs::write(p.join(format!("e{i:05}.toml")), "x".repeat(i % 7)).unwrap();
        }
        std::fs::write(p.join("other.md"), "").unwrap();
        let l = list(p);
        assert_eq!(l.len(), 3000);
        assert!(l.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(l[6].len, 6);
        assert_eq!(l, portable(p));
    }

    #[test]
    fn an_empty_folder_lists_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let c = Listing::start(dir.path(), None).finish().unwrap();
        assert_eq!(c.files, Some(vec![]));
        assert_eq!(c.count, 0);
        assert_eq!(c.sum, 0);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = Listing::start(&missing, None).finish().unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        assert!(portable::Listing::start(&missing, None).finish().is_err());
    }

    #[test]
    fn a_listing_dropped_unfinished_does_not_hang() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..600 {
            std::fs::write(dir.path().join(format!("{i}.toml")), "").unwrap();
        }
        drop(Listing::start(dir.path(), None));
    }

    /// Names kept in `home` for `now_s`, from folders of at least `min_files`.
    #[cfg(target_os = "linux")]
    fn kept(home: &Path, now_s: i64, min_files: usize) -> Option<Names> {
        Some(Names {
            path: home.join("names.bin"),
            now_s,
            min_files,
        })
    }

    /// A time long after any change a test makes: its folders are settled.
    #[cfg(target_os = "linux")]
    fn later() -> i64 {
        i64::MAX / 2
    }

    /// When a folder last changed, in whole seconds.
    #[cfg(target_os = "linux")]
    fn changed_s(dir: &Path) -> i64 {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(dir).unwrap();
        m.mtime().max(m.ctime())
    }

    #[cfg(target_os = "linux")]
    fn folder_of(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..n {
            std::fs::write(dir.path().join(format!("e{i:04}.toml")), "x".repeat(i % 5)).unwrap();
        }
        std::fs::write(dir.path().join("notes.md"), "").unwrap();
        dir
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_settled_folder_is_listed_by_its_kept_names_and_every_change_shows() {
        let (dir, home) = (folder_of(600), tempfile::tempdir().unwrap());
        let p = dir.path();
        let names = || kept(home.path(), later(), 1);
        let first = Listing::start(p, names()).finish().unwrap();
        assert!(first.files.is_some(), "the first listing reads the folder");
        assert!(
            home.path().join("names.bin").exists(),
            "and keeps its names"
        );
        let again = Listing::start(p, names()).finish().unwrap();
        assert_eq!(again.files, None, "the next one checks the kept names");
        assert_eq!((again.count, again.sum), (600, first.sum));

        // A file edited in place changes only itself: the kept names still find it.
        std::fs::write(p.join("e0007.toml"), "edited").unwrap();
        let edited = Listing::start(p, names()).finish().unwrap();
        assert_eq!(edited.files, None);
        assert_eq!(edited.count, 600);
        assert_ne!(edited.sum, first.sum);
        let whole = Listing::start(p, None).finish().unwrap();
        assert_eq!(edited.sum, whole.sum, "the same sum as reading the folder");

        // A new file changes the folder: it is read again.
        std::fs::write(p.join("new.toml"), "").unwrap();
        let added = Listing::start(p, names()).finish().unwrap();
        assert_eq!(added.files.map(|f| f.len()), Some(601));
        let next = Listing::start(p, names()).finish().unwrap();
        assert_eq!((next.files, next.count, next.sum), (None, 601, added.sum));

        // So does a removed one, and one renamed.
        std::fs::remove_file(p.join("e0001.toml")).unwrap();
        std::fs::rename(p.join("e0002.toml"), p.join("e0002b.toml")).unwrap();
        let changed = Listing::start(p, names()).finish().unwrap();
        let whole = Listing::start(p, None).finish().unwrap();
        assert!(changed.files.is_some());
        assert_eq!((changed.count, changed.sum), (whole.count, whole.sum));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn names_are_kept_only_from_a_settled_large_enough_folder() {
        let (dir, home) = (folder_of(300), tempfile::tempdir().unwrap());
        let file = home.path().join("names.bin");
        // Changed a moment ago: a change now could hide behind the same times.
        let now = changed_s(dir.path()) + 1;
        Listing::start(dir.path(), kept(home.path(), now, 1))
            .finish()
            .unwrap();
        assert!(!file.exists());
        Listing::start(dir.path(), kept(home.path(), later(), 301))
            .finish()
            .unwrap();
        assert!(!file.exists(), "too few files to be worth it");
        Listing::start(dir.path(), kept(home.path(), later(), 300))
            .finish()
            .unwrap();
        assert!(file.exists());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the user alone");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kept_names_that_are_damaged_or_for_another_folder_are_not_used() {
        let (dir, other, home) = (folder_of(300), folder_of(300), tempfile::tempdir().unwrap());
        let file = home.path().join("names.bin");
        let names = || kept(home.path(), later(), 1);
        Listing::start(dir.path(), names()).finish().unwrap();
        let good = std::fs::read(&file).unwrap();
        let read_in_full = |p: &Path| Listing::start(p, names()).finish().unwrap().files.is_some();
        assert!(read_in_full(other.path()), "kept for another folder");
        std::fs::write(&file, &good).unwrap();
        let dir_at = good
            .windows(dir.path().as_os_str().len())
            .position(|w| w == dir.path().as_os_str().as_encoded_bytes())
            .unwrap();
        let names_at = dir_at + dir.path().as_os_str().len();
        // The same length, with a path for a name.
        let mut path = good.clone();
        path[names_at..names_at + 3].copy_from_slice(b"../");
        for bad in [
            good[..good.len() - 1].to_vec(),
            good[..40].to_vec(),
            b"garbage".to_vec(),
            [&good[..], b"x.toml\0"].concat(),
            path,
        ] {
            std::fs::write(&file, bad).unwrap();
            assert!(read_in_full(dir.path()));
            // Read in full, the names are kept again, whole.
            assert_eq!(std::fs::read(&file).unwrap(), good);
        }
        // A well-formed file that lost a name gives another sum, never the folder's.
        let last = good[..good.len() - 1]
            .iter()
            .rposition(|b| *b == 0)
            .unwrap()
            + 1;
        let mut fewer = good[..last].to_vec();
        let names_len = u64::from_le_bytes(good[dir_at - 8..dir_at].try_into().unwrap());
        let cut = (good.len() - last) as u64;
        fewer[dir_at - 8..dir_at].copy_from_slice(&(names_len - cut).to_le_bytes());
        std::fs::write(&file, &fewer).unwrap();
        let c = Listing::start(dir.path(), names()).finish().unwrap();
        let whole = Listing::start(dir.path(), None).finish().unwrap();
        assert_eq!((c.files, c.count), (None, 299), "the kept names were used");
        assert_ne!(c.sum, whole.sum);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kept_names_are_handed_out_in_whole_batches() {
        let names: Vec<u8> = (0..600)
            .flat_map(|i| format!("{i}.toml\0").into_bytes())
            .collect();
        let batches = imp::batches(&names);
        assert_eq!(batches.len(), 3);
        assert_eq!(batches[0].start, 0);
        assert_eq!(batches[2].end, names.len());
        assert!(batches.windows(2).all(|w| w[0].end == w[1].start));
        let count =
            |r: &std::ops::Range<usize>| names[r.clone()].iter().filter(|b| **b == 0).count();
        assert_eq!(
            batches.iter().map(count).collect::<Vec<_>>(),
            [256, 256, 88]
        );
        assert!(imp::batches(&[]).is_empty());
    }
}
