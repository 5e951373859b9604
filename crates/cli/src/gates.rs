//! Passing the app's gates on the terminal: the app says which gate stands (the disclaimer,
//! a red-flag check, a reported warning sign); this asks the questions it needs, records the
//! answers through the app, and otherwise fails with the app's message.

use backstretch_app::{App, AppError, Gate};
use backstretch_core::catalog::Catalog;
use backstretch_core::check::Outcome;
use backstretch_core::safety::{DISCLAIMER, Urgency, Verdict, verdict_message, worth_knowing};
use backstretch_core::vocab::Area;
use miette::miette;

use crate::ask;
use crate::context::Context;

/// Asks the red-flag questions for `areas` one at a time and records the answers. An
/// emergency answer ends the check at once, so its advice comes first. Nothing is recorded
/// when input ends before the check does.
pub fn ask_screening(app: &App<'_>, areas: &[Area]) -> miette::Result<Outcome<'static>> {
    ask::say(
        "A few yes-or-no questions about warning signs, to check that stretching is right for you now.\n",
    );
    let mut check = app.check(areas)?;
    while let Some(q) = check.next() {
        let Some(yes) = ask::yes_no(&q.text) else {
            return Err(miette!(
                help = "run `backstretch safety` again and answer every question",
                "the check ended before every question was answered, so nothing was recorded"
            ));
        };
        check.answer(yes);
    }
    Ok(app.record_check(check)?)
}

/// What a check found: the verdict's advice, then what is worth knowing from the answers.
pub fn show(outcome: &Outcome<'_>, clinic: bool) -> String {
    let mut text = format!("{}\n", verdict_message(&outcome.verdict));
    if let Verdict::Flagged { signs, .. } = &outcome.verdict {
        let clearable: Vec<String> = signs
            .iter()
            .filter(|s| s.urgency < Urgency::Emergency)
            .map(|s| s.id.clone())
            .collect();
        let emergency = signs.iter().any(|s| s.urgency == Urgency::Emergency);
        text.push_str(&format!(
            "What to do: {}.\n",
            crate::remedy::check_again(&clearable, emergency, clinic)
        ));
    }
    for f in &outcome.advice {
        text.push_str(&format!("{}\n", worth_knowing(f)));
    }
    text
}

/// Asks for the disclaimer on a terminal; true when accepted.
pub fn ask_disclaimer(app: &App<'_>) -> miette::Result<bool> {
    ask::say(&format!("Before you start\n\n{DISCLAIMER}\n"));
    if ask::yes_no("Do you understand and accept this?") == Some(true) {
        app.accept_disclaimer()?;
        println!();
        return Ok(true);
    }
    Ok(false)
}

/// Passes every gate for a routine serving `areas`: accepts the disclaimer when
/// `--accept-disclaimer` was given, asks on a terminal, and otherwise fails with the app's
/// message saying how to pass.
pub fn pass(ctx: &Context, app: &App<'_>, catalog: &Catalog, areas: &[Area]) -> miette::Result<()> {
    if !app.disclaimer_accepted()? {
        if ctx.accept_disclaimer {
            app.accept_disclaimer()?;
        } else if ask::interactive() {
            if !ask_disclaimer(app)? {
                return Err(miette!(
                    help = "run `backstretch` again when you are ready to accept it",
                    "the disclaimer was not accepted, so no routine is planned or played"
                ));
            }
        } else {
            return Err(AppError::GateNotPassed(Gate::Disclaimer).into());
        }
    }
    pass_screening(app, catalog, areas)
}

/// Passes the red-flag gate for `areas`, asking on a terminal when a check is due.
pub fn pass_screening(app: &App<'_>, catalog: &Catalog, areas: &[Area]) -> miette::Result<()> {
    match app.screening_gate(catalog, areas)? {
        None => Ok(()),
        Some(Gate::Screening { areas, .. }) if ask::interactive() => {
            let outcome = ask_screening(app, &areas)?;
            ask::say(&show(&outcome, app.under_clinic()?));
            if outcome.verdict == Verdict::Clear {
                Ok(())
            } else {
                Err(miette!(
                    "no routine is planned or played after a warning sign"
                ))
            }
        }
        Some(gate) => Err(AppError::GateNotPassed(gate).into()),
    }
}
