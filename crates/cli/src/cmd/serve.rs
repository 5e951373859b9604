//! `backstretch serve`: the coach in a browser, on the same log.

use std::process::ExitCode;

use backstretch_web::{Config, serve};

use crate::args::ServeArgs;
use crate::context::Context;

pub fn run(ctx: &Context, a: &ServeArgs) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    serve(Config {
        home: ctx.home.clone(),
        store,
        catalog,
        listen: a.listen,
        lan: a.lan,
        open: a.open,
    })?;
    Ok(ExitCode::SUCCESS)
}
