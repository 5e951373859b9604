//! `plan` and `profile`: the routine a user sees, its JSON, and the messages for bad input.

use serde_json::Value;

use crate::util::{Env, run_fail, stdout_ok};

const DAY: &str = "2026-11-21";

fn plan_json(env: &Env, args: &[&str]) -> Value {
    let out = stdout_ok(
        env.cmd()
            .arg("plan")
            .args(args)
            .args(["--date", DAY, "--format", "json"]),
    );
    serde_json::from_str(&out).unwrap()
}

#[test]
fn plan_from_flags_has_the_documented_json() {
    let env = Env::new();
    let v = plan_json(
        &env,
        &[
            "--area",
            "lower-back",
            "--area",
            "neck",
            "--place",
            "bed",
            "--place",
            "chair",
            "--minutes",
            "10",
        ],
    );
    for k in [
        "profile", "style", "total_s", "items", "timeline", "warnings",
    ] {
        assert!(v.get(k).is_some(), "{k} missing");
    }
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for i in items {
        for k in [
            "exercise_id",
            "name",
            "position",
            "places",
            "sides",
            "dose",
            "seconds",
            "reason",
        ] {
            assert!(i.get(k).is_some(), "{k} missing in {i}");
        }
    }
    let steps = v["timeline"].as_array().unwrap();
    let sum: u64 = steps.iter().map(|s| s["seconds"].as_u64().unwrap()).sum();
    assert_eq!(
        v["total_s"].as_u64().unwrap(),
        sum,
        "total_s is the timeline's sum"
    );
    assert!(sum <= 600);
    assert_eq!(steps.last().unwrap()["kind"], "done");
    for s in steps {
        for k in ["kind", "exercise_id", "side", "rep", "seconds", "cue"] {
            assert!(s.get(k).is_some(), "{k} missing in {s}");
        }
    }
    assert_eq!(
        v["profile"]["areas"],
        serde_json::json!(["lower-back", "neck"])
    );
    assert_eq!(
        items[0]["exercise_id"], "pelvic-tilt",
        "gentle warm-up first"
    );
}

#[test]
fn plan_is_deterministic_for_a_date() {
    let env = Env::new();
    let args = ["--area", "neck", "--place", "chair", "--minutes", "5"];
    assert_eq!(plan_json(&env, &args), plan_json(&env, &args));
}

