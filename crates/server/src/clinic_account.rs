//! A clinician's own account: their second factor (TOTP), turned on with a code of a new
//! secret shown once (as text and as an `otpauth://` QR code) and off with a current code;
//! and the second step of a login that asks a code. A login waiting for its code is a cookie
//! of its own, for a few minutes, kept only as a hash, and is not a session: no other page
//! takes it.

use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use backstretch_store::clinic::Clinician;
use maud::{Markup, html};
use serde::Deserialize;

use crate::api::{Api, ApiError};
use crate::clinic::{self, LOCK_S, Login, MAX_FAILURES, TotpRefused};
use crate::clinic_pages::{
    Public, SameOrigin, address_waits, cookie, cookie_token, logged_in, login_form, page, peer, who,
};
use crate::totp;

/// The cookie of a login waiting for its code.
const WAITING: &str = "backstretch_clinic_code";

/// The password was right and the account asks a code: to the code's page, with the
/// waiting login's cookie.
pub(crate) fn ask_code(scheme: &str, waiting: &str) -> Response {
    let mut r = Redirect::to("/login/code").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        cookie(WAITING, scheme, waiting, totp::CODE_WAIT_S),
    );
    r
}

fn code_form(error: Option<&str>) -> Markup {
    let label = format!(
        "The {}-digit code your authenticator app shows",
        totp::DIGITS
    );
    html! {
        (code_input("/login/code", &label, "Log in", error))
        p { "A lost phone? The server's operator can turn your second factor off (" code { "backstretch server clinician totp-off EMAIL" } "); then set up a new one." }
    }
}

/// `GET /login/code`: the second step of a login that asks a code.
pub async fn code_page(headers: HeaderMap) -> Response {
    if cookie_token(&headers, WAITING).is_none() {
        return Redirect::to("/").into_response();
    }
    page(StatusCode::OK, "Your code", None, &code_form(None))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    code: String,
}

/// `POST /login/code`.
pub async fn login_code(
    State(api): State<Api>,
    _: SameOrigin,
    Public(scheme): Public,
    headers: HeaderMap,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Form(f): Form<CodeForm>,
) -> Result<Response, ApiError> {
    let Some(waiting) = cookie_token(&headers, WAITING) else {
        return Ok(Redirect::to("/").into_response());
    };
    let ip = p.as_ref().map(|p| p.0.0);
    if let Some(text) = address_waits(&api, ip) {
        return Ok(page(
            StatusCode::TOO_MANY_REQUESTS,
            "Your code",
            None,
            &code_form(Some(&text)),
        ));
    }
    let (w, from) = (waiting.clone(), peer(p.as_ref()));
    let answer = api
        .run(move |s, now| Ok(clinic::login_code(s, &w, &f.code, now, &from)?))
        .await?;
    if !matches!(answer, Login::In { .. })
        && let Some(ip) = ip
    {
        api.failed(ip, std::time::Instant::now());
    }
    // A wrong code may be typed again; otherwise the waiting login is done with.
    let done = !matches!(answer, Login::Refused);
    let mut r = match answer {
        Login::In { token, .. } => logged_in(scheme, &token),
        Login::Refused => page(
            StatusCode::UNAUTHORIZED,
            "Your code",
            None,
            &code_form(Some(&format!(
                "That code does not match, or was used already: type the one your app shows \
                 now. After {MAX_FAILURES} failures in a row the account is locked for {} minutes.",
                LOCK_S / 60
            ))),
        ),
        Login::Locked(until) => page(
            StatusCode::TOO_MANY_REQUESTS,
            "Clinician login",
            None,
            &login_form(
                "",
                Some(&format!(
                    "This account is locked until {} after {MAX_FAILURES} failed logins in a row.",
                    until.local().format("%H:%M")
                )),
            ),
        ),
        Login::Code(_) | Login::Expired => page(
            StatusCode::UNAUTHORIZED,
            "Clinician login",
            None,
            &login_form(
                "",
                Some("The login waited too long for its code: log in again."),
            ),
        ),
    };
    if done {
        r.headers_mut()
            .append(header::SET_COOKIE, cookie(WAITING, scheme, "", 0));
    }
    Ok(r)
}

/// The clinician logged in, for their own account's pages (reached even where the practice
/// asks a second factor not yet set up), with their session's token.
pub struct Own(String, Clinician);

