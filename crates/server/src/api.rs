//! The server's HTTP API under `/api/v1/`, JSON in and out. Errors are `{error, help, field?}`
//! with a status that says whose fault it was. A device speaks with `Authorization: Bearer
//! TOKEN`; only the token's hash is kept.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use backstretch_core::event::Event;
use backstretch_core::time::Stamp;
use backstretch_store::accounts::Redeemed;
use backstretch_store::{StoreError, UserId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ServerStore;
use crate::link::{self, hash};

/// The largest request body taken: a page of events (a whole recorded session is a few
/// tens of kilobytes).
pub const BODY_LIMIT: usize = 8 << 20;
/// The most events one push or pull carries.
pub const MAX_PAGE: usize = 1000;
/// The most bytes of events one pull answers with (past the first event).
pub const PULL_BYTES: usize = 4 << 20;

/// Wrong codes one address may give before it waits.
pub const MAX_FAILURES: u32 = 5;
/// How long an address waits after [`MAX_FAILURES`] wrong codes (and the window they count in).
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// The server's state: the store, the clock, and the wrong codes per address.
#[derive(Clone)]
pub struct Api {
    store: Arc<dyn ServerStore>,
    clock: Arc<dyn Fn() -> Stamp + Send + Sync>,
    failures: Arc<Mutex<HashMap<IpAddr, (u32, Instant)>>>,
    /// `https` when the server speaks TLS, else `http`.
    scheme: &'static str,
    /// Wakes the mailer when new alerts are kept.
    wake: Arc<tokio::sync::Notify>,
    /// Whether every clinician must log in with a second factor.
    totp_required: bool,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").finish_non_exhaustive()
    }
}

impl Api {
    /// A server's state over `store`, telling the time with `clock`.
    pub fn new(store: Arc<dyn ServerStore>, clock: Arc<dyn Fn() -> Stamp + Send + Sync>) -> Api {
        Api {
            store,
            clock,
            failures: Arc::default(),
            scheme: "http",
            wake: Arc::default(),
            totp_required: false,
        }
    }

    /// What wakes the mailer: notified when new alerts are kept.
    pub fn wake(&self) -> Arc<tokio::sync::Notify> {
        self.wake.clone()
    }

    /// New alerts were kept: the mailer (if any) sends what they owe now.
    pub(crate) fn alerted(&self, new: usize) {
        if new > 0 {
            self.wake.notify_one();
        }
    }

    /// The same, where every clinician must set up a second factor (TOTP) before any
    /// patient's page (`backstretch server --require-totp`).
    #[must_use]
    pub fn with_totp_required(mut self, required: bool) -> Api {
        self.totp_required = required;
        self
    }

    /// Whether every clinician must log in with a second factor.
    pub(crate) fn totp_required(&self) -> bool {
        self.totp_required
    }

    /// The same, for a server that speaks TLS (its cookies are `Secure`, its forms come
    /// from `https://` pages).
    #[must_use]
    pub fn with_tls(mut self, tls: bool) -> Api {
        self.scheme = if tls { "https" } else { "http" };
        self
    }

    /// How clients reach it: `https` or `http`.
    pub(crate) fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// Runs a store call off the async workers.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn ServerStore, Stamp) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (store, now) = (self.store.clone(), (self.clock)());
        tokio::task::spawn_blocking(move || f(&*store, now))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    }

    /// How long `from` must wait before giving another code, if it must.
    pub(crate) fn locked_out(&self, from: IpAddr, now: Instant) -> Option<Duration> {
        let mut f = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        f.retain(|_, (_, since)| now.duration_since(*since) < LOCKOUT);
        f.get(&from)
            .filter(|(n, _)| *n >= MAX_FAILURES)
            .map(|(_, since)| LOCKOUT.saturating_sub(now.duration_since(*since)))
    }

    pub(crate) fn failed(&self, from: IpAddr, now: Instant) {
        let mut f = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        f.entry(from).or_insert((0, now)).0 += 1;
    }
}

