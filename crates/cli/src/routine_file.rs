//! Routine files: what `plan --format json` prints, read back for `start --routine` and
//! `log --routine`.

use backstretch_core::routine::Routine;
use miette::miette;

/// Reads a routine file (what `plan --format json` prints).
pub fn read(path: &std::path::Path) -> miette::Result<Routine> {
    let bytes = crate::files::read_bounded(path, crate::files::ROUTINE_MAX, "routine")?;
    serde_json::from_slice(&bytes).map_err(|e| {
        miette!(
            help = "the file must be what `backstretch plan --format json` prints",
            "{} is not a routine: {e}",
            path.display()
        )
    })
}
