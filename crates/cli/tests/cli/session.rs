//! `start`, `history`, `log`: sessions played in plain mode (the clock sped up), killed and
//! resumed, and recorded by hand.

use std::process::Command;

use serde_json::Value;

use crate::util::{Env, play_then_kill, run_fail, stdout_ok};

#[test]
fn plain_player_prints_cues_logs_every_step_and_summarises() {
    let env = Env::new();
    let out = stdout_ok(&mut env.run("start --plain --sources pages --area neck --place chair --minutes 2 --date 2026-11-21 --pain-before 4 --pain-after 2 --speed 100"));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("[00:00] Get into position: sit tall on a steady chair."),
        "{out}"
    );
    assert!(out.contains("] Hold. 1 of 3."));
    assert!(
        out.contains("] 3\n") && out.contains("] 1\n"),
        "last three seconds counted"
    );
    assert!(out.contains("] Release and rest."));
    assert!(out.contains("] Session done. Well done."));
    assert!(
        out.contains("Session completed: 1 exercise done, 0 skipped, 0 hurt"),
        "{out}"
    );
    assert!(out.contains("Pain 4 -> 2."));
    let h = env.history();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["outcome"], "completed");
    assert_eq!(h[0]["pain_before"], 4);
    assert_eq!(
        h[0]["exercises"]["done"],
        serde_json::json!(["neck-flexion"])
    );
    let table = stdout_ok(env.cmd().arg("history"));
    assert!(
        table.contains("4 -> 2") && table.contains("completed"),
        "{table}"
    );
}

#[test]
fn a_saved_routine_plays_back() {
    let env = Env::new();
    let json = stdout_ok(
        &mut env
            .run("plan --area lower-back --place bed --minutes 3 --date 2026-11-21 --format json"),
    );
    let path = env.write("routine.json", &json);
    let out = stdout_ok(env.play("--routine").arg(&path));
    assert!(out.contains("Session completed"), "{out}");
    let planned: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        env.history()[0]["planned_minutes"],
        (planned["total_s"].as_f64().unwrap() / 6.0).round() / 10.0
    );
    // A broken file is refused with the reason.
    let bad = env.write(
        "bad.json",
        &json.replacen("\"supine\"", "\"upside-down\"", 1),
    );
    let (_, _, err) = run_fail(env.run("start --plain --routine").arg(&bad));
    assert!(err.contains("unknown position `upside-down`"), "{err}");
}

#[test]
fn a_killed_session_keeps_its_steps_shows_interrupted_and_resumes() {
    let env = Env::new();
    // Play until the second hold of the first exercise has begun, then kill -9.
    play_then_kill(
        &env,
        &[
            "--area",
            "neck",
            "--place",
            "chair",
            "--minutes",
            "5",
            "--date",
            "2026-11-21",
            "--pain-before",
            "5",
            "--speed",
            "20",
        ],
        "Hold. 2 of",
    );

    let h = env.history();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["outcome"], "interrupted", "{}", h[0]);
    assert!(h[0]["ended_at"].is_null());
    let table = stdout_ok(env.cmd().arg("history"));
    assert!(
        table.contains("interrupted") && table.contains("--resume"),
        "{table}"
    );
    let db = env.home().join("backstretch.sqlite");
    let steps_before: i64 = rusqlite_count(&db);
    assert!(
        steps_before >= 3,
        "finished steps were kept: {steps_before}"
    );

    let out = stdout_ok(&mut env.run("start --resume --plain --speed 100 --pain-after 3"));
    assert!(out.starts_with("Resuming the session started at"), "{out}");
    // Regression: it began with a hold about 3 s after launch, and showed a raw timestamp.
    // It begins by getting ready for the exercise in progress, and says when in words.
    let first = out.lines().nth(1).unwrap_or_default();
    assert!(
        first.contains("Get into position") || first.contains("Get ready"),
        "resumes with a get-ready step: {out}"
    );
    assert!(
        out.lines().next().unwrap().contains(" on ") && !out.lines().next().unwrap().contains('+'),
        "a date a person reads: {out}"
    );
    assert!(out.contains("Session completed"), "{out}");
    let h = env.history();
    assert_eq!(h.len(), 1, "the same session, finished");
    assert_eq!(h[0]["outcome"], "completed");
    assert_eq!(h[0]["pain_before"], 5);
    assert_eq!(h[0]["pain_after"], 3);
    assert!(rusqlite_count(&db) > steps_before);
    let (_, _, err) = run_fail(env.cmd().args(["start", "--resume", "--plain"]));
    assert!(err.contains("no unfinished session to resume"), "{err}");
}

