//! The server-rendered pages: the first run (disclaimer, warning signs, profile), today's
//! routine, the player's frame, history, progress, the exercises, and a print view. Every
//! gate the terminal has applies here too, worded from the app layer's values.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use backstretch_app::{Gate, Overrides};
use backstretch_core::catalog::{Catalog, Entry};
use backstretch_core::exercise::Exercise;
use backstretch_core::plan::Plan;
use backstretch_core::profile::{Goal, Profile};
use backstretch_core::safety::{self, DISCLAIMER, Verdict};
use backstretch_core::vocab::{Area, DoseStyle, Place, Word};
use backstretch_render::catalog::{compact_dose, word_list};
use backstretch_render::json::history_rows;
use backstretch_render::plan::{clock, dose_text};
use backstretch_render::sheet::{Paper, Sheet};

use crate::api::ProfileBody;
use crate::error::WebError;
use crate::html::{PageError, esc, field_error, html, invalid_attrs, to};
use crate::state::Shared;

type Page = Result<Response, PageError>;

/// A form as name-value pairs, in order (check boxes repeat a name).
type Fields = Vec<(String, String)>;

fn all(f: &Fields, name: &str) -> Vec<String> {
    f.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn one(f: &Fields, name: &str) -> Option<String> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// A form body the server cannot read: 422, shown as a page.
fn bad_form(e: &axum::extract::rejection::FormRejection) -> PageError {
    PageError(
        WebError::invalid(
            "form",
            e.body_text(),
            "send the form from the page, as it is",
        )
        .with_status(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }),
    )
}

type FormResult = Result<Form<Fields>, axum::extract::rejection::FormRejection>;

fn cites(e: &Exercise) -> String {
    let list: Vec<String> = e.citations().iter().map(|c| esc(c)).collect();
    if list.is_empty() {
        String::new()
    } else {
        format!("<p class=\"sources\">From {}</p>", list.join("; "))
    }
}

/// Where an exercise's figure is served, in the variant it is in: moving, or still.
pub(crate) fn figure_url(e: &Exercise, still: bool) -> String {
    let still = if still { "-still" } else { "" };
    let id = &e.id;
    match &e.variant {
        None => format!("/figures/{id}{still}.svg"),
        Some(v) => format!("/figures/{id}{still}.svg?variant={}", query_escape(v)),
    }
}

/// A text as a query value: letters, digits and `-._~` as they are, other bytes as `%XX`.
fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An exercise's figure, moving (or, for people who ask for less motion, still).
fn figure(e: &Exercise, class: &str) -> String {
    if e.pose.is_none() {
        return String::new();
    }
    format!(
        "<picture class=\"{class}\"><source media=\"(prefers-reduced-motion: reduce)\" srcset=\"{still}\">\
<img src=\"{moving}\" alt=\"Figure: {name}\" width=\"384\" height=\"440\"></picture>",
        still = esc(&figure_url(e, true)),
        moving = esc(&figure_url(e, false)),
        name = esc(&e.title())
    )
}

/// `1 day`, `3 days`: `unit` is the plural.
fn count(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {}", unit.strip_suffix('s').unwrap_or(unit))
    } else {
        format!("{n} {unit}")
    }
}

/// Words as a person lists them: `neck, upper-back and lower-back`.
fn and_list<W: Word>(words: &[W], and: &str) -> String {
    let w: Vec<&str> = words.iter().map(|x| x.as_str()).collect();
    match w.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} {and} {last}", rest.join(", ")),
    }
}

fn list(items: &[String], tag: &str) -> String {
    let mut s = format!("<{tag}>");
    for i in items {
        let _ = write!(s, "<li>{}</li>", esc(i));
    }
    let _ = write!(s, "</{tag}>");
    s
}

pub async fn root() -> Response {
    to("/today")
}

/// Where a page that needs today's routine sends the person first: the disclaimer, the
/// profile, the warning-sign check, or (after a reported sign) the advice to stop.
enum Stop {
    Go(&'static str),
    Flagged(Verdict),
}

impl Stop {
    fn page(self) -> Response {
        match self {
            Stop::Go(path) => to(path),
            Stop::Flagged(v) => html(StatusCode::OK, "Today", "/today", &flagged_body(&v)),
        }
    }
}

/// The first gate standing, as the app says: the disclaimer before the profile (whose
/// areas the check is for), then the app's gate for those areas.
fn first_stop(app: &backstretch_app::App<'_>, catalog: &Catalog) -> Result<Option<Stop>, WebError> {
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
        Gate::Flagged { verdict, .. } => Stop::Flagged(verdict),
    }))
}

