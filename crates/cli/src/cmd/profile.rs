//! `backstretch profile set | show | allow | moment`.

use std::process::ExitCode;

use backstretch_core::profile::{Moment, Profile};
use backstretch_render::catalog::word_list;
use miette::miette;

use backstretch_core::vocab::{Condition, EasedBy};

use crate::args::{ConditionArg, Format, MomentCommand, ProfileCommand, ProfileSetArgs};
use crate::context::Context;
use crate::output::{json, print};

pub fn run(ctx: &Context, cmd: ProfileCommand) -> miette::Result<ExitCode> {
    match cmd {
        ProfileCommand::Set(a) => set(ctx, &a),
        ProfileCommand::Show => show(ctx),
        ProfileCommand::Allow(a) => allow(ctx, &a.name.join(" ")),
        ProfileCommand::Moment(m) => moment(ctx, m),
    }
}

fn moment(ctx: &Context, cmd: MomentCommand) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let (profile, said) = match cmd {
        MomentCommand::Add(a) => {
            let mut times = a.at;
            times.sort();
            times.dedup();
            let m = Moment {
                name: a.name,
                places: a.place,
                minutes: a.minutes,
                times,
            };
            let (p, replaced) = app.set_moment(&catalog, m.clone())?;
            let verb = if replaced { "Changed" } else { "Added" };
            (p, format!("{verb} the moment {}.\n", moment_line(&m)))
        }
        MomentCommand::Remove(a) => {
            let p = app.remove_moment(&catalog, &a.name)?;
            (p, format!("Removed the moment {}.\n", a.name))
        }
    };
    print(&format!("{said}\n{}", describe(ctx, &profile)))?;
    Ok(ExitCode::SUCCESS)
}

/// `morning: bed, 10 min at 07:30`.
fn moment_line(m: &Moment) -> String {
    let times: Vec<String> = m
        .times
        .iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect();
    format!(
        "{}: {}, {} min at {}",
        m.name,
        word_list(&m.places),
        m.minutes,
        times.join(", ")
    )
}

fn allow(ctx: &Context, name: &str) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let (id, was_blocked) = ctx.app(&store).allow(&catalog, name)?;
    let msg = if was_blocked {
        format!("Put {id} back: plans may include it again. Go gently, and press h if it hurts.\n")
    } else {
        format!(
            "{id} was not left out; it stays in your plans (only hurts from now on count against it).\n"
        )
    };
    print(&msg)?;
    Ok(ExitCode::SUCCESS)
}

fn set(ctx: &Context, args: &ProfileSetArgs) -> miette::Result<ExitCode> {
    let a = &args.routine;
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let mut p = app.profile()?.unwrap_or_default();
    if !a.area.is_empty() {
        p.areas.clone_from(&a.area);
    }
    if !a.place.is_empty() {
        p.places.clone_from(&a.place);
    }
    if let Some(m) = a.minutes {
        p.minutes = m;
    }
    if let Some(s) = a.style {
        p.style = s;
    }
    if let Some(g) = args.goal {
        p.goal = g;
    }
    if !args.condition.is_empty() {
        p.conditions = conditions(&args.condition);
    }
    if let Some(e) = args.eased_by {
        p.eased_by = Some(e);
    }
    if let Some(n) = args.breaks {
        p.breaks = (n > 0).then_some(n);
    }
    for id in app.resolve(&catalog, &a.exclude, "--exclude")? {
        if !p.exclude.contains(&id) {
            p.exclude.push(id);
        }
    }
    for id in app.resolve(&catalog, &args.include, "--include")? {
        p.exclude.retain(|x| *x != id);
    }
    let saved = app.save_profile(&catalog, p)?;
    let verb = if saved.replaced { "Updated" } else { "Saved" };
    print(&format!(
        "{verb} your profile.\n\n{}",
        describe(ctx, &saved.profile)
    ))?;
    if saved.screening_due {
        // New areas are checked for warning signs before anything is planned for them.
        if crate::ask::interactive() {
            println!();
            crate::gates::pass_screening(&app, &catalog, &saved.profile.areas)?;
        } else {
            print(
                "Your areas changed: the red-flag questions are asked again before the next plan (`backstretch safety`).\n",
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The conditions `--condition` gives: each named once, none for `none`.
fn conditions(given: &[ConditionArg]) -> Vec<Condition> {
    let mut out: Vec<Condition> = Vec::new();
    for c in given {
        if let ConditionArg::Has(c) = c
            && !out.contains(c)
        {
            out.push(*c);
        }
    }
    out
}

fn describe(ctx: &Context, p: &Profile) -> String {
    let areas: Vec<String> = p
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 && p.areas.len() > 1 {
                format!("{a} (primary)")
            } else {
                a.to_string()
            }
        })
        .collect();
    let moments: Vec<String> = p.moments.iter().map(moment_line).collect();
    format!(
        "Areas     {}\nPlaces    {}\nMinutes   {}\nStyle     {}\nGoal      {}\nExcluded  {}\nConditions {}\nEased by  {}\nMoments   {}\nBreaks    {}\nStored in {}\n",
        areas.join(", "),
        word_list(&p.places),
        p.minutes,
        p.style,
        p.goal,
        if p.exclude.is_empty() {
            "none".to_string()
        } else {
            p.exclude.join(", ")
        },
        if p.conditions.is_empty() {
            "none".to_string()
        } else {
            word_list(&p.conditions)
        },
        p.eased_by.map_or(
            "not asked (`--eased-by forward`, `back` or `neither`)",
            EasedBy::words
        ),
        if moments.is_empty() {
            "none (`backstretch profile moment add`)".to_string()
        } else {
            moments.join("; ")
        },
        p.breaks.map_or_else(
            || "no goal (`--breaks 4`)".to_string(),
            |n| format!("{n} a working day")
        ),
        ctx.store_path().display()
    )
}

fn show(ctx: &Context) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let profile = if ctx.has_store() {
        let store = ctx.store()?;
        ctx.app(&store).profile()?
    } else {
        None
    };
    let Some(p) = profile else {
        return Err(miette!(
            help = "save one with `backstretch profile set --area lower-back --place bed --minutes 10`",
            "no profile saved yet in {}",
            ctx.home.display()
        ));
    };
    let text = match format {
        Format::Json => json(&p)?,
        _ => describe(ctx, &p),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
