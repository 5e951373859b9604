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

use crate::hash::fnv;
use crate::timeline::{POSITION_S, PREPARE_S};

use super::*;

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

/// The most areas a request can name (one bit each in a candidate's mask).
const MAX_AREAS: usize = 9;
const _: () = assert!(<Area as Word>::ALL.len() <= MAX_AREAS);

/// `x` rounded down to a whole number of seconds, at least 0. The same as
/// `x.floor() as u32` for every `x` (a cast truncates toward zero and saturates, so a
/// negative `x` gives 0 either way), without the library call `floor` costs on a baseline
/// x86-64 build, in the bound the search computes at every node.
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
        .map(|i| if i == 0 { n.max(1) as u32 } else { 1 })
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
        neg_positions: -(positions.count_ones() as i32),
    })
}

/// Hold seconds per timeline second at the best repetition level.
fn hold_rate(c: &Cand) -> f64 {
    c.levels
        .iter()
        .map(|&r| f64::from(c.sides * c.hold * r) / f64::from(c.cost(r)))
        .fold(0f64, f64::max)
}

/// One area's dose (one side) per timeline second at the best repetition level.
fn dose_rate(c: &Cand) -> f64 {
    c.levels
        .iter()
        .map(|&r| f64::from(c.hold * r) / f64::from(c.cost(r)))
        .fold(0f64, f64::max)
}

/// A search over the candidates whose positions make up one set `Q`, with the extra time
/// of those positions charged up front. Every routine is found in the subproblem of its
/// own position set, so the positions component is a constant here and bounds stay tight.
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
    /// Suffix facts from each index on: areas served; the cheapest warm-up; per area the
    /// cheapest candidate, the best dose rate and the most dose; the most hold seconds.
    rest_mask: Vec<u32>,
    rest_warm_cost: Vec<u32>,
    /// Per area, flat: index `i * areas + a`.
    rest_area_cost: Vec<u32>,
    rest_area_rate: Vec<f64>,
    rest_dose: Vec<u32>,
    rest_hold: Vec<u32>,
    /// Per candidate (in search order): its best hold rate and its most hold seconds; the
    /// order sorts by the rate, so the fractional-knapsack bound is a walk along the suffix.
    rate: Vec<f64>,
    max_hold: Vec<u32>,
}

/// A routine under construction. A copy is taken at every node of the search, so it holds
/// no allocation: the dose per area sits in a fixed array (only the request's areas used).
#[derive(Clone, Copy)]
pub(super) struct Partial {
    pub(super) time: u32,
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
}

impl<'a> Search<'a> {
    pub(super) fn new(p: &'a Problem<'a>, idx: Vec<usize>, positions: u32) -> Option<Self> {
        let budget = p.budget.checked_sub(POSITION_EXTRA * positions)?;
        let n = idx.len();
        let areas = p.weights.len();
        let twin: Vec<bool> = (0..n)
            .map(|k| k > 0 && p.cands[idx[k]].class_key() == p.cands[idx[k - 1]].class_key())
            .collect();
        let rate: Vec<f64> = idx.iter().map(|i| hold_rate(&p.cands[*i])).collect();
        let max_hold: Vec<u32> = idx
            .iter()
            .map(|i| {
                let c = &p.cands[*i];
                c.sides * c.hold * c.max_reps
            })
            .collect();
        let mut rest_mask = vec![0u32; n + 1];
        let mut rest_warm_cost = vec![u32::MAX; n + 1];
        let mut rest_area_cost = vec![u32::MAX; (n + 1) * areas];
        let mut rest_area_rate = vec![0f64; (n + 1) * areas];
        let mut rest_dose = vec![0u32; (n + 1) * areas];
        let mut rest_hold = vec![0u32; n + 1];
        for i in (0..n).rev() {
            let c = &p.cands[idx[i]];
            let cheapest = c.min_cost();
            let dr = dose_rate(c);
            rest_mask[i] = rest_mask[i + 1] | c.mask;
            rest_warm_cost[i] = if c.warm {
                rest_warm_cost[i + 1].min(cheapest)
            } else {
                rest_warm_cost[i + 1]
            };
            rest_hold[i] = rest_hold[i + 1] + c.sides * c.hold * c.max_reps;
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
            neg_positions: -(positions as i32),
            rest_mask,
            rest_warm_cost,
            rest_area_cost,
            rest_area_rate,
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
            dose: [0; MAX_AREAS],
            hold: 0,
            any_warm: false,
        }
    }

