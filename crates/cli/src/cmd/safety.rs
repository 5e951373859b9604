//! `backstretch safety` and `backstretch disclaimer`.

use std::process::ExitCode;

use backstretch_core::safety::{self, DISCLAIMER, DISCLAIMER_VERSION, Verdict};
use backstretch_core::vocab::{Area, Word};
use backstretch_render::json::questions_json;
use backstretch_render::table::Table;
use miette::miette;

use crate::args::{DisclaimerArgs, Format, SafetyArgs};
use crate::ask;
use crate::context::Context;
use crate::output::{json, print, width};

fn list(ctx: &Context) -> miette::Result<ExitCode> {
    let all = safety::red_flags().map_err(backstretch_app::AppError::from)?;
    let format = ctx.format(&[Format::Table, Format::Json])?;
    if format == Format::Json {
        print(&json(&questions_json(all))?)?;
    } else {
        let mut t = Table::new(["ID", "URGENCY", "ASKED FOR", "QUESTION"])
            .no_wrap(0)
            .no_wrap(1);
        for q in all {
            let areas = if q.areas.is_empty() {
                "every area".to_string()
            } else {
                q.areas
                    .iter()
                    .map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            t.row([
                q.id.clone(),
                q.urgency.as_str().to_string(),
                areas,
                q.text.clone(),
            ]);
        }
        print(&t.render(width()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The scripted answers: `none`, or ids; an empty answer is never read as "no sign".
fn scripted(list: &[String]) -> miette::Result<Vec<String>> {
    let ids: Vec<String> = list.iter().map(|s| s.trim().to_string()).collect();
    if ids.iter().any(String::is_empty) {
        return Err(miette!(
            help = "pass --answers none when no sign is present, or the ids of the signs present, like --answers weight-loss,fever-unwell",
            "--answers has an empty answer; only `none` means no warning sign"
        ));
    }
    if ids.len() == 1 && ids[0].eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    if ids.iter().any(|i| i.eq_ignore_ascii_case("none")) {
        return Err(miette!(
            help = "pass either --answers none, or only the ids of the signs present",
            "--answers mixes `none` with signs"
        ));
    }
    Ok(ids)
}

pub fn run(ctx: &Context, a: &SafetyArgs) -> miette::Result<ExitCode> {
    if a.list {
        return list(ctx);
    }
    if let Some(sign) = &a.cleared {
        let store = ctx.store()?;
        ctx.app(&store).clear(sign.trim())?;
        print(&format!(
            "Recorded: a clinician has cleared you to exercise with `{}`. It holds for 12 weeks, or until you answer that sign again. Stop and seek help if it changes or gets worse.\n",
            sign.trim()
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.format(&[Format::Table])?;
    let outcome = match &a.answers {
        Some(answers) => {
            let yes = scripted(answers)?;
            let store = ctx.store()?;
            // Scripted answers cover every question, so every area.
            ctx.app(&store).record_screening(Area::ALL, &yes)?
        }
        None if ask::interactive() => {
            let catalog = ctx.catalog()?;
            let store = ctx.store()?;
            let app = ctx.app(&store);
            let areas = app.screening_areas(&catalog, None)?;
            crate::gates::ask_screening(&app, &areas)?
        }
        None => {
            return Err(miette!(
                help = "run it in a terminal, or pass --answers none (no sign present) or --answers ID,ID",
                "the red-flag check needs answers"
            ));
        }
    };
    let store = ctx.store()?;
    let clinic = ctx.app(&store).under_clinic()?;
    print(&crate::gates::show(&outcome, clinic))?;
    Ok(if outcome.verdict == Verdict::Clear {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `backstretch disclaimer`: the text, and whether it was accepted; `--accept` records it.
pub fn disclaimer(ctx: &Context, a: &DisclaimerArgs) -> miette::Result<ExitCode> {
    if a.accept || ctx.accept_disclaimer {
        let store = ctx.store()?;
        ctx.app(&store).accept_disclaimer()?;
    }
    let accepted = if ctx.has_store() {
        let store = ctx.store()?;
        ctx.app(&store).disclaimer_accepted()?
    } else {
        false
    };
    let status = if accepted {
        "You have accepted it."
    } else {
        "Not accepted yet: run `backstretch` in a terminal, or `backstretch disclaimer --accept`."
    };
    print(&format!(
        "{DISCLAIMER}\n\n(version {DISCLAIMER_VERSION}) {status}\n"
    ))?;
    Ok(ExitCode::SUCCESS)
}
