//! The router: every page, the JSON API and the app shell behind one guard (host names,
//! pairing, `Origin`) and one set of security headers.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;

use crate::error::{Refusal, Unusable, WebError};
use crate::input::BODY_LIMIT;
use crate::server::REQUEST_TIMEOUT;
use crate::slots::Proven;
use crate::state::Shared;
use crate::{api, assets, pages, pair};

/// The Content-Security-Policy of every page: scripts and styles from the server only, never
/// inline; nothing framed; forms post back to the server only.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The router over shared state: every page, the API and the app shell, behind the host,
/// pairing and origin checks.
pub fn router(s: Shared) -> Router {
    let api = Router::new()
        .route("/plan", get(api::plan))
        .route("/history", get(api::history))
        .route("/stats", get(api::stats))
        .route("/reminder", get(api::reminder))
        .route("/profile", get(api::profile).put(api::put_profile))
        .route("/catalog", get(api::catalog))
        .route("/catalog/{id}", get(api::exercise))
        .route("/safety", get(api::safety).post(api::screen))
        .route("/safety/check", get(api::check_questions))
        .route("/safety/clear", post(api::clear))
        .route("/safety/spreading", post(api::spreading))
        .route(
            "/disclaimer",
            get(api::disclaimer).post(api::accept_disclaimer),
        )
        .route("/sessions", post(api::begin))
        .route("/sessions/{id}/steps", post(api::step))
        .route("/sessions/{id}/finish", post(api::finish))
        .fallback(|| async { WebError::not_found("there is no such API route; see the README") });
    Router::new()
        .route("/", get(pages::today::root))
        .route(
            "/welcome",
            get(pages::first_run::welcome).post(pages::first_run::accept),
        )
        .route(
            "/check",
            get(pages::first_run::check).post(pages::first_run::checked),
        )
        .route("/check/clear", post(pages::first_run::cleared))
        .route(
            "/profile",
            get(pages::profile::profile).post(pages::profile::save_profile),
        )
        .route("/today", get(pages::today::today))
        .route("/followup", post(pages::today::followup))
        .route("/play", get(pages::play::play))
        .route("/history", get(pages::history::history))
        .route(
            "/messages",
            get(pages::messages::messages).post(pages::messages::send),
        )
        .route("/progress", get(pages::history::progress))
        .route("/exercises", get(pages::exercises::exercises))
        .route("/exercises/{id}", get(pages::exercises::exercise))
        .route("/figures/{file}", get(pages::exercises::figure_svg))
        .route("/charts/{file}", get(pages::history::chart))
        .route(
            "/print",
            get(pages::print::print).post(pages::print::print_sheet),
        )
        .route("/calendar.ics", get(api::calendar))
        .route("/pair", get(pages::pair::pair))
        .route("/pair/trust", get(pages::pair::trust))
        .route(pages::pair::AUTHORITY_URL, get(pages::pair::authority))
        .route("/static/{file}", get(assets::file))
        .route("/sw.js", get(assets::service_worker))
        .route("/manifest.webmanifest", get(assets::manifest))
        .nest("/api", api)
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(s.clone(), guard))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn(security_headers))
        .with_state(s)
}

fn refuse(why: Refusal, message: String, help: &str) -> Response {
    WebError::Refused {
        why,
        message,
        help: help.into(),
    }
    .into_response()
}

/// The checks before any handler:
/// - the `Host` must be one this server answers to (a page elsewhere that points its own
///   name at 127.0.0.1 cannot read the log);
/// - on `--lan`, the device must be paired (401), except to pair;
/// - a request that changes something must come from one of this server's pages (`Origin`,
///   403); on `--lan` it must say so.
async fn guard(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let origins = &s.0.origins;
    let Some(host) = req.headers().get(header::HOST) else {
        return WebError::BadRequest {
            why: Unusable::Unreadable,
            field: Some("Host".into()),
            message: "the request has no Host header".into(),
            help: "send the Host header with the address `backstretch serve` printed (every browser does)".into(),
        }
        .into_response();
    };
    let host = host.to_str().unwrap_or_default();
    if !origins
        .iter()
        .any(|o| o.split_once("://").is_some_and(|(_, h)| h == host))
    {
        return refuse(
            Refusal::OtherHost,
            "this server does not answer to that name".into(),
            "open the address `backstretch serve` printed",
        );
    }
    // Pairing, the authority to trust and the stylesheet are for strangers too.
    let open = matches!(
        req.uri().path(),
        "/pair" | pages::pair::AUTHORITY_URL | "/static/app.css"
    );
    if let Some(pairing) = &s.0.pairing
        && !open
    {
        let token = req
            .headers()
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .and_then(pair::cookie_token);
        let now = s.now();
        let seen = token.map_or(pair::Seen::Stranger, |t| pairing.seen(t, now));
        if seen == pair::Seen::PairedSeenDue
            && let Some(t) = token
        {
            // The last-seen time, at most once a minute, off the async workers.
            let (pairing, token) = (pairing.clone(), t.to_string());
            tokio::task::spawn_blocking(move || {
                if let Err(e) = pairing.record_seen(&token, now) {
                    tracing::warn!(error = %e, "cannot keep a device's last-seen time");
                }
            });
        }
        if seen == pair::Seen::Stranger {
            // A browser opening a page gets the steps to pair; the API answers in JSON.
            let page = req.method() == Method::GET
                && !req.uri().path().starts_with("/api/")
                && req
                    .headers()
                    .get(header::ACCEPT)
                    .and_then(|a| a.to_str().ok())
                    .is_some_and(|a| a.contains("text/html"));
            if page {
                return pages::pair::unpaired_page();
            }
            return refuse(
                Refusal::NotPaired,
                "this device is not paired with backstretch".into(),
                "scan the code `backstretch serve --lan` shows in its terminal (press Enter there for a new one)",
            );
        }
    }
    // A connection that carried an allowed request is kept when the server is full.
    if let Some(proven) = req.extensions().get::<Proven>() {
        proven.prove();
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok());
        let ok = match origin {
            Some(o) => origins.iter().any(|x| x == o),
            None => s.0.pairing.is_none(),
        };
        if !ok {
            return refuse(
                Refusal::ForeignOrigin,
                format!(
                    "this request did not come from a backstretch page (it came from {})",
                    origin.unwrap_or("an unnamed origin")
                ),
                "use the pages `backstretch serve` serves",
            );
        }
    }
    next.run(req).await
}

/// Headers on every response: the CSP (unless the page set its own), no sniffing, no
/// framing, no referrer beyond the server, and no caching of health data by the browser's HTTP cache.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: with no referrer at all, a form posts `Origin: null`.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}
