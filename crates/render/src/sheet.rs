//! The printable routine sheet: what it says, as data ([`Sheet`]), and a print-ready HTML
//! page of it. The PDF (crate `backstretch-pdf`) and the web player's print view lay out the
//! same [`Sheet`], so paper and screen never disagree.

use std::fmt::Write as _;

use backstretch_core::code::RoutineCode;
use backstretch_core::plan::Plan;
use backstretch_core::profile::Goal;
use backstretch_core::safety::{CES_SHORT, STOP_RULE};
use chrono::{Datelike, Days, NaiveDate};

use crate::catalog::word_list;
use crate::figure::{Panel, keyframe_panels, shapes_svg, view_note};
use crate::plan::clock;
use crate::xml::escape;
// Where the web pages have long found it.
pub use crate::table::capitalised;

/// Paper sizes, in PostScript points (1/72 inch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// ISO A4, 210 x 297 mm.
    A4,
    /// US Letter, 8.5 x 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn points(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }

    /// The CSS `@page` size.
    pub fn css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

/// Weeks a sheet's tick grid can cover.
pub const WEEKS: std::ops::RangeInclusive<u32> = 1..=4;

/// One exercise on the sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// 1-based place in the routine.
    pub number: usize,
    pub name: String,
    /// The dose, `20 s x 3, each side`.
    pub dose: String,
    /// How to get into position, and where.
    pub position: String,
    pub steps: Vec<String>,
    /// What to watch for.
    pub cautions: Vec<String>,
    /// The start and stretch keyframes (none when the exercise has no pose).
    pub figures: Vec<Panel>,
    /// How the figure is seen, and that the other side is its mirror.
    pub view: String,
}

/// The tick grid: a row per exercise, a column per day, and rows for pain before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Exercise rows, by number and name.
    pub rows: Vec<String>,
    /// The rows after them, for pain scores.
    pub pain_rows: [&'static str; 2],
    pub days: Vec<NaiveDate>,
}

/// Everything a printed sheet says.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub title: String,
    /// Who it is for: areas, places, minutes and style.
    pub for_line: String,
    /// The day it was planned for.
    pub date: NaiveDate,
    /// The code that logs it.
    pub code: String,
    /// How long it takes.
    pub total: String,
    /// What the planner could not do as asked, and the safety notes.
    pub notes: Vec<String>,
    /// One per exercise, in order.
    pub blocks: Vec<Block>,
    /// The tick grid.
    pub grid: Grid,
    /// How to log it from the sheet.
    pub log_line: String,
    /// The emergency signs, in one line.
    pub warning: String,
    /// The stop rule: sharper, worse than at the start, or spreading.
    pub stop: String,
    pub goal: String,
}

/// Size of a figure panel in the sheet's drawing units.
const PANEL: f64 = 180.0;

fn goal_text(goal: Goal) -> String {
    match goal {
        Goal::Daily => "Goal: every day. Short and regular beats long and rare.".into(),
        Goal::PerWeek(n) => format!(
            "Goal: at least {n} day{} a week. Short and regular beats long and rare.",
            if n == 1 { "" } else { "s" }
        ),
    }
}

impl Sheet {
    /// The sheet of a plan, with its code, a grid of `weeks` weeks from the plan's date, and
    /// the person's goal.
    pub fn new(p: &Plan, code: RoutineCode, weeks: u32, goal: Goal) -> Sheet {
        let r = &p.request;
        let areas: Vec<String> = r.areas.iter().map(ToString::to_string).collect();
        let blocks = p
            .items
            .iter()
            .enumerate()
            .map(|(n, i)| {
                let x = &i.exercise;
                let (figures, view) = match &x.pose {
                    Some(spec) => {
                        let mut panels = keyframe_panels(spec, PANEL);
                        if panels.len() > 2 {
                            // The start and the stretch: the first and the last keyframe.
                            let last = panels.pop();
                            panels.truncate(1);
                            panels.extend(last);
                        }
                        (panels, view_note(x, spec))
                    }
                    None => (Vec::new(), String::new()),
                };
                Block {
                    number: n + 1,
                    name: x.title(),
                    dose: i.dose_text(", "),
                    position: format!("{} ({}).", capitalised(x.position.get_into()), x.position),
                    steps: x.steps.clone(),
                    cautions: x.cautions.clone(),
                    figures,
                    view,
                }
            })
            .collect();
        let days = (0..7 * u64::from(weeks))
            .filter_map(|d| r.date.checked_add_days(Days::new(d)))
            .collect();
        Sheet {
            title: "Stretching routine".into(),
            for_line: format!(
                "For {} · {} · {} minutes · {} doses",
                areas.join(", "),
                word_list(&r.places),
                r.minutes,
                r.style
            ),
            date: r.date,
            code: code.to_string(),
            total: format!(
                "About {} in all, counting getting into position, rests and side switches.",
                clock(p.total_s)
            ),
            notes: p.warnings.iter().map(ToString::to_string).collect(),
            blocks,
            grid: Grid {
                rows: p
                    .items
                    .iter()
                    .enumerate()
                    .map(|(n, i)| format!("{}. {}", n + 1, i.exercise.title()))
                    .collect(),
                pain_rows: ["Pain before (0-10)", "Pain after (0-10)"],
                days,
            },
            log_line: format!(
                "Log a day: backstretch log --sheet {code} --pain-before N --pain-after N [--date YYYY-MM-DD] [--skip ID] [--hurt ID]"
            ),
            warning: format!("Emergency signs: {CES_SHORT}."),
            stop: format!("Move slowly and never bounce. {STOP_RULE}"),
            goal: goal_text(goal),
        }
    }