async fn stop(s: &Shared) -> Result<Option<Stop>, PageError> {
    Ok(s.run(first_stop).await?)
}

/// A warning sign reported: nothing is planned until a new check has none.
fn flagged_body(v: &Verdict) -> String {
    format!(
        "<div class=\"alert\" role=\"alert\"><p>{}</p></div>\
<p>Nothing is planned or played after a warning sign. When it has gone, answer the questions again.</p>\
<p><a class=\"button\" href=\"/check\">Answer the questions again</a></p>",
        esc(&safety::verdict_message(v))
    )
}

// --- The first run ----------------------------------------------------------------------

pub async fn welcome(State(s): State<Shared>) -> Page {
    let accepted = s.run(|app, _| Ok(app.disclaimer_accepted()?)).await?;
    let paras: String = DISCLAIMER
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", esc(p)))
        .collect();
    let action = if accepted {
        "<p class=\"ok\">You have accepted this.</p><p><a class=\"button\" href=\"/today\">Go to today</a></p>".to_string()
    } else {
        "<form method=\"post\" action=\"/welcome\"><button class=\"primary\" type=\"submit\">I understand and accept</button></form>".to_string()
    };
    let body = format!(
        "<section aria-labelledby=\"d\"><h2 id=\"d\">Please read this first</h2>{paras}</section>\
<section aria-labelledby=\"w\"><h2 id=\"w\">Warning signs</h2><div class=\"alert\"><p>{ces}</p></div>\
<p>Next come a few yes-or-no questions about other warning signs, and then where it hurts and where you can stretch.</p></section>{action}",
        ces = esc(safety::CES_LINE)
    );
    Ok(html(StatusCode::OK, "Welcome to backstretch", "", &body))
}

pub async fn accept(State(s): State<Shared>) -> Page {
    s.run(|app, _| Ok(app.accept_disclaimer()?)).await?;
    Ok(to("/today"))
}

pub async fn check(State(s): State<Shared>) -> Page {
    // The questions are for the profile's areas, after the disclaimer; a check already
    // done (or a reported sign) may be answered again.
    if let Some(Stop::Go(path)) = stop(&s).await?
        && path != "/check"
    {
        return Ok(to(path));
    }
    let (questions, areas) = s
        .run(|app, catalog| {
            let areas = app.screening_areas(catalog, None)?;
            let qs: Vec<(String, String)> = app
                .questions(&areas)?
                .into_iter()
                .map(|q| (q.id.clone(), q.text.clone()))
                .collect();
            Ok((qs, areas))
        })
        .await?;
    let mut body = format!(
        "<p>A few yes-or-no questions about warning signs, to check that stretching is right for you now ({}). They are asked again every four weeks, and when your areas change.</p>\
<form method=\"post\" action=\"/check\">",
        esc(&word_list(&areas))
    );
    for (id, text) in &questions {
        let _ = write!(
            body,
            "<fieldset class=\"question\"><legend>{text}</legend>\
<label class=\"choice\"><input type=\"radio\" name=\"{id}\" value=\"no\" required> No</label>\
<label class=\"choice\"><input type=\"radio\" name=\"{id}\" value=\"yes\" required> Yes</label></fieldset>",
            text = esc(text),
            id = esc(id),
        );
    }
    body.push_str("<button class=\"primary\" type=\"submit\">Done</button></form>");
    Ok(html(StatusCode::OK, "Warning signs", "", &body))
}

pub async fn checked(State(s): State<Shared>, f: FormResult) -> Page {
    let Form(f) = f.map_err(|e| bad_form(&e))?;
    let v = s
        .run(move |app, catalog| {
            let areas = app.screening_areas(catalog, None)?;
            let asked = app.questions(&areas)?;
            let mut yes = Vec::new();
            for q in asked {
                match one(&f, &q.id).as_deref() {
                    Some("yes") => yes.push(q.id.clone()),
                    Some("no") => {}
                    _ => {
                        return Err(WebError::invalid(
                            &q.id,
                            format!("no answer to \"{}\"", q.text),
                            "answer every question yes or no",
                        ));
                    }
                }
            }
            Ok(app.record_screening(&areas, &yes)?)
        })
        .await?;
    if v == Verdict::Clear {
        return Ok(to("/today"));
    }
    Ok(html(
        StatusCode::OK,
        "Please stop here",
        "",
        &flagged_body(&v),
    ))
}

