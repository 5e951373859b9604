//! The clinic's pages for what a clinician sends a patient: prescribing (from the planner, by
//! hand or from a template), the preview of what the patient's devices will play with its
//! printed sheet, the practice's templates and exercises, clearing a warning sign, and the
//! message thread. Each write goes through [`crate::care`]; every page that shows a patient's
//! data is audited there or here.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use backstretch_core::care::{MAX_MESSAGE_CHARS, MAX_PER_WEEK, Message, Prescription};
use backstretch_core::catalog::{Catalog, Origin};
use backstretch_core::plan::{self, Plan, Request};
use backstretch_core::routine::{Routine, RoutineItem, RoutineRequest};
use backstretch_core::safety::{self, Urgency};
use backstretch_core::time::Stamp;
use backstretch_core::vocab::{Area, Condition, DoseStyle, Place, Word};
use backstretch_store::UserId;
use backstretch_store::clinic::Clinician;
use maud::{Markup, html};

use crate::api::{Api, ApiError};
use crate::care::{self, CareError, Draft};
use crate::clinic;
use crate::clinic_pages::{LoggedIn, SameOrigin, page, peer, their_patient};

type Peer = Option<axum::Extension<backstretch_web::Peer>>;
/// A form's fields in order, each name as often as it was sent (ticked boxes repeat).
type Fields = Form<Vec<(String, String)>>;

fn base(user: &UserId) -> String {
    format!("/clinic/patients/{}", user.as_str())
}

fn first<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn all<'a>(f: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    f.iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.trim())
}

