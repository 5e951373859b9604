//! What requests send, read and checked the same way for the API and the pages: bodies within
//! the size limit, JSON, words from the vocabulary, minutes, pain scores, times, session ids,
//! a page of the history, a profile, and HTML forms.

use axum::body::Bytes;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, FromRequest, Query};
use axum::http::StatusCode;
use backstretch_app::{App, AppError, HistoryPage};
use backstretch_core::profile::{Goal, Profile};
use backstretch_core::session::SessionId;
use backstretch_core::time::Stamp;
use backstretch_core::vocab::{Area, Condition, DoseStyle, EasedBy, Place, Word};
use backstretch_store::StoreError;
use serde::Deserialize;

use crate::error::{Unusable, WebError, bad_json};

/// The largest request body taken (a profile or a step is a few hundred bytes).
pub const BODY_LIMIT: usize = 16 * 1024;

/// A request body, at most [`BODY_LIMIT`] bytes: a larger one is refused with 413 and the
/// API's JSON error.
#[derive(Debug)]
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Body, WebError> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|e| {
                let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                WebError::BadRequest {
                    why: if too_large {
                        Unusable::TooLarge
                    } else {
                        Unusable::Unreadable
                    },
                    field: None,
                    message: if too_large {
                        format!("the request body is over the limit of {BODY_LIMIT} bytes")
                    } else {
                        e.body_text()
                    },
                    help: "send one profile, answer or step at a time".into(),
                }
            })
    }
}

/// Parses a JSON body into `T`.
pub fn json<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, WebError> {
    serde_json::from_slice(bytes).map_err(|e| bad_json(&e))
}

/// A query string read into `T`, or a 422 with serde's words and `takes`, what it takes.
pub fn query<T>(q: Result<Query<T>, QueryRejection>, takes: &str) -> Result<T, WebError> {
    q.map(|Query(t)| t)
        .map_err(|e| WebError::invalid("query", e.body_text(), takes))
}

/// Words from a comma-separated list (`neck,lower-back`), each checked, each once.
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

/// A pain score, 0 to 10 (none: not given).
pub fn pain(field: &str, p: Option<i64>) -> Result<Option<u8>, WebError> {
    match p {
        None => Ok(None),
        Some(v @ 0..=10) => Ok(u8::try_from(v).ok()),
        Some(v) => Err(WebError::invalid(
            field,
            format!("{v} is not a pain score"),
            "give a whole number from 0 (no pain) to 10 (the worst)",
        )),
    }
}

/// A time in RFC 3339, with its offset.
pub fn stamp(field: &str, text: &str) -> Result<Stamp, WebError> {
    Stamp::parse(text).map_err(|e| {
        WebError::invalid(
            field,
            e.to_string(),
            "give a time like 2026-11-22T09:30:00+01:00",
        )
    })
}

/// A session id from a path: anything but a positive number is a session that is not there.
pub fn session_id(id: &str) -> Result<SessionId, WebError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(SessionId)
        .ok_or_else(|| WebError::not_found(format!("no session has the id `{id}`")))
}

/// The most sessions one page of the history shows.
pub const MAX_PAGE: u32 = 1000;

/// `?before=ID&limit=N`: a page of the history, the latest first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// The page starts just before this session (the last page's `older`).
    pub before: Option<i64>,
    /// How many sessions, 1 to [`MAX_PAGE`].
    pub limit: Option<u32>,
}

impl HistoryQuery {
    /// The page asked for, `default` sessions long unless `limit` says otherwise.
    pub fn read(&self, app: &App<'_>, default: usize) -> Result<HistoryPage, WebError> {
        let limit = match self.limit {
            None => default,
            Some(n @ 1..=MAX_PAGE) => n as usize,
            Some(n) => {
                return Err(WebError::invalid(
                    "limit",
                    format!("a page of {n} sessions cannot be shown"),
                    format!("give 1 to {MAX_PAGE}"),
                ));
            }
        };
        app.history(self.before.map(SessionId), limit)
            .map_err(|e| match e {
                AppError::Store(StoreError::NotFound { .. }) => WebError::invalid(
                    "before",
                    format!(
                        "no session in this log has the id {}",
                        self.before.unwrap_or(0)
                    ),
                    "give the `older` id of the page before, or leave it out for the latest",
                ),
                e => e.into(),
            })
    }
}

/// A profile as the page and the API send it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// Where it hurts, the one that hurts most first.
    pub areas: Vec<String>,
    /// Where the person can stretch.
    pub places: Vec<String>,
    /// Minutes per session.
    pub minutes: u32,
    /// How often (`daily`, `3/week`); none keeps the saved goal.
    #[serde(default)]
    pub goal: Option<String>,
    /// The dose style; none keeps the saved one.
    #[serde(default)]
    pub style: Option<String>,
    /// Health conditions (an empty list clears them); none keeps the saved ones.
    #[serde(default)]
    pub conditions: Option<Vec<String>>,
    /// For lower-back pain, which movement eases it (`forward`, `back`, `neither`); none,
    /// or an empty text, keeps the saved answer.
    #[serde(default)]
    pub eased_by: Option<String>,
}

/// The words ticked for `field`, each checked: at least one.
fn chosen<W: Word>(field: &str, ticked: &[String], help: &str) -> Result<Vec<W>, WebError> {
    let v: Vec<W> = words(field, &ticked.join(","))?;
    if v.is_empty() {
        return Err(WebError::invalid(
            field,
            format!("choose at least one {}", W::WHAT),
            help,
        ));
    }
    Ok(v)
}

impl ProfileBody {
    /// The profile, every value checked, over the one saved (what this form does not set is
    /// kept).
    pub fn profile(&self, old: Option<Profile>) -> Result<Profile, WebError> {
        let mut p = old.unwrap_or_default();
        p.areas = chosen::<Area>(
            "areas",
            &self.areas,
            "pick where it hurts (the one that hurts most first)",
        )?;
        p.places = chosen::<Place>(
            "places",
            &self.places,
            "pick where you can stretch: floor, bed, chair or standing",
        )?;
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
        if let Some(c) = &self.conditions {
            p.conditions = words::<Condition>("conditions", &c.join(","))?;
        }
        if let Some(e) = self.eased_by.as_deref().filter(|e| !e.is_empty()) {
            p.eased_by = Some(one_word::<EasedBy>("eased_by", e)?);
        }
        Ok(p)
    }
}

/// An HTML form as name-value pairs, in order (check boxes repeat a name).
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

/// A form as a handler takes it: read, or why not.
pub type FormResult = Result<Form<Vec<(String, String)>>, FormRejection>;

impl Fields {
    /// The form sent, or a 422 (413 when too large) to show as a page.
    pub fn read(f: FormResult) -> Result<Fields, WebError> {
        match f {
            Ok(Form(pairs)) => Ok(Fields(pairs)),
            Err(e) => Err(WebError::BadRequest {
                why: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Unusable::TooLarge
                } else {
                    Unusable::Invalid
                },
                field: Some("form".into()),
                message: e.body_text(),
                help: "send the form from the page, as it is".into(),
            }),
        }
    }

    /// Every value given for `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The first value given for `name`.
    pub fn one(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}
