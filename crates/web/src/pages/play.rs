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

/// The buttons that steer a session, each with its key. The two that end a session or
/// record a warning sign (Stop, It spreads) ask first; so does every key that would.
fn controls() -> Markup {
    html! {
        div.controls {
            button #back type="button" aria-keyshortcuts="ArrowLeft" { "Back" }
            button #pause.primary type="button" aria-keyshortcuts="Space" { "Pause" }
            button #next-step type="button" aria-keyshortcuts="ArrowRight" { "Next" }
            button #hurt.danger type="button" aria-keyshortcuts="H" {
                span { "It hurts" } small { "sharper or worse" }
            }
            button #spreading.danger type="button" aria-keyshortcuts="S" {
                span { "It spreads" } small { "down a limb, numb, tingling" }
            }
            button #stop type="button" aria-keyshortcuts="Escape" { "Stop" }
        }
    }
}

/// The question asked before Stop, It spreads, or a key that would end the session: it
/// pauses the session until answered.
fn confirm() -> Markup {
    html! {
        dialog #confirm aria-labelledby="confirm-title" aria-describedby="confirm-text" {
            h2 #confirm-title {}
            p #confirm-text {}
            p.actions {
                button #confirm-yes.danger type="button" {}
                button #confirm-no.primary type="button" autofocus { "Keep going" }
            }
        }
    }
}

fn player() -> Markup {
    html! {
        section #player hidden aria-label="Player" {
            div.screen {
                div.head {
                    p.phase #phase aria-live="polite" {}
                    h2 #exercise {}
                    p.side #side {}
                }
                div.notice #notice role="status" aria-live="polite" hidden {
                    p #notice-text {}
                    button #notice-close type="button" aria-label="Dismiss this message" { "OK" }
                }
                div.stage {
                    figure.figure #figure-box hidden {
                        div #figure {}
                        figcaption #figure-caption {}
                    }
                    p.count #count role="timer" aria-live="off" {}
                }
                progress #progress max="1" value="0" aria-label="Progress through the routine" {}
                (controls())
            }
            div.more {
                div.rate #rate role="group" aria-labelledby="rate-question" hidden {
                    p #rate-question {}
                    button type="button" value="too-easy" { "Too easy" }
                    " "
                    button type="button" value="about-right" { "About right" }
                    " "
                    button type="button" value="too-hard" { "Too hard" }
                }
                p.next #next {}
                details {
                    summary { "How to do it" }
                    p #get-into {}
                    ol #steps {}
                    ul #cautions.caution {}
                }
                p.stop-rule { strong { (safety::STOP_RULE) } }
                p.keys {
                    "Keys: Space pauses, ← goes back, → goes on. H (it hurts), S (it spreads) \
                     and Esc (stop) each ask first."
                }
            }
            (confirm())
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
                p.sync #summary-sync aria-live="polite" {}
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
