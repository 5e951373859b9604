//! The timeline: a routine unrolled into steps (get into position, get ready, hold, rest,
//! switch sides, done), each with its seconds and cue text.
//!
//! It is computed once, here, and only played elsewhere: the planner budgets with the same
//! step lengths ([`item_seconds`]), the players ask [`Timeline::at`] where an elapsed time
//! falls, and cues are due at fixed offsets ([`Timeline::cues`]). Time comes in as a value.

use serde::{Deserialize, Serialize};

use crate::exercise::Dose;
use crate::exercise::side_text;
use crate::text::plural;
pub use crate::vocab::Side;
use crate::vocab::{Position, Sides};

/// Seconds to get into a new position (the first exercise, and whenever the position changes).
pub const POSITION_S: u32 = 15;
/// Seconds to get ready for the next exercise in the same position.
pub const PREPARE_S: u32 = 8;
/// Seconds to switch sides.
pub const SWITCH_S: u32 = 5;

/// Holds this long or longer have their last three seconds counted down by default; shorter
/// ones would turn every few seconds into "3, 2, 1".
pub const COUNT_HOLDS_FROM_S: u32 = 10;

/// What a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Get into a new position (a longer get-ready).
    Position,
    /// Get ready for the next exercise.
    Prepare,
    /// Hold the stretch.
    Hold,
    /// Release and rest between repetitions.
    Rest,
    /// Switch to the other side.
    Switch,
    /// The session is over (0 s).
    Done,
}

impl StepKind {
    /// The word used in JSON and in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Position => "position",
            StepKind::Prepare => "prepare",
            StepKind::Hold => "hold",
            StepKind::Rest => "rest",
            StepKind::Switch => "switch",
            StepKind::Done => "done",
        }
    }

    /// Every kind.
    pub const ALL: [StepKind; 6] = [
        StepKind::Position,
        StepKind::Prepare,
        StepKind::Hold,
        StepKind::Rest,
        StepKind::Switch,
        StepKind::Done,
    ];

    /// The kind a word names.
    pub fn parse(word: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

/// One exercise of a routine, as the timeline needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineItem {
    /// Exercise id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Body position.
    pub position: Position,
    /// Both at once, or each side.
    pub sides: Sides,
    /// The dose to play.
    pub dose: Dose,
    /// The variant of the exercise the places chose (its steps and figure), if not its own
    /// form.
    pub variant: Option<String>,
    /// What a side means (`stretching your {side} hip`), from the exercise.
    pub side_cue: Option<String>,
}

/// One step of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What the step is.
    pub kind: StepKind,
    /// Index of the routine item (equal to the item count for `done`).
    pub item: usize,
    /// The exercise, absent for `done`.
    pub exercise_id: Option<String>,
    /// The side, for exercises done each side in turn.
    pub side: Option<Side>,
    /// Repetition number (1-based) for holds and rests; 0 otherwise.
    pub rep: u32,
    /// Repetitions per side of this item.
    pub reps: u32,
    /// Length in seconds.
    pub seconds: u32,
    /// Seconds from the start of the session to the start of this step.
    pub start_s: u32,
    /// What the coach says at the start of the step.
    pub cue: String,
}

/// The seconds one item takes in a timeline: its get-ready step (longer when it starts a
/// new position), every hold, the rests between holds, and the switch between sides.
pub fn item_seconds(dose: &Dose, sides: Sides, new_position: bool) -> u32 {
    let prep = if new_position { POSITION_S } else { PREPARE_S };
    match sides {
        Sides::Both | Sides::Each => {
            let n_sides = if sides == Sides::Each { 2 } else { 1 };
            let per_side = dose.hold_s * dose.reps + dose.rest_s * dose.reps.saturating_sub(1);
            prep + n_sides * per_side + (n_sides - 1) * SWITCH_S
        }
        // Left, right, left...: every hold but the last followed by a rest, no switch.
        Sides::Alternate => {
            let holds = 2 * dose.reps;
            prep + dose.hold_s * holds + dose.rest_s * holds.saturating_sub(1)
        }
    }
}

/// A routine unrolled into steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    steps: Vec<Step>,
    total_s: u32,
}

