//! Checks on the built-in catalogue as shipped: valid, complete, attributed, free of
//! product placements, and stable through a TOML round-trip.

use backstretch_core::catalog::{builtin, parse_exercise, to_toml};
use backstretch_core::exercise::{Dose, Exercise, SourceDose, SourceRef, Variant};
use backstretch_core::sources::SOURCE_DOCS;
use backstretch_core::vocab::{Area, Equipment, Kind, Place, Position, Sides, Word};
use proptest::prelude::*;

fn all() -> Vec<Exercise> {
    let loaded = builtin();
    assert!(
        loaded.diagnostics.is_empty(),
        "built-in catalogue has problems:\n{}",
        loaded
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    loaded.catalog.exercises().cloned().collect()
}

#[test]
fn every_entry_is_complete_and_attributed() {
    let all = all();
    let pages = all.iter().filter(|e| e.from_pages()).count();
    assert_eq!(pages, 15, "one entry per exercise the pages name");
    assert!(
        all.len() >= 27,
        "at least 12 added from evidence: {}",
        all.len()
    );
    for e in &all {
        assert!(
            !e.steps.is_empty() && e.steps.iter().all(|s| !s.trim().is_empty()),
            "{}",
            e.id
        );
        assert!(!e.purpose.trim().is_empty(), "{}", e.id);
        assert!(!e.cautions.is_empty(), "{}", e.id);
        assert!(!e.sources.is_empty() || !e.evidence.is_empty(), "{}", e.id);
        if !e.from_pages() {
            // Beyond the pages: named evidence, with a year and what it supports.
            assert!(!e.evidence.is_empty(), "{}", e.id);
            for ev in &e.evidence {
                assert!((1950..=2026).contains(&ev.year), "{}: {}", e.id, ev.year);
                assert!(ev.cite.split_whitespace().count() >= 2, "{}", e.id);
                assert!(ev.note.is_some(), "{}: say what it supports", e.id);
            }
            assert!(
                e.dose.note.is_some(),
                "{}: say where the dose comes from",
                e.id
            );
        }
        assert!(
            e.cautions
                .iter()
                .any(|c| c.to_lowercase().contains("stop if")),
            "{} must say to stop when it hurts",
            e.id
        );
    }
}

#[test]
fn every_source_page_is_used() {
    let all = all();
    for doc in SOURCE_DOCS {
        assert!(
            all.iter()
                .any(|e| e.sources.iter().any(|s| s.doc == doc.doc)),
            "no entry cites {}",
            doc.doc
        );
    }
}

#[test]
fn source_doses_are_kept_exactly() {
    let all = all();
    let get = |id: &str, doc: &str| -> SourceDose {
        all.iter()
            .find(|e| e.id == id)
            .and_then(|e| e.sources.iter().find(|s| s.doc.starts_with(doc)))
            .and_then(|s| s.dose.clone())
            .unwrap_or_else(|| panic!("{id} has no dose from {doc}"))
    };
    // The chiropractor's page: rotation 5 s x 10 each side; the others 10 s x 5.
    let rot = get("supine-trunk-rotation", "002");
    assert_eq!(
        (rot.hold_s, rot.reps, rot.sides),
        (Some(5), Some(10), Some(Sides::Each))
    );
    for id in [
        "childs-pose",
        "seated-hamstring-stretch",
        "kneeling-hip-flexor-stretch",
    ] {
        let d = get(id, "002");
        assert_eq!((d.hold_s, d.reps), (Some(10), Some(5)), "{id}");
    }
    // The massage therapist: at least a minute per side.
    let d = get("kneeling-hip-flexor-stretch", "004");
    assert_eq!((d.min_hold_s, d.sides), (Some(60), Some(Sides::Each)));
    // The spine centre: two to five repetitions.
    let d = get("neck-flexion", "003");
    assert_eq!((d.reps, d.reps_max), (Some(2), Some(5)));
    // The default dose follows the source where one gives a complete dose.
    let rot = all
        .iter()
        .find(|e| e.id == "supine-trunk-rotation")
        .unwrap();
    assert_eq!((rot.dose.hold_s, rot.dose.reps), (5, 10));
}

#[test]
fn no_text_names_a_brand_or_a_shop() {
    let banned = [
        "capsiva",
        "amazon",
        "dr. back",
        "dr back",
        "seat cushion",
        "orthopedic",
        "capsaicin",
        "sponsor",
        "affiliate",
        "buy ",
        "purchase",
        "shop",
        "worksheet",
        "commission",
        "http",
        "www.",
        "gel",
        "ask doctor jo",
        "non-surgical spine center",
        "call ",
    ];
    for e in all() {
        let mut texts: Vec<String> = vec![e.name.clone(), e.purpose.clone()];
        texts.extend(e.aliases.iter().cloned());
        texts.extend(e.steps.iter().cloned());
        texts.extend(e.cautions.iter().cloned());
        texts.extend(e.dose.note.iter().cloned());
        texts.extend(e.sources.iter().filter_map(|s| s.note.clone()));
        for t in texts {
            let low = t.to_lowercase();
            for b in banned {
                assert!(!low.contains(b), "{}: `{b}` in {t:?}", e.id);
            }
        }
    }
}

#[test]
fn floor_moves_can_be_done_in_bed_and_seated_moves_in_a_chair() {
    for e in all() {
        if e.position.level() == 0 {
            assert!(
                e.places.contains(&Place::Bed),
                "{} lies down: allow bed",
                e.id
            );
        }
        if e.position == Position::SeatedChair {
            assert!(e.places.contains(&Place::Chair), "{}", e.id);
        }
    }
}

#[test]
fn every_built_in_entry_survives_a_toml_round_trip() {
    for e in all() {
        let text = to_toml(&e).unwrap();
        let again = parse_exercise(&format!("{}.toml", e.id), &text)
            .unwrap_or_else(|d| panic!("{}: {d:#?}\n{text}", e.id));
        assert_eq!(e, again);
    }
}

fn word<W: Word + std::fmt::Debug>() -> impl Strategy<Value = W> {
    proptest::sample::select(W::ALL)
}

fn words<W: Word + std::fmt::Debug + Ord>() -> impl Strategy<Value = Vec<W>> {
    proptest::sample::subsequence(W::ALL, 1..=W::ALL.len())
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z ,.;'()0-9\"\\\\-]{0,60}[a-z.]"
}

prop_compose! {
    fn source_ref()(doc in proptest::sample::select(SOURCE_DOCS), hold in proptest::option::of(1u32..=180),
                    reps in proptest::option::of(1u32..=10), sides in proptest::option::of(word::<Sides>()),
                    note in proptest::option::of(text())) -> SourceRef {
        let dose = (hold.is_some() || reps.is_some() || sides.is_some())
            .then(|| SourceDose { hold_s: hold, reps, sides, ..SourceDose::default() });
        SourceRef { doc: doc.doc.to_string(), dose, note }
    }
}

prop_compose! {
    fn exercise()(id in "[a-z]{3,8}(-[a-z0-9]{1,6}){0,3}", name in text(), kind in word::<Kind>(),
                  position in word::<Position>(), places in words::<Place>(),
                  equipment in proptest::sample::subsequence(Equipment::ALL, 0..=Equipment::ALL.len()),
                  areas in words::<Area>(), sides in word::<Sides>(), gentleness in 1u8..=3,
                  purpose in text(), hold in 1u32..=180, reps in 1u32..=30, rest in 0u32..=120,
                  note in text(), steps in proptest::collection::vec(text(), 1..6),
                  cautions in proptest::collection::vec(text(), 1..4), source in source_ref(),
                  variants in proptest::collection::vec(variant(), 0..3))
                  -> Exercise {
        Exercise { id, name: format!("Move {name}"), aliases: vec![], kind, position, places: places.clone(), equipment,
                   areas, sides, gentleness, purpose,
                   dose: Dose { hold_s: hold, reps, rest_s: rest, note: Some(note) },
                   steps, cautions, demands: Vec::new(), sources: vec![source], evidence: Vec::new(), pose: None,
                   variants: sound_variants(variants, position, &places), variant: None, progresses_to: None,
                   side_cue: (sides != Sides::Both).then(|| "stretching your {side} hip".to_string()) }
    }
}

prop_compose! {
    fn variant()(name in "[a-z]{3,8}( [a-z]{2,6})?", position in word::<Position>(),
                 places in words::<Place>(),
                 equipment in proptest::sample::subsequence(Equipment::ALL, 0..=Equipment::ALL.len()),
                 steps in proptest::collection::vec(text(), 1..4),
                 cautions in proptest::collection::vec(text(), 1..3)) -> Variant {
        Variant { name, position, places, equipment, steps, cautions, pose: None }
    }
}

/// The variants a valid file can hold: distinct names, a position one of its places
/// gives, and not the exercise's own position in its own places.
fn sound_variants(mut v: Vec<Variant>, position: Position, places: &[Place]) -> Vec<Variant> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| {
        seen.insert(x.name.clone())
            && x.places.iter().any(|p| x.position.possible_in(*p))
            && !(x.position == position && x.places.iter().all(|p| places.contains(p)))
    });
    v
}

