//! The JSON API under `/api/`: the shapes the CLI prints with `--format json` (plan,
//! history, stats, profile, catalogue, safety), and the player's session calls.

use std::collections::BTreeMap;

use axum::Json;

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backstretch_app::{AppError, HighPain, Overrides, Reported};
use backstretch_core::player::{Outcome, Player};
use backstretch_core::profile::Profile;
use backstretch_core::safety::{self, DISCLAIMER, DISCLAIMER_VERSION};
use backstretch_core::session::{Effort, Ending, Rating};
use backstretch_core::timeline::{COUNT_HOLDS_FROM_S, StepKind, Timeline};
use backstretch_core::vocab::{Area, DoseStyle, Sides};
use backstretch_render::catalog::entry_json;
use backstretch_render::json::{PlanJson, history_rows, questions_json};
use serde::{Deserialize, Serialize};

use crate::error::WebError;
use crate::input::{
    Body, HistoryQuery, ProfileBody, json, minutes, one_word, pain, query, session_id, stamp, words,
};
use crate::links::{figure_url, figure_url_right};
use crate::state::Shared;

/// A web session's process: none (the browser is not a process the server can watch).
fn no_process(_: u32) -> Option<bool> {
    None
}

/// The plan's overrides in a query: `?areas=neck,lower-
/// back&places=bed&minutes=10&style=source`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    areas: Option<String>,
    places: Option<String>,
    minutes: Option<u32>,
    style: Option<String>,
}

impl PlanQuery {
    fn overrides(&self) -> Result<Overrides, WebError> {
        Ok(Overrides {
            areas: words("areas", self.areas.as_deref().unwrap_or(""))?,
            places: words("places", self.places.as_deref().unwrap_or(""))?,
            minutes: self.minutes.map(|m| minutes("minutes", m)).transpose()?,
            style: match self.style.as_deref() {
                None | Some("") => None,
                Some(s) => Some(one_word::<DoseStyle>("style", s)?),
            },
            ..Overrides::default()
        })
    }
}

/// `GET /api/plan`: today's plan as `plan --format json` prints it, with the query's overrides;
/// reused while the log and the minute stay the same.
pub async fn plan(
    State(s): State<Shared>,
    RawQuery(raw): RawQuery,
    q: Result<Query<PlanQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let q = query(
        q,
        "use areas=, places= (comma-separated), minutes= and style=",
    )?;
    let o = q.overrides()?;
    let key = raw.unwrap_or_default();
    let shared = s.clone();
    s.run(move |app, catalog| {
        // A plan depends on the log, the profile, the catalogue (fixed while serving) and the
        // time: it is computed again when the log changes, or each minute.
        let minute = app.now().utc_s.div_euclid(60);
        let at = app.change_marker()?.map(|m| (m, minute));
        let json = shared.plan_once(&key, at, || {
            Ok(
                serde_json::to_string(&PlanJson::new(&app.plan(catalog, &o, false)?))
                    .map_err(WebError::internal)?
                    .into(),
            )
        })?;
        Ok(json_text(&json))
    })
    .await
}

/// JSON already written out.
fn json_text(json: &str) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    )
        .into_response()
}

