//! Looking exercises up by id, name or alias, with suggestions for near misses.

use std::fmt;

use crate::exercise::Exercise;
use crate::text::{edit_distance, normalize_name};
use crate::vocab::Area;

use super::load::{Catalog, Entry};

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
    /// Every entry, ordered by id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Every exercise, ordered by id.
    pub fn exercises(&self) -> impl Iterator<Item = &Exercise> {
        self.entries().map(|e| &e.exercise)
    }

    /// The exercises serving any of these areas, ordered by id.
    pub fn serving(&self, areas: &[Area]) -> impl Iterator<Item = &Exercise> {
        self.exercises()
            .filter(move |e| e.areas.iter().any(|a| areas.contains(a)))
    }

    /// An exercise as a routine item plays it: in the variant the routine chose (its own
    /// form for none, or for a variant the catalogue no longer has).
    pub fn played(&self, id: &str, variant: Option<&str>) -> Option<Exercise> {
        self.get(id).map(|e| e.exercise.in_variant(variant))
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        let i = self
            .entries
            .binary_search_by(|e| e.exercise.id.as_str().cmp(id))
            .ok()?;
        self.entries.get(i)
    }

    /// Finds an entry by id, name or alias, ignoring case and punctuation.
    pub fn find(&self, query: &str) -> Result<&Entry, NotFound> {
        if let Some(e) = self.get(query.trim()) {
            return Ok(e);
        }
        let q = normalize_name(query);
        if let Some(e) = self
            .names_index()
            .get(&q)
            .and_then(|i| self.entries.get(*i))
        {
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