proptest! {
    #[test]
    fn any_valid_entry_survives_toml_value_toml_value(e in exercise()) {
        let text = to_toml(&e).unwrap();
        let once = parse_exercise(&format!("{}.toml", e.id), &text).unwrap();
        prop_assert_eq!(&once, &e);
        let twice = parse_exercise(&format!("{}.toml", e.id), &to_toml(&once).unwrap()).unwrap();
        prop_assert_eq!(twice, once);
    }
}

#[test]
fn every_entry_has_a_figure_that_passes_the_checks() {
    use backstretch_core::exercise::Form;
    let mut forms = 0;
    for whole in all() {
        let every = std::iter::once(Form::Main).chain((0..whole.variants.len()).map(Form::Variant));
        for form in every {
            let e = whole.in_form(form);
            let name = e.title();
            let spec = e
                .pose
                .as_ref()
                .unwrap_or_else(|| panic!("{name} has no pose"));
            assert!(spec.keyframes.len() >= 2, "{name}");
            // Every frame of the movement, both ways, on both sides.
            for (which, spec) in [("", (**spec).clone()), (" mirrored", spec.mirrored())] {
                let problems = backstretch_core::pose::check(&spec, e.position);
                assert!(problems.is_empty(), "{name}{which}: {problems:?}");
            }
            // A stretch shows where it is felt; a figure bearing weight says what stays put.
            if e.kind == Kind::Stretch {
                assert!(!spec.stretch.is_empty(), "{name} highlights nothing");
            }
            if matches!(
                e.position,
                Position::Standing
                    | Position::SeatedChair
                    | Position::Kneeling
                    | Position::HalfKneeling
                    | Position::Quadruped
            ) && e.id != "walking"
            {
                assert!(!spec.planted.is_empty(), "{name} plants nothing");
            }
            forms += 1;
        }
    }
    assert!(forms >= 33, "{forms}");
}

