//! The clinic's contract: clinicians, invitations, logins, login sessions and the audit log.

use crate::accounts::{Accounts, Redeemed};
use crate::clinic::{AlertMail, AuditEntry, Clinic, Erased, Kept, Watch};
use crate::{Store, StoreError, UserId};

use super::{everything, linking, t, whole_log};

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

/// What the quiet alert reads: every patient with a clinician, joined when their first
/// clinician added them, with the days chosen for them and their latest session, read in one
/// go; one patient alone the same.
pub fn patients_are_watched_with_their_quiet_days_and_latest_session<
    S: Clinic + Accounts + Store,
>(
    s: &S,
) {
    use backstretch_core::session::Ending;
    let people: &dyn Accounts = s;
    let at = |d: u32| t(&format!("2026-12-{d:02}T09:00:00+00:00"));
    s.add_clinician("c-ann", "ann@example.org", at(1)).unwrap();
    s.add_clinician("c-bob", "bob@example.org", at(1)).unwrap();
    let [u1, u2, u3] = ["u-1", "u-2", "u-3"].map(UserId::new);
    for (u, name) in [(&u1, "jd-1970"), (&u2, "mk-1985"), (&u3, "zz-2001")] {
        people.add_person(name, u, at(1)).unwrap();
    }
    s.add_patient("c-bob", &u1, at(3)).unwrap();
    s.add_patient("c-ann", &u1, at(2)).unwrap();
    s.add_patient("c-ann", &u2, at(4)).unwrap();
    let routine = backstretch_core::routine::Routine::default();
    for (uid, when) in [
        ("s-1", "2026-12-05T08:00:00+01:00"),
        ("s-3", "2026-12-07T08:00:00+01:00"),
        ("s-2", "2026-12-06T08:00:00+01:00"),
    ] {
        let new = super::new_session(uid, when, &routine);
        s.record_session(&u1, &new, &[], t(when), Some(3), Ending::Completed)
            .unwrap();
    }
    // Someone else's session, and a person no clinician cares for, change nothing.
    let other = super::new_session("s-x", "2026-12-09T08:00:00+01:00", &routine);
    s.record_session(&u3, &other, &[], at(9), None, Ending::Completed)
        .unwrap();
    s.set_quiet_days(&u2, 3).unwrap();
    let watched = s.watched().unwrap();
    assert_eq!(
        watched,
        [
            Watch {
                patient: u1.clone(),
                joined: at(2),
                quiet_days: None,
                last_session: Some(t("2026-12-07T08:00:00+01:00")),
            },
            Watch {
                patient: u2.clone(),
                joined: at(4),
                quiet_days: Some(3),
                last_session: None,
            },
        ]
    );
    let last = s.watch(&u1).unwrap().unwrap().last_session.unwrap();
    assert_eq!(last.offset_s, 3600, "the session's own offset");
    assert_eq!(s.watch(&u2).unwrap().as_ref(), Some(&watched[1]));
    assert_eq!(s.watch(&u3).unwrap(), None, "no clinician");
    s.set_quiet_days(&u2, 14).unwrap();
    assert_eq!(s.watch(&u2).unwrap().unwrap().quiet_days, Some(14));
}

