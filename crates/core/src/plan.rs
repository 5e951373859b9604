//! The planner: the best routine for one person's areas, places and minutes.
//!
//! # Hard rules
//! - Only exercises doable in an allowed place, never an excluded or blocked one.
//! - The full timeline (get into position, holds, rests, side switches) fits the minutes; it
//!   is budgeted with the timeline's own step lengths ([`item_seconds`]).
//! - Order: positions never go back down (lying, then all fours or kneeling, then seated,
//!   then standing), each position's exercises together, a gentle warm-up first when one is
//!   in the routine, gentler before more demanding.
//! - Deterministic: the same catalogue, request and date give the same routine.
//!
//! # Objective, compared in this order ([`Score`])
//! 1. Coverage: the requested areas served, the first (primary) weighing more than all the
//!    others together.
//! 2. A warm-up move (the gentlest activation or mobility move at the lowest level any
//!    candidate has, so it can always open the routine) when one serves a requested area.
//! 3. Dose adequacy: per area, hold seconds (one side) up to the usual 60 s per session.
//! 4. Time spent holding, in 30 s steps (so that near-equal routines count as equal).
//! 5. Fewer positions, so fewer position changes.
//! 6. Variety: among routines equal on all of the above, the date picks one (a hash of the
//!    date and the routine's ids), so a daily routine rotates.
//!
//! # Search
//! Exact branch and bound over every candidate's repetitions: left out, or the style's
//! repetitions trimmed in steps ([`trim_levels`]: all, half, one, keeping at least 20 s of
//! hold per side), so time is saved by
//! trimming repetitions before an area is dropped. The search is split by the set of
//! positions a routine uses (its position cost paid up front), most promising set first;
//! upper bounds are taken component-wise, with hold seconds bounded by the time left at the
//! best hold-per-second rate. A property test checks it against brute force. Catalogues
//! with more than [`POOL`] candidates are first reduced to a pool of the best candidates per
//! requested area (see [`reduce`]); the search is exact over that pool.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::catalog::Catalog;
use crate::exercise::{Dose, Exercise};
use crate::safety::gentler;
use crate::sources::source_doc;
use crate::timeline::{POSITION_S, PREPARE_S, Timeline, TimelineItem, item_seconds};
use crate::vocab::{Area, DoseStyle, Kind, Place, Word};

/// The most candidates searched exactly; larger candidate sets are reduced first.
pub const POOL: usize = 24;
/// Hold seconds per area and session that count as enough (the usual guidance).
pub const ENOUGH_S: u32 = 60;
/// The shortest and longest routine a request may ask for, in minutes.
pub const MINUTES: std::ops::RangeInclusive<u32> = 1..=180;
/// The search stops after this many nodes and keeps the best routine found (never reached on
/// catalogues of the built-in size; reported in [`Plan::exhaustive`]).
pub const NODE_LIMIT: u64 = 5_000_000;

/// What a person asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Areas to serve, the primary first.
    pub areas: Vec<Area>,
    /// Places the person can be.
    pub places: Vec<Place>,
    /// Minutes available.
    pub minutes: u32,
    /// Which dose to use.
    pub style: DoseStyle,
    /// Exercise ids never to include.
    pub exclude: Vec<String>,
    /// The day the routine is for (variety rotates with it).
    pub date: NaiveDate,
    /// Gentler routines after a flare: only the gentlest exercises, shorter holds, fewer reps.
    pub gentler: bool,
}

/// One exercise in a routine.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The exercise.
    pub exercise: Exercise,
    /// The dose to do (the style's, perhaps with repetitions trimmed).
    pub dose: Dose,
    /// Repetitions the style asked for, before any trimming.
    pub style_reps: u32,
    /// Requested areas it serves, in request order.
    pub serves: Vec<Area>,
    /// Seconds in the timeline, including getting ready.
    pub seconds: u32,
    /// Why it is there, in one line.
    pub reason: String,
    /// Whether it is the warm-up.
    pub warm_up: bool,
}

/// A planned routine.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The request it answers.
    pub request: Request,
    /// The exercises, in the order to do them.
    pub items: Vec<Item>,
    /// The whole timeline, in seconds.
    pub total_s: u32,
    /// What could not be done as asked, what to relax, and what the safety rules changed.
    pub warnings: Vec<Warning>,
    /// The score the routine reached.
    pub score: Score,
    /// Whether the search covered every option (false only past [`NODE_LIMIT`]).
    pub exhaustive: bool,
}

