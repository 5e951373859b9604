//! `backstretch export csv | json | ics | fhir` and `backstretch import FILE`.

use std::process::ExitCode;

use backstretch_core::profile::Goal;
use backstretch_core::session::SessionRecord;
use backstretch_render::export::{
    self, CareActivity, CarePlanSpec, ExportFile, FORMAT, Reminder, SessionExport, VERSION,
};
use backstretch_render::plan::{PlanJson, dose_text};
use backstretch_store::Store;
use chrono::NaiveTime;
use miette::{IntoDiagnostic, miette};

use crate::args::{ExportArgs, ExportKind, Format, ImportArgs, PlanFlags};
use crate::context::Context;
use crate::output::print;

/// The whole log, oldest session first.
pub fn export_file(store: &Store) -> miette::Result<ExportFile> {
    let mut sessions = store.sessions().map_err(|e| miette!("{e}"))?;
    sessions.reverse();
    let mut out = Vec::new();
    for s in sessions {
        let steps = store.steps(s.id).map_err(|e| miette!("{e}"))?;
        out.push(SessionExport {
            routine: serde_json::from_str(&s.routine).unwrap_or(serde_json::Value::Null),
            uid: s.uid,
            started_at: s.started_at,
            ended_at: s.ended_at,
            heartbeat_at: s.heartbeat_at,
            source: s.source,
            planned_s: s.planned_s,
            pain_before: s.pain_before,
            pain_after: s.pain_after,
            outcome: s.outcome,
            steps,
        });
    }
    Ok(ExportFile {
        format: FORMAT.into(),
        version: VERSION,
        sessions: out,
    })
}

fn write_out(a: &ExportArgs, text: &str) -> miette::Result<()> {
    match &a.out {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| miette!("cannot write {}: {e}", p.display()))?;
            eprintln!("Wrote {}.", p.display());
            Ok(())
        }
        None => print(text),
    }
}

fn uid_for(ctx: &Context) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in ctx.home.as_os_str().as_encoded_bytes() {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("backstretch-reminder-{h:016x}@backstretch.local")
}

