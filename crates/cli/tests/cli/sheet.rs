//! Printed sheets, checked with poppler's real tools (pdftotext, pdfinfo, pdffonts), and
//! logging what was done from one: by its code, or as the day's planned routine.

use std::path::Path;
use std::process::Command as Std;

use crate::util::{Env, run_fail, stdout_ok};

/// Whether poppler's tools are here; in CI they must be (scripts/test installs them).
fn poppler() -> bool {
    if Std::new("pdftotext").arg("-v").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "poppler-utils is required in CI (scripts/test installs it)"
    );
    eprintln!("skipping: poppler-utils is not installed (scripts/test installs it)");
    false
}

/// Runs a poppler tool on a file; pdftotext writes to standard output (`-`).
fn tool(name: &str, args: &[&str], file: &Path) -> String {
    let mut c = Std::new(name);
    c.args(args).arg(file);
    if name == "pdftotext" {
        c.arg("-");
    }
    let out = c.output().expect(name);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The text with every run of white space as one space (lines wrap anywhere).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const TEN_MINUTES: &[&str] = &[
    "--area",
    "lower-back",
    "--area",
    "neck",
    "--place",
    "chair",
    "--place",
    "bed",
    "--minutes",
    "10",
    "--date",
    "2026-11-20",
];

fn sheet(env: &Env, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["sheet"];
    args.extend_from_slice(TEN_MINUTES);
    args.extend_from_slice(extra);
    let out_arg = out.to_str().expect("utf-8 path");
    args.extend_from_slice(&["--out", out_arg]);
    stdout_ok(env.cmd().args(&args))
}

fn plan_json(env: &Env) -> serde_json::Value {
    let mut args = vec!["plan", "--format", "json"];
    args.extend_from_slice(TEN_MINUTES);
    serde_json::from_str(&stdout_ok(env.cmd().args(&args))).expect("plan JSON")
}

/// `log --sheet CODE` with pain 1 -> 1 and the extra arguments, expected to fail.
fn log_sheet_fails(env: &Env, code: &str, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "log",
        "--sheet",
        code,
        "--pain-before",
        "1",
        "--pain-after",
        "1",
    ];
    args.extend_from_slice(extra);
    let (status, _, err) = run_fail(env.cmd().args(&args));
    (status, err)
}

/// The code `sheet` printed.
fn code_of(stdout: &str) -> String {
    stdout
        .split("Its code is ")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .expect("a code")
        .to_string()
}

#[test]
fn a_pdf_sheet_has_every_exercise_dose_caution_the_code_and_the_warning_signs() {
    if !poppler() {
        return;
    }
    let env = Env::new();
    let pdf = env.home().join("sheet.pdf");
    let said = sheet(&env, &pdf, &[]);
    let code = code_of(&said);
    let text = flat(&tool("pdftotext", &["-layout"], &pdf));
    let text_raw = flat(&tool("pdftotext", &[], &pdf));
    let plan = plan_json(&env);
    for item in plan["items"].as_array().expect("items") {
        let name = item["name"].as_str().expect("name");
        assert!(text_raw.contains(name), "{name} missing");
        let dose = &item["dose"];
        let short = format!("{} s x {}", dose["hold_s"], dose["reps"]);
        assert!(text_raw.contains(&short), "{name}: {short} missing");
        let id = item["exercise_id"].as_str().expect("id");
        let shown = flat(&stdout_ok(
            env.cmd().args(["catalog", "show", id, "--format", "json"]),
        ));
        let entry: serde_json::Value = serde_json::from_str(&shown).expect("entry JSON");
        for c in entry["cautions"].as_array().expect("cautions") {
            let c = flat(c.as_str().expect("text"));
            assert!(text_raw.contains(&c), "{name}: caution {c:?} missing");
        }
    }
    assert!(text.contains(&code), "code {code} missing");
    assert!(
        text_raw
            .contains("Numb groin, bladder or bowel change, both legs weak: emergency care now"),
        "warning signs missing"
    );
    assert!(text_raw.contains("Stop if it is sharper"));
    assert!(text_raw.contains(&format!("backstretch log --sheet {code}")));

    let info = tool("pdfinfo", &[], &pdf);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");
    assert!(
        (1..=2).contains(&pages),
        "a 10-minute sheet has {pages} pages"
    );
    assert!(info.contains("595.28 x 841.89 pts (A4)"), "{info}");
    let size = std::fs::metadata(&pdf).expect("file").len();
    assert!(size < 300 * 1024, "{size} bytes");

    let fonts = tool("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for r in rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        // name type... emb sub uni object-id generation
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {r}");
    }
}

#[test]
fn letter_paper_four_weeks_and_the_same_bytes_twice() {
    if !poppler() {
        return;
    }
    let env = Env::new();
    let a = env.home().join("a.pdf");
    let b = env.home().join("b.pdf");
    sheet(&env, &a, &["--paper", "letter", "--weeks", "4"]);
    sheet(&env, &b, &["--paper", "letter", "--weeks", "4"]);
    assert_eq!(
        std::fs::read(&a).expect("a"),
        std::fs::read(&b).expect("b"),
        "two runs differ"
    );
    let info = tool("pdfinfo", &[], &a);
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    let text = flat(&tool("pdftotext", &[], &a));
    // Four weeks from Fri 20 Nov: the grid ends on Thu 17 Dec.
    assert!(text.contains("Pain before (0-10)"), "{text}");
    assert!(text.contains("14 15 16 17"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&a).expect("a").permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
    }
}

