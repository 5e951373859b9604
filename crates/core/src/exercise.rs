//! Exercises and doses, as the catalogue holds them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::vocab::{Area, Demand, Equipment, Kind, Place, Position, Side, Sides};

/// How much of an exercise to do: hold time, repetitions and rest between them.
///
/// The sides are a property of the exercise ([`Exercise::sides`]); with `each`, the whole dose
/// is done on one side and then on the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    /// Seconds to hold each repetition (1-180).
    pub hold_s: u32,
    /// Repetitions per side (1-30).
    pub reps: u32,
    /// Seconds of rest between repetitions (0-120).
    pub rest_s: u32,
    /// Why this dose was chosen, when no source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Dose {
    /// A dose without a note.
    pub fn new(hold_s: u32, reps: u32, rest_s: u32) -> Self {
        Dose {
            hold_s,
            reps,
            rest_s,
            note: None,
        }
    }

    /// A short human form: `10 s x 5`.
    pub fn short(&self, sides: Sides) -> String {
        let side = match sides {
            Sides::Both => "",
            Sides::Each => " each side",
            Sides::Alternate => " each side, alternating",
        };
        format!("{} s x {}{side}", self.hold_s, self.reps)
    }

    /// The dose in words, as a person would say it: `hold 5 seconds, 5 times, each side`.
    /// `of` is the usual number of repetitions when fewer are planned to fit the time.
    pub fn words(&self, sides: Sides, of: Option<u32>) -> String {
        let seconds = crate::text::plural(self.hold_s, "second", "seconds");
        let times = match self.reps {
            1 => "once".to_string(),
            n => format!("{n} times"),
        };
        let fewer = match of {
            Some(usual) if usual > self.reps => {
                format!(" (fewer than the usual {usual}, to fit your time)")
            }
            _ => String::new(),
        };
        let side = match sides {
            Sides::Both => "",
            Sides::Each => ", each side",
            Sides::Alternate => ", each side in turn",
        };
        format!("hold {seconds}, {times}{fewer}{side}")
    }
}

/// The dose a source page gives for an exercise, kept exactly as the page gives it.
///
/// Fields the page does not state stay empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDose {
    /// Seconds to hold, when the page gives an exact figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_s: Option<u32>,
    /// The least number of seconds to hold, when the page gives a minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_hold_s: Option<u32>,
    /// Repetitions (the lower bound when the page gives a range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<u32>,
    /// The upper bound of a range of repetitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps_max: Option<u32>,
    /// Whether the page says to do each side in turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sides: Option<Sides>,
}

impl fmt::Display for SourceDose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        match (self.hold_s, self.min_hold_s) {
            (Some(h), _) => parts.push(format!("hold {h} s")),
            (None, Some(m)) => parts.push(format!("hold at least {m} s")),
            (None, None) => {}
        }
        match (self.reps, self.reps_max) {
            (Some(r), Some(m)) if m != r => parts.push(format!("{r}-{m} repetitions")),
            (Some(r), _) => parts.push(format!("{r} repetitions")),
            (None, Some(m)) => parts.push(format!("up to {m} repetitions")),
            (None, None) => {}
        }
        if self.sides == Some(Sides::Each) {
            parts.push("each side".to_string());
        }
        if parts.is_empty() {
            f.write_str("no figures given")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// A source document that describes an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// The seed file name (`002_0d052247460285cc.txt`).
    pub doc: String,
    /// The dose this page gives, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<SourceDose>,
    /// What this page says about the exercise, in our words (the name it uses, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Published evidence for an exercise beyond the five source pages: a guideline, a trial or
/// a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Who and where, as people cite it: `Pocovi et al., The Lancet`.
    pub cite: String,
    /// The year it was published.
    pub year: u16,
    /// What it supports, and the dose it uses, in our words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Evidence {
    /// `Pocovi et al., The Lancet, 2024`.
    pub fn cite_year(&self) -> String {
        format!("{}, {}", self.cite, self.year)
    }
}