pub fn run(ctx: &Context, a: &ExportArgs) -> miette::Result<ExitCode> {
    ctx.format(&[Format::Table])?;
    if a.kind != ExportKind::Ics && (a.time.is_some() || a.days.is_some()) {
        return Err(miette!(
            help = "use them with `export ics`",
            "--time and --days are for the reminder calendar"
        ));
    }
    let store = ctx.store()?;
    let file = export_file(&store)?;
    let text = match a.kind {
        ExportKind::Json => {
            let mut t = serde_json::to_string_pretty(&file).into_diagnostic()?;
            t.push('\n');
            t
        }
        ExportKind::Csv => export::csv(&file).map_err(|e| miette!("cannot write CSV: {e}"))?,
        ExportKind::Ics => {
            let profile = store.profile().map_err(|e| miette!("{e}"))?;
            let goal = profile.as_ref().map_or(Goal::Daily, |p| p.goal);
            let minutes = profile.as_ref().map_or(10, |p| p.minutes);
            let days = a
                .days
                .clone()
                .map_or_else(|| export::spread_days(goal.per_week()), |d| d.0);
            let time = a
                .time
                .unwrap_or_else(|| NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default());
            let now = chrono::Local::now();
            let when = if days.is_empty() {
                "every day".to_string()
            } else {
                days.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            export::ics(&Reminder {
                uid: uid_for(ctx),
                first_day: export::first_day(now.date_naive(), now.time(), time, &days),
                time,
                days: days.clone(),
                minutes,
                stamp: now.with_timezone(&chrono::Utc),
                description: format!(
                    "Your stretching session ({minutes} min, {when}; goal {goal}). Run `backstretch start`. Move slowly, never into pain, and stop if anything hurts."
                ),
            })
        }
        ExportKind::Fhir => {
            let plan = care_plan(ctx, &store)?;
            let created = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            let owner = ctx.home.display().to_string();
            let mut t =
                serde_json::to_string_pretty(&export::fhir(&file, &owner, plan.as_ref(), &created))
                    .into_diagnostic()?;
            t.push('\n');
            t
        }
    };
    write_out(a, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// The care plan: today's routine for the profile, or else the latest session's routine.
fn care_plan(ctx: &Context, store: &Store) -> miette::Result<Option<CarePlanSpec>> {
    let profile = store.profile().map_err(|e| miette!("{e}"))?;
    let per_week = profile.as_ref().map_or(7, |p| p.goal.per_week());
    if let Some(p) = &profile {
        let catalog = ctx.catalog()?;
        let req = crate::cmd::plan::request(Some(p), &PlanFlags::default(), &catalog)?;
        if let Ok(plan) = backstretch_core::plan::plan(&catalog, &req, &[]) {
            return Ok(Some(CarePlanSpec {
                title: format!(
                    "Stretching routine for {}",
                    p.areas
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                per_week,
                activities: plan
                    .items
                    .iter()
                    .map(|i| CareActivity {
                        name: i.exercise.name.clone(),
                        dose: dose_text(i),
                    })
                    .collect(),
            }));
        }
    }
    let latest = store
        .sessions()
        .map_err(|e| miette!("{e}"))?
        .into_iter()
        .next();
    Ok(latest
        .and_then(|s| serde_json::from_str::<PlanJson>(&s.routine).ok())
        .filter(|j| !j.items.is_empty())
        .map(|j| CarePlanSpec {
            title: "Stretching routine".into(),
            per_week,
            activities: j
                .items
                .iter()
                .map(|i| CareActivity {
                    name: i.name.clone(),
                    dose: format!(
                        "{} s x {}{}",
                        i.dose.hold_s,
                        i.dose.reps,
                        if i.sides == "each" { ", each side" } else { "" }
                    ),
                })
                .collect(),
        }))
}

pub fn import(ctx: &Context, a: &ImportArgs) -> miette::Result<ExitCode> {
    ctx.format(&[Format::Table])?;
    let bytes =
        std::fs::read(&a.file).map_err(|e| miette!("cannot read {}: {e}", a.file.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        miette!(
            help = "import reads files written by `backstretch export json`",
            "{} is not a backstretch export (it is not text)",
            a.file.display()
        )
    })?;
    let file: ExportFile = serde_json::from_str(&text).map_err(|e| {
        miette!(
            help = "import reads files written by `backstretch export json`",
            "{} is not a backstretch export: {e}",
            a.file.display()
        )
    })?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(miette!(
            help = "upgrade backstretch, or export again with this version",
            "{} is format `{}` version {}; this backstretch reads `{FORMAT}` version {VERSION}",
            a.file.display(),
            file.format,
            file.version
        ));
    }
    for (i, s) in file.sessions.iter().enumerate() {
        let bad = |what: String| {
            miette!(
                help = "fix the file, or export it again",
                "session {} (`{}`): {what}",
                i + 1,
                s.uid
            )
        };
        if chrono::DateTime::parse_from_rfc3339(&s.started_at).is_err() {
            return Err(bad(format!(
                "started_at `{}` is not an RFC 3339 time",
                s.started_at
            )));
        }
        for p in [s.pain_before, s.pain_after].into_iter().flatten() {
            if p > 10 {
                return Err(bad(format!("pain {p} is outside 0-10")));
            }
        }
        if !matches!(s.outcome.as_deref(), None | Some("completed" | "stopped")) {
            return Err(bad(format!(
                "unknown outcome `{}`",
                s.outcome.clone().unwrap_or_default()
            )));
        }
    }
    let records: Vec<(SessionRecord, Vec<_>)> = file
        .sessions
        .into_iter()
        .map(|s| {
            (
                SessionRecord {
                    id: 0,
                    routine: serde_json::to_string(&s.routine).unwrap_or_else(|_| "null".into()),
                    uid: s.uid,
                    started_at: s.started_at,
                    ended_at: s.ended_at,
                    heartbeat_at: s.heartbeat_at,
                    source: s.source,
                    planned_s: s.planned_s,
                    pain_before: s.pain_before,
                    pain_after: s.pain_after,
                    outcome: s.outcome,
                    pid: None,
                },
                s.steps,
            )
        })
        .collect();
    let store = ctx.store()?;
    let (added, skipped) = store.import(&records).map_err(|e| {
        miette!(
            help = "nothing was imported; fix the file and try again",
            "{e}"
        )
    })?;
    print(&format!(
        "Imported {added} session{} from {}; {skipped} already here were skipped.\n",
        if added == 1 { "" } else { "s" },
        a.file.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
