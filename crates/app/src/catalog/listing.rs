//! Listing a folder's exercise files with each one's size and modification time: what a
//! warm start checks to know that its cache still describes the folder.
//!
//! With 10,000 files this is most of a warm `plan`, nearly all of it in the kernel: reading
//! the folder's entries, then one metadata call a file. On Linux the names come straight
//! from `getdents`, and each file is `statx`ed relative to the open folder (size and time
//! only) while the folder is still being read: by a helper thread, by the reading thread
//! once it has read every name, and by whichever thread asks for the result
//! ([`Listing::finish`]), so no core waits while another has files left to check.

use std::ffi::OsString;
use std::path::Path;

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
    /// This file's part of the folder's fingerprint: a hash of its name, size and time,
    /// spread so that a sum of them is a fingerprint of the whole folder in any order.
    fn hash(&self) -> u64 {
        let mut h = Hasher::default();
        h.add(self.name.as_encoded_bytes())
            .add(&self.len.to_le_bytes())
            .add(&self.modified_ns.to_le_bytes());
        mix(h.finish())
    }
}

/// The `*.toml` files a folder holds, in no particular order, and the sum of their
/// [`Listed::hash`]es, made while they were listed, on every listing thread: a warm start
/// compares the folder with its cache without sorting or hashing 10,000 names on the
/// thread that waits. One file that changes its name, size or time changes the sum unless
/// two different files hash alike (a chance of one in 2^64).
#[derive(Debug)]
pub(super) struct Contents {
    /// The files.
    pub(super) files: Vec<Listed>,
    /// The sum of their hashes (wrapping).
    pub(super) sum: u64,
}

impl Contents {
    /// The contents of a listing made on one thread (the sum made afterwards).
    #[cfg(any(not(target_os = "linux"), test))]
    fn of(files: Vec<Listed>) -> Contents {
        let sum = files.iter().fold(0u64, |s, l| s.wrapping_add(l.hash()));
        Contents { files, sum }
    }

    /// The files sorted by name, byte by byte.
    pub(super) fn sorted(mut self) -> Vec<Listed> {
        self.files.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        self.files
    }
}

/// Whether a file name is an exercise file's: `*.toml`, as [`Path::extension`] reads it
/// (so not a hidden file named `.toml`).
pub(super) fn is_toml(name: &[u8]) -> bool {
    name.len() > ".toml".len() && name.ends_with(b".toml")
}

/// A listing of a folder's `*.toml` files (not its subfolders' files), under way on other
/// threads from [`Listing::start`] until [`Listing::finish`]. Dropped unfinished, its
/// threads finish on their own.
#[derive(Debug)]
pub(super) struct Listing(imp::Listing);

impl Listing {
    /// Starts listing `dir`.
    pub(super) fn start(dir: &Path) -> Listing {
        Listing(imp::Listing::start(dir))
    }

    /// Every `*.toml` regular file in the folder (a symbolic link is followed, as reading
    /// the file does). The calling thread helps until it is done.
    pub(super) fn finish(self) -> Result<Contents, FolderError> {
        self.0.finish()
    }
}

fn join<T>(h: std::thread::JoinHandle<T>) -> T {
    match h.join() {
        Ok(v) => v,
        // A panic in a listing thread is a bug; re-raise it where it can be seen.
        Err(e) => std::panic::resume_unwind(e),
    }
}