/// One exercise of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Stable id, lower-case words joined by `-`; the file is named `<id>.toml`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Other names the sources or people use.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Stretch, mobility or activation.
    pub kind: Kind,
    /// The body position the exercise is done in.
    pub position: Position,
    /// Every place it can be done.
    pub places: Vec<Place>,
    /// What it needs or can use.
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    /// The areas it serves, the main one first.
    pub areas: Vec<Area>,
    /// Both sides at once, or each side in turn.
    pub sides: Sides,
    /// What a side means, said plainly at each hold: `stretching your {side} hip`, with
    /// `{side}` the stretched side and `{other}` the other one. Only with sides `each` or
    /// `alternate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side_cue: Option<String>,
    /// 1 gentle, 2 moderate, 3 demanding.
    pub gentleness: u8,
    /// What it is for, in a sentence or two.
    pub purpose: String,
    /// The default dose.
    pub dose: Dose,
    /// Numbered steps.
    pub steps: Vec<String>,
    /// What to watch for.
    pub cautions: Vec<String>,
    /// What it asks of the body that a health condition may rule out (loaded flexion,
    /// kneeling...); see [`crate::conditions`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demands: Vec<Demand>,
    /// The source pages that describe it (none for an exercise added from evidence alone).
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// Published evidence beyond the pages (at least one entry when no page describes it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The stick figure's keyframes, for drawing the exercise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pose: Option<Box<crate::pose::PoseSpec>>,
    /// The same exercise done in other places, each with its own position, steps, cautions
    /// and figure (the levator stretch seated as well as standing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// The variant this is, once one is chosen ([`Exercise::in_form`]); never in a file.
    #[serde(skip)]
    pub variant: Option<String>,
    /// The next exercise in its family, once this one's dose has grown as far as it goes
    /// (coaching moves the person on to it: [`crate::coach`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progresses_to: Option<String>,
}

/// One other way to do an exercise, for other places: what changes with the place.
/// Everything else (areas, sides, dose, sources) is the exercise's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// A short name, one word or two: `seated`, `standing`, `lying`.
    pub name: String,
    /// The body position of this form.
    pub position: Position,
    /// The places it can be done.
    pub places: Vec<Place>,
    /// What this form needs or can use.
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    /// Its numbered steps.
    pub steps: Vec<String>,
    /// What to watch for in this form.
    pub cautions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pose: Option<Box<crate::pose::PoseSpec>>,
}

/// A side cue filled in for one side (`stretching your left hip`), or `left side` without
/// one.
pub fn side_text(cue: Option<&str>, side: Side) -> String {
    let (this, other) = (side.as_str(), side.other().as_str());
    match cue {
        Some(c) => c.replace("{side}", this).replace("{other}", other),
        None => format!("{this} side"),
    }
}

/// Which form of an exercise: its own, or one of its variants (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Form {
    /// The form the file describes first.
    Main,
    /// `variants[i]`.
    Variant(usize),
}

impl Exercise {
    /// What a side means at a hold: the side cue filled in, or `left side`.
    pub fn side_text(&self, side: Side) -> String {
        side_text(self.side_cue.as_deref(), side)
    }

    /// Its name as a routine shows it: with the variant chosen, `Chin tuck (lying)`.
    pub fn title(&self) -> String {
        match &self.variant {
            None => self.name.clone(),
            Some(v) => format!("{} ({v})", self.name),
        }
    }

    /// 1 for `both`, 2 for `each` and `alternate`.
    pub fn side_count(&self) -> u32 {
        match self.sides {
            Sides::Both => 1,
            Sides::Each | Sides::Alternate => 2,
        }
    }

    /// Whether it can be done in any of these places, in some form.
    pub fn fits_any(&self, places: &[Place]) -> bool {
        self.form_for(places).is_some()
    }

    /// The first form (its own, then each variant in order) that can be done in one of
    /// these places: one the form lists, where its position can really be taken (a user's
    /// file listing `bed` for a standing move is not planned for a bed).
    pub fn form_for(&self, places: &[Place]) -> Option<Form> {
        let fits = |position: Position, own: &[Place]| {
            own.iter()
                .any(|p| places.contains(p) && position.possible_in(*p))
        };
        if fits(self.position, &self.places) {
            return Some(Form::Main);
        }
        self.variants
            .iter()
            .position(|v| fits(v.position, &v.places))
            .map(Form::Variant)
    }

