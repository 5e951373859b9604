//! The contract every [`Store`] backend must keep, written once and run against each backend
//! (in the manner of atuin's database test crate). A backend's tests call
//! [`store_contract_tests!`](crate::store_contract_tests) with an expression that makes a
//! fresh, empty store; each check below becomes one test.
//!
//! The checks panic on failure, as tests do.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

mod clinic;
mod converge;
mod function;
mod sync;
pub use clinic::{
    a_new_alert_owes_each_clinician_one_email_until_done,
    a_session_speaks_until_closed_expired_or_idle, alerts_are_kept_once_and_acknowledged_once,
    an_invitation_sets_the_password_once_before_it_expires, clinicians_are_added_once_by_email,
    each_clinician_has_their_own_patients,
    erasing_a_person_leaves_nothing_of_them_and_no_one_else_changes,
    failed_logins_count_and_lock_until_one_succeeds,
    patients_are_watched_with_their_quiet_days_and_latest_session,
    the_audit_log_keeps_every_line_in_order, the_patient_list_is_read_in_one_go,
    the_practice_library_keeps_one_of_each_name, totp_is_confirmed_taken_once_and_dropped,
};
pub use converge::{DEVICES, Op, converge};
pub use function::{
    function_records_are_kept_once_per_user, function_records_converge_in_any_order,
};
pub use sync::{
    a_diverged_event_is_refused, a_local_save_wins_over_a_tie_or_a_clock_ahead,
    a_renamed_device_resends_what_the_server_lacks, a_replayed_log_has_the_same_digest,
    applying_in_any_order_converges, every_write_appends_one_event_and_a_failed_write_none,
    replaying_a_devices_events_gives_the_same_log,
};

use std::collections::BTreeMap;

use backstretch_core::code::RoutineCode;
use backstretch_core::event::Event;
use backstretch_core::player::Outcome;
use backstretch_core::profile::{Goal, Profile};
use backstretch_core::routine::Routine;
use backstretch_core::safety::{Screening, ScreeningVerdict};
use backstretch_core::session::{
    Effort, Ending, LoggedSession, Rating, SessionId, SessionSource, StepRecord,
};
use backstretch_core::stats::SessionFact;
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{Side, StepKind};
use backstretch_core::vocab::{Area, Place};

use crate::accounts::{Accounts, Linking, Redeemed};
use crate::{NewSession, Order, Store, StoreError, UserId};

/// Makes one test per contract check for a backend: `store_contract_tests!(make())`, where
/// `make()` returns a fresh, empty store behind any pointer (`Box`, or a guard that also
/// keeps its temporary directory alive).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@each $make;
            profile_round_trips_per_user,
            disclaimer_keeps_the_highest_version_per_user,
            the_latest_screening_wins,
            sessions_are_logged_step_by_step,
            sessions_order_by_the_instant_across_a_clock_change,
            sessions_since_reads_from_an_instant_with_steps,
            the_log_reads_page_by_page_either_way,
            a_recorded_session_is_all_or_nothing,
            users_never_see_or_touch_each_others_sessions,
            one_users_log_is_out_of_every_other_users_reach,
            import_skips_known_uids_and_keeps_every_field,
            hurts_count_once_per_session,
            the_last_rated_session_and_the_pain_history,
            a_large_import_is_all_or_nothing,
            follow_ups_and_clearances_are_kept_per_user,
            sheets_are_kept_by_code_per_user,
            prescriptions_and_messages_are_kept_once_per_user,
            a_retried_report_is_logged_once,
            the_change_marker_moves_with_every_write,
            session_facts_agree_with_the_steps_however_they_were_written,
            every_write_appends_one_event_and_a_failed_write_none,
            a_local_save_wins_over_a_tie_or_a_clock_ahead,
            function_records_are_kept_once_per_user
        );
        $crate::store_contract_tests!(@many $make;
            replaying_a_devices_events_gives_the_same_log,
            applying_in_any_order_converges,
            a_diverged_event_is_refused,
            a_replayed_log_has_the_same_digest,
            a_renamed_device_resends_what_the_server_lacks,
            function_records_converge_in_any_order
        );
    };
    (@many $make:expr; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                let stores = [$make, $make, $make];
                let each: Vec<&dyn $crate::Store> = stores.iter().map(|s| &**s as _).collect();
                $crate::contract::$name(&each);
            }
        )*
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                let store = $make;
                $crate::contract::$name(&*store);
            }
        )*
    };
}

fn t(text: &str) -> Stamp {
    Stamp::parse(text).unwrap()
}

fn routine() -> Routine {
    Routine {
        style: "source".into(),
        ..Routine::default()
    }
}

fn step(i: u32, outcome: Outcome, at: &str) -> StepRecord {
    StepRecord {
        step: i,
        kind: StepKind::Hold,
        exercise_id: Some("bridge".into()),
        side: Some(Side::Left),
        rep: i,
        planned_s: 5,
        done_ms: 5_000,
        outcome,
        at: t(at),
        rating: None,
    }
}

/// A step with what the person said of an exercise while it ran.
fn rated(st: StepRecord, id: &str, effort: Effort) -> StepRecord {
    StepRecord {
        rating: Some(Rating {
            exercise_id: id.into(),
            effort,
        }),
        ..st
    }
}

fn new_session<'a>(uid: &'a str, at: &str, routine: &'a Routine) -> NewSession<'a> {
    NewSession {
        uid,
        started_at: t(at),
        source: SessionSource::Player,
        routine,
        planned_s: 60,
        pain_before: Some(4),
        pid: None,
    }
}

/// A profile saved for one user is theirs alone, and saving again replaces it.
pub fn profile_round_trips_per_user(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    assert_eq!(s.profile(&a).unwrap(), None);
    let mut p = Profile {
        areas: vec![Area::LowerBack, Area::Neck],
        places: vec![Place::Bed],
        minutes: 12,
        goal: Goal::PerWeek(3),
        ..Profile::default()
    };
    s.set_profile(&a, &p, t("2026-11-21T09:00:00+00:00"))
        .unwrap();
    assert_eq!(s.profile(&a).unwrap(), Some(p.clone()));
    assert_eq!(s.profile(&b).unwrap(), None);
    p.minutes = 5;
    s.set_profile(&a, &p, t("2026-11-22T09:00:00+00:00"))
        .unwrap();
    assert_eq!(s.profile(&a).unwrap(), Some(p));
    assert_eq!(
        s.profile_saved_at(&a).unwrap(),
        Some(t("2026-11-22T09:00:00+00:00")),
        "when it was last saved"
    );
    assert_eq!(s.profile_saved_at(&b).unwrap(), None);
}

