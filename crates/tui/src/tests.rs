//! Player screens drawn into a test backend and snapshot-tested: get ready, mid-hold,
//! switch sides, paused, it hurts, done. Keys are injected as events.

use super::*;
use backstretch_core::exercise::Dose;
use backstretch_core::player::{Event, Outcome, Player};
use backstretch_core::timeline::{Side, StepKind};
use backstretch_core::timeline::{Timeline, TimelineItem};
use backstretch_core::vocab::{Position, Sides};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};

fn app() -> App {
    let items = vec![
        TimelineItem {
            id: "knee-to-chest".into(),
            name: "Single knee to chest".into(),
            position: Position::Supine,
            sides: Sides::Each,
            dose: Dose::new(20, 2, 5),
            variant: None,
            side_cue: None,
        },
        TimelineItem {
            id: "neck-flexion".into(),
            name: "Neck flexion stretch".into(),
            position: Position::SeatedChair,
            sides: Sides::Both,
            dose: Dose::new(15, 1, 0),
            variant: None,
            side_cue: None,
        },
    ];
    let info = vec![
        ExerciseInfo {
            name: "Single knee to chest".into(),
            position: "supine (lie on your back)".into(),
            steps: vec![
                "Lie on your back with both knees a little bent.".into(),
                "Bring one knee up toward your chest.".into(),
                "Hold that leg and draw it gently closer.".into(),
            ],
            cautions: vec!["Pull gently.".into(), "Stop if it hurts.".into()],
            pose: backstretch_core::catalog::builtin()
                .catalog
                .get("knee-to-chest")
                .and_then(|e| e.exercise.pose.as_deref().cloned()),
            side_cue: Some("stretching your {side} hip".into()),
        },
        ExerciseInfo {
            name: "Neck flexion stretch".into(),
            position: "seated-chair (sit tall on a steady chair)".into(),
            steps: vec!["Sit tall.".into(), "Lower your chin slowly.".into()],
            cautions: vec!["Stop if you feel dizzy.".into()],
            pose: None,
            side_cue: None,
        },
    ];
    App::new(Player::new(Timeline::new(&items), 0, 0), info)
}

fn screen(app: &App, now: u64, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f, now)).unwrap();
    t.backend().to_string()
}

fn key(c: char) -> KeyEvent {
    KeyEvent::from(KeyCode::Char(c))
}

#[test]
fn get_ready() {
    let mut a = app();
    a.tick(3_000);
    insta::assert_snapshot!(screen(&a, 3_000, 80, 24));
}

