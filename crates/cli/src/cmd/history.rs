//! `backstretch history`: past sessions, newest first.

use std::process::ExitCode;

use backstretch_core::session::{LoggedSession, SessionSource};
use backstretch_render::json::history_rows;
use backstretch_render::table::Table;

use crate::args::Format;
use crate::context::{Context, process_alive};
use crate::output::{json, print, width};

fn pain(p: Option<u8>) -> String {
    p.map_or_else(|| "-".to_string(), |v| v.to_string())
}

pub fn run(ctx: &Context) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let sessions: Vec<LoggedSession> = if ctx.has_store() {
        let store = ctx.store()?;
        ctx.app(&store).sessions()?
    } else {
        Vec::new()
    };
    let rows = history_rows(&sessions, ctx.now, process_alive);
    if format == Format::Json {
        print(&json(&rows)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        print(
            "No sessions yet. `backstretch start` plays today's routine; `backstretch log` records one done on paper.\n",
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(["DATE", "MIN", "EXERCISES", "PAIN", "OUTCOME"])
        .no_wrap(0)
        .align_right(1)
        .no_wrap(3)
        .no_wrap(4);
    for (r, l) in rows.iter().zip(&sessions) {
        let mut ex = format!("{} done", r.exercises.done.len());
        if !r.exercises.skipped.is_empty() {
            ex.push_str(&format!(", {} skipped", r.exercises.skipped.len()));
        }
        if !r.exercises.hurt.is_empty() {
            ex.push_str(&format!(
                ", {} hurt ({})",
                r.exercises.hurt.len(),
                r.exercises.hurt.join(", ")
            ));
        }
        let outcome = if r.source == SessionSource::Manual {
            format!("{} (logged)", r.outcome)
        } else {
            r.outcome.to_string()
        };
        t.row([
            l.session
                .started_at
                .local()
                .format("%a %-d %b %Y %H:%M")
                .to_string(),
            format!("{:.1}", r.minutes),
            ex,
            format!("{} -> {}", pain(r.pain_before), pain(r.pain_after)),
            outcome,
        ]);
    }
    let mut out = t.render(width());
    if rows.iter().any(|r| r.outcome == "interrupted") {
        out.push_str("\nAn interrupted session keeps every finished step; `backstretch start --resume` continues the last one.\n");
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}
