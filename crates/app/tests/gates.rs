//! The gates through the app, over a real store: what a front end is asked to do.

use backstretch_app::{App, Gate};
use backstretch_core::catalog::builtin;
use backstretch_core::time::Stamp;
use backstretch_core::vocab::{Area, Word};
use backstretch_store::{SqliteStore, UserId};

fn now() -> Stamp {
    Stamp::parse("2026-11-21T09:00:00+00:00").unwrap()
}

/// Regression: an `upper-back` profile was planned neck flexion, the side bend and the
/// levator stretch without ever being asked the neck's warning signs.
#[test]
fn an_upper_back_profile_is_asked_the_neck_signs() {
    let store = SqliteStore::in_memory().unwrap();
    let app = App::new(&store, UserId::local(), now());
    let catalog = builtin().catalog;
    app.accept_disclaimer().unwrap();
    let Some(Gate::Screening { areas, .. }) = app.gate(&catalog, &[Area::UpperBack]).unwrap()
    else {
        panic!("a check is due");
    };
    assert!(areas.contains(&Area::Neck), "{areas:?}");
    let asked: Vec<&str> = app
        .questions(&areas)
        .unwrap()
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    assert!(asked.contains(&"neck-vascular"), "{asked:?}");
    // A check of the upper back alone does not cover it; one with the neck does.
    app.record_screening(&[Area::UpperBack], &[]).unwrap();
    assert!(app.gate(&catalog, &[Area::UpperBack]).unwrap().is_some());
    app.record_screening(&areas, &[]).unwrap();
    assert!(app.gate(&catalog, &[Area::UpperBack]).unwrap().is_none());
    // The lower back alone gets no neck exercise, so no neck questions.
    let Some(Gate::Screening { areas, .. }) = ({
        let fresh = SqliteStore::in_memory().unwrap();
        let app = App::new(&fresh, UserId::local(), now());
        app.accept_disclaimer().unwrap();
        app.gate(&catalog, &[Area::LowerBack]).unwrap()
    }) else {
        panic!("a check is due");
    };
    assert_eq!(areas, [Area::LowerBack]);
}

/// The full check is asked again every four weeks; a check from the previous release still
/// counts until then.
#[test]
fn the_check_is_asked_again_after_four_weeks() {
    let store = SqliteStore::in_memory().unwrap();
    let catalog = builtin().catalog;
    let app = App::new(&store, UserId::local(), now());
    app.accept_disclaimer().unwrap();
    app.record_screening(Area::ALL, &[]).unwrap();
    assert!(app.gate(&catalog, &[Area::LowerBack]).unwrap().is_none());
    let later = |days: i64| App::new(&store, UserId::local(), now().plus_seconds(days * 86_400));
    assert!(
        later(27)
            .gate(&catalog, &[Area::LowerBack])
            .unwrap()
            .is_none()
    );
    let due = later(29).gate(&catalog, &[Area::LowerBack]).unwrap();
    assert!(
        matches!(
            due,
            Some(Gate::Screening {
                due: backstretch_app::ScreeningDue::Expired,
                ..
            })
        ),
        "{due:?}"
    );
}

/// Spreading symptoms reported from the player stop plans until a new check reports no
/// sign; the sign is never asked in a check itself.
#[test]
fn spreading_symptoms_block_the_next_session_until_a_new_check() {
    let store = SqliteStore::in_memory().unwrap();
    let catalog = builtin().catalog;
    let app = App::new(&store, UserId::local(), now());
    app.accept_disclaimer().unwrap();
    app.record_screening(Area::ALL, &[]).unwrap();
    let v = app.report_spreading().unwrap();
    assert_ne!(v, backstretch_core::safety::Verdict::Clear);
    let gate = app.gate(&catalog, &[Area::LowerBack]).unwrap();
    let Some(Gate::Flagged { verdict, .. }) = gate else {
        panic!("blocked: {gate:?}");
    };
    assert!(
        backstretch_core::safety::verdict_message(&verdict).contains("spreading down a limb"),
        "{verdict:?}"
    );
    assert!(
        !app.questions(Area::ALL)
            .unwrap()
            .iter()
            .any(|q| q.id == backstretch_core::safety::SPREADING)
    );
    // Within a day, "no" to everything is not enough: first, a clinician's assessment
    // (the clinical review: the block lifted with a "no" seconds later).
    app.record_screening(Area::ALL, &[]).unwrap();
    assert!(app.gate(&catalog, &[Area::LowerBack]).unwrap().is_some());
    app.record_screening(Area::ALL, &["assessed".into()])
        .unwrap();
    assert!(app.gate(&catalog, &[Area::LowerBack]).unwrap().is_none());
}
