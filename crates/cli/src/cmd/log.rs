//! `backstretch log`: record a session done without the player: a routine file, a printed
//! sheet by its code, the exercises named, or (with none of these) the routine the profile
//! plans for that day.

use std::process::ExitCode;

use backstretch_app::ManualLog;
use backstretch_core::time::Stamp;
use miette::miette;

use crate::args::LogArgs;
use crate::context::Context;
use crate::output::print;

/// A routine described with its exercise ids, so a message about it says what is in it.
fn with_ids(what: &str, r: &backstretch_core::routine::Routine) -> String {
    let ids: Vec<&str> = r.items.iter().map(|i| i.exercise_id.as_str()).collect();
    format!("{what} ({})", ids.join(", "))
}

pub fn run(ctx: &Context, a: &LogArgs) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    // A prescription may carry its practice's own exercises.
    let catalog = app.with_practice(&catalog)?;
    let hurt = app.resolve(&catalog, &a.hurt, "--hurt")?;
    let skipped = app.resolve(&catalog, &a.skip, "--skip")?;
    let easy = app.resolve(&catalog, &a.easy, "--easy")?;
    let hard = app.resolve(&catalog, &a.hard, "--hard")?;
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
    let day = started.unwrap_or_else(|| app.now()).day();
    let mut said = None;
    let (routine, what) = if let Some(p) = &a.routine {
        let r = backstretch_app::canonical(&catalog, crate::routine_file::read(p)?);
        (r, p.display().to_string())
    } else if let Some(code) = a.sheet {
        let r = app.printed(code)?;
        let what = with_ids(&format!("sheet {code}"), &r);
        (r, what)
    } else if a.exercise.is_empty() {
        let r = app.planned_on(&catalog, day, a.moment.as_deref())?;
        let names: Vec<&str> = r.items.iter().map(|i| i.name.as_str()).collect();
        said = Some(format!(
            "No exercise named, so this logs the routine your profile plans for {}: {}.\n",
            day.format("%a %-d %b"),
            names.join(", ")
        ));
        let what = with_ids(&format!("the routine planned for {day}"), &r);
        (r, what)
    } else {
        // Exercises that hurt, or felt too easy or too hard, are among those done.
        let mut ids = app.resolve(&catalog, &a.exercise, "--exercise")?;
        for h in hurt.iter().chain(&easy).chain(&hard) {
            if !ids.contains(h) {
                ids.push(h.clone());
            }
        }
        (
            app.routine_of(&catalog, &ids)?,
            "the exercises named".into(),
        )
    };
    let (_, count, started) = app.log_manual(&ManualLog {
        routine,
        hurt,
        skipped: skipped.clone(),
        easy,
        hard,
        what,
        started,
        pain_before: a.pain_before,
        pain_after: a.pain_after,
    })?;
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!(" ({} skipped)", skipped.len())
    };
    // The same feedback as the player's summary: the light, a flare, the next plans.
    let feedback = app
        .feedback(Some(a.pain_before), Some(a.pain_after))?
        .map(|f| backstretch_render::progress::feedback_text(&f))
        .unwrap_or_default();
    print(&format!(
        "{}Logged a session on {}: {} exercise{}{skipped}, pain {} -> {}.\n{feedback}",
        said.unwrap_or_default(),
        started.local().format("%a %-d %b %Y %H:%M"),
        count,
        if count == 1 { "" } else { "s" },
        a.pain_before,
        a.pain_after
    ))?;
    crate::linked::after_session(ctx, &store);
    Ok(ExitCode::SUCCESS)
}
