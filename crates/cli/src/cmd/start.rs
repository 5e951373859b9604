//! `backstretch start`: play a routine, with cues, logging every step the moment it ends.

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use backstretch_core::catalog::Catalog;
use backstretch_core::player::{Event, Player};
use backstretch_core::safety::{HIGH_PAIN, is_flare, light_text};
use backstretch_core::session::{HEARTBEAT_S, SessionOutcome, StepRecord, summarize};
use backstretch_core::timeline::{Timeline, TimelineItem};
use backstretch_core::vocab::{Area, Word};
use backstretch_render::plan::{PlanJson, items_from_json, plan_json};
use backstretch_store::{NewSession, Store};
use backstretch_tui::{App, ExerciseInfo, Exit, Host};
use miette::{IntoDiagnostic, miette};

use crate::args::StartArgs;
use crate::ask;
use crate::cmd::plan::checked_plan;
use crate::cmd::safety::{ensure_disclaimer, ensure_screening, pain_rules, rule_notes};
use crate::context::Context;
use crate::cue::Announcer;
use crate::output::print;

/// Local time now, RFC 3339 with offset.
pub fn now_stamp() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A stable, practically unique id for a session.
pub fn new_uid(started_at: &str) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for b in started_at
        .bytes()
        .chain(nanos.to_le_bytes())
        .chain(std::process::id().to_le_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Reads a plan JSON file and the timeline items it holds.
pub fn read_routine(path: &std::path::Path) -> miette::Result<(PlanJson, Vec<TimelineItem>)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        miette!(
            help = "save one with `backstretch plan --format json > routine.json`",
            "cannot read the routine {}: {e}",
            path.display()
        )
    })?;
    let json: PlanJson = serde_json::from_str(&text).map_err(|e| {
        miette!(
            help = "the file must be what `backstretch plan --format json` prints",
            "{} is not a routine: {e}",
            path.display()
        )
    })?;
    let items = items_from_json(&json).map_err(|e| {
        miette!(
            help = "fix the file, or plan a new routine",
            "{}: {e}",
            path.display()
        )
    })?;
    Ok((json, items))
}

/// Asks for a pain score on the terminal; empty input skips. `None` off a terminal.
pub fn ask_pain(question: &str) -> Option<u8> {
    if !io::stdin().is_terminal() {
        return None;
    }
    let stdin = io::stdin();
    loop {
        print!("{question} (0 none .. 10 worst; Enter to skip) ");
        let _ = io::stdout().flush();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).ok()? == 0 {
            return None;
        }
        let t = line.trim();
        if t.is_empty() {
            return None;
        }
        match t.parse::<u8>() {
            Ok(n) if n <= 10 => return Some(n),
            _ => println!("Please type a whole number from 0 to 10, or press Enter to skip."),
        }
    }
}

fn info_for(items: &[TimelineItem], catalog: &Catalog) -> Vec<ExerciseInfo> {
    items
        .iter()
        .map(|i| {
            let e = catalog.get(&i.id).map(|e| &e.exercise);
            ExerciseInfo {
                name: i.name.clone(),
                position: format!("{} ({})", i.position, i.position.get_into()),
                steps: e.map(|e| e.steps.clone()).unwrap_or_default(),
                cautions: e.map(|e| e.cautions.clone()).unwrap_or_default(),
                pose: e.and_then(|e| e.pose.clone()),
            }
        })
        .collect()
}

/// The session being played: where its steps go and how its cues are given.
struct Live<'a> {
    store: &'a Store,
    session: i64,
    timeline: Timeline,
    announcer: Announcer,
    start: Instant,
    speed: u32,
    last_beat: u64,
    plain: bool,
    cue_log: Option<std::fs::File>,
}

