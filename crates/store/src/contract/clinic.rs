//! The clinic's contract: clinicians, invitations, logins, login sessions and the audit log.

use crate::accounts::Accounts;
use crate::clinic::{AuditEntry, Clinic, Kept};
use crate::{StoreError, UserId};

use super::t;

/// A clinician is added once by e-mail address, whatever its case.
pub fn clinicians_are_added_once_by_email(s: &dyn Clinic) {
    let at = t("2026-12-01T09:00:00+00:00");
    s.add_clinician("c-1", "Ann.Physio@Example.org", at)
        .unwrap();
    assert!(matches!(
        s.add_clinician("c-2", "ann.physio@example.org", at),
        Err(StoreError::Taken { .. })
    ));
    let ann = s.clinician("ANN.PHYSIO@example.org").unwrap().unwrap();
    assert_eq!(
        (ann.id.as_str(), ann.email.as_str()),
        ("c-1", "Ann.Physio@Example.org")
    );
    assert_eq!(
        (ann.password_hash, ann.failures, ann.locked_until),
        (None, 0, None)
    );
    assert!(s.clinician("bob@example.org").unwrap().is_none());
}

/// An invitation sets the password once, before it expires; a new one withdraws the old,
/// and accepting one ends the clinician's login sessions.
pub fn an_invitation_sets_the_password_once_before_it_expires(s: &dyn Clinic) {
    let at = t("2026-12-01T09:00:00+00:00");
    let day = t("2026-12-02T09:00:00+00:00");
    s.add_clinician("c-1", "ann@example.org", at).unwrap();
    s.add_clinician("c-2", "bob@example.org", at).unwrap();
    s.add_invitation("c-1", "h-1", day).unwrap();
    s.add_invitation("c-2", "h-bob", day).unwrap();
    assert_eq!(s.invitation("h-1", at).unwrap().unwrap().id, "c-1");
    assert!(s.invitation("h-unknown", at).unwrap().is_none());
    assert!(s.invitation("h-1", day).unwrap().is_none(), "expired");
    assert_eq!(
        s.accept_invitation("h-1", "phc-1", day).unwrap(),
        None,
        "expired"
    );
    assert_eq!(
        s.accept_invitation("h-1", "phc-1", at).unwrap().as_deref(),
        Some("c-1")
    );
    assert_eq!(
        s.accept_invitation("h-1", "phc-2", at).unwrap(),
        None,
        "spent"
    );
    assert!(s.invitation("h-1", at).unwrap().is_none(), "spent");
    let ann = s.clinician("ann@example.org").unwrap().unwrap();
    assert_eq!(ann.password_hash.as_deref(), Some("phc-1"));
    // A new invitation withdraws one not yet used; accepting it lifts a lock and ends the
    // sessions open until then; another clinician's is untouched.
    s.add_invitation("c-1", "h-2", day).unwrap();
    s.add_invitation("c-1", "h-3", day).unwrap();
    assert!(s.invitation("h-2", at).unwrap().is_none(), "withdrawn");
    s.login_failed("c-1", 1, day).unwrap();
    s.open_session("s-1", "c-1", at, day).unwrap();
    s.open_session("s-bob", "c-2", at, day).unwrap();
    assert_eq!(s.accept_invitation("h-2", "phc-2", at).unwrap(), None);
    s.accept_invitation("h-3", "phc-3", at).unwrap().unwrap();
    let ann = s.clinician("ann@example.org").unwrap().unwrap();
    assert_eq!(
        (ann.password_hash.as_deref(), ann.failures, ann.locked_until),
        (Some("phc-3"), 0, None)
    );
    assert!(s.use_session("s-1", at, 60).unwrap().is_none(), "ended");
    assert!(s.use_session("s-bob", at, 60).unwrap().is_some());
    assert!(s.invitation("h-bob", at).unwrap().is_some());
}

