//! The thread with the person's clinicians, when their log is linked to a practice: what
//! each wrote, oldest first, and a form to write back (it goes at the next sync).

use axum::extract::State;
use axum::http::StatusCode;
use backstretch_core::care::MAX_MESSAGE_CHARS;
use maud::html;

use crate::input::{Fields, FormResult};
use crate::pages::frame::{Page, html_page, to};
use crate::state::Shared;

/// `GET /messages`.
pub async fn messages(State(s): State<Shared>) -> Page {
    let (thread, clinic) = s
        .run(|app, _| Ok((app.messages()?, app.under_clinic()?)))
        .await?;
    let body = html! {
        @if !clinic {
            p { "Messages come from your clinicians once this log is linked to their practice: "
                "in a terminal, " code { "backstretch sync link ADDRESS CODE" } " with the code they gave you." }
        } @else {
            @if thread.is_empty() {
                p { "No messages yet." }
            } @else {
                ol.thread {
                    @for m in &thread {
                        li.card {
                            p { strong { (m.from.as_deref().unwrap_or("You")) } " · " (m.at.local().format("%a %-d %b %Y %H:%M")) }
                            p { (m.text) }
                        }
                    }
                }
            }
            form.stack method="post" action="/messages" {
                label for="text" { "Write to your clinicians" }
                textarea #text name="text" rows="3" maxlength=(MAX_MESSAGE_CHARS) required {}
                button.primary type="submit" { "Send" }
            }
            p { "It reaches them, and their answers reach you, at the next " code { "backstretch sync" } "." }
        }
    };
    Ok(html_page(StatusCode::OK, "Messages", "/messages", &body))
}

/// `POST /messages`: a message to the clinicians.
pub async fn send(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let text = f.one("text").unwrap_or_default();
    s.run(move |app, _| Ok(app.send_message(&text)?)).await?;
    Ok(to("/messages"))
}