/// Where an elapsed time falls in a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// The current step (the `done` step once the time is up).
    pub step: usize,
    /// Milliseconds into the step.
    pub into_ms: u64,
    /// Milliseconds left in the step.
    pub remaining_ms: u64,
    /// Whether the session is over.
    pub finished: bool,
}

/// A spoken or rung cue, due at a fixed offset from the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cue {
    /// Milliseconds from the start of the session.
    pub at_ms: u64,
    /// The step it belongs to.
    pub step: usize,
    /// What to say.
    pub text: String,
}

impl Timeline {
    /// Unrolls a routine's items into steps.
    pub fn new(items: &[TimelineItem]) -> Self {
        let mut u = Unroll::default();
        let mut last_position = None;
        for (i, it) in items.iter().enumerate() {
            let new_position = last_position != Some(it.position);
            last_position = Some(it.position);
            let base = get_ready(i, it, new_position);
            u.push(base.clone());
            if it.sides == Sides::Alternate {
                u.alternating(it, &base);
            } else {
                u.side_by_side(it, &base);
            }
        }
        u.push(Step {
            kind: StepKind::Done,
            item: items.len(),
            exercise_id: None,
            side: None,
            rep: 0,
            reps: 0,
            seconds: 0,
            start_s: 0,
            cue: "Session done. Well done.".into(),
        });
        Timeline {
            steps: u.steps,
            total_s: u.t,
        }
    }

    /// Every step, in order; the last is `done`.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The whole session, in seconds.
    pub fn total_s(&self) -> u32 {
        self.total_s
    }

    /// The first step of item `i` (or the `done` step past the end).
    pub fn first_step_of(&self, item: usize) -> usize {
        self.steps
            .iter()
            .position(|s| s.item >= item)
            .unwrap_or(self.steps.len() - 1)
    }

    /// Where to resume an interrupted session whose first unfinished step is `unfinished`:
    /// the get-ready step of the exercise it belongs to, so the person has time to get back
    /// into position before a hold begins (that exercise's holds are done again in full).
    pub fn resume_from(&self, unfinished: usize) -> usize {
        match self.steps.get(unfinished) {
            Some(s) if s.kind != StepKind::Done => self.first_step_of(s.item),
            _ => unfinished.min(self.steps.len().saturating_sub(1)),
        }
    }

    /// Where `elapsed_ms` falls: a binary search over step start times.
    pub fn at(&self, elapsed_ms: u64) -> At {
        let total_ms = u64::from(self.total_s) * 1000;
        let last = self.steps.len() - 1;
        if elapsed_ms >= total_ms {
            return At {
                step: last,
                into_ms: 0,
                remaining_ms: 0,
                finished: true,
            };
        }
        // The last step whose start is <= elapsed, skipping zero-length steps.
        let idx = self
            .steps
            .partition_point(|s| u64::from(s.start_s) * 1000 <= elapsed_ms)
            .saturating_sub(1);
        let mut idx = idx.min(last);
        while self.steps[idx].seconds == 0 && idx > 0 {
            idx -= 1;
        }
        let s = &self.steps[idx];
        let start = u64::from(s.start_s) * 1000;
        let len = u64::from(s.seconds) * 1000;
        At {
            step: idx,
            into_ms: elapsed_ms - start,
            remaining_ms: (start + len).saturating_sub(elapsed_ms),
            finished: false,
        }
    }

    /// Every cue with its due time: the step's own cue at its start, and for holds and
    /// get-ready steps of 5 s or more, the last three seconds counted ("3", "2", "1").
    pub fn cues(&self) -> Vec<Cue> {
        self.cues_counting(COUNT_HOLDS_FROM_S)
    }

    /// The cues, counting down the last three seconds of holds of `hold_min_s` or more
    /// (and of every get-ready step of 5 s or more).
    pub fn cues_counting(&self, hold_min_s: u32) -> Vec<Cue> {
        let mut out = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            let start = u64::from(s.start_s) * 1000;
            out.push(Cue {
                at_ms: start,
                step: i,
                text: s.cue.clone(),
            });
            let counted = match s.kind {
                StepKind::Hold => s.seconds >= hold_min_s.max(5),
                StepKind::Prepare | StepKind::Position => s.seconds >= 5,
                _ => false,
            };
            if counted {
                for n in (1..=3u32).rev() {
                    out.push(Cue {
                        at_ms: start + u64::from(s.seconds - n) * 1000,
                        step: i,
                        text: n.to_string(),
                    });
                }
            }
        }
        out
    }
}

