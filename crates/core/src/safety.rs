//! The safety rules: the disclaimer, the red-flag check, the pain traffic light, flares, and
//! exercises left out after they hurt.
//!
//! Sources, also in the README: red flags as cited in `safety/red-flags.toml`; the traffic
//! light from the pain-monitoring model (0-3 safe, 4-5 acceptable if it settles by the next
//! day, above 5 not acceptable; Silbernagel et al. 2007, and UK community physiotherapy
//! leaflets using the same bands); a flare is a rise of 2 points or more, the smallest
//! change on the 0-10 scale that counts clinically for back pain (Ostelo et al., Spine 2008).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::exercise::{Dose, Exercise};
use crate::time::Stamp;
use crate::timeline::TimelineItem;
use crate::vocab::Area;

/// The disclaimer's text. Change [`DISCLAIMER_VERSION`] whenever it changes, so that
/// everyone is asked to accept it again.
pub const DISCLAIMER: &str = "backstretch offers general education about stretching, not medical advice, a diagnosis or a treatment plan.
It does not know your body or your history. Check with your own doctor or physiotherapist before you start, and follow their advice over this program's.
Never stretch into pain: move slowly, do not bounce, and stop at once if anything hurts or feels wrong.
Seek medical help if warning signs appear; backstretch asks about them before planning a routine.";

/// The cauda equina warning signs in one line, shown at the start of every session and on
/// every printed routine (GIRFT asks that they be given at every contact).
pub const CES_LINE: &str = "Emergency, call 999 / 112 / 911 now: numbness between your legs or around your bottom, new trouble passing urine or controlling your bladder or bowels, or both legs newly weak or numb.";

/// The rule for every exercise, shown with each one's own cautions. It agrees with the
/// light: everyday pain that stays as it was is allowed, but pain that turns sharper, grows
/// past where it started, or spreads down a limb (with numbness, tingling or weakness) stops
/// the exercise.
pub const STOP_RULE: &str = "Stop if it is sharper, or worse than when you started, or if it spreads: pain, tingling, numbness or weakness down an arm or a leg.";

/// A shorter form of [`CES_LINE`] for narrow places (the player's frame).
pub const CES_SHORT: &str =
    "Numb groin, bladder or bowel change, both legs weak: emergency care now";

/// A red-flag check is asked again after this many days.
pub const SCREENING_VALID_DAYS: i64 = 28;

/// The disclaimer's version.
pub const DISCLAIMER_VERSION: u32 = 1;

/// How urgent a warning sign is, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// Worth telling a clinician; shown, never blocks.
    Advice,
    /// See a clinician within days.
    Soon,
    /// Get medical help today (urgent care, a same-day appointment).
    SameDay,
    /// Seek emergency care now.
    Emergency,
}

impl Urgency {
    /// What a sign at this level calls for, in a sentence or two.
    pub fn advice(self) -> &'static str {
        match self {
            Urgency::Emergency => EMERGENCY_ADVICE,
            Urgency::SameDay => {
                "Get medical help today: an urgent same-day appointment with your doctor, an urgent care centre, or your health line (NHS 111 in the UK). Do not stretch until you have been seen."
            }
            Urgency::Soon | Urgency::Advice => {
                "See a doctor soon, within the next few days, before you stretch. If it gets worse quickly, seek urgent care."
            }
        }
    }

    /// The word in data and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Advice => "advice",
            Urgency::Soon => "soon",
            Urgency::SameDay => "same-day",
            Urgency::Emergency => "emergency",
        }
    }
}

/// One red-flag question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlag {
    /// Stable id (answers name it).
    pub id: String,
    /// The question, answered yes or no.
    pub text: String,
    /// What a yes means.
    pub urgency: Urgency,
    /// Asked when one of these areas is requested; empty means always.
    pub areas: Vec<Area>,
    /// The sign, as the message names it.
    pub sign: String,
    /// What the guideline says, in our words.
    pub guideline: String,
    /// The guidelines behind it.
    pub sources: Vec<String>,
    /// Whether a check asks it (false for signs the player records when they happen).
    #[serde(default = "asked")]
    pub asked: bool,
    /// For a sign the player records: the question a later check asks about it (whether it
    /// is still there).
    #[serde(default)]
    pub recheck: Option<String>,
}

fn asked() -> bool {
    true
}

/// The sign the player records when pain spreads down a limb or brings numbness, tingling or
/// weakness during a session.
pub const SPREADING: &str = "spreading-symptoms";

/// What the player says when a session stops because pain spread down a limb, or numbness,
/// tingling or weakness appeared.
pub const SPREADING_STOPPED: &str = "Stopped: pain spread down a limb, or numbness, tingling or weakness appeared. That is logged. Please see a doctor or physiotherapist before your next session; backstretch plans nothing until a new check reports no warning sign. If both legs become weak or numb, or bladder or bowel control changes, seek emergency care now.";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedFlagFile {
    question: Vec<RedFlag>,
}

/// The red-flag questions file, embedded.
pub const RED_FLAGS_TOML: &str = include_str!("../../../safety/red-flags.toml");

/// The embedded red-flag file could not be read (a build defect, caught by its tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("safety/red-flags.toml: {0}")]
pub struct BadRedFlags(pub String);

static RED_FLAGS: LazyLock<Result<Vec<RedFlag>, BadRedFlags>> = LazyLock::new(|| {
    toml::from_str::<RedFlagFile>(RED_FLAGS_TOML)
        .map(|f| f.question)
        .map_err(|e| BadRedFlags(e.to_string()))
});

/// Every red-flag question, in order; the embedded file is parsed once.
pub fn red_flags() -> Result<&'static [RedFlag], BadRedFlags> {
    RED_FLAGS.as_ref().map(Vec::as_slice).map_err(Clone::clone)
}

/// The areas a red-flag check must cover for a routine serving `areas`: those areas, and the
/// neck whenever an exercise that works the neck may be planned for them (an `upper-back`
/// profile gets neck stretches, so it is asked the neck's warning signs too).
pub fn screened_areas(catalog: &Catalog, areas: &[Area]) -> Vec<Area> {
    let mut out = areas.to_vec();
    let neck_possible = catalog
        .serving(areas)
        .any(|e| e.areas.contains(&Area::Neck));
    if neck_possible && !out.contains(&Area::Neck) {
        out.push(Area::Neck);
    }
    out
}

/// The questions to ask for these areas: every general one, and the neck's when the neck is
/// among them.
pub fn questions_for<'a>(flags: &'a [RedFlag], areas: &[Area]) -> Vec<&'a RedFlag> {
    flags
        .iter()
        .filter(|f| f.asked && (f.areas.is_empty() || f.areas.iter().any(|a| areas.contains(a))))
        .collect()
}

/// The outcome of a red-flag check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No warning sign: stretching may go ahead.
    Clear,
    /// Warning signs were reported; the most urgent decides.
    Flagged {
        /// The highest urgency among the signs.
        urgency: Urgency,
        /// The signs reported, most urgent first.
        signs: Vec<RedFlag>,
    },
}

