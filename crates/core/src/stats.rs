//! Progress: adherence against the goal, streaks, minutes, and the pain trend.
//!
//! Days are local days: each session carries the offset it was logged with, so a session at
//! 23:30 counts for that day wherever the reader is later. Weeks run Monday to Sunday.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::profile::Goal;
use crate::session::{Effort, Ending, LoggedSession, Summary, summarize};
use crate::time::Stamp;

/// One session as the statistics need it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionFact {
    /// When it started, with the local offset of the time.
    pub started: DateTime<FixedOffset>,
    /// Seconds actually spent.
    pub seconds: u64,
    /// Pain before, 0-10.
    pub pain_before: Option<u8>,
    /// Pain after, 0-10.
    pub pain_after: Option<u8>,
    /// Exercises done.
    pub done: usize,
    /// Exercises that hurt.
    pub hurt: Vec<String>,
    /// Whether it counts toward the goal: half of its planned holding was done
    /// ([`counts`]).
    pub counts: bool,
    /// A desk break (`break`): counted apart from routines, toward the breaks goal.
    pub desk_break: bool,
    /// The exercises done (a hold finished, none hurt), by id.
    pub exercises_done: Vec<String>,
    /// What the person said about exercises.
    pub efforts: Vec<(String, Effort)>,
    /// Whether soreness had settled by the next morning, once asked.
    pub settled: Option<bool>,
    /// Seconds of holding planned, and milliseconds held.
    pub holding: (u32, u64),
}

/// Whether a session counts toward the goal: at least half of the holding its routine planned
/// was done. The one rule the progress figures and the history both follow. A shortened, gentler plan is its own plan, so doing the whole of it always
/// counts; one 5-second hold of a 10-minute routine does not. A routine with no holds counts
/// when it was played to the end or an exercise was done.
pub fn counts(outcome: Option<Ending>, sum: &Summary, plan_hold_s: u32) -> bool {
    if plan_hold_s == 0 {
        return outcome == Some(Ending::Completed) || !sum.done.is_empty();
    }
    sum.held_ms.saturating_mul(2) >= u64::from(plan_hold_s) * 1000
}

impl SessionFact {
    /// The facts of a logged session.
    pub fn of(l: &LoggedSession) -> SessionFact {
        let s = &l.session;
        let pains = (s.pain_before, s.pain_after);
        SessionFact {
            desk_break: s.routine.profile.desk_break,
            settled: s.settled,
            ..SessionFact::new(
                s.started_at,
                pains,
                s.outcome,
                &summarize(&l.steps),
                s.routine.hold_s(),
            )
        }
    }

    /// The facts of a session that started at `started`, with its pain before and after, how
    /// it ended, what its steps came to and the seconds of holding its routine planned.
    pub fn new(
        started: Stamp,
        (pain_before, pain_after): (Option<u8>, Option<u8>),
        outcome: Option<Ending>,
        sum: &Summary,
        plan_hold_s: u32,
    ) -> SessionFact {
        SessionFact {
            started: started.local(),
            seconds: sum.seconds,
            pain_before,
            pain_after,
            counts: counts(outcome, sum, plan_hold_s),
            done: sum.done.len(),
            hurt: sum.hurt.clone(),
            desk_break: false,
            exercises_done: sum.done.clone(),
            efforts: sum.efforts.clone(),
            settled: None,
            holding: (plan_hold_s, sum.held_ms),
        }
    }

    /// The local day it belongs to.
    pub fn day(&self) -> NaiveDate {
        self.started.date_naive()
    }
}

/// This week against the target. A goal counts days with a session: seven sessions in one
/// afternoon are one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Week {
    /// Sessions so far this week.
    pub sessions: u32,
    /// Days with a session so far this week (what the goal counts).
    pub days: u32,
    /// Days the goal asks for.
    pub target: u32,
}

/// Streaks, in days for a daily goal and in weeks for a weekly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Streak {
    /// The streak still running.
    pub current: u32,
    /// The longest ever.
    pub longest: u32,
    /// `days` or `weeks`.
    pub unit: &'static str,
}

/// The pain trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pain {
    /// Pain before the first session.
    pub first: Option<u8>,
    /// Pain before the latest session.
    pub last: Option<u8>,
    /// `last - first`.
    pub change: Option<i32>,
    /// A sustained fall of at least 2 points or 30%.
    pub meaningful: bool,
    /// Mean pain before the first sessions, and before the latest (the comparison made).
    pub baseline: Option<f64>,
    /// See `baseline`.
    pub recent: Option<f64>,
    /// Average change in pain before, per session (negative is better).
    pub slope_per_session: Option<f64>,
}

