//! `catalog list | show | check`, completions and the man page.

use serde_json::Value;

use crate::util::{Env, run_fail, stdout_ok, valid_exercise};

#[test]
fn list_shows_every_builtin_exercise_in_80_columns() {
    let env = Env::new();
    let out = stdout_ok(env.cmd().args(["catalog", "list"]));
    assert!(out.contains("childs-pose"));
    assert!(out.contains("27 exercises."));
    assert!(out.contains("FROM") && out.contains("evidence") && out.contains("pages"));
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
}

#[test]
fn list_filters_combine() {
    let env = Env::new();
    let out = stdout_ok(&mut env.run("catalog list --area neck --place standing --format json"));
    let v: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["doorway-chest-stretch", "levator-scapulae-stretch"]);
    let out = stdout_ok(&mut env.run("catalog list --kind activation --format json"));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 6);
    let out = stdout_ok(
        env.cmd()
            .args(["catalog", "list", "--position", "half-kneeling"]),
    );
    assert!(out.contains("1 exercise."), "{out}");
}

#[test]
fn list_json_has_the_documented_shape() {
    let env = Env::new();
    let out = stdout_ok(env.cmd().args(["--format", "json", "catalog", "list"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 27);
    for e in all {
        for key in [
            "id",
            "name",
            "aliases",
            "kind",
            "position",
            "places",
            "equipment",
            "areas",
            "sides",
            "gentleness",
            "dose",
            "sources",
            "origin",
        ] {
            assert!(e.get(key).is_some(), "{key} missing in {e}");
        }
        assert!(
            e["dose"]["hold_s"].is_u64()
                && e["dose"]["reps"].is_u64()
                && e["dose"]["rest_s"].is_u64()
        );
        assert_eq!(e["origin"], "builtin");
        assert!(e.get("steps").is_none(), "list leaves steps to show");
        // Where it comes from: a page, or published evidence with its year.
        match e["from"].as_str().unwrap() {
            "pages" => assert!(!e["sources"].as_array().unwrap().is_empty(), "{e}"),
            "evidence" => {
                let ev = e["evidence"].as_array().unwrap();
                assert!(!ev.is_empty(), "{e}");
                for x in ev {
                    assert!(x["cite"].is_string() && x["year"].is_u64(), "{x}");
                }
            }
            other => panic!("from: {other}"),
        }
        for s in e["sources"].as_array().unwrap() {
            assert!(s["doc"].is_string());
            assert!(s.get("dose").is_some(), "dose key present (null when none)");
        }
    }
    let rot = all
        .iter()
        .find(|e| e["id"] == "supine-trunk-rotation")
        .unwrap();
    let chiro = rot["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["doc"] == "002_0d052247460285cc.txt")
        .unwrap();
    assert_eq!(chiro["dose"]["hold_s"], 5);
    assert_eq!(chiro["dose"]["reps"], 10);
    let pt = rot["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["doc"] == "000_1e588459a290134c.txt")
        .unwrap();
    assert!(pt["dose"].is_null());
}

#[test]
fn show_matches_names_and_aliases_loosely() {
    let env = Env::new();
    for q in [
        &["rotation", "stretch"][..],
        &["Child's pose"],
        &["childs pose"],
        &["CHILDS-POSE"],
    ] {
        let out = stdout_ok(env.cmd().arg("catalog").arg("show").args(q));
        assert!(out.contains("Steps\n  1. "), "{q:?}: {out}");
        assert!(out.contains("Cautions\n"));
        assert!(out.contains("Sources\n"));
    }
    let out = stdout_ok(
        env.cmd()
            .args(["catalog", "show", "knee lunge", "--format", "json"]),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["id"], "kneeling-hip-flexor-stretch");
    assert!(v["steps"].as_array().unwrap().len() >= 3);
    assert!(v["purpose"].is_string());
    assert!(!v["cautions"].as_array().unwrap().is_empty());
    assert_eq!(v["sources"].as_array().unwrap().len(), 3);
}

#[test]
fn show_unknown_name_suggests_and_fails() {
    let env = Env::new();
    let (code, _, err) = run_fail(env.cmd().args(["catalog", "show", "hamstring"]));
    assert_eq!(code, 1);
    assert!(err.contains("no exercise is called `hamstring`"), "{err}");
    assert!(
        err.contains("seated-hamstring-stretch") && err.contains("standing-hamstring-stretch"),
        "{err}"
    );
    let (_, _, err) = run_fail(env.cmd().args(["catalog", "show", "chlids pose"]));
    assert!(err.contains("childs-pose"), "{err}");
}

#[test]
fn unsupported_format_is_refused() {
    let env = Env::new();
    let (code, _, err) = run_fail(env.cmd().args(["catalog", "list", "--format", "markdown"]));
    assert_eq!(code, 1);
    assert!(err.contains("cannot print --format markdown"), "{err}");
    assert!(err.contains("--format table or --format json"), "{err}");
}

#[test]
fn check_passes_on_the_builtin_catalogue() {
    let env = Env::new();
    let out = env.cmd().args(["catalog", "check"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Checked 27 files in the built-in catalogue: all valid."),
        "{err}"
    );
}

/// One broken file per case: (file name, text, expected "file:line:col", expected words).
fn broken_cases() -> Vec<(&'static str, String, &'static str, &'static str)> {
    let good = valid_exercise("my-move");
    vec![
        (
            "misspelt-key",
            valid_exercise("misspelt-key").replace("hold_s = 10", "hold_secs = 10"),
            ":14:1",
            "unknown field `hold_secs`",
        ),
        (
            "bad-place",
            valid_exercise("bad-place").replace("[\"floor\", \"bed\"]", "[\"flor\", \"bed\"]"),
            ":5:11",
            "unknown place `flor`; expected one of floor, bed, chair, standing",
        ),
        (
            "bad-syntax",
            valid_exercise("bad-syntax").replace("gentleness = 1", "gentleness = = 1"),
            ":8:",
            "bad-syntax.toml",
        ),
        ("dup-id", good, ":1:6", "duplicate id `my-move`, also in"),
        (
            "zero-hold",
            valid_exercise("zero-hold").replace("hold_s = 10", "hold_s = 0"),
            ":14:10",
            "0 s is out of range",
        ),
        (
            "bad-source",
            valid_exercise("bad-source").replace("002_0d052247460285cc.txt", "007_unknown.txt"),
            ":20:7",
            "unknown source `007_unknown.txt`",
        ),
    ]
}

#[test]
fn check_reports_every_broken_file_with_file_line_and_column() {
    let env = Env::new();
    env.write("mine/my-move.toml", &valid_exercise("my-move"));
    for (name, text, _, _) in broken_cases() {
        env.write(&format!("mine/{name}.toml"), &text);
    }
    let dir = env.home().join("mine");
    let (code, _, err) = run_fail(env.cmd().args(["catalog", "check"]).arg(&dir));
    assert_eq!(code, 1);
    for (name, _, at, words) in broken_cases() {
        let file = dir.join(format!("{name}.toml"));
        let head = format!("{}{at}", file.display());
        assert!(err.contains(&head), "missing {head} in:\n{err}");
        assert!(err.contains(words), "missing {words:?} in:\n{err}");
    }
    assert!(err.contains("did you mean `floor`?"), "{err}");
    assert!(err.contains("did you mean `hold_s`?"), "{err}");
    assert!(err.contains("use a value from 1 to 180 s"), "{err}");
    assert!(err.contains("Checked 7 files in"), "{err}");
    assert!(err.contains("6 invalid, 7 problems."), "{err}");
    assert!(
        err.contains("does not match the file name `dup-id`"),
        "{err}"
    );
}

#[test]
fn check_json_lists_problems_for_editors() {
    let env = Env::new();
    env.write("mine/bad-place.toml", &broken_cases()[1].1);
    let out = env
        .cmd()
        .args(["catalog", "check", "--format", "json"])
        .arg(env.home().join("mine"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["line"], 5);
    assert_eq!(v[0]["column"], 11);
    assert_eq!(v[0]["field"], "places[0]");
}

#[test]
fn check_of_a_missing_folder_says_so() {
    let env = Env::new();
    let (code, _, err) = run_fail(
        env.cmd()
            .args(["catalog", "check", "/nonexistent/backstretch"]),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("cannot read the exercise folder /nonexistent/backstretch"),
        "{err}"
    );
}

#[test]
fn user_folder_adds_and_replaces_and_list_marks_which() {
    let env = Env::new();
    env.write("exercises/my-move.toml", &valid_exercise("my-move"));
    let replaced =
        valid_exercise("childs-pose").replace("Test move childs-pose", "My child's pose");
    env.write("exercises/childs-pose.toml", &replaced);
    let out = stdout_ok(env.cmd().args(["catalog", "list"]));
    assert!(
        out.contains("28 exercises (26 built in, 2 from your folder)"),
        "{out}"
    );
    assert!(out.contains("FROM"));
    assert!(out.contains("yours*"), "{out}");
    assert!(
        out.contains("* yours replaces the built-in exercise"),
        "{out}"
    );
    let out = stdout_ok(env.cmd().args(["catalog", "list", "--format", "json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let mine = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "my-move")
        .unwrap();
    assert_eq!(mine["origin"], "user");
    let cp = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "childs-pose")
        .unwrap();
    assert_eq!(cp["name"], "My child's pose");
    assert_eq!(cp["replaces_builtin"], true);
    // The same folder through --catalog.
    let out = stdout_ok(
        env.cmd()
            .args(["catalog", "show", "my move"])
            .arg("--catalog")
            .arg(env.home().join("exercises")),
    );
    assert!(out.contains("Test move my-move"), "{out}");
}

#[test]
fn invalid_user_file_is_left_out_with_a_warning() {
    let env = Env::new();
    env.write("exercises/broken.toml", "id = ");
    let out = env.cmd().args(["catalog", "list"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("left out 1 invalid exercise file"), "{err}");
    assert!(err.contains("backstretch catalog check"), "{err}");
}

#[test]
fn completions_and_man_page_come_from_the_same_definition() {
    let env = Env::new();
    let bash = stdout_ok(env.cmd().args(["completions", "bash"]));
    assert!(bash.contains("backstretch") && bash.contains("catalog"));
    let fish = stdout_ok(env.cmd().args(["completions", "fish"]));
    assert!(fish.contains("complete -c backstretch"));
    let man = stdout_ok(env.cmd().arg("man"));
    assert!(
        man.starts_with(".ie") || man.contains(".TH backstretch"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("catalog"));
}

#[test]
fn catalog_readme_documents_every_word() {
    use backstretch_core::vocab::{Area, Equipment, Kind, Place, Position, Sides, Word};
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../catalog/README.md"
    ))
    .unwrap();
    fn check<W: Word>(readme: &str) {
        for w in W::ALL {
            assert!(
                readme.contains(&format!("`{}`", w.as_str())),
                "catalog/README.md lacks {} `{}`",
                W::WHAT,
                w.as_str()
            );
        }
    }
    check::<Area>(&readme);
    check::<Place>(&readme);
    check::<Position>(&readme);
    check::<Kind>(&readme);
    check::<Sides>(&readme);
    check::<Equipment>(&readme);
}

/// A large folder is read whole on every run: an edit is seen at once, and a broken file
/// is left out with a warning while the rest load.
#[test]
fn a_large_user_folder_loads_and_any_edit_is_seen() {
    let env = Env::new();
    for i in 0..210 {
        env.write(
            &format!("exercises/gen-{i}.toml"),
            &valid_exercise(&format!("gen-{i}")),
        );
    }
    let names = |env: &Env| -> Vec<String> {
        let out = stdout_ok(env.cmd().args(["catalog", "list", "--format", "json"]));
        let v: Value = serde_json::from_str(&out).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&env).len(), 237);
    let edited = valid_exercise("gen-7").replace("Test move gen-7", "Edited move seven, longer");
    env.write("exercises/gen-7.toml", &edited);
    assert!(names(&env).contains(&"Edited move seven, longer".to_string()));
    env.write("exercises/gen-8.toml", "id = ");
    let out = env.cmd().args(["catalog", "list"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("left out 1 invalid exercise file"), "{err}");
    assert_eq!(names(&env).len(), 236);
    assert!(!env.home().join("cache").exists(), "nothing is cached");
}

#[test]
fn figures_are_drawn_for_every_exercise() {
    let env = Env::new();
    let v: Value = serde_json::from_str(&stdout_ok(
        env.cmd().args(["catalog", "list", "--format", "json"]),
    ))
    .unwrap();
    for e in v.as_array().unwrap() {
        let id = e["id"].as_str().unwrap();
        let svg = stdout_ok(env.cmd().args(["figure", id]));
        assert!(svg.starts_with("<svg") && svg.contains("<line"), "{id}");
        let j: Value = serde_json::from_str(&stdout_ok(
            env.cmd().args(["figure", id, "--format", "json"]),
        ))
        .unwrap();
        assert_eq!(j["id"], id);
        assert!(j["keyframes"].as_array().unwrap().len() >= 2);
    }
    let png_path = env.home().join("pose.png");
    stdout_ok(
        env.cmd()
            .args(["figure", "childs pose", "--out"])
            .arg(&png_path),
    );
    assert!(std::fs::read(&png_path).unwrap().starts_with(b"\x89PNG"));
    let anim = stdout_ok(env.cmd().args(["figure", "bridge", "--animate"]));
    assert!(anim.contains("<animate"));
    let (_, _, err) = run_fail(
        env.cmd()
            .args(["figure", "bridge", "--animate", "--out"])
            .arg(env.home().join("a.png")),
    );
    assert!(err.contains("a PNG cannot move"), "{err}");
    let show = stdout_ok(env.cmd().args(["catalog", "show", "bridge"]));
    assert!(
        show.contains("Figure     backstretch figure bridge --out bridge.svg"),
        "{show}"
    );
    // A variant is drawn on its own support: the seated levator stretch on a chair.
    let show = stdout_ok(
        env.cmd()
            .args(["catalog", "show", "levator-scapulae-stretch"]),
    );
    assert!(
        show.contains("Variant: seated (seated-chair; chair)")
            && show.contains("backstretch figure levator-scapulae-stretch --variant seated"),
        "{show}"
    );
    let j: Value = serde_json::from_str(&stdout_ok(
        &mut env.run("figure levator-scapulae-stretch --variant seated --format json"),
    ))
    .unwrap();
    assert_eq!(
        (j["support"].as_str(), j["view"].as_str()),
        (Some("chair"), Some("front"))
    );
    // The contact sheet: every exercise and variant, a row each.
    let sheet = stdout_ok(env.cmd().args(["figure", "--all"]));
    assert!(
        sheet.starts_with("<svg"),
        "{}",
        &sheet[..80.min(sheet.len())]
    );
    assert!(
        sheet.matches("font-weight=\"bold\"").count() >= 33
            && sheet.contains("Chin tuck (lying)")
            && sheet.contains("Levator scapulae stretch (seated)"),
        "rows"
    );
    let (_, _, err) = run_fail(env.cmd().args(["figure", "--all", "bridge"]));
    assert!(err.contains("cannot be used with"), "{err}");
    let (_, _, err) =
        run_fail(
            env.cmd()
                .args(["figure", "levator-scapulae-stretch", "--variant", "lying"]),
        );
    assert!(
        err.contains("has no variant called `lying`") && err.contains("use one of: seated"),
        "{err}"
    );
}

#[test]
fn a_broken_pose_is_reported_with_file_keyframe_and_joint() {
    let env = Env::new();
    let pose = r#"
[pose]
view = "side"
support = "floor"

[[pose.keyframes]]
name = "start"
trunk = 180
left_arm = [0, 0]
left_leg = [50, -56, 0]

[[pose.keyframes]]
name = "bad knee"
trunk = 180
left_arm = [0, 0]
left_leg = [10, 40, 0]
"#;
    env.write(
        "mine/my-move.toml",
        &format!("{}{pose}", valid_exercise("my-move")),
    );
    let dir = env.home().join("mine");
    let (code, _, err) = run_fail(env.cmd().args(["catalog", "check"]).arg(&dir));
    assert_eq!(code, 1);
    let file = dir.join("my-move.toml");
    assert!(
        err.contains(&format!(
            "{}:32:1: pose.keyframes `bad knee`.left_knee: bends backwards by 30 degrees",
            file.display()
        )),
        "{err}"
    );
    // No pose: no figure, and a clear message.
    env.write("mine2/no-pose.toml", &valid_exercise("no-pose"));
    let (_, _, err) = run_fail(
        env.cmd()
            .args(["figure", "no pose", "--catalog"])
            .arg(env.home().join("mine2")),
    );
    assert!(err.contains("no-pose has no pose data"), "{err}");
}
