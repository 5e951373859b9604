//! The link to a sync server, for every command that syncs: what is kept in `sync.json` in
//! the data folder (the server's address, this log's device id, its token, and the
//! certificate to trust, if given; readable by the user alone), an HTTP client for it, and a
//! sync (send, then fetch). `sync` runs it by hand, and `start` and `log` after each session.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use backstretch_core::event::Event;
use backstretch_store::{SqliteStore, Store, UserId};
use miette::miette;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::Context;

/// The link to a server, as kept.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The server's address, without a trailing slash.
    pub server: String,
    /// This log's device id.
    pub device: String,
    /// The token the server knows this device by.
    pub token: String,
    /// The certificate to trust, if given.
    pub ca: Option<PathBuf>,
}

/// Where the link is kept.
pub fn link_file(ctx: &Context) -> PathBuf {
    link_file_in(&ctx.home)
}

fn link_file_in(home: &Path) -> PathBuf {
    home.join("sync.json")
}

/// The link, if this log has one.
pub fn read_link(ctx: &Context) -> miette::Result<Option<Link>> {
    read_link_in(&ctx.home)
}

fn read_link_in(home: &Path) -> miette::Result<Option<Link>> {
    let file = link_file_in(home);
    match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            miette!(
                help = format!("remove {} and link again", file.display()),
                "{} cannot be read: {e}",
                file.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(miette!("cannot read {}: {e}", file.display())),
    }
}

/// An HTTP client that trusts `ca` (PEM) if given, else the usual roots, and reports every
/// status as an answer.
pub fn agent(ca: Option<&Path>) -> miette::Result<ureq::Agent> {
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).map_err(|e| miette!("cannot read {}: {e}", ca.display()))?;
        let certs = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect::<Vec<_>>();
        if certs.is_empty() {
            return Err(miette!(
                help = "give the server's certificate (the PEM file it was started with --cert)",
                "{} holds no certificate",
                ca.display()
            ));
        }
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    }
    Ok(ureq::Agent::config_builder()
        .tls_config(tls.build())
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into())
}

/// An answer's status and JSON, or what stopped the request, in words.
pub fn answer(
    server: &str,
    r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> miette::Result<(u16, Value)> {
    let mut r = r.map_err(|e| {
        miette!(
            help = "check the address, that the server is running, and (for HTTPS) --ca",
            "cannot reach the sync server at {server}: {e}"
        )
    })?;
    let status = r.status().as_u16();
    // A page of whole sessions is tens of megabytes; more than that is not an answer of ours.
    let read = r
        .body_mut()
        .with_config()
        .limit(ANSWER_BYTES)
        .read_json::<Value>();
    let v = match read {
        Ok(v) => v,
        // A refusal not in our words (a proxy's page, say): its status says enough.
        Err(_) if status >= 400 => json!({ "error": format!("the server answered {status}") }),
        Err(e) => {
            return Err(miette!(
                "the answer of the sync server at {server} cannot be read: {e}"
            ));
        }
    };
    Ok((status, v))
}

/// The largest answer read from the server.
const ANSWER_BYTES: u64 = 256 << 20;

/// The server's words for a refusal.
pub fn said(v: &Value) -> miette::Report {
    let error = v["error"].as_str().unwrap_or("the server refused");
    match v["help"].as_str() {
        Some(help) => miette!(help = help.to_string(), "{error}"),
        None => miette!("{error}"),
    }
}

/// Events sent or fetched a request at a time.
pub const PAGE: usize = 500;

/// The server's last event of every device's series for this log.
fn server_heads(agent: &ureq::Agent, l: &Link) -> miette::Result<BTreeMap<String, u64>> {
    let (status, v) = answer(
        &l.server,
        agent
            .get(format!("{}/api/v1/status", l.server))
            .header("Authorization", format!("Bearer {}", l.token))
            .call(),
    )?;
    if status != 200 {
        return Err(said(&v));
    }
    serde_json::from_value(v["heads"].clone())
        .map_err(|e| miette!("the server's status cannot be read: {e}"))
}

/// What a sync came to: changes sent and fetched.
#[derive(Debug, Clone, Copy)]
pub struct Synced {
    /// This log's changes the server did not have.
    pub sent: u64,
    /// Other devices' changes this log did not have.
    pub fetched: usize,
}

/// The most bytes of events one push carries (the server takes up to 8 MiB; a whole
/// recorded session is tens of kilobytes).
const PUSH_BYTES: usize = 4 << 20;

fn store_err(e: backstretch_store::StoreError) -> miette::Report {
    miette::Report::from(backstretch_app::AppError::from(e))
}

/// Sends this device's events the server does not have, then fetches and applies the other
/// devices' events this log does not have.
pub fn sync(l: &Link, store: &dyn Store) -> miette::Result<Synced> {
    let user = UserId::local();
    let agent = agent(l.ca.as_deref())?;
    let heads = server_heads(&agent, l)?;
    let first = heads.get(&l.device).copied().unwrap_or(0);
    let sent = push_own(&agent, l, store, &user, first)?;
    let fetched = fetch_others(&agent, l, store, &user, &heads)?;
    Ok(Synced {
        sent: sent - first,
        fetched,
    })
}

/// Pushes this device's series from just past `from`, in requests of at most [`PUSH_BYTES`];
/// the last index the server now holds.
fn push_own(
    agent: &ureq::Agent,
    l: &Link,
    store: &dyn Store,
    user: &UserId,
    from: u64,
) -> miette::Result<u64> {
    let mut sent = from;
    loop {
        let page = store
            .events(user, &l.device, sent, PAGE)
            .map_err(store_err)?;
        if page.is_empty() {
            return Ok(sent);
        }
        let mut start = 0;
        while start < page.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < page.len() {
                let size = serde_json::to_vec(&page[end]).map_or(0, |v| v.len());
                if end > start && bytes + size > PUSH_BYTES {
                    break;
                }
                bytes += size;
                end += 1;
            }
            // Written here, compact, so the request is the size counted above.
            let body = serde_json::to_vec(&json!({ "events": &page[start..end] }))
                .map_err(|e| miette!("cannot write the events: {e}"))?;
            let (status, v) = answer(
                &l.server,
                agent
                    .post(format!("{}/api/v1/push", l.server))
                    .header("Authorization", format!("Bearer {}", l.token))
                    .header("Content-Type", "application/json")
                    .send(&body[..]),
            )?;
            if status != 200 {
                return Err(said(&v));
            }
            sent = page[end - 1].idx;
            start = end;
        }
    }
}

