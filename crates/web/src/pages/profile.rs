//! The profile form: where it hurts (the one that hurts most first), where the person can
//! stretch, for how long, how often and which doses; sent wrong, it comes back as sent with
//! the message next to the field.

use axum::extract::State;
use axum::http::StatusCode;
use backstretch_core::profile::{Goal, Profile};
use backstretch_core::vocab::{Area, Condition, DoseStyle, EasedBy, Place, Word};
use maud::{Markup, html};

use crate::error::WebError;
use crate::input::{Fields, FormResult, ProfileBody};
use crate::pages::frame::{Page, PageError, html_page, to};
use crate::pages::parts::Said;
use crate::state::Shared;
use backstretch_render::sheet::capitalised;

/// The error, when it concerns `field`.
fn about<'a>(e: Option<&'a WebError>, field: &str) -> Option<&'a WebError> {
    e.filter(|e| e.field() == Some(field))
}

/// A field's error message, when the error concerns it (its id is what the field's
/// `aria-describedby` names).
fn field_error(e: Option<&WebError>, field: &str) -> Markup {
    html! {
        @if let Some(e) = about(e, field) {
            @let told = e.told();
            p.error id={ (field) "-error" } role="alert" {
                (told.error)
                @if let Some(h) = &told.help { ". " (h) }
            }
        }
    }
}

fn checkboxes<W: Said + PartialEq>(name: &str, chosen: &[W], e: Option<&WebError>) -> Markup {
    let bad = about(e, name).is_some();
    html! {
        @for w in W::ALL {
            label.choice {
                input type="checkbox" name=(name) value=(w.as_str()) checked[chosen.contains(w)]
                    aria-invalid=[bad.then_some("true")]
                    aria-describedby=[bad.then(|| format!("{name}-error"))];
                " " (capitalised(&w.said()))
            }
        }
    }
}

fn goals() -> Vec<(Goal, String)> {
    let mut all = vec![(Goal::Daily, "Every day".to_string())];
    all.extend(
        (1..=6)
            .rev()
            .map(|n| (Goal::PerWeek(n), format!("{n} days a week"))),
    );
    all
}

fn profile_form(p: &Profile, e: Option<&WebError>) -> Markup {
    // No choice until one is made: a default here would add an area nobody ticked. With more
    // than one area ticked, the form asks which hurts most (app.js fills in the first one
    // ticked until the person picks one).
    let primary = (p.areas.len() > 1).then(|| p.areas[0]);
    let bad_minutes = about(e, "minutes").is_some();
    let bad_primary = about(e, "primary").is_some();
    html! {
        form method="post" action="/profile" novalidate {
            fieldset {
                legend { "Where does it hurt?" }
                (checkboxes("areas", &p.areas, e))
                (field_error(e, "areas"))
                label for="primary" { "If more than one: which hurts most?" }
                select #primary name="primary"
                    aria-invalid=[bad_primary.then_some("true")]
                    aria-describedby=[bad_primary.then_some("primary-error")] {
                    option value="" selected[primary.is_none()] { "Choose one" }
                    @for a in Area::ALL {
                        option value=(a) selected[Some(*a) == primary] { (capitalised(a.said())) }
                    }
                }
                p.hint { "Routines start with it and give it the most time." }
                (field_error(e, "primary"))
            }
            fieldset {
                legend { "Where can you stretch?" }
                p.hint { "Choose bed or chair if getting down to the floor is hard; chair if you use a wheelchair." }
                (checkboxes("places", &p.places, e))
                (field_error(e, "places"))
            }
            label for="minutes" { "Minutes per session" }
            input #minutes name="minutes" type="number" inputmode="numeric" min="1" max="180" value=(p.minutes)
                aria-invalid=[bad_minutes.then_some("true")]
                aria-describedby=[bad_minutes.then_some("minutes-error")];
            (field_error(e, "minutes"))
            label for="goal" { "How often" }
            select #goal name="goal" {
                @for (g, label) in goals() {
                    option value=(g) selected[g == p.goal] { (label) }
                }
            }
            (field_error(e, "goal"))
            label for="style" { "Doses" }
            select #style name="style" {
                @for st in DoseStyle::ALL {
                    option value=(st) selected[*st == p.style] { (style_words(*st)) }
                }
            }
            (health_fields(p, e))
            button.primary type="submit" { "Save" }
        }
    }
}

/// A dose style in words.
fn style_words(st: DoseStyle) -> &'static str {
    match st {
        DoseStyle::Source => "As the sources give them: short holds, more times",
        DoseStyle::Standard => "Holds of about 30 seconds",
        DoseStyle::Long => "Holds of a minute, once each side",
    }
}

