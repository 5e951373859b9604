//! `backstretch` with no subcommand. On a fresh data directory it walks a new user through
//! the disclaimer, a profile and the red-flag check for its areas in a few questions, then
//! offers today's routine; later it shows today's routine and this week's progress, and
//! offers to start.

use std::process::ExitCode;

use backstretch_app::Overrides;
use backstretch_core::profile::{Goal, Profile};
use backstretch_core::vocab::{Area, Condition, EasedBy, Place, Word};
use backstretch_render::plan::plan_table;
use backstretch_render::progress::progress_line;
use miette::miette;

use crate::ask::{self, Retry};
use crate::context::Context;
use crate::output::{print, width};

/// What to do after the welcome.
#[derive(Debug, Clone, Copy)]
pub enum Next {
    /// Nothing more: exit with this code.
    Exit(ExitCode),
    /// Play today's routine now.
    Start,
}

/// Reads a list of words as people type it: "lower back, neck", "bed and chair",
/// "neck lower-back". Each comma- or "and"-separated piece is one word ("lower back" is
/// `lower-back`), or else several words separated by spaces.
pub fn words<W: Word + PartialEq>(answer: &str) -> Result<Vec<W>, Retry> {
    let mut out: Vec<W> = Vec::new();
    let lower = answer.to_lowercase().replace(" and ", ",");
    for piece in lower
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let found: Vec<W> = match W::parse_word(piece) {
            Ok(v) => vec![v],
            Err(whole) => piece
                .split_whitespace()
                .map(W::parse_word)
                .collect::<Result<Vec<W>, _>>()
                .map_err(|_| Retry(whole.to_string()))?,
        };
        for v in found {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    if out.is_empty() {
        return Err(Retry(format!("Name at least one {}.", W::WHAT)));
    }
    Ok(out)
}

/// Reads the answer to the conditions question: `none`, or condition words.
pub fn conditions(answer: &str) -> Result<Vec<Condition>, Retry> {
    let t = answer.trim().to_ascii_lowercase();
    if matches!(t.as_str(), "none" | "no" | "n") {
        return Ok(Vec::new());
    }
    words::<Condition>(answer).map_err(|e| Retry(format!("{e} Or answer `none`.")))
}

/// Asks which health conditions the person has (no default: Enter asks again).
fn ask_conditions() -> Option<Vec<Condition>> {
    ask::until(
        &format!(
            "Do you have any of these: {}? Name them, or answer `none`:",
            Condition::listed()
        ),
        None,
        conditions,
    )
}

/// Asks once, for lower-back pain, which movement eases it (no default: Enter asks again).
pub fn ask_eased_by() -> Option<EasedBy> {
    ask::until(
        "When your lower back hurts, does bending forward ease it, or arching back, or neither? Answer `forward`, `back` or `neither` (`neither` is fine if you are not sure):",
        None,
        |a| EasedBy::parse_word(a).map_err(|e| Retry(e.to_string())),
    )
}

/// Asks for a profile in a few questions.
fn ask_profile() -> Option<Profile> {
    ask::say(
        "A few questions to fit routines to you (you can change them later with `backstretch profile set`).\n",
    );
    let areas = ask::until(
        &format!(
            "Where does it hurt? One or more of {}, the main one first:",
            Area::listed()
        ),
        None,
        words::<Area>,
    )?;
    let places = ask::until(
        &format!(
            "Where can you stretch? One or more of {}. If getting down to the floor is hard, choose bed or chair (a wheelchair counts as a chair):",
            Place::listed()
        ),
        None,
        words::<Place>,
    )?;
    let minutes = ask::until("How many minutes a session? [10]", Some(10), |a| match a
        .parse::<u32>()
    {
        Ok(n @ 1..=180) => Ok(n),
        _ => Err(Retry(
            "Please give a number of minutes from 1 to 180.".into(),
        )),
    })?;
    let goal = ask::until(
        "How often? `daily`, or a number of times a week like `3/week` (the pages say every day, or at least three times a week) [daily]",
        Some(Goal::Daily),
        |a| a.parse::<Goal>().map_err(|e| Retry(e.to_string())),
    )?;
    let eased_by = if areas.contains(&Area::LowerBack) {
        Some(ask_eased_by()?)
    } else {
        None
    };
    let conditions = ask_conditions()?;
    Some(Profile {
        areas,
        places,
        minutes,
        goal,
        conditions,
        eased_by,
        ..Profile::default()
    })
}

pub fn run(ctx: &Context) -> miette::Result<Next> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    if !ask::interactive() {
        // No questions off a terminal: show today's routine if everything is set up.
        if app.profile()?.is_none() {
            return Err(miette!(
                help = "run `backstretch` in a terminal for a guided first run, or set up with `backstretch --accept-disclaimer safety --answers none` and `backstretch profile set --area lower-back --place bed`",
                "backstretch is not set up yet"
            ));
        }
        let o = Overrides::default();
        crate::gates::pass(ctx, &app, &catalog, &app.areas(&o)?)?;
        let plan = app.plan(&catalog, &o, false)?;
        print(&format!(
            "{}\n{}\n`backstretch start` plays it.\n",
            progress_line(&app.progress(false)?),
            plan_table(&plan, width()).trim_end()
        ))?;
        return Ok(Next::Exit(ExitCode::SUCCESS));
    }
    let existing = app.profile()?;
    if existing.is_none() {
        ask::say(
            "Welcome to backstretch: gentle stretching routines for back and neck pain, built from practitioners' advice.\n",
        );
    }
    if !app.disclaimer_accepted()? && !ctx.accept_disclaimer && !crate::gates::ask_disclaimer(&app)?
    {
        return Err(miette!(
            help = "run `backstretch` again when you are ready to accept it",
            "the disclaimer was not accepted, so no routine is planned or played"
        ));
    }
    let profile = match existing {
        // Asked once: a lower-back profile saved before the question was asked.
        Some(mut p) if p.areas.contains(&Area::LowerBack) && p.eased_by.is_none() => {
            if let Some(e) = ask_eased_by() {
                p.eased_by = Some(e);
                app.save_profile(&catalog, p)?.profile
            } else {
                p
            }
        }
        Some(p) => p,
        None => {
            let Some(p) = ask_profile() else {
                return Err(miette!("no answers; run `backstretch` again to set up"));
            };
            let saved = app.save_profile(&catalog, p)?;
            println!("\nSaved your profile.\n");
            saved.profile
        }
    };
    crate::gates::pass(ctx, &app, &catalog, &profile.areas)?;
    let plan = app.plan(&catalog, &Overrides::default(), false)?;
    println!("{}\n", progress_line(&app.progress(false)?));
    println!("Today's routine:\n");
    print(&plan_table(&plan, width()))?;
    println!();
    if ask::yes_no("Start today's routine now?") == Some(true) {
        return Ok(Next::Start);
    }
    print("Fine. `backstretch start` plays it whenever you are ready.\n")?;
    Ok(Next::Exit(ExitCode::SUCCESS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_as_people_type_them() {
        assert_eq!(
            words::<Area>("lower back, neck"),
            Ok(vec![Area::LowerBack, Area::Neck])
        );
        assert_eq!(
            words::<Area>("Neck lower-back"),
            Ok(vec![Area::Neck, Area::LowerBack])
        );
        assert_eq!(
            words::<Place>("bed and chair"),
            Ok(vec![Place::Bed, Place::Chair])
        );
        assert_eq!(words::<Place>("wheelchair"), Ok(vec![Place::Chair]));
        let e = words::<Place>("flor").unwrap_err();
        assert!(e.0.contains("did you mean `floor`?"), "{e}");
        assert!(words::<Area>("  ").is_err());
        // Regression: "back" was answered with "did you mean `neck`?".
        let e = words::<Area>("back").unwrap_err();
        assert!(e.0.contains("lower-back, mid-back and upper-back"), "{e}");
        assert!(!e.0.contains("neck"), "{e}");
        assert_eq!(
            words::<Area>("lower back and upper back"),
            Ok(vec![Area::LowerBack, Area::UpperBack])
        );
        assert_eq!(conditions("None"), Ok(vec![]));
        assert_eq!(
            conditions("osteoporosis and hip replacement"),
            Ok(vec![Condition::Osteoporosis, Condition::HipReplacement])
        );
        assert!(conditions("").is_err());
        assert!(conditions("gout").unwrap_err().0.contains("none"));
    }
}