/// The disclaimer version is the highest accepted, per user.
pub fn disclaimer_keeps_the_highest_version_per_user(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    assert_eq!(s.disclaimer_version(&a).unwrap(), None);
    s.accept_disclaimer(&a, 2, t("2026-11-21T09:00:00+00:00"))
        .unwrap();
    s.accept_disclaimer(&a, 1, t("2026-11-22T09:00:00+00:00"))
        .unwrap();
    assert_eq!(s.disclaimer_version(&a).unwrap(), Some(2));
    assert_eq!(s.disclaimer_version(&b).unwrap(), None);
}

/// The latest red-flag check is returned whole (with its assessment answer and the signs it
/// asked as new since a clinician checked them), per user.
pub fn the_latest_screening_wins(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    assert_eq!(s.last_screening(&a).unwrap(), None);
    let first = Screening {
        at: t("2026-11-21T09:00:00+01:00"),
        areas: vec![Area::Neck],
        answers: BTreeMap::from([("weight-loss".to_string(), true)]),
        verdict: ScreeningVerdict::Soon,
        assessed: None,
        since: BTreeMap::new(),
    };
    let second = Screening {
        at: t("2026-11-22T09:00:00+01:00"),
        areas: vec![Area::Neck, Area::LowerBack],
        answers: BTreeMap::from([("weight-loss".to_string(), false)]),
        verdict: ScreeningVerdict::Clear,
        assessed: Some(true),
        since: BTreeMap::from([("weight-loss".to_string(), t("2026-11-21T15:30:00-05:00"))]),
    };
    s.add_screening(&a, &first).unwrap();
    s.add_screening(&a, &second).unwrap();
    assert_eq!(s.last_screening(&a).unwrap(), Some(second));
    assert_eq!(s.last_screening(&b).unwrap(), None);
}

/// Steps are kept as they are logged; an unfinished session is found; finishing ends it.
pub fn sessions_are_logged_step_by_step(s: &dyn Store) {
    let u = UserId::new("a");
    let r = routine();
    let id = s
        .begin_session(&u, &new_session("u1", "2026-11-21T09:00:00+00:00", &r))
        .unwrap();
    // What the person said of an exercise rides on the step it was said in.
    let steps = [
        step(1, Outcome::Done, "2026-11-21T09:00:10+00:00"),
        rated(
            step(2, Outcome::Hurt, "2026-11-21T09:00:20+00:00"),
            "cat-camel",
            Effort::TooHard,
        ),
    ];
    for st in &steps {
        s.log_step(&u, id, st).unwrap();
    }
    let open = s.last_unfinished(&u).unwrap().unwrap();
    assert_eq!(open.id, id);
    assert_eq!(open.heartbeat_at, t("2026-11-21T09:00:20+00:00"));
    assert_eq!(s.steps(&u, id).unwrap(), steps.to_vec());
    s.heartbeat(&u, id, t("2026-11-21T09:00:30+00:00")).unwrap();
    s.finish_session(
        &u,
        id,
        t("2026-11-21T09:01:00+00:00"),
        Some(3),
        Ending::Completed,
    )
    .unwrap();
    assert!(s.last_unfinished(&u).unwrap().is_none());
    let all = s.sessions(&u).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].session.pain_after, Some(3));
    assert_eq!(all[0].session.outcome, Some(Ending::Completed));
    assert_eq!(
        all[0].session.ended_at,
        Some(t("2026-11-21T09:01:00+00:00"))
    );
    assert_eq!(all[0].session.routine, r);
    assert_eq!(all[0].steps, steps.to_vec());
}

/// Sessions come back newest first by the instant they started, not by their local text:
/// 01:30 BST (00:30 UTC) is before 01:10 GMT (01:10 UTC) on the autumn fall-back night.
pub fn sessions_order_by_the_instant_across_a_clock_change(s: &dyn Store) {
    let u = UserId::new("a");
    let r = routine();
    let end = t("2026-10-25T02:00:00+00:00");
    for (uid, at) in [
        ("gmt", "2026-10-25T01:10:00+00:00"),
        ("bst", "2026-10-25T01:30:00+01:00"),
        ("later", "2026-10-26T08:00:00+00:00"),
    ] {
        s.record_session(
            &u,
            &new_session(uid, at, &r),
            &[],
            end,
            None,
            Ending::Completed,
        )
        .unwrap();
    }
    let order: Vec<String> = s
        .sessions(&u)
        .unwrap()
        .into_iter()
        .map(|l| l.session.uid)
        .collect();
    assert_eq!(order, ["later", "gmt", "bst"]);
}

/// `sessions_since` gives the sessions started at the instant or later (by the instant, not
/// the local clock), newest first, with their steps, and only the user's.
pub fn sessions_since_reads_from_an_instant_with_steps(s: &dyn Store) {
    let (u, other) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    for (user, uid, at) in [
        (&u, "old", "2026-11-01T08:00:00+00:00"),
        (&u, "edge", "2026-11-10T09:00:00+01:00"),
        (&u, "new", "2026-11-12T08:00:00+00:00"),
        (&other, "theirs", "2026-11-12T09:00:00+00:00"),
    ] {
        let steps = [step(0, Outcome::Done, at)];
        s.record_session(
            user,
            &new_session(uid, at, &r),
            &steps,
            t(at),
            None,
            Ending::Completed,
        )
        .unwrap();
    }
    let since = |at: &str| -> Vec<(String, usize)> {
        s.sessions_since(&u, t(at))
            .unwrap()
            .into_iter()
            .map(|l| (l.session.uid, l.steps.len()))
            .collect()
    };
    // 09:00+01:00 is 08:00 UTC: the session at exactly the instant is included.
    assert_eq!(
        since("2026-11-10T08:00:00+00:00"),
        [("new".to_string(), 1), ("edge".to_string(), 1)]
    );
    assert_eq!(since("2026-11-10T08:00:01+00:00"), [("new".to_string(), 1)]);
    assert_eq!(since("2026-12-01T00:00:00+00:00"), []);
    assert_eq!(since("2020-01-01T00:00:00+00:00").len(), 3);
}

