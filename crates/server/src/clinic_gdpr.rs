//! What a patient's clinician may do with the record as a whole: share it with another
//! clinician of the practice, export everything the server holds about the patient (GDPR's
//! right of access), and erase it (GDPR's right to erasure) after typing the patient's label
//! to confirm. Each is a form on the patient's page, refused from elsewhere (`Origin`), and
//! each is a line in the audit log.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use backstretch_store::UserId;
use maud::{Markup, html};
use serde::Deserialize;

use crate::api::{Api, ApiError};
use crate::clinic::{self, ShareRefused};
use crate::clinic_pages::{LoggedIn, SameOrigin, page, peer, their_patient};

/// The patient page's forms: share, export everything, erase.
pub(crate) fn forms(user: &UserId, name: &str, error: Option<(&str, &str)>) -> Markup {
    let base = format!("/clinic/patients/{}", user.as_str());
    let said = |form: &str| {
        error
            .filter(|(f, _)| *f == form)
            .map(|(_, e)| e.to_string())
    };
    html! {
        h2 { "Care team" }
        @if let Some(e) = said("share") {
            p.error role="alert" { (e) }
        }
        form.stack method="post" action={ (base) "/share" } {
            label for="share-email" { "Share " (name) " with another clinician of the practice (their e-mail address)" }
            input #share-email type="email" name="email" required autocomplete="off";
            button type="submit" { "Share" }
        }
        h2 { "Their data (GDPR)" }
        p {
            a href={ (base) "/export/gdpr.json" } { "Everything held about " (name) }
            " (one JSON file: their log, devices, alerts, care team and the audit log's lines about them), for a request under the right of access."
        }
        @if let Some(e) = said("erase") {
            p.error role="alert" { (e) }
        }
        form.stack method="post" action={ (base) "/erase" } {
            p {
                "Erasing removes everything this server holds about " strong { (name) } ": their "
                "log, devices, link codes, alerts and care team, for every clinician. It cannot be "
                "undone. Their devices keep their own copy and are told, when they next sync, that "
                "the server no longer keeps their log. The audit log keeps the line that says who "
                "erased it, when and from where."
            }
            label for="confirm" { "Type " strong { (name) } " to confirm" }
            input #confirm type="text" name="confirm" required autocomplete="off";
            button.danger type="submit" { "Erase " (name) " from this server" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ShareForm {
    email: String,
}

/// A refusal on the patient's page's own forms: the page's forms again, with why.
fn refused(
    c: &backstretch_store::clinic::Clinician,
    user: &UserId,
    name: &str,
    form: &str,
    why: &str,
) -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        name,
        Some(c),
        &html! {
            (forms(user, name, Some((form, why))))
            p { a href={ "/clinic/patients/" (user.as_str()) } { "Back to " (name) "'s page" } }
        },
    )
}

/// `POST /clinic/patients/{id}/share`: the patient joins another clinician's list.
pub async fn share(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path(id): Path<String>,
    Form(f): Form<ShareForm>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let email = f.email.trim().to_string();
    let (who, u, e, from) = (c.clone(), user.clone(), email.clone(), peer(p.as_ref()));
    let shared = api
        .run(move |s, now| Ok(clinic::share_patient(s, &who, &u, &e, now, &from)?))
        .await?;
    Ok(match shared {
        Ok(_) => Redirect::to(&format!("/clinic/patients/{}", user.as_str())).into_response(),
        Err(ShareRefused::BadEmail) => refused(
            &c,
            &user,
            &name,
            "share",
            &format!("email: `{email}` is not an e-mail address"),
        ),
        Err(ShareRefused::NoOne) => refused(
            &c,
            &user,
            &name,
            "share",
            &format!(
                "email: no clinician of this practice has the address {email} (the server's \
                 operator adds clinicians: `backstretch server clinician add EMAIL`)"
            ),
        ),
        Err(ShareRefused::Already(other)) => refused(
            &c,
            &user,
            &name,
            "share",
            &format!("email: {name} is already {other}'s patient"),
        ),
    })
}

#[derive(Debug, Deserialize)]
pub struct EraseForm {
    confirm: String,
}

/// `POST /clinic/patients/{id}/erase`: with the patient's label typed to confirm, the server
/// forgets them, in one transaction with its audit line.
pub async fn erase(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path(id): Path<String>,
    Form(f): Form<EraseForm>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    if f.confirm.trim() != name {
        return Ok(refused(
            &c,
            &user,
            &name,
            "erase",
            &format!("confirm: type {name} exactly, to confirm that it is this patient you erase"),
        ));
    }
    let (who, u, from) = (c.clone(), user.clone(), peer(p.as_ref()));
    let erased = api
        .run(move |s, now| Ok(clinic::erase_patient(s, &who, &u, now, &from)?))
        .await?;
    Ok(page(
        StatusCode::OK,
        &format!("{name} is erased"),
        Some(&c),
        &html! {
            p {
                "This server no longer holds anything about " (name) ": "
                (erased.sessions) " sessions, " (erased.events) " sync events and "
                (erased.devices) " devices were removed, with their link codes, alerts and care team."
            }
            p { "The audit log keeps the line that says you erased them." }
            p { a href="/clinic" { "Back to your patients" } }
        },
    ))
}
