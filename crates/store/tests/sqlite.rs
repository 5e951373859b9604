//! The SQLite backend's own promises, on real files: private permissions, WAL, a refused
//! newer file, foreign files named as such, and concurrent first opens.

use std::path::Path;

use backstretch_store::{SCHEMA_VERSION, SqliteStore, Store, StoreError, UserId};
use rusqlite::Connection;

fn version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_new_log_is_private_in_wal_mode_at_the_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sqlite");
    let s = SqliteStore::open(&path).unwrap();
    s.accept_disclaimer(
        &UserId::local(),
        1,
        backstretch_core::time::Stamp::parse("2026-11-21T09:00:00+00:00").unwrap(),
    )
    .unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for name in ["log.sqlite", "log.sqlite-wal", "log.sqlite-shm"] {
            let p = dir.path().join(name);
            if p.exists() {
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{name} is {mode:o}");
            }
        }
    }
    let mode: String = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_file_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sqlite");
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let e = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::TooNew { found: 99, .. }), "{e}");
    assert!(e.to_string().contains("upgrade backstretch"));
    assert_eq!(version(&path), 99);
}

/// Regression: another program's database, or a negative version, printed migration SQL.
#[test]
fn another_programs_database_is_named_as_such_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.sqlite");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY);")
        .unwrap();
    let e = SqliteStore::open(&other).unwrap_err().to_string();
    assert!(
        e.contains("is not a backstretch log") && e.contains("photos"),
        "{e}"
    );
    assert!(!e.contains("CREATE TABLE"), "{e}");
    assert_eq!(version(&other), 0);

    let negative = dir.path().join("neg.sqlite");
    Connection::open(&negative)
        .unwrap()
        .execute_batch("PRAGMA user_version = -3;")
        .unwrap();
    let e = SqliteStore::open(&negative).unwrap_err().to_string();
    assert!(
        e.contains("is not a backstretch log") && e.contains("-3"),
        "{e}"
    );

    let text = dir.path().join("notes.sqlite");
    std::fs::write(
        &text,
        "just some text, not a database at all, long enough to matter",
    )
    .unwrap();
    let e = SqliteStore::open(&text).unwrap_err().to_string();
    assert!(e.contains("is not a backstretch log"), "{e}");
}

/// Regression: commands started at once on a new data directory failed with "table profile
/// already exists"; the version is read inside the migrating transaction.
#[test]
fn many_first_opens_at_once_all_succeed() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sqlite");
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let p = path.clone();
                std::thread::spawn(move || SqliteStore::open(&p).map(|s| s.schema_version()))
            })
            .collect();
        for h in handles {
            let r = h.join().unwrap();
            assert!(
                matches!(r, Ok(Ok(v)) if v == SCHEMA_VERSION),
                "round {round}: {r:?}"
            );
        }
    }
}

/// The change marker sees a write by another connection (the terminal while the web server
/// has the log open), so nothing computed from the old log is served after it.
#[test]
fn the_change_marker_sees_another_connections_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sqlite");
    let server = SqliteStore::open(&path).unwrap();
    let terminal = SqliteStore::open(&path).unwrap();
    let before = server.change_marker().unwrap().unwrap();
    terminal
        .accept_disclaimer(
            &UserId::local(),
            1,
            backstretch_core::time::Stamp::parse("2026-11-21T09:00:00+00:00").unwrap(),
        )
        .unwrap();
    assert_ne!(server.change_marker().unwrap().unwrap(), before);
}

/// What migrations 0014 on (the clinic, then desk breaks and coaching: clinicians, their patients, alerts, the audit log,
/// the quiet days and the alert e-mails owed) added, removed again, for a log taken back to an
/// older version.
const SINCE_14: &str = "DROP TABLE function_scores; ALTER TABLE session_steps DROP COLUMN rated; ALTER TABLE session_steps DROP COLUMN effort; ALTER TABLE sessions DROP COLUMN hold_s;
     ALTER TABLE sessions DROP COLUMN desk_break; DROP TABLE erased_tokens; DROP TABLE totp_logins; DROP INDEX audit_by_patient;
     DROP TABLE alert_mail; DROP TABLE templates; DROP TABLE practice_exercises;
     DROP TABLE prescriptions; DROP TABLE messages; ALTER TABLE clearances DROP COLUMN cleared_by; ALTER TABLE people DROP COLUMN quiet_days;
     DROP TABLE alerts; DROP TABLE care_team; DROP TABLE clinician_sessions;
     DROP TABLE invitations; DROP TABLE audit; DROP TABLE clinicians;";

