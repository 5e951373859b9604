//! `backstretch remind`: reminders on the desktop. `on` asks the system's own scheduler to
//! run `remind fire` at the times (no daemon of ours); `fire` shows the reminder the app words
//! (nothing on a day done or skipped) and acts on Start, Snooze and Skip today; `off` removes
//! every file `on` wrote; `status` says what is installed and when it fires next. `remind
//! test` shows a sample reminder, so the person can see that notifications work, and says in
//! plain words what they did with it.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use backstretch_app::{App, AppError, Reminder};
use backstretch_core::reminder::spread_days;
use backstretch_core::schedule::{Days, next_fire};
use backstretch_core::time::Stamp;
use backstretch_store::UserId;
use chrono::{NaiveDate, NaiveTime};
use miette::miette;

use crate::args::{
    RemindArgs, RemindCommand, RemindFireArgs, RemindOffArgs, RemindOnArgs, RemindTestArgs,
};
use crate::context::Context;
use crate::idle::{self, IdleSource};
use crate::launch;
use crate::notify::{self, Answer, NoService, Notice};
use crate::output::print;
use crate::schedule::{self, Dirs, Job, Os, When};

pub fn run(ctx: &Context, a: &RemindArgs) -> miette::Result<ExitCode> {
    match &a.command {
        RemindCommand::On(o) => on(ctx, o),
        RemindCommand::Off(o) => off(ctx, o),
        RemindCommand::Status => status(ctx),
        RemindCommand::Test(t) => test(t),
        RemindCommand::Fire(f) => fire(ctx, f),
    }
}

/// Every reminder's schedule is named `remind` or `remind-MOMENT`.
const PREFIX: &str = "remind";

fn job_name(moment: Option<&str>) -> String {
    moment.map_or_else(|| PREFIX.to_string(), |m| format!("{PREFIX}-{m}"))
}

fn is_reminder(name: &str) -> bool {
    name == PREFIX || name.starts_with("remind-")
}

/// A reminder `on` installs: its moment (none: the day's routine) and its times.
type Wanted = (Option<String>, Vec<NaiveTime>);

/// The reminders `on` installs, and their days.
fn wanted(ctx: &Context, a: &RemindOnArgs) -> miette::Result<(Vec<Wanted>, Days)> {
    let store = ctx.store()?;
    let profile = ctx.app(&store).profile()?.unwrap_or_default();
    let moments = &profile.moments;
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN);
    let jobs = match &a.moment {
        Some(name) => {
            let Some(m) = moments.iter().find(|m| &m.name == name) else {
                return Err(AppError::UnknownMoment {
                    name: name.clone(),
                    known: moments.iter().map(|m| m.name.clone()).collect(),
                }
                .into());
            };
            let times = if a.time.is_empty() {
                m.times.clone()
            } else {
                a.time.clone()
            };
            vec![(Some(name.clone()), times)]
        }
        None if !a.time.is_empty() => vec![(None, a.time.clone())],
        None if !moments.is_empty() => moments
            .iter()
            .map(|m| (Some(m.name.clone()), m.times.clone()))
            .collect(),
        None => vec![(None, vec![eight])],
    };
    let days = a
        .days
        .unwrap_or_else(|| Days::of(&spread_days(profile.goal.per_week())));
    Ok((jobs, days))
}

