//! The project's vocabulary: positions, places, areas, kinds, sides and equipment.
//!
//! Every word here is written the same way in code, catalogue files, CLI flags and output
//! (see DESIGN.md, "Vocabulary"). Each enumeration knows its own words, so a parse error can
//! list them and suggest the closest one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::closest;

/// An unknown word for one of the vocabulary's enumerations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct UnknownWord {
    /// Which enumeration (`place`, `area`, ...).
    pub what: &'static str,
    /// The word as given.
    pub word: String,
    /// Every allowed word.
    pub expected: Vec<&'static str>,
    /// The closest allowed word, when one is close enough.
    pub suggestion: Option<&'static str>,
    /// The words a broader word covers ("back": lower-back, mid-back, upper-back).
    pub covers: &'static [&'static str],
}

impl UnknownWord {
    fn message(&self) -> String {
        if !self.covers.is_empty() {
            let (last, first) = self.covers.split_last().unwrap_or((&"", &[]));
            return format!(
                "`{}` covers {} {}s: {} and {}; name the ones that hurt (several are fine)",
                self.word,
                self.covers.len(),
                self.what,
                first.join(", "),
                last
            );
        }
        format!(
            "unknown {} `{}`; expected one of {}{}",
            self.what,
            self.word,
            self.expected.join(", "),
            self.suggestion
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default()
        )
    }
}

/// Behaviour shared by every vocabulary enumeration.
pub trait Word: Sized + Copy + 'static {
    /// What the word names, for messages ("place", "area").
    const WHAT: &'static str;
    /// Every value, in the documented order.
    const ALL: &'static [Self];
    /// The canonical spelling.
    fn as_str(self) -> &'static str;
    /// Extra spellings accepted on input (never printed).
    fn extra_spellings() -> &'static [(&'static str, Self)] {
        &[]
    }
    /// Broader words people use, and the words they cover (never accepted as one word).
    fn broader() -> &'static [(&'static str, &'static [&'static str])] {
        &[]
    }

    /// Every canonical spelling, in order, joined by commas: `floor, bed, chair, standing`.
    fn listed() -> String {
        Self::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Parses a word: case-insensitive, `_` and spaces read as `-`.
    fn parse_word(word: &str) -> Result<Self, UnknownWord> {
        let norm: String = word
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == '_' || c == ' ' { '-' } else { c })
            .collect();
        if let Some(v) = Self::ALL.iter().find(|v| v.as_str() == norm) {
            return Ok(*v);
        }
        if let Some((_, v)) = Self::extra_spellings().iter().find(|(s, _)| *s == norm) {
            return Ok(*v);
        }
        let words: Vec<&'static str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        if let Some((_, covers)) = Self::broader().iter().find(|(b, _)| *b == norm) {
            return Err(UnknownWord {
                what: Self::WHAT,
                word: word.trim().to_string(),
                suggestion: None,
                expected: words,
                covers,
            });
        }
        Err(UnknownWord {
            what: Self::WHAT,
            word: word.to_string(),
            suggestion: closest(&norm, words.iter().copied()),
            expected: words,
            covers: &[],
        })
    }
}