/// Regressions from the clinical review: a chin tuck (retraction) is not neck flexion; the
/// piriformis refers pain to the buttock and thigh; seats that move or roll, a new hip and
/// thin bones get their cautions.
#[test]
fn clinical_review_corrections_hold() {
    let c = builtin().catalog;
    assert!(
        c.get("neck-flexion")
            .unwrap()
            .exercise
            .aliases
            .iter()
            .all(|a| !a.contains("tuck")),
        "a chin tuck is retraction, not neck flexion"
    );
    let piriformis = &c.get("seated-piriformis-stretch").unwrap().exercise;
    assert!(piriformis.purpose.contains("thigh"));
    assert!(!piriformis.purpose.contains("lower back"));
    let cautions = |id: &str| c.get(id).unwrap().exercise.cautions.join(" ");
    for id in ["seated-piriformis-stretch", "seated-trunk-rotation"] {
        let text = cautions(id);
        assert!(text.contains("parked") && text.contains("brakes"), "{id}");
    }
    for id in ["seated-piriformis-stretch", "double-knee-to-chest"] {
        assert!(cautions(id).contains("hip replacement"), "{id}");
    }
    assert!(cautions("double-knee-to-chest").contains("osteoporosis"));
}

/// No built-in exercise lists a place where its position cannot really be taken (a chair
/// for a standing stretch, a bed for a seated-chair one).
#[test]
fn every_listed_place_gives_the_position() {
    for e in all() {
        for p in &e.places {
            assert!(
                e.position.possible_in(*p),
                "{}: {} is not possible in {p}",
                e.id,
                e.position
            );
        }
    }
}

