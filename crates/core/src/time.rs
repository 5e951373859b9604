//! Instants as the log keeps them: a UTC instant, and the UTC offset in force where and when it
//! was taken. Ordering is by the instant, so two sessions either side of a clock change (the
//! autumn fall-back hour repeats local times) keep their true order; the offset gives the
//! local day and the local time a person read on their clock.
//!
//! Nothing here reads the clock: a front end reads it once per command and passes it down.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The earliest date the log accepts: nothing could have been logged before backstretch.
pub const EARLIEST_YEAR: i32 = 2000;

/// An instant with its local offset.
///
/// Fields are ordered so that the derived ordering compares the instant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub utc_s: i64,
    /// The offset from UTC in force when it was taken, in seconds east.
    pub offset_s: i32,
}

/// Text that is not an RFC 3339 time, or an offset that cannot be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an RFC 3339 time with an offset, like 2026-11-21T09:00:00+01:00")]
pub struct BadStamp(pub String);

impl Stamp {
    /// The stamp of a local date and time.
    pub fn from_datetime<Tz: TimeZone>(t: &DateTime<Tz>) -> Stamp {
        Stamp {
            utc_s: t.timestamp(),
            offset_s: t.offset().fix().local_minus_utc(),
        }
    }

    /// The stamp `seconds` later, at the same offset.
    pub fn plus_seconds(self, seconds: i64) -> Stamp {
        Stamp {
            utc_s: self.utc_s.saturating_add(seconds),
            ..self
        }
    }

    /// Reads an RFC 3339 time with its offset.
    pub fn parse(text: &str) -> Result<Stamp, BadStamp> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| Stamp::from_datetime(&t))
            .map_err(|_| BadStamp(text.to_string()))
    }

    /// The time as it read on the local clock then.
    pub fn local(self) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(self.offset_s).unwrap_or(Utc.fix());
        let utc = DateTime::<Utc>::from_timestamp(self.utc_s, 0).unwrap_or_default();
        utc.with_timezone(&offset)
    }

    /// The first instant that falls on a local day anywhere (UTC+14 reaches a day first),
    /// at UTC: a bound for a query of the sessions on or after that day, whatever their
    /// offsets.
    pub fn earliest_on(day: NaiveDate) -> Stamp {
        Stamp {
            utc_s: day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp() - 14 * 3600,
            offset_s: 0,
        }
    }

    /// The local day it falls on.
    pub fn day(self) -> NaiveDate {
        self.local().date_naive()
    }

    /// RFC 3339 with the local offset and whole seconds (`2026-11-21T09:00:00+01:00`).
    pub fn rfc3339(self) -> String {
        self.local().to_rfc3339_opts(SecondsFormat::Secs, false)
    }

    /// Seconds from `self` to `later` (negative when `later` is earlier).
    pub fn seconds_until(self, later: Stamp) -> i64 {
        later.utc_s - self.utc_s
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Stamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_rfc3339_with_its_offset() {
        for t in [
            "2026-11-21T09:00:00+00:00",
            "2026-10-25T01:30:00+01:00",
            "2026-03-29T23:59:59-05:30",
        ] {
            assert_eq!(Stamp::parse(t).unwrap().rfc3339(), t);
        }
        assert!(Stamp::parse("yesterday").is_err());
    }

    /// Every instant on a local day, at any offset, comes at or after `earliest_on` that day.
    #[test]
    fn the_earliest_instant_on_a_day_is_at_utc_plus_fourteen() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let first = Stamp::earliest_on(day);
        assert_eq!(
            Stamp::parse("2026-11-21T00:00:00+14:00").unwrap().utc_s,
            first.utc_s
        );
        for t in [
            "2026-11-21T00:00:00-12:00",
            "2026-11-21T00:00:00+00:00",
            "2026-11-21T23:59:59+14:00",
        ] {
            let s = Stamp::parse(t).unwrap();
            assert_eq!(s.day(), day);
            assert!(s >= first, "{t}");
        }
        assert!(Stamp::parse("2026-11-20T23:59:59+14:00").unwrap() < first);
    }

    #[test]
    fn orders_by_the_instant_across_the_autumn_fall_back() {
        // 01:30 BST is 00:30 UTC; 01:10 GMT, an hour later on the clock's second pass, is
        // 01:10 UTC. As text the first sorts after the second; as instants it comes first.
        let bst = Stamp::parse("2026-10-25T01:30:00+01:00").unwrap();
        let gmt = Stamp::parse("2026-10-25T01:10:00+00:00").unwrap();
        assert!(bst < gmt);
        assert!(bst.rfc3339() > gmt.rfc3339());
        assert_eq!(bst.day(), gmt.day());
    }

    #[test]
    fn the_local_day_follows_the_offset() {
        let late = Stamp::parse("2026-11-21T23:30:00-05:00").unwrap();
        assert_eq!(late.day(), NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
    }
}
