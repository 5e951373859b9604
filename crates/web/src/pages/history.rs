//! What was done: the sessions, newest first; progress against the goal with its charts; and
//! the charts themselves as SVG.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use backstretch_core::catalog::Catalog;
use backstretch_core::function::{FunctionSummary, FunctionTrend};
use backstretch_core::stats::{SessionFact, Stats};
use backstretch_render::json::{HistoryRow, history_rows};
use backstretch_render::progress::progress_line;
use maud::{Markup, html};

use crate::error::WebError;
use crate::input::{HistoryQuery, query};
use crate::pages::frame::{Page, html_page};
use crate::pages::parts::{count, exercise_names, svg};
use crate::state::Shared;

/// An exercise count as the history table says it: `5 done, 1 skipped, hurt: Cat-cow`.
fn exercises_text(r: &HistoryRow, catalog: &Catalog) -> String {
    let mut ex = format!("{} done", r.exercises.done.len());
    if !r.exercises.skipped.is_empty() {
        ex.push_str(&format!(", {} skipped", r.exercises.skipped.len()));
    }
    if !r.exercises.hurt.is_empty() {
        let names = exercise_names(catalog, &r.exercises.hurt);
        ex.push_str(&format!(", hurt: {}", names.join(", ")));
    }
    ex
}

/// How a session ended, and whether it counts: by the rule the progress figures follow
/// ([`backstretch_core::stats::counts`]), so the two pages agree.
fn ended_text(r: &HistoryRow, counts: bool) -> String {
    let done = count(
        u32::try_from(r.exercises.done.len()).unwrap_or(u32::MAX),
        "exercises",
    );
    match (r.outcome, counts) {
        ("completed", true) => "Completed".into(),
        ("completed", false) => "Completed, most holds skipped: not counted".into(),
        ("stopped", true) => format!("Stopped after {done}: counts"),
        ("stopped", false) => "Stopped early, under half the holding: not counted".into(),
        ("interrupted", true) => format!("Cut off after {done}: counts"),
        ("interrupted", false) => "Cut off early, under half the holding: not counted".into(),
        _ => "Going on now".into(),
    }
}

fn no_sessions(what: &str) -> Markup {
    html! {
        p { "No sessions yet" (what) ". " a href="/today" { "Today's routine" } " is ready when you are." }
    }
}

/// The sessions, newest first, 50 to a page (`?before=` the last one shown for older ones).
pub async fn history(
    State(s): State<Shared>,
    q: Result<Query<HistoryQuery>, QueryRejection>,
) -> Page {
    let q = query(q, "use before= (a session id) and limit= (1 to 1000)")?;
    let (rows, older) = s
        .run(move |app, catalog| {
            let page = q.read(app, 50)?;
            let rows = history_rows(&page.sessions, app.now(), |_| None);
            let rows = page
                .sessions
                .iter()
                .map(|l| {
                    let when = l.session.started_at.local();
                    let counts = SessionFact::of(l).counts;
                    (when.format("%a %-d %b %Y, %H:%M").to_string(), counts)
                })
                .zip(rows)
                .map(|(when, r)| (when, exercises_text(&r, catalog), r))
                .collect::<Vec<_>>();
            Ok((rows, page.older))
        })
        .await?;
    if rows.is_empty() {
        return Ok(html_page(
            StatusCode::OK,
            "History",
            "/history",
            &no_sessions(""),
        ));
    }
    let pain = |p: Option<u8>| p.map_or_else(|| "–".to_string(), |v| v.to_string());
    let body = html! {
        div.table tabindex="0" role="region" aria-label="Your sessions (scrolls sideways)" { table {
            caption { "Your sessions, newest first" }
            thead { tr {
                th scope="col" { "When" }
                th scope="col" { "Minutes" }
                th scope="col" { "Exercises" }
                th scope="col" { "Pain before → after" }
                th scope="col" { "How it ended" }
            } }
            tbody {
                @for ((when, counts), exercises, r) in &rows {
                    tr {
                        td { (when) }
                        td { (r.minutes) }
                        td { (exercises) }
                        td { (pain(r.pain_before)) " → " (pain(r.pain_after)) }
                        td { (ended_text(r, *counts)) }
                    }
                }
            }
        } }
        @if let Some(id) = older {
            p { a href={ "/history?before=" (id.0) } { "Older sessions" } }
        }
    };
    Ok(html_page(StatusCode::OK, "History", "/history", &body))
}

