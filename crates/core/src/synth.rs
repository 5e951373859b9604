//! Synthetic catalogues for tests and benchmarks: many plausible exercises from a seed.

use crate::catalog::Catalog;
use crate::exercise::{Dose, Exercise, SourceRef};
use crate::sources::SOURCE_DOCS;
use crate::vocab::{Area, Kind, Place, Position, Sides, Word};

/// A small deterministic generator (SplitMix64), so no randomness crate is needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + u32::try_from(self.next_u64() % u64::from(hi - lo + 1)).unwrap_or(0)
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[usize::try_from(self.next_u64() % from.len() as u64).unwrap_or(0)]
    }
}

/// Places a position can sensibly be done in.
fn places_for(p: Position) -> &'static [Place] {
    match p.level() {
        0 => &[Place::Floor, Place::Bed],
        1 => &[Place::Floor],
        2 if p == Position::SeatedChair => &[Place::Chair],
        2 => &[Place::Floor, Place::Bed],
        _ => &[Place::Standing],
    }
}

/// One synthetic exercise.
pub fn exercise(rng: &mut Rng, id: String, max_reps: u32) -> Exercise {
    let position = rng.pick(Position::ALL);
    let kind = if rng.range(0, 5) == 0 {
        Kind::Activation
    } else {
        Kind::Stretch
    };
    let n_areas = rng.range(1, 3);
    let mut areas: Vec<Area> = Vec::new();
    for _ in 0..n_areas {
        let a = rng.pick(Area::ALL);
        if !areas.contains(&a) {
            areas.push(a);
        }
    }
    Exercise {
        name: format!("Synthetic {id}"),
        id,
        aliases: vec![],
        kind,
        position,
        places: places_for(position).to_vec(),
        equipment: vec![],
        areas,
        sides: match rng.range(0, 5) {
            0..=2 => Sides::Both,
            3 => Sides::Each,
            _ => Sides::Alternate,
        },
        gentleness: u8::try_from(rng.range(1, 3)).unwrap_or(1),
        purpose: "A generated exercise.".into(),
        dose: Dose {
            hold_s: rng.pick(&[5, 10, 15, 20, 30, 45, 60]),
            reps: rng.range(1, max_reps),
            rest_s: rng.pick(&[0, 3, 5, 10]),
            note: Some("Generated.".into()),
        },
        steps: vec!["Move.".into()],
        cautions: vec!["Stop if it hurts.".into()],
        demands: Vec::new(),
        sources: vec![SourceRef {
            doc: SOURCE_DOCS[0].doc.into(),
            dose: None,
            note: None,
        }],
        evidence: Vec::new(),
        side_cue: None,
        pose: None,
        variants: Vec::new(),
        variant: None,
        progresses_to: None,
    }
}

/// A catalogue of `n` synthetic exercises with at most `max_reps` repetitions each.
pub fn catalog(n: usize, seed: u64, max_reps: u32) -> Catalog {
    let mut rng = Rng::new(seed);
    Catalog::from_exercises((0..n).map(|i| exercise(&mut rng, format!("synthetic-{i}"), max_reps)))
}

/// A user's folder, as one sent in: the first `n` of 36 stretches done each side, each
/// serving every area, four in each of the nine positions in turn (in the places that give
/// the position). Asked for one area, every file is as good as another but for its position,
/// which makes the search's bound on hold time loose.
pub fn each_side_stretches(n: usize) -> Catalog {
    let mut rng = Rng::new(36);
    Catalog::from_exercises((0..n).map(|i| {
        let mut e = exercise(&mut rng, format!("stretch-{i:02}"), 2);
        e.kind = Kind::Stretch;
        e.sides = Sides::Each;
        e.areas = Area::ALL.to_vec();
        e.position = Position::ALL[i / 4 % Position::ALL.len()];
        e.places = Place::ALL
            .iter()
            .copied()
            .filter(|p| e.position.possible_in(*p))
            .collect();
        e
    }))
}