// --- Profile ----------------------------------------------------------------------------

fn goal_options(current: Goal) -> String {
    let mut s = String::new();
    let mut goals = vec![Goal::Daily];
    goals.extend((1..=6).rev().map(Goal::PerWeek));
    for g in goals {
        let sel = if g == current { " selected" } else { "" };
        let label = match g {
            Goal::Daily => "Every day".to_string(),
            Goal::PerWeek(n) => format!("{n} days a week"),
        };
        let _ = write!(s, "<option value=\"{g}\"{sel}>{label}</option>");
    }
    s
}

fn checkboxes<W: Word + PartialEq>(name: &str, chosen: &[W], e: Option<&WebError>) -> String {
    let mut s = String::new();
    for w in W::ALL {
        let on = if chosen.contains(w) { " checked" } else { "" };
        let _ = write!(
            s,
            "<label class=\"choice\"><input type=\"checkbox\" name=\"{name}\" value=\"{v}\"{on}{inv}> {v}</label>",
            v = w.as_str(),
            inv = invalid_attrs(e, name),
        );
    }
    s
}

fn profile_form(p: &Profile, e: Option<&WebError>) -> String {
    let primary = p.areas.first().copied();
    // No choice until one is made: a default here would add an area nobody ticked.
    let mut prim = format!(
        "<option value=\"\"{}>the one I ticked first</option>",
        if primary.is_none() { " selected" } else { "" }
    );
    for a in Area::ALL {
        let sel = if Some(*a) == primary { " selected" } else { "" };
        let _ = write!(prim, "<option value=\"{a}\"{sel}>{a}</option>");
    }
    let mut styles = String::new();
    for st in DoseStyle::ALL {
        let sel = if *st == p.style { " selected" } else { "" };
        let _ = write!(styles, "<option value=\"{st}\"{sel}>{st}</option>");
    }
    format!(
        "<form method=\"post\" action=\"/profile\" novalidate>\
<fieldset><legend>Where does it hurt?</legend>{areas}{area_err}\
<label for=\"primary\">Which one most?</label><select id=\"primary\" name=\"primary\">{prim}</select></fieldset>\
<fieldset><legend>Where can you stretch?</legend><p class=\"hint\">Choose bed or chair if getting down to the floor is hard; chair if you use a wheelchair.</p>{places}{place_err}</fieldset>\
<label for=\"minutes\">Minutes per session</label>\
<input id=\"minutes\" name=\"minutes\" type=\"number\" inputmode=\"numeric\" min=\"1\" max=\"180\" value=\"{min}\"{min_inv}>{min_err}\
<label for=\"goal\">How often</label><select id=\"goal\" name=\"goal\">{goals}</select>{goal_err}\
<label for=\"style\">Doses</label><select id=\"style\" name=\"style\">{styles}</select>\
<p class=\"hint\">source: what the pages give (short holds, more repetitions); standard: about 30 s holds; long: 60 s holds.</p>\
<button class=\"primary\" type=\"submit\">Save</button></form>",
        areas = checkboxes("areas", &p.areas, e),
        area_err = field_error(e, "areas"),
        places = checkboxes("places", &p.places, e),
        place_err = field_error(e, "places"),
        min = p.minutes,
        min_inv = invalid_attrs(e, "minutes"),
        min_err = field_error(e, "minutes"),
        goals = goal_options(p.goal),
        goal_err = field_error(e, "goal"),
    )
}

pub async fn profile(State(s): State<Shared>) -> Page {
    let p = s.run(|app, _| Ok(app.profile()?)).await?;
    let intro = if p.is_none() {
        "<p>Tell backstretch where it hurts, where you can stretch and for how long; it plans around that.</p>"
    } else {
        ""
    };
    let body = format!("{intro}{}", profile_form(&p.unwrap_or_default(), None));
    Ok(html(StatusCode::OK, "Your profile", "/profile", &body))
}

