//! Pairing a device on `--lan`: a one-time code from the terminal, redeemed for a device
//! cookie.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};

use crate::error::{Refusal, WebError};
use crate::pages::frame::{Page, to};
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
            let mut r = to("/today");
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
