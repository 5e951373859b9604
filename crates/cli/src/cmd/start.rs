//! `backstretch start`: play a routine, with cues, logging every step the moment it ends.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Instant;

use backstretch_app::{App, ExerciseView, HighPain, Playable};
use backstretch_core::catalog::Catalog;
use backstretch_core::player::{Event, Player};
use backstretch_core::session::{Ending, HEARTBEAT_S, Rating, SessionId, StepRecord};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{StepKind, Timeline};
use backstretch_render::progress::{SummaryView, progress_line, summary_text};
use backstretch_tui::{ExerciseInfo, Exit, Host};
use miette::miette;

use crate::args::StartArgs;
use crate::ask;
use crate::context::{Context, process_alive};
use crate::cue::Announcer;
use crate::output::print;

/// The clock, for the times steps end (the command's own time was read once at its start).
fn stamp_now() -> Stamp {
    Stamp::from_datetime(&chrono::Local::now())
}

/// Asks for a pain score on the terminal; empty input skips. `None` off a terminal.
fn ask_pain(question: &str) -> Option<u8> {
    if !io::stdin().is_terminal() {
        return None;
    }
    loop {
        let line = ask::line(&format!("{question} (0 none .. 10 worst; Enter to skip)"))?;
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

fn info_for(views: Vec<ExerciseView>) -> Vec<ExerciseInfo> {
    views
        .into_iter()
        .map(|v| ExerciseInfo {
            position: v.position_text(),
            pose: v.exercise.and_then(|e| e.pose.map(|p| *p)),
            name: v.name,
            steps: v.steps,
            cautions: v.cautions,
            side_cue: v.side_cue,
        })
        .collect()
}

/// Runs a write to the log, trying again while another process holds the log busy (a large
/// import, say) for up to a minute, so a playing session never dies of a busy log.
fn retry_busy(mut write: impl FnMut() -> Result<(), backstretch_app::AppError>) -> io::Result<()> {
    let mut tries = 0;
    loop {
        match write() {
            Ok(()) => return Ok(()),
            Err(backstretch_app::AppError::Store(backstretch_store::StoreError::Busy {
                ..
            })) if tries < 12 => {
                tries += 1;
            }
            Err(e) => return Err(io::Error::other(e)),
        }
    }
}

/// A write to the log, made off the player's thread.
enum LogWrite {
    /// A finished step.
    Step(StepRecord),
    /// The player is still running.
    Beat(Stamp),
}

/// Writes a session's steps and heartbeats to the log on a thread of its own, so that a
/// durable commit (a disk flush) never delays a cue. A finished step is on disk before the
/// next one ends: each new step waits for the writes before it.
struct Writer {
    to: mpsc::Sender<LogWrite>,
    done: mpsc::Receiver<io::Result<()>>,
    pending: usize,
}

impl Writer {
    /// Starts the writing thread in `scope`, writing through `app` to `session`.
    fn start<'s>(
        scope: &'s std::thread::Scope<'s, '_>,
        app: &'s App<'s>,
        session: SessionId,
    ) -> Writer {
        let (to, from) = mpsc::channel::<LogWrite>();
        let (ack, done) = mpsc::channel();
        scope.spawn(move || {
            for w in from {
                let r = match &w {
                    LogWrite::Step(rec) => retry_busy(|| app.record_step(session, rec)),
                    LogWrite::Beat(at) => retry_busy(|| app.heartbeat(session, *at)),
                };
                if ack.send(r).is_err() {
                    break;
                }
            }
        });
        Writer {
            to,
            done,
            pending: 0,
        }
    }

    /// Hands a write to the thread: a step after every earlier write is on disk (so a
    /// finished step is kept before the next one ends); a heartbeat at once.
    fn send(&mut self, w: LogWrite) -> io::Result<()> {
        match w {
            LogWrite::Step(_) => self.flush()?,
            LogWrite::Beat(_) => self.check()?,
        }
        self.pending += 1;
        self.to
            .send(w)
            .map_err(|_| io::Error::other("the log's writer stopped"))
    }

    /// Raises the error of a write that has already failed, without waiting.
    fn check(&mut self) -> io::Result<()> {
        while let Ok(r) = self.done.try_recv() {
            self.pending -= 1;
            r?;
        }
        Ok(())
    }

    /// Waits until every write handed over is on disk.
    fn flush(&mut self) -> io::Result<()> {
        while self.pending > 0 {
            let r = self
                .done
                .recv()
                .map_err(|_| io::Error::other("the log's writer stopped"))?;
            self.pending -= 1;
            r?;
        }
        Ok(())
    }
}

/// The session being played: where its steps go and how its cues are given.
struct Live {
    /// Whether "sharper or worse" ends the session (high pain, or eased plans).
    hurt_ends: bool,
    writer: Writer,
    timeline: Timeline,
    announcer: Announcer,
    start: Instant,
    speed: u32,
    last_beat: u64,
    plain: bool,
    cue_log: Option<std::fs::File>,
    /// What each exercise is, for the plain player's instructions.
    info: Vec<ExerciseInfo>,
    /// The exercises whose instructions the plain player has printed.
    explained: Vec<bool>,
    /// What the person said of an exercise, logged with the next step.
    rating: Option<Rating>,
}

impl Live {
    fn record(
        &mut self,
        step: usize,
        outcome: backstretch_core::player::Outcome,
        done_ms: u64,
    ) -> io::Result<()> {
        let s = &self.timeline.steps()[step];
        let rec = StepRecord {
            step: u32::try_from(step).unwrap_or(u32::MAX),
            kind: s.kind,
            exercise_id: s.exercise_id.clone(),
            side: s.side,
            rep: s.rep,
            planned_s: s.seconds,
            done_ms: done_ms / u64::from(self.speed),
            outcome,
            at: stamp_now(),
            rating: self.rating.take(),
        };
        self.writer.send(LogWrite::Step(rec))
    }

    /// A rating not yet logged (the last exercise's, said on the done screen) goes with the
    /// timeline's closing step.
    fn flush_rating(&mut self) -> io::Result<()> {
        if self.rating.is_none() {
            return Ok(());
        }
        let last = self.timeline.steps().len() - 1;
        self.record(last, backstretch_core::player::Outcome::Done, 0)
    }

    /// Prints a cue on its own line, with an exercise's instructions when it begins (a
    /// screen reader hears what to do, not only when).
    fn print_cue(&mut self, cue: &backstretch_core::timeline::Cue) -> io::Result<()> {
        let s = cue.at_ms / 1000;
        let mut out = io::stdout().lock();
        writeln!(out, "[{:02}:{:02}] {}", s / 60, s % 60, cue.text)?;
        let item = self.timeline.steps()[cue.step].item;
        if let Some(false) = self.explained.get(item).copied()
            && let Some(info) = self.info.get(item)
        {
            self.explained[item] = true;
            writeln!(out, "        {}. Position: {}.", info.name, info.position)?;
            for (i, step) in info.steps.iter().enumerate() {
                writeln!(out, "        {}. {step}", i + 1)?;
            }
            if !info.cautions.is_empty() {
                writeln!(out, "        Careful: {}", info.cautions.join(" "))?;
            }
        }
        out.flush()
    }
}

impl Host for Live {
    fn rate(&mut self, rating: Rating) -> io::Result<()> {
        self.rating = Some(rating);
        Ok(())
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX) * u64::from(self.speed)
    }

    fn event(&mut self, e: &Event) -> io::Result<()> {
        match e {
            Event::Cue { cue, .. } => {
                // The voice (and the full screen, drawn after this) cue at once, while the
                // step that just ended is written beside them. A printed line is a record:
                // it comes once the steps before it are on disk, so a line seen in a pipe
                // means they are kept.
                let step = &self.timeline.steps()[cue.step];
                let (kind, item) = (step.kind, step.item);
                self.announcer.say(&cue.text, kind);
                if matches!(kind, StepKind::Position | StepKind::Prepare)
                    && let Some(info) = self.info.get(item)
                {
                    // With a voice, what to do, while the person gets into position.
                    self.announcer.tell_steps(item, &info.steps);
                }
                let fired = self.now();
                if self.plain {
                    self.writer.flush()?;
                    self.print_cue(cue)?;
                }
                let printed = self.now();
                if let Some(f) = &mut self.cue_log {
                    // Due, said, how late it was said, and (plain) when its line was printed.
                    writeln!(
                        f,
                        "{} {} {} {}",
                        cue.at_ms,
                        fired,
                        fired.saturating_sub(cue.at_ms),
                        printed
                    )?;
                }
            }
            Event::StepEnded {
                step,
                outcome,
                done_ms,
            } => self.record(*step, *outcome, *done_ms)?,
            Event::Finished => {}
        }
        Ok(())
    }

    fn tick(&mut self) -> io::Result<()> {
        self.writer.check()?;
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        if now - self.last_beat >= HEARTBEAT_S.unsigned_abs() * 1000 {
            self.last_beat = now;
            self.writer.send(LogWrite::Beat(stamp_now()))?;
        }
        Ok(())
    }

    fn speed(&self) -> u32 {
        self.speed
    }
}

