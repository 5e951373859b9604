//! What a player shows and asks before and while it plays, as values every front end
//! renders: each exercise of the routine as the player presents it, and the choice a high
//! pain score asks for.

use backstretch_core::catalog::Catalog;
use backstretch_core::exercise::{Exercise, side_text};
use backstretch_core::safety::is_high_pain;
use backstretch_core::timeline::{Side, TimelineItem};
use backstretch_core::vocab::{Place, Position, Sides};

use crate::{App, AppError, Overrides, Playable};

/// An exercise of a routine as the player presents it: in the form the routine chose, with
/// how to get into position, what to do, what to watch for, and what each side means.
#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseView {
    /// The catalogue id.
    pub id: String,
    /// The name the routine gives it (with its variant: `Chin tuck (lying)`).
    pub name: String,
    /// Where the body is.
    pub position: Position,
    /// Numbered steps, in the project's words (empty when the catalogue no longer has it).
    pub steps: Vec<String>,
    /// What to be careful of.
    pub cautions: Vec<String>,
    /// The exercise in the routine's form, for its figure (none when the catalogue no longer
    /// has it).
    pub exercise: Option<Exercise>,
    /// What a side means (`stretching the front of your {side} hip`), when it says.
    pub side_cue: Option<String>,
    /// What the left and the right side mean, for an exercise done on each side in turn.
    pub sides: Option<[(Side, String); 2]>,
}

impl ExerciseView {
    /// The view of a routine item, filled in from the catalogue, its figure drawn for the
    /// routine's places (on a bed when they have a bed and no floor).
    pub fn of(item: &TimelineItem, catalog: &Catalog, places: &[Place]) -> ExerciseView {
        let exercise = catalog
            .played(&item.id, item.variant.as_deref())
            .map(|e| e.at_places(places));
        ExerciseView {
            id: item.id.clone(),
            name: item.name.clone(),
            position: item.position,
            steps: exercise
                .as_ref()
                .map(|e| e.steps.clone())
                .unwrap_or_default(),
            cautions: exercise
                .as_ref()
                .map(|e| e.cautions.clone())
                .unwrap_or_default(),
            side_cue: item.side_cue.clone(),
            sides: (item.sides != Sides::Both).then(|| {
                [Side::Left, Side::Right].map(|s| (s, side_text(item.side_cue.as_deref(), s)))
            }),
            exercise,
        }
    }

    /// The position with how to get into it: `supine (lie on your back)`.
    pub fn position_text(&self) -> String {
        format!("{} ({})", self.position, self.position.get_into())
    }
}

/// The choice a high pain score before a session asks for: rest today, or go on with only
/// the gentlest moves.
#[derive(Debug, Clone)]
pub struct HighPain {
    /// The score, 0-10.
    pub pain: u8,
    /// Today's routine at its gentlest; `None` when nothing in it is gentle enough.
    pub gentlest: Option<Playable>,
}

impl HighPain {
    /// What a front end says first.
    pub fn message(&self) -> String {
        format!("Your pain is {} out of 10, which is high.", self.pain)
    }

    /// The advice that goes with the question.
    pub const ADVICE: &str = "A rest day is a fine choice; if you go on, it will be only the gentlest moves for about five minutes in one place, and stop at once if the pain turns sharper or worse than now, or spreads.";

    /// What to say to someone who rests.
    pub const REST: &str = "Rest today. If the pain stays this high, gets worse, or any warning sign appears, see a doctor.";

    /// What to say when no exercise is gentle enough, and the advice with it.
    pub const NOTHING_GENTLE: (&str, &str) = (
        "No exercise in this routine is gentle enough for today.",
        "Rest, and see a doctor if the pain stays this high.",
    );
}

impl App<'_> {
    /// Each item of a routine as the player presents it.
    pub fn exercise_views(&self, catalog: &Catalog, playable: &Playable) -> Vec<ExerciseView> {
        let places = playable.places();
        playable
            .items
            .iter()
            .map(|i| ExerciseView::of(i, catalog, &places))
            .collect()
    }

    /// The choice to offer before playing `playable` at this pain score: none when the score
    /// is not high, else the gentlest version of the routine (planned again gentler, or a
    /// saved routine's gentlest exercises, shortened).
    pub fn high_pain(
        &self,
        catalog: &Catalog,
        o: &Overrides,
        playable: &Playable,
        pain_before: Option<u8>,
    ) -> Result<Option<HighPain>, AppError> {
        let Some(pain) = pain_before.filter(|p| is_high_pain(*p)) else {
            return Ok(None);
        };
        Ok(Some(HighPain {
            pain,
            gentlest: self.gentlest(catalog, o, playable)?,
        }))
    }
}
