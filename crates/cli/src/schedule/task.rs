//! Windows: a Task Scheduler task, registered from an XML file kept in the data folder
//! (`DATA\tasks\backstretch-NAME.xml`) with `schtasks /Create /TN backstretch-NAME /XML`.
//!
//! The file is UTF-16 (little-endian, with a byte-order mark) and says so in its declaration:
//! the encoding `schtasks` imports and Task Scheduler itself exports (UTF-8 is not verified
//! here, there being no Windows to try it on). The task runs as the user, only while logged
//! on (`InteractiveToken`), at the least privilege. A reminder has one `CalendarTrigger` per
//! time (by week on given days, else daily); `StartWhenAvailable` is false, so a missed
//! reminder is not run late. Login (break) mode has a `LogonTrigger` for the user, no time
//! limit, and restarts on failure.
//!
//! Task Scheduler sets no environment variables for a task and expands `%NAME%` in the
//! command and arguments: a job with environment variables, or a `%` in its command line, is
//! refused (pass `--home DIR` as arguments instead of `BACKSTRETCH_HOME`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{NaiveTime, Weekday};

use super::{
    Dirs, File, InstalledJob, Job, ScheduleError, When, elements, minutes, one_line, weekdays,
    xml_escape,
};

fn task_dir(dirs: &Dirs) -> PathBuf {
    dirs.data.join("tasks")
}

fn task_name(name: &str) -> String {
    format!("backstretch-{name}")
}

/// One argument on a Windows command line, as `CommandLineToArgvW` splits it: quoted when it
/// is empty or holds a space, tab or quote; a quote and the backslashes before it escaped.
pub(super) fn quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_owned();
    }
    let mut out = String::from('"');
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(2 * backslashes + 1));
                out.push('"');
                backslashes = 0;
            }
            c => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(2 * backslashes));
    out.push('"');
    out
}

fn triggers(dirs: &Dirs, when: &When) -> String {
    let (times, days) = match when {
        When::At { times, days } => (times, weekdays(days)),
        When::AtLogin => {
            let user = dirs.user.as_deref().map_or(String::new(), |u| {
                format!("<UserId>{}</UserId>", xml_escape(u))
            });
            return format!("    <LogonTrigger><Enabled>true</Enabled>{user}</LogonTrigger>\n");
        }
    };
    let schedule = if days.is_empty() {
        "<ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>".to_owned()
    } else {
        let days: String = days
            .iter()
            .map(|d| format!("<{}/>", day_name(*d)))
            .collect();
        format!(
            "<ScheduleByWeek><DaysOfWeek>{days}</DaysOfWeek><WeeksInterval>1</WeeksInterval></ScheduleByWeek>"
        )
    };
    let mut s = String::new();
    for (h, m) in minutes(times) {
        let _ = writeln!(
            s,
            "    <CalendarTrigger><StartBoundary>2020-01-01T{h:02}:{m:02}:00</StartBoundary><Enabled>true</Enabled>{schedule}</CalendarTrigger>"
        );
    }
    s
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "Monday"),
    (Weekday::Tue, "Tuesday"),
    (Weekday::Wed, "Wednesday"),
    (Weekday::Thu, "Thursday"),
    (Weekday::Fri, "Friday"),
    (Weekday::Sat, "Saturday"),
    (Weekday::Sun, "Sunday"),
];

fn day_name(d: Weekday) -> &'static str {
    DAYS[d.num_days_from_monday() as usize].1
}