/// What the plain player's keys do, said once at the start.
const PLAIN_KEYS: &str = "Keys, each followed by Enter: h sharper or worse, s it spreads or tingles, p pause or go on, q stop.";

/// Plays without a full screen: one line per cue, waiting until the next one is due. With
/// `keys`, a line typed meanwhile is a key (for screen readers: every key is answered in
/// text); without, or once input ends, the session plays on by itself.
fn play_plain(player: &mut Player, live: &mut Live, mut keys: bool) -> io::Result<Exit> {
    if keys {
        ask::say(PLAIN_KEYS);
    }
    let mut confirm_stop = false;
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
            .min(HEARTBEAT_S.unsigned_abs() * 1000)
            / u64::from(live.speed);
        let wait = std::time::Duration::from_millis(wait.max(1));
        if !keys {
            std::thread::sleep(wait);
            continue;
        }
        match ask::line_within(wait) {
            None => keys = false,
            Some(None) => {}
            Some(Some(line)) => {
                let key = line.trim().to_ascii_lowercase();
                if let Some(exit) = plain_key(player, live, &key, &mut confirm_stop)? {
                    return Ok(exit);
                }
            }
        }
    }
}

/// One key of the plain player, answered in text: the exit it asks for, if any. `q` asks
/// first; `y` then stops, anything else goes on.
fn plain_key(
    player: &mut Player,
    live: &mut Live,
    key: &str,
    confirm_stop: &mut bool,
) -> io::Result<Option<Exit>> {
    let now = live.now();
    if std::mem::take(confirm_stop) {
        if key == "y" || key == "yes" {
            return Ok(Some(Exit::Stopped));
        }
        player.resume(now);
        ask::say("Going on.");
        return Ok(None);
    }
    let name = |player: &Player| {
        let item = player.step(now).item;
        live.info
            .get(item)
            .map(|i| i.name.clone())
            .unwrap_or_default()
    };
    match key {
        "h" if live.hurt_ends => {
            for e in player.hurt(now) {
                if !matches!(e, Event::Cue { .. }) {
                    live.event(&e)?;
                }
            }
            return Ok(Some(Exit::Hurt));
        }
        "h" => {
            let hurt = name(player);
            for e in player.hurt(now) {
                live.event(&e)?;
            }
            ask::say(&format!(
                "Sharper or worse: stopped {hurt} and logged it as hurt. Moving on gently."
            ));
        }
        "s" => {
            // The step ends as hurt; the next exercise's cue is not said.
            for e in player.hurt(now) {
                if !matches!(e, Event::Cue { .. }) {
                    live.event(&e)?;
                }
            }
            ask::say("Stopping the session: pain that spreads, or tingling, is logged.");
            return Ok(Some(Exit::Symptoms));
        }
        "p" if player.is_paused() => {
            player.resume(now);
            ask::say("Going on.");
        }
        "p" => {
            player.pause(now);
            ask::say("Paused. Type p and press Enter to go on.");
        }
        "q" => {
            player.pause(now);
            *confirm_stop = true;
            ask::say("Stop this session? Type y and press Enter to stop; anything else goes on.");
        }
        _ => ask::say(PLAIN_KEYS),
    }
    Ok(None)
}

