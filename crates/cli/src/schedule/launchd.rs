//! macOS: a launchd agent, `~/Library/LaunchAgents/org.backstretch.NAME.plist`, loaded into
//! the user's GUI session (`launchctl bootstrap gui/UID`), never a system daemon.
//!
//! A reminder has a `StartCalendarInterval` entry per time and day (launchd's `Weekday`: 0
//! is Sunday; no `Weekday` is every day). Like systemd's `Persistent=false`, nothing makes a
//! reminder missed while the Mac was off run later (launchd runs one missed while it slept
//! once on waking). Login (break) mode has `RunAtLoad`, and `KeepAlive` with
//! `SuccessfulExit` false: restarted when it fails, left stopped when it quits normally.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{NaiveTime, Weekday};

use super::{Dirs, File, InstalledJob, Job, When, elements, minutes, weekdays, xml_escape};

fn agent_dir(dirs: &Dirs) -> PathBuf {
    dirs.home.join("Library/LaunchAgents")
}

fn label(name: &str) -> String {
    format!("org.backstretch.{name}")
}

fn string(s: &str) -> String {
    format!("<string>{}</string>", xml_escape(s))
}

fn calendar(times: &[NaiveTime], days: &[Weekday]) -> String {
    let days = weekdays(days);
    let mut s = String::from("\t<key>StartCalendarInterval</key>\n\t<array>\n");
    for (h, m) in minutes(times) {
        let entry = |day: Option<Weekday>| {
            let weekday = day.map_or(String::new(), |d| {
                format!(
                    "<key>Weekday</key><integer>{}</integer>",
                    d.num_days_from_sunday()
                )
            });
            format!(
                "\t\t<dict><key>Hour</key><integer>{h}</integer><key>Minute</key><integer>{m}</integer>{weekday}</dict>\n"
            )
        };
        if days.is_empty() {
            s.push_str(&entry(None));
        }
        for d in &days {
            s.push_str(&entry(Some(*d)));
        }
    }
    s.push_str("\t</array>\n");
    s
}

pub(super) fn file(dirs: &Dirs, job: &Job) -> File {
    let mut s = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
        "<!-- Written by backstretch; see docs/reminders.md to remove it by hand. -->\n",
        "<plist version=\"1.0\">\n<dict>\n",
    ));
    let _ = writeln!(s, "\t<key>Label</key>{}", string(&label(&job.name)));
    s.push_str("\t<key>ProgramArguments</key>\n\t<array>\n");
    let program = job.program.to_string_lossy();
    for arg in std::iter::once(program.as_ref()).chain(job.args.iter().map(String::as_str)) {
        let _ = writeln!(s, "\t\t{}", string(arg));
    }
    s.push_str("\t</array>\n");
    if !job.env.is_empty() {
        s.push_str("\t<key>EnvironmentVariables</key>\n\t<dict>\n");
        for (k, v) in &job.env {
            let _ = writeln!(s, "\t\t<key>{}</key>{}", xml_escape(k), string(v));
        }
        s.push_str("\t</dict>\n");
    }
    match &job.when {
        When::At { times, days } => s.push_str(&calendar(times, days)),
        When::AtLogin => s.push_str(concat!(
            "\t<key>RunAtLoad</key><true/>\n",
            "\t<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>\n",
        )),
    }
    s.push_str("</dict>\n</plist>\n");
    File {
        path: agent_dir(dirs).join(format!("{}.plist", label(&job.name))),
        contents: s.into_bytes(),
    }
}

/// The user's GUI domain, `gui/UID`, the owner of the user's home folder.
fn domain(dirs: &Dirs) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(&dirs.home) {
            return format!("gui/{}", m.uid());
        }
    }
    let _ = dirs;
    "gui/$UID".to_owned()
}

pub(super) fn activate(dirs: &Dirs, plist: &Path) -> Vec<Vec<String>> {
    vec![vec![
        "launchctl".to_owned(),
        "bootstrap".to_owned(),
        domain(dirs),
        plist.to_string_lossy().into_owned(),
    ]]
}

pub(super) fn deactivate(dirs: &Dirs, name: &str) -> Vec<Vec<String>> {
    vec![vec![
        "launchctl".to_owned(),
        "bootout".to_owned(),
        format!("{}/{}", domain(dirs), label(name)),
    ]]
}

pub(super) fn installed(dirs: &Dirs) -> Vec<InstalledJob> {
    super::listed(&agent_dir(dirs), "org.backstretch.", ".plist")
        .into_iter()
        .map(|(name, path)| InstalledJob {
            when: std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| read_when(&s)),
            name,
            paths: vec![path],
        })
        .collect()
}

/// The schedule in a plist written by [`file`].
fn read_when(plist: &str) -> Option<When> {
    if plist.contains("<key>RunAtLoad</key>") {
        return Some(When::AtLogin);
    }
    let (_, after) = plist.split_once("<key>StartCalendarInterval</key>")?;
    let array = *elements(after, "array").first()?;
    let (mut times, mut days) = (Vec::new(), Vec::new());
    for entry in elements(array, "dict") {
        let (mut h, mut m) = (None, None);
        for (k, v) in elements(entry, "key")
            .into_iter()
            .zip(elements(entry, "integer"))
        {
            let v: u32 = v.parse().ok()?;
            match k {
                "Hour" => h = Some(v),
                "Minute" => m = Some(v),
                "Weekday" => {
                    days.push(Weekday::try_from(u8::try_from((v % 7 + 6) % 7).ok()?).ok()?);
                }
                _ => return None,
            }
        }
        times.push(NaiveTime::from_hms_opt(h?, m?, 0)?);
    }
    times.sort_unstable();
    times.dedup();
    days = weekdays(&days);
    (!times.is_empty()).then_some(When::At { times, days })
}