/// The conditions and, for lower-back pain, the direction that eases it.
fn health_fields(p: &Profile, e: Option<&WebError>) -> Markup {
    let bad_eased = about(e, "eased_by").is_some();
    html! {
        fieldset {
            legend { "Do you have any of these?" }
            p.hint { "Plans leave out the exercises each one rules out, and say why. Tick none if none apply." }
            // Sent always, so unticking every box clears them.
            input type="hidden" name="conditions" value="";
            (checkboxes("conditions", &p.conditions, e))
            (field_error(e, "conditions"))
        }
        label for="eased_by" { "For lower-back pain: which movement eases it?" }
        select #eased_by name="eased_by"
            aria-invalid=[bad_eased.then_some("true")]
            aria-describedby=[bad_eased.then_some("eased_by-error")] {
            option value="" selected[p.eased_by.is_none()] { "not answered yet" }
            @for d in EasedBy::ALL {
                option value=(d) selected[Some(*d) == p.eased_by] { (d.words()) }
            }
        }
        p.hint { "Plans follow it: moves that arch the back for those eased by arching, moves that round it for those eased by bending forward, both otherwise." }
        (field_error(e, "eased_by"))
    }
}

/// The profile form, filled in with the saved profile.
pub async fn profile(State(s): State<Shared>) -> Page {
    let saved = s.run(|app, _| Ok(app.profile()?)).await?;
    let body = html! {
        @if saved.is_none() {
            p.step { "Step 2 of 3" }
            p { "Tell backstretch where it hurts, where you can stretch and for how long; it plans around that. Next come the questions about warning signs." }
        }
        (profile_form(&saved.unwrap_or_default(), None))
    };
    Ok(html_page(StatusCode::OK, "Your profile", "/profile", &body))
}

/// The form as sent, read into a profile body (the one that hurts most goes first: chosen
/// there, it counts as chosen).
fn sent(f: &Fields) -> Result<ProfileBody, WebError> {
    let mut areas = f.all("areas");
    match f.one("primary").filter(|p| !p.is_empty()) {
        Some(p) => {
            areas.retain(|a| *a != p);
            areas.insert(0, p);
        }
        // Ticked order is not what a form sends (it sends the page's order), so with more
        // than one area the person says which is the main one.
        None if areas.len() > 1 && f.one("primary").is_some() => {
            return Err(WebError::invalid(
                "primary",
                "more than one area is ticked, and none is chosen as the one that hurts most",
                "choose it under \"which hurts most\"",
            ));
        }
        None => {}
    }
    let minutes_text = f.one("minutes").unwrap_or_default();
    let minutes = minutes_text.trim().parse::<u32>().map_err(|_| {
        WebError::invalid(
            "minutes",
            format!("`{minutes_text}` is not a number of minutes"),
            "give a whole number from 1 to 180",
        )
    })?;
    // The form always sends the conditions (a hidden empty one at least); a form without
    // them keeps the saved ones.
    let conditions = f.all("conditions");
    Ok(ProfileBody {
        areas,
        places: f.all("places"),
        minutes,
        goal: f.one("goal"),
        style: f.one("style"),
        conditions: (!conditions.is_empty())
            .then(|| conditions.into_iter().filter(|c| !c.is_empty()).collect()),
        eased_by: f.one("eased_by"),
    })
}

/// The form saved: on to the check when one is due, else today; sent wrong, shown again.
pub async fn save_profile(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let b = sent(&f);
    let result = s
        .run(move |app, catalog| {
            let p = b?.profile(app.profile()?)?;
            Ok(app.save_profile(catalog, p)?)
        })
        .await;
    match result {
        Ok(saved) if saved.screening_due => Ok(to("/check")),
        Ok(_) => Ok(to("/today")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            // Show the form again as sent, with the message by the field.
            let shown = Profile {
                areas: f
                    .all("areas")
                    .iter()
                    .filter_map(|a| Area::parse_word(a).ok())
                    .collect(),
                places: f
                    .all("places")
                    .iter()
                    .filter_map(|a| Place::parse_word(a).ok())
                    .collect(),
                conditions: f
                    .all("conditions")
                    .iter()
                    .filter_map(|c| Condition::parse_word(c).ok())
                    .collect(),
                eased_by: f.one("eased_by").and_then(|d| EasedBy::parse_word(&d).ok()),
                ..Profile::default()
            };
            let body = html! {
                p.error role="alert" { "Please check the form: " (e.told().error) }
                (profile_form(&shown, Some(&e)))
            };
            Ok(html_page(e.status(), "Your profile", "/profile", &body))
        }
        Err(e) => Err(PageError(e)),
    }
}