impl Verdict {
    /// The verdict's level as the log keeps it.
    pub fn level(&self) -> ScreeningVerdict {
        match self {
            Verdict::Clear => ScreeningVerdict::Clear,
            Verdict::Flagged {
                urgency: Urgency::Soon | Urgency::Advice,
                ..
            } => ScreeningVerdict::Soon,
            Verdict::Flagged {
                urgency: Urgency::SameDay,
                ..
            } => ScreeningVerdict::SameDay,
            Verdict::Flagged { .. } => ScreeningVerdict::Emergency,
        }
    }
}

/// A red-flag check's verdict as the log keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScreeningVerdict {
    /// No warning sign.
    Clear,
    /// A sign that calls for a clinician soon.
    Soon,
    /// A sign that calls for medical help today.
    SameDay,
    /// A sign that calls for emergency care.
    Emergency,
}

impl ScreeningVerdict {
    /// The word used in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            ScreeningVerdict::Clear => "clear",
            ScreeningVerdict::Soon => "soon",
            ScreeningVerdict::SameDay => "same-day",
            ScreeningVerdict::Emergency => "emergency",
        }
    }

    /// The verdict a word names.
    pub fn parse(word: &str) -> Option<ScreeningVerdict> {
        [
            ScreeningVerdict::Clear,
            ScreeningVerdict::Soon,
            ScreeningVerdict::SameDay,
            ScreeningVerdict::Emergency,
        ]
        .into_iter()
        .find(|v| v.as_str() == word)
    }
}

/// A red-flag check as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    pub at: Stamp,
    /// The areas it was asked for.
    pub areas: Vec<Area>,
    /// Question id to answer.
    pub answers: BTreeMap<String, bool>,
    pub verdict: ScreeningVerdict,
    /// After an emergency answer: whether the person said they had been assessed since (none
    /// when not asked).
    pub assessed: Option<bool>,
    /// Signs asked as "new, or worse, since a clinician checked it", with when it was checked.
    pub since: BTreeMap<String, Stamp>,
}

impl Screening {
    /// Whether its verdict blocks nothing.
    pub fn is_clear(&self) -> bool {
        self.verdict == ScreeningVerdict::Clear
    }

    /// The ids answered yes.
    pub fn yes(&self) -> Vec<String> {
        self.answers
            .iter()
            .filter(|(_, y)| **y)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Whether it was asked for every one of `areas`.
    pub fn covers(&self, areas: &[Area]) -> bool {
        areas.iter().all(|a| self.areas.contains(a))
    }
}

/// The verdict for a set of yes answers.
pub fn verdict(flags: &[RedFlag], yes: &[String]) -> Verdict {
    let mut signs: Vec<RedFlag> = flags
        .iter()
        .filter(|f| yes.contains(&f.id))
        .cloned()
        .collect();
    // Advice is shown but never blocks.
    signs.retain(|s| s.urgency > Urgency::Advice);
    signs.sort_by_key(|s| std::cmp::Reverse(s.urgency));
    match signs.first() {
        None => Verdict::Clear,
        Some(first) => Verdict::Flagged {
            urgency: first.urgency,
            signs,
        },
    }
}

/// What an emergency answer calls for, shown the moment it is given.
pub const EMERGENCY_ADVICE: &str = "Seek emergency care now: call your emergency number (999 in the UK, 911 in the US, 112 in the EU) or go to an emergency department. Do not stretch.";

/// The plain message for a flagged verdict.
pub fn verdict_message(v: &Verdict) -> String {
    match v {
        Verdict::Clear => {
            "No warning signs reported. Stretch gently, and stop if it is sharper, or worse than when you started.".into()
        }
        Verdict::Flagged { urgency, signs } => {
            let list: Vec<String> = signs.iter().map(|s| format!("  - {}", s.sign)).collect();
            let what = urgency.advice();
            let until = if *urgency == Urgency::Emergency {
                "until you have been assessed and a new check (`backstretch safety`) finds no new warning sign"
            } else {
                "until a new check (`backstretch safety`) has no warning sign, or a clinician has cleared it"
            };
            format!(
                "You reported:\n{}\n{what}\nbackstretch will not plan or play a routine {until}.",
                list.join("\n")
            )
        }
    }
}

/// An advice answer, as it is shown after a check: worth knowing, never a block.
pub fn worth_knowing(f: &RedFlag) -> String {
    format!("Worth knowing ({}): {}", f.sign, f.guideline)
}

/// The pain traffic light, by the pain-monitoring model: pain after a session is judged
/// against pain before it and the acceptable ceiling of 5 (Silbernagel et al. 2007).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// No worse than before (or, without a score before, 0-3): carry on.
    Green,
    /// A rise that stays at 5 or less (or, without a score before, 4-5): acceptable if it
    /// settles by the next morning.
    Amber,
    /// Above 5 and higher than before (or, without a score before, 6-10): too much.
    Red,
}

/// The highest pain after a session that counts as acceptable.
pub const ACCEPTABLE: u8 = 5;

/// Pain after a session at or above this is never green, whatever it was before: it calls
/// for rest, and for a clinician if it stays this high. 7 of 10 is well above the model's
/// acceptable 5 (Silbernagel et al. 2007), and the level UK physiotherapy leaflets call severe.
pub const CEILING: u8 = 7;

/// The light for a session's pain after, judged against its pain before when there is one.
/// Someone whose everyday pain is 7 and ends at 6 is green: no worse. Pain after at or above
/// [`CEILING`] is red, even when it is no worse than before.
pub fn light(before: Option<u8>, after: u8) -> Light {
    match before {
        _ if after >= CEILING => Light::Red,
        Some(b) if after <= b && after <= ACCEPTABLE => Light::Green,
        // No worse than before, but above the acceptable 5: never "carry on".
        Some(b) if after <= b => Light::Amber,
        Some(_) if after <= ACCEPTABLE => Light::Amber,
        Some(_) => Light::Red,
        None => match after {
            0..=3 => Light::Green,
            4..=ACCEPTABLE => Light::Amber,
            _ => Light::Red,
        },
    }
}

/// What a light means, in a sentence.
pub fn light_text(before: Option<u8>, after: u8) -> String {
    if after >= CEILING {
        return format!(
            "Pain {after}: red, high. Rest rather than stretch more today, and if your pain stays at {CEILING} or more, see a doctor or physiotherapist."
        );
    }
    match light(before, after) {
        Light::Green => format!("Pain {after}: green, no worse than before; carry on as you are."),
        Light::Amber if after > ACCEPTABLE => format!(
            "Pain {after}: amber, no worse than before, but above the acceptable 5. Keep to the gentlest moves, and if it has not settled by tomorrow morning, do less next time."
        ),
        Light::Amber => format!(
            "Pain {after}: amber, acceptable if it settles by tomorrow morning; if it does not, do less next time."
        ),
        Light::Red => format!(
            "Pain {after}: red, too much. Ease off: fewer and gentler stretches next time, and see a clinician if it does not settle."
        ),
    }
}

