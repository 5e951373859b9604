//! Charts as SVG text: pain before and after over time, and a calendar of sessions against
//! the goal. Deterministic (the same data gives the same bytes) and readable from one
//! session to years of them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use backstretch_core::stats::monday;
use chrono::{Datelike, Duration, NaiveDate};

use crate::xml::escape;

/// A chart's size in whole pixels: a few hundred to a few thousand, never negative.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "see above"
)]
fn px(x: f64) -> u32 {
    x.max(0.0).round() as u32
}

const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
const BEFORE: &str = "#2563eb";
const AFTER: &str = "#ea580c";
const FUNCTION: &str = "#15803d";

fn header(w: u32, h: u32, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\">\n<title>{}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
        escape(title)
    )
}

/// One session's pain scores on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PainPoint {
    /// The local day.
    pub day: NaiveDate,
    /// Pain before, 0-10.
    pub before: Option<u8>,
    /// Pain after, 0-10.
    pub after: Option<u8>,
}

/// Ticks for a span of days: (first tick, step in days or months, label format).
fn ticks(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, String)> {
    let span = (to - from).num_days();
    let mut out = Vec::new();
    if span <= 14 {
        let mut d = from;
        while d <= to {
            out.push((d, d.format("%-d %b").to_string()));
            d += Duration::days(1);
        }
    } else if span <= 120 {
        let mut d =
            from + Duration::days(i64::from((7 - from.weekday().num_days_from_monday()) % 7));
        while d <= to {
            out.push((d, d.format("%-d %b").to_string()));
            d += Duration::days(7);
        }
    } else {
        // Months, every 1, 2, 3, 6, 12 or 24 of them so that about twelve labels show,
        // aligned so that January always has one (labelled with its year).
        let months = (to.year() - from.year()) * 12 + to.month().cast_signed()
            - from.month().cast_signed()
            + 1;
        let every = [1, 2, 3, 6, 12, 24]
            .into_iter()
            .find(|e| months / e <= 12)
            .unwrap_or(24);
        let mut y = from.year();
        let mut m = from.month().cast_signed();
        while let Some(d) = NaiveDate::from_ymd_opt(y, m.cast_unsigned(), 1) {
            if d > to {
                break;
            }
            let on_step = if every == 24 {
                m == 1 && y % 2 == 0
            } else {
                (m - 1) % every == 0
            };
            if d >= from && on_step {
                let label = if m == 1 || out.is_empty() {
                    d.format("%b %Y").to_string()
                } else {
                    d.format("%b").to_string()
                };
                out.push((d, label));
            }
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
    out
}

/// Where a chart draws its data: the plot's left and top edges and its width and height.
struct Plot {
    left: f64,
    top: f64,
    pw: f64,
    ph: f64,
}

impl Plot {
    /// The height of a pain score.
    fn y_of(&self, v: f64) -> f64 {
        self.top + self.ph - v / 10.0 * self.ph
    }

    /// Where `days` (from the first day's start; a day is a slot of width one) falls on the
    /// axis of the days from `from` to `to`.
    fn x_of(&self, days: f64, (from, to): (NaiveDate, NaiveDate)) -> f64 {
        let span = ((to - from).num_days() + 1) as f64;
        self.left + 12.0 + days / span * (self.pw - 24.0)
    }
}

/// A function measure (PSFS) mean on a day, 0-10, higher is better.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunctionDay {
    /// The local day it was scored.
    pub day: NaiveDate,
    /// The mean of its activities' scores.
    pub mean: f64,
}

/// Pain before and after each session over time, on a faint traffic-light background.
pub fn pain_svg(points: &[PainPoint]) -> String {
    pain_svg_with(points, &[])
}

/// Pain before and after each session over time, with the function measure's mean (PSFS,
/// 0-10, higher is better) beside it on the same scale, on a faint traffic-light background.
pub fn pain_svg_with(points: &[PainPoint], function: &[FunctionDay]) -> String {
    let (w, h) = (860u32, 420u32);
    let (left, right, top, bottom) = (64.0, 24.0, 64.0, 64.0);
    let plot = Plot {
        left,
        top,
        pw: f64::from(w) - left - right,
        ph: f64::from(h) - top - bottom,
    };
    let mut s = header(w, h, "Pain before and after stretching");
    pain_titles(&mut s, points, left);
    let axis = if function.is_empty() {
        "Pain (0 none, 10 worst)"
    } else {
        "Pain (10 worst), function (10 as before)"
    };
    pain_scale(&mut s, &plot, axis);
    if points.is_empty() && function.is_empty() {
        let (pw, ph) = (plot.pw, plot.ph);
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" fill=\"#6b7280\" text-anchor=\"middle\">Log a session with pain before and after to see your trend here.</text>",
            left + pw / 2.0,
            top + ph / 2.0
        );
    } else {
        let days = points
            .iter()
            .map(|p| p.day)
            .chain(function.iter().map(|f| f.day));
        let from = days.clone().min().unwrap_or_default();
        let to = days.max().unwrap_or_default();
        pain_series(&mut s, points, &plot, (from, to));
        function_series(&mut s, function, &plot, (from, to));
    }
    // Legend.
    let mut legend = vec![(BEFORE, "before stretching"), (AFTER, "after stretching")];
    if !function.is_empty() {
        legend.push((FUNCTION, "function (PSFS)"));
    }
    let lx = f64::from(w) - right - 130.0 * legend.len() as f64 + 10.0;
    for (i, (color, label)) in legend.iter().enumerate() {
        let x = lx + i as f64 * 130.0;
        let marker = if *color == FUNCTION {
            format!(
                "<rect x=\"{:.1}\" y=\"20.0\" width=\"8\" height=\"8\" transform=\"rotate(45 {x:.1} 24)\" fill=\"{color}\"/>",
                x - 4.0
            )
        } else {
            format!("<circle cx=\"{x:.1}\" cy=\"24\" r=\"5\" fill=\"{color}\"/>")
        };
        let _ = writeln!(
            s,
            "{marker}\n<text x=\"{:.1}\" y=\"28\" font-size=\"12\" fill=\"#111827\">{label}</text>",
            x + 10.0
        );
    }
    let note = if function.is_empty() {
        "A fall of 2 points or 30%, kept up, is a meaningful improvement."
    } else {
        "Pain: a fall of 2 points or 30%, kept up, is a meaningful improvement. Function (PSFS mean, 10 is as before): a rise of 2 points is."
    };
    let _ = writeln!(
        s,
        "<text x=\"{left}\" y=\"{:.1}\" font-size=\"11\" fill=\"#6b7280\">{note}</text>",
        f64::from(h) - 16.0
    );
    s.push_str("</svg>\n");
    s
}

