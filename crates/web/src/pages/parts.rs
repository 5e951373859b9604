//! Pieces several pages show: an exercise's figure and sources, a list of steps or cautions,
//! counts and lists in words, and SVG as a response.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use backstretch_core::catalog::Catalog;
use backstretch_core::exercise::Exercise;
use backstretch_core::text::plural;
use backstretch_core::vocab::{Area, Condition, Place, Word};
use maud::{Markup, html};

use crate::links::figure_url;

/// Where an exercise comes from, as one line (nothing when it cites nothing).
pub fn cites(e: &Exercise) -> Markup {
    let list = e.citations();
    html! {
        @if !list.is_empty() {
            p.sources { "From " (list.join("; ")) }
        }
    }
}

/// An exercise's figure, moving (or, for people who ask for less motion, still).
pub fn figure(e: &Exercise, class: &str) -> Markup {
    html! {
        @if e.pose.is_some() {
            picture class=(class) {
                source media="(prefers-reduced-motion: reduce)" srcset=(figure_url(e, true));
                img src=(figure_url(e, false)) alt={ "Figure: " (e.title()) } width="384" height="440";
            }
        }
    }
}

/// Exercises by name, from their ids (an id the catalogue no longer has stays as it is).
pub fn exercise_names(catalog: &Catalog, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            catalog
                .get(id)
                .map_or_else(|| id.clone(), |e| e.exercise.title())
        })
        .collect()
}

/// Items as a list, numbered (`ol`) or not.
pub fn list(items: &[String], numbered: bool) -> Markup {
    html! {
        @if numbered {
            ol { @for i in items { li { (i) } } }
        } @else {
            ul { @for i in items { li { (i) } } }
        }
    }
}

/// `1 day`, `3 days`: `unit` is the plural.
pub fn count(n: u32, unit: &str) -> String {
    plural(n, unit.strip_suffix('s').unwrap_or(unit), unit)
}

/// A vocabulary word as people say it on a page: `lower back`, not `lower-back` (the word
/// the command line and files use).
pub trait Said: Word {
    fn said(self) -> String {
        self.as_str().replace('-', " ")
    }
}

impl Said for Area {
    fn said(self) -> String {
        Area::said(self).to_string()
    }
}

impl Said for Place {}

impl Said for Condition {}

/// Words as a person lists them: `neck, upper back and lower back`.
pub fn and_list<W: Said>(words: &[W], and: &str) -> String {
    let w: Vec<String> = words.iter().map(|x| x.said()).collect();
    match w.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// SVG text as a response.
pub fn svg(body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    r
}