/// The smallest rise in pain (points on 0-10) that counts as a flare.
pub const FLARE_POINTS: u8 = 2;
/// Pain before at or above this asks whether to go on, with only the gentlest routine.
pub const HIGH_PAIN: u8 = 8;
/// The window, in days, for counting hurts and flares.
pub const WINDOW_DAYS: i64 = 14;
/// Flares within the window that call for a clinician.
pub const FLARES_FOR_CLINICIAN: usize = 3;
/// Times an exercise hurt within the window before it is left out.
pub const HURTS_TO_BLOCK: usize = 2;

/// How much a routine is eased, least first. After a flare, or two red sessions in the last
/// three, plans are [`Ease::Gentler`]; the first calm session after that steps up to
/// [`Ease::Stepping`], and the next to normal again. [`Ease::Gentlest`] is the routine offered
/// at high pain (pain before of [`HIGH_PAIN`] or more).
///
/// An eased plan is never longer and never has more exercises than the normal plan for the
/// same day: the planner plans the normal routine first and gives the eased one a share of
/// its time ([`Ease::time_quarters`]) and of its exercises ([`Ease::max_items`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ease {
    /// The normal plan.
    #[default]
    Normal,
    /// The middle step back up: three quarters of the time, one exercise fewer, holds of at
    /// most 30 s, nothing of the most demanding kind.
    Stepping,
    /// Half the time, half the exercises (rounded up), only the gentlest, holds of at most
    /// 15 s and at most 30 s of holding per side.
    Gentler,
    /// The gentler exercises and doses in about five minutes (never more than the normal
    /// plan's time) and in one place, with one exercise fewer than the normal plan.
    Gentlest,
}

/// A hold is left out of an eased plan when shortening it would keep less than this share of
/// it (1 in 4): a dose timed in minutes, such as walking, makes no sense in 15 s.
pub const SHORTEN_AT_MOST: u32 = 4;

/// Minutes of the gentlest routine offered at high pain.
pub const GENTLEST_MINUTES: u32 = 5;

impl Ease {
    /// The longest hold, in seconds, if there is a cap.
    pub fn max_hold_s(self) -> Option<u32> {
        match self {
            Ease::Normal => None,
            Ease::Stepping => Some(30),
            Ease::Gentler | Ease::Gentlest => Some(gentler::MAX_HOLD_S),
        }
    }

    /// The most demanding gentleness allowed (1 gentle .. 3 demanding).
    pub fn max_gentleness(self) -> u8 {
        match self {
            Ease::Normal => 3,
            Ease::Stepping => 2,
            Ease::Gentler | Ease::Gentlest => gentler::GENTLENESS,
        }
    }

    /// Whether an exercise may be in a routine eased this much: gentle enough, and with a
    /// hold that still makes sense once shortened ([`SHORTEN_AT_MOST`]).
    pub fn allows(self, e: &Exercise) -> bool {
        e.gentleness <= self.max_gentleness()
            && self
                .max_hold_s()
                .is_none_or(|h| e.dose.hold_s <= h * SHORTEN_AT_MOST)
    }

    /// A dose eased this much: holds of at most [`Ease::max_hold_s`], and at most
    /// [`gentler::MAX_REPS`] repetitions of them, so at most twice the longest hold per side;
    /// a shorter hold (a 5 s pelvic tilt) may be repeated up to that total, but never more
    /// than half its usual repetitions.
    pub fn dose(self, d: Dose) -> Dose {
        match self.max_hold_s() {
            None => d,
            Some(h) => {
                let hold_s = d.hold_s.clamp(1, h);
                // Never more than half the usual repetitions (rounded up), as the time is
                // halved: a 5 s x 10 pelvic tilt becomes 5 s x 5, not 5 s x 6.
                let most = (h * gentler::MAX_REPS / hold_s)
                    .min(d.reps.div_ceil(2))
                    .max(1);
                Dose {
                    hold_s,
                    reps: d.reps.clamp(1, most),
                    ..d
                }
            }
        }
    }

    /// The share of the normal plan's time an eased plan may take, in quarters.
    pub fn time_quarters(self) -> u32 {
        match self {
            Ease::Normal | Ease::Gentlest => 4,
            Ease::Stepping => 3,
            Ease::Gentler => 2,
        }
    }

    /// The most exercises an eased plan may have when the normal plan has `normal`: fewer
    /// whenever the normal plan has more than one, never more.
    pub fn max_items(self, normal: usize) -> usize {
        match self {
            Ease::Normal => normal,
            Ease::Stepping | Ease::Gentlest => normal.saturating_sub(1).max(1),
            Ease::Gentler => normal.div_ceil(2).max(1),
        }
        .min(normal.max(1))
    }

    /// A saved routine's items eased this much: exercises not allowed (or not in the
    /// catalogue) are left out, the others shortened, and no more than
    /// [`Ease::max_items`] of them kept, in their order.
    pub fn items(self, items: &[TimelineItem], catalog: &Catalog) -> Vec<TimelineItem> {
        if self == Ease::Normal {
            return items.to_vec();
        }
        items
            .iter()
            .filter(|i| catalog.get(&i.id).is_some_and(|e| self.allows(&e.exercise)))
            .map(|i| TimelineItem {
                dose: self.dose(i.dose.clone()),
                ..i.clone()
            })
            .take(self.max_items(items.len()))
            .collect()
    }
}

/// Why plans are eased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// A flare (a rise of 2 or more ending above 5, or soreness not settled by morning).
    Flare,
    /// Two red sessions among the last three.
    RedSessions,
    /// Pain before of [`HIGH_PAIN`] or more.
    HighPain,
    /// Pain before rising week on week.
    Rising,
}

/// How much plans are eased, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Easing {
    pub ease: Ease,
    pub why: Why,
}

impl std::fmt::Display for Easing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self.why {
            Why::Flare => "after a flare",
            Why::RedSessions => "after two red sessions in the last three",
            Why::HighPain => "for high pain",
            Why::Rising => "while your pain is rising week on week",
        };
        match self.ease {
            Ease::Normal => write!(f, "the normal plan"),
            Ease::Stepping => write!(
                f,
                "stepping back up {why}: about three quarters of the time, one exercise fewer, holds of at most 30 s; the normal plan returns after one more calm session"
            ),
            Ease::Gentler => write!(
                f,
                "gentler plan {why}: at most half the time and half the exercises, only the gentlest, holds of at most {} s and at most {} s of holding per side; it steps back up over calm sessions on the next two days",
                gentler::MAX_HOLD_S,
                gentler::MAX_HOLD_S * gentler::MAX_REPS
            ),
            Ease::Gentlest => write!(
                f,
                "the gentlest routine {why}: about {GENTLEST_MINUTES} minutes in one place, only the gentlest exercises, holds of at most {} s",
                gentler::MAX_HOLD_S
            ),
        }
    }
}

/// The gentler routine's limits, and the helpers the planner and the playback of a saved
/// routine share ([`Ease::Gentler`]'s).
pub mod gentler {
    use super::{Catalog, Dose, Ease, Exercise, TimelineItem};

