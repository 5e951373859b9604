//! The exact search: candidates, the objective, and a branch and bound over each
//! candidate's repetitions, split by the set of positions a routine uses; with brute force
//! as its reference in tests.

use crate::hash::fnv;
use crate::timeline::{POSITION_S, PREPARE_S};

use super::*;

/// A candidate as the search sees it.
#[derive(Debug, Clone)]
pub(super) struct Cand {
    pub(super) ex: usize,
    /// Requested-area bits it serves (bit i = request area i).
    pub(super) mask: u32,
    pub(super) pos: usize,
    pub(super) level: u8,
    pub(super) warm: bool,
    pub(super) sides: u32,
    pub(super) hold: u32,
    pub(super) rest: u32,
    pub(super) max_reps: u32,
    /// Repetition counts to try, largest first: the style's, then trimmed (half, one).
    pub(super) levels: Vec<u32>,
    pub(super) gentleness: u8,
    pub(super) id_hash: u64,
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
    pub(super) fn work(&self, r: u32) -> u32 {
        self.sides * (self.hold * r + self.rest * r.saturating_sub(1))
            + (self.sides - 1) * crate::timeline::SWITCH_S
    }
    /// Seconds in the timeline for `r` repetitions, counting the normal get-ready step.
    pub(super) fn cost(&self, r: u32) -> u32 {
        PREPARE_S + self.work(r)
    }
}

/// Extra seconds a new position costs over a normal get-ready step.
pub(super) const POSITION_EXTRA: u32 = POSITION_S - PREPARE_S;

/// Weights of requested areas: the primary weighs more than all the others together.
pub(super) fn weights(n: usize) -> Vec<u32> {
    (0..n)
        .map(|i| if i == 0 { n.max(1) as u32 } else { 1 })
        .collect()
}

pub(super) struct Problem<'a> {
    pub(super) cands: &'a [Cand],
    pub(super) weights: Vec<u32>,
    pub(super) budget: u32,
    pub(super) date_seed: u64,
}

/// The evaluation of a choice of repetitions (0 = not chosen) for each candidate.
pub(super) fn evaluate(p: &Problem<'_>, reps: &[u32]) -> Option<Ranked> {
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
pub(super) struct Ranked {
    pub(super) score: Score,
    pub(super) hold: u32,
    pub(super) hash: u64,
}

/// Whether `a` beats `b`.
pub(super) fn better(a: Ranked, b: Option<Ranked>) -> bool {
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
pub(super) struct Search<'a> {
    pub(super) p: &'a Problem<'a>,
    /// Indices into `p.cands` of this subproblem's candidates.
    pub(super) idx: Vec<usize>,
    /// Seconds left for the candidates once the positions are paid for.
    pub(super) budget: u32,
    /// Minus the number of positions in the set.
    pub(super) neg_positions: i32,
    /// Suffix unions: areas any candidate from i on serves, and whether a warm-up remains.
    pub(super) rest_mask: Vec<u32>,
    pub(super) rest_warm: Vec<bool>,
    /// Suffix sums of each area's largest possible hold seconds, and of all hold seconds.
    pub(super) rest_dose: Vec<Vec<u32>>,
    pub(super) rest_hold: Vec<u32>,
    /// Per candidate (in search order): its best hold seconds per timeline second over every
    /// repetition level, and its largest hold seconds. The search order sorts by the rate,
    /// so the fractional-knapsack bound is a walk along the suffix.
    pub(super) rate: Vec<f64>,
    pub(super) max_hold: Vec<u32>,
}

#[derive(Clone)]
pub(super) struct Partial {
    pub(super) time: u32,
    pub(super) covered: u32,
    pub(super) dose: Vec<u32>,
    pub(super) hold: u32,
    pub(super) any_warm: bool,
}

/// The state shared by every subproblem: the best routine so far.
pub(super) struct Best {
    pub(super) reps: Vec<u32>,
    pub(super) best: Option<Ranked>,
    pub(super) best_reps: Vec<u32>,
    pub(super) nodes: u64,
}

impl<'a> Search<'a> {
    pub(super) fn new(p: &'a Problem<'a>, mut idx: Vec<usize>, positions: u32) -> Option<Self> {
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

    pub(super) fn start(&self) -> Partial {
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
    pub(super) fn bound(&self, i: usize, s: &Partial) -> (Score, u32) {
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

    pub(super) fn run(&self, i: usize, s: &Partial, b: &mut Best) {
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

pub(super) fn search(p: &Problem<'_>) -> (Option<Vec<u32>>, bool) {
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
pub(super) fn brute_force(p: &Problem<'_>) -> Option<Vec<u32>> {
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
