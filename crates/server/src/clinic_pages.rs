//! The clinic's pages: the front page's login, the invitation that sets a password, logging
//! out, and the clinician's patients. Plain HTML forms (maud escapes every value), the
//! patient pages' stylesheet, no script. A clinician's session is a cookie that is
//! `HttpOnly` and `SameSite=Strict` (and `Secure` when the server speaks TLS); every form
//! that changes something is refused unless its `Origin` is this server's own.

use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use backstretch_core::time::Stamp;
use backstretch_store::clinic::Clinician;
use backstretch_store::{Order, StoreError, UserId};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::api::{Api, ApiError};
use crate::clinic::{self, LOCK_S, Login, MAX_FAILURES, SESSION_LIFETIME_S};
use crate::link::{Code, PeopleError};

/// Passwords hashed or checked at once, at most: each takes 19 MiB and some tens of
/// milliseconds of a core, so a flood of logins waits here rather than taking the machine.
pub(crate) static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The session cookie's name.
pub(crate) const COOKIE: &str = "backstretch_clinic";

/// The pages' Content-Security-Policy: the stylesheet, forms to this server, nothing else.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

/// A page: the clinic's heading and menu (with the clinician and a log out button when one
/// is logged in), the title, the body.
fn frame(title: &str, who: Option<&Clinician>, body: &Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · backstretch clinic" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header {
                    a.brand href="/" { "backstretch clinic" }
                    @if let Some(c) = who {
                        nav aria-label="Clinic" {
                            a href="/clinic" { "Patients" }
                            " "
                            a href="/clinic/exercises" { "Practice exercises" }
                            " "
                            a href="/account" { "Your account" }
                        }
                        form.logout method="post" action="/logout" {
                            span { (c.email) " " }
                            button type="submit" { "Log out" }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page response, never cached, with the clinic's headers.
pub(crate) fn page(
    status: StatusCode,
    title: &str,
    who: Option<&Clinician>,
    body: &Markup,
) -> Response {
    let mut r = (status, frame(title, who, body)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // An invitation's code is in its address: it must not leave in a Referer to another
    // site. (Not `no-referrer`: with it, browsers send `Origin: null` on this server's own
    // forms, which the Origin check must then refuse.)
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `GET /static/app.css`.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        backstretch_web::STYLESHEET,
    )
        .into_response()
}

/// The session token in the request's cookie.
pub(crate) fn token(headers: &HeaderMap) -> Option<String> {
    cookie_token(headers, COOKIE)
}

/// The token in the request's cookie `name`.
pub(crate) fn cookie_token(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
}

/// The clinician logged in, if any.
pub(crate) async fn who(
    api: &Api,
    headers: &HeaderMap,
) -> Result<Option<(String, Clinician)>, ApiError> {
    let Some(token) = token(headers) else {
        return Ok(None);
    };
    let t = token.clone();
    let c = api
        .run(move |s, now| Ok(clinic::session(s, &t, now)?))
        .await?;
    Ok(c.map(|c| (token, c)))
}

/// Whether a form came from this server's own pages: its `Origin` is this server's.
fn same_origin(scheme: &str, headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin == format!("{scheme}://{host}"),
        _ => false,
    }
}

fn cross_site() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Refused",
        None,
        &html! {
            p { "This form was not sent from this server's own page, so it was refused." }
            p { a href="/" { "Go to the login page" } " and send it from there." }
        },
    )
}

pub(crate) fn session_cookie(scheme: &str, token: &str, max_age: i64) -> HeaderValue {
    cookie(COOKIE, scheme, token, max_age)
}

/// A cookie `name` that no script reads and no other site's page sends.
pub(crate) fn cookie(name: &str, scheme: &str, token: &str, max_age: i64) -> HeaderValue {
    let secure = if scheme == "https" { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Logged in: to the patients, with the session's cookie.
pub(crate) fn logged_in(scheme: &str, token: &str) -> Response {
    let mut r = Redirect::to("/clinic").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(scheme, token, SESSION_LIFETIME_S),
    );
    r
}

pub(crate) fn peer(p: Option<&axum::Extension<backstretch_web::Peer>>) -> String {
    p.map_or_else(|| "unknown".into(), |p| p.0.0.to_string())
}

pub(crate) fn login_form(email: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            p.error role="alert" { (e) }
        }
        form.stack method="post" action="/login" {
            label for="email" { "E-mail address" }
            input #email type="email" name="email" value=(email) autocomplete="username" required;
            label for="password" { "Password" }
            input #password type="password" name="password" autocomplete="current-password" required;
            button.primary type="submit" { "Log in" }
        }
        p {
            "A clinician's account starts with the invitation link the server's operator "
            "sends (" code { "backstretch server clinician add EMAIL" } ")."
        }
        h2 { "Linking a patient's device" }
        p {
            "A patient links a device with the code they were given: "
            code { "backstretch sync link ADDRESS CODE" } " on it."
        }
    }
}

