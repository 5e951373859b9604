//! The programme: where each exercise stands, what comes next and why, the last four weeks,
//! and the weekly review when one is due (carry on, or an easier week).

use axum::extract::State;
use axum::http::StatusCode;
use backstretch_app::ReviewAnswer;
use backstretch_core::coach::{Programme, Review, dose_words};
use backstretch_render::coaching::next_text;
use maud::{Markup, html};

use crate::error::WebError;
use crate::input::{Fields, FormResult};
use crate::pages::frame::{Page, html_page, to};
use crate::state::Shared;

fn mean(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), |p| format!("{p:.1}"))
}

fn review_part(r: &Review) -> Markup {
    let p = &r.pain;
    html! {
        section.review aria-labelledby="review-title" {
            h2 #review-title { "Your week in review" }
            p { "Days that counted since " (r.from.format("%A %-d %B")) ": "
                strong { (r.days) " of " (r.goal_days) } "." }
            @match (p.baseline, p.recent) {
                (Some(b), Some(n)) => p {
                    "Pain before sessions: about " (format!("{b:.1}")) " at the start, "
                    (format!("{n:.1}")) " lately. "
                    @if p.meaningful { "That is a meaningful improvement: a change of 2 points, or 30%, is the smallest that matters." }
                    @else { "A change of 2 points, or 30%, is the smallest that matters; it is common not to be there yet in the early weeks." }
                },
                _ => p { "Give a pain score before and after each session to see its trend." },
            }
            @if let Some(f) = &r.function {
                p { (backstretch_render::function::function_line(f)) }
            }
            @if r.moves.is_empty() {
                p { "No exercise moved this week: the programme holds steady." }
            } @else {
                ul { @for m in &r.moves { li { strong { (m.name) } ": " (m.why) } } }
            }
            @if let Some(c) = &r.card {
                aside.card { h3 { (c.title) } p { (c.text) } }
            }
            form method="post" action="/programme/review" {
                button.primary type="submit" name="answer" value="accept" { "Carry on" }
                " "
                button type="submit" name="answer" value="easier" { "An easier week" }
            }
        }
    }
}

fn programme_part(p: &Programme) -> Markup {
    html! {
        @if let Some(d) = p.easier_until {
            p.note { "An easier week, as you asked: every exercise a step lower until " (d.format("%A %-d %B")) "." }
        }
        @if p.exercises.is_empty() {
            p { "Your programme starts with your first session: each exercise then grows, a step at a time, after calm sessions." }
        } @else {
            ul.programme {
                @for r in &p.exercises {
                    li {
                        h3 { (r.name) }
                        p { "Now: " (dose_words(&r.dose)) ". Next: " (next_text(r)) "." }
                        @if let Some(why) = &r.why { p.hint { (why) } }
                    }
                }
            }
            p.hint { "A step up comes after three calm sessions on different days, a week or more after the last change. \"Too hard\", a hold that hurt, or pain after that is amber or red steps an exercise back." }
        }
        h2 { "The last four weeks" }
        div.scroll tabindex="0" role="region" aria-label="The last four weeks" {
            table {
                thead { tr { th scope="col" { "Week of" } th scope="col" { "Sessions" } th scope="col" { "Days counted" } th scope="col" { "Pain before" } th scope="col" { "Pain after" } th scope="col" { "Function (PSFS)" } } }
                tbody {
                    @for w in &p.weeks {
                        tr {
                            th scope="row" { (w.monday.format("%a %-d %b")) }
                            td { (w.sessions) } td { (w.days) }
                            td { (mean(w.pain_before)) } td { (mean(w.pain_after)) } td { (mean(w.function)) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /programme`.
pub async fn programme(State(s): State<Shared>) -> Page {
    let (p, review) = s
        .run(|app, catalog| Ok((app.programme(catalog)?, app.weekly_review(catalog)?)))
        .await?;
    let body = html! {
        @if let Some(r) = &review { (review_part(r)) }
        (programme_part(&p))
    };
    Ok(html_page(
        StatusCode::OK,
        "Your programme",
        "/progress",
        &body,
    ))
}

/// `POST /programme/review`: carry on, or an easier week.
pub async fn answer(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let answer = match f.one("answer").as_deref() {
        Some("accept") => ReviewAnswer::Accept,
        Some("easier") => ReviewAnswer::Easier,
        _ => {
            return Err(WebError::invalid(
                "answer",
                "no answer given",
                "press Carry on, or An easier week",
            )
            .into());
        }
    };
    s.run(move |app, _| Ok(app.answer_review(answer)?)).await?;
    Ok(to("/programme"))
}