/// `GET /api/history?before=&limit=`: a page of the sessions, newest first, as `history
/// --format json` (100 unless `limit` says otherwise), and a `Link` to the older ones.
pub async fn history(
    State(s): State<Shared>,
    q: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let q = query(q, "use before= (a session id) and limit= (1 to 1000)")?;
    s.run(move |app, _| {
        let page = q.read(app, 100)?;
        let mut r = Json(history_rows(&page.sessions, app.now(), no_process)).into_response();
        if let Some(older) = page.older {
            let limit = q.limit.map(|n| format!("&limit={n}")).unwrap_or_default();
            let link = format!("</api/history?before={}{limit}>; rel=\"next\"", older.0);
            r.headers_mut().insert(
                axum::http::header::LINK,
                link.parse().map_err(WebError::internal)?,
            );
        }
        Ok(r)
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderQuery {
    at: Option<String>,
}

#[derive(Debug, Serialize)]
struct ReminderJson {
    /// `remind`, `blocked`, `done` or `skipped`.
    nudge: &'static str,
    title: Option<String>,
    body: Option<String>,
    /// The next time a reminder at `at` (else at the moments' times) fires, RFC 3339.
    next: Option<String>,
    /// Milliseconds until then.
    in_ms: Option<i64>,
}

/// `GET /api/reminder?at=HH:MM`: what a reminder says now (as `remind fire` does), and when
/// the next one at that time (else at the moments' times) is due, in this computer's time
/// zone, for the page's reminders in the browser.
pub async fn reminder(
    State(s): State<Shared>,
    q: Result<Query<ReminderQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let q = query(q, "use at= (a time, HH:MM)")?;
    let at = match q.at.as_deref() {
        None | Some("") => None,
        Some(t) => Some(
            backstretch_core::schedule::parse_time(t)
                .map_err(|e| WebError::invalid("at", e, "give a time as HH:MM, like 07:30"))?,
        ),
    };
    s.run(move |app, catalog| {
        use backstretch_app::Reminder;
        use backstretch_core::schedule::{Days, Nudge, next_fire};
        let times = match at {
            Some(t) => vec![t],
            None => app
                .profile()?
                .map(|p| p.moments.iter().flat_map(|m| m.times.clone()).collect())
                .unwrap_or_default(),
        };
        let now = chrono::Local::now();
        let next = next_fire(&now, &times, Days::EVERY);
        let (nudge, title, body) = match app.nudge(catalog, None, None)? {
            Reminder::Remind { title, body, .. } => ("remind", Some(title), Some(body)),
            Reminder::Blocked { title, body } => ("blocked", Some(title), Some(body)),
            Reminder::Quiet(Nudge::Skipped) => ("skipped", None, None),
            Reminder::Quiet(_) => ("done", None, None),
        };
        Ok(Json(ReminderJson {
            nudge,
            title,
            body,
            next: next.map(|n| n.to_rfc3339()),
            in_ms: next.map(|n| (n - now).num_milliseconds()),
        })
        .into_response())
    })
    .await
}

/// `GET /api/stats`: progress against the goal, as `stats --format json`.
pub async fn stats(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| Ok(Json(app.stats(None)?).into_response()))
        .await
}

/// `GET /api/profile`: the saved profile, or `null`.
pub async fn profile(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| Ok(Json(app.profile()?).into_response()))
        .await
}

#[derive(Debug, Serialize)]
struct ProfileSavedJson {
    profile: Profile,
    replaced: bool,
    screening_due: bool,
}

/// `PUT /api/profile`: saves a profile, every value checked; says whether a warning-sign check
/// is now due.
pub async fn put_profile(State(s): State<Shared>, Body(b): Body) -> Result<Response, WebError> {
    let b: ProfileBody = json(&b)?;
    s.run(move |app, catalog| {
        let p = b.profile(app.profile()?)?;
        let saved = app.save_profile(catalog, p)?;
        Ok(Json(ProfileSavedJson {
            profile: saved.profile,
            replaced: saved.replaced,
            screening_due: saved.screening_due,
        })
        .into_response())
    })
    .await
}

/// `GET /api/catalog`: every exercise, briefly, as `catalog list`.
pub async fn catalog(State(s): State<Shared>) -> Response {
    let v: Vec<_> = s
        .catalog()
        .entries()
        .map(|e| entry_json(e, false))
        .collect();
    Json(v).into_response()
}

/// `GET /api/catalog/{id}`: one exercise in full.
pub async fn exercise(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match s.catalog().get(&id) {
        Some(e) => Json(entry_json(e, true)).into_response(),
        None => WebError::not_found(format!("no exercise has the id `{id}`")).into_response(),
    }
}

/// `GET /api/safety`: the warning-sign questions.
pub async fn safety(State(_): State<Shared>) -> Result<Response, WebError> {
    let all = safety::red_flags().map_err(AppError::from)?;
    Ok(Json(questions_json(all)).into_response())
}

/// The disclaimer, and whether it is accepted.
#[derive(Debug, Serialize)]
struct DisclaimerJson {
    text: &'static str,
    version: u32,
    accepted: bool,
}

/// `GET /api/disclaimer`: the disclaimer's text and version, and whether it is accepted.
pub async fn disclaimer(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| {
        Ok(Json(DisclaimerJson {
            text: DISCLAIMER,
            version: DISCLAIMER_VERSION,
            accepted: app.disclaimer_accepted()?,
        })
        .into_response())
    })
    .await
}