/// `GET /`: the clinician's login (or their patients, when logged in).
pub async fn front(State(api): State<Api>, headers: HeaderMap) -> Result<Response, ApiError> {
    if who(&api, &headers).await?.is_some() {
        return Ok(Redirect::to("/clinic").into_response());
    }
    Ok(page(
        StatusCode::OK,
        "Clinician login",
        None,
        &login_form("", None),
    ))
}

/// Why an address that keeps getting logins wrong must wait, while it must.
pub(crate) fn address_waits(api: &Api, ip: Option<std::net::IpAddr>) -> Option<String> {
    let wait = api.locked_out(ip?, std::time::Instant::now())?;
    Some(format!(
        "Too many failed logins from this address: try again in {} minutes.",
        wait.as_secs().div_ceil(60)
    ))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// `POST /login`.
pub async fn login(
    State(api): State<Api>,
    _: SameOrigin,
    Public(scheme): Public,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Form(f): Form<LoginForm>,
) -> Result<Response, ApiError> {
    let from = peer(p.as_ref());
    let email = f.email.trim().to_string();
    // An address that keeps getting logins wrong waits, whichever accounts it tries.
    let ip = p.as_ref().map(|p| p.0.0);
    if let Some(text) = address_waits(&api, ip) {
        return Ok(page(
            StatusCode::TOO_MANY_REQUESTS,
            "Clinician login",
            None,
            &login_form(&email, Some(&text)),
        ));
    }
    let (e, pw, at) = (email.clone(), f.password, from.clone());
    let permit = HASHING.acquire().await;
    let answer = api
        .run(move |s, now| Ok(clinic::login(s, &e, &pw, now, &at)?))
        .await?;
    drop(permit);
    if !matches!(answer, Login::In { .. })
        && let Some(ip) = ip
    {
        api.failed(ip, std::time::Instant::now());
    }
    let refused = |status, text: String| {
        page(
            status,
            "Clinician login",
            None,
            &login_form(&email, Some(&text)),
        )
    };
    Ok(match answer {
        Login::In { token, .. } => logged_in(scheme, &token),
        Login::Code(waiting) => crate::clinic_account::ask_code(scheme, &waiting),
        Login::Refused | Login::Expired => refused(
            StatusCode::UNAUTHORIZED,
            format!(
                "That e-mail address and password do not match an account here. Check both and \
                 try again; after {MAX_FAILURES} failures in a row the account is locked for {} minutes.",
                LOCK_S / 60
            ),
        ),
        Login::Locked(until) => refused(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "This account is locked until {} after {MAX_FAILURES} failed logins in a row. Try \
                 again then, or ask the server's operator for a new invitation, which sets a new \
                 password.",
                until.local().format("%H:%M")
            ),
        ),
    })
}

#[derive(Debug, Deserialize)]
pub struct InviteQuery {
    code: Option<String>,
}

fn spent() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Invitation",
        None,
        &html! {
            p { "This invitation link has been used or has expired (it works once, for a week)." }
            p {
                "Ask the server's operator for a new one: "
                code { "backstretch server clinician invite EMAIL" } "."
            }
        },
    )
}

fn password_form(code: &str, email: &str, error: Option<&str>) -> Markup {
    html! {
        p { "Set the password for " strong { (email) } "." }
        @if let Some(e) = error {
            p.error role="alert" { (e) }
        }
        form.stack method="post" action="/invite" {
            input type="hidden" name="code" value=(code);
            input type="hidden" name="email" value=(email) autocomplete="username";
            label for="password" { "New password (at least " (clinic::MIN_PASSWORD) " characters)" }
            input #password type="password" name="password" autocomplete="new-password" required minlength=(clinic::MIN_PASSWORD);
            label for="again" { "The same password again" }
            input #again type="password" name="again" autocomplete="new-password" required;
            button.primary type="submit" { "Set the password and log in" }
        }
    }
}

/// `GET /invite?code=`: the form that sets a password.
pub async fn invite_page(
    State(api): State<Api>,
    Query(q): Query<InviteQuery>,
) -> Result<Response, ApiError> {
    let Some(code) = q.code.filter(|c| c.len() == 64) else {
        return Ok(spent());
    };
    let c = code.clone();
    let clinician = api
        .run(move |s, now| Ok(s.invitation(&crate::link::hash(&c), now)?))
        .await?;
    Ok(match clinician {
        Some(cl) => page(
            StatusCode::OK,
            "Set your password",
            None,
            &password_form(&code, &cl.email, None),
        ),
        None => spent(),
    })
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    code: String,
    email: String,
    password: String,
    again: String,
}

/// `POST /invite`: sets the password and logs in.
pub async fn accept(
    State(api): State<Api>,
    _: SameOrigin,
    Public(scheme): Public,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Form(f): Form<InviteForm>,
) -> Result<Response, ApiError> {
    if let Err(why) = clinic::check_password(&f.password, &f.again) {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Set your password",
            None,
            &password_form(&f.code, &f.email, Some(&why)),
        ));
    }
    let from = peer(p.as_ref());
    let permit = HASHING.acquire().await;
    let answer = api
        .run(move |s, now| {
            Ok(clinic::accept_invitation(
                s,
                &f.code,
                &f.password,
                now,
                &from,
            )?)
        })
        .await?;
    drop(permit);
    Ok(match answer {
        Some(Login::In { token, .. }) => logged_in(scheme, &token),
        _ => spent(),
    })
}

