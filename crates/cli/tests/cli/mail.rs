//! Alert e-mails, end to end: a real `backstretch server` sends through a real SMTP server
//! (aiosmtpd, from Debian's python3-aiosmtpd) on loopback. A linked patient's sessions raise
//! alerts; each reaches their clinician once, holding the patient's label and link and no
//! secret; a server killed and started again sends none twice; with the relay down, the
//! e-mail arrives once it is back.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::clinic::http;
use crate::sync::{Running, start_logging};
use crate::util::{Env, days_ago, run_fail, stdout_ok};
use crate::webdriver::wait_for;

/// Debian's Python, which has Debian's aiosmtpd (another `python3` on the PATH may not).
const PYTHON: &str = "/usr/bin/python3";
const PASSWORD: &str = "correct horse battery";
const LONG: Duration = Duration::from_secs(60);

/// An SMTP server on 127.0.0.1 that keeps each message as a file; killed when dropped.
pub(crate) struct Sink {
    child: Child,
    dir: tempfile::TempDir,
}

impl Sink {
    pub(crate) fn start(port: u16) -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(PYTHON)
            .arg("-c")
            .arg(include_str!("smtp_sink.py"))
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{PYTHON} runs ({e}): install python3-aiosmtpd"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.trim() != "ready" {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
            panic!("the SMTP sink did not start (is python3-aiosmtpd installed?): {err}");
        }
        Sink { child, dir }
    }

    /// The messages taken so far, in order.
    pub(crate) fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Waits until it holds `n` messages; them.
    pub(crate) fn wait_for(&self, n: usize) -> Vec<String> {
        wait_for(&format!("{n} e-mails"), LONG, || {
            let m = self.messages();
            (m.len() >= n).then_some(m)
        })
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on loopback nothing listens on now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `server --listen LISTEN --smtp` to the relay at `port`, its log in `log`; and what it said
/// as it started.
fn serve(server: &Env, listen: &str, port: u16, log: &Path) -> (Running, String) {
    let smtp = format!("smtp://127.0.0.1:{port}");
    let args = [
        "--smtp",
        &smtp,
        "--mail-from",
        "backstretch clinic <clinic@example.org>",
    ];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(AsRef::as_ref).collect();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    start_logging(server, listen, &args, log.into())
}

/// A form posted to the server at `url` with `cookie`; the whole answer.
fn post(url: &str, path: &str, form: &str, cookie: &str) -> String {
    http(
        url,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: HOST\r\nOrigin: {url}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        ),
    )
}

fn get(url: &str, path: &str, cookie: &str) -> String {
    http(
        url,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: HOST\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    )
}

/// A clinician added, invited and logged in: their invitation's code and session cookie.
fn clinician(server: &Env, url: &str, email: &str) -> (String, String) {
    let out = stdout_ok(&mut server.run(&format!("server clinician add {email} --url {url}")));
    let code = out
        .split_whitespace()
        .find_map(|w| w.split("/invite?code=").nth(1))
        .unwrap_or_else(|| panic!("no link in {out}"))
        .to_string();
    let pw = PASSWORD.replace(' ', "+");
    let answer = post(
        url,
        "/invite",
        &format!("code={code}&email=x&password={pw}&again={pw}"),
        "",
    );
    let cookie = answer
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie: "))
        .map(|l| &l["set-cookie: ".len()..])
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no cookie in {answer}"))
        .to_string();
    (code, cookie)
}

/// What an alert e-mail says the alert is: "a flare, on Mon 7 Dec 2026".
fn what(message: &str) -> String {
    message
        .split("A patient of yours needs attention:\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no alert in {message}"))
        .trim_end_matches('.')
        .to_string()
}

/// The alerts the patient's page shows (none are acknowledged here).
fn alerts_shown(url: &str, patient: &str, cookie: &str) -> usize {
    get(url, patient, cookie).matches("/ack\"").count()
}

