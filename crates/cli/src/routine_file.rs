//! Routine files: what `plan --format json` prints, read back for `start --routine` and
//! `log --routine`.

use backstretch_core::routine::Routine;
use miette::miette;

/// Reads a routine file (what `plan --format json` prints).
pub fn read(path: &std::path::Path) -> miette::Result<Routine> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        miette!(
            help = "save one with `backstretch plan --format json > routine.json`",
            "cannot read the routine {}: {e}",
            path.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        miette!(
            help = "the file must be what `backstretch plan --format json` prints",
            "{} is not a routine: {e}",
            path.display()
        )
    })
}