/// The chart's title, and how many sessions over which days.
fn pain_titles(s: &mut String, points: &[PainPoint], left: f64) {
    let _ = writeln!(
        s,
        "<text x=\"{left}\" y=\"28\" font-size=\"18\" font-weight=\"bold\" fill=\"#111827\">Pain before and after stretching</text>"
    );
    let n = points.len();
    let sub = match n {
        0 => "No sessions with a pain score yet".to_string(),
        1 => "1 session".to_string(),
        _ => format!(
            "{n} sessions, {} to {}",
            points[0].day.format("%-d %b %Y"),
            points[n - 1].day.format("%-d %b %Y")
        ),
    };
    let _ = writeln!(
        s,
        "<text x=\"{left}\" y=\"48\" font-size=\"13\" fill=\"#4b5563\">{}</text>",
        escape(&sub)
    );
}

/// The traffic-light bands and the pain axis.
fn pain_scale(s: &mut String, plot: &Plot, axis: &str) {
    let Plot { left, top, pw, ph } = *plot;
    let y_of = |v: f64| plot.y_of(v);
    // Traffic-light bands: 0-3 green, 4-5 amber, 6-10 red.
    for (lo, hi, color, label) in [
        (0.0, 3.5, "#dcfce7", "0-3 fine"),
        (3.5, 5.5, "#fef3c7", "4-5 settles by tomorrow"),
        (5.5, 10.0, "#fee2e2", "6-10 too much"),
    ] {
        let _ = writeln!(
            s,
            "<rect x=\"{left}\" y=\"{:.1}\" width=\"{pw:.1}\" height=\"{:.1}\" fill=\"{color}\"/>",
            y_of(hi),
            y_of(lo) - y_of(hi)
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#6b7280\" text-anchor=\"end\">{label}</text>",
            left + pw - 6.0,
            y_of(hi) + 12.0
        );
    }
    for v in (0..=10).step_by(2) {
        let y = y_of(f64::from(v));
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#d1d5db\" stroke-width=\"1\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#374151\" text-anchor=\"end\">{v}</text>",
            left + pw,
            left - 8.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        s,
        "<text transform=\"translate(18 {:.1}) rotate(-90)\" font-size=\"12\" fill=\"#374151\" text-anchor=\"middle\">{axis}</text>",
        top + ph / 2.0
    );
}