/// `POST /logout`.
pub async fn logout(
    State(api): State<Api>,
    _: SameOrigin,
    Public(scheme): Public,
    headers: HeaderMap,
    p: Option<axum::Extension<backstretch_web::Peer>>,
) -> Result<Response, ApiError> {
    if let Some((token, c)) = who(&api, &headers).await? {
        let from = peer(p.as_ref());
        api.run(move |s, now| Ok(clinic::logout(s, &token, &c, now, &from)?))
            .await?;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(scheme, "", 0));
    Ok(r)
}

/// The clinician logged in; without a session the browser is sent to the login.
pub struct LoggedIn(pub(crate) Clinician);

impl FromRequestParts<Api> for LoggedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<LoggedIn, Response> {
        match who(api, &parts.headers).await {
            // The practice asks a second factor: none of its pages until it is set up.
            Ok(Some((_, c))) if api.totp_required() && !c.totp => {
                Err(Redirect::to("/account").into_response())
            }
            Ok(Some((_, c))) => Ok(LoggedIn(c)),
            Ok(None) => Err(Redirect::to("/").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// How the browser reached the server: `https` when it speaks TLS, or when it listens on
/// loopback behind a reverse proxy that says the browser's request was HTTPS
/// (`X-Forwarded-Proto`, believed from a loopback peer only); else `http`.
fn scheme_of(api: &Api, parts: &Parts) -> &'static str {
    let from_loopback = parts
        .extensions
        .get::<backstretch_web::Peer>()
        .is_some_and(|p| p.0.is_loopback());
    let proxied_https = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if api.scheme() == "http" && from_loopback && proxied_https {
        "https"
    } else {
        api.scheme()
    }
}

/// The scheme the browser reached the server by (see [`scheme_of`]).
pub struct Public(pub(crate) &'static str);

impl FromRequestParts<Api> for Public {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        api: &Api,
    ) -> Result<Public, std::convert::Infallible> {
        Ok(Public(scheme_of(api, parts)))
    }
}

/// A form sent from this server's own page (see [`same_origin`]); any other is refused.
pub struct SameOrigin;

impl FromRequestParts<Api> for SameOrigin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<SameOrigin, Response> {
        if same_origin(scheme_of(api, parts), &parts.headers) {
            Ok(SameOrigin)
        } else {
            Err(cross_site())
        }
    }
}

/// What the patient list shows of one patient.
struct Row {
    id: UserId,
    name: String,
    devices: u32,
    last: Option<Stamp>,
    /// The days without a session chosen for them (or the default).
    quiet: u32,
    /// Alerts not yet acknowledged.
    open: u32,
    /// Days with a session in the last seven, and the sessions a week prescribed (none
    /// without a prescription).
    week: (u32, Option<u32>),
}

/// How long a patient has gone without a session, when it is their `quiet` days or more
/// (never started counts as the longest); 0 otherwise.
fn quiet_days(last: Option<Stamp>, quiet: u32, now: Stamp) -> i64 {
    let days = last.map_or(i64::MAX, |at| (now.utc_s - at.utc_s).max(0) / 86_400);
    if days >= i64::from(quiet) { days } else { 0 }
}

fn days_since(last: Option<Stamp>, now: Stamp) -> String {
    match last {
        None => "no session yet".into(),
        Some(at) => {
            let days = (now.day() - at.day()).num_days().max(0);
            let date = at.local().format("%a %-d %b %Y");
            match days {
                0 => format!("today ({date})"),
                1 => format!("yesterday ({date})"),
                n => format!("{n} days ago ({date})"),
            }
        }
    }
}

fn add_patient_form(name: &str, error: Option<&str>) -> Markup {
    html! {
        h2 { "Add a patient" }
        @if let Some(e) = error {
            p.error role="alert" { (e) }
        }
        form.stack method="post" action="/clinic/patients" {
            label for="name" { "A name or reference for the patient" }
            input #name type="text" name="name" value=(name) required maxlength="64"
                aria-describedby="name-help";
            p #name-help.help {
                "Letters, digits, dots, dashes or underscores, like " code { "jd-1970" }
                ". A reference keeps the patient's name off this server."
            }
            button.primary type="submit" { "Add the patient" }
        }
    }
}