macro_rules! vocab {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
        $(extra { $( $extra:literal => $evariant:ident ),* $(,)? })?
        $(broader { $( $broad:literal => [$($covered:literal),+ $(,)?] ),* $(,)? })?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl Word for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $word),+ }
            }
            $(fn extra_spellings() -> &'static [(&'static str, Self)] {
                &[$(($extra, Self::$evariant)),*]
            })?
            $(fn broader() -> &'static [(&'static str, &'static [&'static str])] {
                &[$(($broad, &[$($covered),+])),*]
            })?
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse_word(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse_word(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

vocab! {
    /// Where the body is during an exercise.
    Position, "position" {
        /// Lying on the back.
        Supine = "supine",
        /// Lying on one side.
        SideLying = "side-lying",
        /// Lying face down.
        Prone = "prone",
        /// On hands and knees (all fours).
        Quadruped = "quadruped",
        /// Kneeling on both knees.
        Kneeling = "kneeling",
        /// One knee down, the other foot in front.
        HalfKneeling = "half-kneeling",
        /// Sitting on the floor (or a bed).
        SeatedFloor = "seated-floor",
        /// Sitting on a chair, car seat or wheelchair.
        SeatedChair = "seated-chair",
        Standing = "standing",
    }
    extra { "all-fours" => Quadruped, "lying" => Supine }
}

impl Position {
    /// How far the body is from the floor, 0 (lying) to 3 (standing).
    ///
    /// The planner never sends a person back down once they have got up: a routine's
    /// positions never decrease in this order.
    pub fn level(self) -> u8 {
        match self {
            Position::Supine | Position::SideLying | Position::Prone => 0,
            Position::Quadruped | Position::Kneeling | Position::HalfKneeling => 1,
            Position::SeatedFloor | Position::SeatedChair => 2,
            Position::Standing => 3,
        }
    }

    /// Whether this position can really be taken in a place: lying, on all fours, kneeling
    /// or sitting with the legs out on the floor or a bed; half-kneeling (one foot down)
    /// on the floor; seated on a chair; standing where one can stand.
    pub fn possible_in(self, place: Place) -> bool {
        match self {
            Position::Supine
            | Position::SideLying
            | Position::Prone
            | Position::Quadruped
            | Position::Kneeling
            | Position::SeatedFloor => matches!(place, Place::Floor | Place::Bed),
            Position::HalfKneeling => place == Place::Floor,
            Position::SeatedChair => place == Place::Chair,
            Position::Standing => place == Place::Standing,
        }
    }

    /// Where the body is, as people say it after a dose: "lying on your back".
    pub fn words(self) -> &'static str {
        match self {
            Position::Supine => "lying on your back",
            Position::SideLying => "lying on your side",
            Position::Prone => "lying face down",
            Position::Quadruped => "on your hands and knees",
            Position::Kneeling => "kneeling",
            Position::HalfKneeling => "kneeling on one knee",
            Position::SeatedFloor => "sitting on the floor or a bed",
            Position::SeatedChair => "sitting on a chair",
            Position::Standing => "standing",
        }
    }

    /// A phrase for cues: "lie on your back", "get onto all fours".
    pub fn get_into(self) -> &'static str {
        match self {
            Position::Supine => "lie on your back",
            Position::SideLying => "lie on your side",
            Position::Prone => "lie face down",
            Position::Quadruped => "come onto your hands and knees",
            Position::Kneeling => "kneel on a soft surface",
            Position::HalfKneeling => "kneel on one knee with the other foot in front",
            Position::SeatedFloor => "sit on the floor or the bed",
            Position::SeatedChair => "sit tall on a steady chair",
            Position::Standing => "stand up tall",
        }
    }
}

vocab! {
    /// Where a person can be: the places they can get to today.
    Place, "place" {
        /// On the floor, on a mat.
        Floor = "floor",
        /// On a bed (for those who cannot get down to the floor).
        Bed = "bed",
        /// On a chair: office chair, car seat, wheelchair.
        Chair = "chair",
        Standing = "standing",
    }
    extra { "wheelchair" => Chair, "stand" => Standing, "mat" => Floor }
}