/// The days' axis and each session's scores, before and after, as lines (and points when
/// they are few enough to tell apart).
fn pain_series(
    s: &mut String,
    points: &[PainPoint],
    plot: &Plot,
    (from, to): (NaiveDate, NaiveDate),
) {
    let Plot { top, ph, .. } = *plot;
    let y_of = |v: f64| plot.y_of(v);
    let n = points.len();
    // Each day is a slot of the axis; a day's sessions share its slot, evenly spread, so
    // none hides another and every point lies inside the plot.
    let x_of = |days: f64| plot.x_of(days, (from, to));
    let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let xs: Vec<f64> = points
        .iter()
        .map(|p| {
            let k = per_day.entry(p.day).or_default();
            let same = points.iter().filter(|q| q.day == p.day).count() as f64;
            let frac = (*k as f64 + 0.5) / same;
            *k += 1;
            x_of((p.day - from).num_days() as f64 + frac)
        })
        .collect();
    for (d, label) in ticks(from, to) {
        let x = x_of((d - from).num_days() as f64 + 0.5);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#9ca3af\"/>\n<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#374151\" text-anchor=\"middle\">{}</text>",
            top + ph,
            top + ph + 5.0,
            top + ph + 20.0,
            escape(&label)
        );
    }
    let markers = n <= 120;
    for (color, pick) in [(BEFORE, 0usize), (AFTER, 1usize)] {
        let pts: Vec<(f64, f64)> = points
            .iter()
            .zip(&xs)
            .filter_map(|(p, x)| {
                let v = if pick == 0 { p.before } else { p.after };
                v.map(|v| (*x, y_of(f64::from(v))))
            })
            .collect();
        if pts.len() > 1 {
            let path: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let width = if markers { 2.0 } else { 1.2 };
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" stroke-linejoin=\"round\"/>",
                path.join(" ")
            );
        }
        if markers || pts.len() == 1 {
            for (x, y) in &pts {
                let _ = writeln!(
                    s,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>"
                );
            }
        }
    }
}

/// The function measure's means as a line of diamonds, each in the middle of its day's slot.
fn function_series(
    s: &mut String,
    function: &[FunctionDay],
    plot: &Plot,
    span: (NaiveDate, NaiveDate),
) {
    let pts: Vec<(f64, f64)> = function
        .iter()
        .map(|f| {
            let x = plot.x_of((f.day - span.0).num_days() as f64 + 0.5, span);
            (x, plot.y_of(f.mean.clamp(0.0, 10.0)))
        })
        .collect();
    if pts.len() > 1 {
        let path: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{FUNCTION}\" stroke-width=\"2\" stroke-dasharray=\"6 3\" stroke-linejoin=\"round\"/>",
            path.join(" ")
        );
    }
    for (x, y) in &pts {
        let _ = writeln!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" transform=\"rotate(45 {x:.1} {y:.1})\" fill=\"{FUNCTION}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
            x - 4.5,
            y - 4.5
        );
    }
}

