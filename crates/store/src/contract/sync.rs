//! The contract of sync events: every write appends one, in a dense series per device, and
//! applying another device's events (in any interleaving, any number of times) makes the same
//! log.

use backstretch_core::code::RoutineCode;
use backstretch_core::event::{Change, Event};
use backstretch_core::player::Outcome;
use backstretch_core::profile::Profile;
use backstretch_core::safety::{Screening, ScreeningVerdict};
use backstretch_core::session::{Ending, LoggedSession, SessionId, StepRecord};
use backstretch_core::stats::SessionFact;

use super::{new_session, routine, step, t};
use crate::{Store, StoreError, UserId};

/// Every event of a device's series for a user.
fn series(s: &dyn Store, u: &UserId, device: &str) -> Vec<Event> {
    s.events(u, device, 0, usize::MAX).unwrap()
}

/// The kinds of this store's own events, in order.
fn kinds(s: &dyn Store, u: &UserId) -> Vec<&'static str> {
    series(s, u, &s.device().unwrap())
        .iter()
        .map(|e| e.change.kind())
        .collect()
}

/// Everything a user reads back that sync keeps the same on every device: the sessions (a
/// row id and a player's process id are the log's own), their facts, the exercises hurt,
/// the profile, the last check, the disclaimer, the clearances and the sheets.
fn view(s: &dyn Store, u: &UserId) -> String {
    let sessions: Vec<LoggedSession> = s
        .sessions(u)
        .unwrap()
        .into_iter()
        .map(|mut l| {
            l.session.id = SessionId(0);
            l.session.pid = None;
            l
        })
        .collect();
    let facts: Vec<SessionFact> = s.session_facts(u).unwrap();
    let hurts: Vec<(String, String)> = s
        .hurts(u, t("2000-01-01T00:00:00+00:00"))
        .unwrap()
        .into_iter()
        .map(|h| (h.day.to_string(), h.exercise))
        .collect();
    format!(
        "{:#?}",
        (
            sessions,
            facts,
            hurts,
            (s.profile(u).unwrap(), s.profile_saved_at(u).unwrap()),
            s.last_screening(u).unwrap(),
            s.disclaimer_version(u).unwrap(),
            s.clearances(u).unwrap(),
            s.sheets(u).unwrap(),
        )
    )
}

fn screening(at: &str, verdict: ScreeningVerdict) -> Screening {
    Screening {
        at: t(at),
        areas: vec![backstretch_core::vocab::Area::Neck],
        answers: [("weight-loss".to_string(), false)].into(),
        verdict,
        assessed: None,
        since: [("night-pain".to_string(), t("2026-11-01T10:00:00+01:00"))].into(),
    }
}

