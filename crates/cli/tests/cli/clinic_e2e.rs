//! The clinic's whole loop, end to end on PostgreSQL with real processes and Chromium: a
//! clinician is invited and logs in, adds a patient, keeps a template and prescribes from it;
//! the patient's data folder links with the code, syncs and plays the prescription; a flare
//! and an exercise that hurt come back as alerts, first on the dashboard; the clinician
//! acknowledges them, clears a same-day sign, and the patient's block lifts at the next sync;
//! messages go both ways. Every clinician page passes axe-core at a desktop's and a tablet's
//! size.

use std::time::Duration;

use backstretch_store_postgres::testing::TestCluster;

use crate::sync::{server_run, start_with};
use crate::util::{Env, run_fail, stdout_ok};
use crate::webdriver::{Browser, axe_source, chromium, serious_violations, wait_for};

const LONG: Duration = Duration::from_secs(20);

/// Checks the page with axe-core at 1280x800 and 820x1180, and keeps screenshots when
/// `BACKSTRETCH_SCREENSHOTS` names a folder.
fn checked(b: &Browser, axe: &str, what: &str) {
    let shots = std::env::var_os("BACKSTRETCH_SCREENSHOTS").map(std::path::PathBuf::from);
    for (w, h) in [(1280, 800), (820, 1180)] {
        b.size(w, h);
        let found = serious_violations(b, axe);
        assert!(found.is_empty(), "{what} at {w}x{h}: {found:#?}");
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).expect("screenshot dir");
            b.screenshot(&dir.join(format!("care-{what}-{w}x{h}.png")));
        }
    }
    b.size(1280, 800);
}

/// Clicks and waits for the next page's heading to hold `heading`.
fn click_to(b: &Browser, css: &str, heading: &str) {
    b.click(css);
    wait_for(heading, LONG, || {
        b.text("h1").contains(heading).then_some(())
    });
}

#[test]
fn in_chromium_on_postgres_a_clinician_prescribes_follows_is_alerted_and_clears() {
    if !chromium() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let db = TestCluster::shared().database();
    let address = db.address();
    let server = Env::fresh();
    let smtp_port = crate::mail::free_port();
    let sink = crate::mail::Sink::start(smtp_port);
    let smtp = format!("smtp://127.0.0.1:{smtp_port}");
    let running = start_with(
        &server,
        &[
            "--database".as_ref(),
            address.as_ref(),
            "--smtp".as_ref(),
            smtp.as_ref(),
            "--mail-from".as_ref(),
            "clinic@example.org".as_ref(),
        ],
    );
    let url = running.url.clone();
    let out = stdout_ok(&mut server_run(
        &server,
        Some(&address),
        &format!("clinician add ann.physio@example.org --url {url}"),
    ));
    let link = out
        .split_whitespace()
        .find(|w| w.contains("/invite?code="))
        .expect("a link")
        .to_string();
    let b = Browser::start(1280, 800);
    // 1. Invited, a password set, logged in.
    b.go(&link);
    b.type_into("#password", "correct horse battery");
    b.type_into("#again", "correct horse battery");
    b.click("form[action='/invite'] button[type=submit]");
    wait_for("the patients", LONG, || {
        b.url().ends_with("/clinic").then_some(())
    });
    // 2. Two patients; the first to be followed is mk-1985.
    for name in ["zz-2001", "mk-1985"] {
        b.go(&format!("{url}/clinic"));
        b.type_into("#name", name);
        click_to(
            &b,
            "form[action='/clinic/patients'] button[type=submit]",
            "A code for",
        );
    }
    let code = b.text("p.code strong");
    b.go(&format!("{url}/clinic"));
    b.click("main table a");
    wait_for("the patient's page", LONG, || {
        (b.text("h1") == "zz-2001" || b.text("h1") == "mk-1985").then_some(())
    });
    if b.text("h1") != "mk-1985" {
        b.go(&format!("{url}/clinic"));
        b.js(
            "[...document.querySelectorAll('main table a')].find(a => a.textContent === 'mk-1985').click()",
            &serde_json::json!([]),
        );
        wait_for("mk-1985's page", LONG, || {
            (b.text("h1") == "mk-1985").then_some(())
        });
    }
    let patient_page = b.url();
    prescribe_from_a_template(&b, &axe, &patient_page);

    // 3 and 4. The patient's data folder links, syncs and plays the prescription.
    let patient = Env::new();
    stdout_ok(&mut patient.run(&format!("sync link {url} {code}")));
    stdout_ok(&mut patient.run("sync"));
    let plan = stdout_ok(&mut patient.run("plan"));
    assert!(
        plan.contains("prescribed by ann.physio@example.org"),
        "{plan}"
    );
    let messages = stdout_ok(&mut patient.run("messages"));
    assert!(messages.contains("added you as a patient"), "{messages}");
    let played = stdout_ok(&mut patient.play("--pain-before 3 --pain-after 7"));
    assert!(played.contains("Session completed"), "{played}");
    let done = &patient.history()[0];
    let mut ids: Vec<&str> = done["exercises"]["done"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["knee-to-chest", "pelvic-tilt"], "{done}");
    // 5. A flare (3 to 7), and an exercise that hurt, logged by hand (the second time it
    // hurts lately is what the rules alert on).
    for _ in 0..2 {
        stdout_ok(
            &mut patient.run(
                "log --exercise pelvic-tilt --hurt pelvic-tilt --pain-before 4 --pain-after 4",
            ),
        );
    }
    stdout_ok(&mut patient.run("sync"));

    // 6. The alerts, the patient first on the dashboard.
    b.go(&format!("{url}/clinic"));
    let first_row = b.text("main table tbody tr");
    assert!(first_row.contains("mk-1985"), "{first_row}");
    checked(&b, &axe, "dashboard-alerts");
    b.go(&patient_page);
    let alerts = b.text("ul.alerts");
    assert!(
        alerts.contains("flare") || alerts.contains("Flare"),
        "{alerts}"
    );
    assert!(alerts.contains("hurt"), "{alerts}");
    checked(&b, &axe, "patient-alerts");
    // One e-mail per alert, to the clinician, naming the patient.
    let open = b.count("ul.alerts li");
    let mails = sink.wait_for(open);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(sink.messages().len(), open, "one e-mail per alert");
    for m in &mails {
        assert!(
            m.contains("ann.physio@example.org") && m.contains("mk-1985"),
            "{m}"
        );
    }
    // 7. Acknowledged, each once.
    while b.count("ul.alerts form button") > 0 {
        let before = b.count("ul.alerts form button");
        b.click("ul.alerts form button");
        wait_for("the acknowledgement", LONG, || {
            (b.count("ul.alerts form button") < before).then_some(())
        });
    }
    assert!(
        b.text("main")
            .contains("Acknowledged by ann.physio@example.org")
    );
    a_same_day_sign_is_cleared_and_the_block_lifts(&b, &axe, &patient, &patient_page);
    messages_go_both_ways(&b, &patient, &patient_page);
}

