//! `backstretch sync`: link this log to a sync server with a one-time code, see the link, and
//! end it. The link (the server's address, this device's id and its token, and the
//! certificate to trust, if given) is kept in `sync.json` in the data folder, readable by
//! the user alone.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use miette::miette;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use std::collections::BTreeMap;

use backstretch_core::event::Event;
use backstretch_store::{Store, UserId};

use crate::args::{LinkArgs, SyncArgs, SyncCommand};
use crate::context::Context;
use crate::files::write_private;
use crate::output::print;

/// The link to a server, as kept.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    server: String,
    device: String,
    token: String,
    ca: Option<PathBuf>,
}

fn link_file(ctx: &Context) -> PathBuf {
    ctx.home.join("sync.json")
}

fn read_link(ctx: &Context) -> miette::Result<Option<Link>> {
    let file = link_file(ctx);
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

pub fn run(ctx: &Context, a: &SyncArgs) -> miette::Result<ExitCode> {
    match &a.command {
        None => sync(ctx),
        Some(SyncCommand::Link(a)) => link(ctx, a),
        Some(SyncCommand::Status) => status(ctx),
        Some(SyncCommand::Unlink) => unlink(ctx),
    }
}

/// Events sent or fetched a request at a time.
const PAGE: usize = 500;

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

/// Sends this device's events the server does not have, then fetches and applies the other
/// devices' events this log does not have.
fn sync(ctx: &Context) -> miette::Result<ExitCode> {
    let Some(l) = read_link(ctx)? else {
        return Err(miette!(
            help = "link it first: backstretch sync link URL CODE",
            "this log is not linked to a sync server"
        ));
    };
    let store = ctx.store()?;
    let user = UserId::local();
    let agent = agent(l.ca.as_deref())?;
    let heads = server_heads(&agent, &l)?;
    let store_err = |e| miette::Report::from(backstretch_app::AppError::from(e));
    // Send.
    let mut sent = heads.get(&l.device).copied().unwrap_or(0);
    let first = sent;
    loop {
        let page = store
            .events(&user, &l.device, sent, PAGE)
            .map_err(store_err)?;
        let Some(last) = page.last().map(|e| e.idx) else {
            break;
        };
        let (status, v) = answer(
            &l.server,
            agent
                .post(format!("{}/api/v1/push", l.server))
                .header("Authorization", format!("Bearer {}", l.token))
                .send_json(json!({ "events": page })),
        )?;
        if status != 200 {
            return Err(said(&v));
        }
        sent = last;
    }
    // Fetch.
    let mine: BTreeMap<String, u64> = store
        .event_heads(&user)
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
            let Some(last) = events.last().map(|e| e.idx) else {
                break;
            };
            store.apply(&user, &events).map_err(store_err)?;
            fetched += events.len();
            have = last;
        }
    }
    print(&format!(
        "Synced with {}: sent {}, fetched {}.\n",
        l.server,
        plural(sent - first, "change"),
        plural(fetched as u64, "change"),
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// An HTTP client that trusts `ca` (PEM) if given, else the usual roots, and reports every
/// status as an answer.
fn agent(ca: Option<&Path>) -> miette::Result<ureq::Agent> {
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
fn answer(
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
    let v = r.body_mut().read_json::<Value>().unwrap_or(Value::Null);
    Ok((status, v))
}

fn said(v: &Value) -> miette::Report {
    let error = v["error"].as_str().unwrap_or("the server refused");
    match v["help"].as_str() {
        Some(help) => miette!(help = help.to_string(), "{error}"),
        None => miette!("{error}"),
    }
}

fn link(ctx: &Context, a: &LinkArgs) -> miette::Result<ExitCode> {
    let server = a.url.trim_end_matches('/').to_string();
    if !(server.starts_with("https://") || server.starts_with("http://")) {
        return Err(miette!(
            help = "give the address `server user add` printed, like https://sync.example:8422",
            "`{}` is not a server's address",
            a.url
        ));
    }
    if let Some(old) = read_link(ctx)? {
        return Err(miette!(
            help = "`backstretch sync unlink` first, to link to another server",
            "this log is already linked to {}",
            old.server
        ));
    }
    // The data folder (and the log the link is for) must exist and take the link's file
    // before the code is spent on the server.
    let store = ctx.store()?;
    let probe = ctx.home.join(".sync-link-probe");
    write_private(&probe, b"")?;
    let _ = std::fs::remove_file(&probe);
    // The id every event of this log carries.
    let device = store.device().map_err(backstretch_app::AppError::from)?;
    let name = a.name.clone().unwrap_or_else(computer_name);
    let body = json!({"code": a.code, "device": device, "name": name});
    let agent = agent(a.ca.as_deref())?;
    let (status, v) = answer(
        &server,
        agent.post(format!("{server}/api/v1/link")).send_json(&body),
    )?;
    if status != 200 {
        return Err(said(&v));
    }
    let token = v["token"]
        .as_str()
        .ok_or_else(|| miette!("the server's answer has no token"))?;
    let kept = Link {
        server: server.clone(),
        device,
        token: token.to_string(),
        ca: a
            .ca
            .as_ref()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone())),
    };
    let text = serde_json::to_string_pretty(&kept).map_err(|e| miette!("{e}"))?;
    write_private(&link_file(ctx), text.as_bytes())?;
    print(&format!(
        "Linked to {server} as `{name}`. `backstretch sync status` shows the link; `sync unlink` ends it.\n"
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn computer_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "this computer".into())
}

fn status(ctx: &Context) -> miette::Result<ExitCode> {
    let Some(l) = read_link(ctx)? else {
        print(
            "Not linked to a sync server. `backstretch sync link URL CODE` links this log with a code from the server.\n",
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    let agent = agent(l.ca.as_deref())?;
    let (status, v) = answer(
        &l.server,
        agent
            .get(format!("{}/api/v1/me", l.server))
            .header("Authorization", format!("Bearer {}", l.token))
            .call(),
    )?;
    if status != 200 {
        return Err(said(&v));
    }
    let mut out = format!(
        "Linked to {} as device {}.\nDevices of this log:\n",
        l.server, l.device
    );
    for d in v["devices"].as_array().into_iter().flatten() {
        let this = if d["id"] == l.device.as_str() {
            " (this one)"
        } else {
            ""
        };
        let state = d["unlinked_at"]
            .as_str()
            .map_or_else(|| "linked".to_string(), |at| format!("unlinked {at}"));
        out.push_str(&format!(
            "  {}{this}: {state}, linked {}\n",
            d["name"].as_str().unwrap_or("?"),
            d["linked_at"].as_str().unwrap_or("?")
        ));
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn unlink(ctx: &Context) -> miette::Result<ExitCode> {
    let Some(l) = read_link(ctx)? else {
        print("Not linked to a sync server: nothing to unlink.\n")?;
        return Ok(ExitCode::SUCCESS);
    };
    let agent = agent(l.ca.as_deref())?;
    let (status, v) = answer(
        &l.server,
        agent
            .post(format!("{}/api/v1/unlink", l.server))
            .header("Authorization", format!("Bearer {}", l.token))
            .send_empty(),
    )?;
    // Already unlinked on the server (401) is as good as unlinked now.
    if status != 200 && status != 401 {
        return Err(said(&v));
    }
    let file = link_file(ctx);
    std::fs::remove_file(&file).map_err(|e| miette!("cannot remove {}: {e}", file.display()))?;
    print(&format!(
        "Unlinked from {}: nothing more is sent there. Your log here is unchanged.\n",
        l.server
    ))?;
    Ok(ExitCode::SUCCESS)
}