    /// The longest hold, in seconds.
    pub const MAX_HOLD_S: u32 = 15;
    /// The most repetitions of the longest hold (shorter holds may be repeated up to
    /// `MAX_HOLD_S * MAX_REPS` seconds per side).
    pub const MAX_REPS: u32 = 2;
    /// The only gentleness allowed.
    pub const GENTLENESS: u8 = 1;

    /// Whether an exercise is gentle enough.
    pub fn allows(e: &Exercise) -> bool {
        Ease::Gentler.allows(e)
    }

    /// A dose made gentler.
    pub fn dose(d: Dose) -> Dose {
        Ease::Gentler.dose(d)
    }

    /// A saved routine made gentler: see [`Ease::items`].
    pub fn items(items: &[TimelineItem], catalog: &Catalog) -> Vec<TimelineItem> {
        Ease::Gentler.items(items, catalog)
    }
}

/// What the player says when "sharper or worse" ends a session (see [`hurt_ends_session`]).
pub const HURT_ENDS: &str = "Stopped: it got sharper or worse while your pain was already high, or while your plans are eased. That is logged. Rest for today, and if it stays this bad, see a doctor or physiotherapist.";

/// Whether "sharper or worse" ends the session rather than moving on to the next exercise:
/// when pain before was high ([`HIGH_PAIN`] or more), or while plans are eased after a flare,
/// red sessions or a rise. Someone already in that much pain, or getting worse, stops and
/// rests rather than trying the next stretch.
pub fn hurt_ends_session(pain_before: Option<u8>, easing: Option<Easing>) -> bool {
    pain_before.is_some_and(is_high_pain) || easing.is_some_and(|e| e.ease != Ease::Normal)
}

/// Whether a pain score before a session is high enough to ask whether to go on, and to offer
/// only the gentlest routine.
pub fn is_high_pain(before: u8) -> bool {
    before >= HIGH_PAIN
}

/// Whether a session was a flare: pain rose by at least 2 points (the smallest change that
/// matters on the 0-10 scale; Ostelo et al. 2008) and ended above the acceptable 5. A rise from
/// 0 to 2 is not a flare; 3 to 6 is.
pub fn is_flare(before: u8, after: u8) -> bool {
    after >= before.saturating_add(FLARE_POINTS) && after > ACCEPTABLE
}

/// A finished session's pain, for the flare rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPain {
    /// The local day it was on.
    pub day: NaiveDate,
    /// Pain before, 0-10.
    pub before: u8,
    /// Pain after, 0-10.
    pub after: u8,
    /// Whether soreness had settled by the next morning, when asked.
    pub settled: Option<bool>,
}

impl SessionPain {
    /// A flare: a rise of 2 or more that ends above 5, or soreness that had not settled by
    /// the next morning.
    pub fn is_flare(&self) -> bool {
        is_flare(self.before, self.after) || self.settled == Some(false)
    }
}

/// Whether a session's soreness should be asked about at the next start: its light was amber
/// or red, and it has not been answered yet.
pub fn needs_followup(before: u8, after: u8, settled: Option<bool>) -> bool {
    settled.is_none() && light(Some(before), after) != Light::Green
}

/// A clinician's clearance holds this many days (or until the sign is answered again).
pub const CLEARANCE_DAYS: i64 = 84;

/// The signs of a check that still block, once valid clearances are taken off: a clearance
/// made after the check and within [`CLEARANCE_DAYS`] of `now` lifts a `same-day` or `soon`
/// sign; never an `emergency` one.
pub fn uncleared(
    flags: &[RedFlag],
    screening: &Screening,
    clearances: &[(String, Stamp)],
    now: Stamp,
) -> Vec<String> {
    screening
        .yes()
        .into_iter()
        .filter(|id| {
            let emergency = flags
                .iter()
                .any(|f| &f.id == id && f.urgency == Urgency::Emergency);
            let cleared = clearances.iter().any(|(sign, at)| {
                sign == id && *at >= screening.at && at.seconds_until(now) < CLEARANCE_DAYS * 86_400
            });
            emergency || !cleared
        })
        .collect()
}

/// Where a person stands after their recent sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlareState {
    /// How much the next plans are eased, and why; none for the normal plan.
    pub easing: Option<Easing>,
    /// Flares within the last 14 days.
    pub recent_flares: usize,
    /// Three or more flares lately and no calm session since: advise seeing a clinician.
    pub see_clinician: bool,
}

impl FlareState {
    /// How much the next plans are eased.
    pub fn ease(&self) -> Ease {
        self.easing.map_or(Ease::Normal, |e| e.ease)
    }
}

/// Red sessions that, among the last three, make the next plans gentler.
pub const REDS_IN_THREE: usize = 2;

/// Why the plans were eased right after the session at `i` (newest first), if they were: it
/// was a flare, or it left two red sessions among the last three.
pub(crate) fn trigger(sessions: &[SessionPain], i: usize) -> Option<Why> {
    if sessions[i].is_flare() {
        return Some(Why::Flare);
    }
    let reds = sessions[i..]
        .iter()
        .take(3)
        .filter(|s| light(Some(s.before), s.after) == Light::Red)
        .count();
    (reds >= REDS_IN_THREE).then_some(Why::RedSessions)
}

/// The flare state from sessions with both pain scores, newest first, as of `today`.
///
/// Plans are gentler after a flare, or after a session that leaves two red ones among the
/// last three; they step back up over the calm days that follow: the first day with a calm
/// session brings the middle step ([`Ease::Stepping`]), the second the normal plan.
pub fn flare_state(sessions: &[SessionPain], today: NaiveDate) -> FlareState {
    let Some(latest) = sessions.first() else {
        return FlareState::default();
    };
    // The newest session that eased plans, and the calm days since: sessions on the day of
    // that session, or several on one later day, count once (three calm logs within a few
    // minutes are not three calm days).
    let easing = (0..sessions.len())
        .find_map(|i| trigger(sessions, i).map(|why| (i, why)))
        .and_then(|(i, why)| {
            let since = sessions[i].day;
            let calm_days: BTreeSet<NaiveDate> = sessions[..i]
                .iter()
                .map(|s| s.day)
                .filter(|d| *d > since)
                .collect();
            let ease = match calm_days.len() {
                0 => Ease::Gentler,
                1 => Ease::Stepping,
                _ => return None,
            };
            Some(Easing { ease, why })
        });
    let recent_flares = sessions
        .iter()
        .filter(|s| (today - s.day).num_days() < WINDOW_DAYS && s.is_flare())
        .count();
    FlareState {
        easing,
        recent_flares,
        see_clinician: latest.is_flare() && recent_flares >= FLARES_FOR_CLINICIAN,
    }
}

/// An exercise logged as hurt, in one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hurt {
    /// The local day of the session.
    pub day: NaiveDate,
    pub session: crate::session::SessionId,
    pub exercise: String,
}

