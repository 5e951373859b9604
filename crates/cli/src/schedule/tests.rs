use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveTime, Weekday};
use proptest::prelude::*;

use super::{
    Activation, Dirs, Job, Os, ScheduleError, When, files, install, install_with, installed,
    launchd, remove, remove_with, run_command, systemd, task,
};

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn dirs(tmp: &Path) -> Dirs {
    Dirs {
        home: tmp.join("home"),
        config: tmp.join("home/.config"),
        data: tmp.join("data"),
        user: Some("DESK\\ana".to_owned()),
    }
}

/// Arguments that need quoting everywhere: spaces, specifiers, variables, XML, quotes.
fn tricky_args() -> Vec<String> {
    [
        "remind",
        "fire",
        "a b & <c>",
        "100% $HOME ${X}",
        "q\"uote 'x' \\back\\",
        "",
        ";",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn reminder(program: PathBuf) -> Job {
    Job {
        name: "remind-morning".to_owned(),
        description: "backstretch: time to stretch (100% \\".to_owned(),
        program,
        args: tricky_args(),
        env: vec![(
            "BACKSTRETCH_HOME".to_owned(),
            "/tmp/my data/100% \"x\"".to_owned(),
        )],
        when: When::At {
            times: vec![at(7, 30), at(18, 5)],
            days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Sun],
        },
    }
}

fn break_mode(program: PathBuf) -> Job {
    Job {
        name: "break".to_owned(),
        description: "backstretch desk breaks".to_owned(),
        program,
        args: vec!["break".to_owned()],
        env: Vec::new(),
        when: When::AtLogin,
    }
}

/// A runner like a machine without the system's scheduler: every command fails, and is kept.
fn failing(log: &RefCell<Vec<Vec<String>>>) -> impl Fn(&[String]) -> Result<(), String> + '_ {
    |argv| {
        log.borrow_mut().push(argv.to_vec());
        Err("Failed to connect to bus: No medium found".to_owned())
    }
}

/// An executable at a path with a space and a `%` in it (a symlink to `true`).
fn odd_program(tmp: &Path) -> PathBuf {
    let dir = tmp.join("my bin");
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("true 100%");
    std::os::unix::fs::symlink("/bin/true", &program).unwrap();
    program
}

fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!(
            "note: {name} is not installed, so this test checks nothing; scripts/test installs it"
        );
    }
    found
}

#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    if !tool("systemd-analyze") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path());
    let program = odd_program(tmp.path());
    let log = RefCell::new(Vec::new());
    let mut paths = Vec::new();
    for job in [reminder(program.clone()), break_mode(program)] {
        paths.extend(
            install_with(Os::Linux, &d, &job, &failing(&log))
                .unwrap()
                .files,
        );
    }
    assert_eq!(paths.len(), 3);
    let runtime = tmp.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    // User mode, as the units will run; its runtime folder a temporary one, since a container
    // (or CI) has no user manager.
    let out = Command::new("systemd-analyze")
        .args(["--user", "verify"])
        .args(&paths)
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Bad settings are warnings with a success status: none may name our units.
    assert!(!stderr.contains("backstretch-"), "{stderr}");
}

