//! The exact search: candidates, the objective, and a branch and bound over each
//! candidate's repetitions, split by the set of positions a routine uses (brute force, its
//! reference, is in the tests).
//!
//! Two passes. The first finds the best score, pruning every branch that cannot beat the
//! best so far (so branches that could only tie are never walked). The second walks only
//! branches that can still reach that score and collects the routines that do (up to
//! [`MAX_TIES`]); the date and the recent log choose among them. Candidates identical in
//! everything the score sees are searched as one class: its members are taken in order,
//! each with no more repetitions than the one before, so no routine is visited twice.
//!
//! Each set of positions is searched for the routines that use every position in it and no
//! other, so the sets share no routine. Hold seconds are bounded by the relaxed knapsack over
//! each candidate's choices ([`hull`]), not each candidate at its best rate up to its most
//! hold. And the first pass notes the states it searches from ([`Search::seen`]): a state no
//! better than one already searched is not searched again, which turns many equal files,
//! or many ways to the same doses, into one.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::hash::fnv;
use crate::timeline::{POSITION_S, PREPARE_S};
use crate::vocab::Position;

use super::{Area, ENOUGH_S, NODE_LIMIT, Score, Word};

/// A candidate as the search sees it.
#[derive(Debug, Clone)]
pub(super) struct Cand {
    pub(super) ex: usize,
    /// The form the places allow (its own, or a variant).
    pub(super) form: crate::exercise::Form,
    /// Requested-area bits it serves (bit i = request area i).
    pub(super) mask: u32,
    pub(super) pos: usize,
    pub(super) level: u8,
    pub(super) warm: bool,
    pub(super) sides: u32,
    /// Sides take turns (left, right, left...): rests between all holds, no switch.
    pub(super) alternate: bool,
    pub(super) hold: u32,
    pub(super) rest: u32,
    pub(super) max_reps: u32,
    /// Repetition counts to try, largest first: the style's, then trimmed (half, one).
    pub(super) levels: Vec<u32>,
    pub(super) gentleness: u8,
    pub(super) id_hash: u64,
    /// Done on each of the last two days.
    pub(super) recent: bool,
}

/// The least hold seconds per side a trimmed exercise keeps, so what is left still matters.
pub const MIN_TRIMMED_HOLD_S: u32 = 20;

/// The most equally good routines the second pass collects for the date to choose from.
pub const MAX_TIES: usize = 64;
/// Nodes the second pass may walk; past it the choice is among the routines found so far
/// (the score stays optimal).
const TIE_NODES: u64 = 200_000;

/// The most areas a request can name (one bit each in a candidate's mask), and one more
/// for the family of movement a directional preference asks for.
const MAX_AREAS: usize = 10;
/// How many positions there are (one bit each in a set of positions).
const POSITIONS: usize = <Position as Word>::ALL.len();
const _: () = assert!(<Area as Word>::ALL.len() < MAX_AREAS);

/// `x` rounded down to a whole number of seconds, at least 0. The same as
/// `x.floor() as u32` for every `x` (a cast truncates toward zero and saturates, so a
/// negative `x` gives 0 either way), without the library call `floor` costs on a baseline
/// x86-64 build, in the bound the search computes at every node.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the saturating cast is the point, as said above"
)]
fn floor_s(x: f64) -> u32 {
    x as u32
}

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
        if self.alternate {
            let holds = 2 * r;
            return self.hold * holds + self.rest * holds.saturating_sub(1);
        }
        self.sides * (self.hold * r + self.rest * r.saturating_sub(1))
            + (self.sides - 1) * crate::timeline::SWITCH_S
    }
    /// Seconds in the timeline for `r` repetitions, counting the normal get-ready step.
    pub(super) fn cost(&self, r: u32) -> u32 {
        PREPARE_S + self.work(r)
    }
    /// The cheapest way to include it.
    fn min_cost(&self) -> u32 {
        self.levels
            .iter()
            .map(|&r| self.cost(r))
            .min()
            .unwrap_or(u32::MAX)
    }
    /// Everything the score sees: candidates with the same key are interchangeable.
    pub(super) fn class_key(&self) -> (u32, usize, bool, u32, bool, u32, u32, &[u32]) {
        (
            self.mask,
            self.pos,
            self.warm,
            self.sides,
            self.alternate,
            self.hold,
            self.rest,
            &self.levels,
        )
    }
}

