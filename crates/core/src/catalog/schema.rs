//! The file format: the raw TOML shape of one exercise file, and its bounds.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::exercise::Exercise;

/// The largest exercise file read, in bytes; a larger one is invalid (reported, never parsed).
pub const MAX_FILE_BYTES: usize = 64 * 1024;
/// The most entries in one list (aliases, steps, cautions).
pub const MAX_ITEMS: usize = 30;
/// The longest text (a name, a step, a caution, the purpose), in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

/// Bounds a dose must keep (inclusive).
pub const HOLD_S: Range<u32> = 1..181;
/// Repetitions per side (inclusive bounds 1-30).
pub const REPS: Range<u32> = 1..31;
/// Rest between repetitions (inclusive bounds 0-120).
pub const REST_S: Range<u32> = 0..121;

pub(super) type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExercise {
    pub(super) id: S<String>,
    pub(super) name: S<String>,
    pub(super) aliases: Option<S<Vec<S<String>>>>,
    pub(super) kind: S<String>,
    pub(super) position: S<String>,
    pub(super) places: S<Vec<S<String>>>,
    pub(super) equipment: Option<S<Vec<S<String>>>>,
    pub(super) areas: S<Vec<S<String>>>,
    pub(super) sides: S<String>,
    pub(super) side_cue: Option<S<String>>,
    pub(super) gentleness: S<i64>,
    pub(super) purpose: S<String>,
    pub(super) dose: S<RawDose>,
    pub(super) steps: S<Vec<S<String>>>,
    pub(super) cautions: S<Vec<S<String>>>,
    pub(super) demands: Option<S<Vec<S<String>>>>,
    pub(super) sources: Option<S<Vec<S<RawSource>>>>,
    pub(super) evidence: Option<S<Vec<S<RawEvidence>>>>,
    pub(super) pose: Option<S<RawPose>>,
    pub(super) variants: Option<S<Vec<S<RawVariant>>>>,
    pub(super) progresses_to: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVariant {
    pub(super) name: S<String>,
    pub(super) position: S<String>,
    pub(super) places: S<Vec<S<String>>>,
    pub(super) equipment: Option<S<Vec<S<String>>>>,
    pub(super) steps: S<Vec<S<String>>>,
    pub(super) cautions: S<Vec<S<String>>>,
    pub(super) pose: Option<S<RawPose>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEvidence {
    pub(super) cite: S<String>,
    pub(super) year: S<i64>,
    pub(super) note: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPose {
    pub(super) view: crate::pose::View,
    pub(super) support: crate::pose::Support,
    pub(super) wall: Option<f64>,
    pub(super) door: Option<f64>,
    pub(super) edge: Option<f64>,
    #[serde(default)]
    pub(super) planted: Vec<crate::pose::Joint>,
    #[serde(default)]
    pub(super) stretch: Vec<String>,
    pub(super) inset: Option<crate::pose::Inset>,
    #[serde(default)]
    pub(super) pillow: bool,
    pub(super) arrow: Option<crate::pose::Joint>,
    pub(super) keyframes: Vec<S<crate::pose::Keyframe>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDose {
    pub(super) hold_s: S<i64>,
    pub(super) reps: S<i64>,
    pub(super) rest_s: S<i64>,
    pub(super) note: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) doc: S<String>,
    pub(super) dose: Option<S<RawSourceDose>>,
    pub(super) note: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSourceDose {
    pub(super) hold_s: Option<S<i64>>,
    pub(super) min_hold_s: Option<S<i64>>,
    pub(super) reps: Option<S<i64>>,
    pub(super) reps_max: Option<S<i64>>,
    pub(super) sides: Option<S<String>>,
}

/// Where an exercise's names sit in its file, for cross-file duplicate reports.
#[derive(Debug, Clone)]
pub(super) struct NameSpans {
    pub(super) id: Range<usize>,
    pub(super) name: Range<usize>,
    pub(super) aliases: Vec<Range<usize>>,
}

/// An exercise parsed from one file, with where its names are.
#[derive(Debug, Clone)]
pub(super) struct Parsed {
    pub(super) exercise: Exercise,
    pub(super) spans: NameSpans,
}

/// Writes an exercise as a catalogue file.
pub fn to_toml(exercise: &Exercise) -> Result<String, toml::ser::Error> {
    toml::to_string(exercise)
}