/// `POST /api/disclaimer`: records that the disclaimer is accepted.
pub async fn accept_disclaimer(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| {
        app.accept_disclaimer()?;
        Ok(Json(DisclaimerJson {
            text: DISCLAIMER,
            version: DISCLAIMER_VERSION,
            accepted: true,
        })
        .into_response())
    })
    .await
}

/// Answers to the red-flag questions: every question the check asks, by id, yes (`true`) or
/// no (`false`). After an emergency answer the check asks `assessed` first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningBody {
    pub answers: BTreeMap<String, bool>,
    /// The areas the check covers (default: the profile's).
    #[serde(default)]
    pub areas: Option<Vec<String>>,
}

/// A check's verdict, and what is worth knowing from its answers.
#[derive(Debug, Serialize)]
struct VerdictJson {
    verdict: &'static str,
    message: String,
    /// One line for each advice answer (never a block).
    worth_knowing: Vec<String>,
    /// Whether the check ended at an emergency answer (or "not assessed since").
    stopped: bool,
}

/// One question as this check asks it.
#[derive(Debug, Serialize)]
struct AskedJson {
    id: String,
    text: String,
    /// `emergency`, `same-day`, `soon` or `advice`; none for `assessed`.
    level: Option<&'static str>,
}

/// The areas of a check: those given, else the profile's (widened as the app says).
fn check_areas(
    app: &backstretch_app::App<'_>,
    catalog: &backstretch_core::catalog::Catalog,
    given: Option<&[String]>,
) -> Result<Vec<Area>, WebError> {
    let given = match given {
        Some(a) => Some(words::<Area>("areas", &a.join(","))?),
        None => None,
    };
    Ok(app.screening_areas(catalog, given.as_deref())?)
}

/// `GET /api/safety/check`: the questions a check asks now, for the profile's areas, worded
/// as it asks them (after an emergency, `assessed` comes first; a sign a clinician checked is
/// asked as new or worse since).
pub async fn check_questions(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, catalog| {
        let areas = check_areas(app, catalog, None)?;
        let qs: Vec<AskedJson> = app
            .check(&areas)?
            .questions()
            .into_iter()
            .map(|q| AskedJson {
                id: q.id.to_string(),
                level: q.flag.map(|f| f.urgency.as_str()),
                text: q.text,
            })
            .collect();
        Ok(Json(qs).into_response())
    })
    .await
}

/// `POST /api/safety`: the answers to the warning-sign questions, and the verdict. Every
/// question asked needs an answer (422 naming those without).
pub async fn screen(State(s): State<Shared>, Body(b): Body) -> Result<Response, WebError> {
    let b: ScreeningBody = json(&b)?;
    s.run(move |app, catalog| {
        let areas = check_areas(app, catalog, b.areas.as_deref())?;
        let out = app.record_answers(&areas, &b.answers)?;
        Ok(Json(VerdictJson {
            verdict: out.verdict.level().as_str(),
            message: safety::verdict_message(&out.verdict),
            worth_knowing: out
                .advice
                .iter()
                .map(|f| safety::worth_knowing(f))
                .collect(),
            stopped: out.stopped,
        })
        .into_response())
    })
    .await
}

/// A clinician's clearance of one sign.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearBody {
    pub sign: String,
}

