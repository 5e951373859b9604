//! `backstretch plan`: the best routine for the profile, or for the flags given.

use std::process::ExitCode;

use backstretch_render::json::PlanJson;
use backstretch_render::plan::{plan_markdown, plan_table};

use crate::args::{Format, PlanArgs};
use crate::context::Context;
use crate::output::{json, print, width};

pub fn run(ctx: &Context, a: &PlanArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Markdown, Format::Json])?;
    let overrides = a.flags.overrides();
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    // A prescription may carry its practice's own exercises.
    let catalog = app.with_practice(&catalog)?;
    crate::gates::pass(ctx, &app, &catalog, &app.areas(&overrides)?)?;
    let p = app.plan(&catalog, &overrides, false)?;
    let text = match format {
        Format::Json => json(&PlanJson::new(&p))?,
        Format::Markdown => plan_markdown(&p),
        Format::Table => plan_table(&p, width()),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
