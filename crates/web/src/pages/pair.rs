//! Pairing a device on `--lan`: a one-time code from the terminal, redeemed for a device
//! cookie.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::error::{Refusal, WebError};
use crate::pages::frame::{Page, html_page, to};
use crate::pair::{COOKIE, Newcomer, Redeemed};
use crate::slots::Peer;
use crate::state::Shared;

/// The code a phone opens with.
#[derive(Debug, serde::Deserialize)]
pub struct PairQuery {
    code: Option<String>,
}

/// Redeems a code: the device cookie and on to today, or 401 for a code spent or expired.
pub async fn pair(
    State(s): State<Shared>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    Query(q): Query<PairQuery>,
) -> Page {
    let Some(pairing) = s.pairing() else {
        return Err(WebError::not_found(
            "this server is only for this computer; there is nothing to pair",
        )
        .into());
    };
    let code = q.code.unwrap_or_default();
    let from = peer.map_or(
        std::net::IpAddr::from([0, 0, 0, 0]),
        |Extension(Peer(ip))| ip,
    );
    let who = Newcomer {
        from,
        agent: headers
            .get(header::USER_AGENT)
            .and_then(|a| a.to_str().ok())
            .unwrap_or_default(),
        at: s.now(),
    };
    match pairing.redeem(&code, who, std::time::Instant::now()) {
        Ok(Redeemed::Paired(token)) => {
            let mut r = to("/pair/trust");
            let cookie = format!(
                "{COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=31536000"
            );
            r.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(WebError::internal)?,
            );
            Ok(r)
        }
        Ok(Redeemed::LockedOut(left)) => Err(WebError::Refused {
            why: Refusal::TooManyAttempts,
            message: format!(
                "too many wrong pairing codes from this device; pairing is locked for {} more minutes",
                left.as_secs().div_ceil(60)
            ),
            help: "wait, then scan a new code from the terminal running `backstretch serve --lan`".into(),
        }
        .into()),
        Ok(Redeemed::Refused) => Err(WebError::Refused {
            why: Refusal::NotPaired,
            message: "this pairing code has expired or was already used".into(),
            help: "press Enter in the terminal running `backstretch serve --lan` for a new code, and scan it".into(),
        }
        .into()),
        Err(e) => Err(WebError::internal(format!("keeping a paired device: {e}")).into()),
    }
}

/// Where the authority is downloaded from.
pub const AUTHORITY_URL: &str = "/pair/authority.crt";

/// The steps to trust the authority on Android and on an iPhone or iPad, what it can and
/// cannot do, and how to remove it.
fn trust_steps() -> Markup {
    html! {
        p {
            a."button primary" href=(AUTHORITY_URL) download="backstretch-authority.crt" {
                "Download the backstretch authority"
            }
        }
        h2 { "On Android" }
        ol {
            li { "Tap the download button above." }
            li { "Open Settings and search for “CA certificate”; choose it (often under Security, Encryption & credentials, Install a certificate)." }
            li { "Tap “Install anyway”, then pick the file backstretch-authority.crt from Downloads." }
            li { "Come back here and reload the page." }
        }
        h2 { "On an iPhone or iPad" }
        ol {
            li { "Open this page in Safari, tap the download button above, then Allow." }
            li { "Open Settings, General, VPN & Device Management; tap the backstretch profile and Install." }
            li { "Then Settings, General, About, Certificate Trust Settings: switch on the backstretch authority." }
            li { "Come back here and reload the page." }
        }
        h2 { "What you are trusting" }
        p {
            "The authority was made by " code { "backstretch serve --lan" } " on your computer. "
            "It can vouch only for the address of that computer on your network, never for "
            "another site, and its private key was thrown away as soon as it had signed "
            "backstretch's own certificate, so nobody can make it vouch for anything else."
        }
        p {
            "To remove it: on Android, Settings, Security, Encryption & credentials, User "
            "credentials (or Trusted credentials, User), then remove it; on an iPhone, Settings, "
            "General, VPN & Device Management, the backstretch profile, Remove Profile."
        }
    }
}

/// After pairing: how to make this phone trust backstretch once, so the player works with
/// the computer switched off or out of reach.
pub async fn trust(State(s): State<Shared>) -> Page {
    if s.pairing().is_none() {
        return Err(WebError::not_found(
            "this server is only for this computer; there is nothing to trust",
        )
        .into());
    }
    let body = html! {
        p.lead { "This phone is paired. One more step, once, lets a session carry on when the computer is out of reach." }
        p.ok #offline-ready hidden { "This phone trusts backstretch: sessions carry on offline." }
        (trust_steps())
        p.actions { a."button primary" href="/today" { "Go to today" } }
    };
    Ok(html_page(StatusCode::OK, "Trust this computer", "", &body))
}

/// The authority's certificate, to download and trust (public: it holds no secret).
pub async fn authority(State(s): State<Shared>) -> Result<Response, WebError> {
    let Some(pairing) = s.pairing() else {
        return Err(WebError::not_found(
            "this server is only for this computer; it has no authority to trust",
        ));
    };
    let file = pairing.authority_file();
    let pem = tokio::task::spawn_blocking(move || std::fs::read(file))
        .await
        .map_err(WebError::internal)?
        .map_err(|e| WebError::internal(format!("reading the authority: {e}")))?;
    let mut r = (StatusCode::OK, pem).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-x509-ca-cert"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"backstretch-authority.crt\""),
    );
    Ok(r)
}

/// What a device that is not paired sees instead of a page: how to pair it.
pub fn unpaired_page() -> Response {
    let body = html! {
        p.lead { "This device is not paired with backstretch yet, so it sees nothing of your log." }
        h2 { "To pair it" }
        ol {
            li { "On the computer, find the terminal running " code { "backstretch serve --lan" } "." }
            li { "Scan the square code it shows with this phone's camera, or type the address printed under it. Press Enter there for a new code: each works once, for 10 minutes." }
            li { "Then follow the steps that open here to trust the computer, once." }
        }
        p {
            "Was it paired before? It may have been unpaired with "
            code { "backstretch serve unpair" } "; pair it again as above."
        }
    };
    html_page(StatusCode::UNAUTHORIZED, "Pair this device", "", &body)
}