/// What to play: a resumed session, a saved routine, or today's plan; every path passes
/// the same gates.
enum What {
    Resume {
        playable: Playable,
        session: SessionId,
        from: usize,
        started: Stamp,
    },
    New(Playable),
}

fn choose(ctx: &Context, app: &App<'_>, catalog: &Catalog, a: &StartArgs) -> miette::Result<What> {
    if a.resume {
        let r = app.resumable(process_alive)?;
        crate::gates::pass(ctx, app, catalog, &app.routine_areas(&r.session.routine))?;
        return Ok(What::Resume {
            playable: Playable {
                routine: r.session.routine.clone(),
                items: r.items,
                notes: vec![],
                plan: None,
            },
            session: r.session.id,
            from: r.from,
            started: r.session.started_at,
        });
    }
    if let Some(path) = &a.routine {
        let routine = crate::routine_file::read(path)?;
        crate::gates::pass(ctx, app, catalog, &app.routine_areas(&routine))?;
        return Ok(What::New(app.saved(
            catalog,
            routine,
            &path.display().to_string(),
        )?));
    }
    let o = a.overrides();
    crate::gates::pass(ctx, app, catalog, &app.areas(&o)?)?;
    Ok(What::New(app.planned(catalog, &o, false)?))
}

/// After an amber or red session on an earlier day: did it settle by the next morning?
/// (One that did not counts as a flare, so today's plan is gentler.)
fn ask_followup(app: &App<'_>, a: &StartArgs, terminal: bool) -> miette::Result<()> {
    if a.resume {
        return Ok(());
    }
    let Some((id, day)) = app.pending_followup()? else {
        return Ok(());
    };
    let answer = a.settled.or_else(|| {
        terminal
            .then(|| {
                ask::yes_no(&format!(
                    "Did the soreness after your session on {} settle by the next morning?",
                    day.format("%a %-d %b")
                ))
            })
            .flatten()
    });
    if let Some(settled) = answer {
        app.record_settled(id, settled)?;
    }
    Ok(())
}