/// A calendar of sessions, one block per year (weeks across, Monday to Sunday down), with a
/// mark under each week that met the goal.
pub fn adherence_svg(
    sessions_per_day: &BTreeMap<NaiveDate, u32>,
    per_week_target: u32,
    goal_label: &str,
    today: NaiveDate,
) -> String {
    let first = sessions_per_day
        .keys()
        .next()
        .copied()
        .unwrap_or(today)
        .min(today - Duration::days(83));
    let start = monday(first);
    let cell = 13.0;
    let gap = 3.0;
    let cal = Calendar {
        sessions_per_day,
        per_week_target,
        today,
        start,
        cell,
        step: cell + gap,
        left: 48.0,
    };
    let Calendar { step, left, .. } = cal;
    let top = 70.0;
    let years: Vec<i32> = (start.year()..=today.year()).collect();
    let block_h = 7.0 * step + 48.0;
    // As wide as the longest year shown (but room for the title and legend).
    let cols = years
        .iter()
        .map(|y| {
            let from = monday(
                NaiveDate::from_ymd_opt(*y, 1, 1)
                    .unwrap_or(today)
                    .max(start),
            );
            let to = NaiveDate::from_ymd_opt(*y, 12, 31)
                .unwrap_or(today)
                .min(today);
            ((to - from).num_days() / 7 + 1) as f64
        })
        .fold(0.0, f64::max);
    let w = px(left + cols * step + 24.0).max(660);
    let h = px(top + block_h * years.len() as f64 + 30.0);
    let total: u32 = sessions_per_day.values().sum();
    let mut s = header(w, h, "Sessions against your goal");
    let _ = writeln!(
        s,
        "<text x=\"{left}\" y=\"28\" font-size=\"18\" font-weight=\"bold\" fill=\"#111827\">Sessions against your goal ({})</text>\n<text x=\"{left}\" y=\"48\" font-size=\"13\" fill=\"#4b5563\">{total} session{} from {} to {}; goal {} session{} a week</text>",
        escape(goal_label),
        if total == 1 { "" } else { "s" },
        start.format("%-d %b %Y"),
        today.format("%-d %b %Y"),
        per_week_target,
        if per_week_target == 1 { "" } else { "s" }
    );
    for (bi, year) in years.iter().enumerate() {
        year_block(&mut s, &cal, top + bi as f64 * block_h, *year);
    }
    adherence_legend(&mut s, f64::from(h) - 16.0, &cal);
    s.push_str("</svg>\n");
    s
}

/// What the calendar draws from, its cells' size and step, and its left edge.
#[derive(Clone, Copy)]
struct Calendar<'a> {
    sessions_per_day: &'a BTreeMap<NaiveDate, u32>,
    per_week_target: u32,
    today: NaiveDate,
    /// The Monday the calendar starts on.
    start: NaiveDate,
    cell: f64,
    step: f64,
    left: f64,
}

/// One year's block at height `y0`: the year, the weekdays, a cell a day with the month
/// above its first week, and each week's mark against the goal.
fn year_block(s: &mut String, cal: &Calendar<'_>, y0: f64, year: i32) {
    let Calendar {
        sessions_per_day,
        per_week_target,
        today,
        start,
        cell,
        step,
        left,
        ..
    } = *cal;
    let year = &year;
    let jan1 = NaiveDate::from_ymd_opt(*year, 1, 1).unwrap_or(today);
    let block_start = monday(jan1.max(start));
    let dec31 = NaiveDate::from_ymd_opt(*year, 12, 31).unwrap_or(today);
    let _ = writeln!(
        s,
        "<text x=\"{left}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\" fill=\"#111827\">{year}</text>",
        y0 + 4.0
    );
    for (row, label) in [(0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")] {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#6b7280\" text-anchor=\"end\">{label}</text>",
            left - 6.0,
            y0 + 22.0 + f64::from(row) * step + cell - 3.0
        );
    }
    let mut week = block_start;
    let mut col = 0.0;
    let mut last_month = 0;
    while week <= dec31.min(today) {
        let x = left + col * step;
        let mut count = 0;
        for row in 0..7 {
            let d = week + Duration::days(row);
            if d.year() != *year || d < start || d > today {
                continue;
            }
            if d.day() <= 7 && d.month() != last_month {
                last_month = d.month();
                let _ = writeln!(
                    s,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#6b7280\">{}</text>",
                    y0 + 17.0,
                    d.format("%b")
                );
            }
            let n = sessions_per_day.get(&d).copied().unwrap_or(0);
            // A goal counts days with a session, not sessions.
            count += u32::from(n > 0);
            let fill = match n {
                0 => "#e5e7eb",
                1 => "#4ade80",
                _ => "#15803d",
            };
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{cell}\" height=\"{cell}\" rx=\"2\" fill=\"{fill}\"><title>{}: {n} session{}</title></rect>",
                y0 + 22.0 + row as f64 * step,
                d.format("%a %-d %b %Y"),
                if n == 1 { "" } else { "s" }
            );
        }
        let week_done = week + Duration::days(6) <= today;
        let met = count >= per_week_target;
        // Weeks are judged from the week of the first session on, not before.
        let started = sessions_per_day
            .keys()
            .next()
            .is_some_and(|f| week + Duration::days(6) >= *f);
        if met || (week_done && started) {
            let color = if met { "#15803d" } else { "#fca5a5" };
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{cell}\" height=\"4\" fill=\"{color}\"/>",
                y0 + 22.0 + 7.0 * step + 2.0
            );
        }
        week += Duration::days(7);
        col += 1.0;
    }
}

