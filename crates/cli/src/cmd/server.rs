//! `backstretch server`: the sync server, on the data folder's SQLite file or a PostgreSQL
//! database. `server user add NAME` adds a person and `server user code NAME` offers another
//! code; both print the code, the command that links a device with it, and a QR code.

use std::process::ExitCode;

use backstretch_server::link::{Code, PeopleError};
use backstretch_server::mail::{MailConfig, Relay, parse_from};
use backstretch_server::{Config, DEFAULT_PORT, Server, ServerError, ServerStore};
use miette::miette;

use crate::args::{
    BackupArgs, ClinicianCommand, RestoreArgs, ServerArgs, ServerCommand, UserArgs, UserCommand,
};
use crate::context::Context;
use crate::output::print;

pub fn run(ctx: &Context, a: &ServerArgs) -> miette::Result<ExitCode> {
    let database = a.database.as_deref();
    match &a.command {
        Some(ServerCommand::Backup(b)) => backup(ctx, database, b),
        Some(ServerCommand::Restore(r)) => restore(ctx, database, r),
        Some(ServerCommand::User(UserCommand::Add(u))) => {
            let store = open(ctx, database)?;
            let code =
                backstretch_server::link::add_person(&*store, &u.name, ctx.now).map_err(people)?;
            show(u, &code, "Added")
        }
        Some(ServerCommand::User(UserCommand::Code(u))) => {
            let store = open(ctx, database)?;
            let code = backstretch_server::link::another_code(&*store, &u.name, ctx.now)
                .map_err(people)?;
            show(u, &code, "A new code for")
        }
        Some(ServerCommand::Clinician(c)) => clinician(ctx, database, c),
        Some(ServerCommand::Audit(x)) => audit(ctx, database, x.after),
        None => serve(a, open(ctx, database)?),
    }
}

