//! `backstretch log`: record a session done without the player.

use std::process::ExitCode;

use backstretch_app::ManualLog;
use backstretch_core::time::Stamp;
use miette::miette;

use crate::args::LogArgs;
use crate::context::Context;
use crate::output::print;

pub fn run(ctx: &Context, a: &LogArgs) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let hurt = app.resolve(&catalog, &a.hurt, "--hurt")?;
    let (routine, what) = match &a.routine {
        Some(p) => (crate::routine_file::read(p)?, p.display().to_string()),
        None => {
            // Exercises that hurt are among those done.
            let mut ids = app.resolve(&catalog, &a.exercise, "--exercise")?;
            for h in &hurt {
                if !ids.contains(h) {
                    ids.push(h.clone());
                }
            }
            (
                app.routine_of(&catalog, &ids)?,
                "the exercises named".into(),
            )
        }
    };
    let started = match a.date {
        Some(d) => {
            let t = d
                .and_local_timezone(chrono::Local)
                .earliest()
                .ok_or_else(|| {
                    miette!(
                        "{d} does not exist in the local time zone (a clock change); pick another time"
                    )
                })?;
            Some(Stamp::from_datetime(&t))
        }
        None => None,
    };
    let (_, count, started) = app.log_manual(&ManualLog {
        routine,
        hurt,
        what,
        started,
        pain_before: a.pain_before,
        pain_after: a.pain_after,
    })?;
    print(&format!(
        "Logged a session on {}: {} exercise{}, pain {} -> {}.\n",
        started.local().format("%a %-d %b %Y %H:%M"),
        count,
        if count == 1 { "" } else { "s" },
        a.pain_before,
        a.pain_after
    ))?;
    Ok(ExitCode::SUCCESS)
}
