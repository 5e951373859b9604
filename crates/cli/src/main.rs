//! `backstretch`: a local coach for back and neck pain.
//!
//! This crate is wiring only: it parses the command line, asks the questions the app layer
//! says are needed, and renders what it returns. One module per subcommand lives under
//! `cmd/`; no command module imports another, and what they share lives beside `cmd/`.

mod args;
mod ask;
mod cmd;
mod context;
mod cue;
mod files;
mod gates;
mod idle;
mod launch;
mod linked;
mod lookup;
mod notify;
mod output;
mod remedy;
mod routine_file;
mod schedule;

use std::process::ExitCode;

use backstretch_core::time::Stamp;
use clap::Parser;

use crate::args::{Cli, Command, StartArgs};
use crate::context::Context;

fn main() -> ExitCode {
    output::install_report_hook();
    let cli = Cli::parse();
    // The one reading of the clock for this command; everything below takes it as a value.
    // `BACKSTRETCH_CLOCK_SKEW` (seconds) sets it ahead or behind: the tests' devices whose
    // clocks disagree.
    let skew = match std::env::var("BACKSTRETCH_CLOCK_SKEW") {
        Err(_) => chrono::Duration::zero(),
        Ok(s) => match s.trim().parse::<i64>() {
            Ok(n) if n.abs() <= 366 * 24 * 3600 => chrono::Duration::seconds(n),
            _ => {
                return output::report(&miette::miette!(
                    help = "give whole seconds within a year (3600, -3600), or unset it",
                    "BACKSTRETCH_CLOCK_SKEW is `{s}`, not a number of seconds"
                ));
            }
        },
    };
    let now = Stamp::from_datetime(&(chrono::Local::now() + skew));
    let ctx = match Context::new(&cli.global, now) {
        Ok(c) => c,
        Err(e) => return output::report(&e),
    };
    let result = match cli.command {
        None => match cmd::welcome::run(&ctx) {
            Ok(cmd::welcome::Next::Exit(code)) => Ok(code),
            Ok(cmd::welcome::Next::Start) => cmd::start::run(&ctx, &StartArgs::default()),
            Err(e) => Err(e),
        },
        Some(Command::Plan(a)) => cmd::plan::run(&ctx, &a),
        Some(Command::Profile(a)) => cmd::profile::run(&ctx, a),
        Some(Command::Start(a)) => cmd::start::run(&ctx, &a),
        Some(Command::History(a)) => cmd::history::run(&ctx, &a),
        Some(Command::Log(a)) => cmd::log::run(&ctx, &a),
        Some(Command::Sheet(a)) => cmd::sheet::run(&ctx, &a),
        Some(Command::Serve(a)) => cmd::serve::run(&ctx, &a),
        Some(Command::Server(a)) => cmd::server::run(&ctx, &a),
        Some(Command::Sync(a)) => cmd::sync::run(&ctx, &a),
        Some(Command::Messages(a)) => cmd::messages::run(&ctx, &a),
        Some(Command::Safety(a)) => cmd::safety::run(&ctx, &a),
        Some(Command::Stats(a)) => cmd::stats::run(&ctx, &a),
        Some(Command::Chart(a)) => cmd::stats::chart(&ctx, &a),
        Some(Command::Programme) => cmd::coaching::programme(&ctx),
        Some(Command::Review(a)) => cmd::coaching::review(&ctx, &a),
        Some(Command::Function(a)) => cmd::function::run(&ctx, &a),
        Some(Command::Learn(a)) => cmd::learn::run(&ctx, &a),
        Some(Command::Export(a)) => cmd::export::run(&ctx, &a),
        Some(Command::Import(a)) => cmd::export::import(&ctx, &a),
        Some(Command::Disclaimer(a)) => cmd::safety::disclaimer(&ctx, &a),
        Some(Command::Catalog(a)) => cmd::catalog::run(&ctx, a),
        Some(Command::Figure(a)) => cmd::figure::run(&ctx, &a),
        Some(Command::Remind(a)) => cmd::remind::run(&ctx, &a),
        Some(Command::Completions(a)) => cmd::completions::run(&a),
        Some(Command::Man(a)) => cmd::completions::man(&a),
        Some(Command::Break(a)) => cmd::desk::run(&ctx, &a),
    };
    match result {
        Ok(code) => code,
        Err(e) => output::report(&e),
    }
}
