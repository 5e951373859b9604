//! The player's frame: the pain questions before and after, the stage, the controls with
//! their keys, and the summary; `player.js` plays the timeline core computed into it.

use axum::extract::State;
use axum::http::StatusCode;
use backstretch_core::safety;
use maud::{Markup, html};

use crate::pages::frame::{Page, html_page};
use crate::pages::gate::stop;
use crate::state::Shared;

/// A 0 to 10 pain scale as buttons, and a way to skip the question.
fn pain_buttons(name: &str, label: &str) -> Markup {
    html! {
        fieldset.pain data-pain=(name) {
            legend { (label) }
            div.scale {
                @for n in 0..=10 {
                    button type="button" value=(n) aria-label={ (n) " out of 10" } { (n) }
                }
            }
            p.scale-ends { span { "0 none" } span { "10 the worst" } }
            button.skip-pain type="button" value="" { "Skip this question" }
        }
    }
}

/// The buttons that steer a session, each with its key.
fn controls() -> Markup {
    html! {
        div.controls {
            button #back type="button" aria-keyshortcuts="ArrowLeft" { "Back" }
            button #pause.primary type="button" aria-keyshortcuts="Space" { "Pause" }
            button #next-step type="button" aria-keyshortcuts="ArrowRight" { "Next" }
            button #hurt.danger type="button" aria-keyshortcuts="H" { "Sharper or worse" }
            button #stop type="button" aria-keyshortcuts="Escape" { "Stop" }
            button #spreading."danger wide" type="button" aria-keyshortcuts="S" {
                "Pain spreading down a limb, numbness or tingling"
            }
        }
        p.keys { "Keys: Space pause, ← back, → next, H sharper or worse, S spreading symptoms, Esc stop." }
    }
}

fn player() -> Markup {
    html! {
        section #player hidden aria-label="Player" {
            p.phase #phase aria-live="polite" {}
            h2 #exercise {}
            p.side #side {}
            div.stage {
                img #figure alt="" width="384" height="440";
                p.count #count role="timer" aria-live="off" {}
            }
            progress #progress max="1" value="0" aria-label="Progress through the routine" {}
            p.next #next {}
            (controls())
            details {
                summary { "How to do it" }
                p #get-into {}
                ol #steps {}
                ul #cautions.caution {}
            }
            p.stop-rule { strong { (safety::STOP_RULE) } }
            p.sync #sync aria-live="polite" {}
        }
    }
}

/// The player, behind the same gates as today's page: it never starts past one.
pub async fn play(State(s): State<Shared>) -> Page {
    if let Some(stop) = stop(&s).await? {
        return Ok(stop.page());
    }
    let body = html! {
        div #player-app data-stop-rule=(safety::STOP_RULE) {
            section #before { (pain_buttons("before", "How much does it hurt right now?")) }
            section #high hidden {
                div.alert role="alert" { p #high-text {} p #high-help {} }
                p.actions {
                    button #gentlest.primary type="button" { "Go on with the gentlest moves" }
                    " "
                    a.button href="/today" { "Rest today" }
                }
            }
            (player())
            section #after hidden {
                (pain_buttons("after", "And how much does it hurt now, after the session?"))
            }
            section #summary hidden {
                div #summary-text aria-live="polite" {}
                p.actions {
                    a."button primary" href="/progress" { "See your progress" }
                    " "
                    a.button href="/today" { "Back to today" }
                }
            }
            p.error #player-error role="alert" hidden {}
            noscript {
                p.error {
                    "The player needs JavaScript. Print the routine instead: "
                    a href="/print" { "print view" } "."
                }
            }
        }
        script src="/static/player.js" defer {}
    };
    Ok(html_page(StatusCode::OK, "Session", "/today", &body))
}