impl FromRequestParts<Api> for Own {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Own, Response> {
        match who(api, &parts.headers).await {
            Ok(Some((token, c))) => Ok(Own(token, c)),
            Ok(None) => Err(Redirect::to("/").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A form that sends a code to `action`, with what went wrong above it.
fn code_input(action: &str, label: &str, button: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            p.error role="alert" { (e) }
        }
        form.stack method="post" action=(action) {
            label for="code" { (label) }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                required maxlength="9" pattern="[0-9 ]*";
            button.primary type="submit" { (button) }
        }
    }
}

fn off_form(error: Option<&str>) -> Markup {
    code_input(
        "/account/totp/off",
        "A code your authenticator app shows now",
        "Turn the second factor off",
        error,
    )
}

fn account(api: &Api, c: &Clinician, error: Option<&str>) -> Markup {
    html! {
        h2 { "Second factor" }
        @if c.totp {
            p { "Your logins ask a code from your authenticator app after the password." }
            @if api.totp_required() {
                p { "The practice asks every clinician for a second factor, so it stays on." }
                @if let Some(e) = error { p.error role="alert" { (e) } }
            } @else {
                (off_form(error))
            }
        } @else {
            @if api.totp_required() {
                p.error role="alert" {
                    "The practice asks every clinician for a second factor: set it up before "
                    "your patients' pages open."
                }
            }
            p {
                "With a second factor, a login asks the password and then the "
                (totp::DIGITS) "-digit code an authenticator app on your phone shows (any app "
                "that reads an " code { "otpauth://" } " QR code: RFC 6238 time-based codes)."
            }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/account/totp" {
                button.primary type="submit" { "Set up a second factor" }
            }
        }
    }
}

/// `GET /account`: the clinician's second factor.
pub async fn account_page(State(api): State<Api>, Own(_, c): Own) -> Response {
    page(
        StatusCode::OK,
        "Your account",
        Some(&c),
        &account(&api, &c, None),
    )
}

fn confirm_form(error: Option<&str>) -> Markup {
    html! {
        (code_input("/account/totp/on", "The code your app shows now", "Turn the second factor on", error))
        form method="post" action="/account/totp" {
            button type="submit" { "Start again with a new secret" }
        }
    }
}

/// `POST /account/totp`: a new secret, shown once (this page is the only one that ever shows
/// it), to confirm with a code before it takes effect.
pub async fn offer(
    State(api): State<Api>,
    _: SameOrigin,
    Own(_, c): Own,
) -> Result<Response, ApiError> {
    if c.totp {
        return Ok(Redirect::to("/account").into_response());
    }
    let who = c.clone();
    let offer = api
        .run(move |s, _| Ok(clinic::offer_totp(s, &who)?))
        .await?;
    let qr = qrcode::QrCode::new(offer.url.as_bytes()).map_or_else(
        |_| String::new(),
        |q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        },
    );
    // The secret in groups of four, as apps that take it typed show it.
    let grouped = offer
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(page(
        StatusCode::OK,
        "Set up a second factor",
        Some(&c),
        &html! {
            p {
                "Scan this QR code with your authenticator app, or type the secret below into "
                "it. It is shown this once: the server never shows it again."
            }
            figure role="img" aria-label="A QR code of your second factor's secret" {
                (maud::PreEscaped(qr))
            }
            p { "The secret (time-based, " (totp::DIGITS) " digits, every " (totp::STEP_S) " seconds):" }
            p.code { strong { (grouped) } }
            p { "Then type the code the app shows, to check it took the secret. Until then your logins do not ask a code." }
            (confirm_form(None))
        },
    ))
}

/// `POST /account/totp/on`: the secret offered takes effect with a code of it.
pub async fn turn_on(
    State(api): State<Api>,
    _: SameOrigin,
    Own(_, c): Own,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Form(f): Form<CodeForm>,
) -> Result<Response, ApiError> {
    let (who, from) = (c.clone(), peer(p.as_ref()));
    let done = api
        .run(move |s, now| Ok(clinic::confirm_totp(s, &who, &f.code, now, &from)?))
        .await?;
    let refuse = |why: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Set up a second factor",
            Some(&c),
            &confirm_form(Some(why)),
        )
    };
    Ok(match done {
        Ok(()) => Redirect::to("/clinic").into_response(),
        Err(TotpRefused::BadCode(why)) => refuse(&format!("code: {why}.")),
        Err(TotpRefused::Wrong) => refuse(
            "code: that is not the code of the secret shown (or it was used already). Check \
             the app's clock is right and type the code it shows now, or start again.",
        ),
        Err(TotpRefused::Nothing) => Redirect::to("/account").into_response(),
    })
}

/// `POST /account/totp/off`: the second factor is forgotten, with a current code (not
/// where the practice asks it). Wrong codes count as failed logins; the one that locks the
/// account ends this session too.
pub async fn turn_off(
    State(api): State<Api>,
    _: SameOrigin,
    Public(scheme): Public,
    Own(token, c): Own,
    p: Option<axum::Extension<backstretch_web::Peer>>,
    Form(f): Form<CodeForm>,
) -> Result<Response, ApiError> {
    if api.totp_required() {
        return Ok(page(
            StatusCode::FORBIDDEN,
            "Your account",
            Some(&c),
            &account(
                &api,
                &c,
                Some("The practice asks every clinician for a second factor: it stays on."),
            ),
        ));
    }
    let (who, from) = (c.clone(), peer(p.as_ref()));
    let done = api
        .run(move |s, now| {
            let done = clinic::drop_totp(s, &who, &f.code, now, &from)?;
            if let Err((_, failures)) = &done
                && *failures >= MAX_FAILURES
            {
                clinic::logout(s, &token, &who, now, &from)?;
            }
            Ok(done)
        })
        .await?;
    let refuse = |why: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Your account",
            Some(&c),
            &account(&api, &c, Some(why)),
        )
    };
    Ok(match done {
        Ok(()) => Redirect::to("/account").into_response(),
        Err((_, failures)) if failures >= MAX_FAILURES => {
            let mut r = Redirect::to("/").into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                crate::clinic_pages::session_cookie(scheme, "", 0),
            );
            r
        }
        Err((TotpRefused::BadCode(why), _)) => refuse(&format!("code: {why}.")),
        Err((TotpRefused::Wrong, _)) => refuse(&format!(
            "code: that code does not match (or was used already). After {MAX_FAILURES} \
             failures in a row the account is locked and you are logged out."
        )),
        Err((TotpRefused::Nothing, _)) => Redirect::to("/account").into_response(),
    })
}
