//! `backstretch completions SHELL` and `backstretch man`, both generated from the one clap
//! definition in `args.rs`.

use std::process::ExitCode;

use clap::CommandFactory;
use miette::IntoDiagnostic;

use crate::args::{Cli, CompletionsArgs};
use crate::output::print;

pub fn run(a: &CompletionsArgs) -> miette::Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "backstretch", &mut buf);
    print(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}

pub fn man() -> miette::Result<ExitCode> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .into_diagnostic()?;
    print(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}
