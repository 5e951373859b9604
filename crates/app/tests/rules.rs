//! The pain and warning-sign rules that need no terminal, checked in the app where they are
//! applied (moved down from the CLI's tests, which keep what the terminal words and wires).

mod kit;

use backstretch_app::{AppError, ManualLog};
use backstretch_core::plan::{Plan, Warning};
use backstretch_core::safety::{Ease, Why};
use kit::Kit;

/// Logs the day's routine by hand at the kit's time, with these scores and these exercises
/// hurting.
fn log(kit: &Kit, before: u8, after: u8, hurt: &[&str]) {
    kit.app()
        .log_manual(&ManualLog {
            routine: kit.planned().routine,
            hurt: hurt.iter().map(ToString::to_string).collect(),
            skipped: vec![],
            what: "the day's routine".into(),
            started: None,
            pain_before: before,
            pain_after: after,
            easy: vec![],
            hard: vec![],
        })
        .unwrap();
}

fn plan(kit: &Kit) -> Plan {
    kit.planned().plan.unwrap()
}

fn ids(p: &Plan) -> Vec<&str> {
    p.items.iter().map(|i| i.exercise.id.as_str()).collect()
}

fn why_eased(p: &Plan) -> Option<(Ease, Why)> {
    p.warnings.iter().find_map(|w| match w {
        Warning::Gentler(e) => Some((e.ease, e.why)),
        _ => None,
    })
}

/// Regression (clinical review 2, 2.2): after a flare the plan held 9 exercises in place of
/// 4, with "Walking 15 s x 2".
#[test]
fn the_plan_after_a_flare_leaves_out_walking() {
    let mut kit = Kit::set_up();
    log(&kit, 3, 6, &[]);
    kit.next_day();
    let p = plan(&kit);
    assert_eq!(why_eased(&p), Some((Ease::Gentler, Why::Flare)));
    assert!(!ids(&p).contains(&"walking"), "{:?}", ids(&p));
}

/// An exercise that hurt twice in 14 days is left out, named among the warnings, until the
/// person allows it again; once is not enough.
#[test]
fn an_exercise_that_hurt_twice_in_two_weeks_is_left_out_until_allowed() {
    let mut kit = Kit::set_up();
    let first = plan(&kit).items[0].exercise.id.clone();
    log(&kit, 3, 3, &[&first]);
    kit.advance(2 * 86_400);
    assert!(
        ids(&plan(&kit)).contains(&first.as_str()),
        "once is not enough"
    );
    log(&kit, 3, 3, &[&first]);
    kit.next_day();
    let p = plan(&kit);
    assert!(!ids(&p).contains(&first.as_str()), "twice in 14 days");
    assert!(
        p.warnings
            .iter()
            .any(|w| matches!(w, Warning::Blocked { id, .. } if *id == first)),
        "{:?}",
        p.warnings
    );
    let (id, was_blocked) = kit.app().allow(&kit.catalog, &first).unwrap();
    assert!(was_blocked && id == first);
    assert!(ids(&plan(&kit)).contains(&first.as_str()));
}

/// Three flares in 14 days advise a clinician in plans, until
/// a calmer session.
#[test]
fn three_flares_in_two_weeks_advise_a_clinician() {
    let mut kit = Kit::set_up();
    for (before, after, gap) in [(2, 6, 5), (3, 7, 4), (1, 6, 1)] {
        log(&kit, before, after, &[]);
        kit.advance(gap * 86_400);
    }
    let p = plan(&kit);
    assert!(
        p.warnings
            .iter()
            .any(|w| matches!(w, Warning::SeeClinician { flares: 3 })),
        "{:?}",
        p.warnings
    );
    kit.next_day();
    log(&kit, 3, 2, &[]);
    let p = plan(&kit);
    assert!(
        !p.warnings
            .iter()
            .any(|w| matches!(w, Warning::SeeClinician { .. })),
        "until a calmer session: {:?}",
        p.warnings
    );
}

/// Six weeks of sessions without a meaningful improvement advise a review in the plan, the
/// statistics and the session's summary.
#[test]
fn six_weeks_without_improvement_advise_a_review_everywhere() {
    let mut kit = Kit::set_up();
    for _ in 0..4 {
        log(&kit, 5, 5, &[]);
        kit.advance(14 * 86_400);
        // The four-weekly check, answered with no warning sign.
        let app = kit.app();
        let areas = app.screening_areas(&kit.catalog, None).unwrap();
        app.record_screening(&areas, &[]).unwrap();
    }
    assert!(plan(&kit).warnings.contains(&Warning::ReviewAdvised));
    assert!(kit.app().stats(None).unwrap().review_advised);
    assert!(kit.session(5, 5).progress.review_advised);
}

/// A clinician's clearance lets planning go on after a `soon` sign; answered yes again, the
/// block is back; an emergency sign cannot be cleared.
#[test]
fn a_clearance_lifts_a_soon_sign_and_never_an_emergency() {
    let kit = Kit::set_up();
    let app = kit.app();
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    let blocked = || app.require_gates(&kit.catalog, &areas).is_err();
    app.record_screening(&areas, &["weight-loss".to_string()])
        .unwrap();
    assert!(blocked());
    app.clear("weight-loss").unwrap();
    assert!(!blocked());

    let mut kit = Kit::set_up();
    let app = kit.app();
    app.record_screening(&areas, &["bladder-bowel".to_string()])
        .unwrap();
    assert!(matches!(
        app.clear("bladder-bowel"),
        Err(AppError::EmergencyNotClearable { .. })
    ));
    kit.next_day();
    assert!(
        kit.app().require_gates(&kit.catalog, &areas).is_err(),
        "the emergency still blocks"
    );
}

/// At the next start after an amber or red session, "not settled by the morning" makes the
/// plan gentler, as a flare does; the answer is kept with that session.
#[test]
fn not_settled_by_the_morning_makes_the_next_plan_gentler() {
    let mut kit = Kit::set_up();
    kit.session(3, 5);
    kit.next_day();
    assert_eq!(why_eased(&plan(&kit)), None, "3 -> 5 alone is no flare");
    let id = kit.app().history(None, usize::MAX).unwrap().sessions[0]
        .session
        .id;
    kit.app().record_settled(id, false).unwrap();
    assert_eq!(why_eased(&plan(&kit)).map(|(e, _)| e), Some(Ease::Gentler));
    let logged = kit.app().history(None, usize::MAX).unwrap().sessions;
    assert_eq!(logged[0].session.settled, Some(false));
}