#[test]
fn each_alert_emails_its_clinician_once_across_a_restart_and_a_relay_down() {
    let (server, device) = (Env::fresh(), Env::new());
    let log = server.home().join("server.log");
    let port = free_port();
    let sink = Sink::start(port);
    let (running, _) = serve(&server, "127.0.0.1:0", port, &log);
    let url = running.url.clone();
    let (ann_invite, ann) = clinician(&server, &url, "ann.physio@example.org");
    let (bob_invite, _) = clinician(&server, &url, "bob@example.org");
    let page = post(&url, "/clinic/patients", "name=mk-1985", &ann);
    let code = page
        .split("backstretch sync link ")
        .nth(1)
        .and_then(|l| l.split('<').next())
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("no code in {page}"))
        .to_string();
    stdout_ok(&mut device.run(&format!("sync link {url} {code}")));
    let list = get(&url, "/clinic", &ann);
    let patient = list
        .split('"')
        .find(|w| w.starts_with("/clinic/patients/"))
        .unwrap_or_else(|| panic!("no patient in {list}"))
        .to_string();
    // A session from 3 to 8: a flare and high pain, each an e-mail to ann (bob has no
    // patient: none to him).
    let logged = |before: u8, after: u8, ago: i64| {
        stdout_ok(&mut device.run(&format!(
            "log --exercise bridge --pain-before {before} --pain-after {after} --date {}",
            days_ago(ago)
        )));
    };
    logged(3, 8, 3);
    let mail = sink.wait_for(2);
    assert_eq!(alerts_shown(&url, &patient, &ann), 2);
    let token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(device.home().join("sync.json")).unwrap())
            .unwrap();
    let secrets = [
        ann_invite.as_str(),
        bob_invite.as_str(),
        code.as_str(),
        ann.trim_start_matches("backstretch_clinic="),
        token["token"].as_str().unwrap(),
        PASSWORD,
    ];
    for m in &mail {
        assert!(
            m.starts_with("X-Envelope-To: ann.physio@example.org\n"),
            "{m}"
        );
        for holds in [
            "Subject: backstretch: a patient needs attention",
            "From: backstretch clinic <clinic@example.org>",
            "Patient: mk-1985",
            &format!("\n{url}{patient}\n"),
        ] {
            assert!(m.contains(holds), "{holds} in {m}");
        }
        for s in secrets {
            assert!(!m.contains(s), "a secret in {m}");
        }
        assert!(!m.contains("8 after") && !m.contains("bridge"), "{m}");
    }
    let mut kinds: Vec<String> = mail.iter().map(|m| what(m)).collect();
    kinds.sort();
    assert!(
        kinds[0].starts_with("a flare, on ") && kinds[1].starts_with("high pain, on "),
        "{kinds:?}"
    );

    // Killed and started again: nothing is sent twice; the next alerts are sent.
    drop(running);
    let listen = url.trim_start_matches("http://");
    let (running, _) = serve(&server, listen, port, &log);
    logged(9, 9, 2);
    let n = alerts_shown(&url, &patient, &ann);
    assert!(n > 2, "a new alert");
    let mail = sink.wait_for(n);
    let mut all: Vec<String> = mail.iter().map(|m| what(m)).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "each alert once: {mail:#?}");

    // The relay down: the e-mail waits, and goes once it is back.
    drop(sink);
    logged(9, 9, 1);
    wait_for("a failed try in the log", LONG, || {
        let said = std::fs::read_to_string(&log).unwrap();
        said.contains("alert e-mail not sent; trying again in")
            .then_some(())
    });
    let more = alerts_shown(&url, &patient, &ann) - n;
    assert!(more > 0, "a new alert");
    let sink = Sink::start(port);
    let mail = sink.wait_for(more);
    let mut late: Vec<String> = mail.iter().map(|m| what(m)).collect();
    late.sort();
    late.dedup();
    assert_eq!(late.len(), more, "{mail:#?}");
    assert!(
        late.iter().all(|w| !all.contains(w)),
        "only the new ones: {late:?} after {all:?}"
    );
    drop(running);
}

#[test]
fn bad_email_settings_are_named_and_the_start_up_line_says_when_email_is_off() {
    let server = Env::fresh();
    for (args, says) in [
        (
            "--smtp http://mail.example.org --mail-from a@example.org",
            "--smtp: ",
        ),
        (
            "--smtp smtp://mail.example.org/x --mail-from a@example.org",
            "no path",
        ),
        ("--smtp smtp://127.0.0.1:2525", "--smtp needs --mail-from"),
        (
            "--mail-from a@example.org",
            "--mail-from is used only with --smtp",
        ),
        (
            "--smtp smtp://127.0.0.1:2525 --mail-from nobody",
            "--mail-from: ",
        ),
        ("--url ftp://clinic.example.org", "--url: "),
    ] {
        let (code, _, err) =
            run_fail(&mut server.run(&format!("server --listen 127.0.0.1:0 {args}")));
        assert_eq!(code, 1, "{args}");
        assert!(err.contains(says), "{args}: {err}");
    }
    let (running, said) = start_logging(&server, "127.0.0.1:0", &[], Stdio::null());
    assert!(said.contains("Alert e-mails are off (no --smtp)"), "{said}");
    drop(running);
    let port = free_port();
    let (running, said) = serve(&server, "127.0.0.1:0", port, &server.home().join("log"));
    assert!(
        said.contains(&format!(
            "Alert e-mails go through smtp://127.0.0.1:{port} (plain, on this machine), from backstretch clinic <clinic@example.org>, with links to {}/.",
            running.url
        )),
        "{said}"
    );
}
