//! Schedules the operating system keeps for backstretch: a command run at given times (a
//! reminder) or at login (desk-break mode), with no daemon of ours and never as root.
//!
//! Each system gets its own user-level files: systemd user units on Linux ([`systemd`]), a
//! launchd agent on macOS ([`launchd`]), a Task Scheduler task on Windows ([`task`]).
//! [`files`] says what would be written; [`install`] writes it (0600 files, 0700 folders it
//! creates, each file atomically) and asks the system to activate it; [`installed`] lists
//! what is there; [`remove`] deactivates and deletes. `docs/reminders.md` describes the files.

mod launchd;
mod systemd;
mod task;

use std::path::{Path, PathBuf};

use chrono::{NaiveTime, Timelike, Weekday};

/// The system whose scheduler is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "MacOs is the system's name")]
pub enum Os {
    /// systemd user units.
    Linux,
    /// A launchd agent.
    MacOs,
    /// A Task Scheduler task.
    Windows,
}

impl Os {
    /// The system this binary was built for (anything not macOS or Windows counts as Linux).
    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(target_os = "windows") {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// When a job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// At each of these times (to the minute; seconds are dropped) on these days (empty:
    /// every day), local time.
    At {
        times: Vec<NaiveTime>,
        days: Vec<Weekday>,
    },
    /// Once at login, kept running (restarted if it fails).
    AtLogin,
}

/// A command the system runs for backstretch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// `remind-morning`, `break`: 1 to 40 of `a-z`, `0-9` and `-`, not starting or ending
    /// with `-`. Files and units are named after it.
    pub name: String,
    /// One line for people reading the unit or task.
    pub description: String,
    /// The absolute path of the program (`std::env::current_exe()`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Environment variables set for it (not on Windows: pass `--home` in `args` there).
    pub env: Vec<(String, String)>,
    /// When it runs.
    pub when: When,
}

/// The folders schedules are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// The home folder (macOS: `~/Library/LaunchAgents` is under it).
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, or `~/.config` (Linux: `systemd/user` is under it).
    pub config: PathBuf,
    /// backstretch's data folder (Windows: the task files are kept in `tasks` under it).
    pub data: PathBuf,
    /// Windows: the account (`DOMAIN\user`) whose logon starts a login job.
    pub user: Option<String>,
}

impl Dirs {
    /// The folders of the user running this, with `data` the data folder already resolved
    /// (`--home`, `BACKSTRETCH_HOME` or the default).
    pub fn from_env(data: &Path) -> Result<Dirs, ScheduleError> {
        let home = std::env::home_dir()
            .filter(|h| !h.as_os_str().is_empty())
            .ok_or(ScheduleError::NoHome)?;
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|c| c.is_absolute())
            .unwrap_or_else(|| home.join(".config"));
        let var = |k| std::env::var(k).ok().filter(|v| !v.is_empty());
        let user = match (var("USERDOMAIN"), var("USERNAME")) {
            (Some(d), Some(u)) => Some(format!("{d}\\{u}")),
            (None, Some(u)) => Some(u),
            _ => None,
        };
        Ok(Dirs {
            home,
            config,
            data: data.to_path_buf(),
            user,
        })
    }
}

/// A file a schedule consists of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Where it goes.
    pub path: PathBuf,
    /// Its bytes (UTF-8, or UTF-16 for a Windows task).
    pub contents: Vec<u8>,
}

/// Whether the system took the schedule up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// It is active now.
    Done,
    /// The files are written but the system did not take them up (no user session manager,
    /// as in a container): `command` does it by hand later.
    NotDone { reason: String, command: String },
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The files written.
    pub files: Vec<PathBuf>,
    /// Whether the system took them up.
    pub activation: Activation,
}

impl Installed {
    /// What happened, in plain words (one or two lines).
    pub fn summary(&self) -> String {
        let files = self
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        match &self.activation {
            Activation::Done => format!("wrote {files}; it is active now"),
            Activation::NotDone { reason, command } => format!(
                "wrote {files}, but the system did not take it up ({reason}); to start it later, run: {command}"
            ),
        }
    }
}

/// A schedule found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledJob {
    /// The job's name (`remind-morning`).
    pub name: String,
    /// Its files.
    pub paths: Vec<PathBuf>,
    /// Its schedule, when it could be read back from the files.
    pub when: Option<When>,
}