impl Item {
    /// The dose as people say it, `10 s x 5 (of 8), each side`, with `sep` before
    /// `each side` (a comma, or a line break in tables).
    pub fn dose_text(&self, sep: &str) -> String {
        let side = if self.exercise.sides == crate::vocab::Sides::Each {
            format!("{sep}each side")
        } else {
            String::new()
        };
        let trimmed = if self.dose.reps < self.style_reps {
            format!(" (of {})", self.style_reps)
        } else {
            String::new()
        };
        format!("{} s x {}{trimmed}{side}", self.dose.hold_s, self.dose.reps)
    }
}

impl Plan {
    /// The items as the timeline needs them.
    pub fn timeline_items(&self) -> Vec<TimelineItem> {
        self.items
            .iter()
            .map(|i| TimelineItem {
                id: i.exercise.id.clone(),
                name: i.exercise.name.clone(),
                position: i.exercise.position,
                sides: i.exercise.sides,
                dose: i.dose.clone(),
            })
            .collect()
    }

    /// The routine unrolled into its timeline.
    pub fn timeline(&self) -> Timeline {
        Timeline::new(&self.timeline_items())
    }
}

/// Why no routine could be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The request itself is malformed.
    #[error("{0}")]
    Invalid(String),
    /// No exercise serves any requested area in the allowed places.
    #[error(
        "no exercise for {areas} can be done in {places}{hint}",
        areas = join(.areas), places = join(.places),
        hint = .suggest.as_ref().map(|s| format!("; allowing {s} would give some")).unwrap_or_default()
    )]
    NothingFits {
        /// Requested areas.
        areas: Vec<Area>,
        /// Allowed places.
        places: Vec<Place>,
        /// A place that would help.
        suggest: Option<Place>,
    },
    /// Not even the shortest exercise fits the minutes.
    #[error("{minutes} minute{s} is too short: the shortest routine for these areas and places needs {need} minutes", s = if *.minutes == 1 { "" } else { "s" })]
    TooShort {
        /// Minutes asked for.
        minutes: u32,
        /// Minutes the shortest routine needs.
        need: u32,
    },
}

fn join<W: Word>(w: &[W]) -> String {
    match w.len() {
        0 => "nothing".into(),
        1 => w[0].as_str().into(),
        n => format!(
            "{} or {}",
            w[..n - 1]
                .iter()
                .map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            w[n - 1].as_str()
        ),
    }
}

/// A routine's score; larger is better, compared field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Score {
    /// Weighted requested areas served.
    pub coverage: u32,
    /// 1 when a warm-up opens the routine.
    pub warm_up: u32,
    /// Weighted hold seconds per area, each capped at [`ENOUGH_S`].
    pub adequacy: u32,
    /// Hold seconds in 30 s steps.
    pub hold_steps: u32,
    /// Minus the number of positions.
    pub neg_positions: i32,
}

/// Something a plan could not do as asked, or a change the safety rules made. Front ends
/// match on the variant; the text (`Display`) is what the plan's JSON carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// An area gets less than half the usual stretch.
    ThinDose {
        /// The area.
        area: Area,
        /// Its hold seconds.
        seconds: u32,
    },
    /// An area is left out for lack of time.
    AreaNeedsTime {
        /// The area.
        area: Area,
    },
    /// An area is left out because no exercise for it fits the places.
    AreaNeedsPlace {
        /// The area.
        area: Area,
        /// The places allowed.
        places: Vec<Place>,
        /// A place that would include it.
        allow: Place,
    },
    /// No exercise in the catalogue serves an area.
    AreaUnserved {
        /// The area.
        area: Area,
    },
    /// Repetitions were trimmed to fit the time.
    Trimmed {
        /// The exercises' names.
        names: Vec<String>,
    },
    /// The gentler plan after a flare.
    Gentler,
    /// An exercise left out after hurting twice lately.
    Blocked {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
    /// Repeated flares: see a clinician.
    SeeClinician {
        /// Flares within the window.
        flares: usize,
    },
}

