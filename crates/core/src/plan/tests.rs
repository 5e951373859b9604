//! The planner's hard rules on the built-in catalogue and on generated ones, the cases the
//! issue names, and optimality against brute force.

use super::*;
use crate::catalog::builtin;
use crate::synth;
use crate::vocab::Position;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn req(areas: &[Area], places: &[Place], minutes: u32) -> Request {
    Request {
        areas: areas.to_vec(),
        places: places.to_vec(),
        minutes,
        style: DoseStyle::Source,
        exclude: vec![],
        date: day(21),
        gentler: false,
        recent: vec![],
    }
}

fn ids(p: &Plan) -> Vec<&str> {
    p.items.iter().map(|i| i.exercise.id.as_str()).collect()
}

/// Every hard rule, checked on one plan.
fn assert_hard_rules(catalog: &Catalog, r: &Request, p: &Plan) {
    assert!(!p.items.is_empty(), "a plan is never empty");
    for i in &p.items {
        assert!(
            i.exercise.fits_any(&r.places),
            "{} not doable in {:?}",
            i.exercise.id,
            r.places
        );
        assert!(
            !r.exclude.contains(&i.exercise.id),
            "{} was excluded",
            i.exercise.id
        );
        assert!(
            !i.serves.is_empty(),
            "{} serves no requested area",
            i.exercise.id
        );
        let second_round = p.warnings.iter().any(
            |w| matches!(w, Warning::SecondRound { names } if names.contains(&i.exercise.name)),
        );
        if second_round {
            assert_eq!(i.exercise.kind, Kind::Stretch, "{}", i.exercise.id);
            assert!(i.dose.reps > i.style_reps && i.dose.reps <= 2 * i.style_reps);
        } else {
            assert!(i.dose.reps >= 1 && i.dose.reps <= i.style_reps);
        }
        assert!(catalog.get(&i.exercise.id).is_some());
    }
    // The timeline is the one the player runs, and it fits.
    let t = p.timeline();
    assert_eq!(t.total_s(), p.total_s, "plan total equals the timeline's");
    assert!(
        p.total_s <= r.minutes * 60,
        "{} s > {} min",
        p.total_s,
        r.minutes
    );
    // Never back down once up; each position together.
    let levels: Vec<u8> = p
        .items
        .iter()
        .map(|i| i.exercise.position.level())
        .collect();
    assert!(
        levels.windows(2).all(|w| w[0] <= w[1]),
        "levels go down: {levels:?}"
    );
    let mut seen: Vec<Position> = Vec::new();
    for i in &p.items {
        let pos = i.exercise.position;
        if seen.last() != Some(&pos) {
            assert!(
                !seen.contains(&pos),
                "position {pos} comes back: {:?}",
                ids(p)
            );
            seen.push(pos);
        }
    }
    // A warm-up, if any is in the routine at the lowest level, opens it.
    if p.items.iter().any(|i| i.warm_up) {
        assert!(p.items[0].warm_up, "warm-up first: {:?}", ids(p));
    }
    // Deterministic.
    let again = plan(catalog, r, &[]).unwrap();
    assert_eq!(ids(&again), ids(p));
    assert_eq!(again.total_s, p.total_s);
}

fn builtin_catalog() -> Catalog {
    builtin().catalog
}

