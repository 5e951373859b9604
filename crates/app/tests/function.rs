//! Stories of the function measure (PSFS) and the education cards: scored at the start and
//! again weeks later, refused when the input is wrong, carried through export and import, and
//! the card each occasion shows, derived from the log.

mod kit;

use backstretch_app::AppError;
use backstretch_core::function::{BadFunction, FunctionTrend};
use kit::Kit;

fn items(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(n, s)| ((*n).to_string(), *s)).collect()
}

/// A person names three activities at the start, scores them again three weeks later, and
/// sees the change against the 2 points that matter; the latest activities are offered back.
#[test]
fn scored_at_the_start_and_again_weeks_later() {
    let mut kit = Kit::set_up();
    let app = kit.app();
    assert!(app.function_history().unwrap().is_empty());
    assert_eq!(app.function_summary().unwrap(), None);
    assert!(app.last_function_activities().unwrap().is_empty());
    let first = app
        .record_function(&items(&[
            ("carrying shopping", 3),
            ("sitting an hour", 4),
            ("tying shoelaces", 5),
        ]))
        .unwrap();
    assert!((first.mean() - 4.0).abs() < 1e-9);
    kit.advance(21 * 86_400);
    let app = kit.app();
    assert_eq!(
        app.last_function_activities().unwrap(),
        ["carrying shopping", "sitting an hour", "tying shoelaces"]
    );
    app.record_function(&items(&[
        ("carrying shopping", 6),
        ("sitting an hour", 6),
        ("tying shoelaces", 7),
    ]))
    .unwrap();
    let s = app.function_summary().unwrap().unwrap();
    assert_eq!((s.records, s.first.mean, s.latest.mean), (2, 4.0, 6.3));
    assert_eq!((s.change, s.trend), (2.3, FunctionTrend::Better));
    assert!(s.same_activities);
    assert_eq!(app.function_history().unwrap()[1].at, kit.now);
}

/// Wrong input is refused with what was wrong, nothing is written, and nothing is clamped.
#[test]
fn bad_scores_are_refused_and_nothing_is_kept() {
    let kit = Kit::set_up();
    let app = kit.app();
    let refused = |list: &[(&str, i64)]| match app.record_function(&items(list)) {
        Err(AppError::BadFunction { problem }) => problem,
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        refused(&[("walking", 11)]),
        BadFunction::Score { score: 11, .. }
    ));
    assert!(matches!(refused(&[("", 3)]), BadFunction::EmptyName));
    assert!(matches!(
        refused(&[("a", 1), ("b", 2), ("c", 3), ("d", 4)]),
        BadFunction::TooMany(4)
    ));
    assert!(matches!(refused(&[]), BadFunction::NoActivity));
    let e = app.record_function(&items(&[("walking", -2)])).unwrap_err();
    assert!(e.to_string().contains("0 (unable"), "{e}");
    assert!(e.remedy().is_some());
    assert!(app.function_history().unwrap().is_empty());
}

/// `export json` then `import` into a new log brings the records back, once however often it
/// is imported; a file from before the measure (no `function` field) still imports; a bad
/// record in a file is named by its path and nothing is imported.
#[test]
fn records_survive_export_and_import() {
    let mut kit = Kit::set_up();
    kit.session(4, 3);
    kit.app()
        .record_function(&items(&[("gardening", 2), ("driving", 5)]))
        .unwrap();
    kit.advance(7 * 86_400);
    kit.app()
        .record_function(&items(&[("gardening", 4)]))
        .unwrap();
    let mut file = Vec::new();
    kit.app().write_log_file(&mut file).unwrap();
    let text = String::from_utf8(file).unwrap();
    assert!(text.contains("\"function\""), "{text}");
    let later = |k: Kit| Kit { now: kit.now, ..k };
    let other = later(Kit::new());
    other.app().import("backup.json", &text).unwrap();
    other.app().import("backup.json", &text).unwrap();
    assert_eq!(
        other.app().function_history().unwrap(),
        kit.app().function_history().unwrap()
    );
    assert_eq!(
        other.app().log_file().unwrap(),
        kit.app().log_file().unwrap(),
        "the whole file reads back the same"
    );
    // An export from before the measure: no `function` field.
    let mut old: serde_json::Value = serde_json::from_str(&text).unwrap();
    old.as_object_mut().unwrap().remove("function");
    let fresh = later(Kit::new());
    let n = fresh.app().import("old.json", &old.to_string()).unwrap();
    assert_eq!(n.added, 1);
    assert!(fresh.app().function_history().unwrap().is_empty());
    // A score of 12 in a file is refused with its path.
    let mut bad: serde_json::Value = serde_json::from_str(&text).unwrap();
    bad["function"][1]["items"][0]["score"] = 12.into();
    let e = later(Kit::new())
        .app()
        .import("bad.json", &bad.to_string())
        .unwrap_err();
    assert!(
        e.to_string().contains("function[1]") || format!("{e:?}").contains("function[1]"),
        "{e:?}"
    );
}

/// A card shows at every third completed session and at each review; the card is the next in
/// turn, derived from the log (the same answer however often it is asked), and none repeats
/// until all have been shown.
#[test]
fn education_cards_follow_the_log() {
    let mut kit = Kit::set_up();
    let cards = kit.app().education().unwrap().cards().len();
    let mut seen = Vec::new();
    for n in 1..=9 {
        kit.session(3, 2);
        let app = kit.app();
        let card = app.card_after_session(0).unwrap();
        assert_eq!(card.is_some(), n % 3 == 0, "session {n}");
        assert_eq!(
            card,
            app.card_after_session(0).unwrap(),
            "derived, not counted"
        );
        seen.extend(card.map(|c| c.id.clone()));
        kit.next_day();
    }
    assert_eq!(seen.len(), 3);
    // A first weekly review after nine sessions is the fourth occasion.
    let review = kit.app().card_for_review(1).unwrap();
    assert!(!seen.contains(&review.id));
    seen.push(review.id.clone());
    let mut uniq = seen.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), seen.len().min(cards));
}
