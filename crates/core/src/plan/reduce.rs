//! Reduction of a large candidate set to a pool the exact search can cover.

use super::search::*;
use super::*;

/// Reduces a large candidate set to at most [`POOL`]: the best few for each requested area
/// (by areas served, hold seconds, gentleness, id), the best warm-ups, then the best overall.
pub(super) fn reduce(mut cands: Vec<Cand>, n_areas: usize, weights: &[u32]) -> Vec<Cand> {
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
