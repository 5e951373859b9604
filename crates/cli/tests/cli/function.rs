//! `function` (the Patient-Specific Functional Scale) and `learn` (the education cards), as a
//! user meets them: scores set, shown, beside pain in `stats` and the chart, through export
//! and import; bad input named with how to fix it.

use serde_json::Value;

use crate::util::{Env, run_fail, stdout_ok};

/// Scores set, shown as text and JSON, then in `stats` (text and JSON) and the pain chart.
#[test]
fn scores_are_set_shown_and_stand_beside_pain() {
    let env = Env::new();
    let out = stdout_ok(env.cmd().args([
        "function",
        "set",
        "carrying shopping=4",
        "sitting an hour = 6",
    ]));
    assert_eq!(
        out,
        "Recorded: mean 5.0 of 10 (carrying shopping 4, sitting an hour 6).\n"
    );
    // A minute later (records order by their time, to the second).
    let out = stdout_ok(env.cmd().env("BACKSTRETCH_CLOCK_SKEW", "60").args([
        "function",
        "set",
        "carrying shopping=7",
        "sitting an hour=8",
    ]));
    assert!(out.contains("5.0 at the start, 7.5 lately"), "{out}");
    assert!(out.contains("up 2.5: a meaningful improvement"), "{out}");
    let shown = stdout_ok(env.cmd().args(["function", "show"]));
    assert!(shown.contains("   7  carrying shopping"), "{shown}");
    let v: Value = serde_json::from_str(&stdout_ok(
        env.cmd().args(["function", "show", "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(v["records"].as_array().unwrap().len(), 2);
    assert_eq!(v["records"][1]["items"][1]["score"], 8);
    assert_eq!(v["summary"]["trend"], "better");
    // Beside pain in stats, even before a session; then with one.
    let stats = stdout_ok(env.cmd().arg("stats"));
    assert!(
        stats.starts_with("No sessions yet") && stats.contains("Function   5.0"),
        "{stats}"
    );
    stdout_ok(env.cmd().args([
        "log",
        "--pain-before",
        "4",
        "--pain-after",
        "3",
        "--exercise",
        "pelvic-tilt",
    ]));
    let stats = stdout_ok(env.cmd().arg("stats"));
    let pain = stats.find("Pain ").unwrap();
    let function = stats.find("Function ").unwrap();
    assert!(pain < function, "{stats}");
    let v: Value =
        serde_json::from_str(&stdout_ok(env.cmd().args(["stats", "--format", "json"]))).unwrap();
    assert_eq!(v["function"]["latest"]["mean"], 7.5);
    assert_eq!(v["function"]["change"], 2.5);
    assert_eq!(
        v["pain"]["first"], 4,
        "the pain fields stay where they were"
    );
    let svg = env.home().join("pain.svg");
    stdout_ok(env.cmd().args(["chart", "pain", "--out"]).arg(&svg));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("function (PSFS)"), "{text}");
    let png = env.home().join("pain.png");
    stdout_ok(env.cmd().args(["chart", "pain", "--out"]).arg(&png));
}

/// Each kind of bad input is refused with what was wrong and what to type; nothing is kept.
#[test]
fn bad_input_names_the_problem_and_the_fix() {
    let env = Env::new();
    let cases: [(&[&str], &str); 5] = [
        (&["carrying shopping"], "has no score"),
        (&["sitting=six"], "not a whole number"),
        (&["sitting=11"], "scored 11"),
        (&["a=1", "b=2", "c=3", "d=4"], "4 activities given"),
        (&["=4"], "name is empty"),
    ];
    let mut said = String::new();
    for (items, problem) in cases {
        let (code, _, err) = run_fail(env.cmd().args(["function", "set"]).args(items));
        assert_ne!(code, 0);
        assert!(err.contains(problem), "{items:?}: {err}");
        assert!(
            err.contains("backstretch function set \""),
            "{items:?}: {err}"
        );
        said.push_str(&format!("$ function set {items:?}\n{err}\n"));
    }
    insta::assert_snapshot!(said);
    // Off a terminal the questions are not asked: the message says how to give the scores.
    let (_, _, err) = run_fail(env.cmd().arg("function"));
    assert!(
        err.contains("not one") && err.contains("function set"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&stdout_ok(
        env.cmd().args(["function", "show", "--format", "json"]),
    ))
    .unwrap();
    assert!(v["records"].as_array().unwrap().is_empty());
}

/// `export json` carries the scores and `import` into a new data directory restores them.
#[test]
fn scores_survive_export_and_import() {
    let env = Env::new();
    stdout_ok(env.cmd().args(["function", "set", "gardening=3"]));
    let file = env.home().join("backup.json");
    stdout_ok(env.cmd().args(["export", "json", "--out"]).arg(&file));
    let other = Env::new();
    stdout_ok(other.cmd().arg("import").arg(&file));
    let show = |e: &Env| stdout_ok(e.cmd().args(["function", "show", "--format", "json"]));
    assert_eq!(show(&other), show(&env));
}

/// `learn` lists the cards and shows one with its sources; an unknown id lists the ids.
#[test]
fn learn_lists_and_shows_cards() {
    let env = Env::new();
    let list = stdout_ok(env.cmd().arg("learn"));
    assert!(
        list.contains("stay-active") && list.contains("seek-help"),
        "{list}"
    );
    let card = stdout_ok(env.cmd().args(["learn", "scans"]));
    assert!(
        card.starts_with("Scans are rarely needed") && card.contains("Sources:"),
        "{card}"
    );
    let v: Value =
        serde_json::from_str(&stdout_ok(env.cmd().args(["learn", "--format", "json"]))).unwrap();
    assert!(v.as_array().unwrap().len() >= 10);
    let (_, _, err) = run_fail(env.cmd().args(["learn", "nope"]));
    assert!(
        err.contains("no card is called `nope`") && err.contains("stay-active"),
        "{err}"
    );
}
