//! Errors as HTTP responses: the app's message and help, a status that says whose fault it
//! was, and never an internal detail on a 5xx.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backstretch_app::AppError;
use backstretch_store::StoreError;
use serde::Serialize;

/// An error for the web: status, message, what to do, and the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebError {
    /// The status.
    #[serde(skip)]
    pub status: StatusCode,
    /// What was wrong.
    pub error: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The form or JSON field it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Which gate stands (`disclaimer`, `screening`, `flagged`, `profile`), when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<&'static str>,
}

impl WebError {
    /// A value that is not valid: 422, with the field.
    pub fn invalid(field: &str, error: impl Into<String>, help: impl Into<String>) -> WebError {
        WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: error.into(),
            help: Some(help.into()),
            field: Some(field.to_string()),
            gate: None,
        }
    }

    /// Nothing by that id: 404.
    pub fn not_found(error: impl Into<String>) -> WebError {
        WebError {
            status: StatusCode::NOT_FOUND,
            error: error.into(),
            help: None,
            field: None,
            gate: None,
        }
    }

    /// Something went wrong inside: 500, with nothing of what.
    pub fn internal() -> WebError {
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "something went wrong on the server; nothing you sent was lost".into(),
            help: Some("try again; if it keeps happening, stop the server and run `backstretch history` in a terminal, which says what is wrong with the log".into()),
            field: None,
            gate: None,
        }
    }

    /// With a status.
    pub fn with_status(mut self, status: StatusCode) -> WebError {
        self.status = status;
        self
    }
}

fn gate_word(g: &backstretch_app::Gate) -> &'static str {
    match g {
        backstretch_app::Gate::Disclaimer => "disclaimer",
        backstretch_app::Gate::Screening { .. } => "screening",
        backstretch_app::Gate::Flagged { .. } => "flagged",
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        use miette::Diagnostic;
        let help = match &e {
            AppError::Store(StoreError::NotFound { .. }) => None,
            _ => e.help().map(|h| h.to_string()),
        };
        let (status, gate) = match &e {
            AppError::Store(StoreError::Busy { .. }) => (StatusCode::SERVICE_UNAVAILABLE, None),
            AppError::Store(StoreError::NotFound { .. }) => (StatusCode::NOT_FOUND, None),
            AppError::Store(_) | AppError::RedFlags(_) | AppError::ImportFailed(_) => {
                return WebError::internal();
            }
            AppError::GateNotPassed(g) => (StatusCode::CONFLICT, Some(gate_word(g))),
            AppError::NothingToPlanFor { .. } | AppError::NoProfile => {
                (StatusCode::CONFLICT, Some("profile"))
            }
            AppError::NothingToResume | AppError::UnknownSheet { .. } => {
                (StatusCode::NOT_FOUND, None)
            }
            AppError::StillRunning { .. } | AppError::NothingSafe { .. } => {
                (StatusCode::CONFLICT, None)
            }
            _ => (StatusCode::UNPROCESSABLE_ENTITY, None),
        };
        WebError {
            status,
            error: e.to_string(),
            help,
            field: None,
            gate,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status;
        (status, axum::Json(self)).into_response()
    }
}

/// A JSON body that is not valid: 422 with serde's words (which name the field and the
/// position), or 400 when it is not JSON at all.
pub fn bad_json(e: &serde_json::Error) -> WebError {
    let status = if e.is_syntax() || e.is_eof() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    WebError {
        status,
        error: format!("the request body is not valid: {e}"),
        help: Some("send JSON in the shape the API documents (see the README)".into()),
        field: None,
        gate: None,
    }
}