/// A day of use on one device, every kind of write once or more; `tag` keeps its uids apart
/// from another device's, `day` its times.
fn story(s: &dyn Store, u: &UserId, tag: &str, day: u32) {
    let at = |time: &str| t(&format!("2026-11-{day:02}T{time}+01:00"));
    let r = routine();
    let profile = Profile {
        minutes: day,
        ..Profile::default()
    };
    s.set_profile(u, &profile, at("07:00:00")).unwrap();
    s.accept_disclaimer(u, day % 3, at("07:00:01")).unwrap();
    s.add_screening(
        u,
        &screening(
            &format!("2026-11-{day:02}T07:00:02+01:00"),
            ScreeningVerdict::Clear,
        ),
    )
    .unwrap();
    s.add_clearance(
        u,
        &backstretch_core::exchange::Clearance::own(format!("sign-{tag}"), at("07:00:03")),
    )
    .unwrap();
    let played = format!("{tag}-played");
    let start = format!("2026-11-{day:02}T08:00:00+01:00");
    let id = s
        .begin_session(u, &new_session(&played, &start, &r))
        .unwrap();
    let hurt = step(
        1,
        Outcome::Hurt,
        &format!("2026-11-{day:02}T08:00:10+01:00"),
    );
    s.log_step(
        u,
        id,
        &step(
            0,
            Outcome::Done,
            &format!("2026-11-{day:02}T08:00:05+01:00"),
        ),
    )
    .unwrap();
    let later = step(
        2,
        Outcome::Done,
        &format!("2026-11-{day:02}T08:00:20+01:00"),
    );
    s.log_steps_once(u, &[(id, 5, &hurt), (id, 5, &hurt), (id, 6, &later)])
        .unwrap();
    s.finish_session(u, id, at("08:05:00"), Some(6), Ending::Completed)
        .unwrap();
    s.set_settled(u, id, false, at("20:00:00")).unwrap();
    let whole = format!("{tag}-whole");
    s.record_session(
        u,
        &new_session(&whole, &format!("2026-11-{day:02}T12:00:00+01:00"), &r),
        std::slice::from_ref(&later),
        at("12:10:00"),
        Some(2),
        Ending::Stopped,
    )
    .unwrap();
    let mut imported = s.sessions(u).unwrap().remove(0);
    imported.session.uid = format!("{tag}-imported");
    imported.session.settled = Some(true);
    s.import(u, &[imported]).unwrap();
    s.save_sheet(u, RoutineCode::of(&r), &r, at("13:00:00"))
        .unwrap();
}

/// Each write appends exactly one event of its kind (a step batch one per step added, an
/// import one per session added); a heartbeat, a duplicate step and a failed write append
/// none. A device's series counts from 1 with no gap, per user, and reads a page at a time.
pub fn every_write_appends_one_event_and_a_failed_write_none(s: &dyn Store) {
    let (u, other) = (UserId::new("a"), UserId::new("b"));
    story(s, &u, "a", 20);
    assert_eq!(
        kinds(s, &u),
        [
            "profile-set",
            "disclaimer-accepted",
            "screening",
            "clearance",
            "session-started",
            "step-logged",
            "step-logged",
            "step-logged",
            "session-finished",
            "settled",
            "session-recorded",
            "session-recorded",
            "sheet-saved",
        ]
    );
    let device = s.device().unwrap();
    assert_eq!(s.device().unwrap(), device, "one id for the log");
    let all = series(s, &u, &device);
    let idxs: Vec<u64> = all.iter().map(|e| e.idx).collect();
    assert_eq!(idxs, (1..=13).collect::<Vec<u64>>());
    assert!(all.iter().all(|e| e.device == device));
    let mut uids: Vec<&str> = all.iter().map(|e| e.uid.as_str()).collect();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), 13, "each event its own uid");
    assert_eq!(s.event_heads(&u).unwrap(), [(device.clone(), 13)]);
    let page = s.events(&u, &device, 3, 2).unwrap();
    assert_eq!(page, all[3..5].to_vec());

    // Nothing else appends an event, and nothing of another user's.
    let id = s.sessions(&u).unwrap()[2].session.id;
    let r = routine();
    let hurt = step(1, Outcome::Hurt, "2026-11-20T08:00:10+01:00");
    s.heartbeat(&u, id, t("2026-11-20T08:30:00+01:00")).unwrap();
    s.log_step(&u, id, &hurt).unwrap();
    assert_eq!(
        s.log_steps_once(&u, &[(id, 5, &hurt)]).unwrap()[0]
            .as_ref()
            .ok(),
        Some(&false)
    );
    assert!(s.log_step(&other, id, &hurt).is_err());
    assert!(
        s.finish_session(
            &other,
            id,
            t("2026-11-21T09:00:00+00:00"),
            None,
            Ending::Stopped
        )
        .is_err()
    );
    assert!(
        s.set_settled(&other, id, true, t("2026-11-21T09:00:00+00:00"))
            .is_err()
    );
    assert!(
        s.heartbeat(&other, id, t("2026-11-21T09:00:00+00:00"))
            .is_err()
    );
    let bad = super::NewSession {
        pain_before: Some(11),
        ..new_session("bad", "2026-11-21T09:00:00+00:00", &r)
    };
    assert!(s.begin_session(&u, &bad).is_err());
    assert!(
        s.record_session(
            &u,
            &bad,
            &[],
            t("2026-11-21T09:10:00+00:00"),
            None,
            Ending::Completed
        )
        .is_err()
    );
    let mut known = s.sessions(&u).unwrap();
    known[0].session.uid = "new-but-bad".into();
    known[0].session.pain_after = Some(12);
    assert!(s.import(&u, &known).is_err());
    assert_eq!(s.event_heads(&u).unwrap(), [(device.clone(), 13)]);
    assert!(s.event_heads(&other).unwrap().is_empty());
    assert!(series(s, &other, &device).is_empty());
    // An import appends one event per session it adds.
    known[0].session.pain_after = Some(1);
    let n = s.import(&u, &known).unwrap();
    assert_eq!((n.added, n.skipped), (1, known.len() - 1));
    assert_eq!(s.event_heads(&u).unwrap(), [(device, 14)]);
}