/// The calendar's legend, on the line at `ly`.
fn adherence_legend(s: &mut String, ly: f64, cal: &Calendar<'_>) {
    let Calendar { cell, left, .. } = *cal;
    let mut x = left;
    for (fill, label, tall) in [
        ("#e5e7eb", "no session", true),
        ("#4ade80", "1 session", true),
        ("#15803d", "2 or more", true),
        ("#15803d", "week met the goal", false),
        ("#fca5a5", "week fell short", false),
    ] {
        let (hh, yy) = if tall {
            (cell, ly - 11.0)
        } else {
            (4.0, ly - 6.0)
        };
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{yy:.1}\" width=\"{cell}\" height=\"{hh}\" rx=\"2\" fill=\"{fill}\"/>\n<text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"11\" fill=\"#374151\">{label}</text>",
            x + cell + 5.0
        );
        x += cell + 12.0 + label.len() as f64 * 6.3;
    }
}

/// The pain chart of a person's sessions (in the order given; those without a score are left
/// out).
pub fn pain_chart(facts: &[backstretch_core::stats::SessionFact]) -> String {
    pain_chart_with(facts, &[])
}

/// The pain chart with the function measure's records (oldest first) beside the pain.
pub fn pain_chart_with(
    facts: &[backstretch_core::stats::SessionFact],
    function: &[backstretch_core::function::FunctionRecord],
) -> String {
    let function: Vec<FunctionDay> = function
        .iter()
        .map(|r| FunctionDay {
            day: r.at.day(),
            mean: backstretch_core::function::point(r).mean,
        })
        .collect();
    pain_svg_with(
        &facts
            .iter()
            .filter(|x| x.pain_before.is_some() || x.pain_after.is_some())
            .map(|x| PainPoint {
                day: x.day(),
                before: x.pain_before,
                after: x.pain_after,
            })
            .collect::<Vec<_>>(),
        &function,
    )
}

