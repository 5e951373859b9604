//! Progress in words: this week against the goal and the streak, the statistics, and the
//! summary after a session.

use backstretch_core::safety::light_text;
use backstretch_core::stats::Stats;

/// This week against the goal and the streak, in one line.
pub fn progress_line(s: &Stats) -> String {
    let unit = if s.streak.current == 1 {
        s.streak.unit.trim_end_matches('s')
    } else {
        s.streak.unit
    };
    format!(
        "This week: {} of {} session{} (goal {}). Streak: {} {unit}{}.",
        s.this_week.sessions,
        s.this_week.target,
        if s.this_week.target == 1 { "" } else { "s" },
        s.goal,
        s.streak.current,
        if s.streak.longest > s.streak.current {
            format!(" (longest {})", s.streak.longest)
        } else {
            String::new()
        }
    )
}

/// The statistics as text.
pub fn stats_text(s: &Stats) -> String {
    let mut out = format!("{}\n\n", progress_line(s));
    out.push_str(&format!(
        "Sessions   {}\nMinutes    {}\nExercises  {} done\n",
        s.sessions, s.minutes, s.exercises_done
    ));
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
    /// Seconds spent.
    pub seconds: u64,
    /// Pain before.
    pub pain_before: Option<u8>,
    /// Pain after.
    pub pain_after: Option<u8>,
    /// The rise, when it was a flare.
    pub flare_rise: Option<u8>,
    /// Recent flares, when they call for a clinician.
    pub see_clinician: Option<usize>,
    /// Progress, with this session.
    pub progress: &'a Stats,
}

/// The summary printed after a session.
pub fn summary_text(v: &SummaryView<'_>) -> String {
    let mut text = format!(
        "\nSession {}: {} exercise{} done, {} skipped, {} hurt; {}:{:02} in all.\n",
        v.ending,
        v.done,
        if v.done == 1 { "" } else { "s" },
        v.skipped,
        v.hurt.len(),
        v.seconds / 60,
        v.seconds % 60
    );
    match (v.pain_before, v.pain_after) {
        (Some(b), Some(a)) => text.push_str(&format!("Pain {b} -> {a}.\n")),
        (Some(b), None) => text.push_str(&format!("Pain before {b}.\n")),
        (None, Some(a)) => text.push_str(&format!("Pain after {a}.\n")),
        (None, None) => {}
    }
    if let Some(after) = v.pain_after {
        text.push_str(&light_text(after));
        text.push('\n');
    }
    if let Some(rise) = v.flare_rise {
        text.push_str(&format!(
            "That is a flare: your pain rose by {rise} points. Your next plans will be gentler (shorter holds, fewer repetitions, only the gentlest exercises) until a session ends without a flare. If it has not settled by tomorrow, see a doctor or physiotherapist.\n"
        ));
        if let Some(n) = v.see_clinician {
            text.push_str(&format!(
                "That makes {n} flares in 14 days: please see a doctor or physiotherapist before stretching again.\n"
            ));
        }
    }
    text.push_str(&progress_line(v.progress));
    text.push('\n');
    if !v.hurt.is_empty() {
        text.push_str(&format!(
            "Logged as hurt: {}. Go gently with it next time; an exercise that hurts twice in 14 days is left out of your plans.\n",
            v.hurt.join(", ")
        ));
    }
    text
}
