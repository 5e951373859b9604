//! The app's main stories, end to end over the kit: plan, play, finish and progress; a flare
//! then a gentler plan; high pain; resume after a kill; log from a sheet; export then
//! import. Nothing here reads the wall clock, so the stories hold on any day.

mod kit;

use backstretch_app::{AppError, Gate, ManualLog, Overrides};
use backstretch_core::plan::Warning;
use backstretch_core::safety::{Ease, Easing, Light, Why, gentler};
use backstretch_core::session::Ending;
use backstretch_core::timeline::{StepKind, Timeline};
use backstretch_core::vocab::Place;
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
        places: vec![Place::Chair],
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
        plan.items
            .iter()
            .all(|i| i.exercise.places.contains(&Place::Floor)
                || i.exercise
                    .variants
                    .iter()
                    .any(|v| v.places.contains(&Place::Floor))),
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

fn eased(plan: &backstretch_core::plan::Plan) -> Option<Easing> {
    plan.warnings.iter().find_map(|w| match w {
        Warning::Gentler(e) => Some(*e),
        _ => None,
    })
}

/// A flare makes the next plan gentler: fewer exercises in less time than the normal plan
/// (clinical review 2: it held 9 in place of 4), then it steps back up over two calm
/// sessions, not one.
#[test]
fn a_flare_makes_the_next_plan_gentler_and_it_steps_back_up_over_two_calm_sessions() {
    let mut kit = Kit::set_up();
    let normal = kit.planned().plan.unwrap();
    let s = kit.session(3, 6);
    assert_eq!(s.flare_rise, Some(3), "a rise of 3 to above 5 is a flare");
    kit.next_day();
    let p = kit.planned();
    let plan = p.plan.as_ref().unwrap();
    assert_eq!(
        eased(plan).map(|e| e.ease),
        Some(Ease::Gentler),
        "{:?}",
        plan.warnings
    );
    assert!(plan.items.len() < normal.items.len(), "fewer exercises");
    assert!(plan.total_s < normal.total_s, "less time");
    for i in &plan.items {
        assert!(gentler::allows(&i.exercise), "{} is gentle", i.exercise.id);
        assert!(i.dose.hold_s <= gentler::MAX_HOLD_S);
        assert!(i.dose.hold_s * i.dose.reps <= gentler::MAX_HOLD_S * gentler::MAX_REPS);
    }
    kit.session(3, 3);
    kit.next_day();
    let step = kit.planned().plan.unwrap();
    assert_eq!(
        eased(&step).map(|e| e.ease),
        Some(Ease::Stepping),
        "{:?}",
        step.warnings
    );
    assert!(step.total_s <= normal.total_s && step.items.len() < normal.items.len());
    kit.session(3, 3);
    kit.next_day();
    let plan = kit.planned().plan.unwrap();
    assert_eq!(eased(&plan), None, "{:?}", plan.warnings);
}

/// Regression (clinical review 2): five red sessions (6 -> 7) in nine days changed nothing.
#[test]
fn two_red_sessions_in_the_last_three_make_the_next_plan_gentler() {
    let mut kit = Kit::set_up();
    let first = kit.session(6, 7);
    assert_eq!(first.flare_rise, None, "a rise of 1 is no flare");
    kit.next_day();
    assert_eq!(eased(&kit.planned().plan.unwrap()), None, "one red session");
    let second = kit.session(5, 6);
    let lines = second.feedback.as_ref().unwrap().lines();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Two of your last three sessions ended red")),
        "{lines:?}"
    );
    kit.next_day();
    let plan = kit.planned().plan.unwrap();
    assert_eq!(
        eased(&plan),
        Some(Easing {
            ease: Ease::Gentler,
            why: Why::RedSessions
        }),
        "{:?}",
        plan.warnings
    );
}

/// Regression (clinical review 2): 10 before and 10 after read "green, carry on".
#[test]
fn pain_of_ten_after_ten_advises_rest_not_carry_on() {
    let mut kit = Kit::set_up();
    let s = kit.session(10, 10);
    assert_eq!(s.light, Some(Light::Red));
    let text = s.feedback.unwrap().lines().join(" ");
    assert!(!text.contains("carry on"), "{text}");
    assert!(
        text.contains("Rest") && text.contains("doctor or physiotherapist"),
        "{text}"
    );
}