pub async fn save_profile(State(s): State<Shared>, f: FormResult) -> Page {
    let Form(f) = f.map_err(|e| bad_form(&e))?;
    let mut areas = all(&f, "areas");
    // The one that hurts most goes first (chosen there, it counts as chosen).
    if let Some(p) = one(&f, "primary").filter(|p| !p.is_empty()) {
        areas.retain(|a| *a != p);
        areas.insert(0, p);
    }
    let minutes_text = one(&f, "minutes").unwrap_or_default();
    let b = minutes_text
        .trim()
        .parse::<u32>()
        .map(|minutes| ProfileBody {
            areas: areas.clone(),
            places: all(&f, "places"),
            minutes,
            goal: one(&f, "goal"),
            style: one(&f, "style"),
        });
    let result = s
        .run(move |app, catalog| {
            let old = app.profile()?;
            let b = b.map_err(|_| {
                WebError::invalid(
                    "minutes",
                    format!("`{minutes_text}` is not a number of minutes"),
                    "give a whole number from 1 to 180",
                )
            })?;
            let p = b.profile(old)?;
            Ok(app.save_profile(catalog, p)?)
        })
        .await;
    match result {
        Ok(saved) if saved.screening_due => Ok(to("/check")),
        Ok(_) => Ok(to("/today")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            // Show the form again as sent, with the message by the field.
            let shown = Profile {
                areas: all(&f, "areas")
                    .iter()
                    .filter_map(|a| Area::parse_word(a).ok())
                    .collect(),
                places: all(&f, "places")
                    .iter()
                    .filter_map(|a| Place::parse_word(a).ok())
                    .collect(),
                ..Profile::default()
            };
            let body = format!(
                "<p class=\"error\" role=\"alert\">Please check the form: {}</p>{}",
                esc(&e.error),
                profile_form(&shown, Some(&e))
            );
            Ok(html(e.status, "Your profile", "/profile", &body))
        }
        Err(e) => Err(e.into()),
    }
}

// --- Today ------------------------------------------------------------------------------

/// Today's plan (and the follow-up question, if one is due), or where to go first.
type Today = Result<(Box<Plan>, Option<(i64, String)>), Stop>;

async fn today_plan(s: &Shared) -> Result<Today, PageError> {
    s.run(|app, catalog| {
        if let Some(stop) = first_stop(app, catalog)? {
            return Ok(Err(stop));
        }
        let followup = app
            .pending_followup()?
            .map(|(id, day)| (id.0, day.format("%a %-d %b").to_string()));
        let p = app.plan(catalog, &Overrides::default(), false)?;
        Ok(Ok((Box::new(p), followup)))
    })
    .await
    .map_err(PageError)
}

pub async fn today(State(s): State<Shared>) -> Page {
    let (p, followup) = match today_plan(&s).await? {
        Ok(today) => today,
        Err(stop) => return Ok(stop.page()),
    };
    let r = &p.request;
    let mut body = format!(
        "<p class=\"lead\">For your {} · {} · {}, {} of {} minutes.</p>",
        esc(&and_list(&r.areas, "and")),
        esc(&and_list(&r.places, "or")),
        count(p.items.len() as u32, "exercises"),
        clock(p.total_s),
        r.minutes
    );
    if let Some((id, day)) = followup {
        let _ = write!(
            body,
            "<form class=\"card\" method=\"post\" action=\"/followup\"><input type=\"hidden\" name=\"session\" value=\"{id}\">\
<p>Did the soreness after your session on {day} settle by the next morning?</p>\
<button type=\"submit\" name=\"settled\" value=\"yes\">Yes</button> <button type=\"submit\" name=\"settled\" value=\"no\">No</button></form>",
            day = esc(&day)
        );
    }
    body.push_str("<p class=\"actions\"><a class=\"button primary big\" href=\"/play\">Start</a> <a class=\"button\" href=\"/print\">Print</a></p>");
    if !p.warnings.is_empty() {
        body.push_str("<div class=\"notes\" role=\"note\"><ul>");
        for w in &p.warnings {
            let _ = write!(body, "<li>{}</li>", esc(&w.to_string()));
        }
        body.push_str("</ul></div>");
    }
    body.push_str("<ol class=\"routine\">");
    for i in &p.items {
        let e = &i.exercise;
        let _ = write!(
            body,
            "<li class=\"card with-figure\">{fig}<div class=\"text\"><h2><a href=\"/exercises/{id}\">{name}</a></h2>\
<p class=\"dose\">{dose} · {pos}</p><p>{reason}</p>{cautions}{cites}</div></li>",
            fig = figure(e, "thumb"),
            id = esc(&e.id),
            name = esc(&e.title()),
            dose = esc(&dose_text(i)),
            pos = esc(e.position.as_str()),
            reason = esc(&i.reason),
            cautions = if e.cautions.is_empty() {
                String::new()
            } else {
                format!("<div class=\"caution\">{}</div>", list(&e.cautions, "ul"))
            },
            cites = cites(e),
        );
    }
    body.push_str("</ol>");
    Ok(html(StatusCode::OK, "Today", "/today", &body))
}

