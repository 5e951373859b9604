//! The sync server and the link to it, end to end: `server` on loopback in a data folder of
//! its own, `server user add/code`, and `sync link/status/unlink` from other data folders.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::util::{Env, run_fail, stdout_ok};

/// A running `backstretch server` on 127.0.0.1, stopped when dropped.
pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(home: &Env) -> Running {
    start_with(home, &[])
}

/// `server --listen 127.0.0.1:0` with more arguments; its address from the line it prints.
pub(crate) fn start_with(home: &Env, more: &[&std::ffi::OsStr]) -> Running {
    start_at(home, "127.0.0.1:0", more)
}

/// `server --listen ADDR` with more arguments; its address from the line it prints.
fn start_at(home: &Env, listen: &str, more: &[&std::ffi::OsStr]) -> Running {
    start_logging(home, listen, more, Stdio::null()).0
}

/// The same, with the server's log (its standard error) going to `log`; and the two lines it
/// prints as it starts (its address, and whether it sends alert e-mails).
pub(crate) fn start_logging(
    home: &Env,
    listen: &str,
    more: &[&std::ffi::OsStr],
    log: Stdio,
) -> (Running, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_backstretch"))
        .args(["server", "--listen", listen])
        .args(more)
        .env("BACKSTRETCH_HOME", home.home())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("starts");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches(['/', '.'])
        .to_string();
    out.read_line(&mut line).unwrap();
    (Running { child, url }, line)
}

/// The code in `server user add/code`'s answer.
pub(crate) fn code_in(out: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("backstretch sync link"))
        .unwrap_or_else(|| panic!("no command in {out}"));
    line.split_whitespace().last().unwrap().to_string()
}

#[test]
fn a_device_links_with_a_one_time_code_sees_the_link_and_unlinks() {
    let server = Env::fresh();
    let running = start(&server);
    let url = &running.url;
    let added = stdout_ok(&mut server.run(&format!("server user add ann --url {url}")));
    assert!(added.starts_with("Added ann."), "{added}");
    assert!(added.contains("works once"), "{added}");
    let code = code_in(&added);
    let (_, _, err) = run_fail(&mut server.run("server user add ann"));
    assert!(err.contains("already taken"), "{err}");
    let (_, _, err) = run_fail(&mut server.run("server user code bob"));
    assert!(
        err.contains("no one called `bob`") && err.contains("user add bob"),
        "{err}"
    );

    let laptop = Env::new();
    let out = stdout_ok(&mut laptop.run("sync status"));
    assert!(out.starts_with("Not linked"), "{out}");
    let out = stdout_ok(&mut laptop.run(&format!("sync link {url} {code} --name laptop")));
    assert!(
        out.starts_with(&format!("Linked to {url} as `laptop`")),
        "{out}"
    );
    let mode = std::fs::metadata(laptop.home().join("sync.json")).unwrap();
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    let (_, _, err) = run_fail(&mut laptop.run(&format!("sync link {url} {code}")));
    assert!(err.contains("already linked"), "{err}");

    // The code is spent: another device needs another code.
    let phone = Env::new();
    let (_, _, err) = run_fail(&mut phone.run(&format!("sync link {url} {code}")));
    assert!(
        err.contains("not on offer") && err.contains("server user code"),
        "{err}"
    );
    let second = code_in(&stdout_ok(&mut server.run("server user code ann")));
    stdout_ok(&mut phone.run(&format!("sync link {url} {second} --name phone")));
    let status = stdout_ok(&mut laptop.run("sync status"));
    assert!(status.contains("laptop (this one): linked"), "{status}");
    assert!(status.contains("phone: linked"), "{status}");
    assert!(
        status
            .contains("1 change made here is not on the server yet: `backstretch sync` sends it."),
        "{status}"
    );
    stdout_ok(&mut laptop.run("sync"));
    let status = stdout_ok(&mut laptop.run("sync status"));
    assert!(
        status.contains("The server has every change made here (1 change)."),
        "{status}"
    );

    let out = stdout_ok(&mut laptop.run("sync unlink"));
    assert!(out.starts_with(&format!("Unlinked from {url}")), "{out}");
    assert!(stdout_ok(&mut laptop.run("sync status")).starts_with("Not linked"));
    let status = stdout_ok(&mut phone.run("sync status"));
    assert!(
        status.contains("laptop: linked ") && status.contains(", unlinked "),
        "{status}"
    );
}