impl Warning {
    /// Whether it comes from the safety rules (shown before a session starts).
    pub fn is_safety(&self) -> bool {
        matches!(self, Warning::Blocked { .. } | Warning::SeeClinician { .. })
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::ThinDose { area, seconds } => write!(
                f,
                "{area} gets only {seconds} s of stretch; more minutes would give it the usual {ENOUGH_S} s"
            ),
            Warning::AreaNeedsTime { area } => write!(
                f,
                "{area} is left out: not enough time; ask for more minutes to include it"
            ),
            Warning::AreaNeedsPlace {
                area,
                places,
                allow,
            } => write!(
                f,
                "{area} is left out: no exercise for it can be done in {}; allowing {allow} would include it",
                join(places)
            ),
            Warning::AreaUnserved { area } => write!(
                f,
                "{area} is left out: no exercise in the catalogue serves it"
            ),
            Warning::Trimmed { names } => write!(
                f,
                "repetitions trimmed to fit the time: {}",
                names.join(", ")
            ),
            Warning::Gentler => write!(
                f,
                "gentler plan after a flare: only the gentlest exercises, holds of at most {} s, at most {} repetitions",
                gentler::MAX_HOLD_S,
                gentler::MAX_REPS
            ),
            Warning::Blocked { id, name } => write!(
                f,
                "left out for safety: {name} was logged as hurting twice in 14 days; `backstretch profile allow {id}` puts it back"
            ),
            Warning::SeeClinician { flares } => write!(
                f,
                "{flares} flares in the last 14 days: please see a doctor or physiotherapist before going on; plans stay gentle until a calmer session"
            ),
        }
    }
}

/// The dose an exercise gets in a style (before any trimming).
pub fn style_dose(e: &Exercise, style: DoseStyle, gentler: bool) -> Dose {
    let base = &e.dose;
    let mut d = match (style, e.kind) {
        (DoseStyle::Source, _) | (_, Kind::Activation | Kind::Mobility) => {
            Dose::new(base.hold_s, base.reps, base.rest_s)
        }
        (DoseStyle::Standard, Kind::Stretch) => Dose::new(30, 2, 10),
        (DoseStyle::Long, Kind::Stretch) => Dose::new(60, 1, 0),
    };
    if gentler {
        d = gentler::dose(d);
    }
    d
}

/// Whether an exercise is a warm-up move.
pub fn is_warm_up(e: &Exercise) -> bool {
    matches!(e.kind, Kind::Activation | Kind::Mobility)
}

/// A candidate as the search sees it.
#[derive(Debug, Clone)]
struct Cand {
    ex: usize,
    /// Requested-area bits it serves (bit i = request area i).
    mask: u32,
    pos: usize,
    level: u8,
    warm: bool,
    sides: u32,
    hold: u32,
    rest: u32,
    max_reps: u32,
    /// Repetition counts to try, largest first: the style's, then trimmed (half, one).
    levels: Vec<u32>,
    gentleness: u8,
    id_hash: u64,
}

/// The least hold seconds per side a trimmed exercise keeps, so what is left still matters.
pub const MIN_TRIMMED_HOLD_S: u32 = 20;

/// The repetition counts a style's dose may be trimmed to: all of them, half (rounded up),
/// and one; never below [`MIN_TRIMMED_HOLD_S`] of hold per side (a dose shorter than that
/// to begin with is never trimmed).
pub fn trim_levels(hold_s: u32, reps: u32) -> Vec<u32> {
    let reps = reps.max(1);
    let floor = MIN_TRIMMED_HOLD_S.min(hold_s * reps);
    let mut v: Vec<u32> = [reps, reps.div_ceil(2), 1]
        .into_iter()
        .filter(|r| hold_s * r >= floor)
        .collect();
    v.dedup();
    v
}

impl Cand {
    /// Seconds of work for `r` repetitions, without the get-ready step.
    fn work(&self, r: u32) -> u32 {
        self.sides * (self.hold * r + self.rest * r.saturating_sub(1))
            + (self.sides - 1) * crate::timeline::SWITCH_S
    }
    /// Seconds in the timeline for `r` repetitions, counting the normal get-ready step.
    fn cost(&self, r: u32) -> u32 {
        PREPARE_S + self.work(r)
    }
}

/// Extra seconds a new position costs over a normal get-ready step.
const POSITION_EXTRA: u32 = POSITION_S - PREPARE_S;

use crate::hash::{START as FNV_START, fnv};

/// Weights of requested areas: the primary weighs more than all the others together.
fn weights(n: usize) -> Vec<u32> {
    (0..n)
        .map(|i| if i == 0 { n.max(1) as u32 } else { 1 })
        .collect()
}

struct Problem<'a> {
    cands: &'a [Cand],
    weights: Vec<u32>,
    budget: u32,
    date_seed: u64,
}