#[test]
fn mid_hold() {
    let mut a = app();
    a.tick(27_400); // 15 s get into position, then 12.4 s into the first 20 s hold
    let s = screen(&a, 27_400, 80, 24);
    assert!(
        s.contains("HOLD") && s.contains("stretching your left hip") && s.contains("rep 1 of 2"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn switch_sides() {
    let mut a = app();
    let t = 15_000 + 20_000 + 5_000 + 20_000 + 1_000; // into the switch step
    a.tick(t);
    let s = screen(&a, t, 80, 24);
    assert!(s.contains("SWITCH SIDES"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn paused() {
    let mut a = app();
    a.tick(20_000);
    a.key(key(' '), 20_000);
    let s = screen(&a, 90_000, 80, 24);
    assert!(s.contains("Paused"));
    insta::assert_snapshot!(s);
    // Time does not move while paused.
    assert_eq!(a.player.elapsed(90_000), 20_000);
}

#[test]
fn it_hurts() {
    let mut a = app();
    a.tick(20_000);
    let (ev, exit) = a.key(key('h'), 20_000);
    assert!(exit.is_none());
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::StepEnded {
            outcome: Outcome::Hurt,
            ..
        }
    )));
    let s = screen(&a, 20_500, 80, 24);
    assert!(s.contains("Neck flexion stretch"), "moved on: {s}");
    insta::assert_snapshot!(s);
}

#[test]
fn quit_asks_first() {
    let mut a = app();
    a.tick(5_000);
    assert_eq!(a.key(key('q'), 5_000).1, None);
    assert!(screen(&a, 5_000, 80, 24).contains("Quit this session?"));
    assert_eq!(a.key(key('n'), 6_000).1, None, "any other key goes on");
    assert!(!a.player.is_paused());
    a.key(key('q'), 7_000);
    assert_eq!(a.key(key('y'), 7_000).1, Some(Exit::Stopped));
}

#[test]
fn done() {
    let mut a = app();
    a.tick(30_000);
    a.key(key('h'), 30_000);
    let end = 10_000_000;
    a.progress = Some("This week: 3 of 7 sessions (goal daily). Streak: 2 days.".into());
    a.tick(end);
    assert!(a.done);
    let s = screen(&a, end, 80, 24);
    assert!(
        s.contains("0 exercises done, 0 skipped, 1 hurt")
            || s.contains("1 exercise done, 0 skipped, 1 hurt"),
        "{s}"
    );
    insta::assert_snapshot!(s);
    assert_eq!(a.key(key('x'), end).1, Some(Exit::Completed));
}

#[test]
fn small_and_large_terminals_draw_without_panicking() {
    let mut a = app();
    a.tick(27_000);
    for (w, h) in [(20, 5), (40, 12), (60, 20), (80, 24), (200, 60)] {
        let s = screen(&a, 27_000, w, h);
        assert!(!s.is_empty());
    }
    insta::assert_snapshot!("narrow_60x20", screen(&a, 27_000, 60, 20));
}

#[test]
fn the_figure_moves_into_the_stretch_as_the_hold_begins() {
    let a = app();
    let steps = a.player.timeline().steps();
    let spec = a.info[0].pose.clone().unwrap();
    let hold = steps.iter().find(|s| s.kind == StepKind::Hold).unwrap();
    let prep = &steps[0];
    let start = pose_at(&spec, prep, 0);
    let begin = pose_at(&spec, hold, 0);
    let held = pose_at(&spec, hold, 5_000);
    assert_eq!(
        start.joints, begin.joints,
        "a hold starts from the start pose"
    );
    let end = spec.keyframes.last().unwrap().solve(spec.support);
    for (a, b) in held.joints.iter().zip(end.joints.iter()) {
        for k in 0..3 {
            assert!((a[k] - b[k]).abs() < 1e-9, "held in the stretch");
        }
    }
    // The right side is the mirror of the left.
    let right = steps
        .iter()
        .find(|s| s.kind == StepKind::Hold && s.side == Some(Side::Right))
        .unwrap();
    let mirrored = pose_at(&spec, right, 5_000);
    assert!(
        (mirrored.joint(backstretch_core::pose::Joint::RightKnee)[2]
            + held.joint(backstretch_core::pose::Joint::LeftKnee)[2])
            .abs()
            < 1e-9
    );
    insta::assert_snapshot!("figure_mid_hold_100x34", screen(&a_mid(), 27_400, 100, 34));
}

fn a_mid() -> App {
    let mut a = app();
    a.tick(27_400);
    a
}

#[test]
fn big_numbers() {
    assert_eq!(big_number(8_500)[0], "███", "8.5 s shows 9");
    assert_eq!(big_number(9_001)[0], " █  ███", "9.001 s shows 10");
    assert_eq!(big_number(65_000).len(), 5);
    assert!(big_number(65_000)[1].contains('▪'));
}

/// A host whose clock moves 400 ms each time it is read, recording what the loop gives it.
struct FakeHost {
    t: std::cell::Cell<u64>,
    cues: Vec<String>,
    steps: Vec<(usize, Outcome)>,
    ticks: usize,
}

impl Host for FakeHost {
    fn now(&self) -> u64 {
        self.t.set(self.t.get() + 400);
        self.t.get()
    }
    fn event(&mut self, e: &Event) -> std::io::Result<()> {
        match e {
            Event::Cue { cue } => self.cues.push(cue.text.clone()),
            Event::StepEnded { step, outcome, .. } => self.steps.push((*step, *outcome)),
            Event::Finished => {}
        }
        Ok(())
    }
    fn tick(&mut self) -> std::io::Result<()> {
        self.ticks += 1;
        Ok(())
    }
}

/// Keys typed on given passes of the loop; nothing otherwise.
struct Script(Vec<(usize, char)>, usize);

impl Input for Script {
    fn next(&mut self, _wait: std::time::Duration) -> std::io::Result<Option<TermEvent>> {
        self.1 += 1;
        Ok(self
            .0
            .iter()
            .find(|(at, _)| *at == self.1)
            .map(|(_, c)| TermEvent::Key(key(*c))))
    }
}

#[test]
fn the_whole_loop_runs_on_a_test_backend_with_scripted_keys() {
    let mut app = app();
    let mut host = FakeHost {
        t: std::cell::Cell::new(0),
        cues: vec![],
        steps: vec![],
        ticks: 0,
    };
    // Skip the get-ready step, say it hurts during the first hold, then quit and confirm.
    let mut input = Script(vec![(3, 'n'), (8, 'h'), (12, 'q'), (13, 'y')], 0);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let exit = run_loop(&mut terminal, &mut app, &mut host, &mut input).unwrap();
    assert_eq!(exit, Exit::Stopped);
    assert!(host.ticks >= 13, "{}", host.ticks);
    assert!(
        host.cues.iter().any(|c| c.starts_with("Get into position")),
        "{:?}",
        host.cues
    );
    assert_eq!(host.steps[0], (0, Outcome::Skipped), "n skipped get-ready");
    assert!(
        host.steps.iter().any(|(_, o)| *o == Outcome::Hurt),
        "{:?}",
        host.steps
    );
    let screen = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect::<String>();
    assert!(!screen.trim().is_empty(), "the loop drew the screen");
}

/// The rows the countdown takes: lines made only of blocks and spaces.
fn digit_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| {
            let t = l.trim_matches(|c| c == '│' || c == ' ' || c == '"');
            t.contains('█') && t.chars().all(|c| matches!(c, '█' | ' ' | '▪'))
        })
        .count()
}

/// Regression: the countdown stayed 3x5 characters at any size, and at 50x15 the screen was
/// cut off. It grows with the window, and small windows get a compact layout.
#[test]
fn the_countdown_grows_with_the_window_and_small_ones_go_compact() {
    let mut a = app();
    a.tick(27_000);
    let small = screen(&a, 27_000, 80, 24);
    let large = screen(&a, 27_000, 160, 48);
    assert!(
        digit_rows(&large) >= 2 * digit_rows(&small),
        "{} vs {} rows",
        digit_rows(&large),
        digit_rows(&small)
    );
    let compact = screen(&a, 27_000, 50, 15);
    for want in ["Single knee to chest", "HOLD", "Next:", "q quit"] {
        assert!(compact.contains(want), "{want} in:\n{compact}");
    }
    assert!(digit_rows(&compact) >= 5, "{compact}");
    insta::assert_snapshot!("hold_80x24", small);
    insta::assert_snapshot!("hold_160x48", large);
    insta::assert_snapshot!("hold_50x15", compact);
}

#[test]
fn countdown_scales_to_the_space_given() {
    assert_eq!(countdown_scale(27_000, 7, 5), Some(1));
    assert_eq!(countdown_scale(27_000, 6, 5), None);
    assert_eq!(countdown_scale(27_000, 60, 30), Some(6));
    assert_eq!(big_number_scaled(7_000, 2).len(), 10);
    assert_eq!(big_number_scaled(7_000, 2)[0].chars().count(), 6);
}

/// Spreading symptoms (`s`) stop the session at once, logging the step in progress as hurt.
#[test]
fn spreading_symptoms_stop_the_session() {
    let mut a = app();
    a.tick(27_000);
    assert_eq!(a.key(key('s'), 27_000), (Vec::new(), None), "asked first");
    let (events, exit) = a.key(key('y'), 28_000);
    assert_eq!(exit, Some(Exit::Symptoms));
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::StepEnded {
                outcome: Outcome::Hurt,
                ..
            }
        )),
        "{events:?}"
    );
    // Regression (clinical review 2): the next exercise was announced before the stop.
    assert!(
        !events.iter().any(|e| matches!(e, Event::Cue { .. })),
        "{events:?}"
    );
}