/// Pages of the log come in either order, each from just past the last, with every session
/// once (sessions started in the same second too), with its steps, and only the user's.
pub fn the_log_reads_page_by_page_either_way(s: &dyn Store) {
    let (u, other) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    let uids: Vec<String> = (0..7).map(|i| format!("s{i}")).collect();
    for (i, uid) in uids.iter().enumerate() {
        // Two sessions a second: the page boundary falls between sessions of one second.
        let at = t("2026-11-01T08:00:00+00:00").plus_seconds(i64::try_from(i / 2).unwrap());
        let steps = [step(0, Outcome::Done, &at.rfc3339())];
        s.record_session(
            &u,
            &new_session(uid, &at.rfc3339(), &r),
            &steps,
            at,
            None,
            Ending::Completed,
        )
        .unwrap();
    }
    s.record_session(
        &other,
        &new_session("theirs", "2026-11-01T08:00:00+00:00", &r),
        &[],
        t("2026-11-01T08:10:00+00:00"),
        None,
        Ending::Completed,
    )
    .unwrap();
    for order in [Order::OldestFirst, Order::NewestFirst] {
        let mut seen = Vec::new();
        let mut from = None;
        loop {
            let page = s.sessions_page(&u, from, 3, order).unwrap();
            assert!(page.len() <= 3);
            let Some(last) = page.last() else { break };
            from = Some((last.session.started_at, last.session.id));
            for l in &page {
                assert_eq!(l.steps.len(), 1, "{}", l.session.uid);
                seen.push(l.session.uid.clone());
            }
        }
        if order == Order::NewestFirst {
            seen.reverse();
        }
        assert_eq!(seen, uids, "{order:?}");
        let newest: Vec<String> = s
            .sessions(&u)
            .unwrap()
            .into_iter()
            .map(|l| l.session.uid)
            .collect();
        assert_eq!(
            newest.last(),
            uids.first(),
            "the whole log is newest first too"
        );
        assert!(
            s.sessions_page(&UserId::new("c"), None, 3, order)
                .unwrap()
                .is_empty()
        );
    }
}

/// A session recorded whole is all or nothing: an impossible value writes none of it.
pub fn a_recorded_session_is_all_or_nothing(s: &dyn Store) {
    let u = UserId::new("a");
    let r = routine();
    let steps = [step(0, Outcome::Done, "2026-11-20T18:05:00+00:00")];
    let end = t("2026-11-20T18:10:00+00:00");
    let new = new_session("m1", "2026-11-20T18:00:00+00:00", &r);
    s.record_session(&u, &new, &steps, end, Some(4), Ending::Completed)
        .unwrap();
    let again = NewSession { uid: "m2", ..new };
    assert!(
        s.record_session(&u, &again, &steps, end, Some(11), Ending::Completed)
            .is_err(),
        "pain 11 is refused"
    );
    let all = s.sessions(&u).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].steps.len(), 1);
}

/// One user's sessions are invisible to another, who cannot write to them either.
pub fn users_never_see_or_touch_each_others_sessions(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    let id = s
        .begin_session(&a, &new_session("same", "2026-11-21T09:00:00+00:00", &r))
        .unwrap();
    // The same uid may exist for another user.
    s.begin_session(&b, &new_session("same", "2026-11-21T09:00:00+00:00", &r))
        .unwrap();
    let st = step(1, Outcome::Done, "2026-11-21T09:00:10+00:00");
    assert!(matches!(
        s.log_step(&b, id, &st),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.finish_session(
            &b,
            id,
            t("2026-11-21T09:01:00+00:00"),
            None,
            Ending::Stopped
        ),
        Err(StoreError::NotFound { .. })
    ));
    assert!(s.steps(&b, id).unwrap().is_empty());
    assert_eq!(s.sessions(&a).unwrap().len(), 1);
    assert_eq!(s.sessions(&b).unwrap().len(), 1);
    assert!(s.sessions(&UserId::new("c")).unwrap().is_empty());
}

/// Everything a user reads back, for comparing before and after another user's calls.
fn everything(s: &dyn Store, u: &UserId) -> String {
    let ever = t("2000-01-01T00:00:00+00:00");
    format!(
        "{:?}",
        (
            (s.profile(u).unwrap(), s.profile_saved_at(u).unwrap()),
            (
                s.disclaimer_version(u).unwrap(),
                s.last_screening(u).unwrap()
            ),
            (
                s.sessions(u).unwrap(),
                s.sessions_page(u, None, 100, Order::NewestFirst).unwrap(),
                s.session_facts(u).unwrap()
            ),
            (s.last_unfinished(u).unwrap(), s.last_rated(u).unwrap()),
            (
                s.pain_history(u, None).unwrap(),
                s.pain_befores(u, true, 100).unwrap()
            ),
            (
                s.hurts(u, ever).unwrap(),
                s.clearances(u).unwrap(),
                s.sheets(u).unwrap()
            ),
        )
    )
}

/// Writes a whole log for the user: profile, disclaimer, check, clearance, sheet, a session
/// ended (with a step that hurt, settled) and one open; the two sessions' ids.
fn whole_log(s: &dyn Store, a: &UserId) -> (SessionId, SessionId) {
    let r = routine();
    let at = t("2026-11-21T09:00:00+00:00");
    let p = Profile {
        minutes: 12,
        ..Profile::default()
    };
    s.set_profile(a, &p, at).unwrap();
    s.accept_disclaimer(a, 3, at).unwrap();
    let check = Screening {
        at,
        areas: vec![Area::Neck],
        answers: BTreeMap::from([("weight-loss".to_string(), false)]),
        verdict: ScreeningVerdict::Clear,
        assessed: None,
        since: BTreeMap::new(),
    };
    s.add_screening(a, &check).unwrap();
    s.add_clearance(
        a,
        &backstretch_core::exchange::Clearance::own("weight-loss", at),
    )
    .unwrap();
    s.save_sheet(a, RoutineCode::of(&r), &r, at).unwrap();
    let hurt = step(1, Outcome::Hurt, "2026-11-20T09:00:10+00:00");
    let ended = s
        .record_session(
            a,
            &new_session("ended", "2026-11-20T09:00:00+00:00", &r),
            std::slice::from_ref(&hurt),
            t("2026-11-20T09:10:00+00:00"),
            Some(3),
            Ending::Completed,
        )
        .unwrap();
    s.set_settled(a, ended, true, t("2026-11-22T07:00:00+00:00"))
        .unwrap();
    let open = s
        .begin_session(a, &new_session("open", "2026-11-21T09:00:00+00:00", &r))
        .unwrap();
    s.log_step(a, open, &hurt).unwrap();
    (ended, open)
}