#[test]
fn systemd_files_say_when_and_what() {
    let d = dirs(Path::new("/h"));
    let mut job = reminder(PathBuf::from("/usr/bin/backstretch"));
    job.when = When::At {
        times: vec![at(18, 5), at(7, 30), at(7, 30)],
        days: vec![Weekday::Fri, Weekday::Mon],
    };
    let f = files(Os::Linux, &d, &job).unwrap();
    assert_eq!(
        f[1].path,
        Path::new("/h/home/.config/systemd/user/backstretch-remind-morning.timer")
    );
    let timer = String::from_utf8(f[1].contents.clone()).unwrap();
    assert!(timer.contains(
        "OnCalendar=Mon,Fri *-*-* 07:30:00\nOnCalendar=Mon,Fri *-*-* 18:05:00\nPersistent=false\nAccuracySec=1s\n"
    ), "{timer}");
    let service = String::from_utf8(f[0].contents.clone()).unwrap();
    assert!(service.contains("Description=backstretch: time to stretch (100%% \n"));
    assert!(service.contains(
        r#"ExecStart="/usr/bin/backstretch" "remind" "fire" "a b & <c>" "100%% $$HOME $${X}" "q\"uote 'x' \\back\\" "" \;"#
    ), "{service}");
    assert!(service.contains(r#"Environment="BACKSTRETCH_HOME=/tmp/my data/100%% \"x\"""#));
    job.when = When::At {
        times: vec![at(9, 0)],
        days: Vec::new(),
    };
    let timer = String::from_utf8(files(Os::Linux, &d, &job).unwrap()[1].contents.clone());
    assert!(timer.unwrap().contains("OnCalendar=*-*-* 09:00:00\n"));
    let login = files(Os::Linux, &d, &break_mode(PathBuf::from("/b"))).unwrap();
    assert_eq!(login.len(), 1);
    let service = String::from_utf8(login[0].contents.clone()).unwrap();
    assert!(service.contains("Restart=on-failure\n"));
    assert!(service.contains("[Install]\nWantedBy=default.target\n"));
}

/// A word of `ExecStart=` (or `Environment=`) read back as systemd does.
fn systemd_unquote(word: &str, exec: bool) -> String {
    let inner = word.strip_prefix('"').unwrap().strip_suffix('"').unwrap();
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().unwrap()),
            '%' => assert_eq!(chars.next(), Some('%'), "lone % in {word}"),
            '$' if exec => assert_eq!(chars.next(), Some('$'), "lone $ in {word}"),
            '"' => panic!("unescaped quote in {word}"),
            c => out.push(c),
        }
        if c == '%' || (c == '$' && exec) {
            out.push(c);
        }
    }
    out
}

/// A Windows command line split as `CommandLineToArgvW` does.
fn windows_split(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let (mut args, mut i) = (Vec::new(), 0);
    loop {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i == chars.len() {
            return args;
        }
        let (mut arg, mut quoted) = (String::new(), false);
        while i < chars.len() && (quoted || (chars[i] != ' ' && chars[i] != '\t')) {
            let backslashes = chars[i..].iter().take_while(|c| **c == '\\').count();
            if backslashes > 0 {
                i += backslashes;
                let before_quote = chars.get(i) == Some(&'"');
                let kept = if before_quote {
                    backslashes / 2
                } else {
                    backslashes
                };
                arg.push_str(&"\\".repeat(kept));
                if before_quote && backslashes % 2 == 1 {
                    arg.push('"');
                    i += 1;
                }
            } else if chars[i] == '"' {
                quoted = !quoted;
                i += 1;
            } else {
                arg.push(chars[i]);
                i += 1;
            }
        }
        args.push(arg);
    }
}