/// `GET /clinic`: the clinician's patients, and a form to add one.
pub async fn patients(State(api): State<Api>, LoggedIn(c): LoggedIn) -> Result<Response, ApiError> {
    let (id, from) = (c.id.clone(), "web".to_string());
    let who = c.clone();
    let (rows, now) = api
        .run(move |s, now| {
            // One query for the whole list, and one write for its audit lines.
            let since = Stamp::earliest_on(now.day() - chrono::Duration::days(6));
            let found = s.patient_rows(&id, since)?;
            let lines: Vec<backstretch_store::clinic::AuditEntry> = found
                .iter()
                .map(|r| backstretch_store::clinic::AuditEntry {
                    at: now,
                    actor: who.email.clone(),
                    action: "read in the patient list".into(),
                    patient: Some(r.patient.as_str().to_string()),
                    from: from.clone(),
                })
                .collect();
            s.audit_all(&lines)?;
            let mut rows: Vec<Row> = found
                .into_iter()
                .map(|r| Row {
                    quiet: r.quiet_days.unwrap_or(backstretch_core::alert::QUIET_DAYS),
                    week: (
                        r.recent_days,
                        r.prescription
                            .and_then(|p| {
                                serde_json::from_str::<backstretch_core::care::Prescription>(&p)
                                    .ok()
                            })
                            .map(|p| p.per_week),
                    ),
                    id: r.patient,
                    name: r.name,
                    devices: r.devices,
                    last: r.last_session,
                    open: r.open_alerts,
                })
                .collect();
            // Those with alerts not yet acknowledged first, the most at the top; then those
            // who have gone quiet, the longest quiet (or never started) first; then those
            // furthest behind their prescription this week; the rest in the order they were
            // added.
            rows.sort_by_key(|r| {
                let behind = r.week.1.map_or(0, |n| n.saturating_sub(r.week.0));
                std::cmp::Reverse((r.open, quiet_days(r.last, r.quiet, now), behind))
            });
            Ok((rows, now))
        })
        .await?;
    Ok(page(
        StatusCode::OK,
        "Patients",
        Some(&c),
        &html! {
            @if rows.is_empty() {
                p { "You have no patients here yet. Add one below: you get a code that links their device." }
            } @else {
                div.table { table {
                    caption { "Your patients: those with alerts first, then those with no session for the days set for them (" (backstretch_core::alert::QUIET_DAYS) " unless changed) or more, then those furthest behind their prescription" }
                    thead { tr {
                        th scope="col" { "Patient" }
                        th scope="col" { "Devices linked" }
                        th scope="col" { "Last session" }
                        th scope="col" { "Last 7 days" }
                        th scope="col" { "Needs attention" }
                    } }
                    tbody {
                        @for r in &rows {
                            tr {
                                td { a href={ "/clinic/patients/" (r.id.as_str()) } { (r.name) } }
                                td { (r.devices) }
                                td { (days_since(r.last, now)) }
                                td {
                                    (r.week.0) @if r.week.0 == 1 { " day" } @else { " days" }
                                    @if let Some(n) = r.week.1 { " of " (n) " prescribed" }
                                }
                                td {
                                    @if r.open > 0 {
                                        strong.error { (r.open) @if r.open == 1 { " alert" } @else { " alerts" } }
                                        " "
                                    }
                                    @match (quiet_days(r.last, r.quiet, now), r.last) {
                                        (0, _) => "",
                                        (_, None) => "not started",
                                        (n, Some(_)) => { "no session for " (n) " days" },
                                    }
                                }
                            }
                        }
                    }
                } }
            }
            (add_patient_form("", None))
        },
    ))
}

/// A code to link a device, with the command and a QR code of the link page.
fn code_page(
    scheme: &str,
    headers: &HeaderMap,
    c: &Clinician,
    name: &str,
    code: &Code,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("this-server");
    let base = format!("{scheme}://{host}");
    let typed = crate::link::normalise(&code.code);
    let qr = qrcode::QrCode::new(format!("{base}/link?code={typed}").as_bytes()).map_or_else(
        |_| String::new(),
        |q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        },
    );
    let expires = code.expires.local().format("%a %-d %b %Y %H:%M");
    page(
        StatusCode::OK,
        &format!("A code for {name}"),
        Some(c),
        &html! {
            p { "Give " strong { (name) } " this code to link a device to their log. It works once, until " (expires) "." }
            p.code { strong { (code.code) } }
            p { "On the device, in a terminal:" }
            pre { code { "backstretch sync link " (base) " " (code.code) } }
            figure role="img" aria-label={ "A QR code of the link page for " (name) } {
                (maud::PreEscaped(qr))
            }
            p {
                "Linking is the patient's consent to share their log with the practice. "
                code { "backstretch sync unlink" } " on the device stops it sending more; what "
                "it sent before stays here."
            }
            p { a href="/clinic" { "Back to your patients" } }
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct PatientForm {
    name: String,
}

/// `POST /clinic/patients`: adds a patient, and shows the code for their first device.
pub async fn add_patient(
    State(api): State<Api>,
    _: SameOrigin,
    Public(scheme): Public,
    LoggedIn(c): LoggedIn,
    headers: HeaderMap,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Form(f): Form<PatientForm>,
) -> Result<Response, ApiError> {
    let (who, name, from) = (c.clone(), f.name.trim().to_string(), peer(p.as_ref()));
    let n = name.clone();
    let added = api
        .run(move |s, now| Ok(clinic::add_patient(s, &who, &n, now, &from)))
        .await?;
    let refuse = |why: String| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Patients",
            Some(&c),
            &add_patient_form(&name, Some(&why)),
        )
    };
    Ok(match added {
        Ok((_, code)) => code_page(scheme, &headers, &c, &name, &code),
        Err(PeopleError::BadName(_)) => refuse(format!(
            "`{name}` cannot be used: give 1 to 64 letters, digits, dots, dashes or underscores"
        )),
        Err(PeopleError::Store(StoreError::Taken { .. })) => refuse(format!(
            "`{name}` cannot be used here: choose another reference"
        )),
        Err(PeopleError::Store(e)) => return Err(ApiError::Store(e)),
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    })
}

