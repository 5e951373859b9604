//! Bad files, hostile text, private data, bounded reads and checked imports: each a failure
//! an adversarial trial found, with the behaviour that replaced it.

use std::path::Path;

use serde_json::{Value, json};

use crate::util::{Env, run_fail, stdout_ok, valid_exercise};

/// Regression: a user file that was not UTF-8 or was huge aborted `plan`, `start` and `log`.
#[test]
fn one_bad_user_file_never_blocks_the_rest() {
    let env = Env::new();
    env.write("exercises/good-one.toml", &valid_exercise("good-one"));
    let dir = env.home().join("exercises");
    std::fs::write(
        dir.join("latin1.toml"),
        [b'i', b'd', b' ', b'=', 0xe9, b'\n'],
    )
    .unwrap();
    std::fs::write(dir.join("huge.toml"), "# x\n".repeat(40_000)).unwrap();
    let out = env
        .run("plan --area lower-back --place bed --format json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("left out 2 invalid exercise files"), "{err}");
    let list = stdout_ok(env.cmd().args(["catalog", "list", "--format", "json"]));
    assert!(list.contains("\"good-one\""), "the good file still loads");
    let (code, _, err) = run_fail(env.cmd().args(["catalog", "check"]).arg(&dir));
    assert_eq!(code, 1);
    assert!(
        err.contains("latin1.toml") && err.contains("is not UTF-8 text"),
        "{err}"
    );
    assert!(
        err.contains("huge.toml") && err.contains("larger than 64 KiB"),
        "{err}"
    );
}

/// Regression: `safety --answers ""` (and "," and " , ") recorded a clear check and lifted
/// an emergency block. Only `none` means no sign.
#[test]
fn no_empty_answer_clears_a_warning_sign() {
    let env = Env::new();
    run_fail(env.cmd().args(["safety", "--answers", "bladder-bowel"]));
    for empty in ["", ",", " , "] {
        let (code, _, err) = run_fail(env.cmd().args(["safety", "--answers", empty]));
        assert_ne!(code, 0);
        assert!(
            err.contains("only `none` means no warning sign"),
            "{empty:?}: {err}"
        );
    }
    let (_, _, err) = run_fail(&mut env.run("plan --area neck --place chair"));
    assert!(
        err.contains("a warning sign was reported"),
        "still blocked: {err}"
    );
}

/// Regression: catalogue text could carry escape sequences to the terminal.
#[test]
fn hostile_text_is_refused_in_files_and_imports() {
    let env = Env::new();
    let evil = valid_exercise("evil").replace("Test move evil", "Test \\u001b]0;pwned\\u0007move");
    env.write("exercises/evil.toml", &evil);
    let out = env.cmd().args(["catalog", "list"]).output().unwrap();
    let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
    assert!(!all.contains(&0x1b), "no escape reaches the terminal");
    let (_, _, err) = run_fail(
        env.cmd()
            .args(["catalog", "check"])
            .arg(env.home().join("exercises")),
    );
    assert!(err.contains("control character"), "{err}");

    let file = env.write(
        "evil.json",
        &export_with(|s| s["routine"]["items"] = json!([{"name": "a\u{1b}[2Jb"}])),
    );
    let (_, _, err) = run_fail(env.cmd().arg("import").arg(&file));
    assert!(
        err.contains("sessions[0].routine") && err.contains("control character"),
        "{err}"
    );
}

/// An export of one finished session, changed by `edit`.
fn export_with(edit: impl Fn(&mut Value)) -> String {
    let mut s = json!({
        "uid": "abc-1", "started_at": "2026-11-20T09:00:00+00:00",
        "ended_at": "2026-11-20T09:10:00+00:00", "heartbeat_at": "2026-11-20T09:10:00+00:00",
        "source": "manual", "routine": {"items": []}, "planned_s": 600,
        "pain_before": 4, "pain_after": 3, "outcome": "completed",
        "steps": [{"step": 1, "kind": "hold", "exercise_id": "bridge", "side": null, "rep": 1,
                   "planned_s": 5, "done_ms": 5000, "outcome": "done",
                   "at": "2026-11-20T09:01:00+00:00"}]
    });
    edit(&mut s);
    json!({"format": "backstretch-log", "version": 1, "sessions": [s]}).to_string()
}

/// Import checks every value and names the file and the JSON path; nothing is imported on
/// any error.
#[test]
fn import_checks_every_value_and_names_its_path() {
    let env = Env::new();
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "future heartbeat",
            Box::new(|s| {
                s["heartbeat_at"] = json!("2099-01-01T00:00:00+00:00");
                s["ended_at"] = Value::Null;
                s["outcome"] = Value::Null;
            }),
            "sessions[0].heartbeat_at: 2099-01-01T00:00:00+00:00 is in the future",
        ),
        (
            "end before start",
            Box::new(|s| s["ended_at"] = json!("2026-11-20T08:00:00+00:00")),
            "sessions[0].ended_at",
        ),
        (
            "before 2000",
            Box::new(|s| {
                s["started_at"] = json!("1999-12-31T09:00:00+00:00");
            }),
            "is before 2000",
        ),
        (
            "bad uid",
            Box::new(|s| s["uid"] = json!("a b/c")),
            "sessions[0].uid",
        ),
        (
            "long step",
            Box::new(|s| s["steps"][0]["done_ms"] = json!(999_999_999_u64)),
            "sessions[0].steps[0].done_ms",
        ),
        (
            "unknown kind",
            Box::new(|s| s["steps"][0]["kind"] = json!("jump")),
            "unknown variant `jump`",
        ),
        (
            "twice",
            Box::new(|s| {
                let st = s["steps"][0].clone();
                s["steps"].as_array_mut().unwrap().push(st);
            }),
            "is logged twice",
        ),
    ];
    for (what, edit, want) in cases {
        let file = env.write("bad.json", &export_with(edit));
        let (code, _, err) = run_fail(env.cmd().arg("import").arg(&file));
        assert_eq!(code, 1, "{what}");
        assert!(err.contains(want), "{what}: {err}");
        assert!(err.contains("bad.json"), "{what} names the file: {err}");
    }
    // Duplicated uids within one file are an error, not "already here".
    let one: Value = serde_json::from_str(&export_with(|_| {})).unwrap();
    let mut two = one.clone();
    two["sessions"]
        .as_array_mut()
        .unwrap()
        .push(one["sessions"][0].clone());
    let file = env.write("dup.json", &two.to_string());
    let (_, _, err) = run_fail(env.cmd().arg("import").arg(&file));
    assert!(err.contains("appears twice in the file"), "{err}");
    assert!(env.history().is_empty(), "nothing was imported");
}

