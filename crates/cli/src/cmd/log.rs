//! `backstretch log`: record a session done without the player.

use std::process::ExitCode;

use backstretch_core::session::StepRecord;
use backstretch_core::timeline::Timeline;
use backstretch_render::plan::{DoseOut, ItemJson, PlanJson, ProfileJson};
use backstretch_store::NewSession;
use miette::{IntoDiagnostic, miette};

use crate::args::LogArgs;
use crate::cmd::plan::resolve_ids;
use crate::cmd::start::{new_uid, read_routine};
use crate::context::Context;
use crate::output::print;

pub fn run(ctx: &Context, a: &LogArgs) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let hurt = resolve_ids(&catalog, &a.hurt, "--hurt")?;
    let (mut json, items) = match &a.routine {
        Some(p) => read_routine(p)?,
        None => {
            let ids = resolve_ids(&catalog, &a.exercise, "--exercise")?;
            let mut plan = PlanJson {
                profile: ProfileJson {
                    areas: vec![],
                    places: vec![],
                    minutes: 0,
                    style: "source".into(),
                    exclude: vec![],
                    date: String::new(),
                    gentler: false,
                },
                style: "source".into(),
                total_s: 0,
                items: vec![],
                timeline: vec![],
                warnings: vec![],
            };
            for id in ids.iter().chain(hurt.iter().filter(|h| !ids.contains(h))) {
                let Some(e) = catalog.get(id) else { continue };
                let x = &e.exercise;
                plan.items.push(ItemJson {
                    exercise_id: x.id.clone(),
                    name: x.name.clone(),
                    position: x.position.to_string(),
                    places: x.places.iter().map(ToString::to_string).collect(),
                    sides: x.sides.to_string(),
                    dose: DoseOut {
                        hold_s: x.dose.hold_s,
                        reps: x.dose.reps,
                        rest_s: x.dose.rest_s,
                    },
                    seconds: 0,
                    reason: "logged by hand".into(),
                    serves: vec![],
                    warm_up: false,
                    cautions: vec![],
                });
            }
            if plan.items.is_empty() {
                return Err(miette!(
                    help = "name what you did: --exercise childs-pose --exercise bridge, or --routine FILE",
                    "no exercises to log"
                ));
            }
            let items =
                backstretch_render::plan::items_from_json(&plan).map_err(|e| miette!("{e}"))?;
            (plan, items)
        }
    };
    // Hurt exercises not in a routine file are added to it.
    for h in &hurt {
        if !items.iter().any(|i| &i.id == h) {
            return Err(miette!(
                help = "name only exercises of the routine with --hurt",
                "--hurt `{h}` is not in {}",
                a.routine
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ));
        }
    }
    let timeline = Timeline::new(&items);
    json.total_s = timeline.total_s();
    let started = match a.date {
        Some(d) => d
            .and_local_timezone(chrono::Local)
            .earliest()
            .ok_or_else(|| {
                miette!(
                    "{d} does not exist in the local time zone (a clock change); pick another time"
                )
            })?,
        None => chrono::Local::now(),
    };
    if started > chrono::Local::now() + chrono::Duration::minutes(5) {
        return Err(miette!(
            help = "log sessions that have happened",
            "{} is in the future",
            started.format("%Y-%m-%d %H:%M")
        ));
    }
    let stamp =
        |t: chrono::DateTime<chrono::Local>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let started_s = stamp(started);
    let ended_s = stamp(started + chrono::Duration::seconds(i64::from(timeline.total_s())));
    // One record per hold: done, or hurt for the exercises named with --hurt.
    let steps: Vec<StepRecord> = timeline
        .steps()
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == backstretch_core::timeline::StepKind::Hold)
        .map(|(i, s)| {
            let id = s.exercise_id.clone().unwrap_or_default();
            StepRecord {
                step: i as u32,
                kind: s.kind.as_str().into(),
                outcome: if hurt.contains(&id) { "hurt" } else { "done" }.into(),
                exercise_id: Some(id),
                side: s.side.map(|x| x.as_str().to_string()),
                rep: s.rep,
                planned_s: s.seconds,
                done_ms: u64::from(s.seconds) * 1000,
                at: ended_s.clone(),
            }
        })
        .collect();
    let routine = serde_json::to_string(&json).into_diagnostic()?;
    let store = ctx.store()?;
    store
        .record_session(
            &NewSession {
                uid: &new_uid(&started_s),
                started_at: &started_s,
                source: "manual",
                routine: &routine,
                planned_s: timeline.total_s(),
                pain_before: Some(a.pain_before),
                pid: None,
            },
            &steps,
            &ended_s,
            Some(a.pain_after),
            "completed",
        )
        .map_err(|e| miette!("{e}"))?;
    print(&format!(
        "Logged a session on {}: {} exercise{}, pain {} -> {}.\n",
        started.format("%a %-d %b %Y %H:%M"),
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        a.pain_before,
        a.pain_after
    ))?;
    Ok(ExitCode::SUCCESS)
}