/// The adherence calendar of a person's sessions against their goal.
pub fn adherence_chart(
    facts: &[backstretch_core::stats::SessionFact],
    goal: backstretch_core::profile::Goal,
    today: NaiveDate,
) -> String {
    let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for x in facts.iter().filter(|x| x.counts) {
        *per_day.entry(x.day()).or_default() += 1;
    }
    adherence_svg(&per_day, goal.per_week(), &goal.to_string(), today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pts() -> Vec<PainPoint> {
        [
            (1, 6, 4),
            (3, 6, 5),
            (5, 5, 3),
            (8, 5, 3),
            (10, 4, 2),
            (12, 3, 2),
        ]
        .iter()
        .map(|(d, b, a)| PainPoint {
            day: day("2026-11-01") + Duration::days(*d),
            before: Some(*b),
            after: Some(*a),
        })
        .collect()
    }

    #[test]
    fn pain_chart_snapshot() {
        insta::assert_snapshot!(pain_svg(&pts()));
    }

    #[test]
    fn pain_chart_handles_none_one_and_years() {
        assert!(pain_svg(&[]).contains("No sessions with a pain score yet"));
        let one = pain_svg(&pts()[..1]);
        assert!(one.contains("<circle") && one.contains("1 session"));
        let many: Vec<PainPoint> = (0..1500)
            .map(|i| PainPoint {
                day: day("2023-01-01") + Duration::days(i),
                before: u8::try_from(i % 7 + 2).ok(),
                after: u8::try_from(i % 5 + 1).ok(),
            })
            .collect();
        let svg = pain_svg(&many);
        assert_eq!(
            svg.matches("<circle").count(),
            2,
            "only the legend: no markers for years of data"
        );
        assert!(
            svg.contains("Jan 2024") && svg.contains("Jan 2026"),
            "yearly labels"
        );
        assert_eq!(svg, pain_svg(&many), "deterministic");
    }

    /// The function measure shares the pain's 0-10 scale: its diamonds lie inside the plot,
    /// the days' axis stretches to a score taken before the first session, and the legend
    /// and the note name it.
    #[test]
    fn the_function_measure_shows_beside_pain() {
        let f = [
            FunctionDay {
                day: day("2026-10-30"),
                mean: 3.7,
            },
            FunctionDay {
                day: day("2026-11-13"),
                mean: 6.0,
            },
        ];
        let svg = pain_svg_with(&pts(), &f);
        insta::assert_snapshot!(svg);
        assert!(svg.contains("function (PSFS)") && svg.contains("a rise of 2 points"));
        assert!(svg.contains("30 Oct"), "the axis starts at the first score");
        let diamonds: Vec<&str> = svg.lines().filter(|l| l.contains("rotate(45")).collect();
        assert_eq!(diamonds.len(), 3, "two scores and the legend's");
        assert!(!pain_svg(&pts()).contains("PSFS"), "no function, no legend");
        let only = pain_svg_with(&[], &f[..1]);
        assert!(only.contains("rotate(45") && !only.contains("Log a session"));
    }

    #[test]
    fn adherence_calendar_snapshot() {
        let mut m = BTreeMap::new();
        for d in [
            "2026-11-02",
            "2026-11-04",
            "2026-11-06",
            "2026-11-09",
            "2026-11-10",
            "2026-11-16",
            "2026-11-18",
            "2026-11-20",
        ] {
            m.insert(day(d), 1);
        }
        m.insert(day("2026-11-20"), 2);
        insta::assert_snapshot!(adherence_svg(&m, 3, "3/week", day("2026-11-21")));
    }

    /// Regression: a week with many sessions on one day was marked as meeting "3 a week".
    #[test]
    fn a_week_is_met_by_days_not_sessions() {
        let met = "fill=\"#15803d\"";
        let one_day = BTreeMap::from([(day("2026-11-02"), 5)]);
        let svg = adherence_svg(&one_day, 3, "3/week", day("2026-11-21"));
        let marks = |svg: &str| {
            svg.lines()
                .filter(|l| l.contains(met) && !l.contains("<title>"))
                .count()
        };
        let three_days = BTreeMap::from([
            (day("2026-11-02"), 1),
            (day("2026-11-03"), 1),
            (day("2026-11-04"), 1),
        ]);
        let svg3 = adherence_svg(&three_days, 3, "3/week", day("2026-11-21"));
        assert!(
            marks(&svg3) > marks(&svg),
            "three days meet it, one busy day does not"
        );
    }

    #[test]
    fn adherence_spans_years_in_blocks() {
        let mut m = BTreeMap::new();
        m.insert(day("2024-03-05"), 1);
        let svg = adherence_svg(&m, 7, "daily", day("2026-11-21"));
        for y in ["2024", "2025", "2026"] {
            assert!(svg.contains(&format!(">{y}</text>")), "{y}");
        }
        assert!(svg.contains("Tue 5 Mar 2024: 1 session"));
    }

    /// Every x and y of a circle or polyline point in an SVG.
    fn points_in(svg: &str) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for l in svg.lines() {
            if let Some(rest) = l.strip_prefix("<circle cx=\"") {
                let cx: f64 = rest.split('"').next().unwrap().parse().unwrap();
                let cy: f64 = l
                    .split("cy=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                if cy > 40.0 {
                    out.push((cx, cy));
                }
            }
            if let Some(rest) = l.strip_prefix("<polyline points=\"") {
                for xy in rest.split('"').next().unwrap().split(' ') {
                    let (x, y) = xy.split_once(',').unwrap();
                    out.push((x.parse().unwrap(), y.parse().unwrap()));
                }
            }
        }
        out
    }

    /// Regression: with several sessions on the last day, the newest were drawn past the
    /// plot's right edge (x = 874 and 924 in an 860-wide picture).
    #[test]
    fn every_point_lies_inside_the_plot_for_any_count_and_spread() {
        let start = day("2026-01-01");
        for n in 1..=40usize {
            for spread in [0i64, 1, 2, 6, 30, 400, 1500] {
                for per_day in [1usize, 2, 3, 7] {
                    let pts: Vec<PainPoint> = (0..n)
                        .map(|i| PainPoint {
                            day: start
                                + Duration::days(
                                    spread * i64::try_from(i / per_day).unwrap()
                                        / i64::try_from(n.max(1)).unwrap(),
                                ),
                            before: u8::try_from(i % 11).ok(),
                            after: u8::try_from((i + 3) % 11).ok(),
                        })
                        .collect();
                    let svg = pain_svg(&pts);
                    let found = points_in(&svg);
                    assert!(found.len() >= n, "n={n} spread={spread}");
                    for (x, y) in found {
                        assert!(
                            (64.0..=836.0).contains(&x) && (64.0..=356.0).contains(&y),
                            "({x}, {y}) outside the plot: n={n} spread={spread} per_day={per_day}"
                        );
                    }
                }
            }
        }
    }
}
