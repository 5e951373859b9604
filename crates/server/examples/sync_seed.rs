//! Seeds a sync server's store for `bench/sync.sh`: N people, each with three linked devices
//! and a year of sessions spread over them, written straight through the store (`Accounts`
//! and `Store::apply`, the calls the server's routes make), not over HTTP. Every session is a
//! copy of one real session played in a template log, moved back in time.
//!
//! ```text
//! sync_seed --template LOG.sqlite --tokens OUT.tsv (--home DIR | --database URL)
//!           [--users 1000] [--sessions 365] [--as steps|whole] [--jobs 1]
//!           [--clinician EMAIL --session OUT.txt]
//! ```
//!
//! With `--clinician`, a clinician is added with every person as their patient, each with a
//! prescription of the template's routine (as the clinic writes it), and logged in: OUT.txt
//! gets their session's token, for the clinic's pages (`bench/clinic.sh`). With `--login
//! EMAIL --session OUT.txt` alone, that clinician of a store seeded before logs in again (a
//! session ends after 30 minutes unused), and nothing is seeded.
//!
//! `--as steps` keeps each session as a device sends it (session started, one event a step,
//! session finished); `--as whole` as one `session-recorded` event (an imported session).
//! Each device's series is applied in one call. OUT.tsv gets a line a device: the person's
//! index, the device's index (0 to 2), the device's id and its bearer token.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use backstretch_core::event::{Change, Event};
use backstretch_core::session::{LoggedSession, SessionId};
use backstretch_core::time::Stamp;
use backstretch_server::ServerStore;
use backstretch_server::link;
use backstretch_store::{SqliteStore, Store, UserId, event_uid};

/// Devices a person has.
const DEVICES: usize = 3;
const DEVICE_NAMES: [&str; DEVICES] = ["laptop", "phone", "desktop"];
const DAY_S: i64 = 24 * 60 * 60;

/// One real session, and the other events of the log it was played in.
struct Template {
    /// What a log starts with (profile, disclaimer, check), as events of device 0.
    setup: Vec<Change>,
    /// The session as the player wrote it: started, its steps, finished.
    steps: Vec<Change>,
    /// The same session whole.
    whole: LoggedSession,
}

/// Reads the template: the first session of a local log, and what came before it.
fn template(path: &std::path::Path) -> Template {
    let s = SqliteStore::open(path).unwrap_or_else(|e| fail(&format!("template: {e}")));
    let me = UserId::local();
    let device = s.device().unwrap_or_else(|e| fail(&e.to_string()));
    let events = s
        .events(&me, &device, 0, usize::MAX)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let whole = s
        .sessions(&me)
        .unwrap_or_else(|e| fail(&e.to_string()))
        .into_iter()
        .next()
        .unwrap_or_else(|| fail("the template log holds no session"));
    let uid = whole.session.uid.clone();
    let (mut setup, mut steps) = (Vec::new(), Vec::new());
    for e in events {
        match &e.change {
            Change::SessionStarted { uid: u, .. } if *u == uid => steps.push(e.change),
            c if c.touches() == Some(uid.as_str()) => steps.push(e.change),
            c if c.touches().is_none() && !matches!(c, Change::SessionStarted { .. }) => {
                setup.push(e.change);
            }
            _ => {}
        }
    }
    if steps.len() < 2 {
        fail("the template's session has no steps");
    }
    Template {
        setup,
        steps,
        whole,
    }
}

/// A change of the template's session, `dt` seconds later, as session `uid`.
fn moved(c: &Change, dt: i64, uid: &str) -> Change {
    let mut c = c.clone();
    match &mut c {
        Change::SessionStarted {
            uid: u, started_at, ..
        } => {
            *u = uid.into();
            *started_at = started_at.plus_seconds(dt);
        }
        Change::StepLogged { session, step, .. } => {
            *session = uid.into();
            step.at = step.at.plus_seconds(dt);
        }
        Change::SessionFinished {
            uid: u, ended_at, ..
        } => {
            *u = uid.into();
            *ended_at = ended_at.plus_seconds(dt);
        }
        _ => {}
    }
    c
}

/// The template's session whole, `dt` seconds later, as session `uid`.
fn moved_whole(l: &LoggedSession, dt: i64, uid: &str) -> Change {
    let mut l = l.clone();
    let s = &mut l.session;
    s.id = SessionId(0);
    s.pid = None;
    s.uid = uid.into();
    s.started_at = s.started_at.plus_seconds(dt);
    s.ended_at = s.ended_at.map(|t| t.plus_seconds(dt));
    s.heartbeat_at = s.heartbeat_at.plus_seconds(dt);
    for st in &mut l.steps {
        st.at = st.at.plus_seconds(dt);
    }
    Change::SessionRecorded { session: l }
}