/// Why a schedule could not be written or removed: a sentence naming the file or value.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ScheduleError {
    #[error(
        "`{0}` cannot name a schedule: use 1 to 40 of a-z, 0-9 and -, not starting or ending with -"
    )]
    BadName(String),
    #[error("the {what} `{value}` cannot go into a schedule: {why}")]
    BadValue {
        what: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("a schedule at given times needs at least one time")]
    NoTimes,
    #[error("cannot find your home folder, where the schedule's files go")]
    #[diagnostic(help("set HOME (USERPROFILE on Windows)"))]
    NoHome,
    #[error("{0}")]
    #[diagnostic(help("check that the folder exists and is yours, then try again"))]
    Files(String),
}

/// Runs one external command (`systemctl`, `launchctl`, `schtasks`): `Err` says why it failed.
type Runner<'a> = &'a dyn Fn(&[String]) -> Result<(), String>;

/// Runs a command, waiting for it; its error output is the reason when it fails.
fn run_command(argv: &[String]) -> Result<(), String> {
    let Some((program, args)) = argv.split_first() else {
        return Ok(());
    };
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let err = err.trim();
    Err(if err.is_empty() {
        format!("{program} failed ({})", out.status)
    } else {
        format!("{program}: {}", err.lines().next().unwrap_or(err))
    })
}

/// What would be written for a job (nothing is touched).
pub fn files(os: Os, dirs: &Dirs, job: &Job) -> Result<Vec<File>, ScheduleError> {
    check(os, job)?;
    Ok(match os {
        Os::Linux => systemd::files(dirs, job),
        Os::MacOs => vec![launchd::file(dirs, job)],
        Os::Windows => vec![task::file(dirs, job)?],
    })
}

/// Writes a job's files (replacing an earlier version of it) and activates them.
pub fn install(os: Os, dirs: &Dirs, job: &Job) -> Result<Installed, ScheduleError> {
    install_with(os, dirs, job, &run_command)
}

fn install_with(os: Os, dirs: &Dirs, job: &Job, run: Runner) -> Result<Installed, ScheduleError> {
    let files = files(os, dirs, job)?;
    for f in &files {
        if let Some(dir) = f.path.parent() {
            create_private_dirs(dir)?;
        }
        crate::files::write_private(&f.path, &f.contents)
            .map_err(|e| ScheduleError::Files(e.to_string()))?;
    }
    let paths: Vec<PathBuf> = files.into_iter().map(|f| f.path).collect();
    let steps = match os {
        Os::Linux => systemd::activate(job),
        Os::MacOs => {
            // An earlier version is unloaded first (there may be none).
            for step in launchd::deactivate(dirs, &job.name) {
                let _ = run(&step);
            }
            launchd::activate(dirs, &paths[0])
        }
        Os::Windows => task::activate(&paths[0], &job.name),
    };
    let activation = match steps.iter().try_for_each(|s| run(s)) {
        Ok(()) => Activation::Done,
        Err(reason) => Activation::NotDone {
            reason,
            command: steps
                .iter()
                .map(|s| shell_line(s))
                .collect::<Vec<_>>()
                .join(" && "),
        },
    };
    Ok(Installed {
        files: paths,
        activation,
    })
}

/// Every schedule of backstretch's on disk, by name.
pub fn installed(os: Os, dirs: &Dirs) -> Vec<InstalledJob> {
    match os {
        Os::Linux => systemd::installed(dirs),
        Os::MacOs => launchd::installed(dirs),
        Os::Windows => task::installed(dirs),
    }
}

/// Deactivates and deletes one job (`Some(name)`) or all of backstretch's (`None`); other
/// files in the folders are left alone. Returns the files deleted (none if there was no
/// such job).
pub fn remove(os: Os, dirs: &Dirs, name: Option<&str>) -> Result<Vec<PathBuf>, ScheduleError> {
    remove_with(os, dirs, name, &run_command)
}

fn remove_with(
    os: Os,
    dirs: &Dirs,
    name: Option<&str>,
    run: Runner,
) -> Result<Vec<PathBuf>, ScheduleError> {
    if let Some(n) = name {
        check_name(n)?;
    }
    let jobs: Vec<InstalledJob> = installed(os, dirs)
        .into_iter()
        .filter(|j| name.is_none_or(|n| j.name == n))
        .collect();
    let mut removed = Vec::new();
    for job in &jobs {
        let steps = match os {
            Os::Linux => systemd::deactivate(&job.paths),
            Os::MacOs => launchd::deactivate(dirs, &job.name),
            Os::Windows => task::deactivate(&job.name),
        };
        for step in &steps {
            // Not active (or no session manager): there is nothing to stop.
            let _ = run(step);
        }
        for path in &job.paths {
            match std::fs::remove_file(path) {
                Ok(()) => removed.push(path.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ScheduleError::Files(format!(
                        "cannot delete {}: {e}",
                        path.display()
                    )));
                }
            }
        }
    }
    if os == Os::Linux && !jobs.is_empty() {
        let _ = run(&systemd::daemon_reload());
    }
    Ok(removed)
}