#[test]
fn plan_uses_the_profile_and_flags_override_it_for_one_run() {
    let env = Env::new();
    let out =
        stdout_ok(&mut env.run("profile set --area neck --place chair --minutes 6 --goal 3/week"));
    assert!(out.starts_with("Saved your profile."), "{out}");
    assert!(out.contains("Goal      3/week"));
    let v = plan_json(&env, &[]);
    assert_eq!(v["profile"]["minutes"], 6);
    assert_eq!(v["profile"]["places"], serde_json::json!(["chair"]));
    let v = plan_json(&env, &["--minutes", "15", "--place", "standing"]);
    assert_eq!(v["profile"]["minutes"], 15);
    assert_eq!(v["profile"]["places"], serde_json::json!(["standing"]));
    // The saved profile is unchanged.
    let shown: Value = serde_json::from_str(&stdout_ok(
        env.cmd().args(["profile", "show", "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(shown["minutes"], 6);
    assert_eq!(shown["goal"], "3/week");
}

#[test]
fn profile_exclude_and_include_by_name() {
    let env = Env::new();
    stdout_ok(env.cmd().args([
        "profile",
        "set",
        "--area",
        "lower-back",
        "--place",
        "bed",
        "--exclude",
        "Pelvic tilt",
    ]));
    let v = plan_json(&env, &["--minutes", "20"]);
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["exercise_id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"pelvic-tilt"), "{ids:?}");
    let out = stdout_ok(
        env.cmd()
            .args(["profile", "set", "--include", "pelvic-tilt"]),
    );
    assert!(out.contains("Excluded  none"), "{out}");
}

#[test]
fn impossible_requests_exit_non_zero_and_say_what_to_change() {
    let env = Env::new();
    let (code, out, err) = run_fail(&mut env.run("plan --area hip-flexors --place chair"));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "no routine printed: {out}");
    assert!(
        err.contains(
            "no exercise for hip-flexors can be done in chair; allowing floor would give some"
        ),
        "{err}"
    );
    let (_, _, err) = run_fail(&mut env.run("plan --area hamstrings --place standing --minutes 1"));
    assert!(err.contains("1 minute is too short"), "{err}");
    assert!(err.contains("--minutes"), "{err}");
    let (code, _, err) = run_fail(&mut env.run("plan --area neck --place chair --minutes 0"));
    assert_eq!(code, 2);
    assert!(err.contains("0 is not in 1..=180"), "{err}");
    let (_, _, err) = run_fail(&mut env.run("plan --area nekc --place chair"));
    assert!(err.contains("did you mean `neck`?"), "{err}");
    let (_, _, err) = run_fail(&mut env.run("plan --area neck --place chair --date 21/11/2026"));
    assert!(err.contains("use YYYY-MM-DD"), "{err}");
    let (_, _, err) = run_fail(env.cmd().arg("plan"));
    assert!(err.contains("no areas and places to plan for"), "{err}");
    let (_, _, err) = run_fail(env.cmd().args(["profile", "show"]));
    assert!(err.contains("no profile saved yet"), "{err}");
}

#[test]
fn plan_table_and_markdown_show_cautions() {
    let env = Env::new();
    let base = [
        "plan",
        "--area",
        "lower-back",
        "--place",
        "floor",
        "--minutes",
        "10",
        "--date",
        DAY,
    ];
    let table = stdout_ok(env.cmd().args(base));
    assert!(table.contains("Cautions:"), "{table}");
    assert!(table.contains("Total "));
    for l in table.lines() {
        assert!(l.chars().count() <= 80, "{l:?}");
    }
    let md = stdout_ok(env.cmd().args(base).args(["--format", "markdown"]));
    assert!(md.starts_with("# Routine for lower-back"), "{md}");
    assert!(md.contains("**Cautions:**"));
    assert!(md.contains("## How to do them"));
}

#[test]
fn a_newer_log_is_refused_with_a_clear_message() {
    let env = Env::new();
    stdout_ok(&mut env.run("profile set --area neck --place chair"));
    let db = env.home().join("backstretch.sqlite");
    let c = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("PRAGMA user_version = 99;")
        .status();
    if c.is_ok_and(|s| s.success()) {
        let (_, _, err) = run_fail(env.cmd().args(["profile", "show"]));
        assert!(
            err.contains("newer than this backstretch understands"),
            "{err}"
        );
    }
}

/// `--sources pages` keeps a routine to the five pages' exercises; by default the exercises
/// added from published evidence are planned too, and say so in their reason.
#[test]
fn sources_pages_leaves_out_the_evidence_additions() {
    let env = Env::new();
    let args = [
        "--area",
        "upper-back",
        "--area",
        "neck",
        "--place",
        "chair",
        "--minutes",
        "10",
    ];
    let from = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["reason"].as_str().unwrap().to_string())
            .collect()
    };
    let all = plan_json(&env, &args);
    assert!(
        from(&all).iter().any(|r| r.contains("supported by")),
        "an evidence addition is planned by default: {all}"
    );
    let mut pages_args = args.to_vec();
    pages_args.extend(["--sources", "pages"]);
    let pages = plan_json(&env, &pages_args);
    assert!(!from(&pages).is_empty());
    assert!(
        from(&pages).iter().all(|r| r.contains("recommended by")),
        "{pages}"
    );
    let (code, _, err) = run_fail(env.cmd().args(["plan", "--sources", "web"]));
    assert_eq!(code, 2);
    assert!(err.contains("pages"), "{err}");
}

/// Issue 28, items 8 and 16: `profile set --condition` and `--eased-by` are saved, shown,
/// and followed by `plan`; `--condition none` clears; an unknown word says what to type.
#[test]
fn conditions_and_eased_by_are_saved_shown_and_planned_by() {
    let env = Env::new();
    let out = stdout_ok(&mut env.run("profile set --area lower-back --place floor --minutes 15 --condition osteoporosis --condition knee-replacement --eased-by back"));
    assert!(
        out.contains("Conditions osteoporosis, knee-replacement"),
        "{out}"
    );
    assert!(out.contains("Eased by  arching back"), "{out}");
    let v = plan_json(&env, &[]);
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["exercise_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"prone-press-up"), "{ids:?}");
    for out in ["knee-to-chest", "childs-pose", "cat-camel", "bird-dog"] {
        assert!(!ids.contains(&out), "{out} in {ids:?}");
    }
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("left out for osteoporosis"), "{warnings}");
    assert!(
        warnings.contains("left out for knee-replacement"),
        "{warnings}"
    );
    assert!(warnings.contains("arching back eases"), "{warnings}");

    let out = stdout_ok(env.cmd().args(["profile", "set", "--condition", "none"]));
    assert!(out.contains("Conditions none"), "{out}");
    assert!(out.contains("Eased by  arching back"), "{out}");

    let (code, _, err) = run_fail(env.cmd().args(["profile", "set", "--condition", "gout"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("unknown condition `gout`; expected one of osteoporosis, hip-replacement")
            && err.contains("or none to clear them"),
        "{err}"
    );
    let (code, _, err) = run_fail(env.cmd().args(["profile", "set", "--eased-by", "sideways"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown direction `sideways`"), "{err}");
}