/// Regression (clinical review 2): pain before climbing from 2 to 7 over three weeks raised
/// nothing. Now `plan`, `stats` and the summary say so; the rules read only three weeks.
#[test]
fn a_rise_week_on_week_brings_advice_in_plan_stats_and_summary() {
    let mut kit = Kit::set_up();
    let routine = kit.planned().routine;
    for (i, pain) in [2u8, 2, 3, 3, 4, 4, 5, 5, 6, 7].iter().enumerate() {
        kit.app()
            .log_manual(&ManualLog {
                routine: routine.clone(),
                hurt: vec![],
                skipped: vec![],
                what: "the day's routine".into(),
                started: None,
                pain_before: *pain,
                pain_after: *pain,
                easy: vec![],
                hard: vec![],
            })
            .unwrap();
        if i < 9 {
            kit.advance(2 * 86_400);
        }
    }
    let plan = kit.planned().plan.unwrap();
    assert!(
        plan.warnings
            .iter()
            .any(|w| matches!(w, Warning::PainRising(_))),
        "{:?}",
        plan.warnings
    );
    assert!(kit.app().stats(None).unwrap().rising.is_some());
    let s = kit.session(7, 7);
    let lines = s.feedback.unwrap().lines();
    assert!(lines.iter().any(|l| l.contains("rising")), "{lines:?}");
}

/// The gentlest routine at high pain is about five minutes in one place, bed when the person
/// has one, and never fuller than the normal plan.
#[test]
fn the_gentlest_routine_is_short_and_in_one_place() {
    let kit = Kit::set_up();
    let app = kit.app();
    let o = Overrides {
        places: vec![Place::Floor, Place::Bed, Place::Chair, Place::Standing],
        ..Overrides::default()
    };
    let p = app.planned(&kit.catalog, &o, false).unwrap();
    let high = app
        .high_pain(&kit.catalog, &o, &p, Some(9))
        .unwrap()
        .unwrap();
    let g = high.gentlest.unwrap();
    let plan = g.plan.as_ref().unwrap();
    assert_eq!(plan.request.places, [Place::Bed]);
    assert!(plan.total_s <= 5 * 60, "{}", plan.total_s);
    assert!(
        g.items.len() < p.items.len(),
        "{} vs {}",
        g.items.len(),
        p.items.len()
    );
    assert!(!g.items.iter().any(|i| i.id == "walking"));
}

/// While a warning sign blocks plans, the FHIR care plan is on hold with the reason, and the
/// reminder calendar says stretching is paused.
#[test]
fn exports_say_the_plan_is_paused_while_a_warning_sign_blocks() {
    let kit = Kit::set_up();
    let app = kit.app();
    assert_eq!(app.care_plan(&kit.catalog).unwrap().unwrap().paused, None);
    assert_eq!(
        app.reminder(&kit.catalog, "home", None, None)
            .unwrap()
            .paused,
        None
    );
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    app.record_screening(&areas, &["weight-loss".to_string()])
        .unwrap();
    let plan = app.care_plan(&kit.catalog).unwrap().unwrap();
    let why = plan.paused.expect("on hold");
    assert!(why.contains("weight loss"), "{why}");
    let r = app.reminder(&kit.catalog, "home", None, None).unwrap();
    assert!(
        r.paused.is_some() && r.description.starts_with("Paused"),
        "{}",
        r.description
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
            easy: vec![],
            hard: vec![],
        })
        .unwrap();
    assert_eq!(n, plan.items.len());
    let logged = kit.app().history(None, usize::MAX).unwrap().sessions;
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
        let mut all = k.app().history(None, usize::MAX).unwrap().sessions;
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
                    easy: vec![],
                    hard: vec![],
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

/// Answers the check as it stands: yes to `yes`, no to every other question it asks.
fn check(kit: &Kit, yes: &[&str]) -> backstretch_core::check::Outcome<'static> {
    let app = kit.app();
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    let mut c = app.check(&areas).unwrap();
    while let Some(q) = c.next() {
        c.answer(yes.contains(&q.id));
    }
    app.record_check(c).unwrap()
}

fn blocked(kit: &Kit) -> bool {
    matches!(
        kit.app().plan(&kit.catalog, &Overrides::default(), false),
        Err(AppError::GateNotPassed(Gate::Flagged { .. }))
    )
}