/// What went wrong with a request.
#[derive(Debug)]
pub enum ApiError {
    /// The request cannot be used (422), naming the field.
    Invalid {
        field: &'static str,
        error: String,
        help: String,
    },
    /// No device token, or not a linked device's (401).
    Unauthorised,
    /// The device's person was erased from the server at their practice (410), then.
    Erased(Stamp),
    /// The code is not on offer (401).
    CodeRefused,
    /// The device belongs to another person's log (409).
    OtherPersons,
    /// Too many wrong codes from this address (429).
    TooMany(Duration),
    /// The events do not follow the device's series here (409): `code` says how.
    Sequence {
        code: &'static str,
        error: String,
        help: String,
    },
    /// The store failed (503 when busy or its database cannot be reached, else 500; the cause
    /// is logged).
    Store(StoreError),
    /// Something else failed (500, logged).
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Gap { after, .. } => ApiError::Sequence {
                code: "gap",
                error: e.to_string(),
                help: format!("send this device's events from {} on", after + 1),
            },
            StoreError::Diverged { .. } => ApiError::Sequence {
                code: "diverged",
                error: e.to_string(),
                help: "this device's log was restored from an older copy: it must take a new device id and send its events again".into(),
            },
            e => ApiError::Store(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, help, field) = match self {
            ApiError::Invalid { field, error, help } => {
                (StatusCode::UNPROCESSABLE_ENTITY, error, help, Some(field))
            }
            ApiError::Unauthorised => (
                StatusCode::UNAUTHORIZED,
                "this device is not linked to a log here".into(),
                "link it with `backstretch sync link URL CODE`, a code from `backstretch server user code NAME`".into(),
                None,
            ),
            ApiError::Erased(at) => (
                StatusCode::GONE,
                format!(
                    "the server no longer keeps this log: everything it held was erased at the practice's request on {}",
                    at.local().format("%a %-d %b %Y")
                ),
                "this device's own log is untouched; `backstretch sync unlink` stops it trying to sync (ask the practice for a new code to link again)".into(),
                None,
            ),
            ApiError::CodeRefused => (
                StatusCode::UNAUTHORIZED,
                "that code is not on offer: it is wrong, already used, or older than a day".into(),
                "ask for a new one: `backstretch server user code NAME` on the server".into(),
                Some("code"),
            ),
            ApiError::OtherPersons => (
                StatusCode::CONFLICT,
                "this device is linked to another person's log".into(),
                "unlink it there first (`backstretch sync unlink`)".into(),
                Some("device"),
            ),
            ApiError::Sequence { code, error, help } => {
                let body = json!({ "error": error, "help": help, "code": code });
                return (StatusCode::CONFLICT, Json(body)).into_response();
            }
            ApiError::TooMany(wait) => {
                let minutes = wait.as_secs().div_ceil(60);
                let body = json!({
                    "error": "too many wrong codes from this address",
                    "help": format!("try again in {minutes} minutes"),
                });
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, wait.as_secs().max(1).to_string())],
                    Json(body),
                )
                    .into_response();
            }
            ApiError::Store(StoreError::Busy { .. }) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy".into(),
                "try again in a moment".into(),
                None,
            ),
            ApiError::Store(StoreError::Unavailable { log, why }) => {
                tracing::warn!(log, why, "the database cannot be reached");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server cannot reach its database for now".into(),
                    "try again in a moment".into(),
                    None,
                )
            }
            ApiError::Store(e) => internal(&e.to_string()),
            ApiError::Internal(e) => internal(&e),
        };
        let mut body = json!({ "error": error, "help": help });
        if let Some(f) = field {
            body["field"] = json!(f);
        }
        (status, Json(body)).into_response()
    }
}

fn internal(cause: &str) -> (StatusCode, String, String, Option<&'static str>) {
    tracing::error!(cause, "request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the server could not answer".into(),
        "try again; if it goes on, the server's log says why".into(),
        None,
    )
}

/// A linked device, from its bearer token.
#[derive(Debug)]
pub struct Device {
    /// The person's log.
    pub user: UserId,
    /// The device's id.
    pub id: String,
}

