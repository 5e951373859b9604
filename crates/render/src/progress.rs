//! Progress in words: this week against the goal and the streak, the statistics, and the
//! summary after a session.

use backstretch_core::safety::Feedback;
use backstretch_core::stats::Stats;

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("{n} {}", word.trim_end_matches('s'))
    } else {
        format!("{n} {word}")
    }
}

/// This week against the goal and the streak, in one line. A goal counts days with a
/// session; a streak that has not started yet is worded as something to start, not as zero.
pub fn progress_line(s: &Stats) -> String {
    let week = format!(
        "This week: {} of {} day{} with a session (goal {}).",
        s.this_week.days,
        s.this_week.target,
        if s.this_week.target == 1 { "" } else { "s" },
        s.goal,
    );
    let st = &s.streak;
    let weekly = st.unit == "weeks";
    let streak = match (st.current, st.longest) {
        (0, 0) if weekly => {
            let left = s.this_week.target.saturating_sub(s.this_week.days);
            format!(
                "Your streak starts with the first week that meets the goal: {} to go this week.",
                plural(left, "days")
            )
        }
        (0, 0) => "A session today starts your streak.".to_string(),
        (0, longest) if weekly => format!(
            "Meet the goal this week to start a new streak (your longest: {}).",
            plural(longest, "weeks")
        ),
        (0, longest) => format!(
            "A session today starts a new streak (your longest: {}).",
            plural(longest, "days")
        ),
        (current, longest) => format!(
            "Streak: {}{}.",
            plural(current, st.unit),
            if longest > current {
                format!(" (longest {longest})")
            } else {
                String::new()
            }
        ),
    };
    format!("{week} {streak}")
}

/// The statistics as text.
pub fn stats_text(s: &Stats) -> String {
    stats_text_with(s, None)
}

/// The statistics as text, with the function measure (PSFS) beside the pain trend.
pub fn stats_text_with(
    s: &Stats,
    function: Option<&backstretch_core::function::FunctionSummary>,
) -> String {
    let mut out = format!("{}\n\n", progress_line(s));
    out.push_str(&format!(
        "Sessions   {}\nMinutes    {}\nExercises  {} done\n",
        s.sessions, s.minutes, s.exercises_done
    ));
    if let Some(line) = breaks_line(&s.breaks) {
        out.push_str(&line);
    }
    let p = &s.pain;
    match (p.first, p.last) {
        (Some(f), Some(l)) => {
            out.push_str(&format!("Pain       {f} at the start, {l} lately"));
            if let Some(sl) = p.slope_per_session {
                out.push_str(&format!(" (trend {sl:+.2} per session)"));
            }
            out.push('\n');
            if p.meaningful {
                out.push_str(&format!(
                    "           A meaningful improvement: from about {:.1} to {:.1}, kept up over your latest sessions.\n",
                    p.baseline.unwrap_or_default(),
                    p.recent.unwrap_or_default()
                ));
            }
        }
        _ => out.push_str("Pain       no scores yet (give them before and after each session)\n"),
    }
    if let Some(f) = function {
        out.push_str(&crate::function::function_line(f));
    }
    if let Some(r) = &s.rising {
        out.push_str(&format!("\n{}\n", r.advice()));
    }
    if s.review_advised {
        out.push_str("\nSix weeks of sessions have brought no meaningful improvement: please have your back or neck\nreviewed by a doctor or physiotherapist.\n");
    }
    if !s.most_hurt.is_empty() {
        let list: Vec<String> = s
            .most_hurt
            .iter()
            .map(|(id, n)| format!("{id} ({n})"))
            .collect();
        out.push_str(&format!("Hurt most  {}\n", list.join(", ")));
    }
    out
}

/// Desk breaks, apart from routines: today against the goal, this week, the minutes; none
/// when there are no breaks and no goal.
pub fn breaks_line(b: &backstretch_core::stats::Breaks) -> Option<String> {
    if b.this_week == 0 && b.minutes == 0.0 && b.goal_per_day.is_none() {
        return None;
    }
    let today = match b.goal_per_day {
        Some(g) => format!("{} of {g} today", b.today),
        None => format!("{} today", b.today),
    };
    Some(format!(
        "Breaks     {today}, {} this week, {} minutes (desk breaks count apart from sessions)\n",
        b.this_week, b.minutes
    ))
}

/// What a finished session comes to, in words.
#[derive(Debug, Clone)]
pub struct SummaryView<'a> {
    /// `completed` or `stopped`.
    pub ending: &'a str,
    /// Exercises done.
    pub done: usize,
    /// Exercises skipped.
    pub skipped: usize,
    /// Exercises that hurt.
    pub hurt: &'a [String],
    /// Whether it was a desk break: the breaks of the day are said, not the routine's goal.
    pub desk_break: bool,
    /// Seconds spent.
    pub seconds: u64,
    pub pain_before: Option<u8>,
    pub pain_after: Option<u8>,
    /// What the pain scores come to (the light, a flare, the next plans), as `log` says it.
    pub feedback: Option<&'a Feedback>,
    /// Progress, with this session.
    pub progress: &'a Stats,
    /// Whether it counts toward the goal, with the seconds of holding planned and done
    /// (half counts).
    pub counted: (bool, u32, u64),
}

