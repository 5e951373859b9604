//! `backstretch plan`: the best routine for the profile, or for the flags given.

use std::process::ExitCode;

use backstretch_core::catalog::{Catalog, Entry, NotFound};
use backstretch_core::plan::{self, Plan, Request};
use backstretch_core::profile::Profile;
use backstretch_render::plan::{plan_json, plan_markdown, plan_table};
use backstretch_store::Store;
use miette::{IntoDiagnostic, miette};

use crate::args::{Format, PlanArgs, PlanFlags};
use crate::cmd::safety::{self, PainRules};
use crate::context::Context;
use crate::output::{print, width};

/// The help for a name no exercise answers to: the closest ones, or where to look.
pub fn not_found_help(nf: &NotFound) -> String {
    if nf.suggestions.is_empty() {
        "`backstretch catalog list` shows every exercise".to_string()
    } else {
        format!(
            "did you mean {}?",
            nf.suggestions
                .iter()
                .map(|(id, name)| format!("{id} ({name})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The entry a user named (id, name or alias), or an error with the closest names.
pub fn find_entry<'a>(catalog: &'a Catalog, query: &str) -> miette::Result<&'a Entry> {
    catalog.find(query).map_err(|nf| {
        miette!(
            help = not_found_help(&nf),
            "no exercise is called `{}`",
            nf.query
        )
    })
}

/// Resolves exercise names or ids to ids; an unknown one is an error with suggestions.
pub fn resolve_ids(catalog: &Catalog, names: &[String], flag: &str) -> miette::Result<Vec<String>> {
    names
        .iter()
        .map(|n| {
            catalog
                .find(n)
                .map(|e| e.exercise.id.clone())
                .map_err(|nf| {
                    miette!(
                        help = not_found_help(&nf),
                        "{flag} `{n}`: no exercise is called that"
                    )
                })
        })
        .collect()
}

/// The request for one run: the saved profile with the flags laid over it.
pub fn request(
    profile: Option<&Profile>,
    flags: &PlanFlags,
    catalog: &Catalog,
) -> miette::Result<Request> {
    let base = profile.cloned().unwrap_or_default();
    let date = flags.date;
    let flags = &flags.routine;
    let areas = if flags.area.is_empty() {
        base.areas
    } else {
        flags.area.clone()
    };
    let places = if flags.place.is_empty() {
        base.places
    } else {
        flags.place.clone()
    };
    if areas.is_empty() || places.is_empty() {
        let missing = match (areas.is_empty(), places.is_empty()) {
            (true, true) => "areas and places",
            (true, false) => "areas",
            _ => "places",
        };
        return Err(miette!(
            help = "pass them, e.g. --area lower-back --place bed, or save them once with `backstretch profile set --area lower-back --place bed`",
            "no {missing} to plan for"
        ));
    }
    let mut exclude = base.exclude;
    for id in resolve_ids(catalog, &flags.exclude, "--exclude")? {
        if !exclude.contains(&id) {
            exclude.push(id);
        }
    }
    Ok(Request {
        areas,
        places,
        minutes: flags.minutes.unwrap_or(base.minutes),
        style: flags.style.unwrap_or(base.style),
        exclude,
        date: date.unwrap_or_else(|| chrono::Local::now().date_naive()),
        gentler: false,
    })
}

/// Plans, turning a planner error into a message that says what to change.
pub fn make_plan(catalog: &Catalog, req: &Request, blocked: &[String]) -> miette::Result<Plan> {
    plan::plan(catalog, req, blocked).map_err(|e| {
        let help = match &e {
            plan::PlanError::Invalid(_) => "see `backstretch plan --help`",
            plan::PlanError::NothingFits { .. } => {
                "allow another place with --place, or choose another area with --area"
            }
            plan::PlanError::TooShort { .. } => "ask for more minutes with --minutes",
        };
        miette!(help = help, "cannot plan a routine: {e}")
    })
}

/// A plan that has passed every safety gate: the disclaimer accepted, a red-flag check with
/// no warning sign for its areas, exercises that hurt twice lately left out, and gentler
/// doses after a flare. The pain rules' notes are among its warnings.
pub fn checked_plan(
    ctx: &Context,
    store: &Store,
    catalog: &Catalog,
    flags: &PlanFlags,
    force_gentler: bool,
) -> miette::Result<(Plan, PainRules)> {
    safety::ensure_disclaimer(ctx, store)?;
    let profile = store.profile().map_err(|e| miette!("{e}"))?;
    let mut req = request(profile.as_ref(), flags, catalog)?;
    safety::ensure_screening(store, &req.areas)?;
    let rules = safety::pain_rules(store, profile.as_ref())?;
    req.gentler = force_gentler || rules.flare.gentler;
    let mut p = make_plan(catalog, &req, &rules.blocked)?;
    let name = |id: &str| {
        catalog
            .get(id)
            .map_or_else(|| id.to_string(), |e| e.exercise.name.clone())
    };
    p.warnings.extend(safety::rule_notes(&rules, name));
    Ok((p, rules))
}

pub fn run(ctx: &Context, a: &PlanArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Markdown, Format::Json])?;
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let (p, _) = checked_plan(ctx, &store, &catalog, &a.flags, false)?;
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&plan_json(&p)).into_diagnostic()?;
            s.push('\n');
            s
        }
        Format::Markdown => plan_markdown(&p),
        Format::Table => plan_table(&p, width()),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
