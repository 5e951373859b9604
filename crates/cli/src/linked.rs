//! The link to a sync server, for every command that syncs: what is kept in `sync.json` in
//! the data folder (the server's address, this log's device id, its token, and the
//! certificate to trust, if given; readable by the user alone), an HTTP client for it, and a
//! sync (send, then fetch). `sync` runs it by hand, and `start` and `log` after each session.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use backstretch_core::event::Event;
use backstretch_core::text::plural;
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

/// What the server holds of this log: the device its token speaks for, and the last event
/// of every device's series.
struct Status {
    device: String,
    heads: BTreeMap<String, u64>,
}

/// `GET path?query` as this device: the answer, or what the server said was wrong.
pub fn get(
    agent: &ureq::Agent,
    l: &Link,
    path: &str,
    query: &[(&str, String)],
) -> miette::Result<Value> {
    let mut request = agent
        .get(format!("{}{path}", l.server))
        .header("Authorization", format!("Bearer {}", l.token));
    for (key, value) in query {
        request = request.query(key, value);
    }
    let (status, v) = answer(&l.server, request.call())?;
    if status != 200 {
        return Err(said(&v));
    }
    Ok(v)
}

fn server_status(agent: &ureq::Agent, l: &Link) -> miette::Result<Status> {
    let v = get(agent, l, "/api/v1/status", &[])?;
    let heads = serde_json::from_value(v["heads"].clone())
        .map_err(|e| miette!("the server's status cannot be read: {e}"))?;
    let device = v["device"].as_str().unwrap_or_default().to_string();
    Ok(Status { device, heads })
}

/// Up to `limit` events of a device's series on the server, from just past `after`.
fn pull(
    agent: &ureq::Agent,
    l: &Link,
    device: &str,
    after: u64,
    limit: usize,
) -> miette::Result<Vec<Event>> {
    let query = [
        ("device", device.to_string()),
        ("after", after.to_string()),
        ("limit", limit.to_string()),
    ];
    let v = get(agent, l, "/api/v1/pull", &query)?;
    serde_json::from_value(v["events"].clone())
        .map_err(|e| miette!("the server's events cannot be read: {e}"))
}

/// Has the server's token speak for this log's new device id (taken when it diverged).
/// False when the server already knows the id as another device's.
fn move_link(agent: &ureq::Agent, l: &Link, device: &str) -> miette::Result<bool> {
    let (status, v) = answer(
        &l.server,
        agent
            .post(format!("{}/api/v1/rename", l.server))
            .header("Authorization", format!("Bearer {}", l.token))
            .send_json(json!({ "device": device })),
    )?;
    match status {
        200 => Ok(true),
        409 if v["code"] == "taken" => Ok(false),
        _ => Err(said(&v)),
    }
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

/// A count as `core::text::plural` takes it (a log never holds four billion of anything).
pub fn count<T: TryInto<u32>>(n: T) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

fn store_err(e: backstretch_store::StoreError) -> miette::Report {
    miette::Report::from(backstretch_app::AppError::from(e))
}

/// A sync's work: the data folder (where the link is kept), the link, the client and the log.
struct Syncing<'a> {
    home: &'a Path,
    l: &'a Link,
    agent: ureq::Agent,
    store: &'a dyn Store,
    user: UserId,
}

