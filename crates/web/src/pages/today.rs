//! Today's routine: what it is for, each exercise with its dose, reason, cautions and
//! sources, the plan's notes, and the follow-up question about soreness when one is due.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use backstretch_app::Overrides;
use backstretch_core::plan::Plan;
use backstretch_core::session::SessionId;
use backstretch_render::plan::clock;
use maud::{Markup, html};

use crate::error::WebError;
use crate::input::{Fields, FormResult};
use crate::pages::frame::{Page, PageError, html_page, to};
use crate::pages::gate::{Stop, first_stop};
use crate::pages::parts::{and_list, cites, count, figure, list};
use crate::state::Shared;
use backstretch_render::sheet::capitalised;

/// The root: today's page.
pub async fn root() -> Response {
    to("/today")
}

/// Today's plan (and the follow-up question, if one is due), or where to go first.
type Today = Result<(Box<Plan>, Option<(i64, String)>, usize), Stop>;

async fn today_plan(s: &Shared) -> Result<Today, PageError> {
    s.run(|app, catalog| {
        if let Some(stop) = first_stop(app, catalog)? {
            return Ok(Err(stop));
        }
        let followup = app
            .pending_followup()?
            .map(|(id, day)| (id.0, day.format("%a %-d %b").to_string()));
        let p = app.plan(catalog, &Overrides::default(), false)?;
        let messages = if app.under_clinic()? {
            app.messages()?.len()
        } else {
            0
        };
        Ok(Ok((Box::new(p), followup, messages)))
    })
    .await
    .map_err(PageError)
}

/// Reminders while the page is open (the Notification API): shown by `app.js` only where
/// the browser has notifications.
fn remind_here(at: &str) -> Markup {
    html! {
        section.card #remind-here hidden aria-labelledby="remind-title" {
            h2 #remind-title { "Reminders in this browser" }
            p { "While backstretch is open in this browser, it can remind you each day at a time you choose. For reminders when it is closed, use " code { "backstretch remind on" } " in the terminal." }
            p {
                label for="remind-time" { "Time " }
                input #remind-time type="time" value=(at);
                " "
                button #remind-on type="button" { "Remind me here" }
                " "
                button #remind-off type="button" hidden { "Stop reminding here" }
            }
            p #remind-status role="status" aria-live="polite" {}
        }
        (calendar_form(at))
    }
}

/// A reminder in the person's own calendar: the `.ics` that `backstretch export ics` makes,
/// for the days and time picked here.
fn calendar_form(at: &str) -> Markup {
    const DAYS: [(&str, &str); 7] = [
        ("mon", "Monday"),
        ("tue", "Tuesday"),
        ("wed", "Wednesday"),
        ("thu", "Thursday"),
        ("fri", "Friday"),
        ("sat", "Saturday"),
        ("sun", "Sunday"),
    ];
    html! {
        section.card #calendar aria-labelledby="calendar-title" {
            h2 #calendar-title { "Add to your calendar" }
            form method="get" action="/calendar.ics" {
                fieldset {
                    legend { "On which days? (none ticked: every day)" }
                    @for (value, name) in DAYS {
                        label.choice { input type="checkbox" name="days" value=(value); (name) }
                    }
                }
                p {
                    label for="calendar-time" { "At what time?" }
                    input #calendar-time name="time" type="time" value=(at) required;
                }
                button.primary type="submit" { "Download the calendar reminder" }
            }
            p.hint { "Open the downloaded file to add a repeating reminder, with an alert, to your phone's or computer's calendar." }
        }
    }
}

/// The question whether the soreness after a session settled by the next morning.
fn followup_form(id: i64, day: &str) -> Markup {
    html! {
        form.card method="post" action="/followup" {
            input type="hidden" name="session" value=(id);
            p { "Did the soreness after your session on " (day) " settle by the next morning?" }
            button type="submit" name="settled" value="yes" { "Yes" }
            " "
            button type="submit" name="settled" value="no" { "No" }
        }
    }
}

fn routine(p: &Plan) -> Markup {
    html! {
        ol.routine {
            @for i in &p.items {
                @let e = &i.exercise;
                li."card with-figure" {
                    (figure(e, "thumb"))
                    div.text {
                        h2 { a href={ "/exercises/" (e.id) } { (e.title()) } }
                        p.dose { (capitalised(&i.dose_words())) "." }
                        p { (i.reason) }
                        @if !e.cautions.is_empty() {
                            div.caution { (list(&e.cautions, false)) }
                        }
                        (cites(e))
                    }
                }
            }
        }
    }
}

/// Today's routine, or the gate that stands first.
pub async fn today(State(s): State<Shared>) -> Page {
    let remind_at = s
        .run(|app, _| {
            Ok(app
                .profile()?
                .and_then(|p| p.moments.first().and_then(|m| m.times.first().copied())))
        })
        .await
        .map_err(PageError)?
        .map_or_else(|| "08:00".to_string(), |t| t.format("%H:%M").to_string());
    let (p, followup, messages) = match today_plan(&s).await? {
        Ok(today) => today,
        Err(stop) => return Ok(stop.page()),
    };
    let r = &p.request;
    let body = html! {
        p.lead {
            "For your " (and_list(&r.areas, "and")) " · " (and_list(&r.places, "or")) " · "
            (count(u32::try_from(p.items.len()).unwrap_or(u32::MAX), "exercises")) ", " (clock(p.total_s))
            " of " (r.minutes) " minutes."
        }
        @if let Some((id, day)) = &followup { (followup_form(*id, day)) }
        p.actions {
            a."button primary big" href="/play" { "Start" }
            " "
            a.button href="/print" { "Print" }
        }
        @if !p.warnings.is_empty() {
            div.notes role="note" { ul { @for w in &p.warnings { li { (w.to_string()) } } } }
        }
        @if messages > 0 {
            p { a href="/messages" { "Messages with your clinicians (" (messages) ")" } }
        }
        (routine(&p))
        (remind_here(&remind_at))
    };
    Ok(html_page(StatusCode::OK, "Today", "/today", &body))
}

/// The follow-up answer recorded.
pub async fn followup(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let settled = match f.one("settled").as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            return Err(WebError::invalid("settled", "no answer given", "answer yes or no").into());
        }
    };
    let id = f
        .one("session")
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| WebError::invalid("session", "no session named", "answer from the page"))?;
    s.run(move |app, _| Ok(app.record_settled(SessionId(id), settled)?))
        .await?;
    Ok(to("/today"))
}
