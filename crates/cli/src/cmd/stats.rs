//! `backstretch stats` and `backstretch chart`.

use std::process::ExitCode;

use backstretch_core::function::{FunctionRecord, summary};
use backstretch_core::profile::Goal;
use backstretch_core::stats::{SessionFact, stats};
use backstretch_render::chart::{adherence_chart, pain_chart_with};
use backstretch_render::function::{StatsJson, function_line};
use backstretch_render::progress::stats_text_with;
use miette::miette;

use crate::args::{ChartArgs, ChartKind, Format, StatsArgs};
use crate::context::Context;
use crate::output::{json, png, print, write_file};

/// The sessions' facts and the goal; none (and daily) before there is a log.
fn facts(ctx: &Context) -> miette::Result<(Vec<SessionFact>, Goal)> {
    if !ctx.has_store() {
        return Ok((Vec::new(), Goal::Daily));
    }
    let store = ctx.store()?;
    let app = ctx.app(&store);
    Ok((app.facts()?, app.goal()?))
}

/// The function measure's records, oldest first; none before there is a log.
fn function(ctx: &Context) -> miette::Result<Vec<FunctionRecord>> {
    if !ctx.has_store() {
        return Ok(Vec::new());
    }
    let store = ctx.store()?;
    Ok(ctx.app(&store).function_history()?)
}

pub fn run(ctx: &Context, a: &StatsArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let (f, g) = facts(ctx)?;
    let s = stats(&f, g, ctx.now.day(), a.since);
    let function = summary(&function(ctx)?);
    if format == Format::Json {
        print(&json(&StatsJson {
            stats: &s,
            function: function.as_ref(),
        })?)?;
    } else if f.is_empty() {
        print(
            "No sessions yet, so no progress to show. `backstretch start` plays today's routine; `backstretch log` records one done on paper.\n",
        )?;
        if let Some(line) = function.as_ref().map(function_line) {
            print(&line)?;
        }
    } else {
        print(&stats_text_with(&s, function.as_ref()))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn chart(ctx: &Context, a: &ChartArgs) -> miette::Result<ExitCode> {
    ctx.format(&[Format::Table])?;
    let ext = a
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("svg" | "png")) {
        return Err(miette!(
            help = "end the file name with .svg or .png",
            "cannot tell the format of {}",
            a.out.display()
        ));
    }
    let (f, g) = facts(ctx)?;
    let mut f: Vec<SessionFact> = f
        .into_iter()
        .filter(|x| a.since.is_none_or(|s| x.day() >= s))
        .collect();
    f.sort_by_key(|x| x.started);
    let svg = match a.kind {
        ChartKind::Pain => {
            let records: Vec<FunctionRecord> = function(ctx)?
                .into_iter()
                .filter(|r| a.since.is_none_or(|s| r.at.day() >= s))
                .collect();
            pain_chart_with(&f, &records)
        }
        ChartKind::Adherence => adherence_chart(&f, g, ctx.now.day()),
    };
    let bytes = if ext.as_deref() == Some("png") {
        png(&svg)?
    } else {
        svg.into_bytes()
    };
    write_file(&a.out, &bytes)?;
    print(&format!("Wrote {}.\n", a.out.display()))?;
    Ok(ExitCode::SUCCESS)
}