fn bad(field: &'static str, problem: impl Into<String>) -> CareError {
    CareError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// A whole number in a range, or what is wrong with it.
fn number(
    f: &[(String, String)],
    name: &str,
    field: &'static str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, CareError> {
    let v = first(f, name).ok_or_else(|| bad(field, format!("{field} is missing")))?;
    match v.parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(bad(
            field,
            format!(
                "{field} is `{v}`: give a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        )),
    }
}

fn words<W: Word + PartialEq>(
    f: &[(String, String)],
    name: &str,
    field: &'static str,
) -> Result<Vec<W>, CareError> {
    let mut out = Vec::new();
    for v in all(f, name) {
        let w = W::parse_word(v).map_err(|e| bad(field, e.to_string()))?;
        if !out.contains(&w) {
            out.push(w);
        }
    }
    Ok(out)
}

fn per_week_and_note(f: &[(String, String)]) -> Result<(u32, String), CareError> {
    Ok((
        number(f, "per_week", "per_week", 1..=MAX_PER_WEEK)?,
        first(f, "note").unwrap_or("").to_string(),
    ))
}

/// The draft the planner makes from the form's areas, places, minutes, style, exercises to
/// leave out and conditions.
fn from_planner(
    catalog: &Catalog,
    f: &[(String, String)],
    today: Stamp,
) -> Result<Draft, CareError> {
    let areas: Vec<Area> = words(f, "area", "areas")?;
    let places: Vec<Place> = words(f, "place", "places")?;
    if areas.is_empty() {
        return Err(bad("areas", "tick at least one area"));
    }
    if places.is_empty() {
        return Err(bad("places", "tick at least one place"));
    }
    let minutes = number(f, "minutes", "minutes", 1..=60)?;
    let style = first(f, "style")
        .map(DoseStyle::parse_word)
        .transpose()
        .map_err(|e| bad("style", e.to_string()))?
        .unwrap_or(DoseStyle::Source);
    let mut exclude = Vec::new();
    for id in all(f, "exclude") {
        let e = catalog
            .get(id)
            .ok_or_else(|| bad("exclude", format!("`{id}` is not an exercise")))?;
        exclude.push(e.exercise.id.clone());
    }
    let req = Request {
        areas,
        places,
        minutes,
        style,
        exclude,
        date: today.day(),
        gentler: false,
        pages_only: false,
        recent: vec![],
        conditions: words(f, "condition", "conditions")?,
        eased_by: None,
        coaching: Default::default(),
    };
    let p = plan::plan(catalog, &req, &[]).map_err(|e| bad("areas", e.to_string()))?;
    let (per_week, note) = per_week_and_note(f)?;
    Ok(Draft {
        routine: Routine::from_plan(&p),
        per_week,
        note,
    })
}

/// The draft of exercises chosen by hand, each at the dose given.
fn by_hand(catalog: &Catalog, f: &[(String, String)]) -> Result<Draft, CareError> {
    let mut items = Vec::new();
    for id in all(f, "pick") {
        let e = catalog
            .get(id)
            .ok_or_else(|| bad("exercises", format!("`{id}` is not an exercise")))?;
        let x = &e.exercise;
        let dose = backstretch_core::exercise::Dose::new(
            number(f, &format!("hold.{id}"), "hold", 1..=180)?,
            number(f, &format!("reps.{id}"), "repetitions", 1..=30)?,
            number(f, &format!("rest.{id}"), "rest", 0..=120)?,
        );
        let mut item = RoutineItem::of(x, &dose, "chosen by your clinician");
        item.serves = x.areas.iter().map(|a| a.as_str().to_string()).collect();
        items.push(item);
    }
    if items.is_empty() {
        return Err(bad("exercises", "tick at least one exercise"));
    }
    let areas: Vec<String> =
        items
            .iter()
            .flat_map(|i| i.serves.clone())
            .fold(Vec::new(), |mut v, a| {
                if !v.contains(&a) {
                    v.push(a);
                }
                v
            });
    let places: Vec<String> =
        items
            .iter()
            .flat_map(|i| i.places.clone())
            .fold(Vec::new(), |mut v, a| {
                if !v.contains(&a) {
                    v.push(a);
                }
                v
            });
    let routine = Routine::from_items(
        RoutineRequest {
            areas,
            places,
            style: "clinician".into(),
            ..RoutineRequest::default()
        },
        "clinician",
        items,
        vec![],
    )
    .map_err(|e| bad("exercises", e.to_string()))?;
    let (per_week, note) = per_week_and_note(f)?;
    Ok(Draft {
        routine,
        per_week,
        note,
    })
}

/// The draft a form describes: `how` is `planner`, `hand`, `template` or `draft` (a preview's
/// own JSON, sent again).
async fn draft_of(
    api: &Api,
    f: Vec<(String, String)>,
) -> Result<Result<Draft, CareError>, ApiError> {
    api.run(move |s, now| {
        let catalog = care::catalog(s)?;
        let d = match first(&f, "how") {
            Some("planner") => from_planner(&catalog, &f, now),
            Some("hand") => by_hand(&catalog, &f),
            Some("template") => {
                let name = first(&f, "template").unwrap_or("");
                care::templates(s)?
                    .into_iter()
                    .find(|(k, _)| k.name == name)
                    .map(|(_, d)| d)
                    .ok_or_else(|| bad("template", format!("no template is called `{name}`")))
            }
            _ => first(&f, "draft")
                .ok_or_else(|| bad("draft", "the form sent no prescription"))
                .and_then(|j| {
                    serde_json::from_str::<Draft>(j)
                        .map_err(|e| bad("draft", format!("the prescription does not read: {e}")))
                }),
        };
        Ok(d.and_then(|d| care::check(&catalog, &d)))
    })
    .await
}

/// The clinician's patient a path names and the draft the form describes; or the page to
/// answer with instead (no such patient of theirs, or what is wrong with the form).
async fn patient_and_draft(
    api: &Api,
    c: &Clinician,
    id: &str,
    p: Option<&axum::Extension<backstretch_web::Peer>>,
    f: Vec<(String, String)>,
) -> Result<Result<(UserId, String, Draft), Response>, ApiError> {
    let (user, name) = match their_patient(api, c, id, peer(p)).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(Err(not_found)),
    };
    Ok(match draft_of(api, f).await? {
        Ok(d) => Ok((user, name, d)),
        Err(e) => Err(refused(c, &user, &name, &e)),
    })
}

fn refused(c: &Clinician, user: &UserId, name: &str, e: &CareError) -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &format!("Prescribe for {name}"),
        Some(c),
        &html! {
            p.error role="alert" { (e) }
            p { a href={ (base(user)) "/prescribe" } { "Back to the prescription" } }
        },
    )
}