/// The evaluation of a choice of repetitions (0 = not chosen) for each candidate.
fn evaluate(p: &Problem<'_>, reps: &[u32]) -> Option<Ranked> {
    let mut time = 0u32;
    let mut positions = 0u32;
    let mut covered = 0u32;
    let mut dose = vec![0u32; p.weights.len()];
    let mut hold = 0u32;
    let mut any_warm = false;
    let mut hash = p.date_seed;
    for (c, &r) in p.cands.iter().zip(reps) {
        if r == 0 {
            continue;
        }
        time += c.cost(r);
        positions |= 1 << c.pos;
        covered |= c.mask;
        for (a, d) in dose.iter_mut().enumerate() {
            if c.mask & (1 << a) != 0 {
                *d += c.hold * r;
            }
        }
        hold += c.sides * c.hold * r;
        any_warm |= c.warm;
        hash = fnv(hash, &c.id_hash.to_le_bytes());
        hash = fnv(hash, &r.to_le_bytes());
    }
    time += POSITION_EXTRA * positions.count_ones();
    if time > p.budget || covered == 0 {
        return None;
    }
    let score = Score {
        coverage: (0..p.weights.len())
            .filter(|a| covered & (1 << a) != 0)
            .map(|a| p.weights[a])
            .sum(),
        warm_up: u32::from(any_warm),
        adequacy: dose
            .iter()
            .zip(&p.weights)
            .map(|(d, w)| d.min(&ENOUGH_S) * w)
            .sum(),
        hold_steps: hold / 30,
        neg_positions: -(positions.count_ones() as i32),
    };
    Some(Ranked { score, hold, hash })
}

/// A full ranking: the score, then exact hold seconds, then the variety hash (lower wins),
/// so that no two different routines ever tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ranked {
    score: Score,
    hold: u32,
    hash: u64,
}

/// Whether `a` beats `b`.
fn better(a: Ranked, b: Option<Ranked>) -> bool {
    match b {
        None => true,
        Some(b) => {
            (a.score, a.hold, std::cmp::Reverse(a.hash))
                > (b.score, b.hold, std::cmp::Reverse(b.hash))
        }
    }
}

/// A search over the candidates whose positions make up one set `Q`, with the extra time
/// of those positions charged up front. Every routine is found in the subproblem of its
/// own position set, so the positions component is a constant here and bounds stay tight.
struct Search<'a> {
    p: &'a Problem<'a>,
    /// Indices into `p.cands` of this subproblem's candidates.
    idx: Vec<usize>,
    /// Seconds left for the candidates once the positions are paid for.
    budget: u32,
    /// Minus the number of positions in the set.
    neg_positions: i32,
    /// Suffix unions: areas any candidate from i on serves, and whether a warm-up remains.
    rest_mask: Vec<u32>,
    rest_warm: Vec<bool>,
    /// Suffix sums of each area's largest possible hold seconds, and of all hold seconds.
    rest_dose: Vec<Vec<u32>>,
    rest_hold: Vec<u32>,
    /// Per candidate (in search order): its best hold seconds per timeline second over every
    /// repetition level, and its largest hold seconds. The search order sorts by the rate,
    /// so the fractional-knapsack bound is a walk along the suffix.
    rate: Vec<f64>,
    max_hold: Vec<u32>,
}

#[derive(Clone)]
struct Partial {
    time: u32,
    covered: u32,
    dose: Vec<u32>,
    hold: u32,
    any_warm: bool,
}

/// The state shared by every subproblem: the best routine so far.
struct Best {
    reps: Vec<u32>,
    best: Option<Ranked>,
    best_reps: Vec<u32>,
    nodes: u64,
}

