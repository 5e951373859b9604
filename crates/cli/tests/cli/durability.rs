//! The log survives: SIGKILLs at several moments of a session lose no finished step and
//! leave an intact file that `--resume` finishes; logs, imports and a playing session run
//! side by side on one data directory with no failure and no duplicate.

use std::collections::HashSet;
use std::process::Command;

use serde_json::Value;

use crate::util::{Env, play_then_kill, stdout_ok};

fn sql(db: &std::path::Path, query: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(query)
        .output()
        .expect("sqlite3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn sigkill_at_any_moment_keeps_every_finished_step_and_resume_finishes() {
    for until in [
        "Get into position",
        "Hold. 1 of",
        "Release and rest",
        "Hold. 3 of",
        "Get ready",
    ] {
        let env = Env::new();
        let args = [
            "--area",
            "lower-back",
            "--place",
            "bed",
            "--minutes",
            "4",
            "--pain-before",
            "4",
            "--speed",
            "40",
        ];
        play_then_kill(&env, &args, until);
        let db = env.home().join("backstretch.sqlite");
        assert_eq!(sql(&db, "PRAGMA integrity_check;"), "ok", "{until}");
        let logged: i64 = sql(&db, "SELECT count(*) FROM session_steps;")
            .parse()
            .unwrap();
        let h = env.history();
        assert_eq!(h.len(), 1, "{until}");
        assert_eq!(h[0]["outcome"], "interrupted", "{until}");
        // Every finished step is in the log: the kill came after the line for the step it
        // ended was printed, so at least the steps before it are there.
        if until != "Get into position" {
            assert!(logged >= 1, "{until}: {logged} steps");
        }
        let out = stdout_ok(&mut env.run("start --resume --plain --speed 400 --pain-after 3"));
        assert!(out.contains("Session completed"), "{until}: {out}");
        let h = env.history();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0]["outcome"], "completed");
        let after: i64 = sql(&db, "SELECT count(*) FROM session_steps;")
            .parse()
            .unwrap();
        assert!(after > logged, "{until}");
        assert_eq!(sql(&db, "PRAGMA integrity_check;"), "ok");
    }
}

#[test]
fn logs_imports_and_a_playing_session_run_side_by_side() {
    let env = Env::new();
    // An export of 300 sessions from another data directory.
    let src = Env::new();
    for i in 0..3 {
        stdout_ok(src.cmd().args([
            "log",
            "--pain-before",
            "4",
            "--pain-after",
            "3",
            "--exercise",
            "bridge",
            "--date",
            &format!("2026-11-0{}T09:00", i + 1),
        ]));
    }
    let one: Value = serde_json::from_str(&stdout_ok(src.cmd().args(["export", "json"]))).unwrap();
    let mut big = one.clone();
    let proto = one["sessions"][0].clone();
    big["sessions"] = (0..300)
        .map(|i| {
            let mut s = proto.clone();
            s["uid"] = Value::from(format!("bulk-{i}"));
            s
        })
        .collect::<Vec<_>>()
        .into();
    let file = env.write("big.json", &big.to_string());

    let bin = assert_cmd::cargo::cargo_bin("backstretch");
    let spawn = |args: &[&str]| {
        Command::new(&bin)
            .env("BACKSTRETCH_HOME", env.home())
            .env("BACKSTRETCH_ACCEPT_DISCLAIMER", "1")
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .expect("runs")
    };
    let file_s = file.to_str().unwrap().to_string();
    let outputs: Vec<std::process::Output> = std::thread::scope(|scope| {
        let mut handles = Vec::new();
        handles.push(scope.spawn(|| {
            spawn(&[
                "start",
                "--plain",
                "--area",
                "neck",
                "--place",
                "chair",
                "--minutes",
                "2",
                "--pain-before",
                "3",
                "--pain-after",
                "2",
                "--speed",
                "30",
            ])
        }));
        for _ in 0..3 {
            let f = file_s.clone();
            handles.push(scope.spawn(move || spawn(&["import", &f])));
        }
        for i in 0..6 {
            handles.push(scope.spawn(move || {
                spawn(&[
                    "log",
                    "--pain-before",
                    "3",
                    "--pain-after",
                    "2",
                    "--exercise",
                    "bridge",
                    "--date",
                    &format!("2026-10-1{i}T08:00"),
                ])
            }));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in &outputs {
        assert!(
            o.status.success(),
            "every command succeeds: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let h = env.history();
    let uids: HashSet<&str> = h.iter().map(|s| s["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), h.len(), "no duplicates");
    assert_eq!(h.len(), 300 + 6 + 1, "every session once");
    let played = h.iter().find(|s| s["source"] == "player").unwrap();
    assert_eq!(played["outcome"], "completed");
}
