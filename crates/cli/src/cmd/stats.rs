//! `backstretch stats` and `backstretch chart`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use backstretch_core::profile::Goal;
use backstretch_core::session::summarize;
use backstretch_core::stats::{SessionFact, Stats, stats};
use backstretch_render::chart::{PainPoint, adherence_svg, pain_svg};
use backstretch_store::Store;
use chrono::NaiveDate;
use miette::{IntoDiagnostic, miette};

use crate::args::{ChartArgs, ChartKind, Format, StatsArgs};
use crate::context::Context;
use crate::output::print;

/// Every session as the statistics need it.
pub fn facts(store: &Store) -> miette::Result<Vec<SessionFact>> {
    let sessions = store.sessions().map_err(|e| miette!("{e}"))?;
    let mut out = Vec::new();
    for s in sessions {
        let Ok(started) = chrono::DateTime::parse_from_rfc3339(&s.started_at) else {
            continue;
        };
        let sum = summarize(&store.steps(s.id).map_err(|e| miette!("{e}"))?);
        out.push(SessionFact {
            started,
            seconds: sum.seconds,
            pain_before: s.pain_before,
            pain_after: s.pain_after,
            counts: s.outcome.as_deref() == Some("completed") || !sum.done.is_empty(),
            done: sum.done.len(),
            hurt: sum.hurt,
        });
    }
    Ok(out)
}

/// The goal: the profile's, or daily.
fn goal(store: &Store) -> miette::Result<Goal> {
    Ok(store
        .profile()
        .map_err(|e| miette!("{e}"))?
        .map_or(Goal::Daily, |p| p.goal))
}

/// This week against the goal and the streak, in one line.
pub fn progress_line(s: &Stats) -> String {
    let unit = if s.streak.current == 1 {
        s.streak.unit.trim_end_matches('s')
    } else {
        s.streak.unit
    };
    format!(
        "This week: {} of {} session{} (goal {}). Streak: {} {unit}{}.",
        s.this_week.sessions,
        s.this_week.target,
        if s.this_week.target == 1 { "" } else { "s" },
        s.goal,
        s.streak.current,
        if s.streak.longest > s.streak.current {
            format!(" (longest {})", s.streak.longest)
        } else {
            String::new()
        }
    )
}

/// The progress line as it will stand once a session today counts (for the end screen,
/// drawn before the session is finished in the log).
pub fn progress_with_today(store: &Store) -> miette::Result<String> {
    let now = chrono::Local::now();
    let mut f = facts(store)?;
    f.push(SessionFact {
        started: now.fixed_offset(),
        seconds: 0,
        pain_before: None,
        pain_after: None,
        done: 1,
        hurt: vec![],
        counts: true,
    });
    Ok(progress_line(&stats(
        &f,
        goal(store)?,
        now.date_naive(),
        None,
    )))
}

/// The progress line for the log as it is now.
pub fn progress_now(store: &Store) -> miette::Result<String> {
    let today = chrono::Local::now().date_naive();
    Ok(progress_line(&stats(
        &facts(store)?,
        goal(store)?,
        today,
        None,
    )))
}

fn text(s: &Stats) -> String {
    let mut out = format!("{}\n\n", progress_line(s));
    out.push_str(&format!(
        "Sessions   {}\nMinutes    {}\nExercises  {} done\n",
        s.sessions, s.minutes, s.exercises_done
    ));
    let p = &s.pain;
    match (p.first, p.last) {
        (Some(f), Some(l)) => {
            out.push_str(&format!("Pain       {f} at the start, {l} lately"));
            if let Some(sl) = p.slope_per_session {
                out.push_str(&format!(" (trend {sl:+.2} per session)"));
            }
            out.push('\n');
            if p.meaningful {
                out.push_str(&format!(
                    "           A meaningful improvement: from about {:.1} to {:.1}, kept up over your latest sessions.\n",
                    p.baseline.unwrap_or_default(),
                    p.recent.unwrap_or_default()
                ));
            }
        }
        _ => out.push_str("Pain       no scores yet (give them before and after each session)\n"),
    }
    if !s.most_hurt.is_empty() {
        let list: Vec<String> = s
            .most_hurt
            .iter()
            .map(|(id, n)| format!("{id} ({n})"))
            .collect();
        out.push_str(&format!("Hurt most  {}\n", list.join(", ")));
    }
    out
}

pub fn run(ctx: &Context, a: &StatsArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let (f, g) = if ctx.store_path().exists() {
        let store = ctx.store()?;
        (facts(&store)?, goal(&store)?)
    } else {
        (Vec::new(), Goal::Daily)
    };
    let today = chrono::Local::now().date_naive();
    let s = stats(&f, g, today, a.since);
    if format == Format::Json {
        let mut t = serde_json::to_string_pretty(&s).into_diagnostic()?;
        t.push('\n');
        print(&t)?;
    } else if f.is_empty() {
        print(
            "No sessions yet, so no progress to show. `backstretch start` plays today's routine; `backstretch log` records one done on paper.\n",
        )?;
    } else {
        print(&text(&s))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders an SVG to PNG at twice its size, with the system's fonts.
pub fn png(svg: &str) -> miette::Result<Vec<u8>> {
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    if opt.fontdb.is_empty() {
        eprintln!(
            "note: no fonts found, so the PNG has no text; install some (Debian: `apt-get install fonts-dejavu-core`) or write an SVG"
        );
    }
    let tree = resvg::usvg::Tree::from_str(svg, &opt).into_diagnostic()?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)
        .ok_or_else(|| miette!("the chart is too large to draw"))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().into_diagnostic()
}

pub fn chart(ctx: &Context, a: &ChartArgs) -> miette::Result<ExitCode> {
    ctx.format(&[Format::Table])?;
    let ext = a
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("svg" | "png")) {
        return Err(miette!(
            help = "end the file name with .svg or .png",
            "cannot tell the format of {}",
            a.out.display()
        ));
    }
    let (f, g) = if ctx.store_path().exists() {
        let store = ctx.store()?;
        (facts(&store)?, goal(&store)?)
    } else {
        (Vec::new(), Goal::Daily)
    };
    let mut f: Vec<SessionFact> = f
        .into_iter()
        .filter(|x| a.since.is_none_or(|s| x.day() >= s))
        .collect();
    f.sort_by_key(|x| x.started);
    let today = chrono::Local::now().date_naive();
    let svg = match a.kind {
        ChartKind::Pain => pain_svg(
            &f.iter()
                .filter(|x| x.pain_before.is_some() || x.pain_after.is_some())
                .map(|x| PainPoint {
                    day: x.day(),
                    before: x.pain_before,
                    after: x.pain_after,
                })
                .collect::<Vec<_>>(),
        ),
        ChartKind::Adherence => {
            let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
            for x in f.iter().filter(|x| x.counts) {
                *per_day.entry(x.day()).or_default() += 1;
            }
            adherence_svg(&per_day, g.per_week(), &g.to_string(), today)
        }
    };
    let bytes = if ext.as_deref() == Some("png") {
        png(&svg)?
    } else {
        svg.into_bytes()
    };
    std::fs::write(&a.out, bytes).map_err(|e| miette!("cannot write {}: {e}", a.out.display()))?;
    print(&format!("Wrote {}.\n", a.out.display()))?;
    Ok(ExitCode::SUCCESS)
}
