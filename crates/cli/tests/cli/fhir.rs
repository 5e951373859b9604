//! `export fhir` is a valid HL7 FHIR R4 Bundle, as the third-party `fhir.resources` (PyPI,
//! 6.4.0: FHIR 4.0.1) parses it: every resource, each as its own type. scripts/test installs
//! it in a venv under target/; outside CI a test without it is skipped with a note.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{Env, days_ago, stdout_ok};

/// The venv's python, or None (skipped, with a note) when it is absent outside CI.
fn fhir_python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/fhir-venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fhir.resources is required in CI (scripts/test installs it in target/fhir-venv)"
    );
    eprintln!(
        "skipping: no FHIR validator at {} (scripts/test installs it)",
        python.display()
    );
    None
}

/// Validates a Bundle with scripts/fhir-validate.py; its resource types.
fn validate(python: &Path, bundle: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, bundle).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fhir-validate.py");
    let out = Command::new(python)
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}\n{bundle}");
    let b: Value = serde_json::from_str(bundle).unwrap();
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap().to_string())
        .collect()
}

/// The CLI's Bundle, with a profile (so a care plan) and sessions with pain scores: a
/// Patient, the CarePlan, the ServiceRequest of its programme, a Procedure per session and
/// an Observation per pain score, each valid R4.
#[test]
fn the_clis_fhir_bundle_is_valid_r4_with_every_resource_it_should_hold() {
    let Some(python) = fhir_python() else { return };
    let env = Env::new();
    stdout_ok(&mut env.run("profile set --area lower-back --place floor"));
    for ago in [2, 1] {
        stdout_ok(env.cmd().args([
            "log",
            "--pain-before",
            "4",
            "--pain-after",
            "3",
            "--date",
            &days_ago(ago),
            "--exercise",
            "pelvic-tilt",
        ]));
    }
    let bundle = stdout_ok(env.cmd().args(["export", "fhir"]));
    let kinds = validate(&python, &bundle);
    let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
    assert_eq!(
        [
            count("Patient"),
            count("CarePlan"),
            count("ServiceRequest"),
            count("Procedure"),
            count("Observation")
        ],
        [1, 1, 1, 2, 4],
        "{kinds:?}"
    );
}

/// The function measure (PSFS) in the Bundle: an Observation per activity score and one for
/// the mean, valid R4 as `fhir.resources` reads them.
#[test]
fn the_function_measure_exports_as_valid_observations() {
    let Some(python) = fhir_python() else { return };
    let env = Env::new();
    stdout_ok(env.cmd().args([
        "function",
        "set",
        "carrying shopping=4",
        "sitting an hour=6",
        "tying shoelaces=5",
    ]));
    let bundle = stdout_ok(env.cmd().args(["export", "fhir"]));
    let kinds = validate(&python, &bundle);
    assert_eq!(
        kinds.iter().filter(|k| *k == "Observation").count(),
        4,
        "{kinds:?}"
    );
    let b: Value = serde_json::from_str(&bundle).unwrap();
    let mean = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["code"]["coding"][0]["code"] == "mean-score")
        .unwrap();
    assert_eq!(mean["valueQuantity"]["value"], 5.0);
    assert_eq!(mean["hasMember"].as_array().unwrap().len(), 3);
}
