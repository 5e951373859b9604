//! The app's main stories, end to end over the kit: plan, play, finish and progress; a flare
//! then a gentler plan; high pain; resume after a kill; log from a sheet; export then
//! import. Nothing here reads the wall clock, so the stories hold on any day.

mod kit;

use backstretch_app::{AppError, Gate, ManualLog, Overrides};
use backstretch_core::plan::Warning;
use backstretch_core::safety::gentler;
use backstretch_core::session::Ending;
use backstretch_core::timeline::{StepKind, Timeline};
use backstretch_store::Store;
use kit::Kit;

#[test]
fn a_new_person_is_asked_the_gates_in_order() {
    let kit = Kit::new();
    let app = kit.app();
    let plan = || app.plan(&kit.catalog, &Overrides::default(), false);
    assert!(matches!(
        plan(),
        Err(AppError::GateNotPassed(Gate::Disclaimer))
    ));
    app.accept_disclaimer().unwrap();
    assert!(matches!(plan(), Err(AppError::NothingToPlanFor { .. })));
    let o = Overrides {
        areas: vec![backstretch_core::vocab::Area::Neck],
        places: vec![backstretch_core::vocab::Place::Chair],
        ..Overrides::default()
    };
    assert!(matches!(
        app.plan(&kit.catalog, &o, false),
        Err(AppError::GateNotPassed(Gate::Screening { .. }))
    ));
}

#[test]
fn plan_play_finish_and_progress() {
    let mut kit = Kit::set_up();
    let p = kit.planned();
    assert!(!p.items.is_empty());
    let plan = p.plan.as_ref().unwrap();
    assert!(
        plan.total_s <= 10 * 60,
        "fits the ten minutes: {}",
        plan.total_s
    );
    assert!(
        plan.items.iter().all(|i| i
            .exercise
            .places
            .contains(&backstretch_core::vocab::Place::Floor)
            || i.exercise
                .variants
                .iter()
                .any(|v| v.places.contains(&backstretch_core::vocab::Place::Floor))),
        "every exercise can be done on the floor"
    );

    let id = kit.begin(&p, Some(3));
    let timeline = Timeline::new(&p.items);
    kit.play(id, &p, 0..timeline.steps().len());
    let s = kit
        .app()
        .finish(id, kit.now, Some(2), Ending::Completed)
        .unwrap();
    assert_eq!(s.ending, Ending::Completed);
    assert_eq!(s.pain_before, Some(3));
    assert_eq!(s.pain_after, Some(2));
    assert_eq!(s.summary.done.len(), p.items.len());
    assert!(s.summary.hurt.is_empty());
    assert_eq!(s.flare_rise, None);
    assert_eq!(s.progress.streak.current, 1);

    // A finish sent again (a retry) changes nothing and sums up the same.
    let later = kit.now.plus_seconds(600);
    let again = kit
        .app()
        .finish(id, later, Some(9), Ending::Stopped)
        .unwrap();
    assert_eq!(again.ending, Ending::Completed);
    assert_eq!(again.pain_after, Some(2));
    let stored = kit
        .store
        .session(&backstretch_store::UserId::local(), id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.ended_at, Some(kit.now));

    // Three days in a row make a streak of three.
    kit.next_day();
    kit.session(3, 2);
    kit.next_day();
    kit.session(2, 2);
    let stats = kit.app().stats(None).unwrap();
    assert_eq!(stats.streak.current, 3);
    assert_eq!(stats.sessions, 3);
}