/// One user's whole log (profile, disclaimer, check, sessions open and ended with their
/// steps, clearance, sheet) is out of another's reach: every read of the other finds nothing,
/// every write naming the first user's sessions is refused as not found, and nothing the
/// other does (even importing the first user's export) changes what the first user reads.
pub fn one_users_log_is_out_of_every_other_users_reach(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    let at = t("2026-11-21T09:00:00+00:00");
    let hurt = step(1, Outcome::Hurt, "2026-11-20T09:00:10+00:00");
    let (ended, open) = whole_log(s, &a);
    let before = everything(s, &a);
    let nobody = everything(s, &b);

    let not_found = |r: Result<(), StoreError>| matches!(r, Err(StoreError::NotFound { .. }));
    for id in [ended, open] {
        assert!(s.session(&b, id).unwrap().is_none());
        assert!(s.steps(&b, id).unwrap().is_empty());
        assert!(not_found(s.log_step(&b, id, &hurt)));
        assert!(not_found(s.heartbeat(&b, id, at)));
        assert!(not_found(s.set_settled(
            &b,
            id,
            false,
            t("2026-11-22T07:00:00+00:00")
        )));
        assert!(not_found(s.finish_session(
            &b,
            id,
            at,
            Some(9),
            Ending::Stopped
        )));
        let once = s.log_steps_once(&b, &[(id, 7, &hurt)]).unwrap();
        assert!(matches!(once[0], Err(StoreError::NotFound { .. })));
    }
    assert_eq!(s.sheet(&b, RoutineCode::of(&r)).unwrap(), None);
    // The other user's own writes, under the same uids and code, stay theirs.
    s.set_profile(&b, &Profile::default(), at).unwrap();
    s.accept_disclaimer(&b, 1, at).unwrap();
    s.save_sheet(&b, RoutineCode::of(&r), &r, at).unwrap();
    s.begin_session(&b, &new_session("open", "2026-11-22T09:00:00+00:00", &r))
        .unwrap();
    let n = s.import(&b, &s.sessions(&a).unwrap()).unwrap();
    assert_eq!((n.added, n.skipped), (1, 1), "b's own `open` is skipped");

    assert_eq!(everything(s, &a), before, "a's log is as it was");
    assert_ne!(everything(s, &b), nobody);
    assert_eq!(s.sessions(&b).unwrap().len(), 2);
    assert_eq!(s.last_unfinished(&a).unwrap().unwrap().id, open);
}

/// Import adds what is new, skips known uids, and keeps every field (an unfinished session
/// stays unfinished with its heartbeat).
pub fn import_skips_known_uids_and_keeps_every_field(s: &dyn Store) {
    let u = UserId::new("a");
    let r = routine();
    s.record_session(
        &u,
        &new_session("known", "2026-11-01T09:00:00+00:00", &r),
        &[],
        t("2026-11-01T09:10:00+00:00"),
        Some(2),
        Ending::Completed,
    )
    .unwrap();
    let mut exported = s.sessions(&u).unwrap();
    let mut open = exported[0].clone();
    open.session.uid = "open".into();
    open.session.started_at = t("2026-11-02T21:00:00-05:00");
    open.session.heartbeat_at = t("2026-11-02T21:03:00-05:00");
    open.session.ended_at = None;
    open.session.outcome = None;
    open.session.pain_after = None;
    open.session.source = SessionSource::Manual;
    open.steps = vec![step(3, Outcome::Skipped, "2026-11-02T21:02:00-05:00")];
    exported.push(open.clone());
    let n = s.import(&u, &exported).unwrap();
    assert_eq!((n.added, n.skipped), (1, 1));
    let n = s.import(&u, &exported).unwrap();
    assert_eq!((n.added, n.skipped), (0, 2));
    let back: Vec<LoggedSession> = s.sessions(&u).unwrap();
    let got = back.iter().find(|l| l.session.uid == "open").unwrap();
    assert_eq!(got.steps, open.steps);
    let (mut a, mut b) = (got.session.clone(), open.session);
    a.id = b.id;
    a.pid = None;
    b.pid = None;
    assert_eq!(a, b);
}

/// An exercise hurt twice in one session counts once for that session.
pub fn hurts_count_once_per_session(s: &dyn Store) {
    let u = UserId::new("a");
    let r = routine();
    let hurt = [
        step(1, Outcome::Hurt, "2026-11-21T09:00:10+00:00"),
        step(2, Outcome::Hurt, "2026-11-21T09:00:20+00:00"),
    ];
    for (uid, at) in [
        ("one", "2026-11-20T09:00:00+00:00"),
        ("two", "2026-11-21T09:00:00+00:00"),
    ] {
        s.record_session(
            &u,
            &new_session(uid, at, &r),
            &hurt,
            t("2026-11-21T09:01:00+00:00"),
            None,
            Ending::Stopped,
        )
        .unwrap();
    }
    let ever = t("2020-01-01T00:00:00+00:00");
    let h = s.hurts(&u, ever).unwrap();
    assert_eq!(h.len(), 2);
    assert!(h.iter().all(|h| h.exercise == "bridge"));
    assert!(h[0].day < h[1].day);
    assert!(s.hurts(&UserId::new("b"), ever).unwrap().is_empty());
    // From an instant on: only the sessions started then or later.
    let h = s.hurts(&u, t("2026-11-21T09:00:00+00:00")).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].day, t("2026-11-21T09:00:00+00:00").day());
}

