//! Where a page that needs today's routine sends the person first: the disclaimer, the
//! profile, the warning-sign check, or (after a reported sign) the advice to stop. Every
//! gate the terminal has applies here too, worded from the app layer's values.

use axum::http::StatusCode;
use axum::response::Response;
use backstretch_app::{App, Gate, Overrides};
use backstretch_core::catalog::Catalog;
use backstretch_core::safety::{Urgency, Verdict};
use maud::{Markup, html};

use crate::error::WebError;
use crate::pages::frame::{PageError, html_page, to};
use crate::state::Shared;

/// The first gate standing.
pub enum Stop {
    /// A page to go to first.
    Go(&'static str),
    /// A warning sign was reported: the advice, in place of the page (and whether a
    /// clinic's clinician clears it).
    Flagged(Verdict, bool),
}

impl Stop {
    /// The redirect, or the advice to stop as a page.
    pub fn page(self) -> Response {
        match self {
            Stop::Go(path) => to(path),
            Stop::Flagged(v, clinic) => {
                html_page(StatusCode::OK, "Today", "/today", &flagged(&v, clinic))
            }
        }
    }
}

/// The first gate standing, as the app says: the disclaimer before the profile (whose
/// areas the check is for), then the app's gate for those areas.
pub fn first_stop(app: &App<'_>, catalog: &Catalog) -> Result<Option<Stop>, WebError> {
    if !app.disclaimer_accepted()? {
        return Ok(Some(Stop::Go("/welcome")));
    }
    if app.profile()?.is_none() {
        return Ok(Some(Stop::Go("/profile")));
    }
    let areas = app.areas(&Overrides::default())?;
    Ok(app.gate(catalog, &areas)?.map(|g| match g {
        Gate::Disclaimer => Stop::Go("/welcome"),
        Gate::Screening { .. } => Stop::Go("/check"),
        Gate::Flagged {
            verdict, clinic, ..
        } => Stop::Flagged(verdict, clinic),
    }))
}

/// [`first_stop`], for a handler.
pub async fn stop(s: &Shared) -> Result<Option<Stop>, PageError> {
    Ok(s.run(first_stop).await?)
}

/// A warning sign reported: nothing is planned until a new check has none. A sign a clinician
/// may clear can be recorded as cleared here; after an emergency, the next check asks first
/// whether the person has been assessed.
pub fn flagged(v: &Verdict, clinic: bool) -> Markup {
    let signs = match v {
        Verdict::Flagged { signs, .. } => &signs[..],
        Verdict::Clear => &[],
    };
    let emergency = signs.iter().any(|f| f.urgency == Urgency::Emergency);
    let clearable: Vec<_> = signs
        .iter()
        .filter(|f| f.urgency < Urgency::Emergency)
        .collect();
    html! {
        div.alert role="alert" {
            @if let Verdict::Flagged { urgency, signs } = v {
                p { "You reported:" }
                ul { @for f in signs { li { (f.sign) } } }
                p { (urgency.advice()) }
            }
        }
        @if emergency {
            p { "Once you have been assessed (by emergency services, a doctor or a physiotherapist), answer the questions again: they ask about that first." }
        } @else {
            p { "Nothing is planned or played after a warning sign. When it has gone, answer the questions again." }
        }
        p { a.button href="/check" { "Answer the questions again" } }
        @if !clearable.is_empty() && clinic {
            p { "Once your clinician has checked it, they can clear you to stretch in the clinic: it lifts here at the next sync." }
        } @else if !clearable.is_empty() {
            section aria-labelledby="cleared" {
                h2 #cleared { "Cleared by a clinician?" }
                p { "If a doctor or physiotherapist has checked this and cleared you to stretch, record it. It holds for 12 weeks; later checks ask whether it is new or has changed since." }
                @for f in clearable {
                    form method="post" action="/check/clear" {
                        input type="hidden" name="sign" value=(f.id);
                        button type="submit" { "A clinician has cleared me: " (f.sign) }
                    }
                }
            }
        }
    }
}