/// A new alert owes one e-mail to each of the patient's clinicians at the time, due at once;
/// a claimed one is not due again until its claim runs out (another server's mailer skips
/// it; a server that stopped sending it leaves it to the next); a failed try puts it off and
/// counts; once done it is owed no more. An alert kept again owes nothing more.
pub fn a_new_alert_owes_each_clinician_one_email_until_done<S: Clinic + Accounts>(s: &S) {
    use backstretch_core::alert::{Alert, AlertKind};
    let people: &dyn Accounts = s;
    let at = |m: u32| t(&format!("2026-12-01T09:{m:02}:00+01:00"));
    for (id, email) in [
        ("c-ann", "ann@example.org"),
        ("c-bob", "Bob@example.org"),
        ("c-cat", "cat@example.org"),
    ] {
        s.add_clinician(id, email, at(0)).unwrap();
    }
    let (u1, u2) = (UserId::new("u-1"), UserId::new("u-2"));
    people.add_person("jd-1970", &u1, at(0)).unwrap();
    people.add_person("mk-1985", &u2, at(0)).unwrap();
    s.add_patient("c-ann", &u1, at(0)).unwrap();
    s.add_patient("c-bob", &u1, at(0)).unwrap();
    s.add_patient("c-cat", &u2, at(0)).unwrap();
    assert!(s.claim_mail(at(1), at(5), 10).unwrap().is_empty());
    assert_eq!(s.next_mail().unwrap(), None);
    let flare = Alert {
        key: "flare:s1".into(),
        kind: AlertKind::Flare,
        text: "A flare on Tue 1 Dec: pain 3 before, 6 after.".into(),
        at: at(0),
    };
    assert!(s.add_alert(&u1, &flare).unwrap());
    assert!(!s.add_alert(&u1, &flare).unwrap());
    assert!(
        s.next_mail()
            .unwrap()
            .is_some_and(|n| n.utc_s <= at(1).utc_s)
    );
    let due = s.claim_mail(at(1), at(5), 10).unwrap();
    let id = s.alerts(&u1).unwrap()[0].id;
    assert_eq!(
        due.iter()
            .map(|m| (m.alert, m.clinician.as_str(), m.to.as_str()))
            .collect::<Vec<_>>(),
        [
            (id, "c-ann", "ann@example.org"),
            (id, "c-bob", "Bob@example.org")
        ],
        "one each, no more for the alert kept again"
    );
    assert_eq!(
        due[0],
        AlertMail {
            alert: id,
            clinician: "c-ann".into(),
            to: "ann@example.org".into(),
            patient: u1.clone(),
            name: "jd-1970".into(),
            kind: "flare".into(),
            text: flare.text.clone(),
            at: at(0),
            acked: false,
            tries: 0,
        }
    );
    // Claimed until :05: not due again before then, and due again after (its sender died).
    assert!(s.claim_mail(at(4), at(9), 10).unwrap().is_empty());
    assert_eq!(s.next_mail().unwrap().map(|n| n.utc_s), Some(at(5).utc_s));
    assert_eq!(s.claim_mail(at(5), at(6), 10).unwrap().len(), 2);
    // Ann's fails and waits until :10; Bob's is sent, once.
    s.mail_failed(id, "c-ann", at(10)).unwrap();
    assert!(s.mail_done(id, "c-bob", at(6)).unwrap());
    assert!(!s.mail_done(id, "c-bob", at(7)).unwrap(), "once");
    assert!(!s.mail_done(id, "c-nobody", at(7)).unwrap(), "not owed");
    assert!(s.claim_mail(at(9), at(20), 10).unwrap().is_empty());
    assert_eq!(s.next_mail().unwrap().map(|n| n.utc_s), Some(at(10).utc_s));
    s.ack_alert(&u1, id, "bob@example.org", at(8)).unwrap();
    let again = s.claim_mail(at(10), at(20), 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].tries, again[0].acked), (1, true));
    assert!(s.mail_done(id, "c-ann", at(10)).unwrap());
    assert!(s.claim_mail(at(59), at(59), 10).unwrap().is_empty());
    assert_eq!(s.next_mail().unwrap(), None);
    s.mail_failed(id, "c-ann", at(20)).unwrap();
    assert_eq!(s.next_mail().unwrap(), None, "a done e-mail stays done");
    // Another patient's alert owes their clinician alone; `limit` bounds a claim.
    let pain = Alert {
        key: "pain:s9".into(),
        kind: AlertKind::HighPain,
        ..flare
    };
    assert!(s.add_alert(&u2, &pain).unwrap());
    assert!(s.add_alert(&u1, &pain).unwrap());
    let two = s.claim_mail(at(11), at(12), 2).unwrap();
    let rest = s.claim_mail(at(11), at(12), 10).unwrap();
    assert_eq!((two.len(), rest.len()), (2, 1));
    let cat: Vec<_> = two
        .iter()
        .chain(&rest)
        .filter(|m| m.clinician == "c-cat")
        .collect();
    assert_eq!(cat.len(), 1);
    assert_eq!(
        (cat[0].patient.as_str(), cat[0].name.as_str()),
        ("u-2", "mk-1985")
    );
}