/// The last rated session is the newest that ended with both pain scores; the pain history
/// is every session's start and pain before, oldest first, and only the user's.
pub fn the_last_rated_session_and_the_pain_history(s: &dyn Store) {
    let (u, other) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    assert!(s.last_rated(&u).unwrap().is_none());
    assert!(s.pain_history(&u, None).unwrap().is_empty());
    let end = |at: &str| t(at).plus_seconds(600);
    for (user, uid, at, before, after) in [
        (&u, "rated", "2026-11-20T09:00:00+00:00", Some(4), Some(3)),
        (&u, "no-after", "2026-11-21T09:00:00+00:00", Some(5), None),
        (
            &other,
            "theirs",
            "2026-11-22T09:00:00+00:00",
            Some(2),
            Some(2),
        ),
    ] {
        let new = NewSession {
            pain_before: before,
            ..new_session(uid, at, &r)
        };
        s.record_session(user, &new, &[], end(at), after, Ending::Completed)
            .unwrap();
    }
    // Rated but still playing: not ended, so not the last rated.
    let playing = NewSession {
        pain_before: Some(6),
        ..new_session("playing", "2026-11-23T09:00:00+00:00", &r)
    };
    s.begin_session(&u, &playing).unwrap();
    assert_eq!(s.last_rated(&u).unwrap().unwrap().uid, "rated");
    assert_eq!(s.last_rated(&other).unwrap().unwrap().uid, "theirs");
    let brief = |since| -> Vec<(Stamp, Option<u8>, Option<u8>, bool)> {
        s.pain_history(&u, since)
            .unwrap()
            .into_iter()
            .map(|p| (p.started_at, p.pain_before, p.pain_after, p.ended))
            .collect()
    };
    assert_eq!(
        brief(None),
        [
            (t("2026-11-20T09:00:00+00:00"), Some(4), Some(3), true),
            (t("2026-11-21T09:00:00+00:00"), Some(5), None, true),
            (t("2026-11-23T09:00:00+00:00"), Some(6), None, false),
        ]
    );
    assert_eq!(brief(Some(t("2026-11-21T09:00:00+00:00"))).len(), 2);
    assert_eq!(s.pain_befores(&u, false, 2).unwrap(), [4, 5]);
    assert_eq!(s.pain_befores(&u, true, 2).unwrap(), [6, 5]);
    assert_eq!(s.pain_befores(&u, true, 10).unwrap(), [6, 5, 4]);
    assert_eq!(s.pain_befores(&other, true, 10).unwrap(), [2]);
    s.set_settled(
        &u,
        s.last_rated(&u).unwrap().unwrap().id,
        false,
        t("2026-11-22T07:00:00+00:00"),
    )
    .unwrap();
    assert_eq!(s.pain_history(&u, None).unwrap()[0].settled, Some(false));
}

/// An import larger than any batch a backend may use is still all or nothing: an impossible
/// value near its end leaves the log as it was.
pub fn a_large_import_is_all_or_nothing(s: &dyn Store) {
    let u = UserId::new("a");
    let r = routine();
    s.record_session(
        &u,
        &new_session("before", "2026-11-01T09:00:00+00:00", &r),
        &[],
        t("2026-11-01T09:10:00+00:00"),
        Some(2),
        Ending::Completed,
    )
    .unwrap();
    let one = s.sessions(&u).unwrap().remove(0);
    let mut many: Vec<LoggedSession> = (0..250)
        .map(|i| {
            let mut l = one.clone();
            l.session.uid = format!("bulk-{i}");
            l
        })
        .collect();
    many[230].session.pain_before = Some(11);
    assert!(s.import(&u, &many).is_err());
    assert_eq!(s.sessions(&u).unwrap().len(), 1, "nothing of it stayed");
    many[230].session.pain_before = Some(1);
    let n = s.import(&u, &many).unwrap();
    assert_eq!((n.added, n.skipped), (250, 0));
}

/// Whether soreness settled is kept with its session (and travels through import); a
/// clearance is kept with its sign and time; both per user.
pub fn follow_ups_and_clearances_are_kept_per_user(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    let id = s
        .record_session(
            &a,
            &new_session("sore", "2026-11-20T09:00:00+00:00", &r),
            &[],
            t("2026-11-20T09:10:00+00:00"),
            Some(5),
            Ending::Completed,
        )
        .unwrap();
    assert_eq!(s.sessions(&a).unwrap()[0].session.settled, None);
    assert!(matches!(
        s.set_settled(&b, id, false, t("2026-11-22T07:00:00+00:00")),
        Err(StoreError::NotFound { .. })
    ));
    s.set_settled(&a, id, false, t("2026-11-22T07:00:00+00:00"))
        .unwrap();
    let exported = s.sessions(&a).unwrap();
    assert_eq!(exported[0].session.settled, Some(false));
    s.import(&b, &exported).unwrap();
    assert_eq!(s.sessions(&b).unwrap()[0].session.settled, Some(false));

    let cleared = backstretch_core::exchange::Clearance {
        sign: "weight-loss".into(),
        at: t("2026-11-21T09:00:00+01:00"),
        by: Some("Dr Ada Byrne".into()),
    };
    s.add_clearance(&a, &cleared).unwrap();
    assert_eq!(s.clearances(&a).unwrap(), [cleared]);
    assert!(s.clearances(&b).unwrap().is_empty());
}

/// A printed routine is found again by its code, by its own user only; saving the same code
/// twice keeps the first.
pub fn sheets_are_kept_by_code_per_user(s: &dyn Store) {
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    let code = RoutineCode::of(&r);
    assert_eq!(s.sheet(&a, code).unwrap(), None);
    s.save_sheet(&a, code, &r, t("2026-11-22T08:00:00+00:00"))
        .unwrap();
    let mut other = r.clone();
    other.style = "other".into();
    s.save_sheet(&a, code, &other, t("2026-11-22T09:00:00+00:00"))
        .unwrap();
    assert_eq!(s.sheet(&a, code).unwrap(), Some(r.clone()));
    assert_eq!(s.sheet(&b, code).unwrap(), None);
    assert_eq!(
        s.sheets(&a).unwrap(),
        vec![(code, r, t("2026-11-22T08:00:00+00:00"))],
        "every sheet, for an export"
    );
    assert!(s.sheets(&b).unwrap().is_empty());
}

