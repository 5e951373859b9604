//! The function measure: the Patient-Specific Functional Scale (PSFS).
//!
//! The person names up to three activities their back or neck makes hard to do, and rates how
//! well they can do each today from 0 (cannot do it at all) to 10 (as well as before the
//! problem began). The score of a record is the mean of its activities' scores (Stratford,
//! Gill, Westaway and Binkley, "Assessing disability and change on individual patients: a
//! report of a patient specific measure", Physiotherapy Canada 47(4), 1995). The scale is free
//! to use.
//!
//! What a change means: the scale's authors give 2 points on the mean score (and 3 on a single
//! activity) as the smallest change beyond measurement error, at 90% confidence (Stratford et
//! al. 1995); later work in primary-care physiotherapy found a change of about 2 points both
//! detectable and important to patients (Moseng, Tveter, Holm and Dagfinrud, Fysioterapeuten
//! 80(2), 2013). [`summary`] uses 2 points on the mean, and claims no more: a smaller change
//! may be real for one person, and a larger one is not proof of what caused it.

use serde::{Deserialize, Serialize};

use crate::exchange::{BadValue, CLOCK_SKEW_S, MAX_ID_CHARS, sane_id};
use crate::time::Stamp;

/// The most activities a record holds (the published form asks for up to three).
pub const MAX_ACTIVITIES: usize = 3;
/// The longest activity name, in characters: a few words, not a diary.
pub const MAX_ACTIVITY_CHARS: usize = 60;
/// The highest score: able to do the activity as well as before the problem.
pub const MAX_SCORE: u8 = 10;
/// The change in the mean score that counts as beyond measurement error and worth noticing
/// (Stratford et al. 1995; Moseng et al. 2013): 2 points.
pub const MEANINGFUL_CHANGE: f64 = 2.0;

/// One activity and how well the person can do it today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionItem {
    /// The activity, in the person's words ("carrying shopping").
    pub activity: String,
    /// 0 (unable) to 10 (as before the problem).
    pub score: u8,
}

/// One PSFS record: when, and up to three activities with their scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionRecord {
    /// Its id (a UUID), unique in the person's log.
    pub uid: String,
    /// When it was scored.
    pub at: Stamp,
    /// One to three activities, in the order the person gave them.
    pub items: Vec<FunctionItem>,
}

/// What is wrong with a record's activities or scores, worded for the person to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadFunction {
    #[error("no activity given: name one to three activities your back or neck makes hard")]
    NoActivity,
    #[error(
        "{0} activities given: the scale takes at most {MAX_ACTIVITIES}; keep the ones that matter most"
    )]
    TooMany(usize),
    #[error("an activity's name is empty: say what the activity is, in a few words")]
    EmptyName,
    #[error(
        "the activity `{0}...` is {1} characters long: name it in at most {MAX_ACTIVITY_CHARS} characters"
    )]
    LongName(String, usize),
    #[error("the activity `{0}` holds a control character: type it as plain text")]
    Control(String),
    #[error("`{0}` is named twice: name each activity once")]
    Twice(String),
    #[error(
        "`{activity}` is scored {score}: give a whole number from 0 (unable to do it) to 10 (as well as before the problem)"
    )]
    Score { activity: String, score: i64 },
}

impl FunctionItem {
    /// An activity and its score, checked: a name of 1 to [`MAX_ACTIVITY_CHARS`] characters
    /// without control characters (trimmed, inner spaces kept), and a score from 0 to 10. A
    /// score out of range is refused, never clamped.
    pub fn new(activity: &str, score: i64) -> Result<FunctionItem, BadFunction> {
        let name = activity.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(BadFunction::EmptyName);
        }
        if activity.chars().any(crate::text::is_hidden_control) {
            return Err(BadFunction::Control(
                activity.chars().filter(|c| !c.is_control()).collect(),
            ));
        }
        let n = name.chars().count();
        if n > MAX_ACTIVITY_CHARS {
            return Err(BadFunction::LongName(name.chars().take(30).collect(), n));
        }
        let score =
            u8::try_from(score)
                .ok()
                .filter(|s| *s <= MAX_SCORE)
                .ok_or(BadFunction::Score {
                    activity: name.clone(),
                    score,
                })?;
        Ok(FunctionItem {
            activity: name,
            score,
        })
    }
}

