//! The function measure (PSFS) in words and JSON: the records as `function show` prints them,
//! the line `stats` shows beside pain, and the `stats --format json` shape with it.

use backstretch_core::function::{
    FunctionRecord, FunctionSummary, FunctionTrend, MEANINGFUL_CHANGE,
};
use backstretch_core::stats::Stats;
use serde::Serialize;

/// `stats --format json`: the statistics with the function measure beside them (`function`
/// is left out before the first record, so a log without one prints what it always did).
#[derive(Debug, Serialize)]
pub struct StatsJson<'a> {
    #[serde(flatten)]
    pub stats: &'a Stats,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<&'a FunctionSummary>,
}

/// What the change comes to, in words.
fn trend_words(s: &FunctionSummary) -> String {
    match s.trend {
        FunctionTrend::Better => format!(
            "up {:.1}: a meaningful improvement (2 points or more)",
            s.change
        ),
        FunctionTrend::Worse => format!(
            "down {:.1}: 2 points or more worse; if it stays so, have your back or neck reviewed",
            -s.change
        ),
        FunctionTrend::Steady if s.records == 1 => {
            "your first score: score it again at your weekly review".into()
        }
        FunctionTrend::Steady => format!(
            "{:+.1}: less than the {MEANINGFUL_CHANGE:.0} points that count as a clear change",
            s.change
        ),
    }
}

/// The line `stats` shows under the pain trend.
pub fn function_line(s: &FunctionSummary) -> String {
    let mut out = if s.records == 1 {
        format!(
            "Function   {:.1} of 10 (PSFS mean; 10 is as before the problem): {}\n",
            s.latest.mean,
            trend_words(s)
        )
    } else {
        format!(
            "Function   {:.1} at the start, {:.1} lately (PSFS mean; 10 is as before the problem)\n           {}\n",
            s.first.mean,
            s.latest.mean,
            trend_words(s)
        )
    };
    if s.records > 1 && !s.same_activities {
        out.push_str("           (the activities changed since the first score, so the two compare less well)\n");
    }
    out
}

/// Every record, oldest first, each activity with its score, and the summary: what
/// `function show` prints.
pub fn function_text(records: &[FunctionRecord], summary: Option<&FunctionSummary>) -> String {
    if records.is_empty() {
        return "No function scores yet. `backstretch function` asks for up to three activities your back or neck makes hard, scored 0 (unable) to 10 (as before the problem).\n".into();
    }
    let mut out = String::new();
    for r in records {
        out.push_str(&format!(
            "{}  mean {:.1}\n",
            r.at.local().format("%a %-d %b %Y"),
            backstretch_core::function::point(r).mean
        ));
        for i in &r.items {
            out.push_str(&format!("  {:>2}  {}\n", i.score, i.activity));
        }
    }
    if let Some(s) = summary {
        out.push('\n');
        out.push_str(&function_line(s));
    }
    out
}

#[cfg(test)]
mod tests {
    use backstretch_core::function::summary;
    use backstretch_core::time::Stamp;

    use super::*;

    fn record(day: u32, items: &[(&str, i64)]) -> FunctionRecord {
        let items: Vec<(String, i64)> = items.iter().map(|(n, s)| ((*n).into(), *s)).collect();
        let at = Stamp::parse(&format!("2026-11-{day:02}T09:00:00+00:00")).unwrap();
        FunctionRecord::new(format!("r{day}"), at, &items).unwrap()
    }

    #[test]
    fn function_show_snapshot() {
        let records = [
            record(
                2,
                &[
                    ("carrying shopping", 3),
                    ("sitting an hour", 4),
                    ("tying shoelaces", 5),
                ],
            ),
            record(
                23,
                &[
                    ("carrying shopping", 6),
                    ("sitting an hour", 6),
                    ("tying shoelaces", 7),
                ],
            ),
        ];
        let s = summary(&records);
        insta::assert_snapshot!(function_text(&records, s.as_ref()));
    }

    #[test]
    fn the_line_words_each_trend() {
        let first = record(2, &[("driving", 5)]);
        let one = summary(std::slice::from_ref(&first)).unwrap();
        assert!(
            function_line(&one).contains("first score"),
            "{}",
            function_line(&one)
        );
        let worse = summary(&[first.clone(), record(9, &[("gardening", 2)])]).unwrap();
        let line = function_line(&worse);
        assert!(
            line.contains("down 3.0") && line.contains("activities changed"),
            "{line}"
        );
        let steady = summary(&[first, record(9, &[("driving", 6)])]).unwrap();
        assert!(
            function_line(&steady).contains("+1.0: less than the 2 points"),
            "{}",
            function_line(&steady)
        );
        assert!(function_text(&[], None).contains("backstretch function"));
    }
}