/// An emergency answer holds until the person says they were assessed; after that, the sign
/// is asked as new or worse since, so a lasting, checked sign does not lock them out.
#[test]
fn an_emergency_holds_until_assessed_then_is_asked_as_new_or_worse() {
    let mut kit = Kit::set_up();
    let out = check(&kit, &["bladder-bowel"]);
    assert!(out.stopped && blocked(&kit));
    kit.advance(60);
    let out = check(&kit, &[]);
    assert!(
        out.stopped && blocked(&kit),
        "not assessed: the block holds"
    );
    assert_eq!(out.screening.assessed, Some(false));
    kit.advance(3600);
    let out = check(&kit, &["assessed"]);
    assert_eq!(out.verdict, backstretch_core::safety::Verdict::Clear);
    assert!(!blocked(&kit));
    // Four weeks later the check is due again, and the assessed sign is asked as new or
    // worse since the assessment; "no" lets the person go on.
    kit.advance(29 * 86_400);
    let app = kit.app();
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    let q = app
        .check(&areas)
        .unwrap()
        .questions()
        .into_iter()
        .find(|q| q.id == "bladder-bowel")
        .unwrap();
    assert!(
        q.text
            .contains("since you were assessed on 16 November 2026"),
        "{}",
        q.text
    );
    check(&kit, &[]);
    assert!(!blocked(&kit));
}

/// Regression: after "it spreads", a new check never asked about it, so the block lifted.
#[test]
fn after_it_spreads_the_next_check_asks_about_it() {
    let mut kit = Kit::set_up();
    kit.app().report_spreading().unwrap();
    assert!(blocked(&kit));
    kit.next_day();
    let out = check(&kit, &["spreading-symptoms"]);
    assert_ne!(out.verdict, backstretch_core::safety::Verdict::Clear);
    assert!(blocked(&kit), "still spreading: the block holds");
    // Within a day of that answer, only an assessment lets a check go on; a day later, it
    // has settled.
    let out = check(&kit, &[]);
    assert!(out.stopped && blocked(&kit));
    kit.next_day();
    check(&kit, &[]);
    assert!(!blocked(&kit));
}

/// Regression: a truthful re-check every four weeks ended a clinician's clearance. Asked as
/// "new, or changed, since it was cleared", an honest "unchanged" keeps it for 12 weeks.
#[test]
fn a_clearance_lasts_its_twelve_weeks_through_honest_rechecks() {
    let mut kit = Kit::set_up();
    check(&kit, &["weak-immunity", "weight-loss"]);
    assert!(blocked(&kit));
    kit.next_day();
    kit.app().clear("weight-loss").unwrap();
    assert!(!blocked(&kit));
    for _ in 0..2 {
        kit.advance(29 * 86_400);
        let out = check(&kit, &[]);
        assert_eq!(out.screening.since.len(), 1, "{:?}", out.screening);
        assert!(!blocked(&kit));
    }
    // After 12 weeks the plain question is back; a yes blocks again.
    kit.advance(29 * 86_400);
    check(&kit, &["weight-loss"]);
    assert!(blocked(&kit));
}