#[test]
fn the_server_refuses_a_network_without_tls_and_a_bad_address_is_named() {
    let server = Env::fresh();
    let (code, _, err) = run_fail(&mut server.run("server --listen 0.0.0.0:0"));
    assert_eq!(code, 1);
    assert!(
        err.contains("plain text") && err.contains("--cert"),
        "{err}"
    );
    let (_, _, err) = run_fail(&mut server.run("server user add ann%"));
    assert!(err.contains("cannot be a name"), "{err}");
    let laptop = Env::new();
    let (_, _, err) = run_fail(&mut laptop.run("sync link sync.example AAAA-BBBB-CCCC"));
    assert!(err.contains("not a server's address"), "{err}");
    let (_, _, err) = run_fail(&mut laptop.run("sync link http://127.0.0.1:9 AAAA-BBBB-CCCC"));
    assert!(err.contains("cannot reach the sync server"), "{err}");
    assert!(!laptop.home().join("sync.json").exists());
}

/// Regression: linking from a data folder that did not exist yet spent the code on the server,
/// then could not keep the token. The folder is made first.
#[test]
fn a_first_link_from_a_new_data_folder_keeps_its_token() {
    let server = Env::fresh();
    let running = start(&server);
    let url = &running.url;
    let code = code_in(&stdout_ok(&mut server.run("server user add ann")));
    let parent = tempfile::tempdir().unwrap();
    let home = parent.path().join("new");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_backstretch"))
        .args(["--home", home.to_str().unwrap(), "sync", "link", url, &code])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home.join("sync.json").is_file());
}

/// Over HTTPS with a certificate of the practice's own making: a device that does not trust
/// it is refused, one given it with `--ca` links.
#[test]
fn a_device_links_over_https_when_it_trusts_the_certificate() {
    let server = Env::fresh();
    let certs = tempfile::tempdir().unwrap();
    backstretch_web::tls::certificate(certs.path(), &["127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    let running = start_with(
        &server,
        &[
            "--cert".as_ref(),
            cert.as_os_str(),
            "--key".as_ref(),
            key.as_os_str(),
        ],
    );
    let url = &running.url;
    let code = code_in(&stdout_ok(&mut server.run("server user add ann")));
    let laptop = Env::new();
    let (_, _, err) = run_fail(&mut laptop.run(&format!("sync link {url} {code}")));
    assert!(
        err.contains("cannot reach") && err.contains("--ca"),
        "{err}"
    );
    let out = stdout_ok(
        laptop
            .run(&format!("sync link {url} {code} --ca"))
            .arg(&cert),
    );
    assert!(out.starts_with(&format!("Linked to {url}")), "{out}");
    assert!(stdout_ok(&mut laptop.run("sync status")).contains("(this one): linked"));
}

/// A server with ann's two devices linked to it: (its data folder, it running, the laptop,
/// the phone).
fn two_linked() -> (Env, Running, Env, Env) {
    let server = Env::fresh();
    let running = start(&server);
    let (laptop, phone) = (Env::new(), Env::new());
    for (device, ask) in [(&laptop, "add"), (&phone, "code")] {
        let code = code_in(&stdout_ok(
            &mut server.run(&format!("server user {ask} ann")),
        ));
        stdout_ok(&mut device.run(&format!("sync link {} {code}", running.url)));
    }
    (server, running, laptop, phone)
}

/// Two devices of one person: what one logs, the other shows after both sync; syncing again
/// changes nothing.
#[test]
fn a_session_logged_on_one_device_shows_on_the_other_after_sync() {
    let (_server, running, laptop, phone) = two_linked();
    let url = &running.url;
    stdout_ok(&mut laptop.run(
        "log --exercise bridge --exercise cat-camel --pain-before 5 --pain-after 3 --date 2026-12-01",
    ));
    stdout_ok(&mut laptop.run("profile set --area neck --place chair --minutes 5"));
    let out = stdout_ok(&mut laptop.run("sync"));
    assert!(
        out.starts_with(&format!("Synced with {url}: sent ")),
        "{out}"
    );
    assert!(!out.contains("sent 0 changes"), "{out}");
    let out = stdout_ok(&mut phone.run("sync"));
    assert!(out.starts_with("Synced with"), "{out}");
    let history = phone.history();
    let logged: Vec<_> = history.iter().filter(|s| s["pain_before"] == 5).collect();
    assert_eq!(logged.len(), 1, "{history:?}");
    assert_eq!(logged[0]["pain_after"], 3);
    let profile = stdout_ok(&mut phone.run("profile show --format json"));
    assert!(profile.contains("\"neck\""), "{profile}");
    let again = stdout_ok(&mut phone.run("sync"));
    assert!(
        again.ends_with("sent 0 changes, fetched 0 changes.\n"),
        "{again}"
    );
    let again = stdout_ok(&mut laptop.run("sync"));
    assert!(again.contains("sent 0 changes"), "{again}");
    assert_eq!(laptop.history().len(), phone.history().len());
    for device in [&laptop, &phone] {
        let out = stdout_ok(&mut device.run("sync verify"));
        assert!(
            out.starts_with("This log and the server's agree: "),
            "{out}"
        );
    }
    // A change not yet sent is named, with a failing exit, until the next sync.
    stdout_ok(&mut phone.run("profile set --area neck --place chair --minutes 7"));
    let out = phone.run("sync verify").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("differ in: profile."), "{said}");
    stdout_ok(&mut phone.run("sync"));
    assert!(stdout_ok(&mut phone.run("sync verify")).contains("agree"));
}