/// Prescriptions and messages are kept once by id, in the order they were made, by their own
/// user only; each write is an event that brings the same to another log.
pub fn prescriptions_and_messages_are_kept_once_per_user(s: &dyn Store) {
    use backstretch_core::care::{Message, Prescription};
    let (a, b) = (UserId::new("a"), UserId::new("b"));
    let p = |id: &str, at: &str| Prescription {
        id: id.into(),
        by: "ada@clinic.example".into(),
        at: t(at),
        routine: routine(),
        per_week: 5,
        note: "gently".into(),
        practice: vec![],
    };
    let (late, early) = (
        p("p2", "2026-11-22T09:00:00+00:00"),
        p("p1", "2026-11-21T09:00:00+00:00"),
    );
    s.add_prescription(&a, &late).unwrap();
    s.add_prescription(&a, &early).unwrap();
    s.add_prescription(&a, &early).unwrap();
    assert_eq!(s.prescriptions(&a).unwrap(), [early.clone(), late.clone()]);
    assert!(s.prescriptions(&b).unwrap().is_empty());
    let m = |uid: &str, from: Option<&str>, at: &str| Message {
        uid: uid.into(),
        from: from.map(Into::into),
        at: t(at),
        text: format!("message {uid}"),
    };
    let (mine, theirs) = (
        m("m1", None, "2026-11-22T10:00:00+00:00"),
        m(
            "m2",
            Some("ada@clinic.example"),
            "2026-11-22T10:05:00+00:00",
        ),
    );
    s.add_message(&a, &theirs).unwrap();
    s.add_message(&a, &mine).unwrap();
    s.add_message(&a, &mine).unwrap();
    assert_eq!(s.messages(&a).unwrap(), [mine.clone(), theirs.clone()]);
    assert!(s.messages(&b).unwrap().is_empty());
    // Each kept write is an event, and the events bring the same to another user's log.
    let device = s.device().unwrap();
    let events = s.events(&a, &device, 0, 100).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.change.kind()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "prescribed").count(),
        3,
        "{kinds:?}"
    );
    let c = UserId::new("c");
    let moved: Vec<Event> = events
        .into_iter()
        .map(|e| Event {
            device: "copy-device".into(),
            ..e
        })
        .collect();
    s.apply(&c, &moved).unwrap();
    assert_eq!(s.prescriptions(&c).unwrap(), [early, late]);
    assert_eq!(s.messages(&c).unwrap(), [mine, theirs]);
}

/// A step sent again under the same report number (a network retry) is logged once; the
/// same step reported anew (played again after going back) is logged again; another user
/// can neither log into the session nor read it.
pub fn a_retried_report_is_logged_once(s: &dyn Store) {
    let u = UserId::new("a");
    let r = routine();
    let id = s
        .begin_session(&u, &new_session("u1", "2026-11-21T09:00:00+00:00", &r))
        .unwrap();
    let first = step(1, Outcome::Done, "2026-11-21T09:00:10+00:00");
    let once = |user: &UserId, report: u32| {
        s.log_steps_once(user, &[(id, report, &first)])
            .unwrap()
            .remove(0)
    };
    assert!(once(&u, 0).unwrap());
    assert!(!once(&u, 0).unwrap());
    // Another report of the very same moment (the same step, second and time done: "it
    // hurts", back, back, "it hurts" within a second) is that moment again, kept once, so an
    // export of the log always imports.
    assert!(!once(&u, 1).unwrap());
    assert_eq!(s.steps(&u, id).unwrap(), vec![first.clone()]);
    let again = StepRecord {
        done_ms: first.done_ms - 1,
        ..first.clone()
    };
    assert!(
        s.log_steps_once(&u, &[(id, 1, &again)]).unwrap()[0]
            .as_ref()
            .is_ok_and(|n| *n)
    );
    s.log_step(&u, id, &again).unwrap();
    assert_eq!(s.steps(&u, id).unwrap(), vec![first.clone(), again.clone()]);
    let other = UserId::new("b");
    assert!(once(&other, 2).is_err());
    assert!(s.session(&other, id).unwrap().is_none());
    let mine = s.session(&u, id).unwrap().unwrap();
    assert_eq!(mine.id, id);
    assert_eq!(mine.uid, "u1");
    assert_eq!(s.steps(&u, id).unwrap().len(), 2);
    // Many at once, in one commit: each on its own; a retry within the batch is seen.
    let second = step(2, Outcome::Hurt, "2026-11-21T09:00:20+00:00");
    let got = s
        .log_steps_once(
            &u,
            &[
                (id, 2, &second),
                (SessionId(id.0 + 1000), 3, &second),
                (id, 2, &second),
                (id, 0, &first),
            ],
        )
        .unwrap();
    assert!(matches!(got[0], Ok(true)));
    assert!(got[1].is_err(), "an unknown session fails alone");
    assert!(matches!(got[2], Ok(false)));
    assert!(matches!(got[3], Ok(false)));
    assert_eq!(s.steps(&u, id).unwrap(), vec![first, again, second]);
}

/// The change marker, where a backend has one, stays while nothing is written and moves with
/// every write.
pub fn the_change_marker_moves_with_every_write(s: &dyn Store) {
    let Some(m0) = s.change_marker().unwrap() else {
        return;
    };
    let u = UserId::new("a");
    assert_eq!(s.change_marker().unwrap(), Some(m0));
    let _ = s.sessions(&u).unwrap();
    assert_eq!(
        s.change_marker().unwrap(),
        Some(m0),
        "reading changes nothing"
    );
    s.accept_disclaimer(&u, 1, t("2026-11-21T09:00:00+00:00"))
        .unwrap();
    let m1 = s.change_marker().unwrap().unwrap();
    assert_ne!(m1, m0);
    let r = routine();
    let id = s
        .begin_session(&u, &new_session("u1", "2026-11-21T09:00:00+00:00", &r))
        .unwrap();
    let m2 = s.change_marker().unwrap().unwrap();
    assert_ne!(m2, m1);
    s.log_step(&u, id, &step(1, Outcome::Done, "2026-11-21T09:00:10+00:00"))
        .unwrap();
    assert_ne!(s.change_marker().unwrap().unwrap(), m2);
}

