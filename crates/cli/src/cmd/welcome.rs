//! `backstretch` with no subcommand: what the program is and where to begin.

use std::process::ExitCode;

use backstretch_core::vocab::{Area, Word};

use crate::context::Context;
use crate::output::print;

pub fn run(ctx: &Context) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let mut text = String::from(
        "backstretch: gentle stretching routines for back and neck pain, from practitioners' advice.\n\
         General education, not medical advice. Never stretch into pain; stop if anything hurts.\n\n",
    );
    text.push_str(&format!(
        "The catalogue has {} exercises. By area:\n",
        catalog.len()
    ));
    for area in Area::ALL {
        let n = catalog
            .exercises()
            .filter(|e| e.areas.contains(area))
            .count();
        if n > 0 {
            text.push_str(&format!("  {:<12} {n}\n", area.as_str()));
        }
    }
    text.push_str(
        "\nTry:\n  backstretch catalog list --area lower-back --place bed\n  backstretch catalog show \"child's pose\"\n  backstretch --help\n",
    );
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
