//! Views of a planned routine: a table for reading, markdown for notes and printing, and
//! the stable JSON that `start --routine` plays back.

use backstretch_core::catalog::{HOLD_S, REPS, REST_S};
use backstretch_core::exercise::Dose;
use backstretch_core::plan::{Item, Plan};
use backstretch_core::timeline::{Side, Step, StepKind, TimelineItem};
use backstretch_core::vocab::Position;
use backstretch_core::vocab::{Sides, Word};
use serde::{Deserialize, Serialize};

use crate::catalog::word_list;
use crate::table::{Table, hanging};

/// Seconds as `m:ss`.
pub fn clock(s: u32) -> String {
    format!("{}:{:02}", s / 60, s % 60)
}

/// An item's dose as people say it: `10 s x 5, each side`.
pub fn dose_text(i: &Item) -> String {
    dose_with(i, ", ")
}

/// The dose with `sep` before `each side` (a line break in tables).
fn dose_with(i: &Item, sep: &str) -> String {
    let side = if i.exercise.sides == Sides::Each {
        format!("{sep}each side")
    } else {
        String::new()
    };
    let trimmed = if i.dose.reps < i.style_reps {
        format!(" (of {})", i.style_reps)
    } else {
        String::new()
    };
    format!("{} s x {}{trimmed}{side}", i.dose.hold_s, i.dose.reps)
}

fn heading(p: &Plan) -> String {
    let areas: Vec<String> = p
        .request
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 && p.request.areas.len() > 1 {
                format!("{a} (primary)")
            } else {
                a.to_string()
            }
        })
        .collect();
    format!(
        "Routine for {} in {}, {} minutes, {} doses ({})",
        areas.join(", "),
        word_list(&p.request.places),
        p.request.minutes,
        p.request.style,
        p.request.date.format("%a %-d %b %Y")
    )
}

fn total_line(p: &Plan) -> String {
    format!(
        "Total {} of {}, counting getting into position, rests and side switches.",
        clock(p.total_s),
        clock(p.request.minutes * 60)
    )
}

/// The routine as a table, fitted to `width`.
pub fn plan_table(p: &Plan, width: usize) -> String {
    let mut out = String::new();
    out.push_str(&hanging("", "  ", &heading(p), width));
    out.push('\n');
    let mut t = Table::new(["#", "EXERCISE", "POSITION", "DOSE", "TIME"])
        .align_right(0)
        .no_wrap(2)
        .align_right(4)
        .no_wrap(4);
    for (n, i) in p.items.iter().enumerate() {
        t.row([
            (n + 1).to_string(),
            format!("{}\n{}", i.exercise.name, i.reason),
            i.exercise.position.to_string(),
            dose_with(i, "\n"),
            clock(i.seconds),
        ]);
    }
    out.push_str(&t.render(width));
    out.push('\n');
    out.push_str(&total_line(p));
    out.push('\n');
    if !p.warnings.is_empty() {
        out.push_str("\nNote:\n");
        for w in &p.warnings {
            out.push_str(&hanging("  - ", "    ", w, width));
        }
    }
    out.push_str("\nCautions:\n");
    for i in &p.items {
        out.push_str(&hanging(
            "  - ",
            "    ",
            &format!("{}: {}", i.exercise.name, i.exercise.cautions.join(" ")),
            width,
        ));
    }
    out.push_str(
        "\nNever stretch into pain: move slowly, no bouncing, and stop if anything hurts.\n",
    );
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The routine as markdown: a table, then each exercise's steps and cautions.
pub fn plan_markdown(p: &Plan) -> String {
    let mut out = format!("# {}\n\n", heading(p));
    out.push_str("| # | Exercise | Position | Dose | Time | Why |\n|---:|---|---|---|---:|---|\n");
    for (n, i) in p.items.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            n + 1,
            md_escape(&i.exercise.name),
            i.exercise.position,
            dose_text(i),
            clock(i.seconds),
            md_escape(&i.reason)
        ));
    }
    out.push_str(&format!("\n{}\n", total_line(p)));
    if !p.warnings.is_empty() {
        out.push_str("\n**Note**\n\n");
        for w in &p.warnings {
            out.push_str(&format!("- {w}\n"));
        }
    }
    out.push_str("\n## How to do them\n");
    for (n, i) in p.items.iter().enumerate() {
        let x = &i.exercise;
        out.push_str(&format!(
            "\n### {}. {} ({})\n\n{} Position: {}; {}.\n\n",
            n + 1,
            x.name,
            dose_text(i),
            x.purpose,
            x.position,
            x.position.get_into()
        ));
        for (k, s) in x.steps.iter().enumerate() {
            out.push_str(&format!("{}. {s}\n", k + 1));
        }
        out.push_str("\n**Cautions:** ");
        out.push_str(&x.cautions.join(" "));
        out.push('\n');
    }
    out.push_str(
        "\n---\n\nGeneral education, not medical advice. Never stretch into pain: move slowly, no bouncing, and stop if anything hurts.\n",
    );
    out
}

/// The request part of the JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProfileJson {
    /// Areas, primary first.
    pub areas: Vec<String>,
    /// Places.
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
}

/// A dose in JSON.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct DoseOut {
    /// Seconds per hold.
    pub hold_s: u32,
    /// Repetitions per side.
    pub reps: u32,
    /// Rest between repetitions.
    pub rest_s: u32,
}

