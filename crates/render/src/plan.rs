//! Views of a planned routine: a table for reading, and markdown for notes and printing.
//! Its stable JSON is core's [`Routine`](backstretch_core::routine::Routine).

use backstretch_core::plan::{Item, Plan};
use backstretch_core::safety::{CES_LINE, STOP_RULE};

use crate::catalog::word_list;
use crate::table::{Table, hanging};

/// Seconds as `m:ss`.
pub fn clock(s: u32) -> String {
    format!("{}:{:02}", s / 60, s % 60)
}

/// An item's dose as people say it: `10 s x 5, each side`.
pub fn dose_text(i: &Item) -> String {
    i.dose_text(", ")
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
            format!("{}\n{}", i.exercise.title(), i.reason),
            i.exercise.position.to_string(),
            i.dose_text("\n"),
            clock(i.seconds),
        ]);
    }
    out.push_str(&t.render(width));
    out.push('\n');
    out.push_str(&hanging("", "", &total_line(p), width));
    if !p.exhaustive {
        out.push_str(&hanging(
            "",
            "  ",
            "The search stopped at its limit before trying every option: this is the best routine it found, not proven the best.",
            width,
        ));
    }
    if !p.warnings.is_empty() {
        out.push_str("\nNote:\n");
        for w in &p.warnings {
            out.push_str(&hanging("  - ", "    ", &w.to_string(), width));
        }
    }
    out.push_str("\nCautions:\n");
    for i in &p.items {
        out.push_str(&hanging(
            "  - ",
            "    ",
            &format!("{}: {}", i.exercise.title(), i.exercise.cautions.join(" ")),
            width,
        ));
    }
    out.push('\n');
    out.push_str(&hanging(
        "",
        "",
        &format!("Never stretch into pain: move slowly, with no bouncing. {STOP_RULE}"),
        width,
    ));
    out.push_str(&hanging("", "", CES_LINE, width));
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
            md_escape(&i.exercise.title()),
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
            x.title(),
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
        let cites = x.citations();
        if !cites.is_empty() {
            out.push_str(&format!("\n**Sources:** {}.\n", cites.join("; ")));
        }
    }
    out.push_str(
        &format!("\n---\n\nGeneral education, not medical advice. Never stretch into pain: move slowly, with no bouncing. {STOP_RULE}\n"),
    );
    out.push_str(&format!("\n**{CES_LINE}**\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::catalog::builtin;
    use backstretch_core::plan::{Request, plan};
    use backstretch_core::routine::Routine;
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
            pages_only: false,
            recent: vec![],
            conditions: vec![],
            eased_by: None,
            coaching: Default::default(),
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
        let j = Routine::from_plan(&p);
        let items = j.items().unwrap();
        assert_eq!(items, p.timeline_items());
        let mut bad = j;
        bad.items[1].dose.hold_s = 0;
        bad.items[0].position = "sitting".into();
        let e = bad.items().unwrap_err().to_string();
        assert!(
            e.starts_with("item 1 (`pelvic-tilt`): unknown position `sitting`"),
            "{e}"
        );
    }

    #[test]
    fn json_total_is_the_timeline_sum_and_round_trips() {
        let j = Routine::from_plan(&sample());
        assert_eq!(j.total_s, j.timeline.iter().map(|s| s.seconds).sum::<u32>());
        let text = serde_json::to_string(&j).unwrap();
        let back: Routine = serde_json::from_str(&text).unwrap();
        assert_eq!(back, j);
    }
}