impl FromRequestParts<Api> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Device, ApiError> {
        let token = bearer(&parts.headers).ok_or(ApiError::Unauthorised)?;
        let h = hash(token);
        let (user, id) = api
            .run(move |s, _| match s.device_for(&h)? {
                Some(found) => Ok(found),
                None => Err(s
                    .erased_device(&h)?
                    .map_or(ApiError::Unauthorised, ApiError::Erased)),
            })
            .await?;
        // A linked device's connection is not one of the few a single address may hold
        // unproven: many devices behind one proxy or NAT are each served.
        if let Some(proven) = parts.extensions.get::<backstretch_web::Proven>() {
            proven.prove();
        }
        Ok(Device { user, id })
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The server's routes.
pub fn router(api: Api) -> axum::Router {
    axum::Router::new()
        .route("/", get(crate::clinic_pages::front))
        .route("/login", post(crate::clinic_pages::login))
        .route(
            "/invite",
            get(crate::clinic_pages::invite_page).post(crate::clinic_pages::accept),
        )
        .route("/logout", post(crate::clinic_pages::logout))
        .route(
            "/login/code",
            get(crate::clinic_account::code_page).post(crate::clinic_account::login_code),
        )
        .route("/account", get(crate::clinic_account::account_page))
        .route("/account/totp", post(crate::clinic_account::offer))
        .route("/account/totp/on", post(crate::clinic_account::turn_on))
        .route("/account/totp/off", post(crate::clinic_account::turn_off))
        .route("/clinic", get(crate::clinic_pages::patients))
        .route("/clinic/patients", post(crate::clinic_pages::add_patient))
        .route("/clinic/patients/{id}", get(crate::clinic_pages::patient))
        .route(
            "/clinic/patients/{id}/code",
            post(crate::clinic_pages::patient_code),
        )
        .route(
            "/clinic/patients/{id}/charts/{file}",
            get(crate::clinic_pages::patient_chart),
        )
        .route(
            "/clinic/patients/{id}/export/{file}",
            get(crate::clinic_pages::patient_export),
        )
        .route(
            "/clinic/patients/{id}/share",
            post(crate::clinic_gdpr::share),
        )
        .route(
            "/clinic/patients/{id}/erase",
            post(crate::clinic_gdpr::erase),
        )
        .route(
            "/clinic/patients/{id}/alerts/{alert}/ack",
            post(crate::clinic_pages::ack_alert),
        )
        .route(
            "/clinic/patients/{id}/prescribe",
            get(crate::care_pages::prescribe_page).post(crate::care_pages::prescribe),
        )
        .route(
            "/clinic/patients/{id}/prescribe/preview",
            post(crate::care_pages::preview),
        )
        .route(
            "/clinic/patients/{id}/prescribe/sheet.pdf",
            post(crate::care_pages::sheet),
        )
        .route(
            "/clinic/patients/{id}/templates",
            post(crate::care_pages::save_template),
        )
        .route(
            "/clinic/patients/{id}/clear",
            post(crate::care_pages::clear),
        )
        .route(
            "/clinic/patients/{id}/messages",
            post(crate::care_pages::send_message),
        )
        .route(
            "/clinic/exercises",
            get(crate::care_pages::exercises_page).post(crate::care_pages::add_exercise),
        )
        .route("/clinic/figures/{id}", get(crate::care_pages::figure))
        .route(
            "/clinic/patients/{id}/quiet",
            post(crate::quiet_pages::set_quiet_days),
        )
        .route("/static/app.css", get(crate::clinic_pages::stylesheet))
        .route("/link", get(link_page))
        .route("/api/v1/link", post(link_device))
        .route("/api/v1/me", get(me))
        .route("/api/v1/unlink", post(unlink))
        .route("/api/v1/status", get(status))
        .route("/api/v1/push", post(push))
        .route("/api/v1/pull", get(pull))
        .route("/api/v1/digest", get(digest))
        .route("/api/v1/rename", post(rename))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(api)
}

/// `GET /link?code=`: where a link code's QR leads: how to link a device with it.
async fn link_page(
    headers: HeaderMap,
    q: Result<
        axum::extract::Query<HashMap<String, String>>,
        axum::extract::rejection::QueryRejection,
    >,
) -> impl IntoResponse {
    let code = q
        .ok()
        .and_then(|q| q.0.get("code").cloned())
        .map(|c| link::normalise(&c))
        .filter(|c| c.len() == link::CODE_LEN && c.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "CODE".into());
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("this-server");
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "To link a device to this log, run this on it:\n\n  backstretch sync link https://{host} {code}\n\n\
             (http:// when the server is on the same computer). The code works once, within a day.\n"
        ),
    )
}