/// Regression: `log --routine /dev/zero` grew to 23 GB before the kernel killed it.
#[test]
fn oversized_inputs_are_refused_at_once() {
    let env = Env::new();
    if Path::new("/dev/zero").exists() {
        let (_, _, err) =
            run_fail(&mut env.run("log --pain-before 3 --pain-after 2 --routine /dev/zero"));
        assert!(err.contains("is too large to be a routine"), "{err}");
        // Read a session at a time: a device is refused at its first bytes.
        let (_, _, err) = run_fail(env.cmd().args(["import", "/dev/zero"]));
        assert!(err.contains("is not a backstretch export"), "{err}");
    }
}

/// Health data is private: the data directory is 0700, the log and every `--out` file
/// 0600 whatever the umask, an existing readable directory is tightened with a note, and
/// `--out` replaces a symlink instead of writing through it.
#[cfg(unix)]
#[test]
fn health_data_is_readable_by_its_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let env = Env::new();
    assert_eq!(mode(env.home()), 0o700);
    for name in [
        "backstretch.sqlite",
        "backstretch.sqlite-wal",
        "backstretch.sqlite-shm",
    ] {
        let p = env.home().join(name);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{name}");
        }
    }
    let out = env.home().join("log.csv");
    stdout_ok(env.cmd().args(["export", "csv", "--out"]).arg(&out));
    assert_eq!(mode(&out), 0o600);
    let target = env.home().join("target.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = env.home().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    stdout_ok(env.cmd().args(["export", "json", "--out"]).arg(&link));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert!(
        !std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    std::fs::set_permissions(env.home(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = env.cmd().arg("history").output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("it is now yours alone"), "{err}");
    assert_eq!(mode(env.home()), 0o700);
}

/// No silent changes: an exercise named twice (or by alias and id) counts once, and dates
/// before 2000 are refused.
#[test]
fn repeated_names_count_once_and_old_dates_are_refused() {
    let env = Env::new();
    stdout_ok(env.cmd().args([
        "log",
        "--pain-before",
        "3",
        "--pain-after",
        "2",
        "--exercise",
        "bridge",
        "--exercise",
        "Bridge",
        "--exercise",
        "childs-pose",
        "--exercise",
        "child's pose",
    ]));
    let h = env.history();
    assert_eq!(h[0]["exercises"]["done"].as_array().unwrap().len(), 2);
    let (code, _, err) = run_fail(
        &mut env.run("log --pain-before 3 --pain-after 2 --exercise bridge --date 1999-06-01"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("before 2000"), "{err}");
    let (_, _, err) = run_fail(env.cmd().args(["stats", "--since", "0226-01-01"]));
    assert!(err.contains("before 2000"), "{err}");
}

/// Regression: a read-only data directory read "readonly database". It names the folder.
/// (/proc stands in for a read-only folder: even root cannot create files there.)
#[test]
fn a_read_only_data_directory_is_named() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let out = assert_cmd::Command::cargo_bin("backstretch")
        .unwrap()
        .env_clear()
        .env("BACKSTRETCH_HOME", "/proc")
        .env("NO_COLOR", "1")
        .args(["safety", "--answers", "none"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write to /proc") && err.contains("read-only"),
        "{err}"
    );
}

/// An invalid `COLUMNS` falls back to the default without error; a narrow one is honoured
/// down to the documented minimum of 40.
#[test]
fn columns_fall_back_and_stop_at_forty() {
    let env = Env::new();
    let widest = |cols: &str| {
        let out = stdout_ok(env.cmd().env("COLUMNS", cols).args(["catalog", "list"]));
        out.lines().map(|l| l.chars().count()).max().unwrap()
    };
    assert!(
        widest("abc") <= 80 && widest("abc") > 60,
        "{}",
        widest("abc")
    );
    assert!(widest("50") <= 50);
    assert!(widest("20") <= 40 && widest("20") > 20, "{}", widest("20"));
}

/// Runs the binary with `home` as the data directory, as a user who cannot write it: this
/// user when not root, else `nobody` (root writes anywhere).
fn as_reader(home: &Path, args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("backstretch");
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut c = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin);
        c
    } else {
        std::process::Command::new(bin)
    };
    c.env_clear()
        .env("BACKSTRETCH_HOME", home)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .args(args)
        .output()
        .expect("runs")
}