/// The clinician keeps a template from the planner, then prescribes from it.
fn prescribe_from_a_template(b: &Browser, axe: &str, patient_page: &str) {
    b.go(&format!("{patient_page}/prescribe"));
    checked(b, axe, "prescribe");
    b.click("#planner input[name=area][value=lower-back]");
    b.click("#planner input[name=place][value=floor]");
    click_to(b, "#planner button[type=submit]", "Preview");
    // By hand, for the template: two exercises at doses of the clinician's.
    b.go(&format!("{patient_page}/prescribe"));
    for id in ["pelvic-tilt", "knee-to-chest"] {
        b.click(&format!("#by-hand input[name=pick][value={id}]"));
    }
    click_to(b, "#by-hand button[type=submit]", "Preview");
    checked(b, axe, "preview");
    assert!(
        b.text("main")
            .contains("What mk-1985's devices will play today")
    );
    b.type_into("#template-name", "Lower back, week 1");
    click_to(b, "#save-template button[type=submit]", "Template saved");
    b.go(&format!("{patient_page}/prescribe"));
    click_to(b, "#from-template button[type=submit]", "Preview");
    b.click("#prescribe button[type=submit]");
    wait_for("the programme", LONG, || {
        b.text("main")
            .contains("Prescribed by ann.physio@example.org")
            .then_some(())
    });
    checked(b, axe, "patient-programme");
}

/// The patient reports a same-day sign: nothing is planned for them until the clinician's
/// clearance reaches their device; their own word is not enough in a clinic's care.
fn a_same_day_sign_is_cleared_and_the_block_lifts(
    b: &Browser,
    axe: &str,
    patient: &Env,
    patient_page: &str,
) {
    let (_, out, _) = run_fail(&mut patient.run("safety --answers one-leg-weakness"));
    assert!(
        out.contains("they can clear you to stretch in the clinic"),
        "{out}"
    );
    let (_, _, err) = run_fail(&mut patient.run("plan"));
    assert!(err.contains("one leg"), "{err}");
    let (_, _, err) = run_fail(&mut patient.run("safety --cleared one-leg-weakness"));
    assert!(err.contains("cleared by your clinician"), "{err}");
    stdout_ok(&mut patient.run("sync"));
    b.go(patient_page);
    checked(b, axe, "patient-sign");
    b.click("form[action$='/clear'] button");
    wait_for("the clearance", LONG, || {
        b.text("#signs ~ p")
            .contains("by ann.physio@example.org")
            .then_some(())
            .or_else(|| {
                b.text("main")
                    .contains("by ann.physio@example.org.")
                    .then_some(())
            })
    });
    let (_, _, err) = run_fail(&mut patient.run("plan"));
    assert!(err.contains("one leg"), "blocked until the sync: {err}");
    stdout_ok(&mut patient.run("sync"));
    let plan = stdout_ok(&mut patient.run("plan"));
    assert!(
        plan.contains("prescribed by ann.physio@example.org"),
        "{plan}"
    );
}

/// The clinician writes; the patient reads it after a sync and writes back.
fn messages_go_both_ways(b: &Browser, patient: &Env, patient_page: &str) {
    b.go(patient_page);
    b.type_into(
        "#message",
        "Well done this week. Keep the knee-to-chest gentle.",
    );
    b.click("form[action$='/messages'] button");
    wait_for("the message", LONG, || {
        b.text("ol.thread")
            .contains("Well done this week")
            .then_some(())
    });
    stdout_ok(&mut patient.run("sync"));
    let thread = stdout_ok(&mut patient.run("messages"));
    assert!(thread.contains("Well done this week"), "{thread}");
    stdout_ok(&mut patient.run("messages send Thank you, it went well"));
    stdout_ok(&mut patient.run("sync"));
    b.go(patient_page);
    assert!(b.text("ol.thread").contains("Thank you, it went well"));
}
