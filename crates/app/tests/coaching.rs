//! Coaching over weeks, as a person lives it: back-dated sessions day after day, the plans
//! that follow, the weekly review, and what counts toward the goal.

mod kit;

use backstretch_app::{ManualLog, ReviewAnswer};
use backstretch_core::coach::Why;
use backstretch_core::profile::Profile;
use backstretch_core::session::{Effort, Ending};
use backstretch_core::timeline::{StepKind, Timeline};
use backstretch_core::vocab::{Area, Place};
use kit::Kit;

const NECK: &str = "neck-side-bend";

/// A person with neck pain who stretches on a chair, five minutes a day.
fn neck_person() -> Kit {
    let kit = Kit::set_up();
    let app = kit.app();
    app.save_profile(
        &kit.catalog,
        Profile {
            areas: vec![Area::Neck],
            places: vec![Place::Chair],
            minutes: 5,
            ..Profile::default()
        },
    )
    .unwrap();
    let areas = app.screening_areas(&kit.catalog, None).unwrap();
    app.record_screening(&areas, &[]).unwrap();
    kit
}

/// The hold today's plan gives an exercise, if it plans it.
fn planned_hold(kit: &Kit, id: &str) -> Option<u32> {
    kit.planned()
        .routine
        .items
        .iter()
        .find(|i| i.exercise_id == id)
        .map(|i| i.dose.hold_s)
}

/// The hold the programme has reached for an exercise (planned or not today).
fn programme_hold(kit: &Kit, id: &str) -> u32 {
    let p = kit.app().programme(&kit.catalog).unwrap();
    p.exercises.iter().find(|r| r.id == id).unwrap().dose.hold_s
}

/// Eight weeks of sessions, one a day, pain 3 before and 2 after; with `flare_from`, a flare
/// (3 to 7) on the first day from then on that plans the neck stretch.
fn eight_weeks(kit: &mut Kit, flare_from: Option<usize>) -> Vec<Option<u32>> {
    let mut holds = Vec::new();
    let mut flare_day = None;
    for day in 0..56 {
        if day % 14 == 0 {
            // The warning-sign check is asked again every four weeks.
            let app = kit.app();
            let areas = app.screening_areas(&kit.catalog, None).unwrap();
            app.record_screening(&areas, &[]).unwrap();
        }
        holds.push(planned_hold(kit, NECK));
        if flare_from.is_some_and(|f| day >= f) && flare_day.is_none() && holds[day].is_some() {
            flare_day = Some(day);
        }
        let (before, after) = if Some(day) == flare_day {
            (3, 7)
        } else {
            (3, 2)
        };
        kit.session(before, after);
        if kit.app().weekly_review(&kit.catalog).unwrap().is_some() {
            kit.app().answer_review(ReviewAnswer::Accept).unwrap();
        }
        kit.next_day();
    }
    holds.push(planned_hold(kit, NECK));
    holds
}

/// A calm person's neck stretch holds grow from 15 s into 30-45 s over eight weeks, a step
/// a week at most, each step explained where the dose shows.
#[test]
fn eight_calm_weeks_grow_the_holds_from_fifteen_seconds_to_thirty_to_forty_five() {
    let mut kit = neck_person();
    let holds = eight_weeks(&mut kit, None);
    assert_eq!(holds[0], Some(15), "the catalogue's dose to begin with");
    let last = holds.last().copied().flatten().unwrap();
    assert!(
        (30..=45).contains(&last),
        "{last} s after eight weeks: {holds:?}"
    );
    // Never more than one step a week: within any seven days a hold grows by 5 s at most.
    // (Variety rotates the routine, so the stretch is not planned every day.)
    for (i, a) in holds.iter().enumerate() {
        for b in holds.iter().skip(i).take(7) {
            if let (Some(a), Some(b)) = (a, b) {
                assert!(*b <= *a + 5, "{holds:?}");
            }
        }
    }
    let plan = kit.planned();
    let item = plan
        .routine
        .items
        .iter()
        .find(|i| i.exercise_id == NECK)
        .unwrap();
    assert!(
        item.reason.contains("three calm sessions at"),
        "the reason says why: {}",
        item.reason
    );
    let p = kit.app().programme(&kit.catalog).unwrap();
    let row = p.exercises.iter().find(|r| r.id == NECK).unwrap();
    assert_eq!(row.dose.hold_s, last);
    assert!(row.why.is_some());
}

/// The same weeks with a flare in week three: the stretch steps back, then climbs again.
#[test]
fn a_flare_in_week_three_steps_back_and_the_holds_recover() {
    let mut calm = neck_person();
    let calm_holds = eight_weeks(&mut calm, None);
    let mut kit = neck_person();
    let holds = eight_weeks(&mut kit, Some(17));
    let p = kit.app().coaching(&kit.catalog).unwrap();
    let st = &p.stages[NECK];
    let back = st.moves.iter().find(|m| m.why == Why::Flare).unwrap();
    assert_eq!(back.to + 1, back.from, "one step back: {:?}", st.moves);
    assert!(
        st.moves
            .iter()
            .any(|m| m.why == Why::Calm && m.day > back.day),
        "the climb resumes: {:?}",
        st.moves
    );
    let (was, now) = (programme_hold(&calm, NECK), programme_hold(&kit, NECK));
    assert!(
        now < was && now > 15,
        "{now} s after the flare, {was} s without: {holds:?}"
    );
    assert_eq!(calm_holds[0], Some(15));
}