/// A linked log syncs by itself after a session (one line); with the server gone it says so
/// in one line, keeps the session, and the next sync sends it.
#[test]
fn a_linked_log_syncs_after_each_session_and_a_failure_is_one_line() {
    let server = Env::fresh();
    let running = start(&server);
    let url = running.url.clone();
    let laptop = Env::new();
    let code = code_in(&stdout_ok(&mut server.run("server user add ann")));
    stdout_ok(&mut laptop.run(&format!("sync link {url} {code}")));
    let out = laptop
        .run("log --exercise bridge --pain-before 4 --pain-after 3")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("Synced with {url}.")), "{err}");
    drop(running);
    let out = laptop
        .run("log --exercise cat-camel --pain-before 4 --pain-after 3")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the session is logged whatever the server"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("Not synced"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("`backstretch sync` tries again"), "{err}");
    assert_eq!(laptop.history().len(), 2);
}

#[test]
fn a_server_backup_restores_into_another_data_folder() {
    let (server, elsewhere) = (Env::fresh(), Env::fresh());
    stdout_ok(&mut server.run("server user add ann"));
    let file = elsewhere.home().join("backup.sqlite");
    let out = stdout_ok(server.run("server backup --out").arg(&file));
    assert!(out.starts_with("Backed up the server to "), "{out}");
    let (_, _, err) = run_fail(server.run("server backup --out").arg(&file));
    assert!(err.contains("already there"), "{err}");
    let restored = Env::fresh();
    let out = stdout_ok(restored.run("server restore").arg(&file));
    assert!(out.starts_with("Restored the server"), "{out}");
    let code = stdout_ok(&mut restored.run("server user code ann"));
    assert!(code.starts_with("A new code for ann."), "{code}");
    let (_, _, err) = run_fail(
        restored
            .run("server restore")
            .arg(elsewhere.home().join("none")),
    );
    assert!(err.contains("cannot restore"), "{err}");
}

