//! The clinic from the terminal: `server clinician add/invite` print the invitation link, a
//! real server sets the password through it, and `server audit` lists what happened.

use std::io::{Read, Write};

use crate::sync::start_with;
use crate::util::{Env, run_fail, stdout_ok};

/// One HTTP/1.1 request to the server at `url` (http://127.0.0.1:PORT); the whole answer.
pub(crate) fn http(url: &str, request: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request.replace("HOST", addr).as_bytes())
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn a_clinician_is_invited_sets_a_password_and_the_audit_log_shows_it() {
    let server = Env::fresh();
    let running = start_with(&server, &[]);
    let url = &running.url;
    let out = stdout_ok(&mut server.run(&format!(
        "server clinician add ann.physio@example.org --url {url}"
    )));
    assert!(out.contains("works once"), "{out}");
    let link = out
        .split_whitespace()
        .find(|w| w.contains("/invite?code="))
        .unwrap_or_else(|| panic!("no link in {out}"));
    let code = link.split("code=").nth(1).unwrap();
    let (_, _, err) = run_fail(&mut server.run("server clinician add ANN.physio@example.org"));
    assert!(err.contains("already a clinician's"), "{err}");
    let (_, _, err) = run_fail(&mut server.run("server clinician add ann"));
    assert!(err.contains("not an e-mail address"), "{err}");
    let (_, _, err) = run_fail(&mut server.run("server clinician invite bob@example.org"));
    assert!(
        err.contains("no clinician has") && err.contains("clinician add bob@example.org"),
        "{err}"
    );

    let page = http(
        url,
        &format!("GET /invite?code={code} HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"),
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let body =
        format!("code={code}&email=x&password=correct+horse+battery&again=correct+horse+battery");
    let origin = url.clone();
    let answer = http(
        url,
        &format!(
            "POST /invite HTTP/1.1\r\nHost: HOST\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains("HttpOnly; SameSite=Strict"), "{answer}");

    let again = stdout_ok(&mut server.run(&format!(
        "server clinician invite ann.physio@example.org --url {url}"
    )));
    assert!(
        again.contains("/invite?code=") && !again.contains(code),
        "{again}"
    );
    let audit = stdout_ok(&mut server.run("server audit"));
    let lines: Vec<&str> = audit.lines().collect();
    assert_eq!(lines.len(), 3, "{audit}");
    assert!(
        lines[0].starts_with("1  ")
            && lines[0].contains("server  clinician added: ann.physio@example.org  from console"),
        "{audit}"
    );
    assert!(
        lines[1].contains("ann.physio@example.org  password set; login  from 127."),
        "{audit}"
    );
    assert!(!audit.contains("correct horse"), "{audit}");
    let rest = stdout_ok(&mut server.run("server audit --after 2"));
    assert_eq!(rest.lines().count(), 1, "{rest}");
    assert!(stdout_ok(&mut server.run("server audit --after 3")).contains("no lines after"));
}

/// In Chromium: the invitation sets the password, the clinician lands on their patients,
/// logs out, is refused a wrong password with a message by the form, and logs in again; every
/// page passes axe-core (no serious or critical violation) at 1280x800 and 820x1180.
#[test]
fn in_chromium_a_clinician_sets_a_password_logs_out_and_in_with_no_axe_violation() {
    use crate::webdriver::{Browser, axe_source, chromium, serious_violations, wait_for};
    if !chromium() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let server = Env::fresh();
    let running = start_with(&server, &[]);
    let url = &running.url;
    let out = stdout_ok(&mut server.run(&format!(
        "server clinician add ann.physio@example.org --url {url}"
    )));
    let link = out
        .split_whitespace()
        .find(|w| w.contains("/invite?code="))
        .expect("a link")
        .to_string();
    let b = Browser::start(1280, 800);
    let shots = std::env::var_os("BACKSTRETCH_SCREENSHOTS").map(std::path::PathBuf::from);
    let check = |what: &str| {
        for (w, h) in [(1280, 800), (820, 1180)] {
            b.size(w, h);
            let found = serious_violations(&b, &axe);
            assert!(found.is_empty(), "{what} at {w}x{h}: {found:#?}");
            if let Some(dir) = &shots {
                std::fs::create_dir_all(dir).expect("screenshot dir");
                b.screenshot(&dir.join(format!("clinic-{what}-{w}x{h}.png")));
            }
        }
    };
    let long = std::time::Duration::from_secs(20);
    b.go(&link);
    check("invite");
    b.type_into("#password", "correct horse battery");
    b.type_into("#again", "correct horse battery");
    b.click("form[action='/invite'] button[type=submit]");
    wait_for("the patients", long, || {
        b.url().ends_with("/clinic").then_some(())
    });
    assert!(b.text("header").contains("ann.physio@example.org"));
    check("patients");
    b.type_into("#name", "mk-1985");
    b.click("form[action='/clinic/patients'] button[type=submit]");
    wait_for("the code page", long, || {
        b.text("h1").contains("A code for mk-1985").then_some(())
    });
    assert_eq!(b.count("figure svg"), 1, "a QR code");
    check("patient-code");
    b.go(&format!("{url}/clinic"));
    check("patient-list");
    b.click("main table a");
    wait_for("the patient's page", long, || {
        (b.text("h1") == "mk-1985").then_some(())
    });
    check("patient");
    b.go(&format!("{url}/account"));
    check("account");
    b.click("form[action='/account/totp'] button[type=submit]");
    wait_for("the second factor's setup", long, || {
        b.text("h1")
            .contains("Set up a second factor")
            .then_some(())
    });
    assert_eq!(b.count("figure svg"), 1, "a QR code");
    check("totp-setup");
    b.go(&format!("{url}/clinic"));
    b.click("main table a");
    wait_for("the patient's page again", long, || {
        (b.text("h1") == "mk-1985").then_some(())
    });
    b.click("form.logout button");
    wait_for("the login page", long, || {
        b.text("h1").contains("Clinician login").then_some(())
    });
    check("login");
    b.type_into("#email", "ann.physio@example.org");
    b.type_into("#password", "not the password");
    b.click("form[action='/login'] button[type=submit]");
    wait_for("the refusal", long, || {
        b.text("main").contains("do not match").then_some(())
    });
    check("login-refused");
    b.type_into("#password", "correct horse battery");
    b.click("form[action='/login'] button[type=submit]");
    wait_for("the patients again", long, || {
        b.url().ends_with("/clinic").then_some(())
    });
}

/// `messages` outside a practice's care says how to link; sending is refused in words, with
/// nothing written.
#[test]
fn messages_outside_a_clinic_say_how_to_link() {
    let env = Env::new();
    let out = stdout_ok(&mut env.run("messages"));
    assert!(out.contains("sync link"), "{out}");
    let (_, _, err) = run_fail(&mut env.run("messages send hello there"));
    assert!(
        err.contains("not linked to a practice") && err.contains("backstretch sync link"),
        "{err}"
    );
    let (_, _, err) = run_fail(&mut env.run("messages send"));
    assert!(err.contains("TEXT"), "{err}");
    let out = stdout_ok(&mut env.run("messages --format json"));
    assert_eq!(out.trim(), "[]");
}

/// A clinician added to the server at `url`, who sets a password with their invitation
/// over HTTP: their session's cookie (`name=value`).
fn clinician(server: &Env, url: &str) -> String {
    let out = stdout_ok(&mut server.run(&format!(
        "server clinician add ann.physio@example.org --url {url}"
    )));
    let code = out
        .split_whitespace()
        .find_map(|w| w.split("/invite?code=").nth(1))
        .unwrap_or_else(|| panic!("no link in {out}"))
        .to_string();
    let body =
        format!("code={code}&email=x&password=correct+horse+battery&again=correct+horse+battery");
    let answer = post(url, "/invite", "", &body);
    answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no cookie in {answer}"))
        .to_string()
}

/// A form posted to the server at `url` from its own page, with the cookie (`name=value`,
/// or empty); the whole answer.
fn post(url: &str, path: &str, cookie: &str, body: &str) -> String {
    http(
        url,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: HOST\r\nOrigin: {url}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// A patient added at the clinic links a device, which syncs; their clinician erases them;
/// the device's next sync is refused in words, and it unlinks.
#[test]
fn an_erased_patients_device_is_told_when_it_syncs_and_unlinks() {
    let server = Env::fresh();
    let running = start_with(&server, &[]);
    let url = &running.url;
    let session = clinician(&server, url);
    let page = post(url, "/clinic/patients", &session, "name=mk-1985");
    let code = page
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .find(|w| w.len() == 14 && w.matches('-').count() == 2)
        .unwrap_or_else(|| panic!("no code in {page}"));
    let phone = Env::new();
    stdout_ok(&mut phone.run("profile set --area lower-back --place floor"));
    stdout_ok(&mut phone.run(&format!("sync link {url} {code}")));
    stdout_ok(
        phone
            .cmd()
            .args(["log", "--pain-before", "4", "--pain-after", "3"]),
    );
    stdout_ok(&mut phone.run("sync"));
    let list = http(
        url,
        &format!(
            "GET /clinic HTTP/1.1\r\nHost: HOST\r\nCookie: {session}\r\nConnection: close\r\n\r\n"
        ),
    );
    let href = list
        .split('"')
        .find(|w| w.starts_with("/clinic/patients/"))
        .unwrap_or_else(|| panic!("no patient in {list}"));
    let erased = post(url, &format!("{href}/erase"), &session, "confirm=mk-1985");
    assert!(
        erased.starts_with("HTTP/1.1 200") && erased.contains("mk-1985 is erased"),
        "{erased}"
    );
    let (_, _, err) = run_fail(&mut phone.run("sync"));
    assert!(
        err.contains("erased at the practice's request") && err.contains("sync unlink"),
        "{err}"
    );
    let out = stdout_ok(&mut phone.run("sync unlink"));
    assert!(out.contains("Unlinked"), "{out}");
    assert_eq!(phone.history().len(), 1, "the phone's own log is untouched");
    let audit = stdout_ok(&mut server.run("server audit"));
    assert!(
        audit.contains("ann.physio@example.org  erased everything held about the patient (GDPR)"),
        "{audit}"
    );
}

/// `server --require-totp`: a clinician who has set a password reaches their account page
/// only (to set up a second factor), not their patients.
#[test]
fn a_server_that_requires_totp_sends_a_clinician_to_set_it_up() {
    let server = Env::fresh();
    let running = start_with(&server, &["--require-totp".as_ref()]);
    let url = &running.url;
    let session = clinician(&server, url);
    let session = session.as_str();
    let get = |path: &str| {
        http(
            url,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: HOST\r\nCookie: {session}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let patients = get("/clinic");
    assert!(
        patients.starts_with("HTTP/1.1 303") && patients.contains("location: /account"),
        "{patients}"
    );
    let account = get("/account");
    assert!(
        account.starts_with("HTTP/1.1 200")
            && account.contains("The practice asks every clinician"),
        "{account}"
    );
    // The operator turns a lost phone's second factor off; ann has none yet.
    let out = stdout_ok(&mut server.run("server clinician totp-off ann.physio@example.org"));
    assert!(out.contains("nothing to turn off"), "{out}");
    let (_, _, err) = run_fail(&mut server.run("server clinician totp-off bob@example.org"));
    assert!(err.contains("no clinician has"), "{err}");
}