/// A second factor is offered, confirmed with a code's step (only the secret still offered),
/// takes each step once and only later ones, and is dropped; a login waiting for its code
/// is kept until it expires or is closed.
pub fn totp_is_confirmed_taken_once_and_dropped(s: &dyn Clinic) {
    let at = t("2026-12-01T09:00:00+00:00");
    let later = t("2026-12-01T09:05:00+00:00");
    s.add_clinician("c-1", "ann@example.org", at).unwrap();
    s.add_clinician("c-2", "bob@example.org", at).unwrap();
    assert_eq!(s.totp("c-1").unwrap(), Default::default());
    assert!(!s.take_totp_step("c-1", 100, None).unwrap(), "not on");
    s.offer_totp("c-1", "OLDSECRET").unwrap();
    s.offer_totp("c-1", "NEWSECRET").unwrap();
    assert!(!s.clinician("ann@example.org").unwrap().unwrap().totp);
    assert!(
        !s.take_totp_step("c-1", 100, Some("OLDSECRET")).unwrap(),
        "replaced"
    );
    assert!(s.take_totp_step("c-1", 100, Some("NEWSECRET")).unwrap());
    let kept = s.totp("c-1").unwrap();
    assert_eq!(
        (kept.secret.as_deref(), kept.offered, kept.last_step),
        (Some("NEWSECRET"), None, Some(100))
    );
    assert!(s.clinician("ann@example.org").unwrap().unwrap().totp);
    assert!(!s.take_totp_step("c-1", 100, None).unwrap(), "once");
    assert!(!s.take_totp_step("c-1", 99, None).unwrap(), "not earlier");
    assert!(s.take_totp_step("c-1", 101, None).unwrap());
    assert!(!s.take_totp_step("c-2", 101, None).unwrap(), "bob has none");
    s.open_totp_login("p-1", "c-1", later).unwrap();
    assert_eq!(s.totp_login("p-1", at).unwrap().unwrap().id, "c-1");
    assert!(s.totp_login("p-1", later).unwrap().is_none(), "expired");
    assert!(s.totp_login("p-unknown", at).unwrap().is_none());
    s.close_totp_login("p-1").unwrap();
    s.close_totp_login("p-1").unwrap();
    assert!(s.totp_login("p-1", at).unwrap().is_none(), "closed");
    s.drop_totp("c-1").unwrap();
    let ann = s.clinician("ann@example.org").unwrap().unwrap();
    assert!(!ann.totp);
    assert_eq!(
        (
            s.totp("c-1").unwrap().secret,
            s.totp("c-1").unwrap().offered
        ),
        (None, None)
    );
    assert!(!s.take_totp_step("c-1", 200, None).unwrap(), "off");
}

/// What of a person the server holds, as the trait reads it: their log, events, devices,
/// alerts and care team.
fn held<S: Store + Accounts + Clinic>(s: &S, u: &UserId) -> String {
    let events: Vec<_> = s
        .event_heads(u)
        .unwrap()
        .into_iter()
        .map(|(device, _)| s.events(u, &device, 0, usize::MAX).unwrap())
        .collect();
    format!(
        "{} {events:?} {:?} {:?} {:?}",
        everything(s, u),
        s.devices(u).unwrap(),
        s.alerts(u).unwrap(),
        s.care_team(u).unwrap()
    )
}

/// Erasing a person removes their whole log, events, devices and tokens, link codes,
/// alerts and care-team rows and the person, in one step with its audit line; their
/// devices' tokens are known as erased; their earlier audit lines stay; another person's
/// data is as it was.
pub fn erasing_a_person_leaves_nothing_of_them_and_no_one_else_changes<
    S: Store + Accounts + Clinic,