/// The facts of every session (what statistics read from one row a session) are what its
/// steps come to, however they were written: step by step, in a batch with a retried report,
/// whole, or by an import; newest first, and only the user's.
pub fn session_facts_agree_with_the_steps_however_they_were_written(s: &dyn Store) {
    let (u, other) = (UserId::new("a"), UserId::new("b"));
    let r = routine();
    // Desk breaks are told apart in the facts, whichever way they were written.
    let mut desk = routine();
    desk.profile.desk_break = true;
    let other_exercise = |mut st: StepRecord, id: &str, kind: StepKind| {
        st.exercise_id = Some(id.into());
        st.kind = kind;
        st
    };
    let id = s
        .begin_session(&u, &new_session("steps", "2026-11-20T08:00:00+00:00", &r))
        .unwrap();
    for st in [
        step(0, Outcome::Done, "2026-11-20T08:00:05+00:00"),
        other_exercise(
            step(1, Outcome::Hurt, "2026-11-20T08:00:10+00:00"),
            "cat-camel",
            StepKind::Hold,
        ),
        rated(
            other_exercise(
                step(2, Outcome::Done, "2026-11-20T08:00:15+00:00"),
                "chin-tuck",
                StepKind::Rest,
            ),
            "bridge",
            Effort::TooEasy,
        ),
    ] {
        s.log_step(&u, id, &st).unwrap();
    }
    let batch = [
        step(0, Outcome::Skipped, "2026-11-21T08:00:05+00:00"),
        step(1, Outcome::Hurt, "2026-11-21T08:00:10+00:00"),
    ];
    let id2 = s
        .begin_session(
            &u,
            &new_session("batch", "2026-11-21T08:00:00+00:00", &desk),
        )
        .unwrap();
    let sent: Vec<(SessionId, u32, &StepRecord)> = vec![
        (id2, 0, &batch[0]),
        (id2, 1, &batch[1]),
        (id2, 1, &batch[1]),
    ];
    s.log_steps_once(&u, &sent).unwrap();
    s.finish_session(
        &u,
        id2,
        t("2026-11-21T08:10:00+00:00"),
        Some(5),
        Ending::Stopped,
    )
    .unwrap();
    s.record_session(
        &u,
        &new_session("whole", "2026-11-22T08:00:00+00:00", &desk),
        &[step(0, Outcome::Skipped, "2026-11-22T08:00:05+00:00")],
        t("2026-11-22T08:10:00+00:00"),
        Some(2),
        Ending::Completed,
    )
    .unwrap();
    s.begin_session(&u, &new_session("empty", "2026-11-19T08:00:00+00:00", &r))
        .unwrap();
    let mut imported = s.sessions(&u).unwrap()[1].clone();
    imported.session.uid = "imported".into();
    imported.session.started_at = t("2026-11-23T08:00:00+00:00");
    s.import(&other, std::slice::from_ref(&imported)).unwrap();
    s.import(&u, std::slice::from_ref(&imported)).unwrap();
    let from_steps: Vec<SessionFact> = s
        .sessions(&u)
        .unwrap()
        .iter()
        .map(SessionFact::of)
        .collect();
    let facts = s.session_facts(&u).unwrap();
    assert_eq!(facts, from_steps);
    assert_eq!(facts.len(), 5);
    let first = &facts[3];
    assert_eq!(
        (first.done, first.hurt.clone(), first.seconds),
        (1, vec!["cat-camel".to_string()], 15)
    );
    assert!(first.counts, "a hold was done");
    assert_eq!(first.efforts, [("bridge".into(), Effort::TooEasy)]);
    assert!(!facts[2].counts, "stopped with nothing done");
    assert_eq!(facts[2].seconds, 10, "a retried report counts once");
    assert!(facts[1].counts, "completed, though skipped");
    let breaks: Vec<bool> = facts.iter().map(|f| f.desk_break).collect();
    assert_eq!(
        breaks,
        [true, true, true, false, false],
        "imported, whole, batch"
    );
    assert_eq!(s.session_facts(&other).unwrap().len(), 1);
    assert!(s.session_facts(&UserId::new("c")).unwrap().is_empty());
}

/// The clinic's contract: every backend a sync server runs on passes these.
#[macro_export]
macro_rules! clinic_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@each $make;
            clinicians_are_added_once_by_email,
            an_invitation_sets_the_password_once_before_it_expires,
            failed_logins_count_and_lock_until_one_succeeds,
            a_session_speaks_until_closed_expired_or_idle,
            the_audit_log_keeps_every_line_in_order,
            each_clinician_has_their_own_patients,
            alerts_are_kept_once_and_acknowledged_once,
            the_practice_library_keeps_one_of_each_name,
            patients_are_watched_with_their_quiet_days_and_latest_session,
            a_new_alert_owes_each_clinician_one_email_until_done,
            the_patient_list_is_read_in_one_go,
            totp_is_confirmed_taken_once_and_dropped,
            erasing_a_person_leaves_nothing_of_them_and_no_one_else_changes
        );
    };
}

/// The accounts contract: every backend a sync server runs on passes these.
#[macro_export]
macro_rules! accounts_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@each $make;
            people_are_added_once_by_name,
            a_link_code_links_one_device_once_before_it_expires,
            a_device_speaks_for_its_person_until_unlinked,
            a_link_moves_to_the_new_id_of_its_device
        );
    };
}

pub(crate) fn linking<'a>(code: &'a str, device: &'a str, token: &'a str, at: &str) -> Linking<'a> {
    Linking {
        code_hash: code,
        device,
        name: "phone",
        token_hash: token,
        at: t(at),
    }
}

/// A person is added once by name, under the id given.
pub fn people_are_added_once_by_name(s: &dyn Accounts) {
    let at = t("2026-12-01T09:00:00+00:00");
    s.add_person("ann", &UserId::new("u-ann"), at).unwrap();
    assert!(matches!(
        s.add_person("ann", &UserId::new("u-other"), at),
        Err(StoreError::Taken { .. })
    ));
    s.add_person("bob", &UserId::new("u-bob"), at).unwrap();
    assert_eq!(s.person("ann").unwrap(), Some(UserId::new("u-ann")));
    assert_eq!(s.person("bob").unwrap(), Some(UserId::new("u-bob")));
    assert_eq!(s.person("carl").unwrap(), None);
}