/// `GET /clinic/patients/{id}/prescribe`: the three ways to prescribe.
pub async fn prescribe_page(
    State(api): State<Api>,
    LoggedIn(c): LoggedIn,
    p: Peer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let (u, who, from) = (user.clone(), c.clone(), peer(p.as_ref()));
    let (catalog, templates, profile) = api
        .run(move |s, now| {
            clinic::audit_patient(s, now, &who, "read the prescription form", &u, &from)?;
            Ok((care::catalog(s)?, care::templates(s)?, s.profile(&u)?))
        })
        .await?;
    let profile = profile.unwrap_or_default();
    let b = base(&user);
    Ok(page(
        StatusCode::OK,
        &format!("Prescribe for {name}"),
        Some(&c),
        &html! {
            p {
                "Every way below leads to a preview of what " (name) "'s devices will play, by their own rules, "
                "before anything is sent. The practice's own exercises are marked " em { "practice" } "; "
                a href="/clinic/exercises" { "add one" } "."
            }
            (planner_form(&b, &profile, &catalog))
            (hand_form(&b, &catalog))
            (template_form(&b, &templates))
            p { a href=(b) { "Back to " (name) } }
        },
    ))
}

fn planner_form(
    b: &str,
    profile: &backstretch_core::profile::Profile,
    catalog: &Catalog,
) -> Markup {
    html! {
            h2 { "From the planner" }
            form.stack #planner method="post" action={ (b) "/prescribe/preview" } {
                input type="hidden" name="how" value="planner";
                fieldset {
                    legend { "Areas (the highest ticked in this list counts as the main one)" }
                    @for a in Area::ALL {
                        label.choice { input type="checkbox" name="area" value=(a.as_str()) checked[profile.areas.contains(a)]; " " (a.as_str()) }
                    }
                }
                fieldset {
                    legend { "Places" }
                    @for pl in Place::ALL {
                        label.choice { input type="checkbox" name="place" value=(pl.as_str()) checked[profile.places.contains(pl)]; " " (pl.as_str()) }
                    }
                }
                label for="minutes" { "Minutes" }
                input #minutes type="number" name="minutes" min="1" max="60" value=(profile.minutes.clamp(1, 60)) required;
                label for="style" { "Dose" }
                select #style name="style" {
                    @for st in DoseStyle::ALL {
                        option value=(st.as_str()) selected[*st == profile.style] { (st.as_str()) }
                    }
                }
                fieldset {
                    legend { "Health conditions" }
                    @for cond in Condition::ALL {
                        label.choice { input type="checkbox" name="condition" value=(cond.as_str()) checked[profile.conditions.contains(cond)]; " " (cond.as_str()) }
                    }
                }
                details {
                    summary { "Exercises to leave out" }
                    @for e in catalog.entries() {
                        label.choice { input type="checkbox" name="exclude" value=(e.exercise.id) checked[profile.exclude.contains(&e.exercise.id)]; " " (e.exercise.name) (origin(e.origin)) }
                    }
                }
                (frequency("planner"))
                button.primary type="submit" { "Preview" }
            }
    }
}

fn hand_form(b: &str, catalog: &Catalog) -> Markup {
    html! {
            h2 { "By hand" }
            form.stack #by-hand method="post" action={ (b) "/prescribe/preview" } {
                input type="hidden" name="how" value="hand";
                div.table { table {
                    caption { "Tick the exercises (they are done in the order listed); the doses start at the catalogue's." }
                    thead { tr {
                        th scope="col" { "Exercise" }
                        th scope="col" { "Hold (s)" }
                        th scope="col" { "Repetitions" }
                        th scope="col" { "Rest (s)" }
                    } }
                    tbody {
                        @for e in catalog.entries() {
                            @let x = &e.exercise;
                            tr {
                                td { label.choice { input type="checkbox" name="pick" value=(x.id); " " (x.name) (origin(e.origin)) } }
                                td { input type="number" name={ "hold." (x.id) } min="1" max="180" value=(x.dose.hold_s) aria-label={ "Hold, seconds: " (x.name) }; }
                                td { input type="number" name={ "reps." (x.id) } min="1" max="30" value=(x.dose.reps) aria-label={ "Repetitions: " (x.name) }; }
                                td { input type="number" name={ "rest." (x.id) } min="0" max="120" value=(x.dose.rest_s) aria-label={ "Rest, seconds: " (x.name) }; }
                            }
                        }
                    }
                } }
                (frequency("hand"))
                button.primary type="submit" { "Preview" }
            }
    }
}