/// The step that gets item `i` ready: into its position when it changes, else a prepare
/// step; the steps of the item copy it.
fn get_ready(i: usize, it: &TimelineItem, new_position: bool) -> Step {
    let reps = it.dose.reps;
    let how = format!(
        "{}, {}{}",
        plural(it.dose.hold_s, "second", "seconds"),
        plural(reps, "time", "times"),
        match it.sides {
            Sides::Both => "",
            Sides::Each => " each side",
            Sides::Alternate => " each side, sides alternating",
        }
    );
    let (kind, seconds, cue) = if new_position {
        (
            StepKind::Position,
            POSITION_S,
            format!(
                "Get into position: {}. Next: {}, {how}.",
                it.position.get_into(),
                it.name
            ),
        )
    } else {
        (
            StepKind::Prepare,
            PREPARE_S,
            format!("Get ready. Next: {}, {how}.", it.name),
        )
    };
    Step {
        kind,
        item: i,
        exercise_id: Some(it.id.clone()),
        side: None,
        rep: 0,
        reps,
        seconds,
        start_s: 0,
        cue,
    }
}

/// Steps laid end to end, each starting where the one before ends.
#[derive(Default)]
struct Unroll {
    steps: Vec<Step>,
    t: u32,
}

impl Unroll {
    fn push(&mut self, mut s: Step) {
        s.start_s = self.t;
        self.t += s.seconds;
        self.steps.push(s);
    }

    /// The holds of an item done side by side in turn (left, right, left...), a rest between
    /// holds and never a switch step.
    fn alternating(&mut self, it: &TimelineItem, base: &Step) {
        let reps = it.dose.reps;
        let order = (1..=reps).flat_map(|rep| [(rep, Side::Left), (rep, Side::Right)]);
        let holds = 2 * reps;
        for (k, (rep, side)) in order.enumerate() {
            self.push(Step {
                kind: StepKind::Hold,
                side: Some(side),
                rep,
                seconds: it.dose.hold_s,
                cue: format!(
                    "Hold, {}. {rep} of {reps}.",
                    side_text(it.side_cue.as_deref(), side)
                ),
                ..base.clone()
            });
            if u32::try_from(k).is_ok_and(|k| k + 1 < holds) && it.dose.rest_s > 0 {
                self.push(Step {
                    kind: StepKind::Rest,
                    side: Some(side),
                    rep,
                    seconds: it.dose.rest_s,
                    cue: "Release, then the other side.".into(),
                    ..base.clone()
                });
            }
        }
    }

