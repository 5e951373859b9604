//! Coaching as text: the programme view and the weekly review.

use std::fmt::Write as _;

use backstretch_core::coach::{Next, Programme, ProgrammeRow, Review, dose_words};

/// When the next step up can come: `after 2 more calm sessions, in 3 days`.
fn when(r: &ProgrammeRow) -> String {
    let mut parts = Vec::new();
    match r.calm_needed {
        0 => {}
        1 => parts.push("after 1 more calm session".to_string()),
        n => parts.push(format!("after {n} more calm sessions")),
    }
    match r.days_needed {
        0 => {}
        1 => parts.push("from tomorrow".to_string()),
        n => parts.push(format!("in {n} days at the earliest")),
    }
    if parts.is_empty() {
        "at your next calm session".to_string()
    } else {
        parts.join(", ")
    }
}

/// What comes next for one exercise, in a sentence.
pub fn next_text(r: &ProgrammeRow) -> String {
    match &r.next {
        _ if r.moved_on => "moved on to the next exercise of its family".to_string(),
        Next::Top => "as far as it goes: keep it up".to_string(),
        Next::Dose { dose } => format!("{} {}", dose_words(dose), when(r)),
        Next::Exercise { name, .. } => format!("on to {name} {}", when(r)),
    }
}

fn mean(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |p| format!("{p:.1}"))
}

/// The programme: each exercise's dose now, what comes next and why, and the last weeks.
pub fn programme_text(p: &Programme) -> String {
    let mut out = String::new();
    if p.exercises.is_empty() {
        out.push_str(
            "Your programme starts with your first session: each exercise then grows, a step at a time, after calm sessions.\n",
        );
    } else {
        out.push_str("Your programme\n\n");
        for r in &p.exercises {
            let _ = writeln!(
                out,
                "{}  (stage {} of {})\n  Now:  {}\n  Next: {}",
                r.name,
                r.stage,
                r.top,
                dose_words(&r.dose),
                next_text(r)
            );
            if let Some(why) = &r.why {
                let _ = writeln!(out, "  Why:  {why}");
            }
            out.push('\n');
        }
        out.push_str(
            "A step up comes after three calm sessions on different days, a week or more after the last change. \"Too hard\", a hold that hurt, or pain after that is amber or red steps an exercise back.\n",
        );
    }
    if let Some(d) = p.easier_until {
        let _ = writeln!(
            out,
            "\nAn easier week, as you asked: every exercise a step lower until {}.",
            d.format("%a %-d %b")
        );
    }
    out.push_str(
        "\nThe last four weeks\nWeek of      Sessions  Days counted  Pain before  Pain after  Function\n",
    );
    for w in &p.weeks {
        let _ = writeln!(
            out,
            "{:<12} {:>8}  {:>12}  {:>11}  {:>10}  {:>8}",
            w.monday.format("%a %-d %b"),
            w.sessions,
            w.days,
            mean(w.pain_before),
            mean(w.pain_after),
            mean(w.function)
        );
    }
    if p.review_due {
        out.push_str("\nYour weekly review is ready: `backstretch review`.\n");
    }
    out
}

/// The weekly review, as text.
pub fn review_text(r: &Review) -> String {
    let mut out = format!(
        "Your week in review (since {})\n\n",
        r.from.format("%a %-d %b")
    );
    let _ = writeln!(
        out,
        "Days that counted: {} of the {} your goal asks for.",
        r.days, r.goal_days
    );
    let p = &r.pain;
    match (p.baseline, p.recent) {
        (Some(b), Some(n)) => {
            let _ = write!(
                out,
                "Pain before sessions: about {b:.1} at the start, {n:.1} lately. "
            );
            out.push_str(if p.meaningful {
                "That is a meaningful improvement (2 points or 30% is the smallest change that matters).\n"
            } else {
                "A change of 2 points, or 30%, is the smallest that matters; this is not there yet, which is common in the early weeks.\n"
            });
        }
        _ => out.push_str("Pain: give a score before and after each session to see its trend.\n"),
    }
    match &r.function {
        Some(f) => {
            out.push_str(&crate::function::function_line(f));
            out.push_str("Score them again for this week with `backstretch function`.\n");
        }
        None => out.push_str(
            "Function: name up to three activities your back or neck makes hard, and score them, with `backstretch function`.\n",
        ),
    }
    if r.moves.is_empty() {
        out.push_str("No exercise moved this week: the programme holds steady.\n");
    } else {
        out.push_str("\nThis week's changes:\n");
        for m in &r.moves {
            let _ = writeln!(out, "  {}: {}", m.name, m.why);
        }
    }
    if let Some(c) = &r.card {
        let _ = writeln!(out, "\n{}\n{}", c.title, c.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::coach::{Made, Move, WeekRow, Why};
    use backstretch_core::exercise::Dose;
    use backstretch_core::stats::pain_trend;
    use chrono::NaiveDate;

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn programme_snapshot() {
        let row = ProgrammeRow {
            id: "neck-side-bend".into(),
            name: "Neck side bend".into(),
            stage: 2,
            top: 11,
            dose: Dose::new(20, 4, 10),
            next: Next::Dose {
                dose: Dose::new(25, 4, 10),
            },
            calm_needed: 2,
            days_needed: 3,
            why: Some("Now 4 times: three calm sessions at 3 times.".into()),
            moved_on: false,
        };
        let week = |m: &str, n| WeekRow {
            monday: day(m),
            sessions: n,
            days: n,
            pain_before: Some(3.25),
            pain_after: None,
            function: None,
        };
        let p = Programme {
            exercises: vec![row],
            weeks: vec![week("2026-11-16", 0), week("2026-11-23", 5)],
            easier_until: Some(day("2026-12-10")),
            review_due: true,
            next_review: Some(day("2026-12-07")),
        };
        insta::assert_snapshot!(programme_text(&p));
    }

    #[test]
    fn review_snapshot() {
        let r = Review {
            from: day("2026-11-30"),
            days: 5,
            goal_days: 7,
            pain: pain_trend(&[6, 6, 5, 4, 3, 3]),
            moves: vec![Made {
                id: "neck-side-bend".into(),
                name: "Neck side bend".into(),
                moved: Move {
                    day: day("2026-12-03"),
                    from: 1,
                    to: 2,
                    why: Why::Calm,
                },
                why: "Now 4 times: three calm sessions at 3 times.".into(),
            }],
            function: None,
            card: None,
        };
        insta::assert_snapshot!(review_text(&r));
    }
}