/// Everything `stats` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// The goal, `daily` or `N/week`.
    pub goal: String,
    pub this_week: Week,
    pub streak: Streak,
    /// Sessions counted.
    pub sessions: usize,
    /// Minutes spent.
    pub minutes: f64,
    /// Exercises done, summed over sessions.
    pub exercises_done: usize,
    /// The pain trend.
    pub pain: Pain,
    /// Exercises that hurt, most often first: (id, sessions).
    pub most_hurt: Vec<(String, usize)>,
    /// Six weeks or more of sessions without a meaningful improvement: time to have the back
    /// or neck reviewed by a clinician.
    pub review_advised: bool,
    /// Pain before sessions rising by 2 points or more over two weeks
    /// ([`crate::safety::rising`]).
    pub rising: Option<crate::safety::Rise>,
    /// Desk breaks, counted apart from routines (none of the above counts them).
    pub breaks: Breaks,
}

/// Desk breaks (`break`) against their own goal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Breaks {
    /// Breaks taken today.
    pub today: u32,
    /// Breaks taken this week.
    pub this_week: u32,
    /// Breaks a working day the person aims at, if they set a goal.
    pub goal_per_day: Option<u32>,
    /// Minutes spent in breaks since the window's start.
    pub minutes: f64,
}

/// Weeks of logged sessions without a meaningful improvement that call for a review.
pub const REVIEW_AFTER_WEEKS: i64 = 6;

/// The Monday of a day's week.
pub fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn runs(sorted: &[NaiveDate], step: i64) -> u32 {
    let mut best = 0;
    let mut run = 0;
    let mut prev: Option<NaiveDate> = None;
    for d in sorted {
        run = match prev {
            Some(p) if (*d - p).num_days() == step => run + 1,
            _ => 1,
        };
        best = best.max(run);
        prev = Some(*d);
    }
    best
}

/// Streaks from every counted session, as of `today`.
pub fn streak(facts: &[SessionFact], goal: Goal, today: NaiveDate) -> Streak {
    let counted = facts.iter().filter(|f| f.counts);
    match goal {
        Goal::Daily => {
            let days: BTreeSet<NaiveDate> = counted.map(SessionFact::day).collect();
            let sorted: Vec<NaiveDate> = days.iter().copied().collect();
            // The streak is alive until today ends: start from today, or else yesterday.
            let mut d = if days.contains(&today) {
                today
            } else {
                today - Duration::days(1)
            };
            let mut current = 0;
            while days.contains(&d) {
                current += 1;
                d -= Duration::days(1);
            }
            Streak {
                current,
                longest: runs(&sorted, 1),
                unit: "days",
            }
        }
        Goal::PerWeek(n) => {
            // A week meets the goal with that many days that had a session.
            let days: BTreeSet<NaiveDate> = counted.map(SessionFact::day).collect();
            let mut per_week: BTreeMap<NaiveDate, u32> = BTreeMap::new();
            for d in days {
                *per_week.entry(monday(d)).or_default() += 1;
            }
            let met: BTreeSet<NaiveDate> = per_week
                .into_iter()
                .filter(|(_, c)| *c >= u32::from(n))
                .map(|(w, _)| w)
                .collect();
            let sorted: Vec<NaiveDate> = met.iter().copied().collect();
            let this = monday(today);
            let mut w = if met.contains(&this) {
                this
            } else {
                this - Duration::days(7)
            };
            let mut current = 0;
            while met.contains(&w) {
                current += 1;
                w -= Duration::days(7);
            }
            Streak {
                current,
                longest: runs(&sorted, 7),
                unit: "weeks",
            }
        }
    }
}

/// The smallest fall from a baseline that counts as a meaningful improvement: 2 points or
/// 30 % of the baseline, whichever is smaller (Ostelo et al., Spine 2008), so someone
/// starting at 3 needs 0.9 points and someone starting at 8 needs 2, not 2.4. A baseline of 0
/// cannot fall.
pub fn meaningful_fall(baseline: f64) -> f64 {
    if baseline <= 0.0 {
        return f64::INFINITY;
    }
    // A hair of slack so that exactly 30 % (3 -> 2.1) counts despite rounding.
    MEANINGFUL_POINTS.min(MEANINGFUL_SHARE * baseline) - 1e-9
}