>(
    s: &S,
) {
    use backstretch_core::alert::{Alert, AlertKind};
    let at = t("2026-12-01T09:00:00+00:00");
    let (a, b, nobody) = (UserId::new("u-a"), UserId::new("u-b"), UserId::new("u-0"));
    let empty = held(s, &nobody);
    s.add_clinician("c-1", "ann@example.org", at).unwrap();
    s.add_clinician("c-2", "bob@example.org", at).unwrap();
    for (u, name, device) in [(&a, "jd-1970", "phone-a"), (&b, "mk-1985", "phone-b")] {
        s.add_person(name, u, at).unwrap();
        whole_log(s, u);
        let code = format!("code-{device}");
        s.add_link_code(u, &code, t("2026-12-02T09:00:00+00:00"))
            .unwrap();
        let token = format!("token-{device}");
        let linked = s
            .redeem_link_code(&linking(&code, device, &token, "2026-12-01T09:00:00+00:00"))
            .unwrap();
        assert_eq!(linked, Redeemed::Linked(u.clone()));
        s.add_patient("c-1", u, at).unwrap();
        let alert = Alert {
            key: "flare:ended".into(),
            kind: AlertKind::Flare,
            text: "a flare".into(),
            at,
        };
        s.add_alert(u, &alert).unwrap();
        s.audit(&AuditEntry {
            at,
            actor: "ann@example.org".into(),
            action: "read the patient's page".into(),
            patient: Some(u.as_str().into()),
            from: "127.0.0.1".into(),
        })
        .unwrap();
    }
    s.add_patient("c-2", &a, at).unwrap();
    s.add_link_code(&a, "code-unspent", t("2026-12-02T09:00:00+00:00"))
        .unwrap();
    let bs = held(s, &b);
    assert_ne!(held(s, &a), empty);
    assert_eq!(
        s.care_team(&a).unwrap(),
        [
            ("ann@example.org".into(), at),
            ("bob@example.org".into(), at)
        ]
    );
    let line = AuditEntry {
        at: t("2026-12-01T10:00:00+01:00"),
        actor: "ann@example.org".into(),
        action: "erased the patient".into(),
        patient: Some(a.as_str().into()),
        from: "127.0.0.1".into(),
    };
    let erased = s.erase_person(&a, &line).unwrap();
    assert_eq!((erased.sessions, erased.devices), (2, 1), "{erased:?}");
    assert!(erased.events >= 8, "{erased:?}");
    assert_eq!(held(s, &a), empty, "nothing of them is left");
    assert!(s.event_heads(&a).unwrap().is_empty());
    assert_eq!(s.person("jd-1970").unwrap(), None);
    assert!(!s.has_clinician(&a).unwrap());
    assert_eq!(s.patient("c-1", &a).unwrap(), None);
    assert!(s.patients("c-2").unwrap().is_empty());
    assert_eq!(s.device_for("token-phone-a").unwrap(), None);
    let when = s.erased_device("token-phone-a").unwrap().map(|w| w.utc_s);
    assert_eq!(when, Some(line.at.utc_s));
    assert_eq!(s.erased_device("token-phone-b").unwrap(), None);
    let again = linking(
        "code-unspent",
        "phone-x",
        "token-x",
        "2026-12-01T11:00:00+00:00",
    );
    assert_eq!(s.redeem_link_code(&again).unwrap(), Redeemed::Refused);
    let about: Vec<String> = s
        .audit_about(&a)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.action)
        .collect();
    assert_eq!(about, ["read the patient's page", "erased the patient"]);
    assert_eq!(held(s, &b), bs, "another person's data is as it was");
    assert_eq!(s.patients("c-1").unwrap(), [(b.clone(), "mk-1985".into())]);
    assert_eq!(s.device_for("token-phone-b").unwrap().unwrap().0, b);
    assert_eq!(s.audit_about(&b).unwrap().len(), 1);
    // The name is free again; erasing no one removes nothing.
    s.add_person("jd-1970", &UserId::new("u-new"), at).unwrap();
    let none = s.erase_person(&nobody, &line).unwrap();
    assert_eq!(none, Erased::default());
}

