//! The exercises: every one backstretch plans from with where it comes from, each one's page
//! (how to do it, cautions, and each other way to do it), and their figures as SVG.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use backstretch_core::catalog::{Catalog, Entry};
use backstretch_core::exercise::{Exercise, Form};
use backstretch_core::safety;
use backstretch_core::vocab::{Place, Word};
use backstretch_render::sheet::capitalised;
use maud::{Markup, html};

use crate::error::WebError;
use crate::input::query;
use crate::pages::frame::{Page, html_page};
use crate::pages::parts::{and_list, cites, figure, list, svg};
use crate::state::Shared;

fn entry<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Entry, WebError> {
    catalog
        .get(id)
        .ok_or_else(|| WebError::not_found(format!("no exercise has the id `{id}`")))
}

/// Every exercise, with its figure, areas, places, dose and sources.
pub async fn exercises(State(s): State<Shared>) -> Response {
    let body = html! {
        p { "Every exercise backstretch plans from, with where it comes from. Tap one for how to do it." }
        ul.exercises {
            @for e in s.catalog().entries() {
                @let x = &e.exercise;
                li."card with-figure" {
                    (figure(x, "thumb"))
                    div.text {
                        h2 { a href={ "/exercises/" (x.id) } { (x.name) } }
                        p {
                            "For the " (and_list(&x.areas, "and")) " · " (and_list(&x.all_places(), "or")) " · "
                            (capitalised(&x.dose.words(x.sides, None))) "."
                        }
                        (cites(x))
                    }
                }
            }
        }
    };
    html_page(StatusCode::OK, "Exercises", "/exercises", &body)
}

/// Another way to do an exercise, for other places: its own figure, steps and cautions.
fn variant(v: &Exercise) -> Markup {
    html! {
        section.variant {
            h2 {
                (capitalised(v.variant.as_deref().unwrap_or_default())) ": "
                (v.position.words()) " · " (and_list(&v.places, "or"))
            }
            (figure(v, "big"))
            (list(&v.steps, true))
            div.caution { (list(&v.cautions, false)) }
        }
    }
}

/// One exercise: how to do it, what to take care with, and each variant.
pub async fn exercise(State(s): State<Shared>, Path(id): Path<String>) -> Page {
    let x = &entry(s.catalog(), &id)?.exercise;
    let body = html! {
        (figure(x, "big"))
        p.lead { (x.purpose) }
        p.dose {
            (capitalised(&x.dose.words(x.sides, None))) ", " (x.position.words()) ". For the "
            (and_list(&x.areas, "and")) " · " (and_list(&x.places, "or"))
        }
        h2 { "How to do it" }
        (list(&x.steps, true))
        @if !x.cautions.is_empty() {
            h2 { "Take care" }
            div.caution { (list(&x.cautions, false)) }
        }
        p.stop-rule { strong { (safety::STOP_RULE) } }
        (cites(x))
        @for i in 0..x.variants.len() {
            (variant(&x.in_form(Form::Variant(i))))
        }
    };
    Ok(html_page(StatusCode::OK, &x.name, "/exercises", &body))
}

/// Which way of an exercise to draw.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureQuery {
    variant: Option<String>,
    /// `right`: mirrored, as the right side is done (the figures show the left).
    side: Option<String>,
    /// `bed`: drawn on a bed, for someone whose places have no floor.
    place: Option<String>,
}

/// `id.svg` (moving) or `id-still.svg` (the keyframes side by side).
fn figure_file(file: &str) -> Result<(&str, bool), WebError> {
    match file.strip_suffix(".svg") {
        Some(f) => Ok(match f.strip_suffix("-still") {
            Some(id) => (id, true),
            None => (f, false),
        }),
        None => Err(WebError::not_found(format!("no figure called `{file}`"))),
    }
}

/// An exercise's figure, in a variant if asked, as SVG.
pub async fn figure_svg(
    State(s): State<Shared>,
    Path(file): Path<String>,
    q: Result<Query<FigureQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let q = query(
        q,
        "use variant=NAME, one of the exercise's variants, side=left or side=right, and place=bed for a bed, or nothing",
    )?;
    let mirrored = match q.side.as_deref() {
        None | Some("left") => false,
        Some("right") => true,
        Some(other) => {
            return Err(WebError::invalid(
                "side",
                format!("side=`{other}` is not a side"),
                "use side=left or side=right",
            ));
        }
    };
    let (id, still) = figure_file(&file)?;
    let whole = &entry(s.catalog(), id)?.exercise;
    let Some(form) = whole.form_named(q.variant.as_deref()) else {
        let names: Vec<&str> = whole.variants.iter().map(|v| v.name.as_str()).collect();
        return Err(WebError::not_found(format!(
            "`{id}` has no variant called `{}`; {}",
            q.variant.unwrap_or_default(),
            if names.is_empty() {
                "it has none".to_string()
            } else {
                format!("it has {}", names.join(", "))
            }
        )));
    };
    let mut x = whole.in_form(form);
    if let Some(p) = q.place.as_deref() {
        let place = Place::parse_word(p).map_err(|e| {
            WebError::invalid("place", e.to_string(), format!("use {}", Place::listed()))
        })?;
        x = x.at_places(&[place]);
    }
    let x = &x;
    let Some(spec) = &x.pose else {
        return Err(WebError::not_found(format!("`{id}` has no figure")));
    };
    let flipped;
    let spec = if mirrored {
        flipped = spec.mirrored();
        &flipped
    } else {
        spec
    };
    Ok(svg(if still {
        backstretch_render::figure::keyframes_svg(x, spec)
    } else {
        backstretch_render::figure::animated_svg(x, spec)
    }))
}