fn on(ctx: &Context, a: &RemindOnArgs) -> miette::Result<ExitCode> {
    let (jobs, days) = wanted(ctx, a)?;
    let dirs = Dirs::from_env(&ctx.home)?;
    let os = Os::current();
    // Turning every reminder on replaces every one before (a moment removed since goes too).
    if a.moment.is_none() {
        for old in schedule::installed(os, &dirs) {
            if is_reminder(&old.name) {
                schedule::remove(os, &dirs, Some(&old.name))?;
            }
        }
    }
    let program = std::env::current_exe()
        .map_err(|e| miette!("cannot find this program to schedule it: {e}"))?;
    let now = chrono::Local::now();
    let mut out = String::new();
    for (moment, mut times) in jobs {
        times.sort();
        times.dedup();
        let mut args = vec![
            "--home".to_string(),
            ctx.home.display().to_string(),
            "remind".into(),
            "fire".into(),
        ];
        if let Some(m) = &moment {
            args.extend(["--moment".to_string(), m.clone()]);
        }
        args.extend([
            "--open".to_string(),
            a.answer.open.as_str().into(),
            "--snooze".into(),
            format!("{}m", a.answer.snooze),
        ]);
        let job = Job {
            name: job_name(moment.as_deref()),
            description: match &moment {
                Some(m) => format!("backstretch: a reminder to stretch ({m})"),
                None => "backstretch: a reminder to stretch".to_string(),
            },
            program: program.clone(),
            args,
            env: vec![],
            when: When::At {
                times: times.clone(),
                days: if days.is_every() { vec![] } else { days.list() },
            },
        };
        let installed = schedule::install(os, &dirs, &job)?;
        let next = next_fire(&now, &times, days)
            .map(|n| n.format("%a %-d %b %H:%M").to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "Reminder{} on: {} at {} (next: {next}).\n  {}.\n",
            moment
                .as_deref()
                .map(|m| format!(" for {m}"))
                .unwrap_or_default(),
            days,
            clock_list(&times),
            installed.summary()
        ));
    }
    out.push_str(
        "Nothing runs in between: at each time the system starts `backstretch remind fire`, which shows the reminder and ends. `backstretch remind off` removes it all.\n",
    );
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn clock_list(times: &[NaiveTime]) -> String {
    times
        .iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn off(ctx: &Context, a: &RemindOffArgs) -> miette::Result<ExitCode> {
    let dirs = Dirs::from_env(&ctx.home)?;
    let os = Os::current();
    let mut removed = Vec::new();
    for job in schedule::installed(os, &dirs) {
        let wanted = match &a.moment {
            Some(m) => job.name == job_name(Some(m)),
            None => is_reminder(&job.name),
        };
        if wanted {
            removed.extend(schedule::remove(os, &dirs, Some(&job.name))?);
        }
    }
    if removed.is_empty() {
        print("No reminder was on.\n")?;
    } else {
        let files: Vec<String> = removed
            .iter()
            .map(|p| format!("  {}\n", p.display()))
            .collect();
        print(&format!("Reminders off. Removed:\n{}", files.concat()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn status(ctx: &Context) -> miette::Result<ExitCode> {
    let dirs = Dirs::from_env(&ctx.home)?;
    let jobs = schedule::installed(Os::current(), &dirs);
    let now = chrono::Local::now();
    let mut out = String::new();
    let reminders: Vec<_> = jobs.iter().filter(|j| is_reminder(&j.name)).collect();
    if reminders.is_empty() {
        out.push_str("No reminder is on. Turn one on with `backstretch remind on --time 07:30 --days mon-fri`.\n");
    }
    for j in &reminders {
        let when = match &j.when {
            Some(When::At { times, days }) => {
                let days = Days::of(days);
                let next = next_fire(&now, times, days)
                    .map(|n| format!(" (next: {})", n.format("%a %-d %b %H:%M")))
                    .unwrap_or_default();
                format!("{days} at {}{next}", clock_list(times))
            }
            Some(When::AtLogin) => "at login".to_string(),
            None => "a schedule that could not be read back".to_string(),
        };
        out.push_str(&format!("Reminder {}: {when}\n", j.name));
        for p in &j.paths {
            out.push_str(&format!("  {}\n", p.display()));
        }
    }
    if jobs.iter().any(|j| j.name == "break") {
        out.push_str(
            "Desk-break mode: runs at each login (`backstretch break --uninstall` removes it).\n",
        );
    }
    if skipped_on(ctx) == Some(ctx.now.day()) {
        out.push_str("Today is skipped: no more reminders until tomorrow.\n");
    }
    out.push_str(&match notify::capabilities() {
        Ok(_) => {
            "Notifications: the desktop shows them (`backstretch remind test` shows a sample).\n"
                .to_string()
        }
        Err(e) => format!(
            "Notifications: {e}; reminders ring the terminal bell and print a line instead.\n"
        ),
    });
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The file that keeps "skip today" on this device.
fn state_path(ctx: &Context) -> std::path::PathBuf {
    ctx.home.join("reminders.json")
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct State {
    /// The day "Skip today" was chosen.
    skipped_on: Option<NaiveDate>,
}

/// The day "Skip today" was last chosen here (a file that cannot be read counts as none).
fn skipped_on(ctx: &Context) -> Option<NaiveDate> {
    let bytes = std::fs::read(state_path(ctx)).ok()?;
    serde_json::from_slice::<State>(&bytes).ok()?.skipped_on
}

fn skip_today(ctx: &Context, today: NaiveDate) -> miette::Result<()> {
    let state = State {
        skipped_on: Some(today),
    };
    let json = serde_json::to_vec(&state).map_err(|e| miette!("{e}"))?;
    crate::files::write_private(&state_path(ctx), &json)
}

/// How long Snooze waits: the flag's minutes, or `BACKSTRETCH_SNOOZE_S` seconds (for tests).
fn snooze_for(a: &RemindFireArgs) -> Duration {
    std::env::var("BACKSTRETCH_SNOOZE_S")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or_else(
            || Duration::from_secs(u64::from(a.answer.snooze) * 60),
            Duration::from_secs,
        )
}

/// What the reminder says at `now`.
fn reminder_now(ctx: &Context, a: &RemindFireArgs, now: Stamp) -> miette::Result<Reminder> {
    let store = ctx.store()?;
    let catalog = ctx.catalog()?;
    let app = App::new(&store, UserId::local(), now);
    Ok(app.nudge(&catalog, a.moment.as_deref(), skipped_on(ctx))?)
}

fn fire(ctx: &Context, a: &RemindFireArgs) -> miette::Result<ExitCode> {
    let started = std::time::Instant::now();
    loop {
        let now = ctx
            .now
            .plus_seconds(i64::try_from(started.elapsed().as_secs()).unwrap_or(0));
        let reminder = reminder_now(ctx, a, now)?;
        let (notice, moment) = match reminder {
            Reminder::Quiet(_) => return Ok(ExitCode::SUCCESS),
            Reminder::Blocked { title, body } => (
                Notice {
                    summary: title,
                    body,
                    actions: vec![],
                },
                None,
            ),
            Reminder::Remind {
                title,
                body,
                moment,
            } => (
                Notice {
                    summary: title,
                    body,
                    actions: vec![
                        ("start".into(), "Start".into()),
                        (
                            "snooze".into(),
                            format!("Snooze {} minutes", a.answer.snooze),
                        ),
                        ("skip".into(), "Skip today".into()),
                    ],
                },
                moment,
            ),
        };
        let Ok(answer) = notify::show(&notice, Duration::from_secs(a.wait)) else {
            let mut out = std::io::stdout().lock();
            notify::fallback(&notice, &mut out);
            let _ = out.flush();
            return Ok(ExitCode::SUCCESS);
        };
        match answer {
            Answer::Action(k) if k == "start" => {
                let mut args = vec!["start"];
                if let Some(m) = &moment {
                    args.extend(["--moment", m.as_str()]);
                }
                match launch::player(a.answer.open, &ctx.home, &args) {
                    Ok(line) => print(&format!("Started: {line}\n"))?,
                    Err(e) => {
                        return Err(miette!(
                            help = "run `backstretch start` yourself, or remind with --open web",
                            "the player could not be opened: {e}"
                        ));
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            Answer::Action(k) if k == "snooze" => std::thread::sleep(snooze_for(a)),
            Answer::Action(k) if k == "skip" => {
                skip_today(ctx, now.day())?;
                return Ok(ExitCode::SUCCESS);
            }
            _ => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// The reminder `remind test` shows: the real one's words and buttons.
pub fn sample() -> Notice {
    let action = |k: &str, l: &str| (k.to_string(), l.to_string());
    Notice {
        summary: "Time for your 10-minute stretch".to_string(),
        body: "A sample reminder from `backstretch remind test`: choose a button to see that your answer comes back.".to_string(),
        actions: vec![
            action("start", "Start"),
            action("snooze", "Snooze 15 minutes"),
            action("skip", "Skip today"),
        ],
    }
}

/// Shows the sample and reports what happened. Without a notification service it shows the
/// reminder in the terminal instead and still succeeds: that is how a reminder reaches the
/// person there too, and the words say why.
/// It then says whether idle time can be read, which the desk-break mode needs.
pub fn test(a: &RemindTestArgs) -> miette::Result<ExitCode> {
    let notice = sample();
    match notify::capabilities() {
        Err(e) => fell_back(&notice, &e)?,
        Ok(caps) => {
            print(&format!(
                "Showing a sample reminder on your desktop; waiting up to {} for your answer.\n",
                seconds(a.wait)
            ))?;
            match notify::show(&notice, Duration::from_secs(a.wait)) {
                Ok(answer) => {
                    let answers = caps.iter().any(|c| c == "actions");
                    print(&said(&notice, &answer, answers, a.wait))?;
                }
                Err(e) => fell_back(&notice, &e)?,
            }
        }
    }
    print(&idle_line(idle::system().as_mut()))?;
    Ok(ExitCode::SUCCESS)
}

fn fell_back(notice: &Notice, e: &NoService) -> miette::Result<()> {
    print(&format!(
        "No notification service: showed it here instead ({}).\n",
        e.0
    ))?;
    let mut out = std::io::stdout().lock();
    notify::fallback(notice, &mut out);
    let _ = out.flush();
    Ok(())
}

/// Whether idle time can be read, and how long it is now.
fn idle_line(source: &mut dyn IdleSource) -> String {
    match source.idle() {
        Ok(d) => format!(
            "Idle time: your last key press or mouse movement was {} ago ({}).\n",
            seconds(d.as_secs()),
            source.describe()
        ),
        Err(e) => {
            let e = e.to_string();
            let mut chars = e.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            format!("{}{}.\n", first.unwrap_or_default(), chars.as_str())
        }
    }
}

fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".to_string()
    } else {
        format!("{n} seconds")
    }
}

/// What happened, in plain words. `answers`: whether the desktop can report a button.
fn said(notice: &Notice, answer: &Answer, answers: bool, wait: u64) -> String {
    match answer {
        Answer::Action(key) => match notice.actions.iter().find(|(k, _)| k == key) {
            Some((_, label)) => format!("You chose {label}.\n"),
            None if key == "default" => "You clicked the reminder itself.\n".to_string(),
            None => format!("The desktop answered `{key}`, which is none of the buttons.\n"),
        },
        Answer::Dismissed => "No answer: the reminder was closed.\n".to_string(),
        Answer::NoAnswer if answers => format!(
            "No answer within {}: the reminder was taken down.\n",
            seconds(wait)
        ),
        Answer::NoAnswer => "Shown. Notifications work, but your desktop cannot report which button you choose, so reminders show without buttons.\n".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Answer, said, sample};

    #[test]
    fn each_answer_in_plain_words() {
        let n = sample();
        let say = |a: Answer, answers: bool| said(&n, &a, answers, 60);
        assert_eq!(
            say(Answer::Action("start".into()), true),
            "You chose Start.\n"
        );
        assert_eq!(
            say(Answer::Action("snooze".into()), true),
            "You chose Snooze 15 minutes.\n"
        );
        assert_eq!(
            say(Answer::Action("default".into()), true),
            "You clicked the reminder itself.\n"
        );
        assert_eq!(
            say(Answer::Dismissed, true),
            "No answer: the reminder was closed.\n"
        );
        assert!(say(Answer::NoAnswer, true).contains("within 60 seconds"));
        assert!(say(Answer::NoAnswer, false).contains("cannot report"));
    }
}
