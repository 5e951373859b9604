//! The pain rules as the terminal words them: `log` says what the player's summary says, and
//! exports tell the truth while a warning sign blocks. The rules themselves are checked in
//! the app's kit (`crates/app/tests/rules.rs` and `stories.rs`).

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

/// While a warning sign blocks plans, the FHIR care plan is on hold with the reason, and
/// `export ics` warns and its event says stretching is paused.
#[test]
fn exports_say_the_plan_is_paused_while_a_warning_sign_blocks() {
    let env = Env::new();
    stdout_ok(&mut env.run("profile set --area lower-back --place floor"));
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