#[test]
fn a_flare_makes_the_next_plan_gentler_until_a_calm_session() {
    let mut kit = Kit::set_up();
    let s = kit.session(3, 6);
    assert_eq!(s.flare_rise, Some(3), "a rise of 3 to above 5 is a flare");
    kit.next_day();
    let p = kit.planned();
    let plan = p.plan.as_ref().unwrap();
    assert!(
        plan.warnings.contains(&Warning::Gentler),
        "{:?}",
        plan.warnings
    );
    for i in &plan.items {
        assert!(gentler::allows(&i.exercise), "{} is gentle", i.exercise.id);
        assert!(i.dose.hold_s <= gentler::MAX_HOLD_S && i.dose.reps <= gentler::MAX_REPS);
    }
    kit.session(3, 3);
    kit.next_day();
    let plan = kit.planned().plan.unwrap();
    assert!(
        !plan.warnings.contains(&Warning::Gentler),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn high_pain_offers_only_the_gentlest_moves() {
    let kit = Kit::set_up();
    let app = kit.app();
    let p = kit.planned();
    let o = Overrides::default();
    assert!(
        app.high_pain(&kit.catalog, &o, &p, Some(6))
            .unwrap()
            .is_none()
    );
    assert!(app.high_pain(&kit.catalog, &o, &p, None).unwrap().is_none());
    let high = app
        .high_pain(&kit.catalog, &o, &p, Some(8))
        .unwrap()
        .unwrap();
    assert_eq!(high.message(), "Your pain is 8 out of 10, which is high.");
    let gentlest = high
        .gentlest
        .expect("the lower back has gentle moves on the floor");
    assert!(!gentlest.items.is_empty());
    for i in &gentlest.items {
        let e = &kit.catalog.get(&i.id).unwrap().exercise;
        assert!(
            gentler::allows(e),
            "{} is gentle by the catalogue's measure",
            i.id
        );
    }
}

#[test]
fn a_killed_player_resumes_from_the_exercise_it_was_in() {
    let mut kit = Kit::set_up();
    let p = kit.planned();
    let id = kit.begin(&p, Some(2));
    let timeline = Timeline::new(&p.items);
    // The player dies during the first exercise's second step (after one logged step).
    kit.play(id, &p, 0..3);
    // While its heartbeat is fresh, it may still be playing elsewhere: not resumable yet.
    assert!(matches!(
        kit.app().resumable(|_| None),
        Err(AppError::StillRunning { .. })
    ));
    kit.advance(10 * 60);
    let r = kit.app().resumable(|_| None).unwrap();
    assert_eq!(r.session.id, id);
    assert_eq!(r.items, p.items);
    assert_eq!(r.from, timeline.resume_from(3));
    assert!(r.from <= 3);
    assert_ne!(timeline.steps()[r.from].kind, StepKind::Done);
    // Played to the end from there, the session holds every step once per report.
    let n = timeline.steps().len();
    kit.play(id, &p, r.from..n);
    let s = kit
        .app()
        .finish(id, kit.now, Some(2), Ending::Completed)
        .unwrap();
    assert_eq!(s.summary.done.len(), p.items.len());
    assert!(matches!(
        kit.app().resumable(|_| None),
        Err(AppError::NothingToResume)
    ));
}

#[test]
fn a_printed_sheet_is_logged_by_its_code() {
    let mut kit = Kit::set_up();
    let (plan, code) = kit
        .app()
        .sheet(&kit.catalog, &Overrides::default())
        .unwrap();
    kit.next_day();
    let routine = kit.app().printed(code).unwrap();
    assert_eq!(routine.items.len(), plan.items.len());
    let hurt = routine.items[0].exercise_id.clone();
    let (id, n, _) = kit
        .app()
        .log_manual(&ManualLog {
            routine,
            hurt: vec![hurt.clone()],
            skipped: vec![],
            what: format!("the sheet {code}"),
            started: None,
            pain_before: 4,
            pain_after: 3,
        })
        .unwrap();
    assert_eq!(n, plan.items.len());
    let logged = kit.app().sessions().unwrap();
    assert_eq!(logged[0].session.id, id);
    assert_eq!(logged[0].session.pain_after, Some(3));
    assert!(
        logged[0]
            .steps
            .iter()
            .any(|s| s.exercise_id.as_deref() == Some(hurt.as_str())
                && s.outcome == backstretch_core::player::Outcome::Hurt)
    );
    // A code nobody printed is refused, naming it.
    let unknown = backstretch_core::code::RoutineCode::parse("ZZZZ9999").unwrap();
    assert!(matches!(
        kit.app().printed(unknown),
        Err(AppError::UnknownSheet { .. })
    ));
}

#[test]
fn an_export_imports_whole_into_a_new_log_and_once_only() {
    let mut kit = Kit::set_up();
    kit.session(4, 3);
    kit.next_day();
    kit.session(3, 3);
    let p = kit.planned();
    let id = kit.begin(&p, Some(3));
    kit.play(id, &p, 0..2);
    let file = serde_json::to_string(&kit.app().log_file().unwrap()).unwrap();

    let mut other = Kit::new();
    other.now = kit.now;
    let count = other.app().import("export.json", &file).unwrap();
    assert_eq!((count.added, count.skipped), (3, 0));
    // Every session comes back with every field, but for the log's own row ids and the
    // player's process id, which belong to the machine that played it.
    let local = |k: &Kit| {
        let mut all = k.app().sessions().unwrap();
        for l in &mut all {
            l.session.id = backstretch_core::session::SessionId(0);
            l.session.pid = None;
        }
        all
    };
    assert_eq!(local(&other), local(&kit));
    let again = other.app().import("export.json", &file).unwrap();
    assert_eq!((again.added, again.skipped), (0, 3));
}

/// The export written a page at a time is the export file, byte for byte, for a log longer
/// than a page.
#[test]
fn a_long_log_is_written_out_a_page_at_a_time_as_the_same_file() {
    let mut kit = Kit::set_up();
    kit.session(4, 3);
    let one: serde_json::Value = serde_json::to_value(kit.app().log_file().unwrap()).unwrap();
    let mut file = one.clone();
    let template = one["sessions"][0].clone();
    let sessions: Vec<serde_json::Value> = (0..70)
        .map(|i| {
            let mut s = template.clone();
            s["uid"] = format!("copy-{i:03}").into();
            s
        })
        .collect();
    file["sessions"] = sessions.into();
    let mut long = Kit::new();
    long.now = kit.now;
    let count = long.app().import("long.json", &file.to_string()).unwrap();
    assert_eq!(count.added, 70);
    let mut streamed = Vec::new();
    long.app().write_log_file(&mut streamed).unwrap();
    let whole = serde_json::to_string_pretty(&long.app().log_file().unwrap()).unwrap() + "\n";
    assert_eq!(String::from_utf8(streamed).unwrap(), whole);
}

/// Six weeks without a meaningful improvement advise a review; the bounded reading of the
/// pain trend's ends agrees with the statistics over the whole log, either way.
#[test]
fn a_review_is_advised_after_six_weeks_without_improvement() {
    for (name, pain_on) in [
        ("flat", (|_| 5) as fn(u8) -> u8),
        ("better", |day| if day < 30 { 7 } else { 3 }),
        ("one good day", |day| if day == 44 { 1 } else { 6 }),
    ] {
        let mut kit = Kit::set_up();
        let routine = kit.planned().routine;
        for day in 0..45u8 {
            kit.app()
                .log_manual(&ManualLog {
                    routine: routine.clone(),
                    hurt: vec![],
                    skipped: vec![],
                    what: "the day's routine".into(),
                    started: None,
                    pain_before: pain_on(day),
                    pain_after: pain_on(day),
                })
                .unwrap();
            kit.next_day();
        }
        let app = kit.app();
        let whole = app.stats(None).unwrap().review_advised;
        assert_eq!(app.review_advised().unwrap(), whole, "{name}");
        assert_eq!(whole, name != "better", "{name}");
    }
}

/// Issue 28, items 8 and 16: the conditions and the direction of movement saved in the
/// profile shape the plan, and come back with an export imported into a new log (an older
/// file without a profile still imports, and a profile already saved is kept).
#[test]
fn conditions_and_direction_shape_plans_and_survive_export_then_import() {
    use backstretch_core::vocab::{Condition, EasedBy};
    let mut kit = Kit::set_up();
    let app = kit.app();
    let mut p = app.profile().unwrap().unwrap();
    p.conditions = vec![Condition::Osteoporosis];
    p.eased_by = Some(EasedBy::Back);
    app.save_profile(&kit.catalog, p.clone()).unwrap();
    let planned = kit.planned();
    let plan = planned.plan.as_ref().unwrap();
    let ids: Vec<&str> = plan.items.iter().map(|i| i.exercise.id.as_str()).collect();
    assert!(ids.contains(&"prone-press-up"), "{ids:?}");
    assert!(!ids.contains(&"knee-to-chest"), "{ids:?}");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.to_string().starts_with("left out for osteoporosis")),
        "{:?}",
        plan.warnings
    );
    kit.session(4, 3);
    let file = serde_json::to_string(&kit.app().log_file().unwrap()).unwrap();
    let mut streamed = Vec::new();
    kit.app().write_log_file(&mut streamed).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&streamed).unwrap(),
        serde_json::from_str::<serde_json::Value>(&file).unwrap()
    );

    let mut other = Kit::new();
    other.now = kit.now;
    other.app().import("export.json", &file).unwrap();
    assert_eq!(other.app().profile().unwrap(), Some(p));

    // A file without a profile (as older exports are) imports; a saved profile is kept.
    let mut older: serde_json::Value = serde_json::from_str(&file).unwrap();
    older.as_object_mut().unwrap().remove("profile");
    let mut third = Kit::set_up();
    third.now = kit.now;
    third
        .app()
        .import("older.json", &older.to_string())
        .unwrap();
    assert!(
        third
            .app()
            .profile()
            .unwrap()
            .unwrap()
            .conditions
            .is_empty()
    );
    third.app().import("export.json", &file).unwrap();
    assert!(
        third
            .app()
            .profile()
            .unwrap()
            .unwrap()
            .conditions
            .is_empty()
    );
}