/// The patient of the clinician's that a path names, or a 404 page (another clinician's
/// patient, or no one, look the same).
pub(crate) async fn their_patient(
    api: &Api,
    c: &Clinician,
    id: &str,
    from: String,
) -> Result<Result<(UserId, String), Response>, ApiError> {
    let (cid, user) = (c.id.clone(), UserId::new(id));
    let (u, who) = (user.clone(), c.clone());
    // An id that could be a person's (32 hex digits) is named in the audit when refused;
    // anything else is not a person's and is not written down.
    let plausible = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let name = api
        .run(move |s, now| {
            let name = s.patient(&cid, &u)?;
            if name.is_none() && plausible {
                let action = "refused: not their patient";
                clinic::audit_patient(s, now, &who, action, &u, &from)?;
            }
            Ok(name)
        })
        .await?;
    Ok(match name {
        Some(name) => Ok((user, name)),
        None => Err(page(
            StatusCode::NOT_FOUND,
            "No such patient",
            Some(c),
            &html! {
                p { "You have no patient at this address." }
                p { a href="/clinic" { "Back to your patients" } }
            },
        )),
    })
}

/// `GET /clinic/patients/{id}`: a patient's devices and latest sessions.
pub async fn patient(
    State(api): State<Api>,
    LoggedIn(c): LoggedIn,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let (who, from, u) = (c.clone(), peer(p.as_ref()), user.clone());
    let (devices, sessions, follow, alerts, raised, watch, care) = api
        .run(move |s, now| {
            clinic::audit_patient(s, now, &who, "read the patient's page", &u, &from)?;
            // Alerts are worked out after each push; again here, in case that failed (and
            // for a patient gone quiet since the server last looked).
            let raised = clinic::raise_alerts(s, &u, now)
                .inspect_err(|e| tracing::warn!(error = %e, "alerts were not worked out"))
                .map_or(0, |a| a.len());
            Ok((
                s.devices(&u)?,
                s.sessions_page(&u, None, 10, Order::NewestFirst)?,
                Follow::read(s, &u, now)?,
                s.alerts(&u)?,
                raised,
                s.watch(&u)?,
                Care::read(s, &u, now)?,
            ))
        })
        .await?;
    api.alerted(raised);
    let pain = |p: Option<u8>| p.map_or_else(|| "–".to_string(), |v| v.to_string());
    Ok(page(
        StatusCode::OK,
        &name,
        Some(&c),
        &html! {
            (alerts_list(&user, &alerts))
            (crate::quiet_pages::quiet_section(&user, watch.as_ref()))
            (follow.render(&user))
            (care.render(&user, &name))
            (charts_and_exports(&user, &follow.stats.goal))
            h2 { "Devices" }
            @if devices.is_empty() {
                p { "No device is linked yet." }
            } @else {
                ul {
                    @for d in &devices {
                        li {
                            (d.name) ": linked " (d.linked_at.local().format("%a %-d %b %Y"))
                            @if let Some(u) = d.unlinked_at {
                                ", unlinked " (u.local().format("%a %-d %b %Y")) " (it no longer sends)"
                            }
                        }
                    }
                }
            }
            form method="post" action={ "/clinic/patients/" (user.as_str()) "/code" } {
                button type="submit" {
                    @if devices.is_empty() { "A new code to link a device" } @else { "A code for another device" }
                }
            }
            h2 { "Latest sessions" }
            @if sessions.is_empty() {
                p { "No session yet." }
            } @else {
                div.table { table {
                    caption { "The latest " (sessions.len()) ", newest first" }
                    thead { tr {
                        th scope="col" { "When" }
                        th scope="col" { "Pain before → after" }
                        th scope="col" { "How it ended" }
                    } }
                    tbody {
                        @for l in &sessions {
                            tr {
                                td { (l.session.started_at.local().format("%a %-d %b %Y, %H:%M")) }
                                td { (pain(l.session.pain_before)) " → " (pain(l.session.pain_after)) }
                                td { (l.session.outcome.map_or("not finished", |o| o.as_str())) }
                            }
                        }
                    }
                } }
            }
            (crate::clinic_gdpr::forms(&user, &name, None))
        },
    ))
}

