//! A person's saved preferences: where it hurts, where they can stretch, how long, which
//! dose style, and their goal.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::vocab::{Area, Condition, DoseStyle, EasedBy, Place};

/// How often to stretch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Goal {
    /// Every day.
    Daily,
    /// At least this many sessions a week (1-7).
    PerWeek(u8),
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::Daily => f.write_str("daily"),
            Goal::PerWeek(n) => write!(f, "{n}/week"),
        }
    }
}

/// A goal that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown goal `{0}`; use `daily` or a number of sessions a week from 1 to 7, like `3/week`"
)]
pub struct BadGoal(pub String);

impl FromStr for Goal {
    type Err = BadGoal;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        if matches!(t.as_str(), "daily" | "every-day" | "every day" | "7/week") {
            return Ok(Goal::Daily);
        }
        let num: String = t.chars().take_while(char::is_ascii_digit).collect();
        let rest = t[num.len()..].trim_start_matches(['x', ' ', '-']);
        let per_week = [
            "/week",
            "/wk",
            "per week",
            "per-week",
            "a week",
            "times a week",
        ];
        match num.parse::<u8>() {
            Ok(n @ 1..=6) if per_week.contains(&rest) => Ok(Goal::PerWeek(n)),
            _ => Err(BadGoal(s.to_string())),
        }
    }
}

impl Serialize for Goal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Goal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Goal {
    /// Sessions a week the goal asks for.
    pub fn per_week(self) -> u32 {
        match self {
            Goal::Daily => 7,
            Goal::PerWeek(n) => u32::from(n),
        }
    }
}

/// A saved profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Areas, the primary first.
    pub areas: Vec<Area>,
    /// Places the person can stretch in.
    pub places: Vec<Place>,
    /// Minutes per session.
    pub minutes: u32,
    /// Dose style.
    pub style: DoseStyle,
    /// How often.
    pub goal: Goal,
    /// Exercises never to plan.
    pub exclude: Vec<String>,
    /// Exercises put back after they were left out for hurting, with the day they were put
    /// back (only later hurts count against them).
    pub allowed: std::collections::BTreeMap<String, chrono::NaiveDate>,
    /// Health conditions that rule some exercises out (absent in profiles saved before
    /// they were asked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Which movement eases lower-back pain, once asked (absent until then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eased_by: Option<EasedBy>,
    /// Moments of the day, each its own routine: "morning" in bed, "desk" on a chair.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub moments: Vec<Moment>,
    /// Desk breaks a working day (`break`), counted apart from routines; none means no goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaks: Option<u32>,
    /// The day of the last weekly review answered ([`crate::coach`]): the next is due a week
    /// on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<chrono::NaiveDate>,
    /// An easier week asked for at a review: every exercise a stage lower until this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub easier_until: Option<chrono::NaiveDate>,
}

/// A moment of the day with its own places, minutes and times: people stretch in bed in the
/// morning and on a chair at work, not both in one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    /// Its name: lowercase letters, digits and dashes (`morning`, `desk`).
    pub name: String,
    /// Where.
    pub places: Vec<Place>,
    /// How long.
    pub minutes: u32,
    /// When, `HH:MM` (one or more; the reminders' times).
    #[serde(with = "hh_mm")]
    pub times: Vec<chrono::NaiveTime>,
}

impl Moment {
    /// Checks a moment's name: what was wrong, in words.
    pub fn check_name(name: &str) -> Result<(), String> {
        let ok = !name.is_empty()
            && name.len() <= 24
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.starts_with('-');
        if ok {
            Ok(())
        } else {
            Err(format!(
                "`{name}` cannot name a moment; use up to 24 lowercase letters, digits and \
                 dashes, like morning or desk"
            ))
        }
    }
}

/// The moment whose time is nearest `now` on the clock (around midnight too: 23:30 is near
/// 00:15), the earlier on a tie; none without moments.
pub fn nearest_moment(moments: &[Moment], now: chrono::NaiveTime) -> Option<&Moment> {
    use chrono::Timelike;
    let minute = |t: chrono::NaiveTime| i64::from(t.hour() * 60 + t.minute());
    let distance = |t: chrono::NaiveTime| {
        let d = (minute(t) - minute(now)).rem_euclid(24 * 60);
        d.min(24 * 60 - d)
    };
    moments
        .iter()
        .filter_map(|m| {
            m.times
                .iter()
                .map(|t| (distance(*t), *t, m))
                .min_by_key(|x| (x.0, x.1))
        })
        .min_by_key(|(d, t, _)| (*d, *t))
        .map(|(_, _, m)| m)
}