/// Extra seconds a new position costs over a normal get-ready step.
pub(super) const POSITION_EXTRA: u32 = POSITION_S - PREPARE_S;

/// Weights of requested areas: the primary weighs more than all the others together.
pub(super) fn weights(n: usize) -> Vec<u32> {
    (0..n)
        .map(|i| {
            if i == 0 {
                u32::try_from(n.max(1)).unwrap_or(u32::MAX)
            } else {
                1
            }
        })
        .collect()
}

pub(super) struct Problem<'a> {
    pub(super) cands: &'a [Cand],
    pub(super) weights: Vec<u32>,
    pub(super) budget: u32,
    pub(super) date_seed: u64,
}

/// A routine's place among equally good ones: fewer exercises done on each of the last two
/// days, then the date's hash of the routine (lower wins).
pub(super) fn tie_rank(p: &Problem<'_>, reps: &[u32]) -> (u32, u64) {
    let mut recent = 0;
    let mut hash = p.date_seed;
    for (c, &r) in p.cands.iter().zip(reps) {
        if r == 0 {
            continue;
        }
        recent += u32::from(c.recent);
        hash = fnv(hash, &c.id_hash.to_le_bytes());
        hash = fnv(hash, &r.to_le_bytes());
    }
    (recent, hash)
}

/// The score of a choice of repetitions (0 = not chosen) for each candidate, if it fits.
pub(super) fn evaluate(p: &Problem<'_>, reps: &[u32]) -> Option<Score> {
    let mut time = 0u32;
    let mut positions = 0u32;
    let mut covered = 0u32;
    let mut dose = vec![0u32; p.weights.len()];
    let mut hold = 0u32;
    let mut any_warm = false;
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
    }
    time += POSITION_EXTRA * positions.count_ones();
    if time > p.budget || covered == 0 {
        return None;
    }
    Some(Score {
        coverage: (0..p.weights.len())
            .filter(|a| covered & (1 << a) != 0)
            .map(|a| p.weights[a])
            .sum(),
        adequacy: dose
            .iter()
            .zip(&p.weights)
            .map(|(d, w)| d.min(&ENOUGH_S) * w)
            .sum(),
        warm_up: u32::from(any_warm),
        hold_steps: hold / 30,
        neg_positions: -(positions.count_ones().cast_signed()),
    })
}

/// Hold seconds per timeline second at the best repetition level.
fn hold_rate(c: &Cand) -> f64 {
    c.levels
        .iter()
        .map(|&r| f64::from(c.sides * c.hold * r) / f64::from(c.cost(r)))
        .fold(0f64, f64::max)
}

/// The upper hull of a candidate's choices as (timeline seconds, hold seconds) from leaving
/// it out, in two pieces: the first segment, to the level with the best hold rate, as that
/// rate and its hold seconds; and the steepest segment after it, as its rate and the hold
/// seconds the rest of the hull adds (0 when the best rate is the largest level's). Choosing
/// repetitions is a knapsack with a choice per candidate; relaxed to take a share of a
/// segment, its optimum takes segments best rate first, and each candidate's in order.
fn hull(c: &Cand) -> ((f64, u32), (f64, u32)) {
    let point = |r: u32| (f64::from(c.cost(r)), c.sides * c.hold * r);
    let rate = hold_rate(c);
    // The first segment ends at the farthest level on the best rate.
    let Some(&top) = c
        .levels
        .iter()
        .filter(|&&r| {
            let (t, h) = point(r);
            f64::from(h) / t >= rate
        })
        .max()
    else {
        return ((0.0, 0), (0.0, 0));
    };
    let (t1, h1) = point(top);
    let (later, most) = c
        .levels
        .iter()
        .filter(|&&r| r > top)
        .map(|&r| point(r))
        .fold((0f64, h1), |(best, most), (t, h)| {
            (best.max(f64::from(h - h1) / (t - t1)), most.max(h))
        });
    ((rate, h1), (later, most - h1))
}

