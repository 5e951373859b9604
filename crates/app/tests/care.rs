//! A clinic's care as a device sees it: what the clinicians wrote arrives as the clinic's
//! series of events (as a sync brings it), and the person's own rules still decide what is
//! played.

mod kit;

use backstretch_app::{AppError, Gate, ManualLog, Overrides};
use backstretch_core::care::{CLINIC_DEVICE, Message, Prescription};
use backstretch_core::event::{Change, Event};
use backstretch_core::plan::{Plan, Warning};
use backstretch_core::profile::Profile;
use backstretch_core::routine::{Routine, RoutineItem, RoutineRequest};
use backstretch_core::vocab::{Area, Condition};
use backstretch_store::{Store, UserId, event_uid};
use kit::Kit;

/// Writes changes into the kit's log as the clinic's next events, as a sync would.
fn from_clinic(kit: &Kit, changes: Vec<Change>) {
    let u = UserId::local();
    let head = kit
        .store
        .event_heads(&u)
        .unwrap()
        .into_iter()
        .find_map(|(d, i)| (d == CLINIC_DEVICE).then_some(i))
        .unwrap_or(0);
    let events: Vec<Event> = changes
        .into_iter()
        .zip(head + 1..)
        .map(|(change, idx)| Event {
            device: CLINIC_DEVICE.into(),
            idx,
            uid: event_uid(&change),
            change,
        })
        .collect();
    kit.store.apply(&u, &events).unwrap();
}

fn welcome(kit: &Kit) -> Change {
    Change::Message {
        message: Message {
            uid: "welcome".into(),
            from: Some("ada@clinic.example".into()),
            at: kit.now,
            text: "ada@clinic.example added you as a patient.".into(),
        },
    }
}

/// A prescription of these exercises at their catalogue doses.
fn prescription(kit: &Kit, id: &str, ids: &[&str]) -> Change {
    let items: Vec<RoutineItem> = ids
        .iter()
        .map(|id| {
            let e = &kit.catalog.get(id).unwrap().exercise;
            RoutineItem::of(e, &e.dose, "chosen by your clinician")
        })
        .collect();
    let routine = Routine::from_items(
        RoutineRequest {
            areas: vec!["lower-back".into()],
            places: vec!["floor".into()],
            style: "clinician".into(),
            ..RoutineRequest::default()
        },
        "clinician",
        items,
        vec![],
    )
    .unwrap();
    Change::Prescribed {
        prescription: Prescription {
            id: id.into(),
            by: "ada@clinic.example".into(),
            at: kit.now,
            routine,
            per_week: 4,
            note: "gently at first".into(),
            practice: vec![],
        },
    }
}

fn plan(kit: &Kit) -> Plan {
    kit.app()
        .plan(&kit.catalog, &Overrides::default(), false)
        .unwrap()
}

fn ids(p: &Plan) -> Vec<&str> {
    p.items.iter().map(|i| i.exercise.id.as_str()).collect()
}

fn log_hurt(kit: &Kit, hurt: &str) {
    kit.app()
        .log_manual(&ManualLog {
            routine: kit.planned().routine,
            hurt: vec![hurt.into()],
            skipped: vec![],
            what: "the day's routine".into(),
            started: None,
            pain_before: 3,
            pain_after: 3,
            easy: vec![],
            hard: vec![],
        })
        .unwrap();
}

/// The prescription in force is today's routine, named as the clinician's, until the person
/// asks for something else; the latest prescription replaces the one before.
#[test]
fn the_prescription_in_force_is_todays_routine() {
    let mut kit = Kit::set_up();
    let own = ids(&plan(&kit)).join(",");
    from_clinic(
        &kit,
        vec![
            welcome(&kit),
            prescription(&kit, "p1", &["pelvic-tilt", "bridge"]),
        ],
    );
    let p = plan(&kit);
    assert_eq!(ids(&p), ["pelvic-tilt", "bridge"]);
    let said: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
    assert!(
        said.iter().any(|w| w.starts_with(
            "prescribed by ada@clinic.example on 2026-11-16, 4 sessions a week: \"gently at first\""
        )),
        "{said:?}"
    );
    // The player plays it, and it is what the session keeps; a session logged by hand
    // without naming the exercises logs it.
    assert_eq!(kit.planned().items.len(), 2);
    let logged = kit
        .app()
        .planned_on(&kit.catalog, kit.app().today(), None)
        .unwrap();
    let logged: Vec<&str> = logged
        .items
        .iter()
        .map(|i| i.exercise_id.as_str())
        .collect();
    assert_eq!(logged, ["pelvic-tilt", "bridge"]);
    // Asked otherwise for one routine, the planner plans it.
    let asked = kit
        .app()
        .plan(
            &kit.catalog,
            &Overrides {
                minutes: Some(10),
                ..Overrides::default()
            },
            false,
        )
        .unwrap();
    assert_eq!(ids(&asked).join(","), own);
    kit.next_day();
    from_clinic(&kit, vec![prescription(&kit, "p2", &["knee-to-chest"])]);
    assert_eq!(ids(&plan(&kit)), ["knee-to-chest"]);
    assert_eq!(
        kit.app().areas(&Overrides::default()).unwrap(),
        [Area::LowerBack]
    );
}