/// A session played in the web player of a linked log reaches the server by itself, and the
/// person's other device fetches it.
#[test]
fn a_session_in_the_web_player_of_a_linked_log_syncs_by_itself() {
    use crate::webdriver::http;
    let (_server, _running, laptop, phone) = two_linked();
    stdout_ok(&mut laptop.run("disclaimer --accept"));
    stdout_ok(&mut laptop.run("profile set --area neck --place chair --minutes 5"));
    stdout_ok(&mut laptop.run("safety --answers none"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_backstretch"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("BACKSTRETCH_HOME", laptop.home())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // Stopped when the test ends, however it ends.
    let serve = Running {
        child: serve,
        url: String::new(),
    };
    let (status, begun) =
        http("POST", port, "/api/sessions", Some(r#"{"pain_before": 6}"#)).unwrap();
    assert_eq!(status, 201, "{begun}");
    let id = serde_json::from_str::<Value>(&begun).unwrap()["id"]
        .as_i64()
        .unwrap();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let done = format!(r#"{{"pain_after": 4, "ending": "stopped", "at": "{now}"}}"#);
    let (status, body) = http(
        "POST",
        port,
        &format!("/api/sessions/{id}/finish"),
        Some(&done),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let mut seen = false;
    for _ in 0..50 {
        stdout_ok(&mut phone.run("sync"));
        if phone
            .history()
            .iter()
            .any(|s| s["pain_before"] == 6 && s["pain_after"] == 4)
        {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    drop(serve);
    assert!(seen, "the web session never reached the phone");
}

/// Regression: a log with many whole sessions (an import) pushed 500 events at once, more
/// than the server takes in one request (413), so it could never sync. Pushes are bounded by
/// size.
#[test]
fn a_large_imported_log_syncs_in_requests_the_server_takes() {
    let (_server, _running, laptop, phone) = two_linked();
    stdout_ok(
        &mut laptop
            .play("--area lower-back --place floor --minutes 10 --pain-before 3 --pain-after 2"),
    );
    let one: Value = serde_json::from_str(&stdout_ok(&mut laptop.run("export json"))).unwrap();
    let mut file = one.clone();
    let base = one["sessions"][0].clone();
    let many: Vec<Value> = (0..400)
        .map(|i| {
            let mut s = base.clone();
            s["uid"] = Value::String(format!("copy-{i}"));
            s
        })
        .collect();
    file["sessions"] = Value::Array(many);
    let path = laptop.write("many.json", &file.to_string());
    assert!(
        std::fs::metadata(&path).unwrap().len() > 8 << 20,
        "more than one request takes"
    );
    stdout_ok(laptop.run("import").arg(&path));
    let out = stdout_ok(&mut laptop.run("sync"));
    assert!(out.contains("sent 4"), "{out}");
    stdout_ok(&mut phone.run("sync"));
    assert_eq!(phone.history().len(), 401);
}

// Faults: the server killed during pushes, a device offline for weeks, a device restored from
// an old backup, and two devices whose clocks disagree.

/// A person's server with `n` devices linked to their log.
fn linked(n: usize) -> (Env, Running, Vec<Env>) {
    linked_on(None, n)
}

/// `server WORDS` in a server's data folder, on the PostgreSQL `database` if given.
pub(crate) fn server_run(server: &Env, database: Option<&str>, words: &str) -> assert_cmd::Command {
    let mut c = server.run(&format!("server {words}"));
    if let Some(address) = database {
        c.arg("--database").arg(address);
    }
    c
}

/// A person's server, on the PostgreSQL `database` if given (else its SQLite file), with `n`
/// devices linked to their log.
pub(crate) fn linked_on(database: Option<&str>, n: usize) -> (Env, Running, Vec<Env>) {
    let server = Env::fresh();
    let on: Vec<&std::ffi::OsStr> = match database {
        Some(d) => vec!["--database".as_ref(), d.as_ref()],
        None => vec![],
    };
    let running = start_with(&server, &on);
    let devices: Vec<Env> = (0..n)
        .map(|i| {
            let ask = if i == 0 { "add" } else { "code" };
            let code = code_in(&stdout_ok(&mut server_run(
                &server,
                database,
                &format!("user {ask} ann"),
            )));
            let device = Env::new();
            stdout_ok(&mut device.run(&format!("sync link {} {code}", running.url)));
            device
        })
        .collect();
    (server, running, devices)
}

/// What the server holds of a device's log: the device its token speaks for, and the last
/// event of every series.
pub(crate) fn server_status(device: &Env) -> (String, std::collections::BTreeMap<String, u64>) {
    let link: Value =
        serde_json::from_str(&std::fs::read_to_string(device.home().join("sync.json")).unwrap())
            .unwrap();
    let mut r = ureq::get(format!(
        "{}/api/v1/status",
        link["server"].as_str().unwrap()
    ))
    .header(
        "Authorization",
        format!("Bearer {}", link["token"].as_str().unwrap()),
    )
    .call()
    .unwrap();
    let v: Value = r.body_mut().read_json().unwrap();
    (
        v["device"].as_str().unwrap().to_string(),
        serde_json::from_value(v["heads"].clone()).unwrap(),
    )
}

/// A log's own device id and the last event of every series it holds.
pub(crate) fn local_heads(device: &Env) -> (String, std::collections::BTreeMap<String, u64>) {
    use backstretch_store::{SqliteStore, Store, UserId};
    let log = SqliteStore::open(&device.home().join("backstretch.sqlite")).unwrap();
    let heads = log.event_heads(&UserId::local()).unwrap();
    (log.device().unwrap(), heads.into_iter().collect())
}

/// The uids of a log's sessions, sorted (a session twice shows twice).
pub(crate) fn session_uids(device: &Env) -> Vec<String> {
    let mut uids: Vec<String> = device
        .history()
        .iter()
        .map(|s| s["uid"].as_str().unwrap().to_string())
        .collect();
    uids.sort();
    uids
}

/// An export of `n` sessions (uids `tag-0`...), to import as if played on a device.
pub(crate) fn many_sessions(into: &Env, tag: &str, n: usize) -> String {
    let src = Env::new();
    stdout_ok(&mut src.run(
        "log --exercise bridge --exercise cat-camel --pain-before 4 --pain-after 3 --date 2026-10-01T09:00",
    ));
    let mut file: Value = serde_json::from_str(&stdout_ok(&mut src.run("export json"))).unwrap();
    let proto = file["sessions"][0].clone();
    file["sessions"] = (0..n)
        .map(|i| {
            let mut s = proto.clone();
            s["uid"] = format!("{tag}-{i}").into();
            s
        })
        .collect::<Vec<_>>()
        .into();
    let path = into.home().join(format!("{tag}.json"));
    std::fs::write(&path, file.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// The port a running server listens on.
fn port(r: &Running) -> u16 {
    r.url.rsplit(':').next().unwrap().parse().unwrap()
}

/// SIGKILL the server while a device pushes pages of events: after a restart on the same
/// data folder and a retry, the server and the other device hold every event once.
#[test]
fn the_server_killed_during_pushes_loses_and_duplicates_nothing() {
    let (server, mut running, devices) = linked(2);
    let (laptop, phone) = (&devices[0], &devices[1]);
    let file = many_sessions(laptop, "bulk", 1000);
    stdout_ok(&mut laptop.run(&format!("import {file}")));
    let (me, heads) = local_heads(laptop);
    let total = heads[&me];
    let before = server_status(phone).1.get(&me).copied().unwrap_or(0);
    assert!(total > before + 500, "pages to push: {total}");

    let sync = std::process::Command::new(env!("CARGO_BIN_EXE_backstretch"))
        .args(["sync"])
        .env("BACKSTRETCH_HOME", laptop.home())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let seen = loop {
        let held = server_status(phone).1.get(&me).copied().unwrap_or(0);
        if held > before {
            break held;
        }
        assert!(std::time::Instant::now() < deadline, "nothing pushed");
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    running.child.kill().unwrap();
    running.child.wait().unwrap();
    assert!(seen < total, "killed half way: {seen} of {total}");
    let out = sync.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "the sync saw the server go: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let _again = start_at(&server, &format!("127.0.0.1:{}", port(&running)), &[]);
    let out = stdout_ok(&mut laptop.run("sync"));
    assert!(out.contains("sent "), "{out}");
    assert_eq!(server_status(phone).1[&me], total, "0 events lost");
    stdout_ok(&mut phone.run("sync"));
    assert_eq!(local_heads(phone).1[&me], total);
    let uids = session_uids(phone);
    assert_eq!(uids.len(), 1000);
    assert_eq!(uids, session_uids(laptop), "0 duplicated, 0 lost");
}

/// A device offline for weeks logs its sessions (each says it could not sync); one sync then
/// sends them all, a page at a time, and the other device fetches them all.
#[test]
fn a_device_offline_for_weeks_sends_everything_in_one_sync() {
    let (server, running, devices) = linked(2);
    let (laptop, phone) = (&devices[0], &devices[1]);
    let at = port(&running);
    drop(running);
    for day in 1..=28 {
        let out = laptop
            .run(&format!(
                "log --exercise bridge --pain-before 4 --pain-after 3 --date 2026-11-{day:02}T09:00"
            ))
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("Not synced"));
    }
    let file = many_sessions(laptop, "weeks", 600);
    stdout_ok(&mut laptop.run(&format!("import {file}")));
    let _running = start_at(&server, &format!("127.0.0.1:{at}"), &[]);
    let (me, mine) = local_heads(laptop);
    let held = server_status(laptop).1.get(&me).copied().unwrap_or(0);
    let out = stdout_ok(&mut laptop.run("sync"));
    assert!(
        out.contains(&format!("sent {} changes", mine[&me] - held)),
        "{out}"
    );
    assert!(mine[&me] - held > 500, "more than a page");
    let out = stdout_ok(&mut phone.run("sync"));
    assert!(
        out.contains(&format!("fetched {} changes", mine[&me] - held)),
        "{out}"
    );
    assert_eq!(session_uids(phone).len(), 628);
    assert_eq!(session_uids(phone), session_uids(laptop));
}

/// Copies a data folder's files (the log and the link), as a backup does.
fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A device restored from an old backup has a series that disagrees with the server's: it
/// takes a new device id (in one line), sends again what the server lacks, takes back what
/// it lost, and both devices converge with nothing twice.
#[test]
fn a_device_restored_from_an_old_backup_takes_a_new_id_and_converges() {
    let (_server, _running, devices) = linked(2);
    let (laptop, phone) = (&devices[0], &devices[1]);
    let log = |env: &Env, day: u32| {
        let out = env
            .run(&format!(
                "log --exercise bridge --pain-before 4 --pain-after 3 --date 2026-11-{day:02}T09:00"
            ))
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    log(laptop, 1);
    let backup = tempfile::tempdir().unwrap();
    copy_folder(laptop.home(), backup.path());
    let (old, _) = local_heads(laptop);
    log(laptop, 2);
    log(laptop, 3);
    stdout_ok(&mut laptop.run("profile set --area neck --place chair --minutes 6"));
    stdout_ok(&mut laptop.run("sync"));
    log(phone, 4);

    // The laptop's folder is restored from the backup, and a session is logged on it.
    for entry in std::fs::read_dir(laptop.home()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    copy_folder(backup.path(), laptop.home());
    assert_eq!(laptop.history().len(), 1);
    let err = log(laptop, 5);
    let said: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("syncs as a new device"))
        .collect();
    assert_eq!(said.len(), 1, "{err}");
    assert!(said[0].contains("restored from an older copy"), "{err}");
    assert!(err.contains("Synced with"), "{err}");
    let (new, _) = local_heads(laptop);
    assert_ne!(new, old);
    assert_eq!(
        server_status(laptop).0,
        new,
        "the token speaks for the new id"
    );
    let status = stdout_ok(&mut laptop.run("sync status"));
    assert!(status.contains("(this one): linked"), "{status}");

    stdout_ok(&mut phone.run("sync"));
    let again = stdout_ok(&mut laptop.run("sync"));
    assert!(
        again.contains("sent 0 changes, fetched 0 changes"),
        "{again}"
    );
    let uids = session_uids(laptop);
    assert_eq!(
        uids.len(),
        5,
        "the sessions lost by the restore came back: {uids:?}"
    );
    assert_eq!(
        session_uids(phone),
        uids,
        "nothing twice on the other device"
    );
    for device in [laptop, phone] {
        let profile = stdout_ok(&mut device.run("profile show --format json"));
        assert!(profile.contains("\"minutes\": 6"), "{profile}");
    }
}

/// Two devices whose clocks differ by an hour converge: the profile by the latest time wins
/// on both, whichever was written last by the wall clock.
#[test]
fn two_devices_whose_clocks_differ_by_an_hour_converge() {
    let (_server, _running, devices) = linked(2);
    let (laptop, phone) = (&devices[0], &devices[1]);
    let ahead = |env: &Env, words: &str, skew: &str| {
        stdout_ok(env.run(words).env("BACKSTRETCH_CLOCK_SKEW", skew))
    };
    // The laptop's clock is an hour ahead: its profile, set first, is the latest by time.
    ahead(
        laptop,
        "profile set --area neck --place chair --minutes 7",
        "3600",
    );
    ahead(
        laptop,
        "log --exercise bridge --pain-before 4 --pain-after 3",
        "3600",
    );
    stdout_ok(&mut phone.run("profile set --area neck --place chair --minutes 9"));
    stdout_ok(&mut phone.run("log --exercise cat-camel --pain-before 5 --pain-after 3"));
    for device in [laptop, phone, laptop] {
        stdout_ok(&mut device.run("sync"));
    }
    let minutes = |env: &Env| {
        let v: Value =
            serde_json::from_str(&stdout_ok(&mut env.run("profile show --format json"))).unwrap();
        v["minutes"].clone()
    };
    assert_eq!((minutes(laptop), minutes(phone)), (7.into(), 7.into()));
    // The phone's next profile, two hours ahead, is later than the laptop's: it wins on both.
    ahead(
        phone,
        "profile set --area neck --place chair --minutes 11",
        "7200",
    );
    for device in [phone, laptop] {
        stdout_ok(&mut device.run("sync"));
    }
    assert_eq!((minutes(laptop), minutes(phone)), (11.into(), 11.into()));
    assert_eq!(session_uids(laptop), session_uids(phone));
    assert_eq!(session_uids(laptop).len(), 2);
}

#[test]
fn a_clock_skew_that_is_not_seconds_is_refused() {
    let env = Env::new();
    let (code, _, err) = run_fail(env.run("history").env("BACKSTRETCH_CLOCK_SKEW", "an hour"));
    assert_eq!(code, 1);
    assert!(err.contains("not a number of seconds"), "{err}");
}