fn failed(dir: &Path, source: std::io::Error) -> FolderError {
    FolderError::Folder {
        dir: dir.to_path_buf(),
        source,
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::{CString, OsString};
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStringExt;
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
    use std::thread::JoinHandle;

    use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, StatxFlags};
    use rustix::io::Errno;

    use super::{Contents, Listed, failed, is_toml, join};
    use crate::catalog::loader::FolderError;

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
        work: Mutex<Work>,
        changed: Condvar,
    }

    #[derive(Debug, Default)]
    struct Work {
        /// Batches of names read and not yet checked.
        todo: Vec<Vec<CString>>,
        /// Whether every name has been read (or reading failed).
        read_all: bool,
        /// The files checked so far, and the sum of their hashes.
        done: Vec<Listed>,
        sum: u64,
        /// The helper thread, once started.
        helper: Option<JoinHandle<()>>,
    }

    impl Listing {
        pub(super) fn start(dir: &Path) -> Listing {
            let running = rustix::fs::open(
                dir,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map(|fd| {
                let shared = Arc::new(Shared {
                    fd,
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
            Ok(Contents {
                files: std::mem::take(&mut work.done),
                sum: work.sum,
            })
        }
    }

    impl Shared {
        fn lock(&self) -> MutexGuard<'_, Work> {
            // A thread that panicked holding the lock is re-raised at its join.
            self.work.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// Reads every name, handing them out in batches; says when it is done, even when
        /// reading failed, so no helper waits for ever.
        fn read(shared: &Arc<Shared>) -> Result<(), Errno> {
            let read = (|| {
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
                        batch.push(name.to_owned());
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            Shared::hand_out(shared, full);
                        }
                    }
                }
                Shared::hand_out(shared, batch);
                Ok(())
            })();
            shared.lock().read_all = true;
            shared.changed.notify_all();
            read
        }

        /// Hands out a batch of names, starting the helper at the second.
        fn hand_out(shared: &Arc<Shared>, batch: Vec<CString>) {
            let mut work = shared.lock();
            work.todo.push(batch);
            if work.todo.len() > 1 && work.helper.is_none() {
                let helper = Arc::clone(shared);
                work.helper = Some(std::thread::spawn(move || helper.help()));
            }
            drop(work);
            shared.changed.notify_one();
        }

        /// Checks batches until every name has been read and checked.
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
            let (mut mine, mut sum) = (Vec::new(), 0u64);
            let mut work = self.lock();
            loop {
                if let Some(batch) = work.todo.pop() {
                    drop(work);
                    for l in batch.into_iter().filter_map(|name| check(fd, name)) {
                        sum = sum.wrapping_add(l.hash());
                        mine.push(l);
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
            work.sum = work.sum.wrapping_add(sum);
        }
    }

    /// One file's size and time, if it is (or links to) a regular file. One that went away
    /// since it was read is left out, as it would be had it gone a moment earlier.
    fn check(dir: &OwnedFd, name: CString) -> Option<Listed> {
        // Follows a symlink, as reading the file does.
        let mask = StatxFlags::TYPE | StatxFlags::SIZE | StatxFlags::MTIME;
        let st = rustix::fs::statx(dir, &name, AtFlags::empty(), mask).ok()?;
        let regular = FileType::from_raw_mode(st.stx_mode.into()) == FileType::RegularFile;
        let secs = u128::try_from(st.stx_mtime.tv_sec).unwrap_or(0);
        regular.then(|| Listed {
            name: OsString::from_vec(name.into_bytes()),
            len: st.stx_size,
            modified_ns: secs * 1_000_000_000 + u128::from(st.stx_mtime.tv_nsec),
        })
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
        pub(super) fn start(dir: &Path) -> Listing {
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
        let c = Listing::start(dir).finish().unwrap();
        assert_eq!(c.sum, Contents::of(c.files.iter().map(copy).collect()).sum);
        c.sorted()
    }

    fn copy(l: &Listed) -> Listed {
        Listed {
            name: l.name.clone(),
            ..*l
        }
    }

    fn portable(dir: &Path) -> Vec<Listed> {
        portable::Listing::start(dir).finish().unwrap().sorted()
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
        let c = Listing::start(dir.path()).finish().unwrap();
        assert!(c.files.is_empty());
        assert_eq!(c.sum, 0);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = Listing::start(&missing).finish().unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        assert!(portable::Listing::start(&missing).finish().is_err());
    }

    #[test]
    fn a_listing_dropped_unfinished_does_not_hang() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..600 {
            std::fs::write(dir.path().join(format!("{i}.toml")), "").unwrap();
        }
        drop(Listing::start(dir.path()));
    }
}