#[test]
fn an_html_sheet_and_bad_requests() {
    let env = Env::new();
    let html = env.home().join("sheet.html");
    sheet(&env, &html, &["--paper", "letter"]);
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.contains("@page{size:letter"));
    assert!(page.contains("<svg viewBox"));
    for item in plan_json(&env)["items"].as_array().expect("items") {
        let name = item["name"].as_str().expect("name");
        assert!(page.contains(name), "{name}");
    }

    let (code, _, err) = run_fail(env.cmd().args(["sheet", "--out", "x.docx"]));
    assert_eq!(code, 1);
    assert!(err.contains("end the file name with .pdf"), "{err}");
    let (code, _, err) = run_fail(&mut env.run("sheet --weeks 6 --out x.pdf"));
    assert_eq!(code, 2);
    assert!(err.contains("use 1, 2, 3 or 4"), "{err}");
    let (code, _, err) = run_fail(&mut env.run("sheet --paper a3 --out x.pdf"));
    assert_eq!(code, 2);
    assert!(err.contains("a4") && err.contains("letter"), "{err}");
    assert!(!env.home().join("x.pdf").exists());
}

#[test]
fn log_by_sheet_code_records_what_was_printed() {
    let env = Env::new();
    let html = env.home().join("sheet.html");
    let code = code_of(&sheet(&env, &html, &[]));
    let plan = plan_json(&env);
    let ids: Vec<&str> = plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["exercise_id"].as_str().expect("id"))
        .collect();
    let (skip, hurt) = (ids[0], ids[1]);
    // Typed from paper: lower case, no hyphen.
    let typed = code.replace('-', "").to_lowercase();
    let out = stdout_ok(env.cmd().args([
        "log",
        "--sheet",
        &typed,
        "--pain-before",
        "5",
        "--pain-after",
        "3",
        "--date",
        "2026-11-20T08:00",
        "--skip",
        skip,
        "--hurt",
        hurt,
    ]));
    assert!(out.contains("(1 skipped)"), "{out}");
    // The same feedback as the player's summary (issue 28, item 13).
    assert!(out.contains("Pain 3: green, no worse than before"), "{out}");
    let h = env.history();
    assert_eq!(h.len(), 1);
    let ex = &h[0]["exercises"];
    assert_eq!(ex["skipped"], serde_json::json!([skip]));
    assert_eq!(ex["hurt"], serde_json::json!([hurt]));
    let mut done: Vec<&str> = ex["done"]
        .as_array()
        .expect("done")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    done.sort_unstable();
    let mut want: Vec<&str> = ids[2..].to_vec();
    want.sort_unstable();
    assert_eq!(done, want);
    assert_eq!(h[0]["pain_before"], 5);

    // A code nobody printed, and one that cannot be a code.
    let (code1, err) = log_sheet_fails(&env, "ZZZZ-ZZZZ", &[]);
    assert_eq!(code1, 1);
    assert!(
        err.contains("no sheet printed here has the code ZZZZ-ZZZZ"),
        "{err}"
    );
    let (code2, err) = log_sheet_fails(&env, "K7QM", &[]);
    assert_eq!(code2, 2);
    assert!(err.contains("a routine code has 8"), "{err}");
    // Skipping something not on the sheet, or skipping and hurting one exercise.
    let (_, err) = log_sheet_fails(&env, &code, &["--skip", "standing-hamstring-stretch"]);
    assert!(
        err.contains(&format!(
            "--skip `standing-hamstring-stretch` is not in sheet {code}"
        )),
        "{err}"
    );
    let (_, err) = log_sheet_fails(&env, &code, &["--skip", skip, "--hurt", skip]);
    assert!(err.contains("both --skip and --hurt"), "{err}");
    assert_eq!(
        env.history().len(),
        1,
        "nothing logged by a refused command"
    );
}

#[test]
fn log_without_exercises_records_the_day_s_planned_routine() {
    let env = Env::new();
    let (code, _, err) = run_fail(&mut env.run("log --pain-before 3 --pain-after 2"));
    assert_eq!(code, 1);
    assert!(err.contains("no areas and places to plan for"), "{err}");
    stdout_ok(&mut env.run("profile set --area lower-back --place bed --minutes 5"));
    let out = stdout_ok(&mut env.run("log --pain-before 4 --pain-after 2 --date 2026-11-19T19:00"));
    let plan: serde_json::Value = serde_json::from_str(&stdout_ok(
        &mut env.run("plan --format json --date 2026-11-19"),
    ))
    .expect("plan JSON");
    assert_eq!(plan["exhaustive"], true);
    assert!(
        plan["alternatives"].as_u64().is_some_and(|n| n >= 1),
        "{plan}"
    );
    let names: Vec<&str> = plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name"))
        .collect();
    let first = out.lines().next().expect("a line");
    assert_eq!(
        first,
        format!(
            "No exercise named, so this logs the routine your profile plans for Thu 19 Nov: {}.",
            names.join(", ")
        )
    );
    let h = env.history();
    let ids: Vec<&str> = plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["exercise_id"].as_str().expect("id"))
        .collect();
    let mut done: Vec<&str> = h[0]["exercises"]["done"]
        .as_array()
        .expect("done")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    let mut want = ids.clone();
    done.sort_unstable();
    want.sort_unstable();
    assert_eq!(done, want);
    assert_eq!(h[0]["source"], "manual");
}