/// `POST /api/v1/link`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkBody {
    code: String,
    device: String,
    name: String,
}

fn check_link(b: &LinkBody) -> Result<(), ApiError> {
    let invalid = |field, error: String, help: &str| ApiError::Invalid {
        field,
        error,
        help: help.into(),
    };
    if link::normalise(&b.code).len() != link::CODE_LEN {
        return Err(invalid(
            "code",
            format!("`{}` is not a link code", b.code),
            "give the 12 letters and digits the server printed, like 7KQ2-MZ4P-XW9D",
        ));
    }
    check_device_id(&b.device)?;
    if b.name.trim().is_empty() || b.name.chars().count() > 100 {
        return Err(invalid(
            "name",
            "a device's name must be 1 to 100 characters".into(),
            "name the device, like `laptop`",
        ));
    }
    Ok(())
}

fn check_device_id(id: &str) -> Result<(), ApiError> {
    let ok =
        (8..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        return Ok(());
    }
    Err(ApiError::Invalid {
        field: "device",
        error: format!("`{id}` is not a device id"),
        help: "send the device's id: 8 to 64 letters, digits or dashes".into(),
    })
}

async fn link_device(
    State(api): State<Api>,
    peer: Option<axum::Extension<backstretch_web::Peer>>,
    body: Result<Json<LinkBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body.map_err(|e| ApiError::Invalid {
        field: "body",
        error: e.body_text(),
        help: "send {\"code\", \"device\", \"name\"} as JSON".into(),
    })?;
    check_link(&b)?;
    let from = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.0.0);
    if let Some(wait) = api.locked_out(from, Instant::now()) {
        return Err(ApiError::TooMany(wait));
    }
    let linked = api
        .run(move |s, now| Ok(link::link(s, &b.code, &b.device, b.name.trim(), now)?))
        .await?;
    match linked {
        Ok(l) => Ok(Json(json!({ "token": l.token })).into_response()),
        Err(Redeemed::OtherPersons) => Err(ApiError::OtherPersons),
        Err(_) => {
            api.failed(from, Instant::now());
            Err(ApiError::CodeRefused)
        }
    }
}

/// `GET /api/v1/me`: the device, and every device of the person's log.
async fn me(State(api): State<Api>, d: Device) -> Result<Response, ApiError> {
    let user = d.user.clone();
    let devices = api.run(move |s, _| Ok(s.devices(&user)?)).await?;
    let devices: Vec<_> = devices
        .iter()
        .map(|x| {
            json!({
                "id": x.id,
                "name": x.name,
                "linked_at": x.linked_at.rfc3339(),
                "unlinked_at": x.unlinked_at.map(Stamp::rfc3339),
            })
        })
        .collect();
    Ok(Json(json!({ "device": d.id, "devices": devices })).into_response())
}

/// `POST /api/v1/unlink`: this device stops speaking for the log.
async fn unlink(State(api): State<Api>, d: Device) -> Result<Response, ApiError> {
    let unlinked = api
        .run(move |s, now| Ok(s.unlink(&d.user, &d.id, now)?))
        .await?;
    Ok(Json(json!({ "unlinked": unlinked })).into_response())
}

/// `GET /api/v1/status`: the last event of every device's series the server holds for the
/// person's log.
async fn status(State(api): State<Api>, d: Device) -> Result<Response, ApiError> {
    let user = d.user.clone();
    let heads = api.run(move |s, _| Ok(s.event_heads(&user)?)).await?;
    let heads: serde_json::Map<String, Value> = heads
        .into_iter()
        .map(|(dev, idx)| (dev, json!(idx)))
        .collect();
    Ok(Json(json!({ "device": d.id, "heads": heads })).into_response())
}

/// `POST /api/v1/push`: `{events}`, this device's own, in order from just past what the
/// server holds. Pushing what is already here changes nothing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PushBody {
    events: Vec<Event>,
}