impl Live<'_> {
    fn record(&self, step: usize, outcome: &str, done_ms: u64) -> io::Result<()> {
        let s = &self.timeline.steps()[step];
        let rec = StepRecord {
            step: step as u32,
            kind: s.kind.as_str().to_string(),
            exercise_id: s.exercise_id.clone(),
            side: s.side.map(|x| x.as_str().to_string()),
            rep: s.rep,
            planned_s: s.seconds,
            done_ms: done_ms / u64::from(self.speed),
            outcome: outcome.to_string(),
            at: now_stamp(),
        };
        self.store
            .log_step(self.session, &rec)
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

impl Host for Live<'_> {
    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64 * u64::from(self.speed)
    }

    fn event(&mut self, e: &Event) -> io::Result<()> {
        match e {
            Event::Cue { cue, .. } => {
                if self.plain {
                    let s = cue.at_ms / 1000;
                    let mut out = io::stdout().lock();
                    writeln!(out, "[{:02}:{:02}] {}", s / 60, s % 60, cue.text)?;
                    out.flush()?;
                }
                let mut tty = io::stdout();
                self.announcer.say(&cue.text, &mut tty);
                let fired = self.now();
                if let Some(f) = &mut self.cue_log {
                    writeln!(
                        f,
                        "{} {} {}",
                        cue.at_ms,
                        fired,
                        fired.saturating_sub(cue.at_ms)
                    )?;
                }
            }
            Event::StepEnded {
                step,
                outcome,
                done_ms,
            } => self.record(*step, outcome.as_str(), *done_ms)?,
            Event::Finished => {}
        }
        Ok(())
    }

    fn tick(&mut self) -> io::Result<()> {
        let now = self.start.elapsed().as_millis() as u64;
        if now - self.last_beat >= HEARTBEAT_S as u64 * 1000 {
            self.last_beat = now;
            self.store
                .heartbeat(self.session, &now_stamp())
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
        Ok(())
    }

    fn speed(&self) -> u32 {
        self.speed
    }
}

/// Plays without a full screen: one line per cue, sleeping until the next one is due.
fn play_plain(player: &mut Player, live: &mut Live<'_>) -> io::Result<Exit> {
    loop {
        let now = live.now();
        for e in player.poll(now) {
            live.event(&e)?;
        }
        live.tick()?;
        if player.is_finished() {
            return Ok(Exit::Completed);
        }
        let wait = player
            .until_next_cue(now)
            .unwrap_or(1000)
            .min(HEARTBEAT_S as u64 * 1000)
            / u64::from(live.speed);
        std::thread::sleep(std::time::Duration::from_millis(wait.max(1)));
    }
}

/// The gentlest version of a routine: only exercises rated gentle (1 of 3) in the catalogue,
/// holds of at most 15 s and at most 2 repetitions. Unknown exercises are left out.
fn gentlest(items: &[TimelineItem], catalog: &Catalog) -> Vec<TimelineItem> {
    items
        .iter()
        .filter(|i| {
            catalog
                .get(&i.id)
                .is_some_and(|e| e.exercise.gentleness == 1)
        })
        .map(|i| {
            let mut i = i.clone();
            i.dose.hold_s = i.dose.hold_s.min(15);
            i.dose.reps = i.dose.reps.clamp(1, 2);
            i
        })
        .collect()
}

fn areas_of(json: &PlanJson) -> Vec<Area> {
    let areas: Vec<Area> = json
        .profile
        .areas
        .iter()
        .filter_map(|a| Area::parse_word(a).ok())
        .collect();
    if areas.is_empty() {
        Area::ALL.to_vec()
    } else {
        areas
    }
}