/// A phone whose clock is far off: a finish 400 days ahead is refused like a step, and step
/// and finish times before the session began are refused; nothing is logged for them.
#[test]
fn reported_times_are_checked_against_now_and_the_session_start() {
    use backstretch_app::Reported;
    use backstretch_core::player::Outcome;
    let mut kit = Kit::set_up();
    let p = kit.planned();
    let id = kit.begin(&p, Some(3));
    kit.advance(60);
    let app = kit.app();
    let frame = app.session_frame(id).unwrap();
    let at = |seconds: i64| kit.now.plus_seconds(seconds);
    let report = |n: u32, when| Reported {
        report: n,
        step: 0,
        outcome: Outcome::Done,
        done_ms: 1000,
        at: when,
    };
    let results = app
        .record_reports(&[
            (id, &frame, report(0, at(-3600))),
            (id, &frame, report(1, at(400 * 86_400))),
            (id, &frame, report(2, at(0))),
        ])
        .unwrap();
    assert!(matches!(results[0], Err(AppError::BeforeTheStart { .. })));
    assert!(matches!(results[1], Err(AppError::InTheFuture(_))));
    assert!(matches!(results[2], Ok(true)));
    let far = app.finish(id, at(400 * 86_400), Some(2), Ending::Completed);
    assert!(matches!(far, Err(AppError::InTheFuture(_))), "{far:?}");
    let early = app.finish(id, at(-3600), Some(2), Ending::Completed);
    assert!(
        matches!(early, Err(AppError::BeforeTheStart { .. })),
        "{early:?}"
    );
    let me = backstretch_store::UserId::local();
    assert!(
        kit.store.last_unfinished(&me).unwrap().is_some(),
        "nothing was ended"
    );
    app.finish(id, at(0), Some(2), Ending::Completed).unwrap();
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

/// Regression: an export left out the profile's time, the clearances and the printed
/// sheets, so a restored log lost them. Now they come back, and the newer profile wins.
#[test]
fn a_backup_restores_the_clearances_the_sheets_and_the_newer_profile() {
    use backstretch_core::profile::Goal;
    let mut kit = Kit::set_up();
    check(&kit, &["weight-loss"]);
    kit.next_day();
    kit.app().clear("weight-loss").unwrap();
    let app = kit.app();
    let (_, code) = app.sheet(&kit.catalog, &Overrides::default()).unwrap();
    let mut p = app.profile().unwrap().unwrap();
    p.goal = Goal::PerWeek(3);
    app.save_profile(&kit.catalog, p).unwrap();
    let mut file = Vec::new();
    app.write_log_file(&mut file).unwrap();
    let file = String::from_utf8(file).unwrap();
    assert_eq!(
        serde_json::to_value(app.log_file().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(&file).unwrap(),
        "the streamed export is the whole file"
    );

    // An older profile here is replaced by the file's.
    let mut other = Kit::set_up();
    other.now = kit.now;
    other.app().import("backup.json", &file).unwrap();
    let restored = other.app();
    assert_eq!(restored.profile().unwrap().unwrap().goal, Goal::PerWeek(3));
    assert!(!restored.printed(code).unwrap().items.is_empty());
    assert!(
        other
            .store
            .clearances(&backstretch_store::UserId::local())
            .unwrap()
            .iter()
            .any(|c| c.sign == "weight-loss")
    );
    // Imported again: nothing doubles.
    other.app().import("backup.json", &file).unwrap();
    assert_eq!(
        other
            .store
            .clearances(&backstretch_store::UserId::local())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        serde_json::to_value(other.app().log_file().unwrap().sheets).unwrap(),
        serde_json::to_value(app.log_file().unwrap().sheets).unwrap()
    );

    // A profile saved here after the backup was made is kept.
    let mut newer = Kit::set_up();
    newer.now = kit.now;
    newer.advance(30 * 86_400);
    let mut mine = newer.app().profile().unwrap().unwrap();
    mine.minutes = 25;
    newer.app().save_profile(&newer.catalog, mine).unwrap();
    newer.app().import("backup.json", &file).unwrap();
    assert_eq!(newer.app().profile().unwrap().unwrap().minutes, 25);
}

/// Regression (clinical review 2): after "it spreads", the summary read "Pain 3: green, carry
/// on as you are" just above "see a doctor". A warning sign reported during the session
/// replaces the pain light.
#[test]
fn a_session_stopped_by_spreading_symptoms_never_says_carry_on() {
    let mut kit = Kit::set_up();
    let p = kit.planned();
    let id = kit.begin(&p, Some(3));
    kit.play(id, &p, 0..2);
    kit.app().report_spreading().unwrap();
    let s = kit
        .app()
        .finish(id, kit.now, Some(3), Ending::Stopped)
        .unwrap();
    assert!(s.feedback.is_none(), "{:?}", s.feedback);
    // A calm session on another day has its light as usual.
    let mut kit = Kit::set_up();
    assert!(kit.session(3, 3).feedback.is_some());
}

#[test]
fn the_history_reads_a_page_at_a_time_newest_first() {
    let mut kit = Kit::set_up();
    let mut ids = Vec::new();
    for pain in [5, 4, 3] {
        let p = kit.planned();
        let id = kit.begin(&p, Some(pain));
        kit.play(id, &p, 0..Timeline::new(&p.items).steps().len());
        let app = kit.app();
        app.finish(id, kit.now, Some(pain - 1), Ending::Completed)
            .unwrap();
        ids.push(id);
        kit.next_day();
    }
    let app = kit.app();
    let first = app.history(None, 2).unwrap();
    let shown: Vec<_> = first.sessions.iter().map(|l| l.session.id).collect();
    assert_eq!(shown, [ids[2], ids[1]]);
    assert_eq!(first.older, Some(ids[1]));
    let rest = app.history(first.older, 2).unwrap();
    assert_eq!(rest.sessions.len(), 1);
    assert_eq!(rest.sessions[0].session.id, ids[0]);
    assert_eq!(rest.sessions[0].session.pain_before, Some(5));
    assert_eq!(rest.older, None, "nothing older than the first session");
    let whole = app.history(None, 3).unwrap();
    assert_eq!((whole.sessions.len(), whole.older), (3, None));
    assert!(matches!(
        app.history(Some(backstretch_core::session::SessionId(999)), 2),
        Err(AppError::Store(
            backstretch_store::StoreError::NotFound { .. }
        ))
    ));
}
