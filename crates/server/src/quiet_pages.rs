//! The quiet alert's setting on a patient's page: after how many days without a session
//! their clinicians are alerted (and e-mailed, when the server sends e-mail).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use backstretch_store::UserId;
use backstretch_store::clinic::Watch;
use maud::{Markup, html};
use serde::Deserialize;

use crate::api::{Api, ApiError};
use crate::clinic;
use crate::clinic_pages::{LoggedIn, SameOrigin, page, peer, their_patient};

/// The patient's page's section on going quiet: the form, with their days.
pub(crate) fn quiet_section(user: &UserId, watch: Option<&Watch>) -> Markup {
    let days = watch
        .and_then(|w| w.quiet_days)
        .unwrap_or(backstretch_core::alert::QUIET_DAYS);
    quiet_form(user, &days.to_string(), None)
}

/// The form that sets a patient's quiet days, showing `days` (as typed, when refused with
/// `error`).
pub(crate) fn quiet_form(user: &UserId, days: &str, error: Option<&str>) -> Markup {
    let range = backstretch_core::alert::QUIET_DAYS_RANGE;
    html! {
        h2 { "When they go quiet" }
        @if let Some(e) = error {
            p.error role="alert" #quiet-error { (e) }
        }
        form.stack method="post" action={ "/clinic/patients/" (user.as_str()) "/quiet" } {
            label for="quiet-days" { "Alert after this many days without a session (" (range.start()) " to " (range.end()) ")" }
            input #quiet-days type="number" name="days" value=(days) min=(range.start()) max=(range.end())
                required inputmode="numeric" aria-describedby=[error.map(|_| "quiet-error")];
            button type="submit" { "Save" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct QuietForm {
    days: String,
}

/// `POST /clinic/patients/{id}/quiet`: sets after how many days without a session the
/// patient's clinicians are alerted (audited); a number out of range is refused, naming the
/// field, and nothing changes.
pub async fn set_quiet_days(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path(id): Path<String>,
    Form(f): Form<QuietForm>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let days = match clinic::check_quiet_days(&f.days) {
        Ok(days) => days,
        Err(why) => {
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &name,
                Some(&c),
                &html! {
                    (quiet_form(&user, &f.days, Some(&why)))
                    p { a href={ "/clinic/patients/" (user.as_str()) } { "Back to " (name) "'s page" } }
                },
            ));
        }
    };
    let (who, from, u) = (c.clone(), peer(p.as_ref()), user.clone());
    let raised = api
        .run(move |s, now| Ok(clinic::set_quiet_days(s, &who, &u, days, now, &from)?))
        .await?;
    api.alerted(raised.len());
    Ok(Redirect::to(&format!("/clinic/patients/{}", user.as_str())).into_response())
}
