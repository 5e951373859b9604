//! Coaching on the command line (issue 35): how each exercise felt, `programme` and the
//! weekly `review`, on back-dated sessions.

use crate::util::{Env, run_fail, stdout_ok};

const NECK: &str = "neck-side-bend";

/// Twelve days of neck stretches logged by hand, each about right.
fn twelve_days() -> Env {
    let env = Env::new();
    stdout_ok(&mut env.run("profile set --area neck --place chair --minutes 5"));
    for d in 1..=12 {
        let when = format!("2026-11-{:02}T08:00", 10 + d);
        stdout_ok(&mut env.run(&format!(
            "log --exercise {NECK} --pain-before 3 --pain-after 2 --date {when}"
        )));
    }
    env
}

#[test]
fn the_programme_shows_each_exercise_its_next_step_and_why() {
    let env = twelve_days();
    let text = stdout_ok(&mut env.run("programme"));
    assert!(text.contains("Neck side bend  (stage 1 of"), "{text}");
    assert!(
        text.contains("Why:  Holds now 20 s: three calm sessions at 15 s."),
        "{text}"
    );
    assert!(text.contains("The last four weeks"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout_ok(&mut env.run("programme --format json"))).unwrap();
    let row = &json["exercises"][0];
    assert_eq!(row["id"], NECK);
    assert_eq!(row["stage"], 1);
    assert_eq!(row["dose"]["hold_s"], 20);
    assert_eq!(row["next"]["kind"], "dose");
    assert_eq!(json["weeks"].as_array().unwrap().len(), 4);
}

#[test]
fn the_weekly_review_is_answered_once_a_week() {
    let env = twelve_days();
    let json: serde_json::Value =
        serde_json::from_str(&stdout_ok(&mut env.run("review --format json"))).unwrap();
    assert_eq!(json["due"], true, "{json}");
    assert!(json["review"]["card"]["title"].is_string(), "{json}");
    let out = env.run("review --easier").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("An easier week"));
    let text = stdout_ok(&mut env.run("review"));
    assert!(
        text.starts_with("No weekly review is due: the next one comes on"),
        "{text}"
    );
    let text = stdout_ok(&mut env.run("programme"));
    assert!(text.contains("An easier week, as you asked"), "{text}");
    assert!(
        text.contains("One step easier this week, as you asked."),
        "{text}"
    );
}

#[test]
fn log_says_how_each_exercise_felt_and_refuses_contradictions() {
    let env = Env::new();
    stdout_ok(&mut env.run(&format!(
        "log --exercise chin-tuck --hard {NECK} --pain-before 2 --pain-after 2"
    )));
    let export = stdout_ok(&mut env.run("export json"));
    assert!(export.contains("\"effort\": \"too-hard\""), "{export}");
    assert!(export.contains("\"effort\": \"about-right\""), "{export}");
    let (code, _, err) = run_fail(&mut env.run(&format!(
        "log --exercise {NECK} --easy {NECK} --hard {NECK} --pain-before 2 --pain-after 2"
    )));
    assert_eq!(code, 1);
    assert!(err.contains("named with both --easy and --hard"), "{err}");
    assert!(
        err.contains("one named with neither was about right"),
        "{err}"
    );
    let (code, _, err) = run_fail(&mut env.run(
        "log --exercise chin-tuck --easy bridge --skip bridge --pain-before 2 --pain-after 2",
    ));
    assert_ne!(code, 0, "{err}");
    // Nothing was logged by the refusals.
    assert_eq!(env.history().len(), 1);
}
