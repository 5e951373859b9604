//! The PostgreSQL backend's own promises, on a real server: migrations run once when servers
//! open a new database together, a newer or foreign database is refused untouched, errors come
//! in the neutral words with their source chain, a lost connection is replaced, a call cut off
//! by a restart is one to try again, concurrent retries log a step once, the store works
//! from a Tokio blocking thread, and the clinic's audit log is append-only and numbered in the
//! order its lines are committed.

use std::error::Error as _;
use std::sync::{Arc, Barrier};

use backstretch_core::player::Outcome;
use backstretch_core::routine::Routine;
use backstretch_core::session::{Ending, SessionSource, StepRecord};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{Side, StepKind};
use backstretch_store::clinic::{AuditEntry, Clinic};
use backstretch_store::{NewSession, Store, StoreError, UserId};
use backstretch_store_postgres::testing::{PrivateCluster, TestCluster, TestDatabase, fresh_store};
use backstretch_store_postgres::{PostgresError, PostgresStore, SCHEMA_VERSION};

fn t(text: &str) -> Stamp {
    Stamp::parse(text).unwrap()
}

fn routine() -> Routine {
    Routine {
        style: "source".into(),
        ..Routine::default()
    }
}

fn new_session<'a>(uid: &'a str, routine: &'a Routine) -> NewSession<'a> {
    NewSession {
        uid,
        started_at: t("2026-11-21T09:00:00+01:00"),
        source: SessionSource::Player,
        routine,
        planned_s: 60,
        pain_before: Some(4),
        pid: Some(4242),
    }
}

fn step(i: u32) -> StepRecord {
    StepRecord {
        step: i,
        kind: StepKind::Hold,
        exercise_id: Some("bridge".into()),
        side: Some(Side::Right),
        rep: 1,
        planned_s: 30,
        done_ms: 30_000,
        outcome: Outcome::Done,
        at: t("2026-11-21T09:00:30+01:00"),
        rating: None,
    }
}