/// A code links one device, once, before it expires, to its own person's log; a device
/// linked to one person cannot link to another's.
pub fn a_link_code_links_one_device_once_before_it_expires(s: &dyn Accounts) {
    let (ann, bob) = (UserId::new("u-ann"), UserId::new("u-bob"));
    let at = t("2026-12-01T09:00:00+00:00");
    s.add_person("ann", &ann, at).unwrap();
    s.add_person("bob", &bob, at).unwrap();
    s.add_link_code(&ann, "code-1", t("2026-12-02T09:00:00+00:00"))
        .unwrap();
    s.add_link_code(&ann, "code-2", t("2026-12-02T09:00:00+00:00"))
        .unwrap();
    s.add_link_code(&bob, "code-b", t("2026-12-02T09:00:00+00:00"))
        .unwrap();
    let noon = "2026-12-01T12:00:00+00:00";
    assert_eq!(
        s.redeem_link_code(&linking("wrong", "dev-1", "tok-1", noon))
            .unwrap(),
        Redeemed::Refused
    );
    assert_eq!(
        s.redeem_link_code(&linking("code-1", "dev-1", "tok-1", noon))
            .unwrap(),
        Redeemed::Linked(ann.clone())
    );
    assert_eq!(
        s.redeem_link_code(&linking("code-1", "dev-2", "tok-2", noon))
            .unwrap(),
        Redeemed::Refused,
        "spent"
    );
    assert_eq!(
        s.redeem_link_code(&linking(
            "code-2",
            "dev-2",
            "tok-2",
            "2026-12-02T09:00:00+00:00"
        ))
        .unwrap(),
        Redeemed::Refused,
        "expired"
    );
    assert_eq!(
        s.redeem_link_code(&linking("code-b", "dev-1", "tok-3", noon))
            .unwrap(),
        Redeemed::OtherPersons
    );
    assert_eq!(s.device_for("tok-3").unwrap(), None, "nothing linked");
    assert_eq!(
        s.redeem_link_code(&linking("code-b", "dev-b", "tok-b", noon))
            .unwrap(),
        Redeemed::Linked(bob.clone()),
        "the code was not spent by the refusal"
    );
    let devices = s.devices(&ann).unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(
        (devices[0].id.as_str(), devices[0].name.as_str()),
        ("dev-1", "phone")
    );
    assert_eq!(s.devices(&bob).unwrap().len(), 1);
}

/// A token speaks for its device and person until the device is unlinked; linking again
/// with a new code gives it a new token.
pub fn a_device_speaks_for_its_person_until_unlinked(s: &dyn Accounts) {
    let ann = UserId::new("u-ann");
    let at = t("2026-12-01T09:00:00+00:00");
    s.add_person("ann", &ann, at).unwrap();
    let until = t("2026-12-02T09:00:00+00:00");
    s.add_link_code(&ann, "code-1", until).unwrap();
    s.add_link_code(&ann, "code-2", until).unwrap();
    let noon = "2026-12-01T12:00:00+00:00";
    s.redeem_link_code(&linking("code-1", "dev-1", "tok-1", noon))
        .unwrap();
    assert_eq!(
        s.device_for("tok-1").unwrap(),
        Some((ann.clone(), "dev-1".to_string()))
    );
    assert!(
        !s.unlink(&UserId::new("u-bob"), "dev-1", at).unwrap(),
        "not bob's"
    );
    assert!(s.device_for("tok-1").unwrap().is_some());
    assert!(s.unlink(&ann, "dev-1", t(noon)).unwrap());
    assert!(
        !s.unlink(&ann, "dev-1", t(noon)).unwrap(),
        "already unlinked"
    );
    assert_eq!(s.device_for("tok-1").unwrap(), None);
    assert_eq!(s.devices(&ann).unwrap()[0].unlinked_at, Some(t(noon)));
    s.redeem_link_code(&linking(
        "code-2",
        "dev-1",
        "tok-new",
        "2026-12-01T13:00:00+00:00",
    ))
    .unwrap();
    assert_eq!(
        s.device_for("tok-1").unwrap(),
        None,
        "the old token stays dead"
    );
    assert_eq!(
        s.device_for("tok-new").unwrap(),
        Some((ann.clone(), "dev-1".to_string()))
    );
    let devices = s.devices(&ann).unwrap();
    assert_eq!((devices.len(), devices[0].unlinked_at), (1, None));
}

/// A device's log that took a new id keeps its link: its token speaks for the new id, the
/// old one stays as an unlinked device, and an id ever known is refused.
pub fn a_link_moves_to_the_new_id_of_its_device(s: &dyn Accounts) {
    let (ann, bob) = (UserId::new("u-ann"), UserId::new("u-bob"));
    let at = t("2026-12-01T09:00:00+00:00");
    s.add_person("ann", &ann, at).unwrap();
    s.add_person("bob", &bob, at).unwrap();
    let until = t("2026-12-02T09:00:00+00:00");
    s.add_link_code(&ann, "code-1", until).unwrap();
    s.add_link_code(&ann, "code-2", until).unwrap();
    s.add_link_code(&bob, "code-b", until).unwrap();
    let noon = "2026-12-01T12:00:00+00:00";
    s.redeem_link_code(&linking("code-1", "dev-1", "tok-1", noon))
        .unwrap();
    s.redeem_link_code(&linking("code-2", "dev-2", "tok-2", noon))
        .unwrap();
    s.redeem_link_code(&linking("code-b", "dev-b", "tok-b", noon))
        .unwrap();
    let later = t("2026-12-01T13:00:00+00:00");
    assert!(
        !s.move_link(&bob, "dev-1", "dev-9", later).unwrap(),
        "not bob's"
    );
    for taken in ["dev-2", "dev-b", "dev-1"] {
        assert!(
            matches!(
                s.move_link(&ann, "dev-1", taken, later),
                Err(StoreError::Taken { .. })
            ),
            "{taken}"
        );
    }
    assert!(s.move_link(&ann, "dev-1", "dev-1b", later).unwrap());
    assert_eq!(
        s.device_for("tok-1").unwrap(),
        Some((ann.clone(), "dev-1b".to_string()))
    );
    let devices = s.devices(&ann).unwrap();
    let ids: Vec<(&str, &str, Option<Stamp>)> = devices
        .iter()
        .map(|d| (d.id.as_str(), d.name.as_str(), d.unlinked_at))
        .collect();
    assert_eq!(
        ids,
        [
            ("dev-1", "phone", Some(later)),
            ("dev-2", "phone", None),
            ("dev-1b", "phone", None)
        ]
    );
    assert!(
        !s.move_link(&ann, "dev-1", "dev-1c", later).unwrap(),
        "moved"
    );
    assert!(
        matches!(
            s.move_link(&ann, "dev-1b", "dev-1", later),
            Err(StoreError::Taken { .. })
        ),
        "an old id is never taken again"
    );
    assert_eq!(
        s.device_for("tok-2").unwrap(),
        Some((ann, "dev-2".to_string()))
    );
    assert_eq!(
        s.device_for("tok-b").unwrap(),
        Some((bob, "dev-b".to_string()))
    );
}
