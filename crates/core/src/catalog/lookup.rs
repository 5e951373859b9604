//! Looking exercises up by id, name or alias, with suggestions for near misses.

use std::fmt;

use crate::exercise::Exercise;
use crate::text::{edit_distance, normalize_name};
use crate::vocab::Area;

use super::load::*;

/// No exercise answers to a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    /// The name asked for.
    pub query: String,
    /// `(id, name)` of the closest entries, best first.
    pub suggestions: Vec<(String, String)>,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no exercise is called `{}`", self.query)?;
        if !self.suggestions.is_empty() {
            let s: Vec<String> = self
                .suggestions
                .iter()
                .map(|(id, name)| format!("{id} ({name})"))
                .collect();
            write!(f, "; did you mean {}?", s.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for NotFound {}

impl Catalog {
    /// Every entry, whole, ordered by id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        (0..self.len()).filter_map(|i| self.entry(i))
    }

    /// Every exercise, whole, ordered by id.
    pub fn exercises(&self) -> impl Iterator<Item = &Exercise> {
        self.entries().map(|e| &e.exercise)
    }

    /// Every exercise as the planner sees it, ordered by id, without decoding a lazy
    /// catalogue's texts: the id, name, kind, position, places, equipment, areas, sides,
    /// gentleness, dose (but not its note), source pages and each variant's name, position,
    /// places and equipment are filled in; aliases, purpose, steps, cautions, evidence and
    /// figures may be empty. [`Catalog::get`] gives the whole exercise.
    pub fn heads(&self) -> impl Iterator<Item = &Exercise> {
        (0..self.len()).filter_map(|i| Some(&self.head(i)?.exercise))
    }

    /// The [`Catalog::heads`] of the exercises serving any of these areas, ordered by id;
    /// a lazy catalogue decodes no other.
    pub fn heads_serving(&self, areas: &[Area]) -> impl Iterator<Item = &Exercise> {
        let bits = area_bits(areas);
        (0..self.len())
            .filter(move |i| match &self.lazy {
                None => area_bits(&self.entries[*i].exercise.areas) & bits != 0,
                Some(l) => l.source.area_bits(*i) & bits != 0,
            })
            .filter_map(|i| Some(&self.head(i)?.exercise))
    }

    /// An exercise as a routine item plays it: in the variant the routine chose (its own
    /// form for none, or for a variant the catalogue no longer has).
    pub fn played(&self, id: &str, variant: Option<&str>) -> Option<Exercise> {
        self.get(id).map(|e| e.exercise.in_variant(variant))
    }

    /// Entry `i`, whole (`None` only for a lazy entry whose bytes are damaged).
    pub(super) fn entry(&self, i: usize) -> Option<&Entry> {
        match &self.lazy {
            None => Some(&self.entries[i]),
            // A body that cannot be read or fails its checksum (the cache changed under
            // us) leaves the head: its name and dose, with no steps.
            Some(l) => l.full[i]
                .get_or_init(|| {
                    let head = self.head(i)?;
                    let whole = l.source.whole(i, head);
                    Some(Box::new(whole.unwrap_or_else(|| head.clone())))
                })
                .as_deref(),
        }
    }

    /// Entry `i`'s head (see [`Catalog::heads`]).
    fn head(&self, i: usize) -> Option<&Entry> {
        match &self.lazy {
            None => Some(&self.entries[i]),
            Some(l) => l.heads[i]
                .get_or_init(|| l.source.head(i).map(Box::new))
                .as_deref(),
        }
    }

    /// Entry `i`'s id.
    pub(super) fn id(&self, i: usize) -> &str {
        match &self.lazy {
            None => &self.entries[i].exercise.id,
            Some(l) => l.source.id(i),
        }
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        match &self.lazy {
            None => self.entries.len(),
            Some(l) => l.heads.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        let i = match &self.id_order {
            None => {
                // The entries are in id order: a binary search over their positions.
                let (mut lo, mut hi) = (0, self.len());
                loop {
                    if lo >= hi {
                        break None;
                    }
                    let mid = lo + (hi - lo) / 2;
                    match self.id(mid).cmp(id) {
                        std::cmp::Ordering::Less => lo = mid + 1,
                        std::cmp::Ordering::Greater => hi = mid,
                        std::cmp::Ordering::Equal => break Some(mid),
                    }
                }
            }
            Some(order) => order
                .binary_search_by(|i| self.id(*i).cmp(id))
                .ok()
                .map(|k| order[k]),
        }?;
        self.entry(i)
    }

    /// Finds an entry by id, name or alias, ignoring case and punctuation.
    pub fn find(&self, query: &str) -> Result<&Entry, NotFound> {
        if let Some(e) = self.get(query.trim()) {
            return Ok(e);
        }
        let q = normalize_name(query);
        if let Some(e) = self.names_index().get(&q).and_then(|i| self.entry(*i)) {
            return Ok(e);
        }
        Err(NotFound {
            query: query.trim().to_string(),
            suggestions: self.suggest(&q),
        })
    }

    /// The entries whose names are closest to a normalized query, best first (at most five).
    pub(super) fn suggest(&self, q: &str) -> Vec<(String, String)> {
        if q.is_empty() {
            return Vec::new();
        }
        let q_words: Vec<&str> = q.split(' ').collect();
        let mut scored: Vec<(usize, &Entry)> = self
            .entries()
            .filter_map(|e| {
                let best = e
                    .exercise
                    .names()
                    .map(|n| {
                        let n = normalize_name(n);
                        let words: Vec<&str> = n.split(' ').collect();
                        let all_words = q_words.iter().all(|w| {
                            words
                                .iter()
                                .any(|x| x.starts_with(w) || edit_distance(w, x) <= 1)
                        });
                        if all_words { 0 } else { edit_distance(q, &n) }
                    })
                    .min()
                    .unwrap_or(usize::MAX);
                let limit = (q.chars().count() / 3).clamp(1, 4);
                (best <= limit).then_some((best, e))
            })
            .collect();
        scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.exercise.id.cmp(&b.1.exercise.id)));
        scored
            .into_iter()
            .take(5)
            .map(|(_, e)| (e.exercise.id.clone(), e.exercise.name.clone()))
            .collect()
    }
}