/// Failed logins count in a row and lock at the limit, in one step; a login with the right
/// password starts again, unless the account is locked then.
pub fn failed_logins_count_and_lock_until_one_succeeds(s: &dyn Clinic) {
    let at = t("2026-12-01T09:00:00+00:00");
    let later = t("2026-12-01T09:15:00+00:00");
    s.add_clinician("c-1", "ann@example.org", at).unwrap();
    s.add_clinician("c-2", "bob@example.org", at).unwrap();
    assert_eq!(s.login_failed("c-1", 3, later).unwrap(), 1);
    assert_eq!(s.login_failed("c-1", 3, later).unwrap(), 2);
    assert_eq!(
        s.clinician("ann@example.org")
            .unwrap()
            .unwrap()
            .locked_until,
        None
    );
    assert_eq!(s.login_failed("c-1", 3, later).unwrap(), 3);
    let ann = s.clinician("ann@example.org").unwrap().unwrap();
    assert_eq!((ann.failures, ann.locked_until), (3, Some(later)));
    assert_eq!(s.clinician("bob@example.org").unwrap().unwrap().failures, 0);
    assert_eq!(s.login_failed("c-unknown", 3, later).unwrap(), 0);
    assert!(!s.login_succeeded("c-1", at).unwrap(), "locked until later");
    assert_eq!(s.clinician("ann@example.org").unwrap().unwrap().failures, 3);
    assert!(s.login_succeeded("c-1", later).unwrap());
    let ann = s.clinician("ann@example.org").unwrap().unwrap();
    assert_eq!((ann.failures, ann.locked_until), (0, None));
}

/// A login session speaks for its clinician until it is closed, expires, or lies idle.
pub fn a_session_speaks_until_closed_expired_or_idle(s: &dyn Clinic) {
    let at = |m: u32| t(&format!("2026-12-01T09:{m:02}:00+00:00"));
    s.add_clinician("c-1", "ann@example.org", at(0)).unwrap();
    s.add_clinician("c-2", "bob@example.org", at(0)).unwrap();
    s.open_session("s-ann", "c-1", at(0), at(50)).unwrap();
    s.open_session("s-bob", "c-2", at(0), at(50)).unwrap();
    let idle = 10 * 60;
    for m in [5, 14, 23, 32, 41] {
        let who = s.use_session("s-ann", at(m), idle).unwrap();
        assert_eq!(who.map(|c| c.id).as_deref(), Some("c-1"), "at :{m}");
    }
    assert!(
        s.use_session("s-ann", at(50), idle).unwrap().is_none(),
        "expired"
    );
    assert!(
        s.use_session("s-bob", at(10), idle).unwrap().is_none(),
        "idle ten minutes"
    );
    s.open_session("s-ann-2", "c-1", at(0), at(50)).unwrap();
    s.close_session("s-ann-2").unwrap();
    s.close_session("s-ann-2").unwrap();
    assert!(s.use_session("s-ann-2", at(1), idle).unwrap().is_none());
    assert!(s.use_session("s-nobody", at(1), idle).unwrap().is_none());
}

/// The audit log keeps every line in order, numbered, and reads on from a number.
pub fn the_audit_log_keeps_every_line_in_order(s: &dyn Clinic) {
    let line = |m: u32, action: &str, patient: Option<&str>| AuditEntry {
        at: t(&format!("2026-12-01T09:{m:02}:00+01:00")),
        actor: "ann@example.org".into(),
        action: action.into(),
        patient: patient.map(Into::into),
        from: "127.0.0.1".into(),
    };
    let lines = [
        line(0, "login", None),
        line(1, "read patient", Some("u-1")),
        line(1, "read patient", Some("u-1")),
        line(2, "logout", None),
    ];
    for l in &lines {
        s.audit(l).unwrap();
    }
    let all = s.audit_log(0, 100).unwrap();
    assert_eq!(
        all.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(),
        lines
    );
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "numbered in order");
    let rest = s.audit_log(all[1].0, 1).unwrap();
    assert_eq!(rest, [all[2].clone()]);
    assert!(s.audit_log(all[3].0, 10).unwrap().is_empty());
}

/// A clinician's patients are theirs: listed in the order added, once, and another
/// clinician's are not theirs.
pub fn each_clinician_has_their_own_patients<S: Clinic + Accounts>(s: &S) {
    let people: &dyn Accounts = s;
    let at = t("2026-12-01T09:00:00+00:00");
    s.add_clinician("c-ann", "ann@example.org", at).unwrap();
    s.add_clinician("c-bob", "bob@example.org", at).unwrap();
    for (id, name) in [("u-1", "jd-1970"), ("u-2", "mk-1985"), ("u-3", "zz-2001")] {
        people.add_person(name, &UserId::new(id), at).unwrap();
    }
    s.add_patient("c-ann", &UserId::new("u-2"), at).unwrap();
    s.add_patient("c-ann", &UserId::new("u-1"), at).unwrap();
    s.add_patient("c-ann", &UserId::new("u-2"), at).unwrap();
    s.add_patient("c-bob", &UserId::new("u-3"), at).unwrap();
    s.add_patient("c-bob", &UserId::new("u-1"), at).unwrap();
    let ann = s.patients("c-ann").unwrap();
    assert_eq!(
        ann,
        [
            (UserId::new("u-2"), "mk-1985".to_string()),
            (UserId::new("u-1"), "jd-1970".to_string())
        ]
    );
    assert_eq!(
        s.patients("c-bob").unwrap().len(),
        2,
        "shared: u-1 is both's"
    );
    assert_eq!(
        s.patient("c-ann", &UserId::new("u-1")).unwrap().as_deref(),
        Some("jd-1970")
    );
    assert_eq!(s.patient("c-ann", &UserId::new("u-3")).unwrap(), None);
    assert_eq!(s.patient("c-nobody", &UserId::new("u-1")).unwrap(), None);
    assert!(s.patients("c-nobody").unwrap().is_empty());
    assert!(s.has_clinician(&UserId::new("u-1")).unwrap());
    assert!(!s.has_clinician(&UserId::new("u-nobody")).unwrap());
}