/// A new session of `playable`, after the pain before is asked (and, when high, the choice
/// between rest and the gentlest moves): its routine and id, or `None` to rest today.
fn begin_new(
    app: &App<'_>,
    catalog: &Catalog,
    a: &StartArgs,
    mut playable: Playable,
    terminal: bool,
) -> miette::Result<Option<(Playable, SessionId)>> {
    for n in &playable.notes {
        crate::output::note(&format!("note: {n}"));
    }
    let pain_before = a
        .pain_before
        // A desk break is a minute or two: it asks no pain score (a routine does).
        .or_else(|| {
            (!a.desk_break)
                .then(|| ask_pain("How much does it hurt right now, 0-10?"))
                .flatten()
        });
    if let Some(high) = app.high_pain(catalog, &a.overrides(), &playable, pain_before)? {
        ask::say(&format!("{} {}", high.message(), HighPain::ADVICE));
        if terminal && ask::yes_no("Go on with the gentlest routine?") != Some(true) {
            print(&format!("{}\n", HighPain::REST))?;
            return Ok(None);
        }
        let Some(gentlest) = high.gentlest else {
            let (nothing, rest) = HighPain::NOTHING_GENTLE;
            print(&format!("{nothing} {rest}\n"))?;
            return Ok(None);
        };
        playable = gentlest;
    }
    let id = app.begin(
        &playable.routine,
        &playable.items,
        pain_before,
        Some(std::process::id()),
    )?;
    Ok(Some((playable, id)))
}

/// Says where a resumed session goes on from.
fn say_resuming(playable: &Playable, from: usize, started: Stamp) {
    let t = Timeline::new(&playable.items);
    let name = t
        .steps()
        .get(from)
        .and_then(|s| playable.items.get(s.item))
        .map_or_else(|| "the end".to_string(), |i| i.name.clone());
    println!(
        "Resuming the session started {}, from getting ready for {name} (step {} of {}).",
        started.local().format("at %H:%M on %a %-d %b %Y"),
        from + 1,
        t.steps().len()
    );
}