/// Another store that applies a device's events reads back the same log, keeps them under
/// their own device and indexes, and adds none of its own; applying them again changes
/// nothing.
pub fn replaying_a_devices_events_gives_the_same_log(stores: &[&dyn Store]) {
    let (a, b) = (stores[0], stores[1]);
    let u = UserId::new("a");
    story(a, &u, "a", 20);
    story(a, &u, "a2", 21);
    let device = a.device().unwrap();
    assert_ne!(b.device().unwrap(), device, "each log its own device id");
    let events = series(a, &u, &device);
    let n = b.apply(&u, &events).unwrap();
    assert_eq!((n.applied, n.skipped), (events.len(), 0));
    assert_eq!(view(b, &u), view(a, &u));
    assert_eq!(b.event_heads(&u).unwrap(), a.event_heads(&u).unwrap());
    assert_eq!(series(b, &u, &device), events);
    assert!(
        series(b, &u, &b.device().unwrap()).is_empty(),
        "no events of its own"
    );
    let n = b.apply(&u, &events).unwrap();
    assert_eq!((n.applied, n.skipped), (0, events.len()));
    b.apply(&u, &events[3..7]).unwrap();
    assert_eq!(view(b, &u), view(a, &u));
    assert!(
        view(b, &UserId::new("b")).contains("None"),
        "another user's log stays empty"
    );
    assert!(b.event_heads(&UserId::new("b")).unwrap().is_empty());
}