/// Fetches and applies every other device's events past what this log holds of its series.
fn fetch_others(
    agent: &ureq::Agent,
    l: &Link,
    store: &dyn Store,
    user: &UserId,
    heads: &BTreeMap<String, u64>,
) -> miette::Result<usize> {
    let mine: BTreeMap<String, u64> = store
        .event_heads(user)
        .map_err(store_err)?
        .into_iter()
        .collect();
    let mut fetched = 0;
    for (device, head) in heads.iter().filter(|(d, _)| **d != l.device) {
        let mut have = mine.get(device).copied().unwrap_or(0);
        while have < *head {
            let (status, v) = answer(
                &l.server,
                agent
                    .get(format!("{}/api/v1/pull", l.server))
                    .query("device", device)
                    .query("after", have.to_string())
                    .query("limit", PAGE.to_string())
                    .header("Authorization", format!("Bearer {}", l.token))
                    .call(),
            )?;
            if status != 200 {
                return Err(said(&v));
            }
            let events: Vec<Event> = serde_json::from_value(v["events"].clone())
                .map_err(|e| miette!("the server's events cannot be read: {e}"))?;
            // An empty page, or one that does not move on, ends this series for now.
            let Some(last) = events.last().map(|e| e.idx).filter(|last| *last > have) else {
                break;
            };
            store.apply(user, &events).map_err(store_err)?;
            fetched += events.len();
            have = last;
        }
    }
    Ok(fetched)
}

/// After a session: syncs when the log is linked, in one line; a failure is a note, and the
/// next sync sends what this one could not.
pub fn after_session(ctx: &Context, store: &SqliteStore) {
    let Ok(Some(l)) = read_link(ctx) else {
        return;
    };
    match sync(&l, store) {
        Ok(_) => crate::output::note(&format!("Synced with {}.", l.server)),
        Err(e) => crate::output::note(&format!(
            "Not synced with {} ({e}); `backstretch sync` tries again.",
            l.server
        )),
    }
}

/// For `serve`: after each session in the browser, a linked log syncs, and says how in one
/// line on the server's stderr (the link is read each time, so `sync unlink` takes effect).
pub fn after_web_session(home: &Path, store: &dyn Store) {
    let Ok(Some(l)) = read_link_in(home) else {
        return;
    };
    match sync(&l, store) {
        Ok(s) => eprintln!(
            "Synced with {} after a session: sent {}, fetched {}.",
            l.server, s.sent, s.fetched
        ),
        Err(e) => eprintln!(
            "Not synced with {} ({e}); the next session or `backstretch sync` tries again.",
            l.server
        ),
    }
}
