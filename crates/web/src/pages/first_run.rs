//! The first run: the disclaimer to accept, and the yes-or-no questions about warning signs
//! (asked again every four weeks, and when the areas change).

use axum::extract::State;
use axum::http::StatusCode;
use backstretch_core::safety::{self, DISCLAIMER, Verdict};
use backstretch_render::catalog::word_list;
use maud::html;

use crate::error::WebError;
use crate::input::{Fields, FormResult};
use crate::pages::frame::{Page, html_page, to};
use crate::pages::gate::{Stop, flagged, stop};
use crate::state::Shared;

/// The disclaimer, and the button to accept it (or a way on, once accepted).
pub async fn welcome(State(s): State<Shared>) -> Page {
    let accepted = s.run(|app, _| Ok(app.disclaimer_accepted()?)).await?;
    let body = html! {
        section aria-labelledby="d" {
            h2 #d { "Please read this first" }
            @for para in DISCLAIMER.split("\n\n") { p { (para) } }
        }
        section aria-labelledby="w" {
            h2 #w { "Warning signs" }
            div.alert { p { (safety::CES_LINE) } }
            p { "Next come a few yes-or-no questions about other warning signs, and then where it hurts and where you can stretch." }
        }
        @if accepted {
            p.ok { "You have accepted this." }
            p { a.button href="/today" { "Go to today" } }
        } @else {
            form method="post" action="/welcome" {
                button.primary type="submit" { "I understand and accept" }
            }
        }
    };
    Ok(html_page(
        StatusCode::OK,
        "Welcome to backstretch",
        "",
        &body,
    ))
}

/// The disclaimer accepted.
pub async fn accept(State(s): State<Shared>) -> Page {
    s.run(|app, _| Ok(app.accept_disclaimer()?)).await?;
    Ok(to("/today"))
}

/// The warning-sign questions for the profile's areas.
pub async fn check(State(s): State<Shared>) -> Page {
    // The questions are for the profile's areas, after the disclaimer; a check already
    // done (or a reported sign) may be answered again.
    if let Some(Stop::Go(path)) = stop(&s).await?
        && path != "/check"
    {
        return Ok(to(path));
    }
    let (questions, areas) = s
        .run(|app, catalog| {
            let areas = app.screening_areas(catalog, None)?;
            let qs: Vec<(String, String)> = app
                .questions(&areas)?
                .into_iter()
                .map(|q| (q.id.clone(), q.text.clone()))
                .collect();
            Ok((qs, areas))
        })
        .await?;
    let body = html! {
        p {
            "A few yes-or-no questions about warning signs, to check that stretching is right for you now ("
            (word_list(&areas))
            "). They are asked again every four weeks, and when your areas change."
        }
        form method="post" action="/check" {
            @for (id, text) in &questions {
                fieldset.question {
                    legend { (text) }
                    label.choice { input type="radio" name=(id) value="no" required; " No" }
                    label.choice { input type="radio" name=(id) value="yes" required; " Yes" }
                }
            }
            button.primary type="submit" { "Done" }
        }
    };
    Ok(html_page(StatusCode::OK, "Warning signs", "", &body))
}

/// The answers: on to today when clear, or the advice to stop.
pub async fn checked(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let v = s
        .run(move |app, catalog| {
            let areas = app.screening_areas(catalog, None)?;
            let asked = app.questions(&areas)?;
            let mut yes = Vec::new();
            for q in asked {
                match f.one(&q.id).as_deref() {
                    Some("yes") => yes.push(q.id.clone()),
                    Some("no") => {}
                    _ => {
                        return Err(WebError::invalid(
                            &q.id,
                            format!("no answer to \"{}\"", q.text),
                            "answer every question yes or no",
                        ));
                    }
                }
            }
            Ok(app.record_screening(&areas, &yes)?)
        })
        .await?;
    if v == Verdict::Clear {
        return Ok(to("/today"));
    }
    Ok(html_page(
        StatusCode::OK,
        "Please stop here",
        "",
        &flagged(&v),
    ))
}