/// `POST /api/safety/clear`: records that a clinician has checked a sign and cleared the
/// person to stretch (12 weeks; never an emergency sign).
pub async fn clear(State(s): State<Shared>, Body(b): Body) -> Result<Response, WebError> {
    let b: ClearBody = json(&b)?;
    s.run(move |app, _| {
        app.clear(b.sign.trim())?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

/// Begin a session of today's routine.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeginBody {
    /// Pain before, 0-10 (none: not given).
    #[serde(default)]
    pub pain_before: Option<i64>,
    /// At a high pain score: go on with only the gentlest moves.
    #[serde(default)]
    pub gentlest: bool,
}

/// An exercise of the session, as the player shows it.
#[derive(Debug, Serialize)]
pub struct PlayItem {
    id: String,
    name: String,
    position: String,
    get_into: &'static str,
    steps: Vec<String>,
    cautions: Vec<String>,
    figure: Option<String>,
    /// The figure mirrored, for the right side (sided exercises only).
    figure_right: Option<String>,
    /// How the figure is seen and what its colour means, for its caption.
    figure_note: Option<String>,
    /// What each side means (`stretching your left hip`), by side.
    sides: Option<BTreeMap<&'static str, String>>,
}

/// A session begun: what the player needs to play it, offline if need be.
#[derive(Debug, Serialize)]
pub struct Begun {
    /// The log's id of the session.
    pub id: i64,
    /// Pain before.
    pub pain_before: Option<u8>,
    pub items: Vec<PlayItem>,
    /// The timeline core computed.
    pub timeline: Timeline,
    /// Its cues, in order.
    pub cues: Vec<backstretch_core::timeline::Cue>,
    /// What the safety rules changed.
    pub notes: Vec<String>,
    /// The rule to stop by.
    pub stop_rule: &'static str,
    /// Each step kind as the screen says it.
    pub phases: BTreeMap<&'static str, &'static str>,
    /// What to say when the session stops for spreading symptoms.
    pub spreading_stopped: &'static str,
    /// Whether "sharper or worse" ends the session (high pain, or eased plans), and what to
    /// say then.
    pub hurt_ends: bool,
    pub hurt_ends_text: &'static str,
}

fn play_items(views: Vec<backstretch_app::ExerciseView>) -> Vec<PlayItem> {
    views
        .into_iter()
        .map(|v| PlayItem {
            get_into: v.position.get_into(),
            position: v.position.to_string(),
            figure: v
                .exercise
                .as_ref()
                .filter(|e| e.pose.is_some())
                .map(|e| figure_url(e, false)),
            figure_right: v
                .exercise
                .as_ref()
                .filter(|e| e.pose.is_some() && e.sides != Sides::Both)
                .map(figure_url_right),
            figure_note: v.exercise.as_ref().and_then(|e| {
                e.pose.as_ref().map(|p| {
                    let feel = if p.stretch.is_empty() {
                        ""
                    } else {
                        " Orange: where you should feel it."
                    };
                    format!("{}{feel}", p.view.note())
                })
            }),
            sides: v
                .sides
                .map(|sides| sides.into_iter().map(|(s, t)| (s.as_str(), t)).collect()),
            id: v.id,
            name: v.name,
            steps: v.steps,
            cautions: v.cautions,
        })
        .collect()
}

/// `POST /api/sessions`: begins today's routine (at high pain, only with `gentlest`) and sends
/// the player all it needs to play it.
pub async fn begin(State(s): State<Shared>, Body(b): Body) -> Result<Response, WebError> {
    let b: BeginBody = if b.is_empty() {
        BeginBody::default()
    } else {
        json(&b)?
    };
    let pain_before = pain("pain_before", b.pain_before)?;
    s.run(move |app, catalog| {
        let o = Overrides::default();
        let mut playable = app.planned(catalog, &o, false)?;
        if let Some(high) = app.high_pain(catalog, &o, &playable, pain_before)? {
            if !b.gentlest {
                return Err(WebError::GateNotPassed {
                    gate: "high-pain",
                    field: Some("pain_before"),
                    message: high.message(),
                    help: Some(HighPain::ADVICE.into()),
                });
            }
            playable = high.gentlest.ok_or_else(|| {
                let (message, help) = HighPain::NOTHING_GENTLE;
                WebError::GateNotPassed {
                    gate: "high-pain",
                    field: None,
                    message: message.into(),
                    help: Some(help.into()),
                }
            })?;
        }
        let id = app.begin(&playable.routine, &playable.items, pain_before, None)?;
        let timeline = Timeline::new(&playable.items);
        let cues = timeline.cues_counting(COUNT_HOLDS_FROM_S);
        Ok((
            StatusCode::CREATED,
            Json(Begun {
                id: id.0,
                pain_before,
                items: play_items(app.exercise_views(catalog, &playable)),
                timeline,
                cues,
                notes: playable.notes.iter().map(ToString::to_string).collect(),
                stop_rule: safety::STOP_RULE,
                phases: StepKind::ALL
                    .into_iter()
                    .map(|k| (k.as_str(), Player::phase_word(k)))
                    .collect(),
                spreading_stopped: safety::SPREADING_STOPPED,
                hurt_ends: app.hurt_ends_session(id)?,
                hurt_ends_text: safety::HURT_ENDS,
            }),
        )
            .into_response())
    })
    .await
}

/// A step the player reports.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// The player's count of reports in this session, from 0 (the idempotency key, with the
    /// session).
    pub report: u32,
    /// The step's index in the timeline.
    pub step: u32,
    /// done, skipped or hurt.
    pub outcome: String,
    /// Milliseconds spent.
    pub done_ms: u64,
    /// When it ended (RFC 3339, with the offset).
    pub at: String,
    /// How an exercise felt, said while the step ran: the exercise's id and `too-easy`,
    /// `about-right` or `too-hard`.
    #[serde(default)]
    pub rating: Option<RatingBody>,
}

/// What the person said of an exercise.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    pub exercise: String,
    pub effort: String,
}