/// A log from before sessions kept their tallies gets them from its steps when it is opened.
#[test]
fn an_older_log_gets_every_sessions_tally_from_its_steps() {
    use backstretch_core::player::Outcome;
    use backstretch_core::routine::Routine;
    use backstretch_core::session::{Ending, SessionSource, StepRecord};
    use backstretch_core::stats::SessionFact;
    use backstretch_core::time::Stamp;
    use backstretch_core::timeline::StepKind;
    use backstretch_store::NewSession;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sqlite");
    let u = UserId::local();
    let at = |s: &str| Stamp::parse(s).unwrap();
    let routine = Routine::default();
    {
        let s = SqliteStore::open(&path).unwrap();
        for (i, outcome) in [Outcome::Done, Outcome::Hurt].into_iter().enumerate() {
            let uid = format!("s{i}");
            let new = NewSession {
                uid: &uid,
                started_at: at(&format!("2026-11-2{i}T08:00:00+01:00")),
                source: SessionSource::Manual,
                routine: &routine,
                planned_s: 60,
                pain_before: Some(3),
                pid: None,
            };
            let step = |n: u32, id: &str| StepRecord {
                step: n,
                kind: StepKind::Hold,
                exercise_id: Some(id.into()),
                side: None,
                rep: 0,
                planned_s: 30,
                done_ms: 30_500,
                outcome,
                at: at(&format!("2026-11-2{i}T08:01:0{n}+01:00")),
                rating: None,
            };
            let steps = [step(0, "bridge"), step(1, "cat-camel")];
            let end = at(&format!("2026-11-2{i}T08:05:00+01:00"));
            s.record_session(&u, &new, &steps, end, Some(2), Ending::Completed)
                .unwrap();
        }
    }
    // Back to version 10: what migrations 0011 on added is removed again.
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "{SINCE_14}
             ALTER TABLE sessions DROP COLUMN tally; DROP TABLE device; DROP TABLE outbox;
             ALTER TABLE profile DROP COLUMN updated_by;
             ALTER TABLE sessions DROP COLUMN settled_at;
             ALTER TABLE sessions DROP COLUMN settled_by;
             DROP TABLE devices; DROP TABLE link_codes; DROP TABLE people;
             PRAGMA user_version = 10;"
        ))
        .unwrap();
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(version(&path), i64::from(SCHEMA_VERSION));
    let facts = s.session_facts(&u).unwrap();
    let from_steps: Vec<SessionFact> = s
        .sessions(&u)
        .unwrap()
        .iter()
        .map(SessionFact::of)
        .collect();
    assert_eq!(facts, from_steps);
    assert_eq!((facts[0].seconds, facts[0].done), (61, 0));
    assert_eq!(facts[0].hurt, ["bridge", "cat-camel"]);
    assert_eq!((facts[1].seconds, facts[1].done), (61, 2));
    // Its history became events (migration 0012), which another log replays to the same.
    let events = s.events(&u, &s.device().unwrap(), 0, usize::MAX).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.change.kind()).collect();
    assert_eq!(kinds, ["session-recorded"; 2]);
    let copy = SqliteStore::in_memory().unwrap();
    copy.apply(&u, &events).unwrap();
    assert_eq!(copy.session_facts(&u).unwrap(), facts);
}

/// A log from before events (version 11) gets the events of all it holds when it opens, per
/// user: another log that applies them reads back the same profile, disclaimer, check,
/// clearances, sheets and sessions.
#[test]
fn an_older_log_gets_the_events_of_its_history() {
    use backstretch_core::code::RoutineCode;
    use backstretch_core::profile::Profile;
    use backstretch_core::routine::Routine;
    use backstretch_core::safety::{Screening, ScreeningVerdict};
    use backstretch_core::session::{Ending, SessionSource};
    use backstretch_core::time::Stamp;
    use backstretch_store::NewSession;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sqlite");
    let at = |s: &str| Stamp::parse(s).unwrap();
    let (u, other) = (UserId::local(), UserId::new("other"));
    let r = Routine::default();
    {
        let s = SqliteStore::open(&path).unwrap();
        let t = at("2026-11-20T08:00:00+01:00");
        s.set_profile(&u, &Profile::default(), t).unwrap();
        s.accept_disclaimer(&u, 1, t).unwrap();
        s.accept_disclaimer(&u, 2, t).unwrap();
        for day in ["20", "21"] {
            let check = Screening {
                at: at(&format!("2026-11-{day}T08:00:00+01:00")),
                areas: vec![],
                answers: Default::default(),
                verdict: ScreeningVerdict::Clear,
                assessed: None,
                since: Default::default(),
            };
            s.add_screening(&u, &check).unwrap();
        }
        s.add_clearance(
            &u,
            &backstretch_core::exchange::Clearance::own("weight-loss", t),
        )
        .unwrap();
        s.save_sheet(&u, RoutineCode::of(&r), &r, t).unwrap();
        let new = NewSession {
            uid: "s1",
            started_at: t,
            source: SessionSource::Manual,
            routine: &r,
            planned_s: 60,
            pain_before: Some(3),
            pid: None,
        };
        s.record_session(&other, &new, &[], t, Some(2), Ending::Completed)
            .unwrap();
    }
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "{SINCE_14}
             DROP TABLE device; DROP TABLE outbox; ALTER TABLE profile DROP COLUMN updated_by;
             ALTER TABLE sessions DROP COLUMN settled_at;
             ALTER TABLE sessions DROP COLUMN settled_by;
             DROP TABLE devices; DROP TABLE link_codes; DROP TABLE people;
             PRAGMA user_version = 11;"
        ))
        .unwrap();
    let s = SqliteStore::open(&path).unwrap();
    let device = s.device().unwrap();
    let kinds = |u: &UserId| -> Vec<&'static str> {
        s.events(u, &device, 0, usize::MAX)
            .unwrap()
            .iter()
            .map(|e| e.change.kind())
            .collect()
    };
    assert_eq!(
        kinds(&u),
        [
            "profile-set",
            "disclaimer-accepted",
            "disclaimer-accepted",
            "screening",
            "screening",
            "clearance",
            "sheet-saved"
        ]
    );
    assert_eq!(kinds(&other), ["session-recorded"]);
    let copy = SqliteStore::in_memory().unwrap();
    for who in [&u, &other] {
        copy.apply(who, &s.events(who, &device, 0, usize::MAX).unwrap())
            .unwrap();
        let read = |x: &SqliteStore| {
            format!(
                "{:?}",
                (
                    x.profile(who).unwrap(),
                    x.disclaimer_version(who).unwrap(),
                    x.last_screening(who).unwrap(),
                    x.clearances(who).unwrap(),
                    x.sheets(who).unwrap(),
                    x.session_facts(who).unwrap(),
                )
            )
        };
        assert_eq!(read(&copy), read(&s));
    }
}