/// The patient's charts, as their own progress page draws them, and the links to export
/// their log.
fn charts_and_exports(user: &UserId, goal: &str) -> Markup {
    html! {
            h2 { "Adherence and pain" }
            figure {
                img.chart src={ "/clinic/patients/" (user.as_str()) "/charts/adherence.svg" }
                    alt={ "Days with a session, week by week, against the goal of " (goal) };
                figcaption { "Days with a session, against their goal." }
            }
            figure {
                img.chart src={ "/clinic/patients/" (user.as_str()) "/charts/pain.svg" }
                    alt="Pain before and after each session, 0 to 10";
                figcaption { "Pain before and after each session (0-10), as the patient's own progress page shows it." }
            }
            h2 { "Export" }
            p {
                "The whole log: "
                a href={ "/clinic/patients/" (user.as_str()) "/export/log.json" } { "JSON" }
                " (everything kept here; " code { "backstretch import" } " reads it), "
                a href={ "/clinic/patients/" (user.as_str()) "/export/log.csv" } { "CSV" }
                " (a row per step), or "
                a href={ "/clinic/patients/" (user.as_str()) "/export/fhir.json" } { "FHIR R4" }
                " (a Bundle: the care plan, the programme as a ServiceRequest, each session as a Procedure, pain scores as LOINC 72514-3)."
            }
    }
}