fn template_form(b: &str, templates: &[(backstretch_store::clinic::Kept, Draft)]) -> Markup {
    html! {
            h2 { "From a practice template" }
            @if templates.is_empty() {
                p { "No template yet: any preview can be saved as one." }
            } @else {
                form.stack #from-template method="post" action={ (b) "/prescribe/preview" } {
                    input type="hidden" name="how" value="template";
                    label for="template" { "Template" }
                    select #template name="template" {
                        @for (k, d) in templates {
                            option value=(k.name) { (k.name) " (" (d.routine.items.len()) " exercises, " (d.per_week) " a week)" }
                        }
                    }
                    button.primary type="submit" { "Preview" }
                }
            }
    }
}

fn origin(o: Origin) -> &'static str {
    if o == Origin::Practice {
        " (practice)"
    } else {
        ""
    }
}

fn frequency(form: &str) -> Markup {
    html! {
        label for={ "per_week-" (form) } { "Sessions a week (1 to " (MAX_PER_WEEK) ")" }
        input id={ "per_week-" (form) } type="number" name="per_week" min="1" max=(MAX_PER_WEEK) value="5" required;
        label for={ "note-" (form) } { "A note for the patient (optional)" }
        textarea id={ "note-" (form) } name="note" rows="2" maxlength="1000" {}
    }
}

/// `POST /clinic/patients/{id}/prescribe/preview`: what the patient's devices would play.
pub async fn preview(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Peer,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, ApiError> {
    let (user, name, draft) = match patient_and_draft(&api, &c, &id, p.as_ref(), f).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let (u, who, from, d) = (user.clone(), c.clone(), peer(p.as_ref()), draft.clone());
    let played = api
        .run(move |s, now| {
            clinic::audit_patient(s, now, &who, "previewed a prescription", &u, &from)?;
            let kept = s.practice_exercises()?;
            let p = care::prescription(&kept, &who, &d, now);
            let app = backstretch_app::App::new(s, u, now);
            Ok(app.prescription_plan(&care::catalog(s)?, &p, false))
        })
        .await?;
    let json = serde_json::to_string(&draft).map_err(|e| ApiError::Internal(e.to_string()))?;
    let b = base(&user);
    Ok(page(
        StatusCode::OK,
        &format!("Preview for {name}"),
        Some(&c),
        &html! {
            h2 { "What you chose" }
            (routine_table(&draft.routine))
            p { (draft.per_week) " sessions a week." @if !draft.note.is_empty() { " Your note: “" (draft.note) "”." } }
            h2 { "What " (name) "'s devices will play today" }
            @match &played {
                Ok(plan) => (played_plan(plan)),
                Err(e) => p.error { "Nothing of it: " (e) "." },
            }
            div.actions {
                form #prescribe method="post" action={ (b) "/prescribe" } {
                    input type="hidden" name="draft" value=(json);
                    button.primary type="submit" { "Prescribe it" }
                }
                form #print method="post" action={ (b) "/prescribe/sheet.pdf" } {
                    input type="hidden" name="draft" value=(json);
                    button type="submit" { "Print the sheet (PDF)" }
                }
            }
            form.stack #save-template method="post" action={ (b) "/templates" } {
                input type="hidden" name="draft" value=(json);
                label for="template-name" { "Save it as a practice template, named" }
                input #template-name type="text" name="name" maxlength="80" required;
                button type="submit" { "Save the template" }
            }
            p { a href={ (b) "/prescribe" } { "Choose again" } }
        },
    ))
}

fn routine_table(r: &Routine) -> Markup {
    html! {
        div.table { table {
            caption { (r.items.len()) " exercises, about " (r.total_s.div_ceil(60)) " minutes" }
            thead { tr {
                th scope="col" { "Figure" }
                th scope="col" { "Exercise" }
                th scope="col" { "Dose" }
            } }
            tbody {
                @for i in &r.items {
                    tr {
                        td { img.figure src={ "/clinic/figures/" (i.exercise_id) @if let Some(v) = &i.variant { "?variant=" (v) } } alt={ "How to do " (i.name) } width="260"; }
                        td { (i.name) }
                        td {
                            (i.dose.hold_s) " s x " (i.dose.reps)
                            @if i.sides == "each" { " each side" }
                            ", rest " (i.dose.rest_s) " s"
                        }
                    }
                }
            }
        } }
    }
}