/// A clinician's patient list in one query: each of their patients (in the order they joined),
/// with the devices still linked, the latest session, the days chosen, the alerts not
/// acknowledged, the days with a session from `since` on (by the sessions' own clocks) and
/// the prescription in force; no one else's. Audit lines added together are all kept.
pub fn the_patient_list_is_read_in_one_go<S: Clinic + Accounts + Store>(s: &S) {
    use backstretch_core::alert::{Alert, AlertKind};
    use backstretch_core::care::Prescription;
    use backstretch_core::session::Ending;
    let people: &dyn Accounts = s;
    let at = |d: u32| t(&format!("2026-12-{d:02}T09:00:00+00:00"));
    s.add_clinician("c-ann", "ann@example.org", at(1)).unwrap();
    s.add_clinician("c-bob", "bob@example.org", at(1)).unwrap();
    let [u1, u2, u3] = ["u-1", "u-2", "u-3"].map(UserId::new);
    for (u, name) in [(&u1, "jd-1970"), (&u2, "mk-1985"), (&u3, "zz-2001")] {
        people.add_person(name, u, at(1)).unwrap();
    }
    s.add_patient("c-ann", &u2, at(2)).unwrap();
    s.add_patient("c-ann", &u1, at(3)).unwrap();
    s.add_patient("c-bob", &u3, at(3)).unwrap();
    // Two devices linked, one unlinked since: one counts.
    for (code, device, token) in [("c-1", "dev-1", "tok-1"), ("c-2", "dev-2", "tok-2")] {
        people.add_link_code(&u1, code, at(20)).unwrap();
        people
            .redeem_link_code(&linking(code, device, token, "2026-12-02T09:00:00+00:00"))
            .unwrap();
    }
    assert!(people.unlink(&u1, "dev-2", at(3)).unwrap());
    let routine = backstretch_core::routine::Routine::default();
    let mut desk = routine.clone();
    desk.profile.desk_break = true;
    // The last, a desk break on 7 Dec, is not a day of the programme.
    for (uid, when, r) in [
        ("s-1", "2026-12-01T08:00:00+01:00", &routine),
        ("s-2", "2026-12-08T23:30:00-05:00", &routine),
        ("s-3", "2026-12-09T08:00:00+01:00", &routine),
        ("s-4", "2026-12-09T18:00:00+01:00", &routine),
        ("s-5", "2026-12-07T11:00:00+01:00", &desk),
    ] {
        let new = super::new_session(uid, when, r);
        s.record_session(&u1, &new, &[], t(when), Some(3), Ending::Completed)
            .unwrap();
    }
    let alert = |key: &str| Alert {
        key: key.into(),
        kind: AlertKind::HighPain,
        text: "Pain of 8.".into(),
        at: at(9),
    };
    assert!(s.add_alert(&u1, &alert("a")).unwrap());
    assert!(s.add_alert(&u1, &alert("b")).unwrap());
    let first = s.alerts(&u1).unwrap()[0].id;
    assert!(s.ack_alert(&u1, first, "ann@example.org", at(9)).unwrap());
    let p = Prescription {
        id: "p-1".into(),
        by: "ann@example.org".into(),
        at: at(5),
        routine,
        per_week: 4,
        note: String::new(),
        practice: vec![],
    };
    s.add_prescription(&u1, &p).unwrap();
    s.set_quiet_days(&u2, 3).unwrap();
    let rows = s.patient_rows("c-ann", at(5)).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0].patient.as_str(), rows[0].name.as_str()),
        ("u-2", "mk-1985")
    );
    assert_eq!(
        (
            rows[0].quiet_days,
            rows[0].last_session,
            rows[0].open_alerts,
            rows[0].recent_days
        ),
        (Some(3), None, 0, 0)
    );
    assert_eq!(rows[0].prescription, None);
    let r = &rows[1];
    assert_eq!((&r.patient, r.devices), (&u1, 1));
    assert_eq!(r.last_session, Some(t("2026-12-09T18:00:00+01:00")));
    assert_eq!(r.open_alerts, 1);
    assert_eq!(
        r.recent_days, 2,
        "8 Dec (its own clock) and 9 Dec, not 1 Dec, nor the desk break on 7 Dec"
    );
    let kept: Prescription = serde_json::from_str(r.prescription.as_deref().unwrap()).unwrap();
    assert_eq!(kept, p);
    let bob = s.patient_rows("c-bob", at(5)).unwrap();
    assert_eq!(bob.len(), 1);
    assert_eq!(bob[0].patient, u3);
    let before = s.audit_log(0, 1000).unwrap().len();
    let line = |u: &UserId| AuditEntry {
        at: at(10),
        actor: "ann@example.org".into(),
        action: "read in the patient list".into(),
        patient: Some(u.as_str().into()),
        from: "127.0.0.1".into(),
    };
    s.audit_all(&[line(&u2), line(&u1)]).unwrap();
    let log = s.audit_log(0, 1000).unwrap();
    assert_eq!(log.len(), before + 2);
    assert_eq!(log[before].1, line(&u2));
    assert_eq!(log[before + 1].1, line(&u1));
}
