//! The pain rules that act (issue 28, items 9-14 and 17), as a user meets them: `log` says
//! what the player's summary says, repeated red sessions and a rise week on week change the
//! plan, gentler plans are shorter, and exports tell the truth while a warning sign blocks.

use serde_json::Value;

use crate::util::{Env, days_ago, stdout_ok};

fn log(env: &Env, before: u8, after: u8, ago: i64) -> String {
    stdout_ok(env.cmd().args([
        "log",
        "--pain-before",
        &before.to_string(),
        "--pain-after",
        &after.to_string(),
        "--date",
        &days_ago(ago),
        "--exercise",
        "pelvic-tilt",
    ]))
}

/// The review's profile: lower back, every place, ten minutes.
const PLAN: [&str; 15] = [
    "plan",
    "--area",
    "lower-back",
    "--place",
    "floor",
    "--place",
    "bed",
    "--place",
    "chair",
    "--place",
    "standing",
    "--minutes",
    "10",
    "--format",
    "json",
];

fn plan(env: &Env) -> Value {
    serde_json::from_str(&stdout_ok(env.cmd().args(PLAN))).unwrap()
}

fn warnings(p: &Value) -> Vec<String> {
    p["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// Regression (clinical review 2, 2.2): `log` printed only "Logged a session ... pain 3 ->
/// 6", with no light and no flare notice.
#[test]
fn log_says_the_light_and_the_flare_as_the_summary_does() {
    let env = Env::new();
    let out = log(&env, 3, 6, 1);
    assert!(out.contains("Pain 6: red, too much"), "{out}");
    assert!(
        out.contains("That is a flare: your pain rose by 3 points."),
        "{out}"
    );
    assert!(out.contains("next plans will be gentler"), "{out}");
    let out = log(&env, 2, 2, 0);
    assert!(out.contains("Pain 2: green"), "{out}");
}

/// Regression (clinical review 2, 2.2): `start --pain-before 10 --pain-after 10` ended
/// "green ... carry on as you are".
#[test]
fn ten_before_and_ten_after_is_not_green() {
    let env = Env::new();
    let out = stdout_ok(env.cmd().args([
        "start",
        "--plain",
        "--speed",
        "200",
        "--area",
        "lower-back",
        "--place",
        "bed",
        "--minutes",
        "10",
        "--pain-before",
        "10",
        "--pain-after",
        "10",
    ]));
    assert!(!out.contains("carry on"), "{out}");
    assert!(out.contains("Pain 10: red, high. Rest"), "{out}");
}

/// Regression (clinical review 2, 2.2): red sessions that were not flares (5 -> 6, 6 -> 7)
/// never changed the plan.
#[test]
fn two_red_sessions_in_three_make_the_plan_gentler() {
    let env = Env::new();
    log(&env, 6, 7, 2);
    let out = log(&env, 5, 6, 1);
    assert!(
        out.contains("Two of your last three sessions ended red"),
        "{out}"
    );
    let w = warnings(&plan(&env));
    assert!(
        w.iter()
            .any(|w| w.starts_with("gentler plan after two red sessions in the last three")),
        "{w:?}"
    );
}

/// Regression (clinical review 2, 2.2): after a flare the plan held 9 exercises in place of
/// 4, with "Walking 15 s x 2".
#[test]
fn the_plan_after_a_flare_is_shorter_with_fewer_exercises_and_no_walking() {
    let env = Env::new();
    let normal = plan(&env);
    log(&env, 3, 6, 1);
    let gentler = plan(&env);
    let n = |p: &Value| p["items"].as_array().unwrap().len();
    assert!(
        n(&gentler) < n(&normal),
        "{} vs {}",
        n(&gentler),
        n(&normal)
    );
    assert!(
        gentler["total_s"].as_u64().unwrap() < normal["total_s"].as_u64().unwrap(),
        "shorter"
    );
    assert!(
        !gentler["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["exercise_id"] == "walking"),
        "{gentler}"
    );
}

/// Regression (clinical review 2, 2.2): pain before climbing 2 -> 7 over three weeks raised
/// nothing; `stats` showed only a slope.
#[test]
fn a_rise_week_on_week_brings_advice_in_plan_and_stats() {
    let env = Env::new();
    for (ago, pain) in [
        (20, 2),
        (18, 2),
        (16, 3),
        (14, 3),
        (12, 4),
        (10, 4),
        (8, 5),
        (6, 5),
        (4, 6),
        (2, 7),
    ] {
        log(&env, pain, pain, ago);
    }
    let w = warnings(&plan(&env));
    assert!(w.iter().any(|w| w.contains("has been rising")), "{w:?}");
    let stats = stdout_ok(env.cmd().arg("stats"));
    assert!(stats.contains("has been rising"), "{stats}");
    let out = log(&env, 7, 7, 0);
    assert!(out.contains("has been rising"), "{out}");
}

/// While a warning sign blocks plans, the FHIR care plan is on hold with the reason, and
/// `export ics` warns and its event says stretching is paused.
#[test]
fn exports_say_the_plan_is_paused_while_a_warning_sign_blocks() {
    let env = Env::new();
    stdout_ok(
        env.cmd()
            .args(["profile", "set", "--area", "lower-back", "--place", "floor"]),
    );
    let care_plan = |env: &Env| -> Value {
        let b: Value =
            serde_json::from_str(&stdout_ok(env.cmd().args(["export", "fhir"]))).unwrap();
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["resource"]["resourceType"] == "CarePlan")
            .unwrap()["resource"]
            .clone()
    };
    assert_eq!(care_plan(&env)["status"], "active");
    let _ = env
        .cmd()
        .args(["safety", "--answers", "weight-loss"])
        .output();
    let cp = care_plan(&env);
    assert_eq!(cp["status"], "on-hold", "{cp}");
    assert!(
        cp["note"][0]["text"]
            .as_str()
            .unwrap()
            .contains("weight loss"),
        "{cp}"
    );
    let out = env.cmd().args(["export", "ics"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("Paused: a warning sign was reported"), "{err}");
    let ics = String::from_utf8(out.stdout).unwrap();
    assert!(ics.contains("SUMMARY:Stretching paused"), "{ics}");
    assert!(ics.contains("DESCRIPTION:Paused"), "{ics}");
}