async fn push(
    State(api): State<Api>,
    d: Device,
    body: Result<Json<PushBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body.map_err(|e| ApiError::Invalid {
        field: "events",
        error: e.body_text(),
        help: "send {\"events\": [...]}, this device's events in order".into(),
    })?;
    if b.events.len() > MAX_PAGE {
        return Err(ApiError::Invalid {
            field: "events",
            error: format!("{} events at once is more than {MAX_PAGE}", b.events.len()),
            help: format!("send at most {MAX_PAGE} events a request"),
        });
    }
    if let Some(e) = b.events.iter().find(|e| e.device != d.id) {
        return Err(ApiError::Invalid {
            field: "events",
            error: format!(
                "event {} is device {}'s, not this device's",
                e.idx, e.device
            ),
            help: "a device sends its own events; others' come from their devices".into(),
        });
    }
    let user = d.user.clone();
    let (n, raised) = api
        .run(move |s, now| {
            let n = s.apply(&user, &b.events)?;
            let mut raised = 0;
            // Only a clinician's patient has alerts: others' pushes skip the work (it about
            // doubles a push's time on SQLite).
            if n.applied > 0 && s.has_clinician(&user)? {
                // The push is kept whatever happens here; a failure is logged, and the
                // next push works the alerts out again.
                match crate::clinic::raise_alerts(s, &user, now) {
                    Ok(new) => raised = new.len(),
                    Err(e) => tracing::warn!(error = %e, "alerts were not worked out"),
                }
            }
            Ok((n, raised))
        })
        .await?;
    // The e-mails are sent by the mailer, never by the push.
    api.alerted(raised);
    Ok(Json(json!({ "applied": n.applied, "skipped": n.skipped })).into_response())
}

/// `GET /api/v1/pull?device=&after=&limit=`: a page of a device's series, in order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    device: String,
    after: u64,
    limit: Option<usize>,
}

async fn pull(
    State(api): State<Api>,
    d: Device,
    q: Result<axum::extract::Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let axum::extract::Query(q) = q.map_err(|e| ApiError::Invalid {
        field: "query",
        error: e.body_text(),
        help: "use device= (an id from status), after= (an index) and limit= (1 to 1000)".into(),
    })?;
    let limit = q.limit.unwrap_or(500);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::Invalid {
            field: "limit",
            error: format!("a page of {limit} events cannot be sent"),
            help: format!("give 1 to {MAX_PAGE}"),
        });
    }
    let user = d.user.clone();
    let mut events = api
        .run(move |s, _| Ok(s.events(&user, &q.device, q.after, limit)?))
        .await?;
    // An answer stays well under what a client reads at once, however large the sessions:
    // at least one event, then as many as fit; the client asks on from the last.
    let mut bytes = 0;
    let fit = events
        .iter()
        .take_while(|e| {
            bytes += serde_json::to_vec(e).map_or(0, |b| b.len());
            bytes <= PULL_BYTES
        })
        .count();
    events.truncate(fit.max(1));
    Ok(Json(json!({ "events": events })).into_response())
}

/// `GET /api/v1/digest`: the person's log, part by part, as `sync verify` compares it.
async fn digest(State(api): State<Api>, d: Device) -> Result<Response, ApiError> {
    let user = d.user.clone();
    let dg = api
        .run(move |s, _| Ok(backstretch_store::digest::digest(s, &user)?))
        .await?;
    Ok(Json(dg).into_response())
}

/// `POST /api/v1/rename {device}`: this device's log took a new id (it diverged: it was
/// restored from an older copy), and its token speaks for the new id from now on; the old
/// id stays, unlinked, with its events. An id the server has ever known is refused (409
/// `{code: "taken"}`); asking again for the id the token has changes nothing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    device: String,
}

async fn rename(
    State(api): State<Api>,
    d: Device,
    body: Result<Json<RenameBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body.map_err(|e| ApiError::Invalid {
        field: "body",
        error: e.body_text(),
        help: "send {\"device\"}: the log's new device id".into(),
    })?;
    check_device_id(&b.device)?;
    if b.device == d.id {
        return Ok(Json(json!({ "device": d.id })).into_response());
    }
    let to = b.device.clone();
    let moved = api
        .run(move |s, now| {
            s.move_link(&d.user, &d.id, &to, now).map_err(|e| match e {
                StoreError::Taken { .. } => ApiError::Sequence {
                    code: "taken",
                    error: format!("device id {to} is already known here"),
                    help: "take another new id".into(),
                },
                e => e.into(),
            })
        })
        .await?;
    if !moved {
        return Err(ApiError::Unauthorised);
    }
    Ok(Json(json!({ "device": b.device })).into_response())
}
