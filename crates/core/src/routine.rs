//! The stored shape of a routine: what `plan --format json` prints, what `start --routine`
//! plays back, and what the log keeps with every session. Reading the log needs nothing but
//! this type.
//!
//! The timeline in a routine is informative only: playing a routine computes the timeline
//! again from its items ([`Routine::items`]), so a file can never smuggle in other steps.

use serde::{Deserialize, Serialize};

use crate::catalog::{HOLD_S, REPS, REST_S};
use crate::exercise::{Dose, Exercise};
use crate::timeline::{Side, Step, StepKind, Timeline, TimelineItem};
use crate::vocab::{Position, Sides, Word};

/// What the routine was planned for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct RoutineRequest {
    /// Areas, primary first.
    pub areas: Vec<String>,
    pub places: Vec<String>,
    /// Minutes asked for.
    pub minutes: u32,
    /// Dose style.
    pub style: String,
    /// Excluded ids.
    pub exclude: Vec<String>,
    /// The date planned for, `YYYY-MM-DD`.
    pub date: String,
    /// Whether the plan is the gentler one after a flare.
    #[serde(default)]
    pub gentler: bool,
    /// The moment of the day it was planned for (`morning`), if the profile has moments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moment: Option<String>,
    /// A desk break of a minute or two (`backstretch break`), counted apart from routines.
    #[serde(default, skip_serializing_if = "is_false")]
    pub desk_break: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A dose as a routine keeps it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoutineDose {
    /// Seconds per hold.
    pub hold_s: u32,
    /// Repetitions per side.
    pub reps: u32,
    /// Rest between repetitions.
    pub rest_s: u32,
}

/// One exercise of a routine.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoutineItem {
    pub exercise_id: String,
    /// Display name.
    pub name: String,
    pub position: String,
    /// Places it can be done.
    pub places: Vec<String>,
    /// both | each.
    pub sides: String,
    /// The dose to do.
    pub dose: RoutineDose,
    /// Seconds in the timeline, including getting ready.
    pub seconds: u32,
    /// Why it is there.
    pub reason: String,
    /// Requested areas it serves.
    #[serde(default)]
    pub serves: Vec<String>,
    /// Whether it is the warm-up.
    #[serde(default)]
    pub warm_up: bool,
    /// What to watch for.
    #[serde(default)]
    pub cautions: Vec<String>,
    /// The variant of the exercise chosen for the places (`seated`), if not its own form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// What a side means (`stretching your {side} hip`), when the exercise says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side_cue: Option<String>,
}

/// One timeline step of a routine.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoutineStep {
    /// position | prepare | hold | rest | switch | done.
    pub kind: StepKind,
    /// The exercise (null for done).
    pub exercise_id: Option<String>,
    /// left | right, or null.
    pub side: Option<Side>,
    /// Repetition (1-based) for hold and rest; 0 otherwise.
    pub rep: u32,
    pub seconds: u32,
    /// Offset from the start.
    pub start_s: u32,
    /// What the coach says.
    pub cue: String,
}

impl From<&Step> for RoutineStep {
    fn from(s: &Step) -> Self {
        RoutineStep {
            kind: s.kind,
            exercise_id: s.exercise_id.clone(),
            side: s.side,
            rep: s.rep,
            seconds: s.seconds,
            start_s: s.start_s,
            cue: s.cue.clone(),
        }
    }
}

/// A whole routine (the stable JSON shape documented in the README). Missing fields read
/// as empty, so a hand-made or partial routine in an import still loads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
pub struct Routine {
    /// What was asked.
    pub profile: RoutineRequest,
    /// Dose style.
    pub style: String,
    /// Whole session in seconds; equals the sum of the timeline's seconds.
    pub total_s: u32,
    /// The exercises, in order.
    pub items: Vec<RoutineItem>,
    /// Every step.
    pub timeline: Vec<RoutineStep>,
    /// What could not be done as asked.
    pub warnings: Vec<String>,
}

