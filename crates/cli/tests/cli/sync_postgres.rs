//! The sync server on PostgreSQL, end to end with real processes: two server processes on one
//! database serve the same person, and a restart of PostgreSQL under load loses nothing (the
//! server reconnects; the devices' syncs that met it fail in words and go through when tried
//! again).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::ScopedJoinHandle;
use std::time::Duration;

use backstretch_store_postgres::testing::{PrivateCluster, TestCluster};

use crate::sync::{
    code_in, linked_on, local_heads, many_sessions, server_run, server_status, session_uids,
    start_with,
};
use crate::util::{Env, stdout_ok};

/// Two server processes on one PostgreSQL database, each with its own data folder: a device
/// linked through one and a device linked through the other see each other's sessions.
#[test]
fn two_server_processes_on_one_postgres_serve_the_same_person() {
    let db = TestCluster::shared().database();
    let address = db.address();
    let (_first_home, first, devices) = linked_on(Some(&address), 1);
    let laptop = &devices[0];
    let other = Env::fresh();
    let second = start_with(&other, &["--database".as_ref(), address.as_ref()]);
    assert_ne!(first.url, second.url);
    // The second server's own data folder adds the phone's code: the people are the
    // database's, not a folder's.
    let code = code_in(&stdout_ok(&mut server_run(
        &other,
        Some(&address),
        "user code ann",
    )));
    let phone = Env::new();
    stdout_ok(&mut phone.run(&format!("sync link {} {code}", second.url)));

    stdout_ok(&mut laptop.run(
        "log --exercise bridge --exercise cat-camel --pain-before 6 --pain-after 2 --date 2026-12-01",
    ));
    let out = stdout_ok(&mut laptop.run("sync"));
    assert!(
        out.starts_with(&format!("Synced with {}", first.url)),
        "{out}"
    );
    let out = stdout_ok(&mut phone.run("sync"));
    assert!(
        out.starts_with(&format!("Synced with {}", second.url)),
        "{out}"
    );
    assert!(!out.contains("fetched 0 changes"), "{out}");
    let history = phone.history();
    let logged: Vec<_> = history.iter().filter(|s| s["pain_before"] == 6).collect();
    assert_eq!(logged.len(), 1, "{history:?}");
    assert_eq!(logged[0]["pain_after"], 2);

    // And back: what the phone logs through the second reaches the laptop through the first.
    stdout_ok(&mut phone.run("log --exercise bridge --pain-before 5 --pain-after 4"));
    stdout_ok(&mut laptop.run("sync"));
    assert_eq!(session_uids(laptop), session_uids(&phone));
    assert_eq!(session_uids(laptop).len(), 2);
    assert_eq!(server_status(laptop).1, server_status(&phone).1);
    for device in [laptop, &phone] {
        let out = stdout_ok(&mut device.run("sync verify"));
        assert!(
            out.starts_with("This log and the server's agree: "),
            "{out}"
        );
    }
}

/// How many times at most each device syncs while PostgreSQL restarts: the loops stop once
/// the restarts are done, long before.
const ROUNDS: usize = 60;

/// PostgreSQL restarted twice (`pg_ctl stop -m fast`, as an administrator does) while three
/// devices sync in a loop, each with a batch of sessions to send and a session logged before
/// each sync: the server process stays up and reconnects; a sync that met a restart failed in
/// words that say to try again (the server's 503), never the server's 500; and afterwards
/// every device's sync goes through, and the devices and the server agree.
#[test]
fn postgres_restarted_under_load_the_server_reconnects_and_syncs_go_through() {
    let cluster = PrivateCluster::started();
    let address = cluster.address("postgres");
    let (_server, mut running, devices) = linked_on(Some(&address), 3);
    for (i, device) in devices.iter().enumerate() {
        let file = many_sessions(device, &format!("device{i}"), 150);
        stdout_ok(&mut device.run(&format!("import {file}")));
    }
    let (synced, done) = (&AtomicUsize::new(0), &AtomicBool::new(false));
    let failed: Vec<String> = std::thread::scope(|scope| {
        // The loops stop however this ends: a panic here would wait for all their rounds.
        let _stop = Stop(done);
        let loops: Vec<_> = devices
            .iter()
            .map(|d| scope.spawn(move || sync_loop(d, synced, done)))
            .collect();
        // The first restart once a sync is through (the others are still sending or
        // fetching their batches), the second once three more are.
        let mut after = 1;
        for _ in 0..2 {
            wait_for(synced, after, &loops);
            cluster.restart();
            after = synced.load(Ordering::SeqCst) + devices.len();
        }
        wait_for(synced, after, &loops);
        done.store(true, Ordering::SeqCst);
        loops
            .into_iter()
            .flat_map(|l| l.join().expect("a device's loop"))
            .collect()
    });
    assert!(
        running.child.try_wait().unwrap().is_none(),
        "the server process stayed up"
    );
    eprintln!("{} syncs failed while PostgreSQL restarted", failed.len());
    for said in &failed {
        assert!(said.contains("cannot reach its database"), "{said}");
        assert!(!said.contains("could not answer"), "no 500: {said}");
    }
    // Tried again, every sync goes through; a second round fetches what the others sent last.
    for _ in 0..2 {
        for device in &devices {
            let out = stdout_ok(&mut device.run("sync"));
            assert!(
                out.starts_with(&format!("Synced with {}", running.url)),
                "{out}"
            );
        }
    }
    let uids = session_uids(&devices[0]);
    assert!(uids.len() > 3 * 150, "{}", uids.len());
    assert!(uids.windows(2).all(|w| w[0] != w[1]), "nothing twice");
    for device in &devices {
        let out = stdout_ok(&mut device.run("sync verify"));
        assert!(
            out.starts_with("This log and the server's agree: "),
            "{out}"
        );
        assert_eq!(server_status(device).1, local_heads(device).1);
        assert_eq!(session_uids(device), uids, "nothing lost");
    }
}

/// Sets its flag when dropped.
struct Stop<'a>(&'a AtomicBool);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Logs a session and syncs `device`, again and again until `done` (at most [`ROUNDS`]
/// times; the first round only syncs), counting each sync in `synced`. What each sync that
/// failed said: the error of a `sync`, the line of a session's own sync.
fn sync_loop(device: &Env, synced: &AtomicUsize, done: &AtomicBool) -> Vec<String> {
    let mut failed = Vec::new();
    for round in 0..ROUNDS {
        if done.load(Ordering::SeqCst) {
            break;
        }
        if round > 0 {
            let day = round % 28 + 1;
            let out = device
                .run(&format!(
                    "log --exercise bridge --pain-before 4 --pain-after 3 --date 2026-11-{day:02}T09:00"
                ))
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "the session is kept: {err}");
            failed.extend(
                err.lines()
                    .filter(|l| l.contains("Not synced"))
                    .map(String::from),
            );
        }
        let out = device.run("sync").output().unwrap();
        if !out.status.success() {
            failed.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        synced.fetch_add(1, Ordering::SeqCst);
    }
    failed
}

/// Waits until `count` reaches `n`, or until every loop has ended (a test whose loops ended
/// early fails on what they said, rather than waiting for ever).
fn wait_for(count: &AtomicUsize, n: usize, loops: &[ScopedJoinHandle<'_, Vec<String>>]) {
    while count.load(Ordering::SeqCst) < n && !loops.iter().all(ScopedJoinHandle::is_finished) {
        std::thread::sleep(Duration::from_millis(10));
    }
}