pub fn run(ctx: &Context, a: &StartArgs) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let terminal = io::stdout().is_terminal() && io::stdin().is_terminal();
    let plain = a.plain || !terminal;
    let name = |id: &str| {
        catalog
            .get(id)
            .map_or_else(|| id.to_string(), |e| e.exercise.name.clone())
    };

    // What to play, and from where; every path passes the safety gates.
    let mut notes: Vec<String> = Vec::new();
    let (mut routine_json, mut items, resume, planned) = if a.resume {
        let Some(s) = store.last_unfinished().map_err(|e| miette!("{e}"))? else {
            return Err(miette!(
                help = "`backstretch history` lists past sessions; `backstretch start` begins a new one",
                "there is no unfinished session to resume"
            ));
        };
        let now = chrono::Local::now().fixed_offset();
        if s.status(now, crate::context::process_alive) == SessionOutcome::InProgress {
            return Err(miette!(
                help = "finish or quit it there first, or wait a minute if it was just closed",
                "the session started at {} is still running in another terminal",
                s.started_at
            ));
        }
        let json: PlanJson = serde_json::from_str(&s.routine)
            .map_err(|e| miette!("the interrupted session's routine is damaged: {e}"))?;
        ensure_disclaimer(ctx, &store)?;
        ensure_screening(&store, &areas_of(&json))?;
        let items = items_from_json(&json)
            .map_err(|e| miette!("the interrupted session's routine is damaged: {e}"))?;
        let steps = store.steps(s.id).map_err(|e| miette!("{e}"))?;
        let from = steps.iter().map(|x| x.step as usize + 1).max().unwrap_or(0);
        (s.routine.clone(), items, Some((s, from)), false)
    } else if let Some(path) = &a.routine {
        let (json, items) = read_routine(path)?;
        ensure_disclaimer(ctx, &store)?;
        ensure_screening(&store, &areas_of(&json))?;
        let rules = pain_rules(
            &store,
            store.profile().map_err(|e| miette!("{e}"))?.as_ref(),
        )?;
        let kept: Vec<TimelineItem> = items
            .iter()
            .filter(|i| !rules.blocked.contains(&i.id))
            .cloned()
            .collect();
        notes.extend(rule_notes(&rules, name));
        let kept = if rules.flare.gentler {
            notes.push("gentler routine after a flare: only the gentlest exercises, holds of at most 15 s, at most 2 repetitions".into());
            gentlest(&kept, &catalog)
        } else {
            kept
        };
        if kept.is_empty() {
            return Err(miette!(
                help = "plan a new routine with `backstretch plan`",
                "nothing in {} is safe to play today",
                path.display()
            ));
        }
        (
            serde_json::to_string(&json).into_diagnostic()?,
            kept,
            None,
            false,
        )
    } else {
        let (p, _) = checked_plan(ctx, &store, &catalog, &a.flags, false)?;
        notes.extend(
            p.warnings
                .iter()
                .filter(|w| w.starts_with("left out for safety") || w.contains("flares"))
                .cloned(),
        );
        let json = plan_json(&p);
        (
            serde_json::to_string(&json).into_diagnostic()?,
            p.timeline_items(),
            None,
            true,
        )
    };
    for n in &notes {
        eprintln!("note: {n}");
    }

    let (session, from, pain_before) = match &resume {
        Some((s, from)) => {
            println!(
                "Resuming the session started at {}, from step {} of {}.",
                s.started_at,
                from + 1,
                Timeline::new(&items).steps().len()
            );
            (s.id, *from, s.pain_before)
        }
        None => {
            let pain_before = a
                .pain_before
                .or_else(|| ask_pain("How much does it hurt right now, 0-10?"));
            if let Some(p) = pain_before.filter(|p| *p >= HIGH_PAIN) {
                ask::say(&format!(
                    "Your pain is {p} out of 10, which is high. A rest day is a fine choice; if you go on, it will be only the gentlest moves, and stop at once if anything hurts."
                ));
                if terminal && !ask::yes_no("Go on with the gentlest routine?", false) {
                    print(
                        "Rest today. If the pain stays this high, gets worse, or any warning sign appears, see a doctor.\n",
                    )?;
                    return Ok(ExitCode::SUCCESS);
                }
                let gentle = if planned {
                    let (p, _) = checked_plan(ctx, &store, &catalog, &a.flags, true)?;
                    routine_json = serde_json::to_string(&plan_json(&p)).into_diagnostic()?;
                    p.timeline_items()
                } else {
                    gentlest(&items, &catalog)
                };
                if gentle.is_empty() {
                    print(
                        "No exercise in this routine is gentle enough for today. Rest, and see a doctor if the pain stays this high.\n",
                    )?;
                    return Ok(ExitCode::SUCCESS);
                }
                items = gentle;
            }
            let started = now_stamp();
            let id = store
                .begin_session(&NewSession {
                    uid: &new_uid(&started),
                    started_at: &started,
                    source: "player",
                    routine: &routine_json,
                    planned_s: Timeline::new(&items).total_s(),
                    pain_before,
                    pid: Some(std::process::id()),
                })
                .map_err(|e| miette!("{e}"))?;
            (id, 0, pain_before)
        }
    };
    let timeline = Timeline::new(&items);

    let (announcer, warning) = Announcer::new(a.voice, io::stdout().is_terminal());
    if let Some(w) = warning {
        eprintln!("note: {w}");
    }
    let cue_log = match std::env::var_os("BACKSTRETCH_CUE_LOG") {
        Some(p) => Some(std::fs::File::create(p).into_diagnostic()?),
        None => None,
    };
    let mut live = Live {
        store: &store,
        session,
        timeline: timeline.clone(),
        announcer,
        start: Instant::now(),
        speed: a.speed,
        last_beat: 0,
        plain,
        cue_log,
    };
    let now = live.now();
    let mut player = Player::new(timeline, from, now);
    let exit = if plain {
        play_plain(&mut player, &mut live)
    } else {
        let mut app = App::new(player, info_for(&items, &catalog));
        app.progress = crate::cmd::stats::progress_with_today(&store).ok();
        backstretch_tui::run(&mut app, &mut live)
    }
    .map_err(|e| {
        miette!(
            help = "every step finished so far is saved; `backstretch start --resume` continues",
            "the session stopped: {e}"
        )
    })?;
    drop(live);

    let pain_after = a
        .pain_after
        .or_else(|| ask_pain("How much does it hurt now, 0-10?"));
    let outcome = match exit {
        Exit::Completed => "completed",
        Exit::Stopped => "stopped",
    };
    store
        .finish_session(session, &now_stamp(), pain_after, outcome)
        .map_err(|e| miette!("{e}"))?;
    let steps = store.steps(session).map_err(|e| miette!("{e}"))?;
    let sum = summarize(&steps);
    let mut text = format!(
        "\nSession {outcome}: {} exercise{} done, {} skipped, {} hurt; {}:{:02} in all.\n",
        sum.done.len(),
        if sum.done.len() == 1 { "" } else { "s" },
        sum.skipped.len(),
        sum.hurt.len(),
        sum.seconds / 60,
        sum.seconds % 60
    );
    match (pain_before, pain_after) {
        (Some(b), Some(a)) => text.push_str(&format!("Pain {b} -> {a}.\n")),
        (Some(b), None) => text.push_str(&format!("Pain before {b}.\n")),
        (None, Some(a)) => text.push_str(&format!("Pain after {a}.\n")),
        (None, None) => {}
    }
    if let Some(after) = pain_after {
        text.push_str(&light_text(after));
        text.push('\n');
    }
    if let (Some(b), Some(a)) = (pain_before, pain_after)
        && is_flare(b, a)
    {
        text.push_str(&format!(
            "That is a flare: your pain rose by {} points. Your next plans will be gentler (shorter holds, fewer repetitions, only the gentlest exercises) until a session ends without a flare. If it has not settled by tomorrow, see a doctor or physiotherapist.\n",
            a - b
        ));
        let rules = pain_rules(
            &store,
            store.profile().map_err(|e| miette!("{e}"))?.as_ref(),
        )?;
        if rules.flare.see_clinician {
            text.push_str(&format!(
                "That makes {} flares in 14 days: please see a doctor or physiotherapist before stretching again.\n",
                rules.flare.recent_flares
            ));
        }
    }
    text.push_str(&crate::cmd::stats::progress_now(&store)?);
    text.push('\n');
    if !sum.hurt.is_empty() {
        text.push_str(&format!(
            "Logged as hurt: {}. Go gently with it next time; an exercise that hurts twice in 14 days is left out of your plans.\n",
            sum.hurt.join(", ")
        ));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