/// Two devices write, each changing what the other made (a settled answer, the profile);
/// whichever way their events are interleaved, each log and a third that takes them all
/// read back the same: the later profile and answer win, the higher disclaimer, the earlier
/// time of a sheet.
pub fn applying_in_any_order_converges(stores: &[&dyn Store]) {
    let (a, b, c) = (stores[0], stores[1], stores[2]);
    let u = UserId::new("a");
    story(a, &u, "a", 20);
    story(b, &u, "b", 21);
    let (da, db) = (a.device().unwrap(), b.device().unwrap());
    // b learns of a's session and answers for it; a answers earlier, and prints the same
    // sheet later.
    b.apply(&u, &series(a, &u, &da)).unwrap();
    let on_b = |s: &dyn Store| {
        s.sessions(&u)
            .unwrap()
            .into_iter()
            .find(|l| l.session.uid == "a-played")
            .unwrap()
            .session
            .id
    };
    b.set_settled(&u, on_b(b), true, t("2026-11-23T09:00:00+00:00"))
        .unwrap();
    a.set_settled(&u, on_b(a), false, t("2026-11-22T09:00:00+00:00"))
        .unwrap();
    let r = routine();
    a.save_sheet(&u, RoutineCode::of(&r), &r, t("2026-11-25T09:00:00+00:00"))
        .unwrap();
    a.set_profile(&u, &Profile::default(), t("2026-11-19T09:00:00+00:00"))
        .unwrap();
    let (ea, eb) = (series(a, &u, &da), series(b, &u, &db));
    a.apply(&u, &eb).unwrap();
    b.apply(&u, &ea).unwrap();
    // c takes b's first, then a's one at a time with b's again in between.
    c.apply(&u, &eb).unwrap();
    for e in &ea {
        c.apply(&u, std::slice::from_ref(e)).unwrap();
        c.apply(&u, &eb[..2]).unwrap();
    }
    let seen = view(a, &u);
    assert_eq!(view(b, &u), seen);
    assert_eq!(view(c, &u), seen);
    let played = a.sessions(&u).unwrap();
    let played = played.iter().find(|l| l.session.uid == "a-played").unwrap();
    assert_eq!(played.session.settled, Some(true), "b's later answer");
    assert_eq!(
        a.profile(&u).unwrap().unwrap().minutes,
        21,
        "b's later profile"
    );
    assert_eq!(a.disclaimer_version(&u).unwrap(), Some(2));
    assert_eq!(
        a.sheets(&u).unwrap()[0].2,
        t("2026-11-20T13:00:00+01:00"),
        "the first print"
    );
    assert_eq!(a.sessions(&u).unwrap().len(), 6);
    assert_eq!(c.event_heads(&u).unwrap(), a.event_heads(&u).unwrap());
}

/// An event in the place of another of its device's series is refused as diverged, and a
/// gap in a series is refused; either leaves the log as it was.
pub fn a_diverged_event_is_refused(stores: &[&dyn Store]) {
    let (a, b) = (stores[0], stores[1]);
    let u = UserId::new("a");
    story(a, &u, "a", 20);
    let device = a.device().unwrap();
    let events = series(a, &u, &device);
    b.apply(&u, &events[..4]).unwrap();
    let before = view(b, &u);
    let mut other = events[3].clone();
    other.uid = "0190a000-0000-7000-8000-000000000000".into();
    let e = b.apply(&u, &[events[4].clone(), other]).unwrap_err();
    assert!(matches!(e, StoreError::Diverged { idx: 4, .. }), "{e}");
    assert!(e.to_string().contains("diverged"), "{e}");
    let e = b.apply(&u, &events[5..]).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Gap {
                after: 4,
                found: 6,
                ..
            }
        ),
        "{e}"
    );
    let mut moved = events[4].clone();
    moved.uid = events[0].uid.clone();
    assert!(matches!(
        b.apply(&u, &[moved]),
        Err(StoreError::Diverged { .. })
    ));
    // Within one call too: a uid kept earlier in the page, in another place.
    let mut again = events[5].clone();
    again.uid = events[4].uid.clone();
    let e = b.apply(&u, &[events[4].clone(), again]).unwrap_err();
    assert!(matches!(e, StoreError::Diverged { idx: 6, .. }), "{e}");
    assert_eq!(view(b, &u), before);
    assert_eq!(b.event_heads(&u).unwrap(), [(device, 4)]);
    // A change of a session not here yet waits for it.
    let step = Event {
        device: "d".into(),
        idx: 1,
        uid: "0190a000-0000-7000-8000-000000000001".into(),
        change: Change::StepLogged {
            session: "a-whole".into(),
            report: Some(9),
            step: StepRecord {
                exercise_id: Some("cat-camel".into()),
                ..step(9, Outcome::Hurt, "2026-11-20T12:05:00+01:00")
            },
        },
    };
    b.apply(&u, &[step]).unwrap();
    assert_eq!(view(b, &u), before);
    // An event twice in one page is kept once.
    let twice = [events[4].clone(), events[4].clone()];
    let n = b.apply(&u, &twice).unwrap();
    assert_eq!((n.applied, n.skipped), (1, 1));
    b.apply(&u, &events[4..]).unwrap();
    let whole = b.sessions(&u).unwrap();
    let whole = whole.iter().find(|l| l.session.uid == "a-whole").unwrap();
    assert_eq!(whole.steps.len(), 2, "its own step and the one that waited");
}