/// The pain rules as of one day: exercises left out, the flare state, and a rise in pain
/// week on week.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PainRules {
    /// Exercise ids left out (hurt twice within 14 days).
    pub blocked: Vec<String>,
    pub flare: FlareState,
    /// Pain before sessions rising by 2 points or more over two weeks.
    pub rising: Option<Rise>,
}

impl PainRules {
    /// The rules from the log: hurts, finished sessions' pain (newest first), the
    /// exercises the person put back, and the pain-before scores of the last
    /// [`RISE_WINDOW_DAYS`] (any order).
    pub fn from_log(
        hurts: &[Hurt],
        pains: &[SessionPain],
        allowed: &BTreeMap<String, NaiveDate>,
        before: &[(NaiveDate, u8)],
        today: NaiveDate,
    ) -> PainRules {
        let rising = rising(before, today);
        let mut flare = flare_state(pains, today);
        // Pain rising week on week eases plans too, until it stops rising.
        if rising.is_some() && flare.easing.is_none() {
            flare.easing = Some(Easing {
                ease: Ease::Gentler,
                why: Why::Rising,
            });
        }
        PainRules {
            blocked: blocked(hurts, allowed, today),
            flare,
            rising,
        }
    }
}

/// What a session's pain scores come to, said the same way after the player and after
/// `log`: the light, a flare, how the next plans are eased, the clinician advice and a rise
/// week on week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub before: Option<u8>,
    pub after: u8,
    /// The rise, when the session was a flare.
    pub flare_rise: Option<u8>,
    /// The rules as they stand with this session logged.
    pub rules: PainRules,
}

impl Feedback {
    /// The feedback on a session's scores, given the rules with it logged.
    pub fn new(before: Option<u8>, after: u8, rules: PainRules) -> Feedback {
        let flare_rise = before
            .filter(|b| is_flare(*b, after))
            .map(|b| after.saturating_sub(b));
        Feedback {
            before,
            after,
            flare_rise,
            rules,
        }
    }

    /// The light.
    pub fn light(&self) -> Light {
        light(self.before, self.after)
    }

    /// Recent flares, when they call for a clinician.
    pub fn see_clinician(&self) -> Option<usize> {
        let f = &self.rules.flare;
        (self.flare_rise.is_some() && f.see_clinician).then_some(f.recent_flares)
    }

    /// The feedback in sentences, one a line.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![light_text(self.before, self.after)];
        if let Some(rise) = self.flare_rise {
            out.push(format!(
                "That is a flare: your pain rose by {rise} points. If it has not settled by tomorrow, see a doctor or physiotherapist."
            ));
        }
        if let Some(e) = self.rules.flare.easing.filter(|e| e.ease == Ease::Gentler) {
            let why = match e.why {
                Why::RedSessions => "Two of your last three sessions ended red, so your",
                Why::Rising => "Your pain is rising week on week, so your",
                Why::Flare | Why::HighPain => "Your",
            };
            out.push(format!(
                "{why} next plans will be gentler: shorter, with fewer exercises, only the gentlest, and holds of at most {} s. They step back up over calm sessions on the next two days.",
                gentler::MAX_HOLD_S
            ));
        }
        if let Some(n) = self.see_clinician() {
            out.push(format!(
                "That makes {n} flares in 14 days: please see a doctor or physiotherapist before stretching again."
            ));
        }
        if let Some(r) = &self.rules.rising {
            out.push(r.advice());
        }
        out
    }
}

/// The window, in days, in which a rise in pain before sessions is looked for.
pub const RISE_WINDOW_DAYS: i64 = 21;
/// A rise of this many points over two weeks, by the trend, brings advice.
pub const RISE_POINTS: f64 = 2.0;
/// Days with a score the trend needs, so one odd day cannot make a rise (see [`rising`]).
pub const RISE_MIN_DAYS: usize = 5;
/// ... and how many days they must span.
pub const RISE_MIN_SPAN_DAYS: i64 = 7;

/// Pain before sessions rising week on week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rise {
    /// Tenths of a point the trend rises over two weeks (33 is 3.3 points).
    pub tenths_per_two_weeks: u32,
    /// Days with a score the trend was taken from.
    pub days: usize,
}

impl Rise {
    /// The advice, in a sentence.
    pub fn advice(&self) -> String {
        format!(
            "Your pain before sessions has been rising: about {}.{} points over two weeks. Do less until it settles, and see a doctor or physiotherapist if it keeps rising.",
            self.tenths_per_two_weeks / 10,
            self.tenths_per_two_weeks % 10
        )
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some(f64::midpoint(v[n / 2 - 1], v[n / 2])),
    }
}

/// A rise in pain before sessions of [`RISE_POINTS`] or more over two weeks, from the
/// scores of the last [`RISE_WINDOW_DAYS`] before `today` (any order).
///
/// The trend is robust to an odd day: each day counts once, by its median score, and the
/// slope is the Theil-Sen estimate (the median of the slopes between every two days), which
/// one outlying day among five or more cannot move past the others. At least
/// [`RISE_MIN_DAYS`] days spanning [`RISE_MIN_SPAN_DAYS`] are needed. The work is bounded by
/// the window's days, not by the sessions.
pub fn rising(before: &[(NaiveDate, u8)], today: NaiveDate) -> Option<Rise> {
    let mut by_day: BTreeMap<NaiveDate, Vec<f64>> = BTreeMap::new();
    for (d, p) in before {
        let age = (today - *d).num_days();
        if (0..RISE_WINDOW_DAYS).contains(&age) {
            by_day.entry(*d).or_default().push(f64::from(*p));
        }
    }
    let points: Vec<(f64, f64)> = by_day
        .into_iter()
        .filter_map(|(d, mut v)| median(&mut v).map(|m| ((d - today).num_days() as f64, m)))
        .collect();
    let span = points.last()?.0 - points.first()?.0;
    if points.len() < RISE_MIN_DAYS || span < RISE_MIN_SPAN_DAYS as f64 {
        return None;
    }
    let mut slopes: Vec<f64> = Vec::new();
    for (i, (x1, y1)) in points.iter().enumerate() {
        for (x2, y2) in &points[i + 1..] {
            slopes.push((y2 - y1) / (x2 - x1));
        }
    }
    let rise = median(&mut slopes)? * 14.0;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a rise of at least 2 points on a 0-10 scale, in tenths"
    )]
    (rise >= RISE_POINTS - 1e-9).then(|| Rise {
        tenths_per_two_weeks: (rise * 10.0).round() as u32,
        days: points.len(),
    })
}