/// One routine item in JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ItemJson {
    /// Exercise id.
    pub exercise_id: String,
    /// Display name.
    pub name: String,
    /// Position.
    pub position: String,
    /// Places it can be done.
    pub places: Vec<String>,
    /// both | each.
    pub sides: String,
    /// The dose to do.
    pub dose: DoseOut,
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
}

/// One timeline step in JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StepJson {
    /// position | prepare | hold | rest | switch | done.
    pub kind: StepKind,
    /// The exercise (null for done).
    pub exercise_id: Option<String>,
    /// left | right, or null.
    pub side: Option<Side>,
    /// Repetition (1-based) for hold and rest; 0 otherwise.
    pub rep: u32,
    /// Length.
    pub seconds: u32,
    /// Offset from the start.
    pub start_s: u32,
    /// What the coach says.
    pub cue: String,
}

impl From<&Step> for StepJson {
    fn from(s: &Step) -> Self {
        StepJson {
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

/// A whole plan in JSON (the stable shape documented in the README).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanJson {
    /// What was asked.
    pub profile: ProfileJson,
    /// Dose style.
    pub style: String,
    /// Whole session in seconds; equals the sum of the timeline's seconds.
    pub total_s: u32,
    /// The exercises, in order.
    pub items: Vec<ItemJson>,
    /// Every step.
    pub timeline: Vec<StepJson>,
    /// What could not be done as asked.
    pub warnings: Vec<String>,
}

fn words<W: Word>(w: &[W]) -> Vec<String> {
    w.iter().map(|x| x.as_str().to_string()).collect()
}

/// The JSON view of a plan.
pub fn plan_json(p: &Plan) -> PlanJson {
    let t = p.timeline();
    PlanJson {
        profile: ProfileJson {
            areas: words(&p.request.areas),
            places: words(&p.request.places),
            minutes: p.request.minutes,
            style: p.request.style.to_string(),
            exclude: p.request.exclude.clone(),
            date: p.request.date.format("%Y-%m-%d").to_string(),
            gentler: p.request.gentler,
        },
        style: p.request.style.to_string(),
        total_s: t.total_s(),
        items: p
            .items
            .iter()
            .map(|i| ItemJson {
                exercise_id: i.exercise.id.clone(),
                name: i.exercise.name.clone(),
                position: i.exercise.position.to_string(),
                places: words(&i.exercise.places),
                sides: i.exercise.sides.to_string(),
                dose: DoseOut {
                    hold_s: i.dose.hold_s,
                    reps: i.dose.reps,
                    rest_s: i.dose.rest_s,
                },
                seconds: i.seconds,
                reason: i.reason.clone(),
                serves: words(&i.serves),
                warm_up: i.warm_up,
                cautions: i.exercise.cautions.clone(),
            })
            .collect(),
        timeline: t.steps().iter().map(StepJson::from).collect(),
        warnings: p.warnings.clone(),
    }
}

/// The routine in a plan JSON, as timeline items: the timeline is computed again from the
/// items (never trusted from the file). Every problem is named with the item it is in.
pub fn items_from_json(j: &PlanJson) -> Result<Vec<TimelineItem>, String> {
    if j.items.is_empty() {
        return Err("the routine has no items".into());
    }
    j.items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let at = format!("item {} (`{}`)", n + 1, i.exercise_id);
            let position = Position::parse_word(&i.position).map_err(|e| format!("{at}: {e}"))?;
            let sides = Sides::parse_word(&i.sides).map_err(|e| format!("{at}: {e}"))?;
            let d = i.dose;
            let check = |what: &str, v: u32, r: std::ops::Range<u32>| {
                if r.contains(&v) {
                    Ok(())
                } else {
                    Err(format!(
                        "{at}: dose.{what} {v} is outside {}-{}",
                        r.start,
                        r.end - 1
                    ))
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
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::catalog::builtin;
    use backstretch_core::plan::{Request, plan};
    use backstretch_core::vocab::{Area, DoseStyle, Place};
    use chrono::NaiveDate;

    fn sample() -> Plan {
        let c = builtin().catalog;
        let r = Request {
            areas: vec![Area::LowerBack, Area::Neck],
            places: vec![Place::Bed, Place::Chair],
            minutes: 10,
            style: DoseStyle::Source,
            exclude: vec![],
            date: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            gentler: false,
        };
        plan(&c, &r, &[]).unwrap()
    }

    #[test]
    fn table_fits_80_columns() {
        let out = plan_table(&sample(), 80);
        for l in out.lines() {
            assert!(l.chars().count() <= 80, "{l:?}");
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn markdown_sheet() {
        insta::assert_snapshot!(plan_markdown(&sample()));
    }

    #[test]
    fn json_plays_back_as_the_same_timeline() {
        let p = sample();
        let j = plan_json(&p);
        let items = items_from_json(&j).unwrap();
        assert_eq!(items, p.timeline_items());
        let mut bad = j;
        bad.items[1].dose.hold_s = 0;
        bad.items[0].position = "sitting".into();
        let e = items_from_json(&bad).unwrap_err();
        assert!(
            e.starts_with("item 1 (`pelvic-tilt`): unknown position `sitting`"),
            "{e}"
        );
    }

    #[test]
    fn json_total_is_the_timeline_sum_and_round_trips() {
        let j = plan_json(&sample());
        assert_eq!(j.total_s, j.timeline.iter().map(|s| s.seconds).sum::<u32>());
        let text = serde_json::to_string(&j).unwrap();
        let back: PlanJson = serde_json::from_str(&text).unwrap();
        assert_eq!(back, j);
    }
}