fn entry(id: &str) -> Exercise {
    all().into_iter().find(|e| e.id == id).unwrap()
}

fn text_of(e: &Exercise) -> String {
    let mut t = vec![e.purpose.clone()];
    t.extend(e.steps.iter().cloned());
    t.extend(e.cautions.iter().cloned());
    t.extend(e.dose.note.iter().cloned());
    t.extend(e.evidence.iter().filter_map(|x| x.note.clone()));
    t.join(" ")
}

/// Issue 28, item 18: the five evidence claims the clinical review found overstated.
#[test]
fn evidence_claims_say_no_more_than_their_papers() {
    let walking = text_of(&entry("walking"));
    assert!(!walking.contains("almost in half"), "{walking}");
    assert!(walking.contains("0.72"), "{walking}");
    let squeeze = entry("shoulder-blade-squeeze");
    assert!(!squeeze.purpose.contains("strengthening them eased"));
    assert!(text_of(&squeeze).contains("not tested") || text_of(&squeeze).contains("not that"));
    assert!(!squeeze.aliases.iter().any(|a| a == "shoulder rolls"));
    let door = text_of(&entry("doorway-chest-stretch"));
    assert!(!door.contains("as the study"), "{door}");
    for id in ["bird-dog", "dead-bug"] {
        for ev in &entry(id).evidence {
            let note = ev.note.clone().unwrap_or_default();
            assert!(note.contains("chronic"), "{id}: {note}");
        }
    }
    let press = entry("prone-press-up");
    assert!(press.purpose.contains("directional preference"));
    assert!(!text_of(&press).contains("the progression the trial used"));
}

/// Issue 28, item 18: the seven catalogue findings still open from the last review, and
/// the cautions it asked for.
#[test]
fn the_reviews_open_catalogue_findings_are_fixed() {
    let loaded = builtin();
    // `catalog show sciatica` no longer offers a flexion stretch.
    let miss = loaded.catalog.find("sciatica").unwrap_err();
    assert!(
        !miss.suggestions.iter().any(|(id, _)| id == "knee-to-chest"),
        "{miss}"
    );
    // "A few seconds".
    assert!(entry("double-knee-to-chest").dose.hold_s <= 5);
    // A step that uses a towel lists it.
    for e in all() {
        if e.steps.iter().any(|s| s.to_lowercase().contains("towel")) {
            assert!(e.equipment.contains(&Equipment::Towel), "{}", e.id);
        }
    }
    let child = text_of(&entry("childs-pose"));
    for w in ["hip or knee replacement", "osteoporosis"] {
        assert!(child.contains(w), "{child}");
    }
    assert!(entry("levator-scapulae-stretch").steps[2].contains("collarbone on the side you"));
    assert!(
        entry("standing-it-band-ql-stretch").steps[0].contains("on the side you will lean toward")
    );
    assert!(entry("knee-to-chest").steps[2].contains("opposite shoulder"));
    assert!(text_of(&entry("doorway-chest-stretch")).contains("dislocation"));
    assert!(text_of(&entry("edge-of-bed-hip-flexor-stretch")).contains("unsteady"));
}

/// Every exercise a condition rules out or flags says so in its own cautions: loaded
/// flexion names osteoporosis, lying face down or on the back names pregnancy.
#[test]
fn demands_come_with_their_cautions() {
    use backstretch_core::vocab::Demand;
    for e in all() {
        let cautions = e.cautions.join(" ").to_lowercase();
        if e.demands.contains(&Demand::LoadedFlexion) {
            assert!(cautions.contains("osteoporosis"), "{}", e.id);
        }
        if e.demands.contains(&Demand::ProneLying) || e.demands.contains(&Demand::SupineLying) {
            assert!(cautions.contains("pregnan"), "{}", e.id);
        }
        if e.position == Position::Prone {
            assert!(e.demands.contains(&Demand::ProneLying), "{}", e.id);
        }
        if e.position == Position::Supine {
            assert!(e.demands.contains(&Demand::SupineLying), "{}", e.id);
        }
    }
}
