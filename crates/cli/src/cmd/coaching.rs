//! `backstretch programme` and `backstretch review`: coaching over weeks.

use std::process::ExitCode;

use backstretch_app::{App, ReviewAnswer};
use backstretch_render::coaching::{programme_text, review_text};

use crate::args::{Format, ReviewArgs};
use crate::ask::{self, Retry};
use crate::context::Context;
use crate::output::{json, print};

pub fn programme(ctx: &Context) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let p = app.programme(&catalog)?;
    if format == Format::Json {
        print(&json(&p)?)?;
    } else {
        print(&programme_text(&p))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn review(ctx: &Context, a: &ReviewArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let Some(r) = app.weekly_review(&catalog)? else {
        let next = app.programme(&catalog)?.next_review;
        if format == Format::Json {
            print(&json(&serde_json::json!({ "due": false, "next": next }))?)?;
        } else {
            print(&match next {
                Some(d) => format!(
                    "No weekly review is due: the next one comes on {}.\n",
                    d.format("%a %-d %b")
                ),
                None => "The weekly reviews begin a week after your first session.\n".into(),
            })?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    if format == Format::Json {
        print(&json(&serde_json::json!({ "due": true, "review": r }))?)?;
    } else {
        print(&review_text(&r))?;
    }
    let answer = if a.accept {
        Some(ReviewAnswer::Accept)
    } else if a.easier {
        Some(ReviewAnswer::Easier)
    } else if format != Format::Json && ask::interactive() {
        ask_answer()
    } else {
        None
    };
    answered(&app, answer)
}

/// Asks whether to carry on or take an easier week.
pub fn ask_answer() -> Option<ReviewAnswer> {
    ask::until(
        "\nCarry on with your programme [c], or take an easier week [e]?",
        Some(ReviewAnswer::Accept),
        |a| match a.trim().to_ascii_lowercase().as_str() {
            "c" | "carry on" => Ok(ReviewAnswer::Accept),
            "e" | "easier" => Ok(ReviewAnswer::Easier),
            _ => Err(Retry(
                "Type c to carry on, or e for an easier week (Enter carries on).".into(),
            )),
        },
    )
}

/// Records the answer, and says what it means; without one, says how to give it.
pub fn answered(app: &App<'_>, answer: Option<ReviewAnswer>) -> miette::Result<ExitCode> {
    match answer {
        Some(ReviewAnswer::Accept) => {
            app.answer_review(ReviewAnswer::Accept)?;
            eprintln!("Carrying on: the next review is in a week.");
        }
        Some(ReviewAnswer::Easier) => {
            app.answer_review(ReviewAnswer::Easier)?;
            eprintln!(
                "An easier week: every exercise a step lower for seven days. The next review is in a week."
            );
        }
        None => eprintln!(
            "Answer with `backstretch review --accept` to carry on, or `--easier` for an easier week."
        ),
    }
    Ok(ExitCode::SUCCESS)
}
