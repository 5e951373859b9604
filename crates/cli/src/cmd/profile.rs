//! `backstretch profile set | show`.

use std::process::ExitCode;

use backstretch_core::profile::Profile;
use backstretch_core::vocab::Word;
use backstretch_render::catalog::word_list;
use miette::{IntoDiagnostic, miette};

use crate::args::{Format, ProfileCommand, ProfileSetArgs};
use crate::cmd::plan::resolve_ids;
use crate::context::Context;
use crate::output::print;

pub fn run(ctx: &Context, cmd: ProfileCommand) -> miette::Result<ExitCode> {
    match cmd {
        ProfileCommand::Set(a) => set(ctx, &a),
        ProfileCommand::Show => show(ctx),
        ProfileCommand::Allow(a) => allow(ctx, &a.name.join(" ")),
    }
}

fn allow(ctx: &Context, name: &str) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let id = resolve_ids(&catalog, &[name.to_string()], "allow")?.remove(0);
    let store = ctx.store()?;
    let Some(mut p) = store.profile().map_err(|e| miette!("{e}"))? else {
        return Err(miette!(
            help = "save one first with `backstretch profile set --area ... --place ...`",
            "no profile saved yet"
        ));
    };
    let was_blocked = crate::cmd::safety::pain_rules(&store, Some(&p))?
        .blocked
        .contains(&id);
    p.allowed
        .insert(id.clone(), chrono::Local::now().date_naive());
    p.exclude.retain(|x| *x != id);
    store
        .set_profile(&p, &chrono::Local::now().to_rfc3339())
        .map_err(|e| miette!("{e}"))?;
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
    let old = ctx.profile()?;
    let mut p = old.clone().unwrap_or_default();
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
    for id in resolve_ids(&catalog, &a.exclude, "--exclude")? {
        if !p.exclude.contains(&id) {
            p.exclude.push(id);
        }
    }
    for id in resolve_ids(&catalog, &args.include, "--include")? {
        p.exclude.retain(|x| *x != id);
    }
    if p.areas.is_empty() || p.places.is_empty() {
        return Err(miette!(
            help = "e.g. `backstretch profile set --area lower-back --area neck --place bed --place chair`",
            "a profile needs at least one --area and one --place"
        ));
    }
    let store = ctx.store()?;
    store
        .set_profile(&p, &chrono::Local::now().to_rfc3339())
        .map_err(|e| miette!("{e}"))?;
    let verb = if old.is_some() { "Updated" } else { "Saved" };
    print(&format!("{verb} your profile.\n\n{}", describe(ctx, &p)))?;
    let areas_changed = old.as_ref().is_none_or(|o| o.areas != p.areas);
    if areas_changed {
        // New areas are checked for warning signs before anything is planned for them.
        if crate::ask::interactive() {
            println!();
            crate::cmd::safety::ensure_screening(&store, &p.areas)?;
        } else if store
            .last_screening()
            .map_err(|e| miette!("{e}"))?
            .is_none_or(|s| {
                !p.areas
                    .iter()
                    .all(|a| s.areas.iter().any(|x| x == a.as_str()))
            })
        {
            print(
                "Your areas changed: the red-flag questions are asked again before the next plan (`backstretch safety`).\n",
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
    format!(
        "Areas     {}\nPlaces    {}\nMinutes   {}\nStyle     {}\nGoal      {}\nExcluded  {}\nStored in {}\n",
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
        ctx.store_path().display()
    )
}

fn show(ctx: &Context) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let Some(p) = ctx.profile()? else {
        return Err(miette!(
            help = "save one with `backstretch profile set --area lower-back --place bed --minutes 10`",
            "no profile saved yet in {}",
            ctx.home.display()
        ));
    };
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&p).into_diagnostic()?;
            s.push('\n');
            s
        }
        _ => describe(ctx, &p),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
