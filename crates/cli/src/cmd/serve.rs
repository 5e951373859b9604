//! `backstretch serve`: the coach in a browser, on the same log. The web library listens and
//! serves; this command tells the person where, draws the pairing code as a QR code on
//! `--lan` (a new one each time Enter is pressed), opens a browser if asked, and logs server
//! errors to stderr. `serve devices` lists the paired devices and `serve unpair NAME`
//! unpairs one.

use std::io::IsTerminal;
use std::process::ExitCode;

use backstretch_render::table::Table;
use backstretch_web::{CodeMint, Config, Server, devices, devices_file};

use crate::args::{Format, ServeArgs, ServeCommand};
use crate::context::Context;
use crate::output::{json, print, width};

pub fn run(ctx: &Context, a: &ServeArgs) -> miette::Result<ExitCode> {
    match &a.command {
        Some(ServeCommand::Devices) => return list_devices(ctx),
        Some(ServeCommand::Unpair(u)) => return unpair(ctx, &u.name),
        None => {}
    }
    crate::output::log_to_stderr();
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let store: std::sync::Arc<dyn backstretch_store::Store> = std::sync::Arc::new(store);
    // A linked log syncs after each session in the browser, as after one in the terminal.
    let after_session = {
        let (home, store) = (ctx.home.clone(), store.clone());
        backstretch_web::AfterSession(std::sync::Arc::new(move || {
            crate::linked::after_web_session(&home, &*store);
        }))
    };
    let server = Server::bind(Config {
        home: ctx.home.clone(),
        store,
        catalog,
        listen: a.listen,
        lan: a.lan,
        after_session: Some(after_session),
    })?;
    let base = server.base_url().to_string();
    match server.codes() {
        Some(mint) => {
            println!(
                "backstretch is serving your network at {base}/ (paired devices only). Ctrl-C stops it."
            );
            show_pairing(&mint);
            new_codes_on_enter(mint);
        }
        None => println!("backstretch is at {base}/ (this computer only). Ctrl-C stops it."),
    }
    if a.open {
        open_browser(&base);
    }
    server.run()?;
    println!("\nStopped. Every step that reached the server is in the log.");
    Ok(ExitCode::SUCCESS)
}

/// A new pairing code, as an address to open and a QR code to scan.
fn show_pairing(mint: &CodeMint) {
    let new = mint.mint();
    println!(
        "\nTo pair a phone on this network, scan this or open {url}\n{qr}\nThe code {code} works once, within 10 minutes. Press Enter for a new one.\n\
The first time, your browser will warn that the certificate is made by this computer: that is expected; accept it for this address. \
After pairing, the phone is offered this computer's own certificate authority to trust once: then it stops warning, and a session carries on offline.",
        url = new.url,
        qr = crate::output::qr_text(&new.url, std::io::stdout().is_terminal()),
        code = new.code,
    );
}

/// On a terminal, each Enter prints a fresh pairing code.
fn new_codes_on_enter(mint: CodeMint) {
    if !std::io::stdin().is_terminal() {
        return;
    }
    std::thread::spawn(move || {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
            show_pairing(&mint);
            line.clear();
        }
    });
}

/// Opens the default browser at `base`, or says how to.
fn open_browser(base: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(format!("{base}/"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("note: could not open a browser ({opener}); open {base}/ yourself");
    }
}

/// `serve devices`: the paired devices, as a table or JSON.
fn list_devices(ctx: &Context) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let list = devices::list(&devices_file(&ctx.home))?;
    if format == Format::Json {
        print(&json(&list)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        print("No device is paired. `backstretch serve --lan` shows a code to pair a phone.\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let when = |t: Option<backstretch_core::time::Stamp>| {
        t.map_or_else(
            || "-".to_string(),
            |t| t.local().format("%a %-d %b %Y %H:%M").to_string(),
        )
    };
    let mut t = Table::new(["NAME", "PAIRED", "LAST SEEN"])
        .no_wrap(1)
        .no_wrap(2);
    for d in &list {
        t.row([d.name.clone(), when(d.paired), when(d.last_seen)]);
    }
    let mut out = t.render(width());
    out.push_str(
        "\n`backstretch serve unpair NAME` unpairs one; a running server refuses it at once.\n",
    );
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `serve unpair NAME`: unpairs a device, or says which names there are.
fn unpair(ctx: &Context, name: &str) -> miette::Result<ExitCode> {
    let gone = devices::unpair(&devices_file(&ctx.home), name)?;
    print(&format!(
        "Unpaired {}. A running server refuses it from its next request; to use it again, pair it with a new code from `backstretch serve --lan`.\n",
        gone.name
    ))?;
    Ok(ExitCode::SUCCESS)
}
