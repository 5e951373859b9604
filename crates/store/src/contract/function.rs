//! The function measure (PSFS) in the contract: kept once per user in time order, an event
//! per write, and the same records in another log (or on the server) once it takes the events,
//! in any order, and in the digest `sync verify` compares.

use backstretch_core::event::Event;
use backstretch_core::function::FunctionRecord;

use super::t;
use crate::digest::digest;
use crate::{Store, UserId};

fn record(uid: &str, at: &str, items: &[(&str, i64)]) -> FunctionRecord {
    let items: Vec<(String, i64)> = items.iter().map(|(n, s)| ((*n).into(), *s)).collect();
    FunctionRecord::new(uid.into(), t(at), &items).unwrap()
}

/// Records read back oldest first, each once however often it is written, for their user
/// only; each write appends a `function-recorded` event, which brings the same record to
/// another user's log.
pub fn function_records_are_kept_once_per_user(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    let first = record(
        "f1",
        "2026-11-16T09:00:00+01:00",
        &[("carrying shopping", 3), ("sitting an hour", 5)],
    );
    let later = record(
        "f2",
        "2026-11-23T08:00:00+00:00",
        &[
            ("carrying shopping", 5),
            ("sitting an hour", 6),
            ("gardening", 2),
        ],
    );
    assert!(s.functions(&a).unwrap().is_empty());
    s.add_function(&a, &later).unwrap();
    s.add_function(&a, &first).unwrap();
    s.add_function(&a, &first).unwrap();
    assert_eq!(s.functions(&a).unwrap(), [first.clone(), later.clone()]);
    assert!(
        s.functions(&b).unwrap().is_empty(),
        "another user sees none"
    );
    let device = s.device().unwrap();
    let events = s.events(&a, &device, 0, 100).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.change.kind()).collect();
    assert_eq!(kinds, ["function-recorded"; 3], "one event per write");
    let moved: Vec<Event> = events
        .into_iter()
        .map(|e| Event {
            device: "copy-device".into(),
            ..e
        })
        .collect();
    let c = UserId::new("c");
    s.apply(&c, &moved).unwrap();
    assert_eq!(s.functions(&c).unwrap(), [first, later]);
}

/// Two devices score the measure; whichever order their events arrive in, every log reads
/// back the same records and the same digest, and applying them again changes nothing.
pub fn function_records_converge_in_any_order(stores: &[&dyn Store]) {
    let (a, b, c) = (stores[0], stores[1], stores[2]);
    let u = UserId::new("a");
    let on_a = record("fa", "2026-11-16T09:00:00+00:00", &[("driving", 4)]);
    let on_b = record("fb", "2026-11-23T09:00:00+00:00", &[("driving", 7)]);
    a.add_function(&u, &on_a).unwrap();
    b.add_function(&u, &on_b).unwrap();
    let series = |s: &dyn Store| s.events(&u, &s.device().unwrap(), 0, 100).unwrap();
    let (ea, eb) = (series(a), series(b));
    a.apply(&u, &eb).unwrap();
    b.apply(&u, &ea).unwrap();
    c.apply(&u, &eb).unwrap();
    c.apply(&u, &ea).unwrap();
    c.apply(&u, &eb).unwrap();
    let both = [on_a, on_b];
    for s in [a, b, c] {
        assert_eq!(s.functions(&u).unwrap(), both);
    }
    let seen = digest(a, &u).unwrap();
    assert_eq!(digest(b, &u).unwrap(), seen);
    assert_eq!(digest(c, &u).unwrap(), seen);
    assert!(seen.parts.contains_key("function"));
}