fn xml(dirs: &Dirs, job: &Job) -> String {
    let login = job.when == When::AtLogin;
    let user = dirs.user.as_deref().map_or(String::new(), |u| {
        format!("<UserId>{}</UserId>", xml_escape(u))
    });
    let args: Vec<String> = job.args.iter().map(|a| quote(a)).collect();
    let (limit, restart) = if login {
        (
            "PT0S",
            "<RestartOnFailure><Interval>PT1M</Interval><Count>3</Count></RestartOnFailure>",
        )
    } else {
        ("PT1H", "")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-16"?>
<!-- Written by backstretch; see docs/reminders.md to remove it by hand. -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>{description}</Description><URI>\{name}</URI></RegistrationInfo>
  <Triggers>
{triggers}  </Triggers>
  <Principals><Principal id="Author">{user}<LogonType>InteractiveToken</LogonType><RunLevel>LeastPrivilege</RunLevel></Principal></Principals>
  <Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy><DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false</StopIfGoingOnBatteries><StartWhenAvailable>false</StartWhenAvailable><ExecutionTimeLimit>{limit}</ExecutionTimeLimit>{restart}<Enabled>true</Enabled></Settings>
  <Actions Context="Author"><Exec><Command>{command}</Command><Arguments>{args}</Arguments></Exec></Actions>
</Task>
"#,
        description = xml_escape(&one_line(&job.description)),
        name = task_name(&job.name),
        triggers = triggers(dirs, &job.when),
        command = xml_escape(&job.program.to_string_lossy()),
        args = xml_escape(&args.join(" ")),
    )
}

pub(super) fn file(dirs: &Dirs, job: &Job) -> Result<File, ScheduleError> {
    if let Some((k, _)) = job.env.first() {
        return Err(ScheduleError::BadValue {
            what: "environment variable",
            value: k.clone(),
            why: "Task Scheduler cannot set one for a task (pass --home DIR as arguments instead of BACKSTRETCH_HOME)",
        });
    }
    let program = job.program.to_string_lossy();
    let words = std::iter::once(program.as_ref()).chain(job.args.iter().map(String::as_str));
    for word in words {
        if word.contains('%') {
            return Err(ScheduleError::BadValue {
                what: "command line word",
                value: word.to_owned(),
                why: "Task Scheduler would read %NAME% in it as a variable",
            });
        }
    }
    let mut contents = vec![0xFF, 0xFE];
    for unit in xml(dirs, job).encode_utf16() {
        contents.extend_from_slice(&unit.to_le_bytes());
    }
    Ok(File {
        path: task_dir(dirs).join(format!("{}.xml", task_name(&job.name))),
        contents,
    })
}

fn schtasks(args: &[&str]) -> Vec<String> {
    std::iter::once("schtasks")
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect()
}

pub(super) fn activate(xml: &Path, name: &str) -> Vec<Vec<String>> {
    let path = xml.to_string_lossy();
    vec![schtasks(&[
        "/Create",
        "/TN",
        &task_name(name),
        "/XML",
        &path,
        "/F",
    ])]
}

pub(super) fn deactivate(name: &str) -> Vec<Vec<String>> {
    vec![schtasks(&["/Delete", "/TN", &task_name(name), "/F"])]
}

pub(super) fn installed(dirs: &Dirs) -> Vec<InstalledJob> {
    super::listed(&task_dir(dirs), "backstretch-", ".xml")
        .into_iter()
        .map(|(name, path)| InstalledJob {
            when: std::fs::read(&path)
                .ok()
                .and_then(|b| read_when(&decode(&b)?)),
            name,
            paths: vec![path],
        })
        .collect()
}

/// UTF-16 little-endian text after its byte-order mark.
pub(super) fn decode(bytes: &[u8]) -> Option<String> {
    let body = bytes.strip_prefix(&[0xFF, 0xFE])?;
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

/// The schedule in a task written by [`file`].
fn read_when(xml: &str) -> Option<When> {
    if xml.contains("<LogonTrigger>") {
        return Some(When::AtLogin);
    }
    let times = elements(xml, "StartBoundary")
        .into_iter()
        .map(|b| NaiveTime::parse_from_str(b.split_once('T')?.1, "%H:%M:%S").ok())
        .collect::<Option<Vec<_>>>()?;
    let days = elements(xml, "DaysOfWeek").first().map_or(Vec::new(), |d| {
        DAYS.iter()
            .filter(|(_, n)| d.contains(&format!("<{n}/>")))
            .map(|(w, _)| *w)
            .collect()
    });
    (!times.is_empty()).then_some(When::At { times, days })
}