/// Times kept as `HH:MM`.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(times: &[NaiveTime], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(times.iter().map(|t| t.format("%H:%M").to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveTime>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| crate::schedule::parse_time(t).map_err(serde::de::Error::custom))
            .collect()
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            areas: Vec::new(),
            places: Vec::new(),
            minutes: 10,
            style: DoseStyle::Source,
            goal: Goal::Daily,
            exclude: Vec::new(),
            allowed: std::collections::BTreeMap::new(),
            conditions: Vec::new(),
            eased_by: None,
            moments: Vec::new(),
            breaks: None,
            reviewed_on: None,
            easier_until: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_parse_in_several_spellings() {
        assert_eq!("daily".parse(), Ok(Goal::Daily));
        assert_eq!("3/week".parse(), Ok(Goal::PerWeek(3)));
        assert_eq!("3x/week".parse(), Ok(Goal::PerWeek(3)));
        assert_eq!("2 per week".parse(), Ok(Goal::PerWeek(2)));
        assert_eq!("7/week".parse(), Ok(Goal::Daily));
        assert!("9/week".parse::<Goal>().is_err());
        assert!("often".parse::<Goal>().is_err());
        assert_eq!(Goal::PerWeek(3).to_string(), "3/week");
    }

    #[test]
    fn moments_keep_their_times_and_the_nearest_is_found_around_midnight() {
        let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let moment = |name: &str, times: Vec<chrono::NaiveTime>| Moment {
            name: name.into(),
            places: vec![Place::Bed],
            minutes: 10,
            times,
        };
        let ms = vec![
            moment("morning", vec![t(7, 30)]),
            moment("desk", vec![t(11, 0), t(15, 0)]),
            moment("night", vec![t(22, 30)]),
        ];
        let near = |h, m| nearest_moment(&ms, t(h, m)).unwrap().name.clone();
        assert_eq!(near(6, 0), "morning");
        assert_eq!(near(9, 15), "morning");
        assert_eq!(near(9, 16), "desk");
        assert_eq!(near(16, 0), "desk");
        assert_eq!(near(1, 0), "night");
        assert_eq!(nearest_moment(&[], t(1, 0)), None);
        let p = Profile {
            moments: ms.clone(),
            breaks: Some(4),
            ..Profile::default()
        };
        let j = serde_json::to_string(&p).unwrap();
        assert!(j.contains(r#""times":["11:00","15:00"]"#), "{j}");
        assert_eq!(serde_json::from_str::<Profile>(&j).unwrap(), p);
        let bad = j.replace("22:30", "25:00");
        assert!(serde_json::from_str::<Profile>(&bad).is_err());
        assert!(Moment::check_name("desk-2").is_ok());
        for bad in ["", "Desk", "my desk", "-x", "a/b", &"x".repeat(25)] {
            assert!(
                Moment::check_name(bad).unwrap_err().contains("morning"),
                "{bad}"
            );
        }
    }

    #[test]
    fn profile_json_round_trips_and_fills_missing_fields() {
        let p = Profile {
            areas: vec![Area::Neck],
            places: vec![Place::Chair],
            ..Profile::default()
        };
        let j = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Profile>(&j).unwrap(), p);
        let old: Profile = serde_json::from_str(r#"{"areas":["neck"]}"#).unwrap();
        assert_eq!(old.minutes, 10);
        assert!(old.conditions.is_empty());
        assert_eq!(old.eased_by, None);
        let p = Profile {
            conditions: vec![Condition::Osteoporosis, Condition::Pregnancy],
            eased_by: Some(EasedBy::Back),
            ..p
        };
        let j = serde_json::to_string(&p).unwrap();
        assert!(
            j.contains(r#""conditions":["osteoporosis","pregnancy"],"eased_by":"back""#),
            "{j}"
        );
        assert_eq!(serde_json::from_str::<Profile>(&j).unwrap(), p);
    }
}
