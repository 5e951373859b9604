//! When to remind: the days and times of a reminder, the next time it fires in any time zone
//! (through daylight-saving changes), working hours, whether a day still wants a reminder, and
//! the desk-break clock that counts active minutes and resets when the person steps away.
//!
//! Pure: the caller passes the time now, the time zone and how long the person has been idle.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Weekday};

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// A set of weekdays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Days(u8);

impl Days {
    /// Every day of the week.
    pub const EVERY: Days = Days(0b111_1111);
    /// Monday to Friday.
    pub const WORKDAYS: Days = Days(0b001_1111);

    /// The days listed (none listed: every day, as the calendar export has it).
    pub fn of(days: &[Weekday]) -> Days {
        if days.is_empty() {
            return Days::EVERY;
        }
        Days(days.iter().fold(0, |m, d| m | bit(*d)))
    }

    /// Whether `d` is one of them.
    pub fn contains(self, d: Weekday) -> bool {
        self.0 & bit(d) != 0
    }

    /// The days, Monday first.
    pub fn list(self) -> Vec<Weekday> {
        WEEK.into_iter().filter(|d| self.contains(*d)).collect()
    }

    /// Whether every day is in.
    pub fn is_every(self) -> bool {
        self == Days::EVERY
    }
}

fn bit(d: Weekday) -> u8 {
    1 << d.num_days_from_monday()
}

impl fmt::Display for Days {
    /// `every day`, `mon-fri`, `mon,wed,fri`: what [`Days::from_str`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_every() {
            return f.write_str("every day");
        }
        let list = self.list();
        if let (Some(first), Some(last)) = (list.first(), list.last()) {
            let span = last.num_days_from_monday() - first.num_days_from_monday() + 1;
            if list.len() > 2 && list.len() == span as usize {
                return write!(f, "{}-{}", short(*first), short(*last));
            }
        }
        let names: Vec<&str> = list.into_iter().map(short).collect();
        f.write_str(&names.join(","))
    }
}

fn short(d: Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][d.num_days_from_monday() as usize]
}

/// Days that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a set of days; use day names like mon,wed,fri, a range like mon-fri, \
     or `every day`, `weekdays` or `weekends`"
)]
pub struct BadDays(pub String);

impl FromStr for Days {
    type Err = BadDays;
    /// `mon-fri`, `mon,wed,fri`, `sat-sun`, `fri-mon` (across the weekend), `daily`,
    /// `every day`, `weekdays`, `weekends`; day names may be written out.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDays(s.to_string());
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "daily" | "every day" | "every-day" | "everyday" | "all" => return Ok(Days::EVERY),
            "weekdays" | "workdays" => return Ok(Days::WORKDAYS),
            "weekends" | "weekend" => return Ok(Days(bit(Weekday::Sat) | bit(Weekday::Sun))),
            _ => {}
        }
        let mut mask = 0;
        for part in t.split([',', ' ']).filter(|p| !p.is_empty()) {
            let day = |p: &str| p.trim().parse::<Weekday>().map_err(|_| bad());
            match part.split_once('-') {
                Some((a, b)) => {
                    let (mut d, end) = (day(a)?, day(b)?);
                    mask |= bit(d);
                    while d != end {
                        d = d.succ();
                        mask |= bit(d);
                    }
                }
                None => mask |= bit(day(part)?),
            }
        }
        if mask == 0 {
            return Err(bad());
        }
        Ok(Days(mask))
    }
}

/// Reads a time of day, `HH:MM` on a 24-hour clock.
pub fn parse_time(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| format!("`{s}` is not a time; use HH:MM on a 24-hour clock, like 07:30"))
}

/// Reads a length of time in whole minutes: `45m`, `45`, `1h`, `1h30m`, `90min`.
pub fn parse_minutes(s: &str) -> Result<u32, String> {
    let bad =
        || format!("`{s}` is not a length of time; write minutes or hours, like 45m or 1h30m");
    let t = s.trim().to_ascii_lowercase().replace(' ', "");
    if t.is_empty() {
        return Err(bad());
    }
    let (mut total, mut num) = (0u32, String::new());
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u32 = num.parse().map_err(|_| bad())?;
        num.clear();
        let unit: String = std::iter::once(c)
            .chain(std::iter::from_fn(|| {
                chars.next_if(char::is_ascii_alphabetic)
            }))
            .collect();
        let per = match unit.as_str() {
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            "m" | "min" | "mins" | "minute" | "minutes" => 1,
            _ => return Err(bad()),
        };
        total = n
            .checked_mul(per)
            .and_then(|x| total.checked_add(x))
            .ok_or_else(bad)?;
    }
    if !num.is_empty() {
        total = total
            .checked_add(num.parse::<u32>().map_err(|_| bad())?)
            .ok_or_else(bad)?;
    }
    Ok(total)
}

/// The next instant after `after` that a reminder at `times` on `days` fires, in `after`'s
/// time zone. A time that a daylight-saving change skips that day fires at the first instant
/// after the gap (late rather than never); a time that happens twice fires at the first.
/// `None` only when `times` is empty.
pub fn next_fire<Tz: TimeZone>(
    after: &DateTime<Tz>,
    times: &[NaiveTime],
    days: Days,
) -> Option<DateTime<Tz>> {
    let tz = after.timezone();
    let today = after.date_naive();
    // Eight days always reach the next chosen day, even when today's time has passed.
    (0..=8)
        .filter_map(|d| today.checked_add_signed(Duration::days(d)))
        .filter(|date| days.contains(date.weekday()))
        .flat_map(|date| times.iter().map(move |t| (date, *t)))
        .filter_map(|(date, t)| local_instant(&tz, date, t))
        .filter(|at| at > after)
        .min()
}