/// A log and others that took its events (one of this backend, one of SQLite) have the same
/// digest, part by part; a change on one names the part that differs.
pub fn a_replayed_log_has_the_same_digest(stores: &[&dyn Store]) {
    use crate::digest::digest;
    let (a, b) = (stores[0], stores[1]);
    let u = UserId::new("a");
    story(a, &u, "a", 20);
    story(a, &u, "a2", 21);
    let events = series(a, &u, &a.device().unwrap());
    let sqlite = crate::SqliteStore::in_memory().unwrap();
    b.apply(&u, &events).unwrap();
    sqlite.apply(&u, &events).unwrap();
    let here = digest(a, &u).unwrap();
    assert_eq!(here.sessions, 6);
    assert_eq!(digest(b, &u).unwrap(), here);
    assert_eq!(digest(&sqlite, &u).unwrap(), here);
    let later = Profile {
        minutes: 45,
        ..Profile::default()
    };
    b.set_profile(&u, &later, t("2026-11-30T09:00:00+01:00"))
        .unwrap();
    assert_eq!(digest(b, &u).unwrap().differences(&here), ["profile"]);
    let empty = digest(a, &UserId::new("b")).unwrap();
    assert_eq!(empty.sessions, 0);
    assert_eq!(
        here.differences(&empty),
        [
            "clearances",
            "disclaimer",
            "profile",
            "screening",
            "sessions",
            "sheets"
        ]
    );
}

/// Regression: a profile saved here in the same second as one from a device with a greater id
/// (or from a clock ahead) was silently kept out. A local save is the person's latest word:
/// it is stamped just after what it replaces, so it wins here and on every device.
pub fn a_local_save_wins_over_a_tie_or_a_clock_ahead(s: &dyn Store) {
    let u = UserId::new("a");
    let now = t("2026-11-20T09:00:00+01:00");
    let theirs = Profile {
        minutes: 5,
        ..Profile::default()
    };
    let remote = Event {
        device: "ffffffff-ffff-4fff-bfff-ffffffffffff".into(),
        idx: 1,
        uid: "0190aaaa-0000-7000-8000-000000000001".into(),
        change: Change::ProfileSet {
            profile: theirs,
            at: now.plus_seconds(3600),
        },
    };
    s.apply(&u, &[remote]).unwrap();
    let mine = Profile {
        minutes: 7,
        ..Profile::default()
    };
    s.set_profile(&u, &mine, now).unwrap();
    assert_eq!(s.profile(&u).unwrap().map(|p| p.minutes), Some(7));
    let events = series(s, &u, &s.device().unwrap());
    match &events[0].change {
        Change::ProfileSet { at, .. } => assert_eq!(at.utc_s, now.utc_s + 3601),
        other => panic!("{other:?}"),
    }
}