#[test]
fn bed_only() {
    let c = builtin_catalog();
    let r = req(&[Area::LowerBack], &[Place::Bed], 10);
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(
        p.items
            .iter()
            .all(|i| i.exercise.places.contains(&Place::Bed))
    );
    assert_eq!(
        p.items[0].exercise.id,
        "pelvic-tilt",
        "gentle warm-up first: {:?}",
        ids(&p)
    );
    assert!(
        !p.warnings
            .iter()
            .any(|w| w.to_string().contains("left out")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn chair_only_office_worker_and_wheelchair_user() {
    let c = builtin_catalog();
    let r = req(&[Area::LowerBack, Area::Glutes], &[Place::Chair], 8);
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(ids(&p).contains(&"seated-piriformis-stretch"));
    assert!(ids(&p).contains(&"seated-trunk-rotation"));
    let r = req(&[Area::Neck], &[Place::Chair], 5);
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(p.items.iter().all(|i| i.exercise.position.level() >= 2));
}

#[test]
fn standing_only() {
    let c = builtin_catalog();
    let r = req(&[Area::Hamstrings, Area::SideTrunk], &[Place::Standing], 10);
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(
        p.items
            .iter()
            .all(|i| i.exercise.position == Position::Standing)
    );
    assert!(ids(&p).contains(&"standing-hamstring-stretch"));
    assert!(ids(&p).contains(&"standing-it-band-ql-stretch"));
}

#[test]
fn floor_allowed_uses_kneeling_and_orders_lying_first() {
    let c = builtin_catalog();
    let r = req(
        &[Area::LowerBack, Area::HipFlexors],
        &[Place::Floor, Place::Standing],
        15,
    );
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(ids(&p).contains(&"kneeling-hip-flexor-stretch"));
    assert_eq!(p.items[0].exercise.position.level(), 0);
}

#[test]
fn neck_and_lower_back_together() {
    let c = builtin_catalog();
    let r = req(
        &[Area::Neck, Area::LowerBack],
        &[Place::Bed, Place::Chair],
        10,
    );
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(p.items.iter().any(|i| i.serves.contains(&Area::Neck)));
    assert!(p.items.iter().any(|i| i.serves.contains(&Area::LowerBack)));
    assert_eq!(p.score.coverage, 3, "both areas, the primary weighing 2");
}

#[test]
fn three_minutes_trims_repetitions_before_dropping_an_area() {
    let c = builtin_catalog();
    let r = req(
        &[Area::LowerBack, Area::Neck],
        &[Place::Bed, Place::Chair],
        3,
    );
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(p.total_s <= 180);
    assert!(
        p.items.iter().any(|i| i.serves.contains(&Area::Neck)),
        "{:?}",
        ids(&p)
    );
    assert!(
        p.items.iter().any(|i| i.serves.contains(&Area::LowerBack)),
        "{:?}",
        ids(&p)
    );
    assert!(
        p.items.iter().any(|i| i.dose.reps < i.style_reps),
        "some reps trimmed"
    );
    assert!(
        p.warnings.iter().any(|w| w.to_string().contains("trimmed")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn sixty_minutes_uses_everything_that_fits() {
    let c = builtin_catalog();
    let all = [Place::Floor, Place::Bed, Place::Chair, Place::Standing];
    let r = req(&[Area::LowerBack, Area::Neck, Area::Hamstrings], &all, 60);
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert!(
        p.items.iter().all(|i| i.dose.reps >= i.style_reps),
        "nothing trimmed"
    );
    let serving = c
        .exercises()
        .filter(|e| e.areas.iter().any(|a| r.areas.contains(a)))
        .count();
    assert_eq!(
        p.items.len(),
        serving,
        "every serving exercise fits in an hour"
    );
}

#[test]
fn impossible_requests_fail_with_what_to_change() {
    let c = builtin_catalog();
    let e = plan(&c, &req(&[Area::HipFlexors], &[Place::Chair], 10), &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no exercise for hip-flexors can be done in chair; allowing floor would give some"
    );
    let e = plan(&c, &req(&[Area::LowerBack], &[Place::Bed], 0), &[]).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    let e = plan(&c, &req(&[Area::Hamstrings], &[Place::Standing], 1), &[]).unwrap_err();
    assert!(matches!(e, PlanError::TooShort { need: 2, .. }), "{e:?}");
    let e = plan(&c, &req(&[], &[Place::Bed], 10), &[]).unwrap_err();
    assert!(e.to_string().contains("--area"), "{e}");
}

#[test]
fn uncovered_area_is_named_with_what_to_relax() {
    let c = builtin_catalog();
    let r = req(&[Area::LowerBack, Area::HipFlexors], &[Place::Bed], 10);
    let p = plan(&c, &r, &[]).unwrap();
    assert!(
        p.warnings.iter().any(|w| w.to_string() == "hip-flexors is left out: no exercise for it can be done in bed; allowing floor would include it"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn exclusions_and_blocked_exercises_are_never_chosen() {
    let c = builtin_catalog();
    let mut r = req(&[Area::LowerBack], &[Place::Bed], 20);
    r.exclude = vec!["pelvic-tilt".into()];
    let p = plan(&c, &r, &["bridge".to_string()]).unwrap();
    assert!(!ids(&p).contains(&"pelvic-tilt"));
    assert!(!ids(&p).contains(&"bridge"));
}

#[test]
fn styles_change_the_dose_of_stretches_only() {
    let c = builtin_catalog();
    let mut r = req(&[Area::LowerBack], &[Place::Bed], 30);
    r.style = DoseStyle::Long;
    let p = plan(&c, &r, &[]).unwrap();
    for i in &p.items {
        if i.exercise.kind == Kind::Stretch {
            // One repetition (two when the time calls for a second round).
            assert_eq!((i.dose.hold_s, i.style_reps), (60, 1), "{}", i.exercise.id);
            assert!(i.dose.reps <= 2, "{}", i.exercise.id);
        } else {
            assert_eq!(i.dose.hold_s, i.exercise.dose.hold_s);
        }
    }
    r.style = DoseStyle::Standard;
    let p = plan(&c, &r, &[]).unwrap();
    let s = p
        .items
        .iter()
        .find(|i| i.exercise.kind == Kind::Stretch)
        .unwrap();
    assert_eq!((s.dose.hold_s, s.style_reps), (30, 2));
}

#[test]
fn gentler_plans_use_only_the_gentlest_with_short_holds() {
    let c = builtin_catalog();
    let mut r = req(&[Area::LowerBack], &[Place::Floor, Place::Bed], 15);
    r.gentler = true;
    let p = plan(&c, &r, &[]).unwrap();
    for i in &p.items {
        assert_eq!(i.exercise.gentleness, 1);
        assert!(i.dose.hold_s <= 15 && i.dose.reps <= 2);
    }
}

#[test]
fn reasons_name_the_area_and_the_source() {
    let c = builtin_catalog();
    let p = plan(&c, &req(&[Area::LowerBack], &[Place::Bed], 10), &[]).unwrap();
    let first = &p.items[0];
    assert!(
        first
            .reason
            .starts_with("Gentle warm-up; serves lower-back (primary)"),
        "{}",
        first.reason
    );
    assert!(
        first.reason.contains("physical therapist"),
        "{}",
        first.reason
    );
}

#[test]
fn the_date_rotates_among_equally_good_routines() {
    // Two identical-but-for-id exercises: only the date can choose.
    let mut rng = synth::Rng::new(7);
    let base = synth::exercise(&mut rng, "twin-a".into(), 2);
    let mut twin = base.clone();
    twin.id = "twin-b".into();
    twin.name = "Twin b".into();
    let c = Catalog::from_exercises([base.clone(), twin]);
    let cost = item_seconds(&base.dose, base.sides, true);
    let minutes = cost.div_ceil(60);
    // Enough time for one twin but not both (the second adds at least a prepare step).
    let r = |d| Request {
        areas: vec![base.areas[0]],
        places: base.places.clone(),
        minutes,
        style: DoseStyle::Source,
        exclude: vec![],
        date: day(d),
        gentler: false,
        recent: vec![],
    };
    let mut chosen = BTreeSet::new();
    for d in 1..=14 {
        let p = plan(&c, &r(d), &[]).unwrap();
        if p.items.len() == 1 {
            chosen.insert(p.items[0].exercise.id.clone());
        }
        assert_eq!(ids(&plan(&c, &r(d), &[]).unwrap()), ids(&p));
    }
    assert_eq!(
        chosen.len(),
        2,
        "both twins appear over two weeks: {chosen:?}"
    );
}

#[test]
fn large_catalogues_plan_within_the_rules() {
    let c = synth::catalog(2_000, 42, 5);
    let r = req(
        &[Area::LowerBack, Area::Neck, Area::Glutes],
        &[Place::Floor, Place::Chair],
        20,
    );
    let p = plan(&c, &r, &[]).unwrap();
    assert_hard_rules(&c, &r, &p);
    assert_eq!(p.score.coverage, 5);
}

fn request_strategy() -> impl Strategy<Value = Request> {
    (
        proptest::sample::subsequence(Area::ALL, 1..=3).prop_shuffle(),
        proptest::sample::subsequence(Place::ALL, 1..=4),
        1u32..=8,
        proptest::sample::select(DoseStyle::ALL),
        1u32..=28,
    )
        .prop_map(|(areas, places, minutes, style, d)| Request {
            areas,
            places,
            minutes,
            style,
            exclude: vec![],
            date: day(d),
            gentler: false,
            recent: vec![],
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn search_matches_brute_force_on_small_catalogues(seed in any::<u64>(), n in 1usize..=7, r in request_strategy()) {
        let c = synth::catalog(n, seed, 3);
        let fast = plan_with(&c, &r, &[], false);
        let slow = plan_with(&c, &r, &[], true);
        match (fast, slow) {
            (Ok(f), Ok(s)) => {
                prop_assert_eq!(f.score, s.score);
                prop_assert_eq!(ids(&f), ids(&s));
                let fd: Vec<u32> = f.items.iter().map(|i| i.dose.reps).collect();
                let sd: Vec<u32> = s.items.iter().map(|i| i.dose.reps).collect();
                prop_assert_eq!(fd, sd);
                prop_assert!(f.exhaustive);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "search {:?} vs brute force {:?}", a.map(|p| p.score), b.map(|p| p.score)),
        }
    }

    #[test]
    fn hard_rules_hold_on_generated_catalogues(seed in any::<u64>(), n in 1usize..=60, r in request_strategy()) {
        let c = synth::catalog(n, seed, 5);
        match plan(&c, &r, &[]) {
            Ok(p) => assert_hard_rules(&c, &r, &p),
            Err(PlanError::Invalid(m)) => prop_assert!(false, "valid request refused: {}", m),
            Err(_) => {}
        }
    }
}

#[test]
fn trimming_keeps_a_dose_that_matters() {
    assert_eq!(trim_levels(10, 5), vec![5, 3]);
    assert_eq!(trim_levels(5, 10), vec![10, 5]);
    assert_eq!(trim_levels(60, 1), vec![1]);
    assert_eq!(trim_levels(30, 2), vec![2, 1]);
    assert_eq!(
        trim_levels(5, 2),
        vec![2],
        "a dose under 20 s is never trimmed"
    );
}