#[test]
fn quoting_tables() {
    for (word, exec, quoted) in [
        ("plain", true, r#""plain""#),
        ("a b", true, r#""a b""#),
        ("100%", true, r#""100%%""#),
        ("$HOME", true, r#""$$HOME""#),
        ("$HOME", false, r#""$HOME""#),
        (r#"say "hi""#, true, r#""say \"hi\"""#),
        (r"C:\dir\", true, r#""C:\\dir\\""#),
    ] {
        assert_eq!(systemd::quote(word, exec), quoted);
    }
    for (arg, quoted) in [
        ("plain", "plain"),
        ("", r#""""#),
        ("a b", r#""a b""#),
        (r"C:\my dir\", r#""C:\my dir\\""#),
        (r#"say "hi""#, r#""say \"hi\"""#),
        (r#"a\"b"#, r#""a\\\"b""#),
        (r"a\b", r"a\b"),
    ] {
        assert_eq!(task::quote(arg), quoted);
        assert_eq!(windows_split(&task::quote(arg)), vec![arg]);
    }
}

proptest! {
    #[test]
    fn systemd_words_read_back(word in "[ -~é%$\"\\\\]{0,24}") {
        for exec in [true, false] {
            prop_assert_eq!(systemd_unquote(&systemd::quote(&word, exec), exec), word.clone());
        }
    }

    #[test]
    fn windows_command_lines_split_back(args in prop::collection::vec("[ a-z\"\\\\\t]{0,8}", 0..5)) {
        let line: Vec<String> = args.iter().map(|a| task::quote(a)).collect();
        prop_assert_eq!(windows_split(&line.join(" ")), args);
    }
}

/// Runs a Python script on a file and reads the JSON it prints; `None` without python3.
fn python(script: &str, file: &Path) -> Option<serde_json::Value> {
    if !tool("python3") {
        return None;
    }
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

const PLIST: &str =
    "import json,plistlib,sys; d=plistlib.load(open(sys.argv[1],'rb')); print(json.dumps(d))";

#[test]
fn launchd_plists_parse_with_plistlib() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path());
    let job = reminder(PathBuf::from("/Applications/Back Stretch/backstretch"));
    let f = launchd::file(&d, &job);
    assert_eq!(
        f.path,
        tmp.path()
            .join("home/Library/LaunchAgents/org.backstretch.remind-morning.plist")
    );
    std::fs::write(tmp.path().join("a.plist"), &f.contents).unwrap();
    let Some(v) = python(PLIST, &tmp.path().join("a.plist")) else {
        return;
    };
    assert_eq!(v["Label"], "org.backstretch.remind-morning");
    let mut argv = vec![job.program.to_string_lossy().into_owned()];
    argv.extend(tricky_args());
    assert_eq!(v["ProgramArguments"], serde_json::json!(argv));
    assert_eq!(
        v["EnvironmentVariables"]["BACKSTRETCH_HOME"],
        "/tmp/my data/100% \"x\""
    );
    // Monday, Tuesday, Wednesday, Sunday (launchd: Sunday is 0) at 07:30, then at 18:05.
    let mut expected = Vec::new();
    for (hour, minute) in [(7, 30), (18, 5)] {
        for weekday in [1, 2, 3, 0] {
            expected.push(serde_json::json!({"Hour": hour, "Minute": minute, "Weekday": weekday}));
        }
    }
    assert_eq!(v["StartCalendarInterval"], serde_json::json!(expected));
    assert!(v.get("RunAtLoad").is_none());

    let f = launchd::file(&d, &break_mode(PathBuf::from("/b")));
    std::fs::write(tmp.path().join("b.plist"), &f.contents).unwrap();
    let v = python(PLIST, &tmp.path().join("b.plist")).unwrap();
    assert_eq!(v["RunAtLoad"], true);
    assert_eq!(v["KeepAlive"], serde_json::json!({"SuccessfulExit": false}));
    assert!(v.get("StartCalendarInterval").is_none());
}

const TASK: &str = r#"
import json, sys, xml.etree.ElementTree as ET
raw = open(sys.argv[1], 'rb').read()
assert raw.startswith(b'\xff\xfe'), 'no UTF-16 byte-order mark'
root = ET.fromstring(raw)  # expat reads the UTF-16 the declaration and the mark say
ns = {'t': 'http://schemas.microsoft.com/windows/2004/02/mit/task'}
triggers = []
for t in root.find('t:Triggers', ns):
    days = t.find('t:ScheduleByWeek/t:DaysOfWeek', ns)
    triggers.append({
        'kind': t.tag.split('}')[1],
        'start': t.findtext('t:StartBoundary', None, ns),
        'days': None if days is None else [d.tag.split('}')[1] for d in days],
        'daily': t.find('t:ScheduleByDay', ns) is not None,
        'user': t.findtext('t:UserId', None, ns),
    })
print(json.dumps({
    'triggers': triggers,
    'command': root.findtext('t:Actions/t:Exec/t:Command', None, ns),
    'arguments': root.findtext('t:Actions/t:Exec/t:Arguments', None, ns),
    'logon': root.findtext('t:Principals/t:Principal/t:LogonType', None, ns),
    'level': root.findtext('t:Principals/t:Principal/t:RunLevel', None, ns),
}))
"#;

#[test]
fn task_xml_is_well_formed_with_its_triggers_and_action() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path());
    let mut job = reminder(PathBuf::from(
        r"C:\Program Files\backstretch\backstretch.exe",
    ));
    job.env.clear();
    job.args.retain(|a| !a.contains('%'));
    let f = task::file(&d, &job).unwrap();
    assert_eq!(
        f.path,
        tmp.path().join("data/tasks/backstretch-remind-morning.xml")
    );
    let Some(v) = python(TASK, &write(tmp.path(), "a.xml", &f.contents)) else {
        return;
    };
    assert_eq!(
        v["command"],
        r"C:\Program Files\backstretch\backstretch.exe"
    );
    let args = windows_split(v["arguments"].as_str().unwrap());
    assert_eq!(args, job.args);
    assert_eq!(v["logon"], "InteractiveToken");
    assert_eq!(v["level"], "LeastPrivilege");
    let days = ["Monday", "Tuesday", "Wednesday", "Sunday"];
    let start = |t| serde_json::json!({"kind": "CalendarTrigger", "start": t, "days": days, "daily": false, "user": null});
    assert_eq!(
        v["triggers"],
        serde_json::json!([start("2020-01-01T07:30:00"), start("2020-01-01T18:05:00")])
    );

    let f = task::file(&d, &break_mode(PathBuf::from(r"C:\b.exe"))).unwrap();
    let v = python(TASK, &write(tmp.path(), "b.xml", &f.contents)).unwrap();
    assert_eq!(
        v["triggers"],
        serde_json::json!([{"kind": "LogonTrigger", "start": null, "days": null, "daily": false, "user": "DESK\\ana"}])
    );
    assert_eq!(v["arguments"], "break");
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn jobs_that_cannot_be_written_are_refused_in_words() {
    let d = dirs(Path::new("/h"));
    let good = break_mode(PathBuf::from("/usr/bin/backstretch"));
    for name in [
        "",
        "../etc",
        "a/b",
        "Remind",
        "-x",
        "x-",
        "morning.timer",
        &"a".repeat(41),
    ] {
        let job = Job {
            name: name.to_owned(),
            ..good.clone()
        };
        let err = files(Os::Linux, &d, &job).unwrap_err();
        assert!(matches!(err, ScheduleError::BadName(_)), "{name}: {err}");
    }
    let refused = |job: &Job, os: Os, words: &str| {
        let err = files(os, &d, job).unwrap_err().to_string();
        assert!(err.contains(words), "{err}");
    };
    refused(
        &Job {
            program: "backstretch".into(),
            ..good.clone()
        },
        Os::Linux,
        "absolute path",
    );
    refused(
        &Job {
            program: "/usr/bin/b".into(),
            ..good.clone()
        },
        Os::Windows,
        "absolute path",
    );
    refused(
        &Job {
            args: vec!["a\nb".into()],
            ..good.clone()
        },
        Os::MacOs,
        "control character",
    );
    let env = vec![("BAD NAME".to_owned(), "x".to_owned())];
    refused(
        &Job { env, ..good },
        Os::Linux,
        "environment name `BAD NAME`",
    );
    let good = break_mode(PathBuf::from(r"C:\bs.exe"));
    let env = vec![("BACKSTRETCH_HOME".to_owned(), "x".to_owned())];
    refused(
        &Job {
            env,
            ..good.clone()
        },
        Os::Windows,
        "--home",
    );
    refused(
        &Job {
            args: vec!["100%".into()],
            ..good.clone()
        },
        Os::Windows,
        "%NAME%",
    );
    let when = When::At {
        times: Vec::new(),
        days: Vec::new(),
    };
    refused(&Job { when, ..good }, Os::Windows, "at least one time");
    assert!(remove(Os::Linux, &d, Some("../x")).is_err());
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Installs both kinds of job on `os`, with a stranger's files beside them, and checks what
/// is listed, the permissions, and that removing leaves only the stranger's files.
fn install_list_remove(os: Os, folder: &str, stranger: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path());
    let log = RefCell::new(Vec::new());
    let program = PathBuf::from(if os == Os::Windows {
        r"C:\backstretch.exe"
    } else {
        "/opt/bs"
    });
    let mut reminder = reminder(program.clone());
    if os == Os::Windows {
        reminder.env.clear();
        reminder.args.retain(|a| !a.contains('%'));
    }
    let jobs = [break_mode(program), reminder];
    let mut written = Vec::new();
    for job in &jobs {
        let done = install_with(os, &d, job, &failing(&log)).unwrap();
        let Activation::NotDone { reason, command } = &done.activation else {
            panic!("activated without a scheduler");
        };
        assert!(reason.contains("No medium"), "{reason}");
        assert!(done.summary().contains(command.as_str()));
        written.push(done.files);
    }
    let dir = tmp.path().join(folder);
    std::fs::write(dir.join(stranger), "not ours").unwrap();
    let listed = installed(os, &d);
    assert_eq!(listed.len(), 2, "{listed:?}");
    for ((found, job), files) in listed.iter().zip(&jobs).zip(&written) {
        assert_eq!(found.name, job.name);
        let mut files = files.clone();
        files.sort();
        assert_eq!(found.paths, files);
        assert_eq!(found.when.as_ref(), Some(&job.when));
        for f in &files {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
    }
    for created in dir.ancestors().take_while(|a| *a != tmp.path()) {
        assert_eq!(mode(created), 0o700, "{}", created.display());
    }
    log.borrow_mut().clear();
    let removed = remove_with(os, &d, Some("remind-morning"), &failing(&log)).unwrap();
    assert_eq!(removed, listed[1].paths);
    assert!(!log.borrow().is_empty());
    assert_eq!(installed(os, &d).len(), 1);
    let removed = remove_with(os, &d, None, &failing(&log)).unwrap();
    assert_eq!(removed, listed[0].paths);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [stranger]);
}

#[test]
fn linux_install_list_remove() {
    install_list_remove(Os::Linux, "home/.config/systemd/user", "other.service");
}

#[test]
fn macos_install_list_remove() {
    install_list_remove(
        Os::MacOs,
        "home/Library/LaunchAgents",
        "com.example.agent.plist",
    );
}

#[test]
fn windows_install_list_remove() {
    install_list_remove(Os::Windows, "data/tasks", "backstretch-notes.txt");
}

#[test]
fn activation_commands_are_the_systems_own() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path());
    let log = RefCell::new(Vec::new());
    let job = break_mode(PathBuf::from("/opt/backstretch"));
    let done = install_with(Os::Linux, &d, &job, &failing(&log)).unwrap();
    assert_eq!(
        done.activation,
        Activation::NotDone {
            reason: "Failed to connect to bus: No medium found".to_owned(),
            command: "systemctl --user daemon-reload && systemctl --user enable backstretch-break.service && systemctl --user restart backstretch-break.service".to_owned(),
        }
    );
    log.borrow_mut().clear();
    remove_with(Os::Linux, &d, None, &failing(&log)).unwrap();
    assert_eq!(
        log.borrow().concat().join(" "),
        "systemctl --user disable --now backstretch-break.service systemctl --user daemon-reload"
    );

    let win = break_mode(PathBuf::from(r"C:\b.exe"));
    let done = install_with(Os::Windows, &d, &win, &failing(&log)).unwrap();
    let Activation::NotDone { command, .. } = done.activation else {
        panic!()
    };
    let xml = d.data.join("tasks/backstretch-break.xml");
    assert_eq!(
        command,
        format!(
            "schtasks /Create /TN backstretch-break /XML {} /F",
            xml.display()
        )
    );
    let done = install_with(Os::MacOs, &d, &job, &failing(&log)).unwrap();
    let Activation::NotDone { command, .. } = done.activation else {
        panic!()
    };
    assert!(command.starts_with("launchctl bootstrap gui/"), "{command}");
}

/// The real path on a machine without a user service manager (a container, CI) or where the
/// units are not in the user's own folder: the files stay, and the result says what to run.
#[test]
fn real_systemctl_failing_leaves_the_files_and_says_what_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path());
    let mut job = reminder(PathBuf::from("/bin/true"));
    job.name = format!("test-{}", std::process::id());
    let done = install(Os::Linux, &d, &job).unwrap();
    let Activation::NotDone { reason, command } = &done.activation else {
        panic!("a unit outside the user's folder was activated");
    };
    assert!(!reason.is_empty());
    assert!(command.contains(&format!(
        "systemctl --user enable backstretch-{}.timer",
        job.name
    )));
    assert!(done.files.iter().all(|f| f.exists()));
    assert_eq!(remove(Os::Linux, &d, None).unwrap().len(), 2);
    assert!(done.files.iter().all(|f| !f.exists()));
}

#[test]
fn run_command_reports_failures() {
    assert_eq!(run_command(&["true".to_owned()]), Ok(()));
    let err = run_command(&["sh".into(), "-c".into(), "echo nope >&2; exit 3".into()]).unwrap_err();
    assert_eq!(err, "sh: nope");
    let err = run_command(&["/nonexistent/backstretch-x".to_owned()]).unwrap_err();
    assert!(
        err.starts_with("cannot run /nonexistent/backstretch-x"),
        "{err}"
    );
}