pub async fn followup(State(s): State<Shared>, f: FormResult) -> Page {
    let Form(f) = f.map_err(|e| bad_form(&e))?;
    let settled = match one(&f, "settled").as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            return Err(WebError::invalid("settled", "no answer given", "answer yes or no").into());
        }
    };
    let id = one(&f, "session")
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| WebError::invalid("session", "no session named", "answer from the page"))?;
    s.run(move |app, _| Ok(app.record_settled(backstretch_core::session::SessionId(id), settled)?))
        .await?;
    Ok(to("/today"))
}

// --- The player's frame -----------------------------------------------------------------

fn pain_buttons(name: &str, label: &str) -> String {
    let mut s = format!(
        "<fieldset class=\"pain\" data-pain=\"{name}\"><legend>{label}</legend><div class=\"scale\">"
    );
    for n in 0..=10 {
        let _ = write!(
            s,
            "<button type=\"button\" value=\"{n}\" aria-label=\"{n} out of 10\">{n}</button>"
        );
    }
    s.push_str("</div><p class=\"scale-ends\"><span>0 none</span><span>10 the worst</span></p>");
    let _ = write!(
        s,
        "<button type=\"button\" class=\"skip-pain\" value=\"\">Skip this question</button></fieldset>"
    );
    s
}

pub async fn play(State(s): State<Shared>) -> Page {
    // The same gates as today's page: the player never starts past one.
    if let Some(stop) = stop(&s).await? {
        return Ok(stop.page());
    }
    let body = format!(
        "<div id=\"player-app\" data-stop-rule=\"{stop}\">\
<section id=\"before\">{before}</section>\
<section id=\"high\" hidden><div class=\"alert\" role=\"alert\"><p id=\"high-text\"></p><p id=\"high-help\"></p></div>\
<p class=\"actions\"><button type=\"button\" id=\"gentlest\" class=\"primary\">Go on with the gentlest moves</button> <a class=\"button\" href=\"/today\">Rest today</a></p></section>\
<section id=\"player\" hidden aria-label=\"Player\">\
<p class=\"phase\" id=\"phase\" aria-live=\"polite\"></p>\
<h2 id=\"exercise\"></h2>\
<p class=\"side\" id=\"side\"></p>\
<div class=\"stage\"><img id=\"figure\" alt=\"\" width=\"384\" height=\"440\"><p class=\"count\" id=\"count\" role=\"timer\" aria-live=\"off\"></p></div>\
<progress id=\"progress\" max=\"1\" value=\"0\" aria-label=\"Progress through the routine\"></progress>\
<p class=\"next\" id=\"next\"></p>\
<div class=\"controls\">\
<button type=\"button\" id=\"back\" aria-keyshortcuts=\"ArrowLeft\">Back</button>\
<button type=\"button\" id=\"pause\" class=\"primary\" aria-keyshortcuts=\"Space\">Pause</button>\
<button type=\"button\" id=\"next-step\" aria-keyshortcuts=\"ArrowRight\">Next</button>\
<button type=\"button\" id=\"hurt\" class=\"danger\" aria-keyshortcuts=\"H\">It hurts</button>\
<button type=\"button\" id=\"stop\" aria-keyshortcuts=\"Escape\">Stop</button>\
<button type=\"button\" id=\"spreading\" class=\"danger wide\" aria-keyshortcuts=\"S\">Pain spreading down a limb, numbness or tingling</button></div>\
<p class=\"keys\">Keys: Space pause, ← back, → next, H it hurts, S spreading symptoms, Esc stop.</p>\
<details><summary>How to do it</summary><p id=\"get-into\"></p><ol id=\"steps\"></ol><ul id=\"cautions\" class=\"caution\"></ul></details>\
<p class=\"stop-rule\"><strong>{stop}</strong></p>\
<p id=\"sync\" class=\"sync\" aria-live=\"polite\"></p></section>\
<section id=\"after\" hidden>{after}</section>\
<section id=\"summary\" hidden><div id=\"summary-text\" aria-live=\"polite\"></div><p class=\"actions\"><a class=\"button primary\" href=\"/progress\">See your progress</a> <a class=\"button\" href=\"/today\">Back to today</a></p></section>\
<p id=\"player-error\" class=\"error\" role=\"alert\" hidden></p>\
<noscript><p class=\"error\">The player needs JavaScript. Print the routine instead: <a href=\"/print\">print view</a>.</p></noscript>\
</div><script src=\"/static/player.js\" defer></script>",
        stop = esc(safety::STOP_RULE),
        before = pain_buttons("before", "How much does it hurt right now?"),
        after = pain_buttons("after", "And how much does it hurt now, after the session?"),
    );
    Ok(html(StatusCode::OK, "Session", "/today", &body))
}