/// The migrations a database has had: (version, name).
fn migrations(db: &TestDatabase) -> Vec<(i32, String)> {
    db.client()
        .query(
            "SELECT version, name FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// The tables of a database's public schema.
fn tables(db: &TestDatabase) -> Vec<String> {
    db.client()
        .query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn servers_opening_a_new_database_at_once_migrate_it_once() {
    let db = TestCluster::shared().database();
    let n = 8;
    let start = Arc::new(Barrier::new(n));
    let opened: Vec<Result<PostgresStore, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (start, config) = (Arc::clone(&start), db.config());
                scope.spawn(move || {
                    start.wait();
                    PostgresStore::connect_with(config, 1)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let stores: Vec<PostgresStore> = opened.into_iter().map(Result::unwrap).collect();
    let applied = migrations(&db);
    assert_eq!(applied.len(), SCHEMA_VERSION as usize, "{applied:?}");
    assert_eq!(applied[0], (1, "0001_logs".to_string()));
    // Every store sees one schema, and writes to it.
    let r = routine();
    for (i, s) in stores.iter().enumerate() {
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        s.begin_session(&UserId::new("a"), &new_session(&format!("s{i}"), &r))
            .unwrap();
    }
    assert_eq!(stores[0].sessions(&UserId::new("a")).unwrap().len(), n);
    // Opening again changes nothing.
    drop(PostgresStore::connect_with(db.config(), 1).unwrap());
    assert_eq!(migrations(&db), applied);
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let db = TestCluster::shared().database();
    let future = i32::try_from(SCHEMA_VERSION + 1).unwrap();
    let mut c = db.client();
    c.batch_execute(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                         applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .unwrap();
    for v in 1..=future {
        c.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&v, &format!("{v:04}_from_a_newer_backstretch")],
        )
        .unwrap();
    }
    let e = PostgresStore::connect_with(db.config(), 1).unwrap_err();
    assert!(
        matches!(e, StoreError::TooNew { found, known, .. }
            if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
        "{e}"
    );
    assert!(e.to_string().contains("upgrade backstretch"), "{e}");
    assert!(e.to_string().contains(db.name()), "names the database: {e}");
    assert_eq!(tables(&db), ["schema_migrations"], "nothing was created");
    assert_eq!(migrations(&db).len(), SCHEMA_VERSION as usize + 1);
}

#[test]
fn another_programs_migrations_are_named_as_such_and_left_alone() {
    // golang-migrate keeps a `schema_migrations` of its own shape.
    let db = TestCluster::shared().database();
    db.client()
        .batch_execute(
            "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
             INSERT INTO schema_migrations VALUES (20240101, false);",
        )
        .unwrap();
    let e = PostgresStore::connect_with(db.config(), 1).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("is not a backstretch log") && text.contains("another program"),
        "{text}"
    );
    assert_eq!(tables(&db), ["schema_migrations"]);

    // Another history under our table's shape (a branch's migration, renamed since).
    let db = TestCluster::shared().database();
    db.client()
        .batch_execute(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                             applied_at timestamptz NOT NULL DEFAULT now());
             INSERT INTO schema_migrations (version, name) VALUES (1, '0001_something_else');",
        )
        .unwrap();
    let text = PostgresStore::connect_with(db.config(), 1)
        .unwrap_err()
        .to_string();
    assert!(text.contains("`0001_something_else`"), "{text}");
}

/// The errors of the server come as the neutral `StoreError`, PostgreSQL's own kept in the
/// source chain (with its code), and the message names the database, never a password.
#[test]
fn errors_are_neutral_and_keep_their_source() {
    let s = fresh_store();
    let (u, r) = (UserId::new("a"), routine());
    s.begin_session(&u, &new_session("dup", &r)).unwrap();
    let e = s.begin_session(&u, &new_session("dup", &r)).unwrap_err();
    let StoreError::Backend(boxed) = &e else {
        panic!("a duplicate uid is the backend's error: {e:?}");
    };
    let pg = boxed.downcast_ref::<PostgresError>().unwrap();
    let source = pg
        .source()
        .unwrap()
        .downcast_ref::<postgres::Error>()
        .unwrap();
    assert_eq!(
        source.code(),
        Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
    );
    let text = e.to_string();
    assert!(
        text.contains(s.database().name()) && text.contains("23505"),
        "{text}"
    );

    let mut config = s.database().config();
    config.dbname("no_such_database").password("hunter2");
    let e = PostgresStore::connect_with(config, 1)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no_such_database") && e.contains("does not exist"),
        "{e}"
    );
    assert!(!e.contains("hunter2"), "{e}");

    let e = PostgresStore::connect("postgresql://[bad").unwrap_err();
    assert!(matches!(e, StoreError::Backend(_)), "{e}");
}

/// A row another connection holds past the lock timeout gives `Busy`, not a hang.
#[test]
fn a_row_held_too_long_is_busy() {
    let db = TestCluster::shared().database();
    let mut config = db.config();
    config.options("-c lock_timeout=200ms");
    let s = PostgresStore::connect_with(config, 2).unwrap();
    let (u, r) = (UserId::new("a"), routine());
    let id = s.begin_session(&u, &new_session("held", &r)).unwrap();
    let mut other = db.client();
    let mut tx = other.transaction().unwrap();
    tx.execute("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE", &[&id.0])
        .unwrap();
    let e = s
        .heartbeat(&u, id, t("2026-11-21T09:01:00+01:00"))
        .unwrap_err();
    assert!(matches!(e, StoreError::Busy { .. }), "{e:?}");
    tx.rollback().unwrap();
    s.heartbeat(&u, id, t("2026-11-21T09:01:00+01:00")).unwrap();
}

/// Connections the server dropped (a restart, an administrator) are replaced by the pool:
/// the next call works.
#[test]
fn a_lost_connection_is_replaced() {
    let s = fresh_store();
    let u = UserId::new("a");
    assert_eq!(s.disclaimer_version(&u).unwrap(), None);
    let killed: i64 = TestCluster::shared()
        .admin()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
            &[&s.database().name()],
        )
        .unwrap()
        .get(0);
    assert!(killed >= 1);
    s.accept_disclaimer(&u, 2, t("2026-11-21T09:00:00+00:00"))
        .unwrap();
    assert_eq!(s.disclaimer_version(&u).unwrap(), Some(2));
}

/// Regression: a call under way when PostgreSQL cut its connection (a restart cuts them all
/// with the same `57P01`) failed as the backend's error, which the server answers with a
/// 500. It is `Unavailable`, which the server answers with a 503 to try again, and the call
/// tried again works on a new connection.
#[test]
fn a_call_whose_connection_is_cut_is_unavailable_and_works_again() {
    let db = TestCluster::shared().database();
    let s = PostgresStore::connect_with(db.config(), 2).unwrap();
    let (u, r) = (UserId::new("a"), routine());
    let id = s.begin_session(&u, &new_session("held", &r)).unwrap();
    let at = t("2026-11-21T09:01:00+01:00");
    let mut other = db.client();
    let mut tx = other.transaction().unwrap();
    tx.execute("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE", &[&id.0])
        .unwrap();
    let mut admin = TestCluster::shared().admin();
    let e = std::thread::scope(|scope| {
        let call = scope.spawn(|| s.heartbeat(&u, id, at));
        // The call's connection is cut while it waits for the row.
        while !call.is_finished() {
            let cut: i64 = admin
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE datname = $1 AND wait_event_type = 'Lock'",
                    &[&db.name()],
                )
                .unwrap()
                .get(0);
            if cut > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        call.join().unwrap().unwrap_err()
    });
    assert!(matches!(e, StoreError::Unavailable { .. }), "{e:?}");
    assert!(e.to_string().contains("try again"), "{e}");
    tx.rollback().unwrap();
    s.heartbeat(&u, id, at).unwrap();
}

/// PostgreSQL restarted, or down for longer than a call waits for a connection: the store
/// outlives it. A call while it is down fails, after that wait, as `Unavailable` (it was the
/// backend's error, a 500 from the server), and calls once it is back work on new connections.
#[test]
fn the_store_outlives_postgres_restarted_or_down_a_while() {
    let cluster = PrivateCluster::started();
    let s = PostgresStore::connect_with(cluster.config("postgres"), 2).unwrap();
    let u = UserId::new("a");
    s.accept_disclaimer(&u, 1, t("2026-11-21T09:00:00+00:00"))
        .unwrap();
    cluster.restart();
    assert_eq!(s.disclaimer_version(&u).unwrap(), Some(1));
    cluster.stop();
    let e = s.disclaimer_version(&u).unwrap_err();
    assert!(matches!(e, StoreError::Unavailable { .. }), "{e:?}");
    cluster.start();
    s.accept_disclaimer(&u, 2, t("2026-11-21T09:05:00+00:00"))
        .unwrap();
    assert_eq!(s.disclaimer_version(&u).unwrap(), Some(2));
}

/// The same report sent by many requests at once is logged once; so is the same moment sent
/// under different report numbers (the session's row serializes them).
#[test]
fn concurrent_retries_log_a_step_once() {
    let s = fresh_store();
    let (u, r) = (UserId::new("a"), routine());
    let id = s.begin_session(&u, &new_session("busy", &r)).unwrap();
    let first = step(1);
    let n = 8;
    let start = Barrier::new(n);
    let written: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (s, u, start, first) = (&s, &u, &start, &first);
                scope.spawn(move || {
                    start.wait();
                    // Half retry report 0, half send the same moment as a new report.
                    let report = if i % 2 == 0 {
                        0
                    } else {
                        u32::try_from(i).unwrap()
                    };
                    s.log_steps_once(u, &[(id, report, first)]).unwrap()[0]
                        .as_ref()
                        .copied()
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(written.iter().filter(|w| **w).count(), 1, "{written:?}");
    assert_eq!(s.steps(&u, id).unwrap(), vec![first]);
}

/// Imports of overlapping exports at once add each session once.
#[test]
fn concurrent_imports_add_each_session_once() {
    let s = fresh_store();
    let (u, r) = (UserId::new("a"), routine());
    s.record_session(
        &u,
        &new_session("seed", &r),
        &[step(0)],
        t("2026-11-21T09:10:00+01:00"),
        Some(3),
        Ending::Completed,
    )
    .unwrap();
    let one = s.sessions(&u).unwrap().remove(0);
    let export: Vec<_> = (0..40)
        .map(|i| {
            let mut l = one.clone();
            l.session.uid = format!("bulk-{i}");
            l
        })
        .collect();
    let n = 4;
    let start = Barrier::new(n);
    let added: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (s, u, start) = (&s, &u, &start);
                // Each import overlaps the next by half.
                let part = export[i * 10..(i * 10 + 20).min(40)].to_vec();
                scope.spawn(move || {
                    start.wait();
                    s.import(u, &part).unwrap().added
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(added, 40);
    assert_eq!(s.sessions(&u).unwrap().len(), 41);
}

/// JSON is kept as written: a routine whose text holds a NUL (which `jsonb` refuses) or any
/// other character comes back the same.
#[test]
fn routines_keep_any_text() {
    let s = fresh_store();
    let u = UserId::new("a");
    let r = Routine {
        style: "nul \u{0} quote \" emoji \u{1F9D8} backslash \\".into(),
        ..Routine::default()
    };
    let id = s.begin_session(&u, &new_session("odd", &r)).unwrap();
    assert_eq!(s.session(&u, id).unwrap().unwrap().routine, r);
}

/// The sync client runs its own small runtime, so the store is called off the async workers,
/// as the web front end does: from `spawn_blocking`.
#[test]
fn the_store_works_from_a_tokio_blocking_thread() {
    let s = Arc::new(fresh_store());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let got = rt.block_on(async {
        let s = Arc::clone(&s);
        tokio::task::spawn_blocking(move || {
            let u = UserId::new("a");
            s.accept_disclaimer(&u, 1, t("2026-11-21T09:00:00+00:00"))?;
            s.disclaimer_version(&u)
        })
        .await
        .unwrap()
    });
    assert_eq!(got.unwrap(), Some(1));
}

/// Writers on several connections at once each append their event under the next index: the
/// device's series stays dense, one event a write, and applying it elsewhere while more
/// writes come never refuses it as a gap or a divergence.
#[test]
fn concurrent_writers_keep_the_series_dense() {
    let (s, copy) = (fresh_store(), fresh_store());
    let u = UserId::new("a");
    let (n, each) = (4, 10);
    let start = Barrier::new(n);
    std::thread::scope(|scope| {
        for i in 0..n {
            let (s, u, start) = (&s, &u, &start);
            scope.spawn(move || {
                start.wait();
                for j in 0..each {
                    s.add_clearance(
                        u,
                        &backstretch_core::exchange::Clearance::own(
                            format!("sign-{i}-{j}"),
                            t("2026-11-21T09:00:00+01:00"),
                        ),
                    )
                    .unwrap();
                }
            });
        }
    });
    let device = s.device().unwrap();
    let events = s.events(&u, &device, 0, usize::MAX).unwrap();
    let idxs: Vec<u64> = events.iter().map(|e| e.idx).collect();
    assert_eq!(idxs, (1..=(n * each) as u64).collect::<Vec<_>>());
    assert_eq!(s.event_heads(&u).unwrap(), [(device, (n * each) as u64)]);
    copy.apply(&u, &events).unwrap();
    assert_eq!(copy.clearances(&u).unwrap(), s.clearances(&u).unwrap());
}

/// The events of one backend apply on the other: SQLite logs and a PostgreSQL log that pass
/// each other's events read back the same, and either replays the other's series.
#[test]
fn sqlite_and_postgres_logs_converge() {
    use backstretch_store::SqliteStore;
    use backstretch_store::contract::{
        applying_in_any_order_converges, replaying_a_devices_events_gives_the_same_log,
    };
    let sqlite = || SqliteStore::in_memory().unwrap();
    let (a, b, c) = (sqlite(), fresh_store(), sqlite());
    applying_in_any_order_converges(&[&a, &*b, &c]);
    let (d, e) = (sqlite(), fresh_store());
    replaying_a_devices_events_gives_the_same_log(&[&d, &*e]);
    let (f, g) = (fresh_store(), sqlite());
    replaying_a_devices_events_gives_the_same_log(&[&*f, &g]);
}

fn audit_line(action: &str) -> AuditEntry {
    AuditEntry {
        at: t("2026-12-01T09:00:00+01:00"),
        actor: "ann@example.org".into(),
        action: action.into(),
        patient: Some("u-1".into()),
        from: "127.0.0.1".into(),
    }
}

/// The audit log is append-only in PostgreSQL too: an UPDATE, a DELETE or a TRUNCATE of it by
/// SQL is refused (a trigger), and the lines stay as written.
#[test]
fn the_audit_log_refuses_updates_and_deletes_by_sql() {
    let s = fresh_store();
    s.audit(&audit_line("login")).unwrap();
    s.audit(&audit_line("read patient")).unwrap();
    let before = s.audit_log(0, 10).unwrap();
    let mut c = s.database().client();
    for sql in [
        "UPDATE audit SET actor = 'someone else'",
        "UPDATE audit SET patient = NULL WHERE seq = 1",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE action = 'read patient'",
        "TRUNCATE audit",
    ] {
        let e = c.batch_execute(sql).unwrap_err();
        let db = e.as_db_error().unwrap_or_else(|| panic!("{sql}: {e}"));
        assert!(db.message().contains("append-only"), "{sql}: {db}");
    }
    assert_eq!(s.audit_log(0, 10).unwrap(), before);
    // Lines are still added.
    s.audit(&audit_line("logout")).unwrap();
    assert_eq!(s.audit_log(0, 10).unwrap().len(), 3);
}

/// A line's number is drawn when it is inserted, so two lines added at once could commit out
/// of order. The store adds them one at a time: a line added while another is uncommitted
/// waits for it, and a reader never sees a number before a smaller one that is yet to come.
#[test]
fn audit_lines_commit_in_the_order_of_their_numbers() {
    let s = fresh_store();
    let mut other = s.database().client();
    let mut tx = other.transaction().unwrap();
    tx.execute(
        "INSERT INTO audit (at, at_offset, actor, action, patient, source)
         VALUES (0, 0, 'server', 'first', NULL, 'console')",
        &[],
    )
    .unwrap();
    let mut admin = TestCluster::shared().admin();
    std::thread::scope(|scope| {
        let call = scope.spawn(|| s.audit(&audit_line("second")));
        loop {
            assert!(
                !call.is_finished(),
                "a line was added while an earlier one was uncommitted"
            );
            let waiting: i64 = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = $1 AND wait_event_type = 'Lock'",
                    &[&s.database().name()],
                )
                .unwrap()
                .get(0);
            if waiting > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(
            s.audit_log(0, 10).unwrap().is_empty(),
            "reads pass the lock"
        );
        tx.commit().unwrap();
        call.join().unwrap().unwrap();
    });
    let actions: Vec<String> = s
        .audit_log(0, 10)
        .unwrap()
        .into_iter()
        .map(|(_, l)| l.action)
        .collect();
    assert_eq!(actions, ["first", "second"]);
}