    /// The date as the sheet prints it.
    pub fn date_text(&self) -> String {
        self.date.format("%a %-d %b %Y").to_string()
    }

    /// A day's column heading: its weekday's letter and day of the month.
    pub fn day_heading(d: NaiveDate) -> (String, String) {
        let wd = d.format("%a").to_string();
        (wd.chars().take(2).collect(), d.day().to_string())
    }
}

const CSS: &str = "
*{box-sizing:border-box}
body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;color:#000;margin:0 auto;max-width:190mm;font-size:9pt;line-height:1.3}
header{display:flex;justify-content:space-between;align-items:flex-start;border-bottom:2px solid #000;padding-bottom:4pt;margin-bottom:6pt}
h1{font-size:15pt;margin:0}
.for{margin:2pt 0 0}
.code{text-align:right;font-size:8pt}
.code b{display:block;font-size:14pt;letter-spacing:1pt;border:1.5px solid #000;padding:2pt 6pt;margin-top:2pt}
.notes{margin:0 0 6pt;padding-left:14pt}
.block{display:flex;gap:8pt;border-bottom:1px solid #999;padding:5pt 0;break-inside:avoid}
.figs{display:flex;flex:0 0 auto;align-items:center}
.figs svg{width:26mm;height:26mm}
.figs .arrow{font-size:12pt;color:#555;padding:0 1pt}
.text h2{font-size:10.5pt;margin:0}
.text h2 span{font-weight:normal}
.text p,.text ol{margin:1pt 0}
.text ol{padding-left:13pt}
.view{color:#444;font-size:7.5pt}
table{border-collapse:collapse;width:100%;margin-top:8pt;break-inside:avoid;font-size:7.5pt}
th,td{border:1px solid #000;text-align:center;padding:0;height:16pt}
th.row,td.row{text-align:left;padding:0 3pt;white-space:nowrap;max-width:44mm;overflow:hidden}
tr.pain td{height:18pt}
footer{margin-top:6pt;border-top:2px solid #000;padding-top:3pt;font-size:8pt}
footer .warn{font-weight:bold}
@media screen{body{padding:12pt}}
";

/// The sheet as a print-ready HTML page (the browser's Print gives the same layout as the PDF).
pub fn html(s: &Sheet, paper: Paper) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} · {}</title>\n<style>@page{{size:{};margin:12mm}}{CSS}</style>\n</head>\n<body>\n",
        escape(&s.title),
        s.date_text(),
        paper.css()
    );
    let _ = writeln!(
        o,
        "<header><div><h1>{}</h1><p class=\"for\">{}</p><p class=\"for\">From {}. {}</p></div><div class=\"code\">Routine code<b>{}</b></div></header>",
        escape(&s.title),
        escape(&s.for_line),
        s.date_text(),
        escape(&s.total),
        escape(&s.code)
    );
    if !s.notes.is_empty() {
        o.push_str("<ul class=\"notes\">\n");
        for n in &s.notes {
            let _ = writeln!(o, "<li>{}</li>", escape(n));
        }
        o.push_str("</ul>\n");
    }
    for b in &s.blocks {
        o.push_str("<section class=\"block\">\n<div class=\"figs\">");
        for (k, p) in b.figures.iter().enumerate() {
            if k > 0 {
                o.push_str("<span class=\"arrow\" aria-hidden=\"true\">&#8594;</span>");
            }
            let _ = write!(
                o,
                "<svg viewBox=\"0 0 {0} {0}\" role=\"img\" aria-label=\"{1}: {2}\">\n{3}</svg>",
                p.size,
                escape(&b.name),
                escape(&p.name),
                shapes_svg(&p.shapes)
            );
        }
        o.push_str("</div>\n<div class=\"text\">");
        let _ = writeln!(
            o,
            "<h2>{}. {} <span>· {}</span></h2>\n<p>{} <span class=\"view\">{}</span></p>\n<ol>",
            b.number,
            escape(&b.name),
            escape(&b.dose),
            escape(&b.position),
            escape(&b.view)
        );
        for st in &b.steps {
            let _ = writeln!(o, "<li>{}</li>", escape(st));
        }
        let _ = writeln!(
            o,
            "</ol>\n<p><b>Cautions:</b> {}</p>\n</div>\n</section>",
            escape(&b.cautions.join(" "))
        );
    }
    o.push_str("<table>\n<thead><tr><th class=\"row\" scope=\"col\">Tick each one done</th>");
    for d in &s.grid.days {
        let (wd, n) = Sheet::day_heading(*d);
        let _ = write!(o, "<th scope=\"col\">{wd}<br>{n}</th>");
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    let cells = "<td></td>".repeat(s.grid.days.len());
    for r in &s.grid.rows {
        let _ = writeln!(o, "<tr><td class=\"row\">{}</td>{cells}</tr>", escape(r));
    }
    for r in s.grid.pain_rows {
        let _ = writeln!(
            o,
            "<tr class=\"pain\"><td class=\"row\">{r}</td>{cells}</tr>"
        );
    }
    let _ = writeln!(
        o,
        "</tbody>\n</table>\n<footer><p class=\"warn\">{}</p><p>{}</p><p>{}</p><p>{}</p></footer>\n</body>\n</html>",
        escape(&s.warning),
        escape(&s.stop),
        escape(&s.goal),
        escape(&s.log_line)
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::catalog::builtin;
    use backstretch_core::plan::{Request, plan};
    use backstretch_core::routine::Routine;
    use backstretch_core::vocab::{Area, DoseStyle, Place};

    pub(crate) fn sample(weeks: u32) -> Sheet {
        let c = builtin().catalog;
        let r = Request {
            areas: vec![Area::LowerBack, Area::Neck],
            places: vec![Place::Bed, Place::Chair],
            minutes: 10,
            style: DoseStyle::Source,
            exclude: vec![],
            date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            gentler: false,
            pages_only: false,
            recent: vec![],
            conditions: vec![],
            eased_by: None,
            coaching: Default::default(),
        };
        let p = plan(&c, &r, &[]).unwrap();
        let code = RoutineCode::of(&Routine::from_plan(&p));
        Sheet::new(&p, code, weeks, Goal::PerWeek(3))
    }

    #[test]
    fn the_grid_has_a_column_per_day_of_the_weeks_asked() {
        for w in WEEKS {
            let s = sample(w);
            assert_eq!(s.grid.days.len(), 7 * w as usize);
            assert_eq!(s.grid.days[0], s.date);
        }
        let s = sample(1);
        assert_eq!(s.grid.rows.len(), s.blocks.len());
        assert_eq!(Sheet::day_heading(s.date), ("Su".into(), "22".into()));
    }

    #[test]
    fn every_block_has_the_start_and_the_stretch() {
        let s = sample(1);
        for b in &s.blocks {
            assert!(
                (1..=2).contains(&b.figures.len()),
                "{}: {}",
                b.name,
                b.figures.len()
            );
            assert!(!b.steps.is_empty() && !b.cautions.is_empty(), "{}", b.name);
        }
    }

    #[test]
    fn html_sheet_snapshot() {
        let s = sample(2);
        let h = html(&s, Paper::Letter);
        assert!(h.contains("@page{size:letter"));
        for b in &s.blocks {
            assert!(h.contains(&escape(&b.name)), "{}", b.name);
        }
        // Figures take most of the bytes; the snapshot keeps the words and the structure.
        let words: String = h
            .lines()
            .filter(|l| {
                !l.starts_with("<line") && !l.starts_with("<rect") && !l.starts_with("<circle")
            })
            .collect::<Vec<_>>()
            .join("\n");
        insta::assert_snapshot!(words);
    }
}
