//! Reminders end to end: `remind fire` through a private session bus to a recording
//! notification server (its words, its buttons; Start opens the player, Snooze shows it
//! again, Skip today silences the day), quiet on a day done, why there is none during a
//! block; `remind on|status|off` and `break --install` writing and removing their units;
//! moments of the day on the command line.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::dbus::{Bus, Notifications};
use crate::util::Env;

const LONG: Duration = Duration::from_secs(30);

/// A person with a bed-and-chair profile, checked and ready.
fn person() -> Env {
    let env = Env::new();
    let out = env
        .run("profile set --area lower-back --area neck --place bed --place chair --minutes 10")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env.run("safety --answers none").output().unwrap();
    assert!(out.status.success());
    // Saved, as a first run saves it (the variable is for one run only).
    let out = env.run("disclaimer --accept").output().unwrap();
    assert!(out.status.success());
    env
}

/// A terminal stand-in: records the command line it was asked to run.
fn terminal(dir: &Path) -> (PathBuf, PathBuf) {
    let script = dir.join("terminal.sh");
    let log = dir.join("terminal.log");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (script, log)
}

/// `remind fire ARGS` against the bus, in the background.
fn fire(env: &Env, bus: &Bus, extra: &[(&str, &str)], args: &str) -> Child {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("backstretch"));
    c.env_clear()
        .env("BACKSTRETCH_HOME", env.home())
        .env("BACKSTRETCH_ACCEPT_DISCLAIMER", "1")
        .env("NO_COLOR", "1")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DBUS_SESSION_BUS_ADDRESS", bus.address());
    for (k, v) in extra {
        c.env(k, v);
    }
    c.args(["remind", "fire"])
        .args(args.split_whitespace())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finished(child: Child) -> String {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn wait_for_file(p: &Path) -> String {
    let end = Instant::now() + LONG;
    while Instant::now() < end {
        if let Ok(s) = std::fs::read_to_string(p) {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{} never appeared", p.display());
}

#[test]
fn a_reminder_says_the_routine_and_start_opens_the_player() {
    let env = person();
    let bus = Bus::start();
    let server = Notifications::start(&bus);
    let (script, log) = terminal(env.home());
    let script = script.display().to_string();
    let child = fire(
        &env,
        &bus,
        &[("BACKSTRETCH_TERMINAL", &script)],
        "--wait 30",
    );
    let call = server.wait_for_call(LONG);
    assert_eq!(call.app, "backstretch");
    assert!(
        call.summary.starts_with("Time for your ") && call.summary.ends_with("-minute stretch"),
        "{}",
        call.summary
    );
    assert!(
        call.body.contains(" exercises, ") && call.body.contains("in bed"),
        "{}",
        call.body
    );
    assert_eq!(
        call.actions,
        [
            "start",
            "Start",
            "snooze",
            "Snooze 15 minutes",
            "skip",
            "Skip today"
        ]
    );
    server.invoke(call.id, "start");
    let out = finished(child);
    assert!(out.contains("Started: "), "{out}");
    let ran = wait_for_file(&log);
    assert!(
        ran.contains(&format!("--home {} start", env.home().display())),
        "{ran}"
    );
}

#[test]
fn snooze_shows_it_again_and_skip_today_silences_the_day() {
    let env = person();
    let bus = Bus::start();
    let server = Notifications::start(&bus);
    let child = fire(&env, &bus, &[("BACKSTRETCH_SNOOZE_S", "1")], "--wait 30");
    let first = server.wait_for_call(LONG);
    server.invoke(first.id, "snooze");
    let end = Instant::now() + LONG;
    let again = loop {
        let shown: Vec<_> = server
            .calls()
            .into_iter()
            .filter(|c| c.method == "Notify")
            .collect();
        if shown.len() > 1 {
            break shown[1].clone();
        }
        assert!(Instant::now() < end, "the snoozed reminder never came back");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_ne!(again.id, first.id);
    assert_eq!(again.summary, first.summary);
    server.invoke(again.id, "skip");
    finished(child);
    // Skipped: the next reminder today says nothing, and status says so.
    let before = server.calls().len();
    let out = finished(fire(&env, &bus, &[], "--wait 5"));
    assert_eq!(out, "");
    assert_eq!(
        server.calls().len(),
        before,
        "no notification on a skipped day"
    );
    let status = env
        .run("remind status")
        .env("HOME", env.home())
        .output()
        .unwrap();
    let status = String::from_utf8(status.stdout).unwrap();
    assert!(status.contains("Today is skipped"), "{status}");
}

#[test]
fn a_day_done_is_quiet_and_a_block_says_why_there_is_no_routine() {
    let env = person();
    let bus = Bus::start();
    let server = Notifications::start(&bus);
    let out = env.play("--pain-before 3 --pain-after 2").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(finished(fire(&env, &bus, &[], "--wait 5")), "");
    assert!(server.calls().iter().all(|c| c.method != "Notify"));

    let blocked = person();
    let out = blocked
        .run("safety --answers weight-loss")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a sign is reported with a non-zero exit"
    );
    let child = fire(&blocked, &bus, &[], "--wait 30");
    let call = server.wait_for_call(LONG);
    assert_eq!(call.summary, "No stretching today");
    assert!(call.body.contains("warning sign"), "{}", call.body);
    assert!(
        call.actions.is_empty(),
        "nothing to start: {:?}",
        call.actions
    );
    server.close(call.id, 2);
    finished(child);
}

#[test]
fn without_a_notification_service_it_rings_and_prints_a_line() {
    let env = person();
    let out = env
        .run("remind fire --wait 5")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with('\u{7}'), "{stdout:?}");
    assert!(stdout.contains("Time for your "), "{stdout}");
}

/// `remind on|status|off` and `break --install|--uninstall` with the unit folder in the
/// test's own home (no user manager here: the files are written and the command to take
/// them up is said).
#[test]
fn reminders_install_list_and_remove_their_units() {
    let env = person();
    let config = env.home().join("config");
    let run = |words: &str| {
        let out = env
            .run(words)
            .env("HOME", env.home())
            .env("XDG_CONFIG_HOME", &config)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let units = config.join("systemd/user");
    let (code, out, err) = run("remind on --time 07:30 --days mon-fri");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Reminder on: mon-fri at 07:30 (next: "),
        "{out}"
    );
    let timer = std::fs::read_to_string(units.join("backstretch-remind.timer")).unwrap();
    assert!(
        timer.contains("OnCalendar=Mon..Fri *-*-* 07:30:00")
            || timer.contains("OnCalendar=Mon,Tue,Wed,Thu,Fri *-*-* 07:30:00"),
        "{timer}"
    );
    let service = std::fs::read_to_string(units.join("backstretch-remind.service")).unwrap();
    assert!(service.contains("\"remind\" \"fire\""), "{service}");

    // With moments, one reminder each, replacing the one before.
    assert_eq!(
        run("profile moment add morning --place bed --minutes 10 --at 07:30").0,
        Some(0)
    );
    assert_eq!(
        run("profile moment add desk --place chair --minutes 3 --at 11:00 --at 15:00").0,
        Some(0)
    );
    let (code, out, _) = run("remind on");
    assert_eq!(code, Some(0));
    assert!(
        out.contains("for morning") && out.contains("for desk"),
        "{out}"
    );
    assert!(!units.join("backstretch-remind.timer").exists());
    let desk = std::fs::read_to_string(units.join("backstretch-remind-desk.timer")).unwrap();
    assert!(
        desk.contains("11:00:00") && desk.contains("15:00:00"),
        "{desk}"
    );
    let (_, status, _) = run("remind status");
    assert!(
        status.contains("Reminder remind-desk: every day at 11:00, 15:00 (next: "),
        "{status}"
    );
    assert!(
        status.contains("Reminder remind-morning: every day at 07:30"),
        "{status}"
    );

    let (code, _, err) = run("remind on --moment lunch");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("no moment `lunch`") && err.contains("morning, desk"),
        "{err}"
    );

    let (code, out, err) = run("break --install --every 50m --hours 08:30-16:00");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("runs at each login"), "{out}");
    let svc = std::fs::read_to_string(units.join("backstretch-break.service")).unwrap();
    assert!(
        svc.contains("\"50m\"") && svc.contains("\"08:30-16:00\""),
        "{svc}"
    );
    let (code, _, err) = run("break --every 2m");
    assert_eq!(code, Some(1));
    assert!(err.contains("--every 2m is out of range"), "{err}");

    let (code, out, _) = run("remind off");
    assert_eq!(code, Some(0));
    assert!(out.contains("Reminders off. Removed:"), "{out}");
    assert!(
        units.join("backstretch-break.service").exists(),
        "off leaves break mode alone"
    );
    assert_eq!(run("break --uninstall").0, Some(0));
    let left: Vec<_> = std::fs::read_dir(&units).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(run("remind status").1.contains("No reminder is on."));
}

#[test]
fn moments_plan_their_own_routine_on_the_command_line() {
    let env = person();
    let ok = |words: &str| {
        let out = env.run(words).output().unwrap();
        assert!(
            out.status.success(),
            "{words}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    ok("profile moment add desk --place chair --minutes 3 --at 11:00");
    let plan: serde_json::Value =
        serde_json::from_str(&ok("plan --moment desk --format json")).unwrap();
    assert_eq!(plan["profile"]["moment"], "desk", "{plan}");
    assert_eq!(plan["profile"]["places"], serde_json::json!(["chair"]));
    let shown = ok("profile show");
    assert!(
        shown.contains("Moments   desk: chair, 3 min at 11:00"),
        "{shown}"
    );
    let out = env.run("plan --moment lunch").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let bad = env
        .run("profile moment add Desk --place chair --minutes 3 --at 11:00")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot name a moment"));
    ok("log --moment desk --pain-before 3 --pain-after 2");
    // The session keeps its moment, and export then import keeps it.
    let export = ok("export json");
    assert!(export.contains("\"moment\": \"desk\""), "{export}");
    let other = Env::new();
    let file = other.home().join("log.json");
    std::fs::write(&file, &export).unwrap();
    let out = other.cmd().arg("import").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = other.run("export json").output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("\"moment\": \"desk\""));
    // A desk break counts apart.
    ok("start --break --plain --speed 400");
    let stats: serde_json::Value = serde_json::from_str(&ok("stats --format json")).unwrap();
    assert_eq!(stats["breaks"]["today"], 1, "{stats}");
    assert_eq!(stats["sessions"], 1, "{stats}");
}
