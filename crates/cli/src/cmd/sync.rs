//! `backstretch sync`: link this log to a sync server with a one-time code, sync it (send,
//! then fetch), see the link, and end it. The link itself is `crate::linked`.

use std::process::ExitCode;

use backstretch_core::text::plural;
use backstretch_store::digest::{Digest, digest};
use backstretch_store::{Store, UserId};
use miette::miette;
use serde_json::json;

use crate::args::{LinkArgs, SyncArgs, SyncCommand};
use crate::context::Context;
use crate::files::write_private;
use crate::linked::{Link, agent, answer, count, get, link_file, read_link, said};
use crate::output::print;

pub fn run(ctx: &Context, a: &SyncArgs) -> miette::Result<ExitCode> {
    match &a.command {
        None => sync_now(ctx),
        Some(SyncCommand::Link(a)) => link(ctx, a),
        Some(SyncCommand::Status) => status(ctx),
        Some(SyncCommand::Verify) => verify(ctx),
        Some(SyncCommand::Unlink) => unlink(ctx),
    }
}

/// `sync`: send, then fetch.
fn sync_now(ctx: &Context) -> miette::Result<ExitCode> {
    let Some(l) = read_link(ctx)? else {
        return Err(miette!(
            help = "link it first: backstretch sync link URL CODE",
            "this log is not linked to a sync server"
        ));
    };
    let store = ctx.store()?;
    let s = crate::linked::sync(&ctx.home, &l, &store)?;
    print(&format!(
        "Synced with {}: sent {}, fetched {}.\n",
        l.server,
        plural(count(s.sent), "change", "changes"),
        plural(count(s.fetched), "change", "changes"),
    ))?;
    Ok(ExitCode::SUCCESS)
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
    let v = get(&agent, &l, "/api/v1/me", &[])?;
    let devices: Vec<&serde_json::Value> = v["devices"].as_array().into_iter().flatten().collect();
    let name = devices
        .iter()
        .find(|d| d["id"] == l.device.as_str())
        .and_then(|d| d["name"].as_str())
        .unwrap_or("this device");
    let mut out = format!("Linked to {} as `{name}`.\n", l.server);
    out.push_str(&unsent(ctx, &l, &agent)?);
    out.push_str("Devices of this log:\n");
    for d in devices {
        let this = if d["id"] == l.device.as_str() {
            " (this one)"
        } else {
            ""
        };
        let unlinked = d["unlinked_at"]
            .as_str()
            .map_or_else(String::new, |at| format!(", unlinked {}", local_time(at)));
        out.push_str(&format!(
            "  {}{this}: linked {}{unlinked}\n",
            d["name"].as_str().unwrap_or("?"),
            local_time(d["linked_at"].as_str().unwrap_or("?"))
        ));
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Whether the server has every change this device made, in a line.
fn unsent(ctx: &Context, l: &Link, agent: &ureq::Agent) -> miette::Result<String> {
    let v = get(agent, l, "/api/v1/status", &[])?;
    let there = v["heads"][&l.device].as_u64().unwrap_or(0);
    let store = ctx.store()?;
    let here = store
        .event_heads(&UserId::local())
        .map_err(|e| miette!("{e}"))?
        .into_iter()
        .find(|(d, _)| *d == l.device)
        .map_or(0, |(_, idx)| idx);
    Ok(if here > there {
        let (are, them) = if here - there == 1 {
            ("is", "it")
        } else {
            ("are", "them")
        };
        format!(
            "{} made here {are} not on the server yet: `backstretch sync` sends {them}.\n",
            plural(count(here - there), "change", "changes"),
        )
    } else {
        format!(
            "The server has every change made here ({}).\n",
            plural(count(here), "change", "changes")
        )
    })
}

/// A time the server sent (RFC 3339) in this computer's time zone, as people read it.
fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at).map_or_else(
        |_| at.to_string(),
        |t| {
            t.with_timezone(&chrono::Local)
                .format("%a %-d %b %Y %H:%M")
                .to_string()
        },
    )
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
    // So is a log the server no longer keeps (410: erased at the practice).
    if status != 200 && status != 401 && status != 410 {
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

/// `sync verify`: this log's digest against the server's.
fn verify(ctx: &Context) -> miette::Result<ExitCode> {
    let Some(l) = read_link(ctx)? else {
        return Err(miette!(
            help = "link it first: backstretch sync link URL CODE",
            "this log is not linked to a sync server"
        ));
    };
    let store = ctx.store()?;
    let agent = agent(l.ca.as_deref())?;
    let v = get(&agent, &l, "/api/v1/digest", &[])?;
    let there: Digest = serde_json::from_value(v)
        .map_err(|e| miette!("the server's digest cannot be read: {e}"))?;
    let here = digest(&store, &UserId::local()).map_err(backstretch_app::AppError::from)?;
    let differ = here.differences(&there);
    if differ.is_empty() {
        print(&format!(
            "This log and the server's agree: {}, and the same profile, disclaimer, check, clearances, sheets, prescriptions and messages.\n",
            plural(count(here.sessions), "session", "sessions")
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let named: Vec<String> = differ
        .iter()
        .map(|part| match part.as_str() {
            "sessions" => format!(
                "sessions ({} here, {} on the server)",
                here.sessions, there.sessions
            ),
            "screening" => "the latest check".to_string(),
            other => other.to_string(),
        })
        .collect();
    print(&format!(
        "This log and the server's differ in: {}.\n`backstretch sync` sends and fetches what is missing; another device may still have changes to send.\n",
        named.join(", ")
    ))?;
    Ok(ExitCode::from(1))
}
