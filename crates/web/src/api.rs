//! The JSON API under `/api/`: the shapes the CLI prints with `--format json` (plan,
//! history, stats, profile, catalogue, safety), and the player's session calls.

use axum::Json;
use axum::body::Bytes;
use std::sync::Arc;

use axum::extract::{FromRequest, Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backstretch_app::{AppError, HighPain, Overrides, Reported};
use backstretch_core::player::{Outcome, Player};
use backstretch_core::profile::{Goal, Profile};
use backstretch_core::safety::{self, DISCLAIMER, DISCLAIMER_VERSION};
use backstretch_core::session::{Ending, SessionId};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{COUNT_HOLDS_FROM_S, StepKind, Timeline};
use backstretch_core::vocab::{Area, DoseStyle, Place, Word};
use backstretch_render::catalog::entry_json;
use backstretch_render::json::{PlanJson, history_rows, questions_json};
use serde::{Deserialize, Serialize};

use crate::error::{WebError, bad_json};
use crate::state::Shared;

/// A web session's process: none (the browser is not a process the server can watch).
fn no_process(_: u32) -> Option<bool> {
    None
}

/// A request body, at most [`crate::BODY_LIMIT`] bytes: a larger one is refused with 413 and
/// the API's JSON error.
#[derive(Debug)]
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Body, WebError> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|e| {
                let status = e.status();
                WebError {
                    status,
                    error: if status == StatusCode::PAYLOAD_TOO_LARGE {
                        format!(
                            "the request body is over the limit of {} bytes",
                            crate::BODY_LIMIT
                        )
                    } else {
                        e.body_text()
                    },
                    help: Some("send one profile, answer or step at a time".into()),
                    field: None,
                    gate: None,
                }
            })
    }
}

/// Parses a JSON body into `T`.
pub fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, WebError> {
    serde_json::from_slice(bytes).map_err(|e| bad_json(&e))
}