impl RatingBody {
    /// The rating, with its effort word checked.
    pub fn rating(self) -> Result<Rating, WebError> {
        let effort = Effort::parse(&self.effort).ok_or_else(|| {
            WebError::invalid(
                "rating.effort",
                format!("`{}` is not how an exercise felt", self.effort),
                "use too-easy, about-right or too-hard",
            )
        })?;
        Ok(Rating {
            exercise_id: self.exercise,
            effort,
        })
    }
}

#[derive(Debug, Serialize)]
struct Logged {
    logged: bool,
}

/// `POST /api/sessions/{id}/steps`: a step the player reports, logged once (201), or recognised
/// as a retry (200).
pub async fn step(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Body(b): Body,
) -> Result<Response, WebError> {
    let id = session_id(&id)?;
    let b: StepBody = json(&b)?;
    let outcome = Outcome::parse(&b.outcome).ok_or_else(|| {
        WebError::invalid(
            "outcome",
            format!("`{}` is not how a step ends", b.outcome),
            "use done, skipped or hurt",
        )
    })?;
    let r = Reported {
        report: b.report,
        step: b.step,
        outcome,
        done_ms: b.done_ms,
        at: stamp("at", &b.at)?,
        rating: b.rating.map(RatingBody::rating).transpose()?,
    };
    let new = s.log_step(id, r).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(Logged { logged: new })).into_response())
}

/// The end of a session.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinishBody {
    /// Pain after, 0-10.
    #[serde(default)]
    pub pain_after: Option<i64>,
    /// completed or stopped.
    pub ending: String,
    /// When it ended.
    pub at: String,
}

#[derive(Debug, Serialize)]
struct FinishedJson {
    ending: &'static str,
    done: Vec<String>,
    skipped: Vec<String>,
    hurt: Vec<String>,
    minutes: f64,
    pain_before: Option<u8>,
    pain_after: Option<u8>,
    /// What the pain after means (green, amber, red), in words.
    advice: Option<String>,
    flare_rise: Option<u8>,
    see_clinician: Option<usize>,
    progress: String,
    /// The whole summary, worded for a page (the terminal's facts, in words, not marks).
    text: String,
}