// --- History and progress ---------------------------------------------------------------

pub async fn history(State(s): State<Shared>) -> Page {
    let (sessions, rows) = s
        .run(|app, _| {
            let sessions = app.sessions()?;
            let rows = history_rows(&sessions, app.now(), |_| None);
            Ok((sessions, rows))
        })
        .await?;
    if rows.is_empty() {
        return Ok(html(
            StatusCode::OK,
            "History",
            "/history",
            "<p>No sessions yet. <a href=\"/today\">Today's routine</a> is ready when you are.</p>",
        ));
    }
    let mut body = String::from(
        "<div class=\"table\"><table><caption>Your sessions, newest first</caption><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Minutes</th><th scope=\"col\">Exercises</th><th scope=\"col\">Pain before → after</th><th scope=\"col\">How it ended</th></tr></thead><tbody>",
    );
    for (r, l) in rows.iter().zip(&sessions) {
        let when = l
            .session
            .started_at
            .local()
            .format("%a %-d %b %Y, %H:%M")
            .to_string();
        let mut ex = format!("{} done", r.exercises.done.len());
        if !r.exercises.skipped.is_empty() {
            let _ = write!(ex, ", {} skipped", r.exercises.skipped.len());
        }
        if !r.exercises.hurt.is_empty() {
            let _ = write!(ex, ", hurt: {}", r.exercises.hurt.join(", "));
        }
        let pain = |p: Option<u8>| p.map_or_else(|| "–".to_string(), |v| v.to_string());
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            esc(&when),
            r.minutes,
            esc(&ex),
            pain(r.pain_before),
            pain(r.pain_after),
            esc(r.outcome)
        );
    }
    body.push_str("</tbody></table></div>");
    Ok(html(StatusCode::OK, "History", "/history", &body))
}

pub async fn progress(State(s): State<Shared>) -> Page {
    let (st, n) = s
        .run(|app, _| Ok((app.stats(None)?, app.facts()?.len())))
        .await?;
    if n == 0 {
        return Ok(html(
            StatusCode::OK,
            "Progress",
            "/progress",
            "<p>No sessions yet, so no progress to show. <a href=\"/today\">Today's routine</a> is ready when you are.</p>",
        ));
    }
    let p = &st.pain;
    let pain = match (p.first, p.last) {
        (Some(f), Some(l)) => {
            let mut t = format!("{f} at the start, {l} lately");
            if p.meaningful {
                t.push_str(" — a meaningful improvement");
            }
            t
        }
        _ => "no scores yet".into(),
    };
    let mut body = format!(
        "<p class=\"lead\">{}</p><dl class=\"stats\"><div><dt>Sessions</dt><dd>{}</dd></div><div><dt>Minutes</dt><dd>{}</dd></div><div><dt>Exercises done</dt><dd>{}</dd></div><div><dt>Pain</dt><dd>{}</dd></div><div><dt>Streak</dt><dd>{} (longest {})</dd></div></dl>",
        esc(&backstretch_render::progress::progress_line(&st)),
        st.sessions,
        st.minutes,
        st.exercises_done,
        esc(&pain),
        count(st.streak.current, st.streak.unit),
        count(st.streak.longest, st.streak.unit),
    );
    if st.review_advised {
        body.push_str("<div class=\"alert\" role=\"note\"><p>Six weeks of sessions have brought no meaningful improvement: please have your back or neck reviewed by a doctor or physiotherapist.</p></div>");
    }
    body.push_str(
        "<figure><img class=\"chart\" src=\"/charts/pain.svg\" alt=\"Chart of pain before and after each session\"><figcaption>Pain before and after each session.</figcaption></figure>\
<figure><img class=\"chart\" src=\"/charts/adherence.svg\" alt=\"Calendar of the days with a session, against your goal\"><figcaption>Days with a session, week by week, against your goal.</figcaption></figure>",
    );
    Ok(html(StatusCode::OK, "Progress", "/progress", &body))
}