/// A log restored from an older copy diverges from what the server holds of its series; it
/// takes a new id, keeping under the old one what the server holds, and moving the rest
/// (with their uids) to the new one from 1. The server then takes them, the log takes the
/// events it lost, and every log converges with nothing twice.
pub fn a_renamed_device_resends_what_the_server_lacks(stores: &[&dyn Store]) {
    let (a, server, other) = (stores[0], stores[1], stores[2]);
    let u = UserId::new("a");
    story(a, &u, "a", 20);
    let old = a.device().unwrap();
    let backup = series(a, &u, &old);
    server.apply(&u, &backup).unwrap();
    let lost = lost_after_backup(&old);
    server.apply(&u, &lost).unwrap();
    // Written after the restore: the same places, other events.
    let r = routine();
    let profile = Profile {
        minutes: 55,
        ..Profile::default()
    };
    a.set_profile(&u, &profile, t("2026-11-22T07:00:00+01:00"))
        .unwrap();
    a.add_clearance(
        &u,
        &backstretch_core::exchange::Clearance::own("sign-new", t("2026-11-22T07:01:00+01:00")),
    )
    .unwrap();
    let id = a
        .begin_session(&u, &new_session("a-after", "2026-11-22T08:00:00+01:00", &r))
        .unwrap();
    a.log_step(&u, id, &step(0, Outcome::Done, "2026-11-22T08:00:05+01:00"))
        .unwrap();
    a.set_settled(&u, id, true, t("2026-11-22T20:00:00+01:00"))
        .unwrap();
    let after = series(a, &u, &old)[13..].to_vec();
    let e = server.apply(&u, &after).unwrap_err();
    assert!(matches!(e, StoreError::Diverged { idx: 14, .. }), "{e}");

    let before = view(a, &u);
    let new = a.rename_device(&u, 13).unwrap();
    assert_ne!(new, old);
    assert_eq!(a.device().unwrap(), new, "the log writes under its new id");
    assert_eq!(series(a, &u, &old), backup, "what the server holds stays");
    let moved = series(a, &u, &new);
    assert_eq!(
        moved.iter().map(|e| e.idx).collect::<Vec<_>>(),
        (1..=after.len() as u64).collect::<Vec<_>>()
    );
    for (m, e) in moved.iter().zip(&after) {
        assert_eq!((&m.device, &m.uid, &m.change), (&new, &e.uid, &e.change));
    }
    assert_eq!(view(a, &u), before, "the log reads back the same");

    // The server takes the moved events, once; the log takes the ones it lost.
    let n = server.apply(&u, &moved).unwrap();
    assert_eq!((n.applied, n.skipped), (moved.len(), 0));
    assert_eq!(server.apply(&u, &moved).unwrap().skipped, moved.len());
    let back = server.events(&u, &old, 13, usize::MAX).unwrap();
    assert_eq!(back, lost);
    a.apply(&u, &back).unwrap();
    a.set_profile(&u, &profile, t("2026-11-22T09:00:00+01:00"))
        .unwrap();
    let next = series(a, &u, &new);
    assert_eq!(next.last().unwrap().idx, after.len() as u64 + 1);
    server.apply(&u, &next).unwrap();
    for (device, _) in server.event_heads(&u).unwrap() {
        other
            .apply(&u, &server.events(&u, &device, 0, usize::MAX).unwrap())
            .unwrap();
    }
    let seen = view(a, &u);
    assert_eq!(view(server, &u), seen);
    assert_eq!(view(other, &u), seen);
    assert_eq!(a.profile(&u).unwrap(), Some(profile), "the latest profile");
    assert_eq!(
        a.clearances(&u)
            .unwrap()
            .iter()
            .filter(|c| c.sign == "sign-new" || c.sign == "sign-lost")
            .count(),
        2,
        "each clearance once"
    );
    let mut heads = a.event_heads(&u).unwrap();
    heads.sort();
    let mut want = vec![(old, 15), (new, after.len() as u64 + 1)];
    want.sort();
    assert_eq!(heads, want);
}

/// Two events a device wrote after its backup, lost when the backup was restored.
fn lost_after_backup(device: &str) -> [Event; 2] {
    let lost = |idx: u64, uid: &str, change: Change| Event {
        device: device.to_string(),
        idx,
        uid: uid.into(),
        change,
    };
    [
        lost(
            14,
            "0190b000-0000-7000-8000-000000000001",
            Change::ProfileSet {
                profile: Profile {
                    minutes: 44,
                    ..Profile::default()
                },
                at: t("2026-11-21T07:00:00+01:00"),
            },
        ),
        lost(
            15,
            "0190b000-0000-7000-8000-000000000002",
            Change::Clearance {
                sign: "sign-lost".into(),
                at: t("2026-11-21T07:01:00+01:00"),
                by: Some("Dr Lost".into()),
            },
        ),
    ]
}