/// Hold seconds the time left can still gain at most: the relaxed knapsack over the hulls
/// ([`hull`]) of the candidates still to choose, given as their first segments, best rate
/// first, and their later segments pooled at the best of their rates (which only raises the
/// optimum, so it stays a bound).
fn hold_gain(left: u32, firsts: impl Iterator<Item = (f64, u32)>, later: (f64, u32)) -> u32 {
    // (time left, hold gained): takes `h` hold seconds at `rate`, or what time is left of it.
    let take = |(t, gain): (f64, f64), (rate, h): (f64, u32)| {
        let h = f64::from(h);
        let need = h / rate;
        if need <= t {
            (t - need, gain + h)
        } else {
            (0.0, gain + t * rate)
        }
    };
    let mut at = (f64::from(left), 0f64);
    let mut pooled = (later.1 > 0).then_some(later);
    for first in firsts {
        if let Some(p) = pooled
            && p.0 > first.0
        {
            at = take(at, p);
            pooled = None;
        }
        if at.0 <= 0.0 || first.1 == 0 {
            break;
        }
        at = take(at, first);
    }
    if let Some(p) = pooled
        && at.0 > 0.0
    {
        at = take(at, p);
    }
    floor_s(at.1 + 1e-6)
}

/// One area's dose (one side) per timeline second at the best repetition level.
fn dose_rate(c: &Cand) -> f64 {
    c.levels
        .iter()
        .map(|&r| f64::from(c.hold * r) / f64::from(c.cost(r)))
        .fold(0f64, f64::max)
}

/// A search over the candidates whose positions make up one set `Q`, with the extra time
/// of those positions charged up front, for the routines that use every position of `Q`.
/// Every routine is found in the subproblem of its own position set only, so the positions
/// component is a constant here and bounds stay tight.
pub(super) struct Search<'a> {
    pub(super) p: &'a Problem<'a>,
    /// Indices into `p.cands` of this subproblem's candidates, best hold rate first.
    pub(super) idx: Vec<usize>,
    /// Whether each is interchangeable with the one before it (same class).
    twin: Vec<bool>,
    /// Seconds left for the candidates once the positions are paid for.
    pub(super) budget: u32,
    /// Minus the number of positions in the set.
    pub(super) neg_positions: i32,
    /// Suffix facts from each index on (the search order): areas served; the cheapest warm-up; per area the
    /// cheapest candidate, the best dose rate and the most dose; the later segments of the
    /// hulls ([`hull`]), pooled.
    rest_mask: Vec<u32>,
    rest_warm_cost: Vec<u32>,
    /// Per area, flat: index `i * areas + a`.
    rest_area_cost: Vec<u32>,
    rest_area_rate: Vec<f64>,
    rest_dose: Vec<u32>,
    rest_later: Vec<(f64, u32)>,
    /// Per position, flat (index `i * POSITIONS + position`): the cheapest candidate.
    rest_pos_cost: Vec<u32>,
    /// Bits of the positions in the set: a routine here uses every one of them.
    set: u32,
    /// Per candidate (in search order): the first segment of its hull, as its rate (the best
    /// hold rate) and hold seconds; the order sorts by the rate, so the knapsack bound is a
    /// walk along the suffix.
    first: Vec<(f64, u32)>,
}

/// A routine under construction. A copy is taken at every node of the search, so it holds
/// no allocation: the dose per area sits in a fixed array (only the request's areas used).
#[derive(Clone, Copy)]
pub(super) struct Partial {
    pub(super) time: u32,
    /// Bits of the positions used.
    pub(super) positions: u32,
    pub(super) covered: u32,
    pub(super) dose: [u32; MAX_AREAS],
    pub(super) hold: u32,
    pub(super) any_warm: bool,
}

/// Which pass: find the best score, or collect the routines that reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Best,
    Ties(Score),
}

/// The state shared by every subproblem of a pass.
pub(super) struct Walk {
    reps: Vec<u32>,
    best: Option<Score>,
    best_reps: Vec<u32>,
    ties: Vec<Vec<u32>>,
    nodes: u64,
    limit: u64,
    /// The first pass's states seen in the subproblem being searched ([`Search::seen`]).
    memo: Memo,
}

impl Walk {
    fn new(n: usize, limit: u64) -> Walk {
        Walk {
            reps: vec![0; n],
            best: None,
            best_reps: vec![0; n],
            ties: Vec::new(),
            nodes: 0,
            limit,
            memo: Memo::default(),
        }
    }
}

/// States the first pass has searched from, by everything but their time and hold seconds
/// (the key of [`Search::seen`]), each with the (time, hold seconds) pairs seen, none of them
/// both slower and holding less than another.
#[derive(Default)]
struct Memo {
    fronts: HashMap<u128, Vec<(u32, u32)>, BuildHasherDefault<KeyHasher>>,
    pairs: usize,
}