/// Regression (issue 32): a stray `s` ended the session and recorded a warning sign that
/// blocked every plan. A key that ends a session or records a sign asks first, and any key
/// but `y` goes on: nothing is recorded, the session plays on from where it paused.
#[test]
fn a_stray_key_neither_ends_the_session_nor_records_a_sign() {
    let mut a = app();
    a.hurt_ends = true;
    a.tick(27_000);
    for (stray, then) in [('s', 'n'), ('h', 'x'), ('s', 's'), ('q', ' ')] {
        let (events, exit) = a.key(key(stray), 27_000);
        assert_eq!((events.len(), exit), (0, None), "{stray} alone");
        assert!(a.player.is_paused(), "{stray}: paused while it asks");
        let (events, exit) = a.key(key(then), 27_500);
        assert!(
            !events.iter().any(|e| matches!(
                e,
                Event::StepEnded {
                    outcome: Outcome::Hurt,
                    ..
                }
            )),
            "{stray} then {then}: {events:?}"
        );
        assert_eq!(exit, None, "{stray} then {then}");
        assert!(!a.player.is_paused(), "{stray} then {then}: playing on");
        assert!(a.asking.is_none() && !a.confirm_quit);
    }
}

/// Regression (clinical review 2): at high pain, "sharper or worse" moved on to the next
/// stretch. When it ends the session, `h` stops at once and says no next cue.
#[test]
fn sharper_or_worse_ends_the_session_when_it_should() {
    let mut a = app();
    a.hurt_ends = true;
    a.tick(27_000);
    assert_eq!(a.key(key('h'), 27_000), (Vec::new(), None), "asked first");
    let (events, exit) = a.key(key('y'), 28_000);
    assert_eq!(exit, Some(Exit::Hurt));
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::StepEnded {
                outcome: Outcome::Hurt,
                ..
            }
        )),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Cue { .. })));
    // Otherwise it moves on, as before.
    let mut b = app();
    b.tick(27_000);
    assert_eq!(b.key(key('h'), 27_000).1, None);
}
