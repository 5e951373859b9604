//! The first run: the disclaimer to accept, and the yes-or-no questions about warning signs
//! (asked again every four weeks, and when the areas change).

use axum::extract::State;
use axum::http::StatusCode;
use std::collections::BTreeMap;

use backstretch_core::check::{ASSESSED, Check, Outcome, Question};
use backstretch_core::safety::{self, DISCLAIMER, Urgency, Verdict};
use backstretch_core::vocab::Area;
use maud::{Markup, html};

use crate::error::WebError;
use crate::input::{Fields, FormResult};
use crate::pages::frame::{Page, html_page, to};
use crate::pages::gate::{Stop, flagged, stop};
use crate::pages::parts::{and_list, count};
use crate::state::Shared;

/// The disclaimer, and the button to accept it (or a way on, once accepted).
pub async fn welcome(State(s): State<Shared>) -> Page {
    let accepted = s.run(|app, _| Ok(app.disclaimer_accepted()?)).await?;
    let body = html! {
        @if !accepted { p.step { "Step 1 of 3" } }
        section aria-labelledby="d" {
            h2 #d { "Please read this first" }
            @for para in DISCLAIMER.split("\n\n") { p { (para) } }
        }
        section aria-labelledby="w" {
            h2 #w { "Warning signs" }
            div.alert { p { (safety::CES_LINE) } }
        }
        @if !accepted {
            section aria-labelledby="next" {
                h2 #next { "What comes next" }
                ol {
                    li { "Step 2: where it hurts and where you can stretch, in one short form." }
                    li { "Step 3: about 25 yes-or-no questions about warning signs (how many depends on where it hurts), seven at a time. Most people take about five minutes. They come back every four weeks, and when your areas change." }
                }
            }
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

/// A question as the check page shows it.
struct Asked {
    id: String,
    text: String,
    emergency: bool,
}

fn asked(qs: Vec<Question<'_>>) -> Vec<Asked> {
    qs.into_iter()
        .map(|q| Asked {
            id: q.id.to_string(),
            emergency: q.flag.is_some_and(|f| f.urgency == Urgency::Emergency),
            text: q.text,
        })
        .collect()
}

/// How many questions a part of the check shows: the whole list is long, so it comes a few
/// at a time, the answers so far carried in hidden fields.
const PART: usize = 7;

/// The form of `questions` from `from` on (a part of [`PART`] at most), with the answers
/// already given carried in hidden fields. An emergency "yes" shows its advice at once and
/// lets the person stop there.
fn check_form(
    areas: &[Area],
    questions: &[Asked],
    from: usize,
    carried: &[(String, &str)],
) -> Markup {
    let to = (from + PART).min(questions.len());
    let last = to == questions.len();
    let total = questions.len();
    html! {
        @if from == 0 {
            p {
                (count(u32::try_from(total).unwrap_or(u32::MAX), "yes-or-no questions"))
                " about warning signs for your " (and_list(areas, "and"))
                ", to check that stretching is right for you now"
                @if total > PART { ", a few at a time" }
                ". They are asked again every four weeks, and when your areas change."
            }
        }
        @if total > PART {
            p.step { "Questions " (from + 1) " to " (to) " of " (total) }
        }
        form method="post" action="/check" {
            @for (id, value) in carried { input type="hidden" name=(id) value=(value); }
            @if total > PART { input type="hidden" name="step" value="1"; }
            @for q in &questions[from..to] {
                fieldset.question data-level=[q.emergency.then_some("emergency")] {
                    legend { (q.text) }
                    label.choice { input type="radio" name=(q.id) value="no" required; " No" }
                    label.choice { input type="radio" name=(q.id) value="yes" required; " Yes" }
                    @if q.emergency {
                        div.alert.emergency-now role="alert" hidden {
                            p { (safety::EMERGENCY_ADVICE) }
                            button.primary type="submit" formnovalidate { "Stop here and record this" }
                        }
                    }
                }
            }
            button.primary #done type="submit" { @if last { "Done" } @else { "Next" } }
        }
    }
}

/// The warning-sign questions for the profile's areas. After an emergency answer, the
/// question whether the person has been assessed since comes alone first.
pub async fn check(State(s): State<Shared>) -> Page {
    // The questions are for the profile's areas, after the disclaimer; a check already
    // done (or a reported sign) may be answered again.
    if let Some(Stop::Go(path)) = stop(&s).await?
        && path != "/check"
    {
        return Ok(to(path));
    }
    let (mut questions, areas) = s
        .run(|app, catalog| {
            let areas = app.screening_areas(catalog, None)?;
            Ok((asked(app.check(&areas)?.questions()), areas))
        })
        .await?;
    if questions.first().is_some_and(|q| q.id == ASSESSED) {
        questions.truncate(1);
    }
    let body = check_form(&areas, &questions, 0, &[]);
    Ok(html_page(StatusCode::OK, "Warning signs", "", &body))
}

/// What the answers sent lead to.
enum Checked {
    /// More questions to ask (after the assessment question, or the next part): the
    /// questions, where to go on from, and the answers so far.
    Ask(Vec<Area>, Vec<Asked>, usize, BTreeMap<String, bool>),
    /// The check is recorded (and whether a clinic's clinician clears a sign).
    Done(Outcome<'static>, bool),
}

/// The answers to the questions of `check` found in the form.
fn answers_in(f: &Fields, check: &Check<'_>) -> Result<BTreeMap<String, bool>, WebError> {
    let mut answers = BTreeMap::new();
    for q in check.questions() {
        match f.one(q.id).as_deref() {
            Some("yes") => answers.insert(q.id.to_string(), true),
            Some("no") => answers.insert(q.id.to_string(), false),
            None => None,
            Some(_) => {
                return Err(WebError::invalid(
                    q.id,
                    format!("\"{}\" takes yes or no", q.text),
                    "answer every question yes or no",
                ));
            }
        };
    }
    Ok(answers)
}

/// Where a check answered in part goes on: the questions to show (the assessment question
/// left out once answered) and the first one unanswered; none when the answers are whole or
/// an emergency "yes" ended the check (it is recorded then).
fn next_part(c: &Check<'_>, answers: &BTreeMap<String, bool>) -> Option<(Vec<Asked>, usize)> {
    let mut run = c.clone();
    run.answer_all(answers).err()?;
    let shown: Vec<Asked> = asked(c.questions())
        .into_iter()
        .filter(|q| q.id != ASSESSED || !answers.contains_key(ASSESSED))
        .collect();
    let from = shown.iter().position(|q| !answers.contains_key(&q.id))?;
    Some((shown, from))
}

/// The answers: on to today when clear, the signs after the assessment question, the next
/// part of the questions, or the advice to stop. What is worth knowing from the answers is
/// shown before going on.
pub async fn checked(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let next = s
        .run(move |app, catalog| {
            let areas = app.screening_areas(catalog, None)?;
            let check = app.check(&areas)?;
            let answers = answers_in(&f, &check)?;
            if let (1, Some(&assessed)) = (answers.len(), answers.get(ASSESSED)) {
                let mut c = check.clone();
                c.answer(assessed);
                if !c.stopped() {
                    return Ok(Checked::Ask(areas, asked(c.questions()), 0, answers));
                }
            }
            if f.one("step").is_some()
                && let Some((shown, from)) = next_part(&check, &answers)
            {
                return Ok(Checked::Ask(areas, shown, from, answers));
            }
            Ok(Checked::Done(
                app.record_answers(&areas, &answers)?,
                app.under_clinic()?,
            ))
        })
        .await?;
    let (out, clinic) = match next {
        Checked::Ask(areas, questions, from, answers) => {
            let carried: Vec<(String, &str)> = answers
                .into_iter()
                .map(|(id, yes)| (id, if yes { "yes" } else { "no" }))
                .collect();
            let body = check_form(&areas, &questions, from, &carried);
            return Ok(html_page(StatusCode::OK, "Warning signs", "", &body));
        }
        Checked::Done(out, clinic) => (out, clinic),
    };
    let advice: Vec<String> = out
        .advice
        .iter()
        .map(|f| safety::worth_knowing(f))
        .collect();
    if out.verdict == Verdict::Clear && advice.is_empty() {
        return Ok(to("/today"));
    }
    let body = html! {
        @if out.verdict == Verdict::Clear {
            p.ok { (safety::verdict_message(&out.verdict)) }
        } @else {
            (flagged(&out.verdict, clinic))
        }
        @for line in &advice { p { (line) } }
        @if out.verdict == Verdict::Clear {
            p { a.button href="/today" { "Go to today" } }
        }
    };
    let title = if out.verdict == Verdict::Clear {
        "No warning signs"
    } else {
        "Please stop here"
    };
    Ok(html_page(StatusCode::OK, title, "", &body))
}

/// A clinician's clearance of one sign, recorded from the advice page.
pub async fn cleared(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let sign = f.one("sign").unwrap_or_default();
    s.run(move |app, _| Ok(app.clear(sign.trim())?)).await?;
    Ok(to("/today"))
}
