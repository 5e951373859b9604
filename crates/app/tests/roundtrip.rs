//! Whatever the front ends write, `export json` then `import` into a new data directory gives
//! the same history, stats and export (issue 29): sessions played through, stopped, hurt,
//! reported twice at the same moment (by the web's reports or the terminal's writes), logged
//! by hand from a routine naming an exercise by an alias, answered "settled" or not the next
//! morning; clearances; printed sheets; a changed profile.

mod kit;

use backstretch_app::{ManualLog, Overrides, Reported};
use backstretch_core::player::Outcome;
use backstretch_core::session::Ending;
use backstretch_core::timeline::Timeline;
use kit::Kit;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Act {
    /// Play the first `steps` steps (one of them hurt, one reported twice), then finish.
    Play {
        steps: usize,
        hurt: Option<usize>,
        twice: Option<usize>,
        before: u8,
        after: Option<u8>,
    },
    /// Log a session by hand, its first exercise named by an alias.
    Log { before: u8, after: u8, alias: bool },
    /// Answer the next morning's question.
    Settled(bool),
    /// A clinician clears a sign.
    Clear,
    /// Print a sheet.
    Sheet,
    /// Change the profile's minutes.
    Minutes(u32),
    /// Let hours pass.
    Hours(u8),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (
            1..12usize,
            proptest::option::of(0..12usize),
            proptest::option::of(0..12usize),
            0..=10u8,
            proptest::option::of(0..=10u8)
        )
            .prop_map(|(steps, hurt, twice, before, after)| Act::Play {
                steps,
                hurt,
                twice,
                before,
                after
            }),
        (0..=10u8, 0..=10u8, any::<bool>()).prop_map(|(before, after, alias)| Act::Log {
            before,
            after,
            alias
        }),
        any::<bool>().prop_map(Act::Settled),
        Just(Act::Clear),
        Just(Act::Sheet),
        (5..40u32).prop_map(Act::Minutes),
        (1..48u8).prop_map(Act::Hours),
    ]
}

fn apply(kit: &mut Kit, a: &Act) {
    match a {
        Act::Play {
            steps,
            hurt,
            twice,
            before,
            after,
        } => {
            let p = kit.planned();
            let id = kit.begin(&p, Some(*before));
            let timeline = Timeline::new(&p.items);
            let n = (*steps).min(timeline.steps().len());
            let app = kit.app();
            let frame = app.session_frame(id).unwrap();
            let mut report = 0;
            for i in 0..n {
                let s = &timeline.steps()[i];
                kit.advance(i64::from(s.seconds));
                let r = Reported {
                    report,
                    step: u32::try_from(i).unwrap(),
                    outcome: if *hurt == Some(i) {
                        Outcome::Hurt
                    } else {
                        Outcome::Done
                    },
                    done_ms: u64::from(s.seconds) * 1000,
                    at: kit.now,
                };
                report += 1;
                let times = if *twice == Some(i) { 2 } else { 1 };
                for _ in 0..times {
                    let again = Reported { report, ..r };
                    report += 1;
                    kit.app().record_reports(&[(id, &frame, again)]).unwrap();
                }
            }
            if let Some(after) = after {
                let ending = if n == timeline.steps().len() {
                    Ending::Completed
                } else {
                    Ending::Stopped
                };
                kit.app().finish(id, kit.now, Some(*after), ending).unwrap();
            }
        }
        Act::Log {
            before,
            after,
            alias,
        } => {
            let app = kit.app();
            let mut routine = app
                .routine_of(&kit.catalog, &["bridge".to_string()])
                .unwrap();
            if *alias {
                routine.items[0].exercise_id = "Glute Bridge".into();
            }
            let routine = backstretch_app::canonical(&kit.catalog, routine);
            app.log_manual(&ManualLog {
                routine,
                hurt: vec![],
                skipped: vec![],
                what: "a test".into(),
                started: None,
                pain_before: *before,
                pain_after: *after,
                easy: vec![],
                hard: vec![],
            })
            .unwrap();
        }
        Act::Settled(settled) => {
            if let Some((id, _)) = kit.app().pending_followup().unwrap() {
                kit.app().record_settled(id, *settled).unwrap();
            }
        }
        Act::Clear => kit.app().clear("weight-loss").unwrap(),
        Act::Sheet => {
            let _ = kit.app().sheet(&kit.catalog, &Overrides::default());
        }
        Act::Minutes(m) => {
            let app = kit.app();
            let mut p = app.profile().unwrap().unwrap();
            p.minutes = *m;
            app.save_profile(&kit.catalog, p).unwrap();
        }
        Act::Hours(h) => kit.advance(i64::from(*h) * 3600),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn export_then_import_restores_the_same_log(acts in proptest::collection::vec(act(), 1..8)) {
        let mut kit = Kit::set_up();
        for a in &acts {
            apply(&mut kit, a);
        }
        kit.advance(60);
        let mut file = Vec::new();
        kit.app().write_log_file(&mut file).unwrap();
        let file = String::from_utf8(file).unwrap();
        let mut other = Kit::new();
        other.now = kit.now;
        let done = other.app().import("backup.json", &file);
        prop_assert!(done.is_ok(), "{:?}", done);
        let (a, b) = (kit.app(), other.app());
        let json = |app: &backstretch_app::App<'_>| serde_json::to_value(app.log_file().unwrap()).unwrap();
        prop_assert_eq!(json(&a), json(&b));
        prop_assert_eq!(format!("{:?}", a.stats(None).unwrap()), format!("{:?}", b.stats(None).unwrap()));
        let mut again = Vec::new();
        b.write_log_file(&mut again).unwrap();
        prop_assert_eq!(file, String::from_utf8(again).unwrap());
    }
}