/// Creates a folder and its missing parents, each one created private (0700).
fn create_private_dirs(dir: &Path) -> Result<(), ScheduleError> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    for d in missing.iter().rev() {
        std::fs::create_dir(d)
            .or_else(|e| if d.is_dir() { Ok(()) } else { Err(e) })
            .map_err(|e| {
                ScheduleError::Files(format!("cannot create the folder {}: {e}", d.display()))
            })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
                ScheduleError::Files(format!("cannot make {} private: {e}", d.display()))
            })?;
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), ScheduleError> {
    let ok = (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ScheduleError::BadName(name.to_owned()))
    }
}

/// A job every system can take: a valid name, an absolute program, no control characters
/// (no unit, plist or task file can carry them), environment names of `A-Z`, `a-z`, `0-9`, `_`.
fn check(os: Os, job: &Job) -> Result<(), ScheduleError> {
    check_name(&job.name)?;
    let bad = |what, value: &str, why| ScheduleError::BadValue {
        what,
        value: value.to_owned(),
        why,
    };
    let program = job.program.to_str().ok_or_else(|| {
        bad(
            "program",
            &job.program.to_string_lossy(),
            "its path is not valid Unicode",
        )
    })?;
    let absolute = match os {
        Os::Windows => {
            let b = program.as_bytes();
            program.starts_with("\\\\")
                || (b.len() > 2
                    && b[0].is_ascii_alphabetic()
                    && b[1] == b':'
                    && b"\\/".contains(&b[2]))
        }
        Os::Linux | Os::MacOs => program.starts_with('/'),
    };
    if !absolute {
        return Err(bad("program", program, "it needs an absolute path"));
    }
    let controls = "it holds a control character (a line break or tab)";
    let values = std::iter::once(("program", program))
        .chain(job.args.iter().map(|a| ("argument", a.as_str())))
        .chain(
            job.env
                .iter()
                .map(|(_, v)| ("environment value", v.as_str())),
        );
    for (what, value) in values {
        if value.chars().any(char::is_control) {
            return Err(bad(what, value, controls));
        }
    }
    for (k, _) in &job.env {
        let ok = !k.is_empty()
            && !k.starts_with(|c: char| c.is_ascii_digit())
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok {
            return Err(bad(
                "environment name",
                k,
                "use letters, digits and _, not starting with a digit",
            ));
        }
    }
    if let When::At { times, .. } = &job.when
        && times.is_empty()
    {
        return Err(ScheduleError::NoTimes);
    }
    Ok(())
}

/// The times, to the minute, sorted and without repeats.
fn minutes(times: &[NaiveTime]) -> Vec<(u32, u32)> {
    let mut m: Vec<(u32, u32)> = times.iter().map(|t| (t.hour(), t.minute())).collect();
    m.sort_unstable();
    m.dedup();
    m
}

/// The days from Monday, without repeats; empty stays empty (every day).
fn weekdays(days: &[Weekday]) -> Vec<Weekday> {
    let mut d = days.to_vec();
    d.sort_unstable_by_key(Weekday::num_days_from_monday);
    d.dedup();
    if d.len() == 7 { Vec::new() } else { d }
}

/// A description on one line (control characters become spaces).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A command as a person would type it in a POSIX shell (or PowerShell, for these words).
fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./=@:".contains(&b))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// XML text with `&`, `<`, `>`, `"` and `'` escaped (for the plist and the task).
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The text of each `<tag>…</tag>` in `s`, in order (reading back our own files).
fn elements<'a>(s: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        found.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    found
}

/// The files in `dir` whose names start with `prefix` and end with `suffix`, by the job name
/// between them; the folder missing is no files.
fn listed(dir: &Path, prefix: &str, suffix: &str) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let file = e.file_name().into_string().ok()?;
            let name = file.strip_prefix(prefix)?.strip_suffix(suffix)?;
            check_name(name).ok()?;
            Some((name.to_owned(), e.path()))
        })
        .collect();
    found.sort();
    found
}

#[cfg(all(test, unix))]
mod tests;