impl FunctionRecord {
    /// A record of `items` at `at`, checked: one to [`MAX_ACTIVITIES`] activities, each valid
    /// ([`FunctionItem::new`]) and named once (ignoring case).
    pub fn new(
        uid: String,
        at: Stamp,
        items: &[(String, i64)],
    ) -> Result<FunctionRecord, BadFunction> {
        if items.is_empty() {
            return Err(BadFunction::NoActivity);
        }
        if items.len() > MAX_ACTIVITIES {
            return Err(BadFunction::TooMany(items.len()));
        }
        let mut checked: Vec<FunctionItem> = Vec::with_capacity(items.len());
        for (name, score) in items {
            let item = FunctionItem::new(name, *score)?;
            if checked
                .iter()
                .any(|c| c.activity.to_lowercase() == item.activity.to_lowercase())
            {
                return Err(BadFunction::Twice(item.activity));
            }
            checked.push(item);
        }
        Ok(FunctionRecord {
            uid,
            at,
            items: checked,
        })
    }

    /// The PSFS score: the mean of the activities' scores (0 when there are none, which a
    /// checked record never is).
    pub fn mean(&self) -> f64 {
        if self.items.is_empty() {
            return 0.0;
        }
        let sum: u32 = self.items.iter().map(|i| u32::from(i.score)).sum();
        f64::from(sum) / self.items.len() as f64
    }

    /// Checked, as `function[i]` of an exchange file: a sane uid, a time not in the future
    /// (as of `now`), and the activities and scores [`FunctionRecord::new`] accepts.
    pub fn checked(&self, i: usize, now: Stamp) -> Result<(), BadValue> {
        let bad = |field: &str, problem: String| BadValue {
            path: format!("function[{i}].{field}"),
            problem,
        };
        if !sane_id(&self.uid) {
            return Err(bad(
                "uid",
                format!("it is not an id (1-{MAX_ID_CHARS} letters, digits, - _ . : @)"),
            ));
        }
        if self.at.utc_s > now.utc_s + CLOCK_SKEW_S {
            return Err(bad("at", format!("{} is in the future", self.at)));
        }
        let items: Vec<(String, i64)> = self
            .items
            .iter()
            .map(|x| (x.activity.clone(), i64::from(x.score)))
            .collect();
        match FunctionRecord::new(self.uid.clone(), self.at, &items) {
            Ok(r) if r.items == self.items => Ok(()),
            Ok(_) => Err(bad(
                "items",
                "an activity's name has spaces at its ends or in a row".into(),
            )),
            Err(e) => Err(bad("items", e.to_string())),
        }
    }
}

/// A PSFS score on a day, for the charts and the summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FunctionPoint {
    /// When it was scored.
    pub at: Stamp,
    /// The mean score, 0-10, to one decimal.
    pub mean: f64,
}

/// Which way the mean has moved since the first record, against [`MEANINGFUL_CHANGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FunctionTrend {
    /// Up by 2 points or more: a change beyond measurement error, for the better.
    Better,
    /// Down by 2 points or more.
    Worse,
    /// Within 2 points either way: no change the scale can tell from noise.
    Steady,
}

/// The function measure as `stats` shows it: the first record against the latest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionSummary {
    /// How many records.
    pub records: usize,
    /// The first record's mean.
    pub first: FunctionPoint,
    /// The latest record's mean.
    pub latest: FunctionPoint,
    /// `latest - first`, to one decimal (positive is better).
    pub change: f64,
    /// What the change comes to against 2 points.
    pub trend: FunctionTrend,
    /// Whether the latest record scores the same activities as the first (the comparison
    /// the scale was made for; with other activities the means compare less well).
    pub same_activities: bool,
    /// The latest record's activities and scores.
    pub items: Vec<FunctionItem>,
}

