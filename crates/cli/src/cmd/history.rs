//! `backstretch history`: past sessions, newest first.

use std::process::ExitCode;

use backstretch_core::session::SessionSource;
use backstretch_render::json::{HistoryRow, history_rows};
use backstretch_render::table::Table;

use crate::args::{Format, HistoryArgs};
use crate::context::{Context, process_alive};
use crate::output::{json, print, width};

fn pain(p: Option<u8>) -> String {
    p.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// Sessions read a page at a time.
const PAGE: usize = 500;

/// The rows to show, newest first, each with when it started, and whether older ones remain.
fn rows(ctx: &Context, a: &HistoryArgs) -> miette::Result<(Vec<(String, HistoryRow)>, bool)> {
    let mut out = Vec::new();
    if !ctx.has_store() {
        return Ok((out, false));
    }
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let limit = if a.all { PAGE } else { a.limit as usize };
    let mut before = None;
    loop {
        let page = app.history(before, limit)?;
        let when = page.sessions.iter().map(|l| {
            let at = l.session.started_at.local();
            at.format("%a %-d %b %Y %H:%M").to_string()
        });
        out.extend(when.zip(history_rows(&page.sessions, ctx.now, process_alive)));
        before = page.older;
        if !a.all || before.is_none() {
            return Ok((out, before.is_some()));
        }
    }
}

pub fn run(ctx: &Context, a: &HistoryArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let (rows, older) = rows(ctx, a)?;
    if format == Format::Json {
        let rows: Vec<&HistoryRow> = rows.iter().map(|(_, r)| r).collect();
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
    for (when, r) in &rows {
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
            when.clone(),
            format!("{:.1}", r.minutes),
            ex,
            format!("{} -> {}", pain(r.pain_before), pain(r.pain_after)),
            outcome,
        ]);
    }
    let mut out = t.render(width());
    if older {
        out.push_str(&format!(
            "\nThe latest {} sessions; `backstretch history --all` shows every one.\n",
            rows.len()
        ));
    }
    if rows.iter().any(|(_, r)| r.outcome == "interrupted") {
        out.push_str("\nAn interrupted session keeps every finished step; `backstretch start --resume` continues the last one.\n");
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}