impl<'a> Search<'a> {
    fn new(p: &'a Problem<'a>, mut idx: Vec<usize>, positions: u32) -> Option<Self> {
        let budget = p.budget.checked_sub(POSITION_EXTRA * positions)?;
        let rate_of = |c: &Cand| {
            c.levels
                .iter()
                .map(|&r| f64::from(c.sides * c.hold * r) / f64::from(c.cost(r)))
                .fold(0f64, f64::max)
        };
        // Highest rate first (stable, so ties keep the usefulness order).
        idx.sort_by(|a, b| rate_of(&p.cands[*b]).total_cmp(&rate_of(&p.cands[*a])));
        let rate: Vec<f64> = idx.iter().map(|i| rate_of(&p.cands[*i])).collect();
        let max_hold: Vec<u32> = idx
            .iter()
            .map(|i| {
                let c = &p.cands[*i];
                c.sides * c.hold * c.max_reps
            })
            .collect();
        let n = idx.len();
        let areas = p.weights.len();
        let mut rest_mask = vec![0u32; n + 1];
        let mut rest_warm = vec![false; n + 1];
        let mut rest_dose = vec![vec![0u32; areas]; n + 1];
        let mut rest_hold = vec![0u32; n + 1];
        for i in (0..n).rev() {
            let c = &p.cands[idx[i]];
            rest_mask[i] = rest_mask[i + 1] | c.mask;
            rest_warm[i] = rest_warm[i + 1] || c.warm;
            rest_hold[i] = rest_hold[i + 1] + c.sides * c.hold * c.max_reps;
            let next = rest_dose[i + 1].clone();
            for (a, (d, nx)) in rest_dose[i].iter_mut().zip(next).enumerate() {
                *d = nx
                    + if c.mask & (1 << a) != 0 {
                        c.hold * c.max_reps
                    } else {
                        0
                    };
            }
        }
        Some(Search {
            p,
            idx,
            budget,
            neg_positions: -(positions as i32),
            rest_mask,
            rest_warm,
            rest_dose,
            rest_hold,
            rate,
            max_hold,
        })
    }

    fn start(&self) -> Partial {
        Partial {
            time: 0,
            covered: 0,
            dose: vec![0; self.p.weights.len()],
            hold: 0,
            any_warm: false,
        }
    }

    /// Upper bounds on the score and on exact hold seconds of any completion of `s` that
    /// uses exactly this subproblem's positions.
    fn bound(&self, i: usize, s: &Partial) -> (Score, u32) {
        let n = self.p.weights.len();
        let covered = s.covered | self.rest_mask[i];
        let time_left = self.budget.saturating_sub(s.time);
        // Hold seconds still to gain: the fractional knapsack over the remaining candidates,
        // best rate first, each at most its largest hold (the LP relaxation's optimum).
        let mut t = f64::from(time_left);
        let mut gain = 0f64;
        for j in i..self.idx.len() {
            if t <= 0.0 {
                break;
            }
            let h = f64::from(self.max_hold[j]);
            let need = h / self.rate[j];
            if need <= t {
                gain += h;
                t -= need;
            } else {
                gain += t * self.rate[j];
                t = 0.0;
            }
        }
        let by_time = (gain + 1e-6).floor() as u32;
        let hold = s.hold + self.rest_hold[i].min(by_time);
        let score = Score {
            coverage: (0..n)
                .filter(|a| covered & (1 << a) != 0)
                .map(|a| self.p.weights[a])
                .sum(),
            warm_up: u32::from(s.any_warm || self.rest_warm[i]),
            adequacy: (0..n)
                .map(|a| (s.dose[a] + self.rest_dose[i][a]).min(ENOUGH_S) * self.p.weights[a])
                .sum(),
            hold_steps: hold / 30,
            neg_positions: self.neg_positions,
        };
        (score, hold)
    }

    fn run(&self, i: usize, s: &Partial, b: &mut Best) {
        b.nodes += 1;
        if b.nodes > NODE_LIMIT {
            return;
        }
        if let Some(best) = b.best
            && self.bound(i, s) < (best.score, best.hold)
        {
            return;
        }
        if i == self.idx.len() {
            if let Some(e) = evaluate(self.p, &b.reps)
                && better(e, b.best)
            {
                b.best = Some(e);
                b.best_reps.clone_from(&b.reps);
            }
            return;
        }
        let ci = self.idx[i];
        let c = &self.p.cands[ci];
        for &r in &c.levels {
            let time = s.time + c.cost(r);
            if time > self.budget {
                continue;
            }
            let mut next = s.clone();
            next.time = time;
            next.covered |= c.mask;
            for (a, d) in next.dose.iter_mut().enumerate() {
                if c.mask & (1 << a) != 0 {
                    *d += c.hold * r;
                }
            }
            next.hold += c.sides * c.hold * r;
            next.any_warm |= c.warm;
            b.reps[ci] = r;
            self.run(i + 1, &next, b);
            b.reps[ci] = 0;
        }
        self.run(i + 1, s, b);
    }
}