    /// The position a form is done in.
    pub fn position_of(&self, form: Form) -> Position {
        match form {
            Form::Variant(i) if i < self.variants.len() => self.variants[i].position,
            _ => self.position,
        }
    }

    /// Every place some form of it can be done, in the order first listed.
    pub fn all_places(&self) -> Vec<Place> {
        let mut out: Vec<Place> = Vec::new();
        for p in self
            .places
            .iter()
            .chain(self.variants.iter().flat_map(|v| v.places.iter()))
        {
            if !out.contains(p) {
                out.push(*p);
            }
        }
        out
    }

    /// The exercise as done in one form: a variant's position, places, equipment, steps,
    /// cautions and figure in place of the main ones, named in [`Exercise::variant`]; no
    /// variants left. The main form is the exercise without its variants.
    pub fn in_form(&self, form: Form) -> Exercise {
        let mut e = self.clone();
        let variants = std::mem::take(&mut e.variants);
        if let Form::Variant(i) = form
            && let Some(v) = variants.into_iter().nth(i)
        {
            e.position = v.position;
            e.places = v.places;
            e.equipment = v.equipment;
            e.steps = v.steps;
            e.cautions = v.cautions;
            e.pose = v.pose;
            e.variant = Some(v.name);
        }
        e
    }

    /// The exercise as drawn for someone whose places are `places`: a move on the floor
    /// (lying, kneeling, on all fours) is drawn on a bed when the places have a bed and no
    /// floor, and the exercise can be done in bed.
    pub fn at_places(mut self, places: &[Place]) -> Exercise {
        let in_bed = places.contains(&Place::Bed)
            && !places.contains(&Place::Floor)
            && self.places.contains(&Place::Bed)
            && self.position.possible_in(Place::Bed);
        if in_bed && let Some(p) = &mut self.pose {
            **p = p.on_bed();
        }
        self
    }

    /// The form a variant name (as a routine keeps it) stands for: the main form for none,
    /// `None` when no variant has that name.
    pub fn form_named(&self, name: Option<&str>) -> Option<Form> {
        match name {
            None => Some(Form::Main),
            Some(n) => self
                .variants
                .iter()
                .position(|v| v.name == n)
                .map(Form::Variant),
        }
    }

    /// The exercise in the form a variant name stands for (the main form when the name is
    /// unknown, as for a routine saved before the variant was renamed).
    pub fn in_variant(&self, name: Option<&str>) -> Exercise {
        self.in_form(self.form_named(name).unwrap_or(Form::Main))
    }

    /// Whether one of the five source pages describes it (otherwise it comes from the
    /// published evidence alone).
    pub fn from_pages(&self) -> bool {
        !self.sources.is_empty()
    }

    /// Where it comes from, as people cite it: each source page by title and author, then
    /// each piece of evidence beyond the pages with its year.
    pub fn citations(&self) -> Vec<String> {
        self.sources
            .iter()
            .map(|s| {
                crate::sources::source_doc(&s.doc)
                    .map_or_else(|| s.doc.clone(), super::sources::SourceDoc::cite)
            })
            .chain(self.evidence.iter().map(Evidence::cite_year))
            .collect()
    }

    /// Every name the exercise answers to: id (words), name, aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str())
            .chain(std::iter::once(self.name.as_str()))
            .chain(self.aliases.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_dose_reads_like_the_page() {
        let d = SourceDose {
            hold_s: Some(5),
            reps: Some(10),
            sides: Some(Sides::Each),
            ..SourceDose::default()
        };
        assert_eq!(d.to_string(), "hold 5 s, 10 repetitions, each side");
        let d = SourceDose {
            reps: Some(2),
            reps_max: Some(5),
            ..SourceDose::default()
        };
        assert_eq!(d.to_string(), "2-5 repetitions");
        let d = SourceDose {
            min_hold_s: Some(60),
            sides: Some(Sides::Each),
            ..SourceDose::default()
        };
        assert_eq!(d.to_string(), "hold at least 60 s, each side");
    }

    #[test]
    fn dose_short_form() {
        assert_eq!(
            Dose::new(30, 2, 10).short(Sides::Each),
            "30 s x 2 each side"
        );
        assert_eq!(Dose::new(10, 5, 5).short(Sides::Both), "10 s x 5");
    }
}
