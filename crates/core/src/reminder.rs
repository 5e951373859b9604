//! Reminder scheduling: which days a goal spreads its sessions over, and the first day a
//! reminder falls on. The calendar file itself is written by the render crate.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

/// The days a weekly goal spreads its sessions over, when none are chosen; none means every
/// day.
pub fn spread_days(per_week: u32) -> Vec<Weekday> {
    use Weekday::{Fri, Mon, Sat, Thu, Tue, Wed};
    match per_week {
        0 | 7.. => vec![],
        1 => vec![Wed],
        2 => vec![Tue, Fri],
        3 => vec![Mon, Wed, Fri],
        4 => vec![Mon, Tue, Thu, Fri],
        5 => vec![Mon, Tue, Wed, Thu, Fri],
        _ => vec![Mon, Tue, Wed, Thu, Fri, Sat],
    }
}

/// The first day on or after `today` that the reminder falls on, given the time now: today
/// only if its time is still to come.
pub fn first_day(today: NaiveDate, now: NaiveTime, time: NaiveTime, days: &[Weekday]) -> NaiveDate {
    let mut d = today;
    if now >= time {
        d += chrono::Duration::days(1);
    }
    while !days.is_empty() && !days.contains(&d.weekday()) {
        d += chrono::Duration::days(1);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_spread_over_the_week_and_the_first_day_is_still_ahead() {
        assert_eq!(spread_days(3), [Weekday::Mon, Weekday::Wed, Weekday::Fri]);
        assert!(spread_days(7).is_empty());
        let sat = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert_eq!(first_day(sat, eight, nine, &[]), sat);
        assert_eq!(first_day(sat, nine, nine, &[]), sat.succ_opt().unwrap());
        assert_eq!(
            first_day(sat, eight, nine, &spread_days(3)),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }
}

/// What a reminder calendar says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Stable id: the same data directory always gives the same UID, so calendar apps update
    /// the event instead of adding another.
    pub uid: String,
    /// The first day it occurs.
    pub first_day: NaiveDate,
    /// Local (floating) time of day.
    pub time: NaiveTime,
    /// Days of the week, or every day when empty.
    pub days: Vec<Weekday>,
    /// Minutes a session takes.
    pub minutes: u32,
    /// When the file was made (DTSTAMP), UTC.
    pub stamp: chrono::DateTime<chrono::Utc>,
    /// The event's description.
    pub description: String,
    /// Why stretching is paused, while a warning sign blocks plans: the events say so.
    pub paused: Option<String>,
}
