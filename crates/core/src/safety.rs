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

/// The rule for every exercise, shown with each one's own cautions: pain stops it, and so do
/// symptoms that spread down a limb or bring numbness or weakness.
pub const STOP_RULE: &str = "Stop if it hurts, and stop at once if pain, tingling, numbness or weakness spreads down an arm or a leg.";

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
            "No warning signs reported. Stretch gently, and stop if anything hurts.".into()
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

/// The light for a session's pain after, judged against its pain before when there is one.
/// Someone whose everyday pain is 7 and ends at 6 is green: no worse.
pub fn light(before: Option<u8>, after: u8) -> Light {
    match before {
        Some(b) if after <= b => Light::Green,
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
    match light(before, after) {
        Light::Green => format!("Pain {after}: green, no worse than before; carry on as you are."),
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

/// The gentler routine after a flare, and the gentlest one offered at high pain: only the
/// gentlest exercises (gentleness 1 of 3), holds of at most 15 s, at most 2 repetitions.
/// The planner and the playback of a saved routine both apply it from here.
pub mod gentler {
    use super::{Catalog, Dose, Exercise, TimelineItem};

    /// The longest hold, in seconds.
    pub const MAX_HOLD_S: u32 = 15;
    /// The most repetitions.
    pub const MAX_REPS: u32 = 2;
    /// The only gentleness allowed.
    pub const GENTLENESS: u8 = 1;

    /// Whether an exercise is gentle enough.
    pub fn allows(e: &Exercise) -> bool {
        e.gentleness == GENTLENESS
    }

    /// A dose made gentler.
    pub fn dose(d: Dose) -> Dose {
        Dose {
            hold_s: d.hold_s.min(MAX_HOLD_S),
            reps: d.reps.clamp(1, MAX_REPS),
            ..d
        }
    }

    /// A saved routine made gentler: exercises not gentle enough (or not in the catalogue)
    /// are left out, and the others' doses are shortened.
    pub fn items(items: &[TimelineItem], catalog: &Catalog) -> Vec<TimelineItem> {
        items
            .iter()
            .filter(|i| catalog.get(&i.id).is_some_and(|e| allows(&e.exercise)))
            .map(|i| TimelineItem {
                dose: dose(i.dose.clone()),
                ..i.clone()
            })
            .collect()
    }
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
    /// The latest session with both scores was a flare: plan gentler until a calm one.
    pub gentler: bool,
    /// Flares within the last 14 days.
    pub recent_flares: usize,
    /// Three or more flares lately and no calm session since: advise seeing a clinician.
    pub see_clinician: bool,
}

/// The flare state from sessions with both pain scores, newest first, as of `today`.
pub fn flare_state(sessions: &[SessionPain], today: NaiveDate) -> FlareState {
    let Some(latest) = sessions.first() else {
        return FlareState::default();
    };
    let gentler = latest.is_flare();
    let recent_flares = sessions
        .iter()
        .filter(|s| (today - s.day).num_days() < WINDOW_DAYS && s.is_flare())
        .count();
    FlareState {
        gentler,
        recent_flares,
        see_clinician: gentler && recent_flares >= FLARES_FOR_CLINICIAN,
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

/// The pain rules as of one day: exercises left out, and the flare state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PainRules {
    /// Exercise ids left out (hurt twice within 14 days).
    pub blocked: Vec<String>,
    pub flare: FlareState,
}

impl PainRules {
    /// The rules from the log: hurts, finished sessions' pain (newest first), and the
    /// exercises the person put back.
    pub fn from_log(
        hurts: &[Hurt],
        pains: &[SessionPain],
        allowed: &BTreeMap<String, NaiveDate>,
        today: NaiveDate,
    ) -> PainRules {
        PainRules {
            blocked: blocked(hurts, allowed, today),
            flare: flare_state(pains, today),
        }
    }
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
        assert_eq!(light(Some(7), 6), Light::Green, "7 -> 6 is no worse");
        assert_eq!(light(Some(7), 7), Light::Green);
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
        assert!(st.gentler && !st.see_clinician);
        // A calm session since the flare ends the gentler plans.
        let st = flare_state(&[s(21, 3, 3), s(20, 3, 6)], day(21));
        assert!(!st.gentler);
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
        assert!(!st.see_clinician && !st.gentler);
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
        assert!(flare_state(&[s(Some(false))], day(21)).gentler);
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