/// Regression: a read-only backup copy of the log could not even be read (the log was
/// opened to write). It is read, listed and exported; a command that saves says why not.
#[test]
#[cfg(unix)]
fn a_read_only_copy_of_the_log_can_be_read_and_exported() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.run("log --exercise childs-pose --pain-before 3 --pain-after 2")
        .assert()
        .success();
    let outer = tempfile::tempdir().unwrap();
    let copy = outer.path().join("backup");
    std::fs::create_dir(&copy).unwrap();
    let db = copy.join("backstretch.sqlite");
    std::fs::copy(env.home().join("backstretch.sqlite"), &db).unwrap();
    let mode = |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    mode(outer.path(), 0o755).unwrap();
    mode(&db, 0o444).unwrap();
    mode(&copy, 0o555).unwrap();
    for args in [
        &["history"][..],
        &["stats"],
        &["export", "csv"],
        &["export", "json"],
    ] {
        let out = as_reader(&copy, args);
        let text = String::from_utf8_lossy(&out.stdout);
        let err = String::from_utf8_lossy(&out.stderr);
        if args == ["export", "json"] || args == ["history"] {
            assert!(out.status.success(), "{args:?}: {err}");
            assert!(
                text.contains("childs-pose") || text.contains("3 -> 2"),
                "{args:?}: {text}"
            );
        } else if args == ["stats"] {
            assert!(out.status.success(), "{args:?}: {err}");
        }
        assert!(
            err.contains("read-only"),
            "{args:?} says the log is only read: {err}"
        );
    }
    let out = as_reader(
        &copy,
        &[
            "log",
            "--exercise",
            "childs-pose",
            "--pain-before",
            "3",
            "--pain-after",
            "2",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("read-only"), "{err}");
    mode(&copy, 0o755).unwrap();
}

