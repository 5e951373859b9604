//! Errors as HTTP responses: the app's message and help, a status that says whose fault it
//! was, and on a 5xx a generic answer, with the cause logged (`tracing`) and never sent.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backstretch_app::{AppError, Gate};
use backstretch_store::{SqliteError, StoreError};
use serde::Serialize;

/// Why something a request sent cannot be used, which sets the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// It cannot be read at all (a body that is not JSON): 400.
    Unreadable,
    /// It is over the size taken: 413.
    TooLarge,
    /// It reads, but a value is not valid: 422.
    Invalid,
}

/// Why the server refuses a request before any handler sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The device is not paired, or its pairing code is spent: 401.
    NotPaired,
    /// The request did not come from one of this server's pages: 403.
    ForeignOrigin,
    /// The `Host` is a name this server does not answer to: 421.
    OtherHost,
    /// Too many wrong pairing codes from this address: 429.
    TooManyAttempts,
}

/// An error for the web, by whose fault it is; each answers with a status and, as JSON or as
/// a page, what was wrong, what to do, and the field or gate it concerns.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WebError {
    /// Something the request sent cannot be used (400, 413 or 422), with the form or JSON
    /// field it concerns and what to send instead.
    #[error("{message}")]
    BadRequest {
        /// Why it cannot be used.
        why: Unusable,
        /// The field, when one is to blame.
        field: Option<String>,
        /// What was wrong.
        message: String,
        /// What to send instead.
        help: String,
    },
    /// A step the person has to take first (the disclaimer, the warning-sign check, a
    /// profile, or a choice at high pain): 409, with the gate's word so the page can lead there.
    #[error("{message}")]
    GateNotPassed {
        /// The gate's word: `disclaimer`, `screening`, `flagged`, `profile`, `high-pain`.
        gate: &'static str,
        /// The field whose value stopped it, if any.
        field: Option<&'static str>,
        /// What stands in the way.
        message: String,
        /// What the person can do.
        help: Option<String>,
    },
    /// Nothing here by that name or id: 404.
    #[error("{message}")]
    NotFound {
        /// What was not found.
        message: String,
        /// Where to look instead, if anywhere.
        help: Option<String>,
    },
    /// The request clashes with the state of the log (a session still running in a terminal,
    /// nothing in a routine safe to play): 409.
    #[error("{message}")]
    Conflict {
        /// What clashes.
        message: String,
        /// What to do.
        help: Option<String>,
    },
    /// The request is refused for who or where it came from (401, 403, 421).
    #[error("{message}")]
    Refused {
        why: Refusal,
        /// What was wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// A use case refused a value the request sent (422): the app's message and help, and
    /// the field of a reported step it found wrong (shared, so one failed commit can answer
    /// every step in it).
    #[error(transparent)]
    App(Arc<AppError>),
    /// The log stayed locked by another program: 503; the cause is logged, never sent.
    #[error("the log is busy: {0}")]
    Busy(String),
    /// The disk holding the log is full (507), or the log is read-only (503): what the
    /// terminal says, without the path; the cause is logged.
    #[error("{message}")]
    Storage {
        /// 507 for a full disk, 503 for a read-only log.
        full: bool,
        /// What is wrong.
        message: &'static str,
        /// What to do.
        help: &'static str,
        /// The cause, for the log.
        cause: String,
    },
    /// Something went wrong inside the server: 500; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The message of every 500: nothing of what went wrong.
const INTERNAL: &str = "something went wrong on the server; nothing you sent was lost";
const INTERNAL_HELP: &str = "try again; if it keeps happening, stop the server and run `backstretch history` in a terminal, which says what is wrong with the log";
/// The message of a 503 (the log stayed locked by another program).
const BUSY: &str = "the log is busy: another backstretch is writing to it";
const BUSY_HELP: &str = "try again in a moment";

/// The message of a 507: the terminal's, without the path.
const DISK_FULL: &str =
    "the disk holding your log is full, so nothing could be saved (what was saved before is safe)";
const DISK_FULL_HELP: &str = "free some space on that disk and try again";
/// The message of a 503 for a log that cannot be written.
const READ_ONLY: &str =
    "the log cannot be written: its folder or file is read-only, so nothing could be saved";
const READ_ONLY_HELP: &str =
    "make the data directory writable by you, then restart `backstretch serve`";

/// What the person is told, as the API sends it and a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Told {
    /// What was wrong.
    pub error: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The form or JSON field it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Which gate stands (`disclaimer`, `screening`, `flagged`, `profile`, `high-pain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<&'static str>,
}

impl WebError {
    /// A value that is not valid: 422, with the field and what to send instead.
    pub fn invalid(field: &str, message: impl Into<String>, help: impl Into<String>) -> WebError {
        WebError::BadRequest {
            why: Unusable::Invalid,
            field: Some(field.to_string()),
            message: message.into(),
            help: help.into(),
        }
    }

    /// Nothing by that name or id: 404.
    pub fn not_found(message: impl Into<String>) -> WebError {
        WebError::NotFound {
            message: message.into(),
            help: None,
        }
    }

    /// A failure inside the server, with its cause for the log: 500.
    pub fn internal(cause: impl std::fmt::Display) -> WebError {
        WebError::Internal(cause.to_string())
    }

    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest { why, .. } => match why {
                Unusable::Unreadable => StatusCode::BAD_REQUEST,
                Unusable::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Unusable::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            },
            WebError::GateNotPassed { .. } | WebError::Conflict { .. } => StatusCode::CONFLICT,
            WebError::NotFound { .. } => StatusCode::NOT_FOUND,
            WebError::Refused { why, .. } => match why {
                Refusal::NotPaired => StatusCode::UNAUTHORIZED,
                Refusal::ForeignOrigin => StatusCode::FORBIDDEN,
                Refusal::OtherHost => StatusCode::MISDIRECTED_REQUEST,
                Refusal::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            },
            WebError::App(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Storage { full: true, .. } => StatusCode::INSUFFICIENT_STORAGE,
            WebError::Storage { full: false, .. } => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The field it concerns, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            WebError::BadRequest { field, .. } => field.as_deref(),
            WebError::GateNotPassed { field, .. } => *field,
            WebError::App(e) => step_field(e),
            _ => None,
        }
    }

    /// What the person is told: on a 5xx, a generic message and nothing of the cause.
    pub fn told(&self) -> Told {
        let generic = |error: &str, help: &str| Told {
            error: error.into(),
            help: Some(help.into()),
            field: None,
            gate: None,
        };
        let (help, gate) = match self {
            WebError::Busy(_) => return generic(BUSY, BUSY_HELP),
            WebError::Storage { message, help, .. } => return generic(message, help),
            WebError::Internal(_) => return generic(INTERNAL, INTERNAL_HELP),
            WebError::BadRequest { help, .. } | WebError::Refused { help, .. } => {
                (Some(help.clone()), None)
            }
            WebError::GateNotPassed { gate, help, .. } => (help.clone(), Some(*gate)),
            WebError::NotFound { help, .. } | WebError::Conflict { help, .. } => {
                (help.clone(), None)
            }
            WebError::App(e) => (app_help(e), None),
        };
        Told {
            error: self.to_string(),
            help,
            field: self.field().map(str::to_string),
            gate,
        }
    }

    /// Logs the cause of a 5xx; nothing for the person's own mistakes.
    pub fn log(&self) {
        if let WebError::Busy(cause) | WebError::Internal(cause) | WebError::Storage { cause, .. } =
            self
        {
            tracing::error!(status = self.status().as_u16(), %cause, "request failed");
        }
    }
}

/// An error and each of its sources, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn gate_word(g: &Gate) -> &'static str {
    match g {
        Gate::Disclaimer => "disclaimer",
        Gate::Screening { .. } => "screening",
        Gate::Flagged { .. } => "flagged",
    }
}

/// The field of a reported step that the app found wrong.
fn step_field(e: &AppError) -> Option<&'static str> {
    match e {
        AppError::NoSuchStep { .. } => Some("step"),
        AppError::TooLong { .. } => Some("done_ms"),
        AppError::InTheFuture(_) => Some("at"),
        _ => None,
    }
}

/// What to do about an error of the app, as the web says it: the page to open, what to
/// send. The terminal words the same remedies as commands.
fn app_help(e: &AppError) -> Option<String> {
    use backstretch_app::Remedy as R;
    let text = match e.remedy()? {
        R::ChooseAnExercise(s) if !s.is_empty() => {
            let names: Vec<String> = s
                .iter()
                .map(|(id, name)| format!("{id} ({name})"))
                .collect();
            return Some(format!("did you mean {}?", names.join(", ")));
        }
        R::ChooseAnExercise(_) => "the Exercises page lists every exercise",
        R::AnswerKnownQuestions(known) => {
            return Some(format!("answer only the questions asked: {known}"));
        }
        R::CheckTheLog | R::ImportAgain | R::WriteElsewhere => {
            "try again; if it keeps happening, the terminal's `backstretch history` says what is wrong with the log"
        }
        R::GiveAreasAndPlaces | R::SaveAProfile => {
            "choose your areas and places on the Profile page"
        }
        R::FixTheMoment => "a moment needs a name, places, 1 to 180 minutes and a time",
        R::ChooseAMoment(known) if known.is_empty() => {
            "your profile has no moments of the day; add them in the terminal with `backstretch profile moment add`"
        }
        R::ChooseAMoment(known) => {
            return Some(format!("choose one of your moments: {}", known.join(", ")));
        }
        R::FixTheRequest => "check the values sent against the API's description",
        R::WidenTheRequest => "allow another place, or choose another area, on the Profile page",
        R::MoreMinutes => "ask for more minutes on the Profile page",
        R::AcceptTheDisclaimer => "read and accept the disclaimer on the first page",
        R::AskYourClinician => {
            "ask your clinician to record it in the clinic; it reaches this device at the next sync"
        }
        R::WriteAShortMessage => "write 1 to 2000 characters",
        R::ScoreUpToThreeActivities => {
            "name 1 to 3 activities, each with a whole score from 0 (unable) to 10 (as before the problem)"
        }
        R::LinkToAPractice => {
            "link this log to your practice in a terminal: `backstretch sync link ADDRESS CODE`"
        }
        R::AnswerTheCheck => "answer the warning-sign questions on the Check page",
        R::CheckAgainWhenClear {
            emergency: true, ..
        } => {
            "seek emergency care now; once you have been assessed, answer the Check page again: it asks about that first"
        }
        R::CheckAgainWhenClear {
            clinic: true,
            clearable,
            ..
        } if !clearable.is_empty() => {
            "when the signs are gone, answer the Check page again; once your clinician has checked it, they can clear you in the clinic, and it lifts here at the next sync"
        }
        R::CheckAgainWhenClear { clearable, .. } if !clearable.is_empty() => {
            "when the signs are gone, answer the Check page again; if a clinician has cleared you to stretch, record it on the Check page"
        }
        R::CheckAgainWhenClear { .. } => "when the signs are gone, answer the Check page again",
        R::AnswerEveryQuestion => "answer every question yes or no",
        R::SeekEmergencyCare => {
            "seek emergency care now; when the sign has gone, answer the Check page again"
        }
        R::FixTheRoutine | R::PlanANewRoutine => "open Today for a new routine",
        R::StartANewSession => "open Today and press Start for a new session",
        R::FinishItThere => {
            "finish or stop it where it plays, or wait a minute if it was just closed"
        }
        R::NameWhatWasDone
        | R::NameOnlyTheRoutines
        | R::NameItHurtOnly
        | R::RateOnlyWhatWasDone => "name only exercises of the routine, each once",
        R::CheckTheSheetCode => "check the 8 letters and digits in the sheet's top right corner",
        R::LogWhatHappened => "check the device's clock: log only what has happened",
        R::ReportTheTimeline => {
            "report steps by their index in the session's timeline, from 0, with the milliseconds actually spent"
        }
        R::ImportAnExport | R::UpgradeOrExportAgain | R::FixTheImport => {
            "import a file that backstretch exported"
        }
    };
    Some(text.to_string())
}

impl From<AppError> for WebError {
    /// The app's error by whose fault it is: the log's failures are 5xx, a gate or a clash
    /// 409, what is not there 404, and a value the app refused 422.
    fn from(e: AppError) -> WebError {
        let message = e.to_string();
        match &e {
            AppError::Store(StoreError::Busy { .. }) => WebError::Busy(chain(&e)),
            AppError::Store(StoreError::NotFound { .. }) => WebError::not_found(message),
            AppError::Store(StoreError::Backend(b))
                if b.downcast_ref::<SqliteError>().is_some_and(|s| {
                    matches!(
                        s,
                        SqliteError::DiskFull { .. } | SqliteError::ReadOnly { .. }
                    )
                }) =>
            {
                let full = matches!(
                    b.downcast_ref::<SqliteError>(),
                    Some(SqliteError::DiskFull { .. })
                );
                WebError::Storage {
                    full,
                    message: if full { DISK_FULL } else { READ_ONLY },
                    help: if full { DISK_FULL_HELP } else { READ_ONLY_HELP },
                    cause: chain(&e),
                }
            }
            AppError::Store(_) | AppError::RedFlags(_) | AppError::ImportFailed(_) => {
                WebError::Internal(chain(&e))
            }
            AppError::GateNotPassed(g) => WebError::GateNotPassed {
                gate: gate_word(g),
                field: None,
                help: app_help(&e),
                message,
            },
            AppError::NothingToPlanFor { .. } | AppError::NoProfile => WebError::GateNotPassed {
                gate: "profile",
                field: None,
                help: app_help(&e),
                message,
            },
            AppError::Unanswered { .. } | AppError::NotAsked { .. } => WebError::BadRequest {
                why: Unusable::Invalid,
                field: Some("answers".into()),
                help: app_help(&e).unwrap_or_default(),
                message,
            },
            AppError::NothingToResume | AppError::UnknownSheet { .. } => WebError::NotFound {
                help: app_help(&e),
                message,
            },
            AppError::StillRunning { .. } | AppError::NothingSafe { .. } => WebError::Conflict {
                help: app_help(&e),
                message,
            },
            _ => WebError::App(Arc::new(e)),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        (self.status(), axum::Json(self.told())).into_response()
    }
}

/// A JSON body that is not valid: 422 with serde's words (which name the field and the
/// position), or 400 when it is not JSON at all.
pub fn bad_json(e: &serde_json::Error) -> WebError {
    WebError::BadRequest {
        why: if e.is_syntax() || e.is_eof() {
            Unusable::Unreadable
        } else {
            Unusable::Invalid
        },
        field: None,
        message: format!("the request body is not valid: {e}"),
        help: "send JSON in the shape the API documents (see the README)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_error_tells_nothing_of_its_cause() {
        let e = WebError::internal("disk I/O error in /home/me/.local/backstretch.sqlite");
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let told = e.told();
        assert_eq!(told.error, INTERNAL);
        assert!(!format!("{told:?}").contains("sqlite"));
        let busy = WebError::from(AppError::Store(StoreError::Busy {
            log: "/home/me/log.sqlite".into(),
        }));
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(!format!("{:?}", busy.told()).contains("/home"));
    }

    /// Regression: a full disk answered a generic 500 whose help pointed to `history`.
    #[test]
    fn a_full_disk_answers_507_with_what_to_do() {
        let e = WebError::from(AppError::Store(StoreError::Backend(Box::new(
            SqliteError::DiskFull {
                path: "/home/me/backstretch.sqlite".into(),
            },
        ))));
        assert_eq!(e.status(), StatusCode::INSUFFICIENT_STORAGE);
        let told = e.told();
        assert!(
            told.error.contains("disk holding your log is full"),
            "{told:?}"
        );
        let help = told.help.unwrap();
        assert!(help.contains("free some space") && !help.contains("history"));
        assert!(!told.error.contains("/home"));
        let ro = WebError::from(AppError::Store(StoreError::Backend(Box::new(
            SqliteError::ReadOnly {
                dir: "/home/me".into(),
            },
        ))));
        assert_eq!(ro.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(ro.told().help.unwrap().contains("writable"));
    }

    #[test]
    fn a_bad_value_names_its_field_and_what_to_send() {
        let told = WebError::invalid(
            "minutes",
            "0 minutes is not a session length",
            "give 1 to 180",
        )
        .told();
        assert_eq!(told.field.as_deref(), Some("minutes"));
        assert_eq!(told.help.as_deref(), Some("give 1 to 180"));
        assert_eq!(told.gate, None);
    }
}