/// The patient's alerts, those not yet acknowledged first (each with a button), then the
/// others with who acknowledged them and when.
fn alerts_list(user: &UserId, alerts: &[backstretch_store::clinic::KeptAlert]) -> Markup {
    let (open, done): (Vec<_>, Vec<_>) = alerts.iter().partition(|a| a.acked.is_none());
    html! {
        h2 { "Alerts" }
        @if alerts.is_empty() {
            p { "No alerts." }
        }
        @if !open.is_empty() {
            ul.alerts {
                @for a in &open {
                    li {
                        strong { (a.text) }
                        form method="post" action={ "/clinic/patients/" (user.as_str()) "/alerts/" (a.id) "/ack" } {
                            button type="submit" { "Acknowledge" }
                        }
                    }
                }
            }
        }
        @if !done.is_empty() {
            details {
                summary { "Acknowledged (" (done.len()) ")" }
                ul {
                    @for a in &done {
                        @if let Some((by, at)) = &a.acked {
                            li { (a.text) " Acknowledged by " (by) ", " (at.local().format("%a %-d %b %Y %H:%M")) "." }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /clinic/patients/{id}/alerts/{alert}/ack`: acknowledges an alert, once, with who
/// and when; back to the patient's page.
pub async fn ack_alert(
    State(api): State<Api>,
    _: SameOrigin,
    LoggedIn(c): LoggedIn,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path((id, alert)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let (user, _) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let (from, u) = (peer(p.as_ref()), user.clone());
    api.run(move |s, now| {
        if s.ack_alert(&u, alert, &c.email, now)? {
            let action = format!("acknowledged alert {alert}");
            clinic::audit_patient(s, now, &c, &action, &u, &from)?;
        }
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/clinic/patients/{}", user.as_str())).into_response())
}

/// What the clinic sent a patient: the prescriptions (the last in force) and what their
/// devices make of it today, and the message thread.
struct Care {
    history: Vec<backstretch_core::care::Prescription>,
    played: Option<Result<backstretch_core::plan::Plan, String>>,
    thread: Vec<backstretch_core::care::Message>,
}

impl Care {
    fn read(s: &dyn crate::ServerStore, user: &UserId, now: Stamp) -> Result<Care, ApiError> {
        let history = s.prescriptions(user)?;
        let played = match history.last() {
            Some(p) => {
                let app = backstretch_app::App::new(s, user.clone(), now);
                Some(
                    app.prescription_plan(&crate::care::catalog(s)?, p, false)
                        .map_err(|e| e.to_string()),
                )
            }
            None => None,
        };
        Ok(Care {
            history,
            played,
            thread: s.messages(user)?,
        })
    }

    /// The programme, then the thread.
    fn render(&self, user: &UserId, name: &str) -> Markup {
        html! {
            (crate::care_pages::programme(user, &self.history, self.played.as_ref()))
            (crate::care_pages::messages(user, name, &self.thread))
        }
    }
}

/// How a patient is doing, by the rules their own devices apply (the app layer's: the
/// same week, streak, pain trend, flares and exercises left out as they see).
struct Follow {
    stats: backstretch_core::stats::Stats,
    rules: backstretch_core::safety::PainRules,
    /// The latest warning-sign check: when, its verdict, and the signs answered yes.
    check: Option<(Stamp, &'static str, Vec<String>)>,
    /// Clearances: the sign's words, when, and the clinician who recorded it (none: the
    /// patient did).
    clearances: Vec<(String, Stamp, Option<String>)>,
    /// The ids of the signs the latest check answered yes.
    yes: Vec<String>,
}

impl Follow {
    fn read(s: &dyn crate::ServerStore, user: &UserId, now: Stamp) -> Result<Follow, ApiError> {
        let app = backstretch_app::App::new(s, user.clone(), now);
        let failed = |e: backstretch_app::AppError| ApiError::Internal(e.to_string());
        let signs = backstretch_core::safety::red_flags().unwrap_or_default();
        let named = |id: &str| {
            signs
                .iter()
                .find(|f| f.id == id)
                .map_or_else(|| id.to_string(), |f| f.sign.clone())
        };
        let check = s.last_screening(user)?.map(|c| {
            let yes = c
                .answers
                .iter()
                .filter(|(_, y)| **y)
                .map(|(id, _)| named(id))
                .collect();
            (c.at, verdict_words(c.verdict), yes)
        });
        let yes = s.last_screening(user)?.map(|c| c.yes()).unwrap_or_default();
        let clearances = s
            .clearances(user)?
            .into_iter()
            .map(|c| (named(&c.sign), c.at, c.by))
            .collect();
        Ok(Follow {
            stats: app.progress(false).map_err(failed)?,
            rules: app.pain_rules().map_err(failed)?,
            check,
            clearances,
            yes,
        })
    }

    fn render(&self, user: &UserId) -> Markup {
        let (st, rules) = (&self.stats, &self.rules);
        let pain = match (st.pain.first, st.pain.last) {
            (Some(f), Some(l)) => {
                let meaningful = if st.pain.meaningful {
                    ", a meaningful improvement"
                } else {
                    ""
                };
                format!("{f} at the start, {l} lately{meaningful}")
            }
            _ => "no scores yet".into(),
        };
        html! {
            h2 { "How they are doing" }
            dl.stats {
                div { dt { "This week" } dd { (st.this_week.days) " of " (st.this_week.target) " days (" (st.goal) ")" } }
                div { dt { "Streak" } dd { (st.streak.current) " " (if st.streak.current == 1 { st.streak.unit.trim_end_matches('s') } else { &st.streak.unit }) } }
                div { dt { "Sessions with an exercise done" } dd { (st.sessions) } }
                div { dt { "Pain (0-10)" } dd { (pain) } }
                div { dt { "Flares, last 14 days" } dd { (rules.flare.recent_flares) } }
            }
            @if rules.flare.see_clinician || rules.rising.is_some() || st.review_advised
                || !rules.blocked.is_empty() || !st.most_hurt.is_empty() {
            ul {
                @if rules.flare.see_clinician {
                    li.error { "Three or more flares lately and no calm session since: they are advised to see a clinician." }
                }
                @if let Some(r) = &rules.rising {
                    li.error { "Pain is rising: about " (r.tenths_per_two_weeks) " tenths of a point every two weeks, over " (r.days) " days." }
                }
                @if st.review_advised {
                    li { "Six weeks without a meaningful improvement: a review of the programme is advised." }
                }
                @if !rules.blocked.is_empty() {
                    li { "Left out of their plans, as it hurt twice lately: " (rules.blocked.join(", ")) "." }
                }
                @for (name, n) in &st.most_hurt {
                    li { (name) " was logged as hurting in " (n) " session" @if *n != 1 { "s" } "." }
                }
            }
            }
            h2 #signs { "Warning signs" }
            @match &self.check {
                None => p { "No warning-sign check yet." },
                Some((at, verdict, yes)) => p {
                    "The latest check, " (at.local().format("%a %-d %b %Y")) ": " (verdict)
                    @if !yes.is_empty() { " (" (yes.join("; ")) ")" } "."
                },
            }
            @for (sign, at, by) in &self.clearances {
                p {
                    "Cleared to exercise despite " (sign) ", " (at.local().format("%a %-d %b %Y"))
                    @match by { Some(by) => { " by " (by) "." }, None => { ", as the patient recorded it." } }
                }
            }
            (crate::care_pages::clear_forms(user, &self.yes))
        }
    }
}

fn verdict_words(v: backstretch_core::safety::ScreeningVerdict) -> &'static str {
    use backstretch_core::safety::ScreeningVerdict as V;
    match v {
        V::Clear => "no warning sign",
        V::Soon => "a sign to see a clinician about within days",
        V::SameDay => "a sign that needs medical help today",
        V::Emergency => "a sign that needs emergency care",
    }
}

/// `GET /clinic/patients/{id}/charts/{pain|adherence}.svg`: the patient's charts, drawn as
/// their own progress page draws them.
pub async fn patient_chart(
    State(api): State<Api>,
    LoggedIn(c): LoggedIn,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (user, _) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let pain = match file.as_str() {
        "pain.svg" => true,
        "adherence.svg" => false,
        _ => {
            return Err(ApiError::Invalid {
                field: "chart",
                error: format!("no chart called `{file}`"),
                help: "ask for pain.svg or adherence.svg".into(),
            });
        }
    };
    let from = peer(p.as_ref());
    let svg = api
        .run(move |s, now| {
            clinic::audit_patient(s, now, &c, "read the patient's chart", &user, &from)?;
            let app = backstretch_app::App::new(s, user, now);
            let failed = |e: backstretch_app::AppError| ApiError::Internal(e.to_string());
            let mut facts = app.facts().map_err(failed)?;
            facts.sort_by_key(|x| x.started);
            Ok(if pain {
                backstretch_render::chart::pain_chart(&facts)
            } else {
                backstretch_render::chart::adherence_chart(
                    &facts,
                    app.goal().map_err(failed)?,
                    app.today(),
                )
            })
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        svg,
    )
        .into_response())
}

/// `GET /clinic/patients/{id}/export/{log.json|log.csv|fhir.json|gdpr.json|sheet.pdf}`: the
/// patient's whole log as `backstretch export` writes it: the JSON file `import` restores
/// (everything the server keeps of their log), the CSV, an HL7 FHIR R4 Bundle, everything
/// held about them (GDPR), or the printed sheet of their prescription.
pub async fn patient_export(
    State(api): State<Api>,
    LoggedIn(c): LoggedIn,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (user, name) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let kind = match file.as_str() {
        "log.json" | "log.csv" | "fhir.json" | "gdpr.json" | "sheet.pdf" => file.clone(),
        _ => {
            return Err(ApiError::Invalid {
                field: "export",
                error: format!("no export called `{file}`"),
                help: "ask for log.json, log.csv, fhir.json, gdpr.json or sheet.pdf".into(),
            });
        }
    };
    let from = peer(p.as_ref());
    let (k, n) = (kind.clone(), name.clone());
    let body = api
        .run(move |s, now| {
            let failed = |e: &dyn std::fmt::Display| ApiError::Internal(e.to_string());
            if k == "gdpr.json" {
                let all =
                    clinic::gdpr_export(s, &c, &user, &n, now, &from).map_err(|e| failed(&e))?;
                return serde_json::to_vec_pretty(&all).map_err(|e| failed(&e));
            }
            let action = format!("exported the patient's log ({k})");
            clinic::audit_patient(s, now, &c, &action, &user, &from)?;
            if k == "sheet.pdf" {
                return crate::care_pages::prescribed_sheet(s, &user, now)?.ok_or_else(|| {
                    ApiError::Invalid {
                        field: "export",
                        error: "nothing is prescribed that their devices can play today".into(),
                        help: "prescribe first: the sheet prints the prescription in force".into(),
                    }
                });
            }
            let app = backstretch_app::App::new(s, user, now);
            Ok(match k.as_str() {
                "log.json" => {
                    let mut out = Vec::new();
                    app.write_log_file(&mut out).map_err(|e| failed(&e))?;
                    out
                }
                "log.csv" => {
                    let file = app.log_file().map_err(|e| failed(&e))?;
                    backstretch_render::export::csv(&file)
                        .map_err(|e| failed(&e))?
                        .into_bytes()
                }
                _ => {
                    let file = app.log_file().map_err(|e| failed(&e))?;
                    // The programme their own devices play: the prescription in force, else
                    // what they plan from the built-in catalogue.
                    let catalog = crate::care::builtin_catalog();
                    // A profile without areas or places has no plan: the Bundle goes without.
                    let plan = match app.care_plan(catalog) {
                        Err(backstretch_app::AppError::NothingToPlanFor { .. }) => None,
                        plan => plan.map_err(|e| failed(&e))?,
                    };
                    let prescription = app.prescription().map_err(|e| failed(&e))?;
                    let on = prescription.as_ref().map(|p| p.at.rfc3339());
                    let prescribed = prescription
                        .as_ref()
                        .zip(on.as_deref())
                        .map(|(p, on)| backstretch_render::export::Prescribed { by: &p.by, on });
                    let bundle = backstretch_render::export::fhir(
                        &file,
                        &n,
                        plan.as_ref(),
                        prescribed.as_ref(),
                        &now.rfc3339(),
                    );
                    serde_json::to_vec_pretty(&bundle).map_err(|e| failed(&e))?
                }
            })
        })
        .await?;
    let (kind_header, ext) = match kind.as_str() {
        "log.csv" => ("text/csv; charset=utf-8", "csv"),
        "fhir.json" => ("application/fhir+json", "fhir.json"),
        "gdpr.json" => ("application/json", "gdpr.json"),
        "sheet.pdf" => ("application/pdf", "pdf"),
        _ => ("application/json", "json"),
    };
    let disposition = format!("attachment; filename=\"{name}-backstretch.{ext}\"");
    let mut r = (
        [
            (header::CONTENT_TYPE, kind_header),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `POST /clinic/patients/{id}/code`: a code for the patient's next device.
pub async fn patient_code(
    State(api): State<Api>,
    _: SameOrigin,
    Public(scheme): Public,
    LoggedIn(c): LoggedIn,
    headers: HeaderMap,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (user, _) = match their_patient(&api, &c, &id, peer(p.as_ref())).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let (who, from) = (c.clone(), peer(p.as_ref()));
    let made = api
        .run(move |s, now| {
            clinic::patient_code(s, &who, &user, now, &from)
                .map_err(|e| ApiError::Internal(e.to_string()))
        })
        .await?;
    Ok(match made {
        Some((name, code)) => code_page(scheme, &headers, &c, &name, &code),
        None => Redirect::to("/clinic").into_response(),
    })
}
