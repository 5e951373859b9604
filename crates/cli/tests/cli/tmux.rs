//! The real binary in a real terminal (tmux): a one-minute routine, paused, resumed,
//! "it hurts", quit; then `history` shows what happened.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Env, stdout_ok};

struct Tmux {
    name: String,
}

impl Tmux {
    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.name])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(ok.success());
    }

    /// Waits (up to 10 s) until the screen satisfies `pred`; returns it.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.capture();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

const ROUTINE: &str = r#"{
  "profile": {"areas": ["neck"], "places": ["chair"], "minutes": 1, "style": "source",
              "exclude": [], "date": "2026-11-21"},
  "style": "source", "total_s": 58, "timeline": [], "warnings": [],
  "items": [
    {"exercise_id": "neck-flexion", "name": "Neck flexion stretch", "position": "seated-chair",
     "places": ["chair"], "sides": "both", "dose": {"hold_s": 10, "reps": 1, "rest_s": 0},
     "seconds": 25, "reason": "test"},
    {"exercise_id": "neck-side-bend", "name": "Neck side bend", "position": "seated-chair",
     "places": ["chair"], "sides": "each", "dose": {"hold_s": 10, "reps": 1, "rest_s": 0},
     "seconds": 33, "reason": "test"}
  ]
}"#;

#[test]
fn full_screen_player_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (scripts/test installs it)"
        );
        eprintln!("skipping: tmux is not installed (scripts/test installs it)");
        return;
    }
    let env = Env::new();
    let routine = env.write("routine.json", ROUTINE);
    let bin = assert_cmd::cargo::cargo_bin("backstretch");
    let name = format!("bs-test-{}", std::process::id());
    let cmd = format!(
        "env BACKSTRETCH_HOME='{}' BACKSTRETCH_ACCEPT_DISCLAIMER=1 '{}' start --routine '{}' --pain-before 3 --pain-after 2; echo EXIT=$?; sleep 30",
        env.home().display(),
        bin.display(),
        routine.display()
    );
    let ok = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "80",
            "-y",
            "24",
            &cmd,
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let t = Tmux { name };

    let s = t.wait_for("the player", |s| s.contains("backstretch · 1 of 2"));
    assert!(s.contains("Neck flexion stretch"), "{s}");
    assert!(
        s.contains("space pause · n next · b back · h worse · s it spreads or tingles · q quit"),
        "{s}"
    );

    t.keys(&["Space"]);
    t.wait_for("the pause", |s| s.contains("Paused"));
    t.keys(&["Space"]);
    t.wait_for("the resume", |s| !s.contains("Paused"));

    t.keys(&["h"]);
    let s = t.wait_for("it hurts", |s| s.contains("Sharper or worse: stopped"));
    assert!(
        s.contains("Neck side bend"),
        "moved on to the next exercise: {s}"
    );

    t.keys(&["q"]);
    t.wait_for("the quit question", |s| s.contains("Quit this session?"));
    t.keys(&["y"]);
    let s = t.wait_for("the summary", |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
    assert!(
        s.contains("Session stopped: 0 exercises done, 0 skipped, 1 hurt"),
        "{s}"
    );
    assert!(s.contains("Pain 3 -> 2."), "{s}");

    let h = env.history();
    assert_eq!(h[0]["outcome"], "stopped");
    assert_eq!(
        h[0]["exercises"]["hurt"],
        serde_json::json!(["neck-flexion"])
    );
    assert_eq!(h[0]["pain_before"], 3);
    assert_eq!(h[0]["pain_after"], 2);
}

#[test]
fn first_run_walks_a_new_user_through_setup() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (scripts/test installs it)"
        );
        return;
    }
    let env = Env::fresh();
    let bin = assert_cmd::cargo::cargo_bin("backstretch");
    let name = format!("bs-first-{}", std::process::id());
    let cmd = format!(
        "env BACKSTRETCH_HOME='{}' '{}'; echo EXIT=$?; sleep 30",
        env.home().display(),
        bin.display()
    );
    let ok = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "100",
            "-y",
            "200",
            &cmd,
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let t = Tmux { name };
    let answer = |prompt: &str, keys: &str| {
        t.wait_for(prompt, |s| {
            s.trim_end().ends_with(prompt)
                || s.lines()
                    .rfind(|l| !l.trim().is_empty())
                    .is_some_and(|l| l.contains(prompt))
        });
        t.keys(&[keys, "Enter"]);
    };
    let s = t.wait_for("the disclaimer", |s| {
        s.contains("Do you understand and accept this?")
    });
    assert!(
        s.contains("Welcome to backstretch") && s.contains("not medical advice"),
        "{s}"
    );
    t.keys(&["y", "Enter"]);
    answer("the main one first:", "lower back");
    answer("counts as a chair):", "flor");
    let s = t.wait_for("the hint", |s| s.contains("did you mean `floor`?"));
    assert!(s.contains("unknown place `flor`"), "{s}");
    answer("counts as a chair):", "bed and chair");
    answer("[10]", "8");
    answer("[daily]", "");
    let s = t.wait_for("the red-flag questions", |s| s.contains("warning signs"));
    assert!(
        !s.contains("dizziness"),
        "no neck questions for a back profile"
    );
    // Answer no to every warning-sign question, one at a time, until the routine is offered.
    for _ in 0..40 {
        if t.capture().contains("Start today's routine now?") {
            break;
        }
        let before = t.capture();
        t.keys(&["n", "Enter"]);
        let start = Instant::now();
        while t.capture() == before && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(40));
        }
    }
    let s = t.wait_for("today's routine", |s| {
        s.contains("Start today's routine now?")
    });
    assert!(s.contains("No warning signs reported"), "{s}");
    assert!(
        s.contains("This week: 0 of 7 days with a session") && s.contains("starts your streak"),
        "{s}"
    );
    assert!(
        s.contains("Routine for lower-back in bed, chair, 8 minutes"),
        "{s}"
    );
    t.keys(&["n", "Enter"]);
    let s = t.wait_for("the end", |s| s.contains("EXIT="));
    assert!(
        s.contains("EXIT=0") && s.contains("`backstretch start` plays it"),
        "{s}"
    );

    // Later runs show today's routine and progress.
    let out = stdout_ok(env.cmd().arg("--accept-disclaimer"));
    assert!(
        out.starts_with("This week: 0 of 7 days with a session (goal daily). A session today starts your streak."),
        "{out}"
    );
    let p: Value = serde_json::from_str(&stdout_ok(
        env.cmd().args(["profile", "show", "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(p["areas"], serde_json::json!(["lower-back"]));
    assert_eq!(p["places"], serde_json::json!(["bed", "chair"]));
    assert_eq!(p["minutes"], 8);
}
