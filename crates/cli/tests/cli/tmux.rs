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
    let env = Env::new();
    let routine = env.write("routine.json", ROUTINE);
    let args = format!(
        "start --routine '{}' --pain-before 3 --pain-after 2",
        routine.display()
    );
    let vars = "BACKSTRETCH_ACCEPT_DISCLAIMER=1";
    let Some(t) = spawn_sized(&env, "test", &args, vars, (80, 24)) else {
        return;
    };

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
    let env = Env::fresh();
    let Some(t) = spawn_sized(&env, "first", "", "", (100, 200)) else {
        return;
    };
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
    // Asked once for a lower-back profile, with no default: Enter alone asks again.
    answer("if you are not sure):", "");
    answer("if you are not sure):", "back");
    answer("or answer `none`:", "osteoporosis");
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
    assert_eq!(p["eased_by"], "back");
    assert_eq!(p["conditions"], serde_json::json!(["osteoporosis"]));
}

/// `backstretch ARGS` in a new tmux session over `env`'s home, the disclaimer accepted;
/// `None` without tmux.
fn spawn(env: &Env, tag: &str, args: &str) -> Option<Tmux> {
    spawn_sized(env, tag, args, "BACKSTRETCH_ACCEPT_DISCLAIMER=1", (100, 60))
}

/// [`spawn`] with these extra environment settings, in a window of this size.
fn spawn_sized(
    env: &Env,
    tag: &str,
    args: &str,
    vars: &str,
    (width, height): (u16, u16),
) -> Option<Tmux> {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (scripts/test installs it)"
        );
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("backstretch");
    let name = format!("bs-{tag}-{}", std::process::id());
    let cmd = format!(
        "env BACKSTRETCH_HOME='{}' {vars} '{}' {args}; echo EXIT=$?; sleep 30",
        env.home().display(),
        bin.display()
    );
    let (w, h) = (width.to_string(), height.to_string());
    let ok = Command::new("tmux")
        .args(["new-session", "-d", "-s", &name, "-x", &w, "-y", &h, &cmd])
        .status()
        .unwrap();
    assert!(ok.success());
    Some(Tmux { name })
}

/// Regression: Enter alone answered "no" at every warning-sign question, so Enter at all of
/// them recorded "no warning signs". Now Enter asks again; and a "yes" to an emergency sign
/// ends the check at once with its advice.
#[test]
fn enter_alone_answers_no_question_and_an_emergency_stops_the_check_at_once() {
    let env = Env::new();
    let Some(t) = spawn(&env, "enter", "safety") else {
        return;
    };
    t.wait_for("the first question", |s| s.contains("[y/n]"));
    for _ in 0..3 {
        t.keys(&["Enter"]);
    }
    let s = t.wait_for("the reminder", |s| {
        s.matches("nothing is assumed").count() >= 3
    });
    assert!(!s.contains("No warning signs"), "{s}");
    assert!(s.contains("numb"), "the first question is still asked: {s}");
    t.keys(&["y", "Enter"]);
    let s = t.wait_for("the end", |s| s.contains("EXIT="));
    assert!(
        s.contains("Seek emergency care now") && s.contains("EXIT=1"),
        "{s}"
    );
    assert_eq!(
        s.matches("[y/n]").count(),
        4,
        "no question after the emergency answer: {s}"
    );
}

/// Regression: advice answers were dropped unless `--answers` was used; a check in the
/// terminal shows them ("Worth knowing").
#[test]
fn an_interactive_check_shows_what_is_worth_knowing() {
    let env = Env::new();
    let Some(t) = spawn(&env, "advice", "safety") else {
        return;
    };
    for _ in 0..60 {
        let s = t.capture();
        if s.contains("EXIT=") {
            break;
        }
        let last = s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
        if !last.ends_with("[y/n]") {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        let yes = last.contains("treated for cancer");
        t.keys(&[if yes { "y" } else { "n" }, "Enter"]);
        let start = Instant::now();
        while t.capture() == s && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(40));
        }
    }
    let s = t.wait_for("the end", |s| s.contains("EXIT="));
    assert!(s.contains("No warning signs reported"), "{s}");
    assert!(s.contains("Worth knowing (a past cancer)"), "{s}");
    assert!(s.contains("EXIT=0"), "{s}");
}

/// Regression: `start --plain` (for screen readers) read no keys, so nobody using it could
/// pause, say it hurts or stop. On a terminal it reads `h`, `s`, `p` and `q` (each with Enter)
/// and answers each in text.
#[test]
fn the_plain_player_reads_keys_on_a_terminal() {
    let env = Env::new();
    let routine = env.write("routine.json", ROUTINE);
    let args = format!(
        "start --plain --routine '{}' --pain-before 3",
        routine.display()
    );
    let Some(t) = spawn(&env, "plain", &args) else {
        return;
    };
    let s = t.wait_for("the keys", |s| s.contains("h sharper or worse"));
    assert!(s.contains("q stop"), "{s}");
    t.wait_for("the first cue", |s| s.contains("[00:"));
    t.keys(&["p", "Enter"]);
    t.wait_for("the pause", |s| s.contains("Paused. Type p"));
    t.keys(&["p", "Enter"]);
    t.wait_for("going on", |s| s.contains("Going on."));
    t.keys(&["h", "Enter"]);
    t.wait_for("it hurts", |s| {
        s.contains("Sharper or worse: stopped Neck flexion stretch and logged it as hurt")
    });
    t.keys(&["q", "Enter"]);
    t.wait_for("the stop question", |s| s.contains("Stop this session?"));
    t.keys(&["y", "Enter"]);
    t.wait_for("pain after", |s| s.contains("How much does it hurt now"));
    t.keys(&["2", "Enter"]);
    let s = t.wait_for("the summary", |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
    let h = env.history();
    assert_eq!(h[0]["outcome"], "stopped");
    assert_eq!(
        h[0]["exercises"]["hurt"],
        serde_json::json!(["neck-flexion"])
    );
    assert_eq!(h[0]["pain_after"], 2);
}