/// Plays the session's items from step `from`, full screen or plain, with its steps and
/// heartbeats written to the log beside the cues; every write is on disk when it returns.
fn play(
    app: &App<'_>,
    a: &StartArgs,
    info: Vec<ExerciseInfo>,
    timeline: Timeline,
    (session, from): (SessionId, usize),
    plain: bool,
) -> miette::Result<Exit> {
    let (announcer, warning) = Announcer::new(a.voice, io::stdout().is_terminal());
    if let Some(w) = warning {
        eprintln!("note: {w}");
    }
    let cue_log = match std::env::var_os("BACKSTRETCH_CUE_LOG") {
        Some(p) => {
            Some(std::fs::File::create(p).map_err(|e| miette!("cannot write the cue log: {e}"))?)
        }
        None => None,
    };
    let progress = (!plain)
        .then(|| {
            if a.desk_break {
                // A break counts toward the breaks, never the routine's goal or streak.
                let b = app.progress(true).ok()?.breaks;
                Some(match b.goal_per_day {
                    Some(g) => format!("A desk break: {} of {g} today before this one.", b.today),
                    None => format!("A desk break: {} today before this one.", b.today),
                })
            } else {
                app.progress(true).ok().map(|s| progress_line(&s))
            }
        })
        .flatten();
    let hurt_ends = app.hurt_ends_session(session)?;
    let played = std::thread::scope(|scope| {
        let mut live = Live {
            hurt_ends,
            writer: Writer::start(scope, app, session),
            explained: vec![false; info.len()],
            rating: None,
            info: info.clone(),
            timeline: timeline.clone(),
            announcer,
            start: Instant::now(),
            speed: a.speed,
            last_beat: 0,
            plain,
            cue_log,
        };
        let now = live.now();
        let mut player = Player::counting(timeline, from, now, a.count_from);
        let exit = if plain {
            // On a terminal, the plain player reads keys; piped input plays on by itself.
            let keys = io::stdin().is_terminal();
            if keys {
                ask::read_in_background();
            }
            play_plain(&mut player, &mut live, keys)
        } else {
            let mut tui = backstretch_tui::App::new(player, info);
            tui.progress = progress;
            tui.hurt_ends = hurt_ends;
            backstretch_tui::run(&mut tui, &mut live)
        };
        // Every step handed to the writer is on disk before the session is finished.
        let rated = match &exit {
            Ok(Exit::Completed) => live.flush_rating(),
            _ => Ok(()),
        };
        let flushed = rated.and_then(|()| live.writer.flush());
        exit.and_then(|exit| flushed.map(|()| exit))
    });
    played.map_err(|e| {
        miette!(
            help = "every step finished so far is saved; `backstretch start --resume` continues",
            "the session stopped: {e}"
        )
    })
}

pub fn run(ctx: &Context, a: &StartArgs) -> miette::Result<ExitCode> {
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    // A prescription may carry its practice's own exercises.
    let catalog = app.with_practice(&catalog)?;
    let terminal = io::stdout().is_terminal() && io::stdin().is_terminal();
    let plain = a.plain || !terminal;
    ask_followup(&app, a, terminal)?;
    let (playable, session, from) = match choose(ctx, &app, &catalog, a)? {
        What::Resume {
            playable,
            session,
            from,
            started,
        } => {
            say_resuming(&playable, from, started);
            (playable, session, from)
        }
        What::New(playable) => match begin_new(&app, &catalog, a, playable, terminal)? {
            Some((playable, id)) => (playable, id, 0),
            None => return Ok(ExitCode::SUCCESS),
        },
    };
    // The emergency signs, at the start of every session.
    crate::output::note(&crate::output::wrapped(backstretch_core::safety::CES_LINE));
    let info = info_for(app.exercise_views(&catalog, &playable));
    let timeline = Timeline::new(&playable.items);
    let exit = play(&app, a, info, timeline, (session, from), plain)?;
    let code = finish(&app, a, session, exit)?;
    // The player is done: a linked log syncs now, and a failure waits for the next time.
    crate::linked::after_session(ctx, &store);
    Ok(code)
}

/// Asks the pain after, ends the session and sums it up.
fn finish(
    app: &App<'_>,
    a: &StartArgs,
    session: SessionId,
    exit: Exit,
) -> miette::Result<ExitCode> {
    let pain_after = a.pain_after.or_else(|| {
        (!a.desk_break)
            .then(|| ask_pain("How much does it hurt now, 0-10?"))
            .flatten()
    });
    let ending = match exit {
        Exit::Completed => Ending::Completed,
        Exit::Stopped | Exit::Symptoms | Exit::Hurt => Ending::Stopped,
    };
    if exit == Exit::Symptoms {
        // Recorded first, so the summary says what the sign calls for, not the pain light.
        app.report_spreading()?;
    }
    let s = app.finish(session, stamp_now(), pain_after, ending)?;
    print(&summary_text(&SummaryView {
        ending: s.ending.as_str(),
        done: s.summary.done.len(),
        skipped: s.summary.skipped.len(),
        hurt: &s.summary.hurt,
        seconds: s.summary.seconds,
        pain_before: s.pain_before,
        pain_after: s.pain_after,
        feedback: s.feedback.as_ref(),
        progress: &s.progress,
        desk_break: s.desk_break,
        counted: (s.counted, s.holding.0, s.holding.1),
    }))?;
    if exit == Exit::Hurt {
        print(&format!(
            "{}\n",
            crate::output::wrapped(backstretch_core::safety::HURT_ENDS)
        ))?;
    }
    if exit == Exit::Symptoms {
        print(&format!(
            "{}\n",
            crate::output::wrapped(backstretch_core::safety::SPREADING_STOPPED)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
