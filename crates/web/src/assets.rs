//! The app shell, served from the binary: one stylesheet, two scripts, the service worker,
//! the web app manifest and an icon. No build step.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// The stylesheet every page uses (the sync server's clinic pages too).
pub const STYLESHEET: &str = include_str!("assets/app.css");

/// The static files, by name: (name, content type, text).
pub const FILES: [(&str, &str, &str); 5] = [
    ("app.css", "text/css; charset=utf-8", STYLESHEET),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    (
        "player.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/player.js"),
    ),
    ("icon.svg", "image/svg+xml", include_str!("assets/icon.svg")),
    (
        "offline.html",
        "text/html; charset=utf-8",
        include_str!("assets/offline.html"),
    ),
];

/// The service worker (served from the root, so its scope is the whole app).
pub const SERVICE_WORKER: &str = include_str!("assets/sw.js");
/// The web app manifest.
pub const MANIFEST: &str = include_str!("assets/manifest.webmanifest");

fn typed(kind: &'static str, text: &'static str, cache: &'static str) -> Response {
    let mut r = (StatusCode::OK, text).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// A static file by name, or 404.
pub async fn file(Path(name): Path<String>) -> Result<Response, WebError> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, kind, text)| typed(kind, text, "no-cache"))
        .ok_or_else(|| WebError::not_found(format!("no file called `{name}`")))
}

/// The service worker, from the root so that its scope is the whole app.
pub async fn service_worker() -> Response {
    typed("text/javascript; charset=utf-8", SERVICE_WORKER, "no-cache")
}

/// The web app manifest.
pub async fn manifest() -> Response {
    typed("application/manifest+json", MANIFEST, "no-cache")
}