fn svg(body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    r
}

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
            backstretch_render::chart::pain_chart(&f)
        } else {
            backstretch_render::chart::adherence_chart(&f, app.goal()?, app.today())
        }))
    })
    .await
}

// --- Exercises --------------------------------------------------------------------------

fn entry<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Entry, WebError> {
    catalog
        .get(id)
        .ok_or_else(|| WebError::not_found(format!("no exercise has the id `{id}`")))
}

pub async fn exercises(State(s): State<Shared>) -> Response {
    let mut body = String::from(
        "<p>Every exercise backstretch plans from, with where it comes from. Tap one for how to do it.</p><ul class=\"exercises\">",
    );
    for e in s.catalog().entries() {
        let x = &e.exercise;
        let _ = write!(
            body,
            "<li class=\"card with-figure\">{fig}<div class=\"text\"><h2><a href=\"/exercises/{id}\">{name}</a></h2><p>{areas} · {places} · {dose}</p>{cites}</div></li>",
            fig = figure(x, "thumb"),
            cites = cites(x),
            id = esc(&x.id),
            name = esc(&x.name),
            areas = esc(&word_list(&x.areas)),
            places = esc(&word_list(&x.all_places())),
            dose = esc(&compact_dose(x)),
        );
    }
    body.push_str("</ul>");
    html(StatusCode::OK, "Exercises", "/exercises", &body)
}