/// `POST /api/sessions/{id}/finish`: ends a session once, with the summary in words.
pub async fn finish(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Body(b): Body,
) -> Result<Response, WebError> {
    let id = session_id(&id)?;
    let b: FinishBody = json(&b)?;
    let pain_after = pain("pain_after", b.pain_after)?;
    let ending = Ending::parse(&b.ending).ok_or_else(|| {
        WebError::invalid(
            "ending",
            format!("`{}` is not how a session ends", b.ending),
            "use completed or stopped",
        )
    })?;
    let at = stamp("at", &b.at)?;
    let finished = s.clone();
    s.run(move |app, catalog| {
        let sum = app.finish(id, at, pain_after, ending)?;
        finished.session_finished();
        let hurt = crate::pages::parts::exercise_names(catalog, &sum.summary.hurt);
        let text = backstretch_render::progress::summary_for(
            &backstretch_render::progress::SummaryView {
                ending: sum.ending.as_str(),
                done: sum.summary.done.len(),
                skipped: sum.summary.skipped.len(),
                hurt: &hurt,
                seconds: sum.summary.seconds,
                pain_before: sum.pain_before,
                pain_after: sum.pain_after,
                feedback: sum.feedback.as_ref(),
                progress: &sum.progress,
                desk_break: sum.desk_break,
                counted: (sum.counted, sum.holding.0, sum.holding.1),
            },
            backstretch_render::progress::Medium::Page,
        );
        Ok(Json(FinishedJson {
            text,
            ending: sum.ending.as_str(),
            minutes: backstretch_render::json::tenths_of_minutes(sum.summary.seconds as f64),
            done: sum.summary.done,
            skipped: sum.summary.skipped,
            hurt: sum.summary.hurt,
            pain_before: sum.pain_before,
            pain_after: sum.pain_after,
            advice: sum
                .pain_after
                .map(|a| safety::light_text(sum.pain_before, a)),
            flare_rise: sum.flare_rise,
            see_clinician: sum.see_clinician,
            progress: backstretch_render::progress::progress_line(&sum.progress),
        })
        .into_response())
    })
    .await
}

/// Pain spread down a limb, or numbness, tingling or weakness appeared, during a session: a
/// warning sign like any other (nothing is planned until a new check reports none).
pub async fn spreading(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| {
        let v = app.report_spreading()?;
        Ok(Json(VerdictJson {
            verdict: v.level().as_str(),
            message: safety::SPREADING_STOPPED.to_string(),
            worth_knowing: Vec::new(),
            stopped: true,
        })
        .into_response())
    })
    .await
}

/// `GET /calendar.ics?time=HH:MM&days=mon&days=wed`: the reminder calendar `backstretch
/// export ics` makes, for the time and days picked (no days: every day), as a download.
pub async fn calendar(
    State(s): State<Shared>,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let (time, days) = calendar_query(q.as_deref().unwrap_or_default())?;
    let place = s.0.origins.first().cloned().unwrap_or_default();
    let r = s
        .run(move |app, catalog| Ok(app.reminder(catalog, &place, Some(time), Some(days))?))
        .await?;
    let mut res = (StatusCode::OK, backstretch_render::export::ics(&r)).into_response();
    let h = res.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    h.insert(
        axum::http::header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_static("attachment; filename=\"backstretch-reminder.ics\""),
    );
    Ok(res)
}

/// The time and days of a calendar query, or a 422 naming the field.
fn calendar_query(q: &str) -> Result<(chrono::NaiveTime, Vec<chrono::Weekday>), WebError> {
    let mut time = None;
    let mut days = Vec::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = v.replace("%3A", ":").replace("%3a", ":");
        match k {
            "time" => {
                time = Some(chrono::NaiveTime::parse_from_str(&v, "%H:%M").map_err(|_| {
                    WebError::invalid(
                        "time",
                        format!("`{v}` is not a time of day"),
                        "use HH:MM, such as 07:30",
                    )
                })?);
            }
            "days" => days.push(v.parse::<chrono::Weekday>().map_err(|_| {
                WebError::invalid(
                    "days",
                    format!("`{v}` is not a day"),
                    "use mon, tue, wed, thu, fri, sat or sun",
                )
            })?),
            other => {
                return Err(WebError::invalid(
                    other,
                    format!("`{other}` is not something a calendar reminder takes"),
                    "send time=HH:MM and any number of days=mon ... days=sun",
                ));
            }
        }
    }
    let time = time.ok_or_else(|| {
        WebError::invalid(
            "time",
            "the time is missing",
            "send time=HH:MM, such as 07:30",
        )
    })?;
    days.sort_by_key(chrono::Weekday::num_days_from_monday);
    days.dedup();
    Ok((time, days))
}