/// The instant a wall-clock time on `date` happens in `tz`: the first of two, or the end of a
/// gap it falls in.
pub fn local_instant<Tz: TimeZone>(tz: &Tz, date: NaiveDate, t: NaiveTime) -> Option<DateTime<Tz>> {
    let local = date.and_time(t);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
        // In a gap: the first whole minute after it (gaps last minutes to hours).
        LocalResult::None => (1..=24 * 60).find_map(|m| {
            match tz.from_local_datetime(&(local + Duration::minutes(m))) {
                LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
                LocalResult::None => None,
            }
        }),
    }
}

/// Working hours: from `start` until `end` on `days`. An `end` before `start` runs over
/// midnight (a night shift), and belongs to the day it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// When the working day starts.
    pub start: NaiveTime,
    /// When it ends (not included).
    pub end: NaiveTime,
}

impl FromStr for Hours {
    type Err = String;
    /// `09:00-17:30`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            |why: String| format!("`{s}` is not working hours: {why}; write them like 09:00-17:30");
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| bad("there is no `-` between the start and the end".into()))?;
        let (start, end) = (parse_time(a).map_err(bad)?, parse_time(b).map_err(bad)?);
        if start == end {
            return Err(bad("the start and the end are the same".into()));
        }
        Ok(Hours { start, end })
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

impl Hours {
    /// Whether the local wall-clock time `at` is within the hours of one of `days`.
    pub fn contains(&self, at: chrono::NaiveDateTime, days: Days) -> bool {
        let t = at.time();
        if self.start < self.end {
            days.contains(at.weekday()) && self.start <= t && t < self.end
        } else if t >= self.start {
            days.contains(at.weekday())
        } else {
            t < self.end && days.contains(at.weekday().pred())
        }
    }
}

/// Whether a reminder speaks today, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nudge {
    /// Remind: nothing done yet today.
    Remind,
    /// A warning sign blocks routines: say why there is none.
    Blocked,
    /// Say nothing: the person skipped today.
    Skipped,
    /// Say nothing: today's session is done.
    Done,
}

/// What a reminder on `today` does, given whether a session that counts was done today, the
/// day the person last chose "skip today", and whether a warning sign blocks routines.
pub fn nudge(
    today: NaiveDate,
    done_today: bool,
    skipped_on: Option<NaiveDate>,
    blocked: bool,
) -> Nudge {
    if skipped_on == Some(today) {
        Nudge::Skipped
    } else if done_today {
        Nudge::Done
    } else if blocked {
        Nudge::Blocked
    } else {
        Nudge::Remind
    }
}

/// Counts a person's active time at the desk between breaks. It is fed, every poll, the
/// instant and how long the person has been idle; time away from the keyboard for
/// `reset_s` or more counts as a break and starts the count again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakClock {
    /// Active seconds between offers.
    pub every_s: u32,
    /// Idle seconds that count as a break.
    pub reset_s: u32,
    active_s: u32,
    last: Option<i64>,
}

/// What the clock says after a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// Still counting: this many active seconds so far.
    Counting(u32),
    /// Time for a break.
    Due,
    /// The person was away long enough: the count starts again.
    Rested,
    /// Outside working hours: nothing counts.
    OffHours,
}

/// What the person did with an offered break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// They took it (or started it).
    Took,
    /// Not this one: the count starts again.
    Skipped,
    /// Ask again after this many seconds of activity.
    Snoozed(u32),
}

impl BreakClock {
    /// A clock that offers a break every `every_s` active seconds, reset by `reset_s` idle.
    pub fn new(every_s: u32, reset_s: u32) -> BreakClock {
        BreakClock {
            every_s: every_s.max(1),
            reset_s: reset_s.max(1),
            active_s: 0,
            last: None,
        }
    }

    /// Active seconds counted since the last break.
    pub fn active_s(&self) -> u32 {
        self.active_s
    }

    /// One poll at `now_s` (seconds on any steady scale): `idle_s` is how long since the last
    /// key or mouse input (`None` when the system cannot tell: then all time counts). The time
    /// since the last poll counts as active when there was input in it. Given too is
    /// whether now is within working hours. A gap between polls of `reset_s` or more (the
    /// computer slept) is a break too.
    pub fn observe(&mut self, now_s: i64, idle_s: Option<u32>, in_hours: bool) -> Tick {
        let elapsed = self.last.map_or(0, |l| now_s.saturating_sub(l).max(0));
        self.last = Some(now_s);
        let elapsed = u32::try_from(elapsed).unwrap_or(u32::MAX);
        if !in_hours {
            self.active_s = 0;
            return Tick::OffHours;
        }
        if idle_s.is_some_and(|i| i >= self.reset_s) || elapsed >= self.reset_s {
            self.active_s = 0;
            return Tick::Rested;
        }
        // Input since the last poll: the whole interval counts (a pause shorter than a break
        // is part of working); none since, and it does not.
        let active = if idle_s.is_none_or(|i| i < elapsed) {
            elapsed
        } else {
            0
        };
        self.active_s = self.active_s.saturating_add(active);
        if self.active_s >= self.every_s {
            Tick::Due
        } else {
            Tick::Counting(self.active_s)
        }
    }

    /// The person answered an offer.
    pub fn answered(&mut self, a: Answer) {
        self.active_s = match a {
            Answer::Took | Answer::Skipped => 0,
            Answer::Snoozed(s) => self.every_s.saturating_sub(s.min(self.every_s)),
        };
    }
}

#[cfg(test)]
mod tests;