/// A length of time in words: `4 minutes 5 seconds`, `40 seconds`.
fn duration_words(seconds: u64) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    let unit = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (m, s) {
        (0, s) => unit(s, "second"),
        (m, 0) => unit(m, "minute"),
        (m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
    }
}

/// What a session's pain scores come to, a sentence a line: the same after the player and
/// after `log`.
pub fn feedback_text(f: &Feedback) -> String {
    f.lines().iter().map(|l| format!("{l}\n")).collect()
}

/// Where a summary is read: the terminal keeps its compact marks (`3 -> 2`, `4:05`), a page
/// says them in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Terminal,
    Page,
}

/// The summary printed after a session (a desk break says the day's breaks instead of the
/// routine's goal).
pub fn summary_text(v: &SummaryView<'_>) -> String {
    summary_for(v, Medium::Terminal)
}

/// The summary, worded for `medium`: the same facts and advice either way.
pub fn summary_for(v: &SummaryView<'_>, medium: Medium) -> String {
    let exercises = if v.done == 1 { "exercise" } else { "exercises" };
    let (lead, time) = match medium {
        Medium::Terminal => (
            "\n",
            format!("; {}:{:02} in all", v.seconds / 60, v.seconds % 60),
        ),
        Medium::Page => ("", format!(", in {}", duration_words(v.seconds))),
    };
    let mut text = format!(
        "{lead}Session {}: {} {exercises} done, {} skipped, {} hurt{time}.\n",
        v.ending,
        v.done,
        v.skipped,
        v.hurt.len(),
    );
    match (v.pain_before, v.pain_after, medium) {
        (Some(b), Some(a), Medium::Terminal) => text.push_str(&format!("Pain {b} -> {a}.\n")),
        (Some(b), Some(a), Medium::Page) if a == b => {
            text.push_str(&format!("Pain stayed at {b} out of 10.\n"));
        }
        (Some(b), Some(a), Medium::Page) => {
            text.push_str(&format!("Pain went from {b} to {a} out of 10.\n"));
        }
        (Some(b), None, _) => text.push_str(&format!("Pain before {b}.\n")),
        (None, Some(a), _) => text.push_str(&format!("Pain after {a}.\n")),
        (None, None, _) => {}
    }
    if let Some(f) = v.feedback {
        text.push_str(&feedback_text(f));
    }
    if v.desk_break {
        let b = &v.progress.breaks;
        text.push_str(&match b.goal_per_day {
            Some(g) => format!("Desk breaks today: {} of {g}.", b.today),
            None => format!("Desk breaks today: {}.", b.today),
        });
    } else {
        let (counted, planned, held) = v.counted;
        if !counted {
            text.push_str(&format!(
                "This one does not count toward your goal yet: about {} of {} of holding were done, and half counts. Every minute still helps; on a busy day a shorter routine counts in full.\n",
                duration_words(held),
                duration_words(u64::from(planned)),
            ));
        }
        text.push_str(&progress_line(v.progress));
    }
    text.push('\n');
    if v.progress.review_advised {
        text.push_str("Six weeks of sessions have brought no meaningful improvement: please have your back or neck reviewed by a doctor or physiotherapist.\n");
    }
    if !v.hurt.is_empty() {
        text.push_str(&format!(
            "Logged as hurt: {}. Go gently with it next time; an exercise that hurts twice in 14 days is left out of your plans.\n",
            v.hurt.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use backstretch_core::profile::Goal;
    use backstretch_core::stats::{SessionFact, stats};
    use chrono::{DateTime, NaiveDate};

    use super::progress_line;

    fn fact(t: &str) -> SessionFact {
        SessionFact {
            started: DateTime::parse_from_rfc3339(t).unwrap(),
            seconds: 60,
            pain_before: None,
            pain_after: None,
            done: 1,
            counts: true,
            ..SessionFact::default()
        }
    }

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    /// Regression: after the first session of a weekly goal, "Streak: 0 weeks" read as a
    /// failure.
    #[test]
    fn the_start_of_a_streak_is_worded_kindly_and_truthfully() {
        let first = [fact("2026-11-16T09:00:00Z")];
        let line = progress_line(&stats(&first, Goal::PerWeek(3), day("2026-11-16"), None));
        assert_eq!(
            line,
            "This week: 1 of 3 days with a session (goal 3/week). Your streak starts with the first week that meets the goal: 2 days to go this week."
        );
        assert!(!line.contains("0 weeks"));
        let none = progress_line(&stats(&[], Goal::Daily, day("2026-11-16"), None));
        assert!(
            none.ends_with("A session today starts your streak."),
            "{none}"
        );
        let one = progress_line(&stats(&first, Goal::Daily, day("2026-11-16"), None));
        assert!(one.ends_with("Streak: 1 day."), "{one}");
        let lapsed = progress_line(&stats(&first, Goal::Daily, day("2026-11-20"), None));
        assert!(
            lapsed.ends_with("A session today starts a new streak (your longest: 1 day)."),
            "{lapsed}"
        );
    }

    /// Regression: seven sessions in an afternoon read "7 of 7 (goal daily)".
    #[test]
    fn the_week_counts_days() {
        let many: Vec<SessionFact> = (0..7)
            .map(|m| fact(&format!("2026-11-18T15:{:02}:00Z", m * 5)))
            .collect();
        let line = progress_line(&stats(&many, Goal::Daily, day("2026-11-18"), None));
        assert!(line.starts_with("This week: 1 of 7 days"), "{line}");
    }
}