/// A plan as the patient's devices play it: each exercise and dose, then what their rules
/// changed, and why.
fn played_plan(p: &Plan) -> Markup {
    html! {
        ul {
            @for i in &p.items {
                li { (i.exercise.name) ": " (i.dose_text(", ")) }
            }
        }
        p { "About " (p.total_s.div_ceil(60)) " minutes." }
        @let notes: Vec<String> = p.warnings.iter()
            .filter(|w| !matches!(w, plan::Warning::Prescribed { .. }))
            .map(ToString::to_string).collect();
        @if notes.is_empty() {
            p { "Their own rules change nothing." }
        } @else {
            p { "Their own rules change this:" }
            ul { @for n in &notes { li { (n) } } }
        }
    }
}

/// `POST /clinic/patients/{id}/prescribe`: sends the prescription.
pub async fn prescribe(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Peer,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, ApiError> {
    let (user, name, draft) = match patient_and_draft(&api, &c, &id, p.as_ref(), f).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let (u, who, from) = (user.clone(), c.clone(), peer(p.as_ref()));
    let done = api
        .run(move |s, now| Ok(care::prescribe(s, &who, &u, &draft, now, &from)))
        .await?;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("{}#programme", base(&user))).into_response()),
        Err(CareError::Store(e)) => Err(ApiError::Store(e)),
        Err(e) => Ok(refused(&c, &user, &name, &e)),
    }
}

