//! The sync server on PostgreSQL, end to end with real processes: two server processes on one
//! database serve the same person.

use backstretch_store_postgres::testing::TestCluster;

use crate::sync::{code_in, linked_on, server_run, server_status, session_uids, start_with};
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