/// A number to one decimal.
fn tenths(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The summary of records given oldest first (as a store returns them); none without any.
/// The trend compares the unrounded means.
pub fn summary(records: &[FunctionRecord]) -> Option<FunctionSummary> {
    let first = records.first()?;
    let latest = records.last()?;
    let change = latest.mean() - first.mean();
    // A hair of slack, so a change of exactly 2 (6.67 - 4.67) counts whatever the rounding.
    let trend = if change >= MEANINGFUL_CHANGE - 1e-9 {
        FunctionTrend::Better
    } else if change <= -MEANINGFUL_CHANGE + 1e-9 {
        FunctionTrend::Worse
    } else {
        FunctionTrend::Steady
    };
    let names = |r: &FunctionRecord| {
        let mut v: Vec<String> = r.items.iter().map(|i| i.activity.to_lowercase()).collect();
        v.sort();
        v
    };
    Some(FunctionSummary {
        records: records.len(),
        first: point(first),
        latest: point(latest),
        change: tenths(change),
        trend,
        same_activities: names(first) == names(latest),
        items: latest.items.clone(),
    })
}

/// A record's mean on its day.
pub fn point(r: &FunctionRecord) -> FunctionPoint {
    FunctionPoint {
        at: r.at,
        mean: tenths(r.mean()),
    }
}

/// Parses `activity=score` as `function set` takes it: the score after the last `=`, a whole
/// number; the activity before it.
pub fn parse_item(text: &str) -> Result<(String, i64), BadItemText> {
    let Some((name, score)) = text.rsplit_once('=') else {
        return Err(BadItemText::NoScore(text.to_string()));
    };
    let score = score.trim();
    let n = score
        .parse::<i64>()
        .map_err(|_| BadItemText::NotANumber(text.to_string(), score.to_string()))?;
    Ok((name.to_string(), n))
}

/// What is wrong with an `activity=score` argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadItemText {
    #[error(
        "`{0}` has no score: write the activity, `=`, and a score from 0 to 10, as in \"carrying shopping=4\""
    )]
    NoScore(String),
    #[error(
        "`{0}`: the score `{1}` is not a whole number; give 0 (unable to do it) to 10 (as well as before the problem)"
    )]
    NotANumber(String, String),
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(day: u32) -> Stamp {
        Stamp::parse(&format!("2026-11-{day:02}T09:00:00+01:00")).unwrap()
    }

    fn record(day: u32, items: &[(&str, i64)]) -> FunctionRecord {
        let items: Vec<(String, i64)> = items.iter().map(|(n, s)| ((*n).into(), *s)).collect();
        FunctionRecord::new(format!("r{day}"), at(day), &items).unwrap()
    }

    #[test]
    fn the_score_is_the_mean_of_the_activities() {
        let r = record(
            1,
            &[
                ("carrying shopping", 4),
                ("sitting an hour", 6),
                ("sleep", 5),
            ],
        );
        assert!((r.mean() - 5.0).abs() < 1e-9);
        assert!((record(2, &[("gardening", 3), ("driving", 4)]).mean() - 3.5).abs() < 1e-9);
    }

    #[test]
    fn bad_input_is_refused_with_what_to_do_never_clamped() {
        let one = |name: &str, score: i64| FunctionItem::new(name, score);
        assert_eq!(one("  ", 3), Err(BadFunction::EmptyName));
        assert!(matches!(
            one("sitting", 11),
            Err(BadFunction::Score { score: 11, .. })
        ));
        assert!(matches!(
            one("sitting", -1),
            Err(BadFunction::Score { score: -1, .. })
        ));
        assert!(matches!(
            one(&"x".repeat(61), 3),
            Err(BadFunction::LongName(_, 61))
        ));
        assert!(matches!(
            one("sit\u{7}ting", 3),
            Err(BadFunction::Control(_))
        ));
        assert_eq!(
            one(" lifting   the  kettle ", 7).unwrap().activity,
            "lifting the kettle"
        );
        let many: Vec<(String, i64)> = (0..4).map(|i| (format!("a{i}"), 5)).collect();
        assert_eq!(
            FunctionRecord::new("u".into(), at(1), &many),
            Err(BadFunction::TooMany(4))
        );
        assert_eq!(
            FunctionRecord::new("u".into(), at(1), &[]),
            Err(BadFunction::NoActivity)
        );
        let twice = [("Driving".to_string(), 3), ("driving".to_string(), 4)];
        assert!(matches!(
            FunctionRecord::new("u".into(), at(1), &twice),
            Err(BadFunction::Twice(_))
        ));
        let msg = one("sitting", 12).unwrap_err().to_string();
        assert!(
            msg.contains("sitting") && msg.contains("0") && msg.contains("10"),
            "{msg}"
        );
    }

    #[test]
    fn the_summary_compares_the_first_and_latest_means_against_two_points() {
        assert_eq!(summary(&[]), None);
        let first = record(1, &[("carrying shopping", 3), ("sitting an hour", 4)]);
        let steady = record(8, &[("carrying shopping", 4), ("sitting an hour", 4)]);
        let better = record(15, &[("sitting an hour", 6), ("carrying shopping", 5)]);
        let s = summary(&[first.clone(), steady.clone()]).unwrap();
        assert_eq!(
            (s.trend, s.change, s.records),
            (FunctionTrend::Steady, 0.5, 2)
        );
        let s = summary(&[first.clone(), steady, better]).unwrap();
        assert_eq!((s.trend, s.change), (FunctionTrend::Better, 2.0));
        assert!(s.same_activities);
        assert_eq!((s.first.mean, s.latest.mean), (3.5, 5.5));
        let worse = record(20, &[("gardening", 1)]);
        let s = summary(&[first, worse]).unwrap();
        assert_eq!(s.trend, FunctionTrend::Worse);
        assert!(!s.same_activities);
    }

    #[test]
    fn items_parse_from_activity_equals_score() {
        assert_eq!(
            parse_item("carrying shopping=4"),
            Ok(("carrying shopping".into(), 4))
        );
        assert_eq!(parse_item("a=b = 7"), Ok(("a=b ".into(), 7)));
        assert!(matches!(
            parse_item("sitting"),
            Err(BadItemText::NoScore(_))
        ));
        assert!(matches!(
            parse_item("sitting=six"),
            Err(BadItemText::NotANumber(..))
        ));
        assert_eq!(parse_item("sitting=12"), Ok(("sitting".into(), 12)));
    }

    #[test]
    fn an_exchange_record_is_checked_like_a_new_one() {
        let now = at(20);
        let good = record(1, &[("walking", 5)]);
        assert_eq!(good.checked(0, now), Ok(()));
        let mut bad = good.clone();
        bad.items[0].score = 12;
        assert_eq!(bad.checked(3, now).unwrap_err().path, "function[3].items");
        let mut future = good.clone();
        future.at = at(28);
        assert_eq!(future.checked(0, now).unwrap_err().path, "function[0].at");
        let mut uid = good;
        uid.uid = "no spaces allowed".into();
        assert_eq!(uid.checked(0, now).unwrap_err().path, "function[0].uid");
    }

    proptest! {
        #[test]
        fn every_valid_record_has_a_mean_within_its_scores(scores in prop::collection::vec(0i64..=10, 1..=3)) {
            let items: Vec<(String, i64)> = scores.iter().enumerate().map(|(i, s)| (format!("activity {i}"), *s)).collect();
            let r = FunctionRecord::new("u".into(), at(1), &items).unwrap();
            let (lo, hi) = (*scores.iter().min().unwrap() as f64, *scores.iter().max().unwrap() as f64);
            prop_assert!(r.mean() >= lo && r.mean() <= hi);
        }

        #[test]
        fn scores_outside_zero_to_ten_are_always_refused(score in prop_oneof![i64::MIN..0i64, 11i64..i64::MAX]) {
            let refused = matches!(FunctionItem::new("walking", score), Err(BadFunction::Score { .. }));
            prop_assert!(refused);
        }
    }
}