/// Exercises to leave out of plans: hurt in two or more sessions within the last 14 days,
/// counting only hurts after the day the user last put the exercise back (`allowed`).
pub fn blocked(
    hurts: &[Hurt],
    allowed: &BTreeMap<String, NaiveDate>,
    today: NaiveDate,
) -> Vec<String> {
    let mut sessions: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for h in hurts {
        let recent = (today - h.day).num_days() < WINDOW_DAYS;
        let after_allow = allowed.get(&h.exercise).is_none_or(|a| h.day > *a);
        if recent && after_allow {
            sessions.entry(&h.exercise).or_default().insert(h.session.0);
        }
    }
    sessions
        .into_iter()
        .filter(|(_, s)| s.len() >= HURTS_TO_BLOCK)
        .map(|(id, _)| id.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn the_red_flag_file_is_valid_and_covers_the_guideline_signs() {
        let flags = red_flags().unwrap();
        let ids: Vec<&str> = flags.iter().map(|f| f.id.as_str()).collect();
        for id in [
            "saddle-numbness",
            "bladder-bowel",
            "both-legs",
            "fever-unwell",
            "weight-loss",
            "cancer-history",
            "fall-or-accident",
            "night-rest-pain",
            "neck-vascular",
            "neck-myelopathy",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        assert!(
            flags
                .iter()
                .all(|f| !f.sources.is_empty() && f.text.ends_with('?'))
        );
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len());
        for id in ["saddle-numbness", "bladder-bowel", "both-legs"] {
            assert_eq!(
                flags.iter().find(|f| f.id == id).unwrap().urgency,
                Urgency::Emergency
            );
        }
    }

    #[test]
    fn neck_questions_only_when_the_neck_is_an_area() {
        let flags = red_flags().unwrap();
        let back = questions_for(flags, &[Area::LowerBack]);
        assert!(back.iter().all(|f| f.areas.is_empty()));
        let neck = questions_for(flags, &[Area::LowerBack, Area::Neck]);
        let neck_only = flags.iter().filter(|f| f.areas == [Area::Neck]).count();
        assert!(neck_only >= 6);
        assert_eq!(neck.len(), back.len() + neck_only);
    }

    #[test]
    fn verdicts_name_the_sign_and_the_urgency() {
        let flags = red_flags().unwrap();
        assert_eq!(verdict(flags, &[]), Verdict::Clear);
        let v = verdict(flags, &["weight-loss".into()]);
        assert!(matches!(
            v,
            Verdict::Flagged {
                urgency: Urgency::Soon,
                ..
            }
        ));
        let m = verdict_message(&v);
        assert!(
            m.contains("unexplained weight loss") && m.contains("See a doctor soon"),
            "{m}"
        );
        let v = verdict(flags, &["weight-loss".into(), "bladder-bowel".into()]);
        let m = verdict_message(&v);
        assert!(m.contains("Seek emergency care now"), "{m}");
        assert!(
            m.find("bladder").unwrap() < m.find("weight loss").unwrap(),
            "most urgent first"
        );
    }

    #[test]
    fn traffic_light_bands() {
        assert_eq!(
            (0..=10).map(|p| light(None, p)).collect::<Vec<_>>(),
            [
                Light::Green,
                Light::Green,
                Light::Green,
                Light::Green,
                Light::Amber,
                Light::Amber,
                Light::Red,
                Light::Red,
                Light::Red,
                Light::Red,
                Light::Red,
            ]
        );
        assert!(light_text(None, 4).contains("settles by tomorrow"));
    }

    /// Regression: the light judged pain after on its own, so 7 -> 6 read "red, too much"
    /// and anyone whose everyday pain is 6 or more was always red.
    #[test]
    fn the_light_judges_pain_after_against_pain_before() {
        assert_eq!(
            light(Some(7), 6),
            Light::Amber,
            "7 -> 6 is no worse, but above the acceptable 5 (never green)"
        );
        assert_eq!(
            light(Some(6), 6),
            Light::Amber,
            "6 -> 6: above 5, never green"
        );
        assert_eq!(light(Some(2), 5), Light::Amber, "a rise to 5 or less");
        assert_eq!(
            light(Some(5), 6),
            Light::Red,
            "above 5 and higher than before"
        );
        assert_eq!(light(Some(0), 2), Light::Amber);
    }

    #[test]
    fn a_flare_is_a_rise_of_two_points_that_ends_above_five() {
        assert!(is_flare(3, 6), "3 -> 6 is a flare");
        assert!(!is_flare(0, 2), "0 -> 2 is not");
        assert!(!is_flare(3, 5), "a rise that stays at 5 or less is not");
        assert!(!is_flare(3, 4));
        assert!(!is_flare(5, 2));
        assert!(is_flare(5, 7));
        assert!(is_flare(9, 11));
    }

    #[test]
    fn flares_make_plans_gentler_until_a_calm_session() {
        let s = |d, b, a| SessionPain {
            day: day(d),
            before: b,
            after: a,
            settled: None,
        };
        assert_eq!(flare_state(&[], day(21)), FlareState::default());
        let st = flare_state(&[s(20, 3, 6)], day(21));
        assert!(st.ease() == Ease::Gentler && !st.see_clinician);
        // A calm session since the flare steps up to the middle step, a second to normal.
        let st = flare_state(&[s(21, 3, 3), s(20, 3, 6)], day(21));
        assert_eq!(st.ease(), Ease::Stepping);
        let st = flare_state(&[s(22, 3, 3), s(21, 3, 3), s(20, 3, 6)], day(22));
        assert_eq!(st.ease(), Ease::Normal);
        // Regression (clinical review 2): calm sessions on one day are one calm day; three
        // calm logs within minutes restored the full plan.
        let st = flare_state(
            &[s(21, 3, 3), s(21, 3, 3), s(21, 3, 3), s(20, 3, 6)],
            day(21),
        );
        assert_eq!(st.ease(), Ease::Stepping);
        // Three flares within 14 days, the latest a flare: see a clinician.
        let st = flare_state(&[s(20, 4, 6), s(15, 3, 6), s(10, 1, 7)], day(21));
        assert!(st.see_clinician && st.recent_flares == 3);
        // The third is older than 14 days: not yet.
        let st = flare_state(&[s(20, 2, 4), s(15, 3, 6), s(1, 1, 3)], day(21));
        assert!(!st.see_clinician);
        // Until a calmer session is logged.
        let st = flare_state(
            &[s(21, 4, 3), s(20, 2, 4), s(15, 3, 6), s(10, 1, 3)],
            day(21),
        );
        assert!(!st.see_clinician && st.ease() == Ease::Normal);
    }

    /// Regression (clinical review 2): "it hurts" at pain 8 moved on to the next stretch.
    #[test]
    fn sharper_or_worse_ends_the_session_at_high_pain_or_while_plans_are_eased() {
        assert!(hurt_ends_session(Some(8), None));
        assert!(!hurt_ends_session(Some(7), None));
        assert!(!hurt_ends_session(None, None));
        let eased = Easing {
            ease: Ease::Gentler,
            why: Why::Flare,
        };
        assert!(hurt_ends_session(Some(2), Some(eased)));
    }

    /// Regression (clinical review 2, 2.2): 10 before and 10 after read "green, carry on".
    #[test]
    fn pain_of_seven_or_more_after_is_never_green() {
        for (b, a) in [(10, 10), (9, 7), (7, 7), (8, 8)] {
            assert_eq!(light(Some(b), a), Light::Red, "{b} -> {a}");
            let t = light_text(Some(b), a);
            assert!(!t.contains("carry on"), "{t}");
            assert!(
                t.contains("Rest") && t.contains("doctor or physiotherapist"),
                "{t}"
            );
        }
        assert_eq!(light(Some(7), 6), Light::Amber, "7 -> 6: no worse, above 5");
        assert_eq!(
            light(Some(5), 5),
            Light::Green,
            "5 -> 5: acceptable, no worse"
        );
        assert_eq!(light(None, 7), Light::Red);
    }

    fn pain(d: u32, before: u8, after: u8) -> SessionPain {
        SessionPain {
            day: day(d),
            before,
            after,
            settled: None,
        }
    }

    /// Regression (clinical review 2, 2.2): five red sessions (6 -> 7) in nine days, none a
    /// flare, left the plan unchanged.
    #[test]
    fn two_red_sessions_in_the_last_three_make_plans_gentler() {
        // 5 -> 6 and 6 -> 7: red, not flares.
        assert!(!is_flare(5, 6) && light(Some(5), 6) == Light::Red);
        let st = flare_state(&[pain(20, 5, 6), pain(19, 2, 2), pain(18, 5, 6)], day(21));
        assert_eq!(
            st.easing,
            Some(Easing {
                ease: Ease::Gentler,
                why: Why::RedSessions
            })
        );
        // One red among the last three: no change.
        let st = flare_state(&[pain(20, 5, 6), pain(19, 2, 2), pain(18, 2, 2)], day(21));
        assert_eq!(st.ease(), Ease::Normal);
        // Stepping back up: the pair still in the last three keeps it gentler; then the middle
        // step, then normal.
        let mut log = vec![pain(18, 6, 7), pain(17, 6, 7)];
        let mut seen = vec![];
        for d in 19..23 {
            seen.push(flare_state(&log, day(23)).ease());
            log.insert(0, pain(d, 3, 3));
        }
        assert_eq!(
            seen,
            [Ease::Gentler, Ease::Gentler, Ease::Stepping, Ease::Normal]
        );
    }

    /// Regression (clinical review 2, 2.2): pain before climbing from 2 to 7 over three
    /// weeks raised nothing.
    #[test]
    fn a_rise_week_on_week_is_flagged_robustly() {
        let on = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        // 11 sessions over three weeks, 2 -> 7.
        let climb: Vec<(NaiveDate, u8)> = [2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 7]
            .iter()
            .enumerate()
            .map(|(i, p)| (on(1 + 2 * u32::try_from(i).unwrap()), *p))
            .collect();
        let r = rising(&climb, on(22)).expect("a climb from 2 to 7");
        assert!(r.tenths_per_two_weeks >= 30, "{r:?}");
        assert!(r.advice().contains("rising"));
        // Steady pain with one bad day, anywhere, is not a rise.
        for odd in 0..7usize {
            let mut flat: Vec<(NaiveDate, u8)> = (0..7).map(|i| (on(8 + 2 * i), 3)).collect();
            flat[odd].1 = 9;
            assert_eq!(rising(&flat, on(22)), None, "odd day {odd}");
        }
        // Too few days, or all on one week: nothing to say.
        assert_eq!(rising(&climb[7..], on(22)), None);
        // Only the last three weeks count.
        assert_eq!(rising(&climb, on(28) + chrono::Duration::days(20)), None);
        // A fall is not a rise.
        let fall: Vec<(NaiveDate, u8)> = climb.iter().map(|(d, p)| (*d, 9 - p)).collect();
        assert_eq!(rising(&fall, on(22)), None);
        // A rise eases the next plans too, not only advice (clinical review 2: the plan
        // stayed the full routine while pain climbed).
        let rules = PainRules::from_log(&[], &[], &BTreeMap::new(), &climb, on(22));
        assert_eq!(
            rules.flare.easing,
            Some(Easing {
                ease: Ease::Gentler,
                why: Why::Rising
            })
        );
    }

    /// The player's summary and `log` say the same: the light, a flare, the gentler plans,
    /// and the clinician advice, from one function.
    #[test]
    fn feedback_says_the_light_the_flare_and_what_happens_next() {
        let rules = PainRules {
            flare: flare_state(&[pain(20, 3, 6)], day(21)),
            ..PainRules::default()
        };
        let f = Feedback::new(Some(3), 6, rules);
        assert_eq!(f.flare_rise, Some(3));
        let lines = f.lines();
        assert!(lines[0].starts_with("Pain 6: red"), "{lines:?}");
        assert!(lines[1].contains("flare"), "{lines:?}");
        assert!(lines[2].contains("gentler"), "{lines:?}");
        let reds = PainRules {
            flare: flare_state(&[pain(20, 5, 6), pain(18, 5, 6)], day(21)),
            ..PainRules::default()
        };
        let lines = Feedback::new(Some(5), 6, reds).lines();
        assert!(
            lines.iter().any(|l| l.contains("Two of your last three")),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains("flare")), "{lines:?}");
    }

    /// The stop rule agrees with the light: not "stop if it hurts", which everyday pain
    /// allowed up to 5 would contradict.
    #[test]
    fn the_stop_rule_agrees_with_the_light() {
        assert!(!STOP_RULE.to_lowercase().contains("if it hurts"));
        for w in ["sharper", "worse than when you started", "spreads"] {
            assert!(STOP_RULE.contains(w), "{w}");
        }
    }

    /// Walking, timed in minutes, is no exercise for an eased plan; a saved routine eased
    /// keeps fewer exercises, never more.
    #[test]
    fn eased_exercises_keep_a_dose_that_makes_sense() {
        let c = crate::catalog::builtin().catalog;
        let walking = &c.get("walking").unwrap().exercise;
        assert!(!Ease::Gentler.allows(walking) && !Ease::Stepping.allows(walking));
        assert!(Ease::Normal.allows(walking));
        assert_eq!(Ease::Gentler.max_items(4), 2);
        assert_eq!(Ease::Stepping.max_items(4), 3);
        assert_eq!(Ease::Gentler.max_items(1), 1);
        assert_eq!(Ease::Gentler.max_items(0), 1);
    }

    #[test]
    fn two_hurts_in_two_weeks_block_until_allowed() {
        let h = |d, s, e: &str| Hurt {
            day: day(d),
            session: crate::session::SessionId(s),
            exercise: e.into(),
        };
        let none = BTreeMap::new();
        assert!(blocked(&[h(20, 1, "bridge")], &none, day(21)).is_empty());
        assert_eq!(
            blocked(&[h(10, 1, "bridge"), h(20, 2, "bridge")], &none, day(21)),
            ["bridge"]
        );
        // Twice in one session counts once.
        assert!(blocked(&[h(20, 2, "bridge"), h(20, 2, "bridge")], &none, day(21)).is_empty());
        // Older than 14 days does not count.
        assert!(blocked(&[h(1, 1, "bridge"), h(20, 2, "bridge")], &none, day(21)).is_empty());
        // Put back on the 20th: only later hurts count.
        let allowed = BTreeMap::from([("bridge".to_string(), day(20))]);
        assert!(blocked(&[h(10, 1, "bridge"), h(20, 2, "bridge")], &allowed, day(21)).is_empty());
        assert_eq!(
            blocked(
                &[h(10, 1, "bridge"), h(21, 3, "bridge"), h(21, 4, "bridge")],
                &allowed,
                day(21)
            ),
            ["bridge"]
        );
    }

    /// The guidance review's signs are all there at their levels: at least 20 signs, every
    /// level used, old ids still valid.
    #[test]
    fn the_signs_follow_the_guidelines_at_four_levels() {
        let flags = red_flags().unwrap();
        assert!(flags.iter().filter(|f| f.asked).count() >= 20);
        let level = |id: &str| flags.iter().find(|f| f.id == id).unwrap().urgency;
        for (id, want) in [
            ("both-legs-pain", Urgency::Emergency),
            ("sexual-function", Urgency::Emergency),
            ("meningitis", Urgency::Emergency),
            ("thunderclap", Urgency::Emergency),
            ("stroke-signs", Urgency::Emergency),
            ("tearing-pain", Urgency::Emergency),
            ("fever-unwell", Urgency::SameDay),
            ("infection-risk", Urgency::SameDay),
            ("weak-immunity", Urgency::Advice),
            ("leaking", Urgency::Emergency),
            ("chest-pain", Urgency::Emergency),
            ("sight-loss", Urgency::Emergency),
            ("giant-cell-arteritis", Urgency::SameDay),
            ("major-accident", Urgency::SameDay),
            ("neck-accident", Urgency::Emergency),
            ("fracture-no-trauma", Urgency::SameDay),
            ("arm-weakness", Urgency::SameDay),
            ("lhermitte", Urgency::Soon),
            ("upper-neck-risk", Urgency::Soon),
            ("heavy-head", Urgency::Soon),
            ("inflammatory-back-pain", Urgency::Soon),
            ("under-20", Urgency::Advice),
            ("cancer-history", Urgency::SameDay),
            ("one-leg-weakness", Urgency::SameDay),
            ("neck-dizziness", Urgency::Soon),
            ("neck-trauma", Urgency::Soon),
            ("thoracic-constant", Urgency::Soon),
            ("cancer-past", Urgency::Advice),
            ("first-after-50", Urgency::Advice),
        ] {
            assert_eq!(level(id), want, "{id}");
        }
        // Over-triage fixed: a past cancer alone, or dizziness alone, is no emergency.
        assert_eq!(verdict(flags, &["cancer-past".into()]), Verdict::Clear);
        let v = verdict(flags, &["neck-dizziness".into()]);
        assert!(matches!(
            v,
            Verdict::Flagged {
                urgency: Urgency::Soon,
                ..
            }
        ));
        let v = verdict(flags, &["fever-unwell".into()]);
        assert!(verdict_message(&v).contains("Get medical help today"));
        assert!(
            flags
                .iter()
                .find(|f| f.id == "both-legs")
                .unwrap()
                .text
                .contains("in the last few weeks")
        );
        // Unsteady walking is a myelopathy sign, not also a stroke sign.
        let text = |id: &str| &flags.iter().find(|f| f.id == id).unwrap().text;
        assert!(!text("stroke-signs").contains("walking"));
        assert!(text("neck-myelopathy").contains("walking"));
        // Weakened immunity alone is worth knowing, not a block.
        assert_eq!(verdict(flags, &["weak-immunity".into()]), Verdict::Clear);
        // No source carries the wrong label the review found.
        assert!(
            flags
                .iter()
                .flat_map(|f| &f.sources)
                .all(|s| !s.contains("UK community"))
        );
    }

    /// `safety/README.md` lists every sign with its level and wording, as the file has them.
    #[test]
    fn the_safety_readme_lists_every_sign() {
        let readme = include_str!("../../../safety/README.md");
        for f in red_flags().unwrap() {
            let row = readme
                .lines()
                .find(|l| l.contains(&format!("(`{}`)", f.id)))
                .unwrap_or_default();
            assert!(!row.is_empty(), "{} is not in safety/README.md", f.id);
            let text = f.recheck.as_ref().filter(|_| !f.asked).unwrap_or(&f.text);
            assert!(
                row.contains(&format!("| {} |", f.urgency.as_str())) && row.contains(text.as_str()),
                "safety/README.md's row for {} is out of date: {row}",
                f.id
            );
        }
    }

    /// The cauda equina questions are anchored in time, so a lasting symptom already checked
    /// is not an emergency at every check.
    #[test]
    fn cauda_equina_questions_ask_about_new_or_worse_signs() {
        let flags = red_flags().unwrap();
        for id in [
            "saddle-numbness",
            "bladder-bowel",
            "leaking",
            "sexual-function",
        ] {
            let q = &flags.iter().find(|f| f.id == id).unwrap().text;
            assert!(
                q.contains("New, or worse, in the last few days or weeks (or since a clinician last checked it)"),
                "{id}: {q}"
            );
            assert!(!q.contains("Since the pain began"), "{id}");
        }
    }

    /// Soreness that had not settled by the next morning is a flare; a rise that settled is
    /// not.
    #[test]
    fn soreness_not_settled_by_morning_is_a_flare() {
        let s = |settled| SessionPain {
            day: day(20),
            before: 3,
            after: 5,
            settled,
        };
        assert!(!s(None).is_flare());
        assert!(!s(Some(true)).is_flare());
        assert!(s(Some(false)).is_flare());
        assert_eq!(
            flare_state(&[s(Some(false))], day(21)).ease(),
            Ease::Gentler
        );
        assert!(needs_followup(3, 5, None));
        assert!(!needs_followup(3, 3, None), "green: nothing to ask");
        assert!(!needs_followup(3, 5, Some(true)));
    }

    /// A clinician's clearance lifts a same-day or soon sign for 12 weeks, or until the sign
    /// is answered again; never an emergency sign.
    #[test]
    fn clearance_lifts_soon_signs_for_twelve_weeks_but_never_emergencies() {
        let flags = red_flags().unwrap();
        let t = |d: i64| {
            Stamp::parse("2026-11-01T09:00:00+00:00")
                .unwrap()
                .plus_seconds(d * 86_400)
        };
        let check = Screening {
            at: t(0),
            areas: vec![Area::LowerBack],
            answers: [
                ("weight-loss".to_string(), true),
                ("saddle-numbness".to_string(), true),
            ]
            .into(),
            verdict: ScreeningVerdict::Emergency,
            assessed: None,
            since: BTreeMap::new(),
        };
        let cleared = vec![
            ("weight-loss".to_string(), t(2)),
            ("saddle-numbness".to_string(), t(2)),
        ];
        assert_eq!(
            uncleared(flags, &check, &cleared, t(3)),
            ["saddle-numbness"]
        );
        assert_eq!(
            uncleared(flags, &check, &cleared, t(2 + 84)),
            ["saddle-numbness", "weight-loss"],
            "expired after 12 weeks"
        );
        let again = Screening { at: t(5), ..check };
        assert!(
            uncleared(flags, &again, &cleared, t(6)).contains(&"weight-loss".to_string()),
            "answered again after the clearance"
        );
    }
}