/// A routine whose items cannot be played, naming the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutineError {
    /// No items at all.
    #[error("the routine has no items")]
    Empty,
    /// One item is wrong.
    #[error("item {index} (`{id}`): {problem}")]
    Item {
        /// 1-based.
        index: usize,
        /// Its exercise id.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

pub(crate) fn words<W: Word>(w: &[W]) -> Vec<String> {
    w.iter().map(|x| x.as_str().to_string()).collect()
}

impl RoutineItem {
    /// An item for an exercise at a dose.
    pub fn of(e: &Exercise, dose: &Dose, reason: &str) -> RoutineItem {
        RoutineItem {
            exercise_id: e.id.clone(),
            name: e.title(),
            position: e.position.to_string(),
            places: words(&e.places),
            sides: e.sides.to_string(),
            dose: RoutineDose {
                hold_s: dose.hold_s,
                reps: dose.reps,
                rest_s: dose.rest_s,
            },
            seconds: 0,
            reason: reason.to_string(),
            serves: vec![],
            warm_up: false,
            cautions: e.cautions.clone(),
            variant: e.variant.clone(),
            side_cue: e.side_cue.clone(),
        }
    }
}

impl Routine {
    /// A routine of items put together outside the planner (a session logged by hand, or
    /// a saved routine made gentler), with its timeline and total worked out.
    pub fn from_items(
        profile: RoutineRequest,
        style: &str,
        items: Vec<RoutineItem>,
        warnings: Vec<String>,
    ) -> Result<Routine, RoutineError> {
        let mut r = Routine {
            profile,
            style: style.to_string(),
            total_s: 0,
            items,
            timeline: vec![],
            warnings,
        };
        let t = Timeline::new(&r.items()?);
        r.total_s = t.total_s();
        r.timeline = t.steps().iter().map(RoutineStep::from).collect();
        Ok(r)
    }

    /// Seconds of holding the routine plans: each item's hold times its repetitions, on each
    /// side for an exercise done each side. A day counts toward the goal when half of it was
    /// held ([`crate::stats::SessionFact`]). The stores keep it beside each session and work
    /// it out the same way (PostgreSQL's migration 0010 in SQL).
    pub fn hold_s(&self) -> u32 {
        self.items
            .iter()
            .map(|i| {
                let sides = if i.sides == "both" { 1 } else { 2 };
                i.dose
                    .hold_s
                    .saturating_mul(i.dose.reps)
                    .saturating_mul(sides)
            })
            .fold(0, u32::saturating_add)
    }

    /// The items as timeline items: the timeline is computed again from them (never trusted
    /// from the routine). Every problem is named with the item it is in.
    pub fn items(&self) -> Result<Vec<TimelineItem>, RoutineError> {
        if self.items.is_empty() {
            return Err(RoutineError::Empty);
        }
        self.items
            .iter()
            .enumerate()
            .map(|(n, i)| {
                let bad = |problem: String| RoutineError::Item {
                    index: n + 1,
                    id: i.exercise_id.clone(),
                    problem,
                };
                // Text that reaches the screen and the voice: no control characters.
                let texts = [
                    ("name", Some(i.name.as_str())),
                    ("variant", i.variant.as_deref()),
                    ("side_cue", i.side_cue.as_deref()),
                ];
                if let Some((field, _)) = texts
                    .iter()
                    .find(|(_, t)| t.is_some_and(|t| t.chars().any(crate::text::is_hidden_control)))
                {
                    return Err(bad(format!(
                        "{field} holds a control character or a text-direction mark; remove it"
                    )));
                }
                let position = Position::parse_word(&i.position).map_err(|e| bad(e.to_string()))?;
                let sides = Sides::parse_word(&i.sides).map_err(|e| bad(e.to_string()))?;
                let d = i.dose;
                let check = |what: &str, v: u32, r: std::ops::Range<u32>| {
                    if r.contains(&v) {
                        Ok(())
                    } else {
                        Err(bad(format!(
                            "dose.{what} {v} is outside {}-{}",
                            r.start,
                            r.end - 1
                        )))
                    }
                };
                check("hold_s", d.hold_s, HOLD_S)?;
                check("reps", d.reps, REPS)?;
                check("rest_s", d.rest_s, REST_S)?;
                Ok(TimelineItem {
                    id: i.exercise_id.clone(),
                    name: i.name.clone(),
                    position,
                    sides,
                    dose: Dose::new(d.hold_s, d.reps, d.rest_s),
                    variant: i.variant.clone(),
                    side_cue: i.side_cue.clone(),
                })
            })
            .collect()
    }

    /// The areas it was planned for, as words.
    pub fn areas(&self) -> &[String] {
        &self.profile.areas
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text from a routine file reaches the screen and the voice: a side cue or a name with
    /// a terminal escape in it is refused, naming the item and the field.
    #[test]
    fn control_characters_in_item_text_are_refused() {
        let c = crate::catalog::builtin().catalog;
        let e = &c.get("knee-to-chest").unwrap().exercise;
        let item = RoutineItem::of(e, &e.dose, "test");
        let make = |i: RoutineItem| {
            Routine::from_items(RoutineRequest::default(), "source", vec![i], vec![])
        };
        assert!(make(item.clone()).is_ok());
        let mut bad = item.clone();
        bad.side_cue = Some("stretching your {side} hip\u{1b}[2J".into());
        let err = make(bad).unwrap_err().to_string();
        assert!(
            err.contains("item 1") && err.contains("side_cue holds a control"),
            "{err}"
        );
        let mut bad = item.clone();
        bad.name = "Knee\u{7}".into();
        assert!(make(bad).unwrap_err().to_string().contains("name holds"));
        // Regression: a right-to-left override passed, and made a name read backwards.
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            let mut bad = item.clone();
            bad.name = format!("Knee{c} to chest");
            let err = make(bad).unwrap_err().to_string();
            assert!(
                err.contains("name holds a control character or a text-direction mark"),
                "{err}"
            );
        }
    }
}