fn rusqlite_count(db: &std::path::Path) -> i64 {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg("SELECT count(*) FROM session_steps;")
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn log_records_a_session_done_on_paper() {
    let env = Env::new();
    let out = stdout_ok(env.cmd().args([
        "log",
        "--pain-before",
        "6",
        "--pain-after",
        "4",
        "--exercise",
        "bridge",
        "--exercise",
        "Child's pose",
        "--hurt",
        "bridge",
        "--date",
        "2026-11-20T18:30",
    ]));
    assert!(
        out.contains("Logged a session on Fri 20 Nov 2026 18:30: 2 exercises, pain 6 -> 4."),
        "{out}"
    );
    let h = env.history();
    assert_eq!(h[0]["source"], "manual");
    assert_eq!(h[0]["exercises"]["hurt"], serde_json::json!(["bridge"]));
    assert_eq!(
        h[0]["exercises"]["done"],
        serde_json::json!(["childs-pose"])
    );
    let (_, _, err) =
        run_fail(&mut env.run("log --pain-before 11 --pain-after 2 --exercise bridge"));
    assert!(
        err.contains("not a pain score; use a whole number from 0 (none) to 10"),
        "{err}"
    );
    let (_, _, err) = run_fail(&mut env.run("log --pain-before 3 --pain-after 2"));
    assert!(err.contains("no areas and places to plan for"), "{err}");
    let (_, _, err) = run_fail(
        &mut env.run("log --pain-before 3 --pain-after 2 --exercise bridge --date 2999-01-01"),
    );
    assert!(err.contains("is in the future"), "{err}");
    assert_eq!(env.history().len(), 1, "nothing half-written");
}

#[test]
fn empty_history_says_how_to_begin() {
    let env = Env::new();
    let out = stdout_ok(env.cmd().arg("history"));
    assert!(out.starts_with("No sessions yet."), "{out}");
    assert_eq!(
        stdout_ok(env.cmd().args(["history", "--format", "json"])).trim(),
        "[]"
    );
}

#[test]
fn history_shows_the_latest_sessions_and_says_how_to_see_every_one() {
    let env = Env::new();
    for (day, pain) in [("2026-11-20", 5), ("2026-11-21", 4), ("2026-11-22", 3)] {
        stdout_ok(&mut env.run(&format!(
            "log --exercise bridge --pain-before {pain} --pain-after 2 --date {day}"
        )));
    }
    let out = stdout_ok(&mut env.run("history --limit 2"));
    assert!(
        out.contains("Sun 22 Nov 2026") && out.contains("Sat 21 Nov 2026"),
        "{out}"
    );
    assert!(!out.contains("Fri 20 Nov"), "{out}");
    assert!(
        out.contains("The latest 2 sessions; `backstretch history --all` shows every one."),
        "{out}"
    );
    let all = stdout_ok(&mut env.run("history --all"));
    assert!(
        all.contains("Fri 20 Nov 2026") && !all.contains("--all"),
        "{all}"
    );
    let json = stdout_ok(&mut env.run("history --limit 1 --format json"));
    let rows: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1));
    assert_eq!(rows[0]["pain_before"], 3);
    assert_eq!(env.history().len(), 3);
    let (code, _, err) = run_fail(&mut env.run("history --limit 0"));
    assert_eq!(code, 2);
    assert!(err.contains("--limit") && err.contains("0"), "{err}");
}

/// Regression: `--plain` printed only cues, with "3, 2, 1" on every 5-second hold. It prints
/// each exercise's instructions once when it begins, and counts down only holds of 10 s or
/// more unless `--count-from` says otherwise.
#[test]
fn plain_output_explains_each_exercise_once_and_counts_only_long_holds() {
    let env = Env::new();
    let run = |extra: &[&str]| {
        let mut c = env.cmd();
        c.args([
            "start",
            "--plain",
            "--area",
            "lower-back",
            "--place",
            "bed",
            "--minutes",
            "3",
            "--pain-before",
            "3",
            "--pain-after",
            "2",
            "--speed",
            "500",
        ])
        .args(extra);
        stdout_ok(&mut c)
    };
    let out = run(&[]);
    let plan: Value = serde_json::from_str(&stdout_ok(
        &mut env.run("plan --format json --area lower-back --place bed --minutes 3"),
    ))
    .unwrap();
    for item in plan["items"].as_array().unwrap() {
        let name = item["name"].as_str().unwrap();
        let intro = format!("        {name}. Position: ");
        assert_eq!(
            out.matches(&intro).count(),
            1,
            "{name} explained once:\n{out}"
        );
    }
    assert!(out.contains("        1. "), "numbered steps:\n{out}");
    assert!(out.contains("        Careful: "), "cautions:\n{out}");
    let counts = |text: &str| text.lines().filter(|l| l.ends_with("] 1")).count();
    let holds_5s = plan["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "hold" && s["seconds"].as_u64().unwrap() < 10)
        .count();
    assert!(holds_5s > 0, "the routine has short holds");
    let every = run(&["--count-from", "5"]);
    assert!(
        counts(&every) >= counts(&out) + holds_5s,
        "{} vs {}",
        counts(&every),
        counts(&out)
    );
}