/// The absolute part of the minimal important change on the 0-10 scale.
pub const MEANINGFUL_POINTS: f64 = 2.0;
/// The relative part of the minimal important change.
pub const MEANINGFUL_SHARE: f64 = 0.3;

/// The pain trend from pain-before scores in time order.
pub fn pain_trend(before: &[u8]) -> Pain {
    let n = before.len();
    let first = before.first().copied();
    let last = before.last().copied();
    let change = first.zip(last).map(|(f, l)| i32::from(l) - i32::from(f));
    let mean = |s: &[u8]| s.iter().map(|v| f64::from(*v)).sum::<f64>() / s.len() as f64;
    let (mut baseline, mut recent, mut meaningful) = (None, None, false);
    if n >= 4 {
        // Compare the first and the latest few sessions; a fall counts only when every one of
        // the latest sessions is below the starting level (sustained, not one good day).
        let k = (n / 2).min(3);
        let b = mean(&before[..k]);
        let r = mean(&before[n - k..]);
        let fall = b - r;
        let sustained = before[n - k..].iter().all(|v| f64::from(*v) < b);
        meaningful = sustained && fall >= meaningful_fall(b);
        baseline = Some(b);
        recent = Some(r);
    }
    let slope_per_session = (n >= 2).then(|| {
        let xm = (n as f64 - 1.0) / 2.0;
        let ym = mean(before);
        let (mut num, mut den) = (0.0, 0.0);
        for (i, y) in before.iter().enumerate() {
            let dx = i as f64 - xm;
            num += dx * (f64::from(*y) - ym);
            den += dx * dx;
        }
        ((num / den) * 100.0).round() / 100.0
    });
    Pain {
        first,
        last,
        change,
        meaningful,
        baseline,
        recent,
        slope_per_session,
    }
}

/// The statistics for sessions (any order) under a goal, as of `today`. Streaks use every
/// session; the rest only those on or after `since`.
pub fn stats(
    facts: &[SessionFact],
    goal: Goal,
    today: NaiveDate,
    since: Option<NaiveDate>,
) -> Stats {
    let (breaks, facts): (Vec<&SessionFact>, Vec<&SessionFact>) =
        facts.iter().partition(|f| f.desk_break);
    let breaks = breaks_of(&breaks, today, since);
    let facts: Vec<SessionFact> = facts.into_iter().cloned().collect();
    let facts = facts.as_slice();
    let mut sorted: Vec<&SessionFact> = facts.iter().collect();
    sorted.sort_by_key(|f| f.started);
    let window: Vec<&SessionFact> = sorted
        .iter()
        .copied()
        .filter(|f| since.is_none_or(|s| f.day() >= s))
        .collect();
    let week_start = monday(today);
    let this_week: Vec<NaiveDate> = sorted
        .iter()
        .filter(|f| f.counts && f.day() >= week_start && f.day() <= today)
        .map(|f| f.day())
        .collect();
    let this_week_days =
        u32::try_from(this_week.iter().collect::<BTreeSet<_>>().len()).unwrap_or(u32::MAX);
    let before: Vec<u8> = window.iter().filter_map(|f| f.pain_before).collect();
    let mut hurt: BTreeMap<String, usize> = BTreeMap::new();
    for f in &window {
        for h in &f.hurt {
            *hurt.entry(h.clone()).or_default() += 1;
        }
    }
    let mut most_hurt: Vec<(String, usize)> = hurt.into_iter().collect();
    most_hurt.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Stats {
        goal: goal.to_string(),
        this_week: Week {
            sessions: u32::try_from(this_week.len()).unwrap_or(u32::MAX),
            days: this_week_days,
            target: goal.per_week(),
        },
        streak: streak(facts, goal, today),
        sessions: window.iter().filter(|f| f.counts).count(),
        minutes: (window.iter().map(|f| f.seconds).sum::<u64>() as f64 / 6.0).round() / 10.0,
        exercises_done: window.iter().map(|f| f.done).sum(),
        review_advised: review_advised(&sorted, today),
        rising: crate::safety::rising(
            &sorted
                .iter()
                .filter_map(|f| f.pain_before.map(|p| (f.day(), p)))
                .collect::<Vec<_>>(),
            today,
        ),
        pain: pain_trend(&before),
        most_hurt,
        breaks,
    }
}