/// A session stopped after one short hold is not a day toward the goal, and the summary
/// says so kindly; the whole of a routine is.
#[test]
fn a_day_counts_when_half_the_holding_was_done() {
    let mut kit = neck_person();
    let p = kit.planned();
    let id = kit.begin(&p, Some(3));
    let t = Timeline::new(&p.items);
    let first_hold = t
        .steps()
        .iter()
        .position(|s| s.kind == StepKind::Hold)
        .unwrap();
    kit.play(id, &p, 0..first_hold + 1);
    let s = kit
        .app()
        .finish(id, kit.now, Some(2), Ending::Stopped)
        .unwrap();
    assert!(!s.counted, "{:?}", s.holding);
    assert_eq!(s.progress.this_week.days, 0);
    assert!(s.summary.done.len() == 1, "the exercise was still done");
    kit.advance(600);
    let whole = kit.session(3, 2);
    assert!(whole.counted);
    assert_eq!(whole.progress.this_week.days, 1);
}

/// The weekly review comes a week after the first session; an easier week plans every
/// exercise a step lower and says why, and the next review is a week on.
#[test]
fn the_weekly_review_offers_an_easier_week() {
    let mut kit = neck_person();
    assert!(
        kit.app().weekly_review(&kit.catalog).unwrap().is_none(),
        "no session yet"
    );
    let mut reviews = 0;
    for day in 0..21 {
        if kit.app().weekly_review(&kit.catalog).unwrap().is_some() {
            assert_eq!(day % 7, 0, "due on day {day}");
            kit.app().answer_review(ReviewAnswer::Accept).unwrap();
            reviews += 1;
        }
        kit.session(3, 2);
        kit.next_day();
    }
    assert_eq!(reviews, 2, "on days 7 and 14");
    let before = programme_hold(&kit, NECK);
    // Day 21: the third review.
    let r = kit.app().weekly_review(&kit.catalog).unwrap().unwrap();
    assert_eq!((r.days, r.goal_days), (7, 7));
    assert!(!r.moves.is_empty(), "a step this week: {r:?}");
    kit.app().answer_review(ReviewAnswer::Easier).unwrap();
    let p = kit.app().programme(&kit.catalog).unwrap();
    let row = p.exercises.iter().find(|r| r.id == NECK).unwrap();
    assert!(
        row.dose.hold_s <= before,
        "{} then {before}",
        row.dose.hold_s
    );
    let why = row.why.clone().unwrap_or_default();
    assert!(why.contains("easier this week"), "{why}");
    assert!(kit.app().weekly_review(&kit.catalog).unwrap().is_none());
    let p = kit.app().programme(&kit.catalog).unwrap();
    assert!(p.easier_until.is_some());
    for _ in 0..7 {
        kit.next_day();
    }
    assert!(kit.app().weekly_review(&kit.catalog).unwrap().is_some());
    assert!(
        kit.app()
            .programme(&kit.catalog)
            .unwrap()
            .easier_until
            .is_none()
    );
}

/// `log --easy ID --hard ID`: what was said rides on the exercises' steps; an exercise named
/// with neither was about right; a skipped one cannot be rated.
#[test]
fn a_logged_session_says_how_each_exercise_felt() {
    let kit = neck_person();
    let app = kit.app();
    let routine = app
        .routine_of(&kit.catalog, &[NECK.to_string(), "chin-tuck".to_string()])
        .unwrap();
    let log = |easy: &[&str], hard: &[&str], skipped: &[&str]| ManualLog {
        routine: routine.clone(),
        hurt: vec![],
        skipped: skipped.iter().map(ToString::to_string).collect(),
        easy: easy.iter().map(ToString::to_string).collect(),
        hard: hard.iter().map(ToString::to_string).collect(),
        what: "the exercises named".into(),
        started: None,
        pain_before: 2,
        pain_after: 2,
    };
    app.log_manual(&log(&[], &[NECK], &[])).unwrap();
    let facts = app.facts().unwrap();
    let mut efforts = facts[0].efforts.clone();
    efforts.sort();
    assert_eq!(
        efforts,
        [
            ("chin-tuck".to_string(), Effort::AboutRight),
            (NECK.to_string(), Effort::TooHard)
        ]
    );
    let both = app.log_manual(&log(&[NECK], &[NECK], &[])).unwrap_err();
    assert!(both.to_string().contains("--easy and --hard"), "{both}");
    let skipped = app.log_manual(&log(&[NECK], &[], &[NECK])).unwrap_err();
    assert!(
        skipped.to_string().contains("--skip and --easy"),
        "{skipped}"
    );
    assert_eq!(app.facts().unwrap().len(), 1, "nothing logged by a refusal");
}