fn search(p: &Problem<'_>) -> (Option<Vec<u32>>, bool) {
    let n = p.cands.len();
    let mut positions: Vec<usize> = p.cands.iter().map(|c| c.pos).collect();
    positions.sort_unstable();
    positions.dedup();
    let mut subs: Vec<((Score, u32), Search<'_>)> = Vec::new();
    for q in 1u32..(1 << positions.len()) {
        let in_q = |pos: usize| {
            positions
                .iter()
                .position(|x| *x == pos)
                .is_some_and(|k| q & (1 << k) != 0)
        };
        let idx: Vec<usize> = (0..n).filter(|&i| in_q(p.cands[i].pos)).collect();
        if let Some(sub) = Search::new(p, idx, q.count_ones()) {
            let root = sub.bound(0, &sub.start());
            subs.push((root, sub));
        }
    }
    // Most promising first; stop once no remaining subproblem can beat the best.
    subs.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut b = Best {
        reps: vec![0; n],
        best: None,
        best_reps: vec![0; n],
        nodes: 0,
    };
    for (root, sub) in &subs {
        if let Some(best) = b.best
            && *root < (best.score, best.hold)
        {
            break;
        }
        sub.run(0, &sub.start(), &mut b);
    }
    let exhaustive = b.nodes <= NODE_LIMIT;
    (b.best.map(|_| b.best_reps), exhaustive)
}

/// Every choice of repetitions, tried one by one: the reference the search is tested
/// against. Only for a handful of candidates.
fn brute_force(p: &Problem<'_>) -> Option<Vec<u32>> {
    let n = p.cands.len();
    // digit[i] = 0 leaves candidate i out; k > 0 picks levels[k - 1].
    let mut digit = vec![0usize; n];
    let mut best: Option<Ranked> = None;
    let mut best_reps = None;
    loop {
        let reps: Vec<u32> = digit
            .iter()
            .zip(p.cands)
            .map(|(d, c)| if *d == 0 { 0 } else { c.levels[d - 1] })
            .collect();
        if let Some(e) = evaluate(p, &reps)
            && better(e, best)
        {
            best = Some(e);
            best_reps = Some(reps);
        }
        // Next combination, like an odometer.
        let mut i = 0;
        loop {
            if i == n {
                return best_reps;
            }
            if digit[i] < p.cands[i].levels.len() {
                digit[i] += 1;
                break;
            }
            digit[i] = 0;
            i += 1;
        }
    }
}

/// Reduces a large candidate set to at most [`POOL`]: the best few for each requested area
/// (by areas served, hold seconds, gentleness, id), the best warm-ups, then the best overall.
fn reduce(mut cands: Vec<Cand>, n_areas: usize, weights: &[u32]) -> Vec<Cand> {
    if cands.len() <= POOL {
        return cands;
    }
    let rank = |c: &Cand| {
        let w: u32 = (0..n_areas)
            .filter(|a| c.mask & (1 << a) != 0)
            .map(|a| weights[a])
            .sum();
        (
            std::cmp::Reverse(w),
            std::cmp::Reverse(c.sides * c.hold * c.max_reps),
            c.gentleness,
            c.id_hash,
        )
    };
    cands.sort_by_key(rank);
    let per_area = (POOL / (n_areas + 1)).max(2);
    let mut keep: BTreeSet<usize> = BTreeSet::new();
    for a in 0..n_areas {
        keep.extend(
            cands
                .iter()
                .enumerate()
                .filter(|(_, c)| c.mask & (1 << a) != 0)
                .take(per_area)
                .map(|(i, _)| i),
        );
    }
    keep.extend(
        cands
            .iter()
            .enumerate()
            .filter(|(_, c)| c.warm)
            .take(2)
            .map(|(i, _)| i),
    );
    for i in 0..cands.len() {
        if keep.len() >= POOL {
            break;
        }
        keep.insert(i);
    }
    keep.into_iter()
        .take(POOL)
        .map(|i| cands[i].clone())
        .collect()
}

/// Why an exercise is in the routine, in one line.
fn reason(e: &Exercise, serves: &[Area], primary: Area, warm: bool) -> String {
    let areas: Vec<String> = serves
        .iter()
        .map(|a| {
            if *a == primary {
                format!("{a} (primary)")
            } else {
                a.to_string()
            }
        })
        .collect();
    let mut authors: Vec<&str> = e
        .sources
        .iter()
        .filter_map(|s| source_doc(&s.doc).map(|d| d.author))
        .collect();
    authors.dedup();
    let from = if authors.is_empty() {
        "your own catalogue".to_string()
    } else {
        format!(
            "recommended by the {} page{}",
            authors.join(" and "),
            if e.sources.len() == 1 { "" } else { "s" }
        )
    };
    let lead = if warm {
        "Gentle warm-up; serves "
    } else {
        "Serves "
    };
    format!("{lead}{}; {from}.", areas.join(", "))
}

/// Checks a request's values.
pub fn validate(req: &Request) -> Result<(), PlanError> {
    if req.areas.is_empty() {
        return Err(PlanError::Invalid(
            "no area given; name at least one with --area (e.g. --area lower-back)".into(),
        ));
    }
    if req.places.is_empty() {
        return Err(PlanError::Invalid(
            "no place given; name at least one with --place (floor, bed, chair or standing)".into(),
        ));
    }
    if !MINUTES.contains(&req.minutes) {
        return Err(PlanError::Invalid(format!(
            "{} minutes is out of range; ask for {} to {} minutes",
            req.minutes,
            MINUTES.start(),
            MINUTES.end()
        )));
    }
    Ok(())
}

fn dedup<T: PartialEq + Copy>(v: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in v {
        if !out.contains(x) {
            out.push(*x);
        }
    }
    out
}

/// Plans the best routine for a request. `blocked` are ids left out for safety (hurt twice
/// lately); they are never chosen.
pub fn plan(catalog: &Catalog, req: &Request, blocked: &[String]) -> Result<Plan, PlanError> {
    plan_with(catalog, req, blocked, false)
}

fn plan_with(
    catalog: &Catalog,
    req: &Request,
    blocked: &[String],
    brute: bool,
) -> Result<Plan, PlanError> {
    validate(req)?;
    let areas = dedup(&req.areas);
    let places = dedup(&req.places);
    let weights = weights(areas.len());
    let exercises: Vec<&Exercise> = catalog.exercises().collect();
    let allowed = |e: &Exercise| {
        e.fits_any(&places)
            && !req.exclude.contains(&e.id)
            && !blocked.contains(&e.id)
            && (!req.gentler || gentler::allows(e))
    };
    let mut cands: Vec<Cand> = Vec::new();
    for (i, e) in exercises.iter().enumerate() {
        if !allowed(e) {
            continue;
        }
        let mask = areas
            .iter()
            .enumerate()
            .filter(|(_, a)| e.areas.contains(a))
            .fold(0u32, |m, (b, _)| m | (1 << b));
        if mask == 0 {
            continue;
        }
        let dose = style_dose(e, req.style, req.gentler);
        cands.push(Cand {
            ex: i,
            mask,
            pos: e.position as usize,
            level: e.position.level(),
            warm: is_warm_up(e),
            sides: e.side_count(),
            hold: dose.hold_s,
            rest: dose.rest_s,
            max_reps: dose.reps,
            levels: trim_levels(dose.hold_s, dose.reps),
            gentleness: e.gentleness,
            id_hash: fnv(FNV_START, e.id.as_bytes()),
        });
    }
    // A warm-up opens the routine, so only one at the lowest level any candidate has can be
    // a warm-up (it never holds back a lower exercise), and only the gentlest of those.
    if let Some(lowest) = cands.iter().map(|c| c.level).min() {
        for c in &mut cands {
            c.warm &= c.level == lowest;
        }
        if let Some(gentlest) = cands.iter().filter(|c| c.warm).map(|c| c.gentleness).min() {
            for c in &mut cands {
                c.warm &= c.gentleness == gentlest;
            }
        }
    }
    if cands.is_empty() {
        // Which single extra place would give some exercise for the areas?
        let suggest = Place::ALL.iter().copied().find(|p| {
            !places.contains(p)
                && exercises.iter().any(|e| {
                    e.places.contains(p)
                        && !req.exclude.contains(&e.id)
                        && !blocked.contains(&e.id)
                        && areas.iter().any(|a| e.areas.contains(a))
                })
        });
        return Err(PlanError::NothingFits {
            areas,
            places,
            suggest,
        });
    }
    // Search order: the most useful candidates first, so good routines are found early.
    cands.sort_by_key(|c| {
        let w: u32 = (0..areas.len())
            .filter(|a| c.mask & (1 << a) != 0)
            .map(|a| weights[a])
            .sum();
        (
            std::cmp::Reverse(w),
            std::cmp::Reverse(c.warm),
            c.pos,
            c.id_hash,
        )
    });
    let cands = reduce(cands, areas.len(), &weights);
    let budget = req.minutes * 60;
    let date_seed = fnv(
        FNV_START,
        req.date.format("%Y-%m-%d").to_string().as_bytes(),
    );
    let problem = Problem {
        cands: &cands,
        weights,
        budget,
        date_seed,
    };
    let (reps, exhaustive) = if brute {
        (brute_force(&problem), true)
    } else {
        search(&problem)
    };
    let Some(reps) = reps else {
        let need = cands
            .iter()
            .map(|c| c.cost(*c.levels.last().unwrap_or(&c.max_reps)) + POSITION_EXTRA)
            .min()
            .unwrap_or(0);
        return Err(PlanError::TooShort {
            minutes: req.minutes,
            need: need.div_ceil(60),
        });
    };
    let score = evaluate(&problem, &reps)
        .map(|e| e.score)
        .unwrap_or_default();
    let mut chosen: Vec<(&Cand, u32)> = cands
        .iter()
        .zip(reps.iter().copied())
        .filter(|(_, r)| *r > 0)
        .collect();
    order(&mut chosen, exercises.as_slice());
    let mut items: Vec<Item> = Vec::new();
    let mut last_pos = None;
    for (c, r) in &chosen {
        let e = exercises[c.ex];
        let mut dose = style_dose(e, req.style, req.gentler);
        let style_reps = dose.reps;
        dose.reps = *r;
        let serves: Vec<Area> = areas
            .iter()
            .enumerate()
            .filter(|(b, _)| c.mask & (1 << b) != 0)
            .map(|(_, a)| *a)
            .collect();
        let warm = c.warm;
        let new_pos = last_pos != Some(e.position);
        last_pos = Some(e.position);
        items.push(Item {
            reason: reason(e, &serves, areas[0], warm),
            seconds: item_seconds(&dose, e.sides, new_pos),
            exercise: e.clone(),
            dose,
            style_reps,
            serves,
            warm_up: warm,
        });
    }
    let total_s = items.iter().map(|i| i.seconds).sum();
    let warnings = warnings(&items, &areas, &places, req, exercises.as_slice(), blocked);
    Ok(Plan {
        request: Request {
            areas,
            places,
            ..req.clone()
        },
        items,
        total_s,
        warnings,
        score,
        exhaustive,
    })
}

/// The order to do the chosen exercises in: by level (lying, kneeling, seated, standing);
/// within a level the warm-up's position first and each position together; within a
/// position warm-ups first, then gentler before more demanding.
fn order(chosen: &mut [(&Cand, u32)], exercises: &[&Exercise]) {
    let min_level = chosen.iter().map(|(c, _)| c.level).min().unwrap_or(0);
    let warm_pos = chosen
        .iter()
        .filter(|(c, _)| c.warm && c.level == min_level)
        .map(|(c, _)| c.pos)
        .min();
    chosen.sort_by(|(a, _), (b, _)| {
        let key = |c: &Cand| {
            (
                c.level,
                Some(c.pos) != warm_pos,
                c.pos,
                !c.warm,
                c.gentleness,
                exercises[c.ex].id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

fn warnings(
    items: &[Item],
    areas: &[Area],
    places: &[Place],
    req: &Request,
    exercises: &[&Exercise],
    blocked: &[String],
) -> Vec<Warning> {
    let mut out = Vec::new();
    for a in areas {
        let served: u32 = items
            .iter()
            .filter(|i| i.serves.contains(a))
            .map(|i| i.dose.hold_s * i.dose.reps)
            .sum();
        if served > 0 {
            if served < ENOUGH_S / 2 {
                out.push(Warning::ThinDose {
                    area: *a,
                    seconds: served,
                });
            }
            continue;
        }
        let usable = |e: &&&Exercise| {
            e.areas.contains(a) && !req.exclude.contains(&e.id) && !blocked.contains(&e.id)
        };
        if exercises.iter().filter(usable).any(|e| e.fits_any(places)) {
            out.push(Warning::AreaNeedsTime { area: *a });
        } else if let Some(p) = Place::ALL.iter().find(|p| {
            exercises
                .iter()
                .filter(usable)
                .any(|e| e.places.contains(p))
        }) {
            out.push(Warning::AreaNeedsPlace {
                area: *a,
                places: places.to_vec(),
                allow: *p,
            });
        } else {
            out.push(Warning::AreaUnserved { area: *a });
        }
    }
    let trimmed: Vec<String> = items
        .iter()
        .filter(|i| i.dose.reps < i.style_reps)
        .map(|i| i.exercise.name.clone())
        .collect();
    if !trimmed.is_empty() {
        out.push(Warning::Trimmed { names: trimmed });
    }
    if req.gentler {
        out.push(Warning::Gentler);
    }
    out
}

#[cfg(test)]
mod tests;
