//! `backstretch break`: while the person works, count active minutes (the system's idle time
//! resets the count), and at each interval within working hours offer a desk break of a
//! minute or two (Start, Snooze, Skip). `--install` runs it at login as a user service.
//!
//! The counting is core's ([`BreakClock`], [`Hours`]); the break itself the app's
//! ([`backstretch_app::App::desk_break`]); this module polls, shows and starts.

use std::process::ExitCode;
use std::time::Duration;

use backstretch_core::schedule::{Answer, BreakClock, Days, Hours, Tick};
use chrono::NaiveDateTime;
use miette::miette;

use crate::args::BreakArgs;
use crate::context::Context;
use crate::idle::IdleSource;
use crate::launch;
use crate::notify::{self, Notice};
use crate::output::print;
use crate::schedule::{self, Dirs, Job, Os, When};

/// How often the idle time is read.
const POLL: Duration = Duration::from_secs(30);
/// How long an offer waits for an answer before it counts as skipped.
const OFFER_WAIT: Duration = Duration::from_secs(5 * 60);

pub fn run(ctx: &Context, a: &BreakArgs) -> miette::Result<ExitCode> {
    let settings = Settings::of(a)?;
    if a.install {
        return install(ctx, a, &settings);
    }
    if a.uninstall {
        let dirs = Dirs::from_env(&ctx.home)?;
        let removed = schedule::remove(Os::current(), &dirs, Some(JOB))?;
        print(&if removed.is_empty() {
            "Desk-break mode was not installed.\n".to_string()
        } else {
            format!("Removed desk-break mode: {}.\n", paths(&removed))
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut idle = crate::idle::system();
    print(&format!(
        "Desk breaks every {} active minutes, {} on {}; time away for {} minutes counts as a break.\nIdle time: {}. Press Ctrl-C to stop.\n",
        settings.every_s / 60,
        settings.hours,
        settings.days,
        settings.rest_s / 60,
        idle.describe()
    ))?;
    let mut offer = |_: &mut BreakClock| offer_now(ctx, a.open);
    desk_loop(
        &settings,
        &mut *idle,
        &mut || (steady_s(), chrono::Local::now().naive_local()),
        &mut std::thread::sleep,
        &mut offer,
        None,
    );
    Ok(ExitCode::SUCCESS)
}

/// The installed service's name (`backstretch-break`).
const JOB: &str = "break";

/// What `break` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub every_s: u32,
    pub rest_s: u32,
    pub snooze_s: u32,
    pub hours: Hours,
    pub days: Days,
}

impl Settings {
    fn of(a: &BreakArgs) -> miette::Result<Settings> {
        let minutes = |what: &str, v: &str, range: std::ops::RangeInclusive<u32>| {
            let m = backstretch_core::schedule::parse_minutes(v)
                .map_err(|e| miette!(help = "like --{what} 45m", "--{what}: {e}"))?;
            if range.contains(&m) {
                Ok(m * 60)
            } else {
                Err(miette!(
                    help = format!(
                        "give {} to {} minutes, like --{what} 45m",
                        range.start(),
                        range.end()
                    ),
                    "--{what} {v} is out of range"
                ))
            }
        };
        Ok(Settings {
            every_s: minutes("every", &a.every, 5..=240)?,
            rest_s: minutes("rest", &a.rest, 1..=60)?,
            snooze_s: minutes("snooze", &a.snooze, 1..=120)?,
            hours: a
                .hours
                .parse()
                .map_err(|e: String| miette!(help = "like --hours 09:00-17:30", "--hours: {e}"))?,
            days: a
                .days
                .parse()
                .map_err(|e: backstretch_core::schedule::BadDays| {
                    miette!(help = "like --days mon-fri", "--days: {e}")
                })?,
        })
    }
}

/// Seconds on a steady clock (this process's own), for counting active time.
fn steady_s() -> i64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    i64::try_from(
        START
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs(),
    )
    .unwrap_or(0)
}

/// Polls until `polls` run out (forever when `None`): reads the idle time, counts, and asks
/// `offer` when a break is due within working hours.
pub(crate) fn desk_loop(
    s: &Settings,
    idle: &mut dyn IdleSource,
    now: &mut dyn FnMut() -> (i64, NaiveDateTime),
    sleep: &mut dyn FnMut(Duration),
    offer: &mut dyn FnMut(&mut BreakClock) -> Answer,
    polls: Option<usize>,
) {
    let mut clock = BreakClock::new(s.every_s, s.rest_s);
    let mut n = 0;
    while polls.is_none_or(|p| n < p) {
        n += 1;
        let (steady, local) = now();
        let idle_s = idle
            .idle()
            .ok()
            .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
        let in_hours = s.hours.contains(local, s.days);
        if clock.observe(steady, idle_s, in_hours) == Tick::Due {
            let a = offer(&mut clock);
            clock.answered(match a {
                Answer::Snoozed(_) => Answer::Snoozed(s.snooze_s),
                other => other,
            });
        }
        sleep(POLL);
    }
}

/// Offers a break now: plans it, shows it, and starts the player on Start.
fn offer_now(ctx: &Context, open: launch::Open) -> Answer {
    let planned = (|| -> miette::Result<_> {
        let store = ctx.store()?;
        let catalog = ctx.catalog()?;
        let now = backstretch_core::time::Stamp::from_datetime(&chrono::Local::now());
        let app = backstretch_app::App::new(&store, backstretch_store::UserId::local(), now);
        Ok(app.desk_break(&catalog)?)
    })();
    let (title, body) = match planned {
        Ok(Some((title, body, _))) => (title, body),
        // No break to offer (a warning sign, or no profile): nothing is said.
        Ok(None) => return Answer::Skipped,
        Err(e) => {
            eprintln!("backstretch break: {e}");
            return Answer::Skipped;
        }
    };
    let notice = Notice {
        summary: title,
        body,
        actions: vec![
            ("start".into(), "Start".into()),
            ("snooze".into(), "Snooze".into()),
            ("skip".into(), "Skip".into()),
        ],
    };
    match notify::show(&notice, OFFER_WAIT) {
        Ok(notify::Answer::Action(a)) if a == "start" => {
            if let Err(e) = launch::player(open, &ctx.home, &["start", "--break"]) {
                eprintln!("backstretch break: {e}");
            }
            Answer::Took
        }
        Ok(notify::Answer::Action(a)) if a == "snooze" => Answer::Snoozed(0),
        Ok(_) => Answer::Skipped,
        Err(_) => {
            notify::fallback(&notice, &mut std::io::stdout());
            Answer::Skipped
        }
    }
}

fn install(ctx: &Context, a: &BreakArgs, s: &Settings) -> miette::Result<ExitCode> {
    let dirs = Dirs::from_env(&ctx.home)?;
    let program = std::env::current_exe().map_err(|e| miette!("cannot find this program: {e}"))?;
    let job = Job {
        name: JOB.into(),
        description: "backstretch desk breaks while you work".into(),
        program,
        args: vec![
            "--home".into(),
            ctx.home.display().to_string(),
            "break".into(),
            "--every".into(),
            format!("{}m", s.every_s / 60),
            "--hours".into(),
            s.hours.to_string(),
            "--days".into(),
            s.days.to_string(),
            "--rest".into(),
            format!("{}m", s.rest_s / 60),
            "--snooze".into(),
            format!("{}m", s.snooze_s / 60),
            "--open".into(),
            a.open.as_str().into(),
        ],
        env: vec![],
        when: When::AtLogin,
    };
    let installed = schedule::install(Os::current(), &dirs, &job)?;
    print(&format!(
        "Desk-break mode runs at each login: {}.\n{}\nRemove it with `backstretch break --uninstall`.\n",
        paths(&installed.files),
        installed.summary()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn paths(p: &[std::path::PathBuf]) -> String {
    p.iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idle::Scripted;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        // A Monday.
        chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn settings() -> Settings {
        Settings {
            every_s: 45 * 60,
            rest_s: 5 * 60,
            snooze_s: 15 * 60,
            hours: "09:00-17:30".parse().unwrap(),
            days: Days::WORKDAYS,
        }
    }

    /// Runs the loop from `start` for `polls` polls of 30 s with the scripted idle times; the
    /// local times offers were made at.
    fn offers(start: NaiveDateTime, idle: Vec<u32>, answers: &[Answer]) -> Vec<NaiveDateTime> {
        let polls = idle.len();
        let mut idle = Scripted::new(idle.into_iter().map(|s| Duration::from_secs(s.into())));
        let t = std::cell::Cell::new(0i64);
        let offered = std::cell::RefCell::new(Vec::new());
        let mut answers = answers.iter().copied();
        desk_loop(
            &settings(),
            &mut idle,
            &mut || (t.get(), start + chrono::Duration::seconds(t.get())),
            &mut |d| t.set(t.get() + i64::try_from(d.as_secs()).unwrap()),
            &mut |_| {
                offered
                    .borrow_mut()
                    .push(start + chrono::Duration::seconds(t.get()));
                answers.next().unwrap_or(Answer::Took)
            },
            Some(polls),
        );
        offered.into_inner()
    }

    #[test]
    fn a_break_is_offered_after_45_active_minutes_and_not_before() {
        // Two hours of typing from 09:00: offers at 09:45 and 10:30 (taken each time).
        let o = offers(at(9, 0), vec![2; 240], &[]);
        assert_eq!(o, [at(9, 45), at(10, 30)]);
    }

    #[test]
    fn time_away_resets_the_count_and_snooze_asks_again_sooner() {
        // 30 minutes typing, 6 minutes away (idle grows), then typing again.
        let mut idle = vec![1; 60];
        idle.extend((1..=12).map(|i| i * 30));
        idle.extend(vec![1; 200]);
        let o = offers(at(9, 0), idle, &[Answer::Snoozed(0)]);
        // Away from 09:29:30; after five minutes away (09:34:30) the count starts again from
        // the next poll with input (09:35:30), so the first offer is 45 minutes later;
        // snoozed, the next comes 15 active minutes after that.
        let s = |h, m, sec| at(h, m) + chrono::Duration::seconds(sec);
        assert_eq!(o.first(), Some(&s(10, 20, 30)), "{o:?}");
        assert_eq!(o.get(1), Some(&s(10, 35, 30)), "{o:?}");
    }

    #[test]
    fn nothing_is_offered_outside_working_hours_or_on_the_weekend() {
        assert!(offers(at(17, 0), vec![1; 240], &[]).is_empty());
        let saturday = at(10, 0) + chrono::Duration::days(5);
        assert!(offers(saturday, vec![1; 240], &[]).is_empty());
    }
}