/// The most (time, hold) pairs the memo keeps; past it, states are still looked up but no
/// more are added.
const MEMO_PAIRS: usize = 1 << 18;

/// A hasher for the memo's keys (packed bits): a few multiplies and shifts, the same on
/// every run (unlike the standard library's randomly seeded one).
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv(self.0, bytes);
    }
    fn write_u128(&mut self, k: u128) {
        // Both halves folded, then MurmurHash3's finaliser.
        let [lo, hi] = [k, k >> 64]
            .map(|h| u64::from_le_bytes(h.to_le_bytes()[..8].try_into().unwrap_or_default()));
        let mut x = lo ^ hi.rotate_left(32) ^ self.0;
        x = (x ^ (x >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        x = (x ^ (x >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        self.0 = x ^ (x >> 33);
    }
}

impl<'a> Search<'a> {
    pub(super) fn new(p: &'a Problem<'a>, idx: Vec<usize>, positions: u32) -> Option<Self> {
        let budget = p.budget.checked_sub(POSITION_EXTRA * positions)?;
        let n = idx.len();
        let areas = p.weights.len();
        let twin: Vec<bool> = (0..n)
            .map(|k| k > 0 && p.cands[idx[k]].class_key() == p.cands[idx[k - 1]].class_key())
            .collect();
        let hulls: Vec<_> = idx.iter().map(|i| hull(&p.cands[*i])).collect();
        let set = idx.iter().fold(0, |set, i| set | 1 << p.cands[*i].pos);
        let mut rest_mask = vec![0u32; n + 1];
        let mut rest_warm_cost = vec![u32::MAX; n + 1];
        let mut rest_area_cost = vec![u32::MAX; (n + 1) * areas];
        let mut rest_area_rate = vec![0f64; (n + 1) * areas];
        let mut rest_dose = vec![0u32; (n + 1) * areas];
        let mut rest_later = vec![(0f64, 0u32); n + 1];
        let mut rest_pos_cost = vec![u32::MAX; (n + 1) * POSITIONS];
        for i in (0..n).rev() {
            let c = &p.cands[idx[i]];
            let (here, next) = (i * POSITIONS, (i + 1) * POSITIONS);
            rest_pos_cost.copy_within(next..next + POSITIONS, here);
            rest_pos_cost[here + c.pos] = rest_pos_cost[here + c.pos].min(c.min_cost());
            let cheapest = c.min_cost();
            let dr = dose_rate(c);
            rest_mask[i] = rest_mask[i + 1] | c.mask;
            rest_warm_cost[i] = if c.warm {
                rest_warm_cost[i + 1].min(cheapest)
            } else {
                rest_warm_cost[i + 1]
            };
            let ((r, h), (r2, h2)) = (rest_later[i + 1], hulls[i].1);
            rest_later[i] = (r.max(r2), h + h2);
            for a in 0..areas {
                let (here, next) = (i * areas + a, (i + 1) * areas + a);
                let serves = c.mask & (1 << a) != 0;
                rest_area_cost[here] = if serves {
                    rest_area_cost[next].min(cheapest)
                } else {
                    rest_area_cost[next]
                };
                rest_area_rate[here] = if serves {
                    rest_area_rate[next].max(dr)
                } else {
                    rest_area_rate[next]
                };
                rest_dose[here] = rest_dose[next] + if serves { c.hold * c.max_reps } else { 0 };
            }
        }
        Some(Search {
            p,
            idx,
            twin,
            budget,
            neg_positions: -(positions.cast_signed()),
            rest_mask,
            rest_warm_cost,
            rest_area_cost,
            rest_area_rate,
            rest_dose,
            rest_later,
            rest_pos_cost,
            set,
            first: hulls.iter().map(|h| h.0).collect(),
        })
    }

    pub(super) fn start(&self) -> Partial {
        Partial {
            time: 0,
            positions: 0,
            covered: 0,
            dose: [0; MAX_AREAS],
            hold: 0,
            any_warm: false,
        }
    }

    /// An upper bound on the score of any completion of `s` from candidate `i` on that
    /// uses exactly this subproblem's positions. Each part is bounded by what the time left
    /// allows: an area can only be newly served if its cheapest candidate fits, its dose
    /// grows at most at its best rate, and hold seconds follow the relaxed knapsack
    /// ([`hold_gain`]).
    pub(super) fn bound(&self, i: usize, s: &Partial) -> Score {
        let n = self.p.weights.len();
        let left = self.budget.saturating_sub(s.time);
        let at = |a: usize| i * n + a;
        let coverage = (0..n)
            .filter(|&a| {
                s.covered & (1 << a) != 0
                    || (self.rest_mask[i] & (1 << a) != 0 && self.rest_area_cost[at(a)] <= left)
            })
            .map(|a| self.p.weights[a])
            .sum();
        let adequacy = (0..n)
            .map(|a| {
                let by_time = floor_s(self.rest_area_rate[at(a)] * f64::from(left) + 1e-6);
                let more = if self.rest_area_cost[at(a)] <= left {
                    self.rest_dose[at(a)].min(by_time)
                } else {
                    0
                };
                (s.dose[a] + more).min(ENOUGH_S) * self.p.weights[a]
            })
            .sum();
        let hold = s.hold + hold_gain(left, self.first[i..].iter().copied(), self.rest_later[i]);
        Score {
            coverage,
            adequacy,
            warm_up: u32::from(s.any_warm || self.rest_warm_cost[i] <= left),
            hold_steps: hold / 30,
            neg_positions: self.neg_positions,
        }
    }

    /// Whether a state at least as good as `s` at candidate `i` has been searched from: one
    /// whose choices from `i` on are the same (the same twin rule and positions used), with
    /// the same areas served, each with the same dose up to [`ENOUGH_S`], and a warm-up if
    /// `s` has one, which has used no more time and holds as long. Every routine from `s` is
    /// then as good from that state, so its score was reached or bounded there. Otherwise `s`
    /// is noted.
    fn seen(&self, i: usize, s: &Partial, prev: Option<usize>, memo: &mut Memo) -> bool {
        // A twin's choices depend on the level the one before it took.
        let twin = if self.twin[i] {
            prev.map_or(0, |k| k as u128 + 1)
        } else {
            0
        };
        let dose = s.dose[..self.p.weights.len()]
            .iter()
            .fold(0u128, |key, d| key << 6 | u128::from(*d.min(&ENOUGH_S)));
        // Six bits per area's dose (at most 60) and nine per set of areas or positions.
        let key = (i as u128) << 82
            | twin << 74
            | u128::from(s.positions) << 64
            | u128::from(s.covered) << 55
            | u128::from(s.any_warm) << 54
            | dose;
        let dominated =
            |front: &Vec<(u32, u32)>| front.iter().any(|&(t, h)| t <= s.time && h >= s.hold);
        if memo.pairs >= MEMO_PAIRS {
            return memo.fronts.get(&key).is_some_and(dominated);
        }
        let front = memo.fronts.entry(key).or_default();
        if dominated(front) {
            return true;
        }
        let before = front.len();
        front.retain(|&(t, h)| t < s.time || h > s.hold);
        front.push((s.time, s.hold));
        memo.pairs = memo.pairs + front.len() - before;
        false
    }

    /// Whether a routine from `s` at candidate `i` can still use every position of the set:
    /// the cheapest candidate left of each one not used yet fits the time left.
    fn completes_set(&self, i: usize, s: &Partial) -> bool {
        let mut missing = self.set & !s.positions;
        let mut need = 0u32;
        while missing != 0 {
            let pos = missing.trailing_zeros() as usize;
            missing &= missing - 1;
            need = need.saturating_add(self.rest_pos_cost[i * POSITIONS + pos]);
        }
        s.time.saturating_add(need) <= self.budget
    }

    /// Depth first from candidate `i`; `prev` is the level index the candidate before took
    /// (None when it was left out), which bounds a twin's choice.
    fn run(&self, pass: Pass, i: usize, s: &Partial, prev: Option<usize>, w: &mut Walk) {
        w.nodes += 1;
        if w.nodes > w.limit || !self.completes_set(i, s) {
            return;
        }
        let b = self.bound(i, s);
        match pass {
            Pass::Best => {
                if w.best.is_some_and(|best| b <= best) {
                    return;
                }
            }
            Pass::Ties(target) => {
                if b < target || w.ties.len() >= MAX_TIES {
                    return;
                }
            }
        }
        if pass == Pass::Best && i < self.idx.len() && self.seen(i, s, prev, &mut w.memo) {
            return;
        }
        if i == self.idx.len() {
            if let Some(e) = evaluate(self.p, &w.reps) {
                match pass {
                    Pass::Best if w.best.is_none_or(|best| e > best) => {
                        w.best = Some(e);
                        w.best_reps.clone_from(&w.reps);
                    }
                    Pass::Ties(target) if e == target => w.ties.push(w.reps.clone()),
                    _ => {}
                }
            }
            return;
        }
        let ci = self.idx[i];
        let c = &self.p.cands[ci];
        // A twin is taken only after the one before it, with no more repetitions.
        let (first, allowed) = match (self.twin[i], prev) {
            (true, None) => (0, false),
            (true, Some(k)) => (k, true),
            (false, _) => (0, true),
        };
        if allowed {
            for (k, &r) in c.levels.iter().enumerate().skip(first) {
                let time = s.time + c.cost(r);
                if time > self.budget {
                    continue;
                }
                let mut next = *s;
                next.time = time;
                next.positions |= 1 << c.pos;
                next.covered |= c.mask;
                for (a, d) in next.dose.iter_mut().enumerate() {
                    if c.mask & (1 << a) != 0 {
                        *d += c.hold * r;
                    }
                }
                next.hold += c.sides * c.hold * r;
                next.any_warm |= c.warm;
                w.reps[ci] = r;
                self.run(pass, i + 1, &next, Some(k), w);
                w.reps[ci] = 0;
            }
        }
        self.run(pass, i + 1, s, None, w);
    }
}

/// What the search found: the repetitions of the chosen routine, whether the first pass
/// covered every option, and how many equally good routines the date chose among.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) reps: Option<Vec<u32>>,
    pub(super) exhaustive: bool,
    pub(super) ties: usize,
}

/// What a subproblem's root bound needs from one position's candidates.
struct PosAgg {
    pos: usize,
    min_cost: u32,
    warm_cost: u32,
    area_cost: Vec<u32>,
    area_rate: Vec<f64>,
    area_dose: Vec<u32>,
    /// The first segments of the candidates' hulls ([`hull`]), best rate first, and their
    /// later segments pooled.
    first: Vec<(f64, u32)>,
    later: (f64, u32),
}

impl PosAgg {
    fn of(p: &Problem<'_>, pos: usize) -> PosAgg {
        let areas = p.weights.len();
        let mut a = PosAgg {
            pos,
            min_cost: u32::MAX,
            warm_cost: u32::MAX,
            area_cost: vec![u32::MAX; areas],
            area_rate: vec![0.0; areas],
            area_dose: vec![0; areas],
            first: Vec::new(),
            later: (0.0, 0),
        };
        for c in p.cands.iter().filter(|c| c.pos == pos) {
            let cheapest = c.min_cost();
            let dr = dose_rate(c);
            a.min_cost = a.min_cost.min(cheapest);
            if c.warm {
                a.warm_cost = a.warm_cost.min(cheapest);
            }
            for k in 0..areas {
                if c.mask & (1 << k) != 0 {
                    a.area_cost[k] = a.area_cost[k].min(cheapest);
                    a.area_rate[k] = a.area_rate[k].max(dr);
                    a.area_dose[k] += c.hold * c.max_reps;
                }
            }
            let (first, (r2, h2)) = hull(c);
            a.first.push(first);
            a.later = (a.later.0.max(r2), a.later.1 + h2);
        }
        a.first.sort_by(|x, y| y.0.total_cmp(&x.0));
        a
    }
}

/// The root bound of the subproblem of a set of positions, from each position's
/// aggregates: the same bound [`Search::bound`] gives at its root, without building it.
fn root_bound(p: &Problem<'_>, aggs: &[&PosAgg]) -> Option<Score> {
    let k = u32::try_from(aggs.len()).unwrap_or(u32::MAX);
    let left = p.budget.checked_sub(POSITION_EXTRA * k)?;
    // A routine in this set uses a candidate of every position in it.
    let need = aggs
        .iter()
        .map(|a| a.min_cost)
        .fold(0u32, u32::saturating_add);
    if need > left {
        return None;
    }
    let areas = p.weights.len();
    let mut coverage = 0;
    let mut adequacy = 0;
    for area in 0..areas {
        let cost = aggs
            .iter()
            .map(|a| a.area_cost[area])
            .min()
            .unwrap_or(u32::MAX);
        if cost > left {
            continue;
        }
        coverage += p.weights[area];
        let rate = aggs.iter().map(|a| a.area_rate[area]).fold(0f64, f64::max);
        let by_time = floor_s(rate * f64::from(left) + 1e-6);
        let dose: u32 = aggs.iter().map(|a| a.area_dose[area]).sum();
        adequacy += dose.min(by_time).min(ENOUGH_S) * p.weights[area];
    }
    let warm = aggs.iter().map(|a| a.warm_cost).min().unwrap_or(u32::MAX) <= left;
    // The relaxed knapsack over every candidate of the set: its first segments best rate
    // first, a merge of each position's list.
    let mut at = vec![0usize; aggs.len()];
    let firsts = std::iter::from_fn(|| {
        let j = (0..aggs.len())
            .filter(|&j| at[j] < aggs[j].first.len())
            .max_by(|&x, &y| aggs[x].first[at[x]].0.total_cmp(&aggs[y].first[at[y]].0))?;
        at[j] += 1;
        Some(aggs[j].first[at[j] - 1])
    });
    let later = aggs
        .iter()
        .fold((0f64, 0u32), |(r, h), a| (r.max(a.later.0), h + a.later.1));
    let hold = hold_gain(left, firsts, later);
    Some(Score {
        coverage,
        adequacy,
        warm_up: u32::from(warm),
        hold_steps: hold / 30,
        neg_positions: -(k.cast_signed()),
    })
}

/// The subproblems, one per set of positions (as a bit set over `positions`), each with its
/// root bound, most promising first; and the search order of all candidates.
pub(super) fn subproblems(p: &Problem<'_>) -> (Vec<(Score, Vec<usize>)>, Vec<usize>) {
    let n = p.cands.len();
    // Search order: best hold rate first; candidates that tie keep the order they came in
    // (class members together, the date's preferred member first).
    let mut order: Vec<usize> = (0..n).collect();
    let rates: Vec<f64> = p.cands.iter().map(hold_rate).collect();
    order.sort_by(|a, b| rates[*b].total_cmp(&rates[*a]));
    let mut positions: Vec<usize> = p.cands.iter().map(|c| c.pos).collect();
    positions.sort_unstable();
    positions.dedup();
    let aggs: Vec<PosAgg> = positions.iter().map(|&pos| PosAgg::of(p, pos)).collect();
    let mut out = Vec::new();
    for q in 1u32..(1 << positions.len()) {
        let set: Vec<&PosAgg> = aggs
            .iter()
            .enumerate()
            .filter(|(k, _)| q & (1 << k) != 0)
            .map(|(_, a)| a)
            .collect();
        if let Some(b) = root_bound(p, &set) {
            out.push((b, set.iter().map(|a| a.pos).collect::<Vec<usize>>()));
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.0));
    (out, order)
}

/// The subproblem of a set of positions, built when it is searched.
pub(super) fn build<'a>(p: &'a Problem<'a>, order: &[usize], set: &[usize]) -> Option<Search<'a>> {
    let mut in_set = [false; 32];
    for &pos in set {
        in_set[pos] = true;
    }
    let idx: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| in_set[p.cands[i].pos])
        .collect();
    Search::new(p, idx, u32::try_from(set.len()).unwrap_or(u32::MAX))
}

pub(super) fn search(p: &Problem<'_>) -> Found {
    let n = p.cands.len();
    let (subs, order) = subproblems(p);
    let mut w = Walk::new(n, NODE_LIMIT);
    for (root, set) in &subs {
        if w.best.is_some_and(|best| *root <= best) {
            break;
        }
        if let Some(s) = build(p, &order, set) {
            let start = s.start();
            w.memo = Memo::default();
            s.run(Pass::Best, 0, &start, None, &mut w);
        }
    }
    let exhaustive = w.nodes <= NODE_LIMIT;
    let Some(target) = w.best else {
        return Found {
            reps: None,
            exhaustive,
            ties: 0,
        };
    };
    // The second pass: the routines that reach the best score.
    let mut t = Walk::new(n, TIE_NODES);
    for (root, set) in &subs {
        if *root < target || t.ties.len() >= MAX_TIES {
            break;
        }
        if let Some(s) = build(p, &order, set) {
            let start = s.start();
            s.run(Pass::Ties(target), 0, &start, None, &mut t);
        }
    }
    if t.ties.is_empty() {
        t.ties.push(w.best_reps);
    }
    let ties = t.ties.len();
    let chosen = t
        .ties
        .into_iter()
        .min_by_key(|r| tie_rank(p, r))
        .unwrap_or_default();
    Found {
        reps: Some(chosen),
        exhaustive,
        ties,
    }
}