    /// An upper bound on the score of any completion of `s` from candidate `i` on that
    /// uses exactly this subproblem's positions. Each part is bounded by what the time left
    /// allows: an area can only be newly served if its cheapest candidate fits, its dose
    /// grows at most at its best rate, and hold seconds follow the fractional knapsack.
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
        // Hold seconds still to gain: the fractional knapsack over the remaining candidates,
        // best rate first, each at most its largest hold (the LP relaxation's optimum).
        let mut t = f64::from(left);
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
        let by_time = floor_s(gain + 1e-6);
        let hold = s.hold + self.rest_hold[i].min(by_time);
        Score {
            coverage,
            adequacy,
            warm_up: u32::from(s.any_warm || self.rest_warm_cost[i] <= left),
            hold_steps: hold / 30,
            neg_positions: self.neg_positions,
        }
    }

    /// Depth first from candidate `i`; `prev` is the level index the candidate before took
    /// (None when it was left out), which bounds a twin's choice.
    fn run(&self, pass: Pass, i: usize, s: &Partial, prev: Option<usize>, w: &mut Walk) {
        w.nodes += 1;
        if w.nodes > w.limit {
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
    hold_sum: u32,
    /// (hold rate, most hold seconds), best rate first.
    by_rate: Vec<(f64, u32)>,
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
            hold_sum: 0,
            by_rate: Vec::new(),
        };
        for c in p.cands.iter().filter(|c| c.pos == pos) {
            let cheapest = c.min_cost();
            let dr = dose_rate(c);
            let most = c.sides * c.hold * c.max_reps;
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
            a.hold_sum += most;
            a.by_rate.push((hold_rate(c), most));
        }
        a.by_rate.sort_by(|x, y| y.0.total_cmp(&x.0));
        a
    }
}

/// The root bound of the subproblem of a set of positions, from each position's
/// aggregates: the same bound [`Search::bound`] gives at its root, without building it.
fn root_bound(p: &Problem<'_>, aggs: &[&PosAgg]) -> Option<Score> {
    let k = aggs.len() as u32;
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
    // The fractional knapsack over every candidate of the set, best rate first: a merge of
    // each position's list, stopped when the time is used.
    let mut at = vec![0usize; aggs.len()];
    let mut t = f64::from(left);
    let mut gain = 0f64;
    while t > 0.0 {
        let next = (0..aggs.len())
            .filter(|&j| at[j] < aggs[j].by_rate.len())
            .max_by(|&x, &y| {
                aggs[x].by_rate[at[x]]
                    .0
                    .total_cmp(&aggs[y].by_rate[at[y]].0)
            });
        let Some(j) = next else { break };
        let (rate, most) = aggs[j].by_rate[at[j]];
        at[j] += 1;
        let h = f64::from(most);
        let need = h / rate;
        if need <= t {
            gain += h;
            t -= need;
        } else {
            gain += t * rate;
            t = 0.0;
        }
    }
    let hold_sum: u32 = aggs.iter().map(|a| a.hold_sum).sum();
    let hold = hold_sum.min(floor_s(gain + 1e-6));
    Some(Score {
        coverage,
        adequacy,
        warm_up: u32::from(warm),
        hold_steps: hold / 30,
        neg_positions: -(k as i32),
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
    Search::new(p, idx, set.len() as u32)
}

pub(super) fn search(p: &Problem<'_>) -> Found {
    let n = p.cands.len();
    let (subs, order) = subproblems(p);
    let mut w = Walk {
        reps: vec![0; n],
        best: None,
        best_reps: vec![0; n],
        ties: Vec::new(),
        nodes: 0,
        limit: NODE_LIMIT,
    };
    for (root, set) in &subs {
        if w.best.is_some_and(|best| *root <= best) {
            break;
        }
        if let Some(s) = build(p, &order, set) {
            let start = s.start();
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
    let mut t = Walk {
        reps: vec![0; n],
        best: None,
        best_reps: vec![0; n],
        ties: Vec::new(),
        nodes: 0,
        limit: TIE_NODES,
    };
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