/// Words from a comma-separated list (`neck,lower-back`), each checked.
pub fn words<W: Word>(field: &str, list: &str) -> Result<Vec<W>, WebError> {
    let mut out = Vec::new();
    for w in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let v = W::parse_word(w)
            .map_err(|e| WebError::invalid(field, e.to_string(), format!("use {}", W::listed())))?;
        if !out.iter().any(|x: &W| x.as_str() == v.as_str()) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Exactly one word (`style=long`): none, or a list, is refused.
pub fn one_word<W: Word>(field: &str, text: &str) -> Result<W, WebError> {
    let mut v = words::<W>(field, text)?;
    match (v.pop(), v.is_empty()) {
        (Some(w), true) => Ok(w),
        _ => Err(WebError::invalid(
            field,
            format!("`{text}` is not one {}", W::WHAT),
            format!("give one of {}", W::listed()),
        )),
    }
}

/// A minutes value, within what the planner takes.
pub fn minutes(field: &str, m: u32) -> Result<u32, WebError> {
    let r = backstretch_core::plan::MINUTES;
    if r.contains(&m) {
        Ok(m)
    } else {
        Err(WebError::invalid(
            field,
            format!("{m} minutes is not a session length"),
            format!("give a number of minutes from {} to {}", r.start(), r.end()),
        ))
    }
}

/// A pain score, 0 to 10.
pub fn pain(field: &str, p: Option<i64>) -> Result<Option<u8>, WebError> {
    match p {
        None => Ok(None),
        Some(v @ 0..=10) => Ok(Some(v as u8)),
        Some(v) => Err(WebError::invalid(
            field,
            format!("{v} is not a pain score"),
            "give a whole number from 0 (no pain) to 10 (the worst)",
        )),
    }
}

/// The plan's overrides in a query: `?areas=neck,lower-back&places=bed&minutes=10&style=source`.
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

/// A query string the handler cannot read: 422 with serde's words.
fn bad_query(e: &axum::extract::rejection::QueryRejection) -> WebError {
    WebError::invalid(
        "query",
        e.body_text(),
        "use areas=, places= (comma-separated), minutes= and style=",
    )
}

pub async fn plan(
    State(s): State<Shared>,
    RawQuery(raw): RawQuery,
    q: Result<Query<PlanQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(|e| bad_query(&e))?;
    let o = q.overrides()?;
    let key = raw.unwrap_or_default();
    let shared = s.clone();
    s.run(move |app, catalog| {
        // A plan depends on the log, the profile, the catalogue (fixed while serving) and the
        // time: it is computed again when the log changes, or each minute.
        let marker = app.change_marker()?;
        let minute = app.now().utc_s.div_euclid(60);
        if let Some(m) = marker
            && let Some(json) = shared.cached_plan(&key, m, minute)
        {
            return Ok(json_text(&json));
        }
        let json: Arc<str> = serde_json::to_string(&PlanJson::new(&app.plan(catalog, &o, false)?))
            .map_err(|_| WebError::internal())?
            .into();
        if let Some(m) = marker {
            shared.keep_plan(key, m, minute, Arc::clone(&json));
        }
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

pub async fn history(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| {
        let sessions = app.sessions()?;
        Ok(Json(history_rows(&sessions, app.now(), no_process)).into_response())
    })
    .await
}

pub async fn stats(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| Ok(Json(app.stats(None)?).into_response()))
        .await
}

pub async fn profile(State(s): State<Shared>) -> Result<Response, WebError> {
    s.run(|app, _| Ok(Json(app.profile()?).into_response()))
        .await
}

/// A profile as the page and the API send it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    pub areas: Vec<String>,
    pub places: Vec<String>,
    pub minutes: u32,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub style: Option<String>,
}

impl ProfileBody {
    /// The profile, every value checked, over the one saved (what this form does not set is
    /// kept).
    pub fn profile(&self, old: Option<Profile>) -> Result<Profile, WebError> {
        let areas: Vec<Area> = words("areas", &self.areas.join(","))?;
        if areas.is_empty() {
            return Err(WebError::invalid(
                "areas",
                "choose at least one area",
                "pick where it hurts: the first you pick is planned for first",
            ));
        }
        let places: Vec<Place> = words("places", &self.places.join(","))?;
        if places.is_empty() {
            return Err(WebError::invalid(
                "places",
                "choose at least one place",
                "pick where you can stretch: floor, bed, chair or standing",
            ));
        }
        let mut p = old.unwrap_or_default();
        p.areas = areas;
        p.places = places;
        p.minutes = minutes("minutes", self.minutes)?;
        if let Some(g) = self.goal.as_deref().filter(|g| !g.is_empty()) {
            p.goal = g.parse::<Goal>().map_err(|e| {
                WebError::invalid(
                    "goal",
                    e.to_string(),
                    "use daily, or 3/week (1 to 6 a week)",
                )
            })?;
        }
        if let Some(st) = self.style.as_deref().filter(|s| !s.is_empty()) {
            p.style = one_word::<DoseStyle>("style", st)?;
        }
        Ok(p)
    }
}

#[derive(Debug, Serialize)]
struct ProfileSavedJson {
    profile: Profile,
    replaced: bool,
    screening_due: bool,
}

pub async fn put_profile(State(s): State<Shared>, Body(b): Body) -> Result<Response, WebError> {
    let b: ProfileBody = body(&b)?;
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

pub async fn catalog(State(s): State<Shared>) -> Response {
    let v: Vec<_> = s
        .catalog()
        .entries()
        .map(|e| entry_json(e, false))
        .collect();
    Json(v).into_response()
}

pub async fn exercise(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match s.catalog().get(&id) {
        Some(e) => Json(entry_json(e, true)).into_response(),
        None => WebError::not_found(format!("no exercise has the id `{id}`")).into_response(),
    }
}

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

/// Answers to the red-flag questions: the ids answered yes (every other asked is no).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningBody {
    #[serde(default)]
    pub yes: Vec<String>,
    /// The areas the check covers (default: the profile's).
    #[serde(default)]
    pub areas: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct VerdictJson {
    verdict: &'static str,
    message: String,
}

pub async fn screen(State(s): State<Shared>, Body(b): Body) -> Result<Response, WebError> {
    let b: ScreeningBody = body(&b)?;
    s.run(move |app, catalog| {
        let given = match &b.areas {
            Some(a) => Some(words::<Area>("areas", &a.join(","))?),
            None => None,
        };
        let areas = app.screening_areas(catalog, given.as_deref())?;
        let v = app.record_screening(&areas, &b.yes)?;
        Ok(Json(VerdictJson {
            verdict: v.level().as_str(),
            message: safety::verdict_message(&v),
        })
        .into_response())
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
    /// What each side means (`stretching your left hip`), by side.
    sides: Option<std::collections::BTreeMap<&'static str, String>>,
}

/// A session begun: what the player needs to play it, offline if need be.
#[derive(Debug, Serialize)]
pub struct Begun {
    /// The log's id of the session.
    pub id: i64,
    /// Pain before.
    pub pain_before: Option<u8>,
    /// The exercises.
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
    pub phases: std::collections::BTreeMap<&'static str, &'static str>,
    /// What to say when the session stops for spreading symptoms.
    pub spreading_stopped: &'static str,
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
                .map(|e| crate::pages::figure_url(e, false)),
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

pub async fn begin(State(s): State<Shared>, Body(b): Body) -> Result<Response, WebError> {
    let b: BeginBody = if b.is_empty() {
        BeginBody::default()
    } else {
        body(&b)?
    };
    let pain_before = pain("pain_before", b.pain_before)?;
    s.run(move |app, catalog| {
        let o = Overrides::default();
        let mut playable = app.planned(catalog, &o, false)?;
        if let Some(high) = app.high_pain(catalog, &o, &playable, pain_before)? {
            let refuse = |error: String, help: &str| WebError {
                status: StatusCode::CONFLICT,
                error,
                help: Some(help.into()),
                field: Some("pain_before".into()),
                gate: Some("high-pain"),
            };
            if !b.gentlest {
                return Err(refuse(high.message(), HighPain::ADVICE));
            }
            playable = high.gentlest.ok_or_else(|| {
                let (error, help) = HighPain::NOTHING_GENTLE;
                refuse(error.into(), help)
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
                items: play_items(app.exercise_views(catalog, &playable.items)),
                timeline,
                cues,
                notes: playable.notes.iter().map(ToString::to_string).collect(),
                stop_rule: safety::STOP_RULE,
                phases: StepKind::ALL
                    .into_iter()
                    .map(|k| (k.as_str(), Player::phase_word(k)))
                    .collect(),
                spreading_stopped: safety::SPREADING_STOPPED,
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
}

fn stamp(field: &str, text: &str) -> Result<Stamp, WebError> {
    Stamp::parse(text).map_err(|e| {
        WebError::invalid(
            field,
            e.to_string(),
            "give a time like 2026-11-22T09:30:00+01:00",
        )
    })
}

fn session_id(id: &str) -> Result<SessionId, WebError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(SessionId)
        .ok_or_else(|| WebError::not_found(format!("no session has the id `{id}`")))
}

#[derive(Debug, Serialize)]
struct Logged {
    logged: bool,
}

pub async fn step(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Body(b): Body,
) -> Result<Response, WebError> {
    let id = session_id(&id)?;
    let b: StepBody = body(&b)?;
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
    /// The whole summary in words, as the terminal says it.
    text: String,
}

pub async fn finish(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Body(b): Body,
) -> Result<Response, WebError> {
    let id = session_id(&id)?;
    let b: FinishBody = body(&b)?;
    let pain_after = pain("pain_after", b.pain_after)?;
    let ending = Ending::parse(&b.ending).ok_or_else(|| {
        WebError::invalid(
            "ending",
            format!("`{}` is not how a session ends", b.ending),
            "use completed or stopped",
        )
    })?;
    let at = stamp("at", &b.at)?;
    s.run(move |app, _| {
        let sum = app.finish(id, at, pain_after, ending)?;
        let text = backstretch_render::progress::summary_text(
            &backstretch_render::progress::SummaryView {
                ending: sum.ending.as_str(),
                done: sum.summary.done.len(),
                skipped: sum.summary.skipped.len(),
                hurt: &sum.summary.hurt,
                seconds: sum.summary.seconds,
                pain_before: sum.pain_before,
                pain_after: sum.pain_after,
                flare_rise: sum.flare_rise,
                see_clinician: sum.see_clinician,
                progress: &sum.progress,
            },
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
        })
        .into_response())
    })
    .await
}