/// Exports, then imports into a new data directory, and says what import answered.
fn export_then_import(env: &Env) -> (bool, String) {
    let file = env.home().join("backup.json");
    stdout_ok(env.cmd().args(["export", "json", "--out"]).arg(&file));
    let other = Env::new();
    let out = other
        .cmd()
        .arg("import")
        .arg(&file)
        .output()
        .expect("import runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Regression: two ordinary things made a person's own export refuse to import: `log` with
/// no `--date` stored a heartbeat about ten minutes in the future, and a routine file naming
/// an exercise by an alias ("Glute Bridge") was stored under the alias.
#[test]
fn what_log_writes_always_imports() {
    let env = Env::new();
    stdout_ok(&mut env.run("profile set --area lower-back --place floor --minutes 20"));
    stdout_ok(&mut env.run("log --pain-before 3 --pain-after 2"));
    let (ok, said) = export_then_import(&env);
    assert!(ok, "log with no --date: {said}");

    let env = Env::new();
    let routine = env.write(
        "alias.json",
        r#"{"profile": {"areas": ["lower-back"], "places": ["floor"], "minutes": 5, "style": "source",
            "exclude": [], "date": "2026-11-21"},
            "style": "source", "total_s": 40, "timeline": [], "warnings": [],
            "items": [{"exercise_id": "Glute Bridge", "name": "Bridge", "position": "supine",
              "places": ["floor"], "sides": "both", "dose": {"hold_s": 5, "reps": 2, "rest_s": 5},
              "seconds": 40, "reason": "test"}]}"#,
    );
    stdout_ok(
        env.run("log --pain-before 2 --pain-after 2 --routine")
            .arg(&routine),
    );
    let h = env.history();
    assert_eq!(
        h[0]["exercises"]["done"],
        serde_json::json!(["bridge"]),
        "{h:?}"
    );
    let (ok, said) = export_then_import(&env);
    assert!(ok, "a routine named by an alias: {said}");
}

/// An export of these sessions (each as [`export_with`] makes one, changed by its edit).
fn export_of(edits: &[&dyn Fn(&mut Value)]) -> String {
    let sessions: Vec<Value> = edits
        .iter()
        .map(|edit| {
            let file: Value = serde_json::from_str(&export_with(edit)).unwrap();
            file["sessions"][0].clone()
        })
        .collect();
    json!({"format": "backstretch-log", "version": 1, "sessions": sessions}).to_string()
}

/// A damaged backup is repaired in one pass: import lists every problem of the file at once
/// (a long bad value quoted to 80 characters), and `--skip-invalid` imports the rest and says
/// what it left out. A leading byte-order mark is passed over.
#[test]
fn import_lists_every_problem_and_can_skip_the_bad_sessions() {
    let env = Env::new();
    let long_id = "x".repeat(500);
    let text = export_of(&[
        &|s| s["uid"] = json!("good-1"),
        &|s| {
            s["uid"] = json!("bad-1");
            s["pain_before"] = json!(11);
            s["steps"][0]["exercise_id"] = json!(long_id.clone());
        },
        &|s| {
            s["uid"] = json!("bad-2");
            s["routine"]["name"] = json!("a \u{202E}name");
        },
        &|s| s["uid"] = json!("good-2"),
    ]);
    let file = env.write("damaged.json", &format!("\u{FEFF}{text}"));
    let (code, _, err) = run_fail(env.cmd().arg("import").arg(&file));
    assert_eq!(code, 1);
    assert!(err.contains("3 problems, nothing imported"), "{err}");
    for path in [
        "sessions[1].pain_before",
        "sessions[1].steps[0].exercise_id",
        "sessions[2].routine.name",
    ] {
        assert!(err.contains(path), "{path}: {err}");
    }
    assert!(err.contains("(500 characters)"), "{err}");
    assert!(
        !err.contains(&"x".repeat(81)),
        "quoted to 80 characters: {err}"
    );
    assert!(env.history().is_empty());

    let out = env
        .cmd()
        .args(["import", "--skip-invalid"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let noted = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Imported 2 sessions"), "{said}");
    assert!(noted.contains("Left out for 3 problems"), "{noted}");
    let uids: Vec<String> = env
        .history()
        .iter()
        .map(|h| h["uid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(uids.len(), 2);
    assert!(uids.iter().all(|u| u.starts_with("good")), "{uids:?}");
}

/// Regression: `export ics` wrote LF line endings where RFC 5545 asks for CR LF (the
/// terminal's clean-up dropped the CR), to standard output and to a file.
#[test]
fn the_reminder_calendar_has_crlf_line_endings() {
    let env = Env::new();
    stdout_ok(&mut env.run("profile set --area neck --place chair"));
    let out = env.cmd().args(["export", "ics"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text:?}");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends CR LF"
    );
    let file = env.home().join("r.ics");
    stdout_ok(env.cmd().args(["export", "ics", "--out"]).arg(&file));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("END:VEVENT\r\n")
    );
}