    /// The holds of an item done once, or on each side in turn with a switch between.
    fn side_by_side(&mut self, it: &TimelineItem, base: &Step) {
        let reps = it.dose.reps;
        let sides: &[Option<Side>] = match it.sides {
            Sides::Each => &[Some(Side::Left), Some(Side::Right)],
            _ => &[None],
        };
        for (si, side) in sides.iter().enumerate() {
            if si > 0 {
                self.push(Step {
                    kind: StepKind::Switch,
                    side: *side,
                    seconds: SWITCH_S,
                    cue: format!(
                        "Switch sides: now {}.",
                        side.map_or_else(String::new, |s| side_text(it.side_cue.as_deref(), s))
                    ),
                    ..base.clone()
                });
            }
            for rep in 1..=reps {
                let side_text = side.map_or(String::new(), |s| {
                    format!(", {}", side_text(it.side_cue.as_deref(), s))
                });
                self.push(Step {
                    kind: StepKind::Hold,
                    side: *side,
                    rep,
                    seconds: it.dose.hold_s,
                    cue: format!("Hold{side_text}. {rep} of {reps}."),
                    ..base.clone()
                });
                if rep < reps && it.dose.rest_s > 0 {
                    self.push(Step {
                        kind: StepKind::Rest,
                        side: *side,
                        rep,
                        seconds: it.dose.rest_s,
                        cue: "Release and rest.".into(),
                        ..base.clone()
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(
        id: &str,
        position: Position,
        sides: Sides,
        hold: u32,
        reps: u32,
        rest: u32,
    ) -> TimelineItem {
        TimelineItem {
            id: id.into(),
            name: id.into(),
            position,
            sides,
            dose: Dose::new(hold, reps, rest),
            variant: None,
            side_cue: None,
        }
    }

    #[test]
    fn unrolls_sides_reps_rests_and_position_changes() {
        let t = Timeline::new(&[
            item("a", Position::Supine, Sides::Each, 10, 2, 5),
            item("b", Position::Supine, Sides::Both, 20, 1, 5),
            item("c", Position::Standing, Sides::Both, 30, 1, 0),
        ]);
        let kinds: Vec<StepKind> = t.steps().iter().map(|s| s.kind).collect();
        use StepKind::{Done, Hold, Prepare, Rest, Switch};
        let pos = StepKind::Position;
        assert_eq!(
            kinds,
            [
                pos, Hold, Rest, Hold, Switch, Hold, Rest, Hold, Prepare, Hold, pos, Hold, Done
            ]
        );
        assert_eq!(t.steps()[1].side, Some(Side::Left));
        assert_eq!(t.steps()[5].side, Some(Side::Right));
        assert_eq!(
            t.total_s(),
            15 + 10 + 5 + 10 + 5 + 10 + 5 + 10 + 8 + 20 + 15 + 30
        );
        assert!(t.steps()[0].cue.contains("lie on your back"));
    }

    /// Each hold says plainly what the side means, from the exercise's side cue.
    #[test]
    fn holds_and_switches_say_what_the_side_is() {
        let mut it = item("hip", Position::HalfKneeling, Sides::Each, 20, 1, 0);
        it.side_cue = Some("stretching your {side} hip: {side} knee down".into());
        let t = Timeline::new(std::slice::from_ref(&it));
        let cues: Vec<&str> = t.steps().iter().map(|s| s.cue.as_str()).collect();
        assert!(cues.contains(&"Hold, stretching your left hip: left knee down. 1 of 1."));
        assert!(cues.contains(&"Switch sides: now stretching your right hip: right knee down."));
        it.side_cue = None;
        let t = Timeline::new(&[it]);
        assert!(
            t.steps()
                .iter()
                .any(|s| s.cue == "Hold, left side. 1 of 1.")
        );
    }

    /// Regression: knee rolls (5 s x 10, each side) were ten to one side, then ten to the
    /// other. Alternating sides take turns, with a rest between holds and no switch step.
    #[test]
    fn alternating_sides_take_turns() {
        let it = item("rolls", Position::Supine, Sides::Alternate, 5, 3, 2);
        let t = Timeline::new(std::slice::from_ref(&it));
        let holds: Vec<(Option<Side>, u32)> = t
            .steps()
            .iter()
            .filter(|s| s.kind == StepKind::Hold)
            .map(|s| (s.side, s.rep))
            .collect();
        let (l, r) = (Some(Side::Left), Some(Side::Right));
        assert_eq!(holds, [(l, 1), (r, 1), (l, 2), (r, 2), (l, 3), (r, 3)]);
        assert!(t.steps().iter().all(|s| s.kind != StepKind::Switch));
        assert_eq!(
            t.steps()
                .iter()
                .filter(|s| s.kind == StepKind::Rest)
                .count(),
            5
        );
        assert_eq!(t.total_s(), item_seconds(&it.dose, it.sides, true));
        assert_eq!(t.total_s(), 15 + 6 * 5 + 5 * 2);
        assert!(t.steps()[1].cue.starts_with("Hold, left side. 1 of 3"));
        assert!(t.steps()[3].cue.starts_with("Hold, right side. 1 of 3"));
    }

    #[test]
    fn at_finds_the_step_and_remaining_time() {
        let t = Timeline::new(&[item("a", Position::Supine, Sides::Both, 10, 1, 0)]);
        assert_eq!(t.at(0).step, 0);
        let a = t.at(15_500);
        assert_eq!((a.step, a.into_ms, a.remaining_ms), (1, 500, 9_500));
        assert!(t.at(25_000).finished);
        assert_eq!(t.at(25_000).step, 2);
    }

    #[test]
    fn cues_count_down_the_last_three_seconds_of_a_hold() {
        let t = Timeline::new(&[item("a", Position::Supine, Sides::Both, 10, 1, 0)]);
        let cues: Vec<(u64, String)> = t.cues().into_iter().map(|c| (c.at_ms, c.text)).collect();
        assert!(cues.contains(&(15_000, "Hold. 1 of 1.".into())));
        assert!(cues.contains(&(22_000, "3".into())));
        assert!(cues.contains(&(24_000, "1".into())));
        assert_eq!(
            cues.last().unwrap(),
            &(25_000, "Session done. Well done.".into())
        );
    }

    prop_compose! {
        fn items()(v in proptest::collection::vec(
            (0usize..9, 0usize..3, 1u32..=60, 1u32..=5, 0u32..=10), 1..8)) -> Vec<TimelineItem> {
            v.into_iter().enumerate().map(|(i, (p, sides, h, r, rest))| item(
                &format!("x{i}"), <Position as crate::vocab::Word>::ALL[p],
                <Sides as crate::vocab::Word>::ALL[sides], h, r, rest)).collect()
        }
    }

    proptest! {
        #[test]
        fn steps_tile_the_session_and_match_the_budget(items in items()) {
            let t = Timeline::new(&items);
            // Steps are contiguous from 0 to total.
            let mut at = 0;
            for s in t.steps() {
                prop_assert_eq!(s.start_s, at);
                at += s.seconds;
            }
            prop_assert_eq!(at, t.total_s());
            // The planner's cost model agrees with the timeline.
            let mut last = None;
            let mut budget = 0;
            for it in &items {
                budget += item_seconds(&it.dose, it.sides, last != Some(it.position));
                last = Some(it.position);
            }
            prop_assert_eq!(budget, t.total_s());
        }

        #[test]
        fn at_is_monotone_and_remaining_shrinks_within_a_step(items in items(), a in 0u64..2_000_000, b in 0u64..2_000_000) {
            let t = Timeline::new(&items);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let (x, y) = (t.at(lo), t.at(hi));
            prop_assert!(x.step <= y.step);
            if x.step == y.step && !x.finished {
                prop_assert!(x.remaining_ms >= y.remaining_ms);
                prop_assert_eq!(x.remaining_ms - y.remaining_ms, hi - lo);
            }
            if !x.finished {
                prop_assert!(t.steps()[x.step].seconds > 0);
                prop_assert_eq!(x.into_ms + x.remaining_ms, u64::from(t.steps()[x.step].seconds) * 1000);
            }
        }

        #[test]
        fn cues_are_in_time_order_within_the_session(items in items()) {
            let t = Timeline::new(&items);
            let cues = t.cues();
            for w in cues.windows(2) {
                prop_assert!(w[0].at_ms <= w[1].at_ms, "{:?} then {:?}", w[0], w[1]);
            }
            prop_assert!(cues.iter().all(|c| c.at_ms <= u64::from(t.total_s()) * 1000));
        }
    }

    #[test]
    fn short_holds_are_not_counted_down_by_default() {
        let t = Timeline::new(&[item("a", Position::Supine, Sides::Both, 5, 3, 2)]);
        let counts = |cues: Vec<Cue>| {
            cues.iter()
                .filter(|c| c.text == "1" && t.steps()[c.step].kind == StepKind::Hold)
                .count()
        };
        assert_eq!(counts(t.cues()), 0, "5 s holds: no 3, 2, 1");
        assert_eq!(counts(t.cues_counting(5)), 3, "when asked, every hold");
        let long = Timeline::new(&[item("b", Position::Supine, Sides::Both, 30, 2, 5)]);
        assert_eq!(
            long.cues()
                .iter()
                .filter(|c| c.text == "1" && long.steps()[c.step].kind == StepKind::Hold)
                .count(),
            2
        );
    }

    #[test]
    fn resuming_starts_with_getting_ready_for_the_exercise_in_progress() {
        let t = Timeline::new(&[
            item("a", Position::Supine, Sides::Both, 10, 3, 2),
            item("b", Position::Supine, Sides::Both, 10, 2, 2),
        ]);
        let hold2 = t
            .steps()
            .iter()
            .position(|s| s.item == 1 && s.kind == StepKind::Hold && s.rep == 2)
            .unwrap();
        let from = t.resume_from(hold2);
        assert_eq!(from, t.first_step_of(1));
        assert!(matches!(
            t.steps()[from].kind,
            StepKind::Prepare | StepKind::Position
        ));
        let done = t.steps().len() - 1;
        assert_eq!(t.resume_from(done), done);
    }
}