/// An exercise the person's own rules leave out (it hurt twice lately; a condition rules it
/// out) is left out of the prescription too, and the plan says why.
#[test]
fn the_persons_own_rules_leave_out_what_they_would_plan_without() {
    let mut kit = Kit::set_up();
    from_clinic(
        &kit,
        vec![
            welcome(&kit),
            prescription(&kit, "p1", &["pelvic-tilt", "bridge", "cat-camel"]),
        ],
    );
    log_hurt(&kit, "bridge");
    kit.next_day();
    log_hurt(&kit, "bridge");
    kit.next_day();
    let p = plan(&kit);
    assert_eq!(ids(&p), ["pelvic-tilt", "cat-camel"]);
    assert!(
        p.warnings
            .iter()
            .any(|w| matches!(w, Warning::Blocked { id, .. } if id == "bridge"))
    );
    // Osteoporosis rules out loaded flexion: cat-camel.
    let app = kit.app();
    app.save_profile(
        &kit.catalog,
        Profile {
            conditions: vec![Condition::Osteoporosis],
            ..app.profile().unwrap().unwrap()
        },
    )
    .unwrap();
    let p = plan(&kit);
    assert_eq!(ids(&p), ["pelvic-tilt"]);
    assert!(
        p.warnings.iter().any(|w| matches!(
            w,
            Warning::Condition { condition: Condition::Osteoporosis, names } if names == &["Cat-camel".to_string()]
        )),
        "{:?}",
        p.warnings
    );
    // A clinician previewing sees the same, gates aside.
    let p = kit.app().prescription().unwrap().unwrap();
    let seen = kit
        .app()
        .prescription_plan(&kit.catalog, &p, false)
        .unwrap();
    assert_eq!(ids(&seen), ["pelvic-tilt"]);
}

/// Nothing of a prescription is safe today: the plan says so, and nothing is played.
#[test]
fn a_prescription_left_empty_by_the_rules_is_refused_with_why() {
    let kit = Kit::set_up();
    let app = kit.app();
    app.save_profile(
        &kit.catalog,
        Profile {
            conditions: vec![Condition::KneeReplacement],
            ..app.profile().unwrap().unwrap()
        },
    )
    .unwrap();
    from_clinic(&kit, vec![prescription(&kit, "p1", &["cat-camel"])]);
    let e = kit
        .app()
        .plan(&kit.catalog, &Overrides::default(), false)
        .unwrap_err();
    assert!(matches!(e, AppError::NothingSafe { .. }), "{e}");
}

/// In a clinic's care, the person cannot clear a warning sign themselves; the clinician's
/// clearance, arriving by sync, lifts it by the same rules.
#[test]
fn in_a_clinics_care_only_the_clinicians_clearance_lifts_a_sign() {
    let mut kit = Kit::set_up();
    let app = kit.app();
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    app.record_screening(&areas, &["weight-loss".to_string()])
        .unwrap();
    let blocked = |kit: &Kit| {
        matches!(
            kit.app().gate(&kit.catalog, &[Area::LowerBack]).unwrap(),
            Some(Gate::Flagged { .. })
        )
    };
    assert!(blocked(&kit));
    from_clinic(&kit, vec![welcome(&kit)]);
    assert!(kit.app().under_clinic().unwrap());
    let e = kit.app().clear("weight-loss").unwrap_err();
    assert!(matches!(e, AppError::ClinicClears { .. }), "{e}");
    assert!(blocked(&kit));
    kit.advance(60);
    from_clinic(
        &kit,
        vec![Change::Clearance {
            sign: "weight-loss".into(),
            at: kit.now,
            by: Some("ada@clinic.example".into()),
        }],
    );
    assert!(!blocked(&kit), "the clinician's clearance lifts it");
    let kept = kit.store.clearances(&UserId::local()).unwrap();
    assert_eq!(kept[0].by.as_deref(), Some("ada@clinic.example"));
}

/// Messages go only to a clinic, checked; the thread and the prescriptions move with an
/// export into another log.
#[test]
fn messages_need_a_clinic_and_travel_with_the_log() {
    let mut kit = Kit::set_up();
    let e = kit.app().send_message("hello").unwrap_err();
    assert!(matches!(e, AppError::NoClinic), "{e}");
    from_clinic(
        &kit,
        vec![welcome(&kit), prescription(&kit, "p1", &["pelvic-tilt"])],
    );
    kit.advance(60);
    for bad in ["   ", "\u{1b}[2J", &"x".repeat(2001)] {
        let e = kit.app().send_message(bad).unwrap_err();
        assert!(matches!(e, AppError::BadMessage { .. }), "{e}");
    }
    let sent = kit
        .app()
        .send_message("  The bridge\r\nfelt fine.  ")
        .unwrap();
    assert_eq!(sent.text, "The bridge\nfelt fine.");
    let thread = kit.app().messages().unwrap();
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[1].from, None);
    let file = serde_json::to_string(&kit.app().log_file().unwrap()).unwrap();
    let other = Kit::new();
    other.app().import("backup.json", &file).unwrap();
    other.app().import("backup.json", &file).unwrap();
    assert_eq!(other.app().messages().unwrap(), thread);
    assert_eq!(
        other.store.prescriptions(&UserId::local()).unwrap(),
        kit.store.prescriptions(&UserId::local()).unwrap()
    );
}