fn clinician(
    ctx: &Context,
    database: Option<&str>,
    c: &ClinicianCommand,
) -> miette::Result<ExitCode> {
    use backstretch_server::clinic::{ClinicError, add_clinician, invite_again};
    let store = open(ctx, database)?;
    let (a, made) = match c {
        ClinicianCommand::Add(a) => (a, add_clinician(&*store, a.email.trim(), ctx.now)),
        ClinicianCommand::Invite(a) => (a, invite_again(&*store, a.email.trim(), ctx.now)),
        ClinicianCommand::TotpOff(a) => return totp_off(&*store, a.email.trim(), ctx.now),
    };
    let invitation = made.map_err(|e| match e {
        ClinicError::BadEmail(email) => miette!(
            help = "give the clinician's e-mail address, like ann.physio@example.org",
            "`{email}` is not an e-mail address"
        ),
        ClinicError::NoOne(email) => miette!(
            help = format!("add them first: backstretch server clinician add {email}"),
            "no clinician has the e-mail address {email}"
        ),
        ClinicError::Store(backstretch_store::StoreError::Taken { what }) => miette!(
            help = "`server clinician invite EMAIL` prints a new invitation for them",
            "{what} is already a clinician's"
        ),
        e => miette!("{e}"),
    })?;
    let url = a
        .url
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"));
    let link = format!(
        "{}/invite?code={}",
        url.trim_end_matches('/'),
        invitation.code
    );
    let expires = invitation.expires.local().format("%a %-d %b %Y %H:%M");
    print(&format!(
        "Send {email} this link, by a way only they read. It sets their password and logs them in:\n\n  {link}\n\nIt works once, until {expires}. `backstretch server clinician invite {email}` prints another.\n",
        email = invitation.email,
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn totp_off(
    store: &dyn ServerStore,
    email: &str,
    now: backstretch_core::time::Stamp,
) -> miette::Result<ExitCode> {
    use backstretch_server::clinic::{ClinicError, totp_off_by_operator};
    let off = totp_off_by_operator(store, email, now).map_err(|e| match e {
        ClinicError::NoOne(email) => miette!(
            help = "`backstretch server audit` lists who logged in, by address",
            "no clinician has the e-mail address {email}"
        ),
        e => miette!("{e}"),
    })?;
    print(&if off {
        format!(
            "Turned off {email}'s second factor. Their next login asks the password only; they can set up a new one on their account page.\n"
        )
    } else {
        format!("{email} has no second factor on: nothing to turn off.\n")
    })?;
    Ok(ExitCode::SUCCESS)
}

fn audit(ctx: &Context, database: Option<&str>, after: u64) -> miette::Result<ExitCode> {
    let store = open(ctx, database)?;
    let mut from = after;
    let mut any = false;
    loop {
        let page = store
            .audit_log(from, 1000)
            .map_err(|e| miette!("cannot read the audit log: {e}"))?;
        let Some((last, _)) = page.last() else { break };
        from = *last;
        let mut out = String::new();
        for (n, e) in &page {
            // Shown as written, but never as terminal control sequences or a line break
            // (one line per entry, whatever was typed).
            let clean = |t: &str| crate::output::sanitize(t).replace(['\n', '\t'], " ");
            out.push_str(&format!(
                "{n}  {}  {}  {}{}  from {}\n",
                e.at.rfc3339(),
                clean(&e.actor),
                clean(&e.action),
                e.patient
                    .as_deref()
                    .map_or_else(String::new, |p| format!(" (patient {})", clean(p))),
                clean(&e.from)
            ));
        }
        print(&out)?;
        any = true;
    }
    if !any {
        print("The audit log has no lines after that.\n")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn backup(ctx: &Context, database: Option<&str>, b: &BackupArgs) -> miette::Result<ExitCode> {
    backstretch_server::backup::backup(&ctx.home, database, &b.out).map_err(|e| {
        miette!(
            help = "name a new file with --out; a PostgreSQL backup needs pg_dump (Debian's postgresql-client)",
            "cannot back up the server: {e}"
        )
    })?;
    let out = b.out.display();
    print(&format!(
        "Backed up the server to {out} (yours alone to read). `backstretch server restore {out}` puts it back.\n"
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn restore(ctx: &Context, database: Option<&str>, r: &RestoreArgs) -> miette::Result<ExitCode> {
    backstretch_server::backup::restore(&ctx.home, database, &r.file).map_err(|e| {
        miette!(
            help = "give a file `server backup` wrote, with the same --database; stop the server first",
            "cannot restore the server: {e}"
        )
    })?;
    print(&format!(
        "Restored the server from {}. Start it again with `backstretch server`.\n",
        r.file.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn open(ctx: &Context, database: Option<&str>) -> miette::Result<std::sync::Arc<dyn ServerStore>> {
    backstretch_server::open(&ctx.home, database).map_err(|e| {
        // The causes too: "connection refused" says more than "error connecting".
        let mut said = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            let c_said = c.to_string();
            if !said.contains(&c_said) {
                said = format!("{said}: {c_said}");
            }
            cause = c.source();
        }
        miette!(
            help = "check --database (postgres://USER@HOST/DB) or the data folder (--home)",
            "cannot open the server's store: {said}"
        )
    })
}

fn people(e: PeopleError) -> miette::Report {
    match e {
        PeopleError::NoOne(name) => miette!(
            help = format!("add them first: backstretch server user add {name}"),
            "no one called `{name}` on this server"
        ),
        PeopleError::Store(backstretch_store::StoreError::Taken { what }) => miette!(
            help = "choose another name, or `server user code NAME` for another code",
            "{what} is already taken"
        ),
        e => miette!("{e}"),
    }
}

fn show(u: &UserArgs, code: &Code, verb: &str) -> miette::Result<ExitCode> {
    let url = u
        .url
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"));
    let url = url.trim_end_matches('/');
    let qr = crate::output::qr_text(
        &format!(
            "{url}/link?code={}",
            backstretch_server::link::normalise(&code.code)
        ),
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
    );
    let expires = code.expires.local().format("%a %-d %b %Y %H:%M");
    print(&format!(
        "{verb} {name}. To link a device to {name}'s log, run this on it:\n\n  backstretch sync link {url} {code}\n\n{qr}\nThe code works once, until {expires}. `backstretch server user code {name}` prints another.\n",
        name = u.name,
        code = code.code,
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn serve(a: &ServerArgs, store: std::sync::Arc<dyn ServerStore>) -> miette::Result<ExitCode> {
    let config = Config {
        listen: a.listen,
        tls: a.cert.clone().zip(a.key.clone()),
        url: a.url.clone(),
        mail: mail_config(a)?,
        require_totp: a.require_totp,
    };
    let server = Server::bind(&config, store).map_err(|e| match e {
        ServerError::NeedsTls { addr } => miette!(
            help = "give --cert FILE --key FILE to speak HTTPS, or listen on 127.0.0.1 behind a reverse proxy that does",
            "{addr} is reachable beyond this computer, and health data must not cross a network in plain text"
        ),
        ServerError::Url(url) => miette!(
            help = "give --url the address clinicians open, like https://clinic.example.org:8422",
            "--url: `{url}` is not an http:// or https:// address with a host and nothing after it"
        ),
        ServerError::Mail(e) => miette!(
            help = "check --smtp (smtp://HOST:PORT or smtps://HOST:PORT)",
            "--smtp: {e}"
        ),
        e => miette!("{e}"),
    })?;
    crate::output::log_to_stderr();
    println!(
        "The backstretch sync server is at {}/. Ctrl-C stops it.",
        server.base_url()
    );
    let mail = match &config.mail {
        Some(m) => format!(
            "Alert e-mails go through {}, from {}, with links to {}/.",
            m.relay.shown(),
            m.from,
            server.public_url()
        ),
        None => "Alert e-mails are off (no --smtp): alerts show on the clinic's pages only.".into(),
    };
    println!("{mail}");
    server.run();
    println!("\nStopped.");
    Ok(ExitCode::SUCCESS)
}

/// The e-mail settings `--smtp` and `--mail-from` make, checked: none without `--smtp`.
fn mail_config(a: &ServerArgs) -> miette::Result<Option<MailConfig>> {
    let (smtp, from) = match (&a.smtp, &a.mail_from) {
        (None, None) => return Ok(None),
        (Some(smtp), Some(from)) => (smtp, from),
        (Some(_), None) => {
            return Err(miette!(
                help = "add --mail-from \"backstretch <clinic@example.org>\" (an address your relay sends from)",
                "--smtp needs --mail-from: the address alert e-mails come from"
            ));
        }
        (None, Some(_)) => {
            return Err(miette!(
                help = "add --smtp smtp://HOST:PORT, the relay that sends the e-mails, or leave out --mail-from",
                "--mail-from is used only with --smtp"
            ));
        }
    };
    let relay = Relay::parse(smtp).map_err(|e| {
        miette!(
            help = "write it like smtp://mail.example.org:587 (STARTTLS), smtps://mail.example.org (TLS), or smtp://127.0.0.1:25 for a relay on this computer",
            "--smtp: {e}"
        )
    })?;
    let from = parse_from(from).map_err(|e| {
        miette!(
            help = "write it like clinic@example.org or \"backstretch <clinic@example.org>\"",
            "--mail-from: {e}"
        )
    })?;
    Ok(Some(MailConfig { relay, from }))
}
