//! Linux: systemd user units in `$XDG_CONFIG_HOME/systemd/user`, run by the user's own
//! service manager (`systemctl --user`), never the system's.
//!
//! A reminder is `backstretch-NAME.timer` with one `OnCalendar=` line per time, starting
//! `backstretch-NAME.service` (a oneshot). `Persistent=false`: a reminder missed while the
//! computer was off or asleep is not fired late at boot (a 07:30 stretch reminder at 13:00 is
//! noise, and several missed ones would all fire at once). `AccuracySec=1s`: the default
//! minute of slack would show a 07:30 reminder at up to 07:31.
//!
//! Login (break) mode is `backstretch-NAME.service` alone, `WantedBy=default.target`: it
//! starts with the user's service manager, at the first login, whatever the desktop (not every
//! desktop starts `graphical-session.target`), and is restarted if it fails.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::NaiveTime;

use super::{Dirs, File, InstalledJob, Job, When, minutes, one_line, weekdays};

const HEADER: &str = "# Written by backstretch; see docs/reminders.md to remove it by hand.\n";

fn unit_dir(dirs: &Dirs) -> PathBuf {
    dirs.config.join("systemd/user")
}

/// A word for `ExecStart=` or `Environment=`: double-quoted, with `\` and `"` escaped, `%`
/// doubled (a specifier otherwise), and in `ExecStart=` `$` doubled (a variable otherwise).
pub(super) fn quote(s: &str, exec: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' if exec => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Free text on a `Description=` line: `%` doubled, and no `\` at the end (a line
/// continuation).
fn text(s: &str) -> String {
    one_line(s)
        .replace('%', "%%")
        .trim_end_matches('\\')
        .to_owned()
}

fn service(job: &Job) -> String {
    let mut s = format!(
        "{HEADER}[Unit]\nDescription={}\n\n[Service]\n",
        text(&job.description)
    );
    match job.when {
        When::At { .. } => s.push_str("Type=oneshot\n"),
        When::AtLogin => s.push_str("Type=simple\nRestart=on-failure\nRestartSec=30\n"),
    }
    for (k, v) in &job.env {
        let _ = writeln!(s, "Environment={}", quote(&format!("{k}={v}"), false));
    }
    // A lone `;` separates two commands; systemd reads `\;` as the word `;`.
    let program = job.program.to_string_lossy();
    let words: Vec<String> = std::iter::once(program.as_ref())
        .chain(job.args.iter().map(String::as_str))
        .map(|w| {
            if w == ";" {
                "\\;".to_owned()
            } else {
                quote(w, true)
            }
        })
        .collect();
    let _ = writeln!(s, "ExecStart={}", words.join(" "));
    if job.when == When::AtLogin {
        s.push_str("\n[Install]\nWantedBy=default.target\n");
    }
    s
}

fn timer(job: &Job, times: &[NaiveTime], days: &[chrono::Weekday]) -> String {
    let mut s = format!(
        "{HEADER}[Unit]\nDescription={}\n\n[Timer]\n",
        text(&job.description)
    );
    let days = weekdays(days)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    for (h, m) in minutes(times) {
        let sep = if days.is_empty() { "" } else { " " };
        let _ = writeln!(s, "OnCalendar={days}{sep}*-*-* {h:02}:{m:02}:00");
    }
    s.push_str("Persistent=false\nAccuracySec=1s\n\n[Install]\nWantedBy=timers.target\n");
    s
}

pub(super) fn files(dirs: &Dirs, job: &Job) -> Vec<File> {
    let base = unit_dir(dirs).join(format!("backstretch-{}", job.name));
    let mut files = vec![File {
        path: base.with_extension("service"),
        contents: service(job).into_bytes(),
    }];
    if let When::At { times, days } = &job.when {
        files.push(File {
            path: base.with_extension("timer"),
            contents: timer(job, times, days).into_bytes(),
        });
    }
    files
}

fn systemctl(args: &[&str]) -> Vec<String> {
    ["systemctl", "--user"]
        .iter()
        .chain(args)
        .map(|s| (*s).to_owned())
        .collect()
}

pub(super) fn daemon_reload() -> Vec<String> {
    systemctl(&["daemon-reload"])
}

/// Reload, enable (the timer, or the login service) and (re)start it with the new settings.
pub(super) fn activate(job: &Job) -> Vec<Vec<String>> {
    let kind = if job.when == When::AtLogin {
        "service"
    } else {
        "timer"
    };
    let unit = format!("backstretch-{}.{kind}", job.name);
    vec![
        daemon_reload(),
        systemctl(&["enable", &unit]),
        systemctl(&["restart", &unit]),
    ]
}

/// Stop and disable each unit (failures are ignored by the caller).
pub(super) fn deactivate(paths: &[PathBuf]) -> Vec<Vec<String>> {
    paths
        .iter()
        .filter_map(|p| p.file_name()?.to_str())
        .map(|unit| systemctl(&["disable", "--now", unit]))
        .collect()
}

pub(super) fn installed(dirs: &Dirs) -> Vec<InstalledJob> {
    let dir = unit_dir(dirs);
    let mut jobs: Vec<InstalledJob> = Vec::new();
    let units = super::listed(&dir, "backstretch-", ".service")
        .into_iter()
        .chain(super::listed(&dir, "backstretch-", ".timer"));
    for (name, path) in units {
        match jobs.iter_mut().find(|j| j.name == name) {
            Some(j) => j.paths.push(path),
            None => jobs.push(InstalledJob {
                name,
                paths: vec![path],
                when: None,
            }),
        }
    }
    for job in &mut jobs {
        job.paths.sort();
        job.when = read_when(&job.paths);
    }
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    jobs
}

/// The schedule in a job's timer, or login mode for a service alone that is `WantedBy`.
fn read_when(paths: &[PathBuf]) -> Option<When> {
    let read = |ext| {
        let p = paths
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == ext))?;
        std::fs::read_to_string(p).ok()
    };
    let Some(timer) = read("timer") else {
        let service = read("service")?;
        return service
            .lines()
            .any(|l| l.starts_with("WantedBy="))
            .then_some(When::AtLogin);
    };
    let (mut times, mut days) = (Vec::new(), Vec::new());
    for spec in timer.lines().filter_map(|l| l.strip_prefix("OnCalendar=")) {
        let words: Vec<&str> = spec.split_whitespace().collect();
        let (d, time) = match words[..] {
            [d, "*-*-*", t] => (Some(d), t),
            ["*-*-*", t] => (None, t),
            _ => return None,
        };
        times.push(NaiveTime::parse_from_str(time, "%H:%M:%S").ok()?);
        days = match d {
            Some(d) => d
                .split(',')
                .map(|w| w.parse().ok())
                .collect::<Option<_>>()?,
            None => Vec::new(),
        };
    }
    (!times.is_empty()).then_some(When::At { times, days })
}