/// The changes of one session `dt` seconds after the template's, kept as `whole` or not.
fn session(t: &Template, dt: i64, whole: bool) -> Vec<Change> {
    let uid = uuid::Uuid::new_v4().simple().to_string();
    if whole {
        vec![moved_whole(&t.whole, dt, &uid)]
    } else {
        t.steps.iter().map(|c| moved(c, dt, &uid)).collect()
    }
}

/// A device's id: `bench-00042-1`.
fn device_id(user: usize, d: usize) -> String {
    format!("bench-{user:05}-{d}")
}

/// Numbers a device's changes into its series from 1.
fn series(device: &str, changes: Vec<Change>) -> Vec<Event> {
    changes
        .into_iter()
        .zip(1u64..)
        .map(|(change, idx)| Event {
            device: device.into(),
            idx,
            uid: event_uid(&change),
            change,
        })
        .collect()
}

struct Plan {
    users: usize,
    sessions: usize,
    whole: bool,
    now: Stamp,
}

/// Adds person `u`, links their devices and applies their year; the devices' tokens and the
/// number of events.
fn seed_one(store: &dyn ServerStore, t: &Template, p: &Plan, u: usize) -> (Vec<String>, usize) {
    let name = format!("user-{u:05}");
    let mut tokens = Vec::with_capacity(DEVICES);
    for (d, device_name) in DEVICE_NAMES.iter().enumerate() {
        let code = if d == 0 {
            link::add_person(store, &name, p.now)
        } else {
            link::another_code(store, &name, p.now)
        }
        .unwrap_or_else(|e| fail(&format!("{name}: {e}")));
        let linked = link::link(store, &code.code, &device_id(u, d), device_name, p.now)
            .unwrap_or_else(|e| fail(&format!("{name}: {e}")))
            .unwrap_or_else(|e| fail(&format!("{name}: {e:?}")));
        tokens.push(linked.token);
    }
    let user = store
        .person(&name)
        .ok()
        .flatten()
        .unwrap_or_else(|| fail(&format!("{name} was not added")));
    // Session k of S on day 365 * k / S of the past year, on device k mod 3; a few minutes
    // later for each person, so no two start at the same instant.
    let mut changes: Vec<Vec<Change>> = vec![Vec::new(); DEVICES];
    changes[0].extend(t.setup.iter().cloned());
    let jitter = i64::try_from(u % 600).unwrap_or(0) * 60;
    for k in 0..p.sessions {
        let days_ago = i64::try_from(365 - 365 * k / p.sessions.max(1)).unwrap_or(365);
        changes[k % DEVICES].extend(session(t, -days_ago * DAY_S + jitter, p.whole));
    }
    let mut n = 0;
    for (d, c) in changes.into_iter().enumerate() {
        let events = series(&device_id(u, d), c);
        n += events.len();
        store
            .apply(&user, &events)
            .unwrap_or_else(|e| fail(&format!("{name}: {e}")));
    }
    (tokens, n)
}

/// Logs in the clinician a store was seeded with (the password `clinic` gave them); their
/// session token.
fn login(store: &dyn ServerStore, email: &str) -> String {
    use backstretch_server::clinic::Login;
    let now = Stamp::from_datetime(&chrono::Local::now());
    match backstretch_server::clinic::login(store, email, PASSWORD, now, "seed") {
        Ok(Login::In { token, .. }) => token,
        Ok(other) => fail(&format!("{email} could not log in: {other:?}")),
        Err(e) => fail(&e.to_string()),
    }
}

/// The seeded clinician's password.
const PASSWORD: &str = "a long bench password";

/// Adds a clinician with every person as their patient, each prescribed the template's
/// routine by the clinic; the clinician's session token.
fn clinic(store: &dyn ServerStore, t: &Template, p: &Plan, email: &str) -> String {
    use backstretch_server::clinic::{Login, accept_invitation, add_clinician};
    let started = Instant::now();
    // Logged in now, after the people are seeded: a session ends after 30 minutes unused.
    let now = Stamp::from_datetime(&chrono::Local::now());
    let invitation = add_clinician(store, email, now).unwrap_or_else(|e| fail(&e.to_string()));
    let login = accept_invitation(store, &invitation.code, PASSWORD, now, "seed")
        .unwrap_or_else(|e| fail(&e.to_string()));
    let Some(Login::In { token, clinician }) = login else {
        fail("the clinician's invitation did not log them in");
    };
    for u in 0..p.users {
        let user = store
            .person(&format!("user-{u:05}"))
            .ok()
            .flatten()
            .unwrap_or_else(|| fail("a person is missing"));
        store
            .add_patient(&clinician.id, &user, p.now)
            .unwrap_or_else(|e| fail(&e.to_string()));
        let prescription = backstretch_core::care::Prescription {
            id: uuid::Uuid::new_v4().to_string(),
            by: email.into(),
            at: p.now,
            routine: t.whole.session.routine.clone(),
            per_week: 5,
            note: String::new(),
            practice: vec![],
        };
        backstretch_server::care::write(store, &user, &Change::Prescribed { prescription })
            .unwrap_or_else(|e| fail(&e.to_string()));
    }
    eprintln!(
        "  {email} has {} patients, each prescribed, in {:.1} s",
        p.users,
        started.elapsed().as_secs_f64()
    );
    token
}

