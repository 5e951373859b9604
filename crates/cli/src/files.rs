//! Files the user names: read within a size limit, and written atomically and privately.

use std::io::{Read, Write};
use std::path::Path;

use miette::miette;

/// The largest routine file read (`start --routine`, `log --routine`).
pub const ROUTINE_MAX: u64 = 1 << 20;
/// The largest export file imported: far above any real log (20 years of two sessions a day
/// is about 500 MiB); import reads a session at a time, so memory does not grow with it.
pub const IMPORT_MAX: u64 = 4 << 30;

fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// Reads at most `limit` bytes of a file (a device such as /dev/zero included); a larger one
/// is refused at once with a message, never read to the end.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> miette::Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|e| miette!("cannot read the {what} {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| miette!("cannot read the {what} {}: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit, what));
    }
    Ok(bytes)
}

/// A file over its size limit, said with the limit.
pub fn too_large(path: &Path, limit: u64, what: &str) -> miette::Report {
    miette!(
        help = format!("a {what} is at most {}", size_text(limit)),
        "{} is too large to be a {what}",
        path.display()
    )
}

/// Writes a file atomically and privately: into a temporary file (0600) beside it, then
/// renamed over it, so a crash never leaves half a file and a symlink at the destination is
/// replaced, never followed.
pub fn write_private(path: &Path, bytes: &[u8]) -> miette::Result<()> {
    write_private_with(path, |w| w.write_all(bytes).map_err(|e| miette!("{e}")))
}

/// [`write_private`] with what `write` writes into the temporary file, as it goes (a large
/// export need not be held in memory first).
pub fn write_private_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> miette::Result<()>,
) -> miette::Result<()> {
    let failed = |e: &dyn std::fmt::Display| {
        miette!(
            help = "check the folder exists and is yours, or choose another file",
            "cannot write {}: {e}",
            path.display()
        )
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(failed(&"it is a folder"));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".backstretch-")
        .tempfile_in(dir)
        .map_err(|e| failed(&e))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut w).map_err(|e| failed(&e))?;
        w.flush().map_err(|e| failed(&e))?;
    }
    tmp.as_file().sync_all().map_err(|e| failed(&e))?;
    tmp.persist(path).map_err(|e| failed(&e.error))?;
    Ok(())
}