pub async fn exercise(State(s): State<Shared>, Path(id): Path<String>) -> Page {
    let x = &entry(s.catalog(), &id)?.exercise;
    let body = format!(
        "{fig}<p class=\"lead\">{purpose}</p><p class=\"dose\">{dose} · {pos} ({get_into}) · for {areas} · in {places}</p>\
<h2>How to do it</h2>{steps}{cautions}<p class=\"stop-rule\"><strong>{stop}</strong></p>{cites}",
        fig = figure(x, "big"),
        purpose = esc(&x.purpose),
        dose = esc(&compact_dose(x)),
        pos = esc(x.position.as_str()),
        get_into = esc(x.position.get_into()),
        areas = esc(&word_list(&x.areas)),
        places = esc(&word_list(&x.places)),
        steps = list(&x.steps, "ol"),
        cautions = if x.cautions.is_empty() {
            String::new()
        } else {
            format!(
                "<h2>Take care</h2><div class=\"caution\">{}</div>",
                list(&x.cautions, "ul")
            )
        },
        stop = esc(safety::STOP_RULE),
        cites = cites(x),
    );
    // Each other way to do it, for other places: its own figure, steps and cautions.
    let mut body = body;
    for i in 0..x.variants.len() {
        let v = x.in_form(backstretch_core::exercise::Form::Variant(i));
        let _ = write!(
            body,
            "<section class=\"variant\"><h2>{name}: {pos} ({get_into}), in {places}</h2>{fig}{steps}<div class=\"caution\">{cautions}</div></section>",
            name = esc(&backstretch_render::sheet::capitalised(
                v.variant.as_deref().unwrap_or_default()
            )),
            pos = esc(v.position.as_str()),
            get_into = esc(v.position.get_into()),
            places = esc(&word_list(&v.places)),
            fig = figure(&v, "big"),
            steps = list(&v.steps, "ol"),
            cautions = list(&v.cautions, "ul"),
        );
    }
    Ok(html(StatusCode::OK, &x.name, "/exercises", &body))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureQuery {
    variant: Option<String>,
}

pub async fn figure_svg(
    State(s): State<Shared>,
    Path(file): Path<String>,
    q: Result<Query<FigureQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(|e| {
        WebError::invalid(
            "query",
            e.body_text(),
            "use variant=NAME, one of the exercise's variants, or nothing",
        )
    })?;
    let (id, still) = match file.strip_suffix(".svg") {
        Some(f) => match f.strip_suffix("-still") {
            Some(id) => (id, true),
            None => (f, false),
        },
        None => return Err(WebError::not_found(format!("no figure called `{file}`"))),
    };
    let whole = &entry(s.catalog(), id)?.exercise;
    let Some(form) = whole.form_named(q.variant.as_deref()) else {
        let names: Vec<&str> = whole.variants.iter().map(|v| v.name.as_str()).collect();
        return Err(WebError::not_found(format!(
            "`{id}` has no variant called `{}`; {}",
            q.variant.unwrap_or_default(),
            if names.is_empty() {
                "it has none".to_string()
            } else {
                format!("it has {}", names.join(", "))
            }
        )));
    };
    let x = &whole.in_form(form);
    let Some(spec) = &x.pose else {
        return Err(WebError::not_found(format!("`{id}` has no figure")));
    };
    Ok(svg(if still {
        backstretch_render::figure::keyframes_svg(x, spec)
    } else {
        backstretch_render::figure::animated_svg(x, spec)
    }))
}

// --- Print ------------------------------------------------------------------------------

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintQuery {
    weeks: Option<u32>,
    paper: Option<String>,
}

pub async fn print(
    State(s): State<Shared>,
    q: Result<Query<PrintQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(|e| {
        WebError::invalid(
            "query",
            e.body_text(),
            "use weeks=1 to 4 and paper=a4 or letter",
        )
    })?;
    let weeks = q.weeks.unwrap_or(2);
    if !backstretch_render::sheet::WEEKS.contains(&weeks) {
        return Err(WebError::invalid(
            "weeks",
            format!("{weeks} weeks of ticks do not fit a sheet"),
            "use weeks=1 to 4",
        )
        .into());
    }
    let paper = match q.paper.as_deref() {
        None | Some("a4") => Paper::A4,
        Some("letter") => Paper::Letter,
        Some(other) => {
            return Err(WebError::invalid(
                "paper",
                format!("`{other}` is not a paper size"),
                "use paper=a4 or paper=letter",
            )
            .into());
        }
    };
    if let Some(stop) = stop(&s).await? {
        return Ok(stop.page());
    }
    let page = s
        .run(move |app, catalog| {
            let (plan, code) = app.sheet(catalog, &Overrides::default())?;
            let goal = app.profile()?.unwrap_or_default().goal;
            Ok(backstretch_render::sheet::html(
                &Sheet::new(&plan, code, weeks, goal),
                paper,
            ))
        })
        .await?;
    let mut r = axum::response::Html(page).into_response();
    // The sheet is one self-contained page with its own styles; still no script.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    Ok(r)
}

// --- Pairing and the rest ---------------------------------------------------------------

#[derive(Debug, serde::Deserialize)]
pub struct PairQuery {
    code: Option<String>,
}

pub async fn pair(State(s): State<Shared>, Query(q): Query<PairQuery>) -> Page {
    let Some(pairing) = &s.0.pairing else {
        return Err(WebError::not_found(
            "this server is only for this computer; there is nothing to pair",
        )
        .into());
    };
    let code = q.code.unwrap_or_default();
    match pairing.redeem(&code, std::time::Instant::now()) {
        Ok(Some(token)) => {
            let mut r = to("/today");
            let cookie = format!(
                "{}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=31536000",
                crate::pair::COOKIE
            );
            r.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(|_| WebError::internal())?,
            );
            Ok(r)
        }
        Ok(None) => Err(WebError {
            status: StatusCode::UNAUTHORIZED,
            error: "this pairing code has expired or was already used".into(),
            help: Some("press Enter in the terminal running `backstretch serve --lan` for a new code, and scan it".into()),
            field: Some("code".into()),
            gate: None,
        }
        .into()),
        Err(_) => Err(WebError::internal().into()),
    }
}

pub async fn not_found() -> PageError {
    PageError(WebError::not_found("there is no page here"))
}
