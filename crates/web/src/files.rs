//! Files the server keeps in the data directory (its certificate and key, the paired
//! devices): written whole or not at all, readable by the user alone.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file renamed over it, with mode 600.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    // NamedTempFile is created with mode 600 on Unix.
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