/// `POST /clinic/patients/{id}/prescribe/sheet.pdf`: the printed sheet of a draft, as the
/// patient's rules would play it today.
pub async fn sheet(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Peer,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, ApiError> {
    let (user, name, draft) = match patient_and_draft(&api, &c, &id, p.as_ref(), f).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let (u, who, from) = (user.clone(), c.clone(), peer(p.as_ref()));
    let made = api
        .run(move |s, now| {
            clinic::audit_patient(s, now, &who, "printed a prescription's sheet", &u, &from)?;
            let kept = s.practice_exercises()?;
            let p = care::prescription(&kept, &who, &draft, now);
            let goal = s.profile(&u)?.unwrap_or_default().goal;
            let app = backstretch_app::App::new(s, u, now);
            Ok(app
                .prescription_plan(&care::catalog(s)?, &p, false)
                .map(|plan| (plan, goal)))
        })
        .await?;
    let (plan, goal) = match made {
        Ok(m) => m,
        Err(e) => {
            return Ok(refused(&c, &user, &name, &bad("exercises", e.to_string())));
        }
    };
    let mut r = sheet_pdf(&plan, goal)?.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"backstretch-prescription.pdf\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// The printed sheet (PDF, A4, two weeks of ticks) of a plan.
pub fn sheet_pdf(plan: &Plan, goal: backstretch_core::profile::Goal) -> Result<Vec<u8>, ApiError> {
    let code = backstretch_core::code::RoutineCode::of(&Routine::from_plan(plan));
    let sheet = backstretch_render::sheet::Sheet::new(plan, code, 2, goal);
    backstretch_pdf::pdf(&sheet, backstretch_render::sheet::Paper::A4)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The sheet of the prescription in force, as the patient's devices play it today; none
/// without a prescription.
pub fn prescribed_sheet(
    s: &dyn crate::ServerStore,
    user: &UserId,
    now: Stamp,
) -> Result<Option<Vec<u8>>, ApiError> {
    let app = backstretch_app::App::new(s, user.clone(), now);
    let catalog = care::catalog(s)?;
    let Some(p) = app
        .prescription()
        .map_err(|e| ApiError::Internal(e.to_string()))?
    else {
        return Ok(None);
    };
    let goal = s.profile(user)?.unwrap_or_default().goal;
    match app.prescription_plan(&catalog, &p, false) {
        Ok(plan) => sheet_pdf(&plan, goal).map(Some),
        Err(_) => Ok(None),
    }
}

/// `POST /clinic/patients/{id}/templates`: keeps a previewed draft as a practice template.
pub async fn save_template(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Peer,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, ApiError> {
    let title = first(&f, "name").unwrap_or("").to_string();
    let (user, name, draft) = match patient_and_draft(&api, &c, &id, p.as_ref(), f).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let who = c.clone();
    let t = title.clone();
    let saved = api
        .run(move |s, now| Ok(care::save_template(s, &who, &t, &draft, now)))
        .await?;
    match saved {
        Ok(()) => Ok(page(
            StatusCode::OK,
            "Template saved",
            Some(&c),
            &html! {
                p role="status" { "Saved the template “" (title) "”: it is offered on every patient's prescription page." }
                p { a href={ (base(&user)) "/prescribe" } { "Back to the prescription for " (name) } }
            },
        )),
        Err(CareError::Store(e)) => Err(ApiError::Store(e)),
        Err(e) => Ok(refused(&c, &user, &name, &e)),
    }
}

/// The programme on a patient's page: the prescription in force and what their devices make
/// of it, the earlier ones, and the way to prescribe.
pub fn programme(
    user: &UserId,
    history: &[Prescription],
    played: Option<&Result<Plan, String>>,
) -> Markup {
    html! {
        h2 #programme { "Programme" }
        @match history.last() {
            None => p { "Nothing prescribed yet: their devices plan from their own profile." },
            Some(p) => {
                p {
                    "Prescribed by " (p.by) " on " (p.at.local().format("%a %-d %b %Y")) ", "
                    (p.per_week) " sessions a week."
                    @if !p.note.is_empty() { " Note: “" (p.note) "”." }
                }
                (routine_table(&p.routine))
                @match played {
                    Some(Ok(plan)) => {
                        h3 { "What their devices play today" }
                        (played_plan(plan))
                    }
                    Some(Err(e)) => p.error { "Their devices can play none of it today: " (e) "." },
                    None => {}
                }
            }
        }
        p {
            a href={ (base(user)) "/prescribe" } { @if history.is_empty() { "Prescribe" } @else { "Prescribe anew" } }
            @if !history.is_empty() {
                " · " a href={ (base(user)) "/export/sheet.pdf" } { "Print the sheet (PDF)" }
            }
        }
        @if history.len() > 1 {
            details {
                summary { "Earlier prescriptions (" (history.len() - 1) ")" }
                ul {
                    @for p in history.iter().rev().skip(1) {
                        li {
                            (p.at.local().format("%a %-d %b %Y")) ", by " (p.by) ": "
                            (p.routine.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(", "))
                            ", " (p.per_week) " a week"
                        }
                    }
                }
            }
        }
    }
}

/// The buttons that clear the signs of the latest check a clinician may clear.
pub fn clear_forms(user: &UserId, yes: &[String]) -> Markup {
    let flags = safety::red_flags().unwrap_or_default();
    let clearable: Vec<_> = flags
        .iter()
        .filter(|f| yes.contains(&f.id) && f.urgency != Urgency::Emergency)
        .collect();
    html! {
        @for f in &clearable {
            form method="post" action={ (base(user)) "/clear" } {
                input type="hidden" name="sign" value=(f.id);
                button type="submit" { "I have checked “" (f.sign) "”: clear them to exercise" }
            }
        }
        @if !clearable.is_empty() {
            p { "A clearance reaches their devices at the next sync and lifts the block for 12 weeks, or until they answer the sign again." }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SignForm {
    sign: String,
}

/// `POST /clinic/patients/{id}/clear`: records the clinician's clearance of a sign.
pub async fn clear(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Peer,
    Path(id): Path<String>,
    Form(f): Form<SignForm>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let (u, who, from) = (user.clone(), c.clone(), peer(p.as_ref()));
    let done = api
        .run(move |s, now| Ok(care::clear(s, &who, &u, f.sign.trim(), now, &from)))
        .await?;
    after_write(done, &c, &user, &name, "#signs")
}

fn after_write<T>(
    done: Result<T, CareError>,
    c: &Clinician,
    user: &UserId,
    name: &str,
    anchor: &str,
) -> Result<Response, ApiError> {
    match done {
        Ok(_) => Ok(Redirect::to(&format!("{}{anchor}", base(user))).into_response()),
        Err(CareError::Store(e)) => Err(ApiError::Store(e)),
        Err(e) => Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            Some(c),
            &html! {
                p.error role="alert" { (e) }
                p { a href=(base(user)) { "Back to " (name) } }
            },
        )),
    }
}

/// The thread with the patient, oldest first, and the form to write.
pub fn messages(user: &UserId, name: &str, thread: &[Message]) -> Markup {
    html! {
        h2 #messages { "Messages" }
        @if thread.is_empty() {
            p { "No messages yet." }
        } @else {
            ol.thread {
                @for m in thread {
                    li {
                        strong { @match &m.from { Some(by) => (by), None => (name) } }
                        " · " (m.at.local().format("%a %-d %b %Y %H:%M"))
                        p { (m.text) }
                    }
                }
            }
        }
        form.stack method="post" action={ (base(user)) "/messages" } {
            label for="message" { "Write to " (name) " (they read it after their next sync)" }
            textarea #message name="text" rows="3" maxlength=(MAX_MESSAGE_CHARS) required {}
            button type="submit" { "Send" }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct MessageForm {
    text: String,
}

/// `POST /clinic/patients/{id}/messages`: a message to the patient.
pub async fn send_message(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Peer,
    Path(id): Path<String>,
    Form(f): Form<MessageForm>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let (u, who, from) = (user.clone(), c.clone(), peer(p.as_ref()));
    let done = api
        .run(move |s, now| Ok(care::message(s, &who, &u, &f.text, now, &from)))
        .await?;
    after_write(done, &c, &user, &name, "#messages")
}

/// `GET /clinic/exercises`: the practice's own exercises, and the form to add one.
pub async fn exercises_page(
    State(api): State<Api>,
    LoggedIn(c): LoggedIn,
) -> Result<Response, ApiError> {
    let kept = api.run(|s, _| Ok(s.practice_exercises()?)).await?;
    Ok(exercises(&c, &kept, "", None, StatusCode::OK))
}

fn exercises(
    c: &Clinician,
    kept: &[backstretch_store::clinic::Kept],
    toml: &str,
    problems: Option<&[String]>,
    status: StatusCode,
) -> Response {
    page(
        status,
        "The practice's exercises",
        Some(c),
        &html! {
            @if kept.is_empty() {
                p { "The practice has no exercise of its own yet." }
            } @else {
                ul {
                    @for k in kept {
                        li { a href={ "/clinic/figures/" (k.name) } { (k.name) } ", added by " (k.by) " on " (k.at.local().format("%a %-d %b %Y")) }
                    }
                }
            }
            h2 { "Add one" }
            p {
                "Write it as a catalogue file (TOML): the same fields and checks as the built-in "
                "exercises', which " code { "backstretch catalog show ID --format toml" } " prints. "
                "Its id and names must be new. It is marked as the practice's wherever it shows, and a "
                "prescription that uses it carries it to the patient's devices."
            }
            @if let Some(ps) = problems {
                div.error role="alert" {
                    p { "It was not added:" }
                    ul { @for p in ps { li { (p) } } }
                }
            }
            form.stack method="post" action="/clinic/exercises" {
                label for="toml" { "The exercise's file" }
                textarea #toml name="toml" rows="16" required { (toml) }
                button.primary type="submit" { "Check and add" }
            }
            p { a href="/clinic" { "Back to your patients" } }
        },
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct ExerciseForm {
    toml: String,
}

/// `POST /clinic/exercises`: checks and keeps a practice exercise.
pub async fn add_exercise(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    Form(f): Form<ExerciseForm>,
) -> Result<Response, ApiError> {
    let (who, text) = (c.clone(), f.toml.clone());
    let (added, kept) = api
        .run(move |s, now| {
            let added = care::add_exercise(s, &who, &text, now)?;
            Ok((added, s.practice_exercises()?))
        })
        .await?;
    Ok(match added {
        Ok(_) => exercises(&c, &kept, "", None, StatusCode::OK),
        Err(diags) => {
            let problems: Vec<String> = diags
                .iter()
                .map(|d| match &d.hint {
                    Some(h) => format!("{} ({h})", d.message),
                    None => d.message.clone(),
                })
                .collect();
            exercises(
                &c,
                &kept,
                &f.toml,
                Some(&problems),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct FigureQuery {
    variant: Option<String>,
}

/// `GET /clinic/figures/{id}`: an exercise's figure (its key poses), as SVG.
pub async fn figure(
    State(api): State<Api>,
    LoggedIn(_): LoggedIn,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<FigureQuery>,
) -> Result<Response, ApiError> {
    let catalog = api.run(|s, _| Ok(care::catalog(s)?)).await?;
    let Some(x) = catalog.played(&id, q.variant.as_deref()) else {
        return Ok((StatusCode::NOT_FOUND, "no such exercise").into_response());
    };
    let Some(spec) = &x.pose else {
        return Ok((StatusCode::NOT_FOUND, "this exercise has no figure").into_response());
    };
    let svg = backstretch_render::figure::keyframes_svg(&x, spec);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}