vocab! {
    /// A part of the body a routine can serve.
    Area, "area" {
        Neck = "neck",
        /// Between and above the shoulder blades.
        UpperBack = "upper-back",
        /// The middle of the back (thoracic spine).
        MidBack = "mid-back",
        /// The lower back (lumbar spine).
        LowerBack = "lower-back",
        /// The buttocks, including the piriformis.
        Glutes = "glutes",
        /// The front of the hip.
        HipFlexors = "hip-flexors",
        /// The back of the thigh.
        Hamstrings = "hamstrings",
        /// The side of the trunk: quadratus lumborum and the IT band line.
        SideTrunk = "side-trunk",
        /// The belly muscles.
        Abdominals = "abdominals",
    }
    extra {
        "low-back" => LowerBack, "lumbar" => LowerBack, "piriformis" => Glutes,
        "hips" => HipFlexors, "hip" => HipFlexors, "abs" => Abdominals, "core" => Abdominals,
        "ql" => SideTrunk, "sides" => SideTrunk, "thoracic" => MidBack, "glute" => Glutes,
        "hamstring" => Hamstrings,
    }
    broader {
        "back" => ["lower-back", "mid-back", "upper-back"],
        "my-back" => ["lower-back", "mid-back", "upper-back"],
        "spine" => ["lower-back", "mid-back", "upper-back", "neck"],
        "legs" => ["hamstrings", "hip-flexors", "glutes"],
    }
}

impl Area {
    /// The area as people say it: "lower back", "back of the thighs" (the word itself,
    /// `lower-back`, is for the command line and files).
    pub fn said(self) -> &'static str {
        match self {
            Area::Neck => "neck",
            Area::UpperBack => "upper back",
            Area::MidBack => "middle of the back",
            Area::LowerBack => "lower back",
            Area::Glutes => "buttocks",
            Area::HipFlexors => "front of the hips",
            Area::Hamstrings => "back of the thighs",
            Area::SideTrunk => "sides of the body",
            Area::Abdominals => "belly",
        }
    }
}

vocab! {
    /// What an exercise does.
    Kind, "kind" {
        /// Held to lengthen a muscle.
        Stretch = "stretch",
        /// Gentle repeated movement through a comfortable range.
        Mobility = "mobility",
        /// Gentle muscle work that wakes the area up.
        Activation = "activation",
    }
}

vocab! {
    /// How an exercise uses the two sides of the body.
    Sides, "sides" {
        /// Both sides at once (or the move has no side).
        Both = "both",
        /// Each side in turn: every repetition on one side, then on the other.
        Each = "each",
        /// The sides take turns: left, right, left... (knee rolls), with no switch between.
        Alternate = "alternate",
    }
}

vocab! {
    /// Things an exercise needs or can use.
    Equipment, "equipment" {
        /// An exercise mat or a folded blanket.
        Mat = "mat",
        /// A steady chair without wheels.
        Chair = "chair",
        /// A clear stretch of wall.
        Wall = "wall",
        /// A pillow or cushion.
        Pillow = "pillow",
        /// A towel or strap.
        Towel = "towel",
    }
}

vocab! {
    /// Which dose a routine uses. The sources disagree, so this is the user's choice.
    DoseStyle, "dose style" {
        /// Each exercise's own dose: the source page's where one gives it.
        Source = "source",
        /// About 30 s holds, 2 repetitions (stretches only).
        Standard = "standard",
        /// 60 s holds, once per side (stretches only).
        Long = "long",
    }
}

vocab! {
    /// What an exercise asks of the body that a health condition may rule out: the
    /// catalogue's `demands` tags. Which condition rules out which demand is decided once,
    /// in [`crate::conditions`].
    Demand, "demand" {
        /// The spine rounds forward under load or toward the end of its range (knees hugged
        /// to the chest, sitting back on the heels, reaching for the toes).
        LoadedFlexion = "loaded-flexion",
        /// The lower or middle back bends backwards (press-ups, leaning back over a chair).
        SpinalExtension = "spinal-extension",
        /// The trunk turns (knee rolls, seated twists, the open book).
        SpinalRotation = "spinal-rotation",
        /// Lying face down.
        ProneLying = "prone-lying",
        /// Lying on the back.
        SupineLying = "supine-lying",
        /// The hip bends well past a right angle.
        DeepHipFlexion = "deep-hip-flexion",
        /// One leg crosses the other or the body's midline.
        HipCrossing = "hip-crossing",
        /// Weight on a knee: kneeling, half-kneeling or all fours.
        Kneeling = "kneeling",
    }
}

