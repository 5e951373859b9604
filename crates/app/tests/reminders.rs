//! Moments of the day, reminders and desk breaks over the kit: each moment plans its own
//! routine, the nearest one by default; a reminder speaks until its routine is done or the
//! day is skipped, and says why during a warning-sign block; desk breaks are short, seated
//! or standing, vary through the day and count apart.

mod kit;

use backstretch_app::{AppError, Overrides, Remedy, Reminder};
use backstretch_core::profile::{Moment, Profile};
use backstretch_core::schedule::Nudge;
use backstretch_core::session::Ending;
use backstretch_core::time::Stamp;
use backstretch_core::timeline::Timeline;
use backstretch_core::vocab::{Area, Place};
use chrono::NaiveTime;
use kit::Kit;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

/// A person with a morning in bed and a desk moment on a chair, at 07:00 the day after the
/// kit starts.
fn with_moments() -> Kit {
    let mut kit = Kit::set_up();
    let app = kit.app();
    let mut p = app.profile().unwrap().unwrap();
    p.places = vec![Place::Bed, Place::Chair];
    p.areas = vec![Area::LowerBack, Area::Neck];
    p.moments = vec![
        Moment {
            name: "morning".into(),
            places: vec![Place::Bed],
            minutes: 10,
            times: vec![t(7, 30)],
        },
        Moment {
            name: "desk".into(),
            places: vec![Place::Chair],
            minutes: 3,
            times: vec![t(11, 0), t(15, 0)],
        },
    ];
    app.save_profile(&kit.catalog, p).unwrap();
    kit.now = Stamp::parse("2026-11-17T07:00:00+00:00").unwrap();
    let app = kit.app();
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    app.record_screening(&areas, &[]).unwrap();
    kit
}

fn places_of(p: &backstretch_app::Playable) -> Vec<String> {
    p.routine.profile.places.clone()
}

#[test]
fn each_moment_plans_its_own_routine_and_the_nearest_is_the_default() {
    let mut kit = with_moments();
    let morning = kit.planned();
    assert_eq!(morning.routine.profile.moment.as_deref(), Some("morning"));
    assert_eq!(places_of(&morning), ["bed"]);
    assert!(morning.routine.total_s <= 10 * 60);
    kit.advance(6 * 3600);
    let desk = kit.planned();
    assert_eq!(desk.routine.profile.moment.as_deref(), Some("desk"));
    assert_eq!(places_of(&desk), ["chair"]);
    assert!(desk.routine.total_s <= 3 * 60, "{}", desk.routine.total_s);
    // Named, whatever the time; explicit places leave moments aside.
    let app = kit.app();
    let named = Overrides {
        moment: Some("morning".into()),
        ..Overrides::default()
    };
    let p = app.planned(&kit.catalog, &named, false).unwrap();
    assert_eq!(places_of(&p), ["bed"]);
    let floor = Overrides {
        places: vec![Place::Floor],
        ..Overrides::default()
    };
    let p = app.planned(&kit.catalog, &floor, false).unwrap();
    assert_eq!(p.routine.profile.moment, None);
    let unknown = Overrides {
        moment: Some("lunch".into()),
        ..Overrides::default()
    };
    let e = app.planned(&kit.catalog, &unknown, false).unwrap_err();
    assert!(e.to_string().contains("morning, desk"), "{e}");
    assert_eq!(
        e.remedy(),
        Some(Remedy::ChooseAMoment(vec!["morning".into(), "desk".into()]))
    );
    // Logging by hand takes the moment too.
    let day = app.today();
    let r = app.planned_on(&kit.catalog, day, Some("desk")).unwrap();
    assert_eq!(r.profile.moment.as_deref(), Some("desk"));
    assert_eq!(r.profile.places, ["chair"]);
}