/// The pain at the start against lately, in words.
fn pain_text(st: &Stats) -> String {
    let p = &st.pain;
    match (p.first, p.last) {
        (Some(f), Some(l)) => {
            let mut t = format!("{f} at the start, {l} lately");
            if p.meaningful {
                t.push_str(" — a meaningful improvement");
            }
            t
        }
        _ => "no scores yet".into(),
    }
}

/// The function measure (PSFS) as the progress page says it, beside the pain.
fn function_text(f: &FunctionSummary) -> String {
    if f.records == 1 {
        return format!(
            "{:.1} of 10 (10 is as before the problem); score it again in a week or two",
            f.latest.mean
        );
    }
    let mut t = format!(
        "{:.1} at the start, {:.1} lately",
        f.first.mean, f.latest.mean
    );
    match f.trend {
        FunctionTrend::Better => t.push_str(" — a meaningful improvement"),
        FunctionTrend::Worse => t.push_str(" — 2 points or more worse"),
        FunctionTrend::Steady => {}
    }
    t
}

/// Progress: the figures, the advice to be reviewed when nothing improves, and the charts.
pub async fn progress(State(s): State<Shared>) -> Page {
    let (st, n, function) = s
        .run(|app, _| {
            Ok((
                app.stats(None)?,
                app.history(None, 1)?.sessions.len(),
                app.function_summary()?,
            ))
        })
        .await?;
    if n == 0 {
        let body = html! {
            (no_sessions(", so no progress to show"))
            @if let Some(f) = &function {
                dl.stats { div { dt { "Function (PSFS)" } dd { (function_text(f)) } } }
            }
        };
        return Ok(html_page(StatusCode::OK, "Progress", "/progress", &body));
    }
    let body = html! {
        p.lead { (progress_line(&st)) }
        p { a href="/programme" { "Your programme" } ": where each exercise stands, what comes next, and the weekly review." }
        dl.stats {
            div { dt { "Sessions that count" } dd { (st.sessions) } }
            div { dt { "Minutes" } dd { (st.minutes) } }
            div { dt { "Exercises done" } dd { (st.exercises_done) } }
            div { dt { "Pain" } dd { (pain_text(&st)) } }
            @if let Some(f) = &function {
                div { dt { "Function (PSFS)" } dd { (function_text(f)) } }
            }
            div { dt { "Streak" } dd {
                (count(st.streak.current, st.streak.unit))
                " (longest " (count(st.streak.longest, st.streak.unit)) ")"
            } }
        }
        p.hint { "A session counts toward your goal when at least half of its planned holding was done; the whole of a shorter, gentler plan always counts. History says of each one whether it counts." }
        @if let Some(r) = &st.rising {
            div.alert role="note" { p { (r.advice()) } }
        }
        @if st.review_advised {
            div.alert role="note" { p { "Six weeks of sessions have brought no meaningful improvement: please have your back or neck reviewed by a doctor or physiotherapist." } }
        }
        figure {
            img.chart src="/charts/pain.svg" alt="Chart of pain before and after each session";
            figcaption { "Pain before and after each session"
                @if function.is_some() { ", and the function measure (PSFS mean, 10 is as before)" }
                "." }
        }
        figure {
            img.chart src="/charts/adherence.svg" alt="Calendar of the days with a session, against your goal";
            figcaption { "Days with a session, week by week, against your goal." }
        }
    };
    Ok(html_page(StatusCode::OK, "Progress", "/progress", &body))
}

/// A chart of the log: `pain.svg` or `adherence.svg`.
pub async fn chart(
    State(s): State<Shared>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let kind = file.strip_suffix(".svg").unwrap_or("").to_string();
    if kind != "pain" && kind != "adherence" {
        return Err(WebError::not_found(format!("no chart called `{file}`")));
    }
    s.run(move |app, _| {
        let mut f = app.facts()?;
        f.sort_by_key(|x| x.started);
        Ok(svg(if kind == "pain" {
            backstretch_render::chart::pain_chart_with(&f, &app.function_history()?)
        } else {
            backstretch_render::chart::adherence_chart(&f, app.goal()?, app.today())
        }))
    })
    .await
}
