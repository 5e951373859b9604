//! `backstretch`: a local coach for back and neck pain.
//!
//! This crate is wiring only: it parses the command line, reads and writes files, and calls
//! the pure `backstretch-core` and `backstretch-render` crates. One module per subcommand
//! lives under `cmd/`.

mod args;
mod ask;
mod cmd;
mod context;
mod cue;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::context::Context;

fn main() -> ExitCode {
    output::install_report_hook();
    let cli = Cli::parse();
    let ctx = match Context::new(&cli.global) {
        Ok(c) => c,
        Err(e) => return output::report(&e),
    };
    let result = match cli.command {
        None => cmd::welcome::run(&ctx),
        Some(Command::Plan(a)) => cmd::plan::run(&ctx, &a),
        Some(Command::Profile(a)) => cmd::profile::run(&ctx, a),
        Some(Command::Start(a)) => cmd::start::run(&ctx, &a),
        Some(Command::History) => cmd::history::run(&ctx),
        Some(Command::Log(a)) => cmd::log::run(&ctx, &a),
        Some(Command::Safety(a)) => cmd::safety::run(&ctx, &a),
        Some(Command::Stats(a)) => cmd::stats::run(&ctx, &a),
        Some(Command::Chart(a)) => cmd::stats::chart(&ctx, &a),
        Some(Command::Export(a)) => cmd::export::run(&ctx, &a),
        Some(Command::Import(a)) => cmd::export::import(&ctx, &a),
        Some(Command::Disclaimer) => cmd::safety::disclaimer(&ctx),
        Some(Command::Catalog(a)) => cmd::catalog::run(&ctx, a),
        Some(Command::Figure(a)) => cmd::figure::run(&ctx, &a),
        Some(Command::Completions(a)) => cmd::completions::run(&a),
        Some(Command::Man) => cmd::completions::man(),
    };
    match result {
        Ok(code) => code,
        Err(e) => output::report(&e),
    }
}