impl Syncing<'_> {
    /// The uid of event `idx` of `device`'s series, here and on the server.
    fn uids_at(&self, device: &str, idx: u64) -> miette::Result<(Option<String>, Option<String>)> {
        let here = self
            .store
            .events(&self.user, device, idx - 1, 1)
            .map_err(store_err)?;
        let there = pull(&self.agent, self.l, device, idx - 1, 1)?;
        let uid = |e: Vec<Event>| e.into_iter().next().filter(|e| e.idx == idx).map(|e| e.uid);
        Ok((uid(here), uid(there)))
    }

    /// How many of `device`'s first `both` events this log and the server hold alike: a
    /// log restored from an older copy holds the start of the series the server holds,
    /// then events of its own.
    fn alike(&self, device: &str, both: u64) -> miette::Result<u64> {
        let same = |idx: u64| -> miette::Result<bool> {
            let (here, there) = self.uids_at(device, idx)?;
            Ok(here.is_some() && here == there)
        };
        if both == 0 || same(both)? {
            return Ok(both);
        }
        let (mut lo, mut hi) = (0, both);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if same(mid)? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    /// This log's series has diverged from the server's (it was restored from an older
    /// copy): it takes a new device id, keeping under the old one what the server holds
    /// alike, and the server's token moves to the new id. The new id.
    fn diverged(&self, device: &str, heads: &BTreeMap<String, u64>) -> miette::Result<String> {
        let here = self.head(device)?;
        let both = here.min(heads.get(device).copied().unwrap_or(0));
        let keep = self.alike(device, both)?;
        let new = self
            .store
            .rename_device(&self.user, keep)
            .map_err(store_err)?;
        crate::output::note(&format!(
            "This log's changes disagree with the server's (it was restored from an older copy): it syncs as a new device from now on, and sends again the {} the server lacked.",
            plural(count(here - keep), "change", "changes")
        ));
        self.adopt(&new)?;
        Ok(new)
    }

    /// Has the server's token speak for `device`, this log's id, and keeps it in the link.
    fn adopt(&self, device: &str) -> miette::Result<()> {
        if !move_link(&self.agent, self.l, device)? {
            return Err(miette!(
                help = "unlink (`backstretch sync unlink`) and link again with a new code",
                "the server knows device id {device} as another device"
            ));
        }
        let kept = Link {
            server: self.l.server.clone(),
            device: device.to_string(),
            token: self.l.token.clone(),
            ca: self.l.ca.clone(),
        };
        let text = serde_json::to_string_pretty(&kept).map_err(|e| miette!("{e}"))?;
        crate::files::write_private(&link_file_in(self.home), text.as_bytes())
    }

    /// The last index of `device`'s series here.
    fn head(&self, device: &str) -> miette::Result<u64> {
        Ok(self
            .store
            .event_heads(&self.user)
            .map_err(store_err)?
            .into_iter()
            .find(|(d, _)| d == device)
            .map_or(0, |(_, i)| i))
    }

    /// Pushes `device`'s series from just past `from`, in requests of at most
    /// [`PUSH_BYTES`]: the last index the server now holds, or `Err(())` when the server
    /// answers that the series diverged.
    fn push_own(&self, device: &str, from: u64) -> miette::Result<Result<u64, ()>> {
        let l = self.l;
        let mut sent = from;
        loop {
            let page = self
                .store
                .events(&self.user, device, sent, PAGE)
                .map_err(store_err)?;
            if page.is_empty() {
                return Ok(Ok(sent));
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
                    self.agent
                        .post(format!("{}/api/v1/push", l.server))
                        .header("Authorization", format!("Bearer {}", l.token))
                        .header("Content-Type", "application/json")
                        .send(&body[..]),
                )?;
                if status == 409 && v["code"] == "diverged" {
                    return Ok(Err(()));
                }
                if status != 200 {
                    return Err(said(&v));
                }
                sent = page[end - 1].idx;
                start = end;
            }
        }
    }

    /// Fetches and applies every series the server holds more of than this log: other
    /// devices', and this device's own when the log lost its latest events.
    fn fetch(&self, heads: &BTreeMap<String, u64>) -> miette::Result<usize> {
        let mine: BTreeMap<String, u64> = self
            .store
            .event_heads(&self.user)
            .map_err(store_err)?
            .into_iter()
            .collect();
        let mut fetched = 0;
        for (device, head) in heads {
            let mut have = mine.get(device).copied().unwrap_or(0);
            while have < *head {
                let events = pull(&self.agent, self.l, device, have, PAGE)?;
                // An empty page, or one that does not move on, ends this series for now.
                let Some(last) = events.last().map(|e| e.idx).filter(|last| *last > have) else {
                    break;
                };
                self.store.apply(&self.user, &events).map_err(store_err)?;
                fetched += events.len();
                have = last;
            }
        }
        Ok(fetched)
    }
}

/// Sends this device's events the server does not have, then fetches and applies the
/// events this log does not have. A log whose series disagrees with the server's (restored
/// from an older copy) takes a new device id first and sends again what the server lacks;
/// a log that only lost its latest events (restored, nothing written since) takes them back.
/// `home` is the data folder, where the link is kept.
pub fn sync(home: &Path, l: &Link, store: &dyn Store) -> miette::Result<Synced> {
    let s = Syncing {
        home,
        l,
        agent: agent(l.ca.as_deref())?,
        store,
        user: UserId::local(),
    };
    let mut status = server_status(&s.agent, l)?;
    let mut device = store.device().map_err(store_err)?;
    if status.device != device {
        // The log took a new id the server has not heard of (a sync stopped half way), or
        // the whole folder was restored from before it did: the server's token follows it.
        if move_link(&s.agent, l, &device)? {
            s.adopt(&device)?;
        } else {
            device = s.diverged(&device, &status.heads)?;
        }
    }
    // Where both hold the series, they must hold the same events.
    let there = status.heads.get(&device).copied().unwrap_or(0);
    let both = there.min(s.head(&device)?);
    if both > 0 && s.alike(&device, both)? < both {
        device = s.diverged(&device, &status.heads)?;
    }
    let mut first = status.heads.get(&device).copied().unwrap_or(0);
    let sent = match s.push_own(&device, first)? {
        Ok(sent) => sent,
        Err(()) => {
            // Another copy of this log sent first.
            status = server_status(&s.agent, l)?;
            device = s.diverged(&device, &status.heads)?;
            first = 0;
            s.push_own(&device, 0)?
                .map_err(|()| miette!("the server refused this log's changes as diverged twice"))?
        }
    };
    let fetched = s.fetch(&status.heads)?;
    Ok(Synced {
        sent: sent - first,
        fetched,
    })
}

/// After a session: syncs when the log is linked, in one line; a failure is a note, and the
/// next sync sends what this one could not.
pub fn after_session(ctx: &Context, store: &SqliteStore) {
    let Ok(Some(l)) = read_link(ctx) else {
        return;
    };
    match sync(&ctx.home, &l, store) {
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
    match sync(home, &l, store) {
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