vocab! {
    /// A health condition a person records in the profile; each rules out some demands.
    Condition, "condition" {
        /// Thin, fragile bones.
        Osteoporosis = "osteoporosis",
        /// A hip joint replaced.
        HipReplacement = "hip-replacement",
        /// A knee joint replaced.
        KneeReplacement = "knee-replacement",
        Pregnancy = "pregnancy",
        /// An operation on the spine in the last months.
        RecentSpinalSurgery = "recent-spinal-surgery",
    }
    extra {
        "osteopenia" => Osteoporosis, "thin-bones" => Osteoporosis,
        "hip-replaced" => HipReplacement, "knee-replaced" => KneeReplacement,
        "pregnant" => Pregnancy, "spinal-surgery" => RecentSpinalSurgery,
        "back-surgery" => RecentSpinalSurgery, "spinal-operation" => RecentSpinalSurgery,
    }
}

vocab! {
    /// Which movement eases a person's lower-back pain, asked once: their directional
    /// preference, which the planner follows ([`crate::conditions::direction`]).
    EasedBy, "direction" {
        /// Bending forward eases it.
        Forward = "forward",
        /// Arching back eases it.
        Back = "back",
        /// Neither, or not sure.
        Neither = "neither",
    }
    extra {
        "bending" => Forward, "bending-forward" => Forward, "flexion" => Forward,
        "arching" => Back, "arching-back" => Back, "backward" => Back, "backwards" => Back,
        "extension" => Back, "not-sure" => Neither, "unsure" => Neither, "none" => Neither,
        "both" => Neither,
    }
}

impl EasedBy {
    /// How people say it: `arching back`.
    pub fn words(self) -> &'static str {
        match self {
            EasedBy::Forward => "bending forward",
            EasedBy::Back => "arching back",
            EasedBy::Neither => "neither, or not sure",
        }
    }
}

/// A side of the body, for exercises done each side in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The left side.
    Left,
    /// The right side.
    Right,
}

impl Side {
    /// `left` or `right`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// The side a word names.
    pub fn parse(word: &str) -> Option<Side> {
        [Side::Left, Side::Right]
            .into_iter()
            .find(|s| s.as_str() == word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_tolerate_case_and_underscores() {
        for p in Position::ALL {
            assert_eq!(Position::parse_word(p.as_str()), Ok(*p));
        }
        assert_eq!(
            Position::parse_word("Half_Kneeling"),
            Ok(Position::HalfKneeling)
        );
        assert_eq!(Position::parse_word("all fours"), Ok(Position::Quadruped));
        assert_eq!(Area::parse_word("Lower Back"), Ok(Area::LowerBack));
        assert_eq!(Place::parse_word("wheelchair"), Ok(Place::Chair));
    }

    #[test]
    fn unknown_word_lists_choices_and_suggests() {
        let e = Place::parse_word("flor").unwrap_err();
        assert_eq!(e.suggestion, Some("floor"));
        assert_eq!(
            e.to_string(),
            "unknown place `flor`; expected one of floor, bed, chair, standing (did you mean `floor`?)"
        );
        let e = Area::parse_word("elbow").unwrap_err();
        assert_eq!(e.suggestion, None);
    }

    #[test]
    fn levels_order_lying_kneeling_seated_standing() {
        assert!(Position::Supine.level() < Position::Quadruped.level());
        assert!(Position::Quadruped.level() < Position::SeatedChair.level());
        assert!(Position::SeatedChair.level() < Position::Standing.level());
    }

    /// Regression: "back" was answered with "did you mean `neck`?".
    #[test]
    fn a_broad_word_offers_the_areas_it_covers() {
        let e = Area::parse_word("back").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`back` covers 3 areas: lower-back, mid-back and upper-back; name the ones that hurt (several are fine)"
        );
        assert!(!e.to_string().contains("neck"));
        assert_eq!(Area::parse_word("lower back"), Ok(Area::LowerBack));
    }
}