#[test]
fn a_reminder_speaks_until_its_moment_is_done_or_the_day_skipped() {
    let mut kit = with_moments();
    let app = kit.app();
    let Reminder::Remind {
        title,
        body,
        moment,
    } = app.nudge(&kit.catalog, Some("morning"), None).unwrap()
    else {
        panic!("a reminder is due");
    };
    assert!(title.starts_with("Time for your ") && title.ends_with("-minute stretch"));
    assert!(body.ends_with("exercises, in bed"), "{body}");
    assert_eq!(moment.as_deref(), Some("morning"));
    let skipped = app.nudge(&kit.catalog, None, Some(app.today())).unwrap();
    assert_eq!(skipped, Reminder::Quiet(Nudge::Skipped));
    assert_eq!(skipped.line(), None);

    // The morning routine, played through.
    let p = app
        .planned(
            &kit.catalog,
            &Overrides {
                moment: Some("morning".into()),
                ..Overrides::default()
            },
            false,
        )
        .unwrap();
    let id = kit.begin(&p, Some(3));
    kit.play(id, &p, 0..Timeline::new(&p.items).steps().len());
    kit.app()
        .finish(id, kit.now, Some(2), Ending::Completed)
        .unwrap();
    let app = kit.app();
    assert_eq!(
        app.nudge(&kit.catalog, Some("morning"), None).unwrap(),
        Reminder::Quiet(Nudge::Done)
    );
    // The desk moment is its own routine; the day counts toward the goal either way.
    assert!(matches!(
        app.nudge(&kit.catalog, Some("desk"), None).unwrap(),
        Reminder::Remind { .. }
    ));
    assert_eq!(
        app.nudge(&kit.catalog, None, None).unwrap(),
        Reminder::Quiet(Nudge::Done)
    );
    assert_eq!(app.stats(None).unwrap().this_week.days, 1);
}

#[test]
fn during_a_block_the_reminder_says_why_there_is_no_routine() {
    let kit = with_moments();
    let app = kit.app();
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    app.record_screening(&areas, &["weight-loss".to_string()])
        .unwrap();
    let r = app.nudge(&kit.catalog, Some("desk"), None).unwrap();
    let Reminder::Blocked { title, body } = &r else {
        panic!("{r:?}");
    };
    assert_eq!(title, "No stretching today");
    assert!(
        body.starts_with("A warning sign was reported on 2026-11-17"),
        "{body}"
    );
    assert!(
        r.line()
            .unwrap()
            .starts_with("No stretching today: A warning sign")
    );
    // No desk break either.
    assert!(app.desk_break(&kit.catalog).unwrap().is_none());
}

#[test]
fn before_the_first_run_the_reminder_says_what_comes_first() {
    let kit = Kit::new();
    let app = kit.app();
    let Reminder::Remind { body, .. } = app.nudge(&kit.catalog, None, None).unwrap() else {
        panic!("a reminder is due");
    };
    assert_eq!(body, "First, read and accept the disclaimer");
    app.accept_disclaimer().unwrap();
    let Reminder::Remind { body, .. } = app.nudge(&kit.catalog, None, None).unwrap() else {
        panic!("a reminder is due");
    };
    assert_eq!(body, "First, say where it hurts and where you can stretch");
    let e = app
        .save_profile(&kit.catalog, Profile::default())
        .unwrap_err();
    assert!(matches!(e, AppError::IncompleteProfile));
}

#[test]
fn desk_breaks_are_short_seated_or_standing_vary_and_count_apart() {
    let mut kit = with_moments();
    kit.advance(3 * 3600);
    let mut seen: Vec<Vec<String>> = Vec::new();
    for _ in 0..3 {
        let (title, body, plan) = kit.app().desk_break(&kit.catalog).unwrap().unwrap();
        assert!(
            title.starts_with("Time for your ") && title.ends_with("-minute break"),
            "{title}"
        );
        assert!(plan.total_s <= 2 * 60 + 30, "{}", plan.total_s);
        assert!(
            !body.contains("in bed") && !body.contains("floor"),
            "{body}"
        );
        let p = kit
            .app()
            .planned(
                &kit.catalog,
                &Overrides {
                    desk_break: true,
                    ..Overrides::default()
                },
                false,
            )
            .unwrap();
        assert!(p.routine.profile.desk_break);
        let ids: Vec<String> = plan.items.iter().map(|i| i.exercise.id.clone()).collect();
        // Played as offered.
        let offered = backstretch_app::Playable {
            routine: {
                let mut r = backstretch_core::routine::Routine::from_plan(&plan);
                r.profile.desk_break = true;
                r
            },
            items: plan.timeline_items(),
            notes: vec![],
            plan: Some(plan.clone()),
        };
        let id = kit.begin(&offered, None);
        kit.play(id, &offered, 0..Timeline::new(&offered.items).steps().len());
        kit.app()
            .finish(id, kit.now, None, Ending::Completed)
            .unwrap();
        seen.push(ids);
        kit.advance(45 * 60);
    }
    assert_ne!(seen[0], seen[1], "the second break differs: {seen:?}");
    let s = kit.app().stats(None).unwrap();
    assert_eq!(s.breaks.today, 3);
    assert_eq!(s.sessions, 0, "breaks are not routines");
    assert_eq!(s.this_week.days, 0);
    // The routine reminder still speaks.
    assert!(matches!(
        kit.app().nudge(&kit.catalog, None, None).unwrap(),
        Reminder::Remind { .. }
    ));
}