/// An alert is kept once by its key, per person, and acknowledged once, with who and when.
pub fn alerts_are_kept_once_and_acknowledged_once(s: &dyn Clinic) {
    use backstretch_core::alert::{Alert, AlertKind};
    let alert = |key: &str, at: &str| Alert {
        key: key.into(),
        kind: AlertKind::Flare,
        text: format!("about {key}"),
        at: t(at),
    };
    let (ann, bob) = (UserId::new("u-ann"), UserId::new("u-bob"));
    let first = alert("flare:s1", "2026-12-01T08:00:00+01:00");
    assert!(s.add_alert(&ann, &first).unwrap());
    assert!(!s.add_alert(&ann, &first).unwrap(), "once by its key");
    assert!(s.add_alert(&bob, &first).unwrap(), "per person");
    assert!(
        s.add_alert(&ann, &alert("pain:s2", "2026-12-02T08:00:00+01:00"))
            .unwrap()
    );
    let kept = s.alerts(&ann).unwrap();
    assert_eq!(
        kept.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
        ["pain:s2", "flare:s1"],
        "the latest first"
    );
    assert_eq!(
        (kept[1].kind.as_str(), kept[1].text.as_str(), kept[1].at),
        ("flare", "about flare:s1", first.at)
    );
    assert_eq!(kept[1].acked, None);
    let at = t("2026-12-02T09:00:00+00:00");
    let id = kept[1].id;
    assert!(
        !s.ack_alert(&bob, id, "c@example.org", at).unwrap(),
        "not bob's"
    );
    assert!(s.ack_alert(&ann, id, "c@example.org", at).unwrap());
    assert!(!s.ack_alert(&ann, id, "d@example.org", at).unwrap(), "once");
    let kept = s.alerts(&ann).unwrap();
    assert_eq!(kept[1].acked, Some(("c@example.org".to_string(), at)));
    assert!(s.alerts(&bob).unwrap()[0].acked.is_none());
    assert!(s.alerts(&UserId::new("u-nobody")).unwrap().is_empty());
}

/// The practice's templates and exercises are kept one of each name, the latest saved.
pub fn the_practice_library_keeps_one_of_each_name(s: &dyn Clinic) {
    let k = |name: &str, body: &str, at: &str| Kept {
        name: name.into(),
        body: body.into(),
        by: "ada@clinic.example".into(),
        at: t(at),
    };
    assert!(s.templates().unwrap().is_empty());
    s.save_template(&k("Lower back, week 1", "{}", "2026-11-21T09:00:00+00:00"))
        .unwrap();
    s.save_template(&k("Desk neck", "{\"a\":1}", "2026-11-21T09:00:00+00:00"))
        .unwrap();
    s.save_template(&k(
        "Lower back, week 1",
        "{\"b\":2}",
        "2026-11-22T09:00:00+00:00",
    ))
    .unwrap();
    assert_eq!(
        s.templates().unwrap(),
        [
            k("Desk neck", "{\"a\":1}", "2026-11-21T09:00:00+00:00"),
            k(
                "Lower back, week 1",
                "{\"b\":2}",
                "2026-11-22T09:00:00+00:00"
            ),
        ]
    );
    assert!(s.practice_exercises().unwrap().is_empty());
    let e = k(
        "wall-angel",
        "id = \"wall-angel\"",
        "2026-11-22T09:00:00+00:00",
    );
    s.save_practice_exercise(&e).unwrap();
    s.save_practice_exercise(&e).unwrap();
    assert_eq!(s.practice_exercises().unwrap(), [e]);
    assert!(
        s.templates().unwrap().len() == 2,
        "exercises and templates are apart"
    );
}
