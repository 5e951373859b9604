//! `backstretch history`: past sessions, newest first.

use std::process::ExitCode;

use backstretch_core::session::{LoggedSession, SessionSource, summarize};
use backstretch_render::table::Table;
use serde::Serialize;

use crate::args::Format;
use crate::context::{Context, process_alive};
use crate::output::{json, print, width};

#[derive(Serialize)]
struct Exercises {
    done: Vec<String>,
    skipped: Vec<String>,
    hurt: Vec<String>,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    uid: String,
    started_at: String,
    ended_at: Option<String>,
    source: SessionSource,
    minutes: f64,
    planned_minutes: f64,
    exercises: Exercises,
    pain_before: Option<u8>,
    pain_after: Option<u8>,
    outcome: &'static str,
}

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
    let rows: Vec<Row> = sessions
        .iter()
        .map(|l| {
            let s = &l.session;
            let sum = summarize(&l.steps);
            Row {
                id: s.id.0,
                uid: s.uid.clone(),
                started_at: s.started_at.rfc3339(),
                ended_at: s.ended_at.map(|t| t.rfc3339()),
                source: s.source,
                minutes: (sum.seconds as f64 / 6.0).round() / 10.0,
                planned_minutes: (f64::from(s.planned_s) / 6.0).round() / 10.0,
                exercises: Exercises {
                    done: sum.done,
                    skipped: sum.skipped,
                    hurt: sum.hurt,
                },
                pain_before: s.pain_before,
                pain_after: s.pain_after,
                outcome: s.status(ctx.now, process_alive).as_str(),
            }
        })
        .collect();
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