fn fail(why: &str) -> ! {
    eprintln!("sync_seed: {why}");
    std::process::exit(1)
}

struct Args {
    clinician: Option<String>,
    login: Option<String>,
    session: Option<PathBuf>,
    template: PathBuf,
    tokens: PathBuf,
    home: Option<PathBuf>,
    database: Option<String>,
    jobs: usize,
    plan: Plan,
}

fn args() -> Args {
    let mut a = Args {
        clinician: None,
        login: None,
        session: None,
        template: PathBuf::new(),
        tokens: PathBuf::new(),
        home: None,
        database: None,
        jobs: 1,
        plan: Plan {
            users: 1000,
            sessions: 365,
            whole: false,
            now: Stamp::from_datetime(&chrono::Local::now()),
        },
    };
    let mut it = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .unwrap_or_else(|| fail(&format!("{flag} needs a value")));
        let number = || {
            value
                .parse()
                .unwrap_or_else(|_| fail(&format!("{flag} {value}")))
        };
        match flag.as_str() {
            "--template" => a.template = value.into(),
            "--tokens" => a.tokens = value.into(),
            "--home" => a.home = Some(value.into()),
            "--database" => a.database = Some(value),
            "--users" => a.plan.users = number(),
            "--sessions" => a.plan.sessions = number(),
            "--jobs" => a.jobs = number().max(1),
            "--as" => a.plan.whole = value == "whole",
            "--clinician" => a.clinician = Some(value),
            "--login" => a.login = Some(value),
            "--session" => a.session = Some(value.into()),
            _ => fail(&format!("unknown flag {flag}")),
        }
    }
    if a.login.is_none() && (a.template.as_os_str().is_empty() || a.tokens.as_os_str().is_empty()) {
        fail(
            "usage: sync_seed --template LOG --tokens OUT (--home DIR | --database URL) [--users N] [--sessions S] [--as steps|whole] [--jobs J]",
        );
    }
    a
}

fn main() {
    let a = args();
    let home = a.home.clone().unwrap_or_else(std::env::temp_dir);
    let store = backstretch_server::open(&home, a.database.as_deref())
        .unwrap_or_else(|e| fail(&format!("the store: {e}")));
    if let Some(email) = &a.login {
        let path = a
            .session
            .as_ref()
            .unwrap_or_else(|| fail("--login needs --session"));
        std::fs::write(path, login(&*store, email)).unwrap_or_else(|e| fail(&e.to_string()));
        return;
    }
    let t = template(&a.template);
    let p = &a.plan;
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let tokens: Mutex<Vec<Vec<String>>> = Mutex::new(vec![Vec::new(); p.users]);
    let events = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..a.jobs {
            scope.spawn(|| {
                loop {
                    let u = next.fetch_add(1, Ordering::Relaxed);
                    if u >= p.users {
                        break;
                    }
                    let (tk, n) = seed_one(&*store, &t, p, u);
                    tokens
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)[u] = tk;
                    let total = events.fetch_add(n, Ordering::Relaxed) + n;
                    if (u + 1).is_multiple_of(100) {
                        eprintln!(
                            "  seeded {} people, {total} events, {:.0} s",
                            u + 1,
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
            });
        }
    });
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&a.tokens).unwrap_or_else(|e| fail(&e.to_string())),
    );
    let tokens = tokens
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (u, tk) in tokens.iter().enumerate() {
        for (d, token) in tk.iter().enumerate() {
            writeln!(out, "{u}\t{d}\t{}\t{token}", device_id(u, d))
                .unwrap_or_else(|e| fail(&e.to_string()));
        }
    }
    out.flush().unwrap_or_else(|e| fail(&e.to_string()));
    if let Some(email) = &a.clinician {
        let token = clinic(&*store, &t, p, email);
        let path = a
            .session
            .clone()
            .unwrap_or_else(|| fail("--clinician needs --session"));
        std::fs::write(path, token).unwrap_or_else(|e| fail(&e.to_string()));
    }
    println!(
        "seeded {} people x {DEVICES} devices, {} sessions each ({}), {} events, in {:.1} s",
        p.users,
        p.sessions,
        if p.whole {
            "one session-recorded event a session".to_string()
        } else {
            format!("{} events a session", t.steps.len())
        },
        events.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    drop(store);
}