/// The desk breaks taken (those that count: a hold done, or finished) today, this week and
/// since `since`.
fn breaks_of(breaks: &[&SessionFact], today: NaiveDate, since: Option<NaiveDate>) -> Breaks {
    let taken = || breaks.iter().filter(|f| f.counts && f.day() <= today);
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let seconds: u64 = taken()
        .filter(|f| since.is_none_or(|s| f.day() >= s))
        .map(|f| f.seconds)
        .sum();
    Breaks {
        today: count(taken().filter(|f| f.day() == today).count()),
        this_week: count(taken().filter(|f| f.day() >= monday(today)).count()),
        goal_per_day: None,
        minutes: (seconds as f64 / 6.0).round() / 10.0,
    }
}

/// Whether six weeks or more of logged sessions (the whole log, oldest first) have brought no
/// meaningful improvement, by the same measure `stats` reports.
fn review_advised(sorted: &[&SessionFact], today: NaiveDate) -> bool {
    let before: Vec<u8> = sorted.iter().filter_map(|f| f.pain_before).collect();
    review_due(sorted.first().map(|f| f.day()), &before, today)
}

/// Whether a review is advised: the log began six weeks or more before `today` (on
/// `first_day`), and the pain-before scores (oldest first, at least four) show no
/// meaningful improvement.
pub fn review_due(first_day: Option<NaiveDate>, before: &[u8], today: NaiveDate) -> bool {
    let Some(first) = first_day else {
        return false;
    };
    let weeks = (today - first).num_days() / 7;
    weeks >= REVIEW_AFTER_WEEKS && before.len() >= 4 && !pain_trend(before).meaningful
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn fact(s: &str) -> SessionFact {
        SessionFact {
            started: at(s),
            seconds: 600,
            pain_before: None,
            pain_after: None,
            done: 5,
            hurt: vec![],
            counts: true,
            ..SessionFact::default()
        }
    }

    #[test]
    fn desk_breaks_count_apart_from_routines() {
        let brk = |s: &str| SessionFact {
            seconds: 90,
            desk_break: true,
            ..fact(s)
        };
        let facts = vec![
            fact("2026-12-07T07:30:00+01:00"),
            brk("2026-12-07T11:00:00+01:00"),
            brk("2026-12-07T15:00:00+01:00"),
            brk("2026-12-08T11:00:00+01:00"),
            SessionFact {
                counts: false,
                ..brk("2026-12-08T15:00:00+01:00")
            },
        ];
        let s = stats(&facts, Goal::Daily, day("2026-12-08"), None);
        assert_eq!(s.sessions, 1);
        assert_eq!(s.this_week.days, 1);
        assert!((s.minutes - 10.0).abs() < 1e-9);
        assert_eq!(s.breaks.today, 1);
        assert_eq!(s.breaks.this_week, 3);
        assert!(
            (s.breaks.minutes - 4.5).abs() < 1e-9,
            "{}",
            s.breaks.minutes
        );
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_late_evening_session_counts_for_its_local_day() {
        // 23:30 in New York is already the next day in UTC.
        let f = fact("2026-11-20T23:30:00-05:00");
        assert_eq!(f.day(), day("2026-11-20"));
        let s = streak(&[f], Goal::Daily, day("2026-11-20"));
        assert_eq!(s.current, 1);
    }

    #[test]
    fn daily_streaks_cross_month_and_year_boundaries_and_break_on_gaps() {
        let facts: Vec<SessionFact> = ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
            .iter()
            .map(|d| fact(&format!("{d}T08:00:00+01:00")))
            .collect();
        let s = streak(&facts, Goal::Daily, day("2027-01-02"));
        assert_eq!((s.current, s.longest, s.unit), (4, 4, "days"));
        // Still alive the next day before stretching; gone the day after.
        assert_eq!(streak(&facts, Goal::Daily, day("2027-01-03")).current, 4);
        assert_eq!(streak(&facts, Goal::Daily, day("2027-01-04")).current, 0);
        assert_eq!(streak(&facts, Goal::Daily, day("2027-01-04")).longest, 4);
        // A gap splits runs; two sessions on one day count once.
        let mut more = facts;
        more.push(fact("2027-01-05T08:00:00+01:00"));
        more.push(fact("2027-01-05T20:00:00+01:00"));
        let s = streak(&more, Goal::Daily, day("2027-01-05"));
        assert_eq!((s.current, s.longest), (1, 4));
        // Month boundary.
        let feb: Vec<SessionFact> = ["2026-01-31", "2026-02-01"]
            .iter()
            .map(|d| fact(&format!("{d}T08:00:00Z")))
            .collect();
        assert_eq!(streak(&feb, Goal::Daily, day("2026-02-01")).current, 2);
    }

    #[test]
    fn weekly_goal_streaks_count_weeks_that_met_it() {
        // Three sessions a week for two weeks across the new year, then a short week.
        let days = [
            "2026-12-21",
            "2026-12-23",
            "2026-12-25", // week of 21 Dec: met
            "2026-12-28",
            "2026-12-30",
            "2027-01-01", // week of 28 Dec (crosses the year): met
            "2027-01-05", // week of 4 Jan: 1 so far
        ];
        let facts: Vec<SessionFact> = days
            .iter()
            .map(|d| fact(&format!("{d}T18:00:00Z")))
            .collect();
        let g = Goal::PerWeek(3);
        let s = streak(&facts, g, day("2027-01-06"));
        assert_eq!(
            (s.current, s.longest, s.unit),
            (2, 2, "weeks"),
            "this week not met yet: counts from last week"
        );
        let st = stats(&facts, g, day("2027-01-06"), None);
        assert_eq!(
            st.this_week,
            Week {
                sessions: 1,
                days: 1,
                target: 3
            }
        );
        // A week missed breaks it.
        assert_eq!(streak(&facts, g, day("2027-01-13")).current, 0);
    }

    #[test]
    fn an_empty_log_gives_zeros() {
        let s = stats(&[], Goal::Daily, day("2026-11-21"), None);
        assert_eq!(s.sessions, 0);
        assert_eq!(s.streak.current, 0);
        assert_eq!(s.this_week.target, 7);
        assert_eq!(s.pain.first, None);
        assert!(!s.pain.meaningful);
    }

    #[test]
    fn a_sustained_fall_is_meaningful_and_one_good_day_is_not() {
        let p = pain_trend(&[6, 6, 5, 4, 4, 3]);
        assert!(p.meaningful, "{p:?}");
        assert_eq!(p.change, Some(-3));
        assert!(p.slope_per_session.unwrap() < 0.0);
        // 30% of a low level counts too: 3 -> 2 is only 1 point but 33%.
        assert!(pain_trend(&[3, 3, 3, 2, 2, 2]).meaningful);
        // One good day at the end is not sustained.
        assert!(!pain_trend(&[6, 6, 6, 6, 6, 1]).meaningful);
        // Too few sessions to say.
        assert!(!pain_trend(&[8, 2]).meaningful);
        assert!(!pain_trend(&[5, 5, 5, 5]).meaningful);
    }

    #[test]
    fn since_limits_counts_but_not_streaks() {
        let facts: Vec<SessionFact> = ["2026-11-18", "2026-11-19", "2026-11-20"]
            .iter()
            .map(|d| fact(&format!("{d}T08:00:00Z")))
            .collect();
        let s = stats(
            &facts,
            Goal::Daily,
            day("2026-11-20"),
            Some(day("2026-11-20")),
        );
        assert_eq!(s.sessions, 1);
        assert_eq!(s.streak.current, 3);
    }

    /// Regression: seven sessions in one afternoon counted as "7 of 7" for a daily goal.
    #[test]
    fn goals_count_days_with_a_session_not_sessions() {
        let many: Vec<SessionFact> = (0..7)
            .map(|m| fact(&format!("2026-11-18T15:{:02}:00Z", m * 5)))
            .collect();
        let s = stats(&many, Goal::Daily, day("2026-11-18"), None);
        assert_eq!((s.this_week.sessions, s.this_week.days), (7, 1));
        assert_eq!(s.streak.current, 1);
        // Three sessions on one day do not meet "3 a week"; three days do.
        let one_day: Vec<SessionFact> = (0..3)
            .map(|m| fact(&format!("2026-11-16T09:0{m}:00Z")))
            .collect();
        let st = streak(&one_day, Goal::PerWeek(3), day("2026-11-22"));
        assert_eq!(st.current, 0);
        let three_days: Vec<SessionFact> = ["16", "18", "20"]
            .iter()
            .map(|d| fact(&format!("2026-11-{d}T09:00:00Z")))
            .collect();
        assert_eq!(
            streak(&three_days, Goal::PerWeek(3), day("2026-11-22")).current,
            1
        );
    }

    /// The six-week review's measure is "2 points or 30 %, whichever is smaller" (Ostelo et
    /// al. 2008): from 8, a 2-point fall (25 %) is enough; from 3, 0.9 points (30 %) is.
    #[test]
    fn the_review_counts_two_points_or_thirty_percent_whichever_is_smaller() {
        assert!((meaningful_fall(8.0) - 2.0).abs() < 1e-6);
        assert!((meaningful_fall(3.0) - 0.9).abs() < 1e-6);
        assert!(meaningful_fall(0.0).is_infinite());
        let d = |s: &str| day(s);
        let weeks_ago = d("2026-10-01");
        let today = d("2026-11-20");
        assert!(!review_due(Some(weeks_ago), &[8, 8, 8, 6, 6, 6], today));
        assert!(review_due(Some(weeks_ago), &[8, 8, 8, 7, 7, 7], today));
        assert!(!review_due(Some(weeks_ago), &[3, 3, 4, 2, 2, 3], today));
        assert!(review_due(Some(weeks_ago), &[3, 3, 3, 3, 2, 3], today));
    }

    /// A steady rise in pain before sessions shows in the statistics.
    #[test]
    fn stats_flag_a_rise_week_on_week() {
        let at = |d: &str, p: u8| SessionFact {
            pain_before: Some(p),
            ..fact(&format!("{d}T09:00:00Z"))
        };
        let climb: Vec<SessionFact> = [
            ("2026-11-01", 2),
            ("2026-11-03", 2),
            ("2026-11-05", 3),
            ("2026-11-08", 3),
            ("2026-11-10", 4),
            ("2026-11-12", 5),
            ("2026-11-15", 5),
            ("2026-11-17", 6),
            ("2026-11-19", 7),
            ("2026-11-21", 7),
        ]
        .iter()
        .map(|(d, p)| at(d, *p))
        .collect();
        let s = stats(&climb, Goal::Daily, day("2026-11-21"), None);
        assert!(s.rising.is_some(), "{:?}", s.pain);
        let flat: Vec<SessionFact> = climb
            .iter()
            .map(|f| SessionFact {
                pain_before: Some(4),
                ..f.clone()
            })
            .collect();
        assert_eq!(
            stats(&flat, Goal::Daily, day("2026-11-21"), None).rising,
            None
        );
    }

    /// Six weeks of sessions with no meaningful improvement bring advice to have the back or
    /// neck reviewed; a meaningful improvement, or less time, does not.
    #[test]
    fn six_weeks_without_improvement_advise_a_review() {
        let at = |d: &str, p: u8| SessionFact {
            pain_before: Some(p),
            ..fact(&format!("{d}T09:00:00Z"))
        };
        let flat = [
            at("2026-10-01", 5),
            at("2026-10-15", 5),
            at("2026-10-29", 5),
            at("2026-11-12", 5),
        ];
        assert!(stats(&flat, Goal::Daily, day("2026-11-15"), None).review_advised);
        assert!(
            !stats(&flat, Goal::Daily, day("2026-11-05"), None).review_advised,
            "5 weeks"
        );
        let better = [
            at("2026-10-01", 6),
            at("2026-10-15", 6),
            at("2026-10-29", 3),
            at("2026-11-12", 2),
        ];
        assert!(!stats(&better, Goal::Daily, day("2026-11-15"), None).review_advised);
    }

    /// A day counts when half of the planned holding was done: one 5-second hold of a routine
    /// planning five minutes of holds does not, the whole of a short gentler plan does.
    #[test]
    fn a_session_counts_when_half_its_holding_was_done() {
        let sum = |held_ms: u64, done: &[&str]| Summary {
            held_ms,
            done: done.iter().map(ToString::to_string).collect(),
            ..Summary::default()
        };
        let stopped = Some(Ending::Stopped);
        assert!(!counts(stopped, &sum(5_000, &["a"]), 300));
        assert!(!counts(Some(Ending::Completed), &sum(5_000, &["a"]), 300));
        assert!(counts(stopped, &sum(150_000, &["a"]), 300));
        assert!(!counts(stopped, &sum(149_999, &["a"]), 300));
        // A gentler plan of 60 s of holding, done whole.
        assert!(counts(Some(Ending::Completed), &sum(60_000, &["a"]), 60));
        // No holds planned (walking in minutes is still holds; a routine of none is odd):
        // finishing it, or doing an exercise, counts.
        assert!(counts(Some(Ending::Completed), &sum(0, &[]), 0));
        assert!(!counts(stopped, &sum(0, &[]), 0));
    }
}
